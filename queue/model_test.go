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
