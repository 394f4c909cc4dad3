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
//	  sections: {"5": "6"}                # old section id → its id in this version
//	  ratings: {"3.2": {amber-red: red}}  # per rating question or section (its id in this version): old rating code → new code
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
	// Sections maps an old section id to its id in this version: the section's overall
	// rating and comment move with it (its questions keep their own ids, or are renamed).
	Sections map[string]string `yaml:"sections,omitempty" json:"sections,omitempty"`
	// Ratings maps, per rating question or section of this version (its id here), a
	// rating code of the old version to the code that replaces it: for a question or a
	// pillar whose scale changed (five steps to three) or whose codes were renamed. It is
	// keyed by question or section rather than by scale because a code's meaning belongs to
	// the item it rates: one pillar may move to a three-step scale while another keeps
	// five, and two scales may share a code. A YAML anchor repeats one mapping for many
	// items. Every step of an item's old scale that is not a step of its new scale must be
	// mapped (CheckMigration), so no stored rating becomes invalid.
	Ratings map[string]map[Code]Code `yaml:"ratings,omitempty" json:"ratings,omitempty"`
}

// sectionRenamedFrom returns the old id of section id of the new version (itself when it
// was not renamed).
func (m *Migration) sectionRenamedFrom(id string) string {
	for old, nid := range m.Sections {
		if nid == id {
			return old
		}
	}
	return id
}

// ratedScale returns the scale of the rating item id of q: a rating question's, or a
// section's overall rating's (a section that has one). ok is false when id is neither;
// both is true when id names a rating question and a rated section at once.
func ratedScale(q *Questionnaire, id string) (sc *Scale, ok, both bool) {
	qu, isQ := q.Question(id)
	isQ = isQ && qu.Type == TypeRating
	sec, isS := q.Section(id)
	isS = isS && sec.HasOverall()
	switch {
	case isQ && isS:
		return q.ScaleOf(qu), true, true
	case isQ:
		return q.ScaleOf(qu), true, false
	case isS:
		return q.SectionScale(sec), true, false
	}
	return nil, false, false
}

func stepCodes(sc *Scale) string {
	return strings.Join(sc.codes(), ", ")
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
	v.renames(at+".renamed", "question", m.Renamed, func(id string) bool { _, ok := q.Question(id); return ok })
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
	v.renames(at+".sections", "section", m.Sections, func(id string) bool { _, ok := q.Section(id); return ok })
	v.ratingMaps()
}

// renames checks a map of renames (old id → new id) of things of one kind (question,
// section) on its own: each new id one of this version, no old id still here unless it is
// renamed onto too (a swap), no two onto one.
func (v *validator) renames(field, kind string, renames map[string]string, exists func(string) bool) {
	isTarget := map[string]bool{}
	for _, nid := range renames {
		isTarget[nid] = true
	}
	targets := map[string]string{}
	for _, old := range slices.Sorted(maps.Keys(renames)) {
		nid := renames[old]
		p := fmt.Sprintf("%s[%s]", field, old)
		if !exists(nid) {
			v.add(p, "%s %q is renamed to %q, which is not a %s of this version", kind, old, nid, kind)
		}
		if exists(old) && !isTarget[old] {
			v.add(p, "%s %q is renamed to %q but is still a %s of this version", kind, old, nid, kind)
		}
		if prev, dup := targets[nid]; dup {
			v.add(p, "%ss %q and %q are both renamed to %q", kind, prev, old, nid)
		}
		targets[nid] = old
	}
}

// ratingMaps checks migrates_from.ratings on its own: each key a rating question or a
// rated section of this version, each new code a step of its scale here.
func (v *validator) ratingMaps() {
	q, m := v.q, v.q.MigratesFrom
	const at = "migrates_from"
	for _, id := range slices.Sorted(maps.Keys(m.Ratings)) {
		p := fmt.Sprintf("%s.ratings[%s]", at, id)
		sc, ok, both := ratedScale(q, id)
		switch {
		case both:
			v.add(p, "ratings of %q: %q is both a rating question and a section of this version, so the mapping is ambiguous: give the question or the section another id", id, id)
			continue
		case !ok:
			v.add(p, "ratings of %q: no rating question or rated section in this version (ratings are keyed by the question's or section's id in this version)", id)
			continue
		}
		for _, old := range slices.Sorted(maps.Keys(m.Ratings[id])) {
			nc := m.Ratings[id][old]
			if old == "" || nc == "" {
				v.add(p, "ratings of %q: an empty rating code (%q → %q)", id, old, nc)
			} else if _, ok := sc.Step(nc); !ok {
				v.add(fmt.Sprintf("%s[%s]", p, old), "ratings of %q: %q → %q: %q is not a step of scale %q in this version (steps: %s)",
					id, old, nc, nc, sc.ID, stepCodes(sc))
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
	v.renamesAgainst(at+".renamed", "question", old.Version, m.Renamed, gone,
		func(id string) bool { _, ok := old.Question(id); return ok }, "rename or remove that one too")
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
	checkSectionMigration(v, old, q)
	if len(v.problems) > 0 {
		return &ValidationError{Problems: v.problems}
	}
	return nil
}

// renamesAgainst checks a map of renames (old id → new id) of things of one kind (question,
// section) against the old version: every old id is one of its, and no new id is one it
// still has unless that one is gone too (renamed, or removed); hint says how to mend that.
func (v *validator) renamesAgainst(field, kind, version string, renames map[string]string, gone map[string]bool, inOld func(string) bool, hint string) {
	for _, oid := range slices.Sorted(maps.Keys(renames)) {
		nid := renames[oid]
		p := fmt.Sprintf("%s[%s]", field, oid)
		if !inOld(oid) {
			v.add(p, "renamed %s %q is not a %s of version %s", kind, oid, kind, version)
		}
		if inOld(nid) && !gone[nid] {
			v.add(p, "%s %q is renamed to %q, which already exists in version %s (%s)", kind, oid, nid, version, hint)
		}
	}
}

// checkSectionMigration is CheckMigration for migrates_from.sections and .ratings: every
// renamed section is one of old's and lands on no section old still has; every recoded
// rating code is a step of the old item's scale; and every rated item whose scale changed
// maps each old step its new scale lacks, so that no stored rating becomes invalid.
func checkSectionMigration(v *validator, old, q *Questionnaire) {
	m := q.MigratesFrom
	const at = "migrates_from"
	gone := map[string]bool{}
	for id := range m.Sections {
		gone[id] = true
	}
	v.renamesAgainst(at+".sections", "section", old.Version, m.Sections, gone,
		func(id string) bool { _, ok := old.Section(id); return ok }, "rename that one too")
	// oldItem returns the scale of the old version's item that becomes item id of q.
	oldItem := func(id string, section bool) (string, *Scale, bool) {
		if section {
			oid := m.sectionRenamedFrom(id)
			if s, ok := old.Section(oid); ok && s.HasOverall() {
				return oid, old.SectionScale(s), true
			}
			return oid, nil, false
		}
		oid := m.renamedFrom(id)
		if oq, ok := old.Question(oid); ok && oq.Type == TypeRating {
			return oid, old.ScaleOf(oq), true
		}
		return oid, nil, false
	}
	for _, id := range slices.Sorted(maps.Keys(m.Ratings)) {
		p := fmt.Sprintf("%s.ratings[%s]", at, id)
		_, isSec := q.Section(id)
		oid, osc, ok := oldItem(id, isSec)
		if !ok {
			what := "a rating question"
			if isSec {
				what = "a rated section"
			}
			v.add(p, "ratings of %q: %q is not %s of version %s", id, oid, what, old.Version)
			continue
		}
		for _, code := range slices.Sorted(maps.Keys(m.Ratings[id])) {
			if _, ok := osc.Step(code); !ok {
				v.add(fmt.Sprintf("%s[%s]", p, code), "ratings of %q: %q is not a step of scale %q of %q in version %s (steps: %s)",
					id, code, osc.ID, oid, old.Version, stepCodes(osc))
			}
		}
	}
	// Completeness: a rated item of q that was a rated item of old, on a scale that lacks
	// some of the old scale's steps, maps each of them.
	check := func(id string, section bool, sc *Scale) {
		oid, osc, ok := oldItem(id, section)
		if !ok {
			return
		}
		var missing []string
		for _, st := range osc.Steps {
			if _, ok := sc.Step(st.Code); ok {
				continue
			}
			if _, ok := m.Ratings[id][st.Code]; !ok {
				missing = append(missing, string(st.Code))
			}
		}
		if len(missing) == 0 {
			return
		}
		p := at
		if _, ok := m.Ratings[id]; ok {
			p = fmt.Sprintf("%s.ratings[%s]", at, id)
		}
		what, was := "question", ""
		if section {
			what = "section"
		}
		if oid != id {
			was = fmt.Sprintf(" (%s in version %s)", oid, old.Version)
		}
		v.add(p, "ratings of %s %q%s: %s of scale %q in version %s %s not a step of scale %q in this version: map %s in migrates_from.ratings[%s] (steps here: %s)",
			what, id, was, quoteList(missing), osc.ID, old.Version, pluralEN(len(missing), "is", "are"), sc.ID,
			pluralEN(len(missing), "it", "them"), id, stepCodes(sc))
	}
	for _, s := range q.Sections {
		if s.HasOverall() {
			check(s.ID, true, q.SectionScale(s))
		}
		for _, qu := range s.Questions {
			if qu.Type == TypeRating {
				if _, isSec := q.Section(qu.ID); !isSec {
					check(qu.ID, false, q.ScaleOf(qu))
				}
			}
		}
	}
}

func quoteList(codes []string) string {
	q := make([]string, len(codes))
	for i, c := range codes {
		q[i] = fmt.Sprintf("%q", c)
	}
	return strings.Join(q, ", ")
}
