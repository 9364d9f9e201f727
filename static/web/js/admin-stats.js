// admin-stats.js — statistics: GET /branches/{b}/stats?from&to&by, a
// table with the total, a CSV link (same query + format=csv) and two
// inline-SVG charts (issued/served; median/p90 wait).

import { t, lang, fmtNumber, localName } from './i18n.js';
import { h } from './api.js';
import {
  $, app, adm, clearError, checkForm, busy, fmtSecs, fmtPercent, num, serviceName, counterName,
  userName, ensureSettings, ensureUsers, todayIn, dayDate,
} from './admin-util.js';
import { barChart, legend } from './admin-chart.js';

let report = null;
let initialised = false;

const byLabel = (by) => t(`admin.stats.by.${by}`);
// i18n-keys: admin.stats.by.service admin.stats.by.counter admin.stats.by.clerk admin.stats.by.hour admin.stats.by.day admin.stats.by.source
const perLabel = (by) => t(`admin.stats.per.${by}`);
// i18n-keys: admin.stats.per.service admin.stats.per.counter admin.stats.per.clerk admin.stats.per.hour admin.stats.per.day admin.stats.per.source

function keyLabel(key, by) {
  switch (by) {
    case 'service': return key ? serviceName(key) : t('admin.stats.key_none');
    case 'counter': return key ? counterName(key) : t('admin.stats.key_not_called');
    case 'clerk': return key ? userName(key) : t('admin.stats.key_not_called');
    case 'hour': {
      const n = Number(key);
      return Number.isNaN(n) ? key : `${key}:00–${String((n + 1) % 24).padStart(2, '0')}:00`;
    }
    case 'day':
      try {
        return new Intl.DateTimeFormat(lang(), { weekday: 'short', day: 'numeric', month: 'numeric', timeZone: 'UTC' }).format(dayDate(key));
      } catch {
        return key;
      }
    // i18n-keys: admin.stats.source.walk_in admin.stats.source.appointment admin.stats.source.remote
    case 'source': return t(`admin.stats.source.${key}`, null, { fallback: key });
    default: return key;
  }
}

function query() {
  return { from: $('stats-from').value, to: $('stats-to').value, by: $('stats-by').value };
}

function syncCSV() {
  const q = query();
  const link = $('stats-csv');
  if (q.from && q.to) {
    link.href = adm.statsCSV(q);
    link.removeAttribute('aria-disabled');
  } else {
    link.removeAttribute('href');
    link.setAttribute('aria-disabled', 'true');
  }
}

function defaults() {
  const tz = (app.settings && app.settings.branch.time_zone) || 'Europe/Athens';
  const today = todayIn(tz);
  $('stats-from').value = `${today.slice(0, 8)}01`;
  $('stats-to').value = today;
  $('stats-by').value = 'service';
}

export async function enter() {
  await ensureSettings();
  await ensureUsers();
  if (!initialised || $('stats-from').dataset.branch !== app.branch) {
    defaults();
    $('stats-from').dataset.branch = app.branch;
    initialised = true;
  }
  syncCSV();
  await run();
}

export function leave() {}

export function render() {
  if (report) show(report);
}

async function run() {
  const err = $('stats-error');
  clearError(err);
  const q = query();
  report = await adm.stats(q);
  show(report);
}

async function submit(e) {
  e.preventDefault();
  const form = $('stats-form');
  const err = $('stats-error');
  const q = query();
  const checks = [[$('stats-to'), q.from && q.to && q.to < q.from ? t('admin.error.date_order') : null]];
  if (!checkForm(form, err, checks)) return;
  syncCSV();
  await busy($('btn-stats'), err, async () => {
    await run();
    if (app.hook) app.hook.lastError = null;
  });
}

function cells(r) {
  const w = r.wait_s || {};
  const s = r.service_s || {};
  const secs = (sum, k) => (sum.count ? fmtSecs(sum[k]) : '—');
  return [
    h('td', { class: 'num' }, num(r.issued)),
    h('td', { class: 'num' }, num(r.served)),
    h('td', { class: 'num' }, num(r.no_show)),
    h('td', { class: 'num' }, num(r.cancelled)),
    h('td', { class: 'num' }, num(r.expired)),
    h('td', { class: 'num' }, secs(w, 'mean')),
    h('td', { class: 'num' }, secs(w, 'median')),
    h('td', { class: 'num' }, secs(w, 'p90')),
    h('td', { class: 'num' }, secs(s, 'mean')),
    h('td', { class: 'num' }, secs(s, 'median')),
    h('td', { class: 'num' }, secs(s, 'p90')),
    h('td', { class: 'num' }, fmtPercent(r.within_target)),
  ];
}

function show(rep) {
  const by = rep.by;
  const rows = rep.rows || [];
  const empty = !rows.length || !rep.total || !rep.total.issued;
  $('stats-empty').hidden = !empty;
  $('stats-result').hidden = empty;
  if (app.hook) app.hook.statsRows = rows.length;
  if (empty) return;

  $('stats-key-head').textContent = byLabel(by);
  $('stats-caption').textContent = t('admin.stats.caption', { from: rep.from, to: rep.to, per: perLabel(by) });
  $('stats-body').replaceChildren(...rows.map((r) => h('tr', { 'data-key': r.key },
    h('th', { scope: 'row' }, keyLabel(r.key, by)), ...cells(r))));
  $('stats-foot').replaceChildren(h('tr', { 'data-key': 'total' },
    h('th', { scope: 'row' }, t('admin.stats.total')), ...cells(rep.total)));

  const cats = rows.map((r) => keyLabel(r.key, by));
  const range = t('admin.stats.range', { from: rep.from, to: rep.to });
  const branch = app.settings ? localName(app.settings.branch.name) : app.branch;

  // Issued and served per row.
  const countSeries = [
    { name: t('admin.stats.issued'), values: rows.map((r) => r.issued) },
    { name: t('admin.stats.served'), values: rows.map((r) => r.served) },
  ];
  const countTitle = t('admin.stats.chart_counts_title', { per: perLabel(by) });
  const countDesc = t('admin.stats.chart_desc', {
    branch, range,
    items: rows.map((r, i) => t('admin.stats.chart_counts_item', { key: cats[i], issued: fmtNumber(r.issued), served: fmtNumber(r.served) })).join('; '),
  });
  $('chart-counts').replaceChildren(barChart({
    id: 'svg-counts', title: `${countTitle} (${range})`, desc: countDesc, categories: cats, series: countSeries,
    yLabel: t('admin.stats.axis_tickets'), format: (v) => fmtNumber(v), integer: true,
  }));
  legend($('chart-counts-legend'), countSeries, countTitle);

  // Median and p90 wait per row.
  const waitSeries = [
    { name: t('admin.stats.wait_median'), values: rows.map((r) => (r.wait_s && r.wait_s.count ? r.wait_s.median : 0)) },
    { name: t('admin.stats.wait_p90'), values: rows.map((r) => (r.wait_s && r.wait_s.count ? r.wait_s.p90 : 0)) },
  ];
  const waitTitle = t('admin.stats.chart_wait_title', { per: perLabel(by) });
  const waitDesc = t('admin.stats.chart_desc', {
    branch, range,
    items: rows.map((r, i) => (r.wait_s && r.wait_s.count
      ? t('admin.stats.chart_wait_item', { key: cats[i], median: fmtSecs(r.wait_s.median), p90: fmtSecs(r.wait_s.p90) })
      : t('admin.stats.chart_wait_none', { key: cats[i] }))).join('; '),
  });
  $('chart-wait').replaceChildren(barChart({
    id: 'svg-wait', title: `${waitTitle} (${range})`, desc: waitDesc, categories: cats, series: waitSeries,
    // One unit with the table: minutes on the axis, m:ss where exact.
    yLabel: t('admin.stats.axis_wait_min'),
    scale: 60,
    format: (v) => fmtNumber(Math.round((v / 60) * 10) / 10),
    tip: fmtSecs,
  }));
  legend($('chart-wait-legend'), waitSeries, waitTitle);
}

export function init() {
  $('stats-form').addEventListener('submit', submit);
  for (const id of ['stats-from', 'stats-to', 'stats-by']) $(id).addEventListener('change', syncCSV);
  $('stats-csv').addEventListener('click', (e) => {
    if (!$('stats-csv').getAttribute('href')) e.preventDefault();
  });
}
