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

// SectionMove is a section's overall rating and comment moving to the section's new id (a
// renamed section).
type SectionMove struct {
	From    string         `json:"from"`
	To      string         `json:"to"`
	Summary SectionSummary `json:"summary"` // as it will be under To (rerated when Rerated lists it too)
	// Title is the section's title in the new version.
	Title Text `json:"title,omitempty"`
}

// Rerate is a rating whose code changes: a rating question's answer, or a section's
// overall rating when Section is true.
type Rerate struct {
	ID      string `json:"id"` // the question's or section's id in the new version
	Section bool   `json:"section,omitempty"`
	Old     Code   `json:"old"`
	New     Code   `json:"new"`
	// Text is the question's text or the section's title in the new version.
	Text Text `json:"text,omitempty"`
}

// KeptRating is a stored rating that is not a step of its item's scale in the new version
// and that the migration does not map. A migration CheckMigration accepted maps every step
// of the old scale that the new one lacks, so this is a code that was no step of the old
// scale either (one that reached the store without the import's checks, or versions whose
// migrations were never checked against each other). It is kept as it is, never dropped
// or guessed: CheckValue then reports it as an unknown rating until the assessor rates
// again.
type KeptRating struct {
	ID      string `json:"id"` // the question's or section's id in the new version
	Section bool   `json:"section,omitempty"`
	Code    Code   `json:"code"`
	Scale   string `json:"scale"`           // the item's scale in the new version
	Steps   []Code `json:"steps,omitempty"` // its steps
	Text    Text   `json:"text,omitempty"`
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
	// MovedSections are the summaries of renamed sections.
	MovedSections []SectionMove
	// Rerated are the ratings (answers and section summaries) whose code changes.
	Rerated []Rerate
	// KeptRatings are ratings that stay as they are although the new version's scale has
	// no such step (see KeptRating).
	KeptRatings []KeptRating

	meta    InterviewMeta
	answers map[string]Answer // final answers of the targets that change (moves, recodes)
	cleared []string          // old ids of moved answers
	// sections holds the final summaries of the sections that change (moved, rerated);
	// clearedSections the old ids of moved ones.
	sections        map[string]SectionSummary
	clearedSections []string
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
		rating   Code     // the rating before any recoding; "" when never recoded
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
			if nc, ok := m.Ratings[t.id][t.a.Rating]; ok && t.a.Rating != "" && nc != t.a.Rating {
				if t.rating == "" {
					t.rating = t.a.Rating
				}
				t.a.Rating = nc
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
		if t.rating != "" && t.rating != t.a.Rating {
			u.Rerated = append(u.Rerated, Rerate{ID: t.id, Old: t.rating, New: t.a.Rating, Text: newText(t.id)})
		} else {
			t.rating = ""
		}
		if qu, ok := last.Question(t.id); ok && qu.Type == TypeRating && t.a.Rating != "" {
			if sc := last.ScaleOf(qu); !hasStep(sc, t.a.Rating) {
				u.KeptRatings = append(u.KeptRatings, KeptRating{ID: t.id, Code: t.a.Rating, Scale: sc.ID, Steps: sc.codeList(), Text: newText(t.id)})
			}
		}
		if t.id != t.orig || t.codes != nil || t.rating != "" {
			u.answers[t.id] = t.a
		}
	}
	u.planSections(versions, st)
	return u, nil
}

// planSections follows each section summary of st through the versions' migrates_from
// declarations: renamed sections move, mapped ratings are recoded, sections that
// disappear are orphaned (kept).
func (u *Upgrade) planSections(versions []*Questionnaire, st *InterviewState) {
	old, last := versions[0], versions[len(versions)-1]
	title := func(id string) Text {
		if s, ok := last.Section(id); ok {
			return s.Title
		}
		return nil
	}
	for _, orig := range slices.Sorted(maps.Keys(st.Sections)) {
		if _, ok := old.Section(orig); !ok {
			continue
		}
		id, sm, was, lost := orig, st.Sections[orig], Code(""), false
		for _, q := range versions[1:] {
			m := q.MigratesFrom
			if nid := m.Sections[id]; nid != "" {
				id = nid
			}
			if _, ok := q.Section(id); !ok {
				lost = true
				break
			}
			if nc, ok := m.Ratings[id][sm.Rating]; ok && sm.Rating != "" && nc != sm.Rating {
				if was == "" {
					was = sm.Rating
				}
				sm.Rating = nc
			}
		}
		if lost {
			u.OrphanedSections = append(u.OrphanedSections, orig)
			continue
		}
		if was != "" && was != sm.Rating {
			u.Rerated = append(u.Rerated, Rerate{ID: id, Section: true, Old: was, New: sm.Rating, Text: title(id)})
		} else {
			was = ""
		}
		if s, _ := last.Section(id); s.HasOverall() && sm.Rating != "" {
			if sc := last.SectionScale(s); !hasStep(sc, sm.Rating) {
				u.KeptRatings = append(u.KeptRatings, KeptRating{ID: id, Section: true, Code: sm.Rating, Scale: sc.ID, Steps: sc.codeList(), Text: title(id)})
			}
		}
		if id != orig {
			u.MovedSections = append(u.MovedSections, SectionMove{From: orig, To: id, Summary: sm, Title: title(id)})
			u.clearedSections = append(u.clearedSections, orig)
		}
		if id != orig || was != "" {
			if u.sections == nil {
				u.sections = map[string]SectionSummary{}
			}
			u.sections[id] = sm
		}
	}
}

func hasStep(sc *Scale, c Code) bool {
	_, ok := sc.Step(c)
	return ok
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
	return len(u.Moved) == 0 && len(u.Recoded) == 0 && len(u.Orphaned) == 0 && len(u.OrphanedSections) == 0 &&
		len(u.MovedSections) == 0 && len(u.Rerated) == 0 && len(u.KeptRatings) == 0
}

// Changes returns what applying u writes, in one store.Put: the interview's creation
// revision with the new version, the answers moved, recoded or rerated under their new
// ids, the old ids of moved answers cleared, then the section summaries moved or rerated
// under their new ids and the old ids of moved sections cleared. Each change is based on the heads the plan was made
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
	for _, id := range slices.Sorted(maps.Keys(u.sections)) {
		t := Target{Interview: u.Interview, Kind: KindSection, Key: id}
		out = append(out, Change{Target: t, Value: u.sections[id], Base: base(t)})
	}
	cleared = slices.Clone(u.clearedSections)
	slices.Sort(cleared)
	for _, id := range cleared {
		if _, moved := u.sections[id]; moved {
			continue // another section moved onto this id (a swap): already written above
		}
		t := Target{Interview: u.Interview, Kind: KindSection, Key: id}
		out = append(out, Change{Target: t, Value: SectionSummary{}, Base: base(t)})
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
	for _, m := range u.MovedSections {
		out = append(out, T(fmt.Sprintf("moved: overall rating and comment of section %s → section %s", m.From, named(m.To, m.Title, LangEN)),
			fmt.Sprintf("chuyển: đánh giá chung và nhận xét của phần %s → phần %s", m.From, named(m.To, m.Title, LangVI))))
	}
	for _, r := range u.Recoded {
		o, n := strings.Join(r.Old, ", "), strings.Join(r.New, ", ")
		out = append(out, T(fmt.Sprintf("recoded: %s: %s → %s", named(r.Question, r.Text, LangEN), o, n),
			fmt.Sprintf("đổi mã: %s: %s → %s", named(r.Question, r.Text, LangVI), o, n)))
	}
	for _, r := range u.Rerated {
		if r.Section {
			out = append(out, T(fmt.Sprintf("rating recoded: section %s, overall rating: %s → %s", named(r.ID, r.Text, LangEN), r.Old, r.New),
				fmt.Sprintf("đổi mức đánh giá: phần %s, đánh giá chung: %s → %s", named(r.ID, r.Text, LangVI), r.Old, r.New)))
			continue
		}
		out = append(out, T(fmt.Sprintf("rating recoded: %s: %s → %s", named(r.ID, r.Text, LangEN), r.Old, r.New),
			fmt.Sprintf("đổi mức đánh giá: %s: %s → %s", named(r.ID, r.Text, LangVI), r.Old, r.New)))
	}
	for _, k := range u.KeptRatings {
		steps := make([]string, len(k.Steps))
		for i, c := range k.Steps {
			steps[i] = string(c)
		}
		what, whatVI := named(k.ID, k.Text, LangEN), named(k.ID, k.Text, LangVI)
		if k.Section {
			what, whatVI = "section "+what+", overall rating", "phần "+whatVI+", đánh giá chung"
		}
		out = append(out, T(fmt.Sprintf("rating kept: %s: %s is not a step of scale %s in version %s (%s) and the version does not map it: it is kept as it was; rate it again",
			what, k.Code, k.Scale, u.To, strings.Join(steps, ", ")),
			fmt.Sprintf("giữ mức đánh giá: %s: %s không phải một mức của thang %s ở phiên bản %s (%s) và phiên bản không quy đổi nó: mức cũ được giữ nguyên; hãy đánh giá lại",
				whatVI, k.Code, k.Scale, u.To, strings.Join(steps, ", "))))
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
