// admin-settings-common.js — what the settings' sections share.

import { t } from './i18n.js';
import { app } from './admin-util.js';

// The server's rules (GET /api/v1/rules) give the days, the known
// priorities, the defaults and the bounds these forms check.
// i18n-keys: admin.day.mon admin.day.tue admin.day.wed admin.day.thu admin.day.fri admin.day.sat admin.day.sun
export const DAYS = () => app.rules.days;
export const dayName = (d) => t(`admin.day.${d}`);
export const clone = (v) => JSON.parse(JSON.stringify(v || {}));
// 24-hour HH:MM as the server wants it (a time input would follow the
// browser's locale, e.g. 12-hour clocks).
export const HHMM = '([01][0-9]|2[0-3]):[0-5][0-9]';
export const TIME_INPUT = {
  type: 'text', inputmode: 'numeric', pattern: HHMM, maxlength: 5, placeholder: '08:00', required: true,
  autocomplete: 'off', spellcheck: 'false', class: 'time',
};

/** The branch's services in their order. */
export const sortedServices = () => [...app.settings.services].sort((a, b) => (a.order - b.order) || a.id.localeCompare(b.id));

/**
 * A rule of GET /api/v1/rules by name, or fallback should the server not
 * serve it (the appointment bounds: queue/appointment.go).
 */
export const rule = (name, fallback) => (app.rules && typeof app.rules[name] === 'number' ? app.rules[name] : fallback);

/** The appointment settings' defaults and bounds. */
export const apptRules = () => ({
  slotMin: rule('slot_min_min', 5),
  slotMax: rule('slot_min_max', 240),
  slotDefault: rule('slot_min_default', 15),
  perSlotMax: rule('per_slot_max', 100),
  daysMax: rule('days_ahead_max', 366),
  daysDefault: rule('days_ahead_default', 30),
  checkinMax: rule('checkin_min_max', 240),
  earlyDefault: rule('checkin_early_min_default', 30),
  lateDefault: rule('checkin_late_min_default', 10),
  capMax: rule('appointment_cap_max', 20),
  capDefault: rule('appointment_cap_default', 3),
  closedMax: rule('closed_dates_max', 400),
});
