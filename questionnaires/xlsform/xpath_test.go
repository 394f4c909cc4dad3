package xlsform

import (
	"testing"

	exprparser "github.com/expr-lang/expr/parser"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// testCtx knows a text field t, a number n, a select_one s, a select_multiple m, a rating
// r, a note, a group and a repeat with a column c.
func testCtx(self string, selfKind fieldKind) *xctx {
	fields := map[string]field{"t": {kind: fieldValue}, "n": {kind: fieldValue}, "s": {kind: fieldValue},
		"m": {kind: fieldMulti}, "r": {kind: fieldRating}, "intro": {kind: fieldNote}, "g": {kind: fieldGroup},
		"rep": {kind: fieldRepeat}, "c": {kind: fieldColumn, repeat: "rep"}}
	return &xctx{self: self, selfKind: selfKind, lookup: func(name string) field { return fields[name] }}
}

func TestTranslate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"${s} = 'yes'", `(answer("s") ?? "") == "yes"`},
		{"${s}!=\"no\"", `(answer("s") ?? "") != "no"`},
		{"${t} = ''", `(answer("t") ?? "") == ""`},
		{"${n} > 3", `answer("n") != nil and answer("n") > 3`},
		{"${n} >= ${t}", `answer("n") != nil and answer("t") != nil and answer("n") >= answer("t")`},
		{"1 + 2 * 3 = 7", `1 + 2 * 3 == 7`},
		{"(1 + 2) * 3 = 9", `(1 + 2) * 3 == 9`},
		{"10 - 4 - 3 = 3", `10 - 4 - 3 == 3`},
		{"10 - (4 - 3) = 9", `10 - (4 - 3) == 9`},
		{"${n} div 2 > 1", `answer("n") != nil and answer("n") / 2 > 1`},
		{"${n} * ${n} + 1 > count-selected(${m})", `answer("n") != nil and answer("n") * answer("n") + 1 > len(answer("m") ?? [])`},
		{"${n} mod 2 = 1", `answer("n") != nil and answer("n") - 2 * int(answer("n") / 2) == 1`},
		{"${n} + ${t} != 4", `answer("n") == nil or answer("t") == nil or answer("n") + answer("t") != 4`},
		{"(${n} * 2 = 4) or ${s} = 'x'", `answer("n") != nil and answer("n") * 2 == 4 or (answer("s") ?? "") == "x"`},
		{"-${n} < 0", `answer("n") != nil and -answer("n") < 0`},
		{"a = 1 or b", ""}, // paths refused, below
		{"${s} = 'a' or ${s} = 'b' and ${t} != ''", `(answer("s") ?? "") == "a" or (answer("s") ?? "") == "b" and (answer("t") ?? "") != ""`},
		{"(${s} = 'a' or ${s} = 'b') and ${t} != ''", `((answer("s") ?? "") == "a" or (answer("s") ?? "") == "b") and (answer("t") ?? "") != ""`},
		{"not(${s} = 'a')", `not ((answer("s") ?? "") == "a")`},
		{"selected(${m}, 'x')", `("x" in (answer("m") ?? []))`},
		{"selected(${s}, 'x')", `((answer("s") ?? "") == "x")`},
		{"count-selected(${m}) >= 2", `len(answer("m") ?? []) >= 2`},
		{"${m} != ''", `(answer("m") ?? "") != ""`},
		{"string-length(${t}) < 10", `len(string(answer("t") ?? "")) < 10`},
		{`regex(${t}, '^\d{4}$')`, `(string(answer("t") ?? "") matches "^\\d{4}$")`},
		{"${r} = 'green'", `(answer("r") ?? "") == "green"`},
		{"true() and not(false())", `true and not (false)`},
		{"count(${rep}) > 0", `count_rows("rep") > 0`},
		{". > 0", `value > 0`},
		{"${tiếng} = 1", ""}, // unknown, below
	} {
		if c.want == "" {
			continue
		}
		got, err := translate(c.in, testCtx("n", fieldValue))
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
			continue
		}
		// Every translation compiles in the expression language.
		if _, err := survey.CompileExpr(got); err != nil {
			t.Errorf("%s → %s does not compile: %v", c.in, got, err)
		}
	}
}

func TestTranslateInRepeat(t *testing.T) {
	c := testCtx("c", fieldColumn)
	c.repeat = "rep"
	got, err := translate(". != '' and ${c} != 'x' and ${n} > 1", c)
	if err != nil {
		t.Fatal(err)
	}
	if want := `(cell("c") ?? "") != "" and (cell("c") ?? "") != "x" and answer("n") != nil and answer("n") > 1`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestTranslateRefusals(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "empty expression"},
		{"${x} = 1", "${x}: no question of the form has that name"},
		{"${intro} = 1", "${intro} is a note, which has no answer"},
		{"${g} = 1", "${g} is a group, which has no answer"},
		{"${rep} = 1", "${rep} is a repeat: only count(${rep}) is supported"},
		{"${c} = 1", "${c} is a field of repeat rep: only that repeat's own fields can refer to it"},
		{"today() > ${n}", "the function today() is not supported (supported: " + supportedFuncs + ")"},
		{"if(${n} > 1, 1, 0)", "the function if() is not supported (supported: " + supportedFuncs + ")"},
		{"/data/n > 1", "XPath paths (/) are not supported: refer to a field as ${name}"},
		{"../n > 1", "the path .. is not supported: refer to a field as ${name}"},
		{"n > 1", `"n": XPath paths are not supported: refer to a field as ${name}`},
		{"${n > 1", "${ at 1 is not closed by }"},
		{"${s} = 'a", "the quoted text at 8 is not closed"},
		{"(${n} > 1", "missing ) for the ( at 1"},
		{"${n} > ", "the expression ends too early"},
		{"${n} > 1 1", `unexpected "1" at 10`},
		{"${n} # 1", `unexpected "#" at 6`},
		{"selected('a', 'b')", "selected() takes a field (${name} or .) first"},
		{"selected(${m})", "selected() takes 2 argument(s), not 1"},
		{"count-selected(${s})", "count-selected() takes a select_multiple field"},
		{"count(${n})", "count() takes a repeat, as count(${name}): the number of its rows"},
		{"regex(${t}, ${s})", "regex() takes a quoted pattern as its second argument"},
		{"regex(${t}, '(?=a)')", "regex() pattern \"(?=a)\": error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
		{"${m} = 'a'", "a select_multiple field is tested with selected() or count-selected(); = compares it only with ''"},
		{"${m} + 1", "a select_multiple field is compared with selected() or count-selected(), not +"},
		{"${n}[1]", `XPath paths ([) are not supported: refer to a field as ${name}`},
	} {
		_, err := translate(c.in, testCtx("n", fieldValue))
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: got %v\nwant %s", c.in, err, c.want)
		}
	}
	// "." in a group's relevant.
	if _, err := translate(". = 1", testCtx("g", fieldGroup)); err == nil {
		t.Error(". in a group's relevant accepted")
	}
}

// FuzzTranslate: any input is either refused with an error or translated to an expression
// the expression language parses (type errors, such as a number plus a bool, are the
// validator's to report, with the row); it never panics.
func FuzzTranslate(f *testing.F) {
	for _, s := range []string{"${s} = 'yes'", "selected(${m}, 'a') and not(${n} > 3 div 2)", "regex(., '^a')", "-(-1) mod 2", "count(${rep})"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out, err := translate(src, testCtx("n", fieldValue))
		if err != nil {
			return
		}
		if _, err := exprparser.Parse(out); err != nil {
			t.Errorf("%q → %q, which does not parse: %v", src, out, err)
		}
	})
}

// TestUnansweredAsXPath: with n unanswered, each translation gives what XPath gives (an
// empty field is ” in = and !=, NaN in arithmetic and in < <= > >=), without an error.
func TestUnansweredAsXPath(t *testing.T) {
	for src, want := range map[string]bool{
		"${n} = ''":                true,
		"${n} != ''":               false,
		"${n} = 3":                 false,
		"${n} != 3":                true,
		"${n} > 3":                 false,
		"${n} <= 3":                false,
		"${n} mod 2 = 1":           false,
		"${n} + 1 != 4":            true,
		"-${n} < 0":                false,
		"not(${n} > 3)":            true,
		"selected(${m}, 'a')":      false,
		"count-selected(${m}) = 0": true,
		"string-length(${t}) = 0":  true,
		"regex(${t}, '^$')":        true,
	} {
		out, err := translate(src, testCtx("x", fieldValue))
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		e, err := survey.CompileExpr(out)
		if err != nil {
			t.Errorf("%s → %s: %v", src, out, err)
			continue
		}
		got, err := e.Eval(survey.Answer{}, survey.Answers{})
		if err != nil || got != want {
			t.Errorf("%s → %s: got %v, %v; want %v", src, out, got, err, want)
		}
	}
}
