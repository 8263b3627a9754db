/* The live minutes editor (记录纪要).
 *
 * Every field saves on its own about a second after the last keystroke. Until the server has it, the
 * edit sits in localStorage (keyed by meeting and field), so a dropped network, a server error, an
 * expired login or a closed tab loses nothing: edits are retried in the order they were made, with
 * backoff, and offered back after a reload. Each save carries the value the field started from; the
 * server refuses a stale save (409) and the page then shows both versions side by side.
 *
 * New blocks (agenda items, reports, decisions, action items, guests) join the same queue. Each gets a
 * key made here before the first attempt; a retry sends the same key, and the server answers with the
 * block that key already created, so a lost answer never makes a second copy. Until the server has it,
 * the new block shows on the page as pending (待保存), also after a reload.
 */
(function () {
  "use strict";

  const root = document.getElementById("editor");
  if (!root) return;

  const meetingId = root.dataset.meeting;
  const STORE = "minutes:" + meetingId + ":pending";
  const DRAFTS = "minutes:" + meetingId + ":drafts";
  const CLOCK = "minutes:" + meetingId + ":clock";
  const SAVE_DELAY = 800;
  const MAX_BACKOFF = 30000;
  const FAILING_AFTER = 3; // failed attempts in a row before the badge says saving is failing
  const text = document.getElementById("editor-strings").dataset;
  let csrf = root.dataset.csrf;

  // ---------------------------------------------------------------- storage

  function readJSON(key, fallback) {
    try {
      return JSON.parse(localStorage.getItem(key)) || fallback;
    } catch (e) {
      return fallback;
    }
  }

  function writeJSON(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* storage full or disabled: the edit still waits in memory */
    }
  }

  // key -> {key, value, base, force, seq, blocked}; new blocks: {key: "add:<id>", kind: "add", add, id, …}
  let pending = readJSON(STORE, {});
  let seq = Object.values(pending).reduce((m, e) => Math.max(m, e.seq || 0), 0);
  const persist = () => writeJSON(STORE, pending);

  // ---------------------------------------------------------------- status

  const statusEl = document.getElementById("save-status");
  const STATUS_CLASS = { saved: "text-bg-success", saving: "text-bg-secondary", offline: "text-bg-warning",
    failing: "text-bg-danger", error: "text-bg-danger", login: "text-bg-danger" };

  function setStatus(state) {
    statusEl.textContent = statusEl.dataset[state];
    statusEl.dataset.state = state;
    statusEl.className = "badge save-status " + STATUS_CLASS[state];
  }

  function refreshStatus() {
    const waiting = Object.values(pending);
    if (authBlocked) return setStatus("login");
    // Not "保存中…" for ever: after a few failed attempts say so, and that the text is kept here.
    if (failures >= FAILING_AFTER && waiting.some((e) => !e.blocked)) return setStatus("failing");
    if (offline && waiting.length) return setStatus("offline");
    if (waiting.some((e) => e.blocked)) return setStatus("error");
    if (waiting.length || inflight) return setStatus("saving");
    setStatus("saved");
  }

  // ---------------------------------------------------------------- fields

  const fieldFor = (key) => root.querySelector('[data-save="' + key + '"]');
  const msgFor = (scope, name) => scope.querySelector('[data-msg-for="' + name + '"]');

  function showMessage(key, message, kind) {
    const el = msgFor(root, key);
    if (!el) return;
    el.textContent = message || "";
    el.className = "ed-msg " + (kind === "warning" ? "text-warning-emphasis" : kind === "info" ? "text-secondary" : "text-danger");
  }

  function parseKey(key) {
    const [entity, pk, field] = key.split(":");
    return { entity, pk, field };
  }

  // The value a field sends: people pickers send an id, speaker pickers "u:<id>" or "t:<name>";
  // null when the typed text names nobody, or several people (pickProblem says which).
  function fieldValue(el) {
    if (el.dataset.kind === "status") return el.dataset.value || el.dataset.base;
    if (el.dataset.picker === "person") {
      const label = el.value.trim();
      if (!label) return "";
      return optionId("dl-people", label);
    }
    if (el.dataset.picker === "speaker") {
      const label = el.value.trim();
      const found = pickOptions("dl-people", label);
      if (found.length > 1) return null;
      return found.length ? "u:" + found[0].dataset.id : "t:" + label;
    }
    return el.value;
  }

  // The entries a picker's text names: the list's full label ("王芳(市场专员)") or a bare name ("王芳"),
  // since people type the name and press Enter. More than one when people share the name.
  function pickOptions(listId, typed) {
    const list = document.getElementById(listId); // loaded by htmx just after the page
    if (!list || !typed) return [];
    return [...list.options].filter((option) => option.value === typed || option.dataset.name === typed);
  }

  function optionId(listId, label) {
    const found = pickOptions(listId, label);
    return found.length === 1 ? found[0].dataset.id : null;
  }

  // Why a picker's text cannot be saved ("" when it can); the text stays in the input either way.
  function pickProblem(el) {
    const typed = el.value.trim();
    const owner = el.dataset.picker === "owner";
    const found = pickOptions(owner ? "dl-owners" : "dl-people", typed);
    if (!typed || found.length === 1) return "";
    if (found.length > 1) return text.pickOne.replace("{name}", () => typed);
    if (el.dataset.picker === "speaker") return ""; // someone from outside: saved as a name
    return owner ? text.pickOwner : text.pickPerson;
  }

  function queueEdit(key, value, opts) {
    const el = fieldFor(key);
    const existing = pending[key];
    pending[key] = {
      key,
      value,
      base: existing ? existing.base : el ? el.dataset.base : "",
      force: Boolean((opts && opts.force) || (existing && existing.force && !existing.blocked)),
      seq: existing && !existing.blocked ? existing.seq : ++seq,
      kind: (opts && opts.kind) || "field",
    };
    persist();
    refreshStatus();
    scheduleFlush(opts && opts.now ? 0 : SAVE_DELAY);
  }

  root.addEventListener("input", (event) => {
    const el = event.target;
    if (el.matches("textarea")) autosize(el);
    if (el.closest("form.add-form")) return saveDraft(el);
    if (!el.dataset.save || el.dataset.picker) return;
    const key = el.dataset.save;
    // Keep the keystrokes in the browser at once; send them when the typing pauses.
    const entry = pending[key];
    if (entry && entry.blocked === "conflict") return; // the user resolves the conflict first
    queueEdit(key, el.value);
    if (entry && entry.blocked) showMessage(key, "");
  });

  root.addEventListener("change", (event) => {
    const el = event.target;
    if (el.closest("form.add-form")) {
      if (el.dataset.picker) checkPicker(el);
      return saveDraft(el);
    }
    if (!el.dataset.save) return;
    if (el.matches("select, input[type=date], input[type=datetime-local], input[type=number]") || el.dataset.picker) {
      const value = fieldValue(el);
      if (value === null) {
        showMessage(el.dataset.save, pickProblem(el));
        return;
      }
      showMessage(el.dataset.save, "");
      queueEdit(el.dataset.save, value, { now: true });
    }
  });

  function checkPicker(el) {
    if (el.dataset.picker !== "person" && el.dataset.picker !== "speaker") return;
    const msg = msgFor(el.closest("form"), el.name);
    if (msg) msg.textContent = pickProblem(el);
  }

  // One-click attendance: the last click wins, so it is sent as forced.
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-status]");
    if (!button) return;
    const group = button.closest("[data-kind=status]");
    group.dataset.value = button.dataset.status;
    for (const b of group.querySelectorAll("button")) {
      const on = b === button;
      b.classList.toggle("active", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    }
    updateCountsFromPage();
    queueEdit(group.dataset.save, button.dataset.status, { force: true, now: true });
  });

  function updateCountsFromPage() {
    const rows = [...root.querySelectorAll(".attendance-row[data-expected='1']")];
    const present = rows.filter((r) => {
      const active = r.querySelector("[data-status].active");
      return active && ["present", "late"].includes(active.dataset.status);
    }).length;
    setCounts(rows.length, present);
  }

  function setCounts(expected, present) {
    const el = document.getElementById("attendance-counts");
    el.textContent = el.dataset.template.replace("{expected}", expected).replace("{present}", present);
  }

  // ---------------------------------------------------------------- the save queue

  let inflight = false;
  let offline = false;
  let authBlocked = false;
  let backoff = 0;
  let failures = 0; // attempts in a row that met no answer, or a server error
  let flushTimer = null;

  function scheduleFlush(delay) {
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, delay);
  }

  function nextEntry() {
    return Object.values(pending)
      .filter((e) => !e.blocked && !e.awaitingRestore)
      .sort((a, b) => a.seq - b.seq)[0];
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
      body: JSON.stringify(body),
    });
  }

  async function refreshToken() {
    const response = await fetch(root.dataset.tokenUrl, { credentials: "same-origin" });
    if (response.status === 401) throw Object.assign(new Error("login"), { login: true });
    csrf = (await response.json()).csrf;
    root.dataset.csrf = csrf;
    document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": csrf }));
  }

  function retryLater(state, message) {
    backoff = Math.min(MAX_BACKOFF, backoff ? backoff * 2 : 1000);
    failures += 1;
    statusEl.title = message || "";
    if (state === "offline") offline = true;
    refreshStatus();
    scheduleFlush(backoff);
  }

  async function send(entry) {
    if (entry.kind === "add") {
      return post(root.dataset.addUrl.replace("KIND", entry.add), { ...JSON.parse(entry.value), key: entry.id });
    }
    if (entry.kind === "owners") {
      return post(root.dataset.ownersUrl.replace(/\/0\/owners\/$/, "/" + entry.key.split(":")[1] + "/owners/"),
        { owners: JSON.parse(entry.value) });
    }
    if (entry.kind === "reorder") return post(root.dataset.reorderUrl, { order: JSON.parse(entry.value) });
    const { entity, pk, field } = parseKey(entry.key);
    return post(root.dataset.saveUrl, { entity, pk, field, base: entry.base, value: entry.value, force: entry.force });
  }

  async function flush() {
    if (inflight) return;
    const entry = nextEntry();
    if (!entry) return refreshStatus();
    inflight = true;
    refreshStatus();
    const sent = entry.value;
    let response;
    try {
      response = await send(entry);
    } catch (e) {
      inflight = false;
      return retryLater("offline");
    }
    inflight = false;
    offline = false;
    if (response.status === 401) {
      return blockOnLogin();
    }
    if (response.status === 403) {
      try {
        await refreshToken();
      } catch (e) {
        if (e.login) return blockOnLogin();
        return retryLater("offline");
      }
      return retryLater("error");
    }
    let data = {};
    try {
      data = await response.json();
    } catch (e) {
      /* an empty or HTML body: handled by status below */
    }
    // 503 while the database is unreachable carries a message (config.views.server_error).
    if (response.status >= 500 || response.status === 429) return retryLater("error", data.error);
    backoff = 0;
    failures = 0;
    statusEl.title = "";
    const current = pending[entry.key];
    if (entry.kind === "add") {
      afterAdd(entry, response, data);
    } else if (response.ok) {
      afterSave(entry, data);
      if (current && current.value === sent) {
        delete pending[entry.key];
      } else if (current) {
        current.base = data.value !== undefined ? data.value : current.base; // typed on while it saved
        current.force = false;
      }
    } else if (response.status === 409) {
      current.blocked = "conflict";
      showConflict(entry.key, data.current, current.value);
    } else {
      // 400 (bad input) or 410 (row deleted): the text stays in the field and in the browser.
      current.blocked = response.status === 410 ? "gone" : "invalid";
      showMessage(entry.key.startsWith("owners:") ? "owners-" + entry.key.split(":")[1] : entry.key, data.error || text.badRequest);
    }
    persist();
    refreshStatus();
    if (nextEntry()) scheduleFlush(0);
  }

  function afterSave(entry, data) {
    if (entry.kind !== "field") {
      if (entry.kind === "owners") showMessage("owners-" + entry.key.split(":")[1], "");
      return;
    }
    const el = fieldFor(entry.key);
    if (!el) return;
    el.dataset.base = data.value;
    showMessage(entry.key, data.warning || "", data.warning ? "warning" : "info");
    const preview = root.querySelector('[data-preview-for="' + entry.key + '"]');
    if (preview && data.html !== undefined) preview.innerHTML = data.html; // sanitised on the server
    if (data.deadline) {
      const pk = parseKey(entry.key).pk;
      const hint = root.querySelector('[data-deadline-for="' + pk + '"]');
      hint.textContent = data.deadline.message;
      hint.className = "small deadline-hint " + (data.deadline.confirm ? "text-danger" : "text-secondary");
      const date = fieldFor("action:" + pk + ":due_date");
      if (date && !pending["action:" + pk + ":due_date"]) {
        date.value = data.due_date;
        date.dataset.base = data.due_date;
      }
    }
    // The page is ahead of any one answer: a status clicked while this request was in flight is
    // already on the page but not yet in the server's count, so count the page again.
    if (data.counts) updateCountsFromPage();
  }

  function blockOnLogin() {
    authBlocked = true;
    document.getElementById("login-banner").hidden = false;
    refreshStatus();
    scheduleFlush(10000); // also try now and then, in case the login happened elsewhere
  }

  async function unblockAfterLogin() {
    if (!authBlocked) return;
    try {
      await refreshToken();
    } catch (e) {
      return;
    }
    authBlocked = false;
    document.getElementById("login-banner").hidden = true;
    backoff = 0;
    scheduleFlush(0);
  }

  // The sign-in tab writes this key when it is done (templates/meetings/editor_relogin.html).
  window.addEventListener("storage", (event) => {
    if (event.key === "minutes:relogin") unblockAfterLogin();
  });
  window.addEventListener("focus", () => (authBlocked ? unblockAfterLogin() : scheduleFlush(0)));
  window.addEventListener("online", () => {
    backoff = 0;
    failures = 0;
    scheduleFlush(0);
  });

  // Replace the timer flush while blocked on login: probe with a token request, not with saves.
  const plainFlush = flush;
  flush = async function () {
    if (authBlocked) {
      await unblockAfterLogin();
      if (authBlocked) return scheduleFlush(10000);
    }
    return plainFlush();
  };

  // ---------------------------------------------------------------- conflicts

  function showConflict(key, theirs, mine) {
    const el = fieldFor(key);
    const holder = msgFor(root, key);
    if (!el || !holder) return;
    holder.textContent = "";
    holder.className = "ed-msg";
    const box = document.getElementById("conflict-template").content.firstElementChild.cloneNode(true);
    box.querySelector(".conflict-theirs").textContent = theirs;
    box.querySelector(".conflict-mine").textContent = mine;
    box.querySelector(".conflict-merge").value = mine === theirs ? mine : theirs + "\n" + mine;
    box.addEventListener("click", (event) => {
      const choice = event.target.dataset.choose;
      if (!choice) return;
      const value = choice === "mine" ? mine : choice === "theirs" ? theirs : box.querySelector(".conflict-merge").value;
      el.value = value;
      el.dataset.base = theirs;
      box.remove();
      delete pending[key];
      persist();
      if (choice === "theirs") {
        refreshStatus();
        return;
      }
      // Saved against the version the user has now seen: a newer change still conflicts.
      queueEdit(key, value, { now: true });
    });
    holder.appendChild(box);
  }

  // ---------------------------------------------------------------- restore after a reload

  function offerRestore() {
    const waiting = Object.values(pending).filter((entry) => {
      if (entry.kind === "add") return false; // new blocks need no choice: they are sent again
      if (entry.kind !== "field") return true;
      const el = fieldFor(entry.key);
      if (!el) return false;
      return String(fieldValue(el)) !== String(entry.value);
    });
    for (const entry of Object.values(pending)) {
      if (entry.kind !== "add" && !waiting.includes(entry)) delete pending[entry.key];
    }
    persist();
    if (!waiting.length) return;
    for (const entry of waiting) entry.awaitingRestore = true;
    const banner = document.getElementById("restore-banner");
    const form = waiting.length === 1 ? "restore-text-one" : "restore-text-other";
    banner.querySelector(".restore-text").textContent = document
      .getElementById(form)
      .content.textContent.replace("{count}", String(waiting.length));
    banner.hidden = false;
    banner.addEventListener("click", (event) => {
      const action = event.target.dataset.restore;
      if (!action) return;
      banner.hidden = true;
      for (const entry of waiting) {
        if (action === "discard") {
          delete pending[entry.key];
          continue;
        }
        delete entry.awaitingRestore;
        delete entry.blocked;
        const el = fieldFor(entry.key);
        if (el && entry.kind === "field" && !el.dataset.picker && el.dataset.kind !== "status") el.value = entry.value;
      }
      persist();
      refreshStatus();
      scheduleFlush(0);
    });
  }

  // ---------------------------------------------------------------- drafts of the "add" forms

  function draftKey(el) {
    const form = el.closest("form");
    return form.querySelector("[id]").id + "|" + el.name;
  }

  function saveDraft(el) {
    if (!el.name) return;
    const drafts = readJSON(DRAFTS, {});
    drafts[draftKey(el)] = el.value;
    writeJSON(DRAFTS, drafts);
  }

  function restoreDrafts(scope) {
    const drafts = readJSON(DRAFTS, {});
    const keys = Object.keys(drafts).filter((k) => drafts[k]);
    for (const details of scope.querySelectorAll("details[data-form]:not(:has(form))")) {
      if (keys.some((k) => k.startsWith(details.dataset.first + "|"))) {
        details.open = true;
        materialise(details);
      }
    }
    for (const form of scope.querySelectorAll("form.add-form")) {
      for (const el of form.elements) {
        if (!el.name || el.type === "hidden") continue;
        const value = drafts[draftKey(el)];
        if (value) {
          el.value = value;
          const closed = el.closest("details:not([open])");
          if (closed) closed.open = true; // a half-typed entry is shown, never hidden
        }
      }
    }
  }

  function clearDrafts(form) {
    const drafts = readJSON(DRAFTS, {});
    for (const el of form.elements) if (el.name) delete drafts[draftKey(el)];
    writeJSON(DRAFTS, drafts);
  }

  // ---------------------------------------------------------------- adding blocks

  root.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.add-form");
    if (!form) return;
    event.preventDefault();
    const kind = form.dataset.add;
    const body = {};
    const problems = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      let value = el.value;
      if (el.dataset.picker) {
        const problem = pickProblem(el);
        if (problem) problems[el.name] = problem;
      }
      if (el.dataset.picker === "person") value = value.trim() ? optionId("dl-people", value.trim()) : "";
      if (el.dataset.picker === "speaker") value = fieldValue(el);
      body[el.name] = value;
    }
    if (Object.keys(problems).length) {
      // Nobody or several people by that name: say so under the picker and keep what was typed.
      for (const [name, message] of Object.entries(problems)) {
        const el = msgFor(form, name) || msgFor(form, "__all__");
        el.textContent = message;
        el.className = "ed-msg text-danger";
      }
      form.querySelector('[name="' + Object.keys(problems)[0] + '"]').focus();
      return;
    }
    if (kind === "action") {
      body.owners = chipsOf(form.querySelector(".owners-field"));
      body.decisions = body.decisions ? [body.decisions] : [];
    }
    for (const msg of form.querySelectorAll(".ed-msg")) msg.textContent = "";
    // Queued like any save: kept in the browser until the server confirms it, sent again with the same
    // key until it answers. The form is free for the next entry at once.
    const typed = {};
    for (const el of form.elements) if (el.name && el.type !== "hidden") typed[el.name] = el.value;
    const id = newKey();
    const entry = { key: "add:" + id, kind: "add", add: kind, id, value: JSON.stringify(body), typed,
      form: form.querySelector("[id]").id, base: "", seq: ++seq };
    pending[entry.key] = entry;
    persist();
    showPendingAdd(entry);
    clearForm(form);
    refreshStatus();
    scheduleFlush(0);
  });

  // crypto.randomUUID() needs a secure context; an intranet address over plain http is not one.
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function clearForm(form) {
    clearDrafts(form);
    for (const el of form.elements) {
      if (el.name && el.type !== "hidden" && el.name !== "day" && el.tagName !== "SELECT") el.value = "";
    }
    const chips = form.querySelector(".owner-chips");
    if (chips) chips.innerHTML = "";
    const hint = form.querySelector(".deadline-hint");
    if (hint) hint.textContent = "";
    // Keep typing where the next entry of the same kind goes.
    const first = [...form.elements].find((el) => el.name && el.type !== "hidden");
    if (first) first.focus();
  }

  // Where a new block goes, from what was sent (as editing.block_target says on the server).
  function addTarget(kind, body) {
    if (kind === "agenda") return "#agenda-list";
    if (kind === "report") return "#reports-" + body.agenda_item;
    if (kind === "decision") return body.agenda_item ? "#item-decisions-" + body.agenda_item : "#free-decisions";
    if (kind === "action") return body.decisions && body.decisions[0] ? "#decision-actions-" + body.decisions[0] : "#free-actions";
    return "#attendance-list";
  }

  function addSummary(kind, t) {
    const parts = {
      agenda: [t.title],
      report: [t.speaker_any, t.content],
      decision: [t.problem, t.text],
      action: [t.title, t.deadline_text],
      guest: [t.user || t.guest_name, t.guest_organisation],
    }[kind] || [];
    return parts.filter((part) => part && part.trim()).join(" · ");
  }

  const pendingBlock = (id) => root.querySelector('[data-pending-add="' + id + '"]');

  // A new block the server does not have yet: what was typed, marked 待保存, where the block will go.
  function showPendingAdd(entry) {
    if (pendingBlock(entry.id)) return;
    const body = JSON.parse(entry.value);
    const list = document.querySelector(addTarget(entry.add, body)) || document.getElementById("pending-additions");
    const block = document.createElement(list.matches("ol, ul") ? "li" : "div");
    block.className = "pending-block";
    block.dataset.pendingAdd = entry.id;
    const badge = document.createElement("span");
    badge.className = "badge text-bg-warning me-2";
    badge.textContent = text.addPending;
    const words = document.createElement("span");
    words.className = "pending-text";
    words.textContent = addSummary(entry.add, entry.typed || {});
    const msg = document.createElement("div");
    msg.className = "ed-msg text-danger";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-link btn-sm p-0 ms-2";
    discard.dataset.discardAdd = entry.id;
    discard.textContent = text.addDiscard;
    discard.hidden = !entry.blocked;
    block.append(badge, words, discard, msg);
    list.appendChild(block);
    const empty = root.querySelector('[data-empty-for="' + list.id + '"]');
    if (empty) empty.hidden = true;
    if (entry.blocked && entry.error) msg.textContent = entry.error;
  }

  function dropPendingAdd(entry) {
    delete pending[entry.key];
    const block = pendingBlock(entry.id);
    if (block) block.remove();
  }

  // The form a new block came from, opened (the forms under agenda items and decisions are made when
  // first opened); null when it is no longer on the page.
  function formOf(entry) {
    let anchor = document.getElementById(entry.form);
    if (!anchor) {
      const details = root.querySelector('details[data-form][data-first="' + entry.form + '"]');
      if (!details) return null;
      materialise(details);
      anchor = document.getElementById(entry.form);
    }
    const form = anchor && anchor.closest("form.add-form");
    if (form) {
      const closed = form.closest("details:not([open])");
      if (closed) closed.open = true;
    }
    return form;
  }

  function showFormErrors(form, errors) {
    for (const [name, message] of Object.entries(errors)) {
      const el = msgFor(form, name) || msgFor(form, "__all__");
      el.textContent = message;
      el.className = (el.classList.contains("col-12") ? "col-12 " : "") + "ed-msg text-danger";
    }
    const first = Object.keys(errors)[0];
    const input = form.querySelector('[name="' + first + '"]');
    if (input) input.focus();
  }

  // What the server answered for a new block.
  function afterAdd(entry, response, data) {
    if (response.ok) {
      dropPendingAdd(entry);
      insertBlock(data.target, data.html); // already there when the poll brought it first
      return;
    }
    if (response.status === 410) {
      // Saved once, then deleted by someone: nothing to send any more.
      dropPendingAdd(entry);
      const form = document.getElementById(entry.form);
      if (form && form.closest("form")) showFormErrors(form.closest("form"), { __all__: data.error || text.addGone });
      return;
    }
    // Refused (bad input, a key the server will not take, the meeting no longer editable): the text goes
    // back into its form with the reasons, to correct and add again.
    const errors = data.errors || { __all__: data.error || text.badRequest };
    const form = formOf(entry);
    if (form && !hasTyping(form)) {
      dropPendingAdd(entry);
      refill(form, entry);
      showFormErrors(form, errors);
      return;
    }
    // The form is gone or busy with the next entry: the text stays here, with the reason and 放弃.
    entry.blocked = "invalid";
    entry.error = Object.values(errors).join(" ");
    const block = pendingBlock(entry.id);
    if (block) {
      block.querySelector(".ed-msg").textContent = entry.error;
      block.querySelector("[data-discard-add]").hidden = false;
    }
  }

  function hasTyping(form) {
    return [...form.elements].some((el) => el.name && el.type !== "hidden" && el.name !== "day" &&
      el.tagName !== "SELECT" && el.value.trim()) || Boolean(form.querySelector(".owner-chip"));
  }

  function refill(form, entry) {
    const typed = entry.typed || {};
    for (const el of form.elements) {
      if (el.name && el.type !== "hidden" && typed[el.name] !== undefined) {
        el.value = typed[el.name];
        saveDraft(el);
        if (el.matches("textarea")) autosize(el);
      }
    }
    const field = form.querySelector(".owners-field");
    if (field) {
      const list = field.querySelector(".owner-chips");
      list.innerHTML = "";
      for (const owner of JSON.parse(entry.value).owners || []) {
        const chip = document.createElement("li");
        chip.className = "owner-chip";
        Object.assign(chip.dataset, { type: owner.type, id: owner.id, role: owner.role, label: owner.label });
        list.appendChild(chip);
      }
      renderChips(field);
    }
  }

  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-discard-add]");
    if (!button) return;
    const entry = pending["add:" + button.dataset.discardAdd];
    if (entry) dropPendingAdd(entry);
    else button.closest("[data-pending-add]").remove();
    persist();
    refreshStatus();
  });

  root.addEventListener("keydown", (event) => {
    const form = event.target.closest("form.add-form");
    if (form && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  function insertBlock(target, html) {
    const list = document.querySelector(target);
    if (!list) return null;
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const block = holder.content.firstElementChild;
    if (root.querySelector('[data-block="' + block.dataset.block + '"][data-id="' + block.dataset.id + '"]')) return null;
    list.appendChild(block);
    const empty = root.querySelector('[data-empty-for="' + list.id + '"]');
    if (empty) empty.remove();
    initBlock(block);
    if (block.dataset.block === "agenda") renumberAgenda();
    if (block.dataset.block === "attendance") updateCountsFromPage();
    return block;
  }

  function initBlock(scope) {
    for (const field of scope.querySelectorAll(".owners-field")) renderChips(field);
    for (const area of scope.querySelectorAll("textarea")) autosize(area);
  }

  // ---------------------------------------------------------------- owners: people and departments

  function chipsOf(field) {
    return [...field.querySelectorAll(".owner-chip")].map((chip) => ({
      type: chip.dataset.type,
      id: chip.dataset.id,
      role: chip.dataset.role,
      label: chip.dataset.label,
    }));
  }

  function renderChips(field) {
    for (const chip of field.querySelectorAll(".owner-chip")) {
      chip.className = "owner-chip badge rounded-pill " + (chip.dataset.role === "lead" ? "text-bg-primary" : "text-bg-light border");
      chip.textContent = "";
      const name = document.createElement("span");
      name.textContent = chip.dataset.label + " ";
      const role = document.createElement("button");
      role.type = "button";
      role.className = "btn btn-link btn-sm p-0 chip-role " + (chip.dataset.role === "lead" ? "text-white" : "");
      role.textContent = chip.dataset.role === "lead" ? text.lead : text.support;
      role.dataset.toggleRole = "1";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn-close btn-close-sm ms-1 chip-remove";
      remove.setAttribute("aria-label", text.remove + " " + chip.dataset.label);
      remove.dataset.removeOwner = "1";
      chip.append(name, role, remove);
    }
  }

  function ownersChanged(field) {
    renderChips(field);
    const actionId = field.dataset.ownersFor;
    if (actionId) queueEdit("owners:" + actionId, JSON.stringify(chipsOf(field)), { kind: "owners", now: true });
  }

  root.addEventListener("click", (event) => {
    const field = event.target.closest(".owners-field");
    if (!field) return;
    const chip = event.target.closest(".owner-chip");
    if (event.target.dataset.toggleRole) {
      chip.dataset.role = chip.dataset.role === "lead" ? "support" : "lead";
      ownersChanged(field);
    } else if (event.target.dataset.removeOwner) {
      chip.remove();
      ownersChanged(field);
      field.querySelector("input").focus();
    }
  });

  function addOwnerFromInput(input) {
    const label = input.value.trim();
    if (!label) return false;
    const field = input.closest(".owners-field");
    const msg = field.querySelector(".ed-msg") || field.parentElement.querySelector(".ed-msg");
    const problem = pickProblem(input);
    if (problem) {
      if (msg) msg.textContent = problem;
      return true;
    }
    if (msg) msg.textContent = "";
    const option = pickOptions("dl-owners", label)[0];
    const id = option.dataset.id;
    const type = id[0];
    const pk = id.slice(1);
    if (!field.querySelector('.owner-chip[data-type="' + type + '"][data-id="' + pk + '"]')) {
      const chip = document.createElement("li");
      chip.className = "owner-chip";
      chip.dataset.type = type;
      chip.dataset.id = pk;
      // The first owner leads; the next ones support until toggled.
      chip.dataset.role = field.querySelector(".owner-chip") ? "support" : "lead";
      chip.dataset.label = option.dataset.name || label.replace(/(.*)$/, "");
      field.querySelector(".owner-chips").appendChild(chip);
      ownersChanged(field);
    }
    input.value = "";
    return true;
  }

  root.addEventListener("keydown", (event) => {
    const input = event.target;
    if (input.dataset && input.dataset.picker === "owner" && event.key === "Enter" && !event.ctrlKey) {
      if (input.value.trim()) {
        event.preventDefault();
        addOwnerFromInput(input);
      }
    }
  });
  root.addEventListener("change", (event) => {
    if (event.target.dataset.picker === "owner") addOwnerFromInput(event.target);
  });

  // ---------------------------------------------------------------- deadline wording preview

  const previewTimers = new WeakMap();
  root.addEventListener("input", (event) => {
    const input = event.target;
    if (!input.matches("[data-deadline-preview]")) return;
    clearTimeout(previewTimers.get(input));
    previewTimers.set(input, setTimeout(() => previewDeadline(input), 350));
  });

  async function previewDeadline(input) {
    const form = input.closest("form");
    const hint = form.querySelector(".deadline-hint");
    const date = form.querySelector('input[name="due_date"]');
    try {
      const response = await fetch(root.dataset.deadlineUrl + "?text=" + encodeURIComponent(input.value), {
        credentials: "same-origin",
      });
      if (!response.ok) return;
      const data = await response.json();
      hint.textContent = data.message;
      hint.className = "small deadline-hint " + (data.confirm ? "text-danger" : "text-secondary");
      if (!date.dataset.touched) date.value = data.suggested;
    } catch (e) {
      /* offline: the words are kept; the server reads them when the item is added */
    }
  }
  root.addEventListener("change", (event) => {
    if (event.target.name === "due_date" && event.target.closest("form.add-form")) event.target.dataset.touched = "1";
  });

  // ---------------------------------------------------------------- agenda: order, days, clock

  const agenda = document.getElementById("agenda-list");

  function agendaItems() {
    return [...agenda.querySelectorAll(":scope > .agenda-item")];
  }

  function renumberAgenda() {
    for (const header of agenda.querySelectorAll(":scope > .day-header")) header.remove();
    const items = agendaItems();
    const multiDay = agenda.dataset.multiDay === "1" || new Set(items.map((i) => i.dataset.day)).size > 1;
    let previous = null;
    items.forEach((item, index) => {
      item.querySelector(".agenda-number").textContent = index + 1 + ".";
      if (multiDay && item.dataset.day !== previous) {
        const header = document.createElement("li");
        header.className = "day-header h6 text-primary mt-2";
        header.dataset.day = item.dataset.day;
        header.textContent = agenda.dataset.dayTemplate.replace("{day}", chineseDay(Number(item.dataset.day)));
        agenda.insertBefore(header, item);
      }
      previous = item.dataset.day;
    });
  }

  function chineseDay(n) {
    if (!document.documentElement.lang.startsWith("zh")) return String(n);
    const digits = "零一二三四五六七八九";
    if (n < 10) return digits[n];
    if (n < 20) return "十" + (n % 10 ? digits[n % 10] : "");
    return digits[Math.floor(n / 10)] + "十" + (n % 10 ? digits[n % 10] : "");
  }

  // After a drag across a day header the item joins that day.
  function daysFromHeaders() {
    let day = null;
    for (const child of agenda.children) {
      if (child.classList.contains("day-header")) day = child.dataset.day;
      else if (day !== null && !child.dataset.pendingAdd && child.dataset.day !== day) {
        child.dataset.day = day;
        const input = fieldFor("agenda:" + child.dataset.id + ":day");
        if (input) {
          input.value = day;
          input.dataset.base = day;
        }
      }
    }
  }

  function persistOrder() {
    renumberAgenda();
    const order = agendaItems().map((item) => [Number(item.dataset.id), Number(item.dataset.day)]);
    queueEdit("reorder", JSON.stringify(order), { kind: "reorder", now: true });
  }

  if (window.Sortable) {
    window.Sortable.create(agenda, {
      handle: ".drag-handle",
      draggable: ".agenda-item",
      animation: 150,
      // Mouse and touch events rather than native drag and drop: the same on tablets and desktops.
      forceFallback: true,
      onEnd: () => {
        daysFromHeaders();
        persistOrder();
      },
    });
  }

  function moveItem(item, direction) {
    const items = agendaItems();
    const index = items.indexOf(item);
    const other = items[index + (direction === "up" ? -1 : 1)];
    if (!other) return;
    if (other.dataset.day !== item.dataset.day) {
      // Crossing into the next day moves the item to that day rather than past it.
      item.dataset.day = other.dataset.day;
      const input = fieldFor("agenda:" + item.dataset.id + ":day");
      if (input) input.value = input.dataset.base = other.dataset.day;
    }
    if (direction === "up") agenda.insertBefore(item, other);
    else agenda.insertBefore(item, other.nextElementSibling);
    persistOrder();
  }

  root.addEventListener("click", (event) => {
    const move = event.target.closest("[data-move]");
    if (move) moveItem(move.closest(".agenda-item"), move.dataset.move);
    const start = event.target.closest("[data-clock-start]");
    if (start) startClock(start.closest(".agenda-item"));
  });

  root.addEventListener("change", (event) => {
    const el = event.target;
    const item = el.closest(".agenda-item");
    if (!item || !el.dataset.save) return;
    if (el.dataset.save.endsWith(":day") && el.value) {
      item.dataset.day = el.value;
      renumberAgenda();
    }
    if (el.dataset.save.endsWith(":planned_minutes")) {
      item.dataset.planned = el.value;
      tick();
    }
  });

  const clockEl = document.getElementById("agenda-clock");

  function startClock(item) {
    writeJSON(CLOCK, { item: item.dataset.id, started: Date.now() });
    tick();
  }

  function tick() {
    const clock = readJSON(CLOCK, null);
    const item = clock && document.getElementById("agenda-" + clock.item);
    if (!item) {
      clockEl.hidden = true;
      return;
    }
    clockEl.hidden = false;
    const seconds = Math.floor((Date.now() - clock.started) / 1000);
    const planned = Number(item.dataset.planned || 0);
    const mm = String(Math.floor(seconds / 60)).padStart(2, "0");
    const ss = String(seconds % 60).padStart(2, "0");
    clockEl.querySelector(".clock-title").textContent = item.querySelector(".agenda-number").textContent + " " +
      (fieldFor("agenda:" + item.dataset.id + ":title") || {}).value;
    clockEl.querySelector(".clock-used").textContent = mm + ":" + ss;
    clockEl.querySelector(".clock-plan").textContent = planned ? " / " + text.clockPlan.replace("{minutes}", planned) : "";
    clockEl.classList.toggle("over-time", planned > 0 && seconds > planned * 60);
    for (const other of agendaItems()) other.classList.toggle("is-current", other === item);
  }
  setInterval(tick, 1000);

  // ---------------------------------------------------------------- delete (confirmed)

  root.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-delete]");
    if (!button || !window.confirm(text.confirmDelete)) return;
    const block = button.closest("[data-block]");
    try {
      const response = await post(button.dataset.delete, {});
      if (response.status === 401) return blockOnLogin();
      if (!response.ok) return;
    } catch (e) {
      return;
    }
    block.remove();
    renumberAgenda();
  });

  // A decision's "所属议程" list is filled from the agenda as it stands when the list is opened.
  root.addEventListener("focusin", (event) => {
    const select = event.target;
    if (!select.matches || !select.matches("select.decision-agenda")) return;
    const chosen = select.value;
    while (select.options.length > 1) select.remove(1);
    for (const item of agendaItems()) {
      const title = (fieldFor("agenda:" + item.dataset.id + ":title") || {}).value || "";
      const label = item.querySelector(".agenda-number").textContent + " " + title.slice(0, 30);
      select.add(new Option(label, item.dataset.id, false, item.dataset.id === chosen));
    }
  });

  // ---------------------------------------------------------------- others' additions (htmx polling)

  function knownIds() {
    const ids = {};
    for (const kind of ["agenda", "report", "decision", "action", "attendance"]) {
      ids[kind] = Math.max(0, ...[...root.querySelectorAll('[data-block="' + kind + '"]')].map((b) => Number(b.dataset.id)));
    }
    return ids;
  }

  // Each poll says the newest block of each kind this page has, so the server sends only newer ones.
  // (Added here rather than with hx-vals="js:…", which htmx would have to eval.)
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (!event.detail.elt || event.detail.elt.id !== "news-poll") return;
    Object.assign(event.detail.parameters, knownIds());
  });

  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (!event.detail.elt || event.detail.elt.id !== "news-poll" || !event.detail.successful) return;
    const xhr = event.detail.xhr;
    const holder = document.createElement("template");
    holder.innerHTML = xhr.responseText;
    for (const tpl of holder.content.querySelectorAll("template[data-into]")) {
      insertBlock(tpl.dataset.into, tpl.innerHTML);
    }
    const counts = holder.content.querySelector("template[data-counts]");
    const header = xhr.getResponseHeader("X-Counts");
    if (counts) setCounts(counts.dataset.expected, counts.dataset.present);
    else if (header) {
      const data = JSON.parse(header);
      setCounts(data.expected, data.present);
    }
  });

  // ---------------------------------------------------------------- keyboard

  function currentItem() {
    const focused = document.activeElement && document.activeElement.closest(".agenda-item");
    if (focused) return focused;
    const clock = readJSON(CLOCK, null);
    return (clock && document.getElementById("agenda-" + clock.item)) || agendaItems().slice(-1)[0] || null;
  }

  // The add forms under agenda items and decisions are copied from one template when first opened.
  function materialise(details) {
    if (!details.querySelector("form")) {
      const template = document.getElementById("tpl-add-" + details.dataset.form);
      details.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__ID__", details.dataset.for));
      initBlock(details);
      restoreDrafts(details);
    }
    return details.querySelector("form");
  }

  root.addEventListener(
    "toggle",
    (event) => {
      if (event.target.matches && event.target.matches("details[data-form]") && event.target.open) {
        materialise(event.target);
      }
    },
    true,
  );

  function openForm(scope, kind, field) {
    const details = scope && scope.querySelector('details[data-form="' + kind + '"]');
    if (!details) return null;
    materialise(details);
    details.open = true;
    return focusFirst(details, "[name=" + field + "]");
  }

  function focusFirst(scope, selector) {
    const el = scope && scope.querySelector(selector);
    if (el) {
      const closed = el.closest("details:not([open])");
      if (closed) closed.open = true;
      el.scrollIntoView({ block: "center" });
      el.focus();
    }
    return el;
  }

  document.addEventListener("keydown", (event) => {
    const typing = event.target.matches("input, textarea, select, [contenteditable]");
    if (event.key === "?" && !typing && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      document.getElementById("help-dialog").showModal();
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.code === "KeyS") {
      event.preventDefault();
      backoff = 0;
      for (const entry of Object.values(pending)) if (entry.blocked === "invalid") delete entry.blocked;
      scheduleFlush(0);
      return;
    }
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const item = currentItem();
    const handled = {
      KeyA: () => focusFirst(document, "#add-agenda-title"),
      KeyR: () => openForm(item, "report", "speaker_any"),
      KeyD: () => openForm(item, "decision", "problem") || focusFirst(document, "#add-decision-problem-free"),
      KeyT: () => {
        const decision = document.activeElement.closest(".decision-block") ||
          (item && [...item.querySelectorAll(".decision-block")].slice(-1)[0]);
        return openForm(decision, "action", "title") || focusFirst(document, "#add-action-title-free");
      },
      KeyN: () => {
        const items = agendaItems();
        const next = items[items.indexOf(item) + 1] || items[0];
        if (next) {
          focusFirst(next, "[data-save$=':title']");
          startClock(next);
        }
      },
      ArrowUp: () => item && document.activeElement.closest(".agenda-item") && (moveItem(item, "up"), true),
      ArrowDown: () => item && document.activeElement.closest(".agenda-item") && (moveItem(item, "down"), true),
    }[event.code];
    if (handled) {
      event.preventDefault();
      handled();
      if (event.code.startsWith("Arrow") && document.activeElement) document.activeElement.focus();
    }
  });

  document.querySelector("[data-help-open]").addEventListener("click", () => {
    document.getElementById("help-dialog").showModal();
  });

  // ---------------------------------------------------------------- start

  function autosize(area) {
    area.style.height = "auto";
    area.style.height = Math.min(area.scrollHeight + 2, 480) + "px";
  }

  window.minutesEditor = { knownIds, pending: () => pending, flush: () => scheduleFlush(0) };
  initBlock(root);
  renumberAgenda();
  restoreDrafts(root);
  offerRestore();
  // New blocks still waiting from before the reload: shown as pending and sent again (a refusal the
  // last time may have been the meeting's state then).
  for (const entry of Object.values(pending)) {
    if (entry.kind !== "add") continue;
    if (entry.blocked === "invalid") delete entry.blocked;
    showPendingAdd(entry);
  }
  persist();
  tick();
  refreshStatus();
  scheduleFlush(0);
})();
