/*
 * The editor page: FAQ, places and hours, closures, contact, texts, history, spreadsheet.
 * Every save sends the version it read; on a conflict the input stays in the form.
 */
'use strict';

(function () {
  const { api, el, clearErrors, showErrors, start, status, when, t, LANG, $ } = window.Staff;
  const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  const loaded = {};
  let faqCurrent = null; // {id, version} of the entry in the form, null for a new one
  let holidays = [];
  // The knowledge-base placeholders an answer may use (code, the same in every language).
  const FACT_PLACEHOLDERS = '{phone}, {email}, {web}, {post}, {phone_hours}, {municipality}, {hours:knarvik}';

  function lines(text) { return text.split('\n').map((s) => s.trim()).filter(Boolean); }

  function failed(form, res) {
    if (res.status === 409) {
      showErrors(form, [], res.data.message);
      return 'conflict';
    }
    if (res.status === 422 || res.status === 400) {
      const errors = res.data.errors || [{ field: res.data.field, message: res.data.message }];
      showErrors(form, errors, res.data.message);
      return 'invalid';
    }
    showErrors(form, [], res.data.message || t('somethingWrong'));
    return 'error';
  }

  /* ---------- tabs ---------- */
  function showTab(name) {
    document.querySelectorAll('.tab').forEach((tab) => {
      const on = tab.dataset.tab === name;
      if (on) tab.setAttribute('aria-current', 'page'); else tab.removeAttribute('aria-current');
      $('tab-' + tab.dataset.tab).hidden = !on;
    });
    if (!loaded[name]) { loaded[name] = true; LOADERS[name](); }
  }

  /* ---------- preview ---------- */
  async function preview(questionsBox, out, kind, id, change) {
    const questions = lines(questionsBox.value);
    out.replaceChildren(el('p', { text: t('previewLoading') }));
    const res = await api('POST', '/editor/preview', { kind, id, change, questions });
    if (res.status !== 200) {
      const errors = res.data.errors ? res.data.errors.map((e) => e.message).join(' ') : res.data.message;
      out.replaceChildren(el('p', { class: 'form-error', text: errors }));
      return;
    }
    out.replaceChildren(...res.data.answers.map((a) => el('div', { class: 'preview__item' },
      el('p', { class: 'preview__q', text: '«' + a.question + '»' }),
      el('p', {}, el('strong', { text: t('langNn') + ': ' }), a.nn.join(' ')),
      el('p', {}, el('strong', { text: t('langNb') + ': ' }), a.nb.join(' ')))));
  }

  /* ---------- FAQ ---------- */
  let faqQuery = 0;
  async function loadFaq() {
    const q = encodeURIComponent($('faq-search').value.trim());
    const mine = ++faqQuery;
    const res = await api('GET', '/editor/faq?q=' + q);
    if (mine !== faqQuery) return; // a newer search is on its way
    const list = $('faq-list');
    list.replaceChildren();
    for (const entry of res.data.entries || []) {
      const label = (entry.questions || [entry.id])[0];
      list.append(el('li', {}, el('button', {
        type: 'button', class: 'link-button', 'data-id': entry.id,
        onclick: () => openFaq(entry.id),
      }, label, entry.sample ? el('span', { class: 'badge', text: t('sampleBadge') }) : null)));
    }
  }

  function faqBody() {
    return {
      version: faqCurrent ? faqCurrent.version : undefined,
      id: $('faq-id').value.trim(),
      questions: lines($('faq-questions').value),
      answer: { nn: $('faq-nn').value, nb: $('faq-nb').value, en: $('faq-en').value },
      link: $('faq-link').value.trim(),
      checked: $('faq-checked').checked,
    };
  }

  function fillFaq(entry) {
    faqCurrent = entry.id ? { id: entry.id, version: entry.version } : null;
    const answer = entry.answer || {};
    $('faq-form-title').textContent = entry.id ? t('faqEditTitle', { id: entry.id }) : t('faqNew');
    $('faq-id').value = entry.id || '';
    $('faq-id').readOnly = Boolean(entry.id);
    $('faq-questions').value = (entry.questions || []).join('\n');
    $('faq-nn').value = answer.nn || '';
    $('faq-nb').value = answer.nb || '';
    $('faq-en').value = answer.en || '';
    $('faq-link').value = entry.link || '';
    $('faq-checked').checked = entry.id ? !entry.sample : false;
    $('faq-phrasing-row').hidden = !entry.id;
    $('faq-retire').hidden = !entry.id;
    $('faq-preview-q').value = (entry.questions || [])[0] || '';
    $('faq-preview-out').replaceChildren();
    clearErrors($('faq-form'));
    $('faq-form').hidden = false;
  }

  async function openFaq(id) {
    const res = await api('GET', '/editor/faq/' + encodeURIComponent(id));
    if (res.status === 200) { fillFaq(res.data); $('faq-questions').focus(); }
  }

  async function saveFaq(event) {
    event.preventDefault();
    const form = $('faq-form');
    const body = faqBody();
    const res = faqCurrent
      ? await api('PUT', '/editor/faq/' + encodeURIComponent(faqCurrent.id), body)
      : await api('POST', '/editor/faq', body);
    if (res.status === 200 || res.status === 201) {
      clearErrors(form);
      if (res.data.entry) fillFaq(res.data.entry);
      status(t('faqSaved'));
      loadFaq();
      return;
    }
    if (failed(form, res) === 'conflict' && res.data.current) {
      faqCurrent.version = res.data.current.version || faqCurrent.version;
      const theirs = res.data.current.answer || {};
      showErrors(form, [], t('conflictAnswerNow', { message: res.data.message, answer: theirs.nn || '' }));
      refreshVersion(faqCurrent.id);
    }
  }

  async function refreshVersion(id) {
    const res = await api('GET', '/editor/faq/' + encodeURIComponent(id));
    if (res.status === 200 && faqCurrent && faqCurrent.id === id) faqCurrent.version = res.data.version;
  }

  async function addPhrasing() {
    const form = $('faq-form');
    const phrasing = $('faq-phrasing').value.trim();
    const res = await api('POST', '/editor/faq/' + encodeURIComponent(faqCurrent.id) + '/phrasings', { phrasing });
    if (res.status === 201) {
      $('faq-phrasing').value = '';
      fillFaq(res.data.entry);
      status(t('phrasingAdded'));
      return;
    }
    failed(form, res);
  }

  async function retireFaq() {
    if (!window.confirm(t('faqRetireConfirm'))) return;
    const res = await api('POST', '/editor/faq/' + encodeURIComponent(faqCurrent.id) + '/retire', { version: faqCurrent.version });
    if (res.status === 200) {
      $('faq-form').hidden = true;
      status(t('faqRetired'));
      loadFaq();
      return;
    }
    failed($('faq-form'), res);
  }

  /* ---------- places and hours ---------- */
  async function loadDesks() {
    const res = await api('GET', '/editor/desks');
    const box = $('desk-forms');
    box.replaceChildren();
    for (const desk of res.data.locations || []) box.append(deskForm(desk));
  }

  function input(id, label, value, field, attrs) {
    return el('div', { class: 'field' }, el('label', { for: id, text: label }),
      el('input', { id, value: value || '', 'data-field': field, ...(attrs || {}) }));
  }

  function deskForm(desk) {
    const p = 'desk-' + desk.id + '-';
    const hours = desk.opening_hours || {};
    const address = desk.address || {};
    const text = address.text || {};
    const form = el('form', { class: 'card', novalidate: true, 'data-testid': 'desk-' + desk.id },
      el('h3', { text: desk.name }),
      el('p', { class: 'form-error form-error--top', role: 'alert' }),
      el('div', { class: 'week' }, ...WEEKDAYS.map((day) => input(p + day, t('day_' + day), hours[day], 'opening_hours.' + day))),
      input(p + 'addr-nn', t('addressNn'), text.nn, 'address.text.nn'),
      input(p + 'addr-nb', t('addressNb'), text.nb, 'address.text.nb'),
      input(p + 'map', t('mapLink'), address.map_url, 'address.map_url', { type: 'url' }),
      el('div', { class: 'field check' }, el('input', { type: 'checkbox', id: p + 'checked', checked: !desk.sample && !address.sample }),
        el('label', { for: p + 'checked', text: t('checkedByMunicipality') })),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'btn', text: t('saveDesk', { name: desk.name }) })),
      el('fieldset', { class: 'preview' }, el('legend', { text: t('previewWithChange') }),
        el('label', { for: p + 'pq', text: t('previewQuestions') }),
        el('textarea', { id: p + 'pq', rows: 2 }, t('previewDeskQuestion', { place: desk.id })),
        el('button', { type: 'button', class: 'btn btn--secondary', id: p + 'pbtn' }, t('preview')),
        el('div', { class: 'preview__out', id: p + 'pout', 'aria-live': 'polite' })));
    let version = desk.version;
    function body() {
      const week = {};
      WEEKDAYS.forEach((day) => { week[day] = $(p + day).value.trim(); });
      const checked = $(p + 'checked').checked;
      return {
        version, opening_hours: week, checked,
        address: { text: { nn: $(p + 'addr-nn').value, nb: $(p + 'addr-nb').value }, map_url: $(p + 'map').value, checked },
      };
    }
    form.querySelector('#' + CSS.escape(p + 'pbtn')).addEventListener('click', () => preview($(p + 'pq'), $(p + 'pout'), 'desk', desk.id, body()));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const res = await api('PUT', '/editor/desks/' + encodeURIComponent(desk.id), body());
      if (res.status === 200) { version = res.data.entry.version; clearErrors(form); status(t('deskSaved', { name: desk.name })); return; }
      failed(form, res);
    });
    return form;
  }

  /* ---------- closures ---------- */
  async function loadClosures() {
    const res = await api('GET', '/editor/closures');
    const data = res.data;
    holidays = data.holidays || [];
    $('closure-form').dataset.version = data.version;
    const places = $('closure-places');
    if (!places.querySelector('input')) {
      for (const place of data.locations || []) {
        const id = 'closure-place-' + place.id;
        places.append(el('div', { class: 'check' }, el('input', { type: 'checkbox', id, value: place.id }), el('label', { for: id, text: place.name })));
      }
    }
    const list = $('closure-list');
    list.replaceChildren();
    (data.exceptions || []).forEach((item, index) => {
      const day = item.date || (item.from + ' – ' + item.to);
      const what = item.closed ? t('closed') : t('openHours', { hours: item.hours });
      const where = item.locations ? ' (' + item.locations.join(', ') + ')' : '';
      const reason = (item.reason || {})[LANG] || (item.reason || {}).nn || '';
      list.append(el('li', { class: 'row-item' }, el('span', { text: `${day}: ${what}${where} – ${reason}` }),
        el('button', { type: 'button', class: 'btn btn--secondary btn--small', 'aria-label': t('removeDay', { day }), onclick: () => removeClosure(index, data.version) }, t('remove'))));
    });
    $('holiday-list').replaceChildren(...holidays.slice(0, 14).map((h) => el('li', { text: `${h.date}: ${h[LANG] || h.nn}` })));
  }

  function closureBody() {
    const kind = document.querySelector('input[name="closure-kind"]:checked').value;
    return {
      from: $('closure-from').value, to: $('closure-to').value,
      hours: kind === 'hours' ? $('closure-hours').value : '',
      reason: { nn: $('closure-nn').value, nb: $('closure-nb').value, en: $('closure-en').value },
      locations: [...$('closure-places').querySelectorAll('input:checked')].map((i) => i.value),
    };
  }

  async function saveClosure(event) {
    event.preventDefault();
    const form = $('closure-form');
    const res = await api('POST', '/editor/closures', closureBody());
    if (res.status === 201) {
      clearErrors(form);
      status(t('closureSaved'));
      loadClosures();
      return;
    }
    failed(form, res);
  }

  async function removeClosure(index, version) {
    const res = await api('POST', `/editor/closures/${index}/remove`, { version });
    if (res.status === 200) { status(t('closureRemoved')); loadClosures(); return; }
    failed($('closure-form'), res);
  }

  function holidayNote() {
    const day = $('closure-from').value;
    const found = holidays.find((h) => h.date === day);
    $('closure-holiday').textContent = found ? t('holidayNote', { day, holiday: found[LANG] || found.nn }) : '';
    const place = $('closure-places').querySelector('input:checked:not([value="phone"])');
    const where = place ? place.value : 'knarvik';
    if (day) $('closure-preview-q').value = t('previewClosureQuestion', { place: where, date: day.split('-').reverse().slice(0, 2).join('.') });
  }

  /* ---------- contact and municipality ---------- */
  async function loadContact() {
    const res = await api('GET', '/editor/contact');
    const c = res.data.contact;
    const m = res.data.municipality;
    const phone = c.phone || {};
    const hours = phone.opening_hours || {};
    const cf = $('contact-form');
    cf.replaceChildren(el('h3', { text: t('contactTitle') }), el('p', { class: 'form-error form-error--top', role: 'alert' }),
      input('c-phone', t('phoneNumber'), phone.number, 'number'),
      el('div', { class: 'week' }, ...WEEKDAYS.map((day) => input('c-ph-' + day, t('phoneHoursDay', { day: t('day_' + day) }), hours[day], 'opening_hours.' + day))),
      input('c-email', t('email'), c.email, 'email', { type: 'email' }),
      input('c-web', t('web'), c.web, 'web', { type: 'url' }),
      input('c-post', t('postAddress'), (c.post || {}).address, 'address'),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'btn', text: t('saveContact') })));
    cf.dataset.version = c.version;
    const name = m.name || {};
    const mf = $('municipality-form');
    mf.replaceChildren(el('h3', { text: t('municipalityTitle') }), el('p', { class: 'form-error form-error--top', role: 'alert' }),
      input('m-nn', t('nameNn'), name.nn, 'name.nn'), input('m-nb', t('nameNb'), name.nb, 'name.nb'),
      input('m-en', t('nameEn'), name.en, 'name.en'),
      input('m-privacy', t('privacyPage'), m.privacy_url, 'privacy_url', { type: 'url' }),
      input('m-search', t('searchUrl'), m.search_url, 'search_url'),
      el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'btn', text: t('saveMunicipality') })));
    mf.dataset.version = m.version;
  }

  async function saveContact(event) {
    event.preventDefault();
    const form = $('contact-form');
    const week = {};
    WEEKDAYS.forEach((day) => { week[day] = $('c-ph-' + day).value.trim(); });
    const body = { version: form.dataset.version, phone: { number: $('c-phone').value, opening_hours: week },
      email: $('c-email').value, web: $('c-web').value, post: { address: $('c-post').value } };
    const res = await api('PUT', '/editor/contact', body);
    if (res.status === 200) { form.dataset.version = res.data.entry.version; clearErrors(form); status(t('contactSaved')); return; }
    failed(form, res);
  }

  async function saveMunicipality(event) {
    event.preventDefault();
    const form = $('municipality-form');
    const body = { version: form.dataset.version, name: { nn: $('m-nn').value, nb: $('m-nb').value, en: $('m-en').value },
      privacy_url: $('m-privacy').value, search_url: $('m-search').value };
    const res = await api('PUT', '/editor/municipality', body);
    if (res.status === 200) { form.dataset.version = res.data.entry.version; clearErrors(form); status(t('municipalitySaved')); return; }
    failed(form, res);
  }

  /* ---------- texts ---------- */
  let texts = [];
  async function loadTexts() {
    const res = await api('GET', '/editor/texts?section=' + $('texts-section').value);
    texts = res.data.texts || [];
    renderTexts();
  }

  function renderTexts() {
    const filter = $('texts-filter').value.trim().toLowerCase();
    const shown = texts.filter((x) => !filter || (x.key + ' ' + x.catalogue.nn + ' ' + x.catalogue.nb).toLowerCase().includes(filter)).slice(0, 25);
    $('texts-list').replaceChildren(...shown.map(textForm));
  }

  function textForm(item) {
    const p = 'text-' + item.key + '-';
    const form = el('form', { class: 'card', novalidate: true },
      el('h3', { text: item.key }), el('p', { class: 'form-error form-error--top', role: 'alert' }),
      item.placeholders.length ? el('p', { class: 'hint', text: t('placeholdersList') + ' ' + item.placeholders.map((x) => '{' + x + '}').join(' ') }) : null);
    for (const [lang, label] of [['nn', t('langNn')], ['nb', t('langNb')], ['en', t('langEn')]]) {
      const hintId = p + lang + '-std';
      form.append(el('div', { class: 'field' }, el('label', { for: p + lang, text: label }),
        el('textarea', { id: p + lang, rows: 2, 'data-field': lang, 'aria-describedby': hintId }, item.override[lang] || ''),
        el('p', { class: 'hint', id: hintId, text: t('standardText', { text: item.catalogue[lang] }) })));
    }
    form.append(el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'btn', text: t('saveText') })));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = { version: item.version, nn: $(p + 'nn').value, nb: $(p + 'nb').value, en: $(p + 'en').value };
      const res = await api('PUT', `/editor/texts/${item.section}/${item.key}`, body);
      if (res.status === 200) { item.version = res.data.version; item.override = res.data.override; clearErrors(form); status(t('textSaved')); return; }
      failed(form, res);
    });
    return form;
  }

  /* ---------- history ---------- */
  async function loadHistory() {
    const res = await api('GET', '/editor/history?limit=100');
    const list = $('history-list');
    list.replaceChildren(...(res.data.changes || []).map((c) => el('li', { class: 'row-item' },
      el('span', { text: `${when(c.at)} – ${c.account}: ${c.summary}` }),
      el('span', {}, el('button', { type: 'button', class: 'btn btn--secondary btn--small', onclick: () => showDiff(c.id) }, t('showChange')),
        c.file.endsWith('.yml') ? el('button', { type: 'button', class: 'btn btn--secondary btn--small', onclick: () => undoChange(c.id) }, t('undo')) : null))));
    if (!list.children.length) list.append(el('li', { text: t('historyEmpty') }));
  }

  async function showDiff(id) {
    const res = await api('GET', '/editor/history/' + id);
    const pre = $('history-diff');
    pre.textContent = res.data.diff || t('noDiff');
    pre.hidden = false;
    pre.focus();
  }

  async function undoChange(id) {
    const res = await api('POST', `/editor/history/${id}/undo`, {});
    status(res.status === 201 ? t('undone') : (res.data.message || t('undoFailed')));
    loadHistory();
    loaded.faq = loaded.closures = loaded.desks = loaded.contact = false;
  }

  /* ---------- spreadsheet ---------- */
  let sheet = null;
  async function checkSheet() {
    const form = $('sheet-form');
    const file = $('sheet-file').files[0];
    $('sheet-apply').hidden = true;
    if (!file) return;
    const text = await file.text();
    const res = await api('POST', '/editor/faq/import', { csv: text });
    const summary = res.data.summary;
    if (res.status !== 200) { failed(form, res); return; }
    clearErrors(form);
    sheet = { csv: text, version: res.data.version };
    const changed = summary.changed.map((c) => `${c.id} (${c.fields.join(', ')})`);
    $('sheet-summary').replaceChildren(el('ul', {},
      el('li', { text: t('sheetAdded', { ids: summary.added.length ? summary.added.join(', ') : t('none') }) }),
      el('li', { text: t('sheetChanged', { ids: changed.length ? changed.join('; ') : t('none') }) }),
      el('li', { text: t('sheetUnchanged', { n: summary.unchanged }) }),
      el('li', { text: t('sheetKept', { ids: summary.kept.length ? summary.kept.join(', ') : t('none') }) })));
    $('sheet-apply').hidden = !(summary.added.length || summary.changed.length);
  }

  async function applySheet() {
    const res = await api('POST', '/editor/faq/import', { ...sheet, apply: true });
    if (res.status === 201) { status(t('imported')); $('sheet-apply').hidden = true; loaded.faq = false; return; }
    failed($('sheet-form'), res);
  }

  const LOADERS = { faq: loadFaq, desks: loadDesks, closures: loadClosures, contact: loadContact, texts: loadTexts, history: loadHistory, sheet: () => {} };

  function ready() {
    // Hints that show placeholders: filled here, as the catalogue would fill {phone} itself.
    $('faq-placeholder-hint').textContent = t('placeholderHint', { list: FACT_PLACEHOLDERS });
    $('texts-hint').textContent = t('textsHint', { example: '{phone}' });
    document.querySelectorAll('.tab').forEach((tab) => tab.addEventListener('click', () => {
      if (tab.dataset.tab !== 'faq' && tab.dataset.tab !== 'sheet') loaded[tab.dataset.tab] = false;
      showTab(tab.dataset.tab);
    }));
    $('faq-search').addEventListener('input', loadFaq);
    $('faq-new').addEventListener('click', () => { fillFaq({ questions: [], answer: {} }); $('faq-id').focus(); });
    $('faq-form').addEventListener('submit', saveFaq);
    $('faq-add-phrasing').addEventListener('click', addPhrasing);
    $('faq-retire').addEventListener('click', retireFaq);
    $('faq-preview').addEventListener('click', () => {
      const kind = faqCurrent ? 'faq' : 'faq_new';
      preview($('faq-preview-q'), $('faq-preview-out'), kind, faqCurrent ? faqCurrent.id : '', faqBody());
    });
    $('closure-form').addEventListener('submit', saveClosure);
    $('closure-from').addEventListener('change', holidayNote);
    document.querySelectorAll('input[name="closure-kind"]').forEach((r) => r.addEventListener('change', () => {
      $('closure-hours').disabled = !$('closure-changed').checked;
    }));
    $('closure-preview').addEventListener('click', () => preview($('closure-preview-q'), $('closure-preview-out'), 'closure_add', '', closureBody()));
    $('contact-form').addEventListener('submit', saveContact);
    $('municipality-form').addEventListener('submit', saveMunicipality);
    $('texts-section').addEventListener('change', loadTexts);
    $('texts-filter').addEventListener('input', renderTexts);
    $('sheet-file').addEventListener('change', checkSheet);
    $('sheet-apply').addEventListener('click', applySheet);
    showTab('faq');
  }

  document.addEventListener('DOMContentLoaded', () => start(ready, 'editor', 'editorPageTitle'));
})();
