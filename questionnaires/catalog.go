package questionnaires

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fieldsurvey/fieldsurvey/internal/atomicfile"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Source says where a questionnaire of a Catalog comes from.
type Source string

// The sources of a catalog entry.
const (
	SourceBundled Source = "bundled" // embedded in the binary
	SourceFile    Source = "file"    // a file in the catalog's folder
)

// ErrNotFound is returned by Catalog.Get and Catalog.Latest for an unknown questionnaire or
// version.
var ErrNotFound = errors.New("questionnaire not found")

// Entry is one questionnaire of a Catalog with where it comes from. Its id, version, title
// and languages are read cheaply, from the top of the file; Load parses and validates the
// whole questionnaire, once (bundled ones once per process).
type Entry struct {
	ID        string
	Version   string
	Title     survey.Text
	Languages []string
	Source    Source
	// Path is the file the questionnaire is read from; empty for bundled ones.
	Path string
	lazy *lazy
}

// Load returns the questionnaire, parsing and validating it on first use.
func (e Entry) Load() (*survey.Questionnaire, error) { return e.lazy.get() }

// lazy parses a questionnaire once, on first use.
type lazy struct {
	once sync.Once
	load func() (*survey.Questionnaire, error)
	q    *survey.Questionnaire
	err  error
}

func (l *lazy) get() (*survey.Questionnaire, error) {
	l.once.Do(func() { l.q, l.err = l.load() })
	return l.q, l.err
}

func loaded(q *survey.Questionnaire) *lazy {
	l := &lazy{q: q}
	l.once.Do(func() {})
	return l
}

// Catalog is every questionnaire a device knows: the bundled ones and the files in one
// folder (HOME/questionnaires). Each id and version appears once: a bundled questionnaire
// cannot be shadowed by a file, and two files with the same id and version are refused.
// A broken file in the folder does not make the catalog fail: it is skipped and reported
// by Problems. Opening a catalog reads only the top of each file (id, version, title); a
// questionnaire is parsed when it is first needed (Get, Latest, List, Entry.Load), so one
// large file does not slow commands that do not use it. Files over MaxFileSize are skipped
// unread.
type Catalog struct {
	dir      string
	mu       sync.Mutex
	entries  []Entry
	problems []error
}

// OpenCatalog lists the bundled questionnaires and every *.yaml and *.yml file in dir. A
// missing dir is an empty folder. Only a failure to read the bundled questionnaires or the
// folder itself is an error; bad files are collected in Problems.
func OpenCatalog(dir string) (*Catalog, error) {
	c := &Catalog{dir: dir}
	bundled, err := bundledEntries()
	if err != nil {
		return nil, err
	}
	c.entries = append(c.entries, bundled...)
	if dir != "" {
		if err := c.readDir(); err != nil {
			return nil, err
		}
	}
	c.sort()
	c.checkFileMigrations()
	return c, nil
}

func (c *Catalog) readDir() error {
	des, err := os.ReadDir(c.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read questionnaire folder: %w", err)
	}
	for _, de := range des {
		name := de.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if de.IsDir() || (ext != ".yaml" && ext != ".yml") || strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(c.dir, name)
		e, err := fileEntry(path)
		if err != nil {
			c.problems = append(c.problems, fmt.Errorf("skipped questionnaire file: %w", err))
			continue
		}
		if prev, ok := c.entry(e.ID, e.Version); ok {
			where := "is bundled"
			if prev.Source == SourceFile {
				where = "is already defined in " + prev.Path
			}
			c.problems = append(c.problems, fmt.Errorf("skipped questionnaire file %s: %s version %s %s", path, e.ID, e.Version, where))
			continue
		}
		c.entries = append(c.entries, e)
	}
	return nil
}

// fileEntry reads the entry of the questionnaire file at path: its header when the top of
// the file gives it, else (an unusual layout) the whole file, parsed at once.
func fileEntry(path string) (Entry, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Entry{}, fmt.Errorf("read questionnaire: %w", err)
	}
	if fi.Size() > MaxFileSize {
		return Entry{}, tooBig(path, fi.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Entry{}, fmt.Errorf("read questionnaire: %w", err)
	}
	e := Entry{Source: SourceFile, Path: path}
	h, ok := readHeader(data)
	if !ok {
		q, err := Parse(path, data)
		if err != nil {
			return Entry{}, err
		}
		h = header{ID: q.ID, Version: q.Version, Title: q.Title, Languages: q.Languages}
		e.lazy = loaded(q)
	} else {
		e.lazy = &lazy{load: func() (*survey.Questionnaire, error) {
			q, err := LoadFile(path)
			if err == nil && (q.ID != h.ID || q.Version != h.Version) {
				err = fmt.Errorf("%s: the file now holds %s version %s, not %s version %s: run the command again", path, q.ID, q.Version, h.ID, h.Version)
			}
			return q, err
		}}
	}
	e.ID, e.Version, e.Title, e.Languages = h.ID, h.Version, h.Title, h.Languages
	return e, nil
}

func (c *Catalog) sort() {
	sort.SliceStable(c.entries, func(i, j int) bool {
		a, b := c.entries[i], c.entries[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return CompareVersions(a.Version, b.Version) < 0
	})
}

// Dir returns the folder the catalog reads files from and Add copies them to.
func (c *Catalog) Dir() string { return c.dir }

// Problems returns the files of the folder that were skipped, and why: at opening (unreadable,
// too large, shadowing) and when a questionnaire failed to load since.
func (c *Catalog) Problems() []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]error(nil), c.problems...)
}

// Entries returns every questionnaire with its source, sorted by id, then version, without
// parsing any.
func (c *Catalog) Entries() []Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Entry(nil), c.entries...)
}

// List returns every questionnaire (all versions), sorted by id, then version, parsing each;
// one that fails to load is left out and reported by Problems.
func (c *Catalog) List() []*survey.Questionnaire {
	var out []*survey.Questionnaire
	for _, e := range c.Entries() {
		if q, err := c.load(e); err == nil {
			out = append(out, q)
		}
	}
	return out
}

// load loads e, recording a failure in the problems (once).
func (c *Catalog) load(e Entry) (*survey.Questionnaire, error) {
	first := false
	e.lazy.once.Do(func() { e.lazy.q, e.lazy.err = e.lazy.load(); first = true })
	q, err := e.lazy.q, e.lazy.err
	if err != nil && first {
		c.mu.Lock()
		c.problems = append(c.problems, fmt.Errorf("skipped questionnaire file: %w", err))
		c.mu.Unlock()
	}
	return q, err
}

func (c *Catalog) entry(id, version string) (Entry, bool) {
	for _, e := range c.entries {
		if e.ID == id && e.Version == version {
			return e, true
		}
	}
	return Entry{}, false
}

// Entry returns the catalog entry of id at version.
func (c *Catalog) Entry(id, version string) (Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entry(id, version)
}

// Get returns questionnaire id at version, parsing it on first use. The error wraps
// ErrNotFound and names the versions that exist, or says why the file cannot be used.
func (c *Catalog) Get(id, version string) (*survey.Questionnaire, error) {
	if e, ok := c.Entry(id, version); ok {
		return c.load(e)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if vs := c.versions(id); len(vs) > 0 {
		return nil, fmt.Errorf("%w: %s has no version %q (known: %s)", ErrNotFound, id, version, strings.Join(vs, ", "))
	}
	return nil, fmt.Errorf("%w: no questionnaire %q%s", ErrNotFound, id, c.knownIDs())
}

// Latest returns the highest version of questionnaire id.
func (c *Catalog) Latest(id string) (*survey.Questionnaire, error) {
	var last *Entry
	for _, e := range c.Entries() {
		if e.ID == id {
			last = &e // entries are sorted by version
		}
	}
	if last == nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		return nil, fmt.Errorf("%w: no questionnaire %q%s", ErrNotFound, id, c.knownIDs())
	}
	return c.load(*last)
}

func (c *Catalog) versions(id string) []string {
	var out []string
	for _, e := range c.entries {
		if e.ID == id {
			out = append(out, e.Version)
		}
	}
	return out
}

func (c *Catalog) knownIDs() string {
	var ids []string
	for _, e := range c.entries {
		if len(ids) == 0 || ids[len(ids)-1] != e.ID {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return " (known: " + strings.Join(ids, ", ") + ")"
}

// Add validates the questionnaire file at path and copies it into the catalog's folder as
// <id>-<version>.yaml, atomically (a reader never sees half a file). Adding the same id and
// version again with the same content does nothing; with different content it is refused,
// as is a file that would shadow a bundled questionnaire: give the file a new version.
func (c *Catalog) Add(path string) (*survey.Questionnaire, error) {
	if c.dir == "" {
		return nil, errors.New("add questionnaire: the catalog has no folder")
	}
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
	if prev, ok := c.Entry(q.ID, q.Version); ok {
		if prev.Source == SourceBundled {
			return nil, fmt.Errorf("%s: questionnaire %s version %s is bundled with fieldsurvey and cannot be replaced: give your file another id or version", path, q.ID, q.Version)
		}
		old, err := c.load(prev)
		if err != nil {
			return nil, fmt.Errorf("%s: questionnaire %s version %s is already in the catalog (%s), which cannot be read: %w", path, q.ID, q.Version, prev.Path, err)
		}
		same, err := sameQuestionnaire(old, q)
		if err != nil {
			return nil, err
		}
		if !same {
			return nil, fmt.Errorf("%s: questionnaire %s version %s is already in the catalog (%s) with different content: interviews refer to a questionnaire by id and version, so give your file a new version", path, q.ID, q.Version, prev.Path)
		}
		return old, nil
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return nil, fmt.Errorf("create questionnaire folder: %w", err)
	}
	dest := filepath.Join(c.dir, FileName(q.ID, q.Version))
	if _, err := os.Stat(dest); err == nil {
		return nil, fmt.Errorf("%s: %s already exists and holds another questionnaire (or a broken one): move it away first", path, dest)
	}
	if err := atomicfile.Write(dest, data, 0o644); err != nil {
		return nil, fmt.Errorf("add questionnaire: %w", err)
	}
	c.mu.Lock()
	c.entries = append(c.entries, Entry{ID: q.ID, Version: q.Version, Title: q.Title, Languages: q.Languages,
		Source: SourceFile, Path: dest, lazy: loaded(q)})
	c.sort()
	c.mu.Unlock()
	return q, nil
}

// FileName is the name Add gives the file of questionnaire id at version: "<id>-<version>.yaml",
// with any character of the version that is unsafe in a file name replaced by "_".
func FileName(id, version string) string {
	safe := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
				return r
			}
			return '_'
		}, s)
	}
	return safe(id) + "-" + strings.TrimLeft(safe(version), ".") + ".yaml"
}

// sameQuestionnaire compares two questionnaires by content, ignoring how their files are
// laid out (comments, key order, anchors).
func sameQuestionnaire(a, b *survey.Questionnaire) (bool, error) {
	ja, err := json.Marshal(a)
	if err != nil {
		return false, fmt.Errorf("compare questionnaires: %w", err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		return false, fmt.Errorf("compare questionnaires: %w", err)
	}
	return bytes.Equal(ja, jb), nil
}

// CompareVersions orders questionnaire versions: dot-separated parts compare as numbers when
// both are numbers ("3.10" after "3.9"), as text otherwise. It returns -1, 0 or +1.
func CompareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil:
			if na != nb {
				if na < nb {
					return -1
				}
				return 1
			}
		case pa[i] != pb[i]:
			if pa[i] < pb[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(pa) < len(pb):
		return -1
	case len(pa) > len(pb):
		return 1
	}
	return 0
}
