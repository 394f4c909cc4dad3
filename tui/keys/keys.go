// Package keys holds every key binding of the assessor's screens and their help text in
// Vietnamese and English, so that the help line, the help overlay and the screens agree.
//
// Rules the bindings follow (and the screens rely on):
//   - Global single-letter keys (q, ?, L) are only looked at when no text field has focus;
//     ctrl+c, ctrl+l, ctrl+s (sync now), F1 and the navigation keys ctrl+n, ctrl+p, pgup and
//     pgdown work everywhere, text fields included, so typing "q" in a comment never quits.
//   - Ratings: 1–5 the five steps worst first, 0 or n "not assessed", d "don't know",
//     backspace clears. "?" stays the help key.
//   - A conflicted answer or section summary: v compares its versions (where 1–9 take
//     version N, enter the selected one, e starts a new answer from it); h shows the
//     history of the question or section. Both are letters: inert while typing.
package keys

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Map is every binding, with help in one language.
type Map struct {
	Lang string

	// Global
	ForceQuit, Quit, Help, HelpAlways, Lang2, Back, Leave, SyncNow key.Binding

	// Lists (home, sections, review)
	Up, Down, PageUp, PageDown, Top, Bottom, Open key.Binding

	// Home
	New, Search, Filter, Settings key.Binding

	// Question screen
	Next, Prev, NextArrow, PrevArrow, NextUnanswered, Jump, Sections, Summary, Review key.Binding
	FocusNext, FocusPrev                                                              key.Binding
	Rate, NotAssessed, DontKnow, ClearRating                                          key.Binding
	Comment, Evidence, Probes, Toggle, Choose                                         key.Binding

	// Evidence list
	EvAdd, EvEdit, EvDelete, EvMoveUp, EvMoveDown, EvPlus, EvMinus, EvNeutral, EvScope key.Binding

	// Text fields
	Done, NextField, PrevField, Accept key.Binding

	// Section summary and review
	AcceptSuggestion, Complete, Reopen key.Binding

	// Conflicts and history: compare the versions of a conflicted answer, take one or edit
	// from one; the history of the question or section.
	Versions, History, TakeSide, TakeSelected, EditSide, SidePrev, SideNext key.Binding

	// Forms
	Submit key.Binding
}

// New returns the bindings with help text in lang ("vi" or "en").
func New(lang string) *Map {
	t := func(en, vi string) string { return survey.T(en, vi).Get(lang) }
	b := func(help string, desc string, k ...string) key.Binding {
		return key.NewBinding(key.WithKeys(k...), key.WithHelp(help, desc))
	}
	return &Map{
		Lang: lang,

		ForceQuit:  b("ctrl+c", t("quit (saves first)", "thoát (lưu trước)"), "ctrl+c"),
		Quit:       b("q", t("quit", "thoát"), "q"),
		Help:       b("?", t("help", "trợ giúp"), "?"),
		HelpAlways: b("f1", t("help", "trợ giúp"), "f1"),
		Lang2:      b("ctrl+l", t("Tiếng Việt", "English"), "ctrl+l"),
		Back:       b("esc", t("back", "quay lại"), "esc"),
		Leave:      b("esc esc", t("list of interviews", "danh sách phỏng vấn"), "esc"),
		SyncNow:    b("ctrl+s", t("sync", "đồng bộ"), "ctrl+s"),

		Up:       b("↑/k", t("up", "lên"), "up", "k"),
		Down:     b("↓/j", t("down", "xuống"), "down", "j"),
		PageUp:   b("pgup", t("page up", "trang trước"), "pgup"),
		PageDown: b("pgdn", t("page down", "trang sau"), "pgdown"),
		Top:      b("home", t("first", "đầu"), "home"),
		Bottom:   b("end", t("last", "cuối"), "end"),
		Open:     b("enter", t("open", "mở"), "enter"),

		New:      b("n", t("new interview", "phỏng vấn mới"), "n"),
		Search:   b("/", t("search", "tìm"), "/"),
		Filter:   b("f", t("filter", "lọc"), "f"),
		Settings: b("s", t("settings: your name", "cài đặt: họ tên"), "s"),

		Next:           b("ctrl+n/pgdn", t("next question", "câu sau"), "ctrl+n", "pgdown"),
		Prev:           b("ctrl+p/pgup", t("previous question", "câu trước"), "ctrl+p", "pgup"),
		NextArrow:      b("→", t("next", "sau"), "right"),
		PrevArrow:      b("←", t("previous", "trước"), "left"),
		NextUnanswered: b("u", t("next unanswered", "câu chưa trả lời"), "u"),
		Jump:           b("g", t("go to question", "đến câu số"), "g"),
		Sections:       b("s", t("sections", "các phần"), "s"),
		Summary:        b("o", t("section summary", "đánh giá chung"), "o"),
		Review:         b("r", t("review & complete", "xem lại & hoàn thành"), "r"),
		FocusNext:      b("tab", t("next field", "ô sau"), "tab"),
		FocusPrev:      b("shift+tab", t("previous field", "ô trước"), "shift+tab"),

		Rate:        b("1-5", t("rate", "đánh giá"), "1", "2", "3", "4", "5"),
		NotAssessed: b("0/n", t("not assessed", "chưa đánh giá"), "0", "n"),
		DontKnow:    b("d", t("don't know", "không biết"), "d"),
		ClearRating: b("⌫", t("clear", "xoá"), "backspace", "delete"),
		Comment:     b("c", t("comment", "nhận xét"), "c"),
		Evidence:    b("e", t("evidence", "bằng chứng"), "e"),
		Probes:      b("p", t("probes", "câu hỏi gợi ý"), "p"),
		Toggle:      b("space", t("tick", "đánh dấu"), " ", "space"),
		Choose:      b("1-9/space", t("choose", "chọn"), "1", "2", "3", "4", "5", "6", "7", "8", "9", " "),

		EvAdd:      b("a", t("add", "thêm"), "a"),
		EvEdit:     b("enter", t("edit", "sửa"), "enter"),
		EvDelete:   b("x", t("delete", "xoá"), "x", "delete"),
		EvMoveUp:   b("K", t("move up", "chuyển lên"), "K", "shift+up"),
		EvMoveDown: b("J", t("move down", "chuyển xuống"), "J", "shift+down"),
		EvPlus:     b("+", t("favourable", "thuận lợi"), "+"),
		EvMinus:    b("-", t("obstacle", "trở ngại"), "-"),
		EvNeutral:  b("0", t("neutral", "trung tính"), "0", "="),
		EvScope:    b("i", t("in scope on/off", "trong/ngoài phạm vi"), "i"),

		Done:      b("esc", t("done", "xong"), "esc"),
		NextField: b("tab", t("next field", "ô sau"), "tab"),
		PrevField: b("shift+tab", t("previous field", "ô trước"), "shift+tab"),
		Accept:    b("ctrl+e", t("take suggestion", "dùng gợi ý"), "ctrl+e"),

		AcceptSuggestion: b("enter", t("accept suggested rating", "chấp nhận mức gợi ý"), "enter"),
		Complete:         b("C", t("mark complete", "đánh dấu hoàn thành"), "C"),
		Reopen:           b("R", t("reopen", "mở lại"), "R"),

		Submit: b("enter", t("next / create", "tiếp / tạo"), "enter"),

		Versions:     b("v", t("compare versions", "so sánh phiên bản"), "v"),
		History:      b("h", t("history", "lịch sử"), "h"),
		TakeSide:     b("1-9", t("take version N", "chọn phiên bản N"), "1", "2", "3", "4", "5", "6", "7", "8", "9"),
		TakeSelected: b("enter", t("take the selected version", "chọn phiên bản đang chọn"), "enter"),
		EditSide:     b("e", t("edit a new answer from it", "sửa câu trả lời mới từ phiên bản này"), "e"),
		SidePrev:     b("←/shift+tab", t("previous version", "phiên bản trước"), "left", "shift+tab"),
		SideNext:     b("→/tab", t("next version", "phiên bản sau"), "right", "tab"),
	}
}

// Help is a help.KeyMap made of a short line and full columns.
type Help struct {
	Short []key.Binding
	Full  [][]key.Binding
}

// ShortHelp implements help.KeyMap.
func (h Help) ShortHelp() []key.Binding { return h.Short }

// FullHelp implements help.KeyMap.
func (h Help) FullHelp() [][]key.Binding {
	if len(h.Full) == 0 {
		return [][]key.Binding{h.Short}
	}
	return h.Full
}

// Global returns the bindings shown on every screen's full help; sync adds the sync-now
// key (shown only when a server is configured). While a text field has focus (typing),
// the single-letter keys (q, ?) are text, so only the keys that still act are listed.
func (m *Map) Global(sync, typing bool) []key.Binding {
	out := []key.Binding{m.HelpAlways, m.Lang2, m.Back, m.Quit, m.ForceQuit}
	if typing {
		out = []key.Binding{m.HelpAlways, m.Lang2, m.Back, m.ForceQuit}
	}
	if sync {
		out = append(out, m.SyncNow)
	}
	return out
}

// RatingDigit returns the position (1..n) of a rating key, or 0.
func RatingDigit(k string) int {
	if len(k) == 1 && k[0] >= '1' && k[0] <= '9' {
		return int(k[0] - '0')
	}
	return 0
}

// RosterMap is the keys of a roster question (a table of rows) and of its row form.
type RosterMap struct {
	RowAdd, RowEdit, RowDelete, RowMoveUp, RowMoveDown, RowConfirm key.Binding
	RowVersions, RowHistory, DeletedVersions                       key.Binding
	// The row form.
	FormSave, FormCancel, FormNext, FormPrev, FormChoose, FormYesNo, FormStars, FormClear key.Binding
}

// Roster returns the roster keys with help text in lang.
func Roster(lang string) *RosterMap {
	t := func(en, vi string) string { return survey.T(en, vi).Get(lang) }
	b := func(help string, desc string, k ...string) key.Binding {
		return key.NewBinding(key.WithKeys(k...), key.WithHelp(help, desc))
	}
	return &RosterMap{
		RowAdd:          b("a/ins", t("add row", "thêm dòng"), "a", "insert"),
		RowEdit:         b("enter", t("edit row", "sửa dòng"), "enter"),
		RowDelete:       b("d/del", t("delete row", "xoá dòng"), "d", "delete"),
		RowMoveUp:       b("K/shift+↑", t("move up", "chuyển lên"), "K", "shift+up"),
		RowMoveDown:     b("J/shift+↓", t("move down", "chuyển xuống"), "J", "shift+down"),
		RowConfirm:      b("y", t("yes, delete", "có, xoá"), "y"),
		RowVersions:     b("v", t("compare the row's versions", "so sánh phiên bản dòng"), "v"),
		RowHistory:      b("h", t("history of the row", "lịch sử của dòng"), "h"),
		DeletedVersions: b("V", t("versions of a deleted row", "phiên bản dòng đã xoá"), "V"),

		FormSave:   b("enter", t("save the row", "lưu dòng"), "enter"),
		FormCancel: b("esc", t("cancel", "huỷ"), "esc"),
		FormNext:   b("tab/↓", t("next field", "ô sau"), "tab", "down"),
		FormPrev:   b("shift+tab/↑", t("previous field", "ô trước"), "shift+tab", "up"),
		FormChoose: b("←/→/1-9", t("choose", "chọn"), "left", "right", "1", "2", "3", "4", "5", "6", "7", "8", "9", " "),
		FormYesNo:  b("y/n", t("yes/no", "có/không"), "y", "n", "1", "2", " "),
		FormStars:  b("0-5/n", t("stars, n = N/A", "số sao, n = N/A"), "0", "1", "2", "3", "4", "5", "n", "left", "right"),
		FormClear:  b("⌫", t("clear", "xoá"), "backspace", "delete"),
	}
}

// Dispatch hands m to handle, and several characters that arrived at once (fast typing, an
// input method sending a composed syllable, a script) one at a time, also once a text field
// has focus: Bubble Tea cuts typed text at spaces, so a word typed alone arrives as one
// message, and a word that spells a key's name ("up", "down", "esc", "tab", "f1") would match
// that key's binding (the text fields' own ones included) instead of being typed. A paste
// stays whole.
func Dispatch(m tea.KeyMsg, handle func(tea.KeyMsg) tea.Cmd) tea.Cmd {
	if m.Type != tea.KeyRunes || len(m.Runes) < 2 || m.Paste {
		return handle(m)
	}
	cmds := make([]tea.Cmd, 0, len(m.Runes))
	for _, r := range m.Runes {
		one := m
		one.Runes = []rune{r}
		cmds = append(cmds, handle(one))
	}
	return tea.Batch(cmds...)
}
