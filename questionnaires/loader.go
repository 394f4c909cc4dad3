// Package questionnaires holds the instruments bundled with fieldsurvey (DGRA 2018, ODRA 3.1
// and a small example, embedded in the binary) and the loader that reads questionnaire files.
//
// A questionnaire file is YAML in the format "fieldsurvey-questionnaire/1", described by the
// JSON Schema in schema/questionnaire.schema.json. Load refuses unknown keys and reports
// every problem with the file name and line, so that an author can fix them all in one go.
package questionnaires

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

//go:embed bundled/*.yaml
var bundled embed.FS

//go:embed schema/questionnaire.schema.json
var schema []byte

// Schema returns the JSON Schema of the questionnaire file format.
func Schema() []byte { return bytes.Clone(schema) }

// Bundled returns the instruments embedded in the binary, sorted by id.
func Bundled() ([]*survey.Questionnaire, error) {
	entries, err := fs.ReadDir(bundled, "bundled")
	if err != nil {
		return nil, fmt.Errorf("read bundled questionnaires: %w", err)
	}
	var out []*survey.Questionnaire
	for _, e := range entries {
		data, err := bundled.ReadFile(path.Join("bundled", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read bundled questionnaire %s: %w", e.Name(), err)
		}
		q, err := Parse(e.Name(), data)
		if err != nil {
			return nil, fmt.Errorf("bundled questionnaire: %w", err)
		}
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// BundledSource returns the YAML source of the bundled questionnaire with id.
func BundledSource(id string) ([]byte, bool) {
	data, err := bundled.ReadFile(path.Join("bundled", id+".yaml"))
	return data, err == nil
}

// LoadFile reads and validates a questionnaire file.
func LoadFile(name string) (*survey.Questionnaire, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read questionnaire: %w", err)
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
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read questionnaire: %w", err)
	}
	return ParseStrict(name, data)
}

func parse(name string, data []byte, strict bool) (*survey.Questionnaire, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(name, err)
	}
	if len(root.Content) == 0 {
		return nil, &survey.ValidationError{File: name, Problems: []survey.Problem{{Line: 1, Msg: "empty file: expected a questionnaire (format: " + survey.QuestionnaireFormat + ")"}}}
	}
	var q survey.Questionnaire
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&q); err != nil {
		return nil, yamlError(name, err)
	}
	normalize(&q)
	check := q.Validate
	if strict {
		check = q.CheckExpressions
	}
	if err := check(); err != nil {
		var ve *survey.ValidationError
		if errors.As(err, &ve) {
			ve.File = name
			for i := range ve.Problems {
				ve.Problems[i].Line = lineOf(root.Content[0], ve.Problems[i].Path)
			}
			return nil, ve
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &q, nil
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

func splitPath(p string) []string {
	var out []string
	for _, seg := range strings.Split(p, ".") {
		for seg != "" {
			i := strings.IndexByte(seg, '[')
			if i < 0 {
				out = append(out, seg)
				break
			}
			if i > 0 {
				out = append(out, seg[:i])
			}
			j := strings.IndexByte(seg, ']')
			if j < i {
				out = append(out, seg[i+1:])
				break
			}
			out = append(out, seg[i+1:j])
			seg = seg[j+1:]
		}
	}
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
