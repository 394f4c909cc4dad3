package server

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/wire"
)

// The group commit on PostgreSQL (issue 14) in a handful of round trips, whatever the
// number of batches: the database shares the machine's cores, and storing a group one
// statement at a time (about 25 round trips a batch, each interview's revisions read back
// and folded twice) kept the writer waiting on the database most of the time.
//
//  1. One pipeline takes the group's locks (lockDevices shared, then every batch, device
//     and interview in one order) and, under them, reads everything the group's checks
//     need: the batch records with these ids or these (device, sequence) pairs, the keys
//     the devices are bound to, the active supervisors, every revision of the interviews
//     the group touches, and which of the devices that will follow them already do.
//  2. Each batch is then decided and stored in Go (pgGroup.ingest), in order, on that
//     picture kept up to date: the hub's checks (replay, other content under the same id,
//     reused sequence, another key), which revisions are new, the feed rows, who follows,
//     the province and status of each interview from the heads of those targets, and the
//     interviews marked submitted; each interview is folded (survey.Fold) once, for its
//     row, when the group is written. A refusal is decided before anything of the batch
//     is added and leaves the others alone.
//  3. The new revisions go in with COPY (no ON CONFLICT: the interviews' locks guarantee
//     nobody else adds revisions of them meanwhile; if anything did, COPY fails on the
//     primary key, the transaction with it, and the grouper stores each batch alone on a
//     fresh picture), and one pipeline writes the batch records, the devices' last batch,
//     the interviews' rows and the feed (pgTx.flush).

// pgGroup is one group's picture of the rows its batches touch (see above).
type pgGroup struct {
	t *pgTx
	// batches holds the receipts of the batches with the group's ids, stored before or in
	// this group; seqs the batch id of each (device, sequence) of the group's batches.
	batches map[string]groupBatch
	seqs    map[devSeq]string
	// keys is the key each device of the group is bound to (hub_devices).
	keys map[string]string
	// ivs are the interviews of the group's batches.
	ivs  map[string]*memInterview
	sups []Device
	// counters are numbers of server_counter_seq taken in advance for the revisions the
	// server makes (interviews marked submitted); later the ivs of the batches not yet
	// stored, so that one round trip takes what the rest of the group may need.
	counters []int64
	later    []int

	// What write stores.
	revs     []memRevision
	devices  map[string]*hubDevice
	devOrder []string
	records  []hubBatch
	touched  map[string]bool
}

type devSeq struct {
	device string
	seq    uint64
}

type groupBatch struct {
	hash    string
	receipt wire.Receipt
}

type hubDevice struct {
	key, signer string
	first, last int64
}

type hubBatch struct {
	id, hash, device, signer, key string
	seq                           uint64
	created, merged               int64
	revisions, added, encrypted   int
	manifest, signature           []byte
}

// memRevision is a revision with the batch that first carried it ("" for none).
type memRevision struct {
	survey.Revision
	batch string
}

// memInterview is an interview's revisions as the group knows them, and its fold.
type memInterview struct {
	id    string
	revs  []memRevision
	ids   map[string]bool
	state *survey.InterviewState
	stale bool
}

func (m *memInterview) add(r survey.Revision, batch string) {
	m.revs = append(m.revs, memRevision{r, batch})
	m.ids[r.ID] = true
	m.stale = true
}

// fold returns the interview's state folded from its revisions (nil with none).
func (m *memInterview) fold() (*survey.InterviewState, error) {
	if !m.stale {
		return m.state, nil
	}
	revs := make([]survey.Revision, len(m.revs))
	for i, r := range m.revs {
		revs[i] = r.Revision
	}
	states, err := survey.Fold(revs)
	if err != nil {
		return nil, err
	}
	m.state, m.stale = states[m.id], false
	return m.state, nil
}

// statusHeads returns the heads of the interview's status.
func (m *memInterview) statusHeads() []survey.Revision {
	var revs []survey.Revision
	for _, r := range m.revs {
		if r.Kind == survey.KindStatus {
			revs = append(revs, r.Revision)
		}
	}
	return survey.Heads(revs)
}

// province returns the interview's province as its fold would (the newest head of its
// respondent), without folding the rest: each batch needs it to tell which supervisors
// follow, while the whole fold is needed once, for the interview's row (write).
func (m *memInterview) province() (string, error) {
	byKey := map[string][]survey.Revision{}
	for _, r := range m.revs {
		if r.Kind == survey.KindRespondent {
			byKey[r.Key] = append(byKey[r.Key], r.Revision)
		}
	}
	ks := make([]string, 0, len(byKey))
	for k := range byKey {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	var resp survey.Respondent
	for _, k := range ks {
		h := survey.Heads(byKey[k])[0]
		if err := json.Unmarshal(h.Value, &resp); err != nil {
			return "", fmt.Errorf("decode respondent revision %.12s of interview %s: %w", h.ID, m.id, err)
		}
	}
	return resp.Province, nil
}

// otherThan reports whether the interview has a revision not made by device that batch
// did not bring (followTx's backfill test, see pgTx.follow).
func (m *memInterview) otherThan(device, batch string) bool {
	for _, r := range m.revs {
		if r.Device != device && (r.batch == "" || r.batch != batch) {
			return true
		}
	}
	return false
}

// commitGroup stores the batches of jobs in one transaction (see above and
// SQLite.commitGroup).
func (p *Postgres) commitGroup(jobs []*ingestJob) error {
	ctx := context.Background()
	return p.update(ctx, func(t *pgTx) error {
		g, err := readGroup(t, jobs)
		if err != nil {
			return err
		}
		for k, j := range jobs {
			if err := j.settle(g.ingest(k, j.u, j.revs)); err != nil {
				return err
			}
		}
		return g.write()
	})
}

// readGroup takes the group's locks and reads what its checks need (step 1).
func readGroup(t *pgTx, jobs []*ingestJob) (*pgGroup, error) {
	ctx := t.ctx
	g := &pgGroup{t: t, batches: map[string]groupBatch{}, seqs: map[devSeq]string{}, keys: map[string]string{},
		ivs: map[string]*memInterview{}, devices: map[string]*hubDevice{}, touched: map[string]bool{},
		later: make([]int, len(jobs))}
	type lockKey struct {
		ns int32
		k  string
	}
	var locks []lockKey
	var ids, devs, pairDevs, pairIvs []string
	var seqDevs []string
	var seqNums []int64
	for k := len(jobs) - 1; k >= 0; k-- {
		if k+1 < len(jobs) {
			g.later[k] = g.later[k+1] + len(jobs[k+1].revs.Interviews())
		}
	}
	for _, j := range jobs {
		m := &j.u.Batch.Manifest
		locks = append(locks, lockKey{lockNSBatch, m.ID}, lockKey{lockNSDevice, m.Device})
		ids, devs = append(ids, m.ID), append(devs, m.Device)
		seqDevs, seqNums = append(seqDevs, m.Device), append(seqNums, int64(m.Sequence))
		for _, iv := range j.revs.Interviews() {
			locks = append(locks, lockKey{lockNSInterview, iv})
			pairDevs, pairIvs = append(pairDevs, j.u.Device.ID), append(pairIvs, iv)
			if g.ivs[iv] == nil {
				g.ivs[iv] = &memInterview{id: iv, ids: map[string]bool{}}
			}
		}
	}
	// Room for every revision of the group and one the server may add per interview.
	size := len(pairIvs)
	for _, j := range jobs {
		size += j.revs.Len()
	}
	g.revs = make([]memRevision, 0, size)
	sort.Slice(locks, func(a, b int) bool {
		if locks[a].ns != locks[b].ns {
			return locks[a].ns < locks[b].ns
		}
		return locks[a].k < locks[b].k
	})
	locks = slices.Compact(locks)
	lockNS, lockKeys := make([]int32, len(locks)), make([]string, len(locks))
	for i, l := range locks {
		lockNS[i], lockKeys[i] = l.ns, l.k
	}
	ivs := make([]string, 0, len(g.ivs))
	for iv := range g.ivs {
		ivs = append(ivs, iv)
	}
	slices.Sort(ivs)

	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock_shared($1, 0)`, lockNSDevices)
	// In the order given: unnest yields its rows in order and each is locked as it comes
	// (were it ever otherwise, two nodes' deadlock is detected and the group retried).
	b.Queue(`SELECT pg_advisory_xact_lock(ns, hashtext(k)) FROM unnest($1::int[], $2::text[]) AS l(ns, k)`, lockNS, lockKeys)
	b.Queue(`SELECT `+deviceCols+` FROM server_devices WHERE role = $1 AND revoked IS NULL ORDER BY id`, string(survey.RoleSupervisor)).
		Query(func(rows pgx.Rows) error {
			var err error
			g.sups, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Device, error) { return pgScanDevice(r) })
			return err
		})
	b.Queue(`SELECT id, hash, device, sequence, merged, revisions, added, manifest FROM hub_batches WHERE id = ANY($1)`, ids).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var hash, device string
				var seq, merged int64
				var revisions, added int
				var id string
				var manifest []byte
				if err := rows.Scan(&id, &hash, &device, &seq, &merged, &revisions, &added, &manifest); err != nil {
					return err
				}
				rc, err := receiptOfRow(id, hash, device, seq, merged, revisions, added, manifest)
				if err != nil {
					return err
				}
				g.batches[id] = groupBatch{hash: hash, receipt: rc}
			}
			return rows.Err()
		})
	// Each lookup by LATERAL with OFFSET 0 (which keeps the planner from flattening it into
	// a join), so that the plan is an index scan per value whatever the statistics say: on
	// a table just filled and not yet analysed, "interview = ANY($1)" and the same join
	// were planned as a sequential scan of every revision (auto_explain, load test).
	b.Queue(`SELECT b.device, b.sequence, b.id FROM unnest($1::text[], $2::bigint[]) AS s(device, sequence)
		CROSS JOIN LATERAL (SELECT device, sequence, id FROM hub_batches WHERE device = s.device AND sequence = s.sequence OFFSET 0) AS b`, seqDevs, seqNums).
		Query(func(rows pgx.Rows) error {
			var dev, id string
			var seq int64
			_, err := pgx.ForEachRow(rows, []any{&dev, &seq, &id}, func() error {
				g.seqs[devSeq{dev, uint64(seq)}] = id
				return nil
			})
			return err
		})
	b.Queue(`SELECT device, key FROM hub_devices WHERE device = ANY($1)`, devs).
		Query(func(rows pgx.Rows) error {
			var dev, key string
			_, err := pgx.ForEachRow(rows, []any{&dev, &key}, func() error {
				g.keys[dev] = key
				return nil
			})
			return err
		})
	b.Queue(`SELECT r.* FROM unnest($1::text[]) AS v(interview)
		CROSS JOIN LATERAL (SELECT `+pgRevCols+`, coalesce(batch, '') FROM revisions WHERE interview = v.interview OFFSET 0) AS r`, ivs).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var batch string
				r, err := pgScanRevision(rows, &batch)
				if err != nil {
					return err
				}
				if m := g.ivs[r.Interview]; m != nil && !m.ids[r.ID] {
					m.add(r, batch)
				}
			}
			return rows.Err()
		})
	// Who already follows: the senders and every active supervisor, for each interview
	// (the devices are locked: the supervisors cannot change before the commit).
	t.known = map[[2]string]bool{}
	b.Queue(`SELECT i.device, i.interview FROM (
			SELECT * FROM unnest($1::text[], $2::text[]) AS p(device, interview)
			UNION SELECT s.id, v.interview FROM server_devices s CROSS JOIN unnest($3::text[]) AS v(interview)
				WHERE s.role = $4 AND s.revoked IS NULL
		) AS p CROSS JOIN LATERAL (SELECT device, interview FROM server_interest WHERE device = p.device AND interview = p.interview OFFSET 0) AS i`,
		pairDevs, pairIvs, ivs, string(survey.RoleSupervisor)).
		Query(func(rows pgx.Rows) error {
			var dev, iv string
			_, err := pgx.ForEachRow(rows, []any{&dev, &iv}, func() error {
				t.known[[2]string{dev, iv}] = true
				return nil
			})
			return err
		})
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("read what the batches touch: %w", err)
	}
	for i := range pairDevs {
		k := [2]string{pairDevs[i], pairIvs[i]}
		t.known[k] = t.known[k]
	}
	for _, s := range g.sups {
		for _, iv := range ivs {
			k := [2]string{s.ID, iv}
			t.known[k] = t.known[k]
		}
	}
	t.mem = g.ivs
	return g, nil
}

// ingest decides and stores the k-th batch of the group (see SQLite.ingestTx and
// hub.AddTx): every check before the first change to the group's picture, so that a
// refusal leaves it as it was.
func (g *pgGroup) ingest(k int, u Upload, v store.Verified) (Ingested, error) {
	t := g.t
	b := u.Batch
	m := &b.Manifest
	hash := b.Hash()
	fp := keys.Fingerprint(b.SignerKey())
	now := ms(u.Time)
	if old, ok := g.batches[m.ID]; ok {
		if old.hash == hash {
			return Ingested{Receipt: old.receipt, Replay: true}, nil
		}
		return Ingested{}, refusal{rejection(hub.BatchConflict(m, old.hash, hash))}
	}
	if otherID, ok := g.seqs[devSeq{m.Device, m.Sequence}]; ok {
		return Ingested{}, refusal{rejection(hub.SequenceReused(m, otherID))}
	}
	if boundKey, ok := g.keys[m.Device]; ok && boundKey != fp {
		return Ingested{}, refusal{rejection(hub.DeviceKey(m, boundKey, fp))}
	}
	// Accepted: from here on, only errors of the store (the transaction fails).
	if d := g.devices[m.Device]; d != nil {
		d.last = now
	} else {
		g.devices[m.Device] = &hubDevice{key: fp, signer: m.Signer, first: now, last: now}
		g.devOrder = append(g.devOrder, m.Device)
	}
	g.keys[m.Device] = fp
	revs := v.Revisions()
	added := 0
	carries := map[string]bool{}
	for _, r := range revs {
		mi := g.ivs[r.Interview]
		if mi.ids[r.ID] {
			continue
		}
		mi.add(r, m.ID)
		g.revs = append(g.revs, memRevision{r, m.ID})
		added++
		carries[r.Interview] = true
	}
	enc := 0
	if m.Payload.Encrypted {
		enc = 1
	}
	g.records = append(g.records, hubBatch{id: m.ID, hash: hash, device: m.Device, seq: m.Sequence, signer: m.Signer, key: fp,
		created: m.CreatedTime().UnixMilli(), merged: now, revisions: len(revs), added: added, encrypted: enc,
		manifest: b.ManifestBytes, signature: b.SignatureBytes})
	rc := wire.Receipt{Format: wire.ReceiptFormat, Batch: m.ID, Hash: hash, PayloadHash: m.Payload.SHA256,
		Device: m.Device, Seq: m.Sequence, Received: wire.FormatTime(time.UnixMilli(now)), Revisions: len(revs),
		Added: added, Present: len(revs) - added}
	g.batches[m.ID] = groupBatch{hash: hash, receipt: rc}
	g.seqs[devSeq{m.Device, m.Sequence}] = m.ID

	ivs := v.Interviews()
	provinces := map[string]string{}
	for _, iv := range ivs {
		g.touched[iv] = true
		var err error
		if provinces[iv], err = g.ivs[iv].province(); err != nil {
			return Ingested{}, err
		}
	}
	assignees, err := pgAssignees(t.ctx, t.tx, u, revs)
	if err != nil {
		return Ingested{}, err
	}
	for _, iv := range ivs {
		var row *pendingFeed
		if carries[iv] {
			row = t.addFeed(&pendingFeed{interview: strp(iv), batch: strp(m.ID), sender: u.Device.ID, created: now})
		}
		if !u.Unenrolled { // a merged file's sender may never have enrolled: no interest
			if err := t.follow(u.Device.ID, iv, m.ID, row, u.Time); err != nil {
				return Ingested{}, err
			}
		}
		for _, dev := range assignees[iv] {
			if err := t.follow(dev, iv, m.ID, row, u.Time); err != nil {
				return Ingested{}, err
			}
		}
		for _, sup := range g.sups {
			if sup.ID != u.Device.ID && sup.Covers(provinces[iv]) {
				if err := t.follow(sup.ID, iv, m.ID, row, u.Time); err != nil {
					return Ingested{}, err
				}
			}
		}
	}
	if u.Server != "" {
		for i, iv := range ivs {
			heads := g.ivs[iv].statusHeads()
			if !awaitsSubmission(heads) {
				continue
			}
			rev, err := g.put(u.Server, survey.Target{Interview: iv, Kind: survey.KindStatus},
				survey.StatusChange{Status: survey.StatusSubmitted}, heads, len(ivs)-i+g.later[k])
			if err != nil {
				return Ingested{}, fmt.Errorf("mark interview %s submitted: %w", iv, err)
			}
			t.addFeed(&pendingFeed{interview: strp(iv), batch: strp(serverBatch(rev)), sender: rev.Device, created: now})
		}
	}
	return Ingested{Receipt: rc}, nil
}

// put adds a revision the server makes (device server) of target with value v, replacing
// heads; need is how many such revisions the rest of the group may make, at most.
func (g *pgGroup) put(server string, target survey.Target, v survey.StatusChange, heads []survey.Revision, need int) (survey.Revision, error) {
	if len(g.counters) == 0 {
		rows, err := g.t.tx.Query(g.t.ctx, `SELECT nextval('server_counter_seq') FROM generate_series(1, $1)`, max(need, 1))
		if err != nil {
			return survey.Revision{}, fmt.Errorf("server counter: %w", err)
		}
		if g.counters, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return survey.Revision{}, fmt.Errorf("server counter: %w", err)
		}
		slices.Sort(g.counters)
	}
	counter := g.counters[0]
	g.counters = g.counters[1:]
	replaces := make([]string, len(heads))
	for i, h := range heads {
		replaces[i] = h.ID
	}
	r, err := survey.NewRevision(target, v, server, uint64(counter), time.Now(), server, replaces)
	if err != nil {
		return survey.Revision{}, err
	}
	batch := serverBatch(r)
	g.ivs[target.Interview].add(r, batch)
	g.revs = append(g.revs, memRevision{r, batch})
	return r, nil
}

// write stores what the group added (step 3) and the feed, then the transaction commits.
func (g *pgGroup) write() error {
	t := g.t
	// The interviews are folded for their rows while the database stores the revisions
	// (COPY, the longest step): the fold reads only what the group holds in memory.
	touched := make([]string, 0, len(g.touched))
	for iv := range g.touched {
		touched = append(touched, iv)
	}
	slices.Sort(touched)
	// Their summaries go into the readers' cache (interview_summaries, pgreader.go) in the
	// same round, with their progress for the questionnaires the server knows (pgProgress),
	// so that the first list after uploads folds nothing.
	states := make([]*survey.InterviewState, len(touched))
	sums := make([]survey.Summary, len(touched))
	var cache summaryRows
	folded := make(chan error, 1)
	go func() {
		for i, iv := range touched {
			var err error
			if states[i], err = g.ivs[iv].fold(); err != nil {
				folded <- err
				return
			}
			if states[i] != nil {
				sums[i] = states[i].Summary()
				cache.addCounted(t.ctx, sums[i], states[i].Answers, t.progress)
			}
		}
		folded <- nil
	}()
	err := g.copyRevisions()
	if ferr := <-folded; err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	if n := len(g.devOrder); n > 0 {
		devs, ks, signers, firsts, lasts := make([]string, n), make([]string, n), make([]string, n), make([]int64, n), make([]int64, n)
		for i, id := range g.devOrder {
			d := g.devices[id]
			devs[i], ks[i], signers[i], firsts[i], lasts[i] = id, d.key, d.signer, d.first, d.last
		}
		b.Queue(`INSERT INTO hub_devices (device, key, signer, first, last)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
			ON CONFLICT (device) DO UPDATE SET last = excluded.last`, devs, ks, signers, firsts, lasts)
	}
	if n := len(g.records); n > 0 {
		ids, hashes, devs, signers, ks := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		seqs, created, merged := make([]int64, n), make([]int64, n), make([]int64, n)
		revs, added, enc := make([]int32, n), make([]int32, n), make([]int32, n)
		manifests, sigs := make([][]byte, n), make([][]byte, n)
		for i, r := range g.records {
			ids[i], hashes[i], devs[i], signers[i], ks[i] = r.id, r.hash, r.device, r.signer, r.key
			seqs[i], created[i], merged[i] = int64(r.seq), r.created, r.merged
			revs[i], added[i], enc[i] = int32(r.revisions), int32(r.added), int32(r.encrypted)
			manifests[i], sigs[i] = r.manifest, r.signature
		}
		b.Queue(`INSERT INTO hub_batches (id, hash, device, sequence, signer, key, created, merged, revisions, added, encrypted, manifest, signature)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
				$9::int[], $10::int[], $11::int[], $12::bytea[], $13::bytea[])`,
			ids, hashes, devs, seqs, signers, ks, created, merged, revs, added, enc, manifests, sigs)
	}
	if len(touched) > 0 {
		var ids, qs, vs, sts, reasons, agencies, provs, assessors []string
		var conflicts, counts []int32
		var updated []int64
		for i, iv := range touched {
			if states[i] == nil {
				continue
			}
			sm := sums[i]
			ids, qs, vs, sts = append(ids, iv), append(qs, sm.Questionnaire), append(vs, sm.Version), append(sts, string(sm.Status))
			reasons, agencies, provs, assessors = append(reasons, sm.Reason), append(agencies, sm.Agency), append(provs, sm.Province), append(assessors, sm.Assessor)
			conflicts, counts, updated = append(conflicts, int32(sm.Conflicts)), append(counts, int32(sm.Revisions)), append(updated, ms(sm.Updated))
		}
		b.Queue(`INSERT INTO interviews (id, questionnaire, version, status, reason, agency, province, assessor, conflicts, revisions, updated)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
				$9::int[], $10::int[], $11::bigint[])
			ON CONFLICT (id) DO UPDATE SET questionnaire = excluded.questionnaire, version = excluded.version, status = excluded.status,
				reason = excluded.reason, agency = excluded.agency, province = excluded.province, assessor = excluded.assessor,
				conflicts = excluded.conflicts, revisions = excluded.revisions, updated = excluded.updated`,
			ids, qs, vs, sts, reasons, agencies, provs, assessors, conflicts, counts, updated)
	}
	if cache.len() > 0 {
		cache.queue(b, true)
	}
	t.pre = b
	return nil
}

// copyRevisions stores the revisions the group added.
func (g *pgGroup) copyRevisions() error {
	t := g.t
	if len(g.revs) > 0 {
		rows := make([][]any, len(g.revs))
		for i, r := range g.revs {
			var batch *string
			if r.batch != "" {
				batch = &r.batch
			}
			rows[i] = []any{r.ID, r.Interview, string(r.Kind), r.Key, r.Device, int64(r.Counter), r.Time.UnixMilli(),
				r.Author, strings.Join(r.Replaces, " "), batch, []byte(r.Value)}
		}
		if _, err := t.tx.CopyFrom(t.ctx, pgx.Identifier{"revisions"},
			[]string{"id", "interview", "kind", "key", "device", "counter", "time", "author", "replaces", "batch", "value"},
			pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("store revisions: %w", err)
		}
	}
	return nil
}
