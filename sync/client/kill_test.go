package client_test

import (
	"bufio"
	"context"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/sync/client"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
)

const serverProcessEnv = "FIELDSURVEY_TEST_SERVER_PROCESS"

// TestServerProcess is not a test: it is the server process TestServerKilledMidSync starts
// (and kills with SIGKILL). It serves the data folder and address given in the environment.
func TestServerProcess(t *testing.T) {
	spec := os.Getenv(serverProcessEnv)
	if spec == "" {
		t.Skip("helper process for TestServerKilledMidSync")
	}
	dir, addr, _ := strings.Cut(spec, "|")
	key, _, err := server.LoadOrCreateKey(dir)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	st, err := server.OpenSQLite(dir)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	known, _ := server.BundledKnown()
	srv, err := server.New(server.Config{Store: st, Key: key, Known: known})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ready", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	srv.Serve(ctx, ln, "", "")
	os.Exit(0)
}

type serverProcess struct {
	cmd  *exec.Cmd
	addr string
}

func startServerProcess(t *testing.T, dir, addr string) *serverProcess {
	t.Helper()
	for i := 0; ; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestServerProcess$", "-test.timeout=5m")
		cmd.Env = append(os.Environ(), serverProcessEnv+"="+dir+"|"+addr)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if a, ok := strings.CutPrefix(strings.TrimSpace(line), "ready "); ok {
			return &serverProcess{cmd: cmd, addr: a}
		}
		cmd.Process.Kill()
		cmd.Wait()
		if i > 50 {
			t.Fatalf("server process did not start: %q", line)
		}
		time.Sleep(50 * time.Millisecond) // the killed process's port is being released
	}
}

func (p *serverProcess) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

// TestServerKilledMidSync kills the server process with SIGKILL at random moments while a
// device syncs, restarts it on the same data, and checks after the last sync that every
// revision is on the server exactly once and the outbox is empty.
func TestServerKilledMidSync(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	dir := t.TempDir()
	p := startServerProcess(t, dir, "127.0.0.1:0")
	url := "http://" + p.addr
	// Enrol through a short-lived in-process handle on the same data.
	st, err := server.OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	key, _, _ := server.LoadOrCreateKey(dir)
	tok, _, err := server.IssueToken(context.Background(), st, key, "An", time.Hour)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	d := newDevice(t, "laptop-an", "an@example.org")
	if _, err := client.Enroll(context.Background(), client.EnrollOptions{Home: d.home, URL: url, Token: tok.String(), Device: d.id, Principal: d.principal, Signer: d.signer}); err != nil {
		t.Fatal(err)
	}
	q := dgra(t)
	rnd := mrand.New(mrand.NewPCG(11, 11))
	batches, kills, cut := 0, 0, 0
	var sentBefore []int // batches each cut sync got through
	for round := 0; round < 6; round++ {
		for i := 0; i < 2; i++ {
			d.interview(t, q, fmt.Sprintf("0193a5b2-7c1e-7000-8000-%06d%06d", round, i), rnd)
			if _, err := d.pack(context.Background()); err != nil {
				t.Fatal(err)
			}
			batches++
		}
		done := make(chan error, 1)
		go func() {
			o := d.opts(nil)
			o.Retry = client.Retry{Attempts: 2, Base: time.Millisecond, Max: 2 * time.Millisecond}
			res, err := client.Sync(context.Background(), o)
			sentBefore = append(sentBefore, len(res.Sent))
			done <- err
		}()
		time.Sleep(time.Duration(rnd.IntN(25)) * time.Millisecond)
		p.kill()
		kills++
		if err := <-done; err != nil { // the sync ends: finished before the kill, or gave up
			cut++
		}
		p = startServerProcess(t, dir, p.addr)
	}
	if _, err := client.Sync(context.Background(), d.opts(nil)); err != nil {
		t.Fatal(err)
	}
	p.kill()
	st, err = server.OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	assertAllOnce(t, d, st, batches)
	t.Logf("%d batches, %d kills, %d syncs cut short, batches sent by each before the kill: %v", batches, kills, cut, sentBefore)
	if cut == 0 {
		t.Fatal("no kill happened during a sync")
	}
}
