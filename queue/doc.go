// Package queue holds seira's domain: branches, services, counters, tickets
// and events, the ticket state machine, numbering by service day, the
// call-next policy and the wait estimate.
//
// Everything here is pure: no I/O, no clock, no randomness. The engine feeds
// it the time and the data it read from storage and persists what it returns.
package queue
