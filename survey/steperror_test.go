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
