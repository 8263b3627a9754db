/* The save queue: nothing typed into the minutes is lost.
 *
 * Every field saves on its own about a second after the last keystroke. Until the server has it, the
 * edit sits in localStorage (keyed by meeting and field), so a dropped network, a server error, an
 * expired login or a closed tab loses nothing: edits are retried in the order they were made, with
 * backoff, and offered back after a reload. Each save carries the value the field started from; the
 * server refuses a stale save (409) and the page then shows both versions side by side.
 *
 * Also here: the status badge (saved / saving / offline / failing / login expired), signing in again
 * from another tab, the drafts of the add forms, and the choice offered after a reload.
 *
 * The widgets use only what this module exports. Entries other than plain fields ("owners",
 * "reorder", "add") are sent by the widget that made them: it registers the kind with defineKind().
 */
import { checkPicker, fieldValue, pickProblem } from "./fields.js";
import { fieldFor, msgFor, parseKey, readJSON, root, storageKey, text, writeJSON } from "./page.js";

const STORE = root && storageKey("pending");
const DRAFTS = root && storageKey("drafts");
const SAVE_DELAY = 800;
const MAX_BACKOFF = 30000;
const FAILING_AFTER = 3; // failed attempts in a row before the badge says saving is failing
let csrf = root && root.dataset.csrf;

// ---------------------------------------------------------------- what waits for the server

// key -> {key, value, base, force, seq, blocked}; new blocks: {key: "add:<id>", kind: "add", add, id, …}
const pending = root ? readJSON(STORE, {}) : {};
let seq = Object.values(pending).reduce((m, e) => Math.max(m, e.seq || 0), 0);

export const persist = () => writeJSON(STORE, pending);

// The live map of waiting entries (window.minutesEditor.pending() in the tests).
export const waiting = () => pending;
export const waitingEntry = (key) => pending[key];
export const waitingEntries = () => Object.values(pending);

// Forget an entry (the caller persists).
export function dropEntry(key) {
  delete pending[key];
}

// kind -> {send(entry) → fetch promise, answered?(entry, response, data), messageKey?(entry)}
const kinds = {};

export function defineKind(kind, handler) {
  kinds[kind] = handler;
}

// Called with (entry, data) after the server took a field's value (deadline wording, counts…).
const savedHooks = [];

export function onSaved(hook) {
  savedHooks.push(hook);
}

// ---------------------------------------------------------------- status

const statusEl = document.getElementById("save-status");
const STATUS_CLASS = {
  saved: "text-bg-success",
  saving: "text-bg-secondary",
  offline: "text-bg-warning",
  failing: "text-bg-danger",
  error: "text-bg-danger",
  login: "text-bg-danger",
};

function setStatus(state) {
  statusEl.textContent = statusEl.dataset[state];
  statusEl.dataset.state = state;
  statusEl.className = "badge save-status " + STATUS_CLASS[state];
}

export function refreshStatus() {
  const waitingNow = Object.values(pending);
  if (authBlocked) return setStatus("login");
  // Not "保存中…" for ever: after a few failed attempts say so, and that the text is kept here.
  if (failures >= FAILING_AFTER && waitingNow.some((e) => !e.blocked)) return setStatus("failing");
  if (offline && waitingNow.length) return setStatus("offline");
  if (waitingNow.some((e) => e.blocked)) return setStatus("error");
  if (waitingNow.length || inflight) return setStatus("saving");
  setStatus("saved");
}

// ---------------------------------------------------------------- fields

export function showMessage(key, message, kind) {
  const el = msgFor(root, key);
  if (!el) return;
  el.textContent = message || "";
  el.className =
    "ed-msg " + (kind === "warning" ? "text-warning-emphasis" : kind === "info" ? "text-secondary" : "text-danger");
}

// Put a value in the queue: kept in the browser at once, sent when the typing pauses (or now).
export function queueEdit(key, value, opts) {
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

// A new block (made by the add forms), behind everything queued before it.
export function queueAddition(entry) {
  entry.seq = ++seq;
  pending[entry.key] = entry;
  persist();
}

function onInput(event) {
  const el = event.target;
  if (el.closest("form.add-form")) return saveDraft(el);
  if (!el.dataset.save || el.dataset.picker) return;
  const key = el.dataset.save;
  // Keep the keystrokes in the browser at once; send them when the typing pauses.
  const entry = pending[key];
  if (entry && entry.blocked === "conflict") return; // the user resolves the conflict first
  queueEdit(key, el.value);
  if (entry && entry.blocked) showMessage(key, "");
}

function onChange(event) {
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
}

// ---------------------------------------------------------------- the save queue

let inflight = false;
let offline = false;
let authBlocked = false;
let backoff = 0;
let failures = 0; // attempts in a row that met no answer, or a server error
let flushTimer = null;

export function scheduleFlush(delay) {
  clearTimeout(flushTimer);
  flushTimer = setTimeout(flush, delay);
}

// Ctrl+S: try again now, including what the server refused as invalid.
export function saveNow() {
  backoff = 0;
  for (const entry of Object.values(pending)) if (entry.blocked === "invalid") delete entry.blocked;
  scheduleFlush(0);
}

// After the page is wired up: store what was kept, show the status, and send what waits.
export function startSaving() {
  persist();
  refreshStatus();
  scheduleFlush(0);
}

function nextEntry() {
  return Object.values(pending)
    .filter((e) => !e.blocked && !e.awaitingRestore)
    .sort((a, b) => a.seq - b.seq)[0];
}

export function post(url, body) {
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
  const kind = kinds[entry.kind];
  if (kind) return kind.send(entry);
  const { entity, pk, field } = parseKey(entry.key);
  return post(root.dataset.saveUrl, { entity, pk, field, base: entry.base, value: entry.value, force: entry.force });
}

// Where an entry's messages show: under its field, or where its kind says.
function messageKey(entry) {
  const kind = kinds[entry.kind];
  return kind && kind.messageKey ? kind.messageKey(entry) : entry.key;
}

// While blocked on login the timer probes with a token request, not with saves.
async function flush() {
  if (authBlocked) {
    await unblockAfterLogin();
    if (authBlocked) return scheduleFlush(10000);
  }
  return flushNext();
}

async function flushNext() {
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
  const kind = kinds[entry.kind];
  if (kind && kind.answered) {
    kind.answered(entry, response, data);
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
    showMessage(messageKey(entry), data.error || text.badRequest);
  }
  persist();
  refreshStatus();
  if (nextEntry()) scheduleFlush(0);
}

function afterSave(entry, data) {
  if (entry.kind !== "field") {
    const kind = kinds[entry.kind];
    if (kind && kind.messageKey) showMessage(kind.messageKey(entry), "");
    return;
  }
  const el = fieldFor(entry.key);
  if (!el) return;
  el.dataset.base = data.value;
  showMessage(entry.key, data.warning || "", data.warning ? "warning" : "info");
  const preview = root.querySelector('[data-preview-for="' + entry.key + '"]');
  if (preview && data.html !== undefined) preview.innerHTML = data.html; // sanitised on the server
  for (const hook of savedHooks) hook(entry, data);
}

// ---------------------------------------------------------------- an expired login

// Also for a widget's own request that met 401.
export function blockOnLogin() {
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

export function offerRestore() {
  const offered = Object.values(pending).filter((entry) => {
    if (entry.kind === "add") return false; // new blocks need no choice: they are sent again
    if (entry.kind !== "field") return true;
    const el = fieldFor(entry.key);
    if (!el) return false;
    return String(fieldValue(el)) !== String(entry.value);
  });
  for (const entry of Object.values(pending)) {
    if (entry.kind !== "add" && !offered.includes(entry)) delete pending[entry.key];
  }
  persist();
  if (!offered.length) return;
  for (const entry of offered) entry.awaitingRestore = true;
  const banner = document.getElementById("restore-banner");
  const form = offered.length === 1 ? "restore-text-one" : "restore-text-other";
  banner.querySelector(".restore-text").textContent = document
    .getElementById(form)
    .content.textContent.replace("{count}", String(offered.length));
  banner.hidden = false;
  banner.addEventListener("click", (event) => {
    const action = event.target.dataset.restore;
    if (!action) return;
    banner.hidden = true;
    for (const entry of offered) {
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

// A draft is keyed by the form (the id of its first element) and the input's name.
export function draftKey(el) {
  const form = el.closest("form");
  return form.querySelector("[id]").id + "|" + el.name;
}

export const storedDrafts = () => readJSON(DRAFTS, {});

export function saveDraft(el) {
  if (!el.name) return;
  const drafts = readJSON(DRAFTS, {});
  drafts[draftKey(el)] = el.value;
  writeJSON(DRAFTS, drafts);
}

export function clearDrafts(form) {
  const drafts = readJSON(DRAFTS, {});
  for (const el of form.elements) if (el.name) delete drafts[draftKey(el)];
  writeJSON(DRAFTS, drafts);
}

// ---------------------------------------------------------------- wiring

export function wireSaving() {
  root.addEventListener("input", onInput);
  root.addEventListener("change", onChange);

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
}
