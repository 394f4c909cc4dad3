package batch

import (
	"encoding/json"
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// contentBudget is how many bytes of revisions (JSON Lines, uncompressed) one batch within l
// carries: MaxSize less room for the manifest, the signature, the tar framing and what gzip
// and age add to incompressible data (a few hundredths of a percent), and at most
// MaxContent. Counting the revisions uncompressed, a batch fits whatever they compress to.
func contentBudget(l Limits) int64 {
	room := min(1<<20, l.MaxSize/8)
	return min(l.MaxSize-room, l.MaxContent)
}

// CheckRevision reports whether r can travel in a batch that receivers with limits l (zero
// fields: the defaults) accept: well formed, its id the hash of its content, its interview
// id a UUID, and its line no longer than l.MaxRevision. A revision that fails stays on the
// device: no batch can carry it.
func CheckRevision(r survey.Revision, l Limits) error {
	l = l.withDefaults()
	if err := r.Verify(); err != nil {
		return fmt.Errorf("revision %.12s of interview %s: %w", r.ID, r.Interview, err)
	}
	if err := survey.CheckInterviewID(r.Interview); err != nil {
		return fmt.Errorf("revision %.12s: %w", r.ID, err)
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("revision %.12s: %w", r.ID, err)
	}
	if n := int64(len(line)); n > int64(l.MaxRevision) || n+1 > contentBudget(l) {
		return fmt.Errorf("%w: revision %.12s of interview %s is %d bytes as a batch line, over the limit of %d",
			ErrTooLarge, r.ID, r.Interview, n, min(int64(l.MaxRevision), contentBudget(l)-1))
	}
	return nil
}

// Split cuts revs into consecutive runs, in the order batches hold them (device, counter,
// id; duplicates once), each of which Create packs into a batch that receivers with limits l
// (zero fields: the defaults) accept, compressed or not, encrypted or not. An interview's
// revisions may span runs. A revision that fails CheckRevision is an error: leave such
// revisions out first.
func Split(revs []survey.Revision, l Limits) ([][]survey.Revision, error) {
	l = l.withDefaults()
	sorted, err := sortRevisions(revs)
	if err != nil {
		return nil, err
	}
	budget := contentBudget(l)
	var runs [][]survey.Revision
	var run []survey.Revision
	var size int64
	for _, r := range sorted {
		if err := CheckRevision(r, l); err != nil {
			return nil, err
		}
		line, _ := json.Marshal(r) // checked above
		n := int64(len(line)) + 1
		if len(run) > 0 && size+n > budget {
			runs = append(runs, run)
			run, size = nil, 0
		}
		run = append(run, r)
		size += n
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}
	return runs, nil
}

// ContentHash returns the SHA-256 (hex) of the revisions' content as a batch of format
// version v holds it (sorted by device, counter and id, duplicates once): the manifest's
// content.sha256 of a batch of exactly revs.
func ContentHash(revs []survey.Revision, v int) (string, error) {
	sorted, err := sortRevisions(revs)
	if err != nil {
		return "", err
	}
	content, err := encodeRevisions(sorted, v)
	if err != nil {
		return "", err
	}
	return sha256Hex(content), nil
}
