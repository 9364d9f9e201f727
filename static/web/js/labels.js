// labels.js — the names of the values the server sends, in the page
// language: a ticket's state, a priority category. Every page shows them
// alike.

import { t } from './i18n.js';

/** A ticket's state: "Waiting", "Called"… */
// i18n-keys: ticket.state.waiting ticket.state.called ticket.state.serving ticket.state.done ticket.state.no_show ticket.state.cancelled ticket.state.expired
export const stateLabel = (s) => t(`ticket.state.${s}`, null, { fallback: s });

/** A priority category: "Disabled person"… (an office's own shows its id). */
// i18n-keys: priority.disability priority.pregnancy priority.infant priority.senior
export const priorityLabel = (p) => t(`priority.${p}`, null, { fallback: p });
