package client_test

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server/servertest"
)

// The cost of convergence: what one sync costs a device that receives what others made.
// Each iteration syncs a fresh copy of the receiving device (its key and enrolment, an
// empty store and cursor), so every iteration brings down the same revisions; the time is
// the whole client.Sync (pack, inbox pages, checks of the server's signatures, the local
// transaction with fsync), the bytes are what crossed the connection both ways (the inbox
// gzip-compressed). The medians of the iterations are reported.

// countingDialer counts the bytes read and written on its connections.
type countingDialer struct{ in, out atomic.Int64 }

func (c *countingDialer) client() *http.Client {
	d := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countedConn{Conn: conn, c: c}, nil
	}}}
}

type countedConn struct {
	net.Conn
	c *countingDialer
}

func (c *countedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.c.in.Add(int64(n))
	return n, err
}

func (c *countedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.c.out.Add(int64(n))
	return n, err
}

// freshCopy makes a new home for device d (same key and enrolment, an empty store).
func freshCopy(b *testing.B, d *device) *device {
	b.Helper()
	home := b.TempDir()
	for _, f := range []string{keys.DeviceKeyFile, client.EnrolmentFile} {
		data, err := os.ReadFile(filepath.Join(d.home, f))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, f), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	st, err := store.Open(filepath.Join(home, "fieldsurvey.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return &device{home: home, id: d.id, principal: d.principal, signer: d.signer, st: st, role: d.role}
}

// measureSyncs syncs a fresh copy of d b.N times and reports the medians: time, bytes
// received and sent, revisions received.
func measureSyncs(b *testing.B, d *device) {
	b.Helper()
	var times []time.Duration
	var in, out []int64
	got := 0
	for b.Loop() {
		b.StopTimer()
		c := freshCopy(b, d)
		cd := &countingDialer{}
		c.http = cd.client()
		b.StartTimer()
		t0 := time.Now()
		res, err := client.Sync(context.Background(), c.opts(nil))
		took := time.Since(t0)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		got = res.Downloaded
		times = append(times, took)
		in = append(in, cd.in.Load())
		out = append(out, cd.out.Load())
		b.StartTimer()
	}
	mt, mi, mo := median(times), median(in), median(out)
	b.ReportMetric(float64(mt.Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(mi), "bytes-in-median")
	b.ReportMetric(float64(mo), "bytes-out-median")
	b.ReportMetric(float64(got), "revisions")
	b.Logf("%d syncs: median %s, %d bytes down and %d up, %d revisions received", len(times), mt.Round(time.Microsecond), mi, mo, got)
}

func median[T int64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// pillar returns 36 revisions of one interview made on d, about one DGRA pillar as the
// screens commit it: the interview and respondent, 11 questions answered in three steps
// (rating, evidence, comment), the status.
func pillar(t testing.TB, d *servertest.Device, q *survey.Questionnaire, iv string, rnd *mrand.Rand) []survey.Revision {
	t.Helper()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tg := func(k survey.Kind, key string) survey.Target { return survey.Target{Interview: iv, Kind: k, Key: key} }
	out := []survey.Revision{
		d.Revision(t, tg(survey.KindInterview, ""), survey.InterviewMeta{Questionnaire: q.ID, QuestionnaireVersion: q.Version, Assessor: d.Principal, Device: d.ID}, now),
		d.Revision(t, tg(survey.KindRespondent, ""), survey.Respondent{Agency: "Sở Thông tin và Truyền thông", Province: "Đà Nẵng", Role: "Phó Giám đốc",
			Category: "provincial-government", Date: "2026-12-01", Place: "Trụ sở Sở", Consent: true}, now),
	}
	codes := []survey.Code{survey.Red, survey.AmberRed, survey.Amber, survey.AmberGreen, survey.Green}
	n := 0
	for _, qu := range q.Questions() {
		if qu.Type != survey.TypeRating || n == 11 {
			continue
		}
		n++
		a := survey.Answer{Rating: codes[rnd.IntN(len(codes))]}
		r1 := d.Revision(t, tg(survey.KindAnswer, qu.ID), a, now)
		a.Evidence = []survey.Evidence{
			{Polarity: survey.Plus, Text: "Quyết định số 749/QĐ-TTg phê duyệt Chương trình Chuyển đổi số quốc gia", Source: "https://vanban.chinhphu.vn", InScope: true},
			{Polarity: survey.Minus, Text: "Kinh phí cho các dự án chuyển đổi số cấp tỉnh chưa được bố trí đủ", InScope: true},
		}
		r2 := d.Revision(t, tg(survey.KindAnswer, qu.ID), a, now, r1.ID)
		a.Comment = "Lãnh đạo tỉnh ủng hộ rõ ràng; việc triển khai ở cấp huyện còn chậm. Strong provincial leadership; district follow-through is slow."
		r3 := d.Revision(t, tg(survey.KindAnswer, qu.ID), a, now, r2.ID)
		out = append(out, r1, r2, r3)
	}
	return append(out, d.Revision(t, tg(survey.KindStatus, ""), survey.StatusChange{Status: survey.StatusCompleted}, now))
}

// BenchmarkSyncBringsDownAnotherLaptopsPillar: laptop B is assigned an interview laptop A
// sent, 36 revisions (one DGRA pillar); B's sync brings them down with the server's
// "submitted".
func BenchmarkSyncBringsDownAnotherLaptopsPillar(b *testing.B) {
	e := servertest.Start(b, "", nil)
	a := servertest.NewDevice(b, "laptop-a", "a@example.org")
	e.Enroll(a)
	revs := pillar(b, a, dgraB(b), ivA, mrand.New(mrand.NewPCG(1, 1)))
	if len(revs) != 36 {
		b.Fatalf("%d revisions, want 36", len(revs))
	}
	data, _ := a.Batch(b, revs)
	if resp, body, err := servertest.Post(http.DefaultClient, e.URL, a, data); err != nil || resp.StatusCode != 200 {
		b.Fatalf("upload: %v %s", err, body)
	}
	lap := newDevice(b, "laptop-b", "b@example.org")
	lap.enroll(b, e, e.URL)
	if err := e.Store.Follow(context.Background(), lap.id, ivA); err != nil {
		b.Fatal(err)
	}
	measureSyncs(b, lap)
}

// BenchmarkSupervisorSync: a supervisor's device (every province) brings down 1,000
// completed DGRA interviews (118 revisions each, as the screens commit them) from a fresh
// store. FIELDSURVEY_BENCH_INTERVIEWS sets another number. Filling the server takes a
// while (not timed).
func BenchmarkSupervisorSync(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("FIELDSURVEY_BENCH_INTERVIEWS")); err == nil && v > 0 {
		n = v
	}
	e := servertest.Start(b, "", nil)
	{
		q := dgraB(b)
		const perLaptop, perBatch = 50, 10
		for l := 0; l*perLaptop < n; l++ {
			d := servertest.NewDevice(b, fmt.Sprintf("laptop-%03d", l), fmt.Sprintf("assessor%d@example.org", l))
			e.Enroll(d)
			rnd := mrand.New(mrand.NewPCG(uint64(l), 7))
			for k := l * perLaptop; k < min(n, (l+1)*perLaptop); k += perBatch {
				var revs []survey.Revision
				for j := k; j < min(n, k+perBatch, (l+1)*perLaptop); j++ {
					revs = append(revs, d.Interview(b, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%012d", j), time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), rnd)...)
				}
				data, _ := d.Batch(b, revs)
				if resp, body, err := servertest.Post(http.DefaultClient, e.URL, d, data); err != nil || resp.StatusCode != 200 {
					b.Fatalf("upload: %v %s", err, body)
				}
			}
		}
	}
	sup := newDevice(b, "supervisor-1", "supervisor@example.org")
	sup.role = survey.RoleSupervisor
	sup.enroll(b, e, e.URL)
	measureSyncs(b, sup)
}

var dgraOnce struct {
	sync.Once
	q *survey.Questionnaire
}

func dgraB(b testing.TB) *survey.Questionnaire {
	dgraOnce.Do(func() { dgraOnce.q = servertest.DGRA(b) })
	return dgraOnce.q
}
