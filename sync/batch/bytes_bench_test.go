package batch_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// The bytes a complete DGRA interview costs on the wire, against ODK.
//
// What is compared: the batch file as fieldsurvey sends it (the upload body, and the file a
// USB stick carries), against the ODK Collect submission of the same answers: the instance
// XML (what Collect POSTs as xml_submission_file, uncompressed, and what ODK Central
// stores), and the same XML gzip-compressed at the best level (a lower bound for ODK: neither
// Collect nor Central compresses submissions, so this favours ODK). The XML is an honest
// rendering of an XLSForm of the same questionnaire: the usual metadata (start, end,
// deviceid, username, instanceID), the respondent group, per section a group with per
// rating question its rating, its comment and its evidence as a repeat (polarity, text,
// source, in scope), the section's rating and comment, and the status. ODK keeps only the
// final values; fieldsurvey's batch carries every revision, so two cases are measured: an
// interview entered in one step per answer (edits=1: the same content), and as the TUI
// commits it (edits=3: rating, then evidence, then comment, each a revision replacing the
// last).

// odkXML renders the final state of one interview's revisions as an ODK Collect instance.
func odkXML(tb testing.TB, q *survey.Questionnaire, revs []survey.Revision) []byte {
	tb.Helper()
	last := map[survey.Target]survey.Revision{}
	var first, end time.Time
	for _, r := range revs {
		if p, ok := last[r.Target()]; !ok || r.Counter > p.Counter {
			last[r.Target()] = r
		}
		if first.IsZero() || r.Time.Before(first) {
			first = r.Time
		}
		if r.Time.After(end) {
			end = r.Time
		}
	}
	iv := revs[0].Interview
	get := func(k survey.Kind, key string, v any) bool {
		r, ok := last[survey.Target{Interview: iv, Kind: k, Key: key}]
		if !ok {
			return false
		}
		if err := json.Unmarshal(r.Value, v); err != nil {
			tb.Fatal(err)
		}
		return true
	}
	var b strings.Builder
	el := func(name, text string) {
		if text == "" { // as Collect writes an empty field
			b.WriteString("<" + name + " />")
			return
		}
		b.WriteString("<" + name + ">")
		xml.EscapeText(&b, []byte(text))
		b.WriteString("</" + name + ">")
	}
	// XLSForm names: letters first, then letters, digits and underscores ("q1_2", "s1").
	safe := strings.NewReplacer(".", "_", "-", "_", " ", "_")
	qname := func(id string) string { return "q" + safe.Replace(id) }
	sname := func(id string) string { return "s" + safe.Replace(id) }
	fmt.Fprintf(&b, `<?xml version='1.0' ?><data id="%s" version="%s" xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">`, q.ID, q.Version)
	el("start", first.Format("2006-01-02T15:04:05.000+07:00"))
	el("end", end.Format("2006-01-02T15:04:05.000+07:00"))
	el("deviceid", "collect:"+revs[0].Device)
	el("username", revs[0].Author)
	var resp survey.Respondent
	get(survey.KindRespondent, "", &resp)
	b.WriteString("<respondent>")
	el("agency", resp.Agency)
	el("province", resp.Province)
	el("role", resp.Role)
	el("category", resp.Category)
	el("date", resp.Date)
	el("place", resp.Place)
	el("consent", map[bool]string{true: "yes", false: "no"}[resp.Consent])
	b.WriteString("</respondent>")
	for _, s := range q.Sections {
		b.WriteString("<" + sname(s.ID) + ">")
		for _, qu := range s.Questions {
			var a survey.Answer
			if !get(survey.KindAnswer, qu.ID, &a) {
				continue
			}
			n := qname(qu.ID)
			el(n+"_rating", string(a.Rating))
			for _, e := range a.Evidence {
				b.WriteString("<" + n + "_evidence>")
				el("polarity", string(e.Polarity))
				el("text", e.Text)
				el("source", e.Source)
				el("in_scope", map[bool]string{true: "yes", false: "no"}[e.InScope])
				b.WriteString("</" + n + "_evidence>")
			}
			el(n+"_comment", a.Comment)
		}
		var sum survey.SectionSummary
		get(survey.KindSection, s.ID, &sum)
		el(sname(s.ID)+"_rating", string(sum.Rating))
		el(sname(s.ID)+"_comment", sum.Comment)
		b.WriteString("</" + sname(s.ID) + ">")
	}
	var st survey.StatusChange
	get(survey.KindStatus, "", &st)
	el("status", string(st.Status))
	b.WriteString("<meta>")
	el("instanceID", "uuid:"+iv)
	b.WriteString("</meta></data>")
	return []byte(b.String())
}

func gzipped(tb testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkWireBytes reports the bytes per complete DGRA interview of a batch holding 1 or
// 5 interviews, in format 1 and 2, and their ratio to the ODK XML of the same content (raw
// and gzip). bytes/interview is the batch file (what a USB stick carries); upload-bytes the
// body of its upload (gzip-compressed when the server accepts that and it is smaller, as
// sync/client sends it), on which the ratios are computed. HTTP headers are left out on
// both sides (Collect's multipart framing too). One op packs the batch; the figures are
// sizes, not times.
func BenchmarkWireBytes(b *testing.B) {
	q := servertest.DGRA(b)
	for _, format := range []int{batch.FormatVersion1, batch.FormatVersion} {
		for _, edits := range []int{1, 3} {
			for _, per := range []int{1, 5} {
				b.Run(fmt.Sprintf("format=%d/edits=%d/per-batch=%d", format, edits, per), func(b *testing.B) {
					d := servertest.NewDevice(b, "laptop-0042", "assessor42@example.org")
					d.Edits = edits
					rnd := mrand.New(mrand.NewPCG(42, uint64(per)))
					var revs []survey.Revision
					var xmlRaw, xmlGz int
					for i := range per {
						iv := revsOf(b, d, q, i, rnd)
						x := odkXML(b, q, iv)
						xmlRaw += len(x)
						xmlGz += len(gzipped(b, x))
						revs = append(revs, iv...)
					}
					var size, upload int
					for b.Loop() {
						data, _, err := batch.Create(revs, batch.Options{Device: d.ID, Signer: d.Signer, Principal: d.Principal, Sequence: 1, FormatVersion: format})
						if err != nil {
							b.Fatal(err)
						}
						size, upload = len(data), min(len(data), len(gzipped(b, data)))
					}
					per := float64(per)
					b.ReportMetric(float64(size)/per, "bytes/interview")
					b.ReportMetric(float64(upload)/per, "upload-bytes/interview")
					b.ReportMetric(float64(xmlRaw)/per, "odk-xml-bytes/interview")
					b.ReportMetric(float64(upload)/float64(xmlRaw), "x-odk-xml")
					b.ReportMetric(float64(upload)/float64(xmlGz), "x-odk-xml-gzip")
					b.Logf("format %d, %d revisions, %d interviews: batch %d bytes (%.0f/interview), upload %d (%.0f/interview); ODK XML %.0f/interview (gzip %.0f): %.3f× XML, %.3f× XML gzip",
						format, len(revs), int(per), size, float64(size)/per, upload, float64(upload)/per, float64(xmlRaw)/per, float64(xmlGz)/per,
						float64(upload)/float64(xmlRaw), float64(upload)/float64(xmlGz))
				})
			}
		}
	}
}

// words are what varied evidence and comments are made of, so that neither side of the
// comparison gains from the same sentence repeated 37 times (servertest.Interview's text).
var words = strings.Fields(`Quyết định Nghị định Thông tư kế hoạch chuyển đổi số cấp tỉnh huyện xã
dữ liệu mở cổng thông tin dịch vụ công trực tuyến kinh phí nhân lực hạ tầng an toàn thông tin
lãnh đạo ủng hộ triển khai chậm chưa được bố trí đủ đã ban hành năm 2024 2025 Sở Thông tin và
Truyền thông UBND tỉnh cán bộ đào tạo phần mềm cơ sở dữ liệu dân cư đất đai chia sẻ kết nối
leadership strong weak budget not yet approved district follow-through open data portal
staff training interoperability platform pilot regulation draft published in force`)

func sentence(rnd *mrand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = words[rnd.IntN(len(words))]
	}
	return strings.Join(w, " ") + "."
}

// interview returns the revisions of one complete DGRA interview made on d, as
// servertest.Device.Interview makes them (d.Edits revisions a rating answer), but with
// evidence and comments that differ from question to question: the interview, the
// respondent, every rating question (rating, two pieces of evidence of 8–16 words, one
// with a source, a comment of 15–30 words), every section confirmed with a comment, and
// the status completed.
func revsOf(tb testing.TB, d *servertest.Device, q *survey.Questionnaire, i int, rnd *mrand.Rand) []survey.Revision {
	tb.Helper()
	id := fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", i+1)
	now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	var out []survey.Revision
	add := func(tg survey.Target, v any, replaces []string) string {
		d.Counter++
		r, err := survey.NewRevision(tg, v, d.ID, d.Counter, now.Add(time.Duration(d.Counter)*7*time.Second), d.Principal, replaces)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
		return r.ID
	}
	tg := func(k survey.Kind, key string) survey.Target { return survey.Target{Interview: id, Kind: k, Key: key} }
	add(tg(survey.KindInterview, ""), survey.InterviewMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version, Assessor: d.Principal, Device: d.ID}, nil)
	add(tg(survey.KindRespondent, ""), survey.Respondent{Agency: "Sở Thông tin và Truyền thông", Province: "Đà Nẵng",
		Role: "Phó Giám đốc", Category: "provincial-government", Date: "2026-12-01", Place: "Trụ sở Sở", Consent: true}, nil)
	codes := []survey.Code{survey.Red, survey.AmberRed, survey.Amber, survey.AmberGreen, survey.Green}
	for _, qu := range q.Questions() {
		if qu.Type != survey.TypeRating {
			continue
		}
		a := survey.Answer{Rating: codes[rnd.IntN(len(codes))]}
		var h []string
		if d.Edits != 1 {
			h = []string{add(tg(survey.KindAnswer, qu.ID), a, nil)}
		}
		a.Evidence = []survey.Evidence{
			{Polarity: survey.Plus, Text: sentence(rnd, 8+rnd.IntN(9)), Source: "https://vanban.chinhphu.vn/?docid=" + fmt.Sprint(100000+rnd.IntN(900000)), InScope: true},
			{Polarity: survey.Minus, Text: sentence(rnd, 8+rnd.IntN(9)), InScope: true},
		}
		if d.Edits != 1 {
			h = []string{add(tg(survey.KindAnswer, qu.ID), a, h)}
		}
		a.Comment = sentence(rnd, 15+rnd.IntN(16))
		add(tg(survey.KindAnswer, qu.ID), a, h)
	}
	for _, s := range q.Sections {
		add(tg(survey.KindSection, s.ID), survey.SectionSummary{Rating: codes[rnd.IntN(len(codes))], Comment: sentence(rnd, 10)}, nil)
	}
	add(tg(survey.KindStatus, ""), survey.StatusChange{Status: survey.StatusCompleted}, nil)
	return out
}

// TestODKXMLRendering checks the ODK side of BenchmarkWireBytes: well-formed XML holding
// every rating question's rating, evidence and comment, and every section's rating.
func TestODKXMLRendering(t *testing.T) {
	q := servertest.DGRA(t)
	d := servertest.NewDevice(t, "laptop-0042", "assessor42@example.org")
	x := odkXML(t, q, revsOf(t, d, q, 0, mrand.New(mrand.NewPCG(1, 1))))
	counts := map[string]int{}
	dec := xml.NewDecoder(bytes.NewReader(x))
	for {
		tok, err := dec.Token()
		if err != nil {
			if err != io.EOF {
				t.Fatalf("not well-formed: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch n := se.Name.Local; {
			case strings.HasPrefix(n, "q") && strings.HasSuffix(n, "_rating"):
				counts["rating"]++
			case strings.HasSuffix(n, "_evidence"):
				counts["evidence"]++
			case strings.HasPrefix(n, "q") && strings.HasSuffix(n, "_comment"):
				counts["comment"]++
			case strings.HasPrefix(n, "s") && strings.HasSuffix(n, "_rating"):
				counts["section"]++
			case n == "instanceID":
				counts["instanceID"]++
			}
		}
	}
	ratings := 0
	for _, qu := range q.Questions() {
		if qu.Type == survey.TypeRating {
			ratings++
		}
	}
	want := map[string]int{"rating": ratings, "evidence": 2 * ratings, "comment": ratings, "section": len(q.Sections), "instanceID": 1}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%d %s elements, want %d", counts[k], k, n)
		}
	}
	if testing.Verbose() {
		t.Logf("%d bytes: %.1500s…", len(x), x)
	}
}
