package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"
	"gopkg.in/yaml.v3"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// identityFlags say what the device-key home step does: init asks for the key (and may
// bring one with --key and a principal with --principal); so do identity and batch create.
// Other commands leave a missing key alone (a supervisor's machine needs none).
type identityFlags struct {
	want      bool
	key       string // init --key: an existing OpenSSH Ed25519 key to use as the device key
	principal string // init --principal
}

// check refuses bad --key and --principal values before anything is created.
func (f identityFlags) check() error {
	if f.principal != "" {
		if _, err := keys.CheckPrincipal(f.principal); err != nil {
			return principalError(err)
		}
	}
	if f.key != "" {
		if _, err := readKeyFlag(f.key); err != nil {
			return err
		}
	}
	return nil
}

func principalError(err error) error {
	return withHint(failWrap(err, "--principal", "--principal"),
		"use your name or e-mail address, without commas, quotes or * ? !",
		"dùng tên hoặc địa chỉ e-mail, không có dấu phẩy, dấu nháy hay * ? !")
}

// readKeyFlag reads and checks the key named by init --key.
func readKeyFlag(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, failWrap(err, "read --key", "đọc --key")
	}
	if _, err := keys.ParseSigner(path, data); err != nil {
		return nil, withHint(failWrap(err, "--key %s", "--key %s", path),
			"give an unencrypted OpenSSH Ed25519 private key, or leave --key out to have one made",
			"cần khoá riêng OpenSSH Ed25519 không đặt mật khẩu, hoặc bỏ --key để tạo khoá mới")
	}
	return data, nil
}

func (g *globals) keyPath() string { return filepath.Join(g.home, keys.DeviceKeyFile) }

// ensureDeviceKey is the home step of the device key: HOME/device_ed25519 (mode 0600) and its
// .pub. An existing key is never replaced. With init --key, the given key is copied in (when
// the home has none yet); with init --principal, the principal is written to config.yaml.
func ensureDeviceKey(g *globals) (homeResult, error) {
	r := homeResult{What: survey.T("device key", "khoá thiết bị"), Path: g.keyPath()}
	if g.identity.principal != "" {
		if err := setPrincipal(g, g.identity.principal); err != nil {
			return r, err
		}
	}
	_, statErr := os.Stat(r.Path)
	if !g.identity.want && errors.Is(statErr, fs.ErrNotExist) {
		r.Detail = g.t("none yet (made by 'fieldsurvey init')", "chưa có (tạo bằng 'fieldsurvey init')")
		return r, nil
	}
	if g.identity.key != "" {
		created, err := importKey(g, g.identity.key, r.Path)
		if err != nil {
			return r, err
		}
		r.Created = created
	} else {
		_, created, err := keys.CreateDeviceKey(g.home, keyComment(g))
		if err != nil {
			return r, keyError(err, r.Path)
		}
		r.Created = created
	}
	signer, err := keys.LoadSigner(r.Path)
	if err != nil {
		return r, keyError(err, r.Path)
	}
	r.Detail = keys.Fingerprint(signer.PublicKey())
	return r, nil
}

func keyComment(g *globals) string {
	if g.cfg.Assessor.Principal != "" {
		return g.cfg.Assessor.Principal
	}
	return "fieldsurvey device " + g.cfg.Device
}

func keyError(err error, path string) error {
	switch {
	case errors.Is(err, keys.ErrPassphrase), errors.Is(err, keys.ErrNotEd25519), errors.Is(err, keys.ErrBadKeyFile):
		return withHint(failWrap(err, "device key", "khoá thiết bị"),
			"fieldsurvey never replaces a device key: move %s away and run 'fieldsurvey init' to make a new one (supervisors must then trust the new key)",
			"fieldsurvey không bao giờ thay khoá thiết bị: chuyển %s đi chỗ khác rồi chạy 'fieldsurvey init' để tạo khoá mới (người giám sát phải tin cậy khoá mới)", path)
	}
	return failWrap(err, "device key", "khoá thiết bị")
}

// importKey copies the OpenSSH Ed25519 key at from to the device key path (mode 0600),
// unless the home already has a device key: the same one is fine, another is refused.
func importKey(g *globals, from, to string) (bool, error) {
	data, err := readKeyFlag(from)
	if err != nil {
		return false, err
	}
	signer, err := keys.ParseSigner(from, data)
	if err != nil {
		return false, err
	}
	if existing, err := keys.LoadSigner(to); err == nil {
		if bytes.Equal(existing.PublicKey().Marshal(), signer.PublicKey().Marshal()) {
			return false, nil
		}
		return false, withHint(fail("this home already has a device key (%s), not the one in %s",
			"thư mục làm việc đã có khoá thiết bị (%s), khác khoá trong %s", keys.Fingerprint(existing.PublicKey()), from),
			"fieldsurvey never replaces a device key; use another --home for another identity",
			"fieldsurvey không bao giờ thay khoá thiết bị; dùng --home khác cho danh tính khác")
	} else if !errors.Is(err, keys.ErrNoKey) {
		return false, keyError(err, to)
	}
	created, err := createFileAtomic(to, data, 0o600)
	if err != nil {
		return false, failWrap(err, "write the device key", "ghi khoá thiết bị")
	}
	pub := append(bytes.TrimSpace(ssh.MarshalAuthorizedKey(signer.PublicKey())), ' ')
	pub = append(append(pub, keyComment(g)...), '\n')
	if _, err := createFileAtomic(to+".pub", pub, 0o644); err != nil {
		return created, failWrap(err, "write the device public key", "ghi khoá công khai của thiết bị")
	}
	return created, nil
}

// setPrincipal writes assessor.principal into config.yaml (keeping its comments) and
// reloads the configuration.
func setPrincipal(g *globals, principal string) error {
	p, err := keys.CheckPrincipal(principal)
	if err != nil {
		return principalError(err)
	}
	changed, err := setAssessorSetting(g, "principal", p)
	if err != nil {
		return err
	}
	if changed {
		g.notef("assessor.principal is now %q: supervisors list it with this device's key in allowed_signers ('fieldsurvey identity' prints the line)",
			"assessor.principal giờ là %q: người giám sát ghi nó cùng khoá của thiết bị này vào allowed_signers ('fieldsurvey identity' in ra dòng đó)", p)
	}
	return g.loadConfig()
}

// setAssessorName writes assessor.name (init --name): the name recorded on new interviews.
func setAssessorName(g *globals, name string) error {
	n := strings.TrimSpace(survey.NFC(name))
	if n == "" || strings.ContainsAny(n, "\r\n") || !utf8.ValidString(n) || len(n) > 200 {
		return withHint(fail("--name %q is not a name", "--name %q không phải là họ tên", name),
			"give your name as one line, e.g. --name \"Nguyễn Văn An\"", "ghi họ tên trên một dòng, ví dụ --name \"Nguyễn Văn An\"")
	}
	changed, err := setAssessorSetting(g, "name", n)
	if err != nil {
		return err
	}
	if changed {
		g.notef("assessor.name is now %q: it is recorded on the interviews you make from now on",
			"assessor.name giờ là %q: tên này được ghi vào các cuộc phỏng vấn bạn thực hiện từ nay", n)
	}
	return g.loadConfig()
}

// setAssessorSetting sets assessor.KEY in config.yaml, keeping every comment, and reports
// whether it changed.
func setAssessorSetting(g *globals, key, value string) (bool, error) {
	path := g.configPath()
	data, err := os.ReadFile(path)
	if err != nil {
		return false, failWrap(err, "read %s", "đọc %s", path)
	}
	out, changed, err := setYAMLString(data, "assessor", key, value)
	if err != nil {
		return false, failWrap(err, "update %s", "cập nhật %s", path)
	}
	if changed {
		if err := writeFileAtomic(path, out, 0o600); err != nil {
			return false, failWrap(err, "write %s", "ghi %s", path)
		}
	}
	return changed, nil
}

// setYAMLString sets the string value of section.key in a YAML document, keeping every
// comment, and reports whether it changed.
func setYAMLString(data []byte, section, key, value string) ([]byte, bool, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, false, err
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, false, errors.New("the file is not a mapping of settings")
	}
	find := func(m *yaml.Node, k string) *yaml.Node {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == k {
				return m.Content[i+1]
			}
		}
		return nil
	}
	sec := find(top, section)
	if sec == nil || sec.Kind != yaml.MappingNode {
		if sec != nil && !(sec.Kind == yaml.ScalarNode && (sec.Tag == "!!null" || sec.Value == "")) {
			return nil, false, fmt.Errorf("%s is not a mapping", section)
		}
		if sec == nil {
			top.Content = append(top.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: section}, &yaml.Node{Kind: yaml.MappingNode})
			sec = top.Content[len(top.Content)-1]
		} else {
			*sec = yaml.Node{Kind: yaml.MappingNode}
		}
	}
	val := find(sec, key)
	if val != nil && val.Kind == yaml.ScalarNode && val.Value == value {
		return data, false, nil
	}
	newVal := &yaml.Node{Kind: yaml.ScalarNode, Style: yaml.DoubleQuotedStyle, Tag: "!!str", Value: value}
	if val != nil {
		newVal.LineComment, newVal.HeadComment = val.LineComment, val.HeadComment
		*val = *newVal
	} else {
		sec.Content = append(sec.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, newVal)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, false, err
	}
	if err := enc.Close(); err != nil {
		return nil, false, err
	}
	return buf.Bytes(), true, nil
}

// deviceSigner sets up the home folder with the device key (making it if missing) and
// returns the key and the principal it signs as.
func (g *globals) deviceSigner() (ssh.Signer, string, error) {
	g.identity.want = true
	if err := g.needHome(); err != nil {
		return nil, "", err
	}
	signer, err := keys.LoadSigner(g.keyPath())
	if err != nil {
		return nil, "", keyError(err, g.keyPath())
	}
	principal, err := keys.CheckPrincipal(g.cfg.Assessor.Principal)
	if err != nil {
		return nil, "", withHint(failWrap(err, "no signer principal", "chưa có danh tính người ký"),
			"set it once with 'fieldsurvey init --principal you@example.org' (or assessor.principal in config.yaml, or FIELDSURVEY_ASSESSOR_PRINCIPAL)",
			"đặt một lần bằng 'fieldsurvey init --principal ban@example.org' (hoặc assessor.principal trong config.yaml, hoặc FIELDSURVEY_ASSESSOR_PRINCIPAL)")
	}
	return signer, principal, nil
}

type identityOptions struct{}

func newIdentityCommand(g *globals) *cobra.Command {
	var opts identityOptions
	return &cobra.Command{
		Use:   "identity",
		Short: "Print this device's allowed_signers line · In dòng allowed_signers của thiết bị này",
		Long: `identity prints the line a supervisor or a server adds to its allowed_signers file to trust
the batches of this device: the signer principal (assessor.principal), the namespace
fieldsurvey-batch, and the device's public key. The key is made if there is none yet. On
a supervisor's home, it is the line laptops add with 'fieldsurvey trust add' to take in
the supervisor's decisions.

identity in ra dòng mà người giám sát hoặc máy chủ thêm vào tệp allowed_signers để tin cậy
các lô dữ liệu của thiết bị này: danh tính người ký (assessor.principal), không gian tên
fieldsurvey-batch và khoá công khai của thiết bị.`,
		Example: `  fieldsurvey identity >> /media/usb/allowed_signers
  fieldsurvey init --principal an@example.org && fieldsurvey identity
  fieldsurvey --home ~/supervisor identity > /media/usb/supervisor.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIdentity(cmd.Context(), g, opts)
		},
	}
}

func runIdentity(_ context.Context, g *globals, _ identityOptions) error {
	signer, principal, err := g.deviceSigner()
	if err != nil {
		return err
	}
	fmt.Fprintln(g.stdout, keys.SignerLine(principal, signer.PublicKey(), batch.Namespace))
	g.infof("device %s, key %s", "thiết bị %s, khoá %s", g.cfg.Device, keys.Fingerprint(signer.PublicKey()))
	if g.role() == survey.RoleSupervisor {
		g.infof("laptops trust this supervisor's decisions with 'fieldsurvey trust add LINE' (this line); other supervisors too",
			"các máy tin cậy quyết định của người giám sát này bằng 'fieldsurvey trust add DÒNG' (dòng này); người giám sát khác cũng vậy")
	} else {
		g.infof("a supervisor adds this line to the allowed_signers file of their home to merge this device's batches",
			"người giám sát thêm dòng này vào tệp allowed_signers trong thư mục của họ để hợp nhất các lô của thiết bị này")
	}
	return nil
}
