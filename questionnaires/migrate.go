package questionnaires

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// CheckFile reads and checks a questionnaire file as Add does before copying it:
// ParseStrict, then its migrates_from block (survey.Migration) against this catalog — the
// version it migrates from must be the one before it in the catalog (a chain has no gaps),
// and its renamed, removed and recoded questions and codes must match that version. When
// the catalog holds no earlier version of the questionnaire, the block is checked on its
// own only. Problems are a *survey.ValidationError with FILE:LINE.
func (c *Catalog) CheckFile(path string) (*survey.Questionnaire, error) {
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	q, err := ParseStrict(path, data)
	if err != nil {
		return nil, err
	}
	if err := c.checkMigration(path, func() ([]byte, error) { return data, nil }, q); err != nil {
		return nil, err
	}
	return q, nil
}

// previous returns the highest version of questionnaire id below version in the catalog.
func (c *Catalog) previous(id, version string) (Entry, bool) {
	var out Entry
	found := false
	for _, e := range c.Entries() { // sorted by id, then version
		if e.ID == id && CompareVersions(e.Version, version) < 0 {
			out, found = e, true
		}
	}
	return out, found
}

// checkMigration checks the migrates_from block of q, read from file name (data reads it
// again for the lines of the problems), against the catalog.
func (c *Catalog) checkMigration(name string, data func() ([]byte, error), q *survey.Questionnaire) error {
	if q.MigratesFrom == nil {
		return nil
	}
	prev, ok := c.previous(q.ID, q.Version)
	return checkMigration(name, data, q, prev.Version, ok, func() (*survey.Questionnaire, error) { return c.load(prev) })
}

// CheckMigrationAmong checks the migrates_from block of q, parsed from data (file name),
// against others, the versions of its questionnaire already known elsewhere (a server's
// published ones): as a catalog holding them would check it when adding the file.
func CheckMigrationAmong(name string, data []byte, q *survey.Questionnaire, others []*survey.Questionnaire) error {
	var prev *survey.Questionnaire
	for _, o := range others {
		if o.ID == q.ID && CompareVersions(o.Version, q.Version) < 0 && (prev == nil || CompareVersions(o.Version, prev.Version) > 0) {
			prev = o
		}
	}
	if prev == nil {
		return checkMigration(name, func() ([]byte, error) { return data, nil }, q, "", false, nil)
	}
	return checkMigration(name, func() ([]byte, error) { return data, nil }, q, prev.Version, true,
		func() (*survey.Questionnaire, error) { return prev, nil })
}

// checkMigration checks q's migrates_from block given the version before q where it is
// held (prevVersion, when found), which load parses.
func checkMigration(name string, data func() ([]byte, error), q *survey.Questionnaire, prevVersion string, found bool,
	load func() (*survey.Questionnaire, error)) error {
	m := q.MigratesFrom
	if m == nil {
		return nil
	}
	problem := func(msg string, args ...any) error {
		return &survey.ValidationError{Problems: []survey.Problem{{Path: "migrates_from.version", Msg: fmt.Sprintf(msg, args...)}}}
	}
	var err error
	switch {
	case CompareVersions(m.Version, q.Version) >= 0:
		err = problem("version %s migrates from version %s, which is not older: name the version before this one", q.Version, m.Version)
	case !found:
		// No earlier version here: nothing on this device can upgrade, nothing to check against.
		return nil
	case prevVersion != m.Version:
		err = problem("version %s migrates from version %s, but the version before it in the catalog is %s: a chain of versions has no gaps (migrate from %s)",
			q.Version, m.Version, prevVersion, prevVersion)
	default:
		old, lerr := load()
		if lerr != nil {
			return fmt.Errorf("%s: migrates from %s version %s, which cannot be read: %w", name, q.ID, prevVersion, lerr)
		}
		err = survey.CheckMigration(old, q)
	}
	if err == nil {
		return nil
	}
	src, rerr := data()
	var root yaml.Node
	if rerr != nil || yaml.Unmarshal(src, &root) != nil {
		root = yaml.Node{}
	}
	return locate(name, &root, err)
}

// checkFileMigrations makes the file entries of the catalog check their migrates_from
// block against the catalog when they are loaded: one that does not match is skipped and
// reported by Problems, as a broken file is.
func (c *Catalog) checkFileMigrations() {
	for _, e := range c.entries {
		c.checkMigrationOnLoad(e)
	}
}

// checkMigrationOnLoad makes file entry e check its migrates_from block when it is loaded.
// Call it once per entry.
func (c *Catalog) checkMigrationOnLoad(e Entry) {
	if e.Source != SourceFile || e.lazy == nil || e.lazy.load == nil {
		return
	}
	inner, path := e.lazy.load, e.Path
	e.lazy.load = func() (*survey.Questionnaire, error) {
		q, err := inner()
		if err != nil {
			return nil, err
		}
		if err := c.checkMigration(path, func() ([]byte, error) { return os.ReadFile(path) }, q); err != nil {
			return nil, err
		}
		return q, nil
	}
}

// Refresh adds the files that appeared in the catalog's folder since it was opened (a
// questionnaire installed by another program, such as a background sync), as OpenCatalog
// reads them. Entries already known are kept as they are.
func (c *Catalog) Refresh() error {
	if c.dir == "" {
		return nil
	}
	des, err := os.ReadDir(c.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read questionnaire folder: %w", err)
	}
	c.mu.Lock()
	known := map[string]bool{}
	for _, e := range c.entries {
		if e.Path != "" {
			known[e.Path] = true
		}
	}
	c.mu.Unlock()
	for _, de := range des {
		name := de.Name()
		ext := strings.ToLower(filepath.Ext(name))
		path := filepath.Join(c.dir, name)
		if de.IsDir() || (ext != ".yaml" && ext != ".yml") || strings.HasPrefix(name, ".") || known[path] {
			continue
		}
		e, err := fileEntry(path)
		c.mu.Lock()
		switch _, dup := c.entry(e.ID, e.Version); {
		case err != nil:
			c.problems = append(c.problems, fmt.Errorf("skipped questionnaire file: %w", err))
		case dup:
			c.problems = append(c.problems, fmt.Errorf("skipped questionnaire file %s: %s version %s is already in the catalog", path, e.ID, e.Version))
		default:
			c.checkMigrationOnLoad(e)
			c.entries = append(c.entries, e)
			c.sort()
		}
		c.mu.Unlock()
	}
	return nil
}

// UpgradePath returns the versions an interview on questionnaire id at version from passes
// through to reach version to ("" for the newest in the catalog): from, each version
// between, and to, each declaring that it migrates from the one before
// (survey.UpgradeChain). It wraps survey.ErrNoUpgrade when to is not newer than from or the
// chain does not reach from.
func (c *Catalog) UpgradePath(id, from, to string) ([]*survey.Questionnaire, error) {
	var last *survey.Questionnaire
	var err error
	if to == "" {
		last, err = c.Latest(id)
	} else {
		last, err = c.Get(id, to)
	}
	if err != nil {
		return nil, err
	}
	if CompareVersions(last.Version, from) <= 0 {
		return nil, fmt.Errorf("%w: %s version %s is not newer than version %s", survey.ErrNoUpgrade, id, last.Version, from)
	}
	return survey.UpgradeChain(last, from, func(v string) (*survey.Questionnaire, error) { return c.Get(id, v) })
}

// Upgradable returns the newest version an interview on questionnaire id at version can
// move to, and whether there is one.
func (c *Catalog) Upgradable(id, version string) (string, bool) {
	entries := c.Entries()
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.ID != id || CompareVersions(e.Version, version) <= 0 {
			continue
		}
		if _, err := c.UpgradePath(id, version, e.Version); err == nil {
			return e.Version, true
		}
	}
	return "", false
}
