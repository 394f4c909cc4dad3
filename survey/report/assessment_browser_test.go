package report

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// browser returns the path of a Chromium-like browser, or skips the test with what to
// install; under CI=true a missing browser fails the test instead (.ci/run installs
// Debian's chromium). $FIELDSURVEY_CHROMIUM names one explicitly.
func browser(t *testing.T) string {
	t.Helper()
	names := []string{os.Getenv("FIELDSURVEY_CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
	for _, n := range names {
		if n == "" {
			continue
		}
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := "no Chromium found (tried chromium, chromium-browser, google-chrome; or set FIELDSURVEY_CHROMIUM): install Debian's chromium to check the printed HTML report"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// runBrowser runs the browser headless with args and returns its standard output.
func runBrowser(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// pdfPages counts the pages of a PDF: pdfinfo's count when poppler-utils is installed,
// else the page objects in the file.
func pdfPages(t *testing.T, path string) (pages int, size string) {
	t.Helper()
	if bin, err := exec.LookPath("pdfinfo"); err == nil {
		out, err := exec.Command(bin, path).Output()
		if err != nil {
			t.Fatalf("pdfinfo %s: %v", path, err)
		}
		for _, l := range strings.Split(string(out), "\n") {
			k, v, _ := strings.Cut(l, ":")
			switch strings.TrimSpace(k) {
			case "Pages":
				pages, _ = strconv.Atoi(strings.TrimSpace(v))
			case "Page size":
				size = strings.TrimSpace(v)
			}
		}
		return pages, size
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(b, -1)), ""
}

// measureScript, appended to a copy of the page, lays the body out at the width of an A4
// page inside the print margins (210 mm − 2 × 16 mm) and writes, for every table, whether
// it is wider than that and which of its cells have content spilling out of them, as JSON
// into the DOM that --dump-dom prints.
const measureScript = `<style>body { width: 178mm !important; max-width: none !important; margin: 0 !important; padding: 0 !important; }</style>
<script>
const body = document.body.getBoundingClientRect();
const out = [];
document.querySelectorAll("table").forEach((t, i) => {
  const r = t.getBoundingClientRect();
  const cells = [];
  t.querySelectorAll("td, th").forEach(c => {
    if (c.scrollWidth > c.clientWidth + 1) cells.push(c.textContent.slice(0, 40));
    c.querySelectorAll("*").forEach(e => {
      const er = e.getBoundingClientRect(), cr = c.getBoundingClientRect();
      if (er.right > cr.right + 0.5) cells.push(e.textContent.slice(0, 40));
    });
  });
  out.push({i: i, cls: t.className, width: Math.round(r.width), scroll: t.scrollWidth, page: Math.round(body.width), wide: r.right > body.right + 0.5 || t.scrollWidth > Math.ceil(body.width) + 1, overflow: cells});
});
const pre = document.createElement("pre");
pre.id = "measure";
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>
`

// The published HTML report prints on A4 in a real browser: the expected number of pages
// (each section, the key datasets, the action plan and the annex start a page), and no
// table wider than the page and no cell whose content spills out, even with a long
// unbroken URL in a cell.
func TestAssessmentHTMLPrintsOnA4(t *testing.T) {
	bin := browser(t)
	r := buildAssess(t, AssessmentOptions{Lang: "vi"})
	long := "https://data.gov.vn/dataset?id=" + strings.Repeat("A1b2C3d4", 30) // no break opportunity
	r.Datasets[0].Remarks = long
	r.Phases[0].Actions[0].Measure = long
	var h bytes.Buffer
	if err := WriteAssessmentHTML(&h, r); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, h.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "report.pdf")
	runBrowser(t, bin, "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+page)
	pages, size := pdfPages(t, pdf)
	// Title, disclaimer and summary (1); sections 1, 2, 3 (3); key datasets and conclusions
	// (1); action plan (1); annex (2).
	const wantPages = 8
	if pages != wantPages {
		t.Errorf("the printed report has %d pages, want %d", pages, wantPages)
	}
	if size != "" && !strings.Contains(size, "(A4)") {
		t.Errorf("page size %q, want A4", size)
	}

	measured := filepath.Join(dir, "measure.html")
	withScript := strings.Replace(h.String(), "</body>", measureScript+"</body>", 1)
	if err := os.WriteFile(measured, []byte(withScript), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := runBrowser(t, bin, "--dump-dom", "file://"+measured)
	m := regexp.MustCompile(`<pre id="measure">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the measuring script left no result:\n%.2000s", dom)
	}
	var tables []struct {
		I     int    `json:"i"`
		Cls   string `json:"cls"`
		Width int    `json:"width"`
		Page  int    `json:"page"`
		Wide  bool   `json:"wide"`
		// Overflow names the cells whose content spills out of them.
		Overflow []string `json:"overflow"`
	}
	if err := json.Unmarshal([]byte(strings.ReplaceAll(string(m[1]), "&quot;", `"`)), &tables); err != nil {
		t.Fatalf("measure result %s: %v", m[1], err)
	}
	// 3 section tables, the datasets, 2 phases, the interviews and 3 annex tables.
	if len(tables) != 10 {
		t.Errorf("%d tables measured, want 10: %+v", len(tables), tables)
	}
	for _, tb := range tables {
		if tb.Wide {
			t.Errorf("table %d (%s) is %d px wide, wider than the page's %d px", tb.I, tb.Cls, tb.Width, tb.Page)
		}
		if len(tb.Overflow) > 0 {
			t.Errorf("table %d (%s): content spills out of its cells: %q", tb.I, tb.Cls, tb.Overflow)
		}
	}
}
