package main

import (
	"context"
	"strings"
	"testing"
)

// TestServeStopsCleanlyOnSignal: SIGINT or SIGTERM is how a server is stopped, so serve
// exits 0 once it has shut down cleanly (a service manager takes 130 for a failure), while
// every other command still exits 130 on an interrupt (TestInterruptExitCode).
func TestServeStopsCleanlyOnSignal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the signal has come: serve starts, then shuts down at once
	_, errOut, code := runCLI(t, ctx, "--home", t.TempDir(), "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--log-format", "text")
	if code != exitOK || !strings.Contains(errOut, "msg=stopped") || strings.Contains(errOut, "interrupted") {
		t.Fatalf("exit %d, stderr %q; want 0 after a clean shutdown", code, errOut)
	}
}
