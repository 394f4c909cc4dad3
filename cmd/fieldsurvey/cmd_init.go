package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

// homeResult is what one step of ensureHome found or created.
type homeResult struct {
	What    survey.Text // "home folder", "configuration", …
	Path    string
	Created bool
	Detail  string // e.g. the device id
}

// homeStep makes sure one part of the home folder exists.
type homeStep func(g *globals) (homeResult, error)

// homeSteps are what `fieldsurvey init`, and the first command that needs the home folder,
// make sure of, in order. To set up more (a device key, an outbox), add a step here.
var homeSteps = []homeStep{
	ensureHomeDir,
	ensureQuestionnaireDir,
	ensureConfigFile,
	ensureStoreFile,
	ensureDeviceKey,
}

// ensureHome runs every home step once, recording what each found or created in
// g.homeSteps. It is idempotent: on a set-up home it creates nothing.
func ensureHome(g *globals) error {
	if g.homeReady {
		return nil
	}
	g.homeSteps = nil
	for _, step := range homeSteps {
		r, err := step(g)
		if err != nil {
			return err
		}
		g.homeSteps = append(g.homeSteps, r)
	}
	g.homeReady = true
	return nil
}

func ensureDir(path string, what survey.Text) (homeResult, error) {
	r := homeResult{What: what, Path: path}
	if fi, err := os.Stat(path); err == nil {
		if !fi.IsDir() {
			return r, fail("%s is not a folder", "%s không phải là thư mục", path)
		}
		return r, nil
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return r, failWrap(err, "create %s", "tạo %s", what.Get(survey.LangEN))
	}
	r.Created = true
	return r, nil
}

func ensureHomeDir(g *globals) (homeResult, error) {
	return ensureDir(g.home, survey.T("home folder", "thư mục làm việc"))
}

func ensureQuestionnaireDir(g *globals) (homeResult, error) {
	return ensureDir(g.catalogDir(), survey.T("questionnaire folder", "thư mục bảng hỏi"))
}

// ensureConfigFile writes the commented config.yaml with a new device id when there is
// none, and gives an existing file a device id when it lacks one.
func ensureConfigFile(g *globals) (homeResult, error) {
	r := homeResult{What: survey.T("configuration", "cấu hình"), Path: g.configPath()}
	if _, err := os.Stat(r.Path); errors.Is(err, os.ErrNotExist) {
		c, err := fileConfig(r.Path)
		if err != nil {
			return r, err
		}
		if c.Device, err = newDeviceID(g.rand); err != nil {
			return r, err
		}
		if g.initRole != "" {
			c.Role = string(g.initRole)
		}
		created, err := createFileAtomic(r.Path, configTemplate(c), 0o600)
		if err != nil {
			return r, failWrap(err, "write %s", "ghi %s", r.Path)
		}
		r.Created = created
	} else if g.cfg.Device == "" {
		if err := addDevice(g, r.Path); err != nil {
			return r, err
		}
		r.Created = true
	}
	if err := g.loadConfig(); err != nil {
		return r, err
	}
	r.Detail = fmt.Sprintf(g.t("device %s, %s", "thiết bị %s, %s"), g.cfg.Device, g.role().Label().Get(g.lang()))
	return r, nil
}

// addDevice appends a new device id to a config file that has no device key.
func addDevice(g *globals, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return failWrap(err, "read %s", "đọc %s", path)
	}
	var top map[string]any
	if err := yaml.Unmarshal(data, &top); err != nil {
		return failWrap(err, "read %s", "đọc %s", path)
	}
	if _, ok := top["device"]; ok {
		return withHint(fail("%s sets an empty device id", "%s đặt mã thiết bị rỗng", path),
			"remove the 'device:' line and run 'fieldsurvey init' to get a new id, or restore the old id",
			"xóa dòng 'device:' rồi chạy 'fieldsurvey init' để có mã mới, hoặc khôi phục mã cũ")
	}
	id, err := newDeviceID(g.rand)
	if err != nil {
		return err
	}
	if len(data) > 0 && !strings.HasSuffix(string(data), "\n") {
		data = append(data, '\n')
	}
	data = append(data, fmt.Sprintf("\n# This device's id, made by 'fieldsurvey init'. Do not change it.\ndevice: %q\n", id)...)
	if err := writeFileAtomic(path, data, 0o600); err != nil {
		return failWrap(err, "write %s", "ghi %s", path)
	}
	return nil
}

// newDeviceID returns 16 random hex digits.
func newDeviceID(rnd io.Reader) (string, error) {
	b := make([]byte, 8)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return "", fmt.Errorf("make device id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// fileConfig reads the configuration of the file at path alone (defaults for what it does
// not set), ignoring the environment and flags.
func fileConfig(path string) (Config, error) {
	v := newViper(false)
	if err := readConfigFile(v, path); err != nil {
		return Config{}, err
	}
	return decodeConfig(v, nil)
}

func ensureStoreFile(g *globals) (homeResult, error) {
	r := homeResult{What: survey.T("interview database", "cơ sở dữ liệu phỏng vấn"), Path: g.storePath()}
	if _, err := os.Stat(r.Path); err == nil {
		return r, nil
	}
	st, err := store.Open(r.Path, homeStoreOptions()...)
	if err != nil {
		return r, failWrap(err, "create the interview database", "tạo cơ sở dữ liệu phỏng vấn")
	}
	if err := st.Close(); err != nil {
		return r, failWrap(err, "create the interview database", "tạo cơ sở dữ liệu phỏng vấn")
	}
	r.Created = true
	return r, nil
}

type initOptions struct {
	key       string // --key: an existing OpenSSH Ed25519 key to use as the device key
	principal string // --principal: the signer principal to write to config.yaml
	role      string // --role: assessor or supervisor
	name      string // --name: the assessor's name, recorded on new interviews
}

func newInitCommand(g *globals) *cobra.Command {
	var opts initOptions
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Set up the home folder, device id and config · Tạo thư mục làm việc, mã thiết bị và cấu hình",
		Long: `init sets up the home folder: config.yaml (with this device's id), the interview database,
the questionnaire folder and the device key (device_ed25519, an OpenSSH Ed25519 key that
signs this device's batches; never replaced once made). It is safe to run again: it creates
only what is missing and prints what it found. Other commands set up the home folder on
first use too.

--role supervisor makes a supervisor's home: the same key and database, config.yaml with
role: supervisor. A supervisor merges laptops' batches into it ('fieldsurvey merge', the
laptops' keys in HOME/allowed_signers), approves, returns and reopens interviews
('fieldsurvey interview approve|return|reopen'), and sends the decisions back signed with
its key ('fieldsurvey sync', or 'fieldsurvey batch create --out DIR' for a USB stick). The
role of an existing home is never changed: a supervisor works in a home of their own.

init tạo thư mục làm việc: config.yaml (kèm mã thiết bị), cơ sở dữ liệu phỏng vấn, thư mục
bảng hỏi và khoá thiết bị (device_ed25519, khoá OpenSSH Ed25519 dùng để ký các lô dữ liệu;
không bao giờ bị thay thế). Chạy lại nhiều lần vẫn an toàn: chỉ tạo những gì còn thiếu.
--role supervisor tạo thư mục làm việc của người giám sát (role: supervisor): hợp nhất lô
dữ liệu của các máy, duyệt, trả lại, mở lại phỏng vấn và gửi quyết định đã ký về các máy.
Vai trò của thư mục đã có không bao giờ bị đổi.`,
		Example: `  fieldsurvey init
  fieldsurvey init --principal an@example.org --name "Nguyễn Văn An"
  fieldsurvey init --key ~/.ssh/id_ed25519
  fieldsurvey --home ~/supervisor init --role supervisor --principal lan@example.org
  fieldsurvey --home /media/usb/fieldsurvey init`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInit(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.key, "key", "", "use this OpenSSH Ed25519 private key as the device key (copied into the home folder) · dùng khoá này làm khoá thiết bị")
	cmd.Flags().StringVar(&opts.principal, "principal", "", "your name or e-mail, as supervisors list it in allowed_signers · tên hoặc e-mail của bạn")
	cmd.Flags().StringVar(&opts.role, "role", "", "what a new home is for: assessor (the default) or supervisor · vai trò: assessor hoặc supervisor")
	cmd.Flags().StringVar(&opts.name, "name", "", "your name as recorded on the interviews you make (assessor.name; may be changed later) · họ tên của bạn")
	return cmd
}

func runInit(ctx context.Context, g *globals, opts initOptions) error {
	g.identity = identityFlags{want: true, key: opts.key, principal: opts.principal}
	if err := g.identity.check(); err != nil {
		return err
	}
	if err := checkInitRole(g, opts.role); err != nil {
		return err
	}
	if err := ensureHome(g); err != nil {
		return err
	}
	if opts.name != "" {
		if err := setAssessorName(g, opts.name); err != nil {
			return err
		}
	}
	t := newTable(g.stdout)
	for _, s := range g.homeSteps {
		state := g.t("found", "đã có")
		if s.Created {
			state = g.t("created", "đã tạo")
		}
		t.row(state, s.What.Get(g.lang()), s.Path, s.Detail)
	}
	if err := t.flush(); err != nil {
		return err
	}
	if g.role() == survey.RoleSupervisor {
		g.notef("a supervisor's home: put the laptops' 'fieldsurvey identity' lines in %s, merge their batches with 'fieldsurvey merge FILE|DIR', decide with 'fieldsurvey interview approve|return|reopen', and send the decisions with 'fieldsurvey batch create --out DIR'; laptops trust this home with 'fieldsurvey trust add' and the line 'fieldsurvey identity' prints here",
			"thư mục của người giám sát: ghi các dòng 'fieldsurvey identity' của các máy vào %s, hợp nhất lô dữ liệu bằng 'fieldsurvey merge TỆP|THƯ-MỤC', quyết định bằng 'fieldsurvey interview approve|return|reopen' và gửi quyết định bằng 'fieldsurvey batch create --out THƯ-MỤC'; các máy tin cậy thư mục này bằng 'fieldsurvey trust add' với dòng mà 'fieldsurvey identity' in ra ở đây",
			g.allowedSignersPath())
	}
	return nil
}

// checkInitRole refuses a bad --role, and a --role other than the one of an existing home
// (its config.yaml says; a file without the setting is an assessor's). It records the role
// for a new home's config.yaml.
func checkInitRole(g *globals, flag string) error {
	if flag == "" {
		return nil
	}
	want, err := survey.ParseRole(flag)
	if err != nil || strings.TrimSpace(flag) == "" {
		return withHint(fail("--role %q: expected assessor or supervisor", "--role %q: cần là assessor hoặc supervisor", flag),
			"assessor records interviews; supervisor reviews them with a key and a home of its own",
			"assessor ghi phỏng vấn; supervisor duyệt phỏng vấn với khoá và thư mục làm việc riêng")
	}
	if _, err := os.Stat(g.configPath()); err == nil {
		c, err := fileConfig(g.configPath())
		if err != nil {
			return err
		}
		have, err := survey.ParseRole(c.Role)
		if err != nil {
			return err
		}
		if have != want {
			return withHint(fail("%[1]s is already set up with role %[2]s (%[3]s); init never changes the role of a home",
				"%[1]s đã được thiết lập với vai trò %[2]s (%[3]s); init không bao giờ đổi vai trò của thư mục",
				g.home, have, g.configPath()),
				"a %[1]s works in a home of their own: 'fieldsurvey --home DIR init --role %[1]s' with a new folder",
				"%[2]s làm việc trong thư mục riêng: 'fieldsurvey --home THƯ-MỤC init --role %[1]s' với một thư mục mới",
				want, want.Label().Get(g.lang()))
		}
	}
	g.initRole = want
	return nil
}
