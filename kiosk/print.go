package kiosk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/seira-queue/seira/auth"
	"github.com/seira-queue/seira/engine"
	"github.com/seira-queue/seira/i18n"
	"github.com/seira-queue/seira/printer"
)

// DeviceSettings are a kiosk's own settings, kept with the device.
type DeviceSettings struct {
	// Printer is the kiosk's network thermal printer; nil when the kiosk
	// prints through its browser.
	Printer *printer.Config `json:"printer,omitempty"`
}

// SettingsOf reads a device's settings.
func SettingsOf(d *auth.Device) (DeviceSettings, error) {
	var s DeviceSettings
	if d == nil || len(d.Settings) == 0 {
		return s, nil
	}
	if err := json.Unmarshal(d.Settings, &s); err != nil {
		return s, fmt.Errorf("kiosk: device %s settings: %w", d.ID, err)
	}
	return s, nil
}

// PrintResult tells the kiosk page how printing went. The ticket is valid
// either way: a failed print is for the kiosk to say and staff to fix.
type PrintResult struct {
	Printer string `json:"printer"`
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
}

// PrintTimeout bounds a print, so that a dead printer delays the kiosk's
// answer by seconds, not minutes.
const PrintTimeout = 4 * time.Second

// printTicket prints info on the kiosk's network printer, in the ticket's
// language.
func printTicket(ctx context.Context, cat *i18n.Catalogues, client printer.Client, cfg printer.Config, branchName string, info engine.TicketInfo, url string) PrintResult {
	res := PrintResult{Printer: cfg.Addr}
	lang := info.Ticket.Lang
	var note string
	waitLabel, ahead := cat.T(lang, "print.wait"), max(info.Position-1, 0)
	switch {
	case info.Unstaffed:
		// No figure is printed that nobody stands behind.
		waitLabel, note = "", cat.T(lang, "print.no_counter")
	case info.AfterClosing:
		note = cat.T(lang, "kiosk.after_closing_long")
	}
	if a := info.Ticket.Appointment; a != nil {
		slot := cat.T(lang, "print.appointment", "time", a.Start.In(info.Loc).Format("15:04"))
		note = strings.TrimSpace(slot + "\n" + note)
	}
	job, err := printer.Encode(cfg, printer.Ticket{
		Branch:     branchName,
		Number:     info.Ticket.Number,
		Service:    info.Service.Name.In(lang),
		IssuedAt:   info.Ticket.IssuedAt.In(info.Loc),
		AheadLabel: cat.T(lang, "print.ahead"),
		Ahead:      ahead,
		WaitLabel:  waitLabel,
		Wait:       FormatWait(cat, lang, info.Wait, ahead),
		Note:       note,
		URL:        url,
		Footer:     cat.T(lang, "print.footer"),
	})
	if err != nil {
		res.Error = err.Error()
		return res
	}
	ctx, cancel := context.WithTimeout(ctx, PrintTimeout)
	defer cancel()
	if err := client.Print(ctx, cfg.Addr, job); err != nil {
		res.Error = err.Error()
		return res
	}
	res.OK = true
	return res
}

// FormatWait writes an estimated wait the way the pages do (fmtWait in
// i18n.js): "~12 λεπ.". "No wait" only when nobody is ahead.
func FormatWait(cat *i18n.Catalogues, lang string, d time.Duration, ahead int) string {
	m := int((d + 30*time.Second) / time.Minute)
	switch {
	case m < 1 && ahead > 0:
		return cat.T(lang, "print.wait_under_minute")
	case m < 1:
		return cat.T(lang, "wait.none")
	case m < 60:
		return cat.T(lang, "print.wait_minutes", "n", m)
	}
	return cat.T(lang, "print.wait_hours", "h", m/60, "m", m%60)
}
