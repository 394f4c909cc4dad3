// Command fieldsurvey is the program assessors, supervisors and administrators run: the
// interview screen, the questionnaire catalog, the interview store's import and export,
// the readiness report, and (through further commands) batches, sync and the server.
//
// It is the only package that reads the configuration (viper) and parses the command line
// (cobra); everything below it receives plain values. Guarantees of the command line:
// data goes to stdout and messages to stderr; every failure exits non-zero with
// "fieldsurvey: error: …" (and often "fieldsurvey: hint: …"); an interrupt exits 130,
// except for a command whose normal way to stop is a signal (serve: it exits 0 once it has
// shut down cleanly); a command that fails on bad input changes nothing. `conflicts` exits 3
// (not an error) when it lists any conflict, so that scripts can test for them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitConflicts   = 3 // conflicts listed some
	exitInterrupted = 130
)

// exitStatus is what a command returns to exit with a status other than 0 without an
// error: it has said everything already (conflicts exits 3 when it lists any).
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// interruptGrace is how long a command may take to stop cleanly after an interrupt (a
// transaction being committed, a file being renamed) before the program exits anyway.
// `serve` raises it (atomically: the signal goroutine reads it) to its shutdown timeout,
// to finish the uploads in flight.
var interruptGrace atomic.Int64

func init() { interruptGrace.Store(int64(3 * time.Second)) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second interrupt ends the program at once
		time.Sleep(time.Duration(interruptGrace.Load()))
		fmt.Fprintln(os.Stderr, "fieldsurvey: interrupted")
		os.Exit(exitInterrupted)
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// stopsOnSignal is the annotation of a command whose normal way to stop is SIGINT or
// SIGTERM (serve, under a service manager): when it returns no error after the signal, it
// stopped cleanly, and the program exits 0 rather than 130; when it returns an error, that
// error is reported as any other.
const stopsOnSignal = "fieldsurvey/stops-on-signal"

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := newGlobals(stdin, stdout, stderr)
	root := newRootCommand(g)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	signalStop := ctx.Err() != nil && cmd != nil && cmd.Annotations[stopsOnSignal] == "true" && !errors.Is(err, errInterrupted)
	switch {
	case signalStop && err == nil:
		return exitOK
	case signalStop:
		printError(stderr, err, g.lang())
		return exitFailure
	case ctx.Err() != nil || errors.Is(err, errInterrupted):
		fmt.Fprintln(stderr, "fieldsurvey: interrupted")
		return exitInterrupted
	case errors.As(err, new(exitStatus)):
		var es exitStatus
		errors.As(err, &es)
		return int(es)
	case err != nil:
		printError(stderr, err, g.lang())
		return exitFailure
	}
	return exitOK
}
