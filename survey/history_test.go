package survey

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// histQ is a small questionnaire with the readiness scale on question 1.1, the ODRA-like
// three-step scale on 1.2 and on section 2, and a single choice.
func histQ(t testing.TB) *Questionnaire {
	t.Helper()
	q := &Questionnaire{Format: QuestionnaireFormat, ID: "mini", Version: "1", Title: T("Mini", "Nhỏ"), Languages: []string{"vi", "en"},
		Scales: []*Scale{{ID: "odra", Label: T("ODRA", "ODRA"), Steps: []Step{
			{Code: Red, Label: T("Red", "Đỏ"), Value: 1},
			{Code: "yellow", Label: T("Yellow", "Vàng"), Value: 2},
			{Code: Green, Label: T("Green", "Xanh lá"), Value: 3},
		}}},
		Sections: []*Section{
			{ID: "1", Title: T("Leadership", "Lãnh đạo"), Questions: []*Question{
				{ID: "1.1", Type: TypeRating, Text: T("Is leadership visible?", "Lãnh đạo có thể hiện rõ không?")},
				{ID: "1.2", Type: TypeRating, Scale: "odra", Text: T("Is there a data policy?", "Có chính sách dữ liệu không?")},
				{ID: "1.3", Type: TypeSingle, Text: T("Which body leads?", "Cơ quan nào chủ trì?"),
					Options: []Option{{Code: "moic", Label: T("Ministry of Information", "Bộ Thông tin")}, {Code: "mpi", Label: T("Ministry of Planning", "Bộ Kế hoạch")}}},
			}},
			{ID: "2", Title: T("Data", "Dữ liệu"), Scale: "odra", Questions: []*Question{
				{ID: "2.1", Type: TypeText, Text: T("Which datasets?", "Những bộ dữ liệu nào?")},
			}},
		}}
	q.Index()
	return q
}

func histRev(t testing.TB, tg Target, v any, dev, who string, n uint64, at time.Time, replaces ...Revision) Revision {
	t.Helper()
	var ids []string
	for _, r := range replaces {
		ids = append(ids, r.ID)
	}
	r, err := NewRevision(tg, v, dev, n, at, who, ids)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ids(revs []Revision) []string {
	out := make([]string, len(revs))
	for i, r := range revs {
		out[i] = r.ID[:8]
	}
	return out
}

// TestCausalOrder: a revision comes after what it replaces even when its clock is behind,
// ties go by time then id, and any arrival order (with duplicates) gives the same order.
func TestCausalOrder(t *testing.T) {
	ans := Target{Interview: "iv", Kind: KindAnswer, Key: "1.1"}
	st := Target{Interview: "iv", Kind: KindStatus}
	base := histRev(t, ans, Answer{Rating: Amber}, "dev-a", "p", 1, t0)
	sideA := histRev(t, ans, Answer{Rating: Green}, "dev-a", "p", 2, t0.Add(10*time.Minute), base)
	sideB := histRev(t, ans, Answer{Rating: Red}, "dev-b", "p", 1, t0.Add(5*time.Minute), base)
	// The supervisor's clock is an hour behind: its settlement is "earlier" than both sides.
	settle := histRev(t, ans, Answer{Rating: AmberGreen}, "dev-s", "p", 1, t0.Add(-time.Hour), sideA, sideB)
	// A revision of another target at the same instant as sideB, and one with no past.
	status := histRev(t, st, StatusChange{Status: StatusDraft}, "dev-a", "p", 3, t0.Add(5*time.Minute))
	// A revision whose replaced revision has not arrived.
	orphan := histRev(t, Target{Interview: "iv", Kind: KindAnswer, Key: "1.2"}, Answer{Rating: Red}, "dev-b", "p", 2, t0.Add(2*time.Minute), Revision{ID: strings.Repeat("f", 64)})

	all := []Revision{base, sideA, sideB, settle, status, orphan}
	want := CausalOrder(all)
	pos := map[string]int{}
	for i, r := range want {
		pos[r.ID] = i
	}
	if len(want) != len(all) {
		t.Fatalf("%d revisions out of %d", len(want), len(all))
	}
	for _, r := range want {
		for _, p := range r.Replaces {
			if j, ok := pos[p]; ok && j > pos[r.ID] {
				t.Fatalf("revision %s comes before %s, which it replaces: %v", r.ID[:8], p[:8], ids(want))
			}
		}
	}
	if pos[settle.ID] != len(all)-1 {
		t.Errorf("the settlement is not last (after both its sides): %v", ids(want))
	}
	if pos[base.ID] != 0 || pos[orphan.ID] != 1 {
		t.Errorf("base then the orphan (its missing past holds nothing back) should lead: %v", ids(want))
	}
	// sideB (dev-b) and status (dev-a) share a time: by device.
	if pos[status.ID] > pos[sideB.ID] {
		t.Errorf("a tie in time is not broken by device: %v", ids(want))
	}
	// Changes saved together on one device (one time) keep the device's order.
	at := t0.Add(time.Hour)
	var batch []Revision
	for n, k := range []Kind{KindInterview, KindRespondent, KindStatus} {
		batch = append(batch, histRev(t, Target{Interview: "iv2", Kind: k}, StatusChange{}, "dev-c", "p", uint64(7+n), at))
	}
	if got := CausalOrder([]Revision{batch[2], batch[0], batch[1]}); !slices.Equal(ids(got), ids(batch)) {
		t.Errorf("one device's changes of one instant are not in counter order: %v, want %v", ids(got), ids(batch))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		shuffled := slices.Clone(all)
		shuffled = append(shuffled, shuffled[:rng.IntN(len(all))]...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := CausalOrder(shuffled); !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("arrival order changes the history:\n got %v\nwant %v", ids(got), ids(want))
		}
	}
}

// historyScenario: an interview created on a laptop, edited, rated differently on a second
// laptop, the conflict settled by a supervisor (taking the second laptop's rating with a
// merged comment), returned by the server with a reason.
func historyScenario(t testing.TB) []Revision {
	iv := "0193a5b2-7c1e-7000-8000-000000000001"
	tg := func(k Kind, key string) Target { return Target{Interview: iv, Kind: k, Key: key} }
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	meta := histRev(t, tg(KindInterview, ""), InterviewMeta{Questionnaire: "mini", QuestionnaireVersion: "1", Assessor: "An", Device: "lap-a"}, "lap-a", "an@example.org", 1, at(0))
	resp := histRev(t, tg(KindRespondent, ""), Respondent{Agency: "Sở Tài chính", Province: "Đà Nẵng", Category: "provincial-government", Date: "2026-11-20", Consent: true}, "lap-a", "an@example.org", 2, at(0))
	a1 := histRev(t, tg(KindAnswer, "1.1"), Answer{Rating: Amber, Comment: "Lãnh đạo chưa ủng hộ rõ ràng.",
		Evidence: []Evidence{{Polarity: Plus, Text: "Nghị quyết của tỉnh", InScope: true}, {Polarity: Minus, Text: "Chưa có kinh phí", InScope: true}}}, "lap-a", "an@example.org", 3, at(1))
	a2 := histRev(t, tg(KindAnswer, "1.1"), Answer{Rating: AmberGreen, Comment: "Lãnh đạo đã ủng hộ rõ ràng.",
		Evidence: []Evidence{{Polarity: Plus, Text: "Nghị quyết số 05 của tỉnh", InScope: true}, {Polarity: Plus, Text: "Luật Dữ liệu", InScope: false, Note: "chưa có hiệu lực"}}}, "lap-a", "an@example.org", 4, at(2), a1)
	b1 := histRev(t, tg(KindAnswer, "1.1"), Answer{Rating: Red, Comment: "Chưa thấy văn bản."}, "lap-b", "Trần Thị Bình", 1, at(3), a1)
	settle := histRev(t, tg(KindAnswer, "1.1"), Answer{Rating: Red, Comment: "Chưa thấy văn bản."}, "sup-1", "Lê Văn Sơn", 1, at(4), a2, b1)
	sec := histRev(t, tg(KindSection, "2"), SectionSummary{Rating: "yellow", Comment: "Đang xây dựng"}, "lap-a", "an@example.org", 5, at(5))
	done := histRev(t, tg(KindStatus, ""), StatusChange{Status: StatusCompleted}, "lap-a", "an@example.org", 6, at(6))
	ret := histRev(t, tg(KindStatus, ""), StatusChange{Status: StatusReturned, Reason: "thiếu nhận xét câu 2.1"}, "server-0a1b2c3d4e5f", "", 1, at(7), done)
	return []Revision{meta, resp, a1, a2, b1, settle, sec, done, ret}
}

func TestBuildHistory(t *testing.T) {
	revs := historyScenario(t)
	q := histQ(t)
	hist, err := BuildHistory(q, revs, HistoryOptions{IsServer: func(d string) bool { return strings.HasPrefix(d, "server-") }})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != len(revs) {
		t.Fatalf("%d entries for %d revisions", len(hist), len(revs))
	}
	byID := map[string]HistoryEntry{}
	for _, e := range hist {
		byID[e.ID] = e
	}
	a1, a2, b1, settle, sec, ret := byID[revs[2].ID], byID[revs[3].ID], byID[revs[4].ID], byID[revs[5].ID], byID[revs[6].ID], byID[revs[8].ID]

	// A first value is compared with nothing.
	if len(a1.From) != 1 || a1.From[0].ID != "" || a1.Settles {
		t.Fatalf("first answer: %+v", a1.From)
	}
	// An edit: rating by code and label, comment by words, evidence item by item.
	ch := fields(a2.From[0].Changes)
	if r := ch["rating"]; r.Old != "amber" || r.New != "amber-green" || r.OldText.Get(LangVI) != "Vàng" || r.NewText.Get(LangEN) != "Amber/Green" {
		t.Errorf("rating change: %+v", r)
	}
	if c := ch["comment"]; !slices.Equal(c.Words, []WordRun{{DiffEqual, "Lãnh đạo"}, {DiffDelete, "chưa"}, {DiffInsert, "đã"}, {DiffEqual, "ủng hộ rõ ràng."}}) {
		t.Errorf("comment words: %+v", c.Words)
	}
	ev := ch["evidence"].Items
	if len(ev) != 2 || ev[0].Op != DiffChanged || ev[0].Index != 1 || ev[1].Op != DiffChanged {
		t.Fatalf("evidence items: %+v", ev)
	}
	if c := fields(ev[0].Changes)["text"]; !slices.Equal(c.Words, []WordRun{{DiffEqual, "Nghị quyết"}, {DiffInsert, "số 05"}, {DiffEqual, "của tỉnh"}}) {
		t.Errorf("evidence 1 text: %+v", c.Words)
	}
	if c := fields(ev[1].Changes); c["polarity"].Old != "-" || c["polarity"].New != "+" || c["in_scope"].New != "false" || c["note"].New != "chưa có hiệu lực" {
		t.Errorf("evidence 2 changes: %+v", ev[1].Changes)
	}
	// The settlement: both sides, newest first (b1 at minute 3 before a2 at minute 2), the
	// one it took unchanged marked as such.
	if !settle.Settles || len(settle.From) != 2 {
		t.Fatalf("settlement: %+v", settle)
	}
	if settle.From[0].ID != b1.ID || !settle.From[0].Same || settle.From[0].Principal != "Trần Thị Bình" {
		t.Errorf("side 1 should be b1, taken as it was: %+v", settle.From[0])
	}
	if settle.From[1].ID != a2.ID || settle.From[1].Same || fields(settle.From[1].Changes)["rating"].New != "red" {
		t.Errorf("side 2 should be a2, rating changed to red: %+v", settle.From[1])
	}
	// A section rating on its own scale.
	if r := fields(sec.From[0].Changes)["rating"]; r.NewText.Get(LangVI) != "Vàng" || r.NewText.Get(LangEN) != "Yellow" {
		t.Errorf("section rating on the ODRA scale: %+v", r)
	}
	// A return by the server, with its reason.
	if !ret.Server || ret.Principal != "" {
		t.Errorf("the server's return: %+v", ret.Who)
	}
	if c := fields(ret.From[0].Changes); c["status"].Old != "completed" || c["status"].NewText.Get(LangVI) != "bị trả lại" || c["reason"].New != "thiếu nhận xét câu 2.1" {
		t.Errorf("return: %+v", ret.From[0].Changes)
	}

	// The same history from a shuffled set, and as stable JSON.
	rng := rand.New(rand.NewPCG(1, 1))
	shuffled := slices.Clone(revs)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	again, err := BuildHistory(q, shuffled, HistoryOptions{IsServer: func(d string) bool { return strings.HasPrefix(d, "server-") }})
	if err != nil {
		t.Fatal(err)
	}
	j1, _ := json.Marshal(hist)
	j2, _ := json.Marshal(again)
	if string(j1) != string(j2) {
		t.Fatalf("history depends on arrival order")
	}
	if !strings.Contains(string(j1), `"words":[{"op":"=","text":"Lãnh đạo"},{"op":"-","text":"chưa"},{"op":"+","text":"đã"}`) {
		t.Errorf("JSON lacks the word diff: %s", j1)
	}
}

func fields(cs []FieldChange) map[string]FieldChange {
	m := map[string]FieldChange{}
	for _, c := range cs {
		m[c.Field] = c
	}
	return m
}

// TestHistoryLines is what a person reads, in both languages.
func TestHistoryLines(t *testing.T) {
	revs := historyScenario(t)
	hist, err := BuildHistory(histQ(t), revs, HistoryOptions{IsServer: func(d string) bool { return strings.HasPrefix(d, "server-") }})
	if err != nil {
		t.Fatal(err)
	}
	text := func(lang string) string {
		var b strings.Builder
		for _, e := range hist {
			for _, l := range e.Lines(RenderOptions{Lang: lang}) {
				b.WriteString(l.String() + "\n")
			}
		}
		return b.String()
	}
	en := text(LangEN)
	for _, want := range []string{
		"  date: 2026-11-20\n  consent: yes\n", // a first value: no "no → yes"
		"  evidence:\n    added: + Nghị quyết của tỉnh\n    added: - Chưa có kinh phí\n",
		"2026-11-20 09:00 · an@example.org · device lap-a\n  interview created\n  questionnaire: mini 1\n  assessor: An\n  device: lap-a\n",
		"  answer 1.1 — Is leadership visible?\n  rating: Amber → Amber/Green\n  comment: Lãnh đạo [-chưa-] {+đã+} ủng hộ rõ ràng.\n  evidence:\n    item 1: text Nghị quyết {+số 05+} của tỉnh\n    item 2: sign - → +; text [-Chưa có kinh phí-] {+Luật Dữ liệu+}; in scope yes → no; note chưa có hiệu lực\n",
		"2026-11-20 09:04 · Lê Văn Sơn · device sup-1 · settles a conflict of 2 versions\n  answer 1.1 — Is leadership visible?\n  [1] taken as it was: 2026-11-20 09:03 · Trần Thị Bình · device lap-b\n  [2] replaced 2026-11-20 09:02 · an@example.org · device lap-a:\n      rating: Amber/Green → Red\n",
		"  summary of section 2 — Data\n  rating: Yellow\n  comment: Đang xây dựng\n",
		"2026-11-20 09:07 · – · the server (server-0a1b2c3d4e5f)\n  status\n  status: completed → returned\n  reason: thiếu nhận xét câu 2.1\n",
	} {
		if !strings.Contains(en, want) {
			t.Errorf("English history lacks\n%s\nin\n%s", want, en)
		}
	}
	vi := text(LangVI)
	for _, want := range []string{
		"  câu trả lời 1.1 — Lãnh đạo có thể hiện rõ không?\n  mức đánh giá: Vàng → Vàng/Xanh\n",
		"· giải quyết xung đột giữa 2 phiên bản\n",
		"  [1] giữ nguyên: 2026-11-20 09:03 · Trần Thị Bình · thiết bị lap-b\n",
		"  tóm tắt phần 2 — Dữ liệu\n  mức đánh giá: Vàng\n",
		"· máy chủ (server-0a1b2c3d4e5f)\n  trạng thái\n  trạng thái: đã hoàn thành → bị trả lại\n  lý do: thiếu nhận xét câu 2.1\n",
	} {
		if !strings.Contains(vi, want) {
			t.Errorf("Vietnamese history lacks\n%s\nin\n%s", want, vi)
		}
	}
}

func TestHistoryValuesAndGaps(t *testing.T) {
	q := histQ(t)
	iv := "0193a5b2-7c1e-7000-8000-000000000002"
	tg := Target{Interview: iv, Kind: KindAnswer, Key: "1.3"}
	a := histRev(t, tg, Answer{Value: "moic"}, "d", "p", 1, t0)
	b := histRev(t, tg, Answer{Value: "mpi", Comment: strings.Repeat("một ", 20) + "hai"}, "d", "p", 2, t0.Add(time.Minute), a)
	c := histRev(t, tg, Answer{Value: "mpi", Comment: strings.Repeat("một ", 20) + "ba"}, "d", "p", 3, t0.Add(2*time.Minute), b)
	// Only b and c arrived: b's past is missing.
	hist, err := BuildHistory(q, []Revision{c, b}, HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].ID != b.ID || !hist[0].From[0].Missing {
		t.Fatalf("b first, its replaced revision missing: %+v", hist)
	}
	lines := func(e HistoryEntry) string {
		var s []string
		for _, l := range e.Lines(RenderOptions{Lang: LangVI, NoTarget: true}) {
			s = append(s, l.String())
		}
		return strings.Join(s, "\n")
	}
	if got := lines(hist[0]); !strings.Contains(got, "thay phiên bản "+a.ID[:12]+", chưa có trong kho này") {
		t.Errorf("missing past:\n%s", got)
	}
	got := lines(hist[1])
	if !strings.Contains(got, "nhận xét: … một một một một [-hai-] {+ba+}") {
		t.Errorf("a long unchanged stretch is not shortened:\n%s", got)
	}
	if strings.Contains(got, "câu trả lời 1.3") {
		t.Errorf("NoTarget still names the target:\n%s", got)
	}
	first, _ := BuildHistory(q, []Revision{b, a}, HistoryOptions{})
	if got := lines(first[1]); !strings.Contains(got, "câu trả lời: Bộ Thông tin → Bộ Kế hoạch") {
		t.Errorf("a choice by its option labels:\n%s", got)
	}
	// Nothing to decode is an error, not a silent gap.
	bad := a
	bad.Value = json.RawMessage(`{"rating": 5}`)
	if _, err := BuildHistory(q, []Revision{bad}, HistoryOptions{}); err == nil {
		t.Error("an undecodable value was accepted")
	}
}
