package tui

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// TestRewrapMatchesAFullWrap edits random text at random places, many times over, and
// checks that the lines wrapped again from the change are those of wrapping the whole text.
func TestRewrapMatchesAFullWrap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"Đã", "có", "Luật", "An", "ninh", "mạng", "và", "Nghị", "định", "13/2023/NĐ-CP", "x", "",
		"bảo", "vệ", "dữ", "liệu", "cá", "nhân", "Quyết-định-749/QĐ-TTg-về-Chương-trình-chuyển-đổi-số-quốc-gia", "数字化"}
	piece := func() []rune {
		var b strings.Builder
		for range rng.IntN(4) + 1 {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteString(strings.Repeat(" ", rng.IntN(3)))
		}
		return []rune(b.String())
	}
	for _, w := range []int{4, 7, 20, 38, 76} {
		var text []rune
		for len(text) < 600 {
			text = append(text, piece()...)
		}
		starts := wrapText(text, w)
		for n := range 3000 {
			at := rng.IntN(len(text) + 1)
			removed := rng.IntN(min(6, len(text)-at) + 1)
			var ins []rune
			if rng.IntN(3) > 0 {
				p := piece()
				ins = p[:min(len(p), rng.IntN(4)+1)]
			}
			text = slices.Concat(text[:at:at], ins, text[at+removed:])
			starts = rewrap(text, starts, at, removed, len(ins), w)
			if want := wrapText(text, w); !slices.Equal(starts, want) {
				t.Fatalf("width %d, edit %d (at %d, -%d +%q): lines start at %v, a full wrap at %v\ntext %q",
					w, n, at, removed, string(ins), starts, want, string(text))
			}
		}
	}
}

// TestTextFieldEdits types, moves and deletes in a field and checks its value and that
// every line it draws fits the width.
func TestTextFieldEdits(t *testing.T) {
	sty := styles.New(nil, styles.Plain, termenv.Ascii, true)
	f := newTextField(sty)
	f.SetWidth(24)
	f.SetHeight(3)
	f.Focus()
	typeIn := func(s string) {
		for _, r := range s {
			f, _ = f.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
	}
	press := func(k tea.KeyType, alt bool) { f, _ = f.Update(tea.KeyMsg{Type: k, Alt: alt}) }
	typeIn("Có khung pháp lý, thực thi chưa đồng đều ở cấp huyện")
	if got := f.Value(); got != "Có khung pháp lý, thực thi chưa đồng đều ở cấp huyện" {
		t.Fatalf("typed %q", got)
	}
	press(tea.KeyBackspace, false)
	press(tea.KeyBackspace, true) // alt+backspace: the word before
	if got := f.Value(); got != "Có khung pháp lý, thực thi chưa đồng đều ở cấp " {
		t.Errorf("after backspace and alt+backspace: %q", got)
	}
	press(tea.KeyHome, false)
	press(tea.KeyRight, true) // alt+right: after "Có"
	typeIn(" một")
	press(tea.KeyEnter, false)
	typeIn("Dòng hai")
	if got := f.Value(); got != "Có một\nDòng hai khung pháp lý, thực thi chưa đồng đều ở cấp " {
		t.Errorf("after inserting a line: %q", got)
	}
	press(tea.KeyUp, false)
	press(tea.KeyEnd, false)
	press(tea.KeyDelete, false) // joins the next paragraph
	if got := f.Value(); got != "Có mộtDòng hai khung pháp lý, thực thi chưa đồng đều ở cấp " {
		t.Errorf("after delete at the end of a paragraph: %q", got)
	}
	for _, l := range strings.Split(f.View(), "\n") {
		if w := width(l); w > 24 {
			t.Errorf("line %q is %d cells wide, over 24", l, w)
		}
	}
	if n := len(strings.Split(f.View(), "\n")); n != 3 {
		t.Errorf("the field draws %d lines, want its height 3", n)
	}
	f.SetValue("")
	f.Placeholder = "lý do"
	if v := f.View(); !strings.Contains(v, "lý do") {
		t.Errorf("empty field without its placeholder: %q", v)
	}
}
