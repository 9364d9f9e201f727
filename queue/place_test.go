package queue

import (
	"math"
	"strings"
	"testing"
)

func TestBranchPlaceValidation(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name     string
		lat, lon *float64
		address  Text
		ok       bool
	}{
		{name: "none", ok: true},
		{name: "Athens", lat: f(37.9755), lon: f(23.7348), address: Text{"el": "Πανεπιστημίου 10, Αθήνα"}, ok: true},
		{name: "the poles and the antimeridian", lat: f(-90), lon: f(180), ok: true},
		{name: "zero is a place", lat: f(0), lon: f(0), ok: true},
		{name: "lat only", lat: f(37.9), ok: false},
		{name: "lon only", lon: f(23.7), ok: false},
		{name: "lat too far north", lat: f(90.0001), lon: f(0), ok: false},
		{name: "lat too far south", lat: f(-91), lon: f(0), ok: false},
		{name: "lon too far east", lat: f(0), lon: f(180.5), ok: false},
		{name: "lon too far west", lat: f(0), lon: f(-181), ok: false},
		{name: "not a number", lat: f(math.NaN()), lon: f(0), ok: false},
		{name: "address without Greek", address: Text{"en": "10 Panepistimiou St"}, ok: false},
		{name: "address too long", address: Text{"el": strings.Repeat("α", MaxAddressLen+1)}, ok: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := Branch{ID: "b", Name: Text{"el": "ΚΕΠ"}, Lat: tc.lat, Lon: tc.lon, Address: tc.address}
			err := b.Validate()
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok {
				if err == nil {
					t.Fatal("accepted")
				}
				if ErrorCode(err) != CodeValidation {
					t.Fatalf("code %s, want %s (%v)", ErrorCode(err), CodeValidation, err)
				}
			}
		})
	}
}
