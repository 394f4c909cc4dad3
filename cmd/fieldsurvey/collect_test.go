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
