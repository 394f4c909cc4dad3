package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
)

// commands are the subcommands of fieldsurvey, in the order of the help. Each is built by
// a function of the globals; to add a command, add its constructor here.
var commands = []func(g *globals) *cobra.Command{
	newInitCommand,
	newConfigCommand,
	newCollectCommand,
	newQuestionnaireCommand,
	newInterviewCommand,
	newReportCommand,
	newAssessmentCommand,
	newIdentityCommand,
	newBatchCommand,
	newMergeCommand,
	newTrustCommand,
	newConflictsCommand,
	newReviewCommand,
	newAssignCommand,
	newEnrollCommand,
	newSyncCommand,
	newServeCommand,
	newServerCommand,
	newVersionCommand,
}

// Files and folders of the home folder.
const (
	configFileName     = "config.yaml"
	storeFileName      = "fieldsurvey.db"
	questionnaireDir   = "questionnaires"
	defaultReportWidth = 100
)

// annotationConfigOptional marks a command that runs even when the configuration cannot
// be read (with the defaults), such as the one that rewrites it.
const annotationConfigOptional = "fieldsurvey/config-optional"

func init() {
	// Run the root's PersistentPreRunE (which loads the configuration) even for commands that
	// define their own.
	cobra.EnableTraverseRunHooks = true
}

// globals is what every command shares: the streams, the global flags, the effective
// configuration and the home folder. Tests build one with newGlobals and call runX
// functions directly.
type globals struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time
	rand   io.Reader

	flags struct {
		home string // --home
		db   string // --db
		lang string // --lang, bound to the language setting
	}
	root *cobra.Command

	v       *viper.Viper
	cfg     Config
	home    string
	homeSrc homeSource

	homeReady bool
	homeSteps []homeResult

	identity identityFlags // the device key step (cmd_identity.go)
	initRole survey.Role   // init --role: the role a new home's config.yaml is written with
}

func newGlobals(stdin io.Reader, stdout, stderr io.Writer) *globals {
	return &globals{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now, rand: rand.Reader,
		cfg: Config{Language: "vi", Color: "auto"}}
}

// role is what this home is for (config key role): an assessor's laptop or a supervisor's
// desk.
func (g *globals) role() survey.Role {
	r, err := survey.ParseRole(g.cfg.Role)
	if err != nil {
		return survey.RoleAssessor // decodeConfig refused anything else
	}
	return r
}

// lang is the language of messages.
func (g *globals) lang() string { return g.cfg.Language }

// t returns the text in the user's language.
func (g *globals) t(en, vi string) string { return survey.T(en, vi).Get(g.lang()) }

// notef writes "fieldsurvey: note: …" to stderr in the user's language.
func (g *globals) notef(en, vi string, args ...any) {
	fmt.Fprintf(g.stderr, "fieldsurvey: %s: %s\n", word(g.lang(), "note"), fmt.Sprintf(g.t(en, vi), args...))
}

// warn writes "fieldsurvey: warning: …" to stderr.
func (g *globals) warn(msg string) {
	fmt.Fprintf(g.stderr, "fieldsurvey: %s: %s\n", word(g.lang(), "warning"), msg)
}

// infof writes a message for the user (not data) to stderr, in the user's language.
func (g *globals) infof(en, vi string, args ...any) {
	fmt.Fprintf(g.stderr, g.t(en, vi)+"\n", args...)
}

func newRootCommand(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "fieldsurvey",
		Short: "Readiness assessments in the field, offline · Đánh giá mức độ sẵn sàng tại thực địa, không cần mạng",
		Long: `fieldsurvey records readiness assessments (DGRA, ODRA or any questionnaire loaded from a
file) in the field, without a network, and produces the readiness tables of the report.
Run without a command, it opens the interview screen (same as 'fieldsurvey collect').

fieldsurvey ghi lại các cuộc đánh giá mức độ sẵn sàng (DGRA, ODRA hoặc bảng hỏi bất kỳ từ
tệp) tại thực địa, không cần mạng, và lập các bảng đánh giá cho báo cáo. Chạy không kèm
lệnh sẽ mở màn hình phỏng vấn (giống 'fieldsurvey collect').

Settings: config.yaml in the home folder < FIELDSURVEY_* environment variables < flags.
Thiết lập: config.yaml trong thư mục làm việc < biến môi trường FIELDSURVEY_* < cờ dòng lệnh.`,
		Example: `  fieldsurvey init
  fieldsurvey questionnaire list
  fieldsurvey interview list --status completed
  fieldsurvey --lang en report --format markdown > report.md`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return g.load(cmd)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			collect, _, err := cmd.Find([]string{"collect"})
			if err != nil || collect == cmd || collect.RunE == nil {
				return cmd.Help()
			}
			return collect.RunE(collect, nil)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.flags.home, "home", "", "home folder (default: $FIELDSURVEY_HOME, else the user config folder + fieldsurvey) · thư mục làm việc")
	pf.StringVar(&g.flags.db, "db", "", "read this hub store (a file, or a server's postgres://… database) instead of the device's own database · đọc kho dữ liệu tổng hợp này (tệp, hoặc cơ sở dữ liệu postgres://… của máy chủ)")
	pf.StringVar(&g.flags.lang, "lang", "", "language of messages and reports: vi or en · ngôn ngữ: vi hoặc en")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return withHint(err, "see '%s --help'", "xem '%s --help'", cmd.CommandPath())
	})
	for _, newCmd := range commands {
		root.AddCommand(newCmd(g))
	}
	root.SetIn(g.stdin)
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	root.Version = buildVersion().short()
	root.SetVersionTemplate("{{.Version}}\n")
	g.root = root
	return root
}

// load resolves the home folder and reads the configuration. It runs before every command.
func (g *globals) load(cmd *cobra.Command) error {
	home, src, err := resolveHome(g.flags.home)
	if err != nil {
		return err
	}
	g.home, g.homeSrc = home, src
	// Messages about a configuration that cannot be read are in the language asked for.
	for _, l := range []string{g.flags.lang, os.Getenv(envName("language"))} {
		if l == survey.LangEN || l == survey.LangVI {
			g.cfg.Language = l
			break
		}
	}
	err = g.loadConfig()
	if err != nil && cmd.Annotations[annotationConfigOptional] != "" {
		g.warn(errorText(err, g.lang()))
		g.v, g.cfg = newViper(true), defaultConfig()
		return nil
	}
	return err
}

// loadConfig reads the configuration: defaults < config.yaml < environment < flags.
func (g *globals) loadConfig() error {
	flags := g.root.PersistentFlags()
	v := newViper(true)
	for key, name := range flagOf {
		if err := v.BindPFlag(key, flags.Lookup(name)); err != nil {
			return fmt.Errorf("bind flag --%s: %w", name, err)
		}
	}
	if err := readConfigFile(v, g.configPath()); err != nil {
		return err
	}
	cfg, err := decodeConfig(v, flags)
	if err != nil {
		return err
	}
	g.v, g.cfg = v, cfg
	return nil
}

func (g *globals) configPath() string { return filepath.Join(g.home, configFileName) }
func (g *globals) storePath() string  { return filepath.Join(g.home, storeFileName) }
func (g *globals) catalogDir() string { return filepath.Join(g.home, questionnaireDir) }

// needHome makes sure the home folder exists, creating it on first use with a one-line
// note on stderr (`fieldsurvey init` does the same, explicitly).
func (g *globals) needHome() error {
	if g.homeReady {
		return nil
	}
	if err := ensureHome(g); err != nil {
		return err
	}
	var created []string
	for _, s := range g.homeSteps {
		if s.Created && s.Path != g.home {
			created = append(created, filepath.Base(s.Path))
		}
	}
	if len(created) > 0 {
		g.notef("first use: set up the home folder %s (%s); 'fieldsurvey init' shows it",
			"lần đầu sử dụng: đã tạo thư mục làm việc %s (%s); 'fieldsurvey init' cho biết chi tiết",
			g.home, strings.Join(created, ", "))
	}
	return nil
}

// catalog opens the questionnaire catalog of the home folder; files it had to skip are
// reported as warnings.
func (g *globals) catalog() (*questionnaires.Catalog, error) {
	c, err := questionnaires.OpenCatalog(g.catalogDir())
	if err != nil {
		return nil, failWrap(err, "open the questionnaire catalog", "mở danh mục bảng hỏi")
	}
	for _, p := range c.Problems() {
		g.warn(p.Error())
	}
	return c, nil
}

// openStore opens the database to read or write: the hub store given with --db (which must
// exist), else the device's own database in the home folder (set up on first use).
func (g *globals) openStore(opts ...store.Option) (*store.Store, error) {
	path := g.flags.db
	if server.IsPostgresURL(path) {
		return nil, withHint(fail("this command does not read a server's PostgreSQL database (--db %s): it writes, or reads only a SQLite store",
			"lệnh này không đọc cơ sở dữ liệu PostgreSQL của máy chủ (--db %s): lệnh này ghi dữ liệu, hoặc chỉ đọc kho SQLite", server.Redact(path)),
			"the reading commands read it (interview list|show|export|history, report, conflicts, assessment list|show|export, review); changes go to this device's database: leave out --db",
			"các lệnh đọc dùng được nó (interview list|show|export|history, report, conflicts, assessment list|show|export, review); thay đổi được ghi vào cơ sở dữ liệu của máy này: bỏ --db")
	}
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return nil, withHint(failWrap(err, "open hub store", "mở kho dữ liệu tổng hợp"),
				"--db names an existing store; leave it out to use this device's database",
				"--db phải là một kho dữ liệu có sẵn; bỏ --db để dùng cơ sở dữ liệu của máy này")
		}
	} else {
		if err := g.needHome(); err != nil {
			return nil, err
		}
		path = g.storePath()
		opts = homeStoreOptions(opts...)
	}
	st, err := store.Open(path, append(opts, g.upgradeNotice())...)
	if err != nil {
		if errors.Is(err, store.ErrNotSurveyDB) || errors.Is(err, store.ErrNewerSchema) {
			return nil, err
		}
		return nil, failWrap(err, "open survey database", "mở cơ sở dữ liệu khảo sát")
	}
	return st, nil
}

// openReader opens the store a reading command reads: the server's PostgreSQL database
// given with --db postgres://… (read only: nothing in it is created or migrated), else what
// openStore opens (the hub store file given with --db, or the device's own database).
func (g *globals) openReader(ctx context.Context) (store.ReadStore, error) {
	if !server.IsPostgresURL(g.flags.db) {
		return g.openStore()
	}
	if ctx == nil {
		ctx = context.Background()
	}
	url := server.Redact(g.flags.db)
	r, err := server.OpenPostgresReader(ctx, g.flags.db)
	switch {
	case err == nil:
		return r, nil
	case errors.Is(err, server.ErrNotServerDB):
		return nil, withHint(fail("%s is not a fieldsurvey server database", "%s không phải cơ sở dữ liệu của máy chủ fieldsurvey", url),
			"run 'fieldsurvey serve --database URL' or 'fieldsurvey server migrate --to URL' first, or check the database name",
			"chạy 'fieldsurvey serve --database URL' hoặc 'fieldsurvey server migrate --to URL' trước, hoặc kiểm tra tên cơ sở dữ liệu")
	case errors.Is(err, server.ErrNewerServerDB):
		return nil, withHint(failWrap(err, "open the server database", "mở cơ sở dữ liệu máy chủ"),
			"a newer fieldsurvey made it: update fieldsurvey on this computer", "cơ sở dữ liệu do phiên bản fieldsurvey mới hơn tạo: hãy cập nhật fieldsurvey trên máy này")
	}
	return nil, withHint(failWrap(err, "open the server database", "mở cơ sở dữ liệu máy chủ"),
		"check that PostgreSQL runs and the URL (host, port, user, database) is right",
		"kiểm tra PostgreSQL đang chạy và URL (máy, cổng, người dùng, cơ sở dữ liệu) đúng")
}

// homeStoreOptions are opts and what every home store is opened with: the hub's tables, so
// that a laptop as well as a supervisor's desk merges batches into its own store and
// remembers them (which device sent which numbers, with which key). An older home store
// gains the tables the first time it is opened; nothing in it changes.
func homeStoreOptions(opts ...store.Option) []store.Option {
	return append(slices.Clone(opts), store.WithMigrations(hub.Component, hub.Migrations))
}

// upgradeNotice tells the user, once, that the store being opened is upgraded to this
// version's layout: a large store takes a while (tens of seconds at 100,000 interviews),
// during which the command would otherwise seem stuck.
func (g *globals) upgradeNotice() store.Option {
	told := false
	return store.WithUpgradeNotice(func(string, int, int) {
		if !told {
			told = true
			g.notef("upgrading the database to this version's layout, once; a large store takes a minute: let it finish (stopping it loses nothing)",
				"đang nâng cấp cơ sở dữ liệu lên cấu trúc của phiên bản này, chỉ một lần; kho lớn mất khoảng một phút: hãy để việc này chạy xong (dừng giữa chừng cũng không mất gì)")
		}
	})
}

// openHomeHub opens the home's own store as a hub, to merge batches into it or write a
// decision; --db is refused by the callers before. It opens as merge --into does
// (hub.MergeOptions): a supervisor's merge of many batches into the home copies the
// pages several groups change into the database once, not every 4 MB of log, and keeps a
// group's pages in memory; a decision's few pages are copied when the store closes, as
// before.
func (g *globals) openHomeHub() (*hub.Hub, error) {
	if err := g.needHome(); err != nil {
		return nil, err
	}
	h, err := hub.Open(g.storePath(), append(hub.MergeOptions(), g.upgradeNotice())...)
	if err != nil {
		if errors.Is(err, store.ErrNotSurveyDB) || errors.Is(err, store.ErrNewerSchema) {
			return nil, err
		}
		return nil, failWrap(err, "open survey database", "mở cơ sở dữ liệu khảo sát")
	}
	return h, nil
}

// contextErr turns a cancelled context into the interrupt error.
func contextErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errInterrupted
	}
	return err
}

var errInterrupted = errors.New("interrupted")
