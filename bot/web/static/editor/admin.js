/* The admin page: list, create, deactivate/activate, reset password, set role. */
'use strict';

(function () {
  const { api, el, clearErrors, showErrors, start, status, t, $ } = window.Staff;
  const ROLES = ['staff', 'editor', 'admin'];

  async function load() {
    const res = await api('GET', '/admin/users');
    $('users').replaceChildren(...(res.data.users || []).map(row));
  }

  function row(user) {
    const roleId = 'role-' + user.id;
    const pwId = 'pw-' + user.id;
    const select = el('select', { id: roleId, 'aria-label': t('roleFor', { username: user.username }) },
      ...ROLES.map((value) => el('option', { value, selected: value === user.role }, t('role_' + value))));
    select.addEventListener('change', async () => {
      const res = await api('POST', `/admin/users/${user.id}/role`, { role: select.value });
      status(res.status === 200 ? t('roleChanged', { username: user.username, role: t('role_' + select.value) }) : res.data.message);
      load();
    });
    const toggle = el('button', { type: 'button', class: 'btn btn--secondary btn--small' }, user.active ? t('deactivate') : t('activate'));
    toggle.addEventListener('click', async () => {
      const res = await api('POST', `/admin/users/${user.id}/active`, { active: !user.active });
      status(res.status === 200 ? (user.active ? t('userDeactivated', { username: user.username }) : t('userActivated', { username: user.username })) : res.data.message);
      load();
    });
    const pw = el('input', { id: pwId, type: 'password', autocomplete: 'new-password', 'aria-label': t('newPasswordFor', { username: user.username }) });
    const setPw = el('button', { type: 'button', class: 'btn btn--secondary btn--small' }, t('setPassword'));
    setPw.addEventListener('click', async () => {
      const res = await api('POST', `/admin/users/${user.id}/password`, { password: pw.value });
      pw.value = '';
      status(res.status === 200 ? t('passwordSet', { username: user.username }) : res.data.message);
    });
    return el('tr', {},
      el('td', { text: user.username }), el('td', { text: user.first_name }), el('td', {}, select),
      el('td', {}, el('span', { text: (user.active ? t('stateActive') : t('stateInactive')) + ' ' }), toggle),
      el('td', { class: 'check' }, pw, setPw));
  }

  async function create(event) {
    event.preventDefault();
    const form = $('create-form');
    const body = { username: $('new-username').value, first_name: $('new-first').value, password: $('new-password').value, role: $('new-role').value };
    const res = await api('POST', '/admin/users', body);
    if (res.status === 201) {
      clearErrors(form);
      form.reset();
      status(t('userCreated', { username: res.data.user.username }));
      load();
      return;
    }
    showErrors(form, [{ field: res.data.field, message: res.data.message }], res.data.message);
  }

  function ready() {
    $('create-form').addEventListener('submit', create);
    load();
  }

  document.addEventListener('DOMContentLoaded', () => start(ready, 'admin', 'adminPageTitle'));
})();
