package survey

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// HistoryFormat is the format tag of an interview's history as JSON (`fieldsurvey interview
// history --json`).
const HistoryFormat = "fieldsurvey-history/1"

// HistoryOptions says how BuildHistory reads who made the revisions.
type HistoryOptions struct {
	// IsServer reports whether a device id is the central server's own: its revisions are
	// the administrator's decisions and the "submitted" mark. Nil: no device is.
	IsServer func(device string) bool
}

// Who says who made a revision: the signer principal and the device, and whether the device
// is the central server.
type Who struct {
	Principal string `json:"principal"`
	Device    string `json:"device"`
	Server    bool   `json:"server,omitempty"`
}

// HistoryEntry is one revision as a history shows it: who made it and when, what it
// changed, and the value or values it replaced, each compared with the new value.
type HistoryEntry struct {
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	Key  string `json:"key,omitempty"`
	Who
	// Time is when the revision was made, in TimeFormat (UTC).
	Time string `json:"time"`
	// Value is the new value as stored.
	Value json.RawMessage `json:"value"`
	// Replaces are the ids of the revisions it replaced (sorted), as in the revision.
	Replaces []string `json:"replaces"`
	// Settles is true when it replaced two or more versions: it settled a conflict.
	Settles bool `json:"settles"`
	// From compares the new value with each value it replaced, newest first (the order in
	// which conflicts number their sides); a target's first value is compared with nothing:
	// one side with an empty id.
	From []HistorySide `json:"from"`

	// At is Time as a time.
	At time.Time `json:"-"`
	// What names the target in every language ("answer 7.1 — …", "status").
	What Text `json:"-"`
}

// HistorySide is one value a revision replaced, and what the revision changed in it.
type HistorySide struct {
	// ID is the replaced revision; empty when there was nothing before.
	ID string `json:"id"`
	Who
	Time string `json:"time,omitempty"`
	// Missing: this store does not hold the replaced revision (it has not arrived yet), so
	// there is nothing to compare.
	Missing bool `json:"missing,omitempty"`
	// Same: the new value is this side's value unchanged (a side taken as it was).
	Same bool `json:"same,omitempty"`
	// Changes are the fields that differ, in a fixed order per kind.
	Changes []FieldChange `json:"changes"`

	At time.Time `json:"-"`
}

// DiffChanged marks an evidence item whose content changed in place.
const DiffChanged DiffOp = "~"

// FieldChange is one field whose value a revision changed.
type FieldChange struct {
	// Field is the field's stable name: rating, value, comment, probes, evidence (answers);
	// rating, comment (section summaries); agency, province, role, category, date, place,
	// consent (respondent); status, reason (status); questionnaire, assessor, device (the
	// interview's creation); polarity, text, source, in_scope, note (an evidence item).
	Field string `json:"field"`
	// Old and New are the values in machine form: a rating or status code, a date, the
	// text, "true" or "false"; empty when unset.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Words is the word diff of a text field (comments, reasons, text answers, names).
	Words []WordRun `json:"words,omitempty"`
	// Items compares evidence lists item by item.
	Items []ItemChange `json:"items,omitempty"`

	// Label is the field's name in every language.
	Label Text `json:"-"`
	// OldText and NewText are the values as people read them in every language: the scale
	// label of a rating, the label of a status, an option or a category; yes or no.
	OldText Text `json:"-"`
	NewText Text `json:"-"`
	// Rating marks a rating field: Old and New are codes of a scale.
	Rating bool `json:"-"`
}

// ItemChange is one evidence item added, removed or changed.
type ItemChange struct {
	// Op is "+" (added), "-" (removed) or "~" (changed in place).
	Op DiffOp `json:"op"`
	// Index is the item's position (from 1) in the new list, or in the old list for a
	// removed item.
	Index int       `json:"index"`
	Old   *Evidence `json:"old,omitempty"`
	New   *Evidence `json:"new,omitempty"`
	// Changes are the fields of a changed item that differ.
	Changes []FieldChange `json:"changes,omitempty"`
}

// CausalOrder returns revs (duplicates once) so that every revision comes after the
// revisions it replaces; among revisions that may come next, the earliest by time, then
// (several changes saved together share a time) by device and the device's counter, then
// by id. Replaced revisions missing from revs do not hold anything back. The same set gives
// the same order whatever order it arrives in.
func CausalOrder(revs []Revision) []Revision {
	byID := make(map[string]Revision, len(revs))
	for _, r := range revs {
		byID[r.ID] = r
	}
	waiting := make(map[string]int, len(byID))   // replaced revisions present, not yet placed
	next := make(map[string][]string, len(byID)) // replaced id → the revisions replacing it
	ready := &revHeap{}
	for id, r := range byID {
		for _, p := range slices.Compact(slices.Sorted(slices.Values(r.Replaces))) {
			if _, ok := byID[p]; ok && p != id {
				waiting[id]++
				next[p] = append(next[p], id)
			}
		}
		if waiting[id] == 0 {
			heap.Push(ready, r)
		}
	}
	out := make([]Revision, 0, len(byID))
	placed := make(map[string]bool, len(byID))
	for ready.Len() > 0 {
		r := heap.Pop(ready).(Revision)
		out = append(out, r)
		placed[r.ID] = true
		for _, c := range next[r.ID] {
			if waiting[c]--; waiting[c] == 0 {
				heap.Push(ready, byID[c])
			}
		}
	}
	if len(out) < len(byID) {
		// A cycle cannot be built with content-hashed ids; should a forged set hold one,
		// its revisions come last, by time and id, rather than being dropped.
		var rest []Revision
		for id, r := range byID {
			if !placed[id] {
				rest = append(rest, r)
			}
		}
		slices.SortFunc(rest, earlier)
		out = append(out, rest...)
	}
	return out
}

func earlier(a, b Revision) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	if c := strings.Compare(a.Device, b.Device); c != 0 {
		return c
	}
	if a.Counter != b.Counter {
		if a.Counter < b.Counter {
			return -1
		}
		return 1
	}
	return strings.Compare(a.ID, b.ID)
}

type revHeap []Revision

func (h revHeap) Len() int           { return len(h) }
func (h revHeap) Less(i, j int) bool { return earlier(h[i], h[j]) < 0 }
func (h revHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *revHeap) Push(x any)        { *h = append(*h, x.(Revision)) }
func (h *revHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}

// BuildHistory returns the history of revs (the revisions of one interview, or of one of
// its targets) in causal order: each revision with who made it, when, and what it changed
// from each value it replaced. q, the interview's questionnaire, names questions and rating
// steps; it may be nil (codes and ids are shown then). A value that cannot be decoded is an
// error (stores verify values before they keep them).
func BuildHistory(q *Questionnaire, revs []Revision, o HistoryOptions) ([]HistoryEntry, error) {
	isServer := o.IsServer
	if isServer == nil {
		isServer = func(string) bool { return false }
	}
	ordered := CausalOrder(revs)
	byID := make(map[string]Revision, len(ordered))
	for _, r := range ordered {
		byID[r.ID] = r
	}
	out := make([]HistoryEntry, 0, len(ordered))
	for _, r := range ordered {
		t := r.Target()
		rep := r.Replaces
		if rep == nil {
			rep = []string{}
		}
		e := HistoryEntry{ID: r.ID, Kind: r.Kind, Key: r.Key,
			Who:  Who{Principal: r.Author, Device: r.Device, Server: isServer(r.Device)},
			Time: r.Time.UTC().Format(TimeFormat), At: r.Time, Value: r.Value, Replaces: rep,
			Settles: len(r.Replaces) > 1, What: targetWhat(q, t, len(r.Replaces) == 0)}
		if len(r.Replaces) == 0 {
			ch, err := DiffValues(q, t, nil, r.Value)
			if err != nil {
				return nil, fmt.Errorf("history of %s: revision %s: %w", r.Interview, short(r.ID), err)
			}
			e.From = []HistorySide{{Changes: ch}}
		}
		var present []Revision
		var missing []string
		for _, id := range r.Replaces {
			if old, ok := byID[id]; ok {
				present = append(present, old)
			} else {
				missing = append(missing, id)
			}
		}
		SortNewestFirst(present)
		for _, old := range present {
			ch, err := DiffValues(q, t, old.Value, r.Value)
			if err != nil {
				return nil, fmt.Errorf("history of %s: revision %s: %w", r.Interview, short(r.ID), err)
			}
			e.From = append(e.From, HistorySide{ID: old.ID,
				Who:  Who{Principal: old.Author, Device: old.Device, Server: isServer(old.Device)},
				Time: old.Time.UTC().Format(TimeFormat), At: old.Time, Same: len(ch) == 0, Changes: ch})
		}
		for _, id := range missing {
			e.From = append(e.From, HistorySide{ID: id, Missing: true, Changes: []FieldChange{}})
		}
		for i := range e.From {
			if e.From[i].Changes == nil {
				e.From[i].Changes = []FieldChange{}
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// TargetText names target t in every language: "answer 7.1 — <question>", "summary of
// section 7 — <title>", "respondent", "status", "interview record". q may be nil.
func TargetText(q *Questionnaire, t Target) Text { return targetWhat(q, t, false) }

func targetWhat(q *Questionnaire, t Target, first bool) Text {
	join := func(en, vi string, title Text) Text {
		if title.Empty() {
			return T(en, vi)
		}
		return T(en+" — "+title.Get(LangEN), vi+" — "+title.Get(LangVI))
	}
	switch t.Kind {
	case KindAnswer:
		var title Text
		if q != nil {
			if qu, ok := q.Question(t.Key); ok {
				title = qu.Text
			}
		}
		return join("answer "+t.Key, "câu trả lời "+t.Key, title)
	case KindSection:
		var title Text
		if q != nil {
			if s, ok := q.Section(t.Key); ok {
				title = s.Title
			}
		}
		return join("summary of section "+t.Key, "tóm tắt phần "+t.Key, title)
	case KindRespondent:
		return T("respondent", "người trả lời")
	case KindStatus:
		return T("status", "trạng thái")
	case KindInterview:
		if first {
			return T("interview created", "tạo cuộc phỏng vấn")
		}
		return T("interview record", "thông tin cuộc phỏng vấn")
	case KindAssessment:
		return T("assessment record", "thông tin bản đánh giá")
	case KindText:
		if sec, ok := AnalysisSection(t.Key); ok {
			return T("analysis of section "+sec, "phân tích phần "+sec)
		}
		return T("text "+t.Key, "văn bản "+t.Key)
	case KindAction:
		return T("action "+t.Key, "hành động "+t.Key)
	case KindDataset:
		return T("key dataset "+t.Key, "bộ dữ liệu chính "+t.Key)
	case KindRow:
		qid, row, ok := SplitRowKey(t.Key)
		if !ok {
			return T("row "+t.Key, "dòng "+t.Key)
		}
		var title Text
		if q != nil {
			if qu, ok := q.Question(qid); ok {
				title = qu.Text
			}
		}
		return join("row "+ShortRowID(row)+" of roster "+qid, "dòng "+ShortRowID(row)+" của bảng "+qid, title)
	}
	return T(string(t.Kind), string(t.Kind))
}

// DiffValues compares two values of target t (old nil: nothing before) and returns the
// fields that differ, in a fixed order per kind. q may be nil.
func DiffValues(q *Questionnaire, t Target, old, new json.RawMessage) ([]FieldChange, error) {
	dec := func(raw json.RawMessage, v any) error {
		if len(raw) == 0 {
			return nil
		}
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("decode %s value: %w", t.Kind, err)
		}
		return nil
	}
	d := differ{first: old == nil}
	switch t.Kind {
	case KindAnswer:
		var a, b Answer
		if err := errorsJoin(dec(old, &a), dec(new, &b)); err != nil {
			return nil, err
		}
		var qu *Question
		if q != nil {
			qu, _ = q.Question(t.Key)
		}
		d.answer(q, qu, a, b)
	case KindSection:
		var a, b SectionSummary
		if err := errorsJoin(dec(old, &a), dec(new, &b)); err != nil {
			return nil, err
		}
		sc := readiness
		if q != nil {
			if s, ok := q.Section(t.Key); ok {
				sc = q.SectionScale(s)
			}
		}
		d.rating(sc, a.Rating, b.Rating)
		d.words("comment", T("comment", "nhận xét"), a.Comment, b.Comment)
	case KindRespondent:
		var a, b Respondent
		if err := errorsJoin(dec(old, &a), dec(new, &b)); err != nil {
			return nil, err
		}
		d.respondent(q, a, b)
	case KindStatus:
		var a, b StatusChange
		if err := errorsJoin(dec(old, &a), dec(new, &b)); err != nil {
			return nil, err
		}
		if a.Status != b.Status {
			d.add(FieldChange{Field: "status", Label: T("status", "trạng thái"), Old: string(a.Status), New: string(b.Status),
				OldText: statusText(a.Status), NewText: statusText(b.Status)})
		}
		d.words("reason", T("reason", "lý do"), a.Reason, b.Reason)
	case KindInterview:
		var a, b InterviewMeta
		if err := errorsJoin(dec(old, &a), dec(new, &b)); err != nil {
			return nil, err
		}
		qa, qb := strings.TrimSpace(a.Questionnaire+" "+a.QuestionnaireVersion), strings.TrimSpace(b.Questionnaire+" "+b.QuestionnaireVersion)
		d.plain("questionnaire", T("questionnaire", "bảng hỏi"), qa, qb)
		d.plain("assessor", T("assessor", "người đánh giá"), a.Assessor, b.Assessor)
		d.plain("device", T("device", "thiết bị"), a.Device, b.Device)
		d.plain("assignee", T("assigned to", "giao cho"), a.Assignee, b.Assignee)
		d.plain("due", T("due", "hạn"), a.Due, b.Due)
		d.words("note", T("note", "ghi chú"), a.Note, b.Note)
	case KindRow:
		var a, b RosterRow
		if err := errorsJoin(dec(old, &a), dec(new, &b)); err != nil {
			return nil, err
		}
		var qu *Question
		if q != nil {
			if qid, _, ok := SplitRowKey(t.Key); ok {
				qu, _ = q.Question(qid)
			}
		}
		d.row(qu, a.Normalized(), b.Normalized())
	default:
		return nil, fmt.Errorf("unknown kind %q", t.Kind)
	}
	return d.out, nil
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func statusText(s Status) Text {
	if s == "" {
		return nil
	}
	return s.Label()
}

// differ collects the changes of one comparison. first: the old value is nothing (a
// target's first value), so a false flag before it is no value at all.
type differ struct {
	out   []FieldChange
	first bool
}

// flag records a yes/no field.
func (d *differ) flag(field string, label Text, a, b bool) {
	if a == b {
		return
	}
	c := FieldChange{Field: field, Label: label, Old: strconv.FormatBool(a), New: strconv.FormatBool(b),
		OldText: yesNo(a), NewText: yesNo(b)}
	if d.first {
		c.Old, c.OldText = "", nil
	}
	d.add(c)
}

func (d *differ) add(c FieldChange) { d.out = append(d.out, c) }

// plain records a field compared whole.
func (d *differ) plain(field string, label Text, a, b string) {
	if a == b {
		return
	}
	d.add(FieldChange{Field: field, Label: label, Old: a, New: b, OldText: same(a), NewText: same(b)})
}

// words records a text field with its word diff.
func (d *differ) words(field string, label Text, a, b string) {
	a, b = NFC(a), NFC(b)
	if a == b {
		return
	}
	d.add(FieldChange{Field: field, Label: label, Old: a, New: b, Words: DiffWords(a, b),
		OldText: same(a), NewText: same(b)})
}

// same is s in every language (nil for "").
func same(s string) Text {
	if s == "" {
		return nil
	}
	return T(s, s)
}

func stepText(sc *Scale, c Code) Text {
	if c == "" {
		return nil
	}
	if st, ok := sc.Step(c); ok {
		return st.Label
	}
	return same(string(c))
}

func (d *differ) rating(sc *Scale, a, b Code) {
	if a == b {
		return
	}
	d.add(FieldChange{Field: "rating", Label: T("rating", "mức đánh giá"), Old: string(a), New: string(b),
		OldText: stepText(sc, a), NewText: stepText(sc, b), Rating: true})
}

func yesNo(b bool) Text {
	if b {
		return T("yes", "có")
	}
	return T("no", "không")
}

func (d *differ) answer(q *Questionnaire, qu *Question, a, b Answer) {
	sc := readiness
	if q != nil && qu != nil {
		sc = q.ScaleOf(qu)
	}
	d.rating(sc, a.Rating, b.Rating)
	if !reflect.DeepEqual(a.Value, b.Value) {
		_, sa := a.Value.(string)
		_, sb := b.Value.(string)
		if qu != nil && qu.Type == TypeText && (sa || a.Value == nil) && (sb || b.Value == nil) {
			va, _ := a.Value.(string)
			vb, _ := b.Value.(string)
			d.words("value", T("answer", "câu trả lời"), va, vb)
		} else {
			d.add(FieldChange{Field: "value", Label: T("answer", "câu trả lời"), Old: machineValue(a.Value),
				New: machineValue(b.Value), OldText: valueText(qu, a.Value), NewText: valueText(qu, b.Value)})
		}
	}
	d.words("comment", T("comment", "nhận xét"), a.Comment, b.Comment)
	d.evidence(a.Evidence, b.Evidence)
	if !slices.Equal(a.Probes, b.Probes) {
		d.plain("probes", T("probes asked", "câu hỏi gợi ý đã hỏi"), strings.Join(a.Probes, ", "), strings.Join(b.Probes, ", "))
	}
}

// machineValue writes an answer value in machine form.
func machineValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return fmtNum(x)
	case []string:
		return strings.Join(x, ",")
	}
	return fmt.Sprint(v)
}

// valueText writes an answer value as people read it: option labels, yes or no.
func valueText(qu *Question, v any) Text {
	label := func(code string) Text {
		if qu != nil {
			for _, o := range qu.Options {
				if o.Code == code {
					return o.Label
				}
			}
		}
		return same(code)
	}
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		return yesNo(x)
	case string:
		if qu != nil && qu.Type == TypeSingle {
			return label(x)
		}
		return same(x)
	case []string:
		en, vi := make([]string, len(x)), make([]string, len(x))
		for i, c := range x {
			l := label(c)
			en[i], vi[i] = l.Get(LangEN), l.Get(LangVI)
		}
		return T(strings.Join(en, ", "), strings.Join(vi, ", "))
	}
	return same(machineValue(v))
}

// row records the changes of a roster row: deleted or restored, moved (its position), and
// each cell, columns in the questionnaire's order (then any the questionnaire lacks).
func (d *differ) row(qu *Question, a, b RosterRow) {
	if a.IsEmpty() != b.IsEmpty() && !d.first {
		if b.IsEmpty() {
			d.add(FieldChange{Field: "row", Label: T("row", "dòng"), Old: "present", New: "deleted",
				OldText: T("present", "có"), NewText: T("deleted", "đã xoá")})
		} else {
			d.add(FieldChange{Field: "row", Label: T("row", "dòng"), Old: "deleted", New: "present",
				OldText: T("deleted", "đã xoá"), NewText: T("restored", "khôi phục")})
		}
	}
	if a.Pos != b.Pos && !b.IsEmpty() {
		c := FieldChange{Field: "pos", Label: T("position", "vị trí"), Old: fmtNum(a.Pos), New: fmtNum(b.Pos)}
		if d.first || a.IsEmpty() {
			c.Old = ""
		}
		if !d.first {
			d.add(c)
		}
	}
	var cols []Column
	if qu != nil {
		cols = append(cols, qu.Columns...)
	}
	var extra []string
	for _, m := range []map[string]any{a.Cells, b.Cells} {
		for k := range m {
			if qu == nil {
				extra = append(extra, k)
			} else if _, ok := qu.Column(k); !ok {
				extra = append(extra, k)
			}
		}
	}
	slices.Sort(extra)
	for _, k := range slices.Compact(extra) {
		cols = append(cols, Column{ID: k, Type: ColumnText, Label: T(k, k)})
	}
	for _, c := range cols {
		va, vb := a.Cells[c.ID], b.Cells[c.ID]
		if reflect.DeepEqual(va, vb) {
			continue
		}
		field := "cells." + c.ID
		sa, oka := va.(string)
		sb, okb := vb.(string)
		if c.Type == ColumnText && (oka || va == nil) && (okb || vb == nil) {
			d.words(field, c.Label, sa, sb)
			continue
		}
		text := func(v any) Text {
			if v == nil {
				return nil
			}
			return T(c.CellText(v, LangEN), c.CellText(v, LangVI))
		}
		d.add(FieldChange{Field: field, Label: c.Label, Old: CellString(va), New: CellString(vb), OldText: text(va), NewText: text(vb)})
	}
}

// ShortRowID is the first 8 digits of a row id, as screens and histories name a row.
func ShortRowID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func (d *differ) respondent(q *Questionnaire, a, b Respondent) {
	d.words("agency", T("agency", "cơ quan"), a.Agency, b.Agency)
	d.words("province", T("province or ministry", "tỉnh hoặc bộ"), a.Province, b.Province)
	d.words("role", T("role", "chức vụ"), a.Role, b.Role)
	if a.Category != b.Category {
		cat := func(c string) Text {
			if c == "" {
				return nil
			}
			var opts []Option
			if q != nil {
				opts = q.Categories()
			} else {
				opts = DefaultCategories
			}
			for _, o := range opts {
				if o.Code == c {
					return o.Label
				}
			}
			return same(c)
		}
		d.add(FieldChange{Field: "category", Label: T("stakeholder category", "nhóm đối tượng"), Old: a.Category, New: b.Category,
			OldText: cat(a.Category), NewText: cat(b.Category)})
	}
	d.plain("date", T("date", "ngày"), a.Date, b.Date)
	d.words("place", T("place", "địa điểm"), a.Place, b.Place)
	d.flag("consent", T("consent", "đồng ý"), a.Consent, b.Consent)
}

// evidence compares two evidence lists item by item: items equal in both are matched as a
// longest common subsequence; between two matched items, the items left are paired in
// order as changed in place, and what remains is added or removed.
func (d *differ) evidence(a, b []Evidence) {
	if slices.Equal(a, b) {
		return
	}
	pairs := lcsPairs(len(a), len(b), func(i, j int) bool { return a[i] == b[j] })
	pairs = append(pairs, [2]int{len(a), len(b)}) // a sentinel after the last items
	var items []ItemChange
	i, j := 0, 0
	for _, p := range pairs {
		for i < p[0] && j < p[1] {
			old, nw := a[i], b[j]
			sub := differ{first: d.first}
			if old.Polarity != nw.Polarity {
				sub.add(FieldChange{Field: "polarity", Label: T("sign", "dấu"), Old: string(old.Polarity), New: string(nw.Polarity),
					OldText: same(string(old.Polarity)), NewText: same(string(nw.Polarity))})
			}
			sub.words("text", T("text", "nội dung"), old.Text, nw.Text)
			sub.words("source", T("source", "nguồn"), old.Source, nw.Source)
			sub.flag("in_scope", T("in scope", "trong phạm vi"), old.InScope, nw.InScope)
			sub.words("note", T("note", "ghi chú"), old.Note, nw.Note)
			items = append(items, ItemChange{Op: DiffChanged, Index: j + 1, Old: &old, New: &nw, Changes: sub.out})
			i++
			j++
		}
		for ; i < p[0]; i++ {
			old := a[i]
			items = append(items, ItemChange{Op: DiffDelete, Index: i + 1, Old: &old})
		}
		for ; j < p[1]; j++ {
			nw := b[j]
			items = append(items, ItemChange{Op: DiffInsert, Index: j + 1, New: &nw})
		}
		i, j = p[0]+1, p[1]+1
	}
	if len(items) == 0 {
		return // the same items (the lists differ only in a way == does not see)
	}
	d.add(FieldChange{Field: "evidence", Label: T("evidence", "bằng chứng"), Items: items})
}

// lcsPairs returns the index pairs of a longest common subsequence of two sequences of
// lengths n and m, in order.
func lcsPairs(n, m int, eq func(i, j int) bool) [][2]int {
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if eq(i, j) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out [][2]int
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case eq(i, j):
			out = append(out, [2]int{i, j})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			i++
		default:
			j++
		}
	}
	return out
}
