package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
)

// versionInfo is what `fieldsurvey version` reports: the build, and the file formats this
// build writes and reads, so that a supervisor can tell whether a laptop and a server can
// exchange batches before a trip.
type versionInfo struct {
	Version       string `json:"version"`
	Commit        string `json:"commit,omitempty"`
	CommitTime    string `json:"commit_time,omitempty"`
	Modified      bool   `json:"modified,omitempty"`
	Go            string `json:"go"`
	Platform      string `json:"platform"`
	BatchWrites   int    `json:"batch_format_writes"`
	BatchReads    []int  `json:"batch_formats_read"`
	Questionnaire string `json:"questionnaire_format"`
	Interview     string `json:"interview_format"`
}

func buildVersion() versionInfo {
	v := versionInfo{Version: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		BatchWrites: batch.FormatVersion, BatchReads: []int{batch.FormatVersion1, batch.FormatVersion},
		Questionnaire: survey.QuestionnaireFormat, Interview: survey.RecordFormat}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.CommitTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// short is the one-line form of v, for --version.
func (v versionInfo) short() string {
	s := "fieldsurvey " + v.Version
	if v.Commit != "" {
		c := v.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += " (" + c
		if v.Modified {
			s += ", modified"
		}
		s += ")"
	}
	return s
}

func newVersionCommand(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show the version and the file formats this build reads and writes · Phiên bản và các định dạng tệp",
		Long: `Shows this build's version and commit, and the batch, questionnaire and interview formats
it writes and reads: a receiver must read the batch format a sender writes.

Hiển thị phiên bản, mã commit của bản dựng này và các định dạng lô, bảng hỏi, phỏng vấn mà
nó ghi và đọc: bên nhận phải đọc được định dạng lô mà bên gửi ghi.`,
		Example: `  fieldsurvey version
  fieldsurvey version --json
  fieldsurvey --version`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationConfigOptional: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			v := buildVersion()
			if asJSON {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			fmt.Fprintln(g.stdout, v.short())
			if v.CommitTime != "" {
				fmt.Fprintf(g.stdout, "%s %s\n", g.t("commit time:", "thời điểm commit:"), v.CommitTime)
			}
			fmt.Fprintf(g.stdout, "%s %s\n", v.Go, v.Platform)
			fmt.Fprintf(g.stdout, g.t("batches: writes format %d, reads formats %d and %d\n", "lô dữ liệu: ghi định dạng %d, đọc định dạng %d và %d\n"),
				v.BatchWrites, v.BatchReads[0], v.BatchReads[1])
			fmt.Fprintf(g.stdout, g.t("questionnaires: %s · interviews: %s\n", "bảng hỏi: %s · phỏng vấn: %s\n"), v.Questionnaire, v.Interview)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON · in dạng JSON")
	return cmd
}
