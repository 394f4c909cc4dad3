package xlsform

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
)

// build converts the rows into a questionnaire.
//
// Groups become sections. fieldsurvey's sections do not nest, so a nested group becomes a
// section of its own, titled with the path of group labels ("Pillar 1 › Laws"); the
// questions of an outer group that follow a nested one form a further section with the
// outer group's title. A group's relevant is added (with "and") to the relevant of every
// question it holds. Questions outside any group form a section titled with the form's
// title. A note becomes guidance: it is put before the hint of the next question of its
// section, or, with no question after it, after the guidance of the section's last question
// (the interview screen shows guidance, not a section's context), or, in a section of
// notes alone, in the section's context.
func (im *importer) build(id, version string, titles map[string]string) *survey.Questionnaire {
	q := &survey.Questionnaire{Format: survey.QuestionnaireFormat, ID: id, Version: version, Languages: im.langs}
	q.Title = survey.Text{}
	for _, l := range im.langs {
		switch {
		case titles[l] != "":
			q.Title[l] = titles[l]
		case titles[""] != "":
			q.Title[l] = titles[""]
		default:
			q.Title[l] = id
		}
	}
	im.where["id"] = loc{sheet: sheetSettings, row: 2, kind: "form"}
	im.where["version"] = loc{sheet: sheetSettings, row: 2, kind: "form"}
	im.where["title"] = loc{sheet: sheetSettings, row: 2, kind: "form"}
	im.where["languages"] = loc{sheet: sheetSurvey, row: 1, kind: "form"}

	groupRel := map[*row]string{} // translated relevant of each group, "" when none or bad
	groupRefs := map[*row][]string{}
	for _, r := range im.rows {
		if r.kind == kBeginGroup && r.relevant != "" {
			c := im.ctx(r)
			out, err := translate(r.relevant, c)
			if err != nil {
				im.xpathProblem(r, "relevant", err)
				continue
			}
			groupRel[r], groupRefs[r] = out, c.refs
		}
	}

	var (
		cur     *survey.Section
		curKey  *row // the innermost group of the current section
		started bool
		notes   []survey.Text // notes waiting for the next question
		usedSec = map[string]bool{}
		deps    = map[string][]string{} // question → questions its relevance reads
	)
	flushNotes := func() {
		switch {
		case cur == nil || len(notes) == 0:
		case len(cur.Questions) > 0:
			last := cur.Questions[len(cur.Questions)-1]
			last.Guidance = joinText(append([]survey.Text{last.Guidance}, notes...), im.langs)
		default:
			cur.Context = joinText(append([]survey.Text{cur.Context}, notes...), im.langs)
		}
		notes = nil
	}
	secTitle := func(key *row) survey.Text {
		if key == nil {
			return q.Title
		}
		t := survey.Text{}
		for _, l := range im.langs {
			var parts []string
			for _, g := range append(append([]*row(nil), key.groups...), key) {
				s := g.label[l]
				if s == "" {
					s = g.label.Get(l)
				}
				if s == "" {
					s = g.name
				}
				parts = append(parts, s)
			}
			t[l] = strings.Join(parts, " › ")
		}
		return t
	}
	for _, r := range im.rows {
		if r.kind == kBeginGroup || r.repeat != nil {
			continue
		}
		var key *row
		if len(r.groups) > 0 {
			key = r.groups[len(r.groups)-1]
		}
		if !started || key != curKey {
			flushNotes()
			started, curKey = true, key
			base := "main"
			secRow := loc{sheet: sheetSurvey, row: r.n, kind: "section"}
			if key != nil {
				base = key.name
				secRow.row = key.n
			}
			sid := base
			for i := 2; usedSec[sid] || (key == nil && im.byName[sid] != nil); i++ {
				sid = fmt.Sprintf("%s-%d", base, i)
			}
			usedSec[sid] = true
			cur = &survey.Section{ID: sid, Title: secTitle(key)}
			q.Sections = append(q.Sections, cur)
			im.where[fmt.Sprintf("sections[%d]", len(q.Sections)-1)] = secRow
		}
		if r.kind == kNote {
			if r.relevant != "" {
				im.add(sheetSurvey, r.n, im.survey.colName("relevant"), "a note becomes guidance text and cannot have its own relevant",
					"ghi chú trở thành hướng dẫn và không thể có relevant riêng")
			}
			notes = append(notes, r.label)
			continue
		}
		qu := im.question(q, r)
		if qu == nil {
			continue
		}
		if len(notes) > 0 {
			qu.Guidance = joinText(append(notes, qu.Guidance), im.langs)
			notes = nil
		}
		// The group relevants, outermost first, then the question's own.
		var parts []string
		var refs []string
		for _, g := range r.groups {
			if e := groupRel[g]; e != "" {
				parts = append(parts, e)
				refs = append(refs, groupRefs[g]...)
			}
		}
		if qu.Relevant != "" {
			parts = append(parts, qu.Relevant)
		}
		refs = append(refs, im.ownRefs[r.name]...)
		if len(parts) > 1 {
			qu.Relevant = "(" + strings.Join(parts, ") and (") + ")"
		} else if len(parts) == 1 {
			qu.Relevant = parts[0]
		}
		deps[r.name] = refs
		cur.Questions = append(cur.Questions, qu)
		path := fmt.Sprintf("sections[%d].questions[%d]", len(q.Sections)-1, len(cur.Questions)-1)
		im.where[path] = loc{sheet: sheetSurvey, row: r.n, kind: "question"}
		for k, c := range qu.Columns {
			if cr := im.byName[c.ID]; cr != nil {
				im.where[fmt.Sprintf("%s.columns[%d]", path, k)] = loc{sheet: sheetSurvey, row: cr.n, kind: "column"}
			}
		}
		for k, o := range im.lists[r.list] {
			if k < len(qu.Options) {
				im.where[fmt.Sprintf("%s.options[%d]", path, k)] = loc{sheet: sheetChoices, row: o.row, kind: "option"}
			}
		}
		if r.orOther {
			im.where[fmt.Sprintf("%s.options[%d]", path, len(qu.Options)-1)] = loc{sheet: sheetSurvey, row: r.n, kind: "added"}
		}
	}
	flushNotes()
	im.cycles(deps)
	inferScales(q)
	markPlainSections(q)
	return q
}

// markPlainSections gives a section without any rating question (an XLSForm group such as
// "Respondent", or the part of a group that a nested group splits off before its rating
// questions) overall: false: it is a plain survey section, with no overall rating for the
// assessor to confirm.
func markPlainSections(q *survey.Questionnaire) {
	for _, s := range q.Sections {
		rated := false
		for _, qu := range s.Questions {
			rated = rated || qu.Type == survey.TypeRating
		}
		if !rated {
			no := false
			s.Overall = &no
		}
	}
}

// inferScales gives the questionnaire the scale most of its rating questions use, and a
// section whose rating questions all use another scale that scale, so that the sections'
// overall ratings (and their suggestions, computed from the questions' ratings) are on the
// scale the form rates on. A form without fieldsurvey_scale keeps readiness.
func inferScales(q *survey.Questionnaire) {
	scaleOf := func(qu *survey.Question) string {
		if qu.Scale == "" {
			return survey.ReadinessScaleID
		}
		return qu.Scale
	}
	count := map[string]int{}
	var order []string
	for _, qu := range q.Questions() {
		if qu.Type == survey.TypeRating {
			id := scaleOf(qu)
			if count[id] == 0 {
				order = append(order, id)
			}
			count[id]++
		}
	}
	best := survey.ReadinessScaleID
	for _, id := range order {
		if count[id] > count[best] {
			best = id
		}
	}
	if best != survey.ReadinessScaleID {
		q.Scale = best
	}
	for _, s := range q.Sections {
		sec := ""
		for _, qu := range s.Questions {
			if qu.Type != survey.TypeRating {
				continue
			}
			switch id := scaleOf(qu); {
			case sec == "":
				sec = id
			case sec != id:
				sec = "-"
			}
		}
		if sec != "" && sec != "-" && sec != best {
			s.Scale = sec
		}
	}
}

// joinText joins texts paragraph by paragraph in each language.
func joinText(ts []survey.Text, langs []string) survey.Text {
	out := survey.Text{}
	for _, l := range langs {
		var parts []string
		for _, t := range ts {
			if s := t[l]; s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) > 0 {
			out[l] = strings.Join(parts, "\n\n")
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ctx returns the translation context of row r's expressions.
func (im *importer) ctx(r *row) *xctx {
	c := &xctx{self: r.name, selfKind: im.fieldOf(r).kind, lookup: func(name string) field {
		rr, ok := im.byName[name]
		if !ok {
			return field{}
		}
		return im.fieldOf(rr)
	}}
	if r.repeat != nil {
		c.repeat = r.repeat.name
	}
	return c
}

// fieldOf says what row r is to an expression.
func (im *importer) fieldOf(r *row) field {
	if r.repeat != nil {
		if r.column == string(survey.ColumnYesNo) {
			return field{kind: fieldYesNo, repeat: r.repeat.name}
		}
		return field{kind: fieldColumn, repeat: r.repeat.name}
	}
	switch {
	case r.kind == kBad:
		return field{kind: fieldBad}
	case r.kind == kNote:
		return field{kind: fieldNote}
	case r.kind == kBeginGroup:
		return field{kind: fieldGroup}
	case r.kind == kBeginRepeat:
		return field{kind: fieldRepeat}
	case r.scale != "":
		return field{kind: fieldRating}
	case r.kind == kSelectMultiple:
		return field{kind: fieldMulti}
	}
	return field{kind: fieldValue}
}

func (im *importer) xpathProblem(r *row, col string, err error) {
	if err == errTainted {
		return // the row it names has its own problem
	}
	en, vi := err.Error(), err.Error()
	if xe, ok := err.(*xpathError); ok {
		en, vi = xe.en, xe.vi
	}
	im.problems = append(im.problems, Problem{Sheet: sheetSurvey, Row: r.n, Column: im.survey.colName(col), Msg: survey.T(en, vi)})
}

// question converts row r; nil when r is not a question or cannot be converted (the
// problem is recorded).
func (im *importer) question(q *survey.Questionnaire, r *row) *survey.Question {
	qu := &survey.Question{ID: r.name, Text: r.label, Guidance: r.hint, Required: r.required, ConstraintMessage: r.cmsg}
	switch {
	case r.kind == kBeginRepeat:
		im.columns(qu, r)
	case r.scale != "":
		qu.Type = survey.TypeRating
		if im.useScale(q, r) {
			qu.Scale = r.scale // named even for readiness: the questionnaire's may be another
		}
	case r.kind == kText:
		qu.Type = survey.TypeText
	case r.kind == kInteger, r.kind == kDecimal:
		qu.Type = survey.TypeNumber
	case r.kind == kDate:
		qu.Type = survey.TypeDate
	case r.kind == kSelectOne, r.kind == kSelectMultiple:
		qu.Type = survey.TypeSingle
		if r.kind == kSelectMultiple {
			qu.Type = survey.TypeMultiple
		}
		choices, ok := im.lists[r.list]
		if !ok {
			im.add(sheetSurvey, r.n, "type", "the choice list %q is missing from the choices sheet", "danh sách lựa chọn %q không có trong trang choices", r.list)
		}
		if im.badLists[r.list] {
			// The list's own problem is reported on the choices sheet; what it does to
			// this question (one option left) is not reported again.
			im.quiet[cellKey(sheetSurvey, r.n, "type")] = true
		}
		for _, c := range choices {
			qu.Options = append(qu.Options, survey.Option{Code: c.name, Label: c.label})
		}
		if r.orOther {
			qu.Options = append(qu.Options, survey.Option{Code: otherCode, Label: im.words(otherLabel)})
		}
	default:
		return nil
	}
	if r.column != "" && r.kind != kBeginRepeat {
		im.add(sheetSurvey, r.n, im.survey.colName("fieldsurvey_column"), "only a field of a repeat has a column type",
			"chỉ trường của nhóm lặp mới có loại cột")
	}
	c := im.ctx(r)
	if r.relevant != "" {
		out, err := translate(r.relevant, c)
		if err != nil {
			im.xpathProblem(r, "relevant", err)
		} else {
			qu.Relevant = out
		}
	}
	if im.ownRefs == nil {
		im.ownRefs = map[string][]string{}
	}
	im.ownRefs[r.name] = c.refs
	if r.cons != "" && r.kind != kBeginRepeat {
		c.refs = nil
		out, err := translate(r.cons, c)
		if err != nil {
			im.xpathProblem(r, "constraint", err)
		} else {
			qu.Constraint = out
		}
	}
	if r.kind == kInteger && r.scale == "" {
		// fieldsurvey's numbers are decimals: an integer question says so in its constraint.
		whole := "floor(value) == value"
		if qu.Constraint != "" {
			qu.Constraint = whole + " and (" + qu.Constraint + ")"
		} else {
			qu.Constraint = whole
		}
		msg := survey.Text{}
		for _, l := range im.langs {
			w := "a whole number is expected"
			if l == survey.LangVI {
				w = "cần nhập số nguyên"
			}
			if s := qu.ConstraintMessage[l]; s != "" {
				w = s + " (" + w + ")"
			}
			msg[l] = w
		}
		qu.ConstraintMessage = msg
	}
	return qu
}

// useScale makes sure the scale row r names is in q: readiness is built in; another is
// copied from the bundled instrument that defines it (ODRA's "odra", …).
func (im *importer) useScale(q *survey.Questionnaire, r *row) bool {
	if _, ok := q.ScaleByID(r.scale); ok {
		return true
	}
	known := []string{survey.ReadinessScaleID}
	var found *survey.Scale
	if bundled, err := questionnaires.Bundled(); err == nil {
		for _, b := range bundled {
			for _, s := range b.Scales {
				if s.ID == r.scale {
					found = s // the latest version wins: bundled instruments are sorted by version
				}
				if !contains(known, s.ID) {
					known = append(known, s.ID)
				}
			}
		}
	}
	if found == nil {
		sort.Strings(known)
		im.add(sheetSurvey, r.n, im.survey.colName("fieldsurvey_scale"), "unknown scale %q (known: %s)", "thang %q không tồn tại (có: %s)",
			r.scale, strings.Join(known, ", "))
		return false
	}
	cp := *found
	q.Scales = append(q.Scales, &cp)
	im.where[fmt.Sprintf("scales[%d]", len(q.Scales)-1)] = loc{sheet: sheetSurvey, row: r.n, kind: "scale"}
	return true
}

// cycles reports questions whose relevance depends, through other questions' relevance,
// on themselves (x is asked when y is answered, y when x is): such a question can never be
// reached.
func (im *importer) cycles(deps map[string][]string) {
	names := make([]string, 0, len(deps))
	for n := range deps {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return im.byName[names[i]].n < im.byName[names[j]].n })
	// Tarjan's strongly connected components.
	index, low := map[string]int{}, map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	next := 0
	var comps [][]string
	var visit func(v string)
	visit = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range deps[v] {
			if _, ok := deps[w]; !ok {
				continue
			}
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var comp []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			comps = append(comps, comp)
		}
	}
	for _, n := range names {
		if _, seen := index[n]; !seen {
			visit(n)
		}
	}
	for _, comp := range comps {
		self := len(comp) == 1 && contains(deps[comp[0]], comp[0])
		if len(comp) < 2 && !self {
			continue
		}
		sort.Slice(comp, func(i, j int) bool { return im.byName[comp[i]].n < im.byName[comp[j]].n })
		path := strings.Join(append(append([]string(nil), comp...), comp[0]), " → ")
		for _, n := range comp {
			r := im.byName[n]
			if self {
				im.add(sheetSurvey, r.n, im.survey.colName("relevant"), "%s is asked only when it is itself answered (${%s} in its own relevant, or its group's)",
					"%s chỉ được hỏi khi chính nó đã có câu trả lời (${%s} trong relevant của nó hoặc của nhóm)", n, n)
				continue
			}
			im.add(sheetSurvey, r.n, im.survey.colName("relevant"), "cyclic relevant: %s: none of these questions can be asked",
				"relevant vòng tròn: %s: không câu hỏi nào trong số này được hỏi", path)
		}
	}
}

var missingTranslation = regexp.MustCompile(`missing translation "([^"]+)"`)

// locate places a problem of the questionnaire loader (a path into the converted
// questionnaire) on the sheet, row and column it comes from.
func (im *importer) locate(path, msg string) (sheet string, row int, col string) {
	p := path
	for {
		if l, ok := im.where[p]; ok {
			field := strings.TrimPrefix(strings.TrimPrefix(path[len(p):], "."), "[")
			if p == path {
				field = p[strings.LastIndexAny(p, ".]")+1:]
			}
			field, _, _ = strings.Cut(field, ".")
			field, _, _ = strings.Cut(field, "[")
			return l.sheet, l.row, im.column(l, field, msg)
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			return "", 0, ""
		}
		p = p[:i]
	}
}

// column names the column of field of the part at l.
func (im *importer) column(l loc, field, msg string) string {
	lang := ""
	if m := missingTranslation.FindStringSubmatch(msg); m != nil {
		lang = m[1]
	}
	s := im.survey
	if l.sheet == sheetChoices {
		s = im.choices
	}
	langCol := func(base string) string {
		if lang != "" && s != nil {
			return s.langCol(base, lang)
		}
		return base
	}
	switch l.kind {
	case "form":
		switch field {
		case "id":
			return "form_id"
		case "version":
			return "version"
		case "title":
			return "form_title"
		}
		return ""
	case "option":
		if field == "code" {
			return "name"
		}
		return langCol("label")
	case "section":
		if field == "title" || field == "context" {
			return langCol("label")
		}
		return ""
	case "scale":
		return s.colName("fieldsurvey_scale")
	case "added":
		return "type" // the choice or_other adds: the type cell asks for it
	case "column":
		switch field {
		case "id":
			return "name"
		case "label":
			return langCol("label")
		case "type":
			return "type"
		case "options":
			return "type"
		}
		return ""
	}
	switch field {
	case "text":
		return langCol("label")
	case "guidance":
		return langCol("hint")
	case "constraint_message":
		return langCol("constraint_message")
	case "relevant", "constraint":
		return s.colName(field)
	case "row_constraint", "row_constraint_message":
		return s.colName("constraint")
	case "id":
		return "name"
	case "scale":
		return s.colName("fieldsurvey_scale")
	case "type", "options":
		return "type"
	}
	return ""
}
