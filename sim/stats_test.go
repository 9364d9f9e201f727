package sim

import (
	"math"
	"slices"
	"testing"
	"time"
)

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}

func TestQuantile(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		p    float64
		want float64
	}{
		{"empty", nil, 0.5, math.NaN()},
		{"one value", []float64{7}, 0.9, 7},
		{"median of odd count", []float64{3, 1, 2}, 0.5, 2},
		{"median of even count interpolates", []float64{4, 1, 3, 2}, 0.5, 2.5},
		{"p90 of 1..4", []float64{1, 2, 3, 4}, 0.9, 3.7},
		{"p90 of 1..10", []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 0.9, 9.1},
		{"p0 is the minimum", []float64{5, -2, 9}, 0, -2},
		{"p1 is the maximum", []float64{5, -2, 9}, 1, 9},
		{"p above 1 is clamped", []float64{5, -2, 9}, 1.5, 9},
		{"ties", []float64{2, 2, 2, 8}, 0.5, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.xs)
			if got := Quantile(tt.xs, tt.p); !near(got, tt.want) {
				t.Errorf("Quantile(%v, %v) = %v, want %v", tt.xs, tt.p, got, tt.want)
			}
			if !slices.Equal(in, tt.xs) {
				t.Errorf("Quantile reordered its input: %v, was %v", tt.xs, in)
			}
		})
	}
}

func TestMean(t *testing.T) {
	if got := Mean([]float64{1, 2, 6}); !near(got, 3) {
		t.Errorf("Mean = %v, want 3", got)
	}
	if got := Mean(nil); !math.IsNaN(got) {
		t.Errorf("Mean(nil) = %v, want NaN", got)
	}
}

func TestCompute(t *testing.T) {
	tests := []struct {
		name    string
		samples []Sample
		want    Figures
	}{
		{"none", nil, Figures{Count: 0, MedianAbsErr: math.NaN(), P90AbsErr: math.NaN(), Within: math.NaN(), Bias: math.NaN(), MeanWait: math.NaN()}},
		{"exact", []Sample{{600, 600}, {0, 0}}, Figures{Count: 2, MedianAbsErr: 0, P90AbsErr: 0, Within: 1, Bias: 0, MeanWait: 300}},
		{
			// errors: +60, -120, +300 (on the bound, counts as within), -600
			"mixed",
			[]Sample{{660, 600}, {0, 120}, {900, 600}, {0, 600}},
			Figures{Count: 4, MedianAbsErr: 210, P90AbsErr: 510, Within: 0.75, Bias: -90, MeanWait: 480},
		},
		{"all over", []Sample{{1000, 0}, {2000, 0}}, Figures{Count: 2, MedianAbsErr: 1500, P90AbsErr: 1900, Within: 0, Bias: 1500, MeanWait: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compute(tt.samples)
			ok := got.Count == tt.want.Count && near(got.MedianAbsErr, tt.want.MedianAbsErr) &&
				near(got.P90AbsErr, tt.want.P90AbsErr) && near(got.Within, tt.want.Within) &&
				near(got.Bias, tt.want.Bias) && near(got.MeanWait, tt.want.MeanWait)
			if !ok {
				t.Errorf("Compute = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	tk := func(svc, prio string, est int, wait time.Duration, called bool) Ticket {
		t := Ticket{Service: svc, Priority: prio, IssuedAt: t0, EstimateS: est, State: "waiting"}
		if called {
			t.CalledAt, t.State = t0.Add(wait), "done"
		}
		return t
	}
	tickets := []Ticket{
		tk("a", "none", 600, 10*time.Minute, true), // error 0
		tk("a", "senior", 0, 2*time.Minute, true),  // error -120
		tk("b", "none", 900, 5*time.Minute, true),  // error +600
		tk("b", "none", 60, 0, false),              // never called: left out
		tk("c", "none", 60, 0, false),              // a service with no calls
	}
	rows := Summarize(tickets, []string{"a", "b", "c"})
	names := []string{}
	for _, r := range rows {
		names = append(names, r.Name)
	}
	if want := []string{"a", "b", "c", "(priority)", "all"}; !slices.Equal(names, want) {
		t.Fatalf("rows %v, want %v", names, want)
	}
	check := func(r Row, count int, median, bias float64) {
		t.Helper()
		if r.Count != count || !near(r.MedianAbsErr, median) || !near(r.Bias, bias) {
			t.Errorf("row %s = %+v, want count %d, median %v, bias %v", r.Name, r.Figures, count, median, bias)
		}
	}
	check(rows[0], 2, 60, -60)
	check(rows[1], 1, 600, 600)
	check(rows[2], 0, math.NaN(), math.NaN())
	check(rows[3], 1, 120, -120)
	check(rows[4], 3, 120, 160)
	if !near(rows[4].MeanWait, (600+120+300)/3.0) {
		t.Errorf("mean wait %v, want %v", rows[4].MeanWait, (600+120+300)/3.0)
	}
	if rows := Summarize(tickets[:1], []string{"a"}); len(rows) != 2 {
		t.Errorf("without priority tickets: %d rows, want a and all", len(rows))
	}
}

func TestLagOf(t *testing.T) {
	l := LagOf([]float64{0.5, 1.5, 4, -0.5})
	if l.N != 4 || !near(l.Mean, 1.375) || !near(l.Max, 4) || !near(l.P90, 3.25) || !near(l.P99, 3.925) {
		t.Errorf("LagOf = %+v", l)
	}
}

func TestUnservedOf(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	end := t0.Add(8 * time.Hour)
	tk := func(issued time.Duration, est int, state string, warned, called bool) Ticket {
		t := Ticket{IssuedAt: t0.Add(issued), EstimateS: est, State: state, AfterClosing: warned}
		if called {
			t.CalledAt = t.IssuedAt.Add(time.Minute)
		}
		return t
	}
	tickets := []Ticket{
		tk(7*time.Hour, 600, "waiting", true, false),                  // waited 60 min uncalled: short by 50
		tk(7*time.Hour+30*time.Minute, 3600, "expired", false, false), // waited 30, told 60: not short
		tk(6*time.Hour, 1800, "waiting", false, false),                // waited 120, told 30: short by 90
		tk(6*time.Hour, 60, "cancelled", true, false),                 // left by choice: not counted
		tk(time.Hour, 60, "done", true, true),                         // called though warned
		tk(time.Hour, 60, "done", false, true),
	}
	u := UnservedOf(tickets, end)
	want := Unserved{Count: 3, Warned: 1, FalseAlarms: 1, Short: 2, ShortByMedian: 70 * 60}
	if u != want {
		t.Errorf("UnservedOf = %+v, want %+v", u, want)
	}
	if u := UnservedOf(tickets[4:], end); u.Count != 0 || !math.IsNaN(u.ShortByMedian) {
		t.Errorf("with every ticket called: %+v", u)
	}
}
