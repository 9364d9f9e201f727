package admin

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/queue"
)

// Rules are the limits and defaults that settings and users are checked
// against, served at GET /api/v1/rules so that the
// administration's forms check what the server will, with no copy of the
// rules of their own.
type Rules struct {
	Days                  []string    `json:"days"`
	Priorities            []string    `json:"priorities"`
	Roles                 []auth.Role `json:"roles"`
	IDPattern             string      `json:"id_pattern"`
	UsernamePattern       string      `json:"username_pattern"`
	PasswordMin           int         `json:"password_min"`
	IDMax                 int         `json:"id_max"`
	NameMax               int         `json:"name_max"`
	CounterNameMax        int         `json:"counter_name_max"`
	MessageMax            int         `json:"message_max"`
	PriorityCapMax        int         `json:"priority_cap_max"`
	DefaultPriorityCap    int         `json:"default_priority_cap"`
	DefaultServiceS       int         `json:"default_service_s"`
	ServiceSMin           int         `json:"service_s_min"`
	ServiceSMax           int         `json:"service_s_max"`
	DefaultTargetWaitS    int         `json:"default_target_wait_s"`
	TargetWaitSMax        int         `json:"target_wait_s_max"`
	DailyLimitMax         int         `json:"daily_limit_max"`
	PlansMax              int         `json:"plans_max"`
	BreaksMax             int         `json:"breaks_max"`
	BreakMinutesMax       int         `json:"break_minutes_max"`
	RecallBadgeMinDefault int         `json:"recall_badge_min_default"`
	RecallBadgeMinMax     int         `json:"recall_badge_min_max"`
	CallShownMinDefault   int         `json:"call_shown_min_default"`
	CallShownMinMax       int         `json:"call_shown_min_max"`
	// Appointments.
	SlotMinDefault      int `json:"slot_min_default"`
	SlotMinMin          int `json:"slot_min_min"`
	SlotMinMax          int `json:"slot_min_max"`
	PerSlotMax          int `json:"per_slot_max"`
	DaysAheadDefault    int `json:"days_ahead_default"`
	DaysAheadMax        int `json:"days_ahead_max"`
	CheckinEarlyDefault int `json:"checkin_early_min_default"`
	CheckinLateDefault  int `json:"checkin_late_min_default"`
	CheckinMinMax       int `json:"checkin_min_max"`
	ApptCapDefault      int `json:"appointment_cap_default"`
	ApptCapMax          int `json:"appointment_cap_max"`
	ClosedDatesMax      int `json:"closed_dates_max"`
	// TokenScopes are the scopes an API token may hold.
	TokenScopes []auth.Scope `json:"token_scopes"`
}

// currentRules are this version's.
func currentRules() Rules {
	return Rules{
		Days: queue.Weekdays(), Priorities: queue.DefaultPriorities(), Roles: auth.Roles(),
		IDPattern: queue.IDPattern, UsernamePattern: auth.UsernamePattern, PasswordMin: auth.MinPasswordLen,
		IDMax: queue.MaxIDLen, NameMax: queue.MaxNameLen, CounterNameMax: queue.MaxCounterNameLen, MessageMax: queue.MaxMessageLen,
		PriorityCapMax: queue.MaxPriorityCap, DefaultPriorityCap: queue.DefaultPriorityCap,
		DefaultServiceS: int(queue.DefaultServiceTime / time.Second), ServiceSMin: queue.MinDefaultServiceS, ServiceSMax: queue.MaxDefaultServiceS,
		DefaultTargetWaitS: int(queue.DefaultTargetWait / time.Second), TargetWaitSMax: queue.MaxTargetWaitS, DailyLimitMax: queue.MaxDailyLimit,
		PlansMax: queue.MaxSchedules, BreaksMax: queue.MaxBreaks, BreakMinutesMax: queue.MaxBreakMinutes,
		RecallBadgeMinDefault: int(queue.DefaultRecallBadge / time.Minute), RecallBadgeMinMax: queue.MaxRecallBadge,
		CallShownMinDefault: int(queue.DefaultCallShown / time.Minute), CallShownMinMax: queue.MaxCallShown,
		SlotMinDefault: queue.DefaultSlotMin, SlotMinMin: queue.MinSlotMin, SlotMinMax: queue.MaxSlotMin, PerSlotMax: queue.MaxPerSlot,
		DaysAheadDefault: queue.DefaultDaysAhead, DaysAheadMax: queue.MaxDaysAhead,
		CheckinEarlyDefault: queue.DefaultCheckinEarly, CheckinLateDefault: queue.DefaultCheckinLate, CheckinMinMax: queue.MaxCheckinMin,
		ApptCapDefault: queue.DefaultAppointmentCap, ApptCapMax: queue.MaxAppointmentCap, ClosedDatesMax: queue.MaxClosedDates,
		TokenScopes: auth.AllScopes(),
	}
}

// rules answers GET /api/v1/rules, for anyone signed in to administer.
func (h *Handler) rules(c echo.Context) error {
	if _, err := signedInUser(c); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, currentRules())
}
