/*
 * Shared by the editor and admin pages: sign-in with the console's session, the API
 * call with the CSRF token, errors shown next to the field they concern, and the labels:
 * every text comes from the catalogue (bot/messages.yml, section `editor`) as
 * GET /texts/editor.json?lang=<html lang>. In the HTML, data-t names the key of an element's
 * text and data-t-aria the key of its aria-label; the HTML's own Nynorsk text is only the
 * fallback until the texts have come. If they cannot be fetched, a short bilingual notice.
 */
'use strict';

window.Staff = (function () {
  let csrf = null;
  let TEXTS = {};
  const $ = (id) => document.getElementById(id);
  const LANG = ['nb', 'en'].includes(document.documentElement.lang) ? document.documentElement.lang : 'nn';
  // The one text that cannot come from the server: shown when the texts cannot be fetched.
  const UNAVAILABLE = 'Sida er ikkje tilgjengeleg / Siden er ikke tilgjengelig';

  /** Look up a label and fill {placeholders}. */
  function t(key, vars) {
    let s = typeof TEXTS[key] === 'string' ? TEXTS[key] : key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split('{' + k + '}').join(String(v));
    return s;
  }

  async function loadTexts() {
    const res = await fetch('/texts/editor.json?lang=' + LANG, { credentials: 'same-origin' });
    if (!res.ok) throw new Error('texts: HTTP ' + res.status);
    const data = await res.json();
    if (!data || typeof data.texts !== 'object') throw new Error('texts: bad answer');
    return data.texts;
  }

  /** Replace the labels of the page: data-t (own text, keeping child elements), data-t-aria. */
  function applyLabels(root) {
    for (const node of (root || document).querySelectorAll('[data-t]')) {
      const own = [...node.childNodes].find((c) => c.nodeType === Node.TEXT_NODE && c.data.trim());
      if (own) own.data = own.data.replace(own.data.trim(), t(node.dataset.t));
      else node.textContent = t(node.dataset.t);
    }
    for (const node of (root || document).querySelectorAll('[data-t-aria]')) node.setAttribute('aria-label', t(node.dataset.tAria));
  }

  async function api(method, path, body) {
    // The API answers validation errors in the page's language.
    const headers = { Accept: 'application/json', 'Accept-Language': LANG };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
    let res;
    try {
      res = await fetch('/console/api' + path, {
        method, headers, credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      return { status: 0, data: { message: t('noServer') } };
    }
    let data = {};
    try { data = await res.json(); } catch (e) { data = {}; }
    return { status: res.status, data };
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function clearErrors(form) {
    form.querySelectorAll('.field-error').forEach((p) => p.remove());
    form.querySelectorAll('[aria-invalid]').forEach((input) => {
      input.removeAttribute('aria-invalid');
      const ids = (input.getAttribute('aria-describedby') || '').split(' ')
        .filter((id) => id && !id.endsWith('-error'));
      if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
      else input.removeAttribute('aria-describedby');
    });
    const top = form.querySelector('.form-error--top');
    if (top) top.textContent = '';
  }

  /* errors: [{field, message}] from the API; shown under the input with data-field. */
  function showErrors(form, errors, fallback) {
    clearErrors(form);
    const unplaced = [];
    let first = null;
    for (const error of errors || []) {
      const target = error.field && (form.querySelector(`[data-field="${CSS.escape(error.field)}"]`)
        || form.querySelector(`[data-field="${CSS.escape(error.field.split('.')[0])}"]`));
      if (!target) { unplaced.push(error.message); continue; }
      const id = (target.id || ('f' + Math.random().toString(36).slice(2))) + '-error';
      const p = el('p', { class: 'field-error', id, text: error.message });
      target.insertAdjacentElement('afterend', p);
      const input = target.matches('input, textarea, select') ? target : target.querySelector('input, textarea, select');
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        const described = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
        input.setAttribute('aria-describedby', [...described, id].join(' '));
        first = first || input;
      }
    }
    const top = form.querySelector('.form-error--top');
    const text = unplaced.length ? unplaced.join(' ') : (first ? '' : fallback || '');
    if (top) top.textContent = (first && !unplaced.length) ? (fallback || t('seeFieldErrors')) : text;
    if (first) first.focus();
  }

  async function start(onReady, role, titleKey) {
    try { TEXTS = await loadTexts(); } catch (e) {
      const note = el('p', { role: 'alert', 'data-testid': 'editor-unavailable', text: UNAVAILABLE });
      document.body.replaceChildren(note);
      return;
    }
    document.title = t(titleKey);
    applyLabels(document);
    const login = $('login-view');
    const form = $('login-form');
    async function me() {
      const res = await api('GET', '/me');
      if (res.status !== 200) { login.hidden = false; return; }
      csrf = res.data.csrf_token;
      login.hidden = true;
      $('userbar').hidden = false;
      $('user-name').textContent = t('userName', { name: res.data.user.first_name, role: t('role_' + res.data.user.role) });
      const allowed = role === 'admin' ? ['admin'] : ['editor', 'admin'];
      if ($('admin-link')) $('admin-link').hidden = res.data.user.role !== 'admin';
      if (!allowed.includes(res.data.user.role)) { $('forbidden').hidden = false; return; }
      $('app').hidden = false;
      onReady(res.data.user);
    }
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const res = await api('POST', '/login', { username: $('login-user').value, password: $('login-pass').value });
      if (res.status !== 200) {
        $('login-error').textContent = res.status === 429 ? t('loginTooMany') : t('loginWrong');
        return;
      }
      $('login-pass').value = '';
      await me();
    });
    $('logout').addEventListener('click', async () => {
      await api('POST', '/logout', {});
      window.location.reload();
    });
    await me();
  }

  function status(text) { const s = $('status'); if (s) s.textContent = text; }

  function when(iso) {
    const d = new Date(iso);
    const two = (n) => String(n).padStart(2, '0');
    return t('dateTime', { date: `${two(d.getDate())}.${two(d.getMonth() + 1)}.${d.getFullYear()}`, time: `${two(d.getHours())}.${two(d.getMinutes())}` });
  }

  return { api, el, clearErrors, showErrors, start, status, when, t, applyLabels, LANG, $ };
})();
