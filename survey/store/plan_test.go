package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The revisions view joins revision_targets and revision_rows both ways: every query the
// store and the server run on it must go through a key or an index (a full scan of either
// table, or an index SQLite builds for one query, would cost a read of every revision).
func TestRevisionsViewQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "survey.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Append(ctx, tenK(t, 50)...); err != nil {
		t.Fatal(err)
	}
	// The server's table of devices (sync/server), for its query below.
	writerExec(t, s, "CREATE TABLE server_devices (id TEXT PRIMARY KEY, role TEXT NOT NULL)")
	for _, q := range []string{
		`SELECT * FROM revisions WHERE interview = ?1 AND head = 1`,
		`SELECT * FROM revisions WHERE interview = ?1 AND kind = ?2 AND key = ?3 AND head = 1`,
		`SELECT * FROM revisions WHERE interview = ?1 ORDER BY device, counter, id`,
		`SELECT * FROM revisions WHERE head = 1 AND interview IN (SELECT id FROM interviews WHERE conflicts > 0)`,
		`SELECT * FROM pending_revisions ORDER BY device, counter, id`,
		`SELECT count(*) FROM (` + qPendingRows + `) WHERE device = ?1`,
		`SELECT 1 FROM revisions WHERE interview = ?1 AND batch = ?2 LIMIT 1`,
		`SELECT * FROM revisions WHERE interview = ?1 AND batch = ?2 AND device != ?3 ORDER BY device, counter, id`,
		`SELECT 1 FROM revisions WHERE interview = ?1 AND device != ?2 AND (batch IS NULL OR batch != ?3) LIMIT 1`,
		`SELECT * FROM revisions WHERE interview >= ?1 AND interview <= ?2 ORDER BY device, counter, id`,
		`SELECT r.interview, r.value FROM pending_revisions r
			JOIN server_devices s ON s.id = r.device WHERE s.role = ?1 AND r.kind = ?2
			UNION ALL SELECT r.interview, r.value FROM interviews
			CROSS JOIN revisions r ON r.interview = interviews.id AND r.kind = ?2 AND r.key = ''
			WHERE r.batch IS NOT NULL AND r.device IN (SELECT s.id FROM server_devices s WHERE s.role = ?1)`,
		qHeads, qInterviewHeads, qReplacedBy, qBatchedAgain, qPutStart, qStored, qReadCounter, qReused,
		qPendingRows, qBatchedCounter, qPendingLow,
		// 0008: the store's own readers of the tables, and its look-ups of names.
		qName, qPutStartKnown, qLeanHeads, qIVHeads, qTargetHeads, qIVRevs, qHistory,
		`SELECT ` + principalExpr + ` FROM interviews i WHERE i.id = ?1`,
		`SELECT 1 FROM revision_targets WHERE interview = (SELECT n FROM revision_names WHERE name = ?1) AND kind = ?2 AND key = ?3 AND id = ?4`,
	} {
		rows, err := s.r.Query("EXPLAIN QUERY PLAN "+q, args(q)...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		t.Logf("%s\n\t%s", q, strings.Join(plan, "\n\t"))
		for _, step := range plan {
			bad := strings.Contains(step, "AUTOMATIC") ||
				(strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, " USING ") && !slices.Contains(notRows, step) &&
					!strings.HasPrefix(step, "SCAN (subquery-"))
			if bad {
				t.Errorf("%s\nreads every row: %s", q, strings.Join(plan, "; "))
				break
			}
		}
	}
}

// notRows are the scans that read no table of revisions: the server's devices, the
// summaries (a subquery of conflicts), one constant row, the start of the pending tail, the
// pending list below it. (A scan of a
// subquery reads what it returned: the pending revisions.)
var notRows = []string{"SCAN s", "SCAN interviews", "SCAN CONSTANT ROW", "SCAN revision_pending_low", "SCAN p"}

// args gives q as many arguments as it has placeholders (? or ?N).
func args(q string) []any {
	n := strings.Count(q, "?")
	if strings.Contains(q, "?1") {
		n = 0
		for i := 1; strings.Contains(q, fmt.Sprintf("?%d", i)); i++ {
			n = i
		}
	}
	out := make([]any, n)
	for i := range out {
		out[i] = "x"
	}
	return out
}
