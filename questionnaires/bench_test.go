package questionnaires

import (
	"io/fs"
	"path"
	"testing"
)

// BenchmarkParseBundled parses and validates every bundled questionnaire file: what the
// first command of a process that needs them all (questionnaire list) pays, once. After the
// first iteration the expressions come from survey.CompileExpr's cache, as they do in a
// process that loads a questionnaire a second time.
func BenchmarkParseBundled(b *testing.B) {
	files, err := fs.ReadDir(bundled, "bundled")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		for _, f := range files {
			data, err := bundled.ReadFile(path.Join("bundled", f.Name()))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Parse(f.Name(), data); err != nil {
				b.Fatal(err)
			}
		}
	}
}
