package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/sync/server"
)

// server migrate and server backup: moving a SQLite server to PostgreSQL, and consistent
// copies of a SQLite server while it runs.

type serverMigrateOptions struct {
	to   string
	json bool
}

func newServerMigrateCommand(g *globals, so *serverOptions) *cobra.Command {
	var opts serverMigrateOptions
	cmd := &cobra.Command{
		Use:   "migrate --data DIR --to postgres://…",
		Short: "Copy a SQLite server to PostgreSQL, and verify the copy · Chép máy chủ SQLite sang PostgreSQL và kiểm tra",
		Long: `migrate copies everything the server in --data holds (hub.db: revisions, batch records,
devices, tokens, refusals, published questionnaires, the feed and every device's place in
it) into an empty PostgreSQL database, in one transaction, then verifies the copy: the rows
of every table, every interview's revisions and state, the batch records (receipts are made
from them), the device reports and the questionnaires. It exits 1 if anything differs.
Stop serve first; afterwards start every node with --database and a copy of
server_ed25519 in its --data folder. A database that is not empty is refused.

migrate chép toàn bộ dữ liệu của máy chủ trong --data sang một cơ sở dữ liệu PostgreSQL
trống, trong một giao dịch, rồi kiểm tra bản sao (số dòng mỗi bảng, từng cuộc phỏng vấn, hồ
sơ lô, thiết bị, bảng hỏi). Hãy dừng serve trước. Cơ sở dữ liệu không trống bị từ chối.`,
		Example: `  fieldsurvey server migrate --data /srv/fieldsurvey --to postgres://fieldsurvey@db.example.org/fieldsurvey`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServerMigrate(cmd.Context(), g, so, opts)
		},
	}
	cmd.Flags().StringVar(&opts.to, "to", "", "the PostgreSQL database to copy into (postgres://…), empty · cơ sở dữ liệu PostgreSQL đích (trống)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the verification as JSON · in kết quả kiểm tra dạng JSON")
	return cmd
}

func runServerMigrate(ctx context.Context, g *globals, so *serverOptions, opts serverMigrateOptions) error {
	if !server.IsPostgresURL(opts.to) {
		return withHint(fail("--to must be a postgres:// URL, not %q", "--to phải là URL postgres://, không phải %q", opts.to),
			"give the empty database to copy into, such as --to postgres://fieldsurvey@db.example.org/fieldsurvey",
			"chỉ định cơ sở dữ liệu trống để chép vào, ví dụ --to postgres://fieldsurvey@db.example.org/fieldsurvey")
	}
	st, key, err := openServerData(ctx, g, so.data, "", false)
	if err != nil {
		return err
	}
	defer st.Close()
	src := st.(*server.SQLite)
	dst, err := server.OpenPostgres(ctx, opts.to)
	if err != nil {
		return withHint(failWrap(err, "open the target database", "mở cơ sở dữ liệu đích"),
			"check --to and that PostgreSQL is running and reachable from here",
			"kiểm tra --to và PostgreSQL đang chạy, kết nối được từ máy này")
	}
	defer dst.Close()
	rep, err := server.MigrateServer(ctx, src, dst, key.signer.PublicKey(), func(s string) { g.infof("%s", "%s", s) })
	if errors.Is(err, server.ErrOtherKey) {
		return withHint(failWrap(err, "migrate: nothing was copied", "chuyển dữ liệu: không có gì được chép"),
			"copy into a new, empty database", "chép vào một cơ sở dữ liệu mới, trống")
	}
	if errors.Is(err, server.ErrTargetNotEmpty) {
		return withHint(fail("the target database is not empty: nothing was copied", "cơ sở dữ liệu đích không trống: không có gì được chép"),
			"copy into a new, empty database (createdb), or drop what it holds if it is a failed earlier copy",
			"chép vào một cơ sở dữ liệu mới, trống (createdb), hoặc xoá dữ liệu của lần chép lỗi trước")
	}
	if err != nil {
		return failWrap(err, "migrate", "chuyển dữ liệu")
	}
	if opts.json {
		if err := writeJSON(g.stdout, rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(g.stdout, "%-22s %12s %12s\n", g.t("TABLE", "BẢNG"), "SQLITE", "POSTGRESQL")
		for _, t := range rep.Tables {
			mark := ""
			if t.Source != t.Target {
				mark = "  " + g.t("DIFFERS", "KHÁC")
			}
			fmt.Fprintf(g.stdout, "%-22s %12d %12d%s\n", t.Table, t.Source, t.Target, mark)
		}
		fmt.Fprintf(g.stdout, g.t("interviews identical: %d of %d\n", "cuộc phỏng vấn giống hệt: %d trên %d\n"), rep.Identical, rep.Interviews)
		fmt.Fprintf(g.stdout, g.t("batch records equal: %v; devices equal: %v; questionnaires equal: %v\n",
			"hồ sơ lô giống: %v; thiết bị giống: %v; bảng hỏi giống: %v\n"), rep.Batches, rep.Devices, rep.Questionnaires)
		fmt.Fprintf(g.stdout, g.t("copied in %s, verified in %s\n", "chép trong %s, kiểm tra trong %s\n"),
			rep.Copy.Round(time.Millisecond), rep.Verify.Round(time.Millisecond))
	}
	if !rep.OK() {
		return withHint(fail("the copy differs from the SQLite server (see above)", "bản sao khác máy chủ SQLite (xem ở trên)"),
			"keep serving from SQLite; drop the target database and report the difference",
			"tiếp tục chạy bằng SQLite; xoá cơ sở dữ liệu đích và báo cáo sự khác biệt")
	}
	g.infof("the copy is verified; start every node with --database and a copy of %s in its --data folder",
		"bản sao đã được kiểm tra; khởi động mọi nút với --database và một bản sao của %s trong thư mục --data", filepath.Join(so.data, server.KeyFile))
	return nil
}

type serverBackupOptions struct {
	out  string
	json bool
}

func newServerBackupCommand(g *globals, so *serverOptions) *cobra.Command {
	var opts serverBackupOptions
	cmd := &cobra.Command{
		Use:   "backup --data DIR --out FILE",
		Short: "Write a consistent copy of a SQLite server's store, while it runs · Sao lưu kho của máy chủ SQLite khi đang chạy",
		Long: `backup writes a consistent copy of the server's store (hub.db) to FILE while serve goes on:
one snapshot (SQLite's VACUUM INTO), then checks the copy's integrity and counts what it
holds. To restore: stop serve, put the copy in a data folder as hub.db beside the same
server_ed25519, start serve. A PostgreSQL server is backed up with pg_dump instead.

backup ghi một bản sao nhất quán của kho máy chủ (hub.db) vào FILE khi serve vẫn chạy, rồi
kiểm tra bản sao. Khôi phục: dừng serve, đặt bản sao thành hub.db cạnh cùng tệp
server_ed25519, khởi động serve. Máy chủ PostgreSQL được sao lưu bằng pg_dump.`,
		Example: `  fieldsurvey server backup --data /srv/fieldsurvey --out /backup/hub-2026-12-04.db`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServerBackup(cmd.Context(), g, so, opts)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "the file to write (must not exist) · tệp sao lưu (chưa tồn tại)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print what the copy holds as JSON · in nội dung bản sao dạng JSON")
	return cmd
}

func runServerBackup(ctx context.Context, g *globals, so *serverOptions, opts serverBackupOptions) error {
	if err := needData(so.data); err != nil {
		return err
	}
	if opts.out == "" {
		return withHint(fail("no backup file named", "chưa chỉ định tệp sao lưu"),
			"name it with --out FILE", "chỉ định bằng --out FILE")
	}
	if _, err := os.Stat(filepath.Join(so.data, server.DBFile)); err != nil {
		return withHint(fail("%s holds no SQLite server store (%s)", "%s không chứa kho máy chủ SQLite (%s)", so.data, server.DBFile),
			"check --data; a server on PostgreSQL is backed up with pg_dump",
			"kiểm tra --data; máy chủ dùng PostgreSQL được sao lưu bằng pg_dump")
	}
	rep, err := server.Backup(ctx, so.data, opts.out)
	if errors.Is(err, os.ErrExist) {
		return withHint(fail("%s already exists; nothing was written", "%s đã tồn tại; không ghi gì", opts.out),
			"give a new file name (a date in it helps)", "đặt tên tệp mới (nên có ngày tháng)")
	}
	if err != nil {
		return failWrap(err, "back up", "sao lưu")
	}
	if opts.json {
		return writeJSON(g.stdout, rep)
	}
	fmt.Fprintf(g.stdout, g.t("backed up to %s: %d bytes, %d revisions, %d batches, %d devices; integrity %s\n",
		"đã sao lưu vào %s: %d byte, %d bản ghi thay đổi, %d lô, %d thiết bị; toàn vẹn %s\n"),
		rep.File, rep.Bytes, rep.Revisions, rep.Batches, rep.Devices, rep.Integrity)
	return nil
}
