package tui

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
	"github.com/fieldsurvey/fieldsurvey/tui/storeadapter"
)

// The environment variable that makes the test binary act as a child process of a test.
const childEnv = "FIELDSURVEY_TUI_TEST_CHILD"

func TestMain(m *testing.M) {
	// Screens show local times; tests and golden files use UTC.
	time.Local = time.UTC
	switch os.Getenv(childEnv) {
	case "":
	case "exit":
		// Package initialisation (where Bubble Tea v1 would probe the terminal) is over.
		os.Exit(0)
	case "run":
		os.Exit(childRun())
	default:
		fmt.Fprintf(os.Stderr, "unknown %s=%q\n", childEnv, os.Getenv(childEnv))
		os.Exit(2)
	}
	code := m.Run()
	for _, d := range tmpDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// tmpDirs are removed when the tests and benchmarks end (a benchmark's fixtures outlive
// its rounds).
var tmpDirs []string

func tmpDir() (string, error) {
	d, err := os.MkdirTemp("", "fieldsurvey-tui-bench-")
	if err == nil {
		tmpDirs = append(tmpDirs, d)
	}
	return d, err
}

// childRun runs the real program on the real store named by FIELDSURVEY_TUI_TEST_DB, with
// stdin and stdout as they are (a pipe or a terminal).
func childRun() int {
	path := os.Getenv("FIELDSURVEY_TUI_TEST_DB")
	st, err := store.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	qs, err := questionnaires.Bundled()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	delay, _ := time.ParseDuration(os.Getenv("FIELDSURVEY_TUI_TEST_DELAY"))
	// A clock that moves one second per reading, so that every save shows a new time in the
	// saved mark and the parent can tell saves apart in the output.
	var mu sync.Mutex
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	tick := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t0 = t0.Add(time.Second)
		return t0
	}
	err = Run(context.Background(), Options{Lang: "en", AssessorName: "An", Principal: "an", Device: "dev1", Now: tick,
		Interview: os.Getenv("FIELDSURVEY_TUI_TEST_INTERVIEW"), CommitDelay: delay,
		Input: os.Stdin, Output: os.Stdout}, storeadapter.New(st), catalog(qs))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
