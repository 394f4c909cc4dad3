package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptCmds are the custom commands of the scripts (Params.Cmds of TestScripts).
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// waitfile FILE: wait (up to 20 s) until FILE exists and is not empty, such as the
	// address file of a server started in the background.
	"waitfile": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: waitfile FILE")
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			if b, err := os.ReadFile(ts.MkAbs(args[0])); err == nil && len(b) > 0 {
				return
			}
			if time.Now().After(deadline) {
				ts.Fatalf("%s did not appear", args[0])
			}
			time.Sleep(20 * time.Millisecond)
		}
	},
	// glob COUNT PATTERN: exactly COUNT files match PATTERN (filepath.Glob).
	"glob": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: glob COUNT PATTERN")
		}
		m, err := filepath.Glob(ts.MkAbs(args[1]))
		ts.Check(err)
		if fmt.Sprint(len(m)) != args[0] {
			ts.Fatalf("%d files match %s, want %s: %v", len(m), args[1], args[0], m)
		}
	},
	// envfrom VAR REGEXP FILE: set VAR to the first group of the first match of REGEXP in
	// FILE (an id or a token printed by an earlier command and saved with cp stdout).
	"envfrom": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 3 {
			ts.Fatalf("usage: envfrom VAR REGEXP FILE")
		}
		re, err := regexp.Compile(args[1])
		ts.Check(err)
		m := re.FindStringSubmatch(ts.ReadFile(args[2]))
		if len(m) < 2 {
			ts.Fatalf("%s: no match for %s", args[2], args[1])
		}
		ts.Setenv(args[0], strings.TrimSpace(m[1]))
	},
}
