package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/charmbracelet/x/term"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/fieldsurvey/fieldsurvey/internal/editlock"
	"github.com/fieldsurvey/fieldsurvey/survey/find"
	"github.com/fieldsurvey/fieldsurvey/tui"
	"github.com/fieldsurvey/fieldsurvey/tui/accessible"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/storeadapter"
)

// The screens reach the SQLite store through the adapter (package tui imports no SQL).
var _ tui.Store = storeadapter.Store{}

type collectOptions struct {
	accessible bool
	interview  string
	at         string
	monochrome bool
	mouse      bool
	background string
}

// newCollectCommand is the interview screen; `fieldsurvey` without a command runs it too.
func newCollectCommand(g *globals) *cobra.Command {
	var opts collectOptions
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Record interviews (the interview screen) · Thực hiện phỏng vấn (màn hình phỏng vấn)",
		Long: `Open the interview screen: the interviews on this device, new interviews, questions with
their rating, evidence and comment, section summaries and the review that completes an
interview. Every change is saved as it is made; there is no save key. ctrl+l switches
between Vietnamese and English (and remembers the choice), ? shows every key. On a device
enrolled with a server, sync runs in the background every sync.interval and ctrl+s syncs
at once; the status line says whether it is sending, offline (and how many batches wait),
refused, or when a batch was last sent.

With --accessible (automatic when TERM=dumb) the same interview is asked as plain line
prompts on stdin and stdout, for screen readers and scripts.

Mở màn hình phỏng vấn. Mọi thay đổi được lưu ngay, không cần phím lưu. ctrl+l chuyển giữa
tiếng Việt và tiếng Anh, ? hiện các phím. Khi thiết bị đã đăng ký với máy chủ, việc đồng bộ
chạy ngầm theo sync.interval và ctrl+s đồng bộ ngay; dòng trạng thái cho biết đang gửi,
ngoại tuyến (và số lô chờ gửi), bị từ chối, hay lần gửi cuối. Với --accessible (tự động khi TERM=dumb), phỏng
vấn được hỏi bằng các dòng lệnh đơn giản, phù hợp trình đọc màn hình và kịch bản.`,
		Example: `  fieldsurvey collect
  fieldsurvey collect --interview 0192f3a4
  fieldsurvey collect --accessible < answers.txt
  NO_COLOR=1 fieldsurvey collect --monochrome`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// Run without a command, the root calls this RunE directly: its context is the
			// root's.
			ctx := cmd.Context()
			if ctx == nil && g.root != nil {
				ctx = g.root.Context()
			}
			if ctx == nil {
				ctx = context.Background()
			}
			return runCollect(ctx, g, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.accessible, "accessible", false, "ask the interview as plain line prompts on stdin/stdout (automatic when TERM=dumb) · hỏi bằng các dòng lệnh đơn giản")
	f.StringVar(&opts.interview, "interview", "", "open (or, with --accessible, continue) this interview: an id or a unique id prefix · mở phỏng vấn này")
	f.StringVar(&opts.at, "at", "", "with --interview: open it at this question (7.1) or section summary (section:7) · mở tại câu hỏi hoặc phần này")
	f.BoolVar(&opts.monochrome, "monochrome", false, "no colours, keep bold and reverse video (NO_COLOR does the same) · không dùng màu")
	f.BoolVar(&opts.mouse, "mouse", false, "let the mouse wheel scroll the lists · cho phép dùng con lăn chuột")
	f.StringVar(&opts.background, "background", "auto", "terminal background: auto (COLORFGBG, else dark), dark or light · nền của cửa sổ lệnh")
	return cmd
}

func runCollect(ctx context.Context, g *globals, opts collectOptions) error {
	switch opts.background {
	case "auto", "dark", "light":
	default:
		return fail("--background is %q: expected auto, dark or light", "--background là %q: cần là auto, dark hoặc light", opts.background)
	}
	st, err := g.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	if why := st.ReadOnly(); why != "" {
		// Every answer would fail to save: say so now, not after the first one.
		return withHint(fail("the interview screen cannot start: the database %s is read-only (%s)",
			"không mở được màn hình phỏng vấn: cơ sở dữ liệu %s chỉ đọc (%s)", st.Path(), why),
			"make the home folder and its files writable (chmod -R u+w %s), or read the interviews with 'fieldsurvey interview list' and 'interview show'",
			"hãy cho phép ghi thư mục làm việc và các tệp trong đó (chmod -R u+w %s), hoặc xem các cuộc phỏng vấn bằng 'fieldsurvey interview list' và 'interview show'",
			filepath.Dir(st.Path()))
	}
	cat, err := g.catalog()
	if err != nil {
		return err
	}
	if g.cfg.Device == "" {
		return withHint(fail("this device has no id", "máy này chưa có mã thiết bị"),
			"run 'fieldsurvey init'", "chạy 'fieldsurvey init'")
	}
	if opts.interview != "" {
		id, err := find.Interview(ctx, st, opts.interview)
		if err != nil {
			return err
		}
		opts.interview = id
	}
	var at session.Place
	switch {
	case opts.at == "":
	case opts.interview == "":
		return withHint(fail("--at needs --interview", "--at cần có --interview"),
			"name the interview too, e.g. --interview 0193a5b2 --at 7.1", "chỉ định cả phỏng vấn, ví dụ --interview 0193a5b2 --at 7.1")
	case strings.HasPrefix(opts.at, "section:"):
		at.Section = strings.TrimPrefix(opts.at, "section:")
	default:
		at.Question = opts.at
	}
	author := session.Author{Device: g.cfg.Device, Principal: g.cfg.Assessor.Principal}
	ss := storeadapter.New(st)
	program := "fieldsurvey collect"
	if opts.accessible {
		program += " --accessible"
	}
	lock := func(id string) (func(), error) {
		l, err := editlock.Acquire(editlock.Dir(st.Path()), id, program)
		if err != nil {
			return nil, err
		}
		return func() { l.Release() }, nil
	}
	if opts.accessible || os.Getenv("TERM") == "dumb" {
		err := accessible.Run(ctx, accessible.Options{
			Lang:                 g.lang(),
			Writer:               &session.Writer{Store: ss, Author: author, Assessor: g.cfg.Assessor.Name},
			Catalog:              cat,
			DefaultQuestionnaire: g.cfg.Questionnaire,
			Interview:            opts.interview,
			Role:                 g.role(),
			Now:                  g.now,
			In:                   g.stdin,
			Out:                  g.stdout,
			Lock:                 lock,
			Interactive:          g.stdinTerminal(),
		})
		if errors.Is(err, accessible.ErrInputEnded) {
			if g.stdinTerminal() {
				return withHint(failWrap(err, "line mode", "chế độ dòng lệnh"),
					"run the same command again to continue where the input stopped",
					"chạy lại lệnh để tiếp tục từ chỗ dừng")
			}
			return withHint(failWrap(err, "line mode", "chế độ dòng lệnh"),
				"continue it with 'fieldsurvey collect --accessible --interview ID' (piped input starts a new interview unless --interview names one)",
				"tiếp tục bằng 'fieldsurvey collect --accessible --interview MÃ' (dữ liệu đưa vào qua ống luôn bắt đầu phỏng vấn mới nếu không có --interview)")
		}
		return contextErr(ctx, err)
	}
	err = tui.Run(ctx, tui.Options{
		Lang:                 g.lang(),
		AssessorName:         g.cfg.Assessor.Name,
		Principal:            g.cfg.Assessor.Principal,
		Device:               g.cfg.Device,
		Role:                 g.role(),
		IsServer:             g.serverDevice(),
		Color:                g.cfg.Color,
		Monochrome:           opts.monochrome,
		Background:           opts.background,
		DefaultQuestionnaire: g.cfg.Questionnaire,
		Interview:            opts.interview,
		At:                   at,
		Now:                  g.now,
		OnLanguage:           func(lang string) error { return saveLanguage(g.configPath(), lang) },
		OnName:               func(name string) error { return saveAssessorName(g.configPath(), name) },
		Sync:                 newTUISync(g),
		Mouse:                opts.mouse,
		Input:                g.stdin,
		Output:               g.stdout,
		Lock:                 lock,
	}, ss, cat)
	return contextErr(ctx, err)
}

// saveLanguage sets language in the config file at path (saveSetting).
func saveLanguage(path, lang string) error { return saveSetting(path, "language", lang) }

// saveAssessorName sets assessor.name in the config file at path (saveSetting): the name
// the assessor gave on the interview screen's first run or in its settings.
func saveAssessorName(path, name string) error { return saveSetting(path, "assessor.name", name) }

// saveSetting sets key (a top-level key, or "parent.child") to the string value in the
// config file at path, changing only the line of that setting (comments, blank lines and
// the other settings stay as they are); a missing setting is added (at the end, or as the
// first line of its parent's block). The file is replaced atomically; a file that is not
// a mapping of settings is left alone.
func saveSetting(path, key, value string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	parent, leaf, nested := strings.Cut(key, ".")
	if !nested {
		leaf, parent = parent, ""
	}
	find := func(m *yaml.Node, name string) (k, v *yaml.Node) {
		for i := 0; m != nil && i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == name {
				return m.Content[i], m.Content[i+1]
			}
		}
		return nil, nil
	}
	var top *yaml.Node
	if len(doc.Content) > 0 {
		if doc.Content[0].Kind != yaml.MappingNode {
			return fmt.Errorf("%s: the configuration is not a mapping of settings", path)
		}
		top = doc.Content[0]
	}
	lines := strings.SplitAfter(string(data), "\n")
	if n := len(lines); n > 0 && lines[n-1] != "" && !strings.HasSuffix(lines[n-1], "\n") {
		lines[n-1] += "\n"
	}
	setting := func(indent string) string { return indent + fmt.Sprintf("%s: %q", leaf, value) + "\n" }
	block := top
	var parentKey *yaml.Node
	if nested {
		var pv *yaml.Node
		parentKey, pv = find(top, parent)
		switch {
		case parentKey == nil:
			block = nil
		case pv.Kind == yaml.MappingNode:
			block = pv
		default:
			return fmt.Errorf("%s: %s is not a group of settings", path, parent)
		}
	}
	keyNode, _ := find(block, leaf)
	switch {
	case keyNode != nil && keyNode.Line >= 1 && keyNode.Line <= len(lines):
		old := lines[keyNode.Line-1]
		lines[keyNode.Line-1] = setting(old[:min(len(old), max(0, keyNode.Column-1))])
	case nested && block != nil && block.Line > parentKey.Line && block.Line <= len(lines):
		// The first line of the parent's block, indented like its first entry, above the
		// comments of that entry.
		indent := strings.Repeat(" ", max(0, block.Column-1))
		at := block.Line - 1
		for at > parentKey.Line && strings.HasPrefix(strings.TrimSpace(lines[at-1]), "#") {
			at--
		}
		lines = append(lines[:at], append([]string{setting(indent)}, lines[at:]...)...)
	case nested:
		lines = append(lines, parent+":\n", setting("  "))
	default:
		lines = append(lines, setting(""))
	}
	if err := writeFileAtomic(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// stdinTerminal reports whether standard input is a terminal (a person typing), as opposed
// to a file or a pipe (a script): the line mode re-asks only a person.
func (g *globals) stdinTerminal() bool {
	f, ok := g.stdin.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
