// Package storage keeps seira's state in one bbolt file.
//
// The bucket tree (keys in angle brackets; integers are fixed-width
// big-endian so that a cursor walks them in numeric order):
//
//	meta/
//	  "schema"                 → uint64: how many migrations have run
//	branches/
//	  <branch id>/
//	    "config"               → JSON queue.Branch
//	    "day"                  → the service day the branch last acted in
//	    "version"              → random: changes with every settings write
//	    "cversion"             → random: changes with every counter write
//	    "pause"                → int64 ns: moving mean length of a pause
//	    "purged"               → uint64: tickets up to this id are past
//	                             retention and have lost their tokens
//	    services/<service id>  → JSON queue.Service
//	    counters/<counter id>  → JSON queue.Counter
//	    tickets/<id u64>       → JSON queue.Ticket (bucket sequence = last id)
//	    waiting/<service id>/<class u8><issued ns u64><seq u32><id u64>[<slot ns u64>] → ""
//	        the waiting index, in call order within a class: class 0 is
//	        priority, 1 regular, so the head of each list is one Seek away;
//	        an appointment ticket's key ends with its slot's start
//	    apptwait/<service id>\x00<slot ns u64><issued ns u64><seq u32><id u64> → ""
//	        the waiting appointment tickets by slot: the policy's third head
//	    waitcount/<service id> → uint32 priority, uint32 regular
//	    events/<seq u64>       → JSON queue.Event (bucket sequence = last seq)
//	    eventdays/<YYYY-MM-DD> → uint64: the first event seq of that day
//	    numbers/<YYYY-MM-DD>/<service id> → uint32: last daily number
//	    servicetimes/<service id> → int64 ns moving service-time estimate,
//	        uint64 samples it is made of
//	    idempotency/<key>      → <ticket id u64><service day>
//	    outcomes/<YYYY-MM-DD><id u64> → queue.Outcome (binary): how each
//	        finished ticket ended, by issue day, for statistics
//	    arrivals/<service id>  → int64 ns last priority issue, float64 the
//	        decaying estimate of priority arrivals per hour (the forecast's)
//	    "apptswept"            → int64 ns: appointments before it are swept
//	                             (no-shows marked, contact data deleted)
//	    appts/<id u64>         → JSON queue.Appointment (sequence = last id)
//	    apptcodes/<code>       → <appointment id u64>
//	    apptext/<external id>  → <appointment id u64>
//	    apptstarts/<start ns u64><id u64> → "": by start, for a day's list,
//	        reminders and the sweep
//	    apptslots/<service id>\x00<start ns u64> → uint32: places taken
//	    notices/<id u64>       → JSON queue.Announcement (sequence = last
//	        id): messages to the waiting citizens until they expire
//	    remote/<YYYY-MM-DD>/<service id> → uint32: remote tickets issued
//	    webhooks/<subscription id> → JSON Webhook
//	    outbox/<subscription id>/<seq u64> → JSON Delivery: deliveries to
//	        send, written with the event they report (webhooks.go)
//	    whdone/<subscription id>/<seq u64> → JSON Delivery: the latest
//	        delivered or failed
//	refs/<ref u64>             → <ticket id u64><branch id>
//	    store-wide ticket references, in issue order; a ticket's token is
//	    its ref followed by 128 random bits
//	appttokens/<token>         → <appointment id u64><branch id>
//	    store-wide: an appointment's personal link leads to its branch
//	limits/<key>               → float64 tokens, int64 ns of the last take:
//	    rate limits that the instances of a replicated store share
//	users/, sessions/, devices/, devicetokens/, pairings/
//	    records of package auth (see Kind), JSON
//	tokens/<id>, tokenhashes/<sha-256 hex> → <id>, tokenuses/<id> → time
//	    API tokens of integrations (package auth): never the secret
//
// Values are stored by the codec (codec.go): JSON for settings, tickets and
// events (written by hand for tickets and events, the same bytes as
// encoding/json), a compact binary form for outcomes. Records written by
// earlier versions are kept in testdata/golden and must go on decoding.
//
// Writes go through Store.Update, which groups concurrent callers into one
// bbolt transaction and one fsync (group commit) and returns to each caller
// only after its data is durable.
//
// # On etcd
//
// OpenEtcd keeps the same tree in an etcd cluster, one etcd key per bucket
// and per key, under a prefix (default /seira/), in the flat layout of
// flat.go:
//
//	/seira/!commit                         → id of the last commit; its
//	                                         revision orders every commit
//	/seira/!elect/<job>/<lease>            → etcd elections (background jobs)
//	/seira/meta/                           → the bucket meta: 8-byte sequence
//	/seira/meta/schema                     → a key in it
//	/seira/branches/demo/tickets/          → a nested bucket
//	/seira/branches/demo/tickets/%00%00%00%00%00%00%00%07 → ticket 7
//	/seira/branches/demo/waiting/certificates/%01%18…     → the waiting index
//
// Names and keys are escaped (bytes other than letters, digits, '.', '_'
// and '-' as %XX), so '/' only separates levels and a key that ends in '/'
// is a bucket. Every read is served from a local bbolt mirror of the
// prefix, filled from a snapshot at start and kept current by a watch, so
// a page costs etcd nothing. A write runs on the mirror in a transaction
// that is rolled back, and what it wrote (bucket.go's write log) goes to
// etcd as one transaction that puts !commit and compares its revision with
// the one the mirror has applied: writes of all instances form one
// sequence, so a call is won by one instance, and numbers and event seqs
// stay gap-free. On a conflict the write runs again on the newer mirror.
// The writer's own commit is applied to the mirror before it returns; other
// instances' commits arrive by the watch and are told to OnRemote's
// listeners (the live hub publishes their events).
package storage
