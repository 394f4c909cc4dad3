package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/usb"
)

func newBatchCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "batch",
		Short: "Pack, check and look into signed batch files · Đóng gói, kiểm tra và xem các lô dữ liệu có chữ ký",
		Long: `A batch (*.fsbatch) carries revisions from this device to a supervisor or a server: a tar
file with manifest.json, its OpenSSH signature (manifest.json.sig, namespace
fieldsurvey-batch) and the revisions (revisions.jsonl.gz, or .age when encrypted).

Một lô dữ liệu (*.fsbatch) chuyển các thay đổi từ thiết bị này đến người giám sát hoặc máy
chủ: tệp tar gồm manifest.json, chữ ký OpenSSH của nó và các bản ghi thay đổi.`,
		Example: `  fieldsurvey batch create --out /media/usb
  fieldsurvey batch inspect /media/usb/000003-*.fsbatch
  fieldsurvey batch verify --allowed-signers allowed_signers /media/usb/*.fsbatch`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newBatchCreateCommand(g), newBatchVerifyCommand(g), newBatchInspectCommand(g), newBatchListCommand(g))
	return cmd
}

type batchCreateOptions struct {
	out string
}

func newBatchCreateCommand(g *globals) *cobra.Command {
	var opts batchCreateOptions
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Pack every revision not yet in a batch into a signed batch · Đóng gói các thay đổi chưa gửi thành một lô có chữ ký",
		Long: `create packs every revision of this device's database that is not yet in a batch into a
batch file, signed with the device key as assessor.principal, numbered with the next
sequence number of this device, and encrypted to the configured recipients (if any). When
the changes are more than one batch may hold (64 MB), they go into several, numbered in
order. The files are written to the outbox in the home folder. With --out, they are copied
to that folder (a USB stick) too, with every batch of the outbox that no earlier --out
copied, also when nothing new was packed: after a failed copy, run it again. With nothing
new to send it writes nothing.

create đóng gói mọi thay đổi chưa nằm trong lô nào thành một tệp lô, ký bằng khoá thiết
bị, đánh số thứ tự tiếp theo của thiết bị và mã hoá cho những người nhận đã cấu hình. Khi
các thay đổi vượt quá sức chứa của một lô (64 MB), chúng được chia thành nhiều lô đánh số
theo thứ tự. Tệp được ghi vào thư mục outbox. Với --out, chúng được chép sang thư mục đó
(ví dụ USB) cùng mọi lô trong outbox chưa từng được chép bằng --out, kể cả khi không có gì
mới: nếu lần chép trước bị lỗi, hãy chạy lại lệnh.`,
		Example: `  fieldsurvey batch create
  fieldsurvey batch create --out /media/usb`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBatchCreate(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "also copy the new batches, and any not copied before, into this folder · chép thêm các lô mới và các lô chưa được chép vào thư mục này")
	return cmd
}

func runBatchCreate(ctx context.Context, g *globals, opts batchCreateOptions) error {
	if err := g.ownStoreOnly(); err != nil {
		return err
	}
	if opts.out != "" {
		if fi, err := os.Stat(opts.out); err != nil || !fi.IsDir() {
			return withHint(fail("--out %s is not a folder", "--out %s không phải là thư mục", opts.out),
				"give an existing folder, such as the USB stick", "chỉ định một thư mục có sẵn, ví dụ ổ USB")
		}
	}
	co, err := g.createOptions()
	if err != nil {
		return err
	}
	st, err := g.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := createBatches(ctx, g, st, co)
	if err != nil {
		return err
	}
	for _, b := range res.Made {
		fmt.Fprintln(g.stdout, b.Path)
	}
	if opts.out != "" {
		copies, err := client.CopyOutbox(ctx, st, g.home, opts.out)
		for _, p := range copies {
			fmt.Fprintln(g.stdout, p)
		}
		var ce *client.CopyError
		if errors.As(err, &ce) {
			return withHint(failWrap(ce.Err, "copy the batch to %s", "chép lô dữ liệu vào %s", ce.Dir),
				"the batch is safe in %s; run this command again to copy it (after moving the other file away), or copy it by hand",
				"lô dữ liệu vẫn an toàn trong %s; hãy chạy lại lệnh này để chép (sau khi chuyển tệp kia đi), hoặc tự chép tệp", ce.From)
		}
		if err != nil {
			return err
		}
	}
	printMade(g, res, co)
	return nil
}

// ownStoreOnly refuses --db: batches carry this device's own revisions.
func (g *globals) ownStoreOnly() error {
	if g.flags.db != "" {
		return fail("batch create packs this device's own revisions: --db cannot be used with it",
			"batch create đóng gói thay đổi của chính thiết bị này: không dùng --db với lệnh này")
	}
	return nil
}

// createOptions are who this device's batches are from and for: its id, its key and
// principal, and the configured recipients.
func (g *globals) createOptions() (client.CreateOptions, error) {
	signer, principal, err := g.deviceSigner()
	if err != nil {
		return client.CreateOptions{}, err
	}
	recipients, err := keys.ParseRecipients(g.cfg.Recipients)
	if err != nil {
		return client.CreateOptions{}, withHint(failWrap(err, "recipients", "người nhận"),
			"fix 'recipients' in config.yaml: age1… keys or ssh-ed25519 public keys",
			"sửa 'recipients' trong config.yaml: khoá age1… hoặc khoá công khai ssh-ed25519")
	}
	if g.cfg.Device == "" {
		return client.CreateOptions{}, withHint(fail("this device has no id", "thiết bị chưa có mã"), "run 'fieldsurvey init'", "chạy 'fieldsurvey init'")
	}
	return client.CreateOptions{Home: g.home, Device: g.cfg.Device, Signer: signer, Principal: principal,
		Recipients: recipients}, nil
}

// createBatches packs the pending revisions of st into batches (client.CreateBatch) and
// writes its warnings to stderr: leftovers moved aside, revisions that stay, nothing to send.
func createBatches(ctx context.Context, g *globals, st *store.Store, co client.CreateOptions) (client.CreateResult, error) {
	res, err := client.CreateBatch(ctx, st, co)
	for _, name := range res.Quarantined {
		g.warn(fmt.Sprintf(g.t("%s was written but never recorded (fieldsurvey stopped in between) and is not the batch made now; moved to %s; its revisions go into the new batch",
			"%s đã được ghi nhưng chưa được ghi nhận (fieldsurvey dừng giữa chừng) và không phải lô đang tạo; đã chuyển vào %s; các thay đổi của nó nằm trong lô mới"),
			name, filepath.FromSlash(client.UncommittedDir)))
	}
	warnStaying(g, res.Staying)
	if err != nil {
		return res, contextErr(ctx, err)
	}
	if len(res.Made) == 0 {
		g.infof("nothing to send: every revision is already in a batch", "không có gì để gửi: mọi thay đổi đã nằm trong một lô")
	}
	return res, nil
}

// printMade writes a line for each batch made to stderr.
func printMade(g *globals, res client.CreateResult, co client.CreateOptions) {
	for _, b := range res.Made {
		m := b.Manifest
		enc := g.t("not encrypted", "không mã hoá")
		if m.Payload.Encrypted {
			enc = fmt.Sprintf(g.t("encrypted to %d recipient(s)", "mã hoá cho %d người nhận"), len(co.Recipients))
		}
		g.infof("batch %d: %d revisions of %d interviews, signed as %s, %s",
			"lô %d: %d thay đổi của %d cuộc phỏng vấn, ký với danh tính %s, %s",
			m.Sequence, m.Revisions, m.Interviews, m.Signer, enc)
	}
}

// warnStaying warns, once per interview, about revisions that stay on the device because no
// receiver would take them.
func warnStaying(g *globals, stay []client.Staying) {
	for _, s := range stay {
		n := s.Revisions
		q := strconv.QuoteToASCII(s.Interview)
		g.warn(survey.T(
			fmt.Sprintf("interview %s: %d %s cannot be sent and %s on this device: %v", q, n, plural(n, "change", "changes"), plural(n, "stays", "stay"), s.Err),
			fmt.Sprintf("phỏng vấn %s: %d thay đổi không thể gửi đi và được giữ lại trên máy này: %v", q, n, s.Err)).Get(g.lang()))
	}
}

// trustOptions are what verify and merge are told to trust.
type trustOptions struct {
	allowedSigners []string
	identities     []string
}

func (o *trustOptions) flags(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&o.allowedSigners, "allowed-signers", nil, "OpenSSH allowed_signers file of the trusted device keys (required; repeatable) · tệp allowed_signers của các khoá tin cậy")
	cmd.Flags().StringArrayVar(&o.identities, "identity", nil, "age identity file (or OpenSSH private key) that decrypts encrypted batches; repeatable · tệp khoá giải mã")
}

func (o *trustOptions) load() (*keys.AllowedSigners, []age.Identity, error) {
	if len(o.allowedSigners) == 0 {
		return nil, nil, withHint(fail("--allowed-signers is required", "cần --allowed-signers"),
			"give the allowed_signers file that lists the devices you trust ('fieldsurvey identity' on each device prints its line)",
			"chỉ định tệp allowed_signers liệt kê các thiết bị bạn tin cậy ('fieldsurvey identity' trên mỗi thiết bị in ra dòng của nó)")
	}
	signers := &keys.AllowedSigners{}
	for _, path := range o.allowedSigners {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, failWrap(err, "read allowed signers", "đọc allowed signers")
		}
		one, err := keys.ParseAllowedSigners(bytes.NewReader(data))
		if err != nil {
			return nil, nil, withHint(failWrap(err, "%s", "%s", path),
				"each line: principal [namespaces=\"fieldsurvey-batch\"] ssh-ed25519 AAAA…",
				"mỗi dòng: danh-tính [namespaces=\"fieldsurvey-batch\"] ssh-ed25519 AAAA…")
		}
		signers.Signers = append(signers.Signers, one.Signers...)
	}
	ids, err := loadIdentities(o.identities)
	if err != nil {
		return nil, nil, err
	}
	return signers, ids, nil
}

// loadIdentities reads the --identity files: age identities or OpenSSH private keys.
func loadIdentities(paths []string) ([]age.Identity, error) {
	var ids []age.Identity
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, failWrap(err, "read --identity", "đọc --identity")
		}
		id, err := keys.ParseIdentities(data)
		if err != nil {
			return nil, failWrap(err, "--identity %s", "--identity %s", path)
		}
		ids = append(ids, id...)
	}
	return ids, nil
}

// knownQuestionnaires reports the questionnaire versions of the catalog (bundled and added).
func knownQuestionnaires(c *questionnaires.Catalog) func(batch.QuestionnaireRef) bool {
	return func(q batch.QuestionnaireRef) bool {
		_, err := c.Get(q.ID, q.Version)
		return err == nil
	}
}

type batchVerifyOptions struct {
	trust trustOptions
	json  bool
}

func newBatchVerifyCommand(g *globals) *cobra.Command {
	var opts batchVerifyOptions
	cmd := &cobra.Command{
		Use:   "verify --allowed-signers FILE BATCH...",
		Short: "Check batches: signature, signer, payload, revisions, questionnaires · Kiểm tra lô dữ liệu",
		Long: `verify checks each batch as a merge would, and changes nothing: the archive's structure and
size, the format version, the signature of manifest.json by a key that the allowed_signers
file trusts for the signer principal, the payload hash, every revision (decrypting with
--identity when the payload is encrypted) and the questionnaire versions. Each failure
names the check that failed. It exits non-zero when any batch fails.

verify kiểm tra từng lô như khi hợp nhất, không thay đổi gì: cấu trúc, kích thước, phiên
bản định dạng, chữ ký, người ký, mã băm dữ liệu, từng thay đổi và phiên bản bảng hỏi.`,
		Example: `  fieldsurvey batch verify --allowed-signers allowed_signers /media/usb/*.fsbatch
  fieldsurvey batch verify --allowed-signers allowed_signers --identity supervisor.key inbox/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBatchVerify(cmd.Context(), g, args, opts)
		},
	}
	opts.trust.flags(cmd)
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the results as JSON · in kết quả dạng JSON")
	return cmd
}

type verifyResult struct {
	File      string          `json:"file"`
	OK        bool            `json:"ok"`
	Check     string          `json:"check,omitempty"`
	Error     string          `json:"error,omitempty"`
	Manifest  *batch.Manifest `json:"manifest,omitempty"`
	Key       string          `json:"key,omitempty"`
	Unchecked bool            `json:"content_unchecked,omitempty"`
	reason    survey.Text
	detail    survey.Text
}

// checkInputs is what verify and merge both start from: the checks a batch must pass
// (trusted signers, age identities, known questionnaires) and the batch files named.
func (o trustOptions) checkInputs(g *globals, args []string) (hub.Options, []string, error) {
	signers, ids, err := o.load()
	if err != nil {
		return hub.Options{}, nil, err
	}
	files, err := usb.BatchFiles(args)
	if err != nil {
		return hub.Options{}, nil, err
	}
	c, err := g.catalog()
	if err != nil {
		return hub.Options{}, nil, err
	}
	return hub.Options{Signers: signers, Identities: ids, Known: knownQuestionnaires(c)}, files, nil
}

func runBatchVerify(ctx context.Context, g *globals, args []string, opts batchVerifyOptions) error {
	hopts, files, err := opts.trust.checkInputs(g, args)
	if err != nil {
		return err
	}
	var results []verifyResult
	failed := 0
	err = usb.Verify(ctx, files, hopts, func(v usb.Verified) {
		r := verifyResult{File: v.File, OK: v.Err == nil, Manifest: v.Manifest, Key: v.Key, Unchecked: v.Unchecked}
		if v.Err != nil {
			failed++
			reason, detail := hub.Describe(v.Err)
			r.reason, r.detail, r.Check, r.Error = reason, detail, reason.Get(survey.LangEN), detail.Get(survey.LangEN)
		}
		results = append(results, r)
		if !opts.json {
			printVerify(g, r)
		}
	})
	if err != nil {
		return contextErr(ctx, err)
	}
	if opts.json {
		if err := writeJSON(g.stdout, results); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fail("%d of %d batches failed verification", "%d trên %d lô dữ liệu không qua kiểm tra", failed, len(files))
	}
	return nil
}

func printVerify(g *globals, r verifyResult) {
	if !r.OK {
		fmt.Fprintf(g.stdout, "%s: %s: %s: %s\n", r.File, g.t("FAILED", "KHÔNG ĐẠT"), r.reason.Get(g.lang()), r.detail.Get(g.lang()))
		return
	}
	m := r.Manifest
	fmt.Fprintf(g.stdout, g.t("%s: OK: batch %d of device %s, signed by %s (%s), %d revisions of %d interviews",
		"%s: ĐẠT: lô %d của thiết bị %s, ký bởi %s (%s), %d thay đổi của %d cuộc phỏng vấn")+"\n",
		r.File, m.Sequence, m.Device, m.Signer, r.Key, m.Revisions, m.Interviews)
	if r.Unchecked {
		g.notef("%s: the payload is encrypted; give --identity to check the revisions too",
			"%s: dữ liệu đã mã hoá; dùng --identity để kiểm tra cả các thay đổi", r.File)
	}
}

type batchInspectOptions struct {
	json bool
}

func newBatchInspectCommand(g *globals) *cobra.Command {
	var opts batchInspectOptions
	cmd := &cobra.Command{
		Use:   "inspect BATCH|FOLDER...",
		Short: "Show what a batch says it holds (without trusting it) · Xem thông tin của lô dữ liệu",
		Long: `inspect reads a batch's manifest and shows the signer, the device, the sequence number, the
counts, the questionnaires and whether the payload is encrypted. It checks the file's
structure but not the signature: use 'batch verify' before trusting what it shows.

inspect đọc manifest của lô và cho biết người ký, thiết bị, số thứ tự, số lượng, bảng hỏi
và dữ liệu có được mã hoá không. Lệnh không kiểm tra chữ ký: hãy dùng 'batch verify'.`,
		Example: `  fieldsurvey batch inspect ~/.config/fieldsurvey/outbox/000001-*.fsbatch
  fieldsurvey batch inspect --json batch.fsbatch`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBatchInspect(cmd.Context(), g, args, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the manifest and file facts as JSON · in dạng JSON")
	return cmd
}

func runBatchInspect(ctx context.Context, g *globals, args []string, opts batchInspectOptions) error {
	files, err := usb.BatchFiles(args)
	if err != nil {
		return err
	}
	var results []usb.Inspected
	err = usb.Inspect(ctx, files, func(r usb.Inspected) error {
		results = append(results, r)
		if opts.json {
			return nil
		}
		if len(results) > 1 {
			fmt.Fprintln(g.stdout)
		}
		return printInspected(g, r)
	})
	var ie *usb.InspectError
	if errors.As(err, &ie) {
		return withHint(err, "this file cannot be merged; ask the assessor for it again", "không thể hợp nhất tệp này; hãy đề nghị người đánh giá gửi lại")
	}
	if err != nil {
		return contextErr(ctx, err)
	}
	if opts.json {
		return writeJSON(g.stdout, results)
	}
	return nil
}

// printInspected writes what a batch file says it holds as a table of facts.
func printInspected(g *globals, r usb.Inspected) error {
	m := r.Manifest
	qs := make([]string, len(m.Questionnaires))
	for j, q := range m.Questionnaires {
		qs[j] = q.ID + " " + q.Version
	}
	enc := g.t("not encrypted", "không mã hoá")
	if m.Payload.Encrypted {
		enc = g.t("encrypted with age", "mã hoá bằng age")
	}
	t := newTable(g.stdout)
	t.row(g.t("file", "tệp")+":", fmt.Sprintf("%s (%d bytes)", r.File, r.Size))
	t.row(g.t("format", "định dạng")+":", fmt.Sprintf("%s %d", m.Format, m.FormatVersion))
	t.row(g.t("batch id", "mã lô")+":", m.ID)
	t.row(g.t("device", "thiết bị")+":", m.Device)
	t.row(g.t("sequence", "số thứ tự")+":", strconv.FormatUint(m.Sequence, 10))
	t.row(g.t("signer", "người ký")+":", fmt.Sprintf("%s (%s %s)", m.Signer, g.t("key", "khoá"), r.Key))
	t.row(g.t("created", "tạo lúc")+":", m.CreatedTime().Format("2006-01-02 15:04:05 UTC"))
	t.row(g.t("questionnaires", "bảng hỏi")+":", strings.Join(qs, ", "))
	t.row(g.t("interviews", "phỏng vấn")+":", strconv.Itoa(m.Interviews))
	t.row(g.t("revisions", "thay đổi")+":", strconv.Itoa(m.Revisions))
	t.row(g.t("payload", "dữ liệu")+":", fmt.Sprintf("%s, %d bytes, %s", m.Payload.Name, m.Payload.Size, enc))
	t.row(g.t("signature", "chữ ký")+":", g.t("not checked: use 'fieldsurvey batch verify'", "chưa kiểm tra: dùng 'fieldsurvey batch verify'"))
	return t.flush()
}
