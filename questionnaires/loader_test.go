package questionnaires

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Each file in testdata states on its first line what it must produce: "refused at line N"
// and, in the rest of the sentence, what the problem is.
func TestHostileQuestionnaires(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	lineRe := regexp.MustCompile(`refused at line (\d+)`)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(fh)
			sc.Scan()
			first := sc.Text()
			fh.Close()
			m := lineRe.FindStringSubmatch(first)
			if m == nil {
				t.Fatalf("fixture %s does not say which line it fails at: %q", f, first)
			}
			_, err = LoadFile(f)
			if err == nil {
				t.Fatalf("%s was accepted", f)
			}
			want := f + ":" + m[1] + ": "
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error does not name %q:\n%v", want, err)
			}
		})
	}
}

func TestHostileMessages(t *testing.T) {
	for file, msg := range map[string]string{
		"broken-expression.yaml":          "bad relevance expression",
		"duplicate-id.yaml":               `duplicate question id "1.1"`,
		"unknown-reference.yaml":          `references unknown question "9.9"`,
		"missing-translation.yaml":        `missing translation "vi"`,
		"unknown-key.yaml":                "field requried not found",
		"bad-scale.yaml":                  "increasing values",
		"roster-duplicate-column.yaml":    `duplicate column id "source" in roster "4.K"`,
		"roster-unknown-column-type.yaml": `column "when" of roster "4.K" has unknown type "date"`,
		"roster-choice-no-options.yaml":   `choice column "kind" of roster "4.K" has no options`,
		"roster-min-over-max.yaml":        "max_rows 2 is below min_rows 5",
		"roster-unknown-cell.yaml":        `reads cell "link", which is not one of its columns`,
		"roster-count-not-roster.yaml":    `counts the rows of "4.1", which is a yesno question, not a roster`,
	} {
		_, err := LoadFile(filepath.Join("testdata", file))
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: want %q in error, got %v", file, msg, err)
		}
	}
}

func TestBundled(t *testing.T) {
	qs, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*survey.Questionnaire{}
	for _, q := range qs {
		byID[q.ID] = q
	}
	dgra, odra := byID["dgra-2018"], byID["odra-3.1"]
	if dgra == nil || odra == nil || byID["example"] == nil {
		t.Fatalf("bundled: %v", byID)
	}
	if len(dgra.Sections) != 7 {
		t.Errorf("dgra-2018 has %d pillars, want 7", len(dgra.Sections))
	}
	p7, _ := dgra.Section("7")
	var ids []string
	for _, q := range p7.Questions {
		ids = append(ids, q.ID)
	}
	if strings.Join(ids, " ") != "7.1 7.2 7.3 7.4 7.5 7.6" {
		t.Errorf("pillar 7 questions: %v", ids)
	}
	for _, s := range dgra.Sections[:6] {
		if len(s.Questions) < 4 {
			t.Errorf("pillar %s has %d questions, want at least 4", s.ID, len(s.Questions))
		}
		for _, q := range s.Questions {
			if q.Source != "drafted" {
				t.Errorf("DGRA %s must be marked drafted", q.ID)
			}
		}
	}
	for _, q := range p7.Questions {
		if q.Source == "drafted" {
			t.Errorf("DGRA %s is published, not drafted", q.ID)
		}
	}
	numbered := 0
	for _, q := range odra.Questions() {
		if q.Type != survey.TypeRoster {
			numbered++
		}
	}
	if len(odra.Sections) != 8 || numbered != 43 {
		t.Errorf("odra-3.1: %d sections, %d questions; want 8 and 43 (the 43 numbered questions of odra-3.1.md)", len(odra.Sections), numbered)
	}
	// Importance labels exactly as in the methodology (odra-3.1.md).
	want := "1.1 VH 1.2 H 1.3 M 1.4 H 1.5 - 2.1 VH 2.2 VH 2.3 H 2.4 VH 2.5 H 2.6 H " +
		"3.1 VH 3.2 MH 3.3 MH 3.4 M 3.5 M 3.6 H 3.7 H 3.8 M 4.1 H 4.2 M 4.3 H 4.4 H 4.5 H 4.6 H 4.7 M " +
		"5.1 H 5.2 H 5.3 M 5.4 M 6.1 H 6.2 H 6.3 M 6.4 MH 6.5 M 7.1 VH 7.2 H 7.3 MH 7.4 MH 8.1 H 8.2 H 8.3 MH 8.4 H"
	abbr := map[survey.Importance]string{survey.ImportanceVeryHigh: "VH", survey.ImportanceHigh: "H",
		survey.ImportanceMediumHigh: "MH", survey.ImportanceMedium: "M", survey.ImportanceNone: "-"}
	var got []string
	for _, q := range odra.Questions() {
		if q.Type != survey.TypeRoster { // the key datasets table is not a numbered question
			got = append(got, q.ID, abbr[q.Importance])
		}
	}
	if strings.Join(got, " ") != want {
		t.Errorf("odra importance labels:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	for _, s := range odra.Sections {
		if len(s.Rubric) < 3 {
			t.Errorf("odra dimension %s needs a green/amber/red rubric", s.ID)
		}
	}
	// Every text of every bundled instrument exists in Vietnamese and English (Validate
	// checks this; here we also make sure the Vietnamese is not just a copy of the English).
	for _, q := range qs {
		same := 0
		for _, qu := range q.Questions() {
			if qu.Text["vi"] == qu.Text["en"] {
				same++
			}
		}
		if same > 0 {
			t.Errorf("%s: %d questions have the same Vietnamese and English text", q.ID, same)
		}
	}
}

func TestExampleUsesEveryType(t *testing.T) {
	qs, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if q.ID != "example" {
			continue
		}
		seen := map[survey.QuestionType]bool{}
		relevant, constraint := false, false
		for _, qu := range q.Questions() {
			seen[qu.Type] = true
			relevant = relevant || qu.Relevant != ""
			constraint = constraint || qu.Constraint != ""
		}
		for _, ty := range survey.QuestionTypes {
			// The roster is shown by odra-3.1's key datasets (TestODRAKeyDatasetsRoster):
			// adding one here would change every screen and script built on the example.
			if !seen[ty] && ty != survey.TypeRoster {
				t.Errorf("example lacks a %s question", ty)
			}
		}
		if !relevant || !constraint {
			t.Error("example must use skip logic and validation")
		}
	}
}

// TestOverallFalse: a section may say overall: false (no overall rating); with a rubric it
// is refused at the line of overall, since the rubric has nothing to apply to.
func TestOverallFalse(t *testing.T) {
	src, _ := BundledSource("example")
	plain := strings.Replace(string(src), "  - id: \"1\"\n", "  - id: \"1\"\n    overall: false\n", 1)
	q, err := ParseStrict("plain.yaml", []byte(plain))
	if err != nil {
		t.Fatal(err)
	}
	if q.Sections[0].HasOverall() || !q.Sections[1].HasOverall() {
		t.Fatalf("HasOverall: %v %v, want false true", q.Sections[0].HasOverall(), q.Sections[1].HasOverall())
	}
	// Section 2 has a rubric.
	bad := strings.Replace(string(src), "  - id: \"2\"\n", "  - id: \"2\"\n    overall: false\n", 1)
	_, err = ParseStrict("bad.yaml", []byte(bad))
	if err == nil {
		t.Fatal("overall: false with a rubric accepted")
	}
	line := strings.Count(bad[:strings.Index(bad, "    overall: false")], "\n") + 1
	if msg := err.Error(); !strings.Contains(msg, "rubric") || !strings.Contains(msg, "overall: false") ||
		!strings.Contains(msg, strconv.Itoa(line)) {
		t.Fatalf("error %q: want the rubric, overall: false and line %d", msg, line)
	}
}
