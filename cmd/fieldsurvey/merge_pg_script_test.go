package main

import (
	"net/url"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	// pgpassword VAR URL PASSWORD: URL with PASSWORD as its password, in VAR (the test
	// PostgreSQL trusts every local connection and never asks for it: a script can check
	// that a password given is never printed).
	scriptCmds["pgpassword"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 3 {
			ts.Fatalf("usage: pgpassword VAR URL PASSWORD")
		}
		u, err := url.Parse(args[1])
		ts.Check(err)
		u.User = url.UserPassword(u.User.Username(), args[2])
		ts.Setenv(args[0], u.String())
	}
}
