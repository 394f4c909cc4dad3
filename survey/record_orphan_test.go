package survey

import (
	"reflect"
	"strings"
	"testing"
)

// orphanState is an interview on version 2 of "p" (questions q1, q2b) that keeps what
// version 1 had: an answer to q4, a summary of section 9 and a roster 4.K of two rows,
// none of which version 2 asks.
func orphanState(t *testing.T) (*Questionnaire, *InterviewState) {
	t.Helper()
	v2 := version("2", &Migration{Version: "1", Removed: []string{"q4"}}, "q1:single", "q2b:text")
	at := func(k Kind, key string) Target { return Target{Interview: rosterIV, Kind: k, Key: key} }
	st := fold1(t,
		mustRev(t, at(KindInterview, ""), InterviewMeta{Questionnaire: "p", QuestionnaireVersion: "2", Assessor: "An"}, "d1", 1, t0),
		mustRev(t, at(KindAnswer, "q1"), Answer{Value: "a"}, "d1", 2, t0),
		mustRev(t, at(KindAnswer, "q2b"), Answer{Value: "portal"}, "d1", 3, t0),
		mustRev(t, at(KindAnswer, "q4"), Answer{Value: "Cần thêm nhân lực", Comment: "ghi chú"}, "d1", 4, t0),
		mustRev(t, at(KindSection, "1"), SectionSummary{Comment: "ổn"}, "d1", 5, t0),
		mustRev(t, at(KindSection, "9"), SectionSummary{Rating: "amber", Comment: "cũ"}, "d1", 6, t0),
		rowRev(t, "4.K", "aaaa", RosterRow{Pos: 1, Cells: map[string]any{"agency": "GSO"}}, "d1", 7, t0),
		rowRev(t, "4.K", "bbbb", RosterRow{Pos: 2, Cells: map[string]any{"agency": "MONRE"}}, "d1", 8, t0),
	)
	return v2, st
}

// Export marks what the version no longer asks; the line checks clean, imports with no
// change onto the same interview, and recreates everything in an empty store.
func TestRecordOrphanedRoundTrip(t *testing.T) {
	q, st := orphanState(t)
	// Before: the plain record is refused, one error per orphan.
	var fields []string
	for _, fe := range st.Record().Check(q) {
		fields = append(fields, fe.Field)
		if !strings.HasPrefix(fe.Msg, "unknown ") {
			t.Errorf("%s: %s", fe.Field, fe.Msg)
		}
	}
	if want := []string{"answers.q4", "rosters.4.K", "sections.9"}; !reflect.DeepEqual(fields, want) {
		t.Fatalf("unmarked record refused on %v, want %v", fields, want)
	}

	rec := st.Record()
	rec.MarkOrphaned(q)
	if _, ok := rec.Answers["q4"]; ok || rec.Orphaned["q4"].Value != "Cần thêm nhân lực" || rec.Orphaned["q4"].Comment != "ghi chú" {
		t.Fatalf("answers %v, orphaned %v", rec.Answers, rec.Orphaned)
	}
	if _, ok := rec.Sections["9"]; ok || rec.OrphanedSections["9"].Rating != "amber" || rec.Sections["1"].Comment != "ổn" {
		t.Fatalf("sections %v, orphaned %v", rec.Sections, rec.OrphanedSections)
	}
	if rec.Rosters != nil || len(rec.OrphanedRosters["4.K"]) != 2 {
		t.Fatalf("rosters %v, orphaned %v", rec.Rosters, rec.OrphanedRosters)
	}
	line, err := rec.MarshalLine()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"orphaned":{"q4":{"value":"Cần thêm nhân lực","comment":"ghi chú"}}`,
		`"orphaned_sections":{"9":{"rating":"amber","comment":"cũ"}}`, `"orphaned_rosters":{"4.K":[{"id":"aaaa","pos":1,`} {
		if !strings.Contains(string(line), want) {
			t.Fatalf("line lacks %s:\n%s", want, line)
		}
	}
	back := importsUnchanged(t, q, st, line)

	// Into an empty store: every orphan is written back where it was.
	var revs []Revision
	for i, c := range back.Changes(nil) {
		revs = append(revs, mustRev(t, c.Target, c.Value, "d2", uint64(i+1), t0))
	}
	again := fold1(t, revs...)
	if !reflect.DeepEqual(again.Answers["q4"], st.Answers["q4"]) || again.Sections["9"] != st.Sections["9"] ||
		rowIDs(again.Rows("4.K")) != "aaaa,bbbb" {
		t.Fatalf("imported state: answers %v sections %v rows %v", again.Answers, again.Sections, again.Rows("4.K"))
	}
	rec2 := again.Record()
	rec2.MarkOrphaned(q)
	line2, _ := rec2.MarshalLine()
	if string(line2) != string(line) {
		t.Fatalf("export → import → export differs:\n%s\n%s", line, line2)
	}

	// Leaving an orphan out of the line deletes it (as leaving out an answer does): the
	// export never does, since it marks them.
	delete(back.Orphaned, "q4")
	if ch := back.Changes(st); len(ch) != 1 || ch[0].Target.Key != "q4" || !ch[0].Value.(Answer).IsEmpty() {
		t.Fatalf("changes without the orphan: %+v", ch)
	}
}

// What is asked cannot hide under orphaned: a question or section of the version there
// is refused, with where it goes.
func TestRecordOrphanedRefusesWhatIsAsked(t *testing.T) {
	q, st := orphanState(t)
	rec := st.Record()
	rec.MarkOrphaned(q)
	rec.Orphaned["q1"] = rec.Answers["q1"]
	delete(rec.Answers, "q1")
	rec.OrphanedSections["1"] = rec.Sections["1"]
	rec.Orphaned["4.K"] = Answer{Value: "x"}
	var got []string
	for _, fe := range rec.Check(q) {
		got = append(got, fe.Error())
	}
	want := []string{
		`orphaned.4.K: 4.K has rows in orphaned_rosters: a question holds an answer or rows, not both`,
		`orphaned.q1: question q1 is asked in p version 2: its answer goes in answers`,
		`orphaned_sections.1: section 1 is in p version 2: its summary goes in sections`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("errors:\n%s", strings.Join(got, "\n"))
	}
}

// A section the version rates no more (overall: false) keeps its old summary under
// orphaned_sections: export marks it, the line imports again unchanged, and a summary of
// it under sections is refused with where it goes (nothing would show or count it there).
func TestRecordOrphanedPlainSection(t *testing.T) {
	q, st := orphanState(t)
	plain := false
	sec, _ := q.Section("1")
	sec.Overall = &plain

	var got []string
	for _, fe := range st.Record().Check(q) {
		got = append(got, fe.Error())
	}
	want := `sections.1: section 1 has no overall rating in p version 2 (overall: false): a summary kept from before goes in orphaned_sections`
	if len(got) != 4 || got[2] != want {
		t.Fatalf("unmarked record's errors:\n%s\nwant third: %s", strings.Join(got, "\n"), want)
	}

	rec := st.Record()
	rec.MarkOrphaned(q)
	if _, ok := rec.Sections["1"]; ok || rec.OrphanedSections["1"].Comment != "ổn" || rec.OrphanedSections["9"].Rating != "amber" {
		t.Fatalf("sections %v, orphaned %v", rec.Sections, rec.OrphanedSections)
	}
	line, err := rec.MarshalLine()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(line), `"orphaned_sections":{"1":{"comment":"ổn"},"9":{"rating":"amber","comment":"cũ"}}`) {
		t.Fatalf("line:\n%s", line)
	}
	importsUnchanged(t, q, st, line)
}

// importsUnchanged parses an exported line, checks it against q and returns it, failing
// unless importing it onto st (the interview it came from) changes nothing.
func importsUnchanged(t *testing.T, q *Questionnaire, st *InterviewState, line []byte) Record {
	t.Helper()
	back, err := ParseRecord(line)
	if err != nil {
		t.Fatal(err)
	}
	if errs := back.Check(q); len(errs) != 0 {
		t.Fatalf("marked record refused: %v", errs)
	}
	if ch := back.Changes(st); len(ch) != 0 {
		t.Fatalf("importing the export onto the interview changes %+v", ch)
	}
	return back
}
