package accessible

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// dropConflict forgets the conflict of target t (a change to t replaced every version).
func (s *session_) dropConflict(t survey.Target) {
	s.st.Conflicts = slices.DeleteFunc(s.st.Conflicts, func(c survey.Conflict) bool { return c.Target == t })
}

// settleOffer shows the versions of target t when it has a conflict and asks which to take
// as it is, or whether to answer anew (the question is then asked as usual, the newest
// version as the default, and the first answer saved settles the conflict). It reports
// whether a version was taken (the question needs no more prompts). qu is the question of
// an answer target, nil for a section summary. There is no default: an empty line is
// asked again, so that piped input settles nothing by accident.
func (s *session_) settleOffer(t survey.Target, qu *survey.Question) (bool, error) {
	var cf survey.Conflict
	found := false
	for _, c := range s.st.Conflicts {
		if c.Target == t {
			cf, found = c, true
		}
	}
	if !found {
		return false, nil
	}
	n := len(cf.Heads)
	what := s.t("this answer", "câu trả lời này")
	if t.Kind == survey.KindSection {
		what = s.t("this overall rating", "đánh giá chung này")
	}
	s.say(fmt.Sprintf(s.t("! CONFLICT: %s has %d versions, made on different devices:", "! XUNG ĐỘT: %s có %d phiên bản, được sửa trên các máy khác nhau:"), what, n))
	for i, h := range cf.Heads {
		s.say(fmt.Sprintf("  [%d] %s · %s %s · %s", i+1, orDash(h.Author), s.t("device", "thiết bị"), h.Device, h.Time.UTC().Format("2006-01-02 15:04")))
		for _, l := range s.versionLines(t, qu, h.Value) {
			s.say("      " + l)
		}
	}
	if err := survey.CheckSettle(s.o.Role, s.st.Status.Status, t.Kind); err != nil {
		var re *survey.RuleError
		if errors.As(err, &re) {
			s.say(s.t("Read only: ", "Chỉ đọc: ") + s.get(re.Text()))
		}
		return false, err
	}
	for {
		in, err := s.ask(fmt.Sprintf(s.t("Take a version as it is (1-%d), or a to answer anew", "Chọn nguyên một phiên bản (1-%d), hoặc a để trả lời lại"), n), "")
		if err != nil {
			return false, err
		}
		if strings.EqualFold(in, "a") {
			s.say(s.t("Answer anew: the newest version is offered as the default; saving settles the conflict.",
				"Trả lời lại: phiên bản mới nhất được đưa làm mặc định; khi lưu, xung đột được giải quyết."))
			return false, nil
		}
		k, err := strconv.Atoi(in)
		if err != nil || k < 1 || k > n {
			s.invalid(fmt.Sprintf(s.t("Answer a number from 1 to %d, or a.", "Trả lời một số từ 1 đến %d, hoặc a."), n))
			continue
		}
		seen := make([]string, n)
		for i, h := range cf.Heads {
			seen[i] = h.ID
		}
		w := s.o.Writer
		rev, err := w.Store.Settle(s.ctx, w.Author, t, cf.Heads[k-1].Value, seen)
		if err != nil {
			return false, fmt.Errorf("settle %s: %w", t, err)
		}
		switch t.Kind {
		case survey.KindAnswer:
			var a survey.Answer
			if err := json.Unmarshal(rev.Value, &a); err != nil {
				return false, err
			}
			if a.IsEmpty() {
				delete(s.st.Answers, t.Key)
			} else {
				s.st.Answers[t.Key] = a
			}
		case survey.KindSection:
			var sum survey.SectionSummary
			if err := json.Unmarshal(rev.Value, &sum); err != nil {
				return false, err
			}
			s.st.Sections[t.Key] = sum
		}
		s.dropConflict(t)
		s.say(fmt.Sprintf(s.t("✓ Saved: version %d taken as it was; the conflict is settled.", "✓ Đã lưu: chọn nguyên phiên bản %d; xung đột đã được giải quyết."), k))
		return true, nil
	}
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// versionLines describes one version of a target in plain lines.
func (s *session_) versionLines(t survey.Target, qu *survey.Question, raw json.RawMessage) []string {
	var out []string
	text := func(label, v string) {
		if v == "" {
			v = "—"
		}
		out = append(out, label+v)
	}
	switch t.Kind {
	case survey.KindAnswer:
		var a survey.Answer
		if err := json.Unmarshal(raw, &a); err != nil {
			return []string{err.Error()}
		}
		if qu.Type == survey.TypeRating {
			text(s.t("Rating: ", "Mức đánh giá: "), s.ratingLabel(s.q.ScaleOf(qu), a.Rating))
		} else {
			v := ""
			if a.HasValue() {
				v = s.displayValue(qu, a.Value)
			}
			text(s.t("Answer: ", "Trả lời: "), v)
		}
		text(s.t("Comment: ", "Nhận xét: "), a.Comment)
		if qu.Type == survey.TypeRating {
			out = append(out, fmt.Sprintf(s.t("Evidence: %d", "Bằng chứng: %d"), len(a.Evidence)))
			for _, e := range a.Evidence {
				out = append(out, "  "+evidenceText(e, s))
			}
		}
		if len(a.Probes) > 0 {
			text(s.t("Probes asked: ", "Câu gợi ý đã hỏi: "), strings.Join(a.Probes, " "))
		}
	case survey.KindSection:
		var sum survey.SectionSummary
		if err := json.Unmarshal(raw, &sum); err != nil {
			return []string{err.Error()}
		}
		sc := survey.ReadinessScale()
		if sec, ok := s.q.Section(t.Key); ok {
			sc = s.q.SectionScale(sec)
		}
		text(s.t("Overall rating: ", "Đánh giá chung: "), s.ratingLabel(sc, sum.Rating))
		text(s.t("Overall comment: ", "Nhận xét chung: "), sum.Comment)
	}
	return out
}
