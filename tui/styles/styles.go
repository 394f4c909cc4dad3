// Package styles holds every colour and text style of the assessor's screens, so that no
// screen carries an inline colour.
//
// Guarantees:
//   - Nothing here queries the terminal. Dark or light comes from configuration or the
//     COLORFGBG variable; the colour profile from NO_COLOR, the colour setting and TERM. The
//     renderer is made with an explicit profile and background, so lipgloss never sends an
//     OSC 11 query (which stalls five seconds on a terminal that does not answer).
//   - Three modes: Color; Mono (no colour at all, bold, underline and reverse video kept:
//     the monochrome setting, NO_COLOR and color: never); Plain (no escape codes at all:
//     output that is not a terminal, TERM=dumb, and the golden tests).
//   - A rating is never shown by colour alone: its symbol (●●●○○) and its label stand beside
//     the colour, so every screen reads the same without colour.
package styles

import (
	"io"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Mode says how much styling the terminal gets.
type Mode int

// The three modes.
const (
	Color Mode = iota // colours and attributes
	Mono              // attributes (bold, underline, reverse) without colour
	Plain             // no escape codes at all
)

func (m Mode) String() string {
	switch m {
	case Color:
		return "color"
	case Mono:
		return "mono"
	}
	return "plain"
}

// Config is what decides the mode and the palette.
type Config struct {
	// Color is "auto" (default), "always" or "never".
	Color string
	// Monochrome keeps attributes and drops every colour.
	Monochrome bool
	// Background is "auto" (default: COLORFGBG, else dark), "dark" or "light".
	Background string
	// TTY says whether the output is a terminal.
	TTY bool
	// Getenv reads the environment (NO_COLOR, TERM, COLORTERM, COLORFGBG); nil means none.
	Getenv func(string) string
}

// Detect decides the mode, the colour profile and whether the background is dark, from cfg
// alone: it never talks to the terminal.
func Detect(cfg Config) (Mode, termenv.Profile, bool) {
	env := cfg.Getenv
	if env == nil {
		env = func(string) string { return "" }
	}
	dark := darkBackground(cfg.Background, env("COLORFGBG"))
	term := env("TERM")
	switch {
	case cfg.Color != "always" && (!cfg.TTY || term == "dumb"):
		return Plain, termenv.Ascii, dark
	case cfg.Color == "never", cfg.Monochrome, cfg.Color != "always" && env("NO_COLOR") != "":
		return Mono, termenv.ANSI, dark
	}
	p := profileFromEnv(term, env("COLORTERM"))
	if p == termenv.Ascii {
		if cfg.Color == "always" {
			return Color, termenv.ANSI, dark
		}
		return Mono, termenv.ANSI, dark
	}
	return Color, p, dark
}

// profileFromEnv mirrors termenv's reading of TERM and COLORTERM without its TTY checks.
func profileFromEnv(term, colorTerm string) termenv.Profile {
	switch strings.ToLower(colorTerm) {
	case "24bit", "truecolor":
		return termenv.TrueColor
	case "yes", "true":
		return termenv.ANSI256
	}
	switch {
	case term == "alacritty", term == "wezterm", term == "xterm-kitty", term == "xterm-ghostty":
		return termenv.TrueColor
	case strings.Contains(term, "256color"):
		return termenv.ANSI256
	case strings.Contains(term, "color"), strings.Contains(term, "ansi"), term == "xterm", term == "linux",
		strings.HasPrefix(term, "screen"), strings.HasPrefix(term, "tmux"), strings.HasPrefix(term, "vt100"):
		return termenv.ANSI
	}
	return termenv.Ascii
}

// darkBackground reads the setting, then COLORFGBG ("fg;bg", set by rxvt, Konsole and
// others); the default is dark, the most common terminal.
func darkBackground(setting, colorfgbg string) bool {
	switch setting {
	case "dark":
		return true
	case "light":
		return false
	}
	if i := strings.LastIndexByte(colorfgbg, ';'); i >= 0 {
		if bg, err := strconv.Atoi(colorfgbg[i+1:]); err == nil {
			return !(bg == 7 || (bg >= 9 && bg <= 15))
		}
	}
	return true
}

// Styles is the set of styles of every screen.
type Styles struct {
	Mode    Mode
	Dark    bool
	Profile termenv.Profile
	r       *lipgloss.Renderer

	// Frame
	Header, HeaderTitle, StatusLine, Rule lipgloss.Style
	// Text
	Title, Heading, Text, Subtle, Faint, Bold, Italic lipgloss.Style
	// Selection: the row or element with the cursor, and a focused panel's title.
	Selected, Focused, FocusMark lipgloss.Style
	// Save state marks
	Saved, Unsaved, Saving, Error, Warning, OK lipgloss.Style
	// Help
	HelpKey, HelpDesc, HelpSep lipgloss.Style
	// Boxes
	Box, Overlay lipgloss.Style
	// Evidence polarity
	Plus, Minus, Neutral lipgloss.Style
	// Table
	TableHeader lipgloss.Style

	rating  map[string]lipgloss.Style // by step colour name, foreground
	swatch  map[string]lipgloss.Style // by step colour name, background
	status  map[survey.Status]lipgloss.Style
	palette palette
}

type palette struct {
	accent, subtle, faint, text, selBg, selFg, ok, warn, err, border lipgloss.TerminalColor
}

// The rating colours, by the Color name a scale step carries. Each has a 256-colour and a
// 16-colour form; the mixed steps collapse to their nearest pure colour on 16 colours, and
// the symbol beside them keeps them apart.
var ratingColors = map[string]lipgloss.CompleteColor{
	"red":         {TrueColor: "#d70000", ANSI256: "160", ANSI: "1"},
	"amber-red":   {TrueColor: "#ff5f00", ANSI256: "202", ANSI: "9"},
	"amber":       {TrueColor: "#ffaf00", ANSI256: "214", ANSI: "3"},
	"amber-green": {TrueColor: "#afd700", ANSI256: "148", ANSI: "11"},
	"green":       {TrueColor: "#00af00", ANSI256: "34", ANSI: "2"},
	"grey":        {TrueColor: "#8a8a8a", ANSI256: "245", ANSI: "8"},
}

// New builds the styles for output w in the given mode, profile and background.
func New(w io.Writer, mode Mode, profile termenv.Profile, dark bool) *Styles {
	if mode == Plain {
		profile = termenv.Ascii
	}
	if mode == Mono && profile == termenv.Ascii {
		profile = termenv.ANSI
	}
	r := lipgloss.NewRenderer(w, termenv.WithProfile(profile))
	r.SetColorProfile(profile)
	r.SetHasDarkBackground(dark)
	s := &Styles{Mode: mode, Dark: dark, Profile: profile, r: r}
	s.build()
	return s
}

// Renderer returns the renderer every style of s renders with.
func (s *Styles) Renderer() *lipgloss.Renderer { return s.r }

// NewStyle returns an empty style on s's renderer.
func (s *Styles) NewStyle() lipgloss.Style { return s.r.NewStyle() }

func (s *Styles) c(darkHex, lightHex string) lipgloss.TerminalColor {
	if s.Mode != Color {
		return lipgloss.NoColor{}
	}
	if s.Dark {
		return lipgloss.Color(darkHex)
	}
	return lipgloss.Color(lightHex)
}

func (s *Styles) build() {
	p := palette{
		accent: s.c("39", "25"),
		subtle: s.c("245", "242"),
		faint:  s.c("240", "248"),
		text:   s.c("252", "235"),
		selBg:  s.c("237", "254"),
		selFg:  s.c("231", "16"),
		ok:     s.c("78", "28"),
		warn:   s.c("214", "130"),
		err:    s.c("203", "160"),
		border: s.c("240", "250"),
	}
	s.palette = p
	n := s.r.NewStyle
	mono := s.Mode == Mono

	s.Header = n().Bold(true)
	s.HeaderTitle = n().Bold(true).Foreground(p.accent)
	s.StatusLine = n().Foreground(p.subtle)
	s.Rule = n().Foreground(p.border)
	s.Title = n().Bold(true).Foreground(p.accent)
	s.Heading = n().Bold(true)
	s.Text = n().Foreground(p.text)
	s.Subtle = n().Foreground(p.subtle)
	s.Faint = n().Foreground(p.faint)
	s.Bold = n().Bold(true)
	s.Italic = n().Italic(true)
	s.Selected = n().Bold(true).Background(p.selBg).Foreground(p.selFg)
	if mono {
		s.Selected = n().Reverse(true)
	}
	s.Focused = n().Bold(true).Foreground(p.accent)
	if mono {
		s.Focused = n().Bold(true).Underline(true)
	}
	s.FocusMark = n().Bold(true).Foreground(p.accent)
	s.Saved = n().Foreground(p.ok)
	s.Unsaved = n().Foreground(p.warn).Bold(true)
	s.Saving = n().Foreground(p.subtle)
	s.Error = n().Foreground(p.err).Bold(true)
	s.Warning = n().Foreground(p.warn)
	s.OK = n().Foreground(p.ok)
	s.HelpKey = n().Bold(true).Foreground(p.subtle)
	s.HelpDesc = n().Foreground(p.faint)
	s.HelpSep = n().Foreground(p.faint)
	if mono {
		s.HelpDesc = n()
		s.HelpSep = n()
	}
	s.Box = n().Border(lipgloss.RoundedBorder()).BorderForeground(p.border).Padding(0, 1)
	s.Overlay = n().Border(lipgloss.DoubleBorder()).BorderForeground(p.accent).Padding(0, 1)
	s.Plus = n().Bold(true).Foreground(s.ratingColor("green"))
	s.Minus = n().Bold(true).Foreground(s.ratingColor("red"))
	s.Neutral = n().Bold(true).Foreground(p.subtle)
	s.TableHeader = n().Bold(true).Underline(true)

	s.rating = map[string]lipgloss.Style{}
	s.swatch = map[string]lipgloss.Style{}
	for name := range ratingColors {
		s.rating[name] = n().Foreground(s.ratingColor(name))
		s.swatch[name] = n().Background(s.ratingColor(name)).Foreground(lipgloss.Color("16"))
		if s.Mode != Color {
			s.rating[name] = n()
			s.swatch[name] = n()
		}
	}
	s.status = map[survey.Status]lipgloss.Style{
		survey.StatusDraft:     n().Foreground(p.subtle),
		survey.StatusCompleted: n().Foreground(p.accent),
		survey.StatusSubmitted: n().Foreground(p.ok),
		survey.StatusApproved:  n().Foreground(p.ok).Bold(true),
		survey.StatusReturned:  n().Foreground(p.err).Bold(true),
		survey.StatusReopened:  n().Foreground(p.warn).Bold(true),
		// Resubmitted waits for a decision like completed, and stands out as having been back.
		survey.StatusResubmitted: n().Foreground(p.accent).Bold(true),
	}
}

func (s *Styles) ratingColor(name string) lipgloss.TerminalColor {
	if s.Mode != Color {
		return lipgloss.NoColor{}
	}
	c, ok := ratingColors[name]
	if !ok {
		return lipgloss.NoColor{}
	}
	return c
}

// Status styles a status word.
func (s *Styles) Status(st survey.Status) lipgloss.Style {
	if x, ok := s.status[st]; ok {
		return x
	}
	return s.Text
}

// StepStyle is the foreground style of a scale step (plain for uncounted steps).
func (s *Styles) StepStyle(st survey.Step) lipgloss.Style {
	if x, ok := s.rating[st.Color]; ok {
		return x
	}
	return s.r.NewStyle()
}

// Symbol returns the sign of a step, or its value when the scale gives no symbol.
func Symbol(st survey.Step) string {
	if st.Symbol != "" {
		return st.Symbol
	}
	if st.Uncounted {
		return "–"
	}
	return strconv.Itoa(st.Value)
}

// Rating renders a step as its symbol and label in its colour ("●●●○○ Vàng"). The text is
// the same in every mode; only the colour comes and goes.
func (s *Styles) Rating(st survey.Step, lang string) string {
	return s.StepStyle(st).Render(Symbol(st) + " " + st.Label.Get(lang))
}

// RatingCode renders code on scale sc, or a faint dash when it is empty or unknown.
func (s *Styles) RatingCode(sc *survey.Scale, code survey.Code, lang string) string {
	if code == "" {
		return s.Faint.Render("·")
	}
	st, ok := sc.Step(code)
	if !ok {
		return s.Error.Render(string(code))
	}
	return s.Rating(st, lang)
}

// Cell renders one cell of a section strip: the step's value on its colour ("3"), "–" for
// not assessed, "?" for don't know, "·" when the section has no confirmed rating.
func (s *Styles) Cell(sc *survey.Scale, code survey.Code) string {
	if code == "" {
		return s.Faint.Render("·")
	}
	st, ok := sc.Step(code)
	if !ok {
		return s.Error.Render("!")
	}
	ch := strconv.Itoa(st.Value)
	switch {
	case st.Code == survey.DontKnow:
		ch = "?"
	case st.Uncounted:
		ch = "–"
	}
	if x, ok := s.swatch[st.Color]; ok && s.Mode == Color {
		return x.Render(ch)
	}
	return ch
}

// Polarity styles an evidence polarity sign, neutral evidence as "0".
func (s *Styles) Polarity(p survey.Polarity) string { return s.PolarityMark(p, "") }

// PolarityMark styles an evidence polarity sign, neutral or mixed evidence with the
// questionnaire's own mark (survey.Questionnaire.NeutralMark: "o" for ODRA); an empty
// mark means "0".
func (s *Styles) PolarityMark(p survey.Polarity, neutral string) string {
	switch p {
	case survey.Plus:
		return s.Plus.Render("+")
	case survey.Minus:
		return s.Minus.Render("-")
	}
	if neutral == "" {
		neutral = string(survey.Neutral)
	}
	return s.Neutral.Render(neutral)
}
