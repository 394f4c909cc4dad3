package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

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
	lines := []string{strings.Join(args, " ")}
	if len(args) == 1 && args[0] == "-" {
		var err error
		if lines, err = keys.ReadSignerLines(g.stdin); err != nil {
			return failWrap(err, "read stdin", "đọc stdin")
		}
		if len(lines) == 0 {
			return fail("no allowed_signers line on stdin", "không có dòng allowed_signers nào trên stdin")
		}
	}
	if err := g.needHome(); err != nil {
		return err
	}
	own := ""
	if signer, err := keys.LoadSigner(g.keyPath()); err == nil {
		own = keys.Fingerprint(signer.PublicKey())
	}
	path := g.trustedPath()
	sups, err := keys.TrustSupervisors(path, lines, batch.Namespace, own)
	for _, s := range sups {
		if s.Added {
			fmt.Fprintf(g.stdout, g.t("trusted %s (key %s) as a supervisor", "đã tin cậy %s (khoá %s) là người giám sát")+"\n", s.Principals, s.Fingerprint)
		} else {
			fmt.Fprintf(g.stdout, g.t("%s (key %s) was trusted already", "%s (khoá %s) đã được tin cậy từ trước")+"\n", s.Principals, s.Fingerprint)
		}
	}
	var le *keys.LineError
	switch {
	case errors.As(err, &le):
		return le
	case err != nil:
		return failWrap(err, "trust add", "trust add")
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
