package styles

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		name    string
		cfg     Config
		mode    Mode
		profile termenv.Profile
		dark    bool
	}{
		{"not a terminal", Config{TTY: false, Getenv: env("TERM", "xterm-256color")}, Plain, termenv.Ascii, true},
		{"TERM=dumb", Config{TTY: true, Getenv: env("TERM", "dumb")}, Plain, termenv.Ascii, true},
		{"256 colours", Config{TTY: true, Getenv: env("TERM", "xterm-256color")}, Color, termenv.ANSI256, true},
		{"true colour", Config{TTY: true, Getenv: env("TERM", "xterm", "COLORTERM", "truecolor")}, Color, termenv.TrueColor, true},
		{"tmux", Config{TTY: true, Getenv: env("TERM", "tmux-256color")}, Color, termenv.ANSI256, true},
		{"NO_COLOR", Config{TTY: true, Getenv: env("TERM", "xterm-256color", "NO_COLOR", "1")}, Mono, termenv.ANSI, true},
		{"color: never", Config{Color: "never", TTY: true, Getenv: env("TERM", "xterm-256color")}, Mono, termenv.ANSI, true},
		{"monochrome", Config{Monochrome: true, TTY: true, Getenv: env("TERM", "xterm-256color")}, Mono, termenv.ANSI, true},
		{"color: always into a pipe", Config{Color: "always", TTY: false, Getenv: env("TERM", "dumb")}, Color, termenv.ANSI, true},
		{"unknown terminal", Config{TTY: true, Getenv: env("TERM", "vt52")}, Mono, termenv.ANSI, true},
		{"light from COLORFGBG", Config{TTY: true, Getenv: env("TERM", "xterm-256color", "COLORFGBG", "0;15")}, Color, termenv.ANSI256, false},
		{"dark from COLORFGBG", Config{TTY: true, Getenv: env("TERM", "xterm-256color", "COLORFGBG", "15;default;0")}, Color, termenv.ANSI256, true},
		{"light by setting", Config{Background: "light", TTY: true, Getenv: env("TERM", "xterm-256color", "COLORFGBG", "15;0")}, Color, termenv.ANSI256, false},
	} {
		mode, p, dark := Detect(c.cfg)
		if mode != c.mode || p != c.profile || dark != c.dark {
			t.Errorf("%s: got %v %v dark=%v, want %v %v dark=%v", c.name, mode, p, dark, c.mode, c.profile, c.dark)
		}
	}
}

// A rating reads the same in every mode: symbol and label; colour comes only in Color mode,
// and Mono keeps attributes (reverse video for the selection) without any colour.
func TestRatingsReadWithoutColour(t *testing.T) {
	sc := survey.ReadinessScale()
	amber, _ := sc.Step(survey.Amber)
	for _, c := range []struct {
		mode     Mode
		profile  termenv.Profile
		colour   bool
		anyStyle bool
	}{
		{Color, termenv.ANSI256, true, true},
		{Mono, termenv.ANSI, false, true},
		{Plain, termenv.Ascii, false, false},
	} {
		s := New(&bytes.Buffer{}, c.mode, c.profile, true)
		got := s.Rating(amber, "vi")
		if ansi.Strip(got) != "●●●○○ Vàng" {
			t.Errorf("%v: rating reads %q", c.mode, ansi.Strip(got))
		}
		hasColour := strings.Contains(got, "38;5;") || strings.Contains(got, "48;5;")
		if hasColour != c.colour {
			t.Errorf("%v: colour in %q: %v, want %v", c.mode, got, hasColour, c.colour)
		}
		sel := s.Selected.Render("x")
		if (sel != "x") != c.anyStyle {
			t.Errorf("%v: selection rendered %q", c.mode, sel)
		}
		if c.mode == Mono && (strings.Contains(sel, "38;") || strings.Contains(sel, "48;")) {
			t.Errorf("mono selection has a colour: %q", sel)
		}
		if cell := ansi.Strip(s.Cell(sc, survey.AmberGreen)); cell != "4" {
			t.Errorf("%v: strip cell %q", c.mode, cell)
		}
		if cell := ansi.Strip(s.Cell(sc, survey.DontKnow)); cell != "?" {
			t.Errorf("%v: strip cell %q", c.mode, cell)
		}
	}
}

// The renderer never asks the terminal: its background and profile are set.
func TestRendererIsExplicit(t *testing.T) {
	s := New(&bytes.Buffer{}, Color, termenv.TrueColor, false)
	if s.Renderer().HasDarkBackground() {
		t.Fatal("background not taken from the setting")
	}
	if s.Renderer().ColorProfile() != termenv.TrueColor {
		t.Fatal("profile not taken from the setting")
	}
}
