package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/sync/client"
)

type batchListOptions struct {
	json bool
}

func newBatchListCommand(g *globals) *cobra.Command {
	var opts batchListOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List this device's batches: waiting, sent, refused · Liệt kê các lô của thiết bị: đang chờ, đã gửi, bị từ chối",
		Long: `list shows this device's batches by sequence number: those waiting in the outbox, those the
server acknowledged (sent/, with the time on the server's receipt), and those it refused
for what they hold (outbox/refused/, with the reason). A refused batch is not sent again:
its changes stay on this device, in the interview's history; tell your supervisor the
reason.

list liệt kê các lô của thiết bị theo số thứ tự: đang chờ trong outbox, đã được máy chủ xác
nhận (kèm thời điểm trên biên nhận) và bị máy chủ từ chối (kèm lý do). Lô bị từ chối không
được gửi lại: các thay đổi vẫn nằm trên thiết bị; hãy báo lý do cho giám sát viên.`,
		Example: `  fieldsurvey batch list
  fieldsurvey batch list --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBatchList(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the batches as JSON · in dạng JSON")
	return cmd
}

func runBatchList(_ context.Context, g *globals, opts batchListOptions) error {
	if g.flags.db != "" {
		return fail("batch list shows this device's own batches: --db cannot be used with it",
			"batch list hiển thị các lô của chính thiết bị này: không dùng --db với lệnh này")
	}
	list, err := client.Batches(g.home)
	if err != nil {
		return failWrap(err, "list batches", "liệt kê các lô")
	}
	if opts.json {
		if list == nil {
			list = []client.BatchInfo{}
		}
		return writeJSON(g.stdout, list)
	}
	if len(list) == 0 {
		g.infof("no batch yet: 'fieldsurvey sync' (or 'batch create') makes one of the changes not yet sent",
			"chưa có lô nào: 'fieldsurvey sync' (hoặc 'batch create') tạo lô từ các thay đổi chưa gửi")
		return nil
	}
	t := newTable(g.stdout, g.t("SEQ", "SỐ"), g.t("STATE", "TRẠNG THÁI"), g.t("CREATED", "TẠO LÚC"), g.t("INTERVIEWS", "PHỎNG VẤN"),
		g.t("REVISIONS", "THAY ĐỔI"), g.t("DETAILS", "CHI TIẾT"))
	for _, b := range list {
		state, details := b.Describe(g.lang())
		created, seq := "-", "-"
		if b.Batch != "" {
			created, seq = b.Created.Local().Format("2006-01-02 15:04"), strconv.FormatUint(b.Seq, 10)
		}
		t.row(seq, state, created, fmt.Sprint(b.Interviews), fmt.Sprint(b.Revisions), details)
	}
	return t.flush()
}
