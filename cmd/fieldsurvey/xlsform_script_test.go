package main

import (
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	// xlsform NAME: copy the workbook NAME from questionnaires/testdata/xlsform (written by
	// the generators in questionnaires/xlsform, go test -update) into the script's folder.
	scriptCmds["xlsform"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: xlsform NAME")
		}
		data, err := os.ReadFile(filepath.Join("..", "..", "questionnaires", "testdata", "xlsform", args[0]))
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
	}
}
