//go:build linux

package tui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
	"github.com/fieldsurvey/fieldsurvey/tui/storeadapter"
)

// childCmd re-runs the test binary as a child in the given mode.
func childCmd(t *testing.T, mode string, env ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "CI", "TERM", "TMUX", "COLORFGBG", "NO_COLOR", "COLORTERM", childEnv, "FIELDSURVEY_TERMINAL_PROBE":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, childEnv+"="+mode)
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// output collects what a child writes, safely for concurrent reads.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor waits until cond holds for the output so far.
func (o *output) waitFor(t *testing.T, what string, cond func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond(o.String()) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("child never showed %s; output:\n%q", what, tail(o.String(), 3000))
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// openPTY returns a new pseudo-terminal pair. Nothing ever answers on the master side: it
// is a terminal that never replies to queries.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(m.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// startOnPTY starts cmd as the foreground process of a new session on a terminal that never
// answers, TERM=xterm-256color: the setting in which Bubble Tea v1 and termenv send their
// OSC 11 query and wait five seconds for a reply.
func startOnPTY(t *testing.T, cmd *exec.Cmd) (*os.File, *output) {
	t.Helper()
	m, s := openPTY(t)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
	cmd.Env = append(cmd.Env, "TERM=xterm-256color")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	out := &output{}
	go io.Copy(out, m) // read, never reply
	return m, out
}

// TestNoTerminalQueryAtStart: a program that links the screens starts at once on a
// terminal that never answers, and sends it no query. (Without tui/internal/noprobe, Bubble
// Tea's init sends OSC 11 and waits 5 s here; FIELDSURVEY_TERMINAL_PROBE=1 shows it.)
func TestNoTerminalQueryAtStart(t *testing.T) {
	cmd := childCmd(t, "exit")
	start := time.Now()
	_, out := startOnPTY(t, cmd)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%q", err, out.String())
	}
	took := time.Since(start)
	time.Sleep(50 * time.Millisecond)
	if strings.Contains(out.String(), "\x1b]11;?") || strings.Contains(out.String(), "\x1b[6n") {
		t.Fatalf("the terminal was queried at start: %q", out.String())
	}
	if took > 2*time.Second {
		t.Fatalf("start took %v: something waited for the terminal", took)
	}
	t.Logf("start and exit on a silent terminal: %v", took)
}

// TestScreensStartWithoutQueryingTheTerminal runs the whole program on a silent terminal:
// the first screen appears at once and no query is sent, then q quits.
func TestScreensStartWithoutQueryingTheTerminal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fieldsurvey.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	cmd := childCmd(t, "run", "FIELDSURVEY_TUI_TEST_DB="+path)
	start := time.Now()
	m, out := startOnPTY(t, cmd)
	out.waitFor(t, "the home screen", func(s string) bool { return strings.Contains(s, "Press n to start one") })
	first := time.Since(start)
	if _, err := m.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("child: %v\n%q", err, tail(out.String(), 2000))
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("q did not quit")
	}
	if strings.Contains(out.String(), "\x1b]11;?") || strings.Contains(out.String(), "\x1b]10;?") {
		t.Fatalf("the terminal was queried: %q", tail(out.String(), 2000))
	}
	if first > 2*time.Second {
		t.Fatalf("first screen after %v", first)
	}
	t.Logf("first screen on a silent terminal after %v", first)
}

// TestKillLosesNothingShownAsSaved types answers and text into the real program on a real
// store, waits until the screen shows each as saved, kills the program with SIGKILL, and
// checks that the store has everything that was shown as saved.
func TestKillLosesNothingShownAsSaved(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	rounds := []struct {
		rating   string
		code     survey.Code
		saved    string // typed, then waited for until shown saved
		unsaved  string // typed just before the kill: may or may not survive
		evidence string
	}{
		{"3", survey.Amber, "Có khung nhưng chưa đủ", " và chưa", "Luật An ninh mạng 2018"},
		{"5", survey.Green, "Đã có Nghị định 13/2023", "", "Nghị định 13/2023/NĐ-CP"},
		{"2", survey.AmberRed, "Thiếu nhân lực; ưu tiên đào tạo", " thêm", "Kế hoạch 2025"},
	}
	for i, r := range rounds {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "fieldsurvey.db")
			st, err := store.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			w := &session.Writer{Store: storeadapter.New(st), Author: session.Author{Device: "dev1", Principal: "an"}, Assessor: "An"}
			id, err := w.Create(context.Background(), questionnaire(t, "dgra-2018"), survey.Respondent{
				Agency: "Sở Thông tin và Truyền thông", Province: "Đà Nẵng", Consent: true})
			if err != nil {
				t.Fatal(err)
			}
			st.Close()

			cmd := childCmd(t, "run", "FIELDSURVEY_TUI_TEST_DB="+path, "FIELDSURVEY_TUI_TEST_INTERVIEW="+id,
				"FIELDSURVEY_TUI_TEST_DELAY=300ms")
			in, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			out := &output{}
			cmd.Stdout = out
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			// The child's clock moves a second per reading: every completed save shows a
			// saved mark with a time not seen before.
			saves := func(s string) int {
				return len(uniq(savedMark.FindAllString(s, -1)))
			}
			typeIn := func(s string) {
				if _, err := io.WriteString(in, s); err != nil {
					t.Fatal(err)
				}
			}
			out.waitFor(t, "question 1.1", func(s string) bool { return strings.Contains(s, "question 1.1") })

			// A choice: saved at once.
			n := saves(out.String())
			typeIn(r.rating)
			out.waitFor(t, "the rating saved", func(s string) bool {
				return strings.Contains(s, "["+r.rating+" ") && saves(s) > n
			})
			// Evidence, typed in the editor (keys arriving together, as from a fast typist or
			// an input method) and closed with esc: saved when it closes.
			typeIn("ea" + r.evidence)
			out.waitFor(t, "the evidence text", func(s string) bool { return strings.Contains(s, lastWord(r.evidence)) })
			n = saves(out.String())
			typeIn("\x1b")
			out.waitFor(t, "the evidence saved", func(s string) bool {
				return strings.Contains(s, "+ "+r.evidence) && saves(s) > n
			})
			// Text in the comment: unsaved while typing, saved after the pause.
			typeIn("c")
			n = saves(out.String())
			typeIn(r.saved)
			out.waitFor(t, "the comment marked unsaved", func(s string) bool {
				i := strings.LastIndex(s, "● unsaved")
				return i >= 0 && saves(s[:i]) >= n
			})
			out.waitFor(t, "the comment saved", func(s string) bool { return saves(s) > n })
			typeIn(r.unsaved)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()

			st, err = store.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			state, err := st.Interview(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			a := state.Answers["1.1"]
			if a.Rating != r.code {
				t.Errorf("rating %q, want %q (shown as saved)", a.Rating, r.code)
			}
			if len(a.Evidence) != 1 || a.Evidence[0].Text != r.evidence || a.Evidence[0].Polarity != survey.Plus {
				t.Errorf("evidence %+v, want %q (shown as saved)", a.Evidence, r.evidence)
			}
			if a.Comment != r.saved && a.Comment != r.saved+r.unsaved {
				t.Errorf("comment %q, want %q (shown as saved)", a.Comment, r.saved)
			}
			if t.Failed() {
				t.Logf("child output tail: %q\nstderr: %s", tail(out.String(), 1500), stderr.String())
			}
		})
	}
}

var savedMark = regexp.MustCompile(`✓ saved \d\d:\d\d:\d\d`)

func uniq(l []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range l {
		m[s] = true
	}
	return m
}

func lastWord(s string) string {
	f := strings.Fields(s)
	return f[len(f)-1]
}
