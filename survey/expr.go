package survey

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// exprEnv is what relevance and constraint expressions see. Field names are the ones the
// questionnaire format documents.
type exprEnv struct {
	Rating   string         `expr:"rating"`
	Value    any            `expr:"value"`
	Comment  string         `expr:"comment"`
	Evidence []exprEvidence `expr:"evidence"`
	// Answer returns another question's rating code or value, nil when unanswered.
	Answer func(id string) any `expr:"answer"`
	// Answered reports whether another question has a rating or a value.
	Answered func(id string) bool `expr:"answered"`
	// CountRows returns the number of rows of a roster question.
	CountRows func(id string) int `expr:"count_rows"`
	// CountRowsWhere returns the number of rows of a roster whose cell col compares with
	// value by op (==, !=, <, <=, >, >=); an empty cell never matches.
	CountRowsWhere func(id, col, op string, value any) int `expr:"count_rows_where"`
	// Rows returns the cells of every row of a roster, in order (for all, any, count,
	// filter: count(rows("4.K"), #.public == true)).
	Rows func(id string) []any `expr:"rows"`
	// Cell returns a cell of the row being checked (row constraints only), nil when empty.
	Cell func(col string) any `expr:"cell"`
}

type exprEvidence struct {
	Polarity string `expr:"polarity"`
	Text     string `expr:"text"`
	Source   string `expr:"source"`
	InScope  bool   `expr:"in_scope"`
	Note     string `expr:"note"`
}

// Answers is a read-only view of the answers of one interview, by question id.
type Answers map[string]Answer

// exprValue is what answer("id") returns: the rating code for rating questions, the value
// otherwise, nil when unanswered.
func exprValue(a Answer, ok bool) any {
	if !ok {
		return nil
	}
	if a.Rating != "" {
		return string(a.Rating)
	}
	if !a.HasValue() {
		return nil
	}
	return a.Value
}

func newEnv(self Answer, all Answers) exprEnv {
	ev := make([]exprEvidence, len(self.Evidence))
	for i, e := range self.Evidence {
		ev[i] = exprEvidence{Polarity: string(e.Polarity), Text: e.Text, Source: e.Source, InScope: e.InScope, Note: e.Note}
	}
	return exprEnv{
		Rating:   string(self.Rating),
		Value:    exprValue(self, self.HasValue()),
		Comment:  self.Comment,
		Evidence: ev,
		Answer: func(id string) any {
			a, ok := all[id]
			return exprValue(a, ok)
		},
		Answered: func(id string) bool {
			a, ok := all[id]
			return ok && a.HasValue()
		},
		CountRows: func(id string) int { return RosterOf(all, id).Len() },
		CountRowsWhere: func(id, col, op string, value any) int {
			n := 0
			for _, r := range RosterOf(all, id).Rows() {
				if v, ok := r.Cells[col]; ok && cellMatches(v, op, value) {
					n++
				}
			}
			return n
		},
		Rows: func(id string) []any {
			rows := RosterOf(all, id).Rows()
			out := make([]any, len(rows))
			for i, r := range rows {
				m := make(map[string]any, len(r.Cells))
				for k, v := range r.Cells {
					m[k] = v
				}
				out[i] = m
			}
			return out
		},
		Cell: func(string) any { return nil },
	}
}

// rowOps are the comparisons count_rows_where accepts.
var rowOps = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

// cellMatches compares a cell with value by op: numbers as numbers, text as text, yes/no
// by equality; values of different kinds are only unequal.
func cellMatches(cell any, op string, value any) bool {
	value = normalizeCell(value)
	var c int
	switch x := cell.(type) {
	case float64:
		y, ok := toFloat(value)
		if !ok {
			return op == "!="
		}
		c = cmpOrdered(x, y)
	case string:
		y, ok := value.(string)
		if !ok {
			return op == "!="
		}
		c = cmpOrdered(x, y)
	case bool:
		y, ok := value.(bool)
		if !ok || op != "==" && op != "!=" {
			return op == "!="
		}
		if x == y {
			c = 0
		} else {
			c = 1
		}
	default:
		return false
	}
	switch op {
	case "==":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	}
	return 0, false
}

func cmpOrdered[T float64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Expr is a compiled relevance or constraint expression.
type Expr struct {
	Source string
	// Refs are the question ids the expression names through answer(), answered(),
	// count_rows(), count_rows_where() and rows().
	Refs []string
	// RosterRefs are those of Refs named through count_rows(), count_rows_where() and
	// rows(): they must be roster questions.
	RosterRefs []string
	// Cells are the columns named through cell(): only a row constraint may use it.
	Cells   []string
	program *vm.Program
}

// CompileExpr parses and type-checks an expression of the questionnaire format. It returns
// the ids of the questions it references so that callers can check they exist. A source is
// compiled once per process: questionnaires repeat the same rule on many questions, and
// every command loads them, so the result (an Expr is never changed once made) is kept
// and shared.
func CompileExpr(src string) (*Expr, error) {
	if c, ok := exprCache.Load(src); ok {
		c := c.(compiled)
		return c.e, c.err
	}
	e, err := compileExpr(src)
	if exprCached.Add(1) <= maxCachedExprs {
		exprCache.Store(src, compiled{e, err})
	}
	return e, err
}

// exprCache holds the result of compileExpr by source; exprCached counts its entries,
// which stop being added at maxCachedExprs (a questionnaire has at most a few thousand).
var (
	exprCache  sync.Map
	exprCached atomic.Int64
)

const maxCachedExprs = 20000

type compiled struct {
	e   *Expr
	err error
}

func compileExpr(src string) (*Expr, error) {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", src, err)
	}
	refs := &refCollector{seen: map[string]bool{}, seenRoster: map[string]bool{}, seenCell: map[string]bool{}}
	ast.Walk(&tree.Node, refs)
	if refs.err != nil {
		return nil, fmt.Errorf("expression %q: %w", src, refs.err)
	}
	prog, err := expr.Compile(src, expr.Env(exprEnv{}), expr.AsBool())
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", src, err)
	}
	sort.Strings(refs.ids)
	sort.Strings(refs.rosters)
	sort.Strings(refs.cells)
	return &Expr{Source: src, Refs: refs.ids, RosterRefs: refs.rosters, Cells: refs.cells, program: prog}, nil
}

type refCollector struct {
	ids, rosters, cells        []string
	seen, seenRoster, seenCell map[string]bool
	err                        error
}

// quoted returns the string literal argument i of call, or records an error.
func (r *refCollector) quoted(call *ast.CallNode, name string, i int, what string) (string, bool) {
	s, ok := call.Arguments[i].(*ast.StringNode)
	if !ok {
		r.err = fmt.Errorf("%s() needs a quoted %s, like %s", name, what, exprExample[name])
		return "", false
	}
	return s.Value, true
}

var exprExample = map[string]string{
	"answer": `answer("1.1")`, "answered": `answered("1.1")`, "count_rows": `count_rows("4.K")`,
	"count_rows_where": `count_rows_where("4.K", "openness", ">=", 3)`, "rows": `rows("4.K")`, "cell": `cell("url")`,
}

func (r *refCollector) Visit(n *ast.Node) {
	call, ok := (*n).(*ast.CallNode)
	if !ok {
		return
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok || r.err != nil {
		return
	}
	name := id.Value
	switch name {
	case "answer", "answered", "count_rows", "rows", "cell":
		if len(call.Arguments) != 1 {
			what := "question id"
			if name == "cell" {
				what = "column id"
			}
			r.err = fmt.Errorf("%s() takes one %s, like %s", name, what, exprExample[name])
			return
		}
	case "count_rows_where":
		if len(call.Arguments) != 4 {
			r.err = fmt.Errorf("count_rows_where() takes a roster, a column, a comparison and a value, like %s", exprExample[name])
			return
		}
	default:
		return
	}
	if name == "cell" {
		col, ok := r.quoted(call, name, 0, "column id")
		if ok && !r.seenCell[col] {
			r.seenCell[col] = true
			r.cells = append(r.cells, col)
		}
		return
	}
	qid, ok := r.quoted(call, name, 0, "question id")
	if !ok {
		return
	}
	if !r.seen[qid] {
		r.seen[qid] = true
		r.ids = append(r.ids, qid)
	}
	if name == "answer" || name == "answered" {
		return
	}
	if !r.seenRoster[qid] {
		r.seenRoster[qid] = true
		r.rosters = append(r.rosters, qid)
	}
	if name == "count_rows_where" {
		if _, ok := r.quoted(call, name, 1, "column id"); !ok {
			return
		}
		if op, ok := r.quoted(call, name, 2, "comparison"); ok && !rowOps[op] {
			r.err = fmt.Errorf("count_rows_where() compares with ==, !=, <, <=, > or >=, not %q", op)
		}
	}
}

// ColumnRef is a column named in count_rows_where(): roster and column.
type ColumnRef struct{ Roster, Column string }

// ColumnRefs returns the (roster, column) pairs e names through count_rows_where().
func (e *Expr) ColumnRefs() []ColumnRef {
	tree, err := parser.Parse(e.Source)
	if err != nil {
		return nil
	}
	var out []ColumnRef
	ast.Find(tree.Node, func(n ast.Node) bool {
		call, ok := n.(*ast.CallNode)
		if !ok {
			return false
		}
		if id, ok := call.Callee.(*ast.IdentifierNode); ok && id.Value == "count_rows_where" && len(call.Arguments) == 4 {
			q, ok1 := call.Arguments[0].(*ast.StringNode)
			c, ok2 := call.Arguments[1].(*ast.StringNode)
			if ok1 && ok2 {
				out = append(out, ColumnRef{q.Value, c.Value})
			}
		}
		return false
	})
	return out
}

// EvalRow evaluates e, a row constraint, for a row's cells among all answers.
func (e *Expr) EvalRow(cells map[string]any, all Answers) (bool, error) {
	env := newEnv(Answer{}, all)
	env.Cell = func(col string) any { return cells[col] }
	out, err := expr.Run(e.program, env)
	if err != nil {
		return false, fmt.Errorf("evaluate %q: %w", e.Source, err)
	}
	b, _ := out.(bool)
	return b, nil
}

// Eval evaluates e for the answer self among all answers of an interview.
func (e *Expr) Eval(self Answer, all Answers) (bool, error) {
	out, err := expr.Run(e.program, newEnv(self, all))
	if err != nil {
		return false, fmt.Errorf("evaluate %q: %w", e.Source, err)
	}
	b, _ := out.(bool)
	return b, nil
}
