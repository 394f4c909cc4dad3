package survey

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// AssessmentFormat is the format tag of the header line of an assessment in the JSON Lines
// interchange format.
const AssessmentFormat = "fieldsurvey-assessment/1"

// The types of line of an assessment file.
const (
	LineAssessment = "assessment" // the header: questionnaire, scope, title, team
	LineText       = "text"       // one long text (key, text)
	LineSection    = "section"    // a section's overall rating, remarks and analysis
	LineQuestion   = "question"   // a question's team rating and remarks
	LineAction     = "action"     // one action plan item
	LineDataset    = "dataset"    // one key-dataset row
)

// AssessmentLine is one line of the interchange format written by `assessment export` and
// read by `assessment import`: one part of one assessment. Every line has a type and names
// its assessment (export always writes it; a hand-written line may leave it out when the
// import names the assessment); the other fields depend on the type (lineFields), and a field of another
// type is refused. A line sets the whole part it names: a field left out is cleared.
// Field names and meanings are stable; fields may be added.
type AssessmentLine struct {
	Format     string `json:"format,omitempty"`
	Assessment string `json:"assessment"`
	Type       string `json:"type"`

	// assessment
	Questionnaire        string   `json:"questionnaire,omitempty"`
	QuestionnaireVersion string   `json:"questionnaire_version,omitempty"`
	Scope                string   `json:"scope,omitempty"`
	Title                string   `json:"title,omitempty"`
	Team                 []string `json:"team,omitempty"`
	// text
	Key  string `json:"key,omitempty"`
	Text string `json:"text,omitempty"`
	// section, question
	Section  string `json:"section,omitempty"`
	Question string `json:"question,omitempty"`
	Rating   string `json:"rating,omitempty"`
	Analysis string `json:"analysis,omitempty"`
	// action, dataset
	ID        string   `json:"id,omitempty"`
	Sections  []string `json:"sections,omitempty"`
	Action    string   `json:"action,omitempty"`
	Lead      string   `json:"lead,omitempty"`
	Phase     string   `json:"phase,omitempty"`
	Measure   string   `json:"measure,omitempty"`
	DependsOn []string `json:"depends_on,omitempty"`
	Order     int      `json:"order,omitempty"`
	// dataset
	Agency       string `json:"agency,omitempty"`
	Source       string `json:"source,omitempty"`
	KeyForPublic bool   `json:"key_for_public,omitempty"`
	KeyToService bool   `json:"key_to_service,omitempty"`
	Openness     int    `json:"openness,omitempty"`
	// section, question, dataset
	Remarks string `json:"remarks,omitempty"`
}

// lineFields are the fields each type of line may have besides assessment and type.
var lineFields = map[string][]string{
	LineAssessment: {"format", "questionnaire", "questionnaire_version", "scope", "title", "team"},
	LineText:       {"key", "text"},
	LineSection:    {"section", "rating", "remarks", "analysis"},
	LineQuestion:   {"question", "rating", "remarks"},
	LineAction:     {"id", "sections", "action", "lead", "phase", "measure", "depends_on", "order"},
	LineDataset:    {"id", "agency", "source", "key_for_public", "key_to_service", "openness", "remarks", "order"},
}

// lineTypes lists the types in file order.
var lineTypes = []string{LineAssessment, LineText, LineSection, LineQuestion, LineAction, LineDataset}

// ParseAssessmentLine decodes one line of the interchange format. It refuses unknown
// fields, fields that belong to another type of line, and an unknown type; every problem
// is a FieldError naming the field.
func ParseAssessmentLine(b []byte) (AssessmentLine, []FieldError) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return AssessmentLine{}, []FieldError{{Field: "", Msg: "not an assessment line: " + err.Error()}}
	}
	var l AssessmentLine
	var errs []FieldError
	typ := ""
	if v, ok := raw["type"]; ok {
		_ = json.Unmarshal(v, &typ)
	}
	allowed, ok := lineFields[typ]
	if !ok {
		return l, []FieldError{{Field: "type", Msg: fmt.Sprintf("unknown line type %q (expected one of %s)", typ, strings.Join(lineTypes, ", "))}}
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "assessment" || k == "type" || slices.Contains(allowed, k) {
			continue
		}
		if _, known := reflect.TypeOf(l).FieldByNameFunc(func(n string) bool { return jsonName(n) == k }); known {
			errs = append(errs, FieldError{Field: k, Msg: fmt.Sprintf("a %s line has no field %q (its fields: %s)", typ, k, strings.Join(allowed, ", "))})
		} else {
			errs = append(errs, FieldError{Field: k, Msg: fmt.Sprintf("unknown field %q", k)})
		}
	}
	if len(errs) > 0 {
		return l, errs
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return l, []FieldError{{Field: "", Msg: "not an assessment line: " + err.Error()}}
	}
	l.normalize()
	return l, nil
}

// jsonName is the JSON name of AssessmentLine's Go field name.
func jsonName(goName string) string {
	f, ok := reflect.TypeOf(AssessmentLine{}).FieldByName(goName)
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

func (l *AssessmentLine) normalize() {
	f := func(s string) string { return strings.TrimSpace(NFC(s)) }
	l.Assessment, l.Scope, l.Title = f(l.Assessment), f(l.Scope), f(l.Title)
	for i, t := range l.Team {
		l.Team[i] = f(t)
	}
	l.Text, l.Remarks, l.Analysis = NFC(strings.TrimSpace(l.Text)), NFC(strings.TrimSpace(l.Remarks)), NFC(strings.TrimSpace(l.Analysis))
	l.Action, l.Lead, l.Phase, l.Measure = f(l.Action), f(l.Lead), f(l.Phase), f(l.Measure)
	l.Agency, l.Source = f(l.Agency), f(l.Source)
}

// MarshalLine encodes l as one line of JSON with its trailing newline.
func (l AssessmentLine) MarshalLine() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l); err != nil {
		return nil, fmt.Errorf("encode assessment %s: %w", l.Assessment, err)
	}
	return buf.Bytes(), nil
}

// Check checks l against the assessment's questionnaire q: known questions and sections, a
// rating the scale has (aliases and labels are rewritten to the code), a known text key, an
// openness status from 0 (N/A) to 5, and an id on actions and dataset rows. References
// between actions (depends_on) are checked by CheckActionRefs, which sees the whole file.
func (l *AssessmentLine) Check(q *Questionnaire) []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	rating := func(sc *Scale) {
		if l.Rating == "" {
			return
		}
		c, err := sc.Parse(l.Rating)
		if err != nil {
			add("rating", "the %s scale has no rating %q (its codes: %s)", sc.ID, l.Rating, strings.Join(sc.codes(), ", "))
			return
		}
		l.Rating = string(c)
	}
	switch l.Type {
	case LineAssessment:
		if l.Format != AssessmentFormat {
			add("format", "is %q, expected %q", l.Format, AssessmentFormat)
		}
		if l.Questionnaire != q.ID {
			add("questionnaire", "is %q, expected %q", l.Questionnaire, q.ID)
		}
		if l.QuestionnaireVersion != q.Version {
			add("questionnaire_version", "is %q, but the assessment uses %s %q", l.QuestionnaireVersion, q.ID, q.Version)
		}
		if err := CheckAssessmentScope(l.Scope); err != nil {
			add("scope", "%v", err)
		}
		if l.Title == "" {
			add("title", "empty title")
		}
	case LineText:
		if sec, ok := AnalysisSection(l.Key); ok {
			if _, has := q.Section(sec); !has {
				add("key", "no section %q in %s (a section's analysis goes on its section line)", sec, q.ID)
			}
		} else if !slices.Contains(TextKeys, l.Key) {
			add("key", "unknown text %q (expected one of %s)", l.Key, strings.Join(TextKeys, ", "))
		}
	case LineSection:
		sec, ok := q.Section(l.Section)
		if !ok {
			add("section", "no section %q in %s (its sections: %s)", l.Section, q.ID, strings.Join(sectionIDs(q), ", "))
			break
		}
		rating(q.SectionScale(sec))
	case LineQuestion:
		qu, ok := q.Question(l.Question)
		if !ok {
			add("question", "no question %q in %s", l.Question, q.ID)
			break
		}
		if qu.Type != TypeRating {
			add("question", "question %s is not rated (%s): the team rates rating questions only", qu.ID, qu.Type)
			break
		}
		rating(q.ScaleOf(qu))
	case LineAction:
		if l.ID == "" {
			add("id", "an action needs an id")
		}
		if l.Action == "" {
			add("action", "empty action")
		}
		for _, s := range l.Sections {
			if _, ok := q.Section(s); !ok {
				add("sections", "no section %q in %s (its sections: %s)", s, q.ID, strings.Join(sectionIDs(q), ", "))
			}
		}
		if slices.Contains(l.DependsOn, l.ID) && l.ID != "" {
			add("depends_on", "action %s cannot depend on itself", l.ID)
		}
	case LineDataset:
		if l.ID == "" {
			add("id", "a dataset row needs an id")
		}
		if l.Openness < 0 || l.Openness > MaxOpenness {
			add("openness", "is %d: use 0 for N/A or 1 to %d stars", l.Openness, MaxOpenness)
		}
		if l.Agency == "" && l.Source == "" {
			add("source", "a dataset row needs an agency or a data source")
		}
	}
	return errs
}

func sectionIDs(q *Questionnaire) []string {
	out := make([]string, len(q.Sections))
	for i, s := range q.Sections {
		out[i] = s.ID
	}
	return out
}

// Change returns the change l makes to its assessment (the header makes the creation).
func (l AssessmentLine) Change() Change {
	t := func(k Kind, key string) Target { return Target{Interview: l.Assessment, Kind: k, Key: key} }
	switch l.Type {
	case LineAssessment:
		return Change{Target: t(KindAssessment, ""), Value: AssessmentMeta{Questionnaire: l.Questionnaire,
			QuestionnaireVersion: l.QuestionnaireVersion, Scope: l.Scope, Title: l.Title, Team: l.Team}}
	case LineText:
		return Change{Target: t(KindText, l.Key), Value: TextValue{Text: l.Text}}
	case LineSection:
		return Change{Target: t(KindSection, l.Section), Value: SectionSummary{Rating: Code(l.Rating), Comment: l.Remarks}}
	case LineQuestion:
		return Change{Target: t(KindAnswer, l.Question), Value: Answer{Rating: Code(l.Rating), Comment: l.Remarks}}
	case LineAction:
		return Change{Target: t(KindAction, l.ID), Value: ActionItem{Sections: l.Sections, Action: l.Action, Lead: l.Lead,
			Phase: l.Phase, Measure: l.Measure, DependsOn: l.DependsOn, Order: l.Order}.Normalized()}
	case LineDataset:
		return Change{Target: t(KindDataset, l.ID), Value: DatasetRow{Agency: l.Agency, Source: l.Source, KeyForPublic: l.KeyForPublic,
			KeyToService: l.KeyToService, Openness: l.Openness, Remarks: l.Remarks, Order: l.Order}}
	}
	return Change{}
}

// Changes returns the changes that turn assessment cur (nil: not stored yet) into what the
// lines say, skipping parts already equal; a section line gives two changes (the rating
// and remarks, and the analysis text). The creation comes first. Changing the creation of
// a stored assessment keeps its author and device.
func AssessmentChanges(cur *Assessment, lines []AssessmentLine) []Change {
	stored := cur != nil
	if cur == nil {
		cur = &Assessment{Ratings: Answers{}, Sections: map[string]SectionSummary{}, Texts: map[string]string{}}
	}
	var out []Change
	for _, l := range lines {
		ch := l.Change()
		switch l.Type {
		case LineAssessment:
			m := ch.Value.(AssessmentMeta)
			if stored {
				m.Author, m.Device = cur.Meta.Author, cur.Meta.Device
				if reflect.DeepEqual(m, cur.Meta) {
					continue
				}
			}
			ch.Value = m
			out = slices.Insert(out, 0, ch)
			continue
		case LineSection:
			an := Change{Target: Target{Interview: l.Assessment, Kind: KindText, Key: AnalysisKey(l.Section)}, Value: TextValue{Text: l.Analysis}}
			if cur.Texts[AnalysisKey(l.Section)] != l.Analysis {
				out = append(out, an)
			}
			if cur.Sections[l.Section] == ch.Value.(SectionSummary) {
				continue
			}
		case LineQuestion:
			if reflect.DeepEqual(cur.Ratings[l.Question].Normalized(), ch.Value.(Answer).Normalized()) {
				continue
			}
		case LineText:
			if cur.Texts[l.Key] == l.Text {
				continue
			}
		case LineAction:
			if a, _ := cur.action(l.ID); reflect.DeepEqual(a, ch.Value.(ActionItem)) {
				continue
			}
		case LineDataset:
			if d, _ := cur.dataset(l.ID); d == ch.Value.(DatasetRow) {
				continue
			}
		}
		out = append(out, ch)
	}
	return out
}

func (a *Assessment) action(id string) (ActionItem, bool) {
	for _, x := range a.Actions {
		if x.ID == id {
			return x.ActionItem, true
		}
	}
	return ActionItem{}, false
}

func (a *Assessment) dataset(id string) (DatasetRow, bool) {
	for _, x := range a.Datasets {
		if x.ID == id {
			return x.DatasetRow, true
		}
	}
	return DatasetRow{}, false
}

// CheckActionRefs returns, for each action line (by index in lines) whose depends_on names
// an action that is neither in lines nor already in cur, the error for that field.
func CheckActionRefs(cur *Assessment, lines []AssessmentLine) map[int][]FieldError {
	known := map[string]bool{}
	if cur != nil {
		for _, a := range cur.Actions {
			known[a.ID] = true
		}
	}
	for _, l := range lines {
		if l.Type == LineAction && l.ID != "" {
			known[l.ID] = true
		}
	}
	out := map[int][]FieldError{}
	for i, l := range lines {
		if l.Type != LineAction {
			continue
		}
		for _, d := range l.DependsOn {
			if !known[d] {
				out[i] = append(out[i], FieldError{Field: "depends_on", Msg: fmt.Sprintf("no action %q in this assessment", d)})
			}
		}
	}
	return out
}

// Lines returns the interchange lines of a (q is its questionnaire): the header, the texts,
// then per section in questionnaire order its section line and its questions' lines (parts
// with content only), then the actions and the dataset rows in list order. The same
// assessment always gives the same lines.
func (a *Assessment) Lines(q *Questionnaire) []AssessmentLine {
	id := a.ID
	out := []AssessmentLine{{Format: AssessmentFormat, Assessment: id, Type: LineAssessment,
		Questionnaire: a.Meta.Questionnaire, QuestionnaireVersion: a.Meta.QuestionnaireVersion,
		Scope: a.Meta.Scope, Title: a.Meta.Title, Team: a.Meta.Team}}
	for _, k := range TextKeys {
		if t := a.Texts[k]; t != "" {
			out = append(out, AssessmentLine{Assessment: id, Type: LineText, Key: k, Text: t})
		}
	}
	for _, s := range q.Sections {
		sum, an := a.Sections[s.ID], a.Texts[AnalysisKey(s.ID)]
		if !s.HasOverall() {
			// A section without an overall rating has none to export (one stored before
			// the questionnaire said so stays in the history); import refuses one.
			sum = SectionSummary{}
		}
		if sum != (SectionSummary{}) || an != "" {
			out = append(out, AssessmentLine{Assessment: id, Type: LineSection, Section: s.ID,
				Rating: string(sum.Rating), Remarks: sum.Comment, Analysis: an})
		}
		for _, qu := range s.Questions {
			if r, ok := a.Ratings[qu.ID]; ok && (r.Rating != "" || r.Comment != "") {
				out = append(out, AssessmentLine{Assessment: id, Type: LineQuestion, Question: qu.ID,
					Rating: string(r.Rating), Remarks: r.Comment})
			}
		}
	}
	for _, x := range a.Actions {
		out = append(out, AssessmentLine{Assessment: id, Type: LineAction, ID: x.ID, Sections: x.Sections,
			Action: x.Action, Lead: x.Lead, Phase: x.Phase, Measure: x.Measure, DependsOn: x.DependsOn, Order: x.Order})
	}
	for _, d := range a.Datasets {
		out = append(out, AssessmentLine{Assessment: id, Type: LineDataset, ID: d.ID, Agency: d.Agency,
			Source: d.Source, KeyForPublic: d.KeyForPublic, KeyToService: d.KeyToService, Openness: d.Openness,
			Remarks: d.Remarks, Order: d.Order})
	}
	return out
}
