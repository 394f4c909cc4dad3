package report

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/text/unicode/norm"
)

var widthSamples = []string{
	"", "abc", "Đánh giá chung", "Vàng/Xanh", "Nghị định 13/2023/NĐ-CP",
	norm.NFD.String("Lãnh đạo tỉnh đã ký kế hoạch chuyển đổi số"), norm.NFD.String("ệ ữ ỗ ằ"),
	"●●●○○ Vàng", "– ? — …", "数据开放", "データ", "한국어", "ｆｕｌｌ", "😀 ok", "👩‍💻", "a\u200bb",
}

func TestDisplayWidthMatchesTerminals(t *testing.T) {
	for _, s := range widthSamples {
		if got, want := displayWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("displayWidth(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
	}
	if displayWidth(norm.NFD.String("Việt")) != 4 {
		t.Error("decomposed Vietnamese must measure like composed")
	}
}

func TestWrap(t *testing.T) {
	text := norm.NFD.String("Lãnh đạo tỉnh đã ký kế hoạch chuyển đổi số, nhưng việc phối hợp giữa các sở còn rời rạc.") +
		"\n\nhttps://example.gov.vn/van-ban/quyet-dinh-1819-ve-du-lieu-mo.pdf 数据开放数据开放数据开放"
	for _, w := range []int{1, 5, 12, 30, 200} {
		lines := wrap(text, w)
		for _, l := range lines {
			if lw := displayWidth(l); lw > w && !(w == 1 && lw == 2) {
				t.Errorf("width %d: line %q is %d wide", w, l, lw)
			}
		}
		// Nothing is lost: the words come back, in order, when long words are not broken.
		if w >= 70 {
			got := strings.Fields(strings.Join(lines, " "))
			if want := strings.Fields(clean(text)); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("width %d lost words:\n%q\n%q", w, got, want)
			}
		}
		// Breaking inside words keeps every character, marks with their letters.
		if joined := strings.ReplaceAll(strings.Join(lines, ""), " ", ""); joined != strings.ReplaceAll(strings.ReplaceAll(clean(text), " ", ""), "\n", "") {
			t.Errorf("width %d: characters lost or moved", w)
		}
	}
	if got := wrap("one\n\ntwo", 10); strings.Join(got, "|") != "one||two" {
		t.Errorf("paragraphs: %q", got)
	}
	if got := wrap("  \n ", 10); len(got) != 0 {
		t.Errorf("blank text gives lines: %q", got)
	}
}
