package server_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serveProc is a `fieldsurvey serve` process the load test uploads to, so that the figure
// is taken against the real server binary (its own process: its CPU time is the server's
// alone, the devices' side of HTTP not included).
type serveProc struct {
	cmd  *exec.Cmd
	url  string
	logs string
}

// serveBinary returns the fieldsurvey binary FIELDSURVEY_LOAD_SERVE names: a path, or
// "build" to build it from this module into a temporary folder.
func serveBinary(t testing.TB, v string) string {
	t.Helper()
	if v != "build" {
		return v
	}
	bin := filepath.Join(t.TempDir(), "fieldsurvey")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/fieldsurvey/fieldsurvey/cmd/fieldsurvey").CombinedOutput()
	if err != nil {
		t.Fatalf("build fieldsurvey: %v\n%s", err, out)
	}
	return bin
}

// startServe runs `bin serve --data dir` on a free loopback port and waits until it listens.
func startServe(t testing.TB, bin, dir string) *serveProc {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	logs := filepath.Join(t.TempDir(), "serve.log")
	lf, err := os.Create(logs)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	cmd := exec.Command(bin, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--addr-file", addrFile, "--log-format", "text")
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.Env = append(os.Environ(), "FIELDSURVEY_HOME="+t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, logs: logs}
	t.Cleanup(func() { p.stop(t) })
	for deadline := time.Now().Add(30 * time.Second); ; {
		if b, err := os.ReadFile(addrFile); err == nil && strings.HasSuffix(string(b), "\n") {
			p.url = "http://" + strings.TrimSpace(string(b))
			return p
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logs)
			t.Fatalf("fieldsurvey serve did not start listening in 30 s:\n%s", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the process as an administrator does (SIGTERM: uploads in flight finish) and
// waits for it; a second call does nothing.
func (p *serveProc) stop(t testing.TB) {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		b, _ := os.ReadFile(p.logs)
		t.Errorf("fieldsurvey serve: %v\n%s", err, b)
	}
}
