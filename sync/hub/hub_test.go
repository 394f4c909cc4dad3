package hub

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
)

// TestHostileFixtures merges batch's valid fixture, then every hostile one: each must give
// what its .expect file's "hub:" line says and, unless it adds, leave the hub unchanged.
func TestHostileFixtures(t *testing.T) {
	dir := filepath.Join("..", "batch", "testdata", "hostile")
	h := openTemp(t)
	opts := Options{Signers: allowedFor(t, newDevice("dev-a", 1, "an@example.org")), Known: knownExample}
	valid, err := os.ReadFile(filepath.Join(dir, "valid.fsbatch"))
	if err != nil {
		t.Fatal(err)
	}
	if res := mergeBytes(t, h, valid, opts); res.Rejected != nil || res.Added != 10 {
		t.Fatalf("valid: %+v", res)
	}
	before := snapshot(t, h)
	names, _ := filepath.Glob(filepath.Join(dir, "*.expect"))
	if len(names) < 12 {
		t.Fatalf("only %d fixtures in %s", len(names), dir)
	}
	seen := map[string]string{}
	for _, n := range names {
		name := strings.TrimSuffix(filepath.Base(n), ".expect")
		if name == "valid" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			comment, want := readExpect(t, n)
			data, err := os.ReadFile(filepath.Join(dir, name+batch.Ext))
			if err != nil {
				t.Fatal(err)
			}
			res := mergeBytes(t, h, data, opts)
			var got string
			switch {
			case res.Rejected != nil:
				got = "rejected"
				if Reason(res.Rejected) == nil {
					t.Errorf("rejection names no check: %v", res.Rejected)
				}
				if other, dup := seen[res.Rejected.Error()]; dup {
					t.Errorf("same message as %s: %v", other, res.Rejected)
				}
				seen[res.Rejected.Error()] = name
				t.Logf("%s: rejected: %s: %v", name, Reason(res.Rejected).Get("en"), res.Rejected)
			case res.Replay:
				got = "already present " + itoa(res.Present)
			default:
				got = "added " + itoa(res.Added)
			}
			if got != want {
				t.Fatalf("%s\nhub: want %q, got %q (%v)", comment, want, got, res.Rejected)
			}
			if after := snapshot(t, h); after != before {
				t.Fatalf("%s\nthe hub changed:\n%s\nbecame\n%s", comment, before, after)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func storeListAll() store.ListOptions { return store.ListOptions{} }

func readExpect(t *testing.T, path string) (comment, hub string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if c, ok := strings.CutPrefix(sc.Text(), "# "); ok {
			comment = c
		}
		if h, ok := strings.CutPrefix(sc.Text(), "hub: "); ok {
			hub = h
		}
	}
	if hub == "" {
		t.Fatalf("%s has no hub: line", path)
	}
	return comment, hub
}

// scenario builds batches from three devices, with a conflict (two devices change the same
// answer independently), a settled conflict, a revision carried by two batches, and an
// interview whose later revisions travel before its creation.
func scenario(t testing.TB) ([][]byte, []*device) {
	a := newDevice("dev-a", 1, "an@example.org")
	b := newDevice("dev-b", 2, "binh@example.org")
	c := newDevice("dev-c", 3, "Nguyễn Văn Cường")
	ia := a.interview(t, "0193a5b2-7c1e-7000-8000-0000000000a1", 3, 0)
	ib := b.interview(t, "0193a5b2-7c1e-7000-8000-0000000000b1", 2, 5)
	ia2 := a.interview(t, "0193a5b2-7c1e-7000-8000-0000000000a2", 2, 10)
	answer := survey.Target{Interview: "0193a5b2-7c1e-7000-8000-0000000000a1", Kind: survey.KindAnswer, Key: "1.1"}
	// b and c both revise a's answer 1.1 (both saw a's revision): a conflict.
	fromB := b.rev(t, answer, survey.Answer{Rating: "green", Comment: "B thấy đã đủ"}, 20, ia[2].ID)
	fromC := c.rev(t, answer, survey.Answer{Rating: "red", Comment: "C thấy chưa đủ"}, 21, ia[2].ID)
	// a settles a conflict on its second interview made by b and itself.
	ans2 := survey.Target{Interview: "0193a5b2-7c1e-7000-8000-0000000000a2", Kind: survey.KindAnswer, Key: "2.1"}
	b2 := b.rev(t, ans2, survey.Answer{Rating: "amber"}, 30, ia2[3].ID)
	a2 := a.rev(t, ans2, survey.Answer{Rating: "amber-green"}, 31, ia2[3].ID)
	settle := a.rev(t, ans2, survey.Answer{Rating: "amber-green", Comment: "đã thống nhất"}, 40, a2.ID, b2.ID)
	// c edits the respondent of an interview it creates in its second batch, first.
	ic := c.interview(t, "0193a5b2-7c1e-7000-8000-0000000000c1", 2, 50)
	batches := [][]byte{
		a.pack(t, ia),
		b.pack(t, append(slices.Clone(ib), fromB)),
		c.pack(t, []survey.Revision{fromC}),
		a.pack(t, append(slices.Clone(ia2), a2)),
		b.pack(t, []survey.Revision{b2, fromB}), // fromB travels twice
		c.pack(t, ic[1:]),
		a.pack(t, []survey.Revision{settle}),
		c.pack(t, ic[:1]),
	}
	return batches, []*device{a, b, c}
}

// TestMergeOrderIndependent merges the same batches in many orders: the merged state (every
// interview's record and conflicts) and the sequence-number gaps must be identical.
func TestMergeOrderIndependent(t *testing.T) {
	batches, devs := scenario(t)
	opts := Options{Signers: allowedFor(t, devs...), Known: knownExample}
	rng := rand.New(rand.NewPCG(1, 2))
	var want, wantGaps string
	orders := 8
	if testing.Short() {
		orders = 3
	}
	for i := range orders {
		order := rng.Perm(len(batches))
		if i == 0 {
			order = []int{0, 1, 2, 3, 4, 5, 6, 7}
		}
		h := openTemp(t)
		added := 0
		for _, j := range order {
			res := mergeBytes(t, h, batches[j], opts)
			if res.Rejected != nil {
				t.Fatalf("order %v: batch %d rejected: %v", order, j, res.Rejected)
			}
			added += res.Added
		}
		if added != 26 {
			t.Errorf("order %v: added %d revisions, want 26 (one travelled twice)", order, added)
		}
		got := state(t, h)
		gaps, err := h.Gaps(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		gotGaps := FormatGaps(gaps)
		if i == 0 {
			want, wantGaps = got, gotGaps
			if !strings.Contains(got, "conflict 0193a5b2-7c1e-7000-8000-0000000000a1/answer/1.1:") || !strings.Contains(got, "1 conflicts") {
				t.Fatalf("the scenario has no conflict:\n%s", got)
			}
			if strings.Contains(got, "0193a5b2-7c1e-7000-8000-0000000000a2/answer/2.1") {
				t.Fatalf("the settled conflict is still open:\n%s", got)
			}
			continue
		}
		if got != want {
			t.Fatalf("order %v gives another state:\n%s\nwant\n%s", order, got, want)
		}
		if gotGaps != wantGaps || gotGaps != "" {
			t.Fatalf("order %v: gaps %q, want none", order, gotGaps)
		}
	}
}

func TestGaps(t *testing.T) {
	a := newDevice("dev-a", 1, "an@example.org")
	b := newDevice("dev-b", 2, "binh@example.org")
	h := openTemp(t)
	opts := Options{Signers: allowedFor(t, a, b), Known: knownExample}
	var as [][]byte
	for i := range 6 {
		as = append(as, a.pack(t, a.interview(t, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i), 1, i)))
	}
	bs := [][]byte{b.pack(t, b.interview(t, "0193a5b2-7c1e-7000-8000-0000000000b0", 1, 0)), b.pack(t, b.interview(t, "0193a5b2-7c1e-7000-8000-0000000000b1", 1, 0)), b.pack(t, b.interview(t, "0193a5b2-7c1e-7000-8000-0000000000b2", 1, 0))}
	for _, data := range [][]byte{as[0], as[3], as[4], bs[2]} {
		if res := mergeBytes(t, h, data, opts); res.Rejected != nil {
			t.Fatal(res.Rejected)
		}
	}
	gaps, err := h.Gaps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Gap{{"dev-a", 2, 3}, {"dev-b", 1, 2}}
	if !slices.Equal(gaps, want) {
		t.Fatalf("gaps %v, want %v", gaps, want)
	}
	if s := FormatGaps(gaps[:1]); s != "2–3" {
		t.Errorf("FormatGaps = %q", s)
	}
	mergeBytes(t, h, as[2], opts)
	mergeBytes(t, h, bs[0], opts)
	gaps, _ = h.Gaps(context.Background())
	if s := FormatGaps(gaps); s != "2, 2" || gaps[0].Device != "dev-a" || gaps[1].Device != "dev-b" {
		t.Errorf("gaps after filling %v", gaps)
	}
	devs, _ := h.Devices(context.Background())
	if len(devs) != 2 || devs[0].LastSequence != 5 || devs[0].Batches != 4 || devs[1].LastSequence != 3 || devs[1].Signer != "binh@example.org" {
		t.Errorf("devices %+v", devs)
	}
}

func TestRefusals(t *testing.T) {
	a := newDevice("dev-a", 1, "an@example.org")
	b := newDevice("dev-b", 2, "binh@example.org")
	h := openTemp(t)
	opts := Options{Signers: allowedFor(t, a, b), Known: knownExample}
	first := a.pack(t, a.interview(t, "0193a5b2-7c1e-7000-8000-000000000001", 1, 0))
	if res := mergeBytes(t, h, first, opts); res.Rejected != nil || res.Added != 4 {
		t.Fatalf("first: %+v", res)
	}
	before := snapshot(t, h)
	check := func(name string, data []byte, o Options, want error, msg string, vi ...string) {
		t.Helper()
		res := mergeBytes(t, h, data, o)
		if !errors.Is(res.Rejected, want) || !strings.Contains(res.Rejected.Error(), msg) {
			t.Errorf("%s: rejected %v, want %v containing %q", name, res.Rejected, want, msg)
		}
		// The hub's own refusals say what is wrong in Vietnamese too.
		if _, d := Describe(res.Rejected); len(vi) > 0 && !strings.Contains(d.Get(survey.LangVI), vi[0]) {
			t.Errorf("%s: Vietnamese detail %q, want it containing %q", name, d.Get(survey.LangVI), vi[0])
		}
		if snapshot(t, h) != before {
			t.Errorf("%s: the hub changed", name)
		}
	}
	// Another batch numbered 1 by dev-a.
	check("sequence reused", a.packAs(t, 1, a.interview(t, "0193a5b2-7c1e-7000-8000-000000000002", 1, 5)), opts, ErrSequenceReused, "already sent batch", "thiết bị dev-a đã gửi lô ")
	// dev-b's key signing as device dev-a.
	imp := &device{id: "dev-a", principal: b.principal, key: b.key, counter: 100}
	check("device key", imp.packAs(t, 2, imp.interview(t, "0193a5b2-7c1e-7000-8000-000000000003", 1, 5)), opts, ErrDeviceKey, "signed by key", "thiết bị dev-a đã gửi các lô trước được ký bằng khoá SHA256:")
	// A revision that is well formed but whose value is not an answer: the store refuses it,
	// and nothing of the batch (not even the device record) stays.
	c := newDevice("dev-c", 3, "cuong@example.org")
	bad := c.rev(t, survey.Target{Interview: "0193a5b2-7c1e-7000-8000-000000000001", Kind: survey.KindAnswer, Key: "1.1"}, "not an answer", 9)
	optsC := Options{Signers: allowedFor(t, a, b, c), Known: knownExample}
	check("bad value", c.pack(t, []survey.Revision{bad}), optsC, survey.ErrBadRevision, "does not decode",
		"thay đổi 1/1 ("+bad.ID[:12]+"): thay đổi sai định dạng: giá trị answer không giải mã được: giá trị JSON kiểu string ở sai chỗ")
	// An encrypted batch and no identity, or the wrong one.
	id, _ := age.GenerateX25519Identity()
	other, _ := age.GenerateX25519Identity()
	enc := b.pack(t, b.interview(t, "0193a5b2-7c1e-7000-8000-000000000004", 2, 0), id.Recipient().String())
	check("no identity", enc, opts, batch.ErrNoIdentity, "encrypted")
	check("wrong identity", enc, Options{Signers: opts.Signers, Known: knownExample, Identities: []age.Identity{other}}, batch.ErrNoIdentity, "none of the given identities")
	check("unknown questionnaire", b.pack(t, b.interview(t, "0193a5b2-7c1e-7000-8000-000000000005", 1, 0)), Options{Signers: opts.Signers}, batch.ErrUnknownQuestionnaire, "example version 1")
	// With the identity it merges.
	res := mergeBytes(t, h, enc, Options{Signers: opts.Signers, Known: knownExample, Identities: []age.Identity{id}})
	if res.Rejected != nil || res.Added != 5 {
		t.Fatalf("encrypted with identity: %+v", res)
	}
	recs, _ := h.Batches(context.Background())
	if len(recs) != 2 || !recs[1].Encrypted || recs[1].Device != "dev-b" || recs[1].Sequence != 1 {
		t.Errorf("batch records %+v", recs)
	}
	// Merged revisions are recorded as carried by their batch: none is pending on a hub.
	if p, err := h.Store().Pending(context.Background()); err != nil || len(p) != 0 {
		t.Errorf("pending on the hub: %d %v", len(p), err)
	}
}

// TestReopen checks that the hub's tables survive reopening, and that a plain store (as
// report and interview list open it) reads a hub file.
func TestReopen(t *testing.T) {
	a := newDevice("dev-a", 1, "an@example.org")
	path := filepath.Join(t.TempDir(), "hub.db")
	h, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Signers: allowedFor(t, a), Known: knownExample}
	data := a.pack(t, a.interview(t, "0193a5b2-7c1e-7000-8000-000000000001", 2, 0))
	if res := mergeBytes(t, h, data, opts); res.Rejected != nil {
		t.Fatal(res.Rejected)
	}
	h.Close()
	h, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if res := mergeBytes(t, h, data, opts); !res.Replay || res.Present != 5 {
		t.Errorf("replay after reopen: %+v", res)
	}
	list, err := h.Store().List(context.Background(), storeListAll())
	if err != nil || len(list) != 1 || list[0].Answered != 2 {
		t.Errorf("list %+v %v", list, err)
	}
}

func TestExplain(t *testing.T) {
	for _, c := range []struct {
		err            error
		reason, detail string
	}{
		{&batch.FormatError{Err: batch.ErrTruncated, Entry: "revisions.jsonl.gz", Msg: "the file ends early"}, "truncated file", "revisions.jsonl.gz: the file ends early"},
		{errors.Join(ErrSequenceReused), "sequence number reused", ""},
		{errors.New("disk on fire"), "rejected", "disk on fire"},
	} {
		r, d := Explain(c.err)
		if r.Get("en") != c.reason || d != c.detail || r.Get("vi") == "" {
			t.Errorf("Explain(%v) = %q, %q", c.err, r.Get("en"), d)
		}
	}
}

// TestDescribe: the detail of a batch's refusal in Vietnamese too; an error that only
// wraps a class, and any other, in English in both (the hub's own refusals: TestRefusals,
// TestDecisionAuthority).
func TestDescribe(t *testing.T) {
	truncated := &batch.FormatError{Err: batch.ErrTruncated, Entry: "revisions.jsonl.gz", Msg: "the file ends early", MsgVI: "tệp kết thúc sớm"}
	_, notBatch := batch.Read(strings.NewReader("hello"), batch.Limits{})
	for _, c := range []struct {
		err                          error
		reasonVI, detailEN, detailVI string
	}{
		{truncated, "tệp bị cắt cụt", "revisions.jsonl.gz: the file ends early", "revisions.jsonl.gz: tệp kết thúc sớm"},
		{notBatch, "không phải tệp lô dữ liệu", "not a tar archive", "không phải tệp tar"},
		{fmt.Errorf("%w: device d already sent batch b as number 2", ErrSequenceReused), "số thứ tự lô bị dùng lại",
			"device d already sent batch b as number 2", "device d already sent batch b as number 2"},
		{errors.New("disk on fire"), "bị từ chối", "disk on fire", "disk on fire"},
	} {
		r, d := Describe(c.err)
		if r.Get("vi") != c.reasonVI || d.Get("en") != c.detailEN || d.Get("vi") != c.detailVI {
			t.Errorf("Describe(%v) = %q, %q / %q", c.err, r.Get("vi"), d.Get("en"), d.Get("vi"))
		}
		if _, en := Explain(c.err); en != d.Get("en") {
			t.Errorf("Describe(%v) English detail %q, Explain's %q", c.err, d.Get("en"), en)
		}
	}
}

// TestAddTxGroups stores the scenario's batches several to a transaction (AddTx, as the
// server's group commit does), in shuffled orders, with a rejected batch and a replay in
// the same transactions as good batches: the hub must hold exactly what merging the
// batches one by one gives, and the rejected batch nothing.
func TestAddTxGroups(t *testing.T) {
	ctx := context.Background()
	batches, devs := scenario(t)
	opts := Options{Signers: allowedFor(t, devs...), Known: knownExample}
	ref := openTemp(t)
	for _, data := range batches {
		if res := mergeBytes(t, ref, data, opts); res.Rejected != nil {
			t.Fatal(res.Rejected)
		}
	}
	// Which batch first brought a revision that travelled twice depends on the order.
	noAdded := regexp.MustCompile(` Added:\d+`)
	want, wantSnap := state(t, ref), noAdded.ReplaceAllString(snapshot(t, ref), "")
	// dev-a numbers another batch 1: refused whatever group it is in.
	a := devs[0]
	reused := a.packAs(t, 1, a.interview(t, "0193a5b2-7c1e-7000-8000-0000000000e1", 2, 60))
	type checked struct {
		b    *batch.Batch
		revs store.Verified
	}
	check := func(data []byte) checked {
		b, err := batch.Read(bytes.NewReader(data), batch.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		revs, err := Check(b, opts)
		if err != nil {
			t.Fatal(err)
		}
		v, err := store.Verify(revs...)
		if err != nil {
			t.Fatal(err)
		}
		return checked{b, v}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 4 {
		h := openTemp(t)
		var queue []checked
		for _, j := range rng.Perm(len(batches)) {
			queue = append(queue, check(batches[j]))
		}
		// The first batch again (a device retrying while its upload is stored), and after
		// dev-a's batch 1 the other batch numbered 1, somewhere among the others.
		queue = slices.Insert(queue, rng.IntN(len(queue)+1), queue[0])
		first := slices.IndexFunc(queue, func(c checked) bool { return c.b.Manifest.Device == "dev-a" && c.b.Manifest.Sequence == 1 })
		queue = slices.Insert(queue, first+1+rng.IntN(len(queue)-first), check(reused))
		replays, rejected := 0, 0
		for len(queue) > 0 {
			group := queue[:min(len(queue), 1+rng.IntN(4))]
			queue = queue[len(group):]
			err := h.Store().Update(ctx, func(tx *store.Tx) error {
				for _, c := range group {
					res, err := h.AddTx(ctx, tx, c.b, c.revs)
					if err != nil {
						return err
					}
					switch {
					case res.Rejected != nil:
						if !errors.Is(res.Rejected, ErrSequenceReused) {
							t.Errorf("round %d: batch %s rejected: %v", round, c.b.Manifest.ID, res.Rejected)
						}
						rejected++
					case res.Replay:
						replays++
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if replays != 1 || rejected != 1 {
			t.Errorf("round %d: %d replays and %d rejections, want 1 and 1", round, replays, rejected)
		}
		if got := state(t, h); got != want {
			t.Fatalf("round %d: grouped state\n%s\nwant\n%s", round, got, want)
		}
		if got := noAdded.ReplaceAllString(snapshot(t, h), ""); got != wantSnap {
			t.Fatalf("round %d: grouped hub\n%s\nwant\n%s", round, got, wantSnap)
		}
		if err := h.Store().Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDecisionAuthority: a batch carries approve, return or reopen only when its signer is a
// supervisor (Options.Role), and with OwnRevisionsOnly only its signer's revisions; a
// refused batch adds nothing.
func TestDecisionAuthority(t *testing.T) {
	const iv = "0193a5b2-7c1e-7000-8000-0000000000a1"
	a := newDevice("dev-a", 1, "an@example.org")
	sup := newDevice("sup-1", 4, "lan@supervisors")
	h := openTemp(t)
	supervisors := func(principal string, key ssh.PublicKey) survey.Role {
		if principal == sup.principal && bytes.Equal(key.Marshal(), sup.key.PublicKey().Marshal()) {
			return survey.RoleSupervisor
		}
		return survey.RoleAssessor
	}
	opts := Options{Signers: allowedFor(t, a, sup), Known: knownExample, Role: supervisors}
	ivRevs := a.interview(t, iv, 1, 0)
	if res := mergeBytes(t, h, a.pack(t, ivRevs), opts); res.Rejected != nil {
		t.Fatalf("interview: %+v", res)
	}
	status := survey.Target{Interview: iv, Kind: survey.KindStatus}
	completed := ivRevs[len(ivRevs)-1].ID
	before := snapshot(t, h)
	// The assessor approving its own interview: refused whole.
	selfApproved := a.pack(t, []survey.Revision{a.rev(t, status, survey.StatusChange{Status: survey.StatusApproved}, 9, completed)})
	res := mergeBytes(t, h, selfApproved, opts)
	if !errors.Is(res.Rejected, ErrDecisionNotAllowed) || !strings.Contains(res.Rejected.Error(), "only a supervisor") {
		t.Fatalf("assessor's approval: %+v", res.Rejected)
	}
	if _, d := Describe(res.Rejected); !strings.Contains(d.Get(survey.LangVI), "được đặt là đã duyệt bởi an@example.org, người có khoá của người đánh giá; chỉ người giám sát mới duyệt") {
		t.Errorf("assessor's approval in Vietnamese: %s", d.Get(survey.LangVI))
	}
	if snapshot(t, h) != before {
		t.Fatal("a refused decision changed the hub")
	}
	// Without a Role function every signer is an assessor: the supervisor's return is refused.
	ret := sup.pack(t, []survey.Revision{sup.rev(t, status, survey.StatusChange{Status: survey.StatusReturned, Reason: "7.1 thiếu bằng chứng"}, 10, completed)})
	if res := mergeBytes(t, h, ret, Options{Signers: opts.Signers, Known: knownExample}); !errors.Is(res.Rejected, ErrDecisionNotAllowed) {
		t.Fatalf("supervisor without Role: %+v", res.Rejected)
	}
	// With it, the supervisor's return merges.
	if res := mergeBytes(t, h, ret, opts); res.Rejected != nil || res.Added != 1 {
		t.Fatalf("supervisor's return: %+v", res)
	}
	// A supervisor's batch relaying an assessor's revision, where only its own are taken.
	relay := sup.pack(t, []survey.Revision{a.rev(t, survey.Target{Interview: iv, Kind: survey.KindAnswer, Key: "1.1"}, survey.Answer{Rating: "red"}, 11)})
	own := opts
	own.OwnRevisionsOnly = true
	res = mergeBytes(t, h, relay, own)
	if !errors.Is(res.Rejected, ErrForeignRevision) {
		t.Fatalf("relayed revision: %+v", res.Rejected)
	}
	if _, d := Describe(res.Rejected); !strings.Contains(d.Get(survey.LangVI), "; chỉ nhận các thay đổi của chính thiết bị đó") {
		t.Errorf("relayed revision in Vietnamese: %s", d.Get(survey.LangVI))
	}
	if r, _ := Explain(ErrDecisionNotAllowed); r.Get(survey.LangVI) == "" {
		t.Error("no reason for ErrDecisionNotAllowed")
	}
}

// TestGapsOf: the numbers missing below each device's highest, from batch records as a
// store lists them (by device, then sequence), devices in byte order.
func TestGapsOf(t *testing.T) {
	recs := []BatchRecord{
		{Device: "laptop-b", Sequence: 2}, {Device: "laptop-b", Sequence: 3},
		{Device: "Laptop-A", Sequence: 1}, {Device: "Laptop-A", Sequence: 4}, {Device: "Laptop-A", Sequence: 6},
		{Device: "laptop-c", Sequence: 1}, {Device: "laptop-c", Sequence: 2},
	}
	got := GapsOf(recs)
	want := []Gap{{Device: "Laptop-A", From: 2, To: 3}, {Device: "Laptop-A", From: 5, To: 5}, {Device: "laptop-b", From: 1, To: 1}}
	if !slices.Equal(got, want) {
		t.Fatalf("GapsOf = %+v, want %+v", got, want)
	}
}
