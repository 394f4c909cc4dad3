package store

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The supervisor's reads (fieldsurvey review): a page of the queue with filters and a sort,
// and what the filters can choose from. They read the interviews table (and, for the
// assessor of an interview whose creation carries no name, the author of that creation
// revision, found through the primary key), never the states.

// QueueSort is the column Queue orders by.
type QueueSort string

// The orders of the queue. SortStatus (the default) puts the interviews waiting for a
// decision first (completed, submitted, resubmitted), then returned, reopened, approved and
// drafts; each group most recently changed first.
const (
	SortStatus        QueueSort = ""
	SortAssessor      QueueSort = "assessor"
	SortAgency        QueueSort = "agency"
	SortProvince      QueueSort = "province"
	SortQuestionnaire QueueSort = "questionnaire"
	SortProgress      QueueSort = "progress"
	SortConflicts     QueueSort = "conflicts"
	SortUpdated       QueueSort = "updated"
)

// QueueOptions filter and order Queue. Zero values do not filter.
type QueueOptions struct {
	// Statuses keeps interviews in any of these statuses.
	Statuses []survey.Status
	Province string
	// Assessor matches the assessor's name, or the principal of the creation revision of
	// an interview without a name.
	Assessor      string
	Questionnaire string
	// Search matches as List's does (accents and case ignored; agency, province, role, or
	// the beginning of the id).
	Search string
	Sort   QueueSort
	// Desc reverses the order of Sort (of the groups and times of SortStatus).
	Desc          bool
	Limit, Offset int
}

// QueueRow is one interview of the queue: its summary, and the principal that created it.
type QueueRow struct {
	Summary
	// Principal is the signer principal of the revision that created the interview.
	Principal string
}

// Who is the interview's assessor as lists show it: the name recorded at creation, else
// the principal that created it.
func (r QueueRow) Who() string {
	if r.Assessor != "" {
		return r.Assessor
	}
	return r.Principal
}

// principalExpr is the author of an interview's creation revision (a primary-key lookup).
const principalExpr = `COALESCE((SELECT na.name FROM revision_targets t JOIN revision_rows r ON r.seq = t.seq
	JOIN revision_names na ON na.n = r.author
	WHERE t.interview = (SELECT n FROM revision_names WHERE name = i.id) AND t.kind = (SELECT n FROM revision_kinds WHERE name = 'interview') AND t.key = ''
	ORDER BY t.id LIMIT 1), '')`

// statusRank orders the statuses as the queue shows them.
const statusRank = `CASE status WHEN 'completed' THEN 0 WHEN 'submitted' THEN 0 WHEN 'resubmitted' THEN 0
	WHEN 'returned' THEN 1 WHEN 'reopened' THEN 2 WHEN 'approved' THEN 3 ELSE 4 END`

func queueWhere(o QueueOptions) (string, []any) {
	// An interview whose creation has not arrived (a hub can hold later revisions first)
	// has no questionnaire: it is not in the queue. Nor is the team's assessment, which
	// shares the table but is not an interview.
	where := []string{"questionnaire <> ''", "record = 'interview'"}
	var args []any
	if len(o.Statuses) > 0 {
		marks := make([]string, len(o.Statuses))
		for i, st := range o.Statuses {
			marks[i] = "?"
			args = append(args, string(st))
		}
		where = append(where, "status IN ("+strings.Join(marks, ", ")+")")
	}
	if o.Province != "" {
		where = append(where, "province = ?")
		args = append(args, o.Province)
	}
	if o.Questionnaire != "" {
		where = append(where, "questionnaire = ?")
		args = append(args, o.Questionnaire)
	}
	if o.Assessor != "" {
		where = append(where, "(assessor = ? OR (assessor = '' AND principal = ?))")
		args = append(args, o.Assessor, o.Assessor)
	}
	if term := strings.TrimSpace(o.Search); term != "" {
		where = append(where, `(instr(search, ?) > 0 OR id LIKE ? ESCAPE '\')`)
		args = append(args, foldText(term), likePrefix(strings.ToLower(term)))
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// queueFrom is the interviews with the principal of their creation as a column.
const queueFrom = `(SELECT i.*, ` + principalExpr + ` AS principal FROM interviews i)`

// Queue returns one page of the interviews that match o, in o's order, and how many
// match in all.
func (s *Store) Queue(ctx context.Context, o QueueOptions) ([]QueueRow, int, error) {
	where, args := queueWhere(o)
	dir, rev := "ASC", "DESC"
	if o.Desc {
		dir, rev = "DESC", "ASC"
	}
	var order string
	switch o.Sort {
	case SortStatus:
		order = statusRank + " " + dir + ", updated " + rev
	case SortAssessor:
		order = "CASE WHEN assessor <> '' THEN assessor ELSE principal END " + dir + ", updated DESC"
	case SortAgency:
		order = "agency " + dir + ", updated DESC"
	case SortProvince:
		order = "province " + dir + ", updated DESC"
	case SortQuestionnaire:
		order = "questionnaire " + dir + ", version " + dir + ", updated DESC"
	case SortProgress:
		order = "answered " + dir + ", updated DESC"
	case SortConflicts:
		order = "conflicts " + rev + ", updated DESC"
	case SortUpdated:
		order = "updated " + rev
	default:
		return nil, 0, fmt.Errorf("queue: unknown sort %q", o.Sort)
	}
	const cols = `id, questionnaire, version, status, reason, agency, province, role, category, assessor,
		answered, sections, conflicts, created, updated, revisions`
	page := ""
	pargs := args
	if o.Limit > 0 {
		page = " LIMIT ? OFFSET ?"
		pargs = append(append([]any(nil), args...), o.Limit, max(0, o.Offset))
	}
	var q string
	if o.Assessor == "" && o.Sort != SortAssessor {
		// The page is chosen from the interviews table alone; the principal is looked up
		// for its rows only (on a 100,000-interview hub, for 200 rows rather than all).
		// The sort holds only the ids (not whole rows), and the rows of the page are read
		// by primary key.
		q = `SELECT ` + cols + `, ` + principalExpr + ` AS principal FROM (SELECT id AS pid FROM interviews` + where +
			" ORDER BY " + order + ", id" + page + `) p JOIN interviews i ON i.id = p.pid ORDER BY ` + order + ", id"
	} else {
		q = `SELECT ` + cols + `, principal FROM ` + queueFrom + where + " ORDER BY " + order + ", id" + page
	}
	rows, err := s.r.QueryContext(ctx, q, pargs...)
	if err != nil {
		return nil, 0, fmt.Errorf("read the queue: %w", err)
	}
	defer rows.Close()
	var out []QueueRow
	for rows.Next() {
		var r QueueRow
		var status string
		var secs []byte
		var created, updated int64
		if err := rows.Scan(&r.ID, &r.Questionnaire, &r.Version, &status, &r.Reason, &r.Agency,
			&r.Province, &r.Role, &r.Category, &r.Assessor, &r.Answered, &secs, &r.Conflicts,
			&created, &updated, &r.Revisions, &r.Principal); err != nil {
			return nil, 0, fmt.Errorf("read the queue: %w", err)
		}
		r.Status = survey.Status(status)
		r.Created, r.Updated = fromMS0(created), fromMS(updated)
		if r.Sections, err = decodeSections(secs); err != nil {
			return nil, 0, fmt.Errorf("read the queue: %s: %w", r.ID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read the queue: %w", err)
	}
	total := len(out)
	if o.Limit > 0 && (len(out) == o.Limit || o.Offset > 0) {
		from := "interviews"
		if o.Assessor != "" {
			from = queueFrom
		}
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM `+from+where, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count the queue: %w", err)
		}
	}
	return out, total, nil
}

// QueueFacets is what the queue's filters choose from: the statuses with their counts, and
// the provinces, assessors (name, else principal) and questionnaires of the interviews
// whose creation has arrived, each sorted.
type QueueFacets struct {
	Statuses       map[survey.Status]int
	Provinces      []string
	Assessors      []string
	Questionnaires []string
}

// Facets returns what the queue's filters can choose from, in one scan of the interviews
// (and a primary-key lookup of the creator of each interview that records no name).
func (s *Store) Facets(ctx context.Context) (QueueFacets, error) {
	f := QueueFacets{Statuses: map[survey.Status]int{}}
	provinces, assessors, qns := map[string]bool{}, map[string]bool{}, map[string]bool{}
	err := s.View(ctx, func(tx *Tx) error {
		rows, err := tx.q.QueryContext(ctx, `SELECT status, province, questionnaire, assessor, count(*) FROM interviews
			WHERE questionnaire <> '' AND record = 'interview' GROUP BY status, province, questionnaire, assessor`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st, prov, qn, who string
			var n int
			if err := rows.Scan(&st, &prov, &qn, &who, &n); err != nil {
				return err
			}
			f.Statuses[survey.Status(st)] += n
			if prov != "" {
				provinces[prov] = true
			}
			qns[qn] = true
			if who != "" {
				assessors[who] = true
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		unnamed, err := tx.strings(ctx, `SELECT DISTINCT principal FROM `+queueFrom+` WHERE questionnaire <> '' AND record = 'interview' AND assessor = '' AND principal <> ''`)
		if err != nil {
			return err
		}
		for _, p := range unnamed {
			assessors[p] = true
		}
		return nil
	})
	if err != nil {
		return QueueFacets{}, fmt.Errorf("read the queue's filters: %w", err)
	}
	f.Provinces, f.Assessors, f.Questionnaires = FacetValues(provinces), FacetValues(assessors), FacetValues(qns)
	return f, nil
}

// FacetValues returns the keys of m in Vietnamese collation order: the values a queue's
// filter offers (Facets; a server's database reader builds its own the same way).
func FacetValues(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	collate.New(language.Vietnamese).SortStrings(out)
	return out
}

func (tx *Tx) strings(ctx context.Context, q string) ([]string, error) {
	rows, err := tx.q.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// PendingOf counts the revisions made by device that no batch carries yet (among the
// pending revisions, those made or received since the last batch: cheap on a hub of any
// size), such as a supervisor's decisions waiting for batch create or a sync.
func (s *Store) PendingOf(ctx context.Context, device string) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (`+qPendingRows+`) WHERE device = ?`, device).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending revisions of %s: %w", device, err)
	}
	return n, nil
}
