package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveLanguageChangesOnlyThatLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	orig := "# settings\n\nassessor:\n  name: \"An\"\n\n# Language of the screens.\nlanguage: \"vi\"\n# Colours.\ncolor: \"auto\"\n"
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := saveLanguage(path, "en"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if want := strings.Replace(orig, `language: "vi"`, `language: "en"`, 1); string(got) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	c, err := fileConfig(path)
	if err != nil || c.Language != "en" {
		t.Fatalf("read back: %+v %v", c.Language, err)
	}
	// A file without the setting gets it at the end.
	if err := os.WriteFile(path, []byte("color: never"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := saveLanguage(path, "vi"); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(path)
	if string(got) != "color: never\nlanguage: \"vi\"\n" {
		t.Fatalf("got %q", got)
	}
	// A broken file is left alone.
	if err := os.WriteFile(path, []byte("language: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := saveLanguage(path, "en"); err == nil {
		t.Fatal("a broken file was rewritten")
	}
	if got, _ := os.ReadFile(path); string(got) != "language: [\n" {
		t.Fatalf("broken file changed: %q", got)
	}
}

func TestSaveAssessorName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	orig := "assessor:\n  # Your name.\n  name: \"\"\n  principal: \"an@example.org\"\nlanguage: \"vi\"\n"
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := saveAssessorName(path, "Nguyễn Văn \"An\""); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if want := strings.Replace(orig, `name: ""`, `name: "Nguyễn Văn \"An\""`, 1); string(got) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	c, err := fileConfig(path)
	if err != nil || c.Assessor.Name != `Nguyễn Văn "An"` || c.Assessor.Principal != "an@example.org" {
		t.Fatalf("read back: %+v %v", c.Assessor, err)
	}
	// No name line: it goes first in the assessor block, above the next entry's comment.
	orig = "assessor:\n  # Who signs.\n  principal: \"an\"\nlanguage: \"vi\"\n"
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := saveAssessorName(path, "Bình"); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(path)
	if want := "assessor:\n  name: \"Bình\"\n  # Who signs.\n  principal: \"an\"\nlanguage: \"vi\"\n"; string(got) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	// No assessor block at all: added at the end.
	if err := os.WriteFile(path, []byte("language: \"vi\""), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := saveAssessorName(path, "Lan"); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(path)
	if want := "language: \"vi\"\nassessor:\n  name: \"Lan\"\n"; string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if c, err := fileConfig(path); err != nil || c.Assessor.Name != "Lan" {
		t.Fatalf("read back: %+v %v", c.Assessor, err)
	}
}
