/*
 * Alver innbyggjarservice – staff chat console.
 *
 * Talks to the console API in docs/chat-api.md (prefix /console/api, session cookie
 * + X-CSRF-Token on every POST). Plain ES2020 in one IIFE, no globals.
 * All data from the server is rendered with textContent / text nodes only.
 * Every label comes from the server's text catalogue (bot/messages.yml, section
 * `console`): GET /texts/console.json?lang=<html lang>, fetched before the console starts;
 * it also replaces the labels in index.html. If the texts cannot be fetched, the page
 * shows only a short bilingual notice that the chat is unavailable.
 */
(function () {
  'use strict';

  const API = '/console/api';
  const LANG = ['nb', 'en'].includes(document.documentElement.lang) ? document.documentElement.lang : 'nn';
  const TEXTS_URL = '/texts/console.json?lang=' + LANG;
  // The one text that cannot come from the server: shown when the server cannot be reached.
  const UNAVAILABLE = 'Chatten er ikkje tilgjengeleg / Chatten er ikke tilgjengelig';
  let TEXTS = {};
  let BASE_TITLE = '';
  const TYPING_EVERY_MS = 3000;
  const SOUND_KEY = 'alverConsole.sound';

  /* ------------------------------------------------------------------- state */

  let csrf = null;          // kept in memory only; re-fetched with GET /me on load
  let user = null;
  let session = 0;          // generation counter: bumps on sign-in/out to stop loops
  let knownWaiting = null;  // Set of waiting conversation ids from the last queue answer
  let waitTimes = new Map(); // id → {seconds, at} for the client-side waiting clock
  let offlineCount = -1;

  // The open conversation.
  let conv = null;          // {id, state, language, claimed_by_first_name}
  let convMessages = [];
  let convLastId = 0;
  let convAbort = null;
  let lastTypingSent = 0;
  let canned = [];
  // wp-console: a working day
  let ownReplies = [];      // staff-written canned replies (GET /own-replies)
  let editingOwn = null;    // id of the own reply in the form, or null for a new one
  let staffList = [];       // everybody's status (queue snapshot)
  let mineIds = [];         // my conversations, in the sidebar's order
  const seenCitizen = new Map(); // conversation id → citizen messages seen
  let unreadTotal = 0;
  let lastMine = [];
  const claimedHere = new Set(); // conversations I claimed in this tab: not unread when they appear        // the last "mine" list from the queue
  let waitingCount = 0;

  // Unsent replies, one per conversation (id → text); kept in sessionStorage (with the
  // staff member's id) so a reload keeps them. Cleared when sent, when the conversation
  // closes, on sign-out and when someone else signs in.
  const DRAFTS_KEY = 'alverConsole.drafts';
  let drafts = new Map();
  let draftsOwner = null;

  /* --------------------------------------------------------------- DOM utils */

  const $ = (id) => document.getElementById(id);

  /** Look up a label and fill {placeholders}. */
  function t(key, vars) {
    let s = typeof TEXTS[key] === 'string' ? TEXTS[key] : key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split('{' + k + '}').join(String(v));
    return s;
  }

  async function loadTexts() {
    const res = await fetch(TEXTS_URL, { credentials: 'same-origin' });
    if (!res.ok) throw new Error('texts: HTTP ' + res.status);
    const data = await res.json();
    if (!data || typeof data.texts !== 'object') throw new Error('texts: bad answer');
    return data.texts;
  }

  /** Replace a node's own label text, keeping child elements (counters, inputs). */
  function setLabel(node, text) {
    if (!node) return;
    const own = [...node.childNodes].find((c) => c.nodeType === Node.TEXT_NODE && c.data.trim());
    if (own) own.data = own.data.replace(own.data.trim(), text);
    else if (!node.children.length) node.textContent = text;
    else node.prepend(text + ' ');
  }

  /** The labels in index.html, by selector. */
  const PAGE_LABELS = {
    '.skip-link': 'skipLink', '.topbar__title': 'topbarTitle', '.topbar__sub': 'topbarSub',
    'label.check': 'sound', '#logout': 'logout', '#login-title': 'loginTitle',
    'label[for="login-user"]': 'username', 'label[for="login-pass"]': 'password',
    '[data-testid="console-login"]': 'loginButton', '#queue-title': 'queueTitle',
    '#queue-empty': 'queueEmpty', '#mine-title': 'mineTitle', '#mine-empty': 'mineEmpty',
    '#offline-title': 'offlineTitle', '#offline-open': 'offlineOpen', '#placeholder': 'placeholder',
    '#conv-title': 'conversation', '#conv-claim': 'claim', '#conv-handback': 'handBack',
    '#conv-close': 'closeConversation', '#citizen-typing': 'citizenTyping',
    'label[for="reply-box"]': 'replyLabel', '#reply-hint': 'replyHint', '#reply-send': 'replySend',
    '#offline-heading': 'offlineHeading', '#offline > .hint': 'offlineHint',
    '#offline-empty': 'offlineEmpty', '#canned-title': 'cannedTitle',
    'label[for="canned-filter"]': 'cannedFilter', '#notes-title': 'notesTitle',
    'label[for="note-box"]': 'newNote', '[data-testid="note-save"]': 'saveNote',
    // wp-console
    '#status-label': 'statusLabel', '#max-chats-label': 'maxChatsLabel', '#notify-label': 'notifyOn',
    '#help-open': 'shortcutsOpen', '#history-title': 'historyOpen', '#history-open': 'historyOpen',
    '#staff-title': 'staffTitle', '#conv-transfer': 'transfer', '#conv-export': 'exportText', '#conv-export-pdf': 'exportPdf',
    '#citizen-left': 'citizenLeftLong', '#history-heading': 'historyHeading', '#history-hint': 'historyHint',
    'label[for="history-q"]': 'historyText', 'label[for="history-from"]': 'historyFrom',
    'label[for="history-to"]': 'historyTo', 'label[for="history-staff"]': 'historyStaff',
    'label[for="history-topic"]': 'historyTopic', '#history-search': 'historySearch',
    '#own-summary': 'ownNew', 'label[for="own-title"]': 'ownName', 'label[for="own-text"]': 'ownText',
    'label[for="own-language"]': 'ownLanguage', '#own-team-text': 'ownTeam', '#own-save': 'ownSave',
    '#confirm-yes': 'confirmYes', '#confirm-no': 'cancel', '#transfer-title': 'transferTitle',
    'label[for="transfer-to"]': 'transferTo', 'label[for="transfer-note"]': 'transferNote',
    '#transfer-yes': 'transferConfirm', '#transfer-no': 'cancel', '#help-title': 'shortcutsTitle',
    '#help-close': 'close',
  };
  const PAGE_ARIA_LABELS = {
    'nav.sidebar': 'conversationsLabel', '#work': 'workLabel', '#transcript': 'transcriptLabel',
    '#tools': 'toolsLabel', '#staff-pages': 'navStaffPages',
  };

  function applyPageLabels() {
    for (const o of document.querySelectorAll('#status-select option')) o.textContent = statusName(o.value);
    for (const o of document.querySelectorAll('#history-staff option[value=""], #history-topic option[value=""], #own-language option[value=""]')) o.textContent = t('historyAny');
    BASE_TITLE = t('pageTitle');
    document.title = BASE_TITLE;
    for (const [selector, key] of Object.entries(PAGE_LABELS)) setLabel(document.querySelector(selector), t(key));
    for (const [selector, key] of Object.entries(PAGE_ARIA_LABELS)) {
      const node = document.querySelector(selector);
      if (node) node.setAttribute('aria-label', t(key));
    }
  }

  /** The texts could not be fetched: a short notice in both written standards, nothing else. */
  function showUnavailable() {
    const note = document.createElement('p');
    note.setAttribute('role', 'alert');
    note.setAttribute('data-testid', 'console-unavailable');
    note.textContent = UNAVAILABLE;
    document.body.replaceChildren(note);
  }

  /** Create an element; attrs as in the widget; string children become text nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
      else if (v === true) node.setAttribute(k, '');
      else node.setAttribute(k, String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
    return node;
  }

  const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

  /** Append text with http(s) URLs as safe links. */
  function appendRichText(parent, text) {
    const s = String(text || '');
    let last = 0;
    for (const m of s.matchAll(URL_RE)) {
      let url = m[0];
      const trail = url.match(/[.,;:!?)\]}»"']+$/);
      if (trail) url = url.slice(0, -trail[0].length);
      parent.append(s.slice(last, m.index));
      let ok = false;
      try { ok = ['http:', 'https:'].includes(new URL(url).protocol); } catch (e) { /* not a URL */ }
      parent.append(ok ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: url }) : url);
      last = m.index + url.length;
    }
    parent.append(s.slice(last));
  }

  const time = (iso) => {
    const d = new Date(iso);
    return isNaN(d) ? '' : d.toLocaleTimeString('nb-NO', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  };
  const dateTime = (iso) => {
    const d = new Date(iso);
    return isNaN(d) ? '' : d.toLocaleString('nb-NO', { day: 'numeric', month: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  };
  const LANG_KEYS = { nb: 'langNb', nn: 'langNn', en: 'langEn' };
  const langName = (l) => (LANG_KEYS[l] ? t(LANG_KEYS[l]) : String(l || t('langUnknown')));
  const STATE_KEYS = { bot: 'stateBot', waiting: 'stateWaiting', with_human: 'stateWithHuman', closed: 'stateClosed' };
  const stateName = (state) => (STATE_KEYS[state] ? t(STATE_KEYS[state]) : state || '');

  function formatWait(sec) {
    sec = Math.max(0, Math.floor(sec));
    const m = Math.floor(sec / 60);
    const s = sec % 60;
    return m ? t('waitMinutes', { m, s: String(s).padStart(2, '0') }) : t('waitSeconds', { s });
  }

  let liveTimer = null;
  /** Announce a short text politely (new queue entries, new citizen messages, results). */
  function announce(text) {
    const live = $('live');
    live.textContent = '';
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => { live.textContent = text; }, 100);
  }

  function setError(id, text) { $(id).textContent = text || ''; }
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  /* --------------------------------------------------------------------- API */

  class ApiError extends Error {
    constructor(status, code) { super(code || 'http_' + status); this.status = status; this.code = code || ''; }
  }

  async function api(method, path, body, signal) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
    let res;
    try {
      res = await fetch(API + path, {
        method, headers, signal, credentials: 'same-origin', cache: 'no-store',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, 'network');
    }
    if (res.status === 401 && path !== '/login' && path !== '/me') { signedOut(); throw new ApiError(401, 'not_signed_in'); }
    if (!res.ok) {
      let data = {};
      try { data = await res.json(); } catch (e) { /* ignore */ }
      throw new ApiError(res.status, data.error);
    }
    if (res.status === 204) return null;
    const type = res.headers.get('content-type') || '';
    return type.includes('json') ? res.json() : null;
  }

  function errText(err) {
    if (err.status === 0) return t('errNetwork');
    if (err.status === 403) return t('errForbidden');
    if (err.status === 404) return t('errNotFound');
    if (err.status === 429) return t('errRate');
    return t('errOther', { status: err.status });
  }

  /* ------------------------------------------------------------------- sound */

  let audio = null;
  /** Create the AudioContext on a user gesture (autoplay rules). */
  function unlockAudio() {
    try {
      if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === 'suspended') audio.resume();
    } catch (e) { audio = null; }
  }

  /** A short two-tone beep (no audio files). */
  function beep() {
    if (!$('sound-toggle').checked || !audio) return;
    const t0 = audio.currentTime;
    [880, 660].forEach((freq, i) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const start = t0 + i * 0.18;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(start);
      osc.stop(start + 0.17);
    });
  }

  /* ---------------------------------------------------------- sign in / out */

  async function init() {
    $('sound-toggle').checked = localStorage.getItem(SOUND_KEY) !== '0';
    try {
      const me = await api('GET', '/me');
      startSession(me);
    } catch (e) {
      showLogin(e.status && e.status !== 401 ? errText(e) : '');
    }
  }

  function showLogin(message) {
    $('app').hidden = true;
    $('userbar').hidden = true;
    $('login-view').hidden = false;
    setError('login-error', message);
    document.title = BASE_TITLE;
    $('login-user').focus();
  }

  async function onLogin(e) {
    e.preventDefault();
    unlockAudio();
    const username = $('login-user').value.trim();
    const password = $('login-pass').value;
    if (!username || !password) { setError('login-error', t('errMissingLogin')); return; }
    try {
      const data = await api('POST', '/login', { username, password });
      $('login-pass').value = '';
      startSession(data);
    } catch (err) {
      setError('login-error', err.status === 401 || err.status === 403 ? t('errWrongLogin') : errText(err));
      $('login-pass').select();
    }
  }

  function startSession(data) {
    csrf = data.csrf_token;
    user = data.user || {};
    loadDrafts(user.id === undefined ? null : String(user.id));
    session++;
    knownWaiting = null;
    $('login-view').hidden = true;
    $('app').hidden = false;
    $('userbar').hidden = false;
    $('user-name').textContent = t('signedInAs', { name: user.first_name || '' });
    queueLoop(session);
    loadCanned();
    loadOwn();
    loadStatus();
    $('own-team-label').hidden = !['editor', 'admin'].includes(user.role);
    // Links to the other staff pages: only those the signed-in role may open.
    document.querySelectorAll('#staff-pages a[data-roles]').forEach((a) => {
      a.hidden = !a.dataset.roles.split(' ').includes(user.role);
    });
    $('staff-pages').hidden = !document.querySelector('#staff-pages a:not([hidden])');
    $('main').focus();
  }

  /** Called on any 401: stop everything and show the sign-in form. */
  function signedOut() {
    session++;
    csrf = null;
    closeConversation();
    showLogin(t('signedOutAgain'));
  }

  async function onLogout() {
    try { await api('POST', '/logout', {}); } catch (e) { /* signed out anyway */ }
    session++;
    csrf = null;
    closeConversation();
    drafts.clear();
    storeDrafts();
    showLogin(t('signedOut'));
  }

  /* ------------------------------------------------------------------- queue */

  async function queueLoop(gen) {
    let etag = '';
    let failures = 0;
    while (gen === session) {
      try {
        const q = etag ? `/queue?wait=25&since=${encodeURIComponent(etag)}` : '/queue?wait=0';
        const data = await api('GET', q);
        if (gen !== session) return;
        etag = data.etag || '';
        failures = 0;
        $('conn-status').textContent = '';
        renderQueue(data);
      } catch (err) {
        if (gen !== session || err.status === 401) return;
        failures++;
        $('conn-status').textContent = t('connectionLost');
        await sleep(Math.min(30, 2 ** failures) * 1000);
      }
    }
  }

  function renderQueue(data) {
    const waiting = data.waiting || [];
    const now = Date.now();
    waitTimes = new Map(waiting.map((w) => [w.conversation_id, { seconds: Number(w.waiting_seconds) || 0, at: now }]));

    // New entries → live announcement, beep, title notice.
    const fresh = knownWaiting ? waiting.filter((w) => !knownWaiting.has(w.conversation_id)) : [];
    knownWaiting = new Set(waiting.map((w) => w.conversation_id));
    if (fresh.length) {
      announce(fresh.length === 1
        ? t('newInQueueOne', { text: fresh[0].question || fresh[0].last_text || '' })
        : t('newInQueueMany', { n: fresh.length }));
      beep();
    }
    waitingCount = waiting.length;
    renderStaff(data.staff || []);

    // Keyed update keeps focus on an item that stays.
    const list = $('queue-list');
    const existing = new Map([...list.children].map((li) => [li.dataset.conversationId, li]));
    waiting.forEach((w, i) => {
      let li = existing.get(w.conversation_id);
      if (!li) li = queueItem(w);
      existing.delete(w.conversation_id);
      li.querySelector('.item__text').textContent = w.question || w.last_text || t('noQuestion');
      li.querySelector('.item__left').hidden = !w.citizen_left;
      if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
    });
    for (const li of existing.values()) li.remove();
    $('queue-count').textContent = String(waiting.length);
    $('queue-empty').hidden = waiting.length > 0;
    updateWaitClocks();

    renderMine(data.mine || []);

    const open = Number(data.offline_requests_open) || 0;
    $('offline-count').textContent = String(open);
    if (open !== offlineCount && !$('offline').hidden) loadOffline();
    offlineCount = open;
  }

  function queueItem(w) {
    const textId = 'q-text-' + w.conversation_id;
    return el('li', { class: 'item', 'data-testid': 'queue-item', 'data-conversation-id': w.conversation_id },
      el('div', { class: 'item__row' },
        el('span', { class: 'badge', title: langName(w.language), text: String(w.language || '?').toUpperCase() },
          el('span', { class: 'sr-only', text: ' (' + langName(w.language) + ')' })),
        el('span', { class: 'item__wait', 'data-testid': 'queue-wait' })),
      el('p', { class: 'item__topic', 'data-testid': 'queue-topic', text: topicName(w.topic) }),
      el('p', { class: 'item__text', id: textId, 'data-testid': 'queue-last-text' }),
      w.page ? el('p', { class: 'item__page', 'data-testid': 'queue-page', text: t('startedOn', { page: w.page }) }) : null,
      el('p', { class: 'item__left', 'data-testid': 'queue-left', text: t('citizenLeft'), hidden: true }),
      el('button', {
        type: 'button', class: 'btn btn--small', 'data-testid': 'claim-button', 'aria-describedby': textId,
        onclick: (e) => claim(w.conversation_id, e.currentTarget),
      }, t('claim')));
  }

  /** Client-side waiting clocks, updated every second. */
  function updateWaitClocks() {
    const now = Date.now();
    for (const li of $('queue-list').children) {
      const w = waitTimes.get(li.dataset.conversationId);
      if (w) li.querySelector('.item__wait').textContent = t('waiting', { time: formatWait(w.seconds + (now - w.at) / 1000) });
    }
  }

  function renderMine(mine) {
    lastMine = mine;
    updateUnread(mine);
    mineIds = mine.map((m) => m.conversation_id);
    const list = $('mine-list');
    // Keyed update: an item that stays keeps its <li> and <button> (focus, and a click
    // that is under way, are not lost when the queue answers).
    const existing = new Map([...list.children].map((li) => [li.dataset.conversationId, li]));
    const items = [];
    mine.forEach((m) => {
      const current = !!(conv && conv.id === m.conversation_id);
      let li = existing.get(m.conversation_id);
      existing.delete(m.conversation_id);
      if (!li) {
        li = el('li', { class: 'item', 'data-testid': 'mine-item', 'data-conversation-id': m.conversation_id },
          el('button', { type: 'button', class: 'item__open', 'data-testid': 'mine-item-open', onclick: () => openConversation(m.conversation_id) }));
      }
      items.push(li);
      li.classList.toggle('is-current', current);
      const btn = li.querySelector('button');
      if (current) btn.setAttribute('aria-current', 'true'); else btn.removeAttribute('aria-current');
      const unread = unreadOf(m);
      const signature = JSON.stringify([m.language, m.topic, m.citizen_typing, unread, m.last_text, m.citizen_left]);
      if (btn.dataset.signature === signature) return;
      btn.dataset.signature = signature;
      btn.replaceChildren(...[
        el('span', { class: 'item__row' },
          el('span', { class: 'badge', text: String(m.language || '?').toUpperCase() }, el('span', { class: 'sr-only', text: ' (' + langName(m.language) + ')' })),
          el('span', { class: 'item__state', text: topicName(m.topic) }),
          m.citizen_typing ? el('span', { class: 'item__typing', text: t('typingShort') }) : null,
          unread ? el('span', { class: 'unread', 'data-testid': 'unread-badge', text: t('unread', { n: unread }) },
            el('span', { class: 'sr-only', text: ' (' + t('unreadLabel', { n: unread }) + ')' })) : null),
        el('span', { class: 'item__text', text: m.last_text || '–' }),
        m.citizen_left ? el('span', { class: 'item__left', 'data-testid': 'mine-left', text: t('citizenLeft') }) : null,
      ].filter(Boolean));
    });
    items.forEach((li, i) => {
      if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
    });
    for (const li of existing.values()) li.remove();
    $('mine-count').textContent = String(mine.length);
    $('mine-empty').hidden = mine.length > 0;
  }

  async function claim(id, button) {
    setError('queue-error', '');
    button.disabled = true;
    try {
      await api('POST', `/conversations/${encodeURIComponent(id)}/claim`, {});
      claimedHere.add(id);
      openConversation(id, true);
    } catch (err) {
      const li = button.closest('li');
      if (err.code === 'at_capacity' || err.code === 'not_available') {
        button.disabled = false;
        setError('queue-error', t(err.code === 'at_capacity' ? 'errAtCapacity' : 'errNotAvailable'));
      } else if (err.status === 409) {
        setError('queue-error', t('claimedElsewhere'));
        if (li) li.remove();
        $('queue-title').setAttribute('tabindex', '-1');
        $('queue-title').focus();
      } else {
        button.disabled = false;
        setError('queue-error', errText(err));
      }
    }
  }

  /* ------------------------------------------------------------------ drafts */

  /** Load the signed-in staff member's drafts (another person's are dropped). */
  function loadDrafts(owner) {
    draftsOwner = owner;
    drafts = new Map();
    try {
      const saved = JSON.parse(sessionStorage.getItem(DRAFTS_KEY) || '{}');
      if (saved && saved.owner === owner && saved.drafts) {
        drafts = new Map(Object.entries(saved.drafts).filter(([, v]) => typeof v === 'string'));
      }
    } catch (e) { /* unreadable: start without drafts */ }
    storeDrafts();
  }

  function storeDrafts() {
    try {
      if (drafts.size) sessionStorage.setItem(DRAFTS_KEY, JSON.stringify({ owner: draftsOwner, drafts: Object.fromEntries(drafts) }));
      else sessionStorage.removeItem(DRAFTS_KEY);
    } catch (e) { /* storage full or blocked: the drafts stay in memory */ }
  }

  function setDraft(id, text) {
    if (text) drafts.set(id, text);
    else drafts.delete(id);
    storeDrafts();
  }

  /** Keep what is in the reply box as the open conversation's draft. */
  function saveDraft() {
    if (conv) setDraft(conv.id, $('reply-box').value);
  }

  /** A closed conversation gets no more replies: drop its draft. */
  function dropDraftIfClosed() {
    if (conv && conv.state === 'closed' && drafts.has(conv.id)) {
      setDraft(conv.id, '');
      $('reply-box').value = '';
    }
  }

  /* ------------------------------------------------------------ conversation */

  function closeConversation() {
    saveDraft();
    $('reply-box').value = '';
    if (convAbort) convAbort.abort();
    convAbort = null;
    conv = null;
    convMessages = [];
    convLastId = 0;
    $('conv').hidden = true;
    $('tools').hidden = true;
    $('placeholder').hidden = !$('offline').hidden || !$('history').hidden;
  }

  function openConversation(id, focusReply) {
    closeConversation();
    $('offline').hidden = true;
    $('history').hidden = true;
    $('placeholder').hidden = true;
    $('conv').hidden = false;
    $('tools').hidden = false;
    $('transcript').textContent = '';
    $('notes-list').textContent = '';
    setError('conv-error', '');
    conv = { id, state: '', language: 'nn' };
    $('reply-box').value = drafts.get(id) || '';
    for (const li of $('mine-list').children) {
      const current = li.dataset.conversationId === id;
      li.classList.toggle('is-current', current);
      const button = li.querySelector('button');
      if (current) button.setAttribute('aria-current', 'true'); else button.removeAttribute('aria-current');
      if (current) for (const badge of li.querySelectorAll('.unread')) badge.remove(); // read now
    }
    unreadTotal = lastMine.reduce((n, m) => n + unreadOf(m), 0);
    updateTitle();
    renderCanned();
    convLoop(id, focusReply);
  }

  /** Long-poll the open conversation. */
  async function convLoop(id, focusReply) {
    const ctrl = new AbortController();
    convAbort = ctrl;
    let wait = 0;
    let failures = 0;
    let first = true;
    while (conv && conv.id === id && !ctrl.signal.aborted) {
      try {
        const data = await api('GET', `/conversations/${encodeURIComponent(id)}?after=${convLastId}&wait=${wait}`, undefined, ctrl.signal);
        if (!conv || conv.id !== id) return;
        applyConversation(data, !first);
        if (first) {
          first = false;
          (focusReply && !$('reply-box').disabled ? $('reply-box') : $('conv-title')).focus();
        }
        failures = 0;
        wait = 25;
      } catch (err) {
        if (err.name === 'AbortError' || err.status === 401) return;
        if (err.status === 404) { setError('conv-error', errText(err)); return; }
        failures++;
        setError('conv-error', t('conversationLost'));
        await sleep(Math.min(30, 2 ** failures) * 1000);
        if (conv && conv.id === id) setError('conv-error', '');
      }
    }
  }

  function applyConversation(data, announceNew) {
    if (data.conversation) conv = Object.assign(conv || {}, data.conversation);
    const added = [];
    for (const m of data.messages || []) {
      if (convMessages.some((x) => x.id === m.id)) continue;
      convMessages.push(m);
      convLastId = Math.max(convLastId, m.id);
      $('transcript').append(renderMessage(m));
      added.push(m);
    }
    if (Array.isArray(data.notes)) renderNotes(data.notes);
    $('citizen-typing').hidden = !data.citizen_typing;
    const fromCitizen = added.filter((m) => m.sender === 'citizen');
    if (announceNew && fromCitizen.length) announce(t('citizenWrote', { text: fromCitizen.map((m) => m.text).join(' ') }));
    if (conv) seenCitizen.set(conv.id, Math.max(seenCitizen.get(conv.id) || 0, convMessages.filter((m) => m.sender === 'citizen').length));
    if (added.length) {
      const t = $('transcript');
      t.scrollTop = t.scrollHeight;
    }
    renderConvHead();
  }

  function renderConvHead() {
    dropDraftIfClosed();
    const mine = conv.state === 'with_human';
    const who = conv.claimed_by_first_name ? t('claimedBy', { name: conv.claimed_by_first_name }) : '';
    $('conv-title').textContent = t('convTitle', { topic: topicName(conv.topic), time: conv.started_at ? dateTime(conv.started_at) : '', language: langName(conv.language) });
    $('conv-meta').textContent = `${stateName(conv.state)}${who}` + (conv.page ? ' · ' + t('startedOn', { page: conv.page }) : '');
    $('citizen-left').hidden = !conv.citizen_left;
    $('conv-transfer').disabled = !mine;
    $('conv-export').href = `${API}/conversations/${encodeURIComponent(conv.id)}/export.txt?lang=${LANG}`;
    $('conv-export-pdf').href = `${API}/conversations/${encodeURIComponent(conv.id)}/export.pdf?lang=${LANG}`;
    $('conv-claim').hidden = conv.state !== 'waiting';
    $('conv-handback').disabled = !mine;
    $('conv-close').disabled = !(mine || conv.state === 'waiting');
    $('reply-box').disabled = !mine;
    $('reply-send').disabled = !mine;
    $('reply-hint').textContent = mine ? t('replyHint') : t('replyHintNotMine');
  }

  function senderName(m) {
    switch (m.sender) {
      case 'citizen': return t('senderCitizen');
      case 'bot': return t('senderBot');
      case 'staff': return t(user && m.staff_first_name === user.first_name ? 'senderYou' : 'senderColleague', { name: m.staff_first_name || t('senderStaff') });
      default: return t('senderSystem');
    }
  }

  function renderMessage(m) {
    const node = el('div', {
      class: 'msg msg--' + (m.sender || 'system'), 'data-testid': 'transcript-message', 'data-sender': m.sender, 'data-message-id': m.id,
    },
    el('p', { class: 'msg__meta' }, el('span', { class: 'msg__sender', text: senderName(m) }), ' ', el('time', { datetime: m.created_at, text: time(m.created_at) })));
    const text = el('p', { class: 'msg__text' });
    appendRichText(text, m.text);
    node.append(text);
    if (Array.isArray(m.buttons) && m.buttons.length) {
      node.append(el('p', { class: 'msg__extra', text: t('buttons', { list: m.buttons.map((b) => b.title).join(' | ') }) }));
    }
    if (m.custom && m.custom.handoff) {
      // The bot's handoff signal carries no text for the citizen; say what it was.
      const reason = t(m.custom.handoff.reason === 'not_understood' ? 'handoffNotUnderstood' : 'handoffRequested');
      node.append(el('p', { class: 'msg__extra', text: t('handoffSignal', { reason }) }));
    }
    if (m.sender === 'citizen' && m.intent) {
      const conf = typeof m.confidence === 'number' ? ' · ' + m.confidence.toFixed(2) : '';
      node.append(el('p', { class: 'msg__intent', 'data-testid': 'message-intent', title: t('intentTitle') }, m.intent + conf));
    }
    if (m.feedback === 1 || m.feedback === -1) {
      node.append(el('p', { class: 'msg__feedback msg__feedback--' + (m.feedback === 1 ? 'up' : 'down'), 'data-testid': 'message-feedback' },
        m.feedback === 1 ? t('feedbackUp') : t('feedbackDown')));
    }
    return node;
  }

  function renderNotes(notes) {
    const list = $('notes-list');
    list.textContent = '';
    for (const n of notes) {
      list.append(el('li', { class: 'note', 'data-testid': 'note' },
        el('p', { class: 'note__meta' }, el('strong', { text: t('note') }), ' · ', n.author_first_name || '', ' ', dateTime(n.created_at)),
        el('p', { class: 'note__text', text: n.text || '' })));
    }
  }

  async function onReply(e) {
    e.preventDefault();
    const box = $('reply-box');
    const text = box.value.trim();
    if (!text || !conv) return;
    const id = conv.id;
    $('reply-send').disabled = true;
    setError('conv-error', '');
    try {
      const m = await api('POST', `/conversations/${encodeURIComponent(id)}/messages`, { text });
      setDraft(id, '');
      if (!conv || conv.id !== id) return; // another conversation was opened meanwhile
      box.value = '';
      if (m && typeof m.id === 'number') applyConversation({ messages: [m] }, false);
    } catch (err) {
      setError('conv-error', err.status === 403 ? t('replyNotMine') : errText(err));
    } finally {
      if (conv) renderConvHead();
      box.focus();
    }
  }

  function onReplyKey(e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('reply-form').requestSubmit();
    }
  }

  function onReplyInput() {
    saveDraft();
    if (!conv || conv.state !== 'with_human') return;
    const now = Date.now();
    if (now - lastTypingSent < TYPING_EVERY_MS) return;
    lastTypingSent = now;
    api('POST', `/conversations/${encodeURIComponent(conv.id)}/typing`, {}).catch(() => {});
  }

  async function convAction(path, doneText) {
    if (!conv) return;
    setError('conv-error', '');
    try {
      const data = await api('POST', `/conversations/${encodeURIComponent(conv.id)}/${path}`, {});
      if (data && data.state) conv.state = data.state;
      renderConvHead();
      announce(doneText);
      $('conv-title').focus();
    } catch (err) {
      setError('conv-error', errText(err));
    }
  }

  async function onNote(e) {
    e.preventDefault();
    const box = $('note-box');
    const text = box.value.trim();
    if (!text || !conv) return;
    try {
      const note = await api('POST', `/conversations/${encodeURIComponent(conv.id)}/notes`, { text });
      box.value = '';
      if (note) {
        $('notes-list').append(el('li', { class: 'note', 'data-testid': 'note' },
          el('p', { class: 'note__meta' }, el('strong', { text: t('note') }), ' · ', dateTime(note.created_at)),
          el('p', { class: 'note__text', text: note.text || text })));
      }
      announce(t('noteSaved'));
    } catch (err) {
      setError('conv-error', errText(err));
    }
  }

  /* ---------------------------------------------------------- canned replies */

  async function loadCanned() {
    try {
      const data = await api('GET', '/canned-replies');
      canned = Array.isArray(data) ? data : [];
    } catch (e) { canned = []; }
    renderCanned();
  }

  function renderCanned() {
    const list = $('canned-list');
    const q = $('canned-filter').value.trim().toLowerCase();
    const lang = conv && conv.language === 'nb' ? 'nb' : 'nn';
    $('canned-preview').textContent = t('cannedPreview', { language: langName(conv ? conv.language : LANG) });
    list.textContent = '';
    const convLang = conv ? conv.language : LANG;
    const own = ownReplies.filter((r) => (!r.language || r.language === convLang) && (!q || (r.title + ' ' + r.text).toLowerCase().includes(q)));
    for (const r of own) list.append(ownItem(r));
    const hits = canned.filter((c) => !q || [c.title, c.nn, c.nb].some((s) => String(s || '').toLowerCase().includes(q)));
    for (const c of hits.slice(0, 60)) {
      list.append(el('li', {},
        el('button', { type: 'button', class: 'canned', 'data-testid': 'canned-reply', onclick: () => insertCanned(c) },
          el('span', { class: 'canned__title', text: c.title || '' }),
          el('span', { class: 'canned__text', text: c[lang] || '' }))));
    }
    if (!hits.length && !own.length) list.append(el('li', { class: 'empty', text: canned.length ? t('cannedNoHits') : t('cannedNone') }));
  }

  /** Insert the canned text (conversation language) at the cursor for editing. */
  function insertCanned(c) {
    const lang = conv && conv.language === 'nb' ? 'nb' : 'nn';
    let text = String(c.text || c[lang] || c.nn || '');
    if (c.link && !text.includes(c.link)) text += ' ' + c.link;
    const box = $('reply-box');
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    const before = box.value.slice(0, start);
    const sep = before && !/\s$/.test(before) ? ' ' : '';
    box.value = before + sep + text + box.value.slice(end);
    saveDraft();
    const pos = (before + sep + text).length;
    box.focus();
    box.setSelectionRange(pos, pos);
  }

  /* -------------------------------------------------------- offline requests */

  function showOffline() {
    closeConversation();
    $('history').hidden = true;
    $('placeholder').hidden = true;
    $('offline').hidden = false;
    loadOffline().then(() => $('offline-heading').focus());
  }

  async function loadOffline() {
    setError('offline-error', '');
    try {
      const items = await api('GET', '/offline-requests?open=1');
      renderOffline(Array.isArray(items) ? items : []);
    } catch (err) {
      setError('offline-error', errText(err));
    }
  }

  function contactLink(contact) {
    const c = String(contact || '').trim();
    if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c)) return el('a', { href: 'mailto:' + c, text: c });
    if (/^\+?[\d\s]{8,15}$/.test(c)) return el('a', { href: 'tel:' + c.replace(/\s/g, ''), text: c });
    return c;
  }

  function renderOffline(items) {
    const list = $('offline-list');
    list.textContent = '';
    for (const r of items.filter((x) => !x.answered_at)) {
      list.append(el('li', { class: 'card', 'data-testid': 'offline-item', 'data-request-id': r.id },
        el('p', { class: 'card__meta' }, dateTime(r.created_at), ' · ', langName(r.language)),
        el('p', { class: 'card__text', text: r.question || '' }),
        el('p', { class: 'card__contact' }, t('contact'), contactLink(r.contact)),
        el('button', { type: 'button', class: 'btn btn--small', 'data-testid': 'offline-answered', onclick: (e) => markAnswered(r.id, e.currentTarget) }, t('markAnswered'))));
    }
    $('offline-empty').hidden = list.children.length > 0;
  }

  async function markAnswered(id, button) {
    button.disabled = true;
    try {
      await api('POST', `/offline-requests/${encodeURIComponent(id)}/answered`, {});
      const li = button.closest('li');
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      $('offline-empty').hidden = $('offline-list').children.length > 0;
      announce(t('markedAnswered'));
      (next ? next.querySelector('button') : $('offline-heading')).focus();
    } catch (err) {
      button.disabled = false;
      setError('offline-error', errText(err));
    }
  }


  /* --------------------------------------------- a working day (wp-console) */

  const STATUS_KEYS = { available: 'statusAvailable', break: 'statusBreak', busy: 'statusBusy' };
  function statusName(s) { return STATUS_KEYS[s] ? t(STATUS_KEYS[s]) : String(s || ''); }

  /** The Norwegian name of an intent (bot/messages.yml, console topic_<intent>). */
  function topicName(intent) {
    if (!intent) return t('topicUnknown');
    const key = 'topic_' + intent;
    return typeof TEXTS[key] === 'string' ? TEXTS[key] : intent.replace(/_/g, ' ');
  }

  /** Unread citizen messages of one of my conversations (not the one that is open). */
  function unreadOf(m) {
    if (conv && conv.id === m.conversation_id) return 0;
    return Math.max(0, (Number(m.citizen_messages) || 0) - (seenCitizen.get(m.conversation_id) || 0));
  }

  let firstMine = true;
  function updateUnread(mine) {
    const before = unreadTotal;
    for (const m of mine) {
      const count = Number(m.citizen_messages) || 0;
      // On the first queue answer what is there counts as read; chats that arrive later
      // (claimed elsewhere and transferred to me) start unread.
      if (!seenCitizen.has(m.conversation_id)) seenCitizen.set(m.conversation_id, firstMine || claimedHere.has(m.conversation_id) ? count : 0);
      if (conv && conv.id === m.conversation_id) seenCitizen.set(m.conversation_id, Math.max(seenCitizen.get(m.conversation_id), count));
    }
    firstMine = false;
    unreadTotal = mine.reduce((n, m) => n + unreadOf(m), 0);
    if (unreadTotal > before) {
      const m = mine.find((x) => unreadOf(x) > 0);
      const text = t('newMessageFrom', { topic: topicName(m && m.topic) });
      announce(text);
      beep();
      notify(text);
    }
    updateTitle();
  }

  function updateTitle() {
    const base = waitingCount
      ? t(waitingCount === 1 ? 'titleWaitingOne' : 'titleWaitingMany', { n: waitingCount })
      : BASE_TITLE;
    document.title = (unreadTotal ? t('titleUnread', { n: unreadTotal }) : '') + base;
  }

  const NOTIFY_KEY = 'alverConsole.notify';
  /** A desktop notification when permitted and switched on (no text from the citizen in it). */
  function notify(text) {
    if (!('Notification' in window) || Notification.permission !== 'granted' || !$('notify-toggle').checked) return;
    if (!document.hidden) return;
    try { new Notification(BASE_TITLE, { body: text, tag: 'alver-console' }); } catch (e) { /* not allowed here */ }
  }

  async function onNotifyToggle(e) {
    localStorage.setItem(NOTIFY_KEY, e.target.checked ? '1' : '0');
    if (e.target.checked && 'Notification' in window && Notification.permission === 'default') {
      try { await Notification.requestPermission(); } catch (err) { /* ignored */ }
    }
  }

  /* status and capacity */

  async function loadStatus() {
    try {
      const data = await api('GET', '/status');
      if (data && data.me) showMyStatus(data.me);
      renderStaff((data && data.staff) || []);
    } catch (e) { /* shown with the next queue answer */ }
  }

  function showMyStatus(me) {
    $('status-select').value = me.status;
    if (document.activeElement !== $('max-chats')) $('max-chats').value = String(me.max_chats);
    const hint = $('status-hint');
    hint.hidden = !!me.takes_chats;
    hint.textContent = me.takes_chats ? '' : t('notTakingChats');
  }

  async function saveStatus() {
    const maxChats = parseInt($('max-chats').value, 10);
    const body = { status: $('status-select').value };
    if (maxChats >= 1 && maxChats <= 20) body.max_chats = maxChats;
    try {
      const data = await api('POST', '/status', body);
      if (data && data.me) {
        showMyStatus(data.me);
        announce(t('statusSaved', { status: statusName(data.me.status), n: data.me.max_chats }));
      }
    } catch (err) { setError('queue-error', errText(err)); }
  }

  function renderStaff(staff) {
    staffList = staff;
    const list = $('staff-list');
    list.textContent = '';
    for (const p of staff) {
      if (user && p.id === user.id) { showMyStatus(p); continue; }
      const status = p.present ? statusName(p.status) : t('staffOffline');
      list.append(el('li', { class: 'staff staff--' + (p.takes_chats ? 'free' : 'full'), 'data-testid': 'staff-item', 'data-staff-id': p.id },
        t('staffLine', { name: p.first_name, status, active: p.active_chats, max: p.max_chats })));
    }
    const select = $('history-staff');
    const chosen = select.value;
    select.replaceChildren(el('option', { value: '', text: t('historyAny') }),
      ...staff.map((p) => el('option', { value: String(p.id), text: p.first_name })));
    select.value = chosen;
  }

  /* confirmation and transfer */

  /** Ask in a modal dialog; run ``action`` on "yes". Focus returns to the trigger. */
  function confirmThen(text, action) {
    const dialog = $('confirm-dialog');
    const back = document.activeElement;
    $('confirm-text').textContent = text;
    dialog.returnValue = '';
    dialog.addEventListener('close', () => {
      if (dialog.returnValue === 'yes') action();
      else if (back && back.focus) back.focus();
    }, { once: true });
    dialog.showModal();
    $('confirm-no').focus();
  }

  function openTransfer() {
    if (!conv || conv.state !== 'with_human') return;
    const select = $('transfer-to');
    const others = staffList.filter((p) => user && p.id !== user.id && p.takes_chats);
    select.replaceChildren(
      ...others.map((p) => el('option', { value: String(p.id), text: `${p.first_name} (${p.active_chats}/${p.max_chats})` })),
      el('option', { value: 'queue', text: t('transferQueue') }));
    $('transfer-note').value = '';
    setError('transfer-error', others.length ? '' : t('noColleague'));
    const dialog = $('transfer-dialog');
    dialog.showModal();
    select.focus();
  }

  async function onTransfer(e) {
    const dialog = $('transfer-dialog');
    if (!e.submitter || e.submitter.value !== 'yes' || !conv) return;
    e.preventDefault();
    const to = $('transfer-to').value;
    const note = $('transfer-note').value.trim() || null;
    const id = conv.id;
    try {
      if (to === 'queue') {
        await api('POST', `/conversations/${encodeURIComponent(id)}/requeue`, { note });
        announce(t('requeueDone'));
      } else {
        const data = await api('POST', `/conversations/${encodeURIComponent(id)}/transfer`, { to: Number(to), note });
        announce(t('transferDone', { name: data.claimed_by.first_name }));
      }
      dialog.close('done');
      closeConversation();
      $('placeholder').hidden = false;
      $('mine-title').setAttribute('tabindex', '-1');
      $('mine-title').focus();
    } catch (err) {
      setError('transfer-error', err.code === 'colleague_unavailable' ? t('errColleague') : errText(err));
    }
  }

  /* history */

  function showHistory() {
    closeConversation();
    $('offline').hidden = true;
    $('placeholder').hidden = true;
    $('history').hidden = false;
    const topics = $('history-topic');
    if (topics.options.length <= 1) {
      const keys = Object.keys(TEXTS).filter((k) => k.startsWith('topic_')).sort((a, b) => TEXTS[a].localeCompare(TEXTS[b]));
      topics.append(...keys.map((k) => el('option', { value: k.slice(6), text: TEXTS[k] })));
    }
    $('history-heading').focus();
  }

  async function onHistorySearch(e) {
    e.preventDefault();
    setError('history-error', '');
    const params = new URLSearchParams();
    for (const [name, id] of [['q', 'history-q'], ['from', 'history-from'], ['to', 'history-to'], ['staff', 'history-staff'], ['topic', 'history-topic']]) {
      const v = $(id).value.trim();
      if (v) params.set(name, v);
    }
    try {
      const data = await api('GET', '/history?' + params.toString());
      renderHistory((data && data.results) || []);
    } catch (err) { setError('history-error', errText(err)); }
  }

  function renderHistory(results) {
    const list = $('history-list');
    list.textContent = '';
    for (const r of results) {
      const names = (r.answered_by || []).join(', ') || '–';
      const head = r.kind === 'request'
        ? `${t('historyRequest')} · ${dateTime(r.at)}`
        : `${topicName(r.topic)} · ${dateTime(r.started_at)} · ${langName(r.language)} · ${stateName(r.state)}`;
      const item = el('li', { class: 'card', 'data-testid': 'history-item', 'data-kind': r.kind, 'data-id': r.id },
        el('p', { class: 'card__meta', text: head }),
        el('p', { class: 'card__text', text: r.question || '' }),
        el('p', { class: 'card__meta', text: t('answeredBy', { names }) }));
      if (r.kind === 'request') item.append(el('p', { class: 'card__contact' }, t('contact'), contactLink(r.contact)));
      else {
        item.append(el('p', { class: 'card__actions' },
          el('button', { type: 'button', class: 'btn btn--small', 'data-testid': 'history-show', onclick: () => openConversation(r.id) }, t('historyShow')),
          ' ',
          el('a', { class: 'btn btn--small btn--secondary', href: `${API}/conversations/${encodeURIComponent(r.id)}/export.txt?lang=${LANG}`, download: '' }, t('exportText')),
          ' ',
          el('a', { class: 'btn btn--small btn--secondary', 'data-testid': 'history-export-pdf', href: `${API}/conversations/${encodeURIComponent(r.id)}/export.pdf?lang=${LANG}`, download: '' }, t('exportPdf'))));
      }
      list.append(item);
    }
    $('history-count').textContent = results.length ? t('historyHits', { n: results.length }) : t('historyEmpty');
  }

  /* own canned replies */

  async function loadOwn() {
    try {
      const data = await api('GET', '/own-replies');
      ownReplies = Array.isArray(data) ? data : [];
    } catch (e) { ownReplies = []; }
    renderCanned();
  }

  function ownItem(r) {
    const editable = r.mine || (r.team && user && ['editor', 'admin'].includes(user.role));
    return el('li', { class: 'own-item', 'data-testid': 'own-reply' },
      el('button', { type: 'button', class: 'canned', 'data-testid': 'canned-reply', onclick: () => insertCanned(r) },
        el('span', { class: 'canned__title' }, r.title, ' ', el('span', { class: 'tag', text: r.team ? t('ownTeamTag') : t('ownMineTag') })),
        el('span', { class: 'canned__text', text: r.text })),
      editable ? el('span', { class: 'own-item__actions' },
        el('button', { type: 'button', class: 'btn btn--small btn--secondary', onclick: () => editOwn(r) }, t('ownEdit'), el('span', { class: 'sr-only', text: ' ' + r.title })),
        el('button', { type: 'button', class: 'btn btn--small btn--secondary', 'data-testid': 'own-delete', onclick: () => deleteOwn(r) }, t('ownDelete'), el('span', { class: 'sr-only', text: ' ' + r.title }))) : null);
  }

  function editOwn(r) {
    editingOwn = r.id;
    $('own-details').open = true;
    $('own-title').value = r.title;
    $('own-text').value = r.text;
    $('own-language').value = r.language || '';
    $('own-team').checked = !!r.team;
    $('own-team').disabled = true;
    $('own-title').focus();
  }

  async function onOwnSave(e) {
    e.preventDefault();
    const body = { title: $('own-title').value.trim(), text: $('own-text').value.trim(), language: $('own-language').value || null };
    if (!body.title || !body.text) return;
    try {
      if (editingOwn) await api('PUT', `/own-replies/${editingOwn}`, body);
      else await api('POST', '/own-replies', Object.assign(body, { team: $('own-team').checked }));
      editingOwn = null;
      $('own-form').reset();
      $('own-team').disabled = false;
      announce(t('ownSaved'));
      await loadOwn();
    } catch (err) { setError('conv-error', errText(err)); }
  }

  async function deleteOwn(r) {
    try {
      await api('DELETE', `/own-replies/${r.id}`);
      announce(t('ownDeleted'));
      await loadOwn();
      $('canned-filter').focus();
    } catch (err) { setError('conv-error', errText(err)); }
  }

  /* keyboard shortcuts */

  const SHORTCUTS = [
    ['Alt + N', 'shortcutNext'], ['Alt + K', 'shortcutCanned'], ['Alt + R', 'shortcutReply'],
    ['Alt + H', 'shortcutHandBack'], ['Alt + ↓ / Alt + ↑', 'shortcutSwitch'], ['?', 'shortcutHelp'],
  ];

  function openHelp() {
    const list = $('help-list');
    list.replaceChildren(...SHORTCUTS.flatMap(([keys, label]) => [el('dt', {}, el('kbd', { text: keys })), el('dd', { text: t(label) })]));
    const dialog = $('help-dialog');
    if (!dialog.open) dialog.showModal();
    $('help-close').focus();
  }

  function switchMine(step) {
    if (!mineIds.length) return;
    const at = conv ? mineIds.indexOf(conv.id) : -1;
    const next = mineIds[(at + step + mineIds.length) % mineIds.length];
    openConversation(next, true);
  }

  function onShortcut(e) {
    if ($('app').hidden || document.querySelector('dialog[open]')) return;
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
    if (e.key === '?' && !typing && !e.altKey && !e.ctrlKey && !e.metaKey) { e.preventDefault(); openHelp(); return; }
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    const key = e.key.toLowerCase();
    if (key === 'n' || e.code === 'KeyN') {
      e.preventDefault();
      const first = $('queue-list').querySelector('[data-testid="claim-button"]');
      if (first) first.click(); else announce(t('queueEmptyNext'));
    } else if (key === 'k' || e.code === 'KeyK') {
      e.preventDefault(); $('canned-filter').focus();
    } else if (key === 'r' || e.code === 'KeyR') {
      e.preventDefault(); if (!$('reply-box').disabled) $('reply-box').focus();
    } else if (key === 'h' || e.code === 'KeyH') {
      e.preventDefault(); if (conv && conv.state === 'with_human') $('conv-handback').click();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault(); switchMine(e.key === 'ArrowDown' ? 1 : -1);
    }
  }

  function installWorkday() {
    $('status-select').addEventListener('change', saveStatus);
    $('max-chats').addEventListener('change', saveStatus);
    $('notify-toggle').checked = localStorage.getItem(NOTIFY_KEY) === '1' && 'Notification' in window && Notification.permission === 'granted';
    $('notify-toggle').addEventListener('change', onNotifyToggle);
    $('help-open').addEventListener('click', openHelp);
    $('conv-transfer').addEventListener('click', openTransfer);
    $('transfer-form').addEventListener('submit', onTransfer);
    $('history-open').addEventListener('click', showHistory);
    $('history-form').addEventListener('submit', onHistorySearch);
    $('own-form').addEventListener('submit', onOwnSave);
    document.addEventListener('keydown', onShortcut);
  }

  /* ------------------------------------------------------------------- start */

  document.addEventListener('DOMContentLoaded', async () => {
    try {
      TEXTS = await loadTexts();
    } catch (e) {
      showUnavailable();
      return;
    }
    applyPageLabels();
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', onLogout);
    $('sound-toggle').addEventListener('change', (e) => {
      localStorage.setItem(SOUND_KEY, e.target.checked ? '1' : '0');
      unlockAudio();
      if (e.target.checked) beep();
    });
    $('reply-form').addEventListener('submit', onReply);
    $('reply-box').addEventListener('keydown', onReplyKey);
    $('reply-box').addEventListener('input', onReplyInput);
    $('note-form').addEventListener('submit', onNote);
    $('canned-filter').addEventListener('input', renderCanned);
    $('conv-claim').addEventListener('click', (e) => conv && claim(conv.id, e.currentTarget));
    $('conv-handback').addEventListener('click', () => confirmThen(t('confirmHandBack'), () => convAction('hand-back', t('handedBack'))));
    $('conv-close').addEventListener('click', () => confirmThen(t('confirmClose'), () => convAction('close', t('closed'))));
    installWorkday();
    $('offline-open').addEventListener('click', showOffline);
    // Any click/key unlocks audio for later beeps (browsers block sound before a gesture).
    document.addEventListener('pointerdown', unlockAudio, { once: true });
    document.addEventListener('keydown', unlockAudio, { once: true });
    setInterval(updateWaitClocks, 1000);
    init();
  });
})();
