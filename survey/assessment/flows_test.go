package assessment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/report"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

type catalog map[string]*survey.Questionnaire

func (c catalog) Get(id, version string) (*survey.Questionnaire, error) {
	if q, ok := c[id]; ok && q.Version == version {
		return q, nil
	}
	return nil, fmt.Errorf("questionnaire %s version %s is not installed", id, version)
}

// home is a store holding two interviews of the example questionnaire, in Đà Nẵng and in
// Thừa Thiên Huế, and the catalogue that holds it.
func home(t *testing.T) (*store.Store, store.Author, catalog, *survey.Questionnaire) {
	t.Helper()
	src, _ := questionnaires.BundledSource("example")
	q, err := questionnaires.Parse("example.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "fieldsurvey.db"), store.WithClock(func() time.Time {
		return time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	laptop := store.Author{Device: "laptop-an", Principal: "an@example.org"}
	for i, p := range []string{"Đà Nẵng", "Thừa Thiên Huế"} {
		iv := fmt.Sprintf("0193a5b2-7c1e-7000-8000-00000000000%d", i+1)
		tg := func(k survey.Kind) survey.Target { return survey.Target{Interview: iv, Kind: k} }
		if _, err := st.Put(context.Background(), laptop,
			survey.Change{Target: tg(survey.KindInterview), Value: survey.InterviewMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version, Assessor: laptop.Principal}},
			survey.Change{Target: tg(survey.KindRespondent), Value: survey.Respondent{Agency: "Sở Tài chính", Province: p}}); err != nil {
			t.Fatal(err)
		}
	}
	return st, store.Author{Device: "desk-lan", Principal: "lan@example.org"}, catalog{q.ID: q}, q
}

func ids(n *int) func() (string, error) {
	return func() (string, error) {
		*n++
		return fmt.Sprintf("0193a5b2-7c1e-7000-8000-0000000000a%d", *n), nil
	}
}

// TestNewCountsInterviewsInScope: the scope and texts are normalised, the interviews of the
// scope counted (by their province's name without accents, or its old name, too), and the assessment stored by its author.
func TestNewCountsInterviewsInScope(t *testing.T) {
	ctx := context.Background()
	st, lan, _, q := home(t)
	n := 0
	for _, c := range []struct {
		scope, want string
		in          int
	}{{" NATIONAL ", survey.ScopeNational, 2}, {"đà  nẵng", "đà  nẵng", 1}, {"Huế", "Huế", 1}, {"Da Nang", "Da Nang", 1}, {"Hà Nội", "Hà Nội", 0}} {
		cr, err := New(ctx, st, lan, q, NewOptions{Scope: c.scope, Title: " Việt Nam 2026 ", Team: []string{" Lan ", "", "Minh"}}, ids(&n))
		if err != nil {
			t.Fatal(err)
		}
		if cr.Meta.Scope != c.want || cr.InScope != c.in {
			t.Errorf("scope %q: %q with %d interviews, want %q with %d", c.scope, cr.Meta.Scope, cr.InScope, c.want, c.in)
		}
		a, err := Read(ctx, st, cr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Meta.Title != "Việt Nam 2026" || strings.Join(a.Meta.Team, ",") != "Lan,Minh" || a.Meta.Author != lan.Principal ||
			a.Meta.Device != lan.Device || a.Meta.Questionnaire != q.ID || a.Meta.QuestionnaireVersion != q.Version {
			t.Errorf("stored %+v", a.Meta)
		}
	}
	if _, err := New(ctx, st, lan, q, NewOptions{Scope: "national", Title: "x"}, func() (string, error) { return "", errors.New("no randomness") }); err == nil ||
		!strings.HasPrefix(err.Error(), "new assessment id: ") {
		t.Fatalf("a failing id source: %v", err)
	}
}

// TestExportAndReport: the export holds every assessment once, sorted, the same bytes each
// time; a questionnaire that is not installed and an assessment whose creation has not
// arrived are refused with errors the command can tell apart.
func TestExportAndReport(t *testing.T) {
	ctx := context.Background()
	st, lan, cat, q := home(t)
	n := 0
	var made []string
	for _, scope := range []string{"national", "Đà Nẵng"} {
		cr, err := New(ctx, st, lan, q, NewOptions{Scope: scope, Title: scope}, ids(&n))
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, cr.ID)
	}
	all, err := Export(ctx, st, cat, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(all.IDs, ",") != strings.Join(made, ",") || len(all.Conflicts) != 0 {
		t.Fatalf("exported %q, conflicts %v", all.IDs, all.Conflicts)
	}
	again, err := Export(ctx, st, cat, []string{made[1], made[0], made[1]})
	if err != nil || !bytes.Equal(again.Data, all.Data) || len(again.IDs) != 2 {
		t.Fatalf("export again: %v, %q", err, again.IDs)
	}
	one, err := Export(ctx, st, cat, []string{made[1]})
	if err != nil || bytes.Contains(one.Data, []byte(made[0])) || !bytes.Contains(one.Data, []byte(made[1])) {
		t.Fatalf("export of one: %v\n%s", err, one.Data)
	}
	var nq *NoQuestionnaireError
	if _, err := Export(ctx, st, catalog{}, nil); !errors.As(err, &nq) || nq.Assessment != made[0] {
		t.Fatalf("export without the questionnaire: %v", err)
	}

	r, err := Report(ctx, st, cat, made[1], report.AssessmentOptions{Lang: survey.LangVI})
	if err != nil || r.Report == nil || r.Conflicts != 0 || r.ID != made[1] {
		t.Fatalf("report: %v %+v", err, r)
	}
	// Spaces around an id do not count; the beginning of both ids is refused, listing them.
	if r, err := Report(ctx, st, cat, " "+made[1]+"\n", report.AssessmentOptions{}); err != nil || r.ID != made[1] {
		t.Fatalf("report of an id with spaces: %v %+v", err, r)
	}
	var ue *survey.UserError
	if _, err := Report(ctx, st, cat, "0193a5b2", report.AssessmentOptions{}); !errors.As(err, &ue) ||
		ue.Text().Get(survey.LangEN) != `"0193a5b2" is the beginning of 2 assessment ids: `+made[0]+", "+made[1] || ue.Hint.Empty() {
		t.Fatalf("report of a prefix of two: %v", err)
	}
	if _, err := Report(ctx, st, catalog{}, made[1], report.AssessmentOptions{}); !errors.As(err, &nq) || nq.Assessment != made[1] ||
		nq.Text().Get(survey.LangVI) != "bản đánh giá "+made[1]+": questionnaire example version "+q.Version+" is not installed" || nq.HintText().Empty() {
		t.Fatalf("report without the questionnaire: %v", err)
	}
	if _, err := Export(ctx, st, catalog{}, []string{made[1]}); !errors.As(err, &nq) || !strings.HasPrefix(nq.Error(), "export assessment "+made[1]+": ") {
		t.Fatalf("export without the questionnaire: %v", err)
	}
	const early = "0193a5b2-7c1e-7000-8000-0000000000b1"
	if _, err := st.Put(ctx, lan, survey.SetText(early, survey.TextSummary, "Tóm tắt")); err != nil {
		t.Fatal(err)
	}
	if _, err := Report(ctx, st, cat, early, report.AssessmentOptions{}); !errors.Is(err, ErrIncomplete) ||
		err.Error() != "assessment "+early+" is incomplete here: the change that creates it has not arrived yet" {
		t.Fatalf("report of an assessment whose creation has not arrived: %v", err)
	}
	for _, ref := range []string{"0193a5b2-7c1e-7000-8000-0000000000ff", " "} {
		if _, err := Report(ctx, st, cat, ref, report.AssessmentOptions{}); !errors.As(err, &ue) {
			t.Fatalf("report of %q: %v", ref, err)
		}
	}
	if got := ue.Text().Get(survey.LangVI); got != "mã bản đánh giá rỗng" {
		t.Errorf("empty id: %q", got)
	}
}
