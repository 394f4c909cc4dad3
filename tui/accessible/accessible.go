// Package accessible is the line-prompt form of the interview (`fieldsurvey collect
// --accessible`, and automatically under TERM=dumb): the same questions as the screens, one
// at a time, as plain text on an injected reader and writer. It serves screen readers, bad
// terminals and scripts.
//
// Guarantees:
//   - The same validators as the screens (survey.Questionnaire.CheckValue and Check, the
//     skip logic of Relevant, session.CheckRespondent and session.Blockers): an invalid
//     answer is explained and asked again, and nothing invalid is stored.
//   - The same write path (session.Writer): every answer is one durable Put as soon as it is
//     entered, so input that stops half-way (end of file, a closed pipe) loses nothing that
//     was accepted; the interview stays a draft and can be resumed.
//   - A roster (a table) is entered a row at a time: its rows listed with numbers, then
//     a (add), e N (edit), d N (delete), m N P (move row N to place P), l (list) and an
//     empty line to end; every column is prompted with the same cell checks as the
//     screens (survey.Question.CheckCells, CheckRow with the row constraint, CheckAddRow
//     for max_rows), and each row is one Put once it is whole. A conflicted row shows its
//     versions before it is edited or deleted; saving it settles the conflict.
//   - A draft (or a returned or reopened interview) whose questionnaire has a newer
//     installed version it can move to (survey.FindUpgrade) is offered the upgrade when it
//     is resumed: what changes is printed (the lines of `interview upgrade --dry-run`) and
//     y/n asked, with no default; yes writes it in one Put and the interview continues on
//     the new version, no keeps the version.
//   - Plain lines only: no colours, no cursor movement, no box drawing. Every prompt exists
//     in Vietnamese and English.
//   - A conflicted answer or section summary (versions made on different devices) is shown
//     version by version before it is asked, with the choice to take one as it is (1..N: one
//     settlement replacing every version) or to answer anew (the first answer saved settles
//     it). That choice has no default: an empty line is asked again, so that piped input is
//     deterministic and settles nothing by accident.
package accessible

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/scalekeys"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// Options configure a line-mode session.
type Options struct {
	// Lang is "vi" (default) or "en".
	Lang string
	// Writer is the store and author every change goes through.
	Writer *session.Writer
	// Catalog lists the questionnaires.
	Catalog session.Catalog
	// DefaultQuestionnaire is offered first for new interviews.
	DefaultQuestionnaire string
	// Interview, when set, resumes that interview instead of asking.
	Interview string
	// Role is the home's role (default assessor): who may change (survey.CheckEdit) and
	// settle (survey.CheckSettle) an interview in each status.
	Role survey.Role
	// Now is the clock (default time.Now), for the default interview date.
	Now func() time.Time
	// In and Out are the line streams.
	In  io.Reader
	Out io.Writer
	// Lock takes the edit lock of an interview (see tui.Options.Lock); nil: no locking.
	Lock func(id string) (release func(), err error)
	// Interactive says a person answers at a terminal: a wrong answer is explained and
	// asked again, and drafts are offered to continue. When false (input piped from a
	// file or a script) the run is deterministic: no offer of drafts (a new interview, or
	// the one named by Interview), and the first wrong line stops the run with an error
	// naming its line; what was accepted before stays saved, nothing is completed.
	Interactive bool
}

// ErrInputEnded is returned when the input ends before the interview is complete; every
// answer accepted so far is saved.
var ErrInputEnded = errors.New("input ended before the interview was complete")

// errNoConsent stops a new interview the respondent did not agree to.
var errNoConsent = errors.New("no consent")

type session_ struct {
	ctx  context.Context
	o    Options
	in   *bufio.Scanner
	out  io.Writer
	lang string
	q    *survey.Questionnaire
	st   *survey.InterviewState
	// unlock releases the edit lock of the interview being answered.
	unlock func()
	// line counts the lines read; failed is the error of a wrong line in a
	// non-interactive run, returned by the next ask.
	line   int
	failed error
}

// Run conducts one interview on the line streams: a new one, or one to resume.
func Run(ctx context.Context, o Options) error {
	if o.Lang != survey.LangEN {
		o.Lang = survey.LangVI
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Role == "" {
		o.Role = survey.RoleAssessor
	}
	sc := bufio.NewScanner(o.In)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	s := &session_{ctx: ctx, o: o, in: sc, out: o.Out, lang: o.Lang}
	s.say("fieldsurvey — " + s.t("line mode. Answer each prompt and press Enter; a default in [brackets] is taken when you just press Enter. Every answer is saved at once.",
		"chế độ dòng lệnh. Trả lời từng câu rồi nhấn Enter; giá trị trong [ngoặc vuông] được dùng khi chỉ nhấn Enter. Mỗi câu trả lời được lưu ngay."))
	err := s.run()
	if s.unlock != nil {
		s.unlock()
	}
	if errors.Is(err, errNoConsent) {
		s.say(s.t("The interview was not started: the respondent's consent is needed.",
			"Chưa bắt đầu phỏng vấn: cần có sự đồng ý của người được phỏng vấn."))
		return nil
	}
	var le *lineError
	if errors.As(err, &le) && s.st != nil && s.failed != nil {
		s.say("")
		s.say(fmt.Sprintf(s.t("Stopped at a wrong line. Everything accepted before it is saved; the interview %s is not completed.",
			"Dừng ở một dòng sai. Mọi câu trả lời trước đó đã được lưu; phỏng vấn %s chưa được hoàn thành."), s.st.ID))
		return err
	}
	if errors.Is(err, ErrInputEnded) && s.st != nil {
		s.say("")
		s.say(fmt.Sprintf(s.t("Input ended. Everything entered is saved; the interview %s stays a draft and can be resumed.",
			"Hết dữ liệu vào. Mọi câu trả lời đã được lưu; phỏng vấn %s vẫn là bản nháp và có thể tiếp tục."), s.st.ID))
		return fmt.Errorf("%w (interview %s saved as a draft)", ErrInputEnded, s.st.ID)
	}
	return err
}

func (s *session_) t(en, vi string) string { return survey.T(en, vi).Get(s.lang) }
func (s *session_) get(t survey.Text) string {
	return t.Get(s.lang)
}

func (s *session_) say(line string) { fmt.Fprintln(s.out, line) }

// ask prints a prompt and reads one line (trimmed). def is shown in brackets and returned
// for an empty line.
func (s *session_) ask(prompt, def string) (string, error) {
	if def != "" {
		fmt.Fprintf(s.out, "%s [%s]: ", prompt, def)
	} else {
		fmt.Fprintf(s.out, "%s: ", prompt)
	}
	if s.failed != nil {
		fmt.Fprintln(s.out)
		return "", s.failed
	}
	if !s.in.Scan() {
		if err := s.in.Err(); err != nil {
			return "", fmt.Errorf("read input: %w", err)
		}
		fmt.Fprintln(s.out)
		return "", ErrInputEnded
	}
	s.line++
	line := strings.TrimSpace(survey.NFC(strings.TrimSuffix(s.in.Text(), "\r")))
	if line == "" {
		return def, nil
	}
	return line, nil
}

func (s *session_) invalid(msg string) {
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") && !strings.HasSuffix(msg, "!") {
		msg += "."
	}
	if !s.o.Interactive {
		// Piped input answers the prompts in order: asking again would make the next
		// lines answer the wrong questions. Stop at this line instead.
		s.say("  ✗ " + msg)
		if s.failed == nil {
			s.failed = &lineError{msg: survey.T(fmt.Sprintf("line %d: %s", s.line, msg), fmt.Sprintf("dòng %d: %s", s.line, msg))}
		}
		return
	}
	s.say("  ✗ " + msg + " " + s.t("Please answer again.", "Vui lòng trả lời lại."))
}

func (s *session_) run() error {
	if s.o.Interview != "" {
		return s.resume(s.o.Interview)
	}
	list, err := s.o.Writer.Store.List(s.ctx, session.ListOptions{})
	if err != nil {
		return fmt.Errorf("list interviews: %w", err)
	}
	var open []session.Summary
	for _, sm := range list {
		if survey.CheckEdit(s.o.Role, sm.Status) == nil && s.o.Interactive {
			open = append(open, sm) // piped input never picks a draft: --interview names one
		}
	}
	if len(open) > 0 {
		s.say(s.t("Interviews that can be continued:", "Các phỏng vấn có thể tiếp tục:"))
		if len(open) > 20 {
			open = open[:20]
		}
		for i, sm := range open {
			s.say(fmt.Sprintf("  %d) %s · %s · %s · %s", i+1, sm.Questionnaire, sm.Agency, sm.Province, sm.Status.Label().Get(s.lang)))
		}
		for {
			a, err := s.ask(s.t("n for a new interview, or the number of one to continue", "n để phỏng vấn mới, hoặc số thứ tự để tiếp tục"), "n")
			if err != nil {
				return err
			}
			if strings.EqualFold(a, "n") || strings.EqualFold(a, "new") || strings.EqualFold(a, "mới") {
				break
			}
			if i, err := strconv.Atoi(a); err == nil && i >= 1 && i <= len(open) {
				return s.resume(open[i-1].ID)
			}
			s.invalid(s.t("Answer n or a number from the list.", "Trả lời n hoặc một số trong danh sách."))
		}
	}
	if err := s.create(); err != nil {
		return err
	}
	return s.interview()
}

// lock takes the edit lock of interview id, once: a second window on the same interview is
// refused with a message naming the first, before it reads anything.
func (s *session_) lock(id string) error {
	if s.o.Lock == nil || s.unlock != nil {
		return nil
	}
	release, err := s.o.Lock(id)
	if err != nil {
		return err
	}
	s.unlock = release
	return nil
}

func (s *session_) resume(id string) error {
	if err := s.lock(id); err != nil {
		return err
	}
	st, err := s.o.Writer.Store.Interview(s.ctx, id)
	if err != nil {
		return fmt.Errorf("open interview %s: %w", id, err)
	}
	q, ok := session.Find(s.o.Catalog, st.Meta.Questionnaire, st.Meta.QuestionnaireVersion)
	if !ok {
		return &lineError{msg: survey.T(
			fmt.Sprintf("open interview %s: questionnaire %s version %s is not installed on this device ('fieldsurvey questionnaire add FILE' installs it)", id, st.Meta.Questionnaire, st.Meta.QuestionnaireVersion),
			fmt.Sprintf("mở phỏng vấn %s: bảng hỏi %s phiên bản %s chưa được cài trên máy này ('fieldsurvey questionnaire add TỆP' để cài)", id, st.Meta.Questionnaire, st.Meta.QuestionnaireVersion))}
	}
	if err := survey.CheckEdit(s.o.Role, st.Status.Status); err != nil {
		return err // a *survey.RuleError, in both languages
	}
	s.q, s.st = q, st
	s.say(fmt.Sprintf(s.t("Continuing interview %s (%s, %s).", "Tiếp tục phỏng vấn %s (%s, %s)."), id, st.Respondent.Agency, st.Respondent.Province))
	if st.Status.Status == survey.StatusReturned && st.Status.Reason != "" {
		s.say(s.t("Returned by the supervisor: ", "Người giám sát trả lại: ") + st.Status.Reason)
	}
	if u := survey.FindUpgrade(s.o.Catalog.List(), st); u != nil {
		if err := s.offerUpgrade(u); err != nil {
			return err
		}
		st = s.st
	}
	if !st.Respondent.Consent {
		// A planned interview (made by a supervisor) starts here: its respondent's consent
		// is recorded before the first question.
		if m := st.Meta; m.Assigned() {
			line := fmt.Sprintf(s.t("Planned by the supervisor for %s", "Người giám sát giao cho %s"), m.Assignee)
			if m.Due != "" {
				line += fmt.Sprintf(s.t(", due %s", ", hạn %s"), m.Due)
			}
			if m.Note != "" {
				line += ": " + m.Note
			}
			s.say(line)
		}
		if err := s.askConsent(); err != nil {
			return err
		}
		r := st.Respondent
		r.Consent = true
		if err := s.o.Writer.Put(s.ctx, session.RespondentChange(id, r)); err != nil {
			return err
		}
		if s.st, err = s.o.Writer.Store.Interview(s.ctx, id); err != nil {
			return fmt.Errorf("read back interview %s: %w", id, err)
		}
	}
	return s.interview()
}

// offerUpgrade shows what moving the interview to a newer version of its questionnaire
// changes (the lines of `interview upgrade --dry-run`, survey.Upgrade.Describe) and asks
// y/n, with no default (piped input must say which). Yes writes the upgrade as one Put
// (survey.Upgrade.Changes) and continues on the new version; no keeps the version (the
// offer comes back the next time the interview is opened).
func (s *session_) offerUpgrade(u *survey.Upgrade) error {
	s.say("")
	s.say(fmt.Sprintf(s.t("A newer version of this questionnaire is installed (%s). Moving the interview to it changes:",
		"Máy đã có phiên bản mới hơn của bảng hỏi này (%s). Chuyển phỏng vấn sang phiên bản đó sẽ thay đổi:"), u.To))
	for _, l := range u.Describe() {
		s.say("  " + s.get(l))
	}
	s.say(s.t("Nothing is deleted: an answer whose question is no longer asked stays in the interview and its history.",
		"Không có gì bị xoá: câu trả lời của câu hỏi không còn hỏi vẫn được giữ trong phỏng vấn và lịch sử."))
	for {
		a, err := s.ask(fmt.Sprintf(s.t("Move the interview to version %s? (y/n)", "Chuyển phỏng vấn sang phiên bản %s? (y = có, n = không)"), u.To), "")
		if err != nil {
			return err
		}
		v, ok := parseYesNo(a)
		if !ok {
			s.invalid(s.t("Answer y or n.", "Trả lời y (có) hoặc n (không)."))
			continue
		}
		if !v {
			s.say(fmt.Sprintf(s.t("Keeping version %s; the offer comes back the next time the interview is opened.",
				"Giữ phiên bản %s; sẽ được hỏi lại lần mở phỏng vấn sau."), u.From))
			return nil
		}
		break
	}
	q, ok := session.Find(s.o.Catalog, u.Questionnaire, u.To)
	if !ok {
		return fmt.Errorf("upgrade interview %s: questionnaire %s version %s is no longer installed", u.Interview, u.Questionnaire, u.To)
	}
	if _, err := s.o.Writer.PutRevisions(s.ctx, u.Changes()...); err != nil {
		return fmt.Errorf("upgrade interview %s to version %s: %w", u.Interview, u.To, err)
	}
	st, err := s.o.Writer.Store.Interview(s.ctx, u.Interview)
	if err != nil {
		return fmt.Errorf("read back interview %s: %w", u.Interview, err)
	}
	s.q, s.st = q, st
	s.say(fmt.Sprintf(s.t("The interview is now on version %s of the questionnaire (saved; it is sent with the next sync).",
		"Phỏng vấn nay dùng phiên bản %s của bảng hỏi (đã lưu; được gửi đi ở lần đồng bộ tiếp theo)."), u.To))
	return nil
}

// askConsent asks whether the respondent agrees: nil for yes, errNoConsent for no.
func (s *session_) askConsent() error {
	for {
		a, err := s.ask(s.t("Does the respondent agree to the interview and to notes being taken? (y/n)",
			"Người trả lời có đồng ý phỏng vấn và cho ghi chép không? (y = có, n = không)"), "")
		if err != nil {
			return err
		}
		if v, ok := parseYesNo(a); ok {
			if !v {
				return errNoConsent
			}
			return nil
		}
		s.invalid(s.t("Answer y or n.", "Trả lời y (có) hoặc n (không)."))
	}
}

// create asks for the questionnaire and the respondent block and creates the interview.
func (s *session_) create() error {
	// One entry per questionnaire id: its latest version.
	var qs []*survey.Questionnaire
	seen := map[string]int{}
	for _, q := range s.o.Catalog.List() {
		if i, ok := seen[q.ID]; ok {
			qs[i] = q
			continue
		}
		seen[q.ID] = len(qs)
		qs = append(qs, q)
	}
	if len(qs) == 0 {
		return errors.New("no questionnaire is installed")
	}
	def := 1
	if i, ok := seen[s.o.DefaultQuestionnaire]; ok {
		def = i + 1
	}
	s.say("")
	s.say(s.t("New interview. Questionnaires:", "Phỏng vấn mới. Các bảng hỏi:"))
	for i, q := range qs {
		s.say(fmt.Sprintf("  %d) %s %s — %s", i+1, q.ID, q.Version, s.get(q.Title)))
	}
	var q *survey.Questionnaire
	for q == nil {
		a, err := s.ask(s.t("Questionnaire (number or id)", "Bảng hỏi (số hoặc mã)"), strconv.Itoa(def))
		if err != nil {
			return err
		}
		if i, err := strconv.Atoi(a); err == nil && i >= 1 && i <= len(qs) {
			q = qs[i-1]
		} else if i, ok := seen[a]; ok {
			q = qs[i]
		} else {
			s.invalid(s.t("Give a number from the list or a questionnaire id.", "Nhập một số trong danh sách hoặc mã bảng hỏi."))
		}
	}
	s.q = q

	var r survey.Respondent
	agencies, _ := s.o.Writer.Store.Agencies(s.ctx)
	provinces, _ := s.o.Writer.Store.Provinces(s.ctx)
	required := func(prompt string, used []string, dst *string, msg survey.Text) error {
		if len(used) > 0 {
			s.say("  " + s.t("Used before: ", "Đã dùng: ") + strings.Join(firstN(used, 8), "; "))
		}
		for {
			a, err := s.ask(prompt, "")
			if err != nil {
				return err
			}
			if a != "" {
				*dst = a
				return nil
			}
			s.invalid(s.get(msg))
		}
	}
	if err := required(s.t("Agency", "Cơ quan"), agencies, &r.Agency, survey.T("The agency is required.", "Cần nhập cơ quan.")); err != nil {
		return err
	}
	if err := required(s.t("Province or ministry", "Tỉnh hoặc bộ"), provinces, &r.Province,
		survey.T("The province or ministry is required.", "Cần nhập tỉnh hoặc bộ.")); err != nil {
		return err
	}
	var err error
	if r.Role, err = s.ask(s.t("Respondent's role", "Chức vụ người trả lời"), ""); err != nil {
		return err
	}
	cats := q.Categories()
	s.say(s.t("Stakeholder groups:", "Các nhóm đối tượng:"))
	for i, c := range cats {
		s.say(fmt.Sprintf("  %d) %s", i+1, s.get(c.Label)))
	}
	for {
		a, err := s.ask(s.t("Stakeholder group (number; Enter for none)", "Nhóm đối tượng (số; Enter để bỏ qua)"), "")
		if err != nil {
			return err
		}
		if a == "" {
			break
		}
		if i, err := strconv.Atoi(a); err == nil && i >= 1 && i <= len(cats) {
			r.Category = cats[i-1].Code
			break
		}
		if c := matchOption(cats, a, s.lang); c != "" {
			r.Category = c
			break
		}
		s.invalid(s.t("Give a number from the list.", "Nhập một số trong danh sách."))
	}
	for {
		a, err := s.ask(s.t("Date (YYYY-MM-DD)", "Ngày (YYYY-MM-DD)"), s.o.Now().Format(time.DateOnly))
		if err != nil {
			return err
		}
		if _, err := time.Parse(time.DateOnly, a); err == nil {
			r.Date = a
			break
		}
		s.invalid(fmt.Sprintf(s.t("%q is not a date like 2026-11-23.", "%q không phải là ngày dạng 2026-11-23."), a))
	}
	if r.Place, err = s.ask(s.t("Place", "Địa điểm"), ""); err != nil {
		return err
	}
	if err := s.askConsent(); err != nil {
		return err
	}
	r.Consent = true
	if probs := session.CheckRespondent(q, r); len(probs) > 0 {
		m := probs[0].Msg
		return &lineError{msg: survey.T("respondent: "+m.Get(survey.LangEN), "người trả lời: "+m.Get(survey.LangVI))}
	}
	id, err := s.o.Writer.Create(s.ctx, q, r)
	if err != nil {
		return err
	}
	s.st, err = s.o.Writer.Store.Interview(s.ctx, id)
	if err != nil {
		return fmt.Errorf("read back interview %s: %w", id, err)
	}
	s.say(fmt.Sprintf(s.t("Interview %s started.", "Đã bắt đầu phỏng vấn %s."), id))
	return nil
}

func firstN(l []string, n int) []string {
	if len(l) > n {
		return l[:n]
	}
	return l
}

// interview asks every relevant question, section by section, then the section summary,
// then offers to complete.
func (s *session_) interview() error {
	if err := s.lock(s.st.ID); err != nil {
		return err
	}
	q := s.q
	total := len(q.Questions())
	n := 0
	for si, sec := range q.Sections {
		s.say("")
		s.say(fmt.Sprintf("== %s %d/%d: %s ==", s.t("Section", "Phần"), si+1, len(q.Sections), s.get(sec.Title)))
		if c := s.get(sec.Context); c != "" {
			s.say(c)
		}
		for _, qu := range sec.Questions {
			n++
			if !q.Relevant(qu, s.st.Answers) {
				continue
			}
			if err := s.question(qu, n, total); err != nil {
				return err
			}
		}
		if !sec.HasOverall() {
			continue // overall: false: a plain section, no overall rating to ask for
		}
		if err := s.summary(sec); err != nil {
			return err
		}
	}
	return s.finish()
}

func (s *session_) put(ch survey.Change) error {
	if err := s.o.Writer.Put(s.ctx, ch); err != nil {
		return err
	}
	// The change replaces every version of its target: a conflict there is settled.
	s.dropConflict(ch.Target)
	switch ch.Target.Kind {
	case survey.KindAnswer:
		a := ch.Value.(survey.Answer)
		if a.IsEmpty() {
			delete(s.st.Answers, ch.Target.Key)
		} else {
			s.st.Answers[ch.Target.Key] = a
		}
	case survey.KindSection:
		s.st.Sections[ch.Target.Key] = ch.Value.(survey.SectionSummary)
	case survey.KindStatus:
		s.st.Status = ch.Value.(survey.StatusChange)
	}
	return nil
}

func (s *session_) saveAnswer(qu *survey.Question, a survey.Answer) error {
	return s.put(session.AnswerChange(s.st.ID, qu.ID, a))
}

// question asks one question until its answer passes the validators.
func (s *session_) question(qu *survey.Question, n, total int) error {
	s.say("")
	head := fmt.Sprintf("%s %s (%d/%d)", s.t("Question", "Câu"), qu.ID, n, total)
	if qu.Required {
		head += " — " + s.t("required", "bắt buộc")
	}
	if qu.Importance != "" {
		head += " — " + s.t("importance ", "mức quan trọng ") + s.get(qu.Importance.Label())
	}
	s.say(head)
	s.say(s.get(qu.Text))
	if g := s.get(qu.Guidance); g != "" {
		s.say(s.t("Guidance: ", "Hướng dẫn: ") + g)
	}
	if qu.Type == survey.TypeRoster {
		return s.roster(qu)
	}
	taken, err := s.settleOffer(survey.Target{Interview: s.st.ID, Kind: survey.KindAnswer, Key: qu.ID}, qu)
	if err != nil || taken {
		return err
	}
	a := s.st.Answers[qu.ID]
	a = cloneAnswer(a)
	for {
		first := s.line + 1 // the first line of this answer, for a piped run's error
		var err error
		if qu.Type == survey.TypeRating {
			err = s.rating(qu, &a)
		} else {
			err = s.value(qu, &a)
		}
		if err != nil {
			return err
		}
		if len(qu.Probes) > 0 {
			if err := s.probes(qu, &a); err != nil {
				return err
			}
		}
		if qu.Type == survey.TypeRating {
			if err := s.evidence(qu, &a); err != nil {
				return err
			}
		}
		c, err := s.ask(s.t("Comment (Enter for none; - to clear)", "Nhận xét (Enter để bỏ qua; - để xoá)"), a.Comment)
		if err != nil {
			return err
		}
		if c == "-" {
			c = ""
		}
		a.Comment = c
		if err := s.saveAnswer(qu, a); err != nil {
			return err
		}
		// The whole answer against the questionnaire's rules, with the same checks as the
		// screens and the import.
		var bad []string
		for _, is := range s.q.Check(qu, s.st.Answers) {
			bad = append(bad, s.get(is.Msg))
		}
		if len(bad) == 0 {
			return nil
		}
		if !s.o.Interactive && s.failed == nil && first < s.line {
			// The answer as a whole breaks a rule: name the lines that gave it.
			msg := strings.Join(bad, "; ")
			s.failed = &lineError{msg: survey.T(fmt.Sprintf("lines %d–%d (question %s): %s", first, s.line, qu.ID, msg),
				fmt.Sprintf("dòng %d–%d (câu %s): %s", first, s.line, qu.ID, msg))}
		}
		s.invalid(strings.Join(bad, "; "))
		s.say("  " + s.t("Your answer so far is kept; change what is needed.", "Câu trả lời hiện tại được giữ; hãy sửa phần cần sửa."))
	}
}

func cloneAnswer(a survey.Answer) survey.Answer {
	out := a
	out.Probes = slices.Clone(a.Probes)
	out.Evidence = slices.Clone(a.Evidence)
	if l, ok := a.Value.([]string); ok {
		out.Value = slices.Clone(l)
	}
	return out
}

// scaleLine describes the keys of a scale as the screens name them (tui/internal/scalekeys):
// "1 Red, 2 Amber/Red, …, 0 Not assessed, d Don't know", ODRA's "… U Insufficient information".
func (s *session_) scaleLine(sc *survey.Scale) string {
	var parts []string
	for _, st := range sc.Counted() {
		parts = append(parts, scaleKey(sc, st)+" "+s.get(st.Label))
	}
	for _, st := range sc.Uncounted() {
		parts = append(parts, scaleKey(sc, st)+" "+s.get(st.Label))
	}
	return strings.Join(parts, ", ")
}

// scaleKey is the key of step st, or its code when it has none (a tenth counted step).
func scaleKey(sc *survey.Scale, st survey.Step) string {
	if k := scalekeys.Key(sc, st); k != "" {
		return k
	}
	return string(st.Code)
}

// parseRating reads a rating: a position (1..n), 0 (not assessed), d (don't know), a
// step's own key (U) in either case, or a code, alias or label in any language (the
// scale's own Parse).
func parseRating(sc *survey.Scale, in string) (survey.Code, error) {
	k := strings.TrimSpace(in)
	for _, key := range []string{k, strings.ToLower(k)} {
		if c := scalekeys.ForKey(sc, key); c != "" {
			return c, nil
		}
	}
	for _, st := range sc.Uncounted() {
		if st.Key != "" && strings.EqualFold(st.Key, k) {
			return st.Code, nil
		}
	}
	if i, err := strconv.Atoi(k); err == nil {
		if counted := sc.Counted(); i >= 1 && i <= len(counted) {
			return counted[i-1].Code, nil
		}
	}
	return sc.Parse(in)
}

func (s *session_) ratingLabel(sc *survey.Scale, c survey.Code) string {
	if c == "" {
		return ""
	}
	if st, ok := sc.Step(c); ok {
		return s.get(st.Label)
	}
	return string(c)
}

func (s *session_) rating(qu *survey.Question, a *survey.Answer) error {
	sc := s.q.ScaleOf(qu)
	s.say(s.t("Scale: ", "Thang: ") + s.scaleLine(sc))
	for {
		in, err := s.ask(s.t("Rating", "Mức đánh giá"), s.ratingLabel(sc, a.Rating))
		if err != nil {
			return err
		}
		if in == "" {
			if qu.Required {
				s.invalid(s.t("A rating is required.", "Cần có mức đánh giá."))
				continue
			}
			return nil
		}
		code, err := parseRating(sc, in)
		if err != nil {
			s.invalid(fmt.Sprintf(s.t("%q is not on the scale.", "%q không có trong thang đánh giá."), in))
			continue
		}
		a.Rating = code
		return s.saveAnswer(qu, *a)
	}
}

func (s *session_) probes(qu *survey.Question, a *survey.Answer) error {
	var parts []string
	for _, p := range qu.Probes {
		parts = append(parts, p.ID+") "+s.get(p.Text))
	}
	s.say(s.t("Probes: ", "Câu hỏi gợi ý: ") + strings.Join(parts, " "))
	for {
		in, err := s.ask(s.t("Probes asked (letters, e.g. a c; Enter for none)", "Câu gợi ý đã hỏi (chữ cái, ví dụ a c; Enter nếu không có)"),
			strings.Join(a.Probes, " "))
		if err != nil {
			return err
		}
		var picked []string
		ok := true
		for _, f := range strings.FieldsFunc(in, func(r rune) bool { return r == ' ' || r == ',' }) {
			found := false
			for _, p := range qu.Probes {
				if strings.EqualFold(p.ID, f) {
					found = true
					if !slices.Contains(picked, p.ID) {
						picked = append(picked, p.ID)
					}
				}
			}
			if !found {
				ok = false
				s.invalid(fmt.Sprintf(s.t("There is no probe %q.", "Không có câu gợi ý %q."), f))
				break
			}
		}
		if !ok {
			continue
		}
		// In the questionnaire's order.
		a.Probes = nil
		for _, p := range qu.Probes {
			if slices.Contains(picked, p.ID) {
				a.Probes = append(a.Probes, p.ID)
			}
		}
		return nil
	}
}

// parseEvidence reads "+ text | source | out: why": the polarity sign first, then the text,
// an optional source, and an optional note that makes the item out of scope.
func parseEvidence(line string) (survey.Evidence, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return survey.Evidence{}, lineErr("empty", "trống")
	}
	sign := string([]rune(line)[0])
	p, err := survey.ParsePolarity(sign)
	if err != nil || sign == " " {
		return survey.Evidence{}, lineErr("start with +, -, 0 or o", "bắt đầu bằng +, -, 0 hoặc o")
	}
	parts := strings.Split(strings.TrimSpace(strings.TrimPrefix(line, sign)), "|")
	e := survey.Evidence{Polarity: p, Text: strings.TrimSpace(parts[0]), InScope: true}
	if e.Text == "" {
		return survey.Evidence{}, lineErr("no text after the sign", "không có nội dung sau dấu")
	}
	if len(parts) > 1 {
		e.Source = strings.TrimSpace(parts[1])
	}
	if len(parts) > 2 {
		note := strings.TrimSpace(parts[2])
		for _, pre := range []string{"out:", "ngoài:", "ngoai:"} {
			if len(note) >= len(pre) && strings.EqualFold(note[:len(pre)], pre) {
				note = strings.TrimSpace(note[len(pre):])
			}
		}
		e.InScope = false
		e.Note = note
	}
	if len(parts) > 3 {
		return survey.Evidence{}, lineErr("too many | separators (at most: text | source | out: why)", "quá nhiều dấu | (nhiều nhất: nội dung | nguồn | ngoài: lý do)")
	}
	return e, nil
}

func (s *session_) evidence(qu *survey.Question, a *survey.Answer) error {
	s.say(s.t(`Evidence, one item a line: "+ text | source" (+ favourable, - obstacle, 0 or o neutral or mixed); add "| out: why" for evidence that does not count yet. "clear" removes all items; an empty line ends.`,
		`Bằng chứng, mỗi dòng một mục: "+ nội dung | nguồn" (+ thuận lợi, - trở ngại, 0 hoặc o trung tính hay đan xen); thêm "| ngoài: lý do" cho bằng chứng chưa được tính. "xoá" để xoá hết; dòng trống để kết thúc.`))
	for i, e := range a.Evidence {
		s.say(fmt.Sprintf("  %d. %s", i+1, evidenceText(e, s)))
	}
	for {
		in, err := s.ask(fmt.Sprintf(s.t("Evidence %d", "Bằng chứng %d"), len(a.Evidence)+1), "")
		if err != nil {
			return err
		}
		if in == "" {
			return nil
		}
		if strings.EqualFold(in, "clear") || in == "xoá" || in == "xóa" || strings.EqualFold(in, "xoa") {
			a.Evidence = nil
			if err := s.saveAnswer(qu, *a); err != nil {
				return err
			}
			continue
		}
		e, err := parseEvidence(in)
		if err != nil {
			s.invalid(s.t("Evidence must look like \"+ text | source\": ", "Bằng chứng cần có dạng \"+ nội dung | nguồn\": ") + s.errText(err) + ".")
			continue
		}
		a.Evidence = append(a.Evidence, e)
		if err := s.saveAnswer(qu, *a); err != nil {
			return err
		}
	}
}

func evidenceText(e survey.Evidence, s *session_) string {
	mark := string(e.Polarity)
	if e.Polarity == survey.Neutral && s.q != nil {
		mark = s.q.NeutralMark() // ODRA marks mixed evidence o
	}
	t := mark + " " + e.Text
	if e.Source != "" {
		t += " | " + e.Source
	}
	if !e.InScope {
		t += " | " + s.t("out: ", "ngoài: ") + e.Note
	}
	return t
}

func parseYesNo(in string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(in)) {
	case "y", "yes", "c", "có", "co", "1", "true":
		return true, true
	case "n", "no", "k", "không", "khong", "2", "false":
		return false, true
	}
	return false, false
}

func matchOption(opts []survey.Option, in, lang string) string {
	k := strings.ToLower(strings.TrimSpace(in))
	for _, o := range opts {
		if strings.ToLower(o.Code) == k {
			return o.Code
		}
		for _, l := range o.Label {
			if strings.ToLower(l) == k {
				return o.Code
			}
		}
	}
	return ""
}

// value asks for the value of a question that is not a rating, checking its kind with the
// questionnaire's CheckValue.
func (s *session_) value(qu *survey.Question, a *survey.Answer) error {
	hint := ""
	switch qu.Type {
	case survey.TypeSingle, survey.TypeMultiple:
		for i, o := range qu.Options {
			s.say(fmt.Sprintf("  %d) %s", i+1, s.get(o.Label)))
		}
		hint = s.t("number", "số")
		if qu.Type == survey.TypeMultiple {
			hint = s.t("numbers separated by spaces", "các số cách nhau bởi dấu cách")
		}
	case survey.TypeYesNo:
		hint = s.t("y/n", "y = có, n = không")
	case survey.TypeDate:
		hint = "YYYY-MM-DD"
	case survey.TypeNumber:
		hint = s.t("a number", "một số")
	}
	prompt := s.t("Answer", "Trả lời")
	if hint != "" {
		prompt += " (" + hint + ")"
	}
	for {
		in, err := s.ask(prompt, s.valueText(qu, a.Value))
		if err != nil {
			return err
		}
		if in == "" {
			if qu.Required {
				s.invalid(s.t("An answer is required.", "Cần có câu trả lời."))
				continue
			}
			a.Value = nil
			return nil
		}
		v, msg := s.parseValue(qu, in)
		if msg != "" {
			s.invalid(msg)
			continue
		}
		try := *a
		try.Value = v
		if is := s.q.CheckValue(qu, try); is != nil {
			s.invalid(s.get(is.Msg))
			continue
		}
		a.Value = v
		return s.saveAnswer(qu, *a)
	}
}

func (s *session_) parseValue(qu *survey.Question, in string) (any, string) {
	switch qu.Type {
	case survey.TypeSingle:
		if i, err := strconv.Atoi(in); err == nil && i >= 1 && i <= len(qu.Options) {
			return qu.Options[i-1].Code, ""
		}
		if c := matchOption(qu.Options, in, s.lang); c != "" {
			return c, ""
		}
		return nil, s.t("Give a number from the list.", "Nhập một số trong danh sách.")
	case survey.TypeMultiple:
		var out []string
		for _, f := range strings.FieldsFunc(in, func(r rune) bool { return r == ' ' || r == ',' || r == ';' }) {
			code := ""
			if i, err := strconv.Atoi(f); err == nil && i >= 1 && i <= len(qu.Options) {
				code = qu.Options[i-1].Code
			} else {
				code = matchOption(qu.Options, f, s.lang)
			}
			if code == "" {
				return nil, fmt.Sprintf(s.t("%q is not one of the options.", "%q không thuộc các lựa chọn."), f)
			}
			if !slices.Contains(out, code) {
				out = append(out, code)
			}
		}
		// In the questionnaire's order.
		var ordered []string
		for _, o := range qu.Options {
			if slices.Contains(out, o.Code) {
				ordered = append(ordered, o.Code)
			}
		}
		return ordered, ""
	case survey.TypeYesNo:
		if v, ok := parseYesNo(in); ok {
			return v, ""
		}
		return nil, s.t("Answer y or n.", "Trả lời c (có) hoặc k (không).")
	case survey.TypeNumber:
		f, err := strconv.ParseFloat(strings.ReplaceAll(in, ",", "."), 64)
		if err != nil {
			return nil, fmt.Sprintf(s.t("%q is not a number.", "%q không phải là số."), in)
		}
		return f, ""
	}
	return in, ""
}

func (s *session_) valueText(qu *survey.Question, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		// The same keys as the interview screen in both languages (y/n); c/k (có/không)
		// are accepted too (parseYesNo).
		if x {
			return "y"
		}
		return "n"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		if qu.Type == survey.TypeSingle {
			for i, o := range qu.Options {
				if o.Code == x {
					return strconv.Itoa(i + 1)
				}
			}
		}
		return x
	case []string:
		var parts []string
		for _, c := range x {
			for i, o := range qu.Options {
				if o.Code == c {
					parts = append(parts, strconv.Itoa(i+1))
				}
			}
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprint(v)
}

// displayValue shows an answer in words: option labels, yes or no.
func (s *session_) displayValue(qu *survey.Question, v any) string {
	label := func(code string) string {
		for _, o := range qu.Options {
			if o.Code == code {
				return s.get(o.Label)
			}
		}
		return code
	}
	switch x := v.(type) {
	case bool:
		if x {
			return s.t("yes", "có")
		}
		return s.t("no", "không")
	case string:
		if qu.Type == survey.TypeSingle {
			return label(x)
		}
	case []string:
		var parts []string
		for _, c := range x {
			parts = append(parts, label(c))
		}
		return strings.Join(parts, ", ")
	case *survey.Roster:
		if x.Len() == 1 {
			return s.t("1 row", "1 dòng")
		}
		return fmt.Sprintf(s.t("%d rows", "%d dòng"), x.Len())
	}
	return s.valueText(qu, v)
}

// summary shows the section's table and asks for the overall rating and comment.
func (s *session_) summary(sec *survey.Section) error {
	q := s.q
	sc := q.SectionScale(sec)
	s.say("")
	s.say(fmt.Sprintf(s.t("Overall rating of %s. The answers:", "Đánh giá chung của %s. Các câu trả lời:"), s.get(sec.Title)))
	for _, qu := range sec.Questions {
		a, has := s.st.Answers[qu.ID]
		val := s.t("(no answer)", "(chưa trả lời)")
		switch {
		case !q.Relevant(qu, s.st.Answers):
			val = s.t("(skipped)", "(bỏ qua)")
		case qu.Type == survey.TypeRating && a.Rating != "":
			val = s.ratingLabel(q.ScaleOf(qu), a.Rating)
		case has && a.HasValue():
			val = s.displayValue(qu, a.Value)
		}
		line := fmt.Sprintf("  %s: %s", qu.ID, val)
		if a.Comment != "" {
			line += " — " + a.Comment
		}
		s.say(line)
	}
	taken, err := s.settleOffer(survey.Target{Interview: s.st.ID, Kind: survey.KindSection, Key: sec.ID}, nil)
	if err != nil || taken {
		return err
	}
	cur := s.st.Sections[sec.ID]
	def := s.ratingLabel(sc, cur.Rating)
	if sg, ok := q.Suggest(sec, s.st.Answers); ok {
		s.say(fmt.Sprintf(s.t("Suggested: %s (importance-weighted mean %.2f of %d rated questions).",
			"Gợi ý: %s (trung bình có trọng số %.2f của %d câu đã đánh giá)."), s.ratingLabel(sc, sg.Rating), sg.Mean, sg.Rated))
		if def == "" {
			def = s.ratingLabel(sc, sg.Rating)
		}
	}
	s.say(s.t("Scale: ", "Thang: ") + s.scaleLine(sc))
	for {
		in, err := s.ask(s.t("Overall rating (confirm or override)", "Đánh giá chung (xác nhận hoặc điều chỉnh)"), def)
		if err != nil {
			return err
		}
		if in == "" {
			s.invalid(s.t("The overall rating is required.", "Cần có đánh giá chung."))
			continue
		}
		code, err := parseRating(sc, in)
		if err != nil {
			s.invalid(fmt.Sprintf(s.t("%q is not on the scale.", "%q không có trong thang đánh giá."), in))
			continue
		}
		cur.Rating = code
		if err := s.put(session.SectionChange(s.st.ID, sec.ID, cur)); err != nil {
			return err
		}
		break
	}
	for {
		in, err := s.ask(s.t("Overall comment", "Nhận xét chung"), cur.Comment)
		if err != nil {
			return err
		}
		if in == "" {
			s.invalid(s.t("The overall rating needs a comment.", "Đánh giá chung cần có nhận xét."))
			continue
		}
		cur.Comment = in
		return s.put(session.SectionChange(s.st.ID, sec.ID, cur))
	}
}

// finish lists what still blocks completion (nothing, when every prompt was answered) and
// offers to mark the interview complete.
func (s *session_) finish() error {
	s.say("")
	if b := session.Blockers(s.q, s.st); len(b) > 0 {
		s.say(fmt.Sprintf(s.t("%d things keep this interview from completion:", "Còn %d vấn đề chưa thể hoàn thành:"), len(b)))
		for _, x := range b {
			where := x.Question
			if where == "" {
				where = x.Section
			}
			s.say("  " + where + ": " + s.get(x.Msg))
		}
		s.say(fmt.Sprintf(s.t("The interview %s is saved as a draft.", "Phỏng vấn %s được lưu dưới dạng nháp."), s.st.ID))
		return nil
	}
	for {
		in, err := s.ask(s.t("Nothing is missing. Mark the interview complete? (y/n)", "Không còn thiếu gì. Đánh dấu hoàn thành? (y = có, n = không)"), "")
		if err != nil {
			return err
		}
		v, ok := parseYesNo(in)
		if !ok {
			s.invalid(s.t("Answer y or n.", "Trả lời c (có) hoặc k (không)."))
			continue
		}
		if !v {
			s.say(fmt.Sprintf(s.t("The interview %s is saved as a draft.", "Phỏng vấn %s được lưu dưới dạng nháp."), s.st.ID))
			return nil
		}
		if err := s.o.Writer.Complete(s.ctx, s.q, s.st); err != nil {
			return err
		}
		s.say(fmt.Sprintf(s.t("The interview %s is complete.", "Phỏng vấn %s đã hoàn thành."), s.st.ID))
		return nil
	}
}

// lineError is an error of the line mode with its message in every language; the CLI
// prints it in the user's (Text).
type lineError struct{ msg survey.Text }

func (e *lineError) Error() string     { return e.msg.Get(survey.LangEN) }
func (e *lineError) Text() survey.Text { return e.msg }

func lineErr(en, vi string) error { return &lineError{msg: survey.T(en, vi)} }

// errText is err in the session's language when it carries its text in several.
func (s *session_) errText(err error) string {
	var t interface{ Text() survey.Text }
	if errors.As(err, &t) {
		return s.get(t.Text())
	}
	return err.Error()
}
