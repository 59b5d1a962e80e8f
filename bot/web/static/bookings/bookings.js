/* Møteførespurnader: booking requests from the chat (booking package, issue 10).
 * Uses the console's session (sign in at /console/). Every label comes from
 * /console/bookings/texts.json (bot/messages.yml, section `bookings`). */
(function () {
  'use strict';
  const API = '/console/bookings/api/bookings';
  let T = {};
  let csrf = '';
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function fill(text, values) {
    return String(text || '').replace(/\{(\w+)\}/g, (m, key) => (key in values ? values[key] : m));
  }

  async function api(method, url, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; headers['X-CSRF-Token'] = csrf; }
    const res = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) { const err = new Error(data.message || res.statusText); err.status = res.status; throw err; }
    return data;
  }

  function dl(rows) {
    const list = el('dl');
    for (const [label, value] of rows) if (value) list.append(el('dt', { text: label }), el('dd', { text: value }));
    return list;
  }

  function bookForm(item) {
    const id = 'b' + item.id;
    const day = el('input', { type: 'date', id: id + '-date', required: 'true', value: item.days[0] || '', 'data-testid': 'booking-date' });
    const time = el('input', { type: 'time', id: id + '-time', required: 'true', value: '10:00', 'data-testid': 'booking-time' });
    return el('form', {
      'aria-label': fill(T.bookFormLabel, { name: item.name }),
      onsubmit: (e) => { e.preventDefault(); act(item, 'booked', { date: day.value, time: time.value }, T.bookedDone); },
    },
    el('label', { for: id + '-date' }, T.date, day),
    el('label', { for: id + '-time' }, T.time, time),
    el('button', { type: 'submit', class: 'btn', 'data-testid': 'booking-book', text: T.markBooked }));
  }

  function answerForm(item) {
    const id = 'b' + item.id;
    const note = el('textarea', { id: id + '-note', maxlength: '1000', required: 'true', 'data-testid': 'booking-note' });
    return el('form', {
      'aria-label': fill(T.answerFormLabel, { name: item.name }),
      onsubmit: (e) => {
        e.preventDefault();
        if (!note.value.trim()) { note.focus(); $('error').textContent = T.noteMissing; return; }
        act(item, 'answered', { note: note.value.trim() }, T.answeredDone);
      },
    },
    el('label', { for: id + '-note' }, T.note, note),
    el('button', { type: 'submit', class: 'btn btn--secondary', 'data-testid': 'booking-answer', text: T.markAnswered }));
  }

  function render(items) {
    const list = $('list');
    list.replaceChildren();
    const open = items.filter((i) => i.status === 'open');
    $('count').textContent = String(open.length);
    $('empty').hidden = items.length > 0;
    for (const item of items) {
      const done = item.status !== 'open';
      const created = new Date(item.created_at).toLocaleString(['nn-NO', 'nb-NO'], { dateStyle: 'short', timeStyle: 'short' });
      const meeting = item.meeting_at ? new Date(item.meeting_at).toLocaleString(['nn-NO', 'nb-NO'], { dateStyle: 'full', timeStyle: 'short' }) : '';
      const card = el('li', { class: 'booking' + (done ? ' booking--done' : ''), 'data-testid': 'booking-item', 'data-status': item.status },
        el('h3', { text: item.topic + ' · ' + item.place }),
        dl([
          [T.name, item.name], [T.days, item.days_label], [T.description, item.description],
          [T.contact, item.contact], [T.received, created],
          [T.status, T['status_' + item.status]], [T.meeting, meeting], [T.note, item.note],
        ]));
      if (!done) card.append(bookForm(item), answerForm(item));
      list.append(card);
    }
  }

  async function load() {
    try {
      const data = await api('GET', API + ($('show-all').checked ? '?all=1' : ''));
      render(data.bookings);
      $('error').textContent = '';
    } catch (err) {
      if (err.status === 401) { $('app').hidden = true; $('signed-out').hidden = false; return; }
      $('error').textContent = fill(T.loadFailed, { reason: err.message });
    }
  }

  async function act(item, verb, body, doneText) {
    try {
      const data = await api('POST', API + '/' + item.id + '/' + verb, body);
      $('status').textContent = data.already_handled ? T.alreadyHandled : fill(doneText, { name: item.name });
      $('error').textContent = '';
      await load();
    } catch (err) {
      $('error').textContent = fill(T.actionFailed, { reason: err.message });
    }
  }

  async function start() {
    const lang = document.documentElement.lang || 'nn';
    T = (await api('GET', '/console/bookings/texts.json?lang=' + encodeURIComponent(lang))).texts;
    for (const node of document.querySelectorAll('[data-text]')) node.textContent = T[node.dataset.text] || '';
    try {
      csrf = (await api('GET', '/console/api/me')).csrf_token;
    } catch (err) {
      $('signed-out').hidden = false;
      return;
    }
    $('app').hidden = false;
    $('show-all').addEventListener('change', load);
    await load();
    setInterval(load, 15000);
  }

  document.addEventListener('DOMContentLoaded', start);
}());
