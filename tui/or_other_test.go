package tui

import (
	"testing"

	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// TestOrOtherFollowUp: in the XLSForm or_other.xlsx as imported, "Specify other" comes
// next only when "Other" is chosen — in main_partner (select_one) and in partners
// (select_multiple); another choice goes past it.
func TestOrOtherFollowUp(t *testing.T) {
	d, _, id := importedDriverOf(t, "or_other.xlsx", 80, 24)
	d.send(GotoMsg{Place: session.Place{Question: "has_partners"}})
	d.key("1", "ctrl+n") // yes: the partners are asked
	if got := d.at(); got != "main_partner" {
		t.Fatalf("at %q, want main_partner:\n%s", got, d.view())
	}
	d.mustSee("4 Other")
	d.key("2", "ctrl+n") // Statistics office
	if got := d.at(); got == "main_partner_other" {
		t.Fatalf("Statistics office chosen, and ctrl+n went to main_partner_other:\n%s", d.view())
	}
	d.send(GotoMsg{Place: session.Place{Question: "main_partner"}})
	d.key("4", "ctrl+n") // Other
	if got := d.at(); got != "main_partner_other" {
		t.Fatalf("Other chosen, and ctrl+n went to %q, want main_partner_other:\n%s", got, d.view())
	}
	d.mustSee("Specify other")
	d.typeText("Sở Tài nguyên")
	d.key("esc")

	d.send(GotoMsg{Place: session.Place{Question: "partners"}})
	d.key("1", "ctrl+n") // Ministry of Finance alone
	if got := d.at(); got != "lead_agency" {
		t.Fatalf("Ministry of Finance chosen, and ctrl+n went to %q, want lead_agency:\n%s", got, d.view())
	}
	d.mustNotSee("4 Other") // lead_agency shares the list without or_other
	d.key("ctrl+p")
	if got := d.at(); got != "partners" {
		t.Fatalf("ctrl+p went to %q, want partners", got)
	}
	d.key("4", "ctrl+n") // Other as well
	if got := d.at(); got != "partners_other" {
		t.Fatalf("Other ticked, and ctrl+n went to %q, want partners_other:\n%s", got, d.view())
	}
	st := d.state(id)
	if v := st.Answers["main_partner"].Value; v != "other" {
		t.Errorf("main_partner stored %v, want other", v)
	}
	if v := st.Answers["main_partner_other"].Value; v != "Sở Tài nguyên" {
		t.Errorf("main_partner_other stored %v", v)
	}
}
