package report

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// AssessmentOptions choose what an assessment report counts and its language.
type AssessmentOptions struct {
	// Lang is "vi" or "en"; empty means "en".
	Lang string
	// Include are the statuses of the interviews whose ratings, evidence and comments are
	// shown beside the team's; empty means approved interviews only (IncludeApproved).
	Include []survey.Status
}

// IncludeApproved and IncludeSubmitted are the two choices of `--include`: approved
// interviews only (the default), or also those completed, submitted or resubmitted (after a
// return) and not yet decided — every status that awaits a decision (Status.AwaitsDecision).
var (
	IncludeApproved  = []survey.Status{survey.StatusApproved}
	IncludeSubmitted = []survey.Status{survey.StatusApproved, survey.StatusSubmitted, survey.StatusCompleted, survey.StatusResubmitted}
)

// ParseInclude reads the value of --include: "approved" or "submitted".
func ParseInclude(s string) ([]survey.Status, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "approved":
		return IncludeApproved, nil
	case "submitted":
		return IncludeSubmitted, nil
	}
	return nil, fmt.Errorf("unknown --include %q (expected approved or submitted)", s)
}

// AssessmentReport is the published report of one assessment: the team's ratings, remarks
// and texts, and beside each team rating what the interviews in scope say (how many rated
// the question, their distribution, the rating they suggest, their evidence and comments).
// The team's ratings are judgements: nothing in it is a computed score, and the interviews'
// median is marked as a suggestion wherever it is shown.
type AssessmentReport struct {
	ID                 string   `json:"id"`
	Title              string   `json:"title"`
	Scope              string   `json:"scope"`
	ScopeLabel         string   `json:"scope_label"`
	Questionnaire      string   `json:"questionnaire"`
	Version            string   `json:"version"`
	QuestionnaireTitle string   `json:"questionnaire_title"`
	Lang               string   `json:"lang"`
	Team               []string `json:"team"`
	// FieldworkFrom and FieldworkTo are the first and last interview dates (YYYY-MM-DD) of
	// the interviews counted; empty when none has a date.
	FieldworkFrom string          `json:"fieldwork_from,omitempty"`
	FieldworkTo   string          `json:"fieldwork_to,omitempty"`
	Include       []survey.Status `json:"include"`
	Introduction  string          `json:"introduction,omitempty"`
	Summary       string          `json:"summary,omitempty"`
	Conclusions   string          `json:"conclusions,omitempty"`
	// Disclaimer is the team's, or the default legal text when the team wrote none.
	Disclaimer string `json:"disclaimer"`
	// DisclaimerDefault is true when Disclaimer is the default text.
	DisclaimerDefault bool                `json:"disclaimer_default"`
	Sections          []AssessmentSection `json:"sections"`
	Datasets          []DatasetOut        `json:"datasets"`
	Phases            []Phase             `json:"action_plan"`
	Interviews        []AnnexInterview    `json:"interviews"`
	// Conflicts counts the assessment's parts with two competing versions (each marked).
	Conflicts int `json:"conflicts"`
}

// AssessmentSection is one section's analysis and its table: the team's rating and remarks
// per question and the overall row.
type AssessmentSection struct {
	ID         string            `json:"id"`
	Title      string            `json:"title"`
	Importance survey.Importance `json:"importance,omitempty"`
	Analysis   string            `json:"analysis,omitempty"`
	Rows       []TeamRow         `json:"rows"`
	// Overall is the team's rating of the section as a whole; nil for a section with
	// overall: false (a plain survey section: no pillar rating to settle, no Overall row).
	Overall *TeamRating `json:"overall,omitempty"`
	// Interviews is the distribution of the interviews' own overall ratings of the section;
	// nil when Overall is.
	Interviews *Spread `json:"interviews,omitempty"`
}

// HasTable reports whether the section has a table to publish: a rated question or an
// overall row (a plain section of unrated questions has only its analysis).
func (s *AssessmentSection) HasTable() bool { return len(s.Rows) > 0 || s.Overall != nil }

// OverallSpread is Interviews, or no ratings when it is nil.
func (s *AssessmentSection) OverallSpread() Spread {
	if s.Interviews == nil {
		return Spread{}
	}
	return *s.Interviews
}

// TeamRating is a team's rating (empty Rating: not rated yet) with its remarks.
type TeamRating struct {
	Rating   survey.Code `json:"rating,omitempty"`
	Label    string      `json:"label,omitempty"`
	Symbol   string      `json:"symbol,omitempty"`
	Color    string      `json:"color,omitempty"`
	Remarks  string      `json:"remarks,omitempty"`
	Conflict bool        `json:"conflict,omitempty"`
}

// TeamRow is one question of a section table.
type TeamRow struct {
	Question   string            `json:"question"`
	Text       string            `json:"text"`
	Importance survey.Importance `json:"importance,omitempty"`
	TeamRating
	Interviews Spread `json:"interviews"`
}

// Spread is what the interviews in scope say about one question (or a section's overall
// rating): how many rated it on a counted step, the counts per step (uncounted steps such as
// don't know or not assessed are listed but never counted), the median they suggest, and
// their evidence and comments, each with its interview.
type Spread struct {
	Rated     int         `json:"rated"`
	Uncounted int         `json:"uncounted"`
	Steps     []StepTally `json:"steps"`
	// Suggested is the interviews' median (a suggestion only, never the team's rating);
	// Half says it fell between two steps and went to the one nearer the middle.
	Suggested       survey.Code `json:"suggested,omitempty"`
	SuggestedLabel  string      `json:"suggested_label,omitempty"`
	SuggestedSymbol string      `json:"suggested_symbol,omitempty"`
	Half            bool        `json:"half,omitempty"`
	Evidence        []Pooled    `json:"evidence,omitempty"`
	Comments        []Pooled    `json:"comments,omitempty"`
}

// StepTally is one step of a scale and how many interviews chose it.
type StepTally struct {
	Code      survey.Code `json:"code"`
	Label     string      `json:"label"`
	Symbol    string      `json:"symbol,omitempty"`
	Color     string      `json:"color,omitempty"`
	Uncounted bool        `json:"uncounted,omitempty"`
	Count     int         `json:"count"`
}

// Pooled is one evidence item or comment of one interview. Polarity, Source, InScope and
// Note are an evidence item's; a comment has only Text.
type Pooled struct {
	Polarity  survey.Polarity `json:"polarity,omitempty"`
	Text      string          `json:"text"`
	Source    string          `json:"source,omitempty"`
	InScope   bool            `json:"in_scope"`
	Note      string          `json:"note,omitempty"`
	Interview string          `json:"interview"`
	Agency    string          `json:"agency"`
	Province  string          `json:"province"`
}

// DatasetOut is one row of the key datasets table.
type DatasetOut struct {
	ID           string `json:"id"`
	Agency       string `json:"agency"`
	Source       string `json:"source"`
	KeyForPublic bool   `json:"key_for_public"`
	KeyToService bool   `json:"key_to_service"`
	// Openness is 0 for N/A, 1 to 5 stars; OpennessText writes it (N/A, ★★★☆☆).
	Openness     int    `json:"openness"`
	OpennessText string `json:"openness_text"`
	Remarks      string `json:"remarks,omitempty"`
	Conflict     bool   `json:"conflict,omitempty"`
}

// Phase is the actions of one phase (or timeframe) of the action plan, in plan order; the
// phases come in the order of their first action.
type Phase struct {
	Phase   string      `json:"phase"`
	Actions []ActionOut `json:"actions"`
}

// ActionOut is one action of the plan.
type ActionOut struct {
	ID        string       `json:"id"`
	Action    string       `json:"action"`
	Lead      string       `json:"lead,omitempty"`
	Measure   string       `json:"measure,omitempty"`
	Sections  []SectionRef `json:"sections,omitempty"`
	DependsOn []string     `json:"depends_on,omitempty"`
	Conflict  bool         `json:"conflict,omitempty"`
}

// SectionRef names a section an action follows from.
type SectionRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// AnnexInterview is one interview counted in the report, for the annex.
type AnnexInterview struct {
	ID       string        `json:"id"`
	Agency   string        `json:"agency"`
	Province string        `json:"province"`
	Date     string        `json:"date,omitempty"`
	Assessor string        `json:"assessor,omitempty"`
	Status   survey.Status `json:"status"`
	// StatusLabel is the status in the report language.
	StatusLabel string `json:"status_label"`
}

// BuildAssessment makes the report of assessment a (q is its questionnaire) from the
// states of the store's interviews: those of q's questionnaire in the assessment's scope
// whose status o includes are counted; assessments and others are left out. It changes
// none of its inputs and is deterministic.
func BuildAssessment(q *survey.Questionnaire, a *survey.Assessment, states []*survey.InterviewState, o AssessmentOptions) (*AssessmentReport, error) {
	if q == nil || a == nil {
		return nil, errors.New("build assessment report: no questionnaire or assessment")
	}
	lang := o.Lang
	if lang == "" {
		lang = survey.LangEN
	}
	if lang != survey.LangEN && lang != survey.LangVI {
		return nil, fmt.Errorf("build assessment report: unsupported language %q (use vi or en)", o.Lang)
	}
	if a.Meta.Questionnaire != q.ID {
		return nil, fmt.Errorf("build assessment report: assessment %s uses questionnaire %s, not %s", a.ID, a.Meta.Questionnaire, q.ID)
	}
	include := o.Include
	if len(include) == 0 {
		include = IncludeApproved
	}
	var ivs []*survey.InterviewState
	for _, st := range states {
		if st == nil || st.Assess != nil || !st.HasMeta() || st.Meta.Questionnaire != q.ID {
			continue
		}
		if !slices.Contains(include, st.Status.Status) || !survey.InScope(a.Meta.Scope, st.Respondent.Province) {
			continue
		}
		ivs = append(ivs, st)
	}
	ivs, err := pickInterviews(q, ivs, nil)
	if err != nil {
		return nil, err
	}
	conflicts := map[survey.Target]bool{}
	for _, c := range a.Conflicts {
		conflicts[c.Target] = true
	}
	tg := func(k survey.Kind, key string) survey.Target {
		return survey.Target{Interview: a.ID, Kind: k, Key: key}
	}
	r := &AssessmentReport{ID: a.ID, Title: a.Meta.Title, Scope: a.Meta.Scope, ScopeLabel: scopeLabel(a.Meta.Scope, lang),
		Questionnaire: q.ID, Version: q.Version, QuestionnaireTitle: q.Title.Get(lang), Lang: lang,
		Team: slices.Clone(a.Meta.Team), Include: slices.Clone(include),
		Introduction: a.Texts[survey.TextIntroduction], Summary: a.Texts[survey.TextSummary],
		Conclusions: a.Texts[survey.TextConclusions], Disclaimer: a.Texts[survey.TextDisclaimer],
		Sections: []AssessmentSection{}, Datasets: []DatasetOut{}, Phases: []Phase{}, Interviews: []AnnexInterview{},
		Conflicts: len(a.Conflicts)}
	if r.Team == nil {
		r.Team = []string{}
	}
	if r.Disclaimer == "" {
		r.Disclaimer, r.DisclaimerDefault = survey.DefaultDisclaimer.Get(lang), true
	}
	for _, st := range ivs {
		d := st.Respondent.Date
		if d != "" && (r.FieldworkFrom == "" || d < r.FieldworkFrom) {
			r.FieldworkFrom = d
		}
		if d > r.FieldworkTo {
			r.FieldworkTo = d
		}
		r.Interviews = append(r.Interviews, AnnexInterview{ID: st.ID, Agency: st.Respondent.Agency,
			Province: st.Respondent.Province, Date: d, Assessor: st.Meta.Assessor,
			Status: st.Status.Status, StatusLabel: st.Status.Status.Label().Get(lang)})
	}
	for _, s := range q.Sections {
		sec := AssessmentSection{ID: s.ID, Title: s.Title.Get(lang), Importance: s.Importance,
			Analysis: a.Texts[survey.AnalysisKey(s.ID)], Rows: []TeamRow{}}
		for _, qu := range s.Questions {
			if qu.Type != survey.TypeRating {
				continue
			}
			sc := q.ScaleOf(qu)
			ans := a.Ratings[qu.ID]
			row := TeamRow{Question: qu.ID, Text: qu.Text.Get(lang), Importance: qu.Importance,
				TeamRating: teamRating(sc, ans.Rating, ans.Comment, conflicts[tg(survey.KindAnswer, qu.ID)], lang)}
			row.Interviews = questionSpread(q, qu, sc, ivs, lang)
			sec.Rows = append(sec.Rows, row)
		}
		if !s.HasOverall() {
			r.Sections = append(r.Sections, sec) // no overall row
			continue
		}
		sc := q.SectionScale(s)
		sum := a.Sections[s.ID]
		ov := teamRating(sc, sum.Rating, sum.Comment, conflicts[tg(survey.KindSection, s.ID)], lang)
		t := survey.NewTally(sc)
		for _, st := range ivs {
			t.Add(st.Sections[s.ID].Rating)
		}
		sp := spreadOf(t.Distribution(), lang)
		sec.Overall, sec.Interviews = &ov, &sp
		r.Sections = append(r.Sections, sec)
	}
	for _, d := range a.Datasets {
		r.Datasets = append(r.Datasets, DatasetOut{ID: d.ID, Agency: d.Agency, Source: d.Source,
			KeyForPublic: d.KeyForPublic, KeyToService: d.KeyToService, Openness: d.Openness,
			OpennessText: opennessText(d.Openness, lang), Remarks: d.Remarks, Conflict: conflicts[tg(survey.KindDataset, d.ID)]})
	}
	phase := map[string]int{}
	for _, x := range a.Actions {
		i, ok := phase[x.Phase]
		if !ok {
			i = len(r.Phases)
			phase[x.Phase] = i
			r.Phases = append(r.Phases, Phase{Phase: x.Phase})
		}
		out := ActionOut{ID: x.ID, Action: x.Action, Lead: x.Lead, Measure: x.Measure,
			DependsOn: slices.Clone(x.DependsOn), Conflict: conflicts[tg(survey.KindAction, x.ID)]}
		for _, sid := range x.Sections {
			ref := SectionRef{ID: sid, Title: sid}
			if s, ok := q.Section(sid); ok {
				ref.Title = s.Title.Get(lang)
			}
			out.Sections = append(out.Sections, ref)
		}
		r.Phases[i].Actions = append(r.Phases[i].Actions, out)
	}
	return r, nil
}

func scopeLabel(scope, lang string) string {
	if scope == survey.ScopeNational {
		return aword(lang, "national")
	}
	return scope
}

func opennessText(n int, lang string) string {
	if n <= 0 || n > survey.MaxOpenness {
		return aword(lang, "notApplicable")
	}
	return survey.OpennessText(n)
}

func teamRating(sc *survey.Scale, c survey.Code, remarks string, conflict bool, lang string) TeamRating {
	tr := TeamRating{Rating: c, Remarks: remarks, Conflict: conflict}
	if c != "" {
		tr.Label, tr.Symbol, tr.Color = stepOf(sc, c, lang)
	}
	return tr
}

// questionSpread pools what the interviews say about question qu: the ratings of those for
// which it is relevant, and their evidence and comments.
func questionSpread(q *survey.Questionnaire, qu *survey.Question, sc *survey.Scale, ivs []*survey.InterviewState, lang string) Spread {
	t := survey.NewTally(sc)
	var ev, cm []Pooled
	for _, st := range ivs {
		if !q.Relevant(qu, st.Answers) {
			continue
		}
		ans, ok := st.Answers[qu.ID]
		if !ok {
			continue
		}
		t.Add(ans.Rating)
		p := Pooled{Interview: st.ID, Agency: st.Respondent.Agency, Province: st.Respondent.Province, InScope: true}
		for _, e := range ans.Evidence {
			x := p
			x.Polarity, x.Text, x.Source, x.InScope, x.Note = polarityOf(e.Polarity), e.Text, e.Source, e.InScope, e.Note
			ev = append(ev, x)
		}
		if c := strings.TrimSpace(ans.Comment); c != "" {
			x := p
			x.Text = c
			cm = append(cm, x)
		}
	}
	sp := spreadOf(t.Distribution(), lang)
	sp.Evidence, sp.Comments = ev, cm
	return sp
}

func polarityOf(p survey.Polarity) survey.Polarity {
	if p == survey.Plus || p == survey.Minus {
		return p
	}
	return survey.Neutral
}

func spreadOf(d survey.Distribution, lang string) Spread {
	sp := Spread{Rated: d.Rated, Uncounted: d.Uncounted, Steps: make([]StepTally, len(d.Steps)),
		Suggested: d.Suggested, Half: d.Half}
	for i, s := range d.Steps {
		sp.Steps[i] = StepTally{Code: s.Step.Code, Label: s.Step.Label.Get(lang), Symbol: s.Step.Symbol,
			Color: s.Step.Color, Uncounted: s.Step.Uncounted, Count: s.Count}
		if s.Step.Code == d.Suggested {
			sp.SuggestedLabel, sp.SuggestedSymbol = s.Step.Label.Get(lang), s.Step.Symbol
		}
	}
	return sp
}

// counts writes a spread's counts as "Red 1 · Amber 2 · Don't know 1" (steps with none left
// out), or the word for none.
func counts(sp Spread, lang string) string {
	var parts []string
	for _, s := range sp.Steps {
		if s.Count > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s.Label, s.Count))
		}
	}
	if len(parts) == 0 {
		return aword(lang, "noRatings")
	}
	return strings.Join(parts, " · ")
}

// suggestion writes the interviews' median as "suggested by N interviews: ●●●○○ Amber"
// (with the note on halves), or nothing when no interview rated.
func suggestion(sp Spread, lang string) string {
	if sp.Suggested == "" {
		return ""
	}
	s := fmt.Sprintf(aword(lang, "medianOf"), sp.Rated) + ": " + ratingText(sp.SuggestedSymbol, sp.SuggestedLabel)
	if sp.Half {
		s += " (" + aword(lang, "half") + ")"
	}
	return s
}

// includeText names the statuses counted, in the report language.
func includeText(st []survey.Status, lang string) string {
	out := make([]string, len(st))
	for i, s := range st {
		out[i] = s.Label().Get(lang)
	}
	return strings.Join(out, ", ")
}
