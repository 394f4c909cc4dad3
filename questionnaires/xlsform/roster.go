package xlsform

import (
	"fmt"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// A repeat becomes a roster question (a table of rows). Its fields become the roster's
// columns:
//
//	text                           → text (fieldsurvey_column: url → url)
//	integer, decimal               → number (fieldsurvey_column: stars → stars 0–5 or N/A)
//	select_one LIST                → choice (fieldsurvey_column: yesno → yes/no, stars → stars)
//
// A field's required makes the column required, its label the column's label, its hint a
// line of the roster's guidance; its constraint, with "." the field's cell and ${sibling}
// another cell of the row, joins the roster's row constraint (an empty cell passes, as an
// unanswered field does in XLSForm). Dates, select_multiple, notes with a relevant, a
// relevant on a field and nested groups or repeats are refused: a row is one line of a
// table.

// columnTypes says which column types each XLSForm type may take (the first is the default).
var columnTypes = map[kind][]survey.ColumnType{
	kText:      {survey.ColumnText, survey.ColumnURL},
	kInteger:   {survey.ColumnNumber, survey.ColumnStars},
	kDecimal:   {survey.ColumnNumber},
	kSelectOne: {survey.ColumnChoice, survey.ColumnYesNo, survey.ColumnStars},
}

// columns fills roster question qu from repeat r.
func (im *importer) columns(qu *survey.Question, r *row) {
	qu.Type = survey.TypeRoster
	if r.cons != "" {
		im.add(sheetSurvey, r.n, im.survey.colName("constraint"), "a repeat takes no constraint: put it on the fields of the repeat",
			"nhóm lặp không có constraint: hãy đặt nó ở các trường của nhóm lặp")
	}
	var cons []string
	var msgs []survey.Text
	guidance := []survey.Text{qu.Guidance}
	for _, c := range r.cols {
		if c.kind == kNote {
			if c.relevant != "" {
				im.add(sheetSurvey, c.n, im.survey.colName("relevant"), "a note becomes guidance text and cannot have its own relevant",
					"ghi chú trở thành hướng dẫn và không thể có relevant riêng")
			}
			guidance = append(guidance, c.label)
			continue
		}
		allowed, ok := columnTypes[c.kind]
		if !ok {
			im.add(sheetSurvey, c.n, "type", "%s cannot be a field of a repeat (a roster column is text, a number or select_one)",
				"%s không thể là trường của nhóm lặp (cột của bảng là văn bản, số hoặc select_one)", c.typ)
			// Kept as a text column, so that the rest of the repeat is still checked.
			qu.Columns = append(qu.Columns, survey.Column{ID: c.name, Type: survey.ColumnText, Label: c.label})
			continue
		}
		col := survey.Column{ID: c.name, Type: allowed[0], Label: c.label, Required: c.required}
		if c.column != "" {
			ct := survey.ColumnType(c.column)
			if !contains(columnNames(allowed), c.column) {
				im.add(sheetSurvey, c.n, im.survey.colName("fieldsurvey_column"), "%q does not fit a field of type %s (it can be: %s)",
					"%q không hợp với trường loại %s (có thể là: %s)", c.column, c.typ, strings.Join(columnNames(allowed), ", "))
			} else {
				col.Type = ct
			}
		}
		if c.scale != "" {
			im.add(sheetSurvey, c.n, im.survey.colName("fieldsurvey_scale"), "a field of a repeat cannot be a rating: use fieldsurvey_column stars",
				"trường của nhóm lặp không thể là câu đánh giá: hãy dùng fieldsurvey_column stars")
		}
		if c.relevant != "" {
			im.add(sheetSurvey, c.n, im.survey.colName("relevant"), "a column of a roster is always shown: relevant is not supported inside a repeat",
				"cột của bảng luôn hiển thị: không hỗ trợ relevant trong nhóm lặp")
		}
		if col.Type == survey.ColumnChoice {
			choices, ok := im.lists[c.list]
			if !ok {
				im.add(sheetSurvey, c.n, "type", "the choice list %q is missing from the choices sheet", "danh sách lựa chọn %q không có trong trang choices", c.list)
			}
			for _, ch := range choices {
				col.Options = append(col.Options, survey.Option{Code: ch.name, Label: ch.label})
			}
		} else if c.kind == kSelectOne {
			choices, ok := im.lists[c.list]
			switch {
			case !ok:
				im.add(sheetSurvey, c.n, "type", "the choice list %q is missing from the choices sheet", "danh sách lựa chọn %q không có trong trang choices", c.list)
			case col.Type == survey.ColumnYesNo && len(choices) != 2:
				im.add(sheetSurvey, c.n, im.survey.colName("fieldsurvey_column"), "a yes/no column takes a list of two choices (yes and no); %s has %d",
					"cột có/không cần danh sách hai lựa chọn (có và không); %s có %d", c.list, len(choices))
			}
		}
		if !c.hint.Empty() {
			line := survey.Text{}
			for _, l := range im.langs {
				if h := c.hint[l]; h != "" {
					line[l] = c.label.Get(l) + ": " + h
				}
			}
			guidance = append(guidance, line)
		}
		cell := "cell(" + quote(c.name) + ")"
		if c.kind == kInteger && col.Type == survey.ColumnNumber {
			cons = append(cons, fmt.Sprintf("%s == nil or floor(%s) == %s", cell, cell, cell))
			msgs = append(msgs, im.bothLangs(c.label, "a whole number is expected", "cần nhập số nguyên"))
		}
		if c.cons != "" {
			out, err := translate(c.cons, im.ctx(c))
			if err != nil {
				im.xpathProblem(c, "constraint", err)
			} else {
				// An empty cell passes, as an unanswered field does in XLSForm.
				cons = append(cons, "("+cell+" ?? \"\") == \"\" or "+wrapOr(out))
				m := c.cmsg
				if m.Empty() {
					m = im.bothLangs(c.label, "the rule "+c.cons+" is not met", "không đáp ứng quy tắc "+c.cons)
				}
				msgs = append(msgs, m)
			}
		}
		qu.Columns = append(qu.Columns, col)
	}
	qu.Guidance = joinText(guidance, im.langs)
	switch len(cons) {
	case 0:
	case 1:
		qu.RowConstraint = cons[0]
	default:
		qu.RowConstraint = "(" + strings.Join(cons, ") and (") + ")"
	}
	if len(msgs) > 0 {
		qu.RowConstraintMessage = survey.Text{}
		for _, l := range im.langs {
			var parts []string
			for _, m := range msgs {
				parts = append(parts, m.Get(l))
			}
			qu.RowConstraintMessage[l] = strings.Join(parts, "; ")
		}
	}
}

// wrapOr parenthesises an expression that is joined with "or".
func wrapOr(s string) string { return "(" + s + ")" }

func columnNames(ts []survey.ColumnType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// bothLangs returns "LABEL: en" / "LABEL: vi" in every language of the form.
func (im *importer) bothLangs(label survey.Text, en, vi string) survey.Text {
	out := survey.Text{}
	for _, l := range im.langs {
		msg := en
		if l == survey.LangVI {
			msg = vi
		}
		out[l] = label.Get(l) + ": " + msg
	}
	return out
}
