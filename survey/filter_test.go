package survey

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestFilterMatch(t *testing.T) {
	s := Summary{ID: "0193a5b2-7c1e-7000-8000-000000000001", Status: StatusApproved, Province: "Đà Nẵng",
		Agency: "Sở Thông tin và Truyền thông", Category: "provincial-government", Assessor: "lan@example.org"}
	cases := []struct {
		name string
		f    Filter
		want bool
	}{
		{"zero filter selects all", Filter{}, true},
		{"status", Filter{Statuses: []Status{StatusSubmitted, StatusApproved}}, true},
		{"other status", Filter{Statuses: []Status{StatusDraft}}, false},
		{"province without accents", Filter{Provinces: []string{"da nang"}}, true},
		{"province decomposed", Filter{Provinces: []string{norm.NFD.String("Đà Nẵng")}}, true},
		{"province upper case, extra spaces", Filter{Provinces: []string{"  ĐÀ   NẴNG "}}, true},
		{"part of a province does not match", Filter{Provinces: []string{"Đà"}}, false},
		{"one of several provinces", Filter{Provinces: []string{"Hà Nội", "Đà Nẵng"}}, true},
		{"agency", Filter{Agencies: []string{"so thong tin va truyen thong"}}, true},
		{"other agency", Filter{Agencies: []string{"Sở Tài chính"}}, false},
		{"category code", Filter{Categories: []string{"Provincial-Government"}}, true},
		{"assessor", Filter{Assessors: []string{"LAN@example.org"}}, true},
		{"all must hold", Filter{Provinces: []string{"Đà Nẵng"}, Assessors: []string{"binh@example.org"}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.f.Match(s); got != c.want {
				t.Fatalf("Match = %v, want %v", got, c.want)
			}
			if c.f.IsZero() != (c.name == "zero filter selects all") {
				t.Fatalf("IsZero = %v", c.f.IsZero())
			}
		})
	}
}

func TestFoldText(t *testing.T) {
	for in, want := range map[string]string{
		"Đà Nẵng":               "da nang",
		norm.NFD.String("Huế"):  "hue",
		"Thừa Thiên Huế":        "thua thien hue",
		"Sở Kế hoạch và Đầu tư": "so ke hoach va dau tu",
		"Department of FINANCE": "department of finance",
	} {
		if got := FoldText(in); got != want {
			t.Errorf("FoldText(%q) = %q, want %q", in, got, want)
		}
	}
}
