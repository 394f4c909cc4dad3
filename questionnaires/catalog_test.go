package questionnaires

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tiny returns a small valid questionnaire file of id at version; extra is appended to the
// only question (for example a broken expression).
func tiny(id, version, extra string) string {
	return `format: fieldsurvey-questionnaire/1
id: ` + id + `
version: "` + version + `"
title: {en: Tiny, vi: Nhỏ}
languages: [vi, en]
sections:
  - id: s1
    title: {en: Section one, vi: Phần một}
    questions:
      - id: q1
        type: rating
        text: {en: "How ready?", vi: "Sẵn sàng đến đâu?"}
` + extra
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCatalogReadsFolderAndSkipsBadFiles(t *testing.T) {
	bundled, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	if len(bundled) == 0 {
		t.Fatal("no bundled questionnaires")
	}
	b := bundled[0]

	dir := t.TempDir()
	write(t, dir, "good.yaml", tiny("tiny", "1.0", ""))
	write(t, dir, "broken.yaml", tiny("tiny", "2.0", `        relevant: 'answer("nope") =='`+"\n"))
	write(t, dir, "shadow.yml", tiny(b.ID, b.Version, ""))
	write(t, dir, "notes.txt", "not a questionnaire")

	c, err := OpenCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(c.List()), len(bundled)+1; got != want {
		t.Fatalf("catalog has %d questionnaires, want %d (bundled + good.yaml)", got, want)
	}
	e, ok := c.Entry("tiny", "1.0")
	if !ok || e.Source != SourceFile || e.Path != filepath.Join(dir, "good.yaml") {
		t.Fatalf("tiny 1.0: got %+v, %v", e, ok)
	}
	if e, _ := c.Entry(b.ID, b.Version); e.Source != SourceBundled {
		t.Fatalf("%s is shadowed by a file: %+v", b.ID, e)
	}
	probs := c.Problems()
	if len(probs) != 2 {
		t.Fatalf("problems = %v, want broken.yaml and shadow.yml", probs)
	}
	all := probs[0].Error() + "\n" + probs[1].Error()
	for _, want := range []string{"broken.yaml:13:", "bad relevance expression", "shadow.yml", "is bundled"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems do not mention %q:\n%s", want, all)
		}
	}
}

func TestCatalogMissingFolderIsEmpty(t *testing.T) {
	c, err := OpenCatalog(filepath.Join(t.TempDir(), "none"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Problems()) != 0 {
		t.Fatal(c.Problems())
	}
	for _, e := range c.Entries() {
		if e.Source != SourceBundled {
			t.Fatalf("unexpected entry %+v", e)
		}
	}
}

func TestCatalogAdd(t *testing.T) {
	src := t.TempDir()
	dir := filepath.Join(t.TempDir(), "questionnaires")
	c, err := OpenCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	content := tiny("tiny", "1/0", "")
	in := write(t, src, "mine.yaml", content)
	q, err := c.Add(in)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "tiny-1_0.yaml")
	got, err := os.ReadFile(dest)
	if err != nil || string(got) != content {
		t.Fatalf("copied file: %q, %v", got, err)
	}
	if g, err := c.Get("tiny", "1/0"); err != nil || g != q {
		t.Fatalf("Get after Add: %v, %v", g, err)
	}

	// The same content again (laid out differently) is accepted and changes nothing.
	again := write(t, src, "again.yaml", "# a comment\n"+content)
	if _, err := c.Add(again); err != nil {
		t.Fatalf("re-adding the same questionnaire: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("folder holds %d files after re-adding, want 1", len(entries))
	}

	// Different content under the same id and version is refused.
	changed := write(t, src, "changed.yaml", strings.Replace(content, "How ready?", "How ready now?", 1))
	if _, err := c.Add(changed); err == nil || !strings.Contains(err.Error(), "different content") {
		t.Fatalf("changed content: err = %v", err)
	}
	if got, _ := os.ReadFile(dest); string(got) != content {
		t.Fatal("refused add changed the stored file")
	}

	// A bundled id and version cannot be shadowed.
	b := c.Entries()[0]
	shadow := write(t, src, "shadow.yaml", tiny(b.ID, b.Version, ""))
	if _, err := c.Add(shadow); err == nil || !strings.Contains(err.Error(), "bundled") {
		t.Fatalf("shadowing %s: err = %v", b.ID, err)
	}

	// A broken file is refused with file and line, and nothing is written.
	dup := write(t, src, "dup.yaml", tiny("dup", "1", `      - id: q1
        type: rating
        text: {en: Again, vi: Lại}
`))
	_, err = c.Add(dup)
	if err == nil || !strings.Contains(err.Error(), "dup.yaml:13: duplicate question id \"q1\"") {
		t.Fatalf("duplicate id: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName("dup", "1"))); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("broken questionnaire was written: %v", err)
	}

	// A new catalog on the same folder sees the added questionnaire.
	c2, err := OpenCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Get("tiny", "1/0"); err != nil || len(c2.Problems()) != 0 {
		t.Fatalf("reopened: %v, problems %v", err, c2.Problems())
	}
}

func TestCatalogGetLatest(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"1.9", "1.10", "1.2"} {
		write(t, dir, "t"+v+".yaml", tiny("tiny", v, ""))
	}
	c, err := OpenCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.Latest("tiny")
	if err != nil || q.Version != "1.10" {
		t.Fatalf("Latest = %v, %v; want 1.10", q, err)
	}
	var vs []string
	for _, q := range c.List() {
		if q.ID == "tiny" {
			vs = append(vs, q.Version)
		}
	}
	if strings.Join(vs, " ") != "1.2 1.9 1.10" {
		t.Fatalf("versions in order: %v", vs)
	}
	_, err = c.Get("tiny", "3")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "1.2, 1.9, 1.10") {
		t.Fatalf("Get unknown version: %v", err)
	}
	if _, err := c.Latest("nope"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "tiny") {
		t.Fatalf("Latest unknown id: %v", err)
	}
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1", "1", 0}, {"1.2", "1.10", -1}, {"3.1", "3.1.1", -1}, {"2018.1", "2018", 1},
		{"1.0-rc", "1.0-rc", 0}, {"1.a", "1.b", -1}, {"10", "9", 1},
	} {
		if got := CompareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := CompareVersions(tc.b, tc.a); got != -tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

// An expression that only fails when run (arithmetic on a rating code) is refused by Add
// and ParseStrict, while a file already in the folder is still loaded; the bundled
// questionnaires pass the strict check.
func TestStrictExpressions(t *testing.T) {
	dir := t.TempDir()
	bad := tiny("runtime", "1", `        constraint: 'answer("q1") + 1 > 2'`+"\n")
	src := write(t, t.TempDir(), "runtime.yaml", bad)
	c, err := OpenCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Add(src)
	if err == nil || !strings.Contains(err.Error(), `constraint of question "q1" fails on a rating answer`) || !strings.Contains(err.Error(), "runtime.yaml:13") {
		t.Fatalf("Add: %v", err)
	}
	write(t, dir, "runtime-1.yaml", bad)
	c, err = OpenCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get("runtime", "1"); err != nil || len(c.Problems()) != 0 {
		t.Fatalf("a file already in the folder is no longer loaded: %v %v", err, c.Problems())
	}
	for _, id := range []string{"dgra-2018", "odra-3.1", "example"} {
		data, _ := BundledSource(id)
		if _, err := ParseStrict(id, data); err != nil {
			t.Errorf("bundled %s: %v", id, err)
		}
	}
}
