package load

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		var out []time.Duration
		for _, x := range xs {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, c := range []struct {
		name string
		xs   []time.Duration
		p    float64
		want time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of odd", ms(1, 2, 3), 50, 2 * time.Millisecond},
		{"median of even is the lower", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p99 of 10 is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"tiny p is the min", ms(5, 6), 0.0001, 5 * time.Millisecond},
		{"NaN", ms(5, 6), math.NaN(), 0},
	} {
		if got := Percentile(c.xs, c.p); got != c.want {
			t.Errorf("%s: Percentile(%v, %v) = %v, want %v", c.name, c.xs, c.p, got, c.want)
		}
	}
}

func TestSummariseSortsACopy(t *testing.T) {
	in := []time.Duration{30 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}
	s := Summarise(in)
	want := Summary{N: 4, P50MS: 20, P99MS: 40, MaxMS: 40, MeanMS: 25}
	if s != want {
		t.Errorf("Summarise = %+v, want %+v", s, want)
	}
	if in[0] != 30*time.Millisecond {
		t.Error("Summarise reordered its input")
	}
	if (Summarise(nil) != Summary{}) {
		t.Error("summary of nothing is not zero")
	}
}

func TestRates(t *testing.T) {
	if got := PerSecond(300, 2*time.Second); got != 150 {
		t.Errorf("PerSecond = %v", got)
	}
	if PerSecond(5, 0) != 0 || Ratio(1, 0) != 0 {
		t.Error("division by zero is not 0")
	}
	if got := Ratio(50, 200); got != 0.25 {
		t.Errorf("Ratio = %v", got)
	}
	if got := PerConnKB(100<<20, 100<<20+2000*1024*10, 2000); got != 10 {
		t.Errorf("PerConnKB = %v, want 10", got)
	}
	if PerConnKB(1, 2, 0) != 0 {
		t.Error("PerConnKB of no connections")
	}
}

func TestRecorderIsBounded(t *testing.T) {
	r := newRecorder(3)
	for i := range 5 {
		r.add(time.Duration(i+1) * time.Millisecond)
	}
	if s := r.summary(); s.N != 3 || s.MaxMS != 3 || r.dropped != 2 {
		t.Errorf("summary %+v, dropped %d", s, r.dropped)
	}
}

func TestParseProm(t *testing.T) {
	text := `# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 1.2345e+08
seira_live_connections 19000
seira_tickets_issued_total{branch="load-1",service="certificates"} 10
seira_tickets_issued_total{branch="load-2",service="signatures"} 5
seira_tickets_issued_total{branch="demo",service="a\"b,c}"} 7
seira_store_commit_seconds_bucket{le="+Inf"} 3 1700000000
`
	samples, err := parseProm(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := promSum(samples, "process_resident_memory_bytes", nil); !ok || v != 1.2345e8 {
		t.Errorf("rss = %v, %v", v, ok)
	}
	if v, _ := promSum(samples, "seira_live_connections", nil); v != 19000 {
		t.Errorf("connections = %v", v)
	}
	load := func(l map[string]string) bool { return strings.HasPrefix(l["branch"], "load-") }
	if v, _ := promSum(samples, "seira_tickets_issued_total", load); v != 15 {
		t.Errorf("load tickets = %v", v)
	}
	if v, _ := promSum(samples, "seira_tickets_issued_total", nil); v != 22 {
		t.Errorf("all tickets = %v", v)
	}
	demo := func(l map[string]string) bool { return l["branch"] == "demo" && l["service"] == `a"b,c}` }
	if v, ok := promSum(samples, "seira_tickets_issued_total", demo); !ok || v != 7 {
		t.Errorf("the series with an escaped label: %v, %v", v, ok)
	}
	if _, ok := promSum(samples, "nope", nil); ok {
		t.Error("found a metric that is not there")
	}
	for _, bad := range []string{"novalue", `x{a="1} 2`, `x{a=1} 2`, "x abc"} {
		if _, err := parseProm(strings.NewReader(bad)); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
}

func TestPeekFields(t *testing.T) {
	head := []byte(`{"type":"ticket.recalled","seq":1234,"at":"2026-`)
	if got := fieldString(head, `"type":"`); got != "ticket.recalled" {
		t.Errorf("type %q", got)
	}
	if n, ok := fieldUint(head, `"seq":`); !ok || n != 1234 {
		t.Errorf("seq %d %v", n, ok)
	}
	if _, ok := fieldUint([]byte(`{"type":"position","ticket":{}}`), `"seq":`); ok {
		t.Error("found a seq in a message without one")
	}
	if _, ok := fieldUint([]byte(`{"type":"snapshot","seq":12`), `"seq":`); ok {
		t.Error("took a number cut off by the peek")
	}
	if got := fieldString([]byte(`{"type":"tick`), `"type":"`); got != "" {
		t.Errorf("cut-off type %q", got)
	}
}

func TestSubscriberCounts(t *testing.T) {
	p := &probe{t0: time.Now()}
	s := &sub{kind: KindOffice, probe: p}
	at := time.Now()
	s.note([]byte(`{"type":"snapshot","seq":10,"state":{`), at)
	s.note([]byte(`{"type":"ticket.issued","seq":11,"at":`), at)
	s.note([]byte(`{"type":"ticket.called","seq":13,"at":`), at) // 12 missed
	if !s.ready.Load() || s.snapSeq != 10 || s.events != 2 || s.gaps != 1 || s.lastSeq.Load() != 13 || s.msgs != 3 {
		t.Errorf("counts: snap %d events %d gaps %d last %d msgs %d", s.snapSeq, s.events, s.gaps, s.lastSeq.Load(), s.msgs)
	}
	if p.alive.Load() != 1 {
		t.Errorf("alive %d", p.alive.Load())
	}
	ph := &sub{kind: KindPhone}
	ph.note([]byte(`{"type":"snapshot","ticket":{`), at)
	ph.note([]byte(`{"type":"position","ticket":{`), at)
	ph.note([]byte(`{"type":"ticket.called","seq":99,"at":`), at)
	if ph.events != 1 || ph.gaps != 0 || ph.msgs != 3 {
		t.Errorf("phone: events %d gaps %d msgs %d", ph.events, ph.gaps, ph.msgs)
	}
}

func TestProbeTakesTheFirstCallAfterTheSampleStarted(t *testing.T) {
	t0 := time.Now()
	p := &probe{t0: t0}
	s := &sample{min: 5, want: 2, done: make(chan struct{})}
	p.cur.Store(s)
	p.arrive(4, t0.Add(time.Millisecond)) // an earlier sample's, late
	p.arrive(6, t0.Add(3*time.Millisecond))
	p.arrive(7, t0.Add(9*time.Millisecond)) // another call: not this sample's
	p.arrive(6, t0.Add(2*time.Millisecond))
	select {
	case <-s.done:
	default:
		t.Fatal("the sample did not complete")
	}
	if s.seq.Load() != 6 || s.got.Load() != 2 || time.Duration(s.last.Load()) != 3*time.Millisecond {
		t.Errorf("seq %d got %d last %v", s.seq.Load(), s.got.Load(), time.Duration(s.last.Load()))
	}
}

func TestCheckURL(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:18700", "http://localhost:8080/", "http://[::1]:80", "https://127.3.4.5"} {
		if _, err := CheckURL(ok, false); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.1:8080", "http://example.com", "ftp://127.0.0.1", "127.0.0.1:80", "http://0.0.0.0:80"} {
		if _, err := CheckURL(bad, false); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
	if _, err := CheckURL("http://example.com", true); err != nil {
		t.Errorf("allowed remote: %v", err)
	}
}

func TestTallyIsBounded(t *testing.T) {
	tl := newTally()
	for i := range maxErrorKinds + 10 {
		tl.add(strings.Repeat("x", i+1))
	}
	tl.add("x")
	l := tl.list()
	if len(l) != maxErrorKinds+1 || l[0].Count != 10 || l[0].Kind != "other errors" {
		t.Errorf("%d kinds, first %+v", len(l), l[0])
	}
}

func TestHistogramQuantile(t *testing.T) {
	h := Histogram{Upper: []float64{0.01, 0.1, 1, math.Inf(1)}, Counts: []float64{50, 90, 100, 100}}
	for _, c := range []struct{ q, want float64 }{{0.5, 0.01}, {0.25, 0.005}, {0.7, 0.055}, {0.99, 0.91}} {
		if got, ok := h.Quantile(c.q); !ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("q%.2f = %v, want %v", c.q, got, c.want)
		}
	}
	if _, ok := (Histogram{}).Quantile(0.5); ok {
		t.Error("an empty histogram has no quantile")
	}
}
