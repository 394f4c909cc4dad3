package survey

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestSameProvince(t *testing.T) {
	same := [][2]string{
		{"Đà Nẵng", " đà  NẴNG "},
		{"Hà Nội", "Ha Noi"},
		{"Hà Nội", "ha noi"},
		{norm.NFC.String("Hà Nội"), norm.NFD.String("Hà Nội")}, // decomposed, as some keyboards type it
		{"Hoà Bình", "Hòa Bình"},                               // old and new tone-mark placement
		{"Huế", "Thừa Thiên Huế"},
		{"Thừa Thiên Huế", "Thua Thien Hue"},
		{"Thành phố Huế", "Huế"},
		{"Tỉnh Quảng Nam", "Quảng Nam"},
		{"TP. Hồ Chí Minh", "Hồ Chí Minh"},
		{"TP.HCM", "Thành phố Hồ Chí Minh"},
		{"TP HCM", "Hồ Chí Minh"},
		{"Đắk Lắk", "dak lak"},
	}
	for _, c := range same {
		if !SameProvince(c[0], c[1]) || !SameProvince(c[1], c[0]) {
			t.Errorf("%q and %q: not the same province (keys %q, %q)", c[0], c[1], ProvinceKey(c[0]), ProvinceKey(c[1]))
		}
	}
	different := [][2]string{
		{"Hà Nội", "Hà Nam"},
		{"Đà Nẵng", "Quảng Nam"}, // merged in 2025, not another name for it
		{"Hà", "Hà Nội"},
		{"Quảng Ninh", "Quảng Bình"},
		{"", ""},
		{"Tỉnh", ""},
		{"  ", "Hà Nội"},
	}
	for _, c := range different {
		if SameProvince(c[0], c[1]) || SameProvince(c[1], c[0]) {
			t.Errorf("%q and %q: the same province (keys %q, %q)", c[0], c[1], ProvinceKey(c[0]), ProvinceKey(c[1]))
		}
	}
}

func TestProvinceKey(t *testing.T) {
	for in, want := range map[string]string{
		"Thừa Thiên Huế": "hue",
		" Đà  Nẵng ":     "da nang",
		"Tỉnh":           "tinh", // a bare prefix is a name, not an empty one
		"TP.":            "tp.",
		"":               "",
	} {
		if got := ProvinceKey(in); got != want {
			t.Errorf("ProvinceKey(%q) = %q, want %q", in, got, want)
		}
	}
}
