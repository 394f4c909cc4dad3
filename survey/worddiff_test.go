package survey

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestDiffWords(t *testing.T) {
	eq := func(s string) WordRun { return WordRun{DiffEqual, s} }
	del := func(s string) WordRun { return WordRun{DiffDelete, s} }
	ins := func(s string) WordRun { return WordRun{DiffInsert, s} }
	cases := []struct {
		name     string
		old, new string
		want     []WordRun
	}{
		{"both empty", "", "", nil},
		{"same", "Lãnh đạo ủng hộ.", "Lãnh đạo ủng hộ.", []WordRun{eq("Lãnh đạo ủng hộ.")}},
		{"whitespace only differs", "Lãnh  đạo\nủng hộ. ", " Lãnh đạo ủng hộ.", []WordRun{eq("Lãnh đạo ủng hộ.")}},
		{"added from nothing", "", "Chưa rõ ràng.", []WordRun{ins("Chưa rõ ràng.")}},
		{"cleared", "Chưa rõ ràng.", "", []WordRun{del("Chưa rõ ràng.")}},
		{"one word replaced", "Lãnh đạo chưa ủng hộ.", "Lãnh đạo đã ủng hộ.",
			[]WordRun{eq("Lãnh đạo"), del("chưa"), ins("đã"), eq("ủng hộ.")}},
		{"words added in the middle", "Có khung pháp lý", "Có khung pháp lý đầy đủ và rõ ràng",
			[]WordRun{eq("Có khung pháp lý"), ins("đầy đủ và rõ ràng")}},
		{"words removed at the start", "Theo báo cáo năm 2025 tỉnh có kế hoạch", "tỉnh có kế hoạch",
			[]WordRun{del("Theo báo cáo năm 2025"), eq("tỉnh có kế hoạch")}},
		{"two separate changes", "a b c d e f", "a X c d Y f",
			[]WordRun{eq("a"), del("b"), ins("X"), eq("c d"), del("e"), ins("Y"), eq("f")}},
		{"removed words come before added ones", "x y", "p q", []WordRun{del("x y"), ins("p q")}},
		{"a moved word is removed and added", "đỏ vàng xanh", "vàng xanh đỏ",
			[]WordRun{del("đỏ"), eq("vàng xanh"), ins("đỏ")}},
		{"case matters", "Green", "green", []WordRun{del("Green"), ins("green")}},
		// The same syllables typed precomposed on one keyboard and decomposed on another.
		{"Vietnamese NFC and NFD are the same words", norm.NFD.String("Chưa có đội ứng cứu sự cố"),
			"Chưa có đội ứng cứu sự cố", []WordRun{eq("Chưa có đội ứng cứu sự cố")}},
		{"Vietnamese tone marks are different words", "Đã có quy chế", "Đã có quý chế",
			[]WordRun{eq("Đã có"), del("quy"), ins("quý"), eq("chế")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := DiffWords(c.old, c.new)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("DiffWords(%q, %q)\n got %q\nwant %q", c.old, c.new, got, c.want)
			}
			if WordsChanged(got) != (strings.Join(strings.Fields(NFC(c.old)), " ") != strings.Join(strings.Fields(NFC(c.new)), " ")) {
				t.Errorf("WordsChanged = %v", WordsChanged(got))
			}
		})
	}
}

// TestDiffWordsRebuilds checks on many pairs that the kept and removed runs give back the
// old text, the kept and added runs the new one, and that as few words as possible change.
func TestDiffWordsRebuilds(t *testing.T) {
	words := strings.Fields("có chưa đã khung pháp lý kế hoạch tỉnh sở bộ dữ liệu mở")
	seed := uint32(7)
	next := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	text := func() string {
		n := next(12)
		out := make([]string, n)
		for i := range out {
			out[i] = words[next(len(words))]
		}
		return strings.Join(out, " ")
	}
	for range 500 {
		a, b := text(), text()
		runs := DiffWords(a, b)
		var oldW, newW []string
		changed := 0
		for i, r := range runs {
			if i > 0 && runs[i-1].Op == r.Op {
				t.Fatalf("%q → %q: two runs of %s in a row: %q", a, b, r.Op, runs)
			}
			w := strings.Fields(r.Text)
			switch r.Op {
			case DiffEqual:
				oldW, newW = append(oldW, w...), append(newW, w...)
			case DiffDelete:
				oldW = append(oldW, w...)
				changed += len(w)
			case DiffInsert:
				newW = append(newW, w...)
				changed += len(w)
				if i+1 < len(runs) && runs[i+1].Op == DiffDelete {
					t.Fatalf("%q → %q: added words before removed ones: %q", a, b, runs)
				}
			}
		}
		if strings.Join(oldW, " ") != a || strings.Join(newW, " ") != b {
			t.Fatalf("%q → %q: runs %q rebuild %q → %q", a, b, runs, strings.Join(oldW, " "), strings.Join(newW, " "))
		}
		if want := len(strings.Fields(a)) + len(strings.Fields(b)) - 2*lcsLen(strings.Fields(a), strings.Fields(b)); changed != want {
			t.Fatalf("%q → %q: %d words changed, a minimal diff changes %d: %q", a, b, changed, want, runs)
		}
	}
}

// lcsLen is the textbook recursion, for checking.
func lcsLen(a, b []string) int {
	memo := map[[2]int]int{}
	var f func(i, j int) int
	f = func(i, j int) int {
		if i == len(a) || j == len(b) {
			return 0
		}
		k := [2]int{i, j}
		if v, ok := memo[k]; ok {
			return v
		}
		v := max(f(i+1, j), f(i, j+1))
		if a[i] == b[j] {
			v = max(v, 1+f(i+1, j+1))
		}
		memo[k] = v
		return v
	}
	return f(0, 0)
}

func TestDiffWordsLongTextsStayCheap(t *testing.T) {
	a := strings.Repeat("một hai ba ", 3000)
	b := "đầu " + strings.Repeat("bốn năm sáu ", 3000)
	runs := DiffWords(a, b)
	// 9000 × 9001 word pairs is past the bound: removed and added whole.
	if len(runs) != 2 || runs[0].Op != DiffDelete || runs[1].Op != DiffInsert {
		t.Fatalf("got %d runs, first %q", len(runs), runs[0].Op)
	}
}
