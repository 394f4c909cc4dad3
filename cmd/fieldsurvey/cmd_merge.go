package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
)

type mergeOptions struct {
	into  string
	trust trustOptions
	json  bool
}

func newMergeCommand(g *globals) *cobra.Command {
	var opts mergeOptions
	cmd := &cobra.Command{
		Use:   "merge --into HUB.db --allowed-signers FILE [--identity KEY] BATCH...",
		Short: "Supervisor: merge batch files into a hub store · Người giám sát: hợp nhất các lô dữ liệu",
		Long: `merge verifies each batch (a file, or every *.fsbatch in a folder) and adds its revisions to
the hub store HUB.db, which it creates if missing. Each batch is checked whole before
anything of it is stored: signature by a key the allowed_signers file trusts, payload hash,
every revision, questionnaire versions known here, and the hub's own record (a batch merged
before is "already present" and changes nothing; the same batch id with other content, or
a sequence number reused, is refused). A rejected batch adds nothing. Afterwards merge says
which sequence numbers of each device are missing. It exits non-zero if any batch was
rejected. Then: 'fieldsurvey report --db HUB.db', 'interview list --db HUB.db',
'conflicts --db HUB.db'.

merge kiểm tra từng lô (một tệp, hoặc mọi *.fsbatch trong thư mục) rồi thêm các thay đổi
vào kho tổng hợp HUB.db (tạo mới nếu chưa có). Lô bị từ chối không thêm gì. Sau đó merge
cho biết thiết bị nào còn thiếu số thứ tự lô nào.`,
		Example: `  fieldsurvey merge --into hub.db --allowed-signers allowed_signers /media/usb/*.fsbatch
  fieldsurvey merge --into hub.db --allowed-signers allowed_signers --identity supervisor.key inbox/
  fieldsurvey report --db hub.db`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd.Context(), g, args, opts)
		},
	}
	cmd.Flags().StringVar(&opts.into, "into", "", "the hub store to merge into (created if missing) · kho tổng hợp")
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
}

func runMerge(ctx context.Context, g *globals, args []string, opts mergeOptions) error {
	if opts.into == "" {
		return withHint(fail("--into is required", "cần --into"),
			"name the hub store, for example --into hub.db (it is created if missing)",
			"chỉ định kho tổng hợp, ví dụ --into hub.db (tạo mới nếu chưa có)")
	}
	hopts, files, err := opts.trust.checkInputs(g, args)
	if err != nil {
		return err
	}
	h, err := hub.Open(opts.into)
	if err != nil {
		return err
	}
	defer h.Close()

	bar := newProgress(g.stderr, len(files))
	var rep mergeReport
	added, present, rejected := 0, 0, 0
	for i, file := range files {
		bar.show(i, filepath.Base(file))
		line := mergeLine{File: file}
		var res hub.Result
		b, err := readBatchFile(file)
		if err != nil {
			res.Rejected = err
		} else if res, err = h.MergeOne(ctx, b, hopts); err != nil {
			bar.clear()
			return contextErr(ctx, failWrap(err, "merge %s (the batches before it are merged)", "hợp nhất %s (các lô trước đó đã được hợp nhất)", file))
		}
		line.ID, line.Device, line.Sequence, line.Signer = res.ID, res.Device, res.Sequence, res.Signer
		line.Added, line.Present, line.Replay, line.reusedIDs = res.Added, res.Present, res.Replay, res.Reused
		if res.Rejected != nil {
			reason, detail := hub.Explain(res.Rejected)
			line.reason = reason
			line.Rejected = &mergeRejection{Check: reason.Get(survey.LangEN), Detail: detail}
			rejected++
		}
		added += line.Added
		present += line.Present
		rep.Batches = append(rep.Batches, line)
		if !opts.json {
			bar.clear()
			printMergeLine(g, line)
		}
	}
	bar.clear()
	gaps, err := h.Gaps(ctx)
	if err != nil {
		return err
	}
	rep.Gaps = []mergeGap{}
	for _, gp := range gaps {
		rep.Gaps = append(rep.Gaps, mergeGap{gp.Device, gp.From, gp.To})
	}
	conflicts, err := h.Store().Conflicts(ctx)
	if err != nil {
		return err
	}
	rep.Conflicts = len(conflicts)
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
		"%[1]d lô: đã thêm %[3]d thay đổi, %[4]d đã có, %[5]d lô bị từ chối", len(files), plural(len(files), "batch", "batches"), added, present, rejected)
	if len(conflicts) > 0 {
		g.notef("%d answers or fields have two versions: 'fieldsurvey conflicts --db %s' shows both sides",
			"%d câu trả lời hoặc mục có hai phiên bản: 'fieldsurvey conflicts --db %s' hiển thị cả hai", len(conflicts), opts.into)
	}
	if rejected > 0 {
		return withHint(fail("%d of %d batches rejected; nothing of them was stored", "%d trên %d lô bị từ chối; không lưu gì từ các lô đó", rejected, len(files)),
			"the line of each rejected batch says which check failed", "dòng của mỗi lô bị từ chối cho biết bước kiểm tra nào không đạt")
	}
	return nil
}

func printMergeLine(g *globals, l mergeLine) {
	switch {
	case l.Rejected != nil:
		fmt.Fprintf(g.stdout, "%s: %s: %s: %s\n", l.File, g.t("rejected", "bị từ chối"), l.reason.Get(g.lang()), l.Rejected.Detail)
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
