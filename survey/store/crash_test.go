package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

const crashEnv = "FIELDSURVEY_STORE_CRASH_DB"

// crashCheckpointerEnv makes the crash child open its store with a checkpointer at a few
// pages of log, so that kills land in checkpoints beside the writer and in their last
// step on the writer's connection.
const crashCheckpointerEnv = "FIELDSURVEY_STORE_CRASH_CHECKPOINTER"

// TestCrashDurability kills a writing process with SIGKILL at random moments and checks,
// after each kill, that every revision the process reported as written (after Put or
// Append returned) is in the database, that SQLite's integrity check passes, and that the
// heads and summaries equal a full re-fold of the revisions (Store.Check).
func TestCrashDurability(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL of a child process: not on Windows")
	}
	if os.Getenv(crashEnv) != "" {
		t.Skip("inside the crash child")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "survey.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	reported := map[string]bool{}
	start := time.Now()
	kills := 0
	for round := range 20 {
		if round >= 5 && time.Since(start) > 10*time.Second {
			break // a slow machine: enough rounds to mean something, bounded time
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		if round%2 == 1 {
			cmd.Env = append(cmd.Env, crashCheckpointerEnv+"=1")
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		select {
		case l, ok := <-lines:
			if !ok || l != "ready" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("round %d: child did not start: %q %s", round, l, stderr.String())
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: child did not start in time: %s", round, stderr.String())
		}
		time.Sleep(time.Duration(5+rng.IntN(56)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		kills++
		for l := range lines {
			if strings.HasPrefix(l, "rev ") {
				reported[strings.TrimPrefix(l, "rev ")] = true
			}
		}
		cmd.Wait()

		s, err := Open(path)
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		stored := map[string]bool{}
		err = s.AllRevisions(ctx, func(r survey.Revision) error {
			stored[r.ID] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for id := range reported {
			if !stored[id] {
				t.Fatalf("round %d: revision %s was reported written but is gone", round, shortID(id))
			}
		}
		if err := s.Check(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		s.Close()
	}
	if len(reported) < 20 {
		t.Fatalf("only %d revisions written in %d rounds: the test did not exercise anything", len(reported), kills)
	}
	t.Logf("%d kills, %d revisions reported and found, %s", kills, len(reported), time.Since(start).Round(time.Millisecond))
}

// TestCrashChild is the writing process of TestCrashDurability; it runs only when
// started by it. It writes forever, with Put and with Append (revisions of a remote
// device, some of them concurrent with local edits), and prints each revision id after
// the call that wrote it has returned.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("started only by TestCrashDurability")
	}
	ctx := context.Background()
	var opts []Option
	if os.Getenv(crashCheckpointerEnv) != "" {
		opts = append(opts, WithCheckpointer(16))
	}
	s, err := Open(path, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	report := func(revs ...survey.Revision) {
		var b strings.Builder
		for _, r := range revs {
			b.WriteString("rev " + r.ID + "\n")
		}
		os.Stdout.WriteString(b.String()) // one write: the lines reach the pipe whole
	}
	os.Stdout.WriteString("ready\n")
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), 2))
	remote := &otherDevice{name: fmt.Sprintf("remote-%d", os.Getpid()), now: time.Now()}
	codes := []survey.Code{survey.Red, survey.AmberRed, survey.Amber, survey.AmberGreen, survey.Green}
	by := Author{Device: "dev-child", Principal: "lan"}
	for i := 0; ; i++ {
		iv := fmt.Sprintf("iv-%d", rng.IntN(4))
		key := fmt.Sprintf("%d.%d", 1+rng.IntN(3), 1+rng.IntN(3))
		v := survey.Answer{Rating: codes[rng.IntN(len(codes))], Comment: strings.Repeat("ghi chú ", rng.IntN(20))}
		switch i % 5 {
		case 0:
			revs, err := s.Put(ctx, by,
				survey.Change{Target: tgt(iv, survey.KindInterview, ""), Value: survey.InterviewMeta{Questionnaire: "example", QuestionnaireVersion: "1"}},
				survey.Change{Target: tgt(iv, survey.KindRespondent, ""), Value: survey.Respondent{Agency: fmt.Sprintf("Sở %d", rng.IntN(9)), Province: "Huế"}},
				answer(iv, key, v))
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			report(revs...)
		case 4:
			// A remote edit that may or may not know the latest local one: conflicts.
			var replaces []survey.Revision
			if h, err := s.History(ctx, tgt(iv, survey.KindAnswer, key)); err == nil && len(h) > 0 && rng.IntN(2) == 0 {
				replaces = append(replaces, h[rng.IntN(len(h))])
			}
			r := remote.rev(t, tgt(iv, survey.KindAnswer, key), v, replaces...)
			if _, err := s.Append(ctx, r); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			report(r)
		default:
			revs, err := s.Put(ctx, by, answer(iv, key, v))
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			report(revs...)
		}
	}
}
