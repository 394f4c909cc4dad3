package accessible

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/fakestore"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// conflictSetup makes a draft of the example questionnaire whose answer 1.1 (a single
// choice) has two versions: "ministry" on this device, another on a second laptop.
func conflictSetup(t *testing.T) (*fakestore.Store, Options, string, []survey.Revision) {
	t.Helper()
	fs, o := setup(t)
	q, _ := session.Find(o.Catalog, "example", "1.0.0")
	if q == nil {
		t.Fatal("no example questionnaire")
	}
	ctx := context.Background()
	o.Writer.IDs = func() (string, error) { return "0193a5b2-7c1e-7000-8000-000000000001", nil }
	id, err := o.Writer.Create(ctx, q, survey.Respondent{Agency: "Sở Tư pháp", Province: "Huế", Date: "2026-11-23", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Writer.Put(ctx, session.AnswerChange(id, "1.1", survey.Answer{Value: "ministry", Comment: "Theo quyết định"})); err != nil {
		t.Fatal(err)
	}
	tg := survey.Target{Interview: id, Kind: survey.KindAnswer, Key: "1.1"}
	mine := fs.Revisions(id)
	other, err := survey.NewRevision(tg, survey.Answer{Value: q.Sections[0].Questions[0].Options[1].Code, Comment: "Theo báo cáo"},
		"lap-binh", 1, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), "Trần Thị Bình", mine[len(mine)-1].Replaces)
	if err != nil {
		t.Fatal(err)
	}
	fs.Append(other)
	o.Interview = id
	return fs, o, id, []survey.Revision{other, mine[len(mine)-1]}
}

func TestLineModeTakesAVersion(t *testing.T) {
	run := func() (string, *fakestore.Store, string, []survey.Revision, error) {
		fs, o, id, heads := conflictSetup(t)
		var out strings.Builder
		o.Out = &out
		o.In = strings.NewReader("\n3\n2\n") // nothing, a version that does not exist, version 2
		err := Run(context.Background(), o)
		return out.String(), fs, id, heads, err
	}
	out, fs, id, heads, err := run()
	if !errors.Is(err, ErrInputEnded) {
		t.Fatalf("err = %v (the input ends at the next question)\n%s", err, out)
	}
	for _, want := range []string{
		"! CONFLICT: this answer has 2 versions, made on different devices:",
		"  [1] Trần Thị Bình · device lap-binh · 2026-11-23 10:00",
		"      Comment: Theo báo cáo",
		"  [2] an · device dev1 · 2026-11-23 09:00",
		"      Answer: Ministry or ministry-level agency",
		"Take a version as it is (1-2), or a to answer anew: ",
		"✗ Answer a number from 1 to 2, or a. Please answer again.",
		"✓ Saved: version 2 taken as it was; the conflict is settled.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "Please answer again.") != 2 {
		t.Errorf("the empty line and 3 should each be asked again:\n%s", out)
	}
	if fs.Settles != 1 {
		t.Fatalf("%d settlements", fs.Settles)
	}
	st, _ := fs.Interview(context.Background(), id)
	if len(st.Conflicts) != 0 || st.Answers["1.1"].Value != "ministry" || st.Answers["1.1"].Comment != "Theo quyết định" {
		t.Fatalf("after taking version 2: %+v, conflicts %v", st.Answers["1.1"], st.Conflicts)
	}
	revs := fs.Revisions(id)
	if last := revs[len(revs)-1]; len(last.Replaces) != 2 {
		t.Fatalf("the settlement replaces %v, want both versions (%s, %s)", last.Replaces, heads[0].ID[:8], heads[1].ID[:8])
	}
	// The same input gives the same output.
	again, _, _, _, _ := run()
	if again != out {
		t.Fatalf("piped input is not deterministic:\n%s\n---\n%s", out, again)
	}
}

func TestLineModeAnswersAnew(t *testing.T) {
	fs, o, id, _ := conflictSetup(t)
	var out strings.Builder
	o.Out = &out
	o.Lang = "vi"
	o.In = strings.NewReader("a\n\nĐã thống nhất\n")
	err := Run(context.Background(), o)
	if !errors.Is(err, ErrInputEnded) {
		t.Fatalf("err = %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "! XUNG ĐỘT: câu trả lời này có 2 phiên bản") || !strings.Contains(out.String(), "Trả lời lại: phiên bản mới nhất") {
		t.Fatal(out.String())
	}
	st, _ := fs.Interview(context.Background(), id)
	if len(st.Conflicts) != 0 || st.Answers["1.1"].Comment != "Đã thống nhất" || fs.Settles != 0 {
		t.Fatalf("answering anew: %+v, conflicts %v, settlements %d", st.Answers["1.1"], st.Conflicts, fs.Settles)
	}
}
