// i18n.js — message catalogues, language switching and Intl formatting.
//
// Every user-facing string comes from /static/i18n/{lang}.json (flat keys).
// The list of languages lives in /static/i18n/languages.json only: adding a
// language is adding its catalogue and one line there.
//
// Markup hooks applied by applyTranslations(root):
//   data-i18n="key"             → textContent
//   data-i18n-aria-label="key"  → aria-label
//   data-i18n-title="key"       → title
//   data-i18n-placeholder="key" → placeholder
//   data-i18n-alt="key"         → alt
//   data-i18n-secondary         → the element is rendered in the secondary
//                                  language (bilingual wall display) and gets
//                                  a matching lang attribute.

import { h } from './api.js';

export const DEFAULT_LANG = 'el';
const FALLBACK_LANGUAGES = [{ code: 'el', name: 'Ελληνικά' }, { code: 'en', name: 'English' }];

const st = {
  lang: DEFAULT_LANG,
  secondary: null,
  tz: 'Europe/Athens',
  catalogues: {},
  languages: null,
};

/** The available languages, [{code, name}], from languages.json. */
export async function languages() {
  if (st.languages) return st.languages;
  try {
    const res = await fetch('/static/i18n/languages.json', { credentials: 'same-origin' });
    if (!res.ok) throw new Error(String(res.status));
    const list = await res.json();
    st.languages = Array.isArray(list) && list.length ? list : FALLBACK_LANGUAGES;
  } catch {
    st.languages = FALLBACK_LANGUAGES;
  }
  return st.languages;
}

/** Whether code is one of the available languages. */
export async function isLanguage(code) {
  return (await languages()).some((l) => l.code === code);
}

async function loadCatalogue(lang) {
  if (st.catalogues[lang]) return st.catalogues[lang];
  const res = await fetch(`/static/i18n/${encodeURIComponent(lang)}.json`, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`catalogue ${lang}: HTTP ${res.status}`);
  st.catalogues[lang] = await res.json();
  return st.catalogues[lang];
}

/** The current page language. */
export function lang() { return st.lang; }

/** The secondary language (bilingual display), or null. */
export function secondaryLang() { return st.secondary; }

/**
 * Switches the page to lang (loading its catalogue), sets <html lang>,
 * re-applies data-i18n attributes and fires a "langchange" event on window.
 */
export async function setLang(code, { secondary } = {}) {
  if (!(await isLanguage(code))) code = DEFAULT_LANG;
  await loadCatalogue(code);
  if (code !== DEFAULT_LANG) await loadCatalogue(DEFAULT_LANG).catch(() => {});
  if (secondary !== undefined) {
    st.secondary = secondary && secondary !== code && (await isLanguage(secondary)) ? secondary : null;
    if (st.secondary) await loadCatalogue(st.secondary);
  }
  st.lang = code;
  document.documentElement.lang = code;
  applyTranslations(document);
  window.dispatchEvent(new CustomEvent('langchange', { detail: { lang: code } }));
  return code;
}

/**
 * Fills nav (the page's #lang-switch) with a button for each language; a
 * click calls onPick(code). aria-pressed marks the page language and follows
 * every change of it. Once per page.
 */
export async function renderLangSwitch(nav, onPick) {
  const list = await languages();
  nav.replaceChildren(...list.map((l) => h('button', {
    type: 'button', lang: l.code, 'data-lang': l.code, 'data-testid': `lang-${l.code}`,
    'aria-pressed': String(l.code === st.lang),
    onclick: () => onPick(l.code),
  }, l.name)));
  window.addEventListener('langchange', () => {
    for (const b of nav.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.lang === st.lang));
  });
}

/** Sets the time zone used by the formatters (state.branch.time_zone). */
export function setTimeZone(tz) {
  if (!tz) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    st.tz = tz;
  } catch {
    // unknown zone: keep the previous one
  }
}

export function timeZone() { return st.tz; }

function lookup(key, code) {
  const order = [code, DEFAULT_LANG];
  for (const l of order) {
    const cat = st.catalogues[l];
    if (cat && typeof cat[key] === 'string') return cat[key];
  }
  return undefined;
}

function fill(s, params) {
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, name) => (params[name] !== undefined && params[name] !== null ? String(params[name]) : m));
}

/**
 * Translates key in the page language (or opts.lang), filling {name}
 * placeholders from params. A missing key yields opts.fallback, or the key.
 */
export function t(key, params, opts = {}) {
  const s = lookup(key, opts.lang || st.lang);
  if (s === undefined) return opts.fallback !== undefined ? opts.fallback : key;
  return fill(s, params);
}

/** Whether key exists in the catalogue. */
export function has(key) { return lookup(key, st.lang) !== undefined; }

/**
 * Plural-aware translation: looks up key + "." + the plural category of n in
 * the language (e.g. "kiosk.people.one", "kiosk.people.other"); params get
 * {n} formatted as a number.
 */
export function tn(key, n, params = {}, opts = {}) {
  const code = opts.lang || st.lang;
  let cat = 'other';
  try { cat = new Intl.PluralRules(intlLocale(code)).select(n); } catch { /* keep other */ }
  const p = { n: fmtNumber(n, code), ...params };
  const s = lookup(`${key}.${cat}`, code) ?? lookup(`${key}.other`, code);
  return s === undefined ? `${key}.${cat}` : fill(s, p);
}

/** Picks the text of a {el, en, …} object in the page language. */
export function localName(text, code) {
  if (!text) return '';
  if (typeof text === 'string') return text;
  const l = code || st.lang;
  return text[l] || text[DEFAULT_LANG] || text.en || Object.values(text).find(Boolean) || '';
}

/** Applies data-i18n* attributes under root (document by default). */
export function applyTranslations(root = document) {
  const scope = root.querySelectorAll ? root : document;
  const elems = [];
  if (scope !== document && scope.matches && scope.matches('[data-i18n],[data-i18n-aria-label],[data-i18n-title],[data-i18n-placeholder],[data-i18n-alt]')) elems.push(scope);
  elems.push(...scope.querySelectorAll('[data-i18n],[data-i18n-aria-label],[data-i18n-title],[data-i18n-placeholder],[data-i18n-alt]'));
  for (const el of elems) {
    let code = st.lang;
    if (el.hasAttribute('data-i18n-secondary')) {
      if (!st.secondary) { el.hidden = true; continue; }
      code = st.secondary;
      el.hidden = false;
      el.lang = code;
    }
    const o = { lang: code };
    if (el.dataset.i18n) el.textContent = t(el.dataset.i18n, null, o);
    if (el.dataset.i18nAriaLabel) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel, null, o));
    if (el.dataset.i18nTitle) el.setAttribute('title', t(el.dataset.i18nTitle, null, o));
    if (el.dataset.i18nPlaceholder) el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder, null, o));
    if (el.dataset.i18nAlt) el.setAttribute('alt', t(el.dataset.i18nAlt, null, o));
  }
}

// ---- formatting (Intl, page language, branch time zone) ----

// The Intl locale of a page language: English as written in Europe
// (28/11/2026, 24-hour clock), not the US default of "en".
const INTL_LOCALES = { en: 'en-GB' };

/** The Intl locale for a language code (the page language by default). */
export function intlLocale(code) {
  const l = code || st.lang;
  return INTL_LOCALES[l] || l;
}

export function fmtNumber(n, code) {
  try { return new Intl.NumberFormat(intlLocale(code)).format(n); } catch { return String(n); }
}

function toDate(d) { return d instanceof Date ? d : new Date(d); }

/** 14:05 (24-hour) in the branch time zone. */
export function fmtTime(d, { seconds = false, lang: code } = {}) {
  const o = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: st.tz };
  if (seconds) o.second = '2-digit';
  return new Intl.DateTimeFormat(intlLocale(code), o).format(toDate(d));
}

/** Saturday 28 November, in the branch time zone. */
export function fmtDate(d, { lang: code, year = false } = {}) {
  const o = { weekday: 'long', day: 'numeric', month: 'long', timeZone: st.tz };
  if (year) o.year = 'numeric';
  return new Intl.DateTimeFormat(intlLocale(code), o).format(toDate(d));
}

/** 28/11/2026, 14:05 in the branch time zone. */
export function fmtDateTime(d, { lang: code } = {}) {
  return new Intl.DateTimeFormat(intlLocale(code), {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: st.tz,
  }).format(toDate(d));
}

function unit(n, u, code) {
  try {
    return new Intl.NumberFormat(intlLocale(code), { style: 'unit', unit: u, unitDisplay: 'long' }).format(n);
  } catch {
    return `${n} ${u}`;
  }
}

/** A duration in minutes or hours and minutes: "12 λεπτά", "1 ώρα 5 λεπτά". */
export function fmtDuration(seconds, { lang: code } = {}) {
  let mins = Math.max(1, Math.round(seconds / 60));
  if (mins < 60) return unit(mins, 'minute', code);
  mins = Math.round(mins / 5) * 5;
  const h = Math.floor(mins / 60);
  const m = mins % 60;
  if (m === 0) return unit(h, 'hour', code);
  return t('duration.hours_minutes', { hours: unit(h, 'hour', code), minutes: unit(m, 'minute', code) }, { lang: code });
}

/**
 * An estimated wait: "≈ 12 λεπτά". null (the server's estimated_wait_s while
 * no counter serving the service is open) says that nobody serves it now.
 * "No wait" only when nobody is ahead; with people ahead and a free counter,
 * "under a minute". Keep in step with kiosk.FormatWait (the printed slip).
 */
export function fmtWait(seconds, { ahead = 0, short = false, lang: code } = {}) {
  if (seconds === null) return t(short ? 'wait.no_counter_short' : 'wait.no_counter', null, { lang: code });
  if (seconds === undefined || Number.isNaN(seconds)) return t('wait.unknown', null, { lang: code });
  if (seconds < 30) return t(ahead > 0 ? 'wait.under_minute' : 'wait.none', null, { lang: code });
  return t('wait.approx', { duration: fmtDuration(seconds, { lang: code }) }, { lang: code });
}

/** Elapsed time as a clock: 4:07, 1:02:09. */
export function fmtElapsed(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Starts a page in its language (initialLang) and draws the language
 * switch in #lang-switch, which calls onPick with the code chosen. Returns
 * the language started in.
 */
export async function startLang(storageKey, onPick) {
  const code = await initialLang(storageKey);
  await setLang(code);
  await renderLangSwitch(document.getElementById('lang-switch'), onPick);
  return code;
}

/** Chooses the initial language: ?lang=, then localStorage[storageKey], then the default. */
export async function initialLang(storageKey) {
  const q = new URLSearchParams(location.search).get('lang');
  if (q && (await isLanguage(q))) return q;
  if (storageKey) {
    try {
      const s = localStorage.getItem(storageKey);
      if (s && (await isLanguage(s))) return s;
    } catch { /* storage unavailable */ }
  }
  return DEFAULT_LANG;
}
