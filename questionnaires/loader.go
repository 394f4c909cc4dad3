// Package questionnaires holds the instruments bundled with fieldsurvey (DGRA 2018, ODRA 3.1
// and a small example, embedded in the binary) and the loader that reads questionnaire files.
//
// A questionnaire file is YAML in the format "fieldsurvey-questionnaire/1", described by the
// JSON Schema in schema/questionnaire.schema.json. Load refuses unknown keys and reports
// every problem with the file name and line, so that an author can fix them all in one go.
//
// Files are bounded (MaxFileSize, MaxQuestions): larger ones are refused by `questionnaire
// add` and `validate` and skipped, unread, by a catalog. A catalog reads only the top of each
// file (id, version, title, languages) when it opens and parses a questionnaire when it is
// first used; the bundled ones are parsed at most once per process.
package questionnaires

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

//go:embed bundled/*.yaml
var bundled embed.FS

//go:embed schema/questionnaire.schema.json
var schema []byte

// Schema returns the JSON Schema of the questionnaire file format.
func Schema() []byte { return bytes.Clone(schema) }

// The bounds of a questionnaire file: `questionnaire add` and `validate` refuse more, and a
// catalog skips a larger file in its folder without reading it. The bundled instruments are
// far below them (DGRA 2018: 69 KB, 36 questions).
const (
	MaxFileSize  = 4_000_000 // bytes
	MaxQuestions = 2000
)

// tooBig is the error of a file over MaxFileSize.
func tooBig(name string, size int64) error {
	return &survey.ValidationError{File: name, Problems: []survey.Problem{{Msg: fmt.Sprintf(
		"the file has %s, over the limit of %s for a questionnaire: split it into several questionnaires",
		survey.SizeText(int(size)), survey.SizeText(MaxFileSize))}}}
}

// readBounded reads a questionnaire file of at most MaxFileSize bytes.
func readBounded(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read questionnaire: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read questionnaire: %w", err)
	}
	if len(data) > MaxFileSize {
		size := int64(len(data))
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		return nil, tooBig(name, size)
	}
	return data, nil
}

// bundledEntries lists the instruments embedded in the binary from their headers; each is
// parsed on first use, once per process.
var bundledEntries = sync.OnceValues(func() ([]Entry, error) {
	files, err := fs.ReadDir(bundled, "bundled")
	if err != nil {
		return nil, fmt.Errorf("read bundled questionnaires: %w", err)
	}
	var out []Entry
	for _, f := range files {
		name := f.Name()
		data, err := bundled.ReadFile(path.Join("bundled", name))
		if err != nil {
			return nil, fmt.Errorf("read bundled questionnaire %s: %w", name, err)
		}
		h, ok := readHeader(data)
		if !ok {
			return nil, fmt.Errorf("bundled questionnaire %s: no id and version at the top of the file", name)
		}
		load := func() (*survey.Questionnaire, error) {
			if q, ok := fromCache(name, data); ok {
				return q, nil
			}
			q, err := Parse(name, data)
			if err != nil {
				return nil, fmt.Errorf("bundled questionnaire: %w", err)
			}
			return q, nil
		}
		out = append(out, Entry{ID: h.ID, Version: h.Version, Title: h.Title, Languages: h.Languages,
			Source: SourceBundled, lazy: &lazy{load: load}})
	}
	// By id, then version: an instrument may be bundled in several versions (the older
	// ones stay so that interviews recorded on them still open).
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return CompareVersions(out[i].Version, out[j].Version) < 0
	})
	return out, nil
})

// Bundled returns the instruments embedded in the binary, sorted by id, then version
// (parsed once per process).
func Bundled() ([]*survey.Questionnaire, error) {
	entries, err := bundledEntries()
	if err != nil {
		return nil, err
	}
	out := make([]*survey.Questionnaire, 0, len(entries))
	for _, e := range entries {
		q, err := e.Load()
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// BundledSource returns the YAML source of the bundled questionnaire with id.
func BundledSource(id string) ([]byte, bool) {
	data, err := bundled.ReadFile(path.Join("bundled", id+".yaml"))
	return data, err == nil
}

// LoadFile reads and validates a questionnaire file (of at most MaxFileSize bytes).
func LoadFile(name string) (*survey.Questionnaire, error) {
	data, err := readBounded(name)
	if err != nil {
		return nil, err
	}
	return Parse(name, data)
}

// Parse decodes and validates the questionnaire in data; name is used in messages. Errors
// are a *survey.ValidationError whose problems carry the line they refer to.
func Parse(name string, data []byte) (*survey.Questionnaire, error) {
	return parse(name, data, false)
}

// ParseStrict is Parse that also runs every expression on the answers it can see
// (survey.Questionnaire.CheckExpressions), refusing one that would fail at entry: what
// `questionnaire validate` and Catalog.Add require of a file. (A catalog loads the files
// already in its folder with Parse.)
func ParseStrict(name string, data []byte) (*survey.Questionnaire, error) {
	return parse(name, data, true)
}

// LoadFileStrict reads a questionnaire file and checks it with ParseStrict.
func LoadFileStrict(name string) (*survey.Questionnaire, error) {
	data, err := readBounded(name)
	if err != nil {
		return nil, err
	}
	return ParseStrict(name, data)
}

func parse(name string, data []byte, strict bool) (*survey.Questionnaire, error) {
	if len(data) > MaxFileSize {
		return nil, tooBig(name, int64(len(data)))
	}
	// The file is decoded once; its node tree, which only the line numbers of validation
	// problems need, is parsed only when there are problems to place.
	var q survey.Questionnaire
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&q); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, emptyFile(name)
		}
		return nil, yamlError(name, err)
	}
	if n := len(q.Questions()); n > MaxQuestions {
		return nil, &survey.ValidationError{File: name, Problems: []survey.Problem{{Line: 1, Msg: fmt.Sprintf(
			"%d questions, over the limit of %d for a questionnaire: split it into several questionnaires", n, MaxQuestions)}}}
	}
	normalize(&q)
	check := q.Validate
	if strict {
		check = q.CheckExpressions
	}
	if err := check(); err != nil {
		var root yaml.Node
		if yaml.Unmarshal(data, &root) != nil {
			root = yaml.Node{}
		}
		return nil, locate(name, &root, err)
	}
	return &q, nil
}

// locate names the file of a *survey.ValidationError and the line of each of its problems
// in root, the file's YAML tree; other errors are prefixed with the file's name.
func locate(name string, root *yaml.Node, err error) error {
	var ve *survey.ValidationError
	if errors.As(err, &ve) {
		ve.File = name
		for i := range ve.Problems {
			if len(root.Content) > 0 {
				ve.Problems[i].Line = lineOf(root.Content[0], ve.Problems[i].Path)
			}
		}
		return ve
	}
	return fmt.Errorf("%s: %w", name, err)
}

// emptyFile is the refusal of a file that holds no YAML document.
func emptyFile(name string) error {
	return &survey.ValidationError{File: name, Problems: []survey.Problem{{Line: 1, Msg: "empty file: expected a questionnaire (format: " + survey.QuestionnaireFormat + ")"}}}
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

// yamlError turns a YAML decoding error into a ValidationError with one problem per line.
func yamlError(name string, err error) error {
	ve := &survey.ValidationError{File: name}
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for _, m := range msgs {
		m = strings.TrimPrefix(m, "yaml: ")
		p := survey.Problem{Msg: m}
		if sm := yamlLine.FindStringSubmatch(m); sm != nil {
			p.Line, _ = strconv.Atoi(sm[1])
			p.Msg = sm[2]
		}
		ve.Problems = append(ve.Problems, p)
	}
	return ve
}

// lineOf follows a validation path such as "sections[2].questions[0].relevant" through the
// YAML tree and returns the line of the deepest node it reaches.
func lineOf(n *yaml.Node, p string) int {
	line := n.Line
	for _, part := range splitPath(p) {
		var next *yaml.Node
		switch {
		case n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == part {
					next = n.Content[i+1]
					line = n.Content[i].Line
					break
				}
			}
		case n.Kind == yaml.SequenceNode:
			if i, err := strconv.Atoi(part); err == nil && i < len(n.Content) {
				next = n.Content[i]
			}
		case n.Kind == yaml.AliasNode && n.Alias != nil:
			next = n.Alias
		}
		if next == nil {
			return line
		}
		n = next
		if n.Kind != yaml.AliasNode {
			line = n.Line
		}
	}
	return line
}

// splitPath splits a validation path into its keys and indexes: a bracketed part is one
// key even when it holds dots ("migrates_from.renamed[1.3]" → migrates_from, renamed, 1.3).
func splitPath(p string) []string {
	var out []string
	var cur strings.Builder
	inBracket := false
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range p {
		switch {
		case r == '[' && !inBracket:
			flush()
			inBracket = true
		case r == ']' && inBracket:
			flush()
			inBracket = false
		case r == '.' && !inBracket:
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

// normalize puts every text of q in NFC, so that comparisons and sorting are stable.
func normalize(q *survey.Questionnaire) {
	nt := func(t survey.Text) {
		for k, v := range t {
			t[k] = survey.NFC(strings.TrimSpace(v))
		}
	}
	nt(q.Title)
	nt(q.Description)
	for _, s := range q.Scales {
		nt(s.Label)
		for _, st := range s.Steps {
			nt(st.Label)
		}
	}
	for _, s := range q.Sections {
		nt(s.Title)
		nt(s.Context)
		for _, r := range s.Rubric {
			nt(r)
		}
		for _, qu := range s.Questions {
			nt(qu.Text)
			nt(qu.Guidance)
			nt(qu.ConstraintMessage)
			for _, p := range qu.Probes {
				nt(p.Text)
			}
			for _, o := range qu.Options {
				nt(o.Label)
			}
		}
	}
}

// header is what a catalog reads of a questionnaire file without parsing all of it.
type header struct {
	Format    string      `yaml:"format"`
	ID        string      `yaml:"id"`
	Version   string      `yaml:"version"`
	Title     survey.Text `yaml:"title"`
	Languages []string    `yaml:"languages"`
}

// headerKeys are the top-level keys readHeader decodes.
var headerKeys = map[string]bool{"format": true, "id": true, "version": true, "title": true, "languages": true}

// readHeader decodes the format, id, version, title and languages of a questionnaire file
// from their top-level blocks alone (a block: a line with a key at the first column and the
// lines after it that are indented, empty, comments or sequence items). ok is false when
// the file is laid out otherwise (a flow mapping, several documents, an alias to elsewhere)
// or lacks id or version: the caller then parses the whole file.
func readHeader(data []byte) (h header, ok bool) {
	var picked []byte
	keep := false
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		trimmed := bytes.TrimRight(line, "\r\n")
		switch {
		case len(trimmed) == 0 || trimmed[0] == ' ' || trimmed[0] == '\t' || trimmed[0] == '#' || trimmed[0] == '-' && !bytes.HasPrefix(trimmed, []byte("---")):
			// Inside the current block (or blank, or a comment).
		case bytes.Equal(trimmed, []byte("---")) && len(picked) == 0 && !keep:
			continue
		default:
			key, _, found := bytes.Cut(trimmed, []byte(":"))
			if !found || bytes.ContainsAny(key, "{}[]&*!|>'\"%@`") {
				return header{}, false
			}
			keep = headerKeys[string(bytes.TrimSpace(key))]
		}
		if keep {
			picked = append(picked, line...)
		}
	}
	if err := yaml.Unmarshal(picked, &h); err != nil || h.Format != survey.QuestionnaireFormat || h.ID == "" || h.Version == "" {
		return header{}, false
	}
	for k, v := range h.Title {
		h.Title[k] = survey.NFC(strings.TrimSpace(v))
	}
	return h, true
}
