// Package noprobe keeps Bubble Tea v1 from querying the terminal while a program starts.
//
// Bubble Tea v1 calls lipgloss.HasDarkBackground from a package init function
// (bubbletea/tea_init.go). On a terminal that is a real TTY, that writes an OSC 11
// background-colour query and a cursor-position request to stdout and waits up to five
// seconds (termenv.OSCTimeout) for an answer. Every process that links Bubble Tea pays it,
// including `fieldsurvey report` and `fieldsurvey --help`; on a pseudo-terminal that never
// answers, each command stalls for five seconds and the query bytes land in its output.
//
// Go initialises packages in import-path order among those whose imports are ready
// (Go spec, "Package initialization"). This package imports only the standard library, so it
// is initialised before termenv, lipgloss and bubbletea (which wait for golang.org/x/sys).
// Its init sets CI=1 for the duration of package initialisation: termenv treats output as
// "not a terminal" under CI and skips the query, so lipgloss caches a background guess
// without touching the terminal. Restore, called from the init of a package that imports
// Bubble Tea (package tui), puts the environment back as it was before main runs.
//
// The guarantee: no fieldsurvey command writes a terminal query at start-up. The TUI decides
// dark or light from configuration or COLORFGBG instead (see package styles). Setting
// FIELDSURVEY_TERMINAL_PROBE=1 turns the guard off (for the test that proves it is needed).
package noprobe

import "os"

const ciVar = "CI"

// set reports whether init set CI (and Restore must unset it).
var set bool

func init() {
	if os.Getenv("FIELDSURVEY_TERMINAL_PROBE") == "1" {
		return
	}
	if _, ok := os.LookupEnv(ciVar); ok {
		return
	}
	if os.Setenv(ciVar, "1") == nil {
		set = true
	}
}

// Restore undoes what init did to the environment. It is safe to call more than once.
func Restore() {
	if set {
		os.Unsetenv(ciVar)
		set = false
	}
}

// Active reports whether the guard is still holding CI set (before Restore).
func Active() bool { return set }
