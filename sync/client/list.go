package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// BatchState is where a batch of the device stands.
type BatchState string

// The states of a batch.
const (
	BatchWaiting BatchState = "waiting" // in the outbox, not yet acknowledged by the server
	BatchSent    BatchState = "sent"    // the server's signed receipt is in sent/
	BatchRefused BatchState = "refused" // the server's signed refusal is in outbox/refused/
)

// BatchInfo is one batch file of the device: what its manifest says and where it stands.
type BatchInfo struct {
	Seq        uint64     `json:"seq"`
	Batch      string     `json:"batch"`
	State      BatchState `json:"state"`
	File       string     `json:"file"`
	Created    time.Time  `json:"created"`
	Interviews int        `json:"interviews"`
	Revisions  int        `json:"revisions"`
	Bytes      int64      `json:"bytes"`
	// Received is when the server first stored a sent batch (from its receipt).
	Received time.Time `json:"received,omitzero"`
	// Refusal is why the server refused a refused batch.
	Refusal *RefusedBatch `json:"refusal,omitempty"`
	// Problem says why the file (or the receipt or refusal beside it) could not be read.
	Problem string `json:"problem,omitempty"`
	// problem is Problem in every language, when it has more than English.
	problem survey.Text
}

// RefusedBatch is a refused batch as the device keeps it (NAME.refusal.json, the server's
// signed refusal, verified when it came).
type RefusedBatch struct {
	Seq     uint64      `json:"seq"`
	Batch   string      `json:"batch"`
	Code    string      `json:"code"`
	Reason  survey.Text `json:"reason"`  // the check that failed, short
	Message survey.Text `json:"message"` // the server's whole sentence
	Time    time.Time   `json:"time"`    // when the server first refused it
	File    string      `json:"file"`
}

// Batches lists the device's batches in home, by sequence number: waiting in the outbox,
// sent (with the time on their receipt) and refused (with the reason). It reads files only:
// no store, no network.
func Batches(home string) ([]BatchInfo, error) {
	var out []BatchInfo
	for _, d := range []struct {
		dir   string
		state BatchState
	}{{OutboxDir, BatchWaiting}, {SentDir, BatchSent}, {RefusedDir, BatchRefused}} {
		names, err := batchFileNames(filepath.Join(home, d.dir))
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			out = append(out, readBatchInfo(filepath.Join(home, d.dir, name), d.state))
		}
	}
	slices.SortStableFunc(out, func(a, b BatchInfo) int {
		switch {
		case a.Seq < b.Seq:
			return -1
		case a.Seq > b.Seq:
			return 1
		}
		return strings.Compare(a.File, b.File)
	})
	return out, nil
}

// batchFileNames lists the batch files of dir (none when it does not exist).
func batchFileNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), batch.Ext) && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

func readBatchInfo(path string, state BatchState) BatchInfo {
	bi := BatchInfo{State: state, File: path}
	data, err := os.ReadFile(path)
	if err != nil {
		bi.Problem = err.Error()
		return bi
	}
	bi.Bytes = int64(len(data))
	b, err := batch.Read(bytes.NewReader(data), batch.Limits{})
	if err != nil {
		bi.Problem = fmt.Sprintf("not a readable batch: %v", err)
		bi.problem = survey.T(bi.Problem, "không phải lô dữ liệu đọc được: "+survey.ErrorText(err).Get(survey.LangVI))
		return bi
	}
	m := &b.Manifest
	bi.Seq, bi.Batch, bi.Created, bi.Interviews, bi.Revisions = m.Sequence, m.ID, m.CreatedTime(), m.Interviews, m.Revisions
	switch state {
	case BatchSent:
		rc, err := readReceipt(path + ReceiptSuffix)
		if err != nil {
			bi.Problem = err.Error()
			break
		}
		bi.Received, _ = time.Parse(wire.TimeFormat, rc.Received)
	case BatchRefused:
		rf, err := readRefusal(path + RefusalSuffix)
		if err != nil {
			bi.Problem = err.Error()
			break
		}
		bi.Refusal = &rf
	}
	return bi
}

func readReceipt(path string) (wire.Receipt, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return wire.Receipt{}, fmt.Errorf("receipt: %w", err)
	}
	var sr wire.SignedReceipt
	if err := json.Unmarshal(b, &sr); err != nil {
		return wire.Receipt{}, fmt.Errorf("receipt %s: %w", filepath.Base(path), err)
	}
	rc, err := wire.ParseReceipt(sr.Receipt)
	if err != nil {
		return wire.Receipt{}, fmt.Errorf("receipt %s: %w", filepath.Base(path), err)
	}
	return rc, nil
}

func readRefusal(path string) (RefusedBatch, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return RefusedBatch{}, fmt.Errorf("refusal: %w", err)
	}
	var sr wire.SignedRefusal
	if err := json.Unmarshal(b, &sr); err != nil {
		return RefusedBatch{}, fmt.Errorf("refusal %s: %w", filepath.Base(path), err)
	}
	rf, err := wire.ParseRefusal(sr.Refusal)
	if err != nil {
		return RefusedBatch{}, fmt.Errorf("refusal %s: %w", filepath.Base(path), err)
	}
	t, _ := time.Parse(wire.TimeFormat, rf.Refused)
	return RefusedBatch{Seq: rf.Seq, Batch: rf.Batch, Code: string(rf.Code), Reason: survey.T(rf.Reason, rf.ReasonVI),
		Message: survey.T(rf.Message, rf.MessageVI), Time: t, File: strings.TrimSuffix(path, RefusalSuffix)}, nil
}

// refusedBatches reads the refusals kept in home's outbox/refused (skipping unreadable ones).
func refusedBatches(home string) ([]RefusedBatch, error) {
	dir := filepath.Join(home, RefusedDir)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var out []RefusedBatch
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), RefusalSuffix) {
			continue
		}
		if rf, err := readRefusal(filepath.Join(dir, e.Name())); err == nil {
			out = append(out, rf)
		}
	}
	return out, nil
}
