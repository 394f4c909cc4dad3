package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// runCLI runs the command line in-process and returns what it printed and its exit code.
func runCLI(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(ctx, args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// TestBundledQuestionnaires checks what `questionnaire list --json` says of the bundled
// instruments: DGRA 2018 has 7 pillars; ODRA 3.1 has 8 dimensions, and every question has
// an importance label except 1.5.
func TestBundledQuestionnaires(t *testing.T) {
	out, errOut, code := runCLI(t, context.Background(), "--home", t.TempDir(), "questionnaire", "list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var list []questionnaireInfo
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	byID := map[string]questionnaireInfo{}
	for _, q := range list {
		byID[q.ID] = q
		n := 0
		for _, s := range q.Outline {
			if s.Questions != len(s.Items) {
				t.Errorf("%s section %s: count %d, %d items", q.ID, s.ID, s.Questions, len(s.Items))
			}
			n += len(s.Items)
		}
		if n != q.Questions {
			t.Errorf("%s: %d questions counted, %d listed", q.ID, q.Questions, n)
		}
	}
	dgra, ok := byID["dgra-2018"]
	if !ok || dgra.Sections != 7 || dgra.Source != "bundled" {
		t.Errorf("dgra-2018: %+v", dgra)
	}
	odra, ok := byID["odra-3.1"]
	if !ok || odra.Sections != 8 {
		t.Fatalf("odra-3.1: %+v", odra)
	}
	// The questions per dimension of the ODRA 3.1 reference (/work/shared/instrument/odra-3.1.md):
	// 1.1–1.5, 2.1–2.6, 3.1–3.8, 4.1–4.7, 5.1–5.4, 6.1–6.5, 7.1–7.4, 8.1–8.4; dimension 4
	// also holds the key datasets table (roster 4.K), which is not a numbered question.
	want := []int{5, 6, 8, 7, 4, 5, 4, 4}
	var unlabelled, rosters []string
	for i, s := range odra.Outline {
		numbered := 0
		for _, qi := range s.Items {
			if qi.Type == string(survey.TypeRoster) {
				rosters = append(rosters, qi.ID)
			} else {
				numbered++
			}
		}
		if numbered != want[i] {
			t.Errorf("odra-3.1 dimension %s has %d questions, the reference lists %d", s.ID, numbered, want[i])
		}
		if s.Importance == "" {
			t.Errorf("odra-3.1 dimension %s has no importance", s.ID)
		}
		for _, qi := range s.Items {
			if qi.Type == string(survey.TypeRoster) {
				continue
			}
			if qi.Importance == "" {
				unlabelled = append(unlabelled, qi.ID)
			} else if !survey.Importance(qi.Importance).Valid() {
				t.Errorf("odra-3.1 %s: unknown importance %q", qi.ID, qi.Importance)
			}
		}
	}
	if !reflect.DeepEqual(unlabelled, []string{"1.5"}) {
		t.Errorf("odra-3.1 questions without importance: %v, want only 1.5", unlabelled)
	}
	if !reflect.DeepEqual(rosters, []string{"4.K"}) {
		t.Errorf("odra-3.1 rosters: %v, want the key datasets 4.K", rosters)
	}
}

// TestConfigPrecedence: config.yaml < FIELDSURVEY_* environment < flags, for every kind of
// value (string, nested key, list, duration).
func TestConfigPrecedence(t *testing.T) {
	home := t.TempDir()
	file := `assessor:
  name: "From File"
language: en
device: "00000000000000ff"
recipients: [age1file]
sync:
  interval: 1m
`
	if err := os.WriteFile(filepath.Join(home, "config.yaml"), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	show := func(args ...string) configShow {
		t.Helper()
		out, errOut, code := runCLI(t, context.Background(), append([]string{"--home", home}, append(args, "config", "show", "--json")...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var s configShow
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, k := range configKeys {
		t.Setenv(envName(k.key), "") // an empty variable counts as unset
	}

	s := show()
	if s.Config.Language != "en" || s.Config.Assessor.Name != "From File" || s.Config.Device != "00000000000000ff" ||
		!reflect.DeepEqual(s.Config.Recipients, []string{"age1file"}) || s.Config.Sync.Interval != time.Minute {
		t.Fatalf("file values not applied: %+v", s.Config)
	}
	if s.Config.Color != "auto" || s.Config.Questionnaire != "dgra-2018" || s.Sources["color"] != "default" {
		t.Fatalf("defaults not applied: %+v %v", s.Config, s.Sources)
	}

	t.Setenv("FIELDSURVEY_LANGUAGE", "vi")
	t.Setenv("FIELDSURVEY_ASSESSOR_NAME", "From Env")
	t.Setenv("FIELDSURVEY_RECIPIENTS", "age1env1,age1env2")
	t.Setenv("FIELDSURVEY_SYNC_INTERVAL", "2h")
	t.Setenv("FIELDSURVEY_SERVER_URL", "https://hub.example.org") // not in the file: the default is overridden
	s = show()
	if s.Config.Language != "vi" || s.Config.Assessor.Name != "From Env" ||
		!reflect.DeepEqual(s.Config.Recipients, []string{"age1env1", "age1env2"}) ||
		s.Config.Sync.Interval != 2*time.Hour || s.Config.Server.URL != "https://hub.example.org" {
		t.Fatalf("environment does not override the file: %+v", s.Config)
	}
	if s.Sources["language"] != "env FIELDSURVEY_LANGUAGE" || s.Sources["device"] != "file" {
		t.Fatalf("sources: %v", s.Sources)
	}

	s = show("--lang", "en")
	if s.Config.Language != "en" || s.Sources["language"] != "flag --lang" {
		t.Fatalf("flag does not override the environment: %q from %q", s.Config.Language, s.Sources["language"])
	}
	if s.Config.Assessor.Name != "From Env" {
		t.Fatalf("a flag for one key changed another: %+v", s.Config)
	}
}

// TestConfigTemplateRoundTrip: the template written by config init reads back as the values
// it was written from, every key included.
func TestConfigTemplateRoundTrip(t *testing.T) {
	c := Config{
		Assessor: AssessorConfig{Name: `Nguyễn "An"`, Principal: "an@example.org"}, Role: "supervisor",
		Language: "en", Device: "0123456789abcdef", Color: "never", Questionnaire: "odra-3.1",
		Server: ServerConfig{URL: "https://hub.example.org"}, Recipients: []string{"age1a", "age1b"},
		Sync: SyncConfig{Interval: 90 * time.Second},
	}
	if got, want := len(configValues(c)), len(configKeys); got != want {
		t.Fatalf("configValues has %d keys, configKeys %d", got, want)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, configTemplate(c), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := fileConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("read back %+v\nwant %+v", got, c)
	}
	tmpl := string(configTemplate(defaultConfig()))
	for _, k := range configKeys {
		if !strings.Contains(tmpl, "# "+k.help.Get("en")+"\n") || !strings.Contains(tmpl, "# "+k.help.Get("vi")+"\n") {
			t.Errorf("template does not explain %s", k.key)
		}
	}
}

// TestStylerDoesNotQueryTerminal: colouring a report must never send a terminal query (a
// terminal that never answers would stall the command). The renderer's output is a pipe
// that termenv is told is a terminal; a query would be written into the pipe.
func TestStylerDoesNotQueryTerminal(t *testing.T) {
	t.Setenv("TERM", "xterm-256color") // termenv does not query screen, tmux or dumb terminals
	queries := func(ren *lipgloss.Renderer, use func(*lipgloss.Renderer)) string {
		t.Helper()
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		ren.SetOutput(termenv.NewOutput(w, termenv.WithUnsafe(), termenv.WithProfile(termenv.ANSI256)))
		use(ren)
		w.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	var styled string
	sent := queries(newRenderer(io.Discard), func(ren *lipgloss.Renderer) {
		styled = newStyler(ren)(survey.Amber, "●●●○○ Amber")
		ren.HasDarkBackground() // what an AdaptiveColor would ask
	})
	if sent != "" {
		t.Fatalf("styling sent %q to the terminal", sent)
	}
	if !strings.Contains(styled, "\x1b[") || !strings.Contains(styled, "●●●○○ Amber") {
		t.Fatalf("styled rating %q has no colour or lost its label", styled)
	}
	if plain := newStyler(newRenderer(io.Discard))(survey.NotAssessed, "– Not assessed"); plain != "– Not assessed" {
		t.Fatalf("uncounted rating styled: %q", plain)
	}

	// The check can fail: a renderer left to detect the background queries the terminal.
	sent = queries(lipgloss.NewRenderer(io.Discard), func(ren *lipgloss.Renderer) { ren.HasDarkBackground() })
	if !strings.Contains(sent, "\x1b]11;?") {
		t.Fatalf("the control renderer sent %q, expected a background colour query", sent)
	}
}

// TestInterruptExitCode: a command whose context is cancelled (SIGINT) exits 130.
func TestInterruptExitCode(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, errOut, code := runCLI(t, ctx, "--home", t.TempDir(), "interview", "list")
	if code != exitInterrupted || !strings.Contains(errOut, "interrupted") {
		t.Fatalf("exit %d, stderr %q; want 130 and a message", code, errOut)
	}
}

// TestEveryCommandHasHelpAndExample walks the command tree.
func TestEveryCommandHasHelpAndExample(t *testing.T) {
	g := newGlobals(strings.NewReader(""), io.Discard, io.Discard)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Name() == "help" || c.Name() == "completion" {
			return
		}
		if c.Short == "" || c.Example == "" {
			t.Errorf("%s: Short %q, Example %q", c.CommandPath(), c.Short, c.Example)
		}
		if !strings.Contains(c.Short, " · ") {
			t.Errorf("%s: Short is not in English and Vietnamese: %q", c.CommandPath(), c.Short)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCommand(g))
}

func TestShortIDs(t *testing.T) {
	ids := []string{
		"0193a5b2-7c1e-7000-8000-00000000da01",
		"0193a5b2-7c1f-7000-8000-0000000000b2",
		"0193ffff-0000-7000-8000-000000000003",
	}
	got := shortIDs(ids)
	want := map[string]string{ids[0]: "0193a5b2-7c1e", ids[1]: "0193a5b2-7c1f", ids[2]: "0193ffff-0000"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("shortIDs = %v", got)
	}
	if got := shortIDs([]string{"abc", "abcdefghij"}); got["abc"] != "abc" || got["abcdefghij"] != "abcdefgh" {
		t.Fatalf("short ids of short ids: %v", got)
	}
	// Random ids sharing long prefixes: every short id is unique, as short as that allows
	// (one character fewer would make two alike), and at least 8 characters.
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		var ids []string
		seen := map[string]bool{}
		for range rng.IntN(30) + 2 {
			id := "0193a5b2-7c1e-7000-8000-" + strconv.Itoa(rng.IntN(1000000))
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		got := shortIDs(ids)
		n := 0
		for _, s := range got {
			n = max(n, len(s))
		}
		short := map[string]bool{}
		shorter := map[string]bool{}
		clash := false
		for _, id := range ids {
			if got[id] != id[:min(n, len(id))] || short[got[id]] {
				t.Fatalf("shortIDs(%v) = %v", ids, got)
			}
			short[got[id]] = true
			p := id[:min(n-1, len(id))]
			if shorter[p] {
				clash = true
			}
			shorter[p] = true
		}
		if n > 8 && !clash {
			t.Fatalf("shortIDs(%v) = %v: %d characters where %d are unique", ids, got, n, n-1)
		}
	}
}
