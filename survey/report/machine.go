package report

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// JSONFormat is the value of the format field of a JSON report.
const JSONFormat = "fieldsurvey-report/1"

// WriteJSON writes r as one indented JSON document with a format field (JSONFormat) and the
// stable field names of Report; ratings are codes. The same report always gives the same
// bytes.
func WriteJSON(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("write json report: no report")
	}
	doc := struct {
		Format string `json:"format"`
		*Report
	}{JSONFormat, r}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

// CSVHeader is the header row of a CSV report. Each question of each section of each
// interview is one row (kind "question"), followed by the section's overall row (kind
// "overall", question empty). rating is the stable code; label is in the report language;
// value is the answer of a question that is not a rating; suggested, answered and skipped are
// "true" or "false" where they apply and empty where they do not.
var CSVHeader = []string{"interview", "province", "agency", "section", "kind", "question",
	"importance", "rating", "label", "value", "comment", "suggested", "answered", "skipped", "conflict"}

// WriteCSV writes r as CSV (RFC 4180, UTF-8, header row CSVHeader).
func WriteCSV(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("write csv report: no report")
	}
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	b := strconv.FormatBool
	for _, in := range r.Interviews {
		for _, s := range in.Sections {
			for _, row := range s.Rows {
				cw.Write([]string{in.ID, in.Respondent.Province, in.Respondent.Agency, s.ID, "question", row.Question,
					string(row.Importance), string(row.Rating), row.Label, row.Value, row.Comment,
					"", b(row.Answered), b(row.Skipped), b(row.Conflict)})
			}
			o := s.Overall
			cw.Write([]string{in.ID, in.Respondent.Province, in.Respondent.Agency, s.ID, "overall", "",
				string(s.Importance), string(o.Rating), o.Label, "", o.Comment,
				b(o.Suggested), "", "", b(o.Conflict)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}
