package queue

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Span is one opening period of a day, "HH:MM" to "HH:MM" local time.
type Span struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Hours maps weekdays ("mon" … "sun") to their opening periods. A day
// missing from a non-empty Hours is closed.
type Hours map[string][]Span

// Weekdays are the keys of the days of the week, Monday first (Hours,
// Schedule.Days).
func Weekdays() []string { return []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} }

// isWeekday reports whether d is the key of a day of the week.
func isWeekday(d string) bool { return slices.Contains(Weekdays(), d) }

// Bounds of the settings, for validation (and the administration's forms,
// which are served them).
const (
	MaxPriorityCap    = 20
	MaxDailyLimit     = 9999
	MaxTargetWaitS    = 24 * 3600
	MaxRecallBadge    = 60      // minutes
	MaxCallShown      = 24 * 60 // minutes
	MaxNameLen        = 100
	MaxCounterNameLen = 60
	MaxMessageLen     = 200
	MaxIDLen          = 64
	IDPattern         = "^[a-z0-9_-]{1,64}$"
	DefaultTargetWait = 15 * time.Minute
)

func weekdayKey(d time.Weekday) string {
	return [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[d]
}

func minutesOf(hhmm string) (int, bool) {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// Validate checks the days and times.
func (h Hours) Validate() error {
	for day, spans := range h {
		if !isWeekday(day) {
			return Errorf(CodeValidation, "hours: unknown day %q (use mon … sun)", day)
		}
		for i, s := range spans {
			from, ok1 := minutesOf(s.From)
			to, ok2 := minutesOf(s.To)
			if !ok1 || !ok2 || from >= to {
				return Errorf(CodeValidation, "hours: %s %s–%s is not a period (use HH:MM, from before to)", day, s.From, s.To)
			}
			for _, o := range spans[:i] {
				of, _ := minutesOf(o.From)
				ot, _ := minutesOf(o.To)
				if from < ot && of < to {
					return Errorf(CodeValidation, "hours: on %s, %s–%s overlaps %s–%s", day, s.From, s.To, o.From, o.To)
				}
			}
		}
	}
	return nil
}

// OpenAt reports whether t falls within the opening hours in loc.
func (h Hours) OpenAt(t time.Time, loc *time.Location) bool {
	if len(h) == 0 {
		return true
	}
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	for _, s := range h[weekdayKey(lt.Weekday())] {
		from, _ := minutesOf(s.From)
		to, _ := minutesOf(s.To)
		if m >= from && m < to {
			return true
		}
	}
	return false
}

// validText requires a Greek text and bounds every translation.
func validText(what string, t Text, max int) error {
	if strings.TrimSpace(t["el"]) == "" {
		return Errorf(CodeValidation, "%s needs a Greek text (el)", what)
	}
	for lang, s := range t {
		if len(lang) < 2 || len(lang) > 3 {
			return Errorf(CodeValidation, "%s: %q is not a language code", what, lang)
		}
		if utf8.RuneCountInString(s) > max {
			return Errorf(CodeValidation, "%s (%s) is longer than %d characters", what, lang, max)
		}
	}
	return nil
}

// ValidID reports whether s can be a branch, service or counter id: short,
// URL-safe, lower case.
func ValidID(s string) bool {
	if s == "" || len(s) > MaxIDLen {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

func badID(what, id string) error {
	return Errorf(CodeValidation, "%s id %q: use 1 to 64 of a-z, 0-9, - and _", what, id)
}

// Validate checks a branch's settings. The time zone is checked by the
// engine, which loads it.
func (b Branch) Validate() error {
	if !ValidID(b.ID) {
		return badID("branch", b.ID)
	}
	if err := validText("the branch name", b.Name, MaxNameLen); err != nil {
		return err
	}
	if b.PriorityCap < 0 || b.PriorityCap > MaxPriorityCap {
		return Errorf(CodeValidation, "priority_cap must be between 1 and %d", MaxPriorityCap)
	}
	for _, p := range b.Priorities {
		if !ValidID(p) || p == PriorityNone {
			return Errorf(CodeValidation, "priority category %q: use a-z, 0-9, - and _ (and not %q)", p, PriorityNone)
		}
	}
	if b.RetentionDays < 0 {
		return Errorf(CodeValidation, "retention_days cannot be negative")
	}
	if b.RecallBadgeMin < 0 || b.RecallBadgeMin > MaxRecallBadge {
		return Errorf(CodeValidation, "recall_badge_min must be between 1 and %d minutes (0 for the default, %d)", MaxRecallBadge, int(DefaultRecallBadge/time.Minute))
	}
	if b.CallShownMin < 0 || b.CallShownMin > MaxCallShown {
		return Errorf(CodeValidation, "call_shown_min must be between 1 and %d minutes (0 for the default, %d)", MaxCallShown, int(DefaultCallShown/time.Minute))
	}
	if !b.Message.Empty() {
		if err := validText("the display message", b.Message, MaxMessageLen); err != nil {
			return err
		}
	}
	if b.AppointmentCap < 0 || b.AppointmentCap > MaxAppointmentCap {
		return Errorf(CodeValidation, "appointment_cap must be between 1 and %d (0 for the default, %d)", MaxAppointmentCap, DefaultAppointmentCap)
	}
	if err := ValidateClosedDates(b.ClosedDates); err != nil {
		return err
	}
	if err := b.validatePlace(); err != nil {
		return err
	}
	return b.Hours.Validate()
}

// The bounds of a service's default service time, in seconds.
const (
	MinDefaultServiceS = 30
	MaxDefaultServiceS = 7200
)

// Validate checks a service against the branch's other services.
func (s Service) Validate(others []Service) error {
	if !ValidID(s.ID) {
		return badID("service", s.ID)
	}
	if err := validText(fmt.Sprintf("service %s's name", s.ID), s.Name, MaxNameLen); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(s.Prefix); n < 1 || n > 3 || strings.TrimSpace(s.Prefix) != s.Prefix {
		return Errorf(CodeValidation, "service %s: the prefix must be 1 to 3 characters", s.ID)
	}
	for _, r := range s.Prefix {
		if !(r >= 'A' && r <= 'Z' || r >= 'Α' && r <= 'Ω') {
			return Errorf(CodeValidation, "service %s: the prefix must be capital Latin or Greek letters", s.ID)
		}
	}
	for _, o := range others {
		if o.ID != s.ID && o.Prefix == s.Prefix {
			return Errorf(CodeValidation, "prefix %s is already used by service %s", s.Prefix, o.ID)
		}
	}
	switch {
	case s.DefaultServiceS != 0 && (s.DefaultServiceS < MinDefaultServiceS || s.DefaultServiceS > MaxDefaultServiceS):
		return Errorf(CodeValidation, "service %s: default_service_s must be %d to %d seconds", s.ID, MinDefaultServiceS, MaxDefaultServiceS)
	case s.DailyLimit < 0 || s.DailyLimit > MaxDailyLimit:
		return Errorf(CodeValidation, "service %s: daily_limit must be 0 (none) to %d", s.ID, MaxDailyLimit)
	case s.TargetWaitS < 0 || s.TargetWaitS > MaxTargetWaitS:
		return Errorf(CodeValidation, "service %s: target_wait_s must be 0 to %d seconds", s.ID, MaxTargetWaitS)
	}
	if err := s.RemoteJoin.Validate(s.ID); err != nil {
		return err
	}
	if s.Appointments != nil {
		return s.Appointments.Validate(s.ID)
	}
	return nil
}

// Validate checks a counter against the branch's services.
func (c Counter) Validate(services []Service) error {
	if !ValidID(c.ID) {
		return badID("counter", c.ID)
	}
	if len(c.Name) > 0 {
		if err := validText(fmt.Sprintf("counter %s's name", c.ID), c.Name, MaxCounterNameLen); err != nil {
			return err
		}
	}
	if len(c.Serves) == 0 {
		return Errorf(CodeValidation, "counter %s serves no service", c.ID)
	}
	seen := map[string]bool{}
	for _, id := range c.Serves {
		if seen[id] {
			return Errorf(CodeValidation, "counter %s lists service %s twice", c.ID, id)
		}
		seen[id] = true
		if !slices.ContainsFunc(services, func(s Service) bool { return s.ID == id }) {
			return Errorf(CodeValidation, "counter %s: no service %s", c.ID, id)
		}
	}
	return c.validatePlans()
}
