package tui

import (
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// TestODRAEvidenceMixedIsMarkedO: ODRA marks mixed evidence "o" (its users' guide and the
// published reports), and the bundled odra-3.1 says so (evidence_neutral). The assessor
// types the mark the method uses in the polarity field, the editor names the choice
// "mixed", and the evidence list shows "o", not the DGRA's "0". The stored code stays "0".
func TestODRAEvidenceMixedIsMarkedO(t *testing.T) {
	d := newDriver(t, 100, 30)
	id := d.create("odra-3.1", "Văn phòng Chính phủ", "Hà Nội")
	d.open(id)
	d.key("2", "e", "a", "shift+tab") // the polarity field of a new item
	d.mustSee("+ favourable", "- obstacle", "o mixed", "o mixed · tab next field")
	d.key("o")
	d.mustSee("[o mixed]")
	d.key("tab")
	d.typeText("Chỉ thị 05, chưa triển khai đều")
	d.key("esc")
	ev := d.state(id).Answers["1.1"].Evidence
	if len(ev) != 1 || ev[0].Polarity != survey.Neutral {
		t.Fatalf("evidence after o: %+v, want one item with the neutral code 0", ev)
	}
	d.mustSee("o Chỉ thị 05, chưa triển khai đều")
	d.mustNotSee("0 Chỉ thị 05")
	d.mustSee("1: 0 +, 0 -, 1 o") // the question's header counts mixed evidence
}

// TestDGRAEvidenceNeutralStaysZero: the DGRA marks neutral evidence "0"; "o" typed in its
// polarity field means the same, and the list still shows "0".
func TestDGRAEvidenceNeutralStaysZero(t *testing.T) {
	d, id := openDGRA(t, 100, 30)
	d.key("e", "a", "shift+tab")
	d.mustSee("0 neutral")
	d.key("o", "tab")
	d.typeText("Kế hoạch chuyển đổi số")
	d.key("esc")
	if ev := d.state(id).Answers["1.1"].Evidence; len(ev) != 1 || ev[0].Polarity != survey.Neutral {
		t.Fatalf("evidence: %+v", ev)
	}
	d.mustSee("0 Kế hoạch chuyển đổi số")
	d.mustSee("1: 0 +, 0 -, 1 neutral")
}

// TestODRASectionSummaryHelpNamesItsScale: the section summary of an ODRA 3.1.1 dimension
// rates on three steps and U; its help line said "1-5 rate" (the DGRA's keys).
func TestODRASectionSummaryHelpNamesItsScale(t *testing.T) {
	d := newDriver(t, 120, 30)
	id := d.create("odra-3.1", "Văn phòng Chính phủ", "Hà Nội")
	d.open(id)
	d.key("o")
	d.mustSee("Overall rating (confirm or override)", "1-3 rate", "U insufficient information")
	d.mustNotSee("1-5")
	d.key("U")
	if got := d.state(id).Sections["1"].Rating; got != survey.InsufficientInformation {
		t.Fatalf("U on the summary set %q", got)
	}
}
