package accessible

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// roster asks a roster question: its rows are listed, then numbered commands add, edit,
// delete and move rows until an empty line ends it. A row is entered a column at a time,
// each cell checked as it is typed (survey.Question.CheckCells) and the whole row against
// the row constraint (survey.Questionnaire.CheckRow) before it is saved: one Put per row.
// The roster as a whole (required rows, min and max rows) is checked when it is ended.
func (s *session_) roster(qu *survey.Question) error {
	s.say(s.t("A table: enter it a row at a time.", "Một bảng: nhập từng dòng một."))
	s.listRows(qu)
	for {
		in, err := s.ask(s.t("a add a row, e N edit row N, d N delete, m N P move row N to place P, l list, Enter when done",
			"a thêm dòng, e N sửa dòng N, d N xoá, m N P chuyển dòng N đến vị trí P, l xem bảng, Enter khi xong"), "")
		if err != nil {
			return err
		}
		f := strings.Fields(strings.ToLower(in))
		if len(f) == 0 {
			var bad []string
			for _, is := range s.q.Check(qu, s.st.Answers) {
				bad = append(bad, s.get(is.Msg))
			}
			if len(bad) == 0 {
				return nil
			}
			s.invalid(strings.Join(bad, "; "))
			continue
		}
		rows := s.st.Rows(qu.ID)
		num := func(i int) (int, bool) {
			if i >= len(f) {
				return 0, false
			}
			n, err := strconv.Atoi(f[i])
			return n - 1, err == nil && n >= 1 && n <= len(rows)
		}
		switch {
		case (f[0] == "a" || f[0] == "t") && len(f) == 1:
			if err := qu.CheckAddRow(len(rows)); err != nil {
				s.invalid(s.errText(err))
				continue
			}
			if err := s.editRow(qu, survey.Row{ID: survey.NewRowID(), Pos: survey.NextPos(rows)}, true); err != nil {
				return err
			}
		case (f[0] == "e" || f[0] == "s") && len(f) == 2:
			i, ok := num(1)
			if !ok {
				s.invalid(s.rowNumberMsg(len(rows)))
				continue
			}
			if err := s.editRow(qu, rows[i], false); err != nil {
				return err
			}
		case (f[0] == "d" || f[0] == "x") && len(f) == 2:
			i, ok := num(1)
			if !ok {
				s.invalid(s.rowNumberMsg(len(rows)))
				continue
			}
			if !s.conflictShown(qu, rows[i]) {
				continue
			}
			if err := s.putRows(qu, survey.Row{ID: rows[i].ID}); err != nil {
				return err
			}
			s.say(fmt.Sprintf(s.t("✓ Row %d deleted (its history keeps it).", "✓ Đã xoá dòng %d (lịch sử vẫn giữ dòng này)."), i+1))
		case (f[0] == "m" || f[0] == "c") && len(f) == 3:
			i, ok1 := num(1)
			j, ok2 := num(2)
			if !ok1 || !ok2 {
				s.invalid(s.rowNumberMsg(len(rows)))
				continue
			}
			if err := s.putRows(qu, survey.MoveRow(rows, i, j)...); err != nil {
				return err
			}
			s.say(fmt.Sprintf(s.t("✓ Row %d moved to place %d.", "✓ Đã chuyển dòng %d đến vị trí %d."), i+1, j+1))
		case f[0] == "l" && len(f) == 1:
		default:
			s.invalid(s.t("Unknown command: a, e N, d N, m N P, l, or Enter.", "Lệnh không hợp lệ: a, e N, d N, m N P, l, hoặc Enter."))
			continue
		}
		s.listRows(qu)
	}
}

func (s *session_) rowNumberMsg(n int) string {
	if n == 0 {
		return s.t("The table has no rows yet: a adds one.", "Bảng chưa có dòng nào: a để thêm.")
	}
	return fmt.Sprintf(s.t("Give a row number from 1 to %d.", "Nhập số dòng từ 1 đến %d."), n)
}

// listRows prints the rows, one line each: number, a conflict mark, the filled cells.
func (s *session_) listRows(qu *survey.Question) {
	rows := s.st.Rows(qu.ID)
	limit := ""
	if qu.MaxRows > 0 {
		limit = fmt.Sprintf(s.t(" (at most %d)", " (tối đa %d)"), qu.MaxRows)
	}
	s.say(fmt.Sprintf(s.t("Rows: %d%s", "Số dòng: %d%s"), len(rows), limit))
	for i, r := range rows {
		mark := ""
		if r.Conflict {
			mark = s.t("! CONFLICT · ", "! XUNG ĐỘT · ")
		}
		s.say(fmt.Sprintf("  %d. %s%s", i+1, mark, s.cellsLine(qu, r.Cells)))
	}
}

// cellsLine writes a row's filled cells as "Label: value · …".
func (s *session_) cellsLine(qu *survey.Question, cells map[string]any) string {
	var parts []string
	for _, c := range qu.Columns {
		if v, ok := cells[c.ID]; ok && v != nil {
			parts = append(parts, s.get(c.Label)+": "+c.CellText(v, s.lang))
		}
	}
	if len(parts) == 0 {
		return s.t("(empty row)", "(dòng trống)")
	}
	return strings.Join(parts, " · ")
}

// conflictShown shows the versions of a conflicted row before it is changed, and reports
// whether it may be changed (the role may settle it). The change then settles it.
func (s *session_) conflictShown(qu *survey.Question, r survey.Row) bool {
	t := survey.RowTarget(s.st.ID, qu.ID, r.ID)
	for _, cf := range s.st.Conflicts {
		if cf.Target != t {
			continue
		}
		s.say(fmt.Sprintf(s.t("! CONFLICT: this row has %d versions, made on different devices:", "! XUNG ĐỘT: dòng này có %d phiên bản, được sửa trên các máy khác nhau:"), len(cf.Heads)))
		for i, h := range cf.Heads {
			s.say(fmt.Sprintf("  [%d] %s · %s %s · %s", i+1, orDash(h.Author), s.t("device", "thiết bị"), h.Device, h.Time.UTC().Format("2006-01-02 15:04")))
			var v survey.RosterRow
			if json.Unmarshal(h.Value, &v) == nil {
				if v.Normalized().IsEmpty() {
					s.say("      " + s.t("(deleted)", "(đã xoá)"))
				} else {
					s.say("      " + s.cellsLine(qu, v.Cells))
				}
			}
		}
		if err := survey.CheckSettle(s.o.Role, s.st.Status.Status, survey.KindRow); err != nil {
			s.invalid(s.errText(err))
			return false
		}
		s.say(s.t("Saving this row settles the conflict (the newest version is shown as the default).",
			"Lưu dòng này sẽ giải quyết xung đột (phiên bản mới nhất là mặc định)."))
	}
	return true
}

// editRow asks every column of row r (its cells the defaults; - clears a cell), then
// checks the row and saves it. fresh: a row being added (nothing saved until it is
// whole).
func (s *session_) editRow(qu *survey.Question, r survey.Row, fresh bool) error {
	if !fresh && !s.conflictShown(qu, r) {
		return nil
	}
	cells := maps.Clone(r.Cells)
	if cells == nil {
		cells = map[string]any{}
	}
	for {
		for i := range qu.Columns {
			if err := s.cell(qu, &qu.Columns[i], cells); err != nil {
				return err
			}
		}
		if is := s.q.CheckRow(qu, cells, s.st.Answers); len(is) > 0 {
			var bad []string
			for _, c := range is {
				bad = append(bad, s.issueText(qu, c))
			}
			s.invalid(strings.Join(bad, "; "))
			if s.failed != nil {
				return s.failed
			}
			s.say("  " + s.t("The row is not saved yet; change what is needed.", "Dòng chưa được lưu; hãy sửa phần cần sửa."))
			continue
		}
		r.Cells = cells
		if err := s.putRows(qu, r); err != nil {
			return err
		}
		s.say(s.t("✓ Row saved.", "✓ Đã lưu dòng."))
		return nil
	}
}

func (s *session_) issueText(qu *survey.Question, c survey.CellIssue) string {
	if col, ok := qu.Column(c.Column); ok {
		return s.get(col.Label) + ": " + s.get(c.Msg)
	}
	return s.get(c.Msg)
}

// cell asks one cell until it is empty (and not required) or a value its column takes.
func (s *session_) cell(qu *survey.Question, c *survey.Column, cells map[string]any) error {
	hint := ""
	switch c.Type {
	case survey.ColumnChoice:
		for i, o := range c.Options {
			s.say(fmt.Sprintf("    %d) %s", i+1, s.get(o.Label)))
		}
		hint = s.t("number", "số")
	case survey.ColumnYesNo:
		hint = s.t("y/n", "y = có, n = không")
	case survey.ColumnNumber:
		hint = s.t("a number", "một số")
	case survey.ColumnStars:
		hint = s.t("0 to 5 stars, or na", "0 đến 5 sao, hoặc na")
	case survey.ColumnURL:
		hint = "https://…"
	}
	prompt := "  " + s.get(c.Label)
	var notes []string
	if hint != "" {
		notes = append(notes, hint)
	}
	if c.Required {
		notes = append(notes, s.t("required", "bắt buộc"))
	} else if _, ok := cells[c.ID]; ok {
		notes = append(notes, s.t("- to clear", "- để xoá"))
	}
	if len(notes) > 0 {
		prompt += " (" + strings.Join(notes, "; ") + ")"
	}
	for {
		in, err := s.ask(prompt, s.cellDefault(c, cells[c.ID]))
		if err != nil {
			return err
		}
		if in == "" || in == "-" {
			if c.Required {
				s.invalid(s.t("This column is required.", "Cột này bắt buộc."))
				if s.failed != nil {
					return s.failed
				}
				continue
			}
			delete(cells, c.ID)
			return nil
		}
		v, msg := s.parseCell(c, in)
		if msg == "" {
			v = survey.RosterRow{Pos: 1, Cells: map[string]any{c.ID: v}}.Normalized().Cells[c.ID]
			for _, is := range qu.CheckCells(map[string]any{c.ID: v}) {
				if is.Column == c.ID {
					msg = s.get(is.Msg)
				}
			}
		}
		if msg != "" {
			s.invalid(msg)
			if s.failed != nil {
				return s.failed
			}
			continue
		}
		cells[c.ID] = v
		return nil
	}
}

// cellDefault writes a cell as it would be typed: y/n, the option's number, na.
func (s *session_) cellDefault(c *survey.Column, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "y"
		}
		return "n"
	case string:
		if c.Type == survey.ColumnChoice {
			for i, o := range c.Options {
				if o.Code == x {
					return strconv.Itoa(i + 1)
				}
			}
		}
		return x
	}
	return survey.CellString(v)
}

func (s *session_) parseCell(c *survey.Column, in string) (any, string) {
	switch c.Type {
	case survey.ColumnChoice:
		if i, err := strconv.Atoi(in); err == nil && i >= 1 && i <= len(c.Options) {
			return c.Options[i-1].Code, ""
		}
		if code := matchOption(c.Options, in, s.lang); code != "" {
			return code, ""
		}
		return nil, s.t("Give a number from the list.", "Nhập một số trong danh sách.")
	case survey.ColumnYesNo:
		if v, ok := parseYesNo(in); ok {
			return v, ""
		}
		return nil, s.t("Answer y or n.", "Trả lời c (có) hoặc k (không).")
	case survey.ColumnNumber:
		f, err := strconv.ParseFloat(strings.ReplaceAll(in, ",", "."), 64)
		if err != nil {
			return nil, fmt.Sprintf(s.t("%q is not a number.", "%q không phải là số."), in)
		}
		return f, ""
	case survey.ColumnStars:
		switch strings.ToLower(in) {
		case "na", "n/a", "-1", "không áp dụng", "kad":
			return survey.StarsNA, ""
		}
		n, err := strconv.Atoi(strings.TrimRight(in, "*★"))
		if err != nil {
			return nil, s.t("Give 0 to 5 stars, or na (not applicable).", "Nhập 0 đến 5 sao, hoặc na (không áp dụng).")
		}
		return float64(n), ""
	}
	return in, ""
}

// putRows writes rows of roster qu (a row without cells and position deletes it) in one
// Put, and folds what was written into the session's state.
func (s *session_) putRows(qu *survey.Question, rows ...survey.Row) error {
	changes := make([]survey.Change, len(rows))
	for i, r := range rows {
		v := survey.RosterRow{Pos: r.Pos, Cells: r.Cells}
		changes[i] = survey.Change{Target: survey.RowTarget(s.st.ID, qu.ID, r.ID), Value: v}
	}
	revs, err := s.o.Writer.PutRevisions(s.ctx, changes...)
	if err != nil {
		return err
	}
	for _, rev := range revs {
		if err := s.st.ApplyHeads(rev.Target(), []survey.Revision{rev}); err != nil {
			return err
		}
		s.dropConflict(rev.Target())
	}
	return nil
}
