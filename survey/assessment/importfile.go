package assessment

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// File is what ReadFile read of an assessment file: its lines, the problems of those that
// did not parse, and Name, what messages call the file ("stdin" or its path).
type File struct {
	Name     string
	Lines    []survey.NumberedLine
	Problems []survey.LineError
}

// ReadFile reads every line of r as an assessment line (survey.ReadAssessmentLines); an
// error is a failure to read r.
func ReadFile(r io.Reader, name string) (File, error) {
	lines, problems, err := survey.ReadAssessmentLines(r)
	if err != nil {
		return File{}, stepError(err, "read %s", "đọc %s", name)
	}
	return File{Name: name, Lines: lines, Problems: problems}, nil
}

// Imported is what ImportFile wrote: Result, and how many lines the file held.
type Imported struct {
	Result
	Lines int
}

// ProblemsError is ImportFile's error when a line of the file is wrong: nothing was
// imported, and each problem (sorted by line) is to be shown with LineError.Format(File).
type ProblemsError struct {
	File     string
	Problems []survey.LineError
}

func (e *ProblemsError) Error() string { return e.Text().Get(survey.LangEN) }

// Text returns "nothing imported: N problems in FILE" in every language.
func (e *ProblemsError) Text() survey.Text {
	n := len(e.Problems)
	word := "problems"
	if n == 1 {
		word = "problem"
	}
	return survey.T(fmt.Sprintf("nothing imported: %d %s in %s", n, word, e.File),
		fmt.Sprintf("không nhập gì: %d lỗi trong %s", n, e.File))
}

// HintText says to correct the lines and import the whole file again.
func (e *ProblemsError) HintText() survey.Text {
	return survey.T("correct the lines named above and import the whole file again",
		"sửa các dòng nêu trên rồi nhập lại toàn bộ tệp")
}

// ImportFile imports f as Import does ('assessment import'): into the assessment into names
// (its id or the beginning of it, see Resolve), else the one the lines name. A file without
// any line, and one whose lines name no assessment when into is empty, are
// *survey.UserError; wrong lines a *ProblemsError; either way nothing is written.
func ImportFile(ctx context.Context, st *store.Store, cat Catalog, author store.Author, f File, into string) (Imported, error) {
	if into != "" {
		var err error
		if into, err = Resolve(ctx, st, into); err != nil {
			return Imported{}, err
		}
	}
	if len(f.Lines) == 0 && len(f.Problems) == 0 {
		return Imported{}, survey.UserErr("%s holds no assessment lines: nothing imported", "%s không có dòng nào của bản đánh giá: không nhập gì", f.Name)
	}
	res, problems, err := Import(ctx, st, cat, author, f.Lines, f.Problems, into)
	if errors.Is(err, ErrNoTarget) {
		return Imported{}, survey.UserErr("no line of %s names its assessment", "không dòng nào của %s ghi mã bản đánh giá", f.Name).
			WithHint("name it: fieldsurvey assessment import --assessment ID FILE", "ghi rõ: fieldsurvey assessment import --assessment MÃ TỆP")
	}
	if err != nil {
		return Imported{}, stepError(err, "nothing imported", "không nhập gì")
	}
	if len(problems) > 0 {
		return Imported{}, &ProblemsError{File: f.Name, Problems: problems}
	}
	return Imported{Result: res, Lines: len(f.Lines)}, nil
}
