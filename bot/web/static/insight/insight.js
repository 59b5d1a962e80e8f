// The insight page (issue 9): the unanswered inbox and the report. Text only (no innerHTML).
"use strict";
(function () {
  const API = "/console/insight/api";
    const LANG = ["nb", "en"].includes(document.documentElement.lang) ? document.documentElement.lang : "nn";
  // The one text that cannot come from the server: shown when the texts cannot be fetched.
  const UNAVAILABLE = "Sida er ikkje tilgjengeleg / Siden er ikke tilgjengelig";
  let TEXTS = {};
  let csrf = "";
  let faq = [];

  const $ = (id) => document.getElementById(id);
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value; else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }
  function status(text) { $("status").textContent = text; }

  /** Look up a label and fill {placeholders}. */
  function t(key, vars) {
    let s = typeof TEXTS[key] === "string" ? TEXTS[key] : key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split("{" + k + "}").join(String(v));
    return s;
  }

  /** The labels of index.html: data-t (text) and data-t-aria (aria-label) name a key. */
  function applyPageLabels() {
    document.title = t("pageTitle");
    for (const node of document.querySelectorAll("[data-t]")) {
      const own = [...node.childNodes].find((c) => c.nodeType === Node.TEXT_NODE && c.data.trim());
      if (own) own.data = own.data.replace(own.data.trim(), t(node.dataset.t));
      else node.textContent = t(node.dataset.t);
    }
    for (const node of document.querySelectorAll("[data-t-aria]")) node.setAttribute("aria-label", t(node.dataset.tAria));
    for (const node of document.querySelectorAll("[data-t-html]")) {
      // A sentence with one link: {link} marks where the link (its own data-t) goes.
      const [before, after] = t(node.dataset.tHtml).split("{link}");
      const link = node.querySelector("a");
      node.replaceChildren(before || "", link, after || "");
    }
  }

  /** The name of a reason a message landed in the inbox. */
  function reasonName(key) {
    const names = {fallback: t("reasonFallback"), low_confidence: t("reasonLowConfidence"), thumbs_down: t("reasonThumbsDown"), handoff: t("reasonHandoff")};
    return names[key] || key;
  }

  async function loadTexts() {
    const response = await fetch("/texts/insight.json?lang=" + LANG, {credentials: "same-origin"});
    if (!response.ok) throw new Error("texts: HTTP " + response.status);
    const data = await response.json();
    if (!data || typeof data.texts !== "object") throw new Error("texts: bad answer");
    return data.texts;
  }

  async function call(path, options) {
    const response = await fetch(path, Object.assign({credentials: "same-origin"}, options || {}));
    if (response.status === 401) { $("signed-out").hidden = false; throw new Error("signed out"); }
    if (response.status === 403) { $("forbidden").hidden = false; throw new Error("forbidden"); }
    const body = response.status === 204 ? {} : await response.json();
    if (!response.ok) throw new Error(body.message || t("httpError", {status: response.status}));
    return body;
  }

  function showTab(name) {
    for (const tab of ["inbox", "report"]) $(tab).hidden = tab !== name;
    for (const link of document.querySelectorAll("[data-tab]")) {
      if (link.dataset.tab === name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    if (name === "report") loadReport(); else loadInbox();
  }

  // ----- inbox ---------------------------------------------------------------
  function groupItem(group, index) {
    const reasons = Object.entries(group.reasons).map(([k, n]) => `${reasonName(k)}: ${n}`).join(", ");
    const id = "g" + group.group_id;
    const item = el("li", {class: "group", "data-testid": "insight-group"},
      el("h3", {text: group.count === 1 ? t("groupOne", {n: group.count, reasons}) : t("groupMany", {n: group.count, reasons})}));
    for (const example of group.examples) item.append(el("blockquote", {text: example}));
    const action = el("select", {id: id + "-action"},
      el("option", {value: "phrasing", text: t("actionPhrasing")}),
      el("option", {value: "entry", text: t("actionEntry")}),
      el("option", {value: "not_for_bot", text: t("actionNotForBot")}));
    const entry = el("select", {id: id + "-entry"});
    for (const e of faq) entry.append(el("option", {value: e.id, text: `${e.id}: ${e.question}`}));
    const phrasing = el("input", {type: "text", id: id + "-phrasing", value: group.examples[0] || ""});
    const newId = el("input", {type: "text", id: id + "-newid", placeholder: t("newIdExample")});
    const answer = el("textarea", {id: id + "-answer", rows: "3"});
    const button = el("button", {type: "submit", class: "btn", text: t("save")});
    const field = (label, input) => el("div", {class: "field"}, el("label", {for: input.id, text: label}), input);
    const entryField = field(t("entryLabel"), entry);
    const phrasingField = field(t("phrasingLabel"), phrasing);
    const newIdField = field(t("newIdLabel"), newId);
    const answerField = field(t("newAnswerLabel"), answer);
    const toggle = () => {
      entryField.hidden = action.value !== "phrasing";
      phrasingField.hidden = action.value === "not_for_bot";
      newIdField.hidden = answerField.hidden = action.value !== "entry";
    };
    action.addEventListener("change", toggle);
    const form = el("form", {},
      el("fieldset", {},
        el("legend", {text: t("groupQuestion")}),
        el("label", {for: id + "-action", text: t("actionLabel")}), action,
        entryField, phrasingField, newIdField, answerField),
      button);
    toggle();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = {message_ids: group.message_ids, action: action.value};
      if (action.value === "phrasing") { body.entry_id = entry.value; body.phrasing = phrasing.value; }
      if (action.value === "entry") {
        body.entry = {id: newId.value, questions: [phrasing.value], answer: {nn: answer.value}, sample: true};
      }
      try {
        const result = await call(API + "/inbox/resolve", {
          method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
          body: JSON.stringify(body)});
        status(t("resolved", {n: result.marked}));
        loadInbox();
      } catch (error) { status(t("saveFailed", {reason: error.message})); }
    });
    item.append(form);
    return item;
  }

  async function loadInbox() {
    try {
      faq = (await call(API + "/faq")).entries;
      const groups = (await call(API + "/inbox")).groups;
      $("groups").replaceChildren(...groups.map(groupItem));
      if (!groups.length) $("groups").append(el("li", {text: t("inboxEmpty")}));
    } catch (error) { status(error.message); }
  }

  // ----- report --------------------------------------------------------------
  function show(value, name) {
    if (value === null || value === undefined) return "–";
    if (typeof value === "number" && typeof name === "string" && name.startsWith("del ")) return (value * 100).toFixed(1).replace(".", ",") + " %";
    return String(value);
  }

  function table(rows, caption) {
    const node = el("table", {}, el("caption", {text: caption}));
    if (!rows.length) return node;
    node.append(el("thead", {}, el("tr", {}, ...Object.keys(rows[0]).map((k) => el("th", {scope: "col", text: k})))));
    const body = el("tbody");
    for (const row of rows) {
      body.append(el("tr", {}, ...Object.values(row).map((v) => el("td", {text: show(v, row.namn)}))));
    }
    node.append(body);
    return node;
  }

  async function loadReport() {
    const query = `?from=${encodeURIComponent($("from").value)}&to=${encodeURIComponent($("to").value)}`;
    $("download-html").href = API + "/report.html" + query;
    try {
      const data = await call(API + "/report" + query);
      const tables = data.tables;
      const saving = tables.innsparing[tables.innsparing.length - 1].verdi;
      const savingBox = el("section", {class: "saving", "data-testid": "insight-saving"},
        el("h3", {text: t("savingTitle")}), el("p", {class: "big", text: t("savingAmount", {amount: saving})}),
        table(tables.innsparing, t("calculation")), el("h4", {text: t("assumptions")}),
        el("ul", {}, ...data.assumptions.map((a) => el("li", {text: a}))));
      const charts = ["per_dag", "per_vekedag", "per_time", "tema"].map((name) =>
        el("img", {src: `${API}/report/${name}.png${query}`, alt: t("chartAlt", {name: name.replace("_", " ")})}));
      const csv = el("p", {}, "CSV: ", ...Object.keys(tables).map((name) =>
        el("a", {href: `${API}/report/${name}.csv${query}`, text: name + " "})));
      $("report-body").replaceChildren(savingBox, table(tables.samandrag, t("tableSummary")), ...charts,
        table(tables.tema, t("tableTopics")), table(tables.per_vekedag, t("tablePerWeekday")),
        table(tables.per_time, t("tablePerHour")), table(tables.per_dag, t("tablePerDay")), csv);
      status(t("reportFor", {from: data.from, to: data.to}));
    } catch (error) { status(error.message); }
  }

  async function start() {
    try { TEXTS = await loadTexts(); } catch (error) {
      const note = el("p", {role: "alert", "data-testid": "insight-unavailable", text: UNAVAILABLE});
      document.body.replaceChildren(note);
      return;
    }
    applyPageLabels();
    const today = new Date();
    const back = new Date(today.getTime() - 29 * 86400000);
    $("to").value = today.toISOString().slice(0, 10);
    $("from").value = back.toISOString().slice(0, 10);
    const params = new URLSearchParams(location.search);
    if (params.get("from")) $("from").value = params.get("from");
    if (params.get("to")) $("to").value = params.get("to");
    try { csrf = (await call("/console/api/me")).csrf_token; } catch (error) { return; }
    $("period").addEventListener("submit", (event) => { event.preventDefault(); loadReport(); });
    for (const link of document.querySelectorAll("[data-tab]")) {
      link.addEventListener("click", (event) => { event.preventDefault(); history.replaceState(null, "", link.getAttribute("href")); showTab(link.dataset.tab); });
    }
    showTab(location.hash === "#report" ? "report" : "inbox");
  }
  document.addEventListener("DOMContentLoaded", start);
})();
