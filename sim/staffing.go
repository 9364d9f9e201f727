package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/seira-queue/seira/queue"
)

// The day's staffing plan goes to the server through the administration
// API before the day starts, as an office's manager would have entered
// it: the wait estimate may plan with what the office knows (a counter
// opening at 09:00, a break at 12:00), and only with that.

// lastMinute is the latest time of day a schedule can name.
const lastMinute = TimeOfDay(23*time.Hour + 59*time.Minute)

// counterSchedule is what the day plans for counter c, its times moved by
// shift (a day played later than its file says): it opens at its opening,
// takes its pauses, and its clerk stops at the hard stop, the end of the
// day's work (after closing they serve those still waiting).
func (d Day) counterSchedule(c DayCounter, hardStop, shift time.Duration) queue.Schedule {
	at := func(t TimeOfDay) string { return min(t+TimeOfDay(shift), lastMinute).String() }
	s := queue.Schedule{Opens: at(d.opens(c)), Closes: at(d.Close + TimeOfDay(hardStop))}
	for _, p := range c.Pauses {
		s.Breaks = append(s.Breaks, queue.Break{At: at(p.At), Minutes: max(int(math.Round(p.Minutes)), 1)})
	}
	return s
}

// settingsView is what the simulator reads of GET /settings.
type settingsView struct {
	Branch   map[string]json.RawMessage   `json:"branch"`
	Services []map[string]json.RawMessage `json:"services"`
	Counters []counterSettings            `json:"counters"`
}

type counterSettings struct {
	ID     string          `json:"id"`
	Name   json.RawMessage `json:"name"`
	Serves []string        `json:"serves"`
}

// announcePlan sends each of the day's counters its schedule, its times
// moved by shift, and, with own (the simulator's in-process server),
// gives a branch without opening hours (always open) the day's and each
// service the day's mean service time as its default: the office is the
// day's, and its manager knows how long its services take. A running
// server keeps its operator's settings.
func (p *player) announcePlan(ctx context.Context, shift time.Duration, own bool) error {
	var st settingsView
	if _, err := p.c.Do(ctx, http.MethodGet, p.branchPath()+"/settings", "GET /settings", nil, &st); err != nil {
		return fmt.Errorf("branch %s settings: %w", p.day.Branch, err)
	}
	if have := st.Branch["hours"]; own && (len(have) == 0 || string(have) == "null" || string(have) == "{}") {
		span := []map[string]string{{"from": p.day.Open.String(), "to": p.day.Close.String()}}
		week := map[string]any{}
		for _, day := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
			week[day] = span
		}
		raw, err := json.Marshal(week)
		if err != nil {
			return fmt.Errorf("opening hours: %w", err)
		}
		st.Branch["hours"] = raw
		if _, err := p.c.Do(ctx, http.MethodPut, p.branchPath(), "PUT /branches/{b}", st.Branch, nil); err != nil {
			return fmt.Errorf("set the opening hours %s–%s: %w", p.day.Open, p.day.Close, err)
		}
	}
	if own {
		if err := p.serviceDefaults(ctx, st.Services); err != nil {
			return err
		}
	}
	for _, dc := range p.day.Counters {
		// The counter keeps its name and services (a counter missing, or
		// serving others, is checkBranch's to report).
		i := slices.IndexFunc(st.Counters, func(c counterSettings) bool { return c.ID == dc.ID })
		if i < 0 {
			continue
		}
		c := st.Counters[i]
		body := map[string]any{"name": c.Name, "serves": c.Serves, "schedule": p.day.counterSchedule(dc, p.opts.HardStop, shift)}
		if _, err := p.c.Do(ctx, http.MethodPut, p.branchPath()+"/counters/"+dc.ID, "PUT /counters/{c}", body, nil); err != nil {
			return fmt.Errorf("counter %s schedule: %w", dc.ID, err)
		}
	}
	return nil
}

// serviceDefaults sets each of the day's services' default service time
// (what the wait estimate assumes until it has learned) to the day's
// mean, leaving the rest of the service as it is.
func (p *player) serviceDefaults(ctx context.Context, services []map[string]json.RawMessage) error {
	for _, ds := range p.day.Services {
		i := slices.IndexFunc(services, func(s map[string]json.RawMessage) bool {
			var id string
			return json.Unmarshal(s["id"], &id) == nil && id == ds.ID
		})
		if i < 0 {
			continue // checkBranch reports a missing service
		}
		s := services[i]
		s["default_service_s"] = json.RawMessage(fmt.Sprint(ds.defaultServiceS()))
		if _, err := p.c.Do(ctx, http.MethodPut, p.branchPath()+"/services/"+ds.ID, "PUT /services/{s}", s, nil); err != nil {
			return fmt.Errorf("service %s default service time: %w", ds.ID, err)
		}
	}
	return nil
}
