package questionnaires

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// pilotV1 is version 1.0 of a small questionnaire; pilotV2 returns version 2.0 with the
// given migrates_from block (its first line on line 8 of the file).
const pilotV1 = `format: fieldsurvey-questionnaire/1
id: pilot
version: "1.0"
title: {en: "Pilot", vi: "Thử nghiệm"}
languages: [vi, en]
sections:
  - id: "1"
    title: {en: "One", vi: "Một"}
    questions:
      - id: "1.1"
        type: single
        text: {en: "Who?", vi: "Ai?"}
        options:
          - {code: ministry, label: {en: "Ministry", vi: "Bộ"}}
          - {code: other-body, label: {en: "Other", vi: "Khác"}}
      - id: "1.3"
        type: text
        text: {en: "Portal?", vi: "Cổng?"}
      - id: "2.5"
        type: text
        text: {en: "Remark?", vi: "Ghi chú?"}
`

func pilotV2(version, migration string) string {
	return `format: fieldsurvey-questionnaire/1
id: pilot
version: "` + version + `"
title: {en: "Pilot", vi: "Thử nghiệm"}
languages: [vi, en]
# line 6
# line 7
` + migration + `
sections:
  - id: "1"
    title: {en: "One", vi: "Một"}
    questions:
      - id: "1.1"
        type: single
        text: {en: "Who?", vi: "Ai?"}
        options:
          - {code: ministry, label: {en: "Ministry", vi: "Bộ"}}
          - {code: other, label: {en: "Other", vi: "Khác"}}
      - id: "1.4"
        type: text
        text: {en: "Portal?", vi: "Cổng?"}
`
}

// catalogWithV1 returns a catalog whose folder holds pilot 1.0, and a scratch folder.
func catalogWithV1(t *testing.T) (*Catalog, string) {
	t.Helper()
	dir := t.TempDir()
	scratch := t.TempDir()
	src := filepath.Join(scratch, "pilot-1.yaml")
	if err := os.WriteFile(src, []byte(pilotV1), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := OpenCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Add(src); err != nil {
		t.Fatal(err)
	}
	return c, scratch
}

const goodMigration = `migrates_from:
  version: "1.0"
  renamed: {"1.3": "1.4"}
  removed: ["2.5"]
  choices: {"1.1": {other-body: other}}`

// TestBadMigrations: each migration that does not match is refused by CheckFile (what
// `questionnaire validate` runs) and by Add, with FILE:LINE and what is wrong.
func TestBadMigrations(t *testing.T) {
	for _, tc := range []struct {
		name, version, migration string
		line                     int
		msg                      string
	}{
		{"unknown old id", "2.0", `migrates_from:
  version: "1.0"
  renamed: {"1.9": "1.4"}`, 10, `renamed question "1.9" is not a question of version 1.0`},
		{"target exists in the old version", "2.0", `migrates_from:
  version: "1.0"
  renamed: {"1.3": "1.1"}`, 10, `question "1.3" is renamed to "1.1", which already exists in version 1.0`},
		{"target not in the new version", "2.0", `migrates_from:
  version: "1.0"
  renamed: {"1.3": "1.7"}`, 10, `question "1.3" is renamed to "1.7", which is not a question of this version`},
		{"two questions renamed to one", "2.0", `migrates_from:
  version: "1.0"
  renamed: {"1.3": "1.4", "2.5": "1.4"}`, 10, `questions "1.3" and "2.5" are both renamed to "1.4"`},
		{"gap in the chain", "2.0", `migrates_from:
  version: "0.9"`, 9, `version 2.0 migrates from version 0.9, but the version before it in the catalog is 1.0: a chain of versions has no gaps`},
		{"chain skips a version", "3.0", `migrates_from:
  version: "1.5"`, 9, `version 3.0 migrates from version 1.5, but the version before it in the catalog is 1.0`},
		{"migrates from a newer version", "2.0", `migrates_from:
  version: "2.1"`, 9, `version 2.0 migrates from version 2.1, which is not older`},
		{"migrates from itself", "2.0", `migrates_from:
  version: "2.0"`, 9, `version 2.0 migrates from itself`},
		{"no version", "2.0", `migrates_from:
  removed: ["2.5"]`, 9, `missing version`},
		{"old choice code unknown", "2.0", `migrates_from:
  version: "1.0"
  choices: {"1.1": {gone: other}}`, 10, `choices of "1.1": "gone" is not an option of question "1.1" in version 1.0 (options: ministry, other-body)`},
		{"new choice code unknown", "2.0", `migrates_from:
  version: "1.0"
  choices: {"1.1": {other-body: nope}}`, 10, `choices of "1.1": "other-body" → "nope": "nope" is not an option of the question in this version (options: ministry, other)`},
		{"choices of a text question", "2.0", `migrates_from:
  version: "1.0"
  choices: {"1.4": {a: b}}`, 10, `choices of "1.4": the question is text, not a single or multiple choice`},
		{"removed question unknown", "2.0", `migrates_from:
  version: "1.0"
  removed: ["2.9"]`, 10, `removed question "2.9" is not a question of version 1.0`},
		{"renamed section unknown", "2.0", `migrates_from:
  version: "1.0"
  sections: {"9": "1"}`, 10, `renamed section "9" is not a section of version 1.0`},
		{"rating code not on the old scale", "2.0", `migrates_from:
  version: "1.0"
  ratings: {"1": {yellow: red}}`, 10, `ratings of "1": "yellow" is not a step of scale "readiness" of "1" in version 1.0 (steps: red, amber-red, amber, amber-green, green, not-assessed, dont-know)`},
		{"rating code not on the new scale", "2.0", `migrates_from:
  version: "1.0"
  ratings:
    "1": {amber: purple}`, 11, `ratings of "1": "amber" → "purple": "purple" is not a step of scale "readiness" in this version`},
		{"removed question still asked", "2.0", `migrates_from:
  version: "1.0"
  removed: ["1.4"]`, 10, `question "1.4" is listed as removed but is a question of this version`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, scratch := catalogWithV1(t)
			f := filepath.Join(scratch, "pilot-2.yaml")
			if err := os.WriteFile(f, []byte(pilotV2(tc.version, tc.migration)), 0o644); err != nil {
				t.Fatal(err)
			}
			want := f + ":" + strconv.Itoa(tc.line) + ": " + tc.msg
			for what, check := range map[string]func(string) (*survey.Questionnaire, error){"CheckFile": c.CheckFile, "Add": c.Add} {
				_, err := check(f)
				var ve *survey.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("%s: want a validation error, got %v", what, err)
				}
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%s: want %q in:\n%v", what, want, err)
				}
			}
			if _, err := c.Get("pilot", tc.version); !errors.Is(err, ErrNotFound) {
				t.Errorf("the refused file is in the catalog: %v", err)
			}
		})
	}
}

// TestMigrationInCatalogFolder: a file already in a catalog's folder whose migration does
// not match its previous version is skipped when loaded, and Problems says why with the line.
func TestMigrationInCatalogFolder(t *testing.T) {
	c, _ := catalogWithV1(t)
	bad := filepath.Join(c.Dir(), "pilot-2.0.yaml")
	if err := os.WriteFile(bad, []byte(pilotV2("2.0", `migrates_from:
  version: "1.0"
  renamed: {"1.9": "1.4"}`)), 0o644); err != nil {
		t.Fatal(err)
	}
	c2, err := OpenCatalog(c.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Get("pilot", "2.0"); err == nil || !strings.Contains(err.Error(), bad+":10: renamed question \"1.9\"") {
		t.Fatalf("want the migration refused with its line, got %v", err)
	}
	probs := c2.Problems()
	if len(probs) != 1 || !strings.Contains(probs[0].Error(), bad+":10:") {
		t.Errorf("problems: %v", probs)
	}
	if _, ok := c2.Upgradable("pilot", "1.0"); ok {
		t.Error("an upgrade is offered to a version the catalog refused")
	}
}

// TestUpgradePath: 3.0 migrates from 2.0, which migrates from 1.0; an interview on 1.0
// passes through 2.0. A version without migrates_from offers no upgrade.
func TestUpgradePath(t *testing.T) {
	c, scratch := catalogWithV1(t)
	add := func(name, src string) {
		t.Helper()
		f := filepath.Join(scratch, name)
		if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Add(f); err != nil {
			t.Fatal(err)
		}
	}
	add("v2.yaml", pilotV2("2.0", goodMigration))
	add("v3.yaml", pilotV2("3.0", `migrates_from:
  version: "2.0"`))
	path, err := c.UpgradePath("pilot", "1.0", "")
	if err != nil {
		t.Fatal(err)
	}
	var vs []string
	for _, q := range path {
		vs = append(vs, q.Version)
	}
	if got := strings.Join(vs, " "); got != "1.0 2.0 3.0" {
		t.Errorf("path %s, want 1.0 2.0 3.0", got)
	}
	if to, ok := c.Upgradable("pilot", "1.0"); !ok || to != "3.0" {
		t.Errorf("upgradable: %q %v", to, ok)
	}
	if _, ok := c.Upgradable("pilot", "3.0"); ok {
		t.Error("the newest version is offered an upgrade")
	}
	// 4.0 declares nothing: 1.0 still reaches 3.0, not 4.0.
	add("v4.yaml", pilotV2("4.0", "# no migration"))
	if to, ok := c.Upgradable("pilot", "1.0"); !ok || to != "3.0" {
		t.Errorf("with an undeclared 4.0: upgradable %q %v, want 3.0", to, ok)
	}
	if _, err := c.UpgradePath("pilot", "1.0", "4.0"); !errors.Is(err, survey.ErrNoUpgrade) {
		t.Errorf("to 4.0: %v", err)
	}
}

// TestRefresh: a version written into the folder by another program (a background sync)
// joins an open catalog, and an interview on 1.0 can then move to it.
func TestRefresh(t *testing.T) {
	c, _ := catalogWithV1(t)
	if _, ok := c.Upgradable("pilot", "1.0"); ok {
		t.Fatal("an upgrade before 2.0 exists")
	}
	other, err := OpenCatalog(c.Dir())
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "v2.yaml")
	if err := os.WriteFile(f, []byte(pilotV2("2.0", goodMigration)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Add(f); err != nil {
		t.Fatal(err)
	}
	if err := c.Refresh(); err != nil {
		t.Fatal(err)
	}
	if to, ok := c.Upgradable("pilot", "1.0"); !ok || to != "2.0" {
		t.Errorf("after Refresh: %q %v", to, ok)
	}
	n := len(c.Entries())
	if err := c.Refresh(); err != nil || len(c.Entries()) != n {
		t.Errorf("a second Refresh changed the entries: %d → %d (%v)", n, len(c.Entries()), err)
	}
}
