package survey

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// rag is a three-step scale (ODRA 3.1's), with grey "U" uncounted; ragAmber is the same
// with the middle step coded amber (ODRA v2's word).
func rag(id, middle string) *Scale {
	return &Scale{ID: id, Label: T("RAG", "Đỏ-Vàng-Xanh"), Steps: []Step{
		{Code: Red, Label: T("Red", "Đỏ"), Value: 1},
		{Code: Code(middle), Label: T("Middle", "Giữa"), Value: 2},
		{Code: Green, Label: T("Green", "Xanh"), Value: 3},
		{Code: InsufficientInformation, Label: T("Insufficient information", "Không đủ thông tin"), Uncounted: true},
	}}
}

// fiveToThree maps every step of the readiness scale that a three-step scale with middle
// step middle lacks.
func fiveToThree(middle string) map[Code]Code {
	return map[Code]Code{AmberRed: Red, Amber: Code(middle), AmberGreen: Green,
		NotAssessed: InsufficientInformation, DontKnow: InsufficientInformation}
}

// pillars builds questionnaire "p" at version v: one section per spec "id:scale:q1,q2"
// (scale "" for readiness), each question a rating question; scales are added as given.
func pillars(v string, m *Migration, scales []*Scale, specs ...string) *Questionnaire {
	q := &Questionnaire{Format: QuestionnaireFormat, ID: "p", Version: v, Title: T("P", "P"),
		Languages: []string{"vi", "en"}, Scales: scales, MigratesFrom: m}
	for _, spec := range specs {
		parts := strings.Split(spec, ":")
		s := &Section{ID: parts[0], Title: T("Pillar "+parts[0]+" in "+v, "Trụ cột "+parts[0]+" ở "+v), Scale: parts[1]}
		for _, id := range strings.Split(parts[2], ",") {
			s.Questions = append(s.Questions, &Question{ID: id, Type: TypeRating, Text: T("Rate "+id, "Đánh giá "+id)})
		}
		q.Sections = append(q.Sections, s)
	}
	q.Index()
	return q
}

// ratedDraft is a draft on version with answers and section summaries, each with a head.
func ratedDraft(version string, answers Answers, sections map[string]SectionSummary) *InterviewState {
	st := draft(version, answers)
	st.Sections = sections
	for id := range sections {
		st.Heads[Target{Interview: st.ID, Kind: KindSection, Key: id}] = []string{"head-sec-" + id}
	}
	return st
}

func describe(u *Upgrade, lang string) []string {
	var out []string
	for _, l := range u.Describe() {
		out = append(out, l.Get(lang))
	}
	return out
}

// v1 rates pillars 1 and 2 on the five-step readiness scale; v2 moves pillar 1 (its
// questions and overall rating) to the three-step scale and renames pillar 2 to 3.
func sectionVersions() (v1, v2 *Questionnaire) {
	v1 = pillars("1", nil, nil, "1::1.1,1.2", "2::2.1")
	v2 = pillars("2", &Migration{Version: "1", Sections: map[string]string{"2": "3"},
		Ratings: map[string]map[Code]Code{"1": fiveToThree("yellow"), "1.1": fiveToThree("yellow"), "1.2": fiveToThree("yellow")}},
		[]*Scale{rag("rag", "yellow")}, "1:rag:1.1,1.2", "3::2.1")
	return v1, v2
}

func TestPlanUpgradeRenamedSectionAndRecodedRatings(t *testing.T) {
	v1, v2 := sectionVersions()
	if err := v2.Validate(); err != nil {
		t.Fatalf("v2 is valid: %v", err)
	}
	if err := CheckMigration(v1, v2); err != nil {
		t.Fatalf("v2's migration matches v1: %v", err)
	}
	ev := []Evidence{{Polarity: Plus, Text: "Decree 47", InScope: true}}
	st := ratedDraft("1", Answers{
		"1.1": {Rating: AmberRed, Comment: "plan only", Evidence: ev},
		"1.2": {Rating: Green},
		"2.1": {Rating: Amber, Comment: "kept as is"},
	}, map[string]SectionSummary{
		"1": {Rating: Amber, Comment: "Đang xây dựng"},
		"2": {Rating: AmberGreen, Comment: "Có cổng dữ liệu"},
	})
	u, err := PlanUpgrade([]*Questionnaire{v1, v2}, st)
	if err != nil {
		t.Fatal(err)
	}
	wantRerated := []Rerate{
		{ID: "1.1", Old: AmberRed, New: Red, Text: T("Rate 1.1", "Đánh giá 1.1")},
		{ID: "1", Section: true, Old: Amber, New: Yellow, Text: T("Pillar 1 in 2", "Trụ cột 1 ở 2")},
	}
	if !reflect.DeepEqual(u.Rerated, wantRerated) {
		t.Errorf("rerated %+v\nwant %+v", u.Rerated, wantRerated)
	}
	wantMoved := []SectionMove{{From: "2", To: "3", Summary: SectionSummary{Rating: AmberGreen, Comment: "Có cổng dữ liệu"}, Title: T("Pillar 3 in 2", "Trụ cột 3 ở 2")}}
	if !reflect.DeepEqual(u.MovedSections, wantMoved) {
		t.Errorf("moved sections %+v\nwant %+v", u.MovedSections, wantMoved)
	}
	if len(u.OrphanedSections) != 0 || len(u.Orphaned) != 0 || len(u.KeptRatings) != 0 || len(u.Moved) != 0 {
		t.Errorf("orphaned %v %v, kept %v, moved %v", u.OrphanedSections, u.Orphaned, u.KeptRatings, u.Moved)
	}

	id := st.ID
	at := func(k Kind, key string) Target { return Target{Interview: id, Kind: k, Key: key} }
	want := []Change{
		{Target: at(KindInterview, ""), Value: InterviewMeta{Questionnaire: "p", QuestionnaireVersion: "2", Assessor: "An"}, Base: []string{"meta-head"}},
		{Target: at(KindAnswer, "1.1"), Value: Answer{Rating: Red, Comment: "plan only", Evidence: ev}, Base: []string{"head-1.1"}},
		{Target: at(KindSection, "1"), Value: SectionSummary{Rating: Yellow, Comment: "Đang xây dựng"}, Base: []string{"head-sec-1"}},
		{Target: at(KindSection, "3"), Value: SectionSummary{Rating: AmberGreen, Comment: "Có cổng dữ liệu"}, Base: []string{}},
		{Target: at(KindSection, "2"), Value: SectionSummary{}, Base: []string{"head-sec-2"}},
	}
	if got := u.Changes(); !reflect.DeepEqual(got, want) {
		t.Errorf("changes:\n got %+v\nwant %+v", got, want)
	}

	wantEN := []string{
		"p: version 1 → 2",
		`moved: overall rating and comment of section 2 → section 3 "Pillar 3 in 2"`,
		`rating recoded: 1.1 "Rate 1.1": amber-red → red`,
		`rating recoded: section 1 "Pillar 1 in 2", overall rating: amber → yellow`,
	}
	if got := describe(u, LangEN); !reflect.DeepEqual(got, wantEN) {
		t.Errorf("describe en:\n%s", strings.Join(got, "\n"))
	}
	wantVI := []string{
		"p: phiên bản 1 → 2",
		`chuyển: đánh giá chung và nhận xét của phần 2 → phần 3 "Trụ cột 3 ở 2"`,
		`đổi mức đánh giá: 1.1 "Đánh giá 1.1": amber-red → red`,
		`đổi mức đánh giá: phần 1 "Trụ cột 1 ở 2", đánh giá chung: amber → yellow`,
	}
	if got := describe(u, LangVI); !reflect.DeepEqual(got, wantVI) {
		t.Errorf("describe vi:\n%s", strings.Join(got, "\n"))
	}
}

// Applying the changes to the revisions the state came from gives an interview on the new
// version whose every rating is a step of its scale there, with no conflict.
func TestUpgradeSectionsFoldsClean(t *testing.T) {
	v1, v2 := sectionVersions()
	at := func(k Kind, key string) Target { return Target{Interview: rosterIV, Kind: k, Key: key} }
	revs := []Revision{
		mustRev(t, at(KindInterview, ""), InterviewMeta{Questionnaire: "p", QuestionnaireVersion: "1", Assessor: "An"}, "d1", 1, t0),
		mustRev(t, at(KindAnswer, "1.1"), Answer{Rating: DontKnow}, "d1", 2, t0),
		mustRev(t, at(KindSection, "1"), SectionSummary{Rating: AmberGreen, Comment: "tốt"}, "d1", 3, t0),
		mustRev(t, at(KindSection, "2"), SectionSummary{Rating: Red, Comment: "chưa có"}, "d1", 4, t0),
	}
	u, err := PlanUpgrade([]*Questionnaire{v1, v2}, fold1(t, revs...))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range u.Changes() {
		var replaces []string
		for _, r := range revs {
			if slices.Contains(c.Base, r.ID) {
				replaces = append(replaces, r.ID)
			}
		}
		revs = append(revs, mustRev(t, c.Target, c.Value, "d1", uint64(10+i), t0.Add(time.Minute), replaces...))
	}
	after := fold1(t, revs...)
	if len(after.Conflicts) != 0 {
		t.Fatalf("conflicts %v", after.Conflicts)
	}
	want := map[string]SectionSummary{"1": {Rating: Green, Comment: "tốt"}, "3": {Rating: Red, Comment: "chưa có"}}
	if !reflect.DeepEqual(after.Sections, want) {
		t.Errorf("sections %v, want %v", after.Sections, want)
	}
	if got := after.Answers["1.1"].Rating; got != InsufficientInformation {
		t.Errorf("1.1 rated %s, want %s", got, InsufficientInformation)
	}
	qu, _ := v2.Question("1.1")
	if is := v2.CheckValue(qu, after.Answers["1.1"]); is != nil {
		t.Errorf("1.1 after the upgrade: %v", is.Msg)
	}
}

// A stored rating that is no step of the new scale and that the migration does not map
// (a code written by hand or imported) is kept as it was, not written, and listed.
func TestPlanUpgradeKeepsAnUnmappedRating(t *testing.T) {
	v1, v2 := sectionVersions()
	st := ratedDraft("1", Answers{"1.2": {Rating: "purple", Comment: "imported"}},
		map[string]SectionSummary{"1": {Rating: "mauve"}})
	u, err := PlanUpgrade([]*Questionnaire{v1, v2}, st)
	if err != nil {
		t.Fatal(err)
	}
	steps := []Code{Red, Yellow, Green, InsufficientInformation}
	wantKept := []KeptRating{
		{ID: "1.2", Code: "purple", Scale: "rag", Steps: steps, Text: T("Rate 1.2", "Đánh giá 1.2")},
		{ID: "1", Section: true, Code: "mauve", Scale: "rag", Steps: steps, Text: T("Pillar 1 in 2", "Trụ cột 1 ở 2")},
	}
	if !reflect.DeepEqual(u.KeptRatings, wantKept) {
		t.Errorf("kept %+v\nwant %+v", u.KeptRatings, wantKept)
	}
	if ch := u.Changes(); len(ch) != 1 || ch[0].Target.Kind != KindInterview {
		t.Errorf("changes %+v: only the new version is written", ch)
	}
	got := describe(u, LangEN)
	wantEN := []string{
		"p: version 1 → 2",
		`rating kept: 1.2 "Rate 1.2": purple is not a step of scale rag in version 2 (red, yellow, green, insufficient-information) and the version does not map it: it is kept as it was; rate it again`,
		`rating kept: section 1 "Pillar 1 in 2", overall rating: mauve is not a step of scale rag in version 2 (red, yellow, green, insufficient-information) and the version does not map it: it is kept as it was; rate it again`,
	}
	if !reflect.DeepEqual(got, wantEN) {
		t.Errorf("describe en:\n%s", strings.Join(got, "\n"))
	}
	if vi := describe(u, LangVI); vi[1] != `giữ mức đánh giá: 1.2 "Đánh giá 1.2": purple không phải một mức của thang rag ở phiên bản 2 (red, yellow, green, insufficient-information) và phiên bản không quy đổi nó: mức cũ được giữ nguyên; hãy đánh giá lại` {
		t.Errorf("describe vi: %s", vi[1])
	}
}

// 1 → 2 → 3: 3 renames pillar 3 to 4 and the middle step yellow to amber. An interview on
// 1 gets both steps: pillar 2's summary lands on 4; a rating that went amber → yellow →
// amber is not rewritten; amber-green → green is.
func TestPlanUpgradeSectionChain(t *testing.T) {
	v1, v2 := sectionVersions()
	yellowToAmber := map[Code]Code{Yellow: Amber}
	v3 := pillars("3", &Migration{Version: "2", Sections: map[string]string{"3": "4"},
		Ratings: map[string]map[Code]Code{"1": yellowToAmber, "1.1": yellowToAmber, "1.2": yellowToAmber}},
		[]*Scale{rag("rag", "amber")}, "1:rag:1.1,1.2", "4::2.1")
	if err := CheckMigration(v2, v3); err != nil {
		t.Fatalf("v3's migration matches v2: %v", err)
	}
	get := func(v string) (*Questionnaire, error) {
		for _, q := range []*Questionnaire{v1, v2, v3} {
			if q.Version == v {
				return q, nil
			}
		}
		return nil, errors.New("no such version")
	}
	chain, err := UpgradeChain(v3, "1", get)
	if err != nil {
		t.Fatal(err)
	}
	st := ratedDraft("1", Answers{"1.1": {Rating: Amber}, "1.2": {Rating: AmberGreen}},
		map[string]SectionSummary{"1": {Rating: AmberRed}, "2": {Rating: Green, Comment: "xong"}})
	u, err := PlanUpgrade(chain, st)
	if err != nil {
		t.Fatal(err)
	}
	wantRerated := []Rerate{
		{ID: "1.2", Old: AmberGreen, New: Green, Text: T("Rate 1.2", "Đánh giá 1.2")},
		{ID: "1", Section: true, Old: AmberRed, New: Red, Text: T("Pillar 1 in 3", "Trụ cột 1 ở 3")},
	}
	if !reflect.DeepEqual(u.Rerated, wantRerated) {
		t.Errorf("rerated %+v\nwant %+v", u.Rerated, wantRerated)
	}
	if want := []SectionMove{{From: "2", To: "4", Summary: SectionSummary{Rating: Green, Comment: "xong"}, Title: T("Pillar 4 in 3", "Trụ cột 4 ở 3")}}; !reflect.DeepEqual(u.MovedSections, want) {
		t.Errorf("moved sections %+v", u.MovedSections)
	}
	var keys []string
	for _, c := range u.Changes() {
		keys = append(keys, string(c.Target.Kind)+":"+c.Target.Key)
	}
	if want := []string{"interview:", "answer:1.2", "section:1", "section:4", "section:2"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("changes %v, want %v", keys, want)
	}
	// A section that version 3 drops without a rename is orphaned (kept), as before.
	v3b := pillars("3", &Migration{Version: "2", Ratings: map[string]map[Code]Code{"1": yellowToAmber, "1.1": yellowToAmber, "1.2": yellowToAmber}},
		[]*Scale{rag("rag", "amber")}, "1:rag:1.1,1.2,2.1")
	u, err = PlanUpgrade([]*Questionnaire{v1, v2, v3b}, st)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(u.OrphanedSections, []string{"2"}) || len(u.MovedSections) != 0 {
		t.Errorf("orphaned sections %v, moved %v", u.OrphanedSections, u.MovedSections)
	}
	if got := describe(u, LangEN); got[len(got)-1] != "no longer asked: section 2: its overall rating is kept" {
		t.Errorf("describe: %v", got)
	}
}

// Two sections that trade ids move both ways; neither old id is cleared.
func TestPlanUpgradeSectionSwap(t *testing.T) {
	v1 := pillars("1", nil, nil, "a::1.1", "b::2.1")
	v2 := pillars("2", &Migration{Version: "1", Sections: map[string]string{"a": "b", "b": "a"}}, nil, "b::1.1", "a::2.1")
	if err := v2.Validate(); err != nil {
		t.Fatalf("a swap is valid: %v", err)
	}
	if err := CheckMigration(v1, v2); err != nil {
		t.Fatalf("a swap matches its old version: %v", err)
	}
	u, err := PlanUpgrade([]*Questionnaire{v1, v2}, ratedDraft("1", nil, map[string]SectionSummary{"a": {Rating: Red}, "b": {Rating: Green}}))
	if err != nil {
		t.Fatal(err)
	}
	ch := u.Changes()
	if len(ch) != 3 || ch[1].Target.Key != "a" || ch[1].Value != (SectionSummary{Rating: Green}) || ch[2].Target.Key != "b" || ch[2].Value != (SectionSummary{Rating: Red}) {
		t.Errorf("changes %+v", ch)
	}
}

func problems(err error) []Problem {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	return ve.Problems
}

// The sections and ratings blocks checked on their own (Validate) and against the old
// version (CheckMigration): every refusal, word for word, with the path loaders turn into
// FILE:LINE.
func TestCheckSectionAndRatingMigrations(t *testing.T) {
	v1 := pillars("1", nil, nil, "1::1.1,1.2", "2::2.1")
	v1.Sections[1].Questions = append(v1.Sections[1].Questions, &Question{ID: "2.2", Type: TypeText, Text: T("Note", "Ghi chú")})
	v1.Index()
	full := func(ids ...string) map[string]map[Code]Code {
		out := map[string]map[Code]Code{}
		for _, id := range ids {
			out[id] = fiveToThree("yellow")
		}
		return out
	}
	three := []*Scale{rag("rag", "yellow")}
	for _, c := range []struct {
		name     string
		v2       *Questionnaire
		validate []Problem // from v2.Validate
		check    []Problem // from CheckMigration(v1, v2)
	}{
		{name: "renamed section not in this version",
			v2:       pillars("2", &Migration{Version: "1", Sections: map[string]string{"2": "9"}}, nil, "1::1.1,1.2", "3::2.1"),
			validate: []Problem{{Path: "migrates_from.sections[2]", Msg: `section "2" is renamed to "9", which is not a section of this version`}}},
		{name: "renamed section still here",
			v2:       pillars("2", &Migration{Version: "1", Sections: map[string]string{"2": "3"}}, nil, "1::1.1,1.2", "2::2.1", "3::2.9"),
			validate: []Problem{{Path: "migrates_from.sections[2]", Msg: `section "2" is renamed to "3" but is still a section of this version`}}},
		{name: "two sections renamed to one",
			v2:       pillars("2", &Migration{Version: "1", Sections: map[string]string{"1": "3", "2": "3"}}, nil, "3::1.1,1.2,2.1"),
			validate: []Problem{{Path: "migrates_from.sections[2]", Msg: `sections "1" and "2" are both renamed to "3"`}}},
		{name: "renamed section unknown in the old version",
			v2:    pillars("2", &Migration{Version: "1", Sections: map[string]string{"7": "3"}}, nil, "1::1.1,1.2", "2::2.1", "3::2.9"),
			check: []Problem{{Path: "migrates_from.sections[7]", Msg: `renamed section "7" is not a section of version 1`}}},
		{name: "section renamed onto one the old version still has",
			v2:    pillars("2", &Migration{Version: "1", Sections: map[string]string{"1": "2"}}, nil, "2::1.1,1.2", "3::2.1"),
			check: []Problem{{Path: "migrates_from.sections[1]", Msg: `section "1" is renamed to "2", which already exists in version 1 (rename that one too)`}}},
		{name: "ratings of an unknown id",
			v2:       pillars("2", &Migration{Version: "1", Ratings: map[string]map[Code]Code{"9.9": {Red: Red}}}, nil, "1::1.1,1.2", "2::2.1"),
			validate: []Problem{{Path: "migrates_from.ratings[9.9]", Msg: `ratings of "9.9": no rating question or rated section in this version (ratings are keyed by the question's or section's id in this version)`}},
			check:    []Problem{{Path: "migrates_from.ratings[9.9]", Msg: `ratings of "9.9": "9.9" is not a rating question of version 1`}}},
		{name: "new code not on the new scale",
			v2:       pillars("2", &Migration{Version: "1", Ratings: map[string]map[Code]Code{"1.1": {Amber: "orange"}}}, three, "1::1.1,1.2", "2::2.1"),
			validate: []Problem{{Path: "migrates_from.ratings[1.1][amber]", Msg: `ratings of "1.1": "amber" → "orange": "orange" is not a step of scale "readiness" in this version (steps: red, amber-red, amber, amber-green, green, not-assessed, dont-know)`}}},
		{name: "old code not on the old scale",
			v2:    pillars("2", &Migration{Version: "1", Ratings: map[string]map[Code]Code{"1": {Yellow: Amber}}}, nil, "1::1.1,1.2", "2::2.1"),
			check: []Problem{{Path: "migrates_from.ratings[1][yellow]", Msg: `ratings of "1": "yellow" is not a step of scale "readiness" of "1" in version 1 (steps: red, amber-red, amber, amber-green, green, not-assessed, dont-know)`}}},
		{name: "ratings of a question that was not rated",
			v2:    pillars("2", &Migration{Version: "1", Ratings: map[string]map[Code]Code{"2.2": {Red: Red}}}, nil, "1::1.1,1.2", "2::2.1,2.2"),
			check: []Problem{{Path: "migrates_from.ratings[2.2]", Msg: `ratings of "2.2": "2.2" is not a rating question of version 1`}}},
		{name: "a pillar moved to three steps without a mapping",
			v2:    pillars("2", &Migration{Version: "1", Ratings: full("1.1", "1.2")}, three, "1:rag:1.1,1.2", "2::2.1"),
			check: []Problem{{Path: "migrates_from", Msg: `ratings of section "1": "amber-red", "amber", "amber-green", "not-assessed", "dont-know" of scale "readiness" in version 1 are not a step of scale "rag" in this version: map them in migrates_from.ratings[1] (steps here: red, yellow, green, insufficient-information)`}}},
		{name: "a mapping that misses a step",
			v2: pillars("2", &Migration{Version: "1", Sections: map[string]string{"2": "3"}, Ratings: map[string]map[Code]Code{
				"1": fiveToThree("yellow"), "1.1": fiveToThree("yellow"), "1.2": {AmberRed: Red, Amber: Yellow, AmberGreen: Green, NotAssessed: InsufficientInformation}}},
				three, "1:rag:1.1,1.2", "3::2.1"),
			check: []Problem{{Path: "migrates_from.ratings[1.2]", Msg: `ratings of question "1.2": "dont-know" of scale "readiness" in version 1 is not a step of scale "rag" in this version: map it in migrates_from.ratings[1.2] (steps here: red, yellow, green, insufficient-information)`}}},
		{name: "a renamed pillar moved to three steps without a mapping",
			v2:    pillars("2", &Migration{Version: "1", Sections: map[string]string{"2": "3"}, Ratings: full("2.1")}, three, "1::1.1,1.2", "3:rag:2.1"),
			check: []Problem{{Path: "migrates_from", Msg: `ratings of section "3" (2 in version 1): "amber-red", "amber", "amber-green", "not-assessed", "dont-know" of scale "readiness" in version 1 are not a step of scale "rag" in this version: map them in migrates_from.ratings[3] (steps here: red, yellow, green, insufficient-information)`}}},
		{name: "an id both a question and a section",
			v2:       pillars("2", &Migration{Version: "1", Ratings: map[string]map[Code]Code{"1.1": {Red: Red}}}, nil, "1::1.1,1.2", "1.1::2.1"),
			validate: []Problem{{Path: "migrates_from.ratings[1.1]", Msg: `ratings of "1.1": "1.1" is both a rating question and a section of this version, so the mapping is ambiguous: give the question or the section another id`}},
			check:    []Problem{{Path: "migrates_from.ratings[1.1]", Msg: `ratings of "1.1": "1.1" is not a rated section of version 1`}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := problems(c.v2.Validate()); !reflect.DeepEqual(got, c.validate) {
				t.Errorf("Validate:\n got %+v\nwant %+v", got, c.validate)
			}
			if got := problems(CheckMigration(v1, c.v2)); !reflect.DeepEqual(got, c.check) {
				t.Errorf("CheckMigration:\n got %+v\nwant %+v", got, c.check)
			}
		})
	}
}
