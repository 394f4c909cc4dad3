package tui

import (
	"context"
	"errors"
	"testing"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/tui/session"
)

// TestFirstRunAsksForTheName: with no name set, the first screen asks for it; letters
// (q, s, n, ?) are text there; enter saves it through OnName, new interviews record it,
// and the question is not asked again.
func TestFirstRunAsksForTheName(t *testing.T) {
	var saved []string
	onName := func(o *Options) {
		o.AssessorName = ""
		o.OnName = func(n string) error { saved = append(saved, n); return nil }
	}
	d := newDriver(t, 80, 24, onName)
	d.mustSee("What is your name?", "esc skip")
	d.typeText("Quách Thị Hoa ?sn")
	for range 4 {
		d.key("backspace")
	}
	if d.quit || d.app.showAll {
		t.Fatal("q or ? typed into the name acted as a key")
	}
	d.key("enter")
	if len(saved) != 1 || saved[0] != "Quách Thị Hoa" {
		t.Fatalf("OnName got %q", saved)
	}
	d.mustSee("Name saved")
	d.key("down")
	d.mustSee("Assessor: Quách Thị Hoa")
	id, err := d.app.c.writer.Create(context.Background(), questionnaire(t, "example"),
		survey.Respondent{Agency: "Sở Y tế", Province: "Huế", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.state(id).Meta.Assessor; got != "Quách Thị Hoa" {
		t.Fatalf("a new interview records assessor %q", got)
	}
	// The next start does not ask again.
	d2 := &driver{t: t, store: d.store, clock: d.clock}
	o := Options{Lang: "en", Principal: "an@example.org", Device: "dev1", Now: d.clock.now,
		OnName: func(string) error { t.Fatal("asked again"); return nil }}
	d2.app = New(context.Background(), o, d.store, bundledCatalog(t), d.app.c.sty)
	d2.run(d2.app.Init())
	d2.mustNotSee("What is your name?")
}

func TestFirstRunNameCanBeSkippedAndSetLater(t *testing.T) {
	var saved []string
	d := newDriver(t, 80, 24, func(o *Options) {
		o.AssessorName = ""
		o.Lang = "vi"
		o.OnName = func(n string) error { saved = append(saved, n); return nil }
	})
	d.mustSee("Họ tên của bạn là gì?")
	d.key("esc")
	if len(saved) != 0 {
		t.Fatalf("skipping saved %q", saved)
	}
	if _, asked, _ := d.store.GetMeta(context.Background(), NameAskedKey); !asked {
		t.Fatal("skipping was not remembered")
	}
	d.mustSee("chưa đặt tên")
	// The settings screen (s on the list) sets it later and shows the language.
	d.key("s")
	d.mustSee("Cài đặt", "Ngôn ngữ: Tiếng Việt", "an@example.org")
	d.typeText("Lê Văn Tám")
	d.key("enter")
	if len(saved) != 1 || saved[0] != "Lê Văn Tám" {
		t.Fatalf("OnName got %q", saved)
	}
	d.mustSee("Đã lưu tên")
	d.key("down")
	d.mustSee("Người đánh giá: Lê Văn Tám")
}

func TestNameNotSavedIsSaid(t *testing.T) {
	d := newDriver(t, 80, 24, func(o *Options) {
		o.OnName = func(string) error { return errors.New("config.yaml is read-only") }
	})
	d.key("s")
	d.mustSee("Settings", "Nguyễn Văn An")
	d.key("enter")
	d.mustSee("Not saved: config.yaml is read-only")
	if d.app.c.opts.AssessorName != "Nguyễn Văn An" {
		t.Fatal("the name changed although it was not saved")
	}
}

// TestListShowsThePrincipalOfAnUnnamedInterview: an interview made before a name was set
// shows the principal that created it.
func TestListShowsThePrincipalOfAnUnnamedInterview(t *testing.T) {
	d := newDriver(t, 120, 24)
	w := &session.Writer{Store: d.store, Author: session.Author{Device: "dev1", Principal: "an@example.org"}}
	if _, err := w.Create(context.Background(), questionnaire(t, "example"),
		survey.Respondent{Agency: "Sở Nội vụ", Province: "Huế", Consent: true}); err != nil {
		t.Fatal(err)
	}
	d.send(HomeMsg{})
	d.mustSee("Sở Nội vụ", "Assessor: an@example.org")
}
