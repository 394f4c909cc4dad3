package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/text/unicode/norm"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

func TestHomeListsInterviewsWithProgressAndStrip(t *testing.T) {
	d := newDriver(t, 100, 24)
	id := d.create("dgra-2018", "Sở Thông tin và Truyền thông", "Đà Nẵng")
	d.create("example", "Sở Tư pháp", "Huế")
	// One confirmed section rating and one answer on the DGRA interview.
	w := d.app.c.writer
	ctx := context.Background()
	if err := w.Put(ctx, session.AnswerChange(id, "1.1", survey.Answer{Rating: survey.Amber}),
		session.SectionChange(id, "1", survey.SectionSummary{Rating: survey.Green, Comment: "ok"})); err != nil {
		t.Fatal(err)
	}
	d.send(HomeMsg{})
	d.mustSee("Sở Thông tin và Truyền thông", "Đà Nẵng", "Sở Tư pháp", "Huế", "draft",
		"1/36",    // progress of the DGRA interview: loaded lazily for the rows on screen
		"5······", // its strip: section 1 confirmed green (5), six sections not yet
		"2 not yet sent", "Assessor: Nguyễn Văn An")
}

func TestHomeSearchAndFilter(t *testing.T) {
	d := newDriver(t, 100, 24)
	d.create("example", "Sở Thông tin và Truyền thông", "Đà Nẵng")
	d.create("example", "Sở Tư pháp", "Huế")
	d.send(HomeMsg{})
	d.key("/")
	d.typeText("da nang") // accents and case ignored
	d.mustSee("Đà Nẵng", "1 interview")
	d.mustNotSee("Huế")
	// "q" and "n" typed in the search box are text, not commands.
	d.key("esc")
	d.key("/")
	d.typeText("qn")
	if d.quit || d.app.active != scrHome {
		t.Fatalf("typing q and n in the search box acted as commands (quit=%v, screen=%v)", d.quit, d.app.active)
	}
	d.key("esc")
	d.key("f") // drafts only
	d.mustSee("Status: draft", "2 interviews")
	d.key("f") // returned only
	d.mustSee("No interview matches")
}

func TestNewInterviewCreatesOnePutAndOpensFirstQuestion(t *testing.T) {
	d := newDriver(t, 80, 24)
	d.create("example", "Sở Thông tin và Truyền thông", "Đà Nẵng")
	d.send(HomeMsg{})
	puts := d.store.Puts
	d.key("n")
	d.mustSee("New interview", "example 1.0.0")
	// Tab on an empty field with suggestions showing moves on and fills in nothing: a
	// suggestion is taken only with its own key.
	d.mustSee("› Sở Thông tin và Truyền thông", "ctrl+e to take it")
	d.key("tab", "shift+tab")
	if v := d.app.newForm.inputs[fAgency].Value(); v != "" {
		t.Fatalf("tab filled the empty agency with %q", v)
	}
	d.typeText("Sở Tài chính")
	d.key("tab")
	d.typeText("đà") // suggestion from earlier interviews, accent-insensitive
	d.mustSee("› Đà Nẵng")
	d.key("ctrl+e") // takes the suggestion and moves on
	d.typeText("Chánh văn phòng")
	d.key("enter", "right")                   // stakeholder group: the first one
	d.key("enter", "enter", "enter", "enter") // date, place, consent, the button
	// Creating without consent is refused, with the reason beside the field.
	d.key("enter")
	d.mustSee("consent must be confirmed")
	if d.app.iv != nil {
		t.Fatal("an interview was created without consent")
	}
	d.key("space", "enter", "enter")
	if d.app.iv == nil {
		t.Fatalf("the interview did not open:\n%s", d.view())
	}
	if got := d.store.Puts - puts; got != 1 {
		t.Fatalf("creating took %d Puts, want 1", got)
	}
	st := d.state(d.app.iv.st.ID)
	if st.Meta.Questionnaire != "example" || st.Meta.Assessor != "Nguyễn Văn An" || st.Meta.Device != "dev1" ||
		st.Respondent.Agency != "Sở Tài chính" || st.Respondent.Province != "Đà Nẵng" ||
		st.Respondent.Role != "Chánh văn phòng" || st.Respondent.Category != "agency" ||
		!st.Respondent.Consent || st.Status.Status != survey.StatusDraft || st.Respondent.Date != "2026-11-23" {
		t.Fatalf("created interview: %+v %+v %+v", st.Meta, st.Respondent, st.Status)
	}
	d.mustSee("1.1", "What kind of agency is this?", "✓ saved")
}

func openDGRA(t *testing.T, w, h int, opts ...driverOpt) (*driver, string) {
	d := newDriver(t, w, h, opts...)
	id := d.create("dgra-2018", "Sở Thông tin và Truyền thông", "Đà Nẵng")
	d.open(id)
	return d, id
}

func TestRatingKeyIsSavedAtOnce(t *testing.T) {
	d, id := openDGRA(t, 80, 24)
	d.mustSee("1.1", "How visibly and consistently")
	d.key("3")
	if got := d.state(id).Answers["1.1"].Rating; got != survey.Amber {
		t.Fatalf("rating in the store: %q, want amber", got)
	}
	d.mustSee("[3 ●●●○○ Amber]", "✓ saved 09:31:00", "1/36 answered")
	d.key("d")
	if got := d.state(id).Answers["1.1"].Rating; got != survey.DontKnow {
		t.Fatalf("after d: %q, want dont-know", got)
	}
	d.key("0")
	if got := d.state(id).Answers["1.1"].Rating; got != survey.NotAssessed {
		t.Fatalf("after 0: %q, want not-assessed", got)
	}
	d.key("backspace")
	if _, ok := d.state(id).Answers["1.1"]; ok {
		t.Fatal("backspace did not clear the rating")
	}
}

func TestQTypedInCommentDoesNotQuit(t *testing.T) {
	d, id := openDGRA(t, 80, 24)
	d.key("c")
	d.typeText("q?sre") // quit, help, sections, review, evidence: all just letters here
	if d.quit {
		t.Fatal("typing q in the comment quit the program")
	}
	if d.app.showAll || d.app.active != scrQuestion || d.app.question.focus != focComment {
		t.Fatalf("letters typed in the comment acted as keys: help=%v screen=%v focus=%v", d.app.showAll, d.app.active, d.app.question.focus)
	}
	d.mustSee("┃ q?sre", "● unsaved")
	d.idle()
	if got := d.state(id).Answers["1.1"].Comment; got != "q?sre" {
		t.Fatalf("comment in the store: %q", got)
	}
	d.mustSee("✓ saved")
	// Out of the field, q quits (after saving).
	d.key("esc", "q")
	if !d.quit {
		t.Fatal("q outside a text field did not quit")
	}
}

func TestTypingVietnameseRuneByRune(t *testing.T) {
	d, id := openDGRA(t, 80, 24, func(o *Options) { o.Lang = "vi" })
	d.key("c")
	want := "Đã có Luật An ninh mạng 2018; Nghị định 13/2023 về bảo vệ dữ liệu cá nhân"
	d.typeText(want)
	d.mustSee("Đã có Luật An ninh mạng 2018")
	// Decomposed input (e + combining marks) from another keyboard is stored composed.
	d.typeText(norm.NFD.String(" — ưu tiên"))
	d.idle()
	got := d.state(id).Answers["1.1"].Comment
	if got != want+" — ưu tiên" {
		t.Fatalf("stored comment %q, want %q", got, want+" — ưu tiên")
	}
	if !norm.NFC.IsNormalString(got) {
		t.Fatal("stored comment is not NFC")
	}
	d.mustSee("✓ đã lưu")
}

func TestTextIsSavedAfterThePauseNotPerKeystroke(t *testing.T) {
	d, id := openDGRA(t, 80, 24)
	d.key("c")
	puts := d.store.Puts
	d.typeText("Có khung")
	if d.store.Puts != puts {
		t.Fatalf("typing wrote %d times before the pause", d.store.Puts-puts)
	}
	d.mustSee("● unsaved")
	d.idle()
	if d.store.Puts-puts != 1 {
		t.Fatalf("the pause wrote %d times, want 1", d.store.Puts-puts)
	}
	if got := d.state(id).Answers["1.1"].Comment; got != "Có khung" {
		t.Fatalf("comment %q", got)
	}
}

func TestLeavingTheQuestionSavesTypedText(t *testing.T) {
	d, id := openDGRA(t, 80, 24)
	d.key("c")
	d.typeText("chưa có")
	d.key("ctrl+n") // next question, while typing: no pause needed
	if got := d.state(id).Answers["1.1"].Comment; got != "chưa có" {
		t.Fatalf("comment after leaving: %q", got)
	}
	d.mustSee("1.2")
}

func TestQuitSavesFirst(t *testing.T) {
	d, id := openDGRA(t, 80, 24)
	d.key("c")
	d.typeText("ghi chú cuối")
	d.key("ctrl+c")
	if !d.quit {
		t.Fatal("ctrl+c did not quit")
	}
	if got := d.state(id).Answers["1.1"].Comment; got != "ghi chú cuối" {
		t.Fatalf("comment after quitting: %q", got)
	}
}

func TestFailedSaveIsShownRetriedAndBlocksQuit(t *testing.T) {
	d, id := openDGRA(t, 80, 24)
	d.app.saver.retry = time.Millisecond
	d.store.FailPut = errors.New("disk full")
	d.key("4")
	d.mustSee("NOT SAVED")
	d.key("ctrl+c")
	if d.quit {
		t.Fatal("quit although a change could not be saved")
	}
	d.mustSee("disk full; retrying. Press ctrl+c again")
	d.store.FailPut = nil
	d.send(retryMsg{})
	if got := d.state(id).Answers["1.1"].Rating; got != survey.AmberGreen {
		t.Fatalf("after the retry: %q", got)
	}
	d.mustSee("✓ saved")
}

func TestEvidenceAddEditPolarityScopeReorderDelete(t *testing.T) {
	d, id := openDGRA(t, 100, 30)
	d.key("e", "a")
	d.typeText("Luật An ninh mạng 2018")
	d.key("tab")
	d.typeText("Luật 24/2018/QH14")
	d.key("esc")
	d.key("a", "shift+tab") // polarity field of a new item
	d.key("-")
	d.key("tab")
	d.typeText("Chưa có CERT cấp tỉnh")
	d.key("esc")
	ev := d.state(id).Answers["1.1"].Evidence
	if len(ev) != 2 || ev[0].Text != "Luật An ninh mạng 2018" || ev[0].Source != "Luật 24/2018/QH14" ||
		ev[0].Polarity != survey.Plus || ev[1].Polarity != survey.Minus || !ev[0].InScope {
		t.Fatalf("evidence after adding: %+v", ev)
	}
	d.mustSee("+ Luật An ninh mạng 2018 — Luật 24/2018/QH14", "- Chưa có CERT cấp tỉnh", "2: 1 +, 1 -")

	// Polarity of the selected (second) item, then out of scope with a note.
	d.key("0")
	d.key("i")
	d.typeText("chưa có hiệu lực")
	d.key("esc")
	ev = d.state(id).Answers["1.1"].Evidence
	if ev[1].Polarity != survey.Neutral || ev[1].InScope || ev[1].Note != "chưa có hiệu lực" {
		t.Fatalf("second item: %+v", ev[1])
	}
	d.mustSee("(out of scope: chưa có hiệu lực)")

	// Move it up, then delete the first (needs x twice).
	d.key("K")
	ev = d.state(id).Answers["1.1"].Evidence
	if ev[0].Text != "Chưa có CERT cấp tỉnh" {
		t.Fatalf("after moving up: %+v", ev)
	}
	d.key("x")
	if len(d.state(id).Answers["1.1"].Evidence) != 2 {
		t.Fatal("one x deleted without confirmation")
	}
	d.mustSee("Press x again")
	d.key("x")
	ev = d.state(id).Answers["1.1"].Evidence
	if len(ev) != 1 || ev[0].Text != "Luật An ninh mạng 2018" {
		t.Fatalf("after deleting: %+v", ev)
	}
}

func TestValidationShowsInlineBlocksCompletionNotNavigation(t *testing.T) {
	d, id := openDGRA(t, 100, 30)
	d.key("5") // Green needs in-scope + evidence
	d.mustSee("✗ A Green or Amber/Green rating needs at least one in-scope + evidence item.")
	if got := d.state(id).Answers["1.1"].Rating; got != survey.Green {
		t.Fatalf("an invalid answer must still be saved (nothing is lost): %q", got)
	}
	d.key("right") // navigation is not blocked
	d.mustSee("1.2")
	d.key("r")
	d.mustSee("Question 1.1", "needs at least one in-scope + evidence")
	d.key("C")
	if d.state(id).Status.Status != survey.StatusDraft {
		t.Fatal("completed despite problems")
	}
	d.mustSee("problems remain")
	// Jump to the problem and fix it.
	d.key("enter")
	d.mustSee("1.1", "How visibly")
	d.key("e", "a")
	d.typeText("Chiến lược chuyển đổi số quốc gia")
	d.key("esc")
	d.mustNotSee("✗ A Green")
}

func TestSkipLogicHidesQuestions(t *testing.T) {
	d := newDriver(t, 80, 24)
	id := d.create("example", "Sở Tư pháp", "Huế")
	d.open(id)
	d.key("1")                         // 1.1 ministry
	d.key("right", "2")                // 1.2 no: 1.3–1.5 do not apply
	d.mustSee("2 of 5 · 2/5 answered") // 1.3–1.5 no longer count
	d.key("right")
	d.mustSee("Section 1/2 · Open data practice — overall", "(skipped)")
	d.key("left")
	d.mustSee("1.2")
	d.key("1") // yes: the questions come back
	d.key("right")
	d.mustSee("1.3", "How many datasets")
	// Going to a skipped question by number is refused with the reason.
	d.key("ctrl+p", "2", "g")
	d.typeText("1.4")
	d.key("enter")
	d.mustSee("1.2", "is skipped")
}

func TestNumberAndDateQuestionsKeepWhatIsTypedAndValidate(t *testing.T) {
	d := newDriver(t, 80, 24)
	id := d.create("example", "Sở Tư pháp", "Huế")
	d.open(id)
	d.key("1", "right", "1", "right")
	d.mustSee("1.3")
	if !d.app.question.Typing() {
		t.Fatal("a number question should open ready for typing")
	}
	d.typeText("12.5")
	d.idle()
	d.mustSee("Enter a whole number of datasets.")
	d.key("backspace", "backspace")
	d.idle()
	if got := d.state(id).Answers["1.3"].Value; got != 12.0 {
		t.Fatalf("1.3 = %#v", got)
	}
	d.mustNotSee("whole number")
	// Text that is not a number is kept as typed, shown invalid, and blocks completion.
	d.key("ctrl+u")
	d.typeText("x")
	d.idle()
	d.mustSee("expected a number")
}

func TestSectionSummaryAcceptsTheSuggestionAndNeedsAComment(t *testing.T) {
	d, id := openDGRA(t, 100, 30)
	for _, k := range []string{"3", "4", "2", "3", "3"} {
		d.key(k, "right")
	}
	d.mustSee("Section 1/7 · Leadership and governance — overall", "Suggested: ●●●○○ Amber", "1.3")
	d.key("enter")
	if got := d.state(id).Sections["1"].Rating; got != survey.Amber {
		t.Fatalf("overall rating %q, want the suggestion amber", got)
	}
	// Confirming opens the overall comment; typing there saves after the pause.
	if !d.app.summary.Typing() {
		t.Fatal("the overall comment should be open for typing after confirming")
	}
	d.typeText("Cam kết có nhưng chưa đồng đều")
	d.idle()
	if got := d.state(id).Sections["1"]; got.Comment != "Cam kết có nhưng chưa đồng đều" || got.Rating != survey.Amber {
		t.Fatalf("section summary %+v", got)
	}
	// Overriding the suggestion.
	d.key("esc", "2")
	if got := d.state(id).Sections["1"].Rating; got != survey.AmberRed {
		t.Fatalf("override: %q", got)
	}
	d.key("right")
	d.mustSee("Section 2/7", "2.1")
}

func TestSectionsListAndJumps(t *testing.T) {
	d, _ := openDGRA(t, 100, 30)
	d.key("3", "s")
	d.mustSee("Sections — 1/36 answered", "Leadership and governance", "1/5", "3····")
	d.key("down", "down", "enter")
	d.mustSee("3.1")
	d.key("g")
	d.typeText("7.2")
	d.key("enter")
	d.mustSee("7.2", "computer emergency response team")
	d.key("u") // the next unanswered after 7.2
	d.mustSee("7.3")
	d.key("g")
	d.typeText("7.6")
	d.key("enter", "u") // wraps round to the start
	d.mustSee("1.2")
}

func TestCompleteAndReopenAreNewRevisions(t *testing.T) {
	d := newDriver(t, 100, 30)
	id := d.create("example", "Sở Tư pháp", "Huế")
	d.open(id)
	d.key("1", "right", "2", "right") // 1.1, 1.2 = no
	d.key("enter")                    // no suggestion (no ratings): a notice
	d.key("1", "esc")                 // override: Initial... no: section 1 uses readiness, 1 = Red
	d.key("c")
	d.typeText("Chưa công bố dữ liệu")
	d.key("esc", "right")
	d.mustSee("2.1")
	d.key("1", "e", "a")
	d.typeText("Chưa có kế hoạch")
	d.key("esc", "right", "1") // 2.2 Initial
	d.key("ctrl+n")            // 2.3, a text question, opens for typing
	d.typeText("Thiếu nhân lực")
	d.key("ctrl+n")
	d.mustSee("Section 2/2 · Readiness — overall", "Thiếu nhân lực")
	d.key("enter") // the suggestion, then the overall comment
	d.typeText("Mới bắt đầu")
	d.key("esc", "right")
	d.mustSee("Review and complete", "Nothing is missing", "Press C")
	revs := len(d.store.Revisions(id))
	d.key("C")
	st := d.state(id)
	if st.Status.Status != survey.StatusCompleted {
		t.Fatalf("status %q", st.Status.Status)
	}
	d.mustSee("✓ Complete.")
	// A completed interview is read only until reopened.
	d.key("left", "left", "left") // the summary, 2.3, 2.2
	d.mustSee("question 2.2")
	d.key("4")
	if d.state(id).Answers["2.2"].Rating == "optimised" {
		t.Fatal("a completed interview was changed")
	}
	d.mustSee("reopen it (R)")
	d.key("r", "R")
	st = d.state(id)
	if st.Status.Status != survey.StatusDraft || st.Status.Reason != "reopened" {
		t.Fatalf("after reopening: %+v", st.Status)
	}
	all := d.store.Revisions(id)
	if len(all) != revs+2 {
		t.Fatalf("completing and reopening made %d revisions, want 2", len(all)-revs)
	}
	var statuses []string
	for _, r := range all {
		if r.Kind == survey.KindStatus {
			statuses = append(statuses, string(r.Value))
		}
	}
	if len(statuses) != 3 || !strings.Contains(statuses[1], "completed") {
		t.Fatalf("status history %v: the completed revision must stay", statuses)
	}
}

func TestResumeWhereLeft(t *testing.T) {
	d, id := openDGRA(t, 80, 24)
	d.key("g")
	d.typeText("4.3")
	d.key("enter")
	d.mustSee("4.3")
	d.send(HomeMsg{})
	d.send(OpenInterviewMsg{ID: id})
	d.mustSee("question 4.3")
	// The place is kept in the store, so a new session resumes there too.
	d2 := &driver{t: t, store: d.store, clock: d.clock}
	d2.app = New(context.Background(), d.app.c.opts, d.store, bundledCatalog(t), d.app.c.sty)
	d2.run(d2.app.Init())
	d2.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d2.open(id)
	d2.mustSee("question 4.3")
}

func TestLanguageSwitchAnyTime(t *testing.T) {
	d, _ := openDGRA(t, 80, 24)
	d.mustSee("Leadership and governance", "How visibly")
	d.key("c")
	d.typeText("x")
	d.key("ctrl+l") // works while typing, and the text stays
	d.mustSee("Lãnh đạo và quản trị", "Nhận xét", "┃ x", "[VI] EN")
	if len(d.lang) != 1 || d.lang[0] != "vi" {
		t.Fatalf("OnLanguage calls: %v", d.lang)
	}
	d.key("esc", "ctrl+l")
	d.mustSee("Leadership and governance", "VI [EN]")
}

func TestHelpOverlay(t *testing.T) {
	d, _ := openDGRA(t, 100, 30)
	d.key("?")
	d.mustSee("Keys", "rate", "not assessed", "don't know", "next question", "Every change is saved")
	d.key("esc")
	d.mustNotSee("Every change is saved")
	d.key("f1")
	d.mustSee("Every change is saved")
}

func TestResizeRedrawsToTheNewSize(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {140, 45}, {60, 20}} {
		d, _ := openDGRA(t, size[0], size[1])
		d.key("3", "e", "a")
		d.typeText(strings.Repeat("Nghị quyết 52-NQ/TW về chuyển đổi số ", 4))
		d.key("esc")
		for _, v := range []string{d.view()} {
			ls := strings.Split(v, "\n")
			if len(ls) != size[1] {
				t.Fatalf("%dx%d: %d lines", size[0], size[1], len(ls))
			}
			for i, l := range ls {
				if w := width(l); w > size[0] {
					t.Fatalf("%dx%d: line %d is %d wide: %q", size[0], size[1], i, w, l)
				}
			}
		}
	}
}

func TestConflictIsShownAndSettledBySaving(t *testing.T) {
	d, id := openDGRA(t, 100, 30)
	d.key("3")
	st := d.state(id)
	head := st.Heads[survey.Target{Interview: id, Kind: survey.KindAnswer, Key: "1.1"}]
	// Another device changed the same answer from the same parent.
	other, err := survey.NewRevision(survey.Target{Interview: id, Kind: survey.KindAnswer, Key: "1.1"},
		survey.Answer{Rating: survey.Red}, "dev2", 1, d.clock.now().Add(-time.Second), "binh", st.Heads[survey.Target{Interview: id, Kind: survey.KindAnswer, Key: "1.1"}][:0])
	if err != nil {
		t.Fatal(err)
	}
	_ = head
	d.store.Append(other)
	d.send(HomeMsg{})
	d.mustSee("!") // the conflict mark in the status column
	d.open(id)
	d.mustSee("2 versions of this answer")
	d.key("4")
	if st := d.state(id); len(st.Conflicts) != 0 || st.Answers["1.1"].Rating != survey.AmberGreen {
		t.Fatalf("after saving: conflicts %d, rating %q", len(st.Conflicts), st.Answers["1.1"].Rating)
	}
}

func TestEscTwiceGoesHomeOnceDoesNot(t *testing.T) {
	d, _ := openDGRA(t, 80, 24)
	d.key("c")
	d.typeText("xong")
	d.key("esc") // leaves the comment
	d.key("esc") // one too many: a warning, still on the question
	if d.app.active != scrQuestion {
		t.Fatal("one esc after a text field left the interview")
	}
	d.mustSee("Press esc again to go back")
	d.key("right", "esc") // another key in between: the count starts again
	if d.app.active != scrQuestion {
		t.Fatal("esc after another key left the interview")
	}
	d.key("esc")
	if d.app.active != scrHome {
		t.Fatal("esc esc did not go back to the list")
	}
}

func TestRubricOfTheChosenRatingWhenThereIsRoom(t *testing.T) {
	d, _ := openDGRA(t, 120, 40)
	d.key("3")
	d.mustSee("Rubric: A strategy and some senior support exist")
	d.key("4") // no rubric for the mixed steps
	d.mustNotSee("Rubric:")
}

// TestCtrlCOnANewFormAsksFirst (issue 11.22): the help says ctrl+c saves first, but a new
// interview's form is not saved until it is created; the first ctrl+c says so and keeps the
// form, a second quits.
func TestCtrlCOnANewFormAsksFirst(t *testing.T) {
	d := newDriver(t, 80, 24)
	d.key("n")
	d.typeText("Sở Tài chính")
	d.key("ctrl+c")
	if d.quit {
		t.Fatal("the first ctrl+c discarded a filled form")
	}
	d.mustSee("not created yet", "ctrl+c again")
	if v := d.app.newForm.inputs[fAgency].Value(); v != "Sở Tài chính" {
		t.Fatalf("the form lost %q", v)
	}
	d.key("ctrl+c")
	if !d.quit {
		t.Fatal("the second ctrl+c did not quit")
	}
	// An empty form has nothing to lose: one ctrl+c quits.
	e := newDriver(t, 80, 24)
	e.key("n", "ctrl+c")
	if !e.quit {
		t.Fatal("ctrl+c on an empty form did not quit")
	}
}

// TestHelpFromATextFieldListsOnlyWhatActs (issue 11.22): in a text field q and ? are letters,
// so the help opened there (F1) does not offer them.
func TestHelpFromATextFieldListsOnlyWhatActs(t *testing.T) {
	d := newDriver(t, 120, 40)
	d.key("n")
	d.key("f1")
	d.mustSee("esc or F1 to close", "ctrl+c")
	d.mustNotSee("q quit")
	d.key("f1")
	d.key("esc", "esc") // back home: no text field
	d.key("?")
	d.mustSee("esc or ? to close", "q quit")
}

// TestJumpFromSummaryAndSections (issue 11.22): g (go to question) works on a section's
// summary and on the list of sections too, not only on a question.
func TestJumpFromSummaryAndSections(t *testing.T) {
	d, _ := openDGRA(t, 100, 30)
	d.key("o") // the section summary
	if d.app.active != scrSummary {
		t.Fatalf("not on the summary:\n%s", d.view())
	}
	d.key("g")
	d.typeText("7.2")
	d.key("enter")
	d.mustSee("7.2", "computer emergency response team")
	d.key("s")
	if d.app.active != scrSections {
		t.Fatalf("not on the sections list:\n%s", d.view())
	}
	d.key("g")
	d.typeText("3.1")
	d.key("enter")
	d.mustSee("3.1")
}

// TestODRAThreeStepsAndU (issue 12.1): on ODRA 3.1.1 the keys are 1–3 (red, yellow, green)
// and U sets the grey "insufficient information", which the screen shows with its symbol.
func TestODRAThreeStepsAndU(t *testing.T) {
	d := newDriver(t, 100, 30)
	id := d.create("odra-3.1", "Văn phòng Chính phủ", "Hà Nội")
	d.open(id)
	d.mustSee("1.1", "1 ●○○ Red", "2 ●●○ Yellow", "3 ●●● Green", "U U Insufficient information")
	d.key("2")
	if got := d.state(id).Answers["1.1"].Rating; got != survey.Yellow {
		t.Fatalf("2 set %q, want yellow", got)
	}
	d.key("U")
	if got := d.state(id).Answers["1.1"].Rating; got != survey.InsufficientInformation {
		t.Fatalf("U set %q, want insufficient-information", got)
	}
	d.key("4") // no fourth step: nothing happens
	if got := d.state(id).Answers["1.1"].Rating; got != survey.InsufficientInformation {
		t.Fatalf("4 changed the rating to %q", got)
	}
}

// TestInvalidAnswersNeedAttention (issue 11.20): a value that fails its checks (Green
// without in-scope + evidence) is kept, but counted as needing attention, not answered;
// adding the evidence makes it answered.
func TestInvalidAnswersNeedAttention(t *testing.T) {
	d, _ := openDGRA(t, 120, 30)
	d.key("5") // Green, no evidence: the evidence rule fails
	d.mustSee("0/36 answered · 1 need attention")
	d.key("3") // Amber needs no evidence
	d.mustSee("1/36 answered")
	d.mustNotSee("need attention")
}

// TestSaveFromWhatTheScreenShowed (issue 11.1): an answer that changed in the store while
// the screen was open (a sync bringing another device's version) is never replaced unseen:
// the assessor's next save is made from the version the screen showed, so the two stay
// side by side as a conflict; and the assessor's own saves follow each other without one.
func TestSaveFromWhatTheScreenShowed(t *testing.T) {
	d, id := openDGRA(t, 100, 30)
	d.key("3") // amber, saved
	d.key("4") // amber-green, saved from the amber just written: no conflict
	st := d.state(id)
	if len(st.Conflicts) != 0 || st.Answers["1.1"].Rating != survey.AmberGreen {
		t.Fatalf("own saves in a row: conflicts %v, rating %q", st.Conflicts, st.Answers["1.1"].Rating)
	}
	// Another device's version of 1.1 arrives (a background sync) while the screen is open.
	tg := survey.Target{Interview: id, Kind: survey.KindAnswer, Key: "1.1"}
	other, err := survey.NewRevision(tg, survey.Answer{Rating: survey.Red, Comment: "từ máy khác"}, "dev2", 1,
		d.clock.now().Add(time.Second), "binh@example.org", st.Heads[tg])
	if err != nil {
		t.Fatal(err)
	}
	d.store.Append(other)
	d.key("2") // the assessor, not knowing, rates again
	st = d.state(id)
	if len(st.Conflicts) != 1 || st.Conflicts[0].Target != tg {
		t.Fatalf("the other device's version was replaced unseen: conflicts %+v", st.Conflicts)
	}
}

// TestEverythingReachableAt80x24 (issue 11.19): at 80×24 nothing the assessor must read is
// cut for good: probes are whole when they have focus (p), the selected evidence item shows
// its source and why it is out of scope, an out-of-scope item says so first even on one
// line, and the rubric of the chosen rating is whole while the rating has focus.
func TestEverythingReachableAt80x24(t *testing.T) {
	d, id := openDGRA(t, 80, 24)
	d.key("p")
	d.mustSee("b. Is there a steering committee or national body chaired by a senior", "leader, and does it meet regularly?")
	d.key("esc")
	st := d.state(id)
	tg := survey.Target{Interview: id, Kind: survey.KindAnswer, Key: "1.1"}
	ans := survey.Answer{Rating: survey.Amber, Evidence: []survey.Evidence{
		{Polarity: survey.Plus, Text: "Nghị quyết của Tỉnh uỷ về chuyển đổi số giai đoạn 2021-2025, tầm nhìn 2030, có chỉ tiêu cụ thể", InScope: true},
		{Polarity: survey.Minus, Text: "Kinh phí cho chuyển đổi số chưa được bố trí riêng trong dự toán ngân sách năm 2026 của nhiều sở",
			Source: "Báo cáo tài chính 2026", InScope: false, Note: "dự toán chưa được Hội đồng nhân dân thông qua"}}}
	r, err := survey.NewRevision(tg, ans, "dev1", 900, d.clock.now(), "an", st.Heads[tg])
	if err != nil {
		t.Fatal(err)
	}
	d.store.Append(r)
	d.send(HomeMsg{})
	d.open(id)
	d.mustSee("- [out of scope] Kinh phí") // the mark first, even when the line is cut
	d.key("e", "down")
	d.mustSee("Báo cáo tài chính 2026 (out of scope: dự toán chưa", "được Hội đồng nhân dân thông qua)")

	o := newDriver(t, 80, 24)
	oid := o.create("odra-3.1", "Văn phòng Chính phủ", "Hà Nội")
	o.open(oid)
	o.key("2") // yellow: the rubric of dimension 1 for yellow, whole
	o.mustSee("Rubric: A favourable environment and support from several", "data-owning agencies, even without a commitment at the top level.")
	o.mustSee("1-3 rate", "U insufficient information")
}

// TestEvidenceFieldSavedOnLeaving (issue 11.22): text typed in an evidence field is saved
// when the field is left (tab), not only after the pause, as the help and README say.
func TestEvidenceFieldSavedOnLeaving(t *testing.T) {
	d, id := openDGRA(t, 100, 30)
	d.key("e", "a")
	d.typeText("Luật An ninh mạng 2018")
	d.key("tab") // the source field: the text is an item now, saved
	d.typeText("Luật 24/2018/QH14")
	d.key("tab") // leaving the source: saved at once, no pause waited for
	ev := d.state(id).Answers["1.1"].Evidence
	if len(ev) != 1 || ev[0].Source != "Luật 24/2018/QH14" {
		t.Fatalf("after leaving the source field: %+v", ev)
	}
}

// TestTypedWordsAreText: Bubble Tea delivers typed text cut at spaces, so a word can arrive
// alone as one message; words that spell key names (up, esc, tab) are typed, not obeyed.
func TestTypedWordsAreText(t *testing.T) {
	d, id := openDGRA(t, 100, 30)
	d.key("e", "a")
	for _, w := range []string{"Set", " ", "up", " ", "esc", " ", "down", " ", "tab"} {
		if w == " " {
			d.send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(w)})
	}
	d.key("tab")
	ev := d.state(id).Answers["1.1"].Evidence
	if len(ev) != 1 || ev[0].Text != "Set up esc down tab" {
		t.Errorf("evidence is %+v, want the words typed", ev)
	}
}
