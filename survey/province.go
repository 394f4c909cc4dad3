package survey

import "strings"

// ProvinceKey is the form in which province names are compared wherever a supervisor's
// scope is checked (the server's scope, its refusals and what it sends down): two names
// are the same province when their keys are equal (see SameProvince).
//
// The key is the name folded as Filter folds text (NFC, case, accents and đ, surrounding
// and repeated white space: "Ha Noi" is "Hà Nội"), without an administrative prefix
// ("Tỉnh", "Thành phố", "TP."), and with a few common alternative names mapped to one
// ("Thừa Thiên Huế", the province until 2025, is "Huế", the city it became; "TP.HCM" is
// "Hồ Chí Minh"). Merged provinces are not aliases: a scope of "Đà Nẵng" does not cover
// "Quảng Nam". No two of Viet Nam's provinces share a name without accents, so folding
// them confuses none. Only the empty name has the empty key.
func ProvinceKey(s string) string {
	k := filterKey(s)
	for _, p := range provincePrefixes {
		if rest, ok := strings.CutPrefix(k, p); ok && rest != "" {
			k = strings.TrimSpace(rest)
			break
		}
	}
	if a, ok := provinceAliases[k]; ok {
		return a
	}
	return k
}

// SameProvince reports whether a and b name the same province (see ProvinceKey). An empty
// name is no province: it is the same as none.
func SameProvince(a, b string) bool {
	ka := ProvinceKey(a)
	return ka != "" && ka == ProvinceKey(b)
}

// provincePrefixes are the folded administrative prefixes of a province's name, longest
// first ("tp." before "tp").
var provincePrefixes = []string{"thanh pho ", "tinh ", "tp. ", "tp.", "tp "}

// provinceAliases maps folded alternative names (after the prefix is cut) to the key of
// the name they stand for.
var provinceAliases = map[string]string{
	"thua thien hue": "hue",
	"hcm":            "ho chi minh",
	"tphcm":          "ho chi minh",
	"sai gon":        "ho chi minh",
}
