package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
	"github.com/fieldsurvey/fieldsurvey/sync/usb"
)

type mergeOptions struct {
	into  string
	trust trustOptions
	json  bool
}

func newMergeCommand(g *globals) *cobra.Command {
	var opts mergeOptions
	cmd := &cobra.Command{
		Use:   "merge [--into HUB.db|postgres://… --allowed-signers FILE] [--identity KEY] BATCH|DIR...",
		Short: "Take in batch files: a supervisor's on a laptop, laptops' on a supervisor's home · Hợp nhất các lô dữ liệu",
		Long: `merge verifies each batch (a file, or every *.fsbatch in a folder) and adds its revisions to
this home's own database. Each batch is checked whole before anything of it is stored:
signature by a trusted key, payload hash, every revision, questionnaire versions known here,
who may decide, and the record of what was merged before (a batch merged before is "already
present" and changes nothing; the same batch id with other content, or a sequence number
reused, is refused). A rejected batch adds nothing. Afterwards merge says which sequence
numbers of each device are missing. It exits non-zero if any batch was rejected.

Who is trusted depends on the home's role (config.yaml, role):
  - assessor (a laptop): batches signed by the supervisors of HOME/trusted_supervisors
    ('fieldsurvey trust add'); they bring decisions (returned with a reason, approved,
    reopened). A decision on an interview this laptop does not hold is kept, and takes
    effect when the interview arrives.
  - supervisor: batches signed by the laptops of HOME/allowed_signers (or the files given
    with --allowed-signers; each laptop's 'fieldsurvey identity' prints its line), and by
    the other supervisors of HOME/trusted_supervisors. A laptop's batch that approves,
    returns or reopens an interview is refused whole: only supervisors decide.
Everywhere, a batch carries only its signer's own revisions, and this device's own batches
are refused. Encrypted batches are decrypted with this home's device key and --identity.

With --into HUB.db, merge works on a separate hub store instead (created if missing),
trusting the --allowed-signers files given (required); decisions are refused there. Then:
'fieldsurvey report --db HUB.db', 'interview list --db HUB.db', 'conflicts --db HUB.db'.

With --into postgres://USER:PASSWORD@HOST/DATABASE, merge works on a server's PostgreSQL
database (the one its 'serve --database' nodes use; safe while they run), with the same
checks, --allowed-signers required and decisions refused. The questionnaire versions known
are the server's: the bundled ones and those published with 'server publish' (not this
home's). A device enrolled with the server must have signed with its enrolled key, and a
revoked device's batches are refused. What is merged reaches, at their next sync, the
supervisors whose provinces cover it and the batch's own device if enrolled. Unlike an
upload, a merge does not mark interviews submitted: the database then holds what
'--into HUB.db' of the same files holds. The password is never printed.

merge kiểm tra từng lô (một tệp, hoặc mọi *.fsbatch trong thư mục) rồi thêm các thay đổi
vào cơ sở dữ liệu của thư mục làm việc này. Máy của người đánh giá nhận lô do người giám sát
trong HOME/trusted_supervisors ký; thư mục của người giám sát nhận lô của các máy trong
HOME/allowed_signers (hoặc --allowed-signers) và của người giám sát khác. Lô bị từ chối
không thêm gì. Với --into HUB.db, hợp nhất vào một kho tổng hợp riêng. Với --into
postgres://…, hợp nhất vào cơ sở dữ liệu PostgreSQL của máy chủ (an toàn khi các nút
'serve' đang chạy), với cùng các bước kiểm tra; chỉ nhận các phiên bản bảng hỏi mà máy chủ
biết (đi kèm chương trình hoặc đã công bố bằng 'server publish'); người giám sát phụ trách
tỉnh nhận được dữ liệu ở lần đồng bộ sau; không đánh dấu "đã nộp". Mật khẩu không bao giờ
được in ra.`,
		Example: `  fieldsurvey merge /media/usb
  fieldsurvey merge /media/usb/000002-*.fsbatch
  fieldsurvey merge --allowed-signers team_a_signers /media/usb
  fieldsurvey merge --into hub.db --allowed-signers allowed_signers /media/usb/*.fsbatch
  fieldsurvey report --db hub.db
  fieldsurvey merge --into postgres://fieldsurvey@db.internal/fieldsurvey --allowed-signers allowed_signers /media/usb`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd.Context(), g, args, opts)
		},
	}
	cmd.Flags().StringVar(&opts.into, "into", "", "merge into this separate hub store (created if missing), or a server's PostgreSQL database (postgres://…), instead of this home's · hợp nhất vào kho tổng hợp riêng này, hoặc cơ sở dữ liệu PostgreSQL của máy chủ")
	opts.trust.flags(cmd)
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the results as JSON · in kết quả dạng JSON")
	return cmd
}

type mergeLine struct {
	File      string          `json:"file"`
	ID        string          `json:"id,omitempty"`
	Device    string          `json:"device,omitempty"`
	Sequence  uint64          `json:"sequence,omitempty"`
	Signer    string          `json:"signer,omitempty"`
	Added     int             `json:"added"`
	Present   int             `json:"present"`
	Replay    bool            `json:"replay,omitempty"`
	Rejected  *mergeRejection `json:"rejected,omitempty"`
	reason    survey.Text
	detail    survey.Text
	reusedIDs []string
}

type mergeRejection struct {
	Check  string `json:"check"`
	Detail string `json:"detail"`
}

type mergeGap struct {
	Device string `json:"device"`
	From   uint64 `json:"from"`
	To     uint64 `json:"to"`
}

type mergeReport struct {
	Batches   []mergeLine `json:"batches"`
	Gaps      []mergeGap  `json:"gaps"`
	Conflicts int         `json:"conflicts"`
	// Waiting lists the interviews held without their creation (decisions that came first).
	Waiting []string `json:"waiting"`
}

// merger is how merge takes in batches, and explains a refusal, for the store it merges
// into.
type merger struct {
	h    *hub.Hub
	opts hub.Options
	// policy, merging into the home: the batches it refuses before any check (this
	// device's own) and those refused for their signer go through policy.Merge, which
	// explains them as it does one by one, and stores nothing of them.
	policy  *usb.Policy
	explain func(error) (reason, detail survey.Text)
	// conflictsHint is how to see the conflicts of this store.
	conflictsHint string
}

func runMerge(ctx context.Context, g *globals, args []string, opts mergeOptions) error {
	var m merger
	if server.IsPostgresURL(opts.into) {
		return runMergeServer(ctx, g, args, opts)
	}
	if opts.into != "" {
		hopts, files, err := opts.trust.checkInputs(g, args)
		if err != nil {
			return err
		}
		h, err := hub.Open(opts.into, append(hub.MergeOptions(), g.upgradeNotice())...)
		if err != nil {
			return err
		}
		defer h.Close()
		m = merger{h: h, opts: hopts, conflictsHint: "fieldsurvey conflicts --db " + opts.into,
			explain: hub.Describe}
		return mergeFiles(ctx, g, m, files, opts)
	}
	policy, files, err := homePolicy(g, args, opts.trust)
	if err != nil {
		return err
	}
	h, err := g.openHomeHub()
	if err != nil {
		return err
	}
	defer h.Close()
	m = merger{h: h, opts: policy.Options(), policy: &policy, conflictsHint: "fieldsurvey conflicts", explain: usb.Explain}
	return mergeFiles(ctx, g, m, files, opts)
}

// runMergeServer merges into a server's PostgreSQL database (server.FileMerge).
func runMergeServer(ctx context.Context, g *globals, args []string, opts mergeOptions) error {
	hopts, files, err := opts.trust.checkInputs(g, args)
	if err != nil {
		return err
	}
	shown := server.Redact(opts.into)
	st, err := server.OpenPostgres(ctx, opts.into)
	if err != nil {
		return withHint(failWrap(err, "open the server's database", "mở cơ sở dữ liệu của máy chủ"),
			"check the URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE) and that PostgreSQL answers there",
			"kiểm tra URL (postgres://NGƯỜI-DÙNG:MẬT-KHẨU@MÁY:CỔNG/CSDL) và PostgreSQL có trả lời ở đó không")
	}
	defer st.Close()
	// The server's questionnaires, not this home's: what it takes from its devices.
	if hopts.Known, err = server.KnownQuestionnaires(ctx, st); err != nil {
		return err
	}
	bar := newProgress(g.stderr, len(files))
	t := mergeTally{g: g, json: opts.json, bar: bar, explain: server.ExplainMerge, n: mergeTotals{files: len(files)}}
	fm := server.FileMerge{Store: st, Options: hopts, Now: g.now}
	err = fm.Merge(ctx, files, func(i int, file string, res hub.Result) {
		t.add(file, res)
		if i+1 < len(files) {
			bar.show(i+1, filepath.Base(files[i+1]))
		}
	})
	bar.clear()
	if err != nil {
		return contextErr(ctx, withHint(failWrap(err, "merge into %s (the batches before this one are merged)",
			"hợp nhất vào %s (các lô trước lô này đã được hợp nhất)", shown),
			"run the same merge again: the batches already merged are recognised and change nothing",
			"chạy lại lệnh merge: các lô đã hợp nhất được nhận ra và không thay đổi gì"))
	}
	held, err := server.Held(ctx, st)
	if err != nil {
		return err
	}
	return finishMerge(g, &t.rep, t.n, held, "fieldsurvey conflicts --db "+shown, opts)
}

// homePolicy is what this home trusts (see the help of merge), and the batch files named.
func homePolicy(g *globals, args []string, trust trustOptions) (usb.Policy, []string, error) {
	if g.flags.db != "" {
		return usb.Policy{}, nil, withHint(fail("merge writes: --db names a store to read", "merge ghi dữ liệu: --db chỉ dùng để đọc một kho dữ liệu"),
			"leave out --db to merge into this home, or give --into HUB.db to merge into a separate hub store",
			"bỏ --db để hợp nhất vào thư mục làm việc này, hoặc dùng --into HUB.db để hợp nhất vào kho tổng hợp riêng")
	}
	if err := g.needHome(); err != nil {
		return usb.Policy{}, nil, err
	}
	role := g.role()
	p := usb.Policy{Role: role, Device: g.cfg.Device, Now: g.now}
	var err error
	if p.Supervisors, err = loadSignersFile(g.trustedPath(), false); err != nil {
		return usb.Policy{}, nil, err
	}
	if role.Decides() {
		paths, required := trust.allowedSigners, true
		if len(paths) == 0 {
			paths = []string{g.allowedSignersPath()}
		}
		p.Devices = &keys.AllowedSigners{}
		for _, path := range paths {
			one, err := loadSignersFile(path, required)
			if err != nil {
				return usb.Policy{}, nil, err
			}
			p.Devices.Signers = append(p.Devices.Signers, one.Signers...)
		}
	} else if len(trust.allowedSigners) > 0 {
		return usb.Policy{}, nil, withHint(fail("--allowed-signers is for a supervisor's home or a hub (--into); this laptop takes batches of the supervisors it trusts",
			"--allowed-signers dành cho thư mục của người giám sát hoặc kho tổng hợp (--into); máy này chỉ nhận lô của người giám sát mà nó tin cậy"),
			"trust a supervisor with 'fieldsurvey trust add LINE' (the line their 'fieldsurvey identity' prints)",
			"tin cậy người giám sát bằng 'fieldsurvey trust add DÒNG' (dòng mà 'fieldsurvey identity' của họ in ra)")
	}
	// The home's device key decrypts batches encrypted to it, and so do --identity files.
	if data, err := os.ReadFile(g.keyPath()); err == nil {
		if ids, err := keys.ParseIdentities(data); err == nil {
			p.Identities = append(p.Identities, ids...)
		}
	}
	ids, err := loadIdentities(trust.identities)
	if err != nil {
		return usb.Policy{}, nil, err
	}
	p.Identities = append(p.Identities, ids...)
	files, err := usb.BatchFiles(args)
	if err != nil {
		return usb.Policy{}, nil, err
	}
	c, err := g.catalog()
	if err != nil {
		return usb.Policy{}, nil, err
	}
	p.Known = knownQuestionnaires(c)
	return p, files, nil
}

// loadSignersFile reads an allowed_signers file; a missing one trusts no one, or (required)
// is an error saying what to put in it.
func loadSignersFile(path string, required bool) (*keys.AllowedSigners, error) {
	if _, err := os.Stat(path); required && errors.Is(err, fs.ErrNotExist) {
		return nil, withHint(fail("no allowed_signers file %s: this supervisor's home trusts no laptop yet", "chưa có tệp allowed_signers %s: thư mục của người giám sát này chưa tin cậy máy nào", path),
			"put each laptop's line there ('fieldsurvey identity' on the laptop prints it), or give --allowed-signers FILE",
			"ghi dòng của từng máy vào đó ('fieldsurvey identity' trên máy in ra dòng này), hoặc dùng --allowed-signers TỆP")
	}
	as, err := keys.LoadAllowedSignersFile(path)
	if err != nil {
		return nil, withHint(failWrap(err, "read allowed signers", "đọc allowed signers"),
			"each line: principal [namespaces=\"fieldsurvey-batch\"] ssh-ed25519 AAAA…",
			"mỗi dòng: danh-tính [namespaces=\"fieldsurvey-batch\"] ssh-ed25519 AAAA…")
	}
	return as, nil
}

// mergeFiles merges the files with m, hub.MergeGroup at a time (each group one
// transaction, printed once committed), and reports.
func mergeFiles(ctx context.Context, g *globals, m merger, files []string, opts mergeOptions) error {
	bar := newProgress(g.stderr, len(files))
	t := mergeTally{g: g, json: opts.json, bar: bar, explain: m.explain, n: mergeTotals{files: len(files)}}
	fm := usb.Files{Hub: m.h, Options: m.opts, Policy: m.policy,
		Storing: func(from int, file string) { bar.show(from, filepath.Base(file)) }}
	err := fm.Merge(ctx, files, func(gr usb.Group) {
		for i, res := range gr.Results {
			t.add(gr.Files[i], res)
		}
	})
	var ge *usb.GroupError
	if errors.As(err, &ge) {
		bar.clear()
		return contextErr(ctx, withHint(failWrap(ge.Err, "merge %s to %s (none of these %d batches is merged; the batches before them are)",
			"hợp nhất %s đến %s (không lô nào trong %d lô này được hợp nhất; các lô trước đó đã được hợp nhất)",
			ge.Files[0], ge.Files[len(ge.Files)-1], len(ge.Files)),
			"run the same merge again: the batches already merged are recognised and change nothing",
			"chạy lại lệnh merge: các lô đã hợp nhất được nhận ra và không thay đổi gì"))
	}
	if err != nil {
		bar.clear()
		return contextErr(ctx, err)
	}
	bar.clear()
	held, err := m.h.Held(ctx)
	if err != nil {
		return err
	}
	return finishMerge(g, &t.rep, t.n, held, m.conflictsHint, opts)
}

// mergeTotals counts what a merge did.
type mergeTotals struct{ files, added, present, rejected int }

// mergeTally collects the lines of a merge as batches are merged, printing each (unless
// --json) above the progress bar.
type mergeTally struct {
	g       *globals
	json    bool
	bar     *progress
	explain func(error) (reason, detail survey.Text)
	rep     mergeReport
	n       mergeTotals
}

// add records what merging the batch file did.
func (t *mergeTally) add(file string, res hub.Result) {
	line := mergeLine{File: file}
	fillMergeLine(&line, res, t.explain)
	if line.Rejected != nil {
		t.n.rejected++
	}
	t.n.added += line.Added
	t.n.present += line.Present
	t.rep.Batches = append(t.rep.Batches, line)
	if !t.json {
		t.bar.clear()
		printMergeLine(t.g, line)
	}
}

// finishMerge prints what a merge did and what the store it merged into now lacks (gaps,
// conflicts, interviews waiting for their creation), and fails when a batch was rejected.
func finishMerge(g *globals, rep *mergeReport, n mergeTotals, held hub.Held, conflictsHint string, opts mergeOptions) error {
	files, added, present, rejected := n.files, n.added, n.present, n.rejected
	gaps, conflicts := held.Gaps, held.Conflicts
	rep.Gaps = []mergeGap{}
	for _, gp := range gaps {
		rep.Gaps = append(rep.Gaps, mergeGap{gp.Device, gp.From, gp.To})
	}
	rep.Conflicts = conflicts
	rep.Waiting = append([]string{}, held.Waiting...)
	if opts.json {
		if err := writeJSON(g.stdout, rep); err != nil {
			return err
		}
	} else {
		byDevice := map[string][]hub.Gap{}
		var devices []string
		for _, gp := range gaps {
			if byDevice[gp.Device] == nil {
				devices = append(devices, gp.Device)
			}
			byDevice[gp.Device] = append(byDevice[gp.Device], gp)
		}
		for _, d := range devices {
			fmt.Fprintf(g.stdout, g.t("device %s: missing sequence numbers %s", "thiết bị %s: thiếu lô số %s")+"\n", d, hub.FormatGaps(byDevice[d]))
		}
	}
	g.infof("%[1]d %[2]s: %[3]d revisions added, %[4]d already present, %[5]d rejected",
		"%[1]d lô: đã thêm %[3]d thay đổi, %[4]d đã có, %[5]d lô bị từ chối", files, plural(files, "batch", "batches"), added, present, rejected)
	if n := len(rep.Waiting); n > 0 {
		g.notef("%[1]d %[2]s not here yet; the changes received for %[3]s (a supervisor's decision, or a later batch of the device that recorded it) are kept and take effect when %[4]s: %[5]s",
			"%[1]d cuộc phỏng vấn chưa có ở đây; các thay đổi đã nhận (quyết định của người giám sát, hoặc lô sau của thiết bị đã ghi phỏng vấn) được giữ lại và có hiệu lực khi phỏng vấn được nhận: %[5]s",
			n, plural(n, "interview is", "interviews are"), plural(n, "it", "them"), plural(n, "it arrives", "they arrive"), strings.Join(rep.Waiting, ", "))
	}
	if conflicts > 0 {
		g.notef("%[1]d %[2]s two versions: '%[3]s' shows both sides",
			"%[1]d câu trả lời hoặc mục có hai phiên bản: '%[3]s' hiển thị cả hai", conflicts,
			plural(conflicts, "answer or field has", "answers or fields have"), conflictsHint)
	}
	if rejected > 0 {
		return withHint(fail("%d of %d batches rejected; nothing of them was stored", "%d trên %d lô bị từ chối; không lưu gì từ các lô đó", rejected, files),
			"the line of each rejected batch says which check failed", "dòng của mỗi lô bị từ chối cho biết bước kiểm tra nào không đạt")
	}
	return nil
}

// fillMergeLine records what merging one batch did in its line.
func fillMergeLine(line *mergeLine, res hub.Result, explain func(error) (reason, detail survey.Text)) {
	line.ID, line.Device, line.Sequence, line.Signer = res.ID, res.Device, res.Sequence, res.Signer
	line.Added, line.Present, line.Replay, line.reusedIDs = res.Added, res.Present, res.Replay, res.Reused
	if res.Rejected != nil {
		line.reason, line.detail = explain(res.Rejected)
		line.Rejected = &mergeRejection{Check: line.reason.Get(survey.LangEN), Detail: line.detail.Get(survey.LangEN)}
	}
}

func printMergeLine(g *globals, l mergeLine) {
	switch {
	case l.Rejected != nil:
		fmt.Fprintf(g.stdout, "%s: %s: %s: %s\n", l.File, g.t("rejected", "bị từ chối"), l.reason.Get(g.lang()), l.detail.Get(g.lang()))
	case l.Replay:
		fmt.Fprintf(g.stdout, g.t("%s: already present %d (batch %d of %s was merged before)", "%s: đã có %d (lô %d của %s đã được hợp nhất trước đó)")+"\n",
			l.File, l.Present, l.Sequence, l.Device)
	default:
		fmt.Fprintf(g.stdout, g.t("%s: added %d, already present %d", "%s: đã thêm %d, đã có %d")+"\n", l.File, l.Added, l.Present)
	}
	if len(l.reusedIDs) > 0 {
		g.warn(fmt.Sprintf(g.t("%s: %d revisions reuse a device counter (kept; a bug on the sending device)",
			"%s: %d thay đổi dùng lại bộ đếm thiết bị (vẫn giữ; lỗi trên thiết bị gửi)"), l.File, len(l.reusedIDs)))
	}
}

// progress draws a bar on a terminal for runs of many files. It draws nothing when w is not
// a terminal, and never queries the terminal (no size or colour probes).
type progress struct {
	w     io.Writer
	total int
	on    bool
}

// progressMin is the number of files from which merge shows a bar.
const progressMin = 20

func newProgress(w io.Writer, total int) *progress {
	f, ok := w.(*os.File)
	on := ok && total >= progressMin && term.IsTerminal(f.Fd()) && os.Getenv("TERM") != "dumb"
	return &progress{w: w, total: total, on: on}
}

func (p *progress) show(done int, name string) {
	if !p.on {
		return
	}
	fmt.Fprint(p.w, "\r"+progressLine(done, p.total, name, 30)+"\x1b[K")
}

func (p *progress) clear() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// progressLine is "[#######.......] 120/2000 name", the bar width cells wide.
func progressLine(done, total int, name string, width int) string {
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	if r := []rune(name); len(r) > 40 {
		name = string(r[:39]) + "…"
	}
	return fmt.Sprintf("[%s%s] %d/%d %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, name)
}
