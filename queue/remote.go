package queue

// SourceRemote is the source of a ticket taken from home (/b/{branch}).
const SourceRemote = "remote"

// RemoteJoin is a service's rule for joining the queue from home.
type RemoteJoin struct {
	Enabled bool `json:"enabled"`
	// DailyCap is how many remote tickets a service day takes (0: none).
	DailyCap int `json:"daily_cap"`
	// CloseBeforeMin stops remote joining this many minutes before the
	// office closes, so that nobody travels to a shut door.
	CloseBeforeMin int `json:"close_before_min"`
	// BeThereMarginMin is how long before the estimated call the holder
	// should be in the office.
	BeThereMarginMin int `json:"be_there_margin_min"`
}
