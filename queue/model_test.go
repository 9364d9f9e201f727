package queue

import "testing"

func TestBranchDefaults(t *testing.T) {
	var none Branch
	if none.Zone() != DefaultTimeZone || none.Cap() != DefaultPriorityCap {
		t.Errorf("zero branch: zone %q cap %d", none.Zone(), none.Cap())
	}
	set := Branch{TimeZone: "Europe/Nicosia", PriorityCap: 2}
	if set.Zone() != "Europe/Nicosia" || set.Cap() != 2 {
		t.Errorf("set branch: zone %q cap %d", set.Zone(), set.Cap())
	}
}

func TestCompareIDs(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2", "10", -1},
		{"10", "2", 1},
		{"10", "10", 0},
		{"08", "09", -1},
		{"a", "b", -1},
		{"10", "b", -1},
		{"2a", "10", 1}, // not all digits: as strings
		{"", "1", -1},
		{"2026-11-09", "2026-11-10", -1},
	}
	for _, tt := range tests {
		if got := CompareIDs(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareIDs(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
