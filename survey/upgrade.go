package survey

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ErrNoUpgrade is wrapped by PlanUpgrade when the versions given do not chain (a version
// that does not declare it migrates from the one before it).
var ErrNoUpgrade = errors.New("no upgrade path")

// Move is an answer that moves to another question id (a renamed question).
type Move struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Answer Answer `json:"answer"` // the answer as it will be under To (recoded when Recoded lists it too)
	// Text is the question's text in the new version (what the assessor will see).
	Text Text `json:"text,omitempty"`
}

// Recode is a choice answer whose option codes change.
type Recode struct {
	Question string   `json:"question"` // its id in the new version
	Old      []string `json:"old"`
	New      []string `json:"new"`
	// Text is the question's text in the new version.
	Text Text `json:"text,omitempty"`
}

// Orphan is an answer whose question no longer exists in the new version. It is kept: it
// stays in the interview and its history, and is listed so the assessor knows.
type Orphan struct {
	Question string `json:"question"` // its id in the old version
	Answer   Answer `json:"answer"`
	// Removed is true when the version declared the question removed; false when the
	// question simply is not in the new version.
	Removed bool `json:"removed"`
	// In is the version in which the question disappeared.
	In string `json:"in"`
	// Text is the question's text in the interview's version (the last time it was asked).
	Text Text `json:"text,omitempty"`
}

// Upgrade is what moving an interview to a newer version of its questionnaire changes.
type Upgrade struct {
	Interview     string
	Questionnaire string
	From, To      string
	Moved         []Move
	Recoded       []Recode
	Orphaned      []Orphan
	// OrphanedSections are sections with an overall rating that the new version no longer
	// has (kept, as orphaned answers are).
	OrphanedSections []string

	meta    InterviewMeta
	answers map[string]Answer // final answers of the targets that change (moves, recodes)
	cleared []string          // old ids of moved answers
	// oldRows holds the rows of each moved roster under its old id: moving a roster
	// writes its rows under the new id and deletes them under the old one (rows are
	// targets of their own, never an answer).
	oldRows map[string][]Row
	heads   map[Target][]string
}

// CanUpgrade says whether interview st may move to another version of its questionnaire:
// only drafts and interviews returned or reopened (what an assessor may still change), and
// none with a conflict to settle. Completed, submitted and approved interviews keep their
// version. The error is a *RuleError (bilingual).
func CanUpgrade(st *InterviewState) error {
	cur := st.Status.Status
	if !AssessorEditable(cur) {
		return &RuleError{Msg: T(
			fmt.Sprintf("the interview is %s: only drafts and interviews returned or reopened move to a new questionnaire version; it keeps version %s", cur, st.Meta.QuestionnaireVersion),
			fmt.Sprintf("phỏng vấn đang ở trạng thái %s: chỉ bản nháp và phỏng vấn bị trả lại hoặc được mở lại mới chuyển sang phiên bản bảng hỏi mới; phỏng vấn giữ phiên bản %s", cur.Label().Get(LangVI), st.Meta.QuestionnaireVersion))}
	}
	if n := len(st.Conflicts); n > 0 {
		return &RuleError{Msg: T(
			fmt.Sprintf("the interview has %d conflicting %s: settle them before moving it to a new questionnaire version", n, pluralEN(n, "change", "changes")),
			fmt.Sprintf("phỏng vấn có %d thay đổi xung đột: hãy giải quyết trước khi chuyển sang phiên bản bảng hỏi mới", n))}
	}
	return nil
}

func pluralEN(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// PlanUpgrade works out what moving interview st from versions[0] (its questionnaire
// version) to the last of versions changes, following each version's migrates_from
// declaration in turn (versions[i] must migrate from versions[i-1]). It changes nothing:
// Changes gives what to write. It refuses an interview CanUpgrade refuses.
func PlanUpgrade(versions []*Questionnaire, st *InterviewState) (*Upgrade, error) {
	if len(versions) < 2 {
		return nil, fmt.Errorf("%w: give the interview's version and a newer one", ErrNoUpgrade)
	}
	old := versions[0]
	if st.Meta.Questionnaire != old.ID || st.Meta.QuestionnaireVersion != old.Version {
		return nil, fmt.Errorf("plan upgrade: interview %s is on %s version %s, not %s version %s",
			st.ID, st.Meta.Questionnaire, st.Meta.QuestionnaireVersion, old.ID, old.Version)
	}
	for i, q := range versions[1:] {
		prev := versions[i]
		if q.ID != old.ID || q.MigratesFrom == nil || q.MigratesFrom.Version != prev.Version {
			return nil, fmt.Errorf("%w: %s version %s does not declare that it migrates from version %s", ErrNoUpgrade, q.ID, q.Version, prev.Version)
		}
	}
	if err := CanUpgrade(st); err != nil {
		return nil, err
	}
	last := versions[len(versions)-1]
	u := &Upgrade{Interview: st.ID, Questionnaire: old.ID, From: old.Version, To: last.Version,
		meta: st.Meta, answers: map[string]Answer{}, heads: st.Heads}
	u.meta.QuestionnaireVersion = last.Version

	// Follow each answer to a question of the old version through the versions.
	type track struct {
		orig, id string
		a        Answer
		codes    []string // the codes before any recoding; nil when never recoded
	}
	var live []*track
	for _, id := range slices.Sorted(maps.Keys(st.Answers)) {
		if _, ok := old.Question(id); ok {
			live = append(live, &track{orig: id, id: id, a: st.Answers[id]})
		}
	}
	oldText := func(id string) Text {
		if qu, ok := old.Question(id); ok {
			return qu.Text
		}
		return nil
	}
	newText := func(id string) Text {
		if qu, ok := last.Question(id); ok {
			return qu.Text
		}
		return nil
	}
	for _, q := range versions[1:] {
		m := q.MigratesFrom
		removed := map[string]bool{}
		for _, id := range m.Removed {
			removed[id] = true
		}
		var next []*track
		for _, t := range live {
			if removed[t.id] {
				u.Orphaned = append(u.Orphaned, Orphan{Question: t.orig, Answer: st.Answers[t.orig], Removed: true, In: q.Version, Text: oldText(t.orig)})
				continue
			}
			if nid := m.Renamed[t.id]; nid != "" {
				t.id = nid
			}
			if _, ok := q.Question(t.id); !ok {
				u.Orphaned = append(u.Orphaned, Orphan{Question: t.orig, Answer: st.Answers[t.orig], In: q.Version, Text: oldText(t.orig)})
				continue
			}
			if cm := m.Choices[t.id]; len(cm) > 0 {
				before := choiceCodes(t.a.Value)
				if na, changed := recode(t.a, cm); changed {
					if t.codes == nil {
						t.codes = before
					}
					t.a = na
				}
			}
			next = append(next, t)
		}
		live = next
	}
	for _, t := range live {
		if t.codes != nil {
			u.Recoded = append(u.Recoded, Recode{Question: t.id, Old: t.codes, New: choiceCodes(t.a.Value), Text: newText(t.id)})
		}
		if t.id != t.orig {
			u.Moved = append(u.Moved, Move{From: t.orig, To: t.id, Answer: t.a, Text: newText(t.id)})
			u.cleared = append(u.cleared, t.orig)
			if r, ok := t.a.Value.(*Roster); ok {
				if u.oldRows == nil {
					u.oldRows = map[string][]Row{}
				}
				u.oldRows[t.orig] = slices.Clone(r.Rows())
			}
		}
		if t.id != t.orig || t.codes != nil {
			u.answers[t.id] = t.a
		}
	}
	for _, id := range slices.Sorted(maps.Keys(st.Sections)) {
		if _, ok := old.Section(id); !ok {
			continue
		}
		if _, ok := last.Section(id); !ok {
			u.OrphanedSections = append(u.OrphanedSections, id)
		}
	}
	return u, nil
}

// choiceCodes returns the option codes of a single or multiple choice value.
func choiceCodes(v any) []string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []string:
		return slices.Clone(x)
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// recode maps the option codes of a's value through cm (old code → new code), keeping a
// multiple choice free of duplicates.
func recode(a Answer, cm map[string]string) (Answer, bool) {
	changed := false
	switch x := a.Value.(type) {
	case string:
		if nc, ok := cm[x]; ok && nc != x {
			a.Value, changed = nc, true
		}
	case []string, []any:
		var out []string
		for _, c := range choiceCodes(x) {
			if nc, ok := cm[c]; ok && nc != c {
				c, changed = nc, true
			}
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
		if changed {
			a.Value = out
		}
	}
	return a, changed
}

// Empty reports whether the upgrade changes no answer (it still moves the interview to the
// new version).
func (u *Upgrade) Empty() bool {
	return len(u.Moved) == 0 && len(u.Recoded) == 0 && len(u.Orphaned) == 0 && len(u.OrphanedSections) == 0
}

// Changes returns what applying u writes, in one store.Put: the interview's creation
// revision with the new version, the answers moved or recoded under their new ids, and the
// old ids of moved answers cleared. Each change is based on the heads the plan was made
// from, so a change that arrived meanwhile becomes a conflict rather than being replaced
// unseen. Orphaned answers are not touched.
func (u *Upgrade) Changes() []Change {
	base := func(t Target) []string {
		if h := u.heads[t]; h != nil {
			return slices.Clone(h)
		}
		return []string{}
	}
	meta := Target{Interview: u.Interview, Kind: KindInterview}
	out := []Change{{Target: meta, Value: u.meta, Base: base(meta)}}
	written := map[Target]bool{}
	for _, id := range slices.Sorted(maps.Keys(u.answers)) {
		if r, ok := u.answers[id].Value.(*Roster); ok {
			// A moved roster: its rows, with their ids, under the new question id.
			for _, row := range r.Rows() {
				t := RowTarget(u.Interview, id, row.ID)
				written[t] = true
				out = append(out, Change{Target: t, Value: RosterRow{Pos: row.Pos, Cells: row.Cells}, Base: base(t)})
			}
			continue
		}
		t := Target{Interview: u.Interview, Kind: KindAnswer, Key: id}
		out = append(out, Change{Target: t, Value: u.answers[id], Base: base(t)})
	}
	cleared := slices.Clone(u.cleared)
	slices.Sort(cleared)
	for _, id := range cleared {
		if rows, ok := u.oldRows[id]; ok {
			// A roster moved away: each of its rows deleted under the old id (history
			// keeps them), unless a roster moved onto this id wrote that row again.
			for _, row := range rows {
				if t := RowTarget(u.Interview, id, row.ID); !written[t] {
					out = append(out, Change{Target: t, Value: RosterRow{}, Base: base(t)})
				}
			}
			continue
		}
		if a, moved := u.answers[id]; moved {
			if _, roster := a.Value.(*Roster); !roster {
				continue // another answer moved onto this id (a swap): already written above
			}
		}
		t := Target{Interview: u.Interview, Kind: KindAnswer, Key: id}
		out = append(out, Change{Target: t, Value: Answer{}, Base: base(t)})
	}
	return out
}

// Describe returns what u changes, one line per item, in both languages: the lines the
// CLI prints and the upgrade screens show. Each question is named by its id and its text,
// cut short (QuoteText).
func (u *Upgrade) Describe() []Text {
	out := []Text{T(
		fmt.Sprintf("%s: version %s → %s", u.Questionnaire, u.From, u.To),
		fmt.Sprintf("%s: phiên bản %s → %s", u.Questionnaire, u.From, u.To))}
	named := func(id string, t Text, lang string) string {
		if q := QuoteText(t.Get(lang), describeTextRunes); q != "" {
			return id + " " + q
		}
		return id
	}
	for _, m := range u.Moved {
		out = append(out, T(fmt.Sprintf("moved: answer to %s → question %s", m.From, named(m.To, m.Text, LangEN)),
			fmt.Sprintf("chuyển: câu trả lời của %s → câu hỏi %s", m.From, named(m.To, m.Text, LangVI))))
	}
	for _, r := range u.Recoded {
		o, n := strings.Join(r.Old, ", "), strings.Join(r.New, ", ")
		out = append(out, T(fmt.Sprintf("recoded: %s: %s → %s", named(r.Question, r.Text, LangEN), o, n),
			fmt.Sprintf("đổi mã: %s: %s → %s", named(r.Question, r.Text, LangVI), o, n)))
	}
	for _, o := range u.Orphaned {
		why, whyVI := "not in version "+o.In, "không có trong phiên bản "+o.In
		if o.Removed {
			why, whyVI = "removed in version "+o.In, "bị bỏ ở phiên bản "+o.In
		}
		out = append(out, T(fmt.Sprintf("no longer asked: %s (%s): the answer is kept in the interview and its history", named(o.Question, o.Text, LangEN), why),
			fmt.Sprintf("không còn hỏi: %s (%s): câu trả lời vẫn được giữ trong phỏng vấn và lịch sử", named(o.Question, o.Text, LangVI), whyVI)))
	}
	for _, s := range u.OrphanedSections {
		out = append(out, T(fmt.Sprintf("no longer asked: section %s: its overall rating is kept", s),
			fmt.Sprintf("không còn hỏi: phần %s: đánh giá chung vẫn được giữ", s)))
	}
	if u.Empty() {
		out = append(out, T("no answer changes", "không câu trả lời nào thay đổi"))
	}
	return out
}

// describeTextRunes is how much of a question's text Describe quotes.
const describeTextRunes = 40

// QuoteText returns s on one line in double quotes, cut to at most n characters (runes)
// with "…" when longer; "" for an empty s.
func QuoteText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return ""
	}
	if r := []rune(s); len(r) > n {
		s = strings.TrimRight(string(r[:n-1]), " ") + "…"
	}
	return `"` + s + `"`
}

// FindUpgrade plans moving interview st to the newest version of its questionnaire among
// all (every installed questionnaire, each questionnaire's versions oldest first, as a
// catalog lists them) that its version can reach through migrates_from declarations; nil
// when there is none, or when st may not move (an assessment, a state without its
// creation, or one CanUpgrade refuses). It is the offer the interview screen and line
// mode make when a draft is opened.
func FindUpgrade(all []*Questionnaire, st *InterviewState) *Upgrade {
	if st == nil || st.Assess != nil || !st.HasMeta() || CanUpgrade(st) != nil {
		return nil
	}
	var same []*Questionnaire
	for _, q := range all {
		if q.ID == st.Meta.Questionnaire {
			same = append(same, q)
		}
	}
	get := func(v string) (*Questionnaire, error) {
		for _, q := range same {
			if q.Version == v {
				return q, nil
			}
		}
		return nil, fmt.Errorf("version %s is not installed", v)
	}
	for i := len(same) - 1; i >= 0 && same[i].Version != st.Meta.QuestionnaireVersion; i-- {
		chain, err := UpgradeChain(same[i], st.Meta.QuestionnaireVersion, get)
		if err != nil {
			continue
		}
		if u, err := PlanUpgrade(chain, st); err == nil {
			return u
		}
	}
	return nil
}

// UpgradeChain returns the versions an interview on version from passes through to reach
// last: from, each version between, and last, found by following last's migrates_from
// declarations back with get (which returns a version of the same questionnaire). It wraps
// ErrNoUpgrade when the declarations do not lead back to from.
func UpgradeChain(last *Questionnaire, from string, get func(version string) (*Questionnaire, error)) ([]*Questionnaire, error) {
	if last.Version == from {
		return nil, fmt.Errorf("%w: the interview is already on %s version %s", ErrNoUpgrade, last.ID, from)
	}
	chain := []*Questionnaire{last}
	seen := map[string]bool{last.Version: true}
	for cur := last; cur.Version != from; {
		m := cur.MigratesFrom
		if m == nil {
			return nil, fmt.Errorf("%w: %s version %s does not declare what changed since an earlier version (migrates_from), so version %s cannot move to it",
				ErrNoUpgrade, last.ID, cur.Version, from)
		}
		if seen[m.Version] {
			return nil, fmt.Errorf("%w: the versions of %s migrate from each other in a loop (%s)", ErrNoUpgrade, last.ID, m.Version)
		}
		seen[m.Version] = true
		prev, err := get(m.Version)
		if err != nil {
			return nil, fmt.Errorf("%w: %s version %s migrates from version %s: %v", ErrNoUpgrade, last.ID, cur.Version, m.Version, err)
		}
		chain = append(chain, prev)
		cur = prev
	}
	slices.Reverse(chain)
	return chain, nil
}
