// Package faults proves seira on etcd under faults, the way etcd's own
// robustness tests prove etcd: real processes (a three-member etcd cluster
// and three seira instances, all children of the test), a client history
// recorded while kiosks issue, clerks call and live subscribers follow,
// faults injected on the way (the etcd leader killed with SIGKILL, a seira
// instance killed, a member paused with SIGSTOP), and then the verdicts: no
// acknowledged ticket lost, none called twice, numbers and event sequence
// gap-free, every subscriber's stream whole and in order, and the history
// linearizable against a model of the queue (porcupine).
//
// The package has only tests. CI runs one leader kill; the long run is
//
//	SEIRA_FAULT_KILLS=20 go test -run TestFaults -v -timeout 30m ./faults
package faults
