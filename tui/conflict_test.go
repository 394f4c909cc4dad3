package tui

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/fakestore"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// withConflict adds to store fs a second version of answer 7.1 of interview id, made on
// another laptop from the same earlier version: two heads that disagree. It returns the
// two heads, newest first (the other laptop's).
func withConflict(t testing.TB, fs *fakestore.Store, ck *clock, id string) []survey.Revision {
	t.Helper()
	st, err := fs.Interview(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	tg := survey.Target{Interview: id, Kind: survey.KindAnswer, Key: "7.1"}
	heads := st.Heads[tg]
	if len(heads) != 1 {
		t.Fatalf("7.1 has %d heads before", len(heads))
	}
	mine := fs.Revisions(id)
	var prev survey.Revision
	for _, r := range mine {
		if r.ID == heads[0] {
			prev = r
		}
	}
	// The other laptop edited the same earlier version as this one (here: none, both are
	// first versions), without seeing this one.
	other, err := survey.NewRevision(tg, survey.Answer{Rating: survey.AmberRed,
		Comment: "Có khung pháp lý nhưng cấp huyện chưa thực thi; thiếu nhân lực",
		Evidence: []survey.Evidence{
			{Polarity: survey.Plus, Text: "Luật An ninh mạng 2018", Source: "Luật 24/2018/QH14", InScope: true},
			{Polarity: survey.Minus, Text: "Cấp huyện chưa có cán bộ chuyên trách an toàn thông tin", InScope: true},
		}}, "lap-binh", 4, ck.now().Add(5*time.Minute), "Trần Thị Bình", prev.Replaces)
	if err != nil {
		t.Fatal(err)
	}
	fs.Append(other)
	return []survey.Revision{other, prev}
}

// conflictDriver opens question 7.1 of the golden fixture after another laptop's version
// of it arrived: a conflict of two versions, newest (the other laptop's) first.
func conflictDriver(t *testing.T, w, h int, opts ...driverOpt) (*driver, string, []survey.Revision) {
	t.Helper()
	fs, ck, id := goldenFixture(t)
	heads := withConflict(t, fs, ck, id)
	d := newDriverOn(t, w, h, fs, ck, opts...)
	d.send(OpenInterviewMsg{ID: id, At: session.Place{Question: "7.1"}})
	if d.app.iv == nil {
		t.Fatal("interview did not open")
	}
	return d, id, heads
}

func answerOf(t *testing.T, raw []byte) survey.Answer {
	t.Helper()
	var a survey.Answer
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTakeSideWritesOneRevisionReplacingBothHeads(t *testing.T) {
	d, id, heads := conflictDriver(t, 80, 24)
	d.mustSee("! CONFLICT: 2 versions of this answer", "v compare versions")
	before := len(d.store.Revisions(id))
	d.key("v")
	if d.app.active != scrVersions {
		t.Fatalf("v did not open the versions: %s", d.view())
	}
	d.mustSee("Versions of answer 7.1", "[1] Trần Thị Bình", "[2] an", "Amber/Red", "Amber/Green", "Cấp huyện chưa có cán bộ")
	d.key("2")
	revs := d.store.Revisions(id)
	if len(revs) != before+1 || d.store.Settles != 1 {
		t.Fatalf("%d revisions written, %d settlements; want exactly one", len(revs)-before, d.store.Settles)
	}
	r := revs[len(revs)-1]
	want := []string{heads[0].ID, heads[1].ID}
	slices.Sort(want)
	if !slices.Equal(r.Replaces, want) || r.Device != "dev1" || r.Author != "an@example.org" {
		t.Fatalf("the settlement %+v does not replace both heads %v", r, want)
	}
	if got, side := answerOf(t, r.Value), answerOf(t, heads[1].Value); !reflect.DeepEqual(got, side) {
		t.Fatalf("taken value %+v, want version 2 as it was %+v", got, side)
	}
	st := d.state(id)
	if len(st.Conflicts) != 0 || st.Answers["7.1"].Rating != survey.AmberGreen {
		t.Fatalf("after taking version 2: conflicts %v, answer %+v", st.Conflicts, st.Answers["7.1"])
	}
	// Back on the question, the marker gone, the choice said and saved.
	if d.app.active != scrQuestion {
		t.Fatalf("not back on the question: %v", d.app.active)
	}
	d.mustSee("✓ saved", "version 2 taken as it was; the conflict is settled", "[4 ●●●●○ Amber/Green]", "Chưa có đội ứng cứu sự cố cấp tỉnh")
	d.mustNotSee("CONFLICT", "v compare versions")
	d.key("v")
	d.mustSee("This has one version: there is nothing to compare")
	if d.app.active != scrQuestion {
		t.Fatal("v opened versions of a settled answer")
	}
	// h shows the settlement with what it replaced.
	d.key("h")
	d.mustSee("History of answer 7.1", "3 changes", "settles a conflict of 2", "[2] taken as it was")
	d.key("esc")
	if d.app.active != scrQuestion {
		t.Fatalf("esc did not leave the history: %v", d.app.active)
	}
}

func TestEditFromSideSettlesWhenSaved(t *testing.T) {
	d, id, heads := conflictDriver(t, 120, 40)
	before := len(d.store.Revisions(id))
	d.key("v", "right") // select version 2
	d.mustSee("▸ [2] an")
	d.key("left", "e") // version 1, a new answer from it
	if d.app.active != scrQuestion || !d.app.question.editing || d.app.question.focus != focComment {
		t.Fatalf("e did not open the comment of the question: active %v", d.app.active)
	}
	d.mustSee("A new answer from version 1", "● unsaved")
	d.typeText(" (đã thống nhất)")
	d.idle()
	revs := d.store.Revisions(id)
	if len(revs) != before+1 || d.store.Settles != 0 {
		t.Fatalf("%d revisions, %d settlements: want one edit", len(revs)-before, d.store.Settles)
	}
	r := revs[len(revs)-1]
	if len(r.Replaces) != 2 {
		t.Fatalf("the edit replaces %v, want both versions", r.Replaces)
	}
	got := answerOf(t, r.Value)
	side := answerOf(t, heads[0].Value)
	if got.Rating != side.Rating || got.Comment != side.Comment+" (đã thống nhất)" || !reflect.DeepEqual(got.Evidence, side.Evidence) {
		t.Fatalf("edited answer %+v, want version 1 with the comment extended", got)
	}
	if st := d.state(id); len(st.Conflicts) != 0 {
		t.Fatalf("conflicts left: %v", st.Conflicts)
	}
	d.key("esc")
	d.mustNotSee("CONFLICT")
}

// TestLettersAndDigitsTypedInTextFieldsAreText: h, v and digits typed into a comment
// (conflicted answer or not) are text: no history, no versions, no settlement.
func TestLettersAndDigitsTypedInTextFieldsAreText(t *testing.T) {
	d, id, _ := conflictDriver(t, 80, 24)
	d.key("c")
	if !d.app.question.editing {
		t.Fatal("c did not open the comment")
	}
	d.typeText(" hv12")
	if d.app.active != scrQuestion || d.app.versions != nil || d.app.history != nil || d.store.Settles != 0 {
		t.Fatalf("keys typed in the comment acted as commands: active %v", d.app.active)
	}
	if got := d.app.question.comment.Value(); !strings.HasSuffix(got, " hv12") {
		t.Fatalf("comment %q does not end with what was typed", got)
	}
	// In the versions view the digits take; h opens the history; esc comes back.
	d.key("esc", "v")
	if d.app.active != scrQuestion {
		t.Fatal("the edited answer (which settled the conflict) still opens versions")
	}
	d.idle()
	if st := d.state(id); len(st.Conflicts) != 0 {
		t.Fatalf("saving the edited comment did not settle: %v", st.Conflicts)
	}
	// Typing h into the search of the list, or into a text answer elsewhere, opens nothing.
	d.key("pgup") // the summary of section 6
	d.key("c")
	d.typeText("hv")
	if d.app.active != scrSummary || d.app.history != nil || d.app.versions != nil || d.app.summary.comment.Value() != "hv" {
		t.Fatalf("h and v typed in the overall comment acted as commands (screen %v)", d.app.active)
	}
}

func TestVersionsReadOnlyWhenTheRoleMayNotSettle(t *testing.T) {
	fs, ck, id := goldenFixture(t)
	withConflict(t, fs, ck, id)
	w := &session.Writer{Store: fs, Author: session.Author{Device: "dev1", Principal: "an"}}
	if err := w.Put(context.Background(), session.StatusChange(id, survey.StatusChange{Status: survey.StatusSubmitted})); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		role   survey.Role
		allows bool
	}{{survey.RoleAssessor, false}, {survey.RoleSupervisor, true}} {
		t.Run(string(c.role), func(t *testing.T) {
			d := newDriverOn(t, 80, 24, fs, ck, func(o *Options) { o.Role = c.role })
			d.send(OpenInterviewMsg{ID: id, At: session.Place{Question: "7.1"}})
			d.key("v")
			if d.app.active != scrVersions {
				t.Fatalf("v did not open the versions: %s", d.view())
			}
			if !c.allows {
				d.mustSee("Read only: the interview is submitted; an assessor changes only drafts")
				d.key("1")
				d.key("e")
				if d.store.Settles != 0 || d.app.active != scrVersions {
					t.Fatalf("a read-only view settled (%d) or left (%v)", d.store.Settles, d.app.active)
				}
				return
			}
			d.mustNotSee("Read only")
			d.key("enter")
			if d.store.Settles != 1 {
				t.Fatalf("the supervisor's enter wrote %d settlements", d.store.Settles)
			}
		})
	}
}

func TestStaleVersionsAreNotSettled(t *testing.T) {
	d, id, heads := conflictDriver(t, 80, 24)
	d.key("v")
	// A third version arrives (a sync) while the two are on screen.
	third, err := survey.NewRevision(heads[0].Target(), survey.Answer{Rating: survey.Red}, "lap-cuong", 1,
		d.clock.now().Add(time.Hour), "Cường", heads[1].Replaces)
	if err != nil {
		t.Fatal(err)
	}
	d.store.Append(third)
	before := len(d.store.Revisions(id))
	d.key("1")
	if n := len(d.store.Revisions(id)); n != before {
		t.Fatalf("a stale view wrote %d revisions", n-before)
	}
	d.mustSee("Not settled: the conflict changed since it was listed (it now has 3 versions)")
	// The interview was read again: now three versions.
	d.mustSee("CONFLICT: 3 versions")
	d.key("v")
	d.mustSee("3 versions", "[1] Cường")
}

func TestSectionSummaryConflict(t *testing.T) {
	fs, ck, id := goldenFixture(t)
	tg := survey.Target{Interview: id, Kind: survey.KindSection, Key: "1"}
	st, _ := fs.Interview(context.Background(), id)
	other, err := survey.NewRevision(tg, survey.SectionSummary{Rating: survey.Red, Comment: "Chưa có kinh phí"}, "lap-binh", 9,
		ck.now(), "Trần Thị Bình", nil)
	if err != nil || len(st.Heads[tg]) != 1 {
		t.Fatal(err, st.Heads[tg])
	}
	fs.Append(other)
	d := newDriverOn(t, 80, 24, fs, ck)
	d.send(OpenInterviewMsg{ID: id, At: session.Place{Section: "1"}})
	d.mustSee("CONFLICT: 2 versions of this overall rating")
	d.key("s")
	d.mustSee("! 1 with two versions")
	d.key("esc", "o") // back to section 1's summary? The list's cursor is on section 1.
	d.send(GotoMsg{Place: session.Place{Section: "1"}})
	d.key("v")
	d.mustSee("Versions of summary of section 1", "Overall rating: ●○○○○ Red", "Chưa có kinh phí")
	d.key("1")
	if d.store.Settles != 1 {
		t.Fatal("taking version 1 of the summary wrote nothing")
	}
	if s := d.state(id); s.Sections["1"].Rating != survey.Red || len(s.Conflicts) != 0 {
		t.Fatalf("summary after settling: %+v %v", s.Sections["1"], s.Conflicts)
	}
	d.mustSee("✓ saved")
	d.mustNotSee("CONFLICT")
}
