// Package posted keeps the messages a screen posts for its app to handle right after the
// message being handled, before the next one Bubble Tea delivers.
//
// A change of screen returned as a command (func() tea.Msg) reaches the app only after the
// keys already waiting: ← then 4 typed quickly, or arriving together over a slow link,
// acted on the screen being left. Posted, it is made before the next key is read.
package posted

import tea "github.com/charmbracelet/bubbletea"

// Box holds the posted messages of one app.
type Box struct{ msgs []tea.Msg }

// Post queues msg and returns nil, to stand where the command returning msg stood.
func (b *Box) Post(msg tea.Msg) tea.Cmd {
	b.msgs = append(b.msgs, msg)
	return nil
}

// Handle hands the posted messages to update in order, those they post too, and batches
// the commands update returns.
func (b *Box) Handle(update func(tea.Msg) tea.Cmd) tea.Cmd {
	var cmds []tea.Cmd
	for len(b.msgs) > 0 {
		m := b.msgs[0]
		b.msgs = b.msgs[1:]
		cmds = append(cmds, update(m))
	}
	return tea.Batch(cmds...)
}
