/*
 * Alver kommune – citizen chat widget.
 *
 * Embed with one tag:
 *   <script src="https://BOT/widget/widget.js" data-bot-url="https://BOT" defer></script>
 * `data-bot-url` is optional (defaults to the script's own origin). The widget loads
 * its own CSS (widget.css next to widget.js) and talks to the citizen API described in
 * docs/chat-api.md (prefix /webhooks/alver).
 *
 * The municipality's name, logo and brand colour come from the knowledge base (with the
 * texts); the page may override them on the script tag: data-municipality="Alver kommune",
 * data-logo="https://…/logo.svg", data-brand-colour="#0b4f6c". Text on the brand colour is
 * white, near-black or black, whichever has WCAG AA contrast.
 *
 * UI language follows <html lang>: "nb"/"no" → Bokmål, "en" → English, else Nynorsk.
 * Every label comes from the server's text catalogue (bot/messages.yml, section
 * `widget`): GET /texts/widget.json?lang=nn, fetched before the widget is built. With
 * it come the municipality's name, privacy page and brand colour. If the texts cannot
 * be fetched, the widget shows only a short bilingual notice that chat is unavailable.
 *
 * Security: every text from the server or the user is rendered with textContent /
 * text nodes only. URLs in message text become <a> elements built with the DOM API
 * (http/https only, rel="noopener noreferrer", target="_blank").
 *
 * Public API (the only global): window.AlverChat = { open(), close(), reset(), version }.
 */
(function () {
  'use strict';

  if (window.AlverChat) return; // loaded twice on the same page

  /* ------------------------------------------------------------------ config */

  const script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  const scriptUrl = new URL(script ? script.src : '/widget/widget.js', location.href);
  const BOT_URL = ((script && script.dataset.botUrl) || scriptUrl.origin).replace(/\/+$/, '');
  const API = BOT_URL + '/webhooks/alver';
  const CSS_URL = new URL('widget.css', scriptUrl).href;
  const STORE_KEY = 'alverChat:v1:' + BOT_URL;
  const MAX_LEN = 1000;        // server limit (413 message_too_long above this)
  const COUNTER_FROM = 800;    // show the character counter from this length
  const TYPING_EVERY_MS = 3000; // citizen typing signal at most every 3 s
  const POLL_WAIT_S = 25;      // long-poll wait (server maximum)
  const MAX_STORED = 300;      // messages kept in sessionStorage

  const htmlLang = (document.documentElement.lang || 'nn').toLowerCase();
  const LANG = /^(nb|no)\b/.test(htmlLang) ? 'nb' : /^en\b/.test(htmlLang) ? 'en' : 'nn';
  const OVERRIDES = {
    name: script && script.dataset.municipality,
    logo: script && script.dataset.logo,
    colour: script && script.dataset.brandColour,
  };
  // Where the open panel covers the whole window (as in widget.css), it is a modal dialog.
  const PHONE_QUERY = '(max-width: 480px), (max-height: 480px)';

  /* ------------------------------------------------------------------- texts */

  const TEXTS_URL = BOT_URL + '/texts/widget.json?lang=' + LANG;
  // The one text that cannot come from the server: shown when the server cannot be reached.
  const UNAVAILABLE = 'Chatten er ikkje tilgjengeleg / Chatten er ikke tilgjengelig';

  let ready = null; // the widget's open/close/reset once it is built

  window.AlverChat = Object.freeze({
    version: '1.2.1',
    /** Open the chat panel and focus the input. */
    open: () => { if (ready) ready.open(); },
    /** Close the chat panel. */
    close: () => { if (ready) ready.close(); },
    /** Forget the conversation in this browser tab (does not delete it on the server). */
    reset: () => { if (ready) ready.reset(); },
  });

  const cssLink = document.createElement('link');
  cssLink.rel = 'stylesheet';
  cssLink.href = CSS_URL;
  document.head.append(cssLink);

  /** The labels (in LANG) and the municipality's name, privacy page and brand colour. */
  async function loadTexts() {
    const res = await fetch(TEXTS_URL, { credentials: 'omit' });
    if (!res.ok) throw new Error('texts: HTTP ' + res.status);
    const data = await res.json();
    if (!data || typeof data.texts !== 'object') throw new Error('texts: bad answer');
    return data;
  }

  function whenBody(fn) {
    if (document.body) fn();
    else document.addEventListener('DOMContentLoaded', fn);
  }

  /** The texts could not be fetched: a short notice in both written standards, nothing else. */
  function showUnavailable() {
    whenBody(() => {
      const box = document.createElement('div');
      box.className = 'alver-chat';
      box.setAttribute('data-testid', 'chat-root');
      const note = document.createElement('p');
      note.className = 'alver-chat__launcher';
      note.setAttribute('role', 'status');
      note.setAttribute('data-testid', 'chat-unavailable');
      note.textContent = UNAVAILABLE;
      box.append(note);
      document.body.append(box);
    });
  }

  /** WCAG relative luminance of #rrggbb (null if not a colour). */
  function luminance(hex) {
    const m = /^#([0-9a-f]{6})$/i.exec(String(hex || '').trim());
    if (!m) return null;
    const [r, g, b] = [0, 2, 4].map((i) => {
      const c = parseInt(m[1].slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  const contrast = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const DARK_TEXT = '#1a1a1a';
  const DEFAULT_PRIMARY = '#0b4f6c';

  /**
   * Colours for a brand colour: the colour itself for surfaces, a text colour on it
   * (white, else near-black or black: whichever reaches 4.5:1) and a colour for links and outlines on
   * white (the brand colour if it reaches 4.5:1 on white, else the default). Null if not a colour.
   */
  function brandColours(hex) {
    const l = luminance(hex);
    if (l === null) return null;
    const colour = String(hex).trim().toLowerCase();
    const onWhite = contrast(l, 1) >= 4.5;
    // Black always reaches 4.5:1 where white does not; near-black is softer when it does.
    const on = onWhite ? '#ffffff' : contrast(l, luminance(DARK_TEXT)) >= 4.5 ? DARK_TEXT : '#000000';
    return { primary: colour, on, accent: onWhite ? colour : DEFAULT_PRIMARY };
  }

  /** A darker shade of #rrggbb for hover. */
  function darker(hex, factor) {
    const n = parseInt(hex.slice(1), 16);
    const ch = (shift) => Math.round(((n >> shift) & 255) * (factor || 0.75)).toString(16).padStart(2, '0');
    return '#' + ch(16) + ch(8) + ch(0);
  }

  /** A lighter shade of #rrggbb (mixed with white) for hover on light colours. */
  function lighter(hex) {
    const n = parseInt(hex.slice(1), 16);
    const ch = (shift) => Math.round(((n >> shift) & 255) * 0.85 + 255 * 0.15).toString(16).padStart(2, '0');
    return '#' + ch(16) + ch(8) + ch(0);
  }

  /* ------------------------------------------------------------ SVG icons */

  const SVG_NS = 'http://www.w3.org/2000/svg';
  // Inline SVG paths (24×24, stroke icons): no emoji, no downloads.
  const ICONS = {
    chat: 'M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.5 4v-4h0A2.5 2.5 0 0 1 4 13.5z',
    close: 'M6 6l12 12M18 6L6 18',
    up: 'M7 11v9H4v-9zM7 11l4-8c1.5 0 2.5 1 2.5 2.5V9h5a2 2 0 0 1 2 2.3l-1.2 7A2 2 0 0 1 17.3 20H7',
    down: 'M7 13V4H4v9zM7 13l4 8c1.5 0 2.5-1 2.5-2.5V15h5a2 2 0 0 0 2-2.3l-1.2-7A2 2 0 0 0 17.3 4H7',
    clock: 'M12 3a9 9 0 1 0 0 18a9 9 0 0 0 0-18zM12 7v5l3 2',
    person: 'M12 4a4 4 0 1 0 0 8a4 4 0 0 0 0-8zM4 21c0-4 3.5-7 8-7s8 3 8 7',
    calendar: 'M4 6h16v14H4zM4 10h16M8 3v5M16 3v5',
    phone: 'M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a1 1 0 0 1-1 1A16 16 0 0 1 4 5a1 1 0 0 1 1-1z',
    send: 'M4 12l16-8-6 16-2.5-6.5z',
  };

  /** An inline SVG icon (decorative: aria-hidden). */
  function icon(name) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'alver-chat__icon');
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  loadTexts().then(main, showUnavailable);

  /** Build and start the widget with the server's texts. */
  function main(data) {
    const TEXTS = data.texts;
    const MUNICIPALITY = data.municipality || {};
    const PRIVACY_URL = MUNICIPALITY.privacy_url || '';
    const SERVED_NAME = MUNICIPALITY.name || '';
    const NAME = OVERRIDES.name || SERVED_NAME;
    const COLOURS = brandColours(OVERRIDES.colour) || brandColours(MUNICIPALITY.brand_colour);
    /** The logo's address: absolute, or a path on the bot's server; http(s) only. */
    const LOGO_URL = (() => {
      const raw = OVERRIDES.logo || MUNICIPALITY.logo_url || '';
      if (!raw) return '';
      try {
        const u = new URL(raw, BOT_URL + '/');
        return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : '';
      } catch (e) { return ''; }
    })();

    /** Look up a UI text and fill {placeholders}. */
    function t(key, vars) {
      let s = typeof TEXTS[key] === 'string' ? TEXTS[key] : key;
      // A page that names itself with data-municipality gets that name in the labels.
      if (OVERRIDES.name && SERVED_NAME && NAME !== SERVED_NAME) s = s.split(SERVED_NAME).join(NAME);
      if (vars) for (const [k, v] of Object.entries(vars)) s = s.split('{' + k + '}').join(String(v));
      return s;
    }

    /* ------------------------------------------------------------------- state */

    /** Everything that survives navigation/reload (sessionStorage, per tab). */
    function freshState() {
      return {
        conversationId: null,
        token: null,
        lastId: 0,              // highest server message id seen
        messages: [],           // server messages, sorted by id
        state: 'bot',           // bot | waiting | with_human | closed
        queue: null,            // {position, waiting_seconds} while waiting
        viewTag: null,          // the server's tag of the status last applied (sent back as `seen`)
        staff: null,            // {first_name, typing} from /events
        feedback: {},           // message id → 1 | -1
        offlineOffer: false,    // show the offline form
        offlineHandledId: 0,    // system message id up to which an offer was sent/dismissed
        open: false,            // panel open (restored after navigation)
        ratingAsked: {},        // message id (or 'close') → the rating form was shown for it
        rated: false,           // the citizen answered the rating form
        bookingContact: null,   // booking request id whose contact field is shown
        bookingContactDone: {}, // booking request id → saved or declined
      };
    }

    function loadState() {
      try {
        const raw = sessionStorage.getItem(STORE_KEY);
        if (raw) return Object.assign(freshState(), JSON.parse(raw));
      } catch (e) { /* storage disabled or corrupt: start fresh */ }
      return freshState();
    }

    let S = loadState();

    function save() {
      try {
        if (S.messages.length > MAX_STORED) S.messages = S.messages.slice(-MAX_STORED);
        sessionStorage.setItem(STORE_KEY, JSON.stringify(S));
      } catch (e) { /* quota or privacy mode: the widget still works without persistence */ }
    }

    // Volatile UI state (not stored).
    let botTyping = false;
    let sending = false;
    let sendDone = null;        // settles when the message being sent has its answer
    let statusSeq = 0;          // counts status answers that did not come from the long-poll
    let lastTypingSent = 0;
    let unread = false;
    const seen = new Set(S.messages.map((m) => m.id));

    /* ---------------------------------------------------------------- DOM util */

    /**
     * Create an element. attrs: {class, text, hidden, on<Event>: fn, data-*, aria-*, ...}.
     * Children may be nodes or strings (strings become text nodes – never HTML).
     */
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

    let uid = 0;
    const nextId = (p) => 'alver-chat-' + p + '-' + (++uid);

    /** A safe external link (http/https only), or null. */
    function makeLink(href, label) {
      let u;
      try { u = new URL(href); } catch (e) { return null; }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
      return el('a', { href: u.href, target: '_blank', rel: 'noopener noreferrer' },
        label || href, el('span', { class: 'alver-chat__sr', text: ' ' + t('newTab') }));
    }

    const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

    /** Append text to parent as text nodes, turning http(s) URLs into links. */
    function appendRichText(parent, text) {
      let last = 0;
      for (const m of String(text || '').matchAll(URL_RE)) {
        let url = m[0];
        const trail = url.match(/[.,;:!?)\]}»"']+$/); // punctuation after a URL is not part of it
        if (trail) url = url.slice(0, -trail[0].length);
        parent.append(text.slice(last, m.index));
        parent.append(makeLink(url) || url);
        last = m.index + url.length;
      }
      parent.append(String(text || '').slice(last));
    }

    function formatTime(iso) {
      const d = iso ? new Date(iso) : new Date();
      if (isNaN(d)) return '';
      // nb-NO for both: browsers often lack nn-NO locale data; the 24-hour format is the same.
      return d.toLocaleTimeString('nb-NO', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    }

    /* --------------------------------------------------------------------- API */

    class ApiError extends Error {
      constructor(status, code, data) {
        super(code || 'http_' + status);
        this.status = status;   // 0 = network error / unreachable
        this.code = code || '';
        this.data = data || {};
      }
    }

    /** Call the citizen API. Returns parsed JSON, text, null (204) or the Response (raw). */
    async function api(method, path, body, opts = {}) {
      const headers = {};
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (S.token) headers.Authorization = 'Bearer ' + S.token;
      let res;
      try {
        res = await fetch(API + path, {
          method, headers, signal: opts.signal, cache: 'no-store', credentials: 'omit',
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (e) {
        if (e.name === 'AbortError') throw e;
        throw new ApiError(0, 'network');
      }
      if (res.ok) {
        if (opts.raw) return res;
        if (res.status === 204) return null;
        const type = res.headers.get('content-type') || '';
        return type.includes('json') ? res.json() : res.text();
      }
      let data = {};
      try { data = await res.json(); } catch (e) { /* not JSON (e.g. static server) */ }
      throw new ApiError(res.status, data && data.error, data);
    }

    const convPath = (suffix) => '/conversations/' + encodeURIComponent(S.conversationId) + (suffix || '');

    /** Human text (UI language) for an API error. */
    function errorText(err) {
      const s = err.status;
      if (s === 413 || err.code === 'message_too_long') return t('errTooLong', { max: MAX_LEN });
      if (s === 429) return t('errRate', { s: Math.max(1, Math.ceil(Number(err.data.retry_after) || 30)) });
      if (s === 400) return t('errBad');
      if (s === 0 || s >= 500 || s === 405) return t('errUnavailable');
      return t('errOther', { status: s });
    }

    const isGone = (err) => err instanceof ApiError && (err.status === 401 || err.status === 404)
      && err.code !== 'message_too_long';

    /* ---------------------------------------------------------------- build UI */

    const ids = {
      panel: nextId('panel'), title: nextId('title'), input: nextId('input'), hint: nextId('hint'),
      counter: nextId('counter'), confirm: nextId('confirm'), offQ: nextId('offq'), offQErr: nextId('offqerr'),
      offC: nextId('offc'), offCHint: nextId('offchint'), offCErr: nextId('offcerr'), offTitle: nextId('offtitle'),
      bkC: nextId('bkc'), bkCHint: nextId('bkchint'), bkCErr: nextId('bkcerr'), bkTitle: nextId('bktitle'),
    };

    const launcherBadge = el('span', { class: 'alver-chat__badge', hidden: true, text: t('unread') });
    const launcher = el('button', {
      type: 'button', class: 'alver-chat__launcher', 'aria-expanded': 'false', 'aria-controls': ids.panel,
      'data-testid': 'chat-launcher', onclick: () => openPanel(true),
    }, icon('chat'), el('span', { text: t('launcher') }), launcherBadge);

    const closeBtn = el('button', {
      type: 'button', class: 'alver-chat__close', 'aria-label': t('closeLabel'), title: t('closeLabel'),
      'data-testid': 'chat-close', onclick: () => closePanel(),
    }, icon('close'));

    const privacyLink = makeLink(PRIVACY_URL, t('privacyLink'));
    const notice = el('div', { class: 'alver-chat__notice', 'data-testid': 'chat-privacy-notice' },
      el('p', { text: t('intro') }),
      el('p', { class: 'alver-chat__privacy' }, el('strong', { text: t('privacy') }), ' ', privacyLink));

    // Suggested topics before the first message: each sends a normal message the bot knows.
    const TOPICS = [
      ['topicHours', 'topicHoursText', 'clock'],
      ['topicContact', 'topicContactText', 'phone'],
      ['topicBooking', 'topicBookingText', 'calendar'],
      ['topicPerson', 'topicPersonText', 'person'],
    ];
    const topicsTitle = nextId('topics');
    const topics = el('div', { class: 'alver-chat__topics', role: 'group', 'aria-labelledby': topicsTitle, 'data-testid': 'chat-topics' },
      el('p', { id: topicsTitle, class: 'alver-chat__topics-title', text: t('topicsLabel') }),
      el('div', { class: 'alver-chat__topic-list' }, TOPICS.map(([label, text, name]) => el('button', {
        type: 'button', class: 'alver-chat__topic', 'data-testid': 'chat-topic', 'data-topic': label,
        onclick: () => { input.focus(); send(t(text)); },
      }, icon(name), el('span', { text: t(label) })))));

    // role="log" has an implicit aria-live="polite"; we switch that off and announce only
    // the newest incoming message through the separate live region below.
    const log = el('div', {
      class: 'alver-chat__log', role: 'log', 'aria-live': 'off', 'aria-label': t('logLabel'), 'data-testid': 'chat-log',
    });
    const typing = el('div', { class: 'alver-chat__typing', hidden: true, 'data-testid': 'chat-typing' },
      el('span', { class: 'alver-chat__dots', 'aria-hidden': 'true' }, el('span'), el('span'), el('span')),
      el('span', { class: 'alver-chat__typing-text' }));

    // Queue / status box (waiting, with a person, closed).
    const statusText = el('p', { class: 'alver-chat__status-text', 'data-testid': 'chat-queue-status' });
    const waitText = el('p', { class: 'alver-chat__status-wait', hidden: true, 'data-testid': 'chat-queue-wait' });
    const cancelBtn = el('button', {
      type: 'button', class: 'alver-chat__btn alver-chat__btn--secondary', 'data-testid': 'chat-cancel-waiting',
      onclick: cancelWaiting,
    }, t('cancelWaiting'));
    const statusBox = el('div', { class: 'alver-chat__status', hidden: true, 'data-testid': 'chat-status' }, statusText, waitText, cancelBtn);

    // Offline request form.
    const offQ = el('textarea', {
      id: ids.offQ, rows: 3, maxlength: MAX_LEN, required: true, 'data-testid': 'chat-offline-question',
      'aria-describedby': ids.offQErr,
    });
    const offQErr = el('p', { id: ids.offQErr, class: 'alver-chat__field-error', hidden: true, 'data-testid': 'chat-offline-question-error' });
    const offC = el('input', {
      id: ids.offC, type: 'text', autocomplete: 'email', required: true, 'data-testid': 'chat-offline-contact',
      'aria-describedby': ids.offCHint,
    });
    const offCErr = el('p', { id: ids.offCErr, class: 'alver-chat__field-error', hidden: true, 'data-testid': 'chat-offline-contact-error' });
    const offSubmit = el('button', { type: 'submit', class: 'alver-chat__btn', 'data-testid': 'chat-offline-submit' }, t('offlineSubmit'));
    const offlineForm = el('form', {
      class: 'alver-chat__offline', hidden: true, novalidate: true, 'aria-labelledby': ids.offTitle,
      'data-testid': 'chat-offline-form', onsubmit: submitOffline,
    },
    el('h3', { id: ids.offTitle, class: 'alver-chat__offline-title', text: t('offlineTitle') }),
    el('p', { text: t('offlineIntro') }),
    el('label', { for: ids.offQ, text: t('offlineQuestion') }), offQ, offQErr,
    el('label', { for: ids.offC, text: t('offlineContact') }),
    el('p', { id: ids.offCHint, class: 'alver-chat__hint', text: t('offlineContactHint') }), offC, offCErr,
    el('div', { class: 'alver-chat__row' }, offSubmit,
      el('button', { type: 'button', class: 'alver-chat__btn alver-chat__btn--secondary', 'data-testid': 'chat-offline-dismiss', onclick: dismissOffline }, t('offlineDismiss'))));
    const offlineDone = el('p', { class: 'alver-chat__confirmation', hidden: true, 'data-testid': 'chat-offline-confirmation', tabindex: '-1' });

    // Rating form (issue 9): "did you get an answer?" yes / partly / no + optional comment.
    const ratingTitle = nextId('rating');
    const ratingCommentId = nextId('ratingc');
    const ratingHintId = nextId('ratingh');
    const ratingErr = el('p', { class: 'alver-chat__field-error', hidden: true, 'data-testid': 'chat-rating-error' });
    const ratingChoices = [['yes', t('rating_yes')], ['partly', t('rating_partly')], ['no', t('rating_no')]]
      .map(([value, label]) => el('button', {
        type: 'button', class: 'alver-chat__choice', 'aria-pressed': 'false', 'data-value': value,
        'data-testid': 'chat-rating-' + value, onclick: (e) => chooseRating(e.currentTarget),
      }, label));
    const ratingComment = el('textarea', {
      id: ratingCommentId, rows: 2, 'aria-describedby': ratingHintId, 'data-testid': 'chat-rating-comment',
    });
    const ratingForm = el('form', {
      class: 'alver-chat__rating', hidden: true, novalidate: true, 'aria-labelledby': ratingTitle,
      'data-testid': 'chat-rating', onsubmit: submitRating,
    },
    el('h3', { id: ratingTitle, class: 'alver-chat__rating-title', tabindex: '-1', text: t('rating_question') }),
    el('div', { class: 'alver-chat__row', role: 'group', 'aria-labelledby': ratingTitle }, ratingChoices),
    ratingErr,
    el('label', { for: ratingCommentId, text: t('rating_comment') }),
    el('p', { id: ratingHintId, class: 'alver-chat__hint', text: t('rating_comment_hint') }), ratingComment,
    el('div', { class: 'alver-chat__row' },
      el('button', { type: 'submit', class: 'alver-chat__btn', 'data-testid': 'chat-rating-send' }, t('rating_send')),
      el('button', { type: 'button', class: 'alver-chat__btn alver-chat__btn--secondary', 'data-testid': 'chat-rating-skip', onclick: skipRating }, t('rating_skip'))));
    const ratingDone = el('p', { class: 'alver-chat__confirmation', hidden: true, tabindex: '-1', 'data-testid': 'chat-rating-thanks', text: t('rating_thanks') });

    // Contact for a meeting request (issue 10): the chat masks e-mail addresses and phone
    // numbers, so after "request sent" an optional field adds one to the request itself.
    const bkC = el('input', {
      id: ids.bkC, type: 'text', autocomplete: 'email', 'data-testid': 'chat-booking-contact',
      'aria-describedby': ids.bkCHint,
    });
    const bkCErr = el('p', { id: ids.bkCErr, class: 'alver-chat__field-error', hidden: true, 'data-testid': 'chat-booking-contact-error' });
    const bkSubmit = el('button', { type: 'submit', class: 'alver-chat__btn', 'data-testid': 'chat-booking-contact-save' }, t('bookingContactSave'));
    const bookingContactForm = el('form', {
      class: 'alver-chat__offline alver-chat__booking-contact', hidden: true, novalidate: true,
      'aria-labelledby': ids.bkTitle, 'data-testid': 'chat-booking-contact-form', onsubmit: submitBookingContact,
    },
    el('h3', { id: ids.bkTitle, class: 'alver-chat__offline-title', text: t('bookingContactTitle') }),
    el('p', { text: t('bookingContactIntro') }),
    el('label', { for: ids.bkC, text: t('bookingContactLabel') }),
    el('p', { id: ids.bkCHint, class: 'alver-chat__hint', text: t('bookingContactHint') }), bkC, bkCErr,
    el('div', { class: 'alver-chat__row' }, bkSubmit,
      el('button', { type: 'button', class: 'alver-chat__btn alver-chat__btn--secondary', 'data-testid': 'chat-booking-contact-skip', onclick: skipBookingContact }, t('bookingContactSkip'))));
    const bookingContactDone = el('p', { class: 'alver-chat__confirmation', hidden: true, tabindex: '-1', 'data-testid': 'chat-booking-contact-saved' });

    const body = el('div', { class: 'alver-chat__body' }, notice, topics, log, typing, statusBox, offlineForm, offlineDone, bookingContactForm, bookingContactDone, ratingForm, ratingDone);

    // Error line: role="alert" so errors are announced at once.
    const errorBox = el('div', { class: 'alver-chat__error', role: 'alert', 'data-testid': 'chat-error' });

    // Composer.
    const input = el('textarea', {
      id: ids.input, class: 'alver-chat__input', rows: 2, autocomplete: 'off',
      'aria-describedby': ids.hint + ' ' + ids.counter, 'data-testid': 'chat-input',
    });
    const counter = el('p', { id: ids.counter, class: 'alver-chat__counter', 'data-testid': 'chat-counter' });
    const sendBtn = el('button', { type: 'submit', class: 'alver-chat__btn alver-chat__send', 'data-testid': 'chat-send' }, icon('send'), el('span', { text: t('send') }));
    const composer = el('form', { class: 'alver-chat__composer', onsubmit: onSubmit },
      el('label', { for: ids.input, class: 'alver-chat__label', text: t('inputLabel') }),
      el('div', { class: 'alver-chat__compose-row' }, input, sendBtn),
      el('p', { id: ids.hint, class: 'alver-chat__hint alver-chat__sr', text: t('inputHint') }),
      counter);

    // Tools: download / delete (with an inline confirm).
    const downloadBtn = el('button', { type: 'button', class: 'alver-chat__link-btn', 'data-testid': 'chat-download', onclick: downloadTranscript }, t('download'));
    const deleteBtn = el('button', { type: 'button', class: 'alver-chat__link-btn', 'data-testid': 'chat-delete', 'aria-expanded': 'false', 'aria-controls': ids.confirm, onclick: askDelete }, t('delete'));
    const confirmText = el('p', { class: 'alver-chat__confirm-text', tabindex: '-1', text: t('confirmDelete') });
    const confirmBox = el('div', { id: ids.confirm, class: 'alver-chat__confirm', role: 'group', 'aria-label': t('delete'), hidden: true, 'data-testid': 'chat-delete-confirm-box' },
      confirmText,
      el('div', { class: 'alver-chat__row' },
        el('button', { type: 'button', class: 'alver-chat__btn alver-chat__btn--danger', 'data-testid': 'chat-delete-confirm', onclick: deleteConversation }, t('confirmYes')),
        el('button', { type: 'button', class: 'alver-chat__btn alver-chat__btn--secondary', 'data-testid': 'chat-delete-cancel', onclick: cancelDelete }, t('confirmNo'))));
    const tools = el('div', { class: 'alver-chat__tools', hidden: true }, el('div', { class: 'alver-chat__row' }, downloadBtn, deleteBtn), confirmBox);

    const panel = el('section', {
      id: ids.panel, class: 'alver-chat__panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': ids.title,
      hidden: true, 'data-testid': 'chat-panel',
      onkeydown: (e) => { if (e.key === 'Escape') { e.preventDefault(); closePanel(); } },
    },
    el('div', { class: 'alver-chat__header' },
      LOGO_URL ? el('img', { class: 'alver-chat__logo', src: LOGO_URL, alt: '', 'data-testid': 'chat-logo' }) : null,
      el('h2', { id: ids.title, class: 'alver-chat__title', text: t('title') }), closeBtn),
    body, errorBox, composer, tools);

    // Polite live region: its text is replaced with each new incoming message only.
    const live = el('div', { class: 'alver-chat__sr', 'aria-live': 'polite', 'aria-atomic': 'true', 'data-testid': 'chat-live' });

    const root = el('div', { class: 'alver-chat', lang: LANG, 'data-testid': 'chat-root' }, launcher, panel, live);
    if (COLOURS) {
      root.style.setProperty('--ac-primary', COLOURS.primary);
      root.style.setProperty('--ac-on-primary', COLOURS.on);
      root.style.setProperty('--ac-accent', COLOURS.accent);
      root.style.setProperty('--ac-primary-hover', COLOURS.on === '#ffffff' ? darker(COLOURS.primary) : lighter(COLOURS.primary));
    }

    /* --------------------------------------------------------------- rendering */

    function senderLabel(m) {
      switch (m.sender) {
        case 'citizen': return t('you');
        case 'bot': return t('bot');
        case 'staff': return m.staff_first_name ? t('staffLabel', { name: m.staff_first_name }) : t('staffNoName');
        default: return t('system');
      }
    }

    /** Build the DOM for one message (server message or a pending local one). */
    function renderMessage(m) {
      const sender = ['citizen', 'bot', 'staff', 'system'].includes(m.sender) ? m.sender : 'system';
      const node = el('div', {
        class: 'alver-chat__msg alver-chat__msg--' + sender + (m.pending ? ' is-pending' : ''),
        'data-testid': 'chat-message', 'data-sender': sender, 'data-message-id': m.id || null,
      });
      const meta = el('p', { class: 'alver-chat__meta' },
        el('span', { class: 'alver-chat__sender', text: senderLabel(m) }),
        el('time', { datetime: m.created_at || null, text: m.pending ? t('sending') : formatTime(m.created_at) }));
      const text = el('div', { class: 'alver-chat__text', 'data-testid': 'chat-message-text' });
      appendRichText(text, m.text);
      node.append(meta, text);

      // Extra links that are not already in the text.
      const links = (m.links || []).filter((u) => !String(m.text || '').includes(u)).map((u) => makeLink(u)).filter(Boolean);
      if (links.length) {
        node.append(el('div', { class: 'alver-chat__links' }, el('span', { text: t('links') }),
          el('ul', {}, links.map((a) => el('li', {}, a)))));
      }

      if (sender === 'bot' && Array.isArray(m.buttons) && m.buttons.length && !m.used) {
        node.append(el('div', { class: 'alver-chat__quick', role: 'group', 'aria-label': t('quickReplies') },
          m.buttons.map((b) => el('button', {
            type: 'button', class: 'alver-chat__quick-btn', 'data-testid': 'chat-quick-reply', 'data-payload': b.payload || '',
            onclick: () => onQuickReply(m, b),
          }, String(b.title || b.payload || '')))));
      }

      return node;
    }

    /** A message that only carries a rating request has nothing to show. */
    const hasContent = (m) => !!(String(m.text || '').trim() || (m.buttons && m.buttons.length));

    /** Thumbs for one bot answer (a turn of one or more bubbles); rated on its last bubble. */
    function renderFeedback(turn) {
      const last = turn[turn.length - 1];
      const given = turn.map((m) => S.feedback[m.id]).filter(Boolean);
      const current = given.length ? given[given.length - 1] : undefined;
      const mk = (value, name, label, testid) => el('button', {
        type: 'button', class: 'alver-chat__fb-btn', 'aria-label': label, title: label,
        'aria-pressed': current === value ? 'true' : 'false', 'data-testid': testid, 'data-value': value,
        onclick: (e) => sendFeedback(last.id, value, e.currentTarget.parentNode),
      }, icon(name));
      return el('div', { class: 'alver-chat__feedback', role: 'group', 'aria-label': t('feedbackGroup'), 'data-testid': 'chat-feedback' },
        mk(1, 'up', t('feedbackUp'), 'chat-feedback-up'), mk(-1, 'down', t('feedbackDown'), 'chat-feedback-down'));
    }

    /** One thumbs pair per bot answer: after the last bubble of each run of bot messages. */
    function placeFeedback() {
      for (const g of log.querySelectorAll('.alver-chat__feedback')) g.remove();
      let turn = [];
      const flush = () => {
        if (!turn.length) return;
        const node = log.querySelector('[data-message-id="' + turn[turn.length - 1].id + '"]');
        if (node) node.append(renderFeedback(turn));
        turn = [];
      };
      for (const m of S.messages) {
        if (!hasContent(m)) continue;
        if (m.sender === 'bot') turn.push(m);
        else flush();
      }
      flush();
    }

    /** Insert a message node in id order (pending nodes stay last). */
    function insertNode(node, id) {
      if (id) {
        for (const child of log.children) {
          const cid = Number(child.dataset.messageId || 0);
          if (!cid || cid > id) { log.insertBefore(node, child); return; }
        }
      }
      log.append(node);
    }

    /**
     * Add server messages (deduplicated by id). Incoming messages (bot/staff/system) are
     * announced through the live region when `announce` is set.
     */
    function addMessages(list, announce) {
      const incoming = [];
      for (const m of list || []) {
        if (!m || typeof m.id !== 'number' || seen.has(m.id)) continue;
        seen.add(m.id);
        if (m.sender === 'citizen') {
          // Replace the pending bubble of the same text, if any.
          const pending = [...log.querySelectorAll('.is-pending')].find((n) => n._text === m.text);
          if (pending) pending.remove();
        }
        S.messages.push(m);
        S.lastId = Math.max(S.lastId, m.id);
        if (m.rating_request && m.sender === 'bot') askRating(String(m.id));
        if (m.booking && m.sender === 'bot') offerBookingContact(m.booking.id);
        if (m.booking_handled && m.sender === 'system') bookingHandled(m.booking_handled.id);
        if (!hasContent(m)) continue;
        insertNode(renderMessage(m), m.id);
        if (m.sender !== 'citizen') incoming.push(m);
      }
      S.messages.sort((a, b) => a.id - b.id);
      refreshQuickReplies();
      placeFeedback();
      updateTopics();
      if (incoming.length && announce) {
        announceText(incoming.map((m) => senderLabel(m) + ': ' + (m.text || '')).join('\n'));
        if (panel.hidden) setUnread(true);
      }
      if (incoming.some((m) => m.sender === 'staff' || m.sender === 'bot')) setBotTyping(false);
      scrollToEnd();
    }

    /** Quick replies are only usable until the citizen writes again. */
    function refreshQuickReplies() {
      const lastCitizen = S.messages.reduce((acc, m) => (m.sender === 'citizen' ? m.id : acc), 0);
      for (const m of S.messages) {
        if (m.sender === 'bot' && m.buttons && m.buttons.length && !m.used && m.id < lastCitizen) m.used = true;
      }
      for (const group of log.querySelectorAll('.alver-chat__quick')) {
        const id = Number(group.parentNode.dataset.messageId);
        const m = S.messages.find((x) => x.id === id);
        if (!m || m.used) group.remove();
      }
    }

    function removeAllQuickReplies() {
      for (const m of S.messages) if (m.buttons && m.buttons.length) m.used = true;
      for (const g of log.querySelectorAll('.alver-chat__quick')) g.remove();
    }

    function renderLog() {
      log.textContent = '';
      for (const m of S.messages) if (hasContent(m)) log.append(renderMessage(m));
      refreshQuickReplies();
      placeFeedback();
      updateTopics();
    }

    /** The suggested topics show until the conversation has its first message. */
    function updateTopics() {
      topics.hidden = S.messages.length > 0 || !!log.querySelector('.is-pending');
    }

    /** Replace the live region's text with the new message (cleared first so repeats are read). */
    let liveTimer = null;
    function announceText(text) {
      live.textContent = '';
      clearTimeout(liveTimer);
      liveTimer = setTimeout(() => { live.textContent = text; }, 100);
    }

    function scrollToEnd() {
      requestAnimationFrame(() => { body.scrollTop = body.scrollHeight; });
    }

    function setUnread(on) {
      unread = on;
      launcherBadge.hidden = !on;
    }

    function setBotTyping(on) {
      botTyping = on;
      updateTyping();
    }

    function staffName() {
      if (S.staff && S.staff.first_name) return S.staff.first_name;
      for (let i = S.messages.length - 1; i >= 0; i--) {
        if (S.messages[i].sender === 'staff' && S.messages[i].staff_first_name) return S.messages[i].staff_first_name;
      }
      return '';
    }

    function updateTyping() {
      const staffTyping = !!(S.staff && S.staff.typing && S.state === 'with_human');
      const on = staffTyping || botTyping;
      typing.hidden = !on;
      typing.querySelector('.alver-chat__typing-text').textContent = staffTyping
        ? t('staffTyping', { name: staffName() || t('staffNoName') }) : t('botTyping');
      if (on) scrollToEnd();
    }

    /** Update queue/person/closed status box, offline form, tools. */
    function updateStatus() {
      let text = '';
      let wait = '';
      if (S.state === 'waiting') {
        const pos = S.queue && S.queue.position;
        text = pos ? t('queue', { n: pos }) : t('queueNoPos');
        const expected = S.queue && Number(S.queue.expected_wait_seconds);
        if (expected > 0) wait = t('queueWait', { min: Math.max(1, Math.round(expected / 60)) });
      } else if (S.state === 'with_human') {
        // The one place that says a person (not the bot) answers; bubbles carry a short label.
        const name = staffName();
        text = name ? t('withStaff', { name }) : t('withStaffNoName');
      } else if (S.state === 'closed' && !lastSystemId()) {
        // Said once: the server's system message already says the conversation has ended.
        text = t('closedState');
      }
      statusBox.hidden = !text;
      statusBox.dataset.state = S.state;
      statusText.textContent = text;
      waitText.hidden = !wait;
      waitText.textContent = wait;
      cancelBtn.hidden = S.state !== 'waiting';
      offlineForm.hidden = !S.offlineOffer;
      bookingContactForm.hidden = !S.bookingContact;
      tools.hidden = !S.conversationId;
      updateTyping();
    }

    function showError(text) {
      errorBox.textContent = '';
      if (text) errorBox.append(el('span', { class: 'alver-chat__sr', text: t('errorPrefix') + ' ' }), text);
      errorBox.classList.toggle('is-visible', !!text);
    }

    function updateCounter() {
      const n = input.value.length;
      const over = n > MAX_LEN;
      counter.textContent = over ? t('tooLong', { n, max: MAX_LEN })
        : n === MAX_LEN ? t('counterFull', { max: MAX_LEN })
          : n >= COUNTER_FROM ? t('counter', { n, max: MAX_LEN }) : '';
      counter.classList.toggle('is-full', n >= MAX_LEN);
      if (over) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }

    /** Pasted text over the limit is kept in the box, and the citizen is told at once. */
    function onPaste() {
      setTimeout(() => {
        updateCounter();
        if (input.value.length > MAX_LEN) showError(t('tooLong', { n: input.value.length, max: MAX_LEN }));
      }, 0);
    }

    /* ----------------------------------------------------------- conversation */

    /** Apply an answer from POST /messages or GET /events. */
    function applyUpdate(data, announce) {
      if (!data || typeof data !== 'object') return;
      addMessages(data.messages, announce);
      if (typeof data.view_tag === 'string') S.viewTag = data.view_tag;
      if (typeof data.state === 'string') S.state = data.state;
      if ('queue' in data || S.state !== 'waiting') S.queue = S.state === 'waiting' ? data.queue || S.queue : null;
      if ('staff' in data) S.staff = data.staff || null;
      if (data.offline_offer) {
        // The flag may stay true on every poll: only show an offer that is newer than the
        // last one the citizen sent or dismissed (offers come with a system message).
        const lastSystem = lastSystemId();
        if (lastSystem > S.offlineHandledId || (!lastSystem && !S.offlineHandledId)) S.offlineOffer = true;
      }
      updateStatus();
      save();
      ensurePolling();
    }

    /** Only the new messages of an answer (its status is older than the one shown). */
    function applyMessages(data) {
      if (!data || typeof data !== 'object') return;
      addMessages(data.messages, true);
      save();
    }

    async function ensureConversation() {
      if (S.conversationId && S.token) return;
      const data = await api('POST', '/conversations', { language: LANG, page: location.pathname.slice(0, 300) });
      if (!data || !data.conversation_id || !data.token) throw new ApiError(0, 'bad_answer');
      S.conversationId = data.conversation_id;
      S.token = data.token;
      S.state = data.state || 'bot';
      S.lastId = 0;
      save();
      updateStatus();
    }

    /** Forget the current conversation locally (server side already gone or deleted). */
    function resetConversation(noticeText) {
      stopPolling();
      const open = S.open;
      S = freshState();
      S.open = open;
      seen.clear();
      try { sessionStorage.removeItem(STORE_KEY); } catch (e) { /* ignore */ }
      save();
      renderLog();
      setBotTyping(false);
      offlineDone.hidden = true;
      bookingContactDone.hidden = true;
      ratingForm.hidden = true;
      ratingDone.hidden = true;
      confirmBox.hidden = true;
      deleteBtn.setAttribute('aria-expanded', 'false');
      if (noticeText) {
        log.append(el('div', { class: 'alver-chat__msg alver-chat__msg--system alver-chat__msg--local', 'data-testid': 'chat-local-notice' },
          el('p', { class: 'alver-chat__text', text: noticeText })));
        announceText(noticeText);
      }
      updateStatus();
    }

    /** Send a citizen message (text; payload for quick replies). Returns true on success. */
    async function send(text, payload, retried) {
      text = String(text || '').trim();
      if (!text || sending) return false;
      if (text.length > MAX_LEN) { showError(t('tooLong', { n: text.length, max: MAX_LEN })); return false; }
      sending = true;
      let settle;
      sendDone = new Promise((resolve) => { settle = resolve; });
      showError('');
      removeAllQuickReplies();
      log.querySelectorAll('.alver-chat__msg--local').forEach((n) => n.remove());
      const pendingNode = renderMessage({ sender: 'citizen', text, pending: true });
      pendingNode._text = text;
      log.append(pendingNode);
      updateTopics();
      scrollToEnd();
      if (S.state === 'bot' || S.state === 'closed') setBotTyping(true);
      try {
        await ensureConversation();
        const body = payload ? { text, payload } : { text };
        const data = await api('POST', convPath('/messages'), body);
        pendingNode.remove();
        statusSeq++; // a poll sent before this answer may bring an older status
        applyUpdate(data, true);
        restartStalePoll();
        return true;
      } catch (err) {
        pendingNode.remove();
        updateTopics();
        if (isGone(err) && S.conversationId && !retried) {
          // Conversation expired or deleted elsewhere: start fresh and try once more.
          resetConversation(t('gone'));
          sending = false;
          return send(text, payload, true);
        }
        showError(errorText(err));
        return false;
      } finally {
        sending = false;
        settle();
        setBotTyping(false);
        save();
      }
    }

    /** Send once the message being sent has its answer (a click must not be lost meanwhile). */
    async function sendWhenFree(text, payload) {
      while (sending && sendDone) await sendDone;
      return send(text, payload);
    }

    async function onSubmit(e) {
      e.preventDefault();
      const text = input.value;
      if (!text.trim()) { input.focus(); return; }
      if (text.trim().length > MAX_LEN) { // never cut: the text stays in the box
        showError(t('tooLong', { n: text.trim().length, max: MAX_LEN }));
        input.focus();
        return;
      }
      input.value = '';
      updateCounter();
      const ok = await send(text);
      if (!ok && !input.value) { input.value = text; updateCounter(); }
      input.focus();
    }

    function onQuickReply(m, b) {
      m.used = true;
      input.focus(); // the buttons disappear; keep focus in a sensible place
      removeAllQuickReplies(); // one click only, even while the previous message is on its way
      // The offer may come by long-poll before the answer to the citizen's previous message.
      sendWhenFree(String(b.title || b.payload || ''), b.payload || undefined);
    }

    async function sendFeedback(id, value, group) {
      const before = S.feedback[id];
      if (before === value) return;
      S.feedback[id] = value;
      for (const b of group.querySelectorAll('button')) b.setAttribute('aria-pressed', String(Number(b.dataset.value) === value));
      save();
      try {
        await api('POST', convPath('/feedback'), { message_id: id, value });
        showError('');
        announceText(t('feedbackThanks'));
      } catch (err) {
        S.feedback[id] = before;
        for (const b of group.querySelectorAll('button')) b.setAttribute('aria-pressed', String(Number(b.dataset.value) === before));
        save();
        showError(errorText(err));
      }
    }

    /** Citizen typing signal, only while a person has the conversation (throttled). */
    function onInput() {
      updateCounter();
      if (S.state !== 'with_human' || !S.conversationId) return;
      const now = Date.now();
      if (now - lastTypingSent < TYPING_EVERY_MS) return;
      lastTypingSent = now;
      api('POST', convPath('/typing'), {}).catch(() => { /* best effort */ });
    }

    function onInputKey(e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        composer.requestSubmit ? composer.requestSubmit() : sendBtn.click();
      }
    }

    async function cancelWaiting() {
      try {
        const data = await api('POST', convPath('/cancel-waiting'), {});
        statusSeq++;
        S.state = (data && data.state) || 'bot';
        S.queue = null;
        updateStatus();
        save();
        announceText(t('cancelled'));
        input.focus();
      } catch (err) {
        if (isGone(err)) resetConversation(t('gone'));
        else showError(errorText(err));
      }
    }

    /* ------------------------------------------------------------ offline form */

    function setFieldError(field, errNode, hintId, text) {
      errNode.textContent = text || '';
      errNode.hidden = !text;
      field.setAttribute('aria-invalid', text ? 'true' : 'false');
      field.setAttribute('aria-describedby', [hintId, text ? errNode.id : ''].filter(Boolean).join(' ') || errNode.id);
    }

    async function submitOffline(e) {
      e.preventDefault();
      const question = offQ.value.trim();
      const contact = offC.value.trim();
      setFieldError(offQ, offQErr, '', question ? '' : t('errQuestion'));
      setFieldError(offC, offCErr, ids.offCHint, contact ? '' : t('errContact'));
      if (!question) { offQ.focus(); return; }
      if (!contact) { offC.focus(); return; }
      offSubmit.disabled = true;
      try {
        await ensureConversation();
        await api('POST', convPath('/offline-request'), { question, contact });
        markOfflineHandled();
        offQ.value = '';
        offC.value = '';
        offlineDone.textContent = t('offlineSent');
        offlineDone.hidden = false;
        updateStatus();
        announceText(t('offlineSent'));
        offlineDone.focus();
      } catch (err) {
        if (err.status === 422 || err.code === 'invalid_contact') {
          setFieldError(offC, offCErr, ids.offCHint, t('errContact'));
          offC.focus();
        } else {
          showError(errorText(err));
        }
      } finally {
        offSubmit.disabled = false;
      }
    }

    const lastSystemId = () => S.messages.reduce((acc, m) => (m.sender === 'system' ? m.id : acc), 0);

    function markOfflineHandled() {
      S.offlineOffer = false;
      S.offlineHandledId = Math.max(1, lastSystemId());
      save();
    }

    function dismissOffline() {
      markOfflineHandled();
      updateStatus();
      input.focus();
    }

    /* ------------------------------------------------- meeting request contact */

    /** Offer the contact field for a meeting request once (not again after save or "no"). */
    function offerBookingContact(id) {
      if (!Number.isInteger(id) || id <= 0 || S.bookingContactDone[id]) return;
      S.bookingContact = id;
      bookingContactDone.hidden = true;
      setFieldError(bkC, bkCErr, ids.bkCHint, '');
      save();
    }

    /** Staff handled the request: its contact field is no longer needed. */
    function bookingHandled(id) {
      if (!Number.isInteger(id)) return;
      S.bookingContactDone[id] = true;
      if (S.bookingContact === id) S.bookingContact = null;
      save();
    }

    function closeBookingContact(message) {
      if (S.bookingContact) S.bookingContactDone[S.bookingContact] = true;
      S.bookingContact = null;
      bkC.value = '';
      save();
      updateStatus();
      if (message) {
        bookingContactDone.textContent = message;
        bookingContactDone.hidden = false;
        announceText(message);
        bookingContactDone.focus();
      } else {
        input.focus();
      }
    }

    function skipBookingContact() {
      setFieldError(bkC, bkCErr, ids.bkCHint, '');
      closeBookingContact('');
    }

    async function submitBookingContact(e) {
      e.preventDefault();
      const contact = bkC.value.trim();
      if (!contact) {
        setFieldError(bkC, bkCErr, ids.bkCHint, t('errContact'));
        bkC.focus();
        return;
      }
      bkSubmit.disabled = true;
      try {
        await api('POST', convPath('/bookings/' + S.bookingContact + '/contact'), { contact });
        setFieldError(bkC, bkCErr, ids.bkCHint, '');
        showError('');
        closeBookingContact(t('bookingContactSaved'));
      } catch (err) {
        if (err.status === 422 || err.code === 'invalid_contact') {
          setFieldError(bkC, bkCErr, ids.bkCHint, t('errContact'));
          bkC.focus();
        } else if (err.status === 404) {
          // The request was handled (or deleted) meanwhile: nothing to add it to.
          closeBookingContact(t('bookingContactGone'));
        } else {
          showError(errorText(err));
        }
      } finally {
        bkSubmit.disabled = false;
      }
    }

    /* --------------------------------------------------------- download/delete */

    async function downloadTranscript() {
      if (!S.conversationId) { showError(t('errNoConversation')); return; }
      try {
        const res = await api('GET', convPath('/transcript'), undefined, { raw: true });
        const blob = await res.blob();
        const url = URL.createObjectURL(new Blob([blob], { type: 'text/plain;charset=utf-8' }));
        const a = el('a', { href: url, download: t('downloadName') + '-' + new Date().toISOString().slice(0, 10) + '.txt', hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 5000);
        showError('');
        announceText(t('downloaded'));
      } catch (err) {
        if (isGone(err)) resetConversation(t('gone'));
        else showError(errorText(err));
      }
    }

    function askDelete() {
      confirmBox.hidden = false;
      deleteBtn.setAttribute('aria-expanded', 'true');
      confirmText.focus();
    }

    function cancelDelete() {
      confirmBox.hidden = true;
      deleteBtn.setAttribute('aria-expanded', 'false');
      deleteBtn.focus();
    }

    async function deleteConversation() {
      try {
        if (S.conversationId) await api('DELETE', convPath());
      } catch (err) {
        if (!isGone(err)) { showError(errorText(err)); return; }
      }
      showError('');
      resetConversation(t('deleted'));
      input.focus();
    }

    /* ------------------------------------------------------------ rating form */

    let ratingClosesPanel = false; // the form was shown when the citizen closed the panel

    /** Something to rate on closing: the citizen wrote, has not rated, and is not waiting for a person. */
    const canRate = () => !!(S.conversationId && !S.rated && !personInvolved()
      && S.messages.some((m) => m.sender === 'citizen'));

    /** Show the rating form once per reason (a rating request's message id, or 'close'). */
    function askRating(reason) {
      if (reason === 'close' && !canRate()) return false;
      if (S.rated || S.ratingAsked[reason]) return false;
      S.ratingAsked[reason] = true;
      save();
      for (const b of ratingChoices) b.setAttribute('aria-pressed', 'false');
      ratingErr.hidden = true;
      ratingComment.value = '';
      ratingDone.hidden = true;
      ratingForm.hidden = false;
      scrollToEnd();
      return true;
    }

    function chooseRating(button) {
      for (const b of ratingChoices) b.setAttribute('aria-pressed', String(b === button));
      ratingErr.hidden = true;
    }

    function hideRating(thanks) {
      ratingForm.hidden = true;
      ratingDone.hidden = !thanks;
      const closing = ratingClosesPanel;
      ratingClosesPanel = false;
      if (thanks) { announceText(t('rating_thanks')); ratingDone.focus(); }
      else if (closing) closePanel(true); // skipped on the way out: close as asked
      else input.focus();
    }

    function skipRating() {
      hideRating(false);
    }

    async function submitRating(e) {
      e.preventDefault();
      const chosen = ratingChoices.find((b) => b.getAttribute('aria-pressed') === 'true');
      if (!chosen) {
        ratingErr.textContent = t('rating_choose');
        ratingErr.hidden = false;
        ratingChoices[0].focus();
        return;
      }
      const body = { value: chosen.dataset.value };
      const comment = ratingComment.value.trim();
      if (comment) body.comment = comment.slice(0, MAX_LEN);
      try {
        await api('POST', convPath('/rating'), body);
      } catch (err) {
        // A server without the rating route (404) must not break the chat: thank and go on.
        if (!(err instanceof ApiError && err.status === 404)) { showError(errorText(err)); return; }
      }
      S.rated = true;
      save();
      showError('');
      hideRating(true);
    }

    /* ------------------------------------------------------------- presence */

    /**
     * The citizen leaves the page: tell the server with a beacon (no body, so no CORS
     * preflight; the token as a query parameter since a beacon cannot send headers). A
     * pagehide is also navigation within the site, where the conversation goes on: the
     * server counts the citizen as gone only if no long-poll follows (docs/chat-api.md).
     */
    function onPageHide() {
      if (!S.conversationId || !S.token || !navigator.sendBeacon) return;
      try {
        // The token goes in a text/plain body (no CORS preflight, not in access logs).
        navigator.sendBeacon(API + convPath('/leave'), JSON.stringify({ token: S.token }));
      } catch (e) { /* best effort */ }
    }

    /* ------------------------------------------------------- phone: modal dialog */

    const phone = window.matchMedia ? window.matchMedia(PHONE_QUERY) : { matches: false, addEventListener() {} };
    let inerted = [];

    /** On a phone the open panel covers the page: modal, focus kept inside, page inert. */
    function updateModal() {
      const modal = !panel.hidden && phone.matches;
      panel.setAttribute('aria-modal', modal ? 'true' : 'false');
      if (modal && !inerted.length) {
        inerted = [...document.body.children].filter((n) => n !== root && !n.inert && n.tagName !== 'SCRIPT');
        for (const n of inerted) n.inert = true; // inert also hides it from assistive technology
        document.documentElement.classList.add('alver-chat-modal-open');
      } else if (!modal && inerted.length) {
        for (const n of inerted) n.inert = false;
        inerted = [];
        document.documentElement.classList.remove('alver-chat-modal-open');
      }
    }

    /** Keep Tab inside the panel while it is modal (inert does most; this covers the ends). */
    function trapFocus(e) {
      if (e.key !== 'Tab' || panel.getAttribute('aria-modal') !== 'true') return;
      const focusable = [...panel.querySelectorAll('button, [href], input, textarea, select, [tabindex]:not([tabindex="-1"])')]
        .filter((n) => !n.disabled && n.offsetParent !== null);
      if (!focusable.length) return;
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (e.shiftKey && (document.activeElement === first || !panel.contains(document.activeElement))) {
        e.preventDefault(); last.focus();
      } else if (!e.shiftKey && (document.activeElement === last || !panel.contains(document.activeElement))) {
        e.preventDefault(); first.focus();
      }
    }

    /* ---------------------------------------------------------------- polling */

    let pollRunning = false;
    let pollAbort = null;
    let pollSeen = null;        // the `seen` tag the long-poll in flight was sent with

    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const personInvolved = () => S.state === 'waiting' || S.state === 'with_human';
    const shouldPoll = () => !!(S.conversationId && S.token) && (S.open || personInvolved());

    function ensurePolling() {
      if (!pollRunning && shouldPoll()) pollLoop();
    }

    function stopPolling() {
      if (pollAbort) pollAbort.abort();
    }

    /**
     * The status just came from the answer to a message: if the long-poll in flight compares
     * against another status, ask again, so that the server compares against the one shown.
     */
    function restartStalePoll() {
      if (pollAbort && pollSeen !== S.viewTag) pollAbort.abort();
    }

    /**
     * Long-poll /events while the panel is open or a person is involved; back off on errors.
     *
     * Two answers can cross: a poll read before the bot's turn ended may arrive after the answer
     * to the citizen's message. Such a poll's messages are kept, but not its status; the next
     * poll sends the tag of the status shown (`seen`), and the server answers at once if that is
     * not the current one.
     */
    async function pollLoop() {
      pollRunning = true;
      let wait = 0;       // first call returns at once (catch up after reload/navigation)
      let failures = 0;
      while (shouldPoll()) {
        const conv = S.conversationId;
        const ctrl = new AbortController();
        pollAbort = ctrl;
        let timedOut = false;
        const timer = setTimeout(() => { timedOut = true; ctrl.abort(); }, (wait + 15) * 1000);
        const seq = statusSeq;
        pollSeen = S.viewTag;
        const seenTag = pollSeen ? '&seen=' + encodeURIComponent(pollSeen) : '';
        try {
          const data = await api('GET', convPath('/events?after=' + S.lastId + '&wait=' + wait + seenTag), undefined, { signal: ctrl.signal });
          if (conv !== S.conversationId) continue;
          if (failures) showError('');
          failures = 0;
          wait = POLL_WAIT_S;
          if (seq === statusSeq) applyUpdate(data, true);
          else applyMessages(data); // read before the status shown now: its status may be older
        } catch (err) {
          if (err.name === 'AbortError' && !timedOut) continue; // stopped on purpose
          if (isGone(err)) {
            if (conv === S.conversationId) resetConversation(t('gone'));
            break;
          }
          failures++;
          if (err.status === 429) {
            await sleep(Math.max(1, Number(err.data.retry_after) || 10) * 1000);
          } else {
            if (failures >= 2) showError(t('errConnection'));
            await sleep(Math.min(60, 2 ** failures) * 1000); // 2, 4, 8 … 60 s
          }
        } finally {
          clearTimeout(timer);
        }
      }
      pollRunning = false;
      pollAbort = null;
    }

    /* ------------------------------------------------------------ open / close */

    function openPanel(focus) {
      panel.hidden = false;
      launcher.hidden = true;
      launcher.setAttribute('aria-expanded', 'true');
      S.open = true;
      setUnread(false);
      save();
      updateModal();
      scrollToEnd();
      if (focus) input.focus();
      ensurePolling();
    }

    /** Close the panel; the first time (after a conversation) ask for a rating first. */
    function closePanel(force) {
      if (!force && !panel.hidden && askRating('close')) {
        ratingClosesPanel = true;
        ratingForm.querySelector('h3').focus();
        return;
      }
      if (!force && !ratingForm.hidden && ratingClosesPanel) { ratingClosesPanel = false; ratingForm.hidden = true; }
      panel.hidden = true;
      launcher.hidden = false;
      launcher.setAttribute('aria-expanded', 'false');
      confirmBox.hidden = true;
      deleteBtn.setAttribute('aria-expanded', 'false');
      S.open = false;
      save();
      updateModal();
      launcher.focus();
      if (!shouldPoll()) stopPolling();
    }

    /* ------------------------------------------------------------------- start */

    input.addEventListener('input', onInput);
    input.addEventListener('paste', onPaste);
    panel.addEventListener('keydown', trapFocus);
    window.addEventListener('pagehide', onPageHide);
    if (phone.addEventListener) phone.addEventListener('change', updateModal);
    input.addEventListener('keydown', onInputKey);
    offC.addEventListener('input', () => { if (!offCErr.hidden) setFieldError(offC, offCErr, ids.offCHint, ''); });
    bkC.addEventListener('input', () => { if (!bkCErr.hidden) setFieldError(bkC, bkCErr, ids.bkCHint, ''); });

    function mount() {
      document.body.append(root);
      renderLog();
      updateStatus();
      updateCounter();
      if (S.open) openPanel(false); // restore after navigation, without stealing focus
      else ensurePolling();         // a person may be involved while the panel is closed
    }

    whenBody(mount);

    ready = { open: () => openPanel(true), close: () => closePanel(true), reset: () => resetConversation('') };
  }
})();
