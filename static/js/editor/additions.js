/* New blocks (agenda items, reports, decisions, action items, guests) from the add forms.
 *
 * They join the save queue as "add:<key>" entries. Each gets a key made here before the first
 * attempt; a retry sends the same key, and the server answers with the block that key already
 * created, so a lost answer never makes a second copy. Until the server has it, the new block shows
 * on the page as pending (待保存), also after a reload.
 */
import { insertBlock } from "./blocks.js";
import { autosize } from "./autosize.js";
import {
  clearDrafts,
  defineKind,
  dropEntry,
  persist,
  post,
  queueAddition,
  refreshStatus,
  saveDraft,
  scheduleFlush,
  waitingEntries,
  waitingEntry,
} from "./core.js";
import { fieldValue, optionId, pickProblem } from "./fields.js";
import { materialise } from "./forms.js";
import { chipsOf, renderChips } from "./owners.js";
import { msgFor, root, text } from "./page.js";

async function onSubmit(event) {
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
  const entry = {
    key: "add:" + id,
    kind: "add",
    add: kind,
    id,
    value: JSON.stringify(body),
    typed,
    form: form.querySelector("[id]").id,
    base: "",
  };
  queueAddition(entry);
  showPendingAdd(entry);
  clearForm(form);
  refreshStatus();
  scheduleFlush(0);
}

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
  if (kind === "action") {
    return body.decisions && body.decisions[0] ? "#decision-actions-" + body.decisions[0] : "#free-actions";
  }
  return "#attendance-list";
}

function addSummary(kind, t) {
  const parts =
    {
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
  dropEntry(entry.key);
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
  return (
    [...form.elements].some(
      (el) => el.name && el.type !== "hidden" && el.name !== "day" && el.tagName !== "SELECT" && el.value.trim(),
    ) || Boolean(form.querySelector(".owner-chip"))
  );
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

// New blocks still waiting from before the reload: shown as pending and sent again (a refusal the
// last time may have been the meeting's state then).
export function showWaitingAdditions() {
  for (const entry of waitingEntries()) {
    if (entry.kind !== "add") continue;
    if (entry.blocked === "invalid") delete entry.blocked;
    showPendingAdd(entry);
  }
}

export function wireAdditions() {
  defineKind("add", {
    send: (entry) => post(root.dataset.addUrl.replace("KIND", entry.add), { ...JSON.parse(entry.value), key: entry.id }),
    answered: afterAdd,
  });

  root.addEventListener("submit", onSubmit);

  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-discard-add]");
    if (!button) return;
    const entry = waitingEntry("add:" + button.dataset.discardAdd);
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
}
