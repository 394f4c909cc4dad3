package survey

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// TypeRoster is a question whose answer is a table: rows of typed columns (ODRA's key
// datasets inventory). Each row is its own revision target (KindRow), so that two devices
// editing different rows never conflict.
const TypeRoster QuestionType = "roster"

// ColumnType says what a roster column holds.
type ColumnType string

// The column types of a roster. Cell values, as JSON holds them: text, url and choice a
// string; yesno a bool; number a float64; stars a whole float64 0..5 or the string "na"
// (not applicable). A missing cell is an empty cell.
const (
	ColumnText   ColumnType = "text"
	ColumnChoice ColumnType = "choice"
	ColumnYesNo  ColumnType = "yesno"
	ColumnNumber ColumnType = "number"
	ColumnStars  ColumnType = "stars"
	ColumnURL    ColumnType = "url"
)

// ColumnTypes lists the valid column types in a stable order.
var ColumnTypes = []ColumnType{ColumnText, ColumnChoice, ColumnYesNo, ColumnNumber, ColumnStars, ColumnURL}

// Valid reports whether t is a known column type.
func (t ColumnType) Valid() bool { return slices.Contains(ColumnTypes, t) }

// StarsNA is the value of a stars cell marked not applicable.
const StarsNA = "na"

// MaxStars is the highest value of a stars cell.
const MaxStars = 5

// MaxCellText is the longest text, url or choice cell, in bytes of UTF-8.
const MaxCellText = 10_000

// Column is one column of a roster question.
type Column struct {
	ID       string     `yaml:"id" json:"id"`
	Type     ColumnType `yaml:"type" json:"type"`
	Label    Text       `yaml:"label" json:"label"`
	Required bool       `yaml:"required,omitempty" json:"required,omitempty"`
	// Options are the choices of a choice column.
	Options []Option `yaml:"options,omitempty" json:"options,omitempty"`
	// Min and Max bound a number column.
	Min *float64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max *float64 `yaml:"max,omitempty" json:"max,omitempty"`
}

// Column returns the column of roster question qu with id.
func (qu *Question) Column(id string) (*Column, bool) {
	for i := range qu.Columns {
		if qu.Columns[i].ID == id {
			return &qu.Columns[i], true
		}
	}
	return nil, false
}

// MinRowsRequired is the number of rows a required roster needs: max(1, MinRows).
func (qu *Question) MinRowsRequired() int { return max(1, qu.MinRows) }

// KindRow is one row of a roster question: key RowKey(question, row id), value RosterRow.
const KindRow Kind = "row"

// RowKey is the key of the revisions of row rowID of roster question qid.
func RowKey(qid, rowID string) string { return qid + "/" + rowID }

// RowTarget is the target of row rowID of roster question qid in interview id.
func RowTarget(id, qid, rowID string) Target {
	return Target{Interview: id, Kind: KindRow, Key: RowKey(qid, rowID)}
}

// SplitRowKey splits a KindRow key into its question id and row id; ok is false for a key
// without both.
func SplitRowKey(key string) (qid, rowID string, ok bool) {
	i := strings.LastIndexByte(key, '/')
	if i <= 0 || i == len(key)-1 {
		return "", "", false
	}
	return key[:i], key[i+1:], true
}

// ValidRowKey reports whether key is a KindRow key: QUESTION/ROW, neither empty, the row
// id without a slash.
func ValidRowKey(key string) bool {
	_, _, ok := SplitRowKey(key)
	return ok
}

// NewRowID returns a new row id: 16 hexadecimal digits from crypto/rand.
func NewRowID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// RosterRow is the value of a KindRow revision: the row's place and its cells by column id.
// The zero value (or JSON null) deletes the row; its history keeps what it held.
type RosterRow struct {
	// Pos orders the rows of a roster (then the row id): adding at the end takes the last
	// Pos + 1, moving a row takes a Pos between its new neighbours. Rows start at 1.
	Pos   float64        `json:"pos"`
	Cells map[string]any `json:"cells,omitempty"`
}

// IsEmpty reports whether r deletes its row.
func (r RosterRow) IsEmpty() bool { return r.Pos == 0 && len(r.Cells) == 0 }

// Normalized returns r with its cells in their canonical form: strings in NFC and trimmed,
// numbers as float64, empty cells (nil, "") dropped.
func (r RosterRow) Normalized() RosterRow {
	out := RosterRow{Pos: r.Pos}
	for k, v := range r.Cells {
		v = normalizeCell(v)
		if v == nil {
			continue
		}
		if out.Cells == nil {
			out.Cells = make(map[string]any, len(r.Cells))
		}
		out.Cells[k] = v
	}
	return out
}

func normalizeCell(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s := strings.TrimSpace(NFC(x))
		if s == "" {
			return nil
		}
		return s
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	}
	return v
}

// decodeRow decodes a KindRow value; null decodes as the empty (deleted) row.
func decodeRow(b []byte) (RosterRow, error) {
	var r RosterRow
	if err := json.Unmarshal(b, &r); err != nil {
		return RosterRow{}, err
	}
	return r.Normalized(), nil
}

// Row is one row of a roster as the fold holds it.
type Row struct {
	ID    string
	Pos   float64
	Cells map[string]any
	// Conflict: the row's target has heads that disagree (Cells are the newest head's).
	Conflict bool
}

// Roster is the current rows of one roster question, folded from their revisions. It is
// the Value of the roster question's entry in InterviewState.Answers, so that progress,
// checks and expressions see it as any other answer; it is never stored as an answer.
type Roster struct {
	mu     sync.Mutex
	rows   map[string]Row
	sorted []Row // nil when rows changed since the last sort
	// checked remembers the result of checking each row against a question whose row
	// checks read nothing but the row (see Questionnaire.checkRoster), until the row
	// changes: progress is computed on every keystroke, and a 1,000-row roster must not
	// be checked again each time.
	checked map[string]rowCheck
	// owner is the state whose Answers this roster was made or copied for. Another state
	// holding it (a copy of that state sharing its rosters) copies it before changing it
	// (InterviewState.ownRoster): copy on write, so a change to one copy never shows in
	// the other, and folding a thousand rows into the owner copies nothing.
	owner *InterviewState
}

type rowCheck struct {
	qu     *Question
	issues []CellIssue
}

func newRoster() *Roster { return &Roster{rows: map[string]Row{}} }

func (r *Roster) set(row Row) {
	r.mu.Lock()
	r.rows[row.ID] = row
	r.sorted = nil
	delete(r.checked, row.ID)
	r.mu.Unlock()
}

func (r *Roster) remove(id string) {
	r.mu.Lock()
	delete(r.rows, id)
	r.sorted = nil
	delete(r.checked, id)
	r.mu.Unlock()
}

func (r *Roster) cachedCheck(id string, qu *Question) ([]CellIssue, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.checked[id]
	if !ok || c.qu != qu {
		return nil, false
	}
	return c.issues, true
}

func (r *Roster) storeCheck(id string, qu *Question, issues []CellIssue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checked == nil {
		r.checked = map[string]rowCheck{}
	}
	r.checked[id] = rowCheck{qu: qu, issues: issues}
}

// Len returns the number of rows.
func (r *Roster) Len() int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.rows)
}

// Rows returns the rows in order (Pos, then id). The slice is shared: do not modify it.
func (r *Roster) Rows() []Row {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sorted == nil {
		out := make([]Row, 0, len(r.rows))
		for _, row := range r.rows {
			out = append(out, row)
		}
		slices.SortFunc(out, compareRows)
		r.sorted = out
	}
	return r.sorted
}

func compareRows(a, b Row) int {
	switch {
	case a.Pos < b.Pos:
		return -1
	case a.Pos > b.Pos:
		return 1
	}
	return strings.Compare(a.ID, b.ID)
}

// String says how many rows the roster holds (for places that print any answer value).
func (r *Roster) String() string {
	n := r.Len()
	if n == 1 {
		return "1 row"
	}
	return strconv.Itoa(n) + " rows"
}

// MarshalJSON writes the rows in order as [{"id","pos","cells"}…].
func (r *Roster) MarshalJSON() ([]byte, error) {
	type wire struct {
		ID       string         `json:"id"`
		Pos      float64        `json:"pos"`
		Cells    map[string]any `json:"cells"`
		Conflict bool           `json:"conflict,omitempty"`
	}
	rows := r.Rows()
	out := make([]wire, len(rows))
	for i, row := range rows {
		cells := row.Cells
		if cells == nil {
			cells = map[string]any{}
		}
		out[i] = wire{row.ID, row.Pos, cells, row.Conflict}
	}
	return json.Marshal(out)
}

// RosterOf returns the rows of roster question qid among answers (nil when it has none).
func RosterOf(all Answers, qid string) *Roster {
	r, _ := all[qid].Value.(*Roster)
	return r
}

// Rows returns the rows of roster question qid, in order; deleted rows are absent.
func (s *InterviewState) Rows(qid string) []Row { return RosterOf(s.Answers, qid).Rows() }

// applyRow folds the current head of row target key into the roster it belongs to.
func (s *InterviewState) applyRow(key string, v RosterRow, conflict bool) error {
	qid, rowID, ok := SplitRowKey(key)
	if !ok {
		return fmt.Errorf("row key %q is not QUESTION/ROW", key)
	}
	if v.IsEmpty() {
		s.DeleteRow(qid, rowID)
		return nil
	}
	s.ownRoster(qid, true).set(Row{ID: rowID, Pos: v.Pos, Cells: v.Cells, Conflict: conflict})
	return nil
}

// SetRow records row of roster question qid in memory, as folding a Put of it will leave
// the state: its cells normalized (RosterRow.Normalized), not in conflict (a write
// replaces every head of the row). A row with no position and no cells deletes it
// (DeleteRow). Heads, Conflicts and the revision counts are not touched: they are what
// the store reports for the Put. This is how a screen shows a row at once while its save
// is queued, as it sets Answers for an ordinary answer.
//
// The roster is copied before it changes when s shares it with another state (a copy of
// s whose Answers map was cloned): the other keeps its rows.
func (s *InterviewState) SetRow(qid string, row Row) {
	v := RosterRow{Pos: row.Pos, Cells: row.Cells}.Normalized()
	if v.IsEmpty() {
		s.DeleteRow(qid, row.ID)
		return
	}
	s.ownRoster(qid, true).set(Row{ID: row.ID, Pos: v.Pos, Cells: v.Cells})
}

// DeleteRow removes row rowID of roster question qid from memory, as folding its deletion
// (an empty RosterRow) will; the roster's answer goes when its last row does. Like SetRow
// it copies a roster s shares before changing it.
func (s *InterviewState) DeleteRow(qid, rowID string) {
	r := RosterOf(s.Answers, qid)
	if r == nil || !r.has(rowID) {
		return
	}
	r = s.ownRoster(qid, false)
	r.remove(rowID)
	if r.Len() == 0 {
		delete(s.Answers, qid)
	}
}

// ownRoster returns the roster of question qid that s may change: the one in its Answers
// when s owns it, else a copy of it put in its place (nil when there is none and create
// is false; a new empty one when create is true).
func (s *InterviewState) ownRoster(qid string, create bool) *Roster {
	a, had := s.Answers[qid]
	r, _ := a.Value.(*Roster)
	switch {
	case r != nil && r.owner == s:
		return r
	case r != nil:
		r = r.clone()
	case !create:
		return nil
	default:
		r = newRoster()
		if had {
			a = Answer{} // an answer that is not a roster's: the rows replace it
		}
	}
	r.owner = s
	a.Value = r
	s.Answers[qid] = a
	return r
}

// has reports whether the roster holds row id.
func (r *Roster) has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.rows[id]
	return ok
}

// clone returns a copy of r that shares nothing it may change: its rows (Cells maps are
// never changed in place, only replaced), the sorted order and the remembered checks.
func (r *Roster) clone() *Roster {
	r.mu.Lock()
	defer r.mu.Unlock()
	return &Roster{rows: maps.Clone(r.rows), sorted: r.sorted, checked: maps.Clone(r.checked)}
}

// NextPos returns the position of a row added after rows (in order): the last one's + 1.
func NextPos(rows []Row) float64 {
	if len(rows) == 0 {
		return 1
	}
	return math.Floor(rows[len(rows)-1].Pos) + 1
}

// PosBetween returns the position of a row moved between positions a and b (a row moved
// first: a = 0), and whether the gap still holds a distinct value (else renumber with
// Renumber; MoveRow does both).
func PosBetween(a, b float64) (float64, bool) {
	m := a + (b-a)/2
	return m, m > a && m < b && b-a > 1e-9
}

// Renumber returns new positions 1, 2, 3… for rows (in their new order), as the changes
// to write in one Put when the gaps between positions got too small.
func Renumber(rows []Row) []Row {
	out := make([]Row, len(rows))
	for i, r := range rows {
		r.Pos = float64(i + 1)
		out[i] = r
	}
	return out
}

// MoveRow returns what to write to move rows[from] to index to (both from 0, rows in
// their order): the moved row alone with a Pos between its new neighbours, or, when the
// gap there is too small, every row whose position changes once all are renumbered 1, 2,
// 3… (written in one Put). Nothing when from == to or either is out of range.
func MoveRow(rows []Row, from, to int) []Row {
	if from == to || from < 0 || to < 0 || from >= len(rows) || to >= len(rows) {
		return nil
	}
	order := slices.Clone(rows)
	moved := order[from]
	order = slices.Delete(order, from, from+1)
	order = slices.Insert(order, to, moved)
	lo := 0.0
	if to > 0 {
		lo = order[to-1].Pos
	}
	if to == len(order)-1 {
		// To the end: after the last, as a row added there.
		moved.Pos = math.Floor(lo) + 1
		return []Row{moved}
	}
	if p, ok := PosBetween(lo, order[to+1].Pos); ok {
		moved.Pos = p
		return []Row{moved}
	}
	var out []Row
	for i, r := range Renumber(order) {
		if r.Pos != order[i].Pos {
			out = append(out, r)
		}
	}
	return out
}

// CellIssue is a problem with one cell of a roster row (Column empty: with the row as a
// whole, its constraint), in every language.
type CellIssue struct {
	Column string
	Msg    Text
}

func (c CellIssue) Error() string {
	if c.Column == "" {
		return c.Msg.Get(LangEN)
	}
	return c.Column + ": " + c.Msg.Get(LangEN)
}

// CheckCells checks the cells of one row of roster question qu against its columns:
// required columns filled, each value of its column's type (choice among the options,
// number within bounds, stars 0–5 whole or N/A, url http(s) with a host, text valid UTF-8
// within MaxCellText), no cell for an unknown column. It does not run the row constraint
// (Questionnaire.CheckRow does).
func (qu *Question) CheckCells(cells map[string]any) []CellIssue {
	var out []CellIssue
	bad := func(col, en, vi string) { out = append(out, CellIssue{Column: col, Msg: T(en, vi)}) }
	for _, c := range qu.Columns {
		v, ok := cells[c.ID]
		if s, isStr := v.(string); !ok || v == nil || isStr && strings.TrimSpace(s) == "" {
			if c.Required {
				bad(c.ID, "required", "bắt buộc")
			}
			continue
		}
		if is := c.checkValue(v); is != nil {
			out = append(out, *is)
		}
	}
	var unknown []string
	for k := range cells {
		if _, ok := qu.Column(k); !ok {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		bad(k, fmt.Sprintf("no column %q in roster %s", k, qu.ID), fmt.Sprintf("bảng %s không có cột %q", qu.ID, k))
	}
	return out
}

// checkValue checks a non-empty cell value against column c.
func (c *Column) checkValue(v any) *CellIssue {
	bad := func(en, vi string) *CellIssue { return &CellIssue{Column: c.ID, Msg: T(en, vi)} }
	text := func() (string, *CellIssue) {
		s, ok := v.(string)
		if !ok {
			return "", bad("expected text", "cần nhập văn bản")
		}
		if !utf8.ValidString(s) {
			return "", bad("invalid UTF-8", "văn bản không phải UTF-8 hợp lệ")
		}
		if len(s) > MaxCellText {
			return "", bad(fmt.Sprintf("%d bytes, over the limit of %d", len(s), MaxCellText),
				fmt.Sprintf("%d byte, quá giới hạn %d", len(s), MaxCellText))
		}
		return s, nil
	}
	switch c.Type {
	case ColumnText:
		_, is := text()
		return is
	case ColumnURL:
		s, is := text()
		if is != nil {
			return is
		}
		if !ValidURL(s) {
			return bad(fmt.Sprintf("%q is not a web address (http:// or https:// and a host)", s),
				fmt.Sprintf("%q không phải địa chỉ web (http:// hoặc https:// và tên máy chủ)", s))
		}
	case ColumnChoice:
		s, is := text()
		if is != nil {
			return is
		}
		if !hasCode(c.Options, s) {
			return bad(fmt.Sprintf("%q is not one of the options", s), fmt.Sprintf("%q không thuộc các lựa chọn", s))
		}
	case ColumnYesNo:
		if _, ok := v.(bool); !ok {
			return bad("expected yes or no", "cần trả lời có hoặc không")
		}
	case ColumnNumber:
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return bad("expected a number", "cần nhập một số")
		}
		if c.Min != nil && f < *c.Min {
			return bad(fmt.Sprintf("must be at least %s", fmtNum(*c.Min)), fmt.Sprintf("phải từ %s trở lên", fmtNum(*c.Min)))
		}
		if c.Max != nil && f > *c.Max {
			return bad(fmt.Sprintf("must be at most %s", fmtNum(*c.Max)), fmt.Sprintf("không được quá %s", fmtNum(*c.Max)))
		}
	case ColumnStars:
		if s, ok := v.(string); ok {
			if s == StarsNA {
				return nil
			}
		} else if f, ok := v.(float64); ok && f >= 0 && f <= MaxStars && f == math.Trunc(f) {
			return nil
		}
		return bad(fmt.Sprintf("stars are 0 to %d or N/A, not %v", MaxStars, v),
			fmt.Sprintf("số sao là từ 0 đến %d hoặc N/A, không phải %v", MaxStars, v))
	}
	return nil
}

// ValidURL reports whether s is an http or https URL with a host.
func ValidURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(s, " \t\n")
}

// StarsText writes a stars cell as N/A or ★★★☆☆ ("" for an empty cell).
func StarsText(v any) string {
	switch x := v.(type) {
	case string:
		if x == StarsNA {
			return "N/A"
		}
		return x
	case float64:
		n := int(x)
		if n < 0 || n > MaxStars || float64(n) != x {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return strings.Repeat("★", n) + strings.Repeat("☆", MaxStars-n)
	}
	return ""
}

// CellText writes a cell value for people: yes/no in lang, stars as ★, a choice's label in
// lang, numbers without trailing zeros; "" for an empty cell.
func (c *Column) CellText(v any, lang string) string {
	if v == nil {
		return ""
	}
	switch c.Type {
	case ColumnYesNo:
		if b, ok := v.(bool); ok {
			return yesNo(b).Get(lang)
		}
	case ColumnStars:
		return StarsText(v)
	case ColumnChoice:
		if s, ok := v.(string); ok {
			for _, o := range c.Options {
				if o.Code == s {
					return o.Label.Get(lang)
				}
			}
		}
	}
	return CellString(v)
}

// CellString writes a cell value as machines read it (CSV): text as is, numbers without
// trailing zeros, yes/no as true/false, "" for an empty cell.
func CellString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return fmtNum(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// ErrRosterFull: a row added to a roster that holds its max_rows already.
type RosterFullError struct {
	Question string
	Max      int
}

func (e *RosterFullError) Error() string { return e.Text().Get(LangEN) }

// Text returns the message in every language.
func (e *RosterFullError) Text() Text {
	return T(fmt.Sprintf("roster %s holds at most %d rows: delete a row before adding one", e.Question, e.Max),
		fmt.Sprintf("bảng %s chứa tối đa %d dòng: hãy xóa một dòng trước khi thêm", e.Question, e.Max))
}

// CheckAddRow refuses a row added to roster question qu when it holds n rows already and
// max_rows allows no more (a *RosterFullError).
func (qu *Question) CheckAddRow(n int) error {
	if qu.MaxRows > 0 && n >= qu.MaxRows {
		return &RosterFullError{Question: qu.ID, Max: qu.MaxRows}
	}
	return nil
}

// CheckRow checks one row of roster question qu: its cells (CheckCells), then, when they
// are well formed, its row constraint, which sees the row's cells through cell() and the
// interview's answers through answer(), count_rows() and the like.
func (q *Questionnaire) CheckRow(qu *Question, cells map[string]any, all Answers) []CellIssue {
	out := qu.CheckCells(cells)
	if len(out) > 0 || qu.RowConstraint == "" {
		return out
	}
	e := q.compiled(q.rowConstraint, qu.ID, qu.RowConstraint)
	if e == nil {
		return nil
	}
	ok, err := e.EvalRow(qu.exprCells(cells), all)
	if err == nil && ok {
		return nil
	}
	msg := qu.RowConstraintMessage
	if err != nil {
		cause := oneLine(err)
		en, vi := "the rule "+qu.RowConstraint+" could not be checked: "+cause, "không kiểm tra được quy tắc "+qu.RowConstraint+": "+cause
		if !msg.Empty() {
			en, vi = msg.Get(LangEN)+" ("+en+")", msg.Get(LangVI)+" ("+vi+")"
		}
		msg = T(en, vi)
	} else if msg.Empty() {
		msg = T("the row does not meet the rule: "+qu.RowConstraint, "dòng không đáp ứng quy tắc: "+qu.RowConstraint)
	}
	return []CellIssue{{Msg: msg}}
}

// exprCells returns cells as cell() reads them: an empty text, url or choice cell as "",
// so that cell("url") == "" or cell("url") matches "^https?://" reads as written; other
// empty cells as nil.
func (qu *Question) exprCells(cells map[string]any) map[string]any {
	out := make(map[string]any, len(qu.Columns))
	for _, c := range qu.Columns {
		if v, ok := cells[c.ID]; ok && v != nil {
			out[c.ID] = v
		} else if c.Type == ColumnText || c.Type == ColumnURL || c.Type == ColumnChoice {
			out[c.ID] = ""
		}
	}
	return out
}

// checkRoster is CheckValue of a roster question: the value is the folded rows, each
// checked (the first bad row reported), and their number within max_rows.
func (q *Questionnaire) checkRoster(qu *Question, a Answer, all Answers) *Issue {
	r, ok := a.Value.(*Roster)
	if !ok {
		return &Issue{Question: qu.ID, Kind: IssueInvalid, Msg: T("a roster's answer is its rows, not a value",
			"câu trả lời của bảng là các dòng, không phải một giá trị")}
	}
	rows := r.Rows()
	if qu.MaxRows > 0 && len(rows) > qu.MaxRows {
		return &Issue{Question: qu.ID, Kind: IssueInvalid, Msg: T(fmt.Sprintf("%d rows, over the maximum of %d", len(rows), qu.MaxRows),
			fmt.Sprintf("%d dòng, quá tối đa %d", len(rows), qu.MaxRows))}
	}
	// A row's check reads only the row unless the row constraint names other questions:
	// then it is remembered until the row changes.
	pure := true
	if qu.RowConstraint != "" {
		e := q.compiled(q.rowConstraint, qu.ID, qu.RowConstraint)
		pure = e != nil && len(e.Refs) == 0
	}
	for i, row := range rows {
		is, ok := r.cachedCheck(row.ID, qu)
		if !ok || !pure {
			is = q.CheckRow(qu, row.Cells, all)
			if pure {
				r.storeCheck(row.ID, qu, is)
			}
		}
		if len(is) > 0 {
			kind := IssueInvalid
			if is[0].Column == "" {
				kind = IssueConstraint
			}
			return &Issue{Question: qu.ID, Kind: kind, Msg: T(fmt.Sprintf("row %d: %s", i+1, is[0].Error()),
				fmt.Sprintf("dòng %d: %s", i+1, cellIssueVI(is[0])))}
		}
	}
	return nil
}

func cellIssueVI(c CellIssue) string {
	if c.Column == "" {
		return c.Msg.Get(LangVI)
	}
	return c.Column + ": " + c.Msg.Get(LangVI)
}
