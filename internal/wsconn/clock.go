package wsconn

import "time"

// Clock is the hub's time for keeping connections alive: when to ping,
// and when a connection has been silent, or its writer stuck, for too
// long. Tests drive a clock of their own, so that nothing they assert
// depends on how fast the machine runs.
type Clock interface {
	Now() time.Time
	// NewTicker ticks every d until stop is called.
	NewTicker(d time.Duration) (ticks <-chan time.Time, stop func())
}

// realClock is the wall clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}
