package survey

import (
	"errors"
	"io/fs"
	"testing"
)

func TestStepErrorText(t *testing.T) {
	inner := StepErr(fs.ErrNotExist, "write %s", "ghi %s", "a.fsbatch")
	err := StepErr(inner, "create batch", "tạo lô dữ liệu")
	if got := err.Error(); got != "create batch: write a.fsbatch: file does not exist" {
		t.Errorf("Error() = %q", got)
	}
	if got := err.Text().Get(LangVI); got != "tạo lô dữ liệu: ghi a.fsbatch: file does not exist" {
		t.Errorf("vi: %q", got)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("the cause is lost")
	}
}

func TestUserErrorText(t *testing.T) {
	e := UserErr("no assessment %q", "không có bản đánh giá %q", "01").WithHint("list them", "liệt kê")
	if got := e.Text().Get(LangVI); got != `không có bản đánh giá "01"` {
		t.Errorf("vi: %q", got)
	}
	if e.Hint.Get(LangEN) != "list them" {
		t.Errorf("hint: %q", e.Hint.Get(LangEN))
	}
	// With a cause, the cause's own text in the language; without a message, the cause alone.
	e.Err = StepErr(fs.ErrNotExist, "read %s", "đọc %s", "a.jsonl")
	if got := e.Text().Get(LangVI); got != `không có bản đánh giá "01": đọc a.jsonl: file does not exist` {
		t.Errorf("vi with cause: %q", got)
	}
	if got := (&UserError{Err: fs.ErrNotExist}).Error(); got != "file does not exist" || !errors.Is(e, fs.ErrNotExist) {
		t.Errorf("cause alone: %q", got)
	}
}
