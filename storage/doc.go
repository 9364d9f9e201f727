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
//	refs/<ref u64>             → <ticket id u64><branch id>
//	    store-wide ticket references, in issue order; a ticket's token is
//	    its ref followed by 128 random bits
//	appttokens/<token>         → <appointment id u64><branch id>
//	    store-wide: an appointment's personal link leads to its branch
//	users/, sessions/, devices/, devicetokens/, pairings/
//	    records of package auth (see Kind), JSON
//
// Values are stored by the codec (codec.go): JSON for settings, tickets and
// events (written by hand for tickets and events, the same bytes as
// encoding/json), a compact binary form for outcomes. Records written by
// earlier versions are kept in testdata/golden and must go on decoding.
//
// Writes go through Store.Update, which groups concurrent callers into one
// bbolt transaction and one fsync (group commit) and returns to each caller
// only after its data is durable.
package storage
