package survey

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestHistoryOutput: the title line, the entries wrapped to the width with continuation
// lines further in and spans painted, and the JSON document.
func TestHistoryOutput(t *testing.T) {
	revs := historyScenario(t)
	q := histQ(t)
	hist, err := BuildHistory(q, revs, HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	states, err := Fold(revs)
	if err != nil {
		t.Fatal(err)
	}
	id := revs[0].Interview
	s := states[id]
	if got, want := HistoryTitle(id, s, q, len(hist), LangEN), id+" · Sở Tài chính, Đà Nẵng · Mini · "; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, " revisions") {
		t.Fatalf("title %q", got)
	}
	if got := HistoryTitle(id, s, nil, 1, LangVI); got != id+" · Sở Tài chính, Đà Nẵng · mini 1 · 1 phiên bản" {
		t.Fatalf("title without the questionnaire %q", got)
	}

	var b strings.Builder
	for _, e := range hist {
		if err := WriteHistoryEntry(&b, e, RenderOptions{Lang: LangEN}, 20, utf8.RuneCountInString, nil); err != nil {
			t.Fatal(err)
		}
	}
	out := b.String()
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if n := utf8.RuneCountInString(l); n > 40 && !strings.Contains(strings.TrimSpace(l), " ") {
			continue // one word longer than the line stays whole
		} else if n > 40 {
			t.Fatalf("a line of %d characters at width 20 (at least 40):\n%s", n, l)
		}
	}
	if !strings.Contains(out, "  answer 1.1 — Is leadership visible?\n") {
		t.Fatalf("history:\n%s", out)
	}
	b.Reset()
	paint := func(s Span) string {
		if s.Kind == SpanSettle {
			return "<" + s.Text + ">"
		}
		return s.Text
	}
	for _, e := range hist {
		_ = WriteHistoryEntry(&b, e, RenderOptions{Lang: LangEN, NoTarget: true}, 200, utf8.RuneCountInString, paint)
	}
	if !strings.Contains(b.String(), "<settles a conflict of 2 versions>") || strings.Contains(b.String(), "  answer 1.1 — Is leadership visible?\n") {
		t.Fatalf("painted, without targets:\n%s", b.String())
	}

	data, err := json.Marshal(NewHistoryDoc(id, s.Meta, hist))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil || doc["format"] != HistoryFormat || doc["interview"] != id ||
		doc["questionnaire"] != "mini" || doc["questionnaire_version"] != "1" || len(doc["entries"].([]any)) != len(hist) {
		t.Fatalf("document %s", data)
	}
}
