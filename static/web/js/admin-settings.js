// admin-settings.js — a branch's settings: the view of its three sections,
// each a module of its own: the branch (admin-settings-branch.js), its
// services (admin-settings-services.js) and its counters
// (admin-settings-counters.js).

import { app, ensureSettings } from './admin-util.js';
import * as branch from './admin-settings-branch.js';
import * as services from './admin-settings-services.js';
import * as counters from './admin-settings-counters.js';

const sections = [branch, services, counters];

export async function enter() {
  await ensureSettings(true);
  for (const s of sections) s.enter();
}

export function leave() {}

/** Language change: labels only; what is being typed stays. */
export function render() {
  if (!app.settings) return;
  for (const s of sections) s.render();
}

export function init() {
  for (const s of sections) s.init();
}
