package storage

import (
	"encoding/binary"

	"github.com/seira-queue/seira/queue"
)

// Bucket and key names, fixed by the tree in doc.go.
var (
	bktMeta     = []byte("meta")
	bktBranches = []byte("branches")
	bktRefs     = []byte("refs")

	keySchema = []byte("schema")
	// keyTokenKey holds the secret that masks ticket references in tokens.
	keyTokenKey = []byte("tokenkey")
	keyConfig   = []byte("config")
	keyDay      = []byte("day")
	keyPurged   = []byte("purged")
	keyPause    = []byte("pause")
	// keyApptSwept is how far the turn of the day has swept appointments.
	keyApptSwept = []byte("apptswept")

	bktServices     = []byte("services")
	bktCounters     = []byte("counters")
	bktTickets      = []byte("tickets")
	bktWaiting      = []byte("waiting")
	bktWaitCount    = []byte("waitcount")
	bktEvents       = []byte("events")
	bktEventDays    = []byte("eventdays")
	bktNumbers      = []byte("numbers")
	bktServiceTimes = []byte("servicetimes")
	bktIdempotency  = []byte("idempotency")
	bktOutcomes     = []byte("outcomes")
	bktArrivals     = []byte("arrivals")
	// bktRemote counts the remote tickets of each service day (remote.go).
	bktRemote = []byte("remote")

	// Appointments (appointments.go).
	bktAppts      = []byte("appts")
	bktApptCodes  = []byte("apptcodes")
	bktApptExt    = []byte("apptext")
	bktApptStarts = []byte("apptstarts")
	bktApptSlots  = []byte("apptslots")
	bktApptWait   = []byte("apptwait")
	// bktApptTokens is store-wide: an appointment's token leads to its
	// branch, as a ticket's does.
	bktApptTokens = []byte("appttokens")
)

// branchBuckets are created with every branch.
func branchBuckets() [][]byte {
	return append([][]byte{bktServices, bktCounters, bktTickets, bktWaiting, bktWaitCount,
		bktEvents, bktEventDays, bktNumbers, bktServiceTimes, bktIdempotency, bktOutcomes, bktArrivals, bktNotices,
		bktRemote},
		append(apptBuckets(), webhookBuckets()...)...)
}

// apptBuckets are the branch buckets of appointments.
func apptBuckets() [][]byte {
	return [][]byte{bktAppts, bktApptCodes, bktApptExt, bktApptStarts, bktApptSlots, bktApptWait}
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

const (
	classPriority byte = 0
	classRegular  byte = 1
	waitKeyLen         = 1 + 8 + 4 + 8
	// apptWaitKeyLen is an appointment ticket's key: the slot's start
	// follows, after what orders the list, so that the order is by
	// check-in as for everyone and a reader still tells it apart.
	apptWaitKeyLen = waitKeyLen + 8
)

// waitKey is a candidate's key in its service's waiting list.
func waitKey(c queue.Candidate) []byte {
	n := waitKeyLen
	if c.Due != 0 {
		n = apptWaitKeyLen
	}
	k := make([]byte, n)
	k[0] = classRegular
	if c.Priority {
		k[0] = classPriority
	}
	binary.BigEndian.PutUint64(k[1:], uint64(c.IssuedAt))
	binary.BigEndian.PutUint32(k[9:], uint32(c.Seq))
	binary.BigEndian.PutUint64(k[13:], c.ID)
	if c.Due != 0 {
		binary.BigEndian.PutUint64(k[21:], uint64(c.Due))
	}
	return k
}

// parseWaitKey is the inverse of waitKey.
func parseWaitKey(service string, k []byte) (queue.Candidate, bool) {
	if len(k) != waitKeyLen && len(k) != apptWaitKeyLen {
		return queue.Candidate{}, false
	}
	c := queue.Candidate{
		ID:       binary.BigEndian.Uint64(k[13:]),
		Service:  service,
		Priority: k[0] == classPriority,
		IssuedAt: int64(binary.BigEndian.Uint64(k[1:])),
		Seq:      int(binary.BigEndian.Uint32(k[9:])),
	}
	if len(k) == apptWaitKeyLen {
		c.Due = int64(binary.BigEndian.Uint64(k[21:]))
	}
	return c, true
}
