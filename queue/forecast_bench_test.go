package queue

import (
	"testing"
	"time"
)

// benchQueue is 400 waiting (ForecastLimit) over three services, a priority
// ticket in twelve, and a priority arrival expected every 10 minutes.
func benchQueue() []Candidate {
	svcs := []string{"certificates", "signatures", "applications"}
	var w []Candidate
	for i := range ForecastLimit {
		w = append(w, Candidate{ID: uint64(i + 1), Service: svcs[i%3], Priority: i%12 == 0, IssuedAt: int64(i)})
	}
	for i := range 24 {
		at := time.Duration(i)*10*time.Minute + 5*time.Minute
		w = append(w, Candidate{ID: 1<<40 + uint64(i), Service: svcs[i%3], Priority: true, IssuedAt: 1<<62 + int64(at), Arrive: at})
	}
	return w
}

func benchDesks() []Desk {
	serves := [][]string{{"certificates", "signatures"}, {"certificates", "signatures"}, {"signatures", "applications"}, {"applications", "certificates"}}
	var d []Desk
	for i, s := range serves {
		d = append(d, Desk{Counter: Counter{ID: string(rune('1' + i)), Serves: s, Status: CounterOpen}, Busy: time.Duration(i) * time.Minute})
	}
	return d
}

func benchServiceTime(svc string) time.Duration {
	switch svc {
	case "applications":
		return 9 * time.Minute
	case "signatures":
		return 3 * time.Minute
	}
	return 4 * time.Minute
}

// BenchmarkForecast400 plays 400 waiting tickets through four desks: the
// forecast every estimate of a full queue costs.
func BenchmarkForecast400(b *testing.B) {
	w, d := benchQueue(), benchDesks()
	for b.Loop() {
		if len(Forecast(w, d, 3, benchServiceTime)) != ForecastLimit {
			b.Fatal("not every ticket forecast")
		}
	}
}

// BenchmarkForecast400Planned is BenchmarkForecast400 with each desk
// planning a break and counter 4 opening later.
func BenchmarkForecast400Planned(b *testing.B) {
	w, d := benchQueue(), benchDesks()
	for i := range d {
		d[i].Breaks = []Away{{At: time.Duration(60+15*i) * time.Minute, Len: 30 * time.Minute}}
	}
	d[3].Busy = time.Hour
	for b.Loop() {
		if len(Forecast(w, d, 3, benchServiceTime)) != ForecastLimit {
			b.Fatal("not every ticket forecast")
		}
	}
}

// BenchmarkForecastMedian60 is the sampled forecast (21 plays) of 60
// waiting tickets, about the most the engine plays (forecastPlays).
func BenchmarkForecastMedian60(b *testing.B) {
	w, d := benchQueue(), benchDesks()
	w = append(w[:60:60], w[ForecastLimit:]...)
	dist := func(svc string) ServiceDist {
		m := benchServiceTime(svc)
		return ServiceDist{Mean: m, Var: 0.3 * float64(m) * float64(m)}
	}
	draw := func(j int) ([]Desk, func(Candidate) time.Duration) {
		return d, func(c Candidate) time.Duration { return dist(c.Service).RestQuantile(0, PlayDraw(1, c.ID, j)) }
	}
	for b.Loop() {
		if len(ForecastMedian(w, Policy{K: 3}, 21, draw)) != 60 {
			b.Fatal("not every ticket forecast")
		}
	}
}
