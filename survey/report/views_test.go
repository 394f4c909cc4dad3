package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// viewStates are six interviews of the mini ODRA from three provinces (one spelled
// without accents), with statuses, confirmed and unconfirmed section ratings, a question
// skipped, "don't know", and an interview of another questionnaire, which is left out.
func viewStates(t *testing.T) []*survey.InterviewState {
	t.Helper()
	b := newBuilder(t)
	type iv struct {
		province, agency string
		status           survey.Status
		ratings          map[string]survey.Code // 1.1, 1.2, 1.4, 2.2, 2.3, 3.1
		sections         map[string]survey.Code
	}
	G, AG, A, AR, R, DK := survey.Green, survey.AmberGreen, survey.Amber, survey.AmberRed, survey.Red, survey.DontKnow
	ivs := []iv{
		{"Đà Nẵng", "Sở Thông tin và Truyền thông", survey.StatusApproved,
			map[string]survey.Code{"1.1": G, "1.2": G, "1.4": A, "2.2": A, "2.3": G, "3.1": AR},
			map[string]survey.Code{"1": AG, "2": A}},
		{"Đà Nẵng", "Sở Tài chính", survey.StatusApproved,
			map[string]survey.Code{"1.1": AG, "1.2": A, "1.4": A, "2.2": AR, "2.3": DK},
			map[string]survey.Code{"1": A}},
		{"Da Nang", "Sở Y tế", survey.StatusSubmitted,
			map[string]survey.Code{"1.1": R, "1.2": AR, "2.2": A, "3.1": DK},
			map[string]survey.Code{"1": AR, "2": A, "3": R}},
		{"Hà Nội", "Văn phòng Chính phủ", survey.StatusApproved,
			map[string]survey.Code{"1.1": G, "1.2": AG, "1.4": AG, "2.2": G, "2.3": AG, "3.1": A},
			map[string]survey.Code{"1": G, "2": AG, "3": A}},
		{"Hà Nội", "Bộ Tài chính", survey.StatusDraft,
			map[string]survey.Code{"1.1": A},
			nil},
		{"Bắc Ninh", "Sở Kế hoạch và Đầu tư", survey.StatusCompleted,
			map[string]survey.Code{"1.1": AR, "1.2": R, "1.4": R, "2.2": R, "3.1": R},
			map[string]survey.Code{"1": R, "2": AR, "3": R}},
	}
	var out []*survey.InterviewState
	var ids []string
	for i, v := range ivs {
		id := fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i+1)
		ids = append(ids, id)
		b.interview(id, "mini-odra", survey.Respondent{Agency: v.agency, Province: v.province, Date: "2026-11-2" + fmt.Sprint(i)})
		for _, q := range []string{"1.1", "1.2", "1.4", "2.2", "2.3", "3.1"} {
			if r, ok := v.ratings[q]; ok {
				b.answer(id, q, survey.Answer{Rating: r})
			}
		}
		for s, r := range v.sections {
			b.add(id, survey.KindSection, s, survey.SectionSummary{Rating: r})
		}
		b.add(id, survey.KindStatus, "", survey.StatusChange{Status: v.status})
	}
	b.interview(idOther, "dgra-2018", survey.Respondent{Agency: "Bộ Công an", Province: "Hà Nội"})
	states, err := survey.Fold(b.revs)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		out = append(out, states[id])
	}
	return out
}

func buildOverview(t *testing.T, lang string) *Overview {
	t.Helper()
	b, err := NewOverviewBuilder(testQuestionnaire(t), Options{Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range viewStates(t) {
		if err := b.Add(st.Summary()); err != nil {
			t.Fatal(err)
		}
	}
	return b.Overview()
}

func buildDistributions(t *testing.T, lang string) *Distributions {
	t.Helper()
	b, err := NewDistributionBuilder(testQuestionnaire(t), Options{Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range viewStates(t) {
		if err := b.Add(st); err != nil {
			t.Fatal(err)
		}
	}
	return b.Distributions()
}

func TestOverviewCounts(t *testing.T) {
	o := buildOverview(t, "en")
	var names []string
	for _, r := range o.Rows {
		names = append(names, r.Province)
	}
	// "Da Nang" and "Đà Nẵng" are one province, shown with its accents; Vietnamese order.
	if got := strings.Join(names, ", "); got != "Bắc Ninh, Đà Nẵng, Hà Nội" {
		t.Fatalf("rows %s", got)
	}
	dn := o.Rows[1]
	if dn.Interviews != 3 || len(dn.Statuses) != 2 || dn.Statuses[0].Status != survey.StatusSubmitted ||
		dn.Statuses[0].Count != 1 || dn.Statuses[1].Status != survey.StatusApproved || dn.Statuses[1].Count != 2 {
		t.Errorf("Đà Nẵng: %d interviews, statuses %+v", dn.Interviews, dn.Statuses)
	}
	// Section 1 in Đà Nẵng: Amber/Red, Amber, Amber/Green (scale order), none unrated.
	c := dn.Cells[0]
	var got []string
	for _, r := range c.Ratings {
		got = append(got, fmt.Sprintf("%s×%d", r.Code, r.Count))
	}
	if strings.Join(got, " ") != "amber-red×1 amber×1 amber-green×1" || c.Unrated != 0 {
		t.Errorf("Đà Nẵng section 1: %v, unrated %d", got, c.Unrated)
	}
	// Section 3 in Đà Nẵng: one Red, two never confirmed (suggestions do not count).
	if c := dn.Cells[2]; len(c.Ratings) != 1 || c.Ratings[0].Code != survey.Red || c.Unrated != 2 {
		t.Errorf("Đà Nẵng section 3: %+v", c)
	}
	if o.Total.Interviews != 6 || o.Total.Province != "All provinces" {
		t.Errorf("total: %+v", o.Total)
	}
	sum := 0
	for _, r := range o.Total.Cells[0].Ratings {
		sum += r.Count
	}
	if sum+o.Total.Cells[0].Unrated != 6 {
		t.Errorf("total section 1 accounts for %d interviews, want 6", sum+o.Total.Cells[0].Unrated)
	}
	b, _ := NewOverviewBuilder(testQuestionnaire(t), Options{})
	if err := b.Add(survey.Summary{ID: idOther, Questionnaire: "dgra-2018"}); err == nil {
		t.Error("an interview of another questionnaire was counted")
	}
}

func TestDistributionCounts(t *testing.T) {
	d := buildDistributions(t, "en")
	if d.Interviews != 6 {
		t.Fatalf("%d interviews, want 6", d.Interviews)
	}
	s1 := d.Sections[0]
	// Rating questions only: 1.1, 1.2, 1.3, 1.4 (1.5 is yes/no).
	if len(s1.Questions) != 4 {
		t.Fatalf("section 1 has %d rating questions, want 4", len(s1.Questions))
	}
	q11 := s1.Questions[0]
	// 1.1: G, AG, R, G, A, AR → sorted R AR A AG G G: middles A (3) and AG (4): 3.5 → a
	// half, towards the middle: Amber.
	if q11.Rated != 6 || q11.Suggested == nil || q11.Suggested.Code != survey.Amber || !q11.Half {
		t.Errorf("1.1: rated %d, suggested %+v half %v", q11.Rated, q11.Suggested, q11.Half)
	}
	// 1.3 is asked only where 1.2 is green (interview 1): asked once, not rated.
	q13 := s1.Questions[2]
	if q13.Rated != 0 || q13.NotRated != 1 || q13.Suggested != nil {
		t.Errorf("1.3: %+v", q13)
	}
	// 2.3: G, DK, AG; don't know never counts: G and AG → 4.5 → Amber/Green.
	q23 := d.Sections[1].Questions[1]
	if q23.Question != "2.3" || q23.Rated != 2 || q23.Uncounted != 1 || q23.NotRated != 3 || q23.Suggested.Code != survey.AmberGreen || !q23.Half {
		t.Errorf("2.3: %+v", q23)
	}
	// The overall row counts the confirmed ratings: section 3 has R, A, R, and 3 none.
	o3 := d.Sections[2].Overall
	if o3.Rated != 3 || o3.NotRated != 3 || o3.Suggested.Code != survey.Red || o3.Half {
		t.Errorf("section 3 overall: %+v", o3)
	}
}

type viewWriter func(*bytes.Buffer) error

func renderView(t *testing.T, w viewWriter) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := w(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestViewGoldens(t *testing.T) {
	for _, lang := range []string{"en", "vi"} {
		o := buildOverview(t, lang)
		d := buildDistributions(t, lang)
		golden(t, "overview."+lang+".txt", renderView(t, func(b *bytes.Buffer) error { return WriteOverviewText(b, o, nil, 80) }))
		golden(t, "overview."+lang+".md", renderView(t, func(b *bytes.Buffer) error { return WriteOverviewMarkdown(b, o) }))
		golden(t, "overview."+lang+".html", renderView(t, func(b *bytes.Buffer) error { return WriteOverviewHTML(b, o) }))
		golden(t, "overview."+lang+".json", renderView(t, func(b *bytes.Buffer) error { return WriteOverviewJSON(b, o) }))
		golden(t, "distribution."+lang+".txt", renderView(t, func(b *bytes.Buffer) error { return WriteDistributionText(b, d, nil, 80) }))
		golden(t, "distribution."+lang+".md", renderView(t, func(b *bytes.Buffer) error { return WriteDistributionMarkdown(b, d) }))
		golden(t, "distribution."+lang+".html", renderView(t, func(b *bytes.Buffer) error { return WriteDistributionHTML(b, d) }))
		golden(t, "distribution."+lang+".json", renderView(t, func(b *bytes.Buffer) error { return WriteDistributionJSON(b, d) }))
		golden(t, "distribution."+lang+".csv", renderView(t, func(b *bytes.Buffer) error { return WriteDistributionCSV(b, d, CSVOptions{}) }))
	}
	o := buildOverview(t, "en")
	golden(t, "overview.en.120.txt", renderView(t, func(b *bytes.Buffer) error { return WriteOverviewText(b, o, nil, 120) }))
}

// Every line of the text views fits the width, with or without labels.
func TestViewTextFitsWidth(t *testing.T) {
	for _, width := range []int{40, 60, 80, 120} {
		for _, lang := range []string{"en", "vi"} {
			for name, out := range map[string][]byte{
				"overview":     renderView(t, func(b *bytes.Buffer) error { return WriteOverviewText(b, buildOverview(t, lang), nil, width) }),
				"distribution": renderView(t, func(b *bytes.Buffer) error { return WriteDistributionText(b, buildDistributions(t, lang), nil, width) }),
			} {
				for _, l := range strings.Split(string(out), "\n") {
					if n := ansi.StringWidth(l); n > width && !(name == "distribution" && width < 80) {
						t.Errorf("%s %s at %d: a line of %d columns: %q", name, lang, width, n, l)
					}
				}
			}
		}
	}
}

func TestViewStyler(t *testing.T) {
	style := func(c survey.Code, s string) string { return "<" + string(c) + ">" + s + "</>" }
	out := string(renderView(t, func(b *bytes.Buffer) error { return WriteOverviewText(b, buildOverview(t, "en"), style, 120) }))
	if !strings.Contains(out, "<amber-green>●●●●○ Amber/Green</>") {
		t.Errorf("overview ratings are not styled:\n%s", out)
	}
	out = string(renderView(t, func(b *bytes.Buffer) error {
		return WriteDistributionText(b, buildDistributions(t, "en"), style, 80)
	}))
	if !strings.Contains(out, "<amber>●●●○○ Amber ½</>") {
		t.Errorf("the suggested rating is not styled:\n%s", out)
	}
}

func TestViewMachineFormatsParse(t *testing.T) {
	o := buildOverview(t, "vi")
	var od struct {
		Format string `json:"format"`
		Overview
	}
	if err := json.Unmarshal(renderView(t, func(b *bytes.Buffer) error { return WriteOverviewJSON(b, o) }), &od); err != nil {
		t.Fatal(err)
	}
	if od.Format != OverviewFormat || od.Total.Interviews != 6 || len(od.Rows) != 3 {
		t.Errorf("overview JSON: %+v", od)
	}
	d := buildDistributions(t, "vi")
	recs, err := csv.NewReader(bytes.NewReader(renderView(t, func(b *bytes.Buffer) error { return WriteDistributionCSV(b, d, CSVOptions{}) }))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// 4 + 2 + 1 rating questions and 3 overall rows, 7 steps each.
	if len(recs) != 1+(7+3)*7 {
		t.Errorf("%d CSV records, want %d", len(recs), 1+(7+3)*7)
	}
}

func TestViewsHostile(t *testing.T) {
	b, _ := NewOverviewBuilder(testQuestionnaire(t), Options{Lang: "en"})
	b.Add(survey.Summary{ID: idHostile, Questionnaire: "mini-odra", Province: "=cmd|' /C calc'!A0\x1b]0;pwned\x07\u009b2J",
		Status: survey.StatusApproved, Sections: map[string]survey.Code{"1": survey.Green}})
	o := b.Overview()
	for name, w := range map[string]viewWriter{
		"text":     func(b *bytes.Buffer) error { return WriteOverviewText(b, o, nil, 80) },
		"markdown": func(b *bytes.Buffer) error { return WriteOverviewMarkdown(b, o) },
		"html":     func(b *bytes.Buffer) error { return WriteOverviewHTML(b, o) },
		"json":     func(b *bytes.Buffer) error { return WriteOverviewJSON(b, o) },
	} {
		out := string(renderView(t, w))
		if c := controlRunes(out); len(c) > 0 {
			t.Errorf("%s: control characters reach the output: %q", name, c)
		}
		if !strings.Contains(out, "pwned") {
			t.Errorf("%s lost the text", name)
		}
	}
}
