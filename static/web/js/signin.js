// signin.js — signing staff in on the pages that need it (the counter
// console, the administration): the form, and the session a browser
// already has.
//
// The form's elements: #login-username, #login-password, #login-error
// (role=alert), #btn-login.

import { t } from './i18n.js';
import { api, ApiError } from './api.js';

const $ = (id) => document.getElementById(id);

/**
 * Returns the sign-in form's submit handler. keys are the page's catalogue
 * keys: missing (a field left empty), bad (wrong username or password) and
 * limited (too many tries); errorText words other failures. onSignedIn gets
 * the user; onFailed, if given, the error.
 */
export function signInForm({ keys, errorText, onSignedIn, onFailed }) {
  return async (e) => {
    e.preventDefault();
    const user = $('login-username');
    const pass = $('login-password');
    const err = $('login-error');
    const username = user.value.trim();
    const password = pass.value;
    for (const el of [user, pass]) el.removeAttribute('aria-invalid');
    if (!username || !password) {
      const missing = !username ? user : pass;
      missing.setAttribute('aria-invalid', 'true');
      err.textContent = t(keys.missing);
      err.hidden = false;
      missing.focus();
      return;
    }
    $('btn-login').disabled = true;
    err.hidden = true;
    try {
      const data = await api.login(username, password);
      pass.value = '';
      await onSignedIn(data.user);
    } catch (ex) {
      let msg;
      if (ex instanceof ApiError && (ex.status === 401 || ex.status === 400 || ex.status === 403)) msg = t(keys.bad);
      else if (ex instanceof ApiError && ex.status === 429) msg = t(keys.limited);
      else msg = errorText(ex);
      if (onFailed) onFailed(ex);
      err.textContent = msg;
      err.hidden = false;
      pass.value = '';
      pass.focus();
    } finally {
      $('btn-login').disabled = false;
    }
  };
}

/**
 * Picks up the session the browser has: onSignedIn(user) when there is
 * one, else onSignedOut(message), with a message when it could not be
 * asked.
 */
export async function resumeSession({ errorText, onSignedIn, onSignedOut }) {
  try {
    const me = await api.me();
    if (me && me.user) await onSignedIn(me.user);
    else onSignedOut();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) onSignedOut();
    else onSignedOut(errorText(err));
  }
}
