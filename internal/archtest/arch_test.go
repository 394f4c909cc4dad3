package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func deps(t *testing.T, pkgs ...string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range pkgs {
		cmd := exec.Command("go", append([]string{"list", "-deps", "-f", "{{.ImportPath}}"}, p)...)
		cmd.Dir = "../.."
		b, err := cmd.Output()
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok && strings.Contains(string(ee.Stderr), "matched no packages") {
				continue
			}
			t.Fatalf("go list -deps %s: %v", p, err)
		}
		out[p] = strings.Fields(string(b))
	}
	return out
}

func forbid(t *testing.T, pkg string, list []string, bad ...string) {
	t.Helper()
	for _, d := range list {
		for _, b := range bad {
			if d == b || (b != "net" && strings.HasPrefix(d, b+"/")) {
				t.Errorf("%s must not depend on %s (it does, through %s)", pkg, b, d)
			}
		}
	}
}

func TestDomainIsPure(t *testing.T) {
	for p, list := range deps(t, "./survey", "./survey/report") {
		// net/url and net/netip are parsers that html/template needs; "net" itself (sockets)
		// and net/http are what the domain must never reach.
		forbid(t, p, list, "database/sql", "net", "net/http", "os/exec",
			"modernc.org/sqlite", "github.com/charmbracelet/lipgloss", "github.com/charmbracelet/bubbletea",
			"github.com/spf13/viper", "github.com/spf13/cobra", "github.com/fieldsurvey/fieldsurvey/survey/store",
			"github.com/fieldsurvey/fieldsurvey/tui", "github.com/fieldsurvey/fieldsurvey/sync")
	}
}

// TestXLSXWriterStaysAWriter: the xlsx writer sits apart from survey/report because the
// excelize library links net/http (to sniff image types); that is the only way it may
// differ from the domain: no store, no SQL, no UI, no sync, no viper.
func TestXLSXWriterStaysAWriter(t *testing.T) {
	for p, list := range deps(t, "./survey/report/xlsx") {
		forbid(t, p, list, "database/sql", "os/exec", "modernc.org/sqlite",
			"github.com/charmbracelet/lipgloss", "github.com/charmbracelet/bubbletea",
			"github.com/spf13/viper", "github.com/spf13/cobra", "github.com/fieldsurvey/fieldsurvey/survey/store",
			"github.com/fieldsurvey/fieldsurvey/tui", "github.com/fieldsurvey/fieldsurvey/sync")
	}
}

func TestOnlyCmdUsesViper(t *testing.T) {
	for p, list := range deps(t, "./survey/...", "./sync/...", "./tui/...", "./questionnaires/...") {
		forbid(t, p, list, "github.com/spf13/viper")
	}
}

func TestTUIHasNoSQL(t *testing.T) {
	for p, list := range deps(t, "./tui", "./tui/accessible", "./tui/session", "./tui/desk") {
		// database/sql/driver holds only the Valuer/Scanner interfaces, which lipgloss (through
		// go-colorful) and google/uuid implement; the SQL package itself must stay out.
		list = slices.DeleteFunc(list, func(d string) bool { return d == "database/sql/driver" })
		forbid(t, p, list, "database/sql", "modernc.org/sqlite", "github.com/fieldsurvey/fieldsurvey/survey/store")
	}
}
