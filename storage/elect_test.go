package storage

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seira-queue/seira/internal/etcdtest"
)

// TestRunElectedOneAtATime: of two instances, one runs the job; when it
// stops (its server shuts down), the other takes over, and the two never
// run it at once.
func TestRunElectedOneAtATime(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	stores := []*Store{openEtcd(t, c, "/el/"), openEtcd(t, c, "/el/")}
	var active atomic.Int32
	started := make(chan int, 4)
	job := func(i int) func(context.Context) {
		return func(ctx context.Context) {
			if active.Add(1) > 1 {
				t.Error("two instances run the job at once")
			}
			started <- i
			<-ctx.Done()
			active.Add(-1)
		}
	}
	var cancels [2]context.CancelFunc
	var done [2]chan struct{}
	for i, s := range stores {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i], done[i] = cancel, make(chan struct{})
		go func() {
			defer close(done[i])
			s.RunElected(ctx, "ticks", job(i))
		}()
	}
	defer func() {
		for i := range cancels {
			cancels[i]()
			<-done[i]
		}
	}()
	wait := func() int {
		select {
		case i := <-started:
			return i
		case <-time.After(60 * time.Second):
			t.Fatal("nobody runs the job")
			return -1
		}
	}
	first := wait()
	cancels[first]()
	<-done[first]
	if second := wait(); second == first {
		t.Fatalf("instance %d ran the job again after it stopped", first)
	}
}
