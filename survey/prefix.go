package survey

import (
	"slices"
	"strings"
)

// ByPrefix returns the id of ids that ref names: ref itself when it is one of them, else the
// one id that begins with ref. What a person typed that names none, or begins several
// (listed, sorted), is a *UserError in every language: what names the kind of record
// ("interview", "phỏng vấn") and list says how to see them, the hint when none matches.
func ByPrefix(ids []string, ref string, what, list Text) (string, error) {
	if slices.Contains(ids, ref) {
		return ref, nil
	}
	var found []string
	for _, id := range ids {
		if strings.HasPrefix(id, ref) {
			found = append(found, id)
		}
	}
	slices.Sort(found)
	switch len(found) {
	case 0:
		e := UserErr("no %[2]s %[1]q", "không có %[3]s %[1]q", ref, what.Get(LangEN), what.Get(LangVI))
		e.Hint = list
		return "", e
	case 1:
		return found[0], nil
	}
	return "", UserErr("%[1]q is the beginning of %[2]d %[3]s ids: %[5]s", "%[1]q là phần đầu của %[2]d mã %[4]s: %[5]s",
		ref, len(found), what.Get(LangEN), what.Get(LangVI), strings.Join(found, ", ")).WithHint("give more of the id", "nhập mã dài hơn")
}
