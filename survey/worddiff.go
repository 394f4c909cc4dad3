package survey

import "strings"

// DiffOp says what a run of a word diff does: keeps, removes or adds words.
type DiffOp string

// The three operations of a word diff.
const (
	DiffEqual  DiffOp = "="
	DiffDelete DiffOp = "-"
	DiffInsert DiffOp = "+"
)

// WordRun is a run of consecutive words a diff keeps, removes or adds. Text holds the words
// separated by single spaces.
type WordRun struct {
	Op   DiffOp `json:"op"`
	Text string `json:"text"`
}

// maxDiffCells bounds the work of DiffWords: beyond this many word pairs (after the common
// beginning and end are set aside) the middle is reported as removed and added whole.
const maxDiffCells = 1 << 22

// DiffWords compares old and new word by word and returns the runs that turn old into new,
// in order. Both texts are put in NFC first, so the same Vietnamese words typed on two
// keyboards compare equal; words are what whitespace separates, and any whitespace between
// them counts as one space. Where old and new differ, the removed words come before the
// added ones. The diff is a longest common subsequence of words: as few words as possible
// are marked removed or added. Equal texts give one equal run (none when both are empty).
func DiffWords(old, new string) []WordRun {
	a := strings.Fields(NFC(old))
	b := strings.Fields(NFC(new))
	var runs []WordRun
	add := func(op DiffOp, w string) {
		if n := len(runs); n > 0 && runs[n-1].Op == op {
			runs[n-1].Text += " " + w
			return
		}
		runs = append(runs, WordRun{Op: op, Text: w})
	}
	// The common beginning and end need no table.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	for _, w := range a[:pre] {
		add(DiffEqual, w)
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	switch {
	case len(ma) == 0 || len(mb) == 0 || len(ma)*len(mb) > maxDiffCells:
		for _, w := range ma {
			add(DiffDelete, w)
		}
		for _, w := range mb {
			add(DiffInsert, w)
		}
	default:
		// lcs[i][j] is the length of a longest common subsequence of ma[i:] and mb[j:].
		n, m := len(ma), len(mb)
		lcs := make([][]int32, n+1)
		for i := range lcs {
			lcs[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		// Removals are held back until the next kept word, so that within a change the
		// removed words come first even when the walk alternates.
		var dels, ins []string
		flush := func() {
			for _, w := range dels {
				add(DiffDelete, w)
			}
			for _, w := range ins {
				add(DiffInsert, w)
			}
			dels, ins = dels[:0], ins[:0]
		}
		for i < n && j < m {
			switch {
			case ma[i] == mb[j]:
				flush()
				add(DiffEqual, ma[i])
				i++
				j++
			case lcs[i+1][j] >= lcs[i][j+1]:
				dels = append(dels, ma[i])
				i++
			default:
				ins = append(ins, mb[j])
				j++
			}
		}
		dels = append(dels, ma[i:]...)
		ins = append(ins, mb[j:]...)
		flush()
	}
	for _, w := range a[len(a)-suf:] {
		add(DiffEqual, w)
	}
	return runs
}

// WordsChanged reports whether runs (a DiffWords result) remove or add anything.
func WordsChanged(runs []WordRun) bool {
	for _, r := range runs {
		if r.Op != DiffEqual {
			return true
		}
	}
	return false
}
