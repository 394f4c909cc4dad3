package main

import (
	"os"
	"path/filepath"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	// cutfile PATTERN N OUT: write the first N bytes of the one file matching PATTERN to OUT
	// (a batch cut short on its way: a USB stick pulled out, a download interrupted).
	scriptCmds["cutfile"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 3 {
			ts.Fatalf("usage: cutfile PATTERN N OUT")
		}
		m, err := filepath.Glob(ts.MkAbs(args[0]))
		ts.Check(err)
		if len(m) != 1 {
			ts.Fatalf("%d files match %s, want 1", len(m), args[0])
		}
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		data, err := os.ReadFile(m[0])
		ts.Check(err)
		if n >= len(data) {
			ts.Fatalf("%s has %d bytes: nothing to cut at %d", m[0], len(data), n)
		}
		ts.Check(os.WriteFile(ts.MkAbs(args[2]), data[:n], 0o600))
	}
}
