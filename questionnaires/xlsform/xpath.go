package xlsform

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file translates the XPath that XLSForms use in relevant and constraint cells into the
// expression language of the questionnaire format (survey/expr.go, expr-lang). It is a small
// real parser: a tokeniser and precedence climbing over the subset forms actually use —
// ${name}, ".", numbers and quoted strings, = != < <= > >=, and, or, not(), selected(),
// count-selected(), string-length(), regex(), true(), false(), + - * div mod and
// parentheses. Anything else (paths, other functions, predicates) is refused with a
// message naming it.
//
// Translation follows XPath's treatment of an unanswered field where it matters:
//   - in = and !=, an unanswered field is the empty string: ${x} = '' is true when x has
//     no answer (answer() gives nil, which the output turns into '').
//   - in < <= > >=, XPath compares numbers, and an empty field is NaN, so the comparison is
//     false: the output tests that the field is answered first.
//   - selected() on a select_one field is an equality, on a select_multiple a membership.

// tokKind is the kind of a token.
type tokKind int

const (
	tokEOF tokKind = iota
	tokNum
	tokStr
	tokRef  // ${name}
	tokDot  // .
	tokName // a name: function, operator word (and, or, div, mod) or a path step
	tokOp   // = != < <= > >= + - * ( ) , and the path characters / | [ ] @
)

type token struct {
	kind tokKind
	text string // the token as written (for a ref: the name; for a string: its content)
	pos  int    // byte offset, for messages
}

// xpathError is a problem in one expression; the caller adds the cell.
type xpathError struct{ en, vi string }

func (e *xpathError) Error() string { return e.en }

func xerr(en, vi string, args ...any) *xpathError {
	return &xpathError{en: fmt.Sprintf(en, args...), vi: fmt.Sprintf(vi, args...)}
}

func tokenize(src string) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		r, w := utf8.DecodeRuneInString(src[i:])
		switch {
		case unicode.IsSpace(r):
			i += w
		case strings.HasPrefix(src[i:], "${"):
			end := strings.IndexByte(src[i:], '}')
			if end < 0 {
				return nil, xerr("${ at %d is not closed by }", "${ ở vị trí %d thiếu dấu }", i+1)
			}
			name := strings.TrimSpace(src[i+2 : i+end])
			if name == "" {
				return nil, xerr("empty ${} at %d", "${} rỗng ở vị trí %d", i+1)
			}
			out = append(out, token{tokRef, name, i})
			i += end + 1
		case r >= '0' && r <= '9' || r == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			if _, err := strconv.ParseFloat(src[i:j], 64); err != nil {
				return nil, xerr("%q is not a number", "%q không phải là số", src[i:j])
			}
			out = append(out, token{tokNum, src[i:j], i})
			i = j
		case r == '.':
			if strings.HasPrefix(src[i:], "..") {
				return nil, xerr("the path .. is not supported: refer to a field as ${name}", "không hỗ trợ đường dẫn ..: hãy dùng ${tên}")
			}
			out = append(out, token{tokDot, ".", i})
			i++
		case r == '\'' || r == '"':
			end := strings.IndexRune(src[i+1:], r)
			if end < 0 {
				return nil, xerr("the quoted text at %d is not closed", "chuỗi trong ngoặc ở vị trí %d chưa đóng", i+1)
			}
			out = append(out, token{tokStr, src[i+1 : i+1+end], i})
			i += end + 2
		case r == '_' || unicode.IsLetter(r):
			j := i + w
			for j < len(src) {
				r2, w2 := utf8.DecodeRuneInString(src[j:])
				if !(r2 == '_' || r2 == '-' || r2 == '.' || r2 == ':' || unicode.IsLetter(r2) || unicode.IsDigit(r2)) {
					break
				}
				j += w2
			}
			out = append(out, token{tokName, src[i:j], i})
			i = j
		default:
			for _, op := range []string{"!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ",", "/", "|", "[", "]", "@"} {
				if strings.HasPrefix(src[i:], op) {
					out = append(out, token{tokOp, op, i})
					i += len(op)
					goto next
				}
			}
			return nil, xerr("unexpected %q at %d", "ký tự %q không hợp lệ ở vị trí %d", string(r), i+1)
		next:
		}
	}
	return append(out, token{tokEOF, "", len(src)}), nil
}

// node is a parsed expression.
type node struct {
	kind string // "num", "str", "ref", "dot", "call", "bin", "neg"
	text string // number, string, ref name, function name or operator
	args []*node
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// binPrec returns the precedence of t as a binary operator (XPath 1.0: or < and < = != <
// relational < additive < multiplicative), 0 when it is not one.
func binPrec(t token) int {
	switch {
	case t.kind == tokName && t.text == "or":
		return 1
	case t.kind == tokName && t.text == "and":
		return 2
	case t.kind == tokOp && (t.text == "=" || t.text == "!="):
		return 3
	case t.kind == tokOp && (t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
		return 4
	case t.kind == tokOp && (t.text == "+" || t.text == "-"):
		return 5
	case t.kind == tokOp && t.text == "*", t.kind == tokName && (t.text == "div" || t.text == "mod"):
		return 6
	}
	return 0
}

// parseXPath parses src into a tree.
func parseXPath(src string) (*node, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	if len(toks) == 1 {
		return nil, xerr("empty expression", "biểu thức rỗng")
	}
	p := &parser{toks: toks}
	n, err := p.expr(1)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, unexpected(t)
	}
	return n, nil
}

func unexpected(t token) error {
	switch {
	case t.kind == tokEOF:
		return xerr("the expression ends too early", "biểu thức kết thúc quá sớm")
	case t.kind == tokOp && strings.Contains("/|[]@", t.text):
		return xerr("XPath paths (%s) are not supported: refer to a field as ${name}", "không hỗ trợ đường dẫn XPath (%s): hãy dùng ${tên}", t.text)
	}
	return xerr("unexpected %q at %d", "không mong đợi %q ở vị trí %d", t.text, t.pos+1)
}

// expr parses a binary expression whose operators bind at least as tightly as minPrec.
func (p *parser) expr(minPrec int) (*node, error) {
	lhs, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		prec := binPrec(t)
		if prec == 0 || prec < minPrec {
			return lhs, nil
		}
		p.next()
		rhs, err := p.expr(prec + 1) // left-associative
		if err != nil {
			return nil, err
		}
		lhs = &node{kind: "bin", text: t.text, args: []*node{lhs, rhs}}
	}
}

func (p *parser) unary() (*node, error) {
	if t := p.peek(); t.kind == tokOp && t.text == "-" {
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{kind: "neg", args: []*node{x}}, nil
	}
	return p.primary()
}

func (p *parser) primary() (*node, error) {
	t := p.next()
	switch t.kind {
	case tokNum:
		return &node{kind: "num", text: t.text}, nil
	case tokStr:
		return &node{kind: "str", text: t.text}, nil
	case tokRef:
		return &node{kind: "ref", text: t.text}, nil
	case tokDot:
		return &node{kind: "dot"}, nil
	case tokOp:
		if t.text == "(" {
			n, err := p.expr(1)
			if err != nil {
				return nil, err
			}
			if c := p.next(); c.kind != tokOp || c.text != ")" {
				return nil, xerr("missing ) for the ( at %d", "thiếu ) cho dấu ( ở vị trí %d", t.pos+1)
			}
			return n, nil
		}
	case tokName:
		if nx := p.peek(); nx.kind != tokOp || nx.text != "(" {
			return nil, xerr("%q: XPath paths are not supported: refer to a field as ${name}", "%q: không hỗ trợ đường dẫn XPath: hãy dùng ${tên}", t.text)
		}
		p.next()
		call := &node{kind: "call", text: t.text}
		if c := p.peek(); c.kind == tokOp && c.text == ")" {
			p.next()
			return call, nil
		}
		for {
			a, err := p.expr(1)
			if err != nil {
				return nil, err
			}
			call.args = append(call.args, a)
			c := p.next()
			if c.kind == tokOp && c.text == ")" {
				return call, nil
			}
			if c.kind != tokOp || c.text != "," {
				return nil, xerr("%s(): expected , or ) at %d", "%s(): cần , hoặc ) ở vị trí %d", t.text, c.pos+1)
			}
		}
	}
	return nil, unexpected(t)
}

// fieldKind is what a name of the form is, as expressions see it.
type fieldKind int

const (
	fieldUnknown fieldKind = iota
	fieldValue             // a question with a value (text, number, date, select_one)
	fieldMulti             // a select_multiple question: a list of codes
	fieldRating            // a rating question: its rating code
	fieldNote
	fieldGroup
	fieldRepeat
	fieldColumn // a question inside a repeat: a roster column
	fieldBad    // a row refused for its type: an expression naming it is dropped, unreported
	fieldYesNo  // a yes/no column of a roster: its cell is true or false
)

// errTainted is the error of an expression that names a refused row: the row's own problem
// is reported, the expression is left out.
var errTainted = errors.New("the expression names a row with a problem")

// field is what translation knows of a name.
type field struct {
	kind   fieldKind
	repeat string // for a column, the repeat (roster) that holds it
}

// xctx is what one translation knows: how to look names up and what "." means.
type xctx struct {
	lookup func(name string) field
	// self is the field "." refers to (the row's own).
	self     string
	selfKind fieldKind
	// repeat is set when translating an expression of a column of that repeat: "." and
	// ${sibling} are then cells of the row.
	repeat string
	// refs collects the question names the expression refers to.
	refs []string
	// tainted: the expression names a refused row.
	tainted bool
}

// translate turns XPath src into an expression of the questionnaire format.
func translate(src string, c *xctx) (string, error) {
	n, err := parseXPath(src)
	if err != nil {
		return "", err
	}
	c.tainted = false
	out, _, err := c.emit(n, "")
	if err == nil && c.tainted {
		return "", errTainted
	}
	return out, err
}

// quote writes s as a string literal of the expression language.
func quote(s string) string { return strconv.Quote(s) }

// operand returns the expression of a field reference (ref or dot) and whether n is one.
func (c *xctx) operand(n *node) (expr string, kind fieldKind, ok bool, err error) {
	switch n.kind {
	case "dot":
		if c.selfKind == fieldGroup {
			return "", 0, false, xerr("a group has no answer: . cannot be used in a group's relevant", "nhóm không có câu trả lời: không dùng . trong relevant của nhóm")
		}
		if c.repeat != "" {
			return "cell(" + quote(c.self) + ")", c.selfKind, true, nil
		}
		if c.selfKind == fieldRating {
			return "rating", fieldRating, true, nil
		}
		return "value", c.selfKind, true, nil
	case "ref":
		f := c.lookup(n.text)
		switch f.kind {
		case fieldUnknown:
			return "", 0, false, xerr("${%s}: no question of the form has that name", "${%s}: không có câu hỏi nào tên như vậy", n.text)
		case fieldNote:
			return "", 0, false, xerr("${%s} is a note, which has no answer", "${%s} là ghi chú, không có câu trả lời", n.text)
		case fieldGroup:
			return "", 0, false, xerr("${%s} is a group, which has no answer", "${%s} là nhóm, không có câu trả lời", n.text)
		case fieldRepeat:
			return "", 0, false, xerr("${%s} is a repeat: only count(${%s}) is supported", "${%s} là nhóm lặp: chỉ hỗ trợ count(${%s})", n.text, n.text)
		case fieldBad:
			c.tainted = true
			return "answer(" + quote(n.text) + ")", fieldValue, true, nil
		case fieldColumn, fieldYesNo:
			if c.repeat == f.repeat {
				k := fieldValue
				if f.kind == fieldYesNo {
					k = fieldYesNo
				}
				return "cell(" + quote(n.text) + ")", k, true, nil
			}
			return "", 0, false, xerr("${%s} is a field of repeat %s: only that repeat's own fields can refer to it", "${%s} thuộc nhóm lặp %s: chỉ các trường của nhóm lặp đó được tham chiếu", n.text, f.repeat)
		}
		c.refs = append(c.refs, n.text)
		return "answer(" + quote(n.text) + ")", f.kind, true, nil
	}
	return "", 0, false, nil
}

// The precedence levels of the output, loosest first; atoms (names, literals, calls,
// parenthesised expressions) bind tightest.
const (
	precOr = iota + 1
	precAnd
	precCompare
	precAdd
	precMul
	precNeg
	precAtom
)

var opPrec = map[string]int{"or": precOr, "and": precAnd, "=": precCompare, "!=": precCompare, "<": precCompare,
	"<=": precCompare, ">": precCompare, ">=": precCompare, "+": precAdd, "-": precAdd, "*": precMul, "div": precMul, "mod": precMul}

// wrap parenthesises s (of precedence p) where the context needs at least min.
func wrap(s string, p, min int) string {
	if p < min {
		return "(" + s + ")"
	}
	return s
}

// emit writes n and returns its precedence; parent is the XPath operator or function of the
// enclosing node ("" at the top or inside a function's arguments).
func (c *xctx) emit(n *node, parent string) (string, int, error) {
	if ref, kind, ok, err := c.operand(n); err != nil || ok {
		if err != nil {
			return "", 0, err
		}
		if kind == fieldMulti && parent != "" && parent != "=" && parent != "!=" {
			return "", 0, xerr("a select_multiple field is compared with selected() or count-selected(), not %s", "trường chọn nhiều được so sánh bằng selected() hoặc count-selected(), không dùng %s", parent)
		}
		if parent == "=" || parent == "!=" {
			return "(" + ref + " ?? \"\")", precAtom, nil
		}
		return ref, precAtom, nil
	}
	switch n.kind {
	case "num":
		return n.text, precAtom, nil
	case "str":
		return quote(n.text), precAtom, nil
	case "neg":
		x, p, err := c.emit(n.args[0], "-")
		if err != nil {
			return "", 0, err
		}
		return "-" + wrap(x, p, precNeg), precNeg, nil
	case "bin":
		return c.binary(n)
	case "call":
		s, err := c.call(n)
		return s, precAtom, err
	}
	return "", 0, xerr("unsupported expression", "biểu thức không được hỗ trợ")
}

func (c *xctx) binary(n *node) (string, int, error) {
	op := n.text
	if op == "=" || op == "!=" {
		for i, a := range n.args {
			_, kind, ok, _ := c.operand(a)
			o := n.args[1-i]
			switch {
			case !ok:
			case kind == fieldMulti && (o.kind != "str" || o.text != ""):
				// A select_multiple compares only with '' (answered or not): XPath would
				// compare its space-separated codes as one string.
				return "", 0, xerr("a select_multiple field is tested with selected() or count-selected(); %s compares it only with ''",
					"trường chọn nhiều được kiểm tra bằng selected() hoặc count-selected(); %s chỉ so sánh với ''", op)
			case kind == fieldYesNo && o.kind == "str" && o.text != "":
				// The cell of a yes/no column holds true or false, not the list's codes.
				return "", 0, xerr("%s is a yes/no column: compare it with true() or false(), not '%s'",
					"%s là cột có/không: hãy so sánh với true() hoặc false(), không phải '%s'", exprName(a), o.text)
			}
		}
	}
	l, lp, err := c.emit(n.args[0], op)
	if err != nil {
		return "", 0, err
	}
	r, rp, err := c.emit(n.args[1], op)
	if err != nil {
		return "", 0, err
	}
	prec := opPrec[op]
	leftMin := prec
	if prec == precCompare {
		leftMin = prec + 1 // comparisons do not chain
	}
	rightMin := prec + 1
	if op == "and" || op == "or" {
		rightMin = prec // associative
	}
	l, r = wrap(l, lp, leftMin), wrap(r, rp, rightMin)
	// Arithmetic on an unanswered field is NaN in XPath: = is then false and != true.
	if op == "=" || op == "!=" {
		var nils []string
		seen := map[string]bool{}
		for _, a := range n.args {
			if a.kind != "bin" && a.kind != "neg" {
				continue
			}
			for _, ref := range arithRefs(a) {
				if e, _, ok, _ := c.operand(ref); ok && !seen[e] {
					seen[e] = true
					nils = append(nils, e)
				}
			}
		}
		if len(nils) > 0 {
			eq := "=="
			if op == "!=" {
				eq = "!="
			}
			cmp := l + " " + eq + " " + r
			if op == "=" {
				return strings.Join(nils, " != nil and ") + " != nil and " + cmp, precAnd, nil
			}
			return strings.Join(nils, " == nil or ") + " == nil or " + cmp, precOr, nil
		}
	}
	switch op {
	case "=":
		return l + " == " + r, prec, nil
	case "div":
		return l + " / " + r, prec, nil
	case "mod":
		// XPath's mod keeps the sign of the dividend, like truncating division; expr-lang's
		// % works on integers only, and answers are decimals.
		a, b := wrap(l, lp, precAtom), wrap(r, rp, precAtom)
		return a + " - " + b + " * int(" + a + " / " + b + ")", precAdd, nil
	case "<", "<=", ">", ">=":
		// XPath compares numbers, and an unanswered field (NaN) compares false. ("." needs
		// no test: a constraint runs on an answer, and an empty cell passes before it.)
		var guards []string
		seen := map[string]bool{}
		for _, a := range n.args {
			for _, ref := range arithRefs(a) {
				if e, _, ok, _ := c.operand(ref); ok && !seen[e] {
					seen[e] = true
					guards = append(guards, e+" != nil")
				}
			}
		}
		out := l + " " + op + " " + r
		if len(guards) > 0 {
			return strings.Join(guards, " and ") + " and " + out, precAnd, nil
		}
		return out, prec, nil
	}
	return l + " " + op + " " + r, prec, nil
}

// exprName names a field reference in a message.
func exprName(n *node) string {
	if n.kind == "dot" {
		return "."
	}
	return "${" + n.text + "}"
}

// arithRefs returns the ${name} references of n reached through arithmetic alone (not
// through a function, which handles an empty field itself).
func arithRefs(n *node) []*node {
	switch n.kind {
	case "ref":
		return []*node{n}
	case "neg":
		return arithRefs(n.args[0])
	case "bin":
		if opPrec[n.text] >= precAdd {
			return append(arithRefs(n.args[0]), arithRefs(n.args[1])...)
		}
	}
	return nil
}

// The functions translation supports, for messages.
const supportedFuncs = "not(), selected(), count-selected(), string-length(), regex(), count(${repeat}), true(), false()"

func (c *xctx) call(n *node) (string, error) {
	arity := func(k int) error {
		if len(n.args) != k {
			return xerr("%s() takes %d argument(s), not %d", "%s() cần %d tham số, không phải %d", n.text, k, len(n.args))
		}
		return nil
	}
	switch n.text {
	case "count":
		if err := arity(1); err != nil {
			return "", err
		}
		if a := n.args[0]; a.kind == "ref" && c.lookup(a.text).kind == fieldRepeat {
			c.refs = append(c.refs, a.text)
			return "count_rows(" + quote(a.text) + ")", nil
		}
		return "", xerr("count() takes a repeat, as count(${name}): the number of its rows", "count() cần một nhóm lặp, dạng count(${tên}): số dòng của nó")
	case "true", "false":
		if err := arity(0); err != nil {
			return "", err
		}
		return n.text, nil
	case "not":
		if err := arity(1); err != nil {
			return "", err
		}
		x, _, err := c.emit(n.args[0], "not")
		if err != nil {
			return "", err
		}
		return "not (" + x + ")", nil
	case "selected":
		if err := arity(2); err != nil {
			return "", err
		}
		ref, kind, ok, err := c.operand(n.args[0])
		if err != nil {
			return "", err
		}
		if !ok {
			return "", xerr("selected() takes a field (${name} or .) first", "selected() cần một trường (${tên} hoặc .) ở tham số đầu")
		}
		code, _, err := c.emit(n.args[1], "")
		if err != nil {
			return "", err
		}
		if kind == fieldMulti {
			return "(" + code + " in (" + ref + " ?? []))", nil
		}
		return "((" + ref + " ?? \"\") == " + code + ")", nil
	case "count-selected":
		if err := arity(1); err != nil {
			return "", err
		}
		ref, kind, ok, err := c.operand(n.args[0])
		if err != nil {
			return "", err
		}
		if !ok || kind != fieldMulti {
			return "", xerr("count-selected() takes a select_multiple field", "count-selected() cần một trường chọn nhiều")
		}
		return "len(" + ref + " ?? [])", nil
	case "string-length":
		if err := arity(1); err != nil {
			return "", err
		}
		x, _, err := c.emit(n.args[0], "")
		if err != nil {
			return "", err
		}
		if _, _, ok, _ := c.operand(n.args[0]); ok {
			x += " ?? \"\""
		}
		return "len(string(" + x + "))", nil
	case "regex":
		if err := arity(2); err != nil {
			return "", err
		}
		if n.args[1].kind != "str" {
			return "", xerr("regex() takes a quoted pattern as its second argument", "regex() cần một mẫu trong ngoặc ở tham số thứ hai")
		}
		if _, err := regexp.Compile(n.args[1].text); err != nil {
			return "", xerr("regex() pattern %q: %v", "mẫu regex() %q: %v", n.args[1].text, err)
		}
		x, _, err := c.emit(n.args[0], "")
		if err != nil {
			return "", err
		}
		if _, _, ok, _ := c.operand(n.args[0]); ok {
			x += " ?? \"\""
		}
		return "(string(" + x + ") matches " + quote(n.args[1].text) + ")", nil
	}
	return "", xerr("the function %s() is not supported (supported: %s)", "không hỗ trợ hàm %s() (hỗ trợ: %s)", n.text, supportedFuncs)
}
