package tui

import (
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// TestHeaderLabelsTellCutColumnsApart: ODRA's two yes/no columns ("Quan trọng với công
// chúng", "Quan trọng cho dịch vụ công") cut into columns of different widths read "Quan t…"
// and "Quan …" — the same to a reader — so both lose the words they share.
func TestHeaderLabelsTellCutColumnsApart(t *testing.T) {
	c := &shared{lang: survey.LangVI}
	public := &survey.Column{ID: "public", Label: survey.T("Key for the public", "Quan trọng với công chúng")}
	service := &survey.Column{ID: "service", Label: survey.T("Key to service delivery", "Quan trọng cho dịch vụ công")}
	source := &survey.Column{ID: "source", Label: survey.T("Data source", "Nguồn dữ liệu")}
	for _, ws := range [][2]int{{7, 6}, {6, 6}, {8, 7}} {
		got := headerLabels(c, []colLay{{public, ws[0]}, {source, 14}, {service, ws[1]}})
		if got[0] != "…với công chúng" || got[2] != "…cho dịch vụ công" || got[1] != "Nguồn dữ liệu" {
			t.Errorf("widths %v: %q", ws, got)
		}
	}
	// Columns wide enough to tell apart keep their labels whole.
	got := headerLabels(c, []colLay{{public, 30}, {service, 30}})
	if got[0] != "Quan trọng với công chúng" || got[1] != "Quan trọng cho dịch vụ công" {
		t.Errorf("wide columns: %q", got)
	}
}
