package survey

import (
	"regexp"
	"strings"
	"testing"
)

// rowIDOK accepts what the regular expression it replaced accepted, and nothing else.
func TestRowIDOKAsTheExpression(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	for _, id := range []string{"", "a", "r1", NewRowID(), "a.b", "a_b-C9", "a b", "é", strings.Repeat("x", 64),
		strings.Repeat("x", 65), "x\n", "/", "\u0130"} {
		if got, want := rowIDOK(id), re.MatchString(id); got != want {
			t.Errorf("rowIDOK(%q) = %v, the expression says %v", id, got, want)
		}
	}
}
