package main

import (
	"bufio"
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// allowedSignersFileName is the allowed_signers file of a supervisor's home: the laptops
// whose batches 'fieldsurvey merge' takes in when no --allowed-signers is given.
const allowedSignersFileName = "allowed_signers"

func (g *globals) trustedPath() string        { return filepath.Join(g.home, keys.TrustedSupervisorsFile) }
func (g *globals) allowedSignersPath() string { return filepath.Join(g.home, allowedSignersFileName) }

func newTrustCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trust",
		Short: "The supervisors this device trusts · Những người giám sát mà thiết bị này tin cậy",
		Long: `A device takes in a batch carried by hand ('fieldsurvey merge FILE') only when it is signed
by a supervisor it trusts: one listed in HOME/trusted_supervisors, an OpenSSH
allowed_signers file. 'trust add' adds a supervisor's line (what their 'fieldsurvey
identity' prints); the server this device is enrolled with keeps its own block of
supervisors in the same file. To stop trusting a supervisor added by hand, delete their
line from the file. On a supervisor's home, the file lists the other supervisors whose
decisions it accepts.

Thiết bị chỉ nhận lô dữ liệu mang đến bằng tay ('fieldsurvey merge TỆP') khi lô được ký
bởi người giám sát mà nó tin cậy: người có tên trong HOME/trusted_supervisors. 'trust add'
thêm dòng của người giám sát (dòng mà 'fieldsurvey identity' của họ in ra). Để thôi tin
cậy, hãy xoá dòng đó khỏi tệp.`,
		Example: `  fieldsurvey trust add 'lan@example.org namespaces="fieldsurvey-batch" ssh-ed25519 AAAAC3Nza…'
  fieldsurvey trust add - < /media/usb/supervisor.txt
  fieldsurvey trust list`,
	}
	return groupCommand(cmd, newTrustAddCommand(g), newTrustListCommand(g))
}

func newTrustAddCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "add LINE|-",
		Short: "Trust a supervisor: add their allowed_signers line · Tin cậy một người giám sát",
		Long: `add checks the line (a principal, optional options, an ssh-ed25519 key), and adds it to
HOME/trusted_supervisors (mode 0600) unless it is there already. The line may be given as
one argument, as several (joined by spaces), or with - on stdin (one line or more).

add kiểm tra dòng (danh tính, tuỳ chọn, khoá ssh-ed25519) rồi thêm vào
HOME/trusted_supervisors nếu chưa có. Có thể đưa dòng qua đối số hoặc qua stdin với -.`,
		Example: `  fieldsurvey trust add 'lan@example.org namespaces="fieldsurvey-batch" ssh-ed25519 AAAAC3Nza…'
  ssh supervisor fieldsurvey identity | fieldsurvey trust add -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTrustAdd(cmd.Context(), g, args)
		},
	}
}

func runTrustAdd(_ context.Context, g *globals, args []string) error {
	var lines []string
	if len(args) == 1 && args[0] == "-" {
		sc := bufio.NewScanner(g.stdin)
		sc.Buffer(make([]byte, 0, 4096), 1<<20)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		if err := sc.Err(); err != nil {
			return failWrap(err, "read stdin", "đọc stdin")
		}
		if len(lines) == 0 {
			return fail("no allowed_signers line on stdin", "không có dòng allowed_signers nào trên stdin")
		}
	} else {
		lines = []string{strings.Join(args, " ")}
	}
	if err := g.needHome(); err != nil {
		return err
	}
	// Every line is checked before any is added.
	own := ""
	if signer, err := keys.LoadSigner(g.keyPath()); err == nil {
		own = keys.Fingerprint(signer.PublicKey())
	}
	type parsed struct {
		line       string
		principals string
		key        ssh.PublicKey
	}
	var ps []parsed
	for i, l := range lines {
		as, err := keys.ParseAllowedSigners(strings.NewReader(l))
		if err == nil && len(as.Signers) != 1 {
			err = fmt.Errorf("expected one line")
		}
		// where names the line in English and Vietnamese: "the line", or "line 2" of several.
		where, whereVI := "the line", "dòng"
		if len(lines) > 1 {
			where, whereVI = fmt.Sprintf("line %d", i+1), fmt.Sprintf("dòng %d", i+1)
		}
		if err != nil {
			return withHint(failWrap(err, "%[1]s is not an allowed_signers line", "%[2]s không phải là dòng allowed_signers", where, whereVI),
				"give the line the supervisor's 'fieldsurvey identity' prints: principal namespaces=\"fieldsurvey-batch\" ssh-ed25519 AAAA…",
				"hãy đưa dòng mà lệnh 'fieldsurvey identity' của người giám sát in ra: danh-tính namespaces=\"fieldsurvey-batch\" ssh-ed25519 AAAA…")
		}
		s := as.Signers[0]
		fp := keys.Fingerprint(s.Key)
		switch {
		case s.Key.Type() != ssh.KeyAlgoED25519:
			return fail("%[1]s holds a %[3]s key; fieldsurvey supervisors sign with Ed25519 keys (ssh-ed25519)",
				"%[2]s chứa khoá %[3]s; người giám sát của fieldsurvey ký bằng khoá Ed25519 (ssh-ed25519)", where, whereVI, s.Key.Type())
		case s.CertAuthority:
			return fail("%[1]s is a cert-authority line; fieldsurvey trusts keys, not certificates",
				"%[2]s là dòng cert-authority; fieldsurvey tin cậy khoá, không dùng chứng chỉ", where, whereVI)
		case len(s.Namespaces) > 0 && !keys.MatchPrincipal(s.Namespaces, batch.Namespace):
			return fail("%[1]s limits the key to namespaces %[3]s, which leave out %[4]s: it would trust nothing",
				"%[2]s giới hạn khoá trong không gian tên %[3]s, không gồm %[4]s: dòng này không tin cậy gì cả", where, whereVI, strings.Join(s.Namespaces, ","), batch.Namespace)
		case fp == own:
			return withHint(fail("%[1]s holds this device's own key (%[3]s)", "%[2]s chứa khoá của chính thiết bị này (%[3]s)", where, whereVI, fp),
				"run 'fieldsurvey identity' on the supervisor's home and add the line it prints",
				"chạy 'fieldsurvey identity' trên thư mục của người giám sát rồi thêm dòng mà lệnh đó in ra")
		}
		ps = append(ps, parsed{line: l, principals: strings.Join(s.Principals, ","), key: s.Key})
	}
	path := g.trustedPath()
	for _, p := range ps {
		added, err := keys.AddSignerLine(path, p.line)
		if err != nil {
			return failWrap(err, "trust add", "trust add")
		}
		if added {
			fmt.Fprintf(g.stdout, g.t("trusted %s (key %s) as a supervisor", "đã tin cậy %s (khoá %s) là người giám sát")+"\n", p.principals, keys.Fingerprint(p.key))
		} else {
			fmt.Fprintf(g.stdout, g.t("%s (key %s) was trusted already", "%s (khoá %s) đã được tin cậy từ trước")+"\n", p.principals, keys.Fingerprint(p.key))
		}
	}
	g.infof("batches these supervisors sign are merged with 'fieldsurvey merge FILE|DIR' (%s)",
		"các lô do những người giám sát này ký được hợp nhất bằng 'fieldsurvey merge TỆP|THƯ-MỤC' (%s)", path)
	return nil
}

type trustListOptions struct {
	json bool
}

func newTrustListCommand(g *globals) *cobra.Command {
	var opts trustListOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the trusted supervisors · Liệt kê những người giám sát được tin cậy",
		Long: `list prints every line of HOME/trusted_supervisors: the principal, the key's fingerprint,
and where the line comes from (added by hand, or managed by the server named by its key).

list in từng dòng của HOME/trusted_supervisors: danh tính, dấu vân tay khoá và nguồn của
dòng (thêm bằng tay, hoặc do máy chủ quản lý).`,
		Example: `  fieldsurvey trust list
  fieldsurvey trust list --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTrustList(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print JSON · in dạng JSON")
	return cmd
}

type trustInfo struct {
	Principals  []string `json:"principals"`
	Key         string   `json:"key"`
	Type        string   `json:"type"`
	Source      string   `json:"source"` // "hand" or the server's key fingerprint
	Line        int      `json:"line"`
	Namespaces  []string `json:"namespaces,omitempty"`
	ValidAfter  string   `json:"valid_after,omitempty"`
	ValidBefore string   `json:"valid_before,omitempty"`
}

func runTrustList(_ context.Context, g *globals, opts trustListOptions) error {
	if err := g.needHome(); err != nil {
		return err
	}
	path := g.trustedPath()
	lines, err := keys.ReadTrustedLines(path)
	if err != nil {
		return withHint(failWrap(err, "read trusted supervisors", "đọc danh sách người giám sát được tin cậy"),
			"fix or delete the line named; lines the server manages come back on the next sync",
			"sửa hoặc xoá dòng được nêu; các dòng do máy chủ quản lý sẽ được ghi lại ở lần đồng bộ sau")
	}
	infos := make([]trustInfo, 0, len(lines))
	for _, l := range lines {
		in := trustInfo{Principals: l.Principals, Key: keys.Fingerprint(l.Key), Type: l.Key.Type(), Source: l.Source, Line: l.Line, Namespaces: l.Namespaces}
		if in.Source == "" {
			in.Source = "hand"
		}
		if !l.ValidAfter.IsZero() {
			in.ValidAfter = timeText(l.ValidAfter)
		}
		if !l.ValidBefore.IsZero() {
			in.ValidBefore = timeText(l.ValidBefore)
		}
		infos = append(infos, in)
	}
	if opts.json {
		return writeJSON(g.stdout, infos)
	}
	if len(infos) == 0 {
		g.infof("this device trusts no supervisor yet (%s): 'fieldsurvey trust add LINE' adds one",
			"thiết bị này chưa tin cậy người giám sát nào (%s): 'fieldsurvey trust add DÒNG' để thêm", path)
		return nil
	}
	t := newTable(g.stdout, g.t("PRINCIPAL", "DANH TÍNH"), g.t("KEY", "KHOÁ"), g.t("SOURCE", "NGUỒN"), g.t("VALID", "HIỆU LỰC"))
	for _, in := range infos {
		src := g.t("added by hand", "thêm bằng tay")
		if in.Source != "hand" {
			src = g.t("server ", "máy chủ ") + in.Source
		}
		valid := ""
		if in.ValidAfter != "" || in.ValidBefore != "" {
			valid = unbounded(in.ValidAfter) + " – " + unbounded(in.ValidBefore)
		}
		t.row(strings.Join(in.Principals, ","), in.Key, src, valid)
	}
	return t.flush()
}

// unbounded is s, or "-" for an open end of a validity period.
func unbounded(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
