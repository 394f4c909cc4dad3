package desk

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The views of the assessment screen; tab goes from one to the next.
type assessView int

const (
	viewSections assessView = iota
	viewPlan
	viewDatasets
	viewCount
)

// rowForm edits one action or one key-dataset row: one text input per field, checked as an
// import line is (survey.AssessmentLine.Check) before it is written.
type rowForm struct {
	kind   survey.Kind
	id     string
	order  int
	labels []string
	inputs []textinput.Model
	focus  int
	err    string
}

func (v *assessScreen) newForm(kind survey.Kind, id string, order int, labels, values []string) tea.Cmd {
	f := &rowForm{kind: kind, id: id, order: order, labels: labels}
	for i := range labels {
		ti := textinput.New()
		ti.Prompt = ""
		ti.CharLimit = 1000
		ti.Cursor.SetMode(cursor.CursorStatic)
		ti.Width = max(10, v.c.width-24)
		ti.SetValue(values[i])
		f.inputs = append(f.inputs, ti)
	}
	v.form = f
	return f.inputs[0].Focus()
}

func (v *assessScreen) actionLabels() []string {
	c := v.c
	return []string{c.t("Action", "Hành động"), c.t("Lead agency", "Cơ quan chủ trì"), c.t("Phase/timeframe", "Giai đoạn/thời hạn"),
		c.t("Measure", "Chỉ số đo"), c.t("Sections (ids)", "Các phần (mã)"), c.t("Depends on (ids)", "Phụ thuộc (mã)")}
}

func (v *assessScreen) datasetLabels() []string {
	c := v.c
	return []string{c.t("Agency", "Cơ quan"), c.t("Data source", "Nguồn dữ liệu"), c.t("Key for public (y/n)", "Quan trọng với dân (c/k)"),
		c.t("Key to service (y/n)", "Quan trọng cho dịch vụ (c/k)"), c.t("Openness (0 N/A, 1–5)", "Mức mở (0 N/A, 1–5)"), c.t("Remarks/URL", "Ghi chú/URL")}
}

// nextID is the first of prefix1, prefix2, … that no row uses.
func nextID(prefix string, used func(string) bool) string {
	for i := 1; ; i++ {
		if id := prefix + strconv.Itoa(i); !used(id) {
			return id
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "y"
	}
	return "n"
}

// parseYes reads y/yes/c/có (true) and n/no/k/không or empty (false).
func parseYes(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes", "c", "có", "co", "1", "x", "✓":
		return true, true
	case "", "n", "no", "k", "không", "khong", "0", "-":
		return false, true
	}
	return false, false
}

func splitIDs(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		out = append(out, f)
	}
	return out
}

// tableLen is how many rows the current table has.
func (v *assessScreen) tableLen() int {
	if v.view == viewPlan {
		return len(v.a.Actions)
	}
	return len(v.a.Datasets)
}

func (v *assessScreen) tableTarget(i int) survey.Target {
	if v.view == viewPlan {
		return survey.Target{Interview: v.id, Kind: survey.KindAction, Key: v.a.Actions[i].ID}
	}
	return survey.Target{Interview: v.id, Kind: survey.KindDataset, Key: v.a.Datasets[i].ID}
}

// tableKey handles the keys of the action plan and the key datasets tables.
func (v *assessScreen) tableKey(m tea.KeyMsg) tea.Cmd {
	k := v.c.keys
	n := v.tableLen()
	v.tcur = max(0, min(v.tcur, n-1))
	confirm := v.confirm
	v.confirm = ""
	switch {
	case key.Matches(m, k.Back):
		v.view = viewSections
	case key.Matches(m, k.Views):
		v.view = (v.view + 1) % viewCount
		v.tcur = 0
	case key.Matches(m, k.EvMoveUp), key.Matches(m, k.EvMoveDown):
		if n < 2 {
			return nil
		}
		to := v.tcur - 1
		if key.Matches(m, k.EvMoveDown) {
			to = v.tcur + 1
		}
		if to < 0 || to >= n {
			return nil
		}
		return v.move(v.tcur, to)
	case key.Matches(m, k.Up):
		v.tcur = max(0, v.tcur-1)
	case key.Matches(m, k.Down):
		v.tcur = max(0, min(n-1, v.tcur+1))
	case key.Matches(m, k.EvAdd):
		if ro := v.c.opts.ReadOnly; ro != nil {
			return notice(survey.T("Read-only: "+ro.Get(survey.LangEN), "Chỉ xem: "+ro.Get(survey.LangVI)), true)
		}
		if v.view == viewPlan {
			id := nextID("A", func(id string) bool { _, ok := actionOf(v.a, id); return ok })
			return v.newForm(survey.KindAction, id, n+1, v.actionLabels(), make([]string, 6))
		}
		id := nextID("D", func(id string) bool { _, ok := datasetOf(v.a, id); return ok })
		return v.newForm(survey.KindDataset, id, n+1, v.datasetLabels(), make([]string, 6))
	case key.Matches(m, k.EvEdit) && n > 0:
		t := v.tableTarget(v.tcur)
		if r := v.refusal(t); r != nil {
			return notice(r, true)
		}
		if v.view == viewPlan {
			a := v.a.Actions[v.tcur]
			return v.newForm(survey.KindAction, a.ID, a.Order, v.actionLabels(),
				[]string{a.Action, a.Lead, a.Phase, a.Measure, strings.Join(a.Sections, ", "), strings.Join(a.DependsOn, ", ")})
		}
		d := v.a.Datasets[v.tcur]
		return v.newForm(survey.KindDataset, d.ID, d.Order, v.datasetLabels(),
			[]string{d.Agency, d.Source, yesNo(d.KeyForPublic), yesNo(d.KeyToService), strconv.Itoa(d.Openness), d.Remarks})
	case key.Matches(m, k.EvDelete) && n > 0:
		t := v.tableTarget(v.tcur)
		if r := v.refusal(t); r != nil {
			return notice(r, true)
		}
		if confirm != t.Key {
			v.confirm = t.Key
			return notice(survey.T(fmt.Sprintf("Delete %s? Press x again to delete it; any other key keeps it.", t.Key),
				fmt.Sprintf("Xoá %s? Nhấn x lần nữa để xoá; phím khác để giữ lại.", t.Key)), true)
		}
		return v.write(t, func(*survey.Assessment) []survey.Change {
			if t.Kind == survey.KindAction {
				return []survey.Change{survey.DeleteAction(v.id, t.Key)}
			}
			return []survey.Change{survey.DeleteDataset(v.id, t.Key)}
		})
	}
	return nil
}

// move moves row from to position to, writing the new order of every row whose place
// changes (the rows as stored at that moment; a conflicted row refuses the move).
func (v *assessScreen) move(from, to int) tea.Cmd {
	for _, i := range []int{from, to} {
		if r := v.refusal(v.tableTarget(i)); r != nil {
			return notice(r, true)
		}
	}
	t := v.tableTarget(from)
	plan := v.view == viewPlan
	v.tcur = to
	return v.write(t, func(a *survey.Assessment) []survey.Change {
		var ids []string
		if plan {
			for _, x := range a.Actions {
				ids = append(ids, x.ID)
			}
		} else {
			for _, x := range a.Datasets {
				ids = append(ids, x.ID)
			}
		}
		i := slices.Index(ids, t.Key)
		j := i + (to - from)
		if i < 0 || j < 0 || j >= len(ids) {
			return nil
		}
		ids[i], ids[j] = ids[j], ids[i]
		var out []survey.Change
		for n, id := range ids {
			if plan {
				it, _ := actionOf(a, id)
				if it.Order != n+1 {
					it.Order = n + 1
					out = append(out, survey.SetAction(a.ID, id, it))
				}
				continue
			}
			d, _ := datasetOf(a, id)
			if d.Order != n+1 {
				d.Order = n + 1
				out = append(out, survey.SetDataset(a.ID, id, d))
			}
		}
		return out
	})
}

// formKey handles the keys of the row form: tab/↓ and shift+tab/↑ move between fields,
// enter goes to the next field and saves on the last, esc drops the form.
func (v *assessScreen) formKey(m tea.KeyMsg) tea.Cmd {
	f := v.form
	switch m.Type {
	case tea.KeyEsc:
		v.form = nil
		return notice(survey.T("Not saved: the form was cancelled.", "Chưa lưu: đã huỷ biểu mẫu."), false)
	case tea.KeyTab, tea.KeyDown:
		return f.to(f.focus + 1)
	case tea.KeyShiftTab, tea.KeyUp:
		return f.to(f.focus - 1)
	case tea.KeyEnter:
		if f.focus < len(f.inputs)-1 {
			return f.to(f.focus + 1)
		}
		return v.submitForm()
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(m)
	return cmd
}

func (f *rowForm) to(i int) tea.Cmd {
	i = (i + len(f.inputs)) % len(f.inputs)
	f.inputs[f.focus].Blur()
	f.focus = i
	return f.inputs[i].Focus()
}

// submitForm checks the form as an import line and writes it.
func (v *assessScreen) submitForm() tea.Cmd {
	f := v.form
	val := func(i int) string { return strings.TrimSpace(survey.NFC(f.inputs[i].Value())) }
	l := survey.AssessmentLine{Assessment: v.id, ID: f.id, Order: f.order}
	var errs []string
	if f.kind == survey.KindAction {
		l.Type = survey.LineAction
		l.Action, l.Lead, l.Phase, l.Measure = val(0), val(1), val(2), val(3)
		l.Sections, l.DependsOn = splitIDs(val(4)), splitIDs(val(5))
	} else {
		l.Type = survey.LineDataset
		l.Agency, l.Source, l.Remarks = val(0), val(1), val(5)
		var ok bool
		if l.KeyForPublic, ok = parseYes(val(2)); !ok {
			errs = append(errs, f.labels[2]+": y/n")
		}
		if l.KeyToService, ok = parseYes(val(3)); !ok {
			errs = append(errs, f.labels[3]+": y/n")
		}
		n, err := strconv.Atoi(val(4))
		if val(4) == "" {
			n, err = 0, nil
		}
		if err != nil {
			errs = append(errs, f.labels[4]+": 0–5")
		}
		l.Openness = n
	}
	for _, e := range l.Check(v.q) {
		errs = append(errs, e.Field+": "+e.Msg)
	}
	for _, fe := range survey.CheckActionRefs(v.a, []survey.AssessmentLine{l}) {
		for _, e := range fe {
			errs = append(errs, e.Field+": "+e.Msg)
		}
	}
	if len(errs) > 0 {
		f.err = strings.Join(errs, "; ")
		return nil
	}
	if ro := v.c.opts.ReadOnly; ro != nil {
		v.form = nil
		return notice(survey.T("Read-only: "+ro.Get(survey.LangEN), "Chỉ xem: "+ro.Get(survey.LangVI)), true)
	}
	ch := l.Change()
	v.form = nil
	return v.write(ch.Target, func(*survey.Assessment) []survey.Change { return []survey.Change{ch} })
}

// tableView draws the action plan or the key datasets table, or the open form.
func (v *assessScreen) tableView(h int) []string {
	c, s := v.c, v.c.sty
	w := c.width
	if v.form != nil {
		return v.formView()
	}
	var out []string
	n := v.tableLen()
	if v.view == viewPlan {
		out = append(out, s.Title.Render(cut(fmt.Sprintf(c.t("Action plan · actions: %d", "Kế hoạch hành động · số hành động: %d"), n), w)))
	} else {
		out = append(out, s.Title.Render(cut(fmt.Sprintf(c.t("Key datasets · rows: %d", "Bộ dữ liệu chính · số dòng: %d"), n), w)))
	}
	if n == 0 {
		return append(out, s.Faint.Render(cut(c.t("None yet: a adds one.", "Chưa có: a để thêm."), w)))
	}
	per := max(1, (h-1)/2)
	v.ttop = window(v.tcur, n, per, v.ttop)
	for i := v.ttop; i < n && i < v.ttop+per; i++ {
		var l1, l2 string
		t := v.tableTarget(i)
		warn := ""
		if v.conflicted(t) {
			warn = s.Warning.Render("⚠ " + c.t("two versions", "hai phiên bản") + " ")
		}
		if v.view == viewPlan {
			a := v.a.Actions[i]
			l1 = a.ID + " " + a.Action
			var parts []string
			for _, p := range []struct{ label, v string }{{c.t("phase", "giai đoạn"), a.Phase}, {c.t("lead", "chủ trì"), a.Lead},
				{c.t("measure", "đo"), a.Measure}, {c.t("sections", "phần"), strings.Join(a.Sections, ",")},
				{c.t("after", "sau"), strings.Join(a.DependsOn, ",")}} {
				if p.v != "" {
					parts = append(parts, p.label+": "+p.v)
				}
			}
			l2 = strings.Join(parts, " · ")
		} else {
			d := v.a.Datasets[i]
			l1 = d.ID + " " + d.Agency + " — " + d.Source
			mark := func(b bool) string {
				if b {
					return "✓"
				}
				return "–"
			}
			l2 = c.t("public ", "dân ") + mark(d.KeyForPublic) + c.t(" · service ", " · dịch vụ ") + mark(d.KeyToService) +
				c.t(" · openness ", " · mức mở ") + survey.OpennessText(d.Openness)
			if d.Remarks != "" {
				l2 += " · " + oneLine(d.Remarks)
			}
		}
		if i == v.tcur {
			l1 = s.Selected.Render(pad("▸"+l1, w))
		} else {
			l1 = " " + l1
		}
		out = append(out, cut(l1, w), cut("     "+warn+s.Subtle.Render(l2), w))
	}
	return out
}

func (v *assessScreen) formView() []string {
	c, s := v.c, v.c.sty
	w := c.width
	f := v.form
	title := c.t("Action ", "Hành động ") + f.id
	if f.kind == survey.KindDataset {
		title = c.t("Dataset row ", "Dòng dữ liệu ") + f.id
	}
	out := []string{s.Title.Render(cut(title, w))}
	lw := 0
	for _, l := range f.labels {
		lw = max(lw, width(l))
	}
	for i, l := range f.labels {
		label := pad(l, lw) + " "
		if i == f.focus {
			label = s.Heading.Render(label)
		} else {
			label = s.Subtle.Render(label)
		}
		out = append(out, cut(label+f.inputs[i].View(), w))
	}
	out = append(out, s.Faint.Render(cut(c.t("tab/↓ next field · enter on the last field saves · esc cancels without saving",
		"tab/↓ ô sau · enter ở ô cuối để lưu · esc để huỷ không lưu"), w)))
	if f.err != "" {
		for _, l := range wrap(f.err, w) {
			out = append(out, s.Error.Render(l))
		}
	}
	return out
}

func actionOf(a *survey.Assessment, id string) (survey.ActionItem, bool) {
	for _, x := range a.Actions {
		if x.ID == id {
			return x.ActionItem, true
		}
	}
	return survey.ActionItem{}, false
}

func datasetOf(a *survey.Assessment, id string) (survey.DatasetRow, bool) {
	for _, x := range a.Datasets {
		if x.ID == id {
			return x.DatasetRow, true
		}
	}
	return survey.DatasetRow{}, false
}
