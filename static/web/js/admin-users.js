// admin-users.js — users: GET /branches/{b}/users (or /users for
// administrators), create (POST /branches/{b}/users), edit with only the
// changed fields (PUT /users/{username}), delete (DELETE /users/{username}).

import { t } from './i18n.js';
import { h } from './api.js';
import {
  $, app, adm, isAdmin, setStatus, checkForm, busy, orStatus, reportSaved, showForm, focusEdit, pill, rowButton,
  branchName, confirmAction,
} from './admin-util.js';

let users = [];
let editing = undefined; // undefined: closed; null: new; the user object when editing
let scope = 'branch';

// i18n-keys: admin.role.clerk admin.role.manager admin.role.admin
const roleLabel = (r) => t(`admin.role.${r}`, null, { fallback: r });
const isSelf = (u) => app.user && u.username === app.user.username;

/** Whether the signed-in user may change u (admin/users.go mayManageUser). */
function mayManage(u) {
  if (isAdmin()) return true;
  if (!app.user || app.user.role !== 'manager' || u.role === 'admin' || !u.branches.length) return false;
  return u.branches.every((b) => app.user.branches.includes(b));
}

async function load() {
  users = scope === 'all' && isAdmin() ? await adm.allUsers() : await adm.branchUsers();
  users.sort((a, b) => a.username.localeCompare(b.username));
  if (scope === 'all' || !isAdmin()) app.users = users;
  renderTable();
}

export async function enter() {
  $('users-scope-field').hidden = !isAdmin();
  if (!isAdmin()) scope = 'branch';
  $('users-scope').value = scope;
  close(false);
  await load();
}

export function leave() {}

export function render() {
  renderTable();
  if (editing !== undefined) {
    title();
    renderRoleOptions($('user-role').value);
    passwordHint();
  }
}

function renderTable() {
  $('users-body').replaceChildren(...users.map((u) => {
    const can = mayManage(u);
    const label = u.name || u.username;
    return h('tr', { 'data-user': u.username, 'data-disabled': String(!!u.disabled) },
      h('th', { scope: 'row' }, h('code', null, u.username)),
      h('td', null, u.name || '—', isSelf(u) ? h('span', { class: 'sub' }, t('admin.users.you')) : null),
      h('td', null, roleLabel(u.role)),
      h('td', null, u.role === 'admin' && !u.branches.length ? t('admin.users.all_branches') : u.branches.map(branchName).join(', ')),
      h('td', null, u.disabled ? pill(t('admin.users.disabled'), { 'data-status': 'closed' }) : pill(t('admin.users.active'), { 'data-status': 'open' })),
      h('td', { class: 'actions' }, can ? [
        rowButton(t('admin.edit'), () => open(u), { 'data-edit': u.username, 'aria-label': t('admin.edit_label', { name: label }) }),
        isSelf(u) ? null : rowButton(t('admin.delete'), () => remove(u), { class: 'btn-danger', 'data-delete': u.username, 'aria-label': t('admin.delete_label', { name: label }) }),
      ] : h('span', { class: 'hint' }, t('admin.users.not_yours'))));
  }));
}

function title() {
  $('user-form-title').textContent = editing ? t('admin.users.edit_title', { name: editing.name || editing.username }) : t('admin.users.new_title');
}

function renderRoleOptions(selected) {
  const roles = isAdmin() ? app.rules.roles : app.rules.roles.filter((r) => r !== 'admin');
  $('user-role').replaceChildren(...roles.map((r) => h('option', { value: r, selected: r === selected }, roleLabel(r))));
}

function passwordHint() {
  $('user-password-hint').textContent = editing ? t('admin.hint.password_reset') : t('admin.hint.password_new');
  $('user-password').required = !editing;
}

function renderBranches(checked) {
  // Managers may give only their own branches.
  const list = app.branches.filter((b) => isAdmin() || (app.user.branches || []).includes(b.id));
  // Keep branches the user has that the list does not show.
  const extra = [...checked].filter((id) => !list.some((b) => b.id === id));
  $('user-branches').replaceChildren(
    ...list.map((b) => h('div', { class: 'check-row' },
      h('input', { type: 'checkbox', id: `user-br-${b.id}`, value: b.id, checked: checked.has(b.id) }),
      h('label', { for: `user-br-${b.id}` }, branchName(b.id), ' ', h('code', null, b.id)))),
    ...extra.map((id) => h('div', { class: 'check-row' },
      h('input', { type: 'checkbox', id: `user-br-${id}`, value: id, checked: true }),
      h('label', { for: `user-br-${id}` }, h('code', null, id)))));
}

function open(u) {
  editing = u || null;
  title();
  $('user-username').value = u ? u.username : '';
  $('user-username').readOnly = !!u;
  $('user-fullname').value = u ? u.name : '';
  renderRoleOptions(u ? u.role : 'clerk');
  $('user-password').value = '';
  passwordHint();
  renderBranches(new Set(u ? u.branches : [app.branch]));
  $('user-disabled-row').hidden = !u;
  $('user-disabled').checked = !!(u && u.disabled);
  const self = !!(u && isSelf(u));
  $('user-role').disabled = self;
  $('user-disabled').disabled = self;
  $('user-self-hint').hidden = !self;
  showForm($('user-form'), $('user-error'), u ? $('user-fullname') : $('user-username'));
}

function close(restoreFocus = true) {
  const was = editing;
  editing = undefined;
  $('user-form').hidden = true;
  $('user-password').value = '';
  if (restoreFocus) focusEdit($('users-body'), was && was.username, $('btn-user-new'));
}

const sameSet = (a, b) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

async function save(e) {
  e.preventDefault();
  const form = $('user-form');
  const err = $('user-error');
  const username = $('user-username').value.trim().toLowerCase();
  const name = $('user-fullname').value.trim();
  const role = $('user-role').value;
  const password = $('user-password').value;
  const branches = [...$('user-branches').querySelectorAll('input:checked')].map((x) => x.value);
  const checks = [
    [$('user-username'), !editing && username && !new RegExp(app.rules.username_pattern).test(username) ? t('admin.error.username_format') : null],
    [$('user-password'), password && [...password].length < app.rules.password_min ? t('admin.error.password_short') : null],
    [$('user-branches').querySelector('input'), role !== 'admin' && !branches.length ? t('admin.error.no_branches') : null],
  ];
  if (!checkForm(form, err, checks)) return;
  await busy($('btn-user-save'), err, async () => {
    let saved;
    if (editing) {
      const body = {};
      if (name !== (editing.name || '')) body.name = name;
      if (role !== editing.role && !isSelf(editing)) body.role = role;
      if (!sameSet(branches, editing.branches)) body.branches = branches;
      const disabled = $('user-disabled').checked;
      if (disabled !== !!editing.disabled && !isSelf(editing)) body.disabled = disabled;
      if (password) body.password = password;
      if (!Object.keys(body).length) {
        setStatus(t('admin.users.nothing_changed'));
        close();
        return;
      }
      saved = await adm.updateUser(editing.username, body);
    } else {
      saved = await adm.createUser({ username, name, role, branches, password });
    }
    $('user-password').value = '';
    const wasNew = !editing;
    close(false);
    await load();
    focusEdit($('users-body'), saved.username, $('btn-user-new'));
    // i18n-keys: admin.users.created admin.users.saved
    reportSaved(t(wasNew ? 'admin.users.created' : 'admin.users.saved', { name: saved.name || saved.username }));
  });
}

async function remove(u) {
  const name = u.name || u.username;
  if (!confirmAction(t('admin.users.confirm_delete', { name }))) return;
  await orStatus(async () => {
    await adm.deleteUser(u.username);
    await load();
    setStatus(t('admin.users.deleted', { name }), 'ok');
    $('btn-user-new').focus();
  });
}

export function init() {
  $('btn-user-new').addEventListener('click', () => open(null));
  $('btn-user-cancel').addEventListener('click', () => close());
  $('user-form').addEventListener('submit', save);
  $('user-form').addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
  $('users-scope').addEventListener('change', async (e) => {
    scope = e.target.value;
    await orStatus(load);
  });
}
