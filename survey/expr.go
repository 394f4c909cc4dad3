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
	}
}

// Expr is a compiled relevance or constraint expression.
type Expr struct {
	Source string
	// Refs are the question ids the expression names through answer() and answered().
	Refs    []string
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
	refs := &refCollector{seen: map[string]bool{}}
	ast.Walk(&tree.Node, refs)
	if refs.err != nil {
		return nil, fmt.Errorf("expression %q: %w", src, refs.err)
	}
	prog, err := expr.Compile(src, expr.Env(exprEnv{}), expr.AsBool())
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", src, err)
	}
	sort.Strings(refs.ids)
	return &Expr{Source: src, Refs: refs.ids, program: prog}, nil
}

type refCollector struct {
	ids  []string
	seen map[string]bool
	err  error
}

func (r *refCollector) Visit(n *ast.Node) {
	call, ok := (*n).(*ast.CallNode)
	if !ok {
		return
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok || (id.Value != "answer" && id.Value != "answered") {
		return
	}
	if len(call.Arguments) != 1 {
		r.err = fmt.Errorf("%s() takes one question id", id.Value)
		return
	}
	s, ok := call.Arguments[0].(*ast.StringNode)
	if !ok {
		r.err = fmt.Errorf("%s() needs a quoted question id, like %s(\"1.1\")", id.Value, id.Value)
		return
	}
	if !r.seen[s.Value] {
		r.seen[s.Value] = true
		r.ids = append(r.ids, s.Value)
	}
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
