package main

import (
	"bytes"
	"os"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	// tamper FILE OLD NEW: replace the first OLD in FILE with NEW, of the same length (a
	// batch altered after it was signed: the tar stays readable, the signature does not
	// match).
	scriptCmds["tamper"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 3 || len(args[1]) != len(args[2]) {
			ts.Fatalf("usage: tamper FILE OLD NEW (OLD and NEW of the same length)")
		}
		path := ts.MkAbs(args[0])
		data, err := os.ReadFile(path)
		ts.Check(err)
		i := bytes.Index(data, []byte(args[1]))
		if i < 0 {
			ts.Fatalf("%s holds no %q", args[0], args[1])
		}
		copy(data[i:], args[2])
		ts.Check(os.WriteFile(path, data, 0o600))
	}
}
