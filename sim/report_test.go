package sim

import (
	"bytes"
	"strings"
	"testing"
)

// The means over seeds are of the "all" rows, each seed's median is
// listed, and the seeds under the goal are counted; a seed nobody was
// called on is left out.
func TestWriteSeedMeans(t *testing.T) {
	rep := func(seed uint64, median, p90, within, bias, wait float64) *Report {
		return &Report{Seed: seed, Rows: []Row{
			{Name: "certificates", Figures: Figures{Count: 1, MedianAbsErr: 999}},
			{Name: "all", Figures: Figures{Count: 10, MedianAbsErr: median * 60, P90AbsErr: p90 * 60, Within: within, Bias: bias * 60, MeanWait: wait * 60}},
		}}
	}
	empty := &Report{Seed: 9, Rows: []Row{{Name: "all"}}}
	var b bytes.Buffer
	if err := WriteSeedMeans(&b, []*Report{rep(1, 2, 6, 0.8, 1, 20), empty, rep(2, 4, 10, 0.6, -2, 40)}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"means over 2 seeds, all called tickets, minutes: median |err| 3.0, p90 |err| 8.0, within ±5 70%, bias -0.5, mean wait 30.0",
		"median |err| by seed: 1: 2.0, 2: 4.0; under 3 minutes on 1 of 2",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := WriteSeedMeans(&b, []*Report{empty}); err != nil || !strings.Contains(b.String(), "no means") {
		t.Errorf("no called tickets: %v %q", err, b.String())
	}
}

// TestUnservedSentenceIsTrue: the line about the never-called tickets
// prints no placeholder for a figure that does not exist, and says what is
// true in its place.
func TestUnservedSentenceIsTrue(t *testing.T) {
	for _, c := range []struct {
		u           Unserved
		want, never string
	}{
		{Unserved{Count: 3, Warned: 3}, "none had an estimate under the time they waited uncalled", "–"},
		{Unserved{Count: 3, Warned: 1, Short: 2, ShortByMedian: 70 * 60}, "2 had an estimate under the time they waited uncalled, by at least 70.0 min (median)", "–"},
		{Unserved{FalseAlarms: 2}, "called though told so: 2", "estimate under"},
	} {
		s := c.u.sentence()
		if !strings.Contains(s, c.want) || strings.Contains(s, c.never) {
			t.Errorf("%+v: %q, want %q and no %q", c.u, s, c.want, c.never)
		}
	}
}
