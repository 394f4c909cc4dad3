package survey

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// version builds a questionnaire "p" at version v with the given questions (id:type, the
// options of choice questions are a, b, c, x) in one section, migrating as m says.
func version(v string, m *Migration, questions ...string) *Questionnaire {
	s := &Section{ID: "1", Title: T("One", "Một")}
	for _, spec := range questions {
		id, typ, _ := strings.Cut(spec, ":")
		qu := &Question{ID: id, Type: QuestionType(typ), Text: T("Text of "+id+" in "+v, "Nội dung "+id+" ở "+v)}
		if qu.Type == TypeSingle || qu.Type == TypeMultiple {
			for _, c := range []string{"a", "b", "c", "x"} {
				qu.Options = append(qu.Options, Option{Code: c, Label: T(c, c)})
			}
		}
		s.Questions = append(s.Questions, qu)
	}
	q := &Questionnaire{Format: QuestionnaireFormat, ID: "p", Version: v, Title: T("P", "P"),
		Languages: []string{"vi", "en"}, Sections: []*Section{s}, MigratesFrom: m}
	q.Index()
	return q
}

func draft(version string, answers Answers) *InterviewState {
	st := NewInterviewState("0193a5b2-7c1e-7000-8000-000000000001")
	st.Meta = InterviewMeta{Questionnaire: "p", QuestionnaireVersion: version, Assessor: "An"}
	st.Answers = answers
	st.Heads[Target{Interview: st.ID, Kind: KindInterview}] = []string{"meta-head"}
	for id := range answers {
		st.Heads[Target{Interview: st.ID, Kind: KindAnswer, Key: id}] = []string{"head-" + id}
	}
	return st
}

func TestPlanUpgrade(t *testing.T) {
	v1 := version("1", nil, "q1:single", "q2:text", "q3:multiple", "q4:text", "q5:text")
	v2 := version("2", &Migration{Version: "1", Renamed: map[string]string{"q2": "q2b"}, Removed: []string{"q4"},
		Choices: map[string]map[string]string{"q1": {"x": "c"}, "q3": {"x": "a"}}},
		"q1:single", "q2b:text", "q3:multiple") // q5 dropped without a declaration
	st := draft("1", Answers{
		"q1": {Value: "x", Comment: "kept"},
		"q2": {Value: "portal"},
		"q3": {Value: []string{"a", "x", "b"}},
		"q4": {Value: "remark"},
		"q5": {Value: "other"},
	})
	u, err := PlanUpgrade([]*Questionnaire{v1, v2}, st)
	if err != nil {
		t.Fatal(err)
	}
	if u.From != "1" || u.To != "2" {
		t.Errorf("from %s to %s", u.From, u.To)
	}
	wantMoved := []Move{{From: "q2", To: "q2b", Answer: Answer{Value: "portal"}, Text: T("Text of q2b in 2", "Nội dung q2b ở 2")}}
	if !reflect.DeepEqual(u.Moved, wantMoved) {
		t.Errorf("moved %+v, want %+v", u.Moved, wantMoved)
	}
	wantRecoded := []Recode{{Question: "q1", Old: []string{"x"}, New: []string{"c"}, Text: T("Text of q1 in 2", "Nội dung q1 ở 2")},
		{Question: "q3", Old: []string{"a", "x", "b"}, New: []string{"a", "b"}, Text: T("Text of q3 in 2", "Nội dung q3 ở 2")}}
	if !reflect.DeepEqual(u.Recoded, wantRecoded) {
		t.Errorf("recoded %+v, want %+v", u.Recoded, wantRecoded)
	}
	wantOrphans := []Orphan{{Question: "q4", Answer: Answer{Value: "remark"}, Removed: true, In: "2", Text: T("Text of q4 in 1", "Nội dung q4 ở 1")},
		{Question: "q5", Answer: Answer{Value: "other"}, In: "2", Text: T("Text of q5 in 1", "Nội dung q5 ở 1")}}
	if !reflect.DeepEqual(u.Orphaned, wantOrphans) {
		t.Errorf("orphaned %+v, want %+v", u.Orphaned, wantOrphans)
	}

	// What is written: the new version, the moved and recoded answers, the old id of the
	// moved one cleared; orphans untouched; each based on the heads the plan saw.
	id := st.ID
	at := func(k Kind, key string) Target { return Target{Interview: id, Kind: k, Key: key} }
	want := []Change{
		{Target: at(KindInterview, ""), Value: InterviewMeta{Questionnaire: "p", QuestionnaireVersion: "2", Assessor: "An"}, Base: []string{"meta-head"}},
		{Target: at(KindAnswer, "q1"), Value: Answer{Value: "c", Comment: "kept"}, Base: []string{"head-q1"}},
		{Target: at(KindAnswer, "q2b"), Value: Answer{Value: "portal"}, Base: []string{}},
		{Target: at(KindAnswer, "q3"), Value: Answer{Value: []string{"a", "b"}}, Base: []string{"head-q3"}},
		{Target: at(KindAnswer, "q2"), Value: Answer{}, Base: []string{"head-q2"}},
	}
	if got := u.Changes(); !reflect.DeepEqual(got, want) {
		t.Errorf("changes:\n got %+v\nwant %+v", got, want)
	}
	// The state the plan was made from is not changed.
	if st.Answers["q1"].Value != "x" || st.Meta.QuestionnaireVersion != "1" {
		t.Error("PlanUpgrade changed the interview's state")
	}

	lines := u.Describe()
	var en, vi []string
	for _, l := range lines {
		en, vi = append(en, l.Get(LangEN)), append(vi, l.Get(LangVI))
	}
	wantEN := []string{
		"p: version 1 → 2",
		`moved: answer to q2 → question q2b "Text of q2b in 2"`,
		`recoded: q1 "Text of q1 in 2": x → c`,
		`recoded: q3 "Text of q3 in 2": a, x, b → a, b`,
		`no longer asked: q4 "Text of q4 in 1" (removed in version 2): the answer is kept in the interview and its history`,
		`no longer asked: q5 "Text of q5 in 1" (not in version 2): the answer is kept in the interview and its history`,
	}
	if !reflect.DeepEqual(en, wantEN) {
		t.Errorf("describe:\n%s", strings.Join(en, "\n"))
	}
	if vi[1] != `chuyển: câu trả lời của q2 → câu hỏi q2b "Nội dung q2b ở 2"` {
		t.Errorf("vi: %q", vi[1])
	}
}

// TestPlanUpgradeChain: 1 → 2 renames q1 to q2 and recodes nothing; 2 → 3 renames q2 to
// q3 and recodes q3's x (q1's x on version 1); an interview on 1 gets both.
func TestPlanUpgradeChain(t *testing.T) {
	v1 := version("1", nil, "q1:single", "r:text")
	v2 := version("2", &Migration{Version: "1", Renamed: map[string]string{"q1": "q2"}}, "q2:single", "r:text")
	v3 := version("3", &Migration{Version: "2", Renamed: map[string]string{"q2": "q3"}, Removed: []string{"r"},
		Choices: map[string]map[string]string{"q3": {"x": "b"}}}, "q3:single")
	get := func(v string) (*Questionnaire, error) {
		for _, q := range []*Questionnaire{v1, v2, v3} {
			if q.Version == v {
				return q, nil
			}
		}
		return nil, errors.New("no such version")
	}
	chain, err := UpgradeChain(v3, "1", get)
	if err != nil || len(chain) != 3 || chain[0] != v1 || chain[2] != v3 {
		t.Fatalf("chain %v, %v", chain, err)
	}
	st := draft("1", Answers{"q1": {Value: "x"}, "r": {Value: "note"}})
	u, err := PlanUpgrade(chain, st)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Move{{From: "q1", To: "q3", Answer: Answer{Value: "b"}, Text: T("Text of q3 in 3", "Nội dung q3 ở 3")}}; !reflect.DeepEqual(u.Moved, want) {
		t.Errorf("moved %+v, want %+v", u.Moved, want)
	}
	if want := []Recode{{Question: "q3", Old: []string{"x"}, New: []string{"b"}, Text: T("Text of q3 in 3", "Nội dung q3 ở 3")}}; !reflect.DeepEqual(u.Recoded, want) {
		t.Errorf("recoded %+v", u.Recoded)
	}
	if len(u.Orphaned) != 1 || u.Orphaned[0].Question != "r" || u.Orphaned[0].In != "3" || !u.Orphaned[0].Removed {
		t.Errorf("orphaned %+v", u.Orphaned)
	}
	// A chain with a version that declares nothing does not reach 1.
	v3b := version("3", nil, "q3:single")
	if _, err := UpgradeChain(v3b, "1", get); !errors.Is(err, ErrNoUpgrade) {
		t.Errorf("undeclared version: %v", err)
	}
	// Versions given out of chain are refused.
	if _, err := PlanUpgrade([]*Questionnaire{v1, v3}, st); !errors.Is(err, ErrNoUpgrade) {
		t.Errorf("1 → 3 directly: %v", err)
	}
}

// TestPlanUpgradeSwap: two questions that trade ids move both ways; neither old id is
// cleared (each receives the other's answer).
func TestPlanUpgradeSwap(t *testing.T) {
	v1 := version("1", nil, "a:text", "b:text")
	v2 := version("2", &Migration{Version: "1", Renamed: map[string]string{"a": "b", "b": "a"}}, "a:text", "b:text")
	if err := v2.Validate(); err != nil {
		t.Fatalf("a swap is a valid migration: %v", err)
	}
	if err := CheckMigration(v1, v2); err != nil {
		t.Fatalf("a swap matches its old version: %v", err)
	}
	u, err := PlanUpgrade([]*Questionnaire{v1, v2}, draft("1", Answers{"a": {Value: "A"}, "b": {Value: "B"}}))
	if err != nil {
		t.Fatal(err)
	}
	ch := u.Changes()
	if len(ch) != 3 {
		t.Fatalf("changes %+v", ch)
	}
	if ch[1].Target.Key != "a" || ch[1].Value.(Answer).Value != "B" || ch[2].Target.Key != "b" || ch[2].Value.(Answer).Value != "A" {
		t.Errorf("changes %+v", ch)
	}
}

// TestCanUpgrade: only what an assessor may still change moves; completed, submitted,
// resubmitted and approved keep their version; conflicts are settled first.
func TestCanUpgrade(t *testing.T) {
	v1 := version("1", nil, "a:text")
	v2 := version("2", &Migration{Version: "1"}, "a:text")
	for _, s := range Statuses {
		st := draft("1", Answers{"a": {Value: "A"}})
		st.Status = StatusChange{Status: s}
		_, err := PlanUpgrade([]*Questionnaire{v1, v2}, st)
		if AssessorEditable(s) != (err == nil) {
			t.Errorf("%s: %v", s, err)
		}
		var re *RuleError
		if err != nil && (!errors.As(err, &re) || !strings.Contains(re.Text().Get(LangVI), "giữ phiên bản 1")) {
			t.Errorf("%s: want a bilingual rule error, got %v", s, err)
		}
	}
	st := draft("1", Answers{"a": {Value: "A"}})
	st.Conflicts = []Conflict{{Target: Target{Interview: st.ID, Kind: KindAnswer, Key: "a"}}}
	if _, err := PlanUpgrade([]*Questionnaire{v1, v2}, st); err == nil || !strings.Contains(err.Error(), "settle them") {
		t.Errorf("conflicted: %v", err)
	}
	u, err := PlanUpgrade([]*Questionnaire{v1, v2}, draft("1", Answers{"a": {Value: "A"}}))
	if err != nil || !u.Empty() || len(u.Changes()) != 1 {
		t.Errorf("nothing to move: %+v %v", u, err)
	}
	if _, err := PlanUpgrade([]*Questionnaire{v1, v2}, draft("2", nil)); err == nil {
		t.Error("an interview on another version was planned")
	}
}

func TestQuoteText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"  ", ""},
		{"Which portal?", `"Which portal?"`},
		{"Which\n  portal?", `"Which portal?"`},
		{"Có khung an ninh mạng của Chính phủ bao quát các nền tảng", `"Có khung an ninh mạng của Chính phủ bao…"`},
		{"0123456789012345678901234567890123456789", `"0123456789012345678901234567890123456789"`},
		{"01234567890123456789012345678901234567890", `"012345678901234567890123456789012345678…"`},
	} {
		if got := QuoteText(c.in, 40); got != c.want {
			t.Errorf("QuoteText(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// FindUpgrade offers the newest version the interview's version reaches, and nothing to
// an interview that may not move or has nowhere to go.
func TestFindUpgrade(t *testing.T) {
	v1 := version("1", nil, "q1:single")
	v2 := version("2", &Migration{Version: "1", Renamed: map[string]string{"q1": "q2"}}, "q2:single")
	v3 := version("3", &Migration{Version: "2"}, "q2:single")
	other := version("9", nil, "z:text")
	other.ID = "other"
	all := []*Questionnaire{other, v1, v2, v3}
	st := draft("1", Answers{"q1": {Value: "a"}})
	u := FindUpgrade(all, st)
	if u == nil || u.From != "1" || u.To != "3" || len(u.Moved) != 1 {
		t.Fatalf("offer %+v", u)
	}
	// v3 without its declaration: the newest reachable is 2.
	v3b := version("3", nil, "q2:single")
	if u := FindUpgrade([]*Questionnaire{v1, v2, v3b}, st); u == nil || u.To != "2" {
		t.Fatalf("offer without v3's declaration: %+v", u)
	}
	if u := FindUpgrade(all, draft("3", nil)); u != nil {
		t.Fatalf("an interview on the newest version offered %+v", u)
	}
	done := draft("1", Answers{"q1": {Value: "a"}})
	done.Status.Status = StatusCompleted
	if u := FindUpgrade(all, done); u != nil {
		t.Fatalf("a completed interview offered %+v", u)
	}
	if u := FindUpgrade([]*Questionnaire{v1}, st); u != nil {
		t.Fatalf("offered %+v with one version installed", u)
	}
}

// A renamed roster moves as rows: each row written under the new question id (same row
// ids, positions and cells) and deleted under the old one; no answer is written for it.
// Before, the roster was written as an answer of the new id and its rows stayed under the
// old one.
func TestPlanUpgradeMovesARosterAsRows(t *testing.T) {
	v1 := version("1", nil, "q1:text", "r:roster")
	v2 := version("2", &Migration{Version: "1", Renamed: map[string]string{"r": "r2"}}, "q1:text", "r2:roster")
	at := func(k Kind, key string) Target { return Target{Interview: rosterIV, Kind: k, Key: key} }
	meta := mustRev(t, at(KindInterview, ""), InterviewMeta{Questionnaire: "p", QuestionnaireVersion: "1", Assessor: "An"}, "d1", 1, t0)
	a := rowRev(t, "r", "aaaa", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO"}}, "d1", 2, t0)
	b := rowRev(t, "r", "bbbb", RosterRow{Pos: 2, Cells: map[string]any{"agency": "MONRE"}}, "d1", 3, t0)
	q1 := mustRev(t, at(KindAnswer, "q1"), Answer{Value: "x"}, "d1", 4, t0)
	st := fold1(t, meta, a, b, q1)
	u, err := PlanUpgrade([]*Questionnaire{v1, v2}, st)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Moved) != 1 || u.Moved[0].From != "r" || u.Moved[0].To != "r2" {
		t.Fatalf("moved %+v", u.Moved)
	}
	revs := []Revision{meta, a, b, q1}
	for i, c := range u.Changes() {
		if c.Target.Kind == KindAnswer {
			t.Fatalf("the upgrade writes an answer %s: %+v", c.Target.Key, c.Value)
		}
		var replaces []string
		for _, r := range revs {
			if slices.Contains(c.Base, r.ID) {
				replaces = append(replaces, r.ID)
			}
		}
		revs = append(revs, mustRev(t, c.Target, c.Value, "d1", uint64(10+i), t0.Add(time.Minute), replaces...))
	}
	after := fold1(t, revs...)
	if after.Meta.QuestionnaireVersion != "2" {
		t.Fatalf("version %s", after.Meta.QuestionnaireVersion)
	}
	if got := rowIDs(after.Rows("r2")); got != "aaaa,bbbb" {
		t.Fatalf("rows under r2: %s", got)
	}
	if after.Rows("r2")[1].Cells["agency"] != "MONRE" {
		t.Fatalf("cells: %v", after.Rows("r2")[1].Cells)
	}
	if n := len(after.Rows("r")); n != 0 {
		t.Fatalf("%d rows still under r", n)
	}
	if len(after.Conflicts) != 0 {
		t.Fatalf("conflicts %v", after.Conflicts)
	}
	if after.Answers["q1"].Value != "x" {
		t.Fatal("q1 lost")
	}
}
