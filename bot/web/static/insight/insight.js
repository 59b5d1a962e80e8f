// The insight page (issue 9): the unanswered inbox and the report. Text only (no innerHTML).
"use strict";
(function () {
  const API = "/console/insight/api";
  const REASONS = {fallback: "ikkje forstått", low_confidence: "usikker", thumbs_down: "tommel ned", handoff: "bad om ein person"};
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

  async function call(path, options) {
    const response = await fetch(path, Object.assign({credentials: "same-origin"}, options || {}));
    if (response.status === 401) { $("signed-out").hidden = false; throw new Error("signed out"); }
    if (response.status === 403) { $("forbidden").hidden = false; throw new Error("forbidden"); }
    const body = response.status === 204 ? {} : await response.json();
    if (!response.ok) throw new Error(body.message || ("Feil " + response.status));
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
    const reasons = Object.entries(group.reasons).map(([k, n]) => `${REASONS[k] || k}: ${n}`).join(", ");
    const id = "g" + group.group_id;
    const item = el("li", {class: "group", "data-testid": "insight-group"},
      el("h3", {text: `${group.count} ${group.count === 1 ? "melding" : "meldingar"} (${reasons})`}));
    for (const example of group.examples) item.append(el("blockquote", {text: example}));
    const action = el("select", {id: id + "-action"},
      el("option", {value: "phrasing", text: "Ny formulering av eit FAQ-spørsmål"}),
      el("option", {value: "entry", text: "Ny FAQ-oppføring"}),
      el("option", {value: "not_for_bot", text: "Ikkje for boten"}));
    const entry = el("select", {id: id + "-entry"});
    for (const e of faq) entry.append(el("option", {value: e.id, text: `${e.id}: ${e.question}`}));
    const phrasing = el("input", {type: "text", id: id + "-phrasing", value: group.examples[0] || ""});
    const newId = el("input", {type: "text", id: id + "-newid", placeholder: "t.d. parkering-hamna"});
    const answer = el("textarea", {id: id + "-answer", rows: "3"});
    const button = el("button", {type: "submit", class: "btn", text: "Lagre"});
    const field = (label, input) => el("div", {class: "field"}, el("label", {for: input.id, text: label}), input);
    const entryField = field("FAQ-oppføring", entry);
    const phrasingField = field("Formulering (spørsmålet)", phrasing);
    const newIdField = field("Id for ny oppføring", newId);
    const answerField = field("Svar (nynorsk) for ny oppføring", answer);
    const toggle = () => {
      entryField.hidden = action.value !== "phrasing";
      phrasingField.hidden = action.value === "not_for_bot";
      newIdField.hidden = answerField.hidden = action.value !== "entry";
    };
    action.addEventListener("change", toggle);
    const form = el("form", {},
      el("fieldset", {},
        el("legend", {text: "Kva skal gjerast med gruppa?"}),
        el("label", {for: id + "-action", text: "Handling"}), action,
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
        status(`Lagra: ${result.marked} meldingar er handsama.`);
        loadInbox();
      } catch (error) { status("Kunne ikkje lagre: " + error.message); }
    });
    item.append(form);
    return item;
  }

  async function loadInbox() {
    try {
      faq = (await call(API + "/faq")).entries;
      const groups = (await call(API + "/inbox")).groups;
      $("groups").replaceChildren(...groups.map(groupItem));
      if (!groups.length) $("groups").append(el("li", {text: "Ingen ubesvarte meldingar."}));
    } catch (error) { status(error.message); }
  }

  // ----- report --------------------------------------------------------------
  function show(value, name) {
    if (value === null || value === undefined) return "–";
    if (typeof value === "number" && typeof name === "string" && name.startsWith("del ")) return (value * 100).toFixed(1).replace(".", ",") + " %";
    return String(value);
  }

  function table(rows, caption) {
    const t = el("table", {}, el("caption", {text: caption}));
    if (!rows.length) return t;
    t.append(el("thead", {}, el("tr", {}, ...Object.keys(rows[0]).map((k) => el("th", {scope: "col", text: k})))));
    const body = el("tbody");
    for (const row of rows) {
      body.append(el("tr", {}, ...Object.values(row).map((v) => el("td", {text: show(v, row.namn)}))));
    }
    t.append(body);
    return t;
  }

  async function loadReport() {
    const query = `?from=${encodeURIComponent($("from").value)}&to=${encodeURIComponent($("to").value)}`;
    $("download-html").href = API + "/report.html" + query;
    try {
      const data = await call(API + "/report" + query);
      const t = data.tables;
      const saving = t.innsparing[t.innsparing.length - 1].verdi;
      const savingBox = el("section", {class: "saving", "data-testid": "insight-saving"},
        el("h3", {text: "Estimert innsparing"}), el("p", {class: "big", text: `${saving} kr`}),
        table(t.innsparing, "Utrekning"), el("h4", {text: "Føresetnader"}),
        el("ul", {}, ...data.assumptions.map((a) => el("li", {text: a}))));
      const charts = ["per_dag", "per_vekedag", "per_time", "tema"].map((name) =>
        el("img", {src: `${API}/report/${name}.png${query}`, alt: `Diagram: ${name.replace("_", " ")}`}));
      const csv = el("p", {}, "CSV: ", ...Object.keys(t).map((name) =>
        el("a", {href: `${API}/report/${name}.csv${query}`, text: name + " "})));
      $("report-body").replaceChildren(savingBox, table(t.samandrag, "Samandrag"), ...charts,
        table(t.tema, "Tema, tommel og vurdering"), table(t.per_vekedag, "Per vekedag"),
        table(t.per_time, "Per time"), table(t.per_dag, "Per dag"), csv);
      status(`Rapport for ${data.from} – ${data.to}.`);
    } catch (error) { status(error.message); }
  }

  async function start() {
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
