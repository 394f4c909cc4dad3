package server_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
)

// A refusal the server sends a device names what is wrong in both languages: the device
// prints message_vi to a Vietnamese user, so the detail in it is Vietnamese too.
func TestErrorOfDetailInBothLanguages(t *testing.T) {
	_, err := batch.Read(bytes.NewReader([]byte("not a batch, just text\n")), batch.Limits{})
	if err == nil {
		t.Fatal("text read as a batch")
	}
	we := server.ErrorOf(err)
	t.Logf("en: %s\nvi: %s", we.Message, we.MessageVI)
	if !strings.Contains(we.Message, err.(*batch.FormatError).Msg) {
		t.Errorf("English message %q lacks the detail %q", we.Message, err.(*batch.FormatError).Msg)
	}
	vi := batch.Detail(err)
	if vi == nil || !strings.Contains(we.MessageVI, vi.Get(survey.LangVI)) || vi.Get(survey.LangVI) == vi.Get(survey.LangEN) {
		t.Errorf("Vietnamese message %q lacks the Vietnamese detail %v", we.MessageVI, vi)
	}
	if strings.Contains(we.MessageVI, "not a tar archive") {
		t.Errorf("English detail in the Vietnamese message: %q", we.MessageVI)
	}
}
