package queue

import "time"

// Rules are the limits and defaults that settings are checked against,
// served with the settings (GET …/settings) so that the administration
// pages need no copy of them.
type Rules struct {
	RecallBadgeMinDefault int `json:"recall_badge_min_default"`
	CallShownMinDefault   int `json:"call_shown_min_default"`
}

// SettingsRules returns the rules of this version.
func SettingsRules() Rules {
	return Rules{
		RecallBadgeMinDefault: int(DefaultRecallBadge / time.Minute),
		CallShownMinDefault:   int(DefaultCallShown / time.Minute),
	}
}
