package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/fieldsurvey/fieldsurvey/sync/server/faultproxy"
)

// scriptCondition answers the scripts' own conditions: [postgres] holds when
// FIELDSURVEY_TEST_POSTGRES names a test PostgreSQL server; under CI=true its absence is an
// error (CI must run the PostgreSQL scripts).
func scriptCondition(cond string) (bool, error) {
	switch cond {
	case "postgres":
		if os.Getenv("FIELDSURVEY_TEST_POSTGRES") != "" {
			return true, nil
		}
		if os.Getenv("CI") == "true" {
			return false, errors.New("FIELDSURVEY_TEST_POSTGRES is not set: CI must run the PostgreSQL scripts (.ci/run starts a server with .ci/postgres)")
		}
		return false, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// The scripts' commands for several server nodes on PostgreSQL.
func init() {
	// pgdb VAR: a new database on the test PostgreSQL server (FIELDSURVEY_TEST_POSTGRES),
	// dropped when the script ends; its URL in VAR. Guard the script with [!postgres] skip.
	scriptCmds["pgdb"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: pgdb VAR")
		}
		base := os.Getenv("FIELDSURVEY_TEST_POSTGRES")
		if base == "" {
			ts.Fatalf("FIELDSURVEY_TEST_POSTGRES is not set (guard the script with [!postgres] skip)")
		}
		ctx := context.Background()
		b := make([]byte, 6)
		rand.Read(b)
		name := "fieldsurvey_script_" + hex.EncodeToString(b)
		conn, err := pgx.Connect(ctx, base)
		ts.Check(err)
		_, err = conn.Exec(ctx, `CREATE DATABASE `+name)
		conn.Close(ctx)
		ts.Check(err)
		ts.Defer(func() {
			if conn, err := pgx.Connect(ctx, base); err == nil {
				conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
				conn.Close(ctx)
			}
		})
		u, err := url.Parse(base)
		ts.Check(err)
		u.Path = "/" + name
		ts.Setenv(args[0], u.String())
	}
	// faultproxy VAR ADDRFILE N,N…: a proxy (sync/server/faultproxy) in front of the address
	// written in ADDRFILE, its URL in VAR; the connections numbered N (from 0) have their
	// response cut after the request reached the server (the device never sees the
	// receipt), the others pass.
	scriptCmds["faultproxy"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 3 {
			ts.Fatalf("usage: faultproxy VAR ADDRFILE N,N…")
		}
		var cuts []int
		for _, f := range strings.Split(args[2], ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			ts.Check(err)
			cuts = append(cuts, n)
		}
		addr := strings.TrimSpace(ts.ReadFile(args[1]))
		p, err := faultproxy.New(addr, func(n int) faultproxy.Fault {
			if slices.Contains(cuts, n) {
				return faultproxy.Fault{Kind: faultproxy.CutResponse, Bytes: 10}
			}
			return faultproxy.Fault{Kind: faultproxy.Pass}
		})
		ts.Check(err)
		ts.Defer(func() { p.Close() })
		ts.Setenv(args[0], p.URL())
	}
}
