package questionnaires

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Opening a catalog reads the top of each file only: a file whose body is broken opens
// without a problem, lists with its title, and fails (and is reported) only when it is
// loaded; commands that do not need it never parse it.
func TestCatalogLoadsLazily(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "good.yaml", tiny("good", "1", ""))
	write(t, dir, "late.yaml", tiny("late", "1", `      - id: q1
        type: rating
        text: {en: Again, vi: Lại}
`))
	c, err := OpenCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Problems(); len(p) != 0 {
		t.Fatalf("problems at opening: %v", p)
	}
	e, ok := c.Entry("late", "1")
	if !ok || e.Title.Get("en") != "Tiny" || e.Source != SourceFile || strings.Join(e.Languages, ",") != "vi,en" {
		t.Fatalf("entry %+v", e)
	}
	if _, err := c.Get("good", "1"); err != nil {
		t.Fatal(err)
	}
	if p := c.Problems(); len(p) != 0 {
		t.Fatalf("loading one questionnaire parsed another: %v", p)
	}
	if _, err := c.Get("late", "1"); err == nil || !strings.Contains(err.Error(), `duplicate question id "q1"`) {
		t.Fatalf("Get late: %v", err)
	}
	if p := c.Problems(); len(p) != 1 || !strings.Contains(p[0].Error(), "late.yaml:13") {
		t.Fatalf("problems after loading: %v", p)
	}
	// The bundled questionnaires are parsed once per process: every catalog shares them.
	c2, _ := OpenCatalog(dir)
	a, err1 := c.Get("dgra-2018", "2018.1")
	b, err2 := c2.Latest("dgra-2018")
	if err1 != nil || err2 != nil || a != b {
		t.Fatalf("bundled parsed again: %p %p %v %v", a, b, err1, err2)
	}
}

// questionnaire add and validate refuse a file over the bounds, saying by how much; a
// catalog skips such a file in its folder without reading it.
func TestCatalogBounds(t *testing.T) {
	dir, src := t.TempDir(), t.TempDir()
	c, err := OpenCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	big := tiny("big", "1", "") + strings.Repeat("# padding padding padding padding padding padding padding\n", MaxFileSize/58+1)
	p := write(t, src, "big.yaml", big)
	if _, err := c.Add(p); err == nil || !strings.Contains(err.Error(), "4.0 MB, over the limit of 4 MB") {
		t.Fatalf("Add: %v", err)
	}
	if _, err := LoadFileStrict(p); err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Fatalf("validate: %v", err)
	}
	var qs strings.Builder
	for i := range MaxQuestions + 1 {
		fmt.Fprintf(&qs, "      - id: x%d\n        type: yesno\n        text: {en: X, vi: X}\n", i)
	}
	many := write(t, src, "many.yaml", tiny("many", "1", qs.String()))
	if _, err := c.Add(many); err == nil || !strings.Contains(err.Error(), "2002 questions, over the limit of 2000") {
		t.Fatalf("Add many: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("refused files were added: %v", entries)
	}
	// A file copied into the folder by hand, larger than the limit and not even YAML.
	os.WriteFile(filepath.Join(dir, "huge.yaml"), []byte("{"+strings.Repeat("x", MaxFileSize)), 0o600)
	c, err = OpenCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Problems(); len(p) != 1 || !strings.Contains(p[0].Error(), "huge.yaml: the file has 4.0 MB, over the limit of 4 MB") {
		t.Fatalf("problems: %v", p)
	}
}

func TestReadHeader(t *testing.T) {
	for name, c := range map[string]struct {
		src, id, version, title string
	}{
		"block":         {tiny("a", "1.0", ""), "a", "1.0", "Tiny"},
		"comments":      {"# yaml-language-server: x\n---\nformat: fieldsurvey-questionnaire/1 # the format\nid: b\n\nversion: '2'\ntitle:\n  # English first\n  en: \"  Bee \"\n  vi: Ong\nlanguages:\n- vi\n- en\nsections: []\n", "b", "2", "Bee"},
		"flow root":     {"{format: fieldsurvey-questionnaire/1, id: c, version: '1'}\n", "", "", ""},
		"alias":         {"format: fieldsurvey-questionnaire/1\nid: d\nversion: '1'\ntitle: *t\n", "", "", ""},
		"no version":    {"format: fieldsurvey-questionnaire/1\nid: e\n", "", "", ""},
		"other format":  {"format: something-else\nid: f\nversion: '1'\n", "", "", ""},
		"two documents": {"format: fieldsurvey-questionnaire/1\nid: g\nversion: '1'\n---\nid: h\n", "", "", ""},
	} {
		h, ok := readHeader([]byte(c.src))
		if ok != (c.id != "") || h.ID != c.id || h.Version != c.version || h.Title.Get("en") != c.title {
			t.Errorf("%s: %+v %v", name, h, ok)
		}
	}
}
