package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/questionnaires/xlsform"
	"github.com/fieldsurvey/fieldsurvey/survey"
)

func newQuestionnaireCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "questionnaire",
		Aliases: []string{"questionnaires", "q"},
		Short:   "List, show, check and add questionnaires · Liệt kê, xem, kiểm tra và thêm bảng hỏi",
		Long: `The catalog holds the questionnaires bundled with fieldsurvey and those added to the home
folder's questionnaires/ folder with 'questionnaire add'.

Danh mục gồm các bảng hỏi tích hợp sẵn và các bảng hỏi được thêm vào thư mục
questionnaires/ bằng 'questionnaire add'.`,
		Example: `  fieldsurvey questionnaire list
  fieldsurvey questionnaire show odra-3.1
  fieldsurvey questionnaire validate my-instrument.yaml
  fieldsurvey questionnaire add my-instrument.yaml
  fieldsurvey questionnaire import form.xlsx --out my-instrument.yaml`,
	}
	return groupCommand(cmd, newQuestionnaireListCommand(g), newQuestionnaireShowCommand(g),
		newQuestionnaireValidateCommand(g), newQuestionnaireAddCommand(g), newQuestionnaireImportCommand(g),
		newQuestionnaireSchemaCommand(g))
}

// questionnaireInfo is one questionnaire in `questionnaire list --json`.
type questionnaireInfo struct {
	ID        string        `json:"id"`
	Version   string        `json:"version"`
	Title     string        `json:"title"`
	Languages []string      `json:"languages"`
	Source    string        `json:"source"`
	File      string        `json:"file,omitempty"`
	Sections  int           `json:"sections"`
	Questions int           `json:"questions"`
	Outline   []sectionInfo `json:"outline"`
}

type sectionInfo struct {
	ID         string         `json:"id"`
	Title      string         `json:"title"`
	Importance string         `json:"importance,omitempty"`
	Questions  int            `json:"questions"`
	Items      []questionInfo `json:"items"`
}

type questionInfo struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Importance string `json:"importance,omitempty"`
	Required   bool   `json:"required,omitempty"`
	Text       string `json:"text"`
}

func describeQuestionnaire(e questionnaires.Entry, q *survey.Questionnaire, lang string) questionnaireInfo {
	info := questionnaireInfo{ID: q.ID, Version: q.Version, Title: q.Title.Get(lang),
		Languages: q.Languages, Source: string(e.Source), File: e.Path, Sections: len(q.Sections)}
	for _, s := range q.Sections {
		si := sectionInfo{ID: s.ID, Title: s.Title.Get(lang), Importance: string(s.Importance), Questions: len(s.Questions)}
		for _, qu := range s.Questions {
			si.Items = append(si.Items, questionInfo{ID: qu.ID, Type: string(qu.Type),
				Importance: string(qu.Importance), Required: qu.Required, Text: qu.Text.Get(lang)})
		}
		info.Questions += len(s.Questions)
		info.Outline = append(info.Outline, si)
	}
	return info
}

type questionnaireListOptions struct {
	json bool
}

func newQuestionnaireListCommand(g *globals) *cobra.Command {
	var opts questionnaireListOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the questionnaires of the catalog · Liệt kê các bảng hỏi",
		Example: `  fieldsurvey questionnaire list
  fieldsurvey questionnaire list --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuestionnaireList(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print JSON, with each section's questions and importance · in dạng JSON")
	return cmd
}

func runQuestionnaireList(_ context.Context, g *globals, opts questionnaireListOptions) error {
	c, err := g.catalog()
	if err != nil {
		return err
	}
	infos := []questionnaireInfo{}
	for _, e := range c.Entries() {
		q, err := e.Load()
		if err != nil {
			g.warn(fmt.Sprintf(g.t("skipped questionnaire file: %v", "bỏ qua tệp bảng hỏi: %v"), err))
			continue
		}
		infos = append(infos, describeQuestionnaire(e, q, g.lang()))
	}
	if opts.json {
		return writeJSON(g.stdout, infos)
	}
	l := g.lang()
	t := newTable(g.stdout, word(l, "id"), word(l, "version"), word(l, "sections"), word(l, "questions"),
		word(l, "languages"), word(l, "source"), word(l, "title"))
	for _, in := range infos {
		t.row(in.ID, in.Version, strconv.Itoa(in.Sections), strconv.Itoa(in.Questions),
			strings.Join(in.Languages, ","), word(l, in.Source), in.Title)
	}
	return t.flush()
}

type questionnaireShowOptions struct {
	version string
	json    bool
}

func newQuestionnaireShowCommand(g *globals) *cobra.Command {
	var opts questionnaireShowOptions
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a questionnaire's sections and questions · Xem các phần và câu hỏi của bảng hỏi",
		Long: `show prints the outline of a questionnaire: sections, question ids, types, importance and
text in the chosen language (--lang). --json prints the whole questionnaire.

show in dàn ý của bảng hỏi: các phần, mã câu hỏi, loại, mức quan trọng và nội dung theo
ngôn ngữ đã chọn (--lang). --json in toàn bộ bảng hỏi.`,
		Example: `  fieldsurvey questionnaire show odra-3.1
  fieldsurvey --lang en questionnaire show dgra-2018 --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuestionnaireShow(cmd.Context(), g, args[0], opts)
		},
	}
	cmd.Flags().StringVar(&opts.version, "version", "", "version to show (default: the latest) · phiên bản (mặc định: mới nhất)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the whole questionnaire as JSON · in toàn bộ bảng hỏi dạng JSON")
	return cmd
}

// lookupQuestionnaire returns id at version, or its latest version when version is empty.
func lookupQuestionnaire(c *questionnaires.Catalog, id, version string) (questionnaires.Entry, *survey.Questionnaire, error) {
	var q *survey.Questionnaire
	var err error
	if version == "" {
		q, err = c.Latest(id)
	} else {
		q, err = c.Get(id, version)
	}
	if err != nil {
		return questionnaires.Entry{}, nil, withHint(err, "'fieldsurvey questionnaire list' shows the catalog",
			"'fieldsurvey questionnaire list' liệt kê danh mục")
	}
	e, _ := c.Entry(q.ID, q.Version)
	return e, q, nil
}

func runQuestionnaireShow(_ context.Context, g *globals, id string, opts questionnaireShowOptions) error {
	c, err := g.catalog()
	if err != nil {
		return err
	}
	e, q, err := lookupQuestionnaire(c, id, opts.version)
	if err != nil {
		return err
	}
	if opts.json {
		return writeJSON(g.stdout, q)
	}
	l := g.lang()
	in := describeQuestionnaire(e, q, l)
	fmt.Fprintf(g.stdout, "%s %s — %s\n", in.ID, in.Version, in.Title)
	fmt.Fprintf(g.stdout, "%s: %s · %d %s · %d %s · %s\n", strings.ToLower(word(l, "languages")),
		strings.Join(in.Languages, ", "), in.Sections, strings.ToLower(word(l, "sections")),
		in.Questions, strings.ToLower(word(l, "questions")), word(l, in.Source))
	for _, s := range in.Outline {
		head := s.ID + "  " + s.Title
		if s.Importance != "" {
			head += "  [" + survey.Importance(s.Importance).Label().Get(l) + "]"
		}
		fmt.Fprintf(g.stdout, "\n%s\n", head)
		t := newTable(g.stdout)
		for _, qi := range s.Items {
			imp := survey.Importance(qi.Importance).Label().Get(l)
			if imp == "" {
				imp = "—"
			}
			t.row("  "+qi.ID, qi.Type, imp, qi.Text)
			if qu, ok := q.Question(qi.ID); ok && qu.Type == survey.TypeRoster {
				// A roster's columns: id, type, * when required.
				cols := make([]string, len(qu.Columns))
				for i, c := range qu.Columns {
					cols[i] = c.ID + " " + string(c.Type)
					if c.Required {
						cols[i] += "*"
					}
				}
				t.row("", "", "", g.t("columns: ", "các cột: ")+strings.Join(cols, ", "))
			}
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	return nil
}

func newQuestionnaireValidateCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check questionnaire files · Kiểm tra tệp bảng hỏi",
		Long: `validate checks questionnaire files completely (format, ids, translations, scales, every
expression, and every expression run on answers of the types it can see, and a
migrates_from block against the version before it in this home's catalog) and prints every
problem as FILE:LINE: message. It exits 1 when any file has a problem.

validate kiểm tra đầy đủ các tệp bảng hỏi và in mọi lỗi dạng TỆP:DÒNG: thông báo. Trả mã
thoát 1 khi có tệp bị lỗi.`,
		Example: `  fieldsurvey questionnaire validate my-instrument.yaml
  fieldsurvey questionnaire validate drafts/*.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuestionnaireValidate(cmd.Context(), g, args)
		},
	}
}

// printProblems writes each problem of a questionnaire error on its own line of stderr
// (FILE:LINE: message) and returns how many there were.
func printProblems(g *globals, file string, err error) int {
	var ve *survey.ValidationError
	if errors.As(err, &ve) {
		for _, line := range strings.Split(ve.Error(), "\n") {
			fmt.Fprintln(g.stderr, line)
		}
		return len(ve.Problems)
	}
	fmt.Fprintf(g.stderr, "%s: %v\n", file, err)
	return 1
}

func runQuestionnaireValidate(_ context.Context, g *globals, files []string) error {
	// The catalog, to check a file's migrates_from block against the version it names.
	c, err := g.catalog()
	if err != nil {
		return err
	}
	bad := 0
	for _, f := range files {
		q, err := c.CheckFile(f)
		if err != nil {
			printProblems(g, f, err)
			bad++
			continue
		}
		n := len(q.Questions())
		fmt.Fprintf(g.stdout, "%s: ok (%s %s, %d %s, %d %s)\n", f, q.ID, q.Version,
			len(q.Sections), strings.ToLower(word(g.lang(), "sections")), n, strings.ToLower(word(g.lang(), "questions")))
	}
	if bad > 0 {
		return fail("%d of %d questionnaire files have problems", "%d trên %d tệp bảng hỏi có lỗi", bad, len(files))
	}
	return nil
}

func newQuestionnaireAddCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "add FILE",
		Short: "Check a questionnaire file and add it to the catalog · Kiểm tra và thêm bảng hỏi vào danh mục",
		Long: `add validates a questionnaire file and copies it into the home folder's questionnaires/
folder as ID-VERSION.yaml. A questionnaire with problems is refused (every problem printed as
FILE:LINE: message), and so is a file that reuses a bundled id and version or an added one
with different content: interviews name their questionnaire by id and version, so a changed
questionnaire needs a new version. A file over 4 MB or with more than 2,000 questions is
refused: split it into several questionnaires.

add kiểm tra tệp bảng hỏi và chép vào thư mục questionnaires/ thành MÃ-PHIÊNBẢN.yaml. Bảng
hỏi có lỗi bị từ chối; bảng hỏi trùng mã và phiên bản với bảng hỏi có sẵn nhưng nội dung
khác cũng bị từ chối: hãy đặt phiên bản mới. Tệp lớn hơn 4 MB hoặc có hơn 2.000 câu hỏi bị
từ chối: hãy chia thành nhiều bảng hỏi.`,
		Example: `  fieldsurvey questionnaire add my-instrument.yaml`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuestionnaireAdd(cmd.Context(), g, args[0])
		},
	}
}

func runQuestionnaireAdd(_ context.Context, g *globals, file string) error {
	if err := g.needHome(); err != nil {
		return err
	}
	c, err := g.catalog()
	if err != nil {
		return err
	}
	before := len(c.Entries())
	q, err := c.Add(file)
	if err != nil {
		var ve *survey.ValidationError
		if errors.As(err, &ve) {
			n := printProblems(g, file, err)
			return &survey.UserError{Msg: survey.T(fmt.Sprintf("%s not added: %d %s", file, n, plural(n, "problem", "problems")),
				fmt.Sprintf("chưa thêm %s: %d lỗi", file, n))}
		}
		return failWrap(err, "%s not added", "chưa thêm %s", file)
	}
	e, _ := c.Entry(q.ID, q.Version)
	fmt.Fprintf(g.stdout, "%s %s %s\n", q.ID, q.Version, e.Path)
	if len(c.Entries()) == before {
		g.infof("questionnaire %s %s is already in the catalog with the same content",
			"bảng hỏi %s %s đã có trong danh mục với cùng nội dung", q.ID, q.Version)
		return nil
	}
	g.infof("added questionnaire %s %s (%s)", "đã thêm bảng hỏi %s %s (%s)", q.ID, q.Version, q.Title.Get(g.lang()))
	return nil
}

type questionnaireImportOptions struct {
	out     string
	id      string
	version string
}

func newQuestionnaireImportCommand(g *globals) *cobra.Command {
	var opts questionnaireImportOptions
	cmd := &cobra.Command{
		Use:   "import FORM.xlsx",
		Short: "Convert an XLSForm into a questionnaire · Chuyển biểu mẫu XLSForm thành bảng hỏi",
		Long: `import reads an XLSForm (the survey, choices and settings sheets of an .xlsx workbook, as
ODK, Kobo, SurveyCTO and Ona use), converts it and validates the result as 'questionnaire add'
does. Without --out the questionnaire is added to the catalog; with --out it is written as a
questionnaire file (YAML) to edit further, and not added. Every problem is printed as
FORM.xlsx: SHEET!ROW: COLUMN: message, and nothing is written while there is one.

Supported: text, integer, decimal, date, select_one, select_multiple, note, begin/end group
(a section; a nested group becomes a section titled with the groups' path), begin/end
repeat (a roster whose columns are the repeat's fields; fieldsurvey_column: url, yesno or
stars), relevant, constraint, constraint_message, required, hint, label::LANGUAGE (code),
the settings form_id, version, form_title and default_language, and the XPath ${name}, .,
comparisons, and, or, not(), selected(), count-selected(), string-length(), regex(),
count(${repeat}), + - * div mod. A fieldsurvey_scale column makes a row a rating question on
that scale (readiness, odra…).

import đọc biểu mẫu XLSForm (các trang survey, choices, settings của tệp .xlsx), chuyển đổi
và kiểm tra như 'questionnaire add'. Không có --out thì bảng hỏi được thêm vào danh mục; có
--out thì được ghi thành tệp YAML để chỉnh sửa tiếp, không thêm vào danh mục. Mọi lỗi được in
dạng BIỂUMẪU.xlsx: TRANG!DÒNG: CỘT: thông báo, và không ghi gì khi còn lỗi. Nhóm (group)
thành phần, nhóm lặp (repeat) thành bảng (roster), cột fieldsurvey_scale tạo câu đánh giá.`,
		Example: `  fieldsurvey questionnaire import readiness.xlsx
  fieldsurvey questionnaire import readiness.xlsx --out readiness.yaml
  fieldsurvey questionnaire import form.xlsx --id my-form --version 2`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuestionnaireImport(cmd.Context(), g, args[0], opts)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "write the questionnaire to this YAML file instead of adding it · ghi bảng hỏi ra tệp YAML này thay vì thêm vào danh mục")
	cmd.Flags().StringVar(&opts.id, "id", "", "questionnaire id (default: the settings' form_id, else the file name) · mã bảng hỏi")
	cmd.Flags().StringVar(&opts.version, "version", "", "questionnaire version (default: the settings' version) · phiên bản bảng hỏi")
	return cmd
}

func runQuestionnaireImport(_ context.Context, g *globals, file string, opts questionnaireImportOptions) error {
	res, err := xlsform.ImportFile(file, xlsform.Options{ID: opts.id, Version: opts.version})
	if err != nil {
		var xe *xlsform.Error
		if errors.As(err, &xe) {
			for _, l := range xe.Lines(g.lang()) {
				fmt.Fprintln(g.stderr, l)
			}
			n := len(xe.Problems)
			return &survey.UserError{Msg: survey.T(fmt.Sprintf("%s not imported: %d %s", file, n, plural(n, "problem", "problems")),
				fmt.Sprintf("chưa nhập %s: %d lỗi", file, n))}
		}
		return failWrap(err, "%s not imported", "chưa nhập %s", file)
	}
	for _, n := range res.Notices {
		g.notef("%s", "%s", n.Line(file, g.lang()))
	}
	q := res.Questionnaire
	counts := fmt.Sprintf("%d %s, %d %s", len(q.Sections), strings.ToLower(word(g.lang(), "sections")),
		len(q.Questions()), strings.ToLower(word(g.lang(), "questions")))
	if opts.out != "" {
		created, err := createFileAtomic(opts.out, res.YAML, 0o644)
		if err != nil {
			return failWrap(err, "write %s", "ghi %s", opts.out)
		}
		if !created {
			return withHint(fail("%s already exists: nothing written", "%s đã tồn tại: không ghi gì", opts.out),
				"choose another --out, or move the file away first", "chọn --out khác, hoặc chuyển tệp cũ đi trước")
		}
		fmt.Fprintln(g.stdout, opts.out)
		g.infof("wrote questionnaire %s %s (%s) to %s: edit it, check it with 'fieldsurvey questionnaire validate', add it with 'fieldsurvey questionnaire add'",
			"đã ghi bảng hỏi %s %s (%s) vào %s: chỉnh sửa, kiểm tra bằng 'fieldsurvey questionnaire validate', thêm bằng 'fieldsurvey questionnaire add'",
			q.ID, q.Version, counts, opts.out)
		return nil
	}
	if err := g.needHome(); err != nil {
		return err
	}
	c, err := g.catalog()
	if err != nil {
		return err
	}
	// The catalog adds files: the converted questionnaire goes through a file of its own
	// name in a private folder, removed afterwards.
	dir, err := os.MkdirTemp("", "fieldsurvey-import-")
	if err != nil {
		return failWrap(err, "%s not imported", "chưa nhập %s", file)
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, questionnaires.FileName(q.ID, q.Version))
	if err := os.WriteFile(tmp, res.YAML, 0o600); err != nil {
		return failWrap(err, "%s not imported", "chưa nhập %s", file)
	}
	before := len(c.Entries())
	added, err := c.Add(tmp)
	if err != nil {
		msg := strings.ReplaceAll(err.Error(), tmp, file)
		return withHint(fail("%s not added: %s", "chưa thêm %s: %s", file, msg),
			"to keep both, import again with --version; --out writes the questionnaire to a file instead",
			"để giữ cả hai, hãy nhập lại với --version; --out ghi bảng hỏi ra tệp thay vì thêm vào danh mục")
	}
	e, _ := c.Entry(added.ID, added.Version)
	fmt.Fprintf(g.stdout, "%s %s %s\n", added.ID, added.Version, e.Path)
	if len(c.Entries()) == before {
		g.infof("questionnaire %s %s is already in the catalog with the same content",
			"bảng hỏi %s %s đã có trong danh mục với cùng nội dung", added.ID, added.Version)
		return nil
	}
	g.infof("added questionnaire %s %s (%s, %s)", "đã thêm bảng hỏi %s %s (%s, %s)", added.ID, added.Version, added.Title.Get(g.lang()), counts)
	return nil
}

func newQuestionnaireSchemaCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "schema",
		Short:   "Print the JSON Schema of questionnaire files · In JSON Schema của tệp bảng hỏi",
		Example: `  fieldsurvey questionnaire schema > questionnaire.schema.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := g.stdout.Write(questionnaires.Schema())
			return err
		},
	}
}
