package usb

import (
	"context"
	"errors"

	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
)

// Files merges batch files into a hub in groups: up to hub.MergeGroup files and
// MaxContent bytes of revisions a group, each group checked while the group before it is
// stored, and stored in one transaction.
type Files struct {
	Hub     *hub.Hub
	Options hub.Options
	// Policy, merging into a home: the batches it refuses before any check (the home's
	// own) and those refused for their signer go through Policy.Merge, which explains them
	// as it does one by one and stores nothing of them. Nil for a separate hub.
	Policy *Policy
	// MaxContent bounds a group's decompressed revisions; 0 is hub.MergeGroupContent.
	MaxContent int64
	// Storing, if set, is told when a group starts to be stored: the index of its first
	// file and its name (for a progress line).
	Storing func(from int, file string)
}

// Group is what merging one group of files did, once its transaction committed.
type Group struct {
	From    int          // the index of its first file
	Files   []string     // its files, in order
	Results []hub.Result // one per file: a file that cannot be read is Rejected
}

// GroupError says storing a group failed: none of its files is merged (the groups before
// it are), and merging the same files again is safe.
type GroupError struct {
	Files []string
	Err   error
}

func (e *GroupError) Error() string { return e.Err.Error() }
func (e *GroupError) Unwrap() error { return e.Err }

// group is a group read and checked, waiting to be stored.
type group struct {
	Group
	checked *hub.Checked // the batches of files at
	at      []int
	own     []*batch.Batch // the home's own batches, of files ownAt
	ownAt   []int
}

// Merge merges files in order, calling done after each group commits.
func (m Files) Merge(ctx context.Context, files []string, done func(Group)) error {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for gr := range m.groups(rctx, files) {
		if m.Storing != nil {
			m.Storing(gr.From, gr.Files[0])
		}
		if err := m.store(ctx, gr); err != nil {
			return &GroupError{Files: gr.Files, Err: err}
		}
		done(gr.Group)
	}
	return ctx.Err()
}

// groups reads and checks the files in groups in the background, and sends each group
// when checked: the next group is checked while the one before is stored.
func (m Files) groups(ctx context.Context, files []string) <-chan *group {
	limit := m.MaxContent
	if limit == 0 {
		limit = hub.MergeGroupContent
	}
	out := make(chan *group, 1)
	go func() {
		defer close(out)
		var next *batch.Batch // read, and the first of the next group
		for from := 0; from < len(files); {
			gr := &group{Group: Group{From: from}}
			var bs []*batch.Batch
			var content int64
			for k := 0; from+k < len(files) && k < hub.MergeGroup; k++ {
				file := files[from+k]
				b, err := next, error(nil)
				if b == nil {
					b, err = batch.ReadFile(file)
				}
				next = nil
				if err == nil && k > 0 && content+b.Manifest.Content.Size > limit {
					next = b // it starts the next group
					break
				}
				gr.Files = append(gr.Files, file)
				gr.Results = append(gr.Results, hub.Result{})
				switch {
				case err != nil:
					gr.Results[k] = hub.Result{Rejected: err}
				case m.Policy != nil && m.Policy.Device != "" && b.Manifest.Device == m.Policy.Device:
					gr.own, gr.ownAt = append(gr.own, b), append(gr.ownAt, k)
				default:
					bs, gr.at = append(bs, b), append(gr.at, k)
					content += b.Manifest.Content.Size
				}
			}
			from += len(gr.Files)
			gr.checked = hub.CheckGroup(bs, m.Options)
			select {
			case out <- gr:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// store merges a checked group, one transaction, and fills its results.
func (m Files) store(ctx context.Context, gr *group) error {
	for j, b := range gr.own {
		res, err := m.Policy.Merge(ctx, m.Hub, b)
		if err != nil {
			return err
		}
		gr.Results[gr.ownAt[j]] = res
	}
	results, err := m.Hub.StoreGroup(ctx, gr.checked)
	if err != nil {
		return err
	}
	for j, res := range results {
		if m.Policy != nil && res.Rejected != nil && errors.Is(res.Rejected, batch.ErrUnknownSigner) {
			// The policy says whether it is a signer this home stopped trusting.
			if res, err = m.Policy.Merge(ctx, m.Hub, gr.checked.Batch(j)); err != nil {
				return err
			}
		}
		gr.Results[gr.at[j]] = res
	}
	return nil
}
