package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Check verifies the database: SQLite's integrity check, then that the heads and the
// interview summaries the store maintains incrementally equal those of a full survey.Fold
// of every stored revision, and that every stored revision verifies. It reads everything into memory: it is a repair-shop
// tool (and what the crash test runs), not something for every start.
func (s *Store) Check(ctx context.Context) error {
	return s.View(ctx, func(tx *Tx) error {
		var problems []string
		add := func(format string, args ...any) {
			if len(problems) < 20 {
				problems = append(problems, fmt.Sprintf(format, args...))
			}
		}
		var integrity []string
		rows, err := tx.q.QueryContext(ctx, "PRAGMA integrity_check")
		if err != nil {
			return fmt.Errorf("check database: %w", err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				rows.Close()
				return fmt.Errorf("check database: %w", err)
			}
			integrity = append(integrity, line)
		}
		rows.Close()
		if len(integrity) != 1 || integrity[0] != "ok" {
			add("integrity check: %s", strings.Join(integrity, "; "))
		}
		if err := foreignKeyCheck(ctx, tx.q); err != nil {
			add("%v", err)
		}

		// Every row has its target entry and every entry its row (the revisions view joins
		// them: a row or an entry without the other would be left out of it unseen).
		var unpaired int
		if err := tx.q.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM revision_rows r WHERE NOT EXISTS (SELECT 1 FROM revision_targets t
				WHERE t.interview = r.interview AND t.kind = r.kind AND t.key = r.key AND t.head IN (0, 1) AND t.seq = r.seq))
			+ (SELECT count(*) FROM revision_targets t WHERE NOT EXISTS (SELECT 1 FROM revision_rows r
				WHERE r.seq = t.seq AND r.interview = t.interview AND r.kind = t.kind AND r.key = t.key))`).Scan(&unpaired); err != nil {
			return fmt.Errorf("check database: %w", err)
		}
		if unpaired > 0 {
			add("%d revision rows and target entries do not pair up", unpaired)
		}
		// Every name a row or an entry refers to is in revision_names (0008): the views join
		// them, and would leave such a revision out unseen.
		var unnamed int
		if err := tx.q.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM revision_rows r WHERE
				NOT EXISTS (SELECT 1 FROM revision_names WHERE n = r.interview)
				OR NOT EXISTS (SELECT 1 FROM revision_names WHERE n = r.device)
				OR NOT EXISTS (SELECT 1 FROM revision_names WHERE n = r.author)
				OR (r.batch IS NOT NULL AND NOT EXISTS (SELECT 1 FROM revision_names WHERE n = r.batch)))
			+ (SELECT count(*) FROM revision_targets t WHERE NOT EXISTS (SELECT 1 FROM revision_names WHERE n = t.interview))`).Scan(&unnamed); err != nil {
			return fmt.Errorf("check database: %w", err)
		}
		if unnamed > 0 {
			add("%d revision rows and target entries refer to a name (interview, device, author or batch) that is not stored", unnamed)
		}
		// Every kind a row or an entry holds is one revision_kinds names (0008): the views
		// join them too, and the store reads a number no kind has as an error.
		var unknownKind int
		if err := tx.q.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM revision_rows WHERE kind NOT IN (SELECT n FROM revision_kinds))
			+ (SELECT count(*) FROM revision_targets WHERE kind NOT IN (SELECT n FROM revision_kinds))`).Scan(&unknownKind); err != nil {
			return fmt.Errorf("check database: %w", err)
		}
		if unknownKind > 0 {
			add("%d revision rows and target entries hold a kind number that names no kind", unknownKind)
		}
		// revision_kinds holds the store's numbers of the kinds (kindNums), no other.
		if err := checkKinds(ctx, tx.q); err != nil {
			add("%v", err)
		}
		var twice int
		if err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM revision_targets
			GROUP BY interview, kind, key, id HAVING count(*) > 1)`).Scan(&twice); err != nil {
			return fmt.Errorf("check database: %w", err)
		}
		if twice > 0 {
			add("%d revisions have two target entries", twice)
		}
		// The runs of counters held by revisions in batches are those of the rows (the
		// device's counter and the counters used twice are read from them).
		var wrongRuns int
		if err := tx.q.QueryRowContext(ctx, `WITH held AS (
				SELECT device, min(counter) AS lo, max(counter) AS hi FROM (
					SELECT device, counter, counter - row_number() OVER (PARTITION BY device ORDER BY counter) AS run
					FROM (SELECT DISTINCT nd.name AS device, r.counter AS counter FROM revision_rows r
						JOIN revision_names nd ON nd.n = r.device WHERE r.batch IS NOT NULL))
				GROUP BY device, run)
			SELECT (SELECT count(*) FROM (SELECT device, lo, hi FROM held EXCEPT SELECT device, lo, hi FROM revision_counters))
				+ (SELECT count(*) FROM (SELECT device, lo, hi FROM revision_counters EXCEPT SELECT device, lo, hi FROM held))`).Scan(&wrongRuns); err != nil {
			return fmt.Errorf("check database: %w", err)
		}
		if wrongRuns > 0 {
			add("%d runs of device counters differ from the revisions in batches", wrongRuns)
		}

		// Every pending row is in the pending tail or listed below it (0006), and every
		// listed row exists: Pending and batch create read only those.
		var lost, dangling int
		if err := tx.q.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM revision_rows WHERE batch IS NULL AND seq < (SELECT low FROM revision_pending_low)
				AND seq NOT IN (SELECT seq FROM revision_pending)),
			(SELECT count(*) FROM revision_pending WHERE seq NOT IN (SELECT seq FROM revision_rows))`).Scan(&lost, &dangling); err != nil {
			return fmt.Errorf("check database: %w", err)
		}
		if lost > 0 {
			add("%d pending revisions are missing from the pending list (batch create would not send them)", lost)
		}
		if dangling > 0 {
			add("%d entries of the pending list have no revision", dangling)
		}

		revs, err := collectRevs(tx.q.QueryContext(ctx, `SELECT `+revCols+` FROM revisions`))
		if err != nil {
			return fmt.Errorf("check database: %w", err)
		}
		for _, r := range revs {
			if err := r.Verify(); err != nil {
				add("revision %s: %v", shortID(r.ID), err)
			}
		}
		states, err := survey.Fold(revs)
		if err != nil {
			return fmt.Errorf("check database: %w", err)
		}

		// Heads.
		want := map[survey.Target][]string{}
		for _, st := range states {
			maps.Copy(want, st.Heads)
		}
		heads, err := collectRevs(tx.q.QueryContext(ctx, `SELECT `+revCols+` FROM revisions WHERE head = 1`))
		if err != nil {
			return fmt.Errorf("check database: %w", err)
		}
		got := map[survey.Target][]survey.Revision{}
		for _, h := range heads {
			got[h.Target()] = append(got[h.Target()], h)
		}
		for t, hs := range got {
			survey.SortNewestFirst(hs)
			ids := make([]string, len(hs))
			for i, h := range hs {
				ids[i] = h.ID
			}
			if !slices.Equal(ids, want[t]) {
				add("heads of %s: stored %s, folded %s", t, shortIDs(ids), shortIDs(want[t]))
			}
		}
		for t, ids := range want {
			if _, ok := got[t]; !ok {
				add("heads of %s: stored none, folded %s", t, shortIDs(ids))
			}
		}

		// Summaries.
		list, err := s.listTx(ctx, tx)
		if err != nil {
			return fmt.Errorf("check database: %w", err)
		}
		seen := map[string]bool{}
		for _, sm := range list {
			seen[sm.ID] = true
			st, ok := states[sm.ID]
			if !ok {
				add("interview %s has a summary but no revisions", sm.ID)
				continue
			}
			if w := SummaryOf(st); !equalSummary(sm, w) {
				add("summary of %s: stored %+v, folded %+v", sm.ID, sm, w)
			}
		}
		for id := range states {
			if !seen[id] {
				add("interview %s has revisions but no summary", id)
			}
		}

		if len(problems) > 0 {
			return fmt.Errorf("check database %s: %d problem(s): %s", s.path, len(problems), strings.Join(problems, "; "))
		}
		return nil
	})
}

func shortIDs(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = shortID(id)
	}
	return "[" + strings.Join(out, " ") + "]"
}

// SummaryOf computes the summary of a folded interview state: what List reports for it.
func SummaryOf(st *survey.InterviewState) Summary { return st.Summary() }

func equalSummary(a, b Summary) bool {
	type flat struct {
		id, q, v, reason, agency, province, role, category, assessor string
		record, title, scope                                         string
		status                                                       survey.Status
		answered, conflicts, revisions                               int
		created, updated                                             int64
	}
	f := func(s Summary) flat {
		c := int64(0)
		if !s.Created.IsZero() {
			c = s.Created.UnixMilli()
		}
		return flat{s.ID, s.Questionnaire, s.Version, s.Reason, s.Agency, s.Province, s.Role, s.Category,
			s.Assessor, string(s.Record), s.Title, s.Scope, s.Status, s.Answered, s.Conflicts, s.Revisions, c, s.Updated.UnixMilli()}
	}
	return f(a) == f(b) && maps.Equal(a.Sections, b.Sections)
}

// checkKinds reports a revision_kinds that differs from the store's numbers (kindNums).
func checkKinds(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, "SELECT n, name FROM revision_kinds")
	if err != nil {
		return fmt.Errorf("read revision kinds: %w", err)
	}
	defer rows.Close()
	got := map[survey.Kind]int64{}
	for rows.Next() {
		var n int64
		var name string
		if err := rows.Scan(&n, &name); err != nil {
			return fmt.Errorf("read revision kinds: %w", err)
		}
		got[survey.Kind(name)] = n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read revision kinds: %w", err)
	}
	if !maps.Equal(got, kindNums) {
		return fmt.Errorf("revision_kinds holds %v, the store numbers kinds %v", got, kindNums)
	}
	return nil
}
