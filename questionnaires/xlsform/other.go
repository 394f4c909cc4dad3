package xlsform

import (
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// A select typed "select_one LIST or_other" or "select_multiple LIST or_other" is expanded
// as ODK's converter (pyxform) expands it:
//
//   - the question gets one more choice, code "other", after the list's own — on that
//     question only: the list may be shared with questions without or_other;
//   - a text question NAME_other follows it, asked only when "other" is chosen
//     (${NAME} = 'other' for select_one, selected(${NAME}, 'other') for select_multiple),
//     and only while the select itself is asked: its own relevant is repeated, because
//     fieldsurvey keeps the answer of a question that stops being relevant where ODK
//     clears it. Its groups' relevants apply to it as to the select. It is not required,
//     as in ODK.
//
// Their labels are "Other" and "Specify other" in English, "Khác" and "Ghi rõ khác" in
// Vietnamese, and the English words in any other language of the form (as pyxform writes
// "Other" in every language); a notice says what was added.
//
// Refused, on the row: a list that already has a choice "other", a form that already has a
// row named NAME_other, or_other on a rating (fieldsurvey_scale: its options are the
// scale's) and on a field of a repeat (a roster's columns are always shown: there is no
// column asked only for some rows). A choice_filter is refused with or without or_other.

// otherCode is the code of the choice or_other adds.
const otherCode = "other"

// Labels of what or_other adds.
var (
	otherLabel   = survey.T("Other", "Khác")
	specifyLabel = survey.T("Specify other", "Ghi rõ khác")
)

// words gives t in each language of the form, English where t has no translation.
func (im *importer) words(t survey.Text) survey.Text {
	out := survey.Text{}
	for _, l := range im.langs {
		if s, ok := t[l]; ok {
			out[l] = s
		} else {
			out[l] = t[survey.LangEN]
		}
	}
	return out
}

// addOthers puts the text question of every or_other select right after it, or refuses
// the or_other (and then clears it, so that nothing is added and checked again).
func (im *importer) addOthers() {
	var out []*row
	for _, r := range im.rows {
		out = append(out, r)
		if !r.orOther {
			continue
		}
		if fu := im.otherQuestion(r); fu != nil {
			out = append(out, fu)
			continue
		}
		r.orOther = false
		if _, taken := im.byName[r.name+"_other"]; !taken {
			// What refers to NAME_other is not reported again: the or_other row says what is wrong.
			im.byName[r.name+"_other"] = &row{n: r.n, kind: kBad, name: r.name + "_other"}
		}
	}
	im.rows = out
}

// otherQuestion returns the text question or_other adds after select r, or nil with the
// problem recorded.
func (im *importer) otherQuestion(r *row) *row {
	name := r.name + "_other"
	switch {
	case r.repeat != nil:
		im.add(sheetSurvey, r.n, "type", "or_other is not supported inside a repeat: a roster's columns are always shown, so none can be asked only when %q is chosen; add a choice %q to list %s and a text field for the details",
			"không hỗ trợ or_other trong nhóm lặp: các cột của bảng luôn hiển thị, không cột nào chỉ hỏi khi chọn %q; hãy thêm lựa chọn %q vào danh sách %s và một trường văn bản để ghi rõ",
			otherCode, otherCode, r.list)
		return nil
	case r.scale != "":
		im.add(sheetSurvey, r.n, "type", "or_other cannot be used on a rating (fieldsurvey_scale %s): its options are the scale's levels",
			"không dùng được or_other cho câu đánh giá (fieldsurvey_scale %s): các lựa chọn là các mức của thang", r.scale)
		return nil
	}
	bad := false
	for _, c := range im.lists[r.list] {
		if c.name == otherCode {
			im.add(sheetSurvey, r.n, "type", "list %s already has a choice %q (choices row %d), and or_other adds one: remove or_other, or rename that choice",
				"danh sách %s đã có lựa chọn %q (dòng %d trang choices), và or_other lại thêm một lựa chọn như vậy: hãy bỏ or_other hoặc đổi mã lựa chọn đó",
				r.list, otherCode, c.row)
			bad = true
		}
	}
	if prev, taken := im.byName[name]; taken {
		im.add(sheetSurvey, r.n, "type", "or_other adds a text question named %s, but row %d already has that name: remove or_other (and keep that row), or rename that row",
			"or_other thêm câu hỏi văn bản tên %s, nhưng dòng %d đã dùng tên này: hãy bỏ or_other (và giữ dòng đó), hoặc đổi tên dòng đó",
			name, prev.n)
		bad = true
	}
	if bad {
		return nil
	}
	cond := "${" + r.name + "} = '" + otherCode + "'"
	if r.kind == kSelectMultiple {
		cond = "selected(${" + r.name + "}, '" + otherCode + "')"
	}
	if r.relevant != "" {
		cond = "(" + r.relevant + ") and " + cond
	}
	fu := &row{n: r.n, typ: "text", kind: kText, name: name, label: im.words(specifyLabel), relevant: cond,
		groups: r.groups, otherOf: r}
	im.byName[name] = fu

	var odd []string // languages with no word of their own
	for _, l := range im.langs {
		if _, ok := otherLabel[l]; !ok {
			odd = append(odd, l)
		}
	}
	en := "or_other: added the choice \"other\" (Other) to " + r.name + ", and the text question " + name +
		" (Specify other) right after it, asked when \"other\" is chosen"
	vi := "or_other: đã thêm lựa chọn \"other\" (Khác) vào " + r.name + ", và câu hỏi văn bản " + name +
		" (Ghi rõ khác) ngay sau đó, được hỏi khi chọn \"other\""
	if len(odd) > 0 {
		en += "; their labels in " + strings.Join(odd, ", ") + " are in English: translate them in the questionnaire file (--out)"
		vi += "; nhãn bằng " + strings.Join(odd, ", ") + " đang là tiếng Anh: hãy dịch trong tệp bảng hỏi (--out)"
	}
	im.notices = append(im.notices, Problem{Sheet: sheetSurvey, Row: r.n, Column: "type", Msg: survey.T(en, vi)})
	return fu
}
