package survey

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Migration is what a questionnaire version declares, in its file, about what changed
// since the version before it (migrates_from), so that interviews still in progress on that
// version can move to this one:
//
//	migrates_from:
//	  version: "1.0"                      # the previous version of the same questionnaire
//	  renamed: {"1.3": "1.4"}             # old question id → its id in this version
//	  removed: ["2.5"]                    # questions of the old version dropped in this one
//	  choices: {"3.1": {"old": "new"}}    # per question (its id in this version): old option code → new code
//
// Versions chain: 3 migrates from 2, which migrates from 1; an interview on 1 moves to 3
// through 2. Answers to questions that disappear (removed, or dropped without being
// declared) are kept: they stay in the interview and its history, listed by the upgrade.
type Migration struct {
	Version string            `yaml:"version" json:"version"`
	Renamed map[string]string `yaml:"renamed,omitempty" json:"renamed,omitempty"`
	Removed []string          `yaml:"removed,omitempty" json:"removed,omitempty"`
	// Choices maps, per question of this version (single or multiple choice), an option
	// code of the old version to the code that replaces it.
	Choices map[string]map[string]string `yaml:"choices,omitempty" json:"choices,omitempty"`
}

// renamedFrom returns the old id of question id of the new version (itself when it was not
// renamed).
func (m *Migration) renamedFrom(id string) string {
	for old, nid := range m.Renamed {
		if nid == id {
			return old
		}
	}
	return id
}

// migration checks the migrates_from block of v.q on its own: what can be checked without
// the old version (CheckMigration checks it against that).
func (v *validator) migration() {
	q, m := v.q, v.q.MigratesFrom
	if m == nil {
		return
	}
	const at = "migrates_from"
	switch {
	case strings.TrimSpace(m.Version) == "":
		v.add(at, "missing version: migrates_from names the version this one replaces")
	case m.Version == q.Version:
		v.add(at+".version", "version %s migrates from itself: name the previous version", q.Version)
	}
	removed := map[string]bool{}
	for i, id := range m.Removed {
		p := fmt.Sprintf("%s.removed[%d]", at, i)
		switch {
		case removed[id]:
			v.add(p, "question %q is listed twice as removed", id)
		case m.Renamed[id] != "":
			v.add(p, "question %q is both renamed (to %q) and removed", id, m.Renamed[id])
		default:
			if _, ok := q.Question(id); ok {
				v.add(p, "question %q is listed as removed but is a question of this version", id)
			}
		}
		removed[id] = true
	}
	isTarget := map[string]bool{}
	for _, nid := range m.Renamed {
		isTarget[nid] = true
	}
	targets := map[string]string{}
	for _, old := range slices.Sorted(maps.Keys(m.Renamed)) {
		nid := m.Renamed[old]
		p := fmt.Sprintf("%s.renamed[%s]", at, old)
		if _, ok := q.Question(nid); !ok {
			v.add(p, "question %q is renamed to %q, which is not a question of this version", old, nid)
		}
		if _, ok := q.Question(old); ok && !isTarget[old] {
			v.add(p, "question %q is renamed to %q but is still a question of this version", old, nid)
		}
		if prev, dup := targets[nid]; dup {
			v.add(p, "questions %q and %q are both renamed to %q", prev, old, nid)
		}
		targets[nid] = old
	}
	for _, id := range slices.Sorted(maps.Keys(m.Choices)) {
		p := fmt.Sprintf("%s.choices[%s]", at, id)
		qu, ok := q.Question(id)
		if !ok {
			v.add(p, "choices of %q: no such question in this version (choices are keyed by the question's id in this version)", id)
			continue
		}
		if qu.Type != TypeSingle && qu.Type != TypeMultiple {
			v.add(p, "choices of %q: the question is %s, not a single or multiple choice", id, qu.Type)
			continue
		}
		for _, old := range slices.Sorted(maps.Keys(m.Choices[id])) {
			nc := m.Choices[id][old]
			if old == "" || nc == "" {
				v.add(p, "choices of %q: an empty option code (%q → %q)", id, old, nc)
			} else if !hasOption(qu, nc) {
				v.add(fmt.Sprintf("%s[%s]", p, old), "choices of %q: %q → %q: %q is not an option of the question in this version (options: %s)",
					id, old, nc, nc, optionCodes(qu))
			}
		}
	}
}

func optionCodes(qu *Question) string {
	codes := make([]string, len(qu.Options))
	for i, o := range qu.Options {
		codes[i] = o.Code
	}
	return strings.Join(codes, ", ")
}

// CheckMigration checks the migrates_from block of q against old, the version it names:
// every renamed, removed and recoded question and option code must be one of old's, and a
// question must not be renamed onto an id old already has (unless that one is itself
// renamed or removed). It returns a *ValidationError with the problems' paths, or nil.
func CheckMigration(old, q *Questionnaire) error {
	m := q.MigratesFrom
	if m == nil {
		return nil
	}
	v := &validator{q: q}
	const at = "migrates_from"
	if old.ID != q.ID || old.Version != m.Version {
		v.add(at+".version", "migrates from %s version %s, checked against %s version %s", q.ID, m.Version, old.ID, old.Version)
	}
	gone := map[string]bool{}
	for i, id := range m.Removed {
		gone[id] = true
		if _, ok := old.Question(id); !ok {
			v.add(fmt.Sprintf("%s.removed[%d]", at, i), "removed question %q is not a question of version %s", id, old.Version)
		}
	}
	for id := range m.Renamed {
		gone[id] = true
	}
	for _, oid := range slices.Sorted(maps.Keys(m.Renamed)) {
		nid := m.Renamed[oid]
		p := fmt.Sprintf("%s.renamed[%s]", at, oid)
		if _, ok := old.Question(oid); !ok {
			v.add(p, "renamed question %q is not a question of version %s", oid, old.Version)
		}
		if _, ok := old.Question(nid); ok && !gone[nid] {
			v.add(p, "question %q is renamed to %q, which already exists in version %s (rename or remove that one too)", oid, nid, old.Version)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(m.Choices)) {
		p := fmt.Sprintf("%s.choices[%s]", at, id)
		oid := m.renamedFrom(id)
		oq, ok := old.Question(oid)
		if !ok {
			v.add(p, "choices of %q: question %q is not a question of version %s", id, oid, old.Version)
			continue
		}
		for _, code := range slices.Sorted(maps.Keys(m.Choices[id])) {
			if !hasOption(oq, code) {
				v.add(fmt.Sprintf("%s[%s]", p, code), "choices of %q: %q is not an option of question %q in version %s (options: %s)",
					id, code, oid, old.Version, optionCodes(oq))
			}
		}
	}
	if len(v.problems) > 0 {
		return &ValidationError{Problems: v.problems}
	}
	return nil
}
