package xlsform

import (
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// kind is what a row of the survey sheet declares.
type kind int

const (
	kSkip kind = iota // a metadata row fieldsurvey records itself (start, deviceid, …)
	kText
	kInteger
	kDecimal
	kDate
	kSelectOne
	kSelectMultiple
	kNote
	kBeginGroup
	kEndGroup
	kBeginRepeat
	kEndRepeat
	kBad // a row whose type is refused: kept only so that references to it are not reported again
)

// row is one row of the survey sheet.
type row struct {
	n        int // spreadsheet row
	typ      string
	kind     kind
	list     string
	name     string
	label    survey.Text
	hint     survey.Text
	cmsg     survey.Text
	required bool
	relevant string
	cons     string
	scale    string // fieldsurvey_scale: a rating question on that scale
	column   string // fieldsurvey_column: the roster column type of a field of a repeat
	orOther  bool   // select_one LIST or_other: the question gets a choice "other" (other.go)
	otherOf  *row   // for the text question or_other adds: the select it follows
	groups   []*row // the groups that hold the row, outermost first
	repeat   *row   // the repeat that holds the row
	cols     []*row // for a repeat: its fields, in order
}

// metadata are the XLSForm types that record facts about the interview rather than ask a
// question; fieldsurvey records its own (times, device, assessor), so they are left out.
var metadata = map[string]bool{"start": true, "end": true, "today": true, "deviceid": true, "subscriberid": true,
	"simserial": true, "phonenumber": true, "username": true, "email": true, "audit": true, "start-geopoint": true}

// supportedTypes is the list of types in messages.
const supportedTypes = "text, integer, decimal, date, select_one LIST [or_other], select_multiple LIST [or_other], note, begin/end group, begin/end repeat"

// parseType reads a type cell; orOther says a select ends with or_other.
func parseType(s string) (k kind, list string, orOther, ok bool) {
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 0 {
		return 0, "", false, false
	}
	switch strings.Join(f, " ") {
	case "text", "string":
		return kText, "", false, true
	case "integer", "int":
		return kInteger, "", false, true
	case "decimal":
		return kDecimal, "", false, true
	case "date":
		return kDate, "", false, true
	case "note":
		return kNote, "", false, true
	case "begin group", "begin_group":
		return kBeginGroup, "", false, true
	case "end group", "end_group":
		return kEndGroup, "", false, true
	case "begin repeat", "begin_repeat":
		return kBeginRepeat, "", false, true
	case "end repeat", "end_repeat":
		return kEndRepeat, "", false, true
	}
	if len(f) == 1 && metadata[f[0]] {
		return kSkip, "", false, true
	}
	if (len(f) == 2 || len(f) == 3 && f[2] == "or_other") && (f[0] == "select_one" || f[0] == "select_multiple") {
		// The list name keeps its case: lists are matched as written.
		list, orOther = strings.Fields(s)[1], len(f) == 3
		if f[0] == "select_one" {
			return kSelectOne, list, orOther, true
		}
		return kSelectMultiple, list, orOther, true
	}
	return 0, "", false, false
}

// readRows reads the survey sheet into rows, checking types, names, and that every group
// and repeat is closed.
func (im *importer) readRows() {
	s := im.survey
	if _, ok := s.cols["type"]; !ok {
		im.add(sheetSurvey, 1, "", "no type column", "không có cột type")
		return
	}
	if _, ok := s.cols["name"]; !ok {
		im.add(sheetSurvey, 1, "", "no name column", "không có cột name")
		return
	}
	for _, col := range []string{"choice_filter", "repeat_count", "calculation", "default", "read_only", "trigger"} {
		if _, ok := s.cols[col]; ok {
			for i, r := range s.rows {
				if s.get(r, col) != "" {
					im.add(sheetSurvey, i+2, s.colName(col), "the %s column is not supported: leave it empty", "cột %s không được hỗ trợ: hãy để trống", col)
				}
			}
		}
	}
	im.byName = map[string]*row{}
	var stack []*row // open groups and repeats
	for i, r := range s.rows {
		n := i + 2
		typ, name := s.get(r, "type"), s.get(r, "name")
		if typ == "" && name == "" {
			continue
		}
		k, list, orOther, ok := parseType(typ)
		switch {
		case typ == "":
			im.add(sheetSurvey, n, "type", "missing", "thiếu")
			continue
		case !ok:
			im.add(sheetSurvey, n, "type", "unknown type %q (supported: %s)", "loại %q không được hỗ trợ (hỗ trợ: %s)", typ, supportedTypes)
			if _, dup := im.byName[name]; idPattern.MatchString(name) && !dup {
				im.byName[name] = &row{n: n, kind: kBad, name: name}
			}
			continue
		case k == kSkip:
			im.notices = append(im.notices, Problem{Sheet: sheetSurvey, Row: n, Column: "type", Msg: survey.T(
				typ+": left out: fieldsurvey records the interview's times, device and assessor itself",
				typ+": bỏ qua: fieldsurvey tự ghi thời gian, thiết bị và người phỏng vấn")})
			continue
		}
		rw := &row{n: n, typ: typ, kind: k, list: list, name: name, orOther: orOther,
			label: im.text(s, r, "label"), hint: im.text(s, r, "hint"), cmsg: im.text(s, r, "constraint_message"),
			relevant: s.get(r, "relevant"), cons: s.get(r, "constraint"),
			scale: s.get(r, "fieldsurvey_scale"), column: strings.ToLower(s.get(r, "fieldsurvey_column"))}
		if req := s.get(r, "required"); req != "" {
			switch strings.ToLower(req) {
			case "yes", "true", "true()", "1", "y":
				rw.required = true
			case "no", "false", "false()", "0", "n":
			default:
				im.add(sheetSurvey, n, s.colName("required"), "%q: write yes or no (conditions are not supported)",
					"%q: hãy ghi yes hoặc no (không hỗ trợ điều kiện)", req)
			}
		}
		if k == kEndGroup || k == kEndRepeat {
			want := kBeginGroup
			what := "group"
			if k == kEndRepeat {
				want, what = kBeginRepeat, "repeat"
			}
			if len(stack) == 0 {
				im.add(sheetSurvey, n, "type", "end %s without a begin %s before it", "end %s không có begin %s tương ứng", what, what)
				continue
			}
			top := stack[len(stack)-1]
			if top.kind != want {
				im.add(sheetSurvey, n, "type", "end %s, but the open block is %q (begin %s at row %d)", "end %s, nhưng khối đang mở là %q (begin %s ở dòng %d)",
					what, top.name, kindWord(top.kind), top.n)
				continue
			}
			stack = stack[:len(stack)-1]
			continue
		}
		// A named row. One with a bad name still opens its block, so that the rows after it
		// are read in the right group.
		good := true
		switch {
		case name == "":
			im.add(sheetSurvey, n, "name", "missing: every question, note, group and repeat needs a name",
				"thiếu: mỗi câu hỏi, ghi chú, nhóm và nhóm lặp cần có tên")
			good = false
		case !idPattern.MatchString(name):
			im.add(sheetSurvey, n, "name", "%q: a name is letters, digits, '.', '_' or '-', starting with a letter or digit",
				"%q: tên gồm chữ, số, '.', '_' hoặc '-', bắt đầu bằng chữ hoặc số", name)
			good = false
		}
		if prev, dup := im.byName[name]; good && dup {
			im.add(sheetSurvey, n, "name", "duplicate name %q (first at row %d)", "tên %q bị trùng (lần đầu ở dòng %d)", name, prev.n)
			good = false
		}
		for _, b := range stack {
			if b.kind == kBeginGroup {
				rw.groups = append(rw.groups, b)
			} else {
				rw.repeat = b
			}
		}
		if k == kBeginGroup || k == kBeginRepeat {
			stack = append(stack, rw)
		}
		if !good {
			continue
		}
		if rw.repeat != nil {
			if k == kBeginGroup || k == kBeginRepeat {
				im.add(sheetSurvey, n, "type", "a %s inside repeat %q is not supported: a repeat holds fields (its table's columns)",
					"không hỗ trợ %s bên trong nhóm lặp %q: nhóm lặp chỉ chứa các trường (cột của bảng)", kindWord(k), rw.repeat.name)
				continue
			}
			rw.repeat.cols = append(rw.repeat.cols, rw)
		}
		im.byName[name] = rw
		im.rows = append(im.rows, rw)
	}
	for _, b := range stack {
		im.add(sheetSurvey, b.n, "type", "begin %s %q is never closed: add an end %s row", "begin %s %q chưa được đóng: hãy thêm dòng end %s",
			kindWord(b.kind), b.name, kindWord(b.kind))
	}
}

func kindWord(k kind) string {
	if k == kBeginRepeat || k == kEndRepeat {
		return "repeat"
	}
	return "group"
}
