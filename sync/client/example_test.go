package client_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
)

// A device enrols with a server using a one-time token, puts a batch in its outbox and
// syncs: the batch goes up, its signed receipt comes back, and the batch moves to sent/.
func ExampleSync() {
	ctx := context.Background()
	tmp, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(tmp)

	// The server: its key, its store, its HTTP handler.
	srvDir := filepath.Join(tmp, "server")
	key, _, _ := server.LoadOrCreateKey(srvDir)
	hubStore, _ := server.OpenSQLite(srvDir)
	defer hubStore.Close()
	srv, _ := server.New(server.Config{Store: hubStore, Key: key, Known: func(batch.QuestionnaireRef) bool { return true }})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	token, _, _ := server.IssueToken(ctx, hubStore, key, "Nguyễn Văn An", time.Hour)

	// The device: a home folder with a key and a store; it enrols with the token.
	home := filepath.Join(tmp, "home")
	keyPath, _, _ := keys.CreateDeviceKey(home, "an@example.org")
	signer, _ := keys.LoadSigner(keyPath)
	st, _ := store.Open(filepath.Join(home, "fieldsurvey.db"))
	defer st.Close()
	if _, err := client.Enroll(ctx, client.EnrollOptions{Home: home, URL: ts.URL, Token: token.String(),
		Device: "laptop-an", Principal: "an@example.org", Signer: signer}); err != nil {
		fmt.Println(err)
		return
	}

	// An interview, packed into a batch in the outbox (what `fieldsurvey batch create` does).
	revs, _ := st.Put(ctx, store.Author{Device: "laptop-an", Principal: "an@example.org"},
		survey.Change{Target: survey.Target{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Kind: survey.KindInterview},
			Value: survey.InterviewMeta{Questionnaire: "dgra-2018", QuestionnaireVersion: "2018.1"}},
		survey.Change{Target: survey.Target{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Kind: survey.KindStatus},
			Value: survey.StatusChange{Status: survey.StatusCompleted}})
	data, m, _ := batch.Create(revs, batch.Options{Device: "laptop-an", Signer: signer, Principal: "an@example.org", Sequence: 1})
	os.MkdirAll(filepath.Join(home, client.OutboxDir), 0o700)
	os.WriteFile(filepath.Join(home, client.OutboxDir, fmt.Sprintf("%06d-%s%s", m.Sequence, m.ID, batch.Ext)), data, 0o644)

	res, err := client.Sync(ctx, client.Options{Home: home, Store: st, Signer: signer})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("sent %d batch, %d revisions, %d new to the server; %d waiting\n",
		len(res.Sent), res.Sent[0].Revisions, res.Sent[0].Added, res.Waiting)
	// Output: sent 1 batch, 2 revisions, 2 new to the server; 0 waiting
}
