package editlock

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const iv = "0193a5b2-7c1e-7000-8000-000000000001"

func TestSecondWindowIsRefusedAndNamesTheFirst(t *testing.T) {
	dir := Dir(t.TempDir() + "/fieldsurvey.db")
	a, err := Acquire(dir, iv, "fieldsurvey collect")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir, iv, "fieldsurvey collect --accessible")
	var he *HeldError
	if !errors.Is(err, ErrHeld) || !errors.As(err, &he) {
		t.Fatalf("second lock: %v, want ErrHeld", err)
	}
	if he.Holder.PID != os.Getpid() || he.Holder.Program != "fieldsurvey collect" || !strings.Contains(err.Error(), "fieldsurvey collect (process") {
		t.Errorf("holder %+v, message %q", he.Holder, err)
	}
	// Another interview is free.
	b, err := Acquire(dir, "0193a5b2-7c1e-7000-8000-000000000002", "x")
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	a.Release() // twice: harmless
	c, err := Acquire(dir, iv, "y")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	c.Release()
	if _, err := Acquire(dir, "../../etc/passwd", "x"); err == nil {
		t.Error("a path was accepted as an interview id")
	}
}

// TestLockDiesWithItsProcess: a window killed with SIGKILL holds nothing afterwards.
func TestLockDiesWithItsProcess(t *testing.T) {
	if os.Getenv("EDITLOCK_HOLD") != "" {
		// The child: it is killed, so it makes no temporary directory of its own (one would
		// be left behind in /tmp on every run).
		if _, err := Acquire(os.Getenv("EDITLOCK_HOLD"), iv, "child"); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	dir := Dir(t.TempDir() + "/fieldsurvey.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockDiesWithItsProcess$")
	cmd.Env = append(os.Environ(), "EDITLOCK_HOLD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("child did not lock: %q %v", buf, err)
	}
	if _, err := Acquire(dir, iv, "parent"); !errors.Is(err, ErrHeld) {
		t.Fatalf("while the child holds it: %v", err)
	}
	cmd.Process.Kill() // SIGKILL
	cmd.Wait()
	l, err := Acquire(dir, iv, "parent")
	if err != nil {
		t.Fatalf("after the child was killed: %v", err)
	}
	l.Release()
}
