package main

import (
	"context"
	tea "github.com/charmbracelet/bubbletea"
	"os"
	"os/exec"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/tui/desk"
	"github.com/fieldsurvey/fieldsurvey/tui/storeadapter/deskstore"
)

type reviewOptions struct {
	monochrome bool
	background string
}

// newReviewCommand is the supervisor's desk (package tui/desk).
func newReviewCommand(g *globals) *cobra.Command {
	var opts reviewOptions
	cmd := &cobra.Command{
		Use:   "review",
		Short: "The supervisor's desk: queue, approve, return, overview · Bàn làm việc của người giám sát",
		Long: `Open the supervisor's desk over this home's store (where merged and synced interviews
are): the queue of interviews waiting for a decision (completed, submitted, resubmitted),
then returned and approved ones, with filters, search and sort; an interview read section
by section with its conflicts and what changed since it was returned; decisions (a
approve, x return with a reason, o reopen with a reason), each one status revision written
with this home's device and key, sent by the next sync or batch create; and the province ×
section overview. ctrl+l switches language, ? shows every key.

Deciding needs a supervisor's home (role: supervisor). With --db the hub store is only
read, and an assessor's home can look but not decide: the screen says so.

Mở bàn làm việc của người giám sát: hàng chờ phỏng vấn cần quyết định, xem từng phỏng vấn
theo phần, duyệt (a), trả lại kèm lý do (x), mở lại kèm lý do (o), và bảng tổng quan tỉnh ×
phần. Chỉ máy của người giám sát mới được quyết định; với --db chỉ xem.`,
		Example: `  fieldsurvey review
  fieldsurvey review --db hub.db
  fieldsurvey review --db postgres://reader@db.example.org/fieldsurvey
  NO_COLOR=1 fieldsurvey review --monochrome`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReview(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.monochrome, "monochrome", false, "no colours, keep bold and reverse video (NO_COLOR does the same) · không dùng màu")
	f.StringVar(&opts.background, "background", "auto", "terminal background: auto (COLORFGBG, else dark), dark or light · nền của cửa sổ lệnh")
	return cmd
}

func runReview(ctx context.Context, g *globals, opts reviewOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	switch opts.background {
	case "auto", "dark", "light":
	default:
		return fail("--background is %q: expected auto, dark or light", "--background là %q: cần là auto, dark hoặc light", opts.background)
	}
	// A server's PostgreSQL database is read only (its queue as the SQLite store's); any
	// other store is the home's, or a hub store file with --db.
	var st *store.Store
	var ro deskstore.Reader
	if server.IsPostgresURL(g.flags.db) {
		r, err := g.openReader(ctx)
		if err != nil {
			return err
		}
		defer r.Close()
		var ok bool
		if ro, ok = r.(deskstore.Reader); !ok {
			return fail("review cannot read %s", "review không đọc được %s", server.Redact(g.flags.db))
		}
	} else {
		var err error
		if st, err = g.openStore(); err != nil {
			return err
		}
		defer st.Close()
	}
	cat, err := g.catalog()
	if err != nil {
		return err
	}
	var known []string
	o := desk.Options{
		Lang:       g.lang(),
		Role:       g.role(),
		Principal:  g.cfg.Assessor.Principal,
		Device:     g.cfg.Device,
		Color:      g.cfg.Color,
		Monochrome: opts.monochrome,
		Background: opts.background,
		Now:        g.now,
		SavePause:  2 * time.Second,
		Input:      g.stdin,
		Output:     g.stdout,
	}
	switch {
	case g.flags.db != "":
		// The --db store is for reading: a decision is written to the home's own store with
		// its device and key, so that batch create and sync carry it.
		db := g.flags.db
		if server.IsPostgresURL(db) {
			db = server.Redact(db)
		}
		o.ReadOnly = survey.T("reading "+db+" (--db); decisions are written to your home's store with its key: run fieldsurvey review without --db",
			"đang đọc "+db+" (--db); quyết định được ghi vào kho của máy này bằng khoá của máy: chạy fieldsurvey review không có --db")
	case g.cfg.Device == "" && g.role().Decides():
		o.ReadOnly = survey.T("this home has no device id yet (fieldsurvey init)", "máy này chưa có mã thiết bị (fieldsurvey init)")
	default:
		if g.role().Decides() {
			// The assign form (a in the overview) names assessors this home knows, as
			// fieldsurvey assign does.
			if known, err = g.homeKnownPrincipals(ctx); err != nil {
				return err
			}
		}
		o.OnLanguage = func(lang string) error { return saveLanguage(g.configPath(), lang) }
		if g.role().Decides() {
			o.Sync = newTUISync(g)
		}
		o.Settle = g.settleOnScreen
	}
	var ds desk.Store = deskstore.Desk{S: st, Device: g.cfg.Device, Known: known}
	if ro != nil {
		ds = deskstore.ReadOnly{R: ro}
	}
	err = desk.Run(ctx, o, ds, cat)
	return contextErr(ctx, err)
}

// settleOnScreen opens the interview screen of this home at the conflicted target (its
// versions side by side: v), in the same terminal, and brings the desk back, reloaded,
// when it is closed.
func (g *globals) settleOnScreen(interview string, t survey.Target) tea.Cmd {
	at := t.Key
	if t.Kind == survey.KindSection {
		at = "section:" + t.Key
	}
	exe, err := os.Executable()
	if err != nil {
		return func() tea.Msg { return desk.SettledMsg{Interview: interview} }
	}
	c := exec.Command(exe, "--home", g.home, "--lang", g.lang(), "collect", "--interview", interview, "--at", at)
	return tea.ExecProcess(c, func(error) tea.Msg { return desk.SettledMsg{Interview: interview} })
}

// homeKnownPrincipals lists the principals of this home's allowed_signers file and of the
// devices whose batches it merged (knownPrincipals), sorted.
func (g *globals) homeKnownPrincipals(ctx context.Context) ([]string, error) {
	h, err := g.openHomeHub()
	if err != nil {
		return nil, err
	}
	defer h.Close()
	known, err := g.knownPrincipals(ctx, h.Devices)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(known))
	for p := range known {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}
