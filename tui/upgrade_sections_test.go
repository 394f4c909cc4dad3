package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/internal/fakestore"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/styles"
)

// ratedSource is version 1.0 of a questionnaire rating pillars gov and data on the
// five-step scale; ratedSource2 is 2.0: data renamed open-data, gov rated red/yellow/green.
const ratedSource = `format: fieldsurvey-questionnaire/1
id: rated
version: "1.0"
title: {en: "Rated pilot", vi: "Thử nghiệm có đánh giá"}
languages: [vi, en]
sections:
  - id: gov
    title: {en: "Governance", vi: "Quản trị"}
    questions:
      - {id: gov.1, type: rating, text: {en: "Is there a strategy?", vi: "Có chiến lược không?"}}
  - id: data
    title: {en: "Data", vi: "Dữ liệu"}
    questions:
      - {id: data.1, type: rating, text: {en: "Are datasets published?", vi: "Dữ liệu có được công bố không?"}}
`

const ratedSource2 = `format: fieldsurvey-questionnaire/1
id: rated
version: "2.0"
title: {en: "Rated pilot", vi: "Thử nghiệm có đánh giá"}
languages: [vi, en]
migrates_from:
  version: "1.0"
  sections: {data: open-data}
  ratings:
    gov: &m {amber-red: red, amber: yellow, amber-green: green, not-assessed: insufficient-information, dont-know: insufficient-information}
    gov.1: *m
scales:
  - id: rag
    label: {en: "Red, yellow, green", vi: "Đỏ, vàng, xanh"}
    steps:
      - {code: red, value: 1, label: {en: Red, vi: Đỏ}}
      - {code: yellow, value: 2, label: {en: Yellow, vi: Vàng}}
      - {code: green, value: 3, label: {en: Green, vi: Xanh}}
      - {code: insufficient-information, uncounted: true, key: U, label: {en: Insufficient information, vi: Không đủ thông tin}}
sections:
  - id: gov
    scale: rag
    title: {en: "Governance", vi: "Quản trị"}
    questions:
      - {id: gov.1, type: rating, text: {en: "Is there a strategy?", vi: "Có chiến lược không?"}}
  - id: open-data
    title: {en: "Open data", vi: "Dữ liệu mở"}
    questions:
      - {id: data.1, type: rating, text: {en: "Are datasets published?", vi: "Dữ liệu có được công bố không?"}}
`

// The offer lists the moved pillar summary and the recoded ratings in both languages;
// accepting writes them, and the sections screen shows the ratings on the new scale.
func TestUpgradeMovesSectionsAndRecodesRatings(t *testing.T) {
	var vs []*survey.Questionnaire
	for name, src := range map[string]string{"rated-1.yaml": ratedSource, "rated-2.yaml": ratedSource2} {
		q, err := questionnaires.Parse(name, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, q)
	}
	if vs[0].Version != "1.0" {
		vs[0], vs[1] = vs[1], vs[0]
	}
	if err := survey.CheckMigration(vs[0], vs[1]); err != nil {
		t.Fatal(err)
	}
	ck := newClock()
	fs := fakestore.New(ck.now)
	d := &driver{t: t, store: fs, clock: ck}
	wr := &session.Writer{Store: fs, Author: session.Author{Device: "dev1", Principal: "an@example.org"}, Assessor: "An",
		IDs: func() (string, error) { return "0193a5b2-7c1e-7000-8000-000000000001", nil }}
	ctx := context.Background()
	id, err := wr.Create(ctx, vs[0], survey.Respondent{Agency: "Sở Tư pháp", Province: "Thừa Thiên Huế", Role: "Phó giám đốc",
		Category: "data-holder", Date: "2026-11-23", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := wr.Put(ctx, session.AnswerChange(id, "gov.1", survey.Answer{Rating: survey.AmberRed, Comment: "Mới có kế hoạch"}),
		session.AnswerChange(id, "data.1", survey.Answer{Rating: survey.Amber}),
		session.SectionChange(id, "gov", survey.SectionSummary{Rating: survey.Amber, Comment: "Đang xây dựng"}),
		session.SectionChange(id, "data", survey.SectionSummary{Rating: survey.AmberGreen, Comment: "Có cổng dữ liệu"})); err != nil {
		t.Fatal(err)
	}
	ck.add(time.Minute)
	o := Options{Lang: "en", AssessorName: "Nguyễn Văn An", Principal: "an@example.org", Device: "dev1",
		DefaultQuestionnaire: "rated", Now: ck.now, CommitDelay: time.Millisecond}
	d.app = New(context.Background(), o, fs, catalog{vs[0], vs[1]}, styles.New(&strings.Builder{}, styles.Plain, termenv.Ascii, true))
	d.run(d.app.Init())
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})

	d.open(id)
	d.mustSee("Rated pilot: version 1.0 → 2.0",
		`• moved: overall rating and comment of section data → section open-data "Open`,
		`• rating recoded: gov.1 "Is there a strategy?": amber-red → red`,
		`• rating recoded: section gov "Governance", overall rating: amber → yellow`)
	d.send(HomeMsg{})
	d.key("ctrl+l")
	d.open(id)
	d.mustSee(`• chuyển: đánh giá chung và nhận xét của phần data → phần open-data "Dữ liệu`,
		`• đổi mức đánh giá: phần gov "Quản trị", đánh giá chung: amber → yellow`)
	d.key("enter")
	d.mustSee("Phỏng vấn nay dùng phiên bản 2.0 của bảng hỏi.")
	st := d.state(id)
	if st.Meta.QuestionnaireVersion != "2.0" {
		t.Fatalf("version %s", st.Meta.QuestionnaireVersion)
	}
	want := map[string]survey.SectionSummary{"gov": {Rating: survey.Yellow, Comment: "Đang xây dựng"},
		"open-data": {Rating: survey.AmberGreen, Comment: "Có cổng dữ liệu"}}
	for k, v := range want {
		if st.Sections[k] != v {
			t.Errorf("section %s = %+v, want %+v", k, st.Sections[k], v)
		}
	}
	if _, ok := st.Sections["data"]; ok {
		t.Error("a summary is left under data")
	}
	if a := st.Answers["gov.1"]; a.Rating != survey.Red || a.Comment != "Mới có kế hoạch" {
		t.Errorf("gov.1 = %+v", a)
	}
	d.key("s")
	d.mustSee("Quản trị", "2 Vàng", "Dữ liệu mở", "Vàng/Xanh")
}
