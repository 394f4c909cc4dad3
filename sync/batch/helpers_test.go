package batch

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/pem"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// testNow is the creation time of every test batch, so that fixtures are reproducible.
var testNow = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

const testPrincipal = "an@example.org"

// seedSigner returns a reproducible Ed25519 signer: seed 1 is the trusted test device,
// seed 2 a stranger.
func seedSigner(seed byte) ssh.Signer {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		panic(err)
	}
	return s
}

func testAllowed(t testing.TB) *keys.AllowedSigners {
	t.Helper()
	line := keys.SignerLine(testPrincipal, seedSigner(1).PublicKey(), Namespace)
	as, err := keys.ParseAllowedSigners(strings.NewReader(line + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func testOptions(seq uint64) Options {
	return Options{Device: "dev-a", Signer: seedSigner(1), Principal: testPrincipal, Sequence: seq}
}

// v1Options are testOptions for a version 1 (tar) batch.
func v1Options(seq uint64) Options {
	o := testOptions(seq)
	o.FormatVersion = FormatVersion1
	return o
}

var exampleQ = QuestionnaireRef{ID: "example", Version: "1"}

// testRevs makes n interviews of questionnaire q on device, each created, with a respondent,
// answers rated answers, and a completed status: 3+answers revisions an interview.
func testRevs(t testing.TB, device string, first, n, answers int, q QuestionnaireRef) []survey.Revision {
	t.Helper()
	var out []survey.Revision
	counter := uint64(first * (answers + 3))
	add := func(tg survey.Target, v any, at time.Time) {
		counter++
		r, err := survey.NewRevision(tg, v, device, counter, at, testPrincipal, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	codes := []survey.Code{"red", "amber-red", "amber", "amber-green", "green"}
	for i := first; i < first+n; i++ {
		id := fmt.Sprintf("01936a00-0000-7000-8000-%02x%010d", device[len(device)-1], i)
		at := testNow.Add(-time.Duration(n-i) * time.Hour)
		add(survey.Target{Interview: id, Kind: survey.KindInterview},
			survey.InterviewMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version, Assessor: testPrincipal, Device: device}, at)
		add(survey.Target{Interview: id, Kind: survey.KindRespondent},
			survey.Respondent{Agency: "Sở Thông tin và Truyền thông", Province: "Đà Nẵng", Role: "Giám đốc", Category: "government", Date: "2026-11-19", Consent: true}, at)
		for a := range answers {
			add(survey.Target{Interview: id, Kind: survey.KindAnswer, Key: fmt.Sprintf("%d.1", a+1)},
				survey.Answer{Rating: codes[(i+a)%len(codes)], Comment: "Có kế hoạch nhưng chưa có ngân sách",
					Evidence: []survey.Evidence{{Polarity: survey.Plus, Text: "Quyết định 749/QĐ-TTg", InScope: true}}}, at.Add(time.Minute))
		}
		add(survey.Target{Interview: id, Kind: survey.KindStatus}, survey.StatusChange{Status: survey.StatusCompleted}, at.Add(time.Hour))
	}
	return out
}

// sshPrivatePEM returns seedSigner(seed)'s private key as an OpenSSH PEM file.
func sshPrivatePEM(seed byte) ([]byte, error) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(block), nil
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func mustCreate(t testing.TB, revs []survey.Revision, opts Options) []byte {
	t.Helper()
	data, _, err := createWithNow(revs, opts, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustRead(t testing.TB, data []byte) *Batch {
	t.Helper()
	b, err := Read(bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
