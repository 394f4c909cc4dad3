package client

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// TestBatchDescribe: what 'batch list' shows of each state, in both languages.
func TestBatchDescribe(t *testing.T) {
	received := time.Date(2026, 12, 4, 9, 30, 0, 0, time.Local)
	refusal := &RefusedBatch{Reason: survey.T("decision outside the supervisor's provinces", "quyết định ngoài các tỉnh của người giám sát"),
		Message: survey.T("interview X is in \"Huế\"", "cuộc phỏng vấn X ở \"Huế\"")}
	for _, c := range []struct {
		b                    BatchInfo
		lang, state, details string
	}{
		{BatchInfo{Batch: "b1", State: BatchWaiting}, survey.LangEN, "waiting", "in the outbox"},
		{BatchInfo{Batch: "b1", State: BatchWaiting}, survey.LangVI, "đang chờ", "trong outbox"},
		{BatchInfo{Batch: "b2", State: BatchSent, Received: received}, survey.LangEN, "sent", "received by the server 2026-12-04 09:30"},
		{BatchInfo{Batch: "b2", State: BatchSent}, survey.LangVI, "đã gửi", ""},
		{BatchInfo{Batch: "b3", State: BatchRefused, Refusal: refusal}, survey.LangVI, "BỊ TỪ CHỐI", "quyết định ngoài các tỉnh của người giám sát: cuộc phỏng vấn X ở \"Huế\""},
		{BatchInfo{Batch: "b3", State: BatchRefused, Refusal: refusal, Problem: "bad receipt"}, survey.LangEN, "REFUSED", "cannot be read: bad receipt"},
		{BatchInfo{State: BatchWaiting, File: "/home/an/outbox/000004-x.fsbatch", Problem: "truncated"}, survey.LangEN, "waiting", "000004-x.fsbatch: cannot be read: truncated"},
	} {
		state, details := c.b.Describe(c.lang)
		if state != c.state || details != c.details {
			t.Errorf("%+v in %s: %q, %q; want %q, %q", c.b, c.lang, state, details, c.state, c.details)
		}
	}
}

// TestBatchDescribeUnreadable: a batch file cut short in the outbox is described in the
// user's language, the reader's detail included.
func TestBatchDescribeUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "000001-x.fsbatch")
	if err := os.WriteFile(path, []byte("PK\x03\x04 cut short"), 0o600); err != nil {
		t.Fatal(err)
	}
	b := readBatchInfo(path, BatchWaiting)
	for lang, want := range map[string]string{
		survey.LangEN: "000001-x.fsbatch: cannot be read: not a readable batch: truncated batch: the zip archive does not end with its directory (the file was cut short, or something was added after it)",
		survey.LangVI: "000001-x.fsbatch: không đọc được: không phải lô dữ liệu đọc được: tệp bị cắt cụt: tệp zip không kết thúc bằng thư mục của nó (tệp bị cắt cụt, hoặc bị thêm dữ liệu vào sau)",
	} {
		if _, details := b.Describe(lang); details != want {
			t.Errorf("in %s: %q\nwant %q", lang, details, want)
		}
	}
}
