package survey

import (
	"errors"
	"testing"
)

// ByPrefix takes a whole id (even when it begins others) or the beginning of exactly one;
// none and several are UserErrors in both languages, with a hint.
func TestByPrefix(t *testing.T) {
	ids := []string{"ab12", "ab1", "cd34", "ab19"}
	what, list := T("thing", "vật"), T("'list' shows them", "'list' liệt kê")
	for ref, want := range map[string]string{"ab1": "ab1", "cd": "cd34", "ab19": "ab19"} {
		if got, err := ByPrefix(ids, ref, what, list); err != nil || got != want {
			t.Errorf("ByPrefix(%q) = %q, %v; want %q", ref, got, err, want)
		}
	}
	for ref, want := range map[string][2]string{
		"x":  {`no thing "x"`, `không có vật "x"`},
		"ab": {`"ab" is the beginning of 3 thing ids: ab1, ab12, ab19`, `"ab" là phần đầu của 3 mã vật: ab1, ab12, ab19`},
	} {
		_, err := ByPrefix(ids, ref, what, list)
		var ue *UserError
		if !errors.As(err, &ue) {
			t.Fatalf("ByPrefix(%q): %v, not a UserError", ref, err)
		}
		if ue.Text().Get(LangEN) != want[0] || ue.Text().Get(LangVI) != want[1] || ue.Hint.Empty() {
			t.Errorf("ByPrefix(%q): %q / %q (hint %q); want %q / %q", ref, ue.Text().Get(LangEN), ue.Text().Get(LangVI), ue.Hint, want[0], want[1])
		}
	}
}
