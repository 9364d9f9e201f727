// errors.js — what a failed request means to the person at the page: each
// page gives the catalogue keys of the error codes it words its own way,
// and the rest falls back alike everywhere (API.md's codes, then the HTTP
// status when a code is unknown).

import { t } from './i18n.js';
import { ApiError } from './api.js';

// The code of a status, for answers without a code of their own.
const CODE_OF_STATUS = {
  400: 'bad_request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found',
  409: 'conflict', 413: 'too_large', 422: 'service_closed', 429: 'rate_limited', 503: 'unavailable',
};

// Every page words these alike.
const COMMON = { network: 'error.network', unavailable: 'error.unavailable' };

/**
 * The catalogue key for err: the page's table (code → key) first, then the
 * common keys, then by the HTTP status; 'error.generic' for anything else.
 */
export function errorKey(err, table = {}) {
  if (!(err instanceof ApiError)) return 'error.generic';
  for (const code of [err.code, CODE_OF_STATUS[err.status]]) {
    if (code && table[code]) return table[code];
    if (code && COMMON[code]) return COMMON[code];
  }
  if (err.status >= 500) return 'error.unavailable';
  return table.default || 'error.generic';
}

/**
 * The text of err in the page language. The server's message is given to
 * the key as {message}, for the keys that show it.
 */
export function errorText(err, table = {}) {
  const detail = err instanceof ApiError && err.message && err.message !== err.code ? err.message : '';
  const key = errorKey(err, table);
  if (key === table.default && !detail) return t('error.generic');
  return t(key, { message: detail });
}
