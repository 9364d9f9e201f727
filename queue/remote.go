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

// Bounds of the remote joining settings.
const (
	MaxRemoteDailyCap = 10_000
	MaxRemoteMinutes  = 24 * 60
)

// Validate checks the settings' bounds (nil: remote joining is off).
func (r *RemoteJoin) Validate(service string) error {
	switch {
	case r == nil:
		return nil
	case r.DailyCap < 0 || r.DailyCap > MaxRemoteDailyCap:
		return Errorf(CodeValidation, "service %s: remote_join.daily_cap must be 0 to %d", service, MaxRemoteDailyCap)
	case r.CloseBeforeMin < 0 || r.CloseBeforeMin > MaxRemoteMinutes:
		return Errorf(CodeValidation, "service %s: remote_join.close_before_min must be 0 to %d minutes", service, MaxRemoteMinutes)
	case r.BeThereMarginMin < 0 || r.BeThereMarginMin > MaxRemoteMinutes:
		return Errorf(CodeValidation, "service %s: remote_join.be_there_margin_min must be 0 to %d minutes", service, MaxRemoteMinutes)
	}
	return nil
}
