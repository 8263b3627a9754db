/* Deadline wording (两周内, 月底前 …): the date it means, shown under the field. In an add form the
 * server reads the words as they are typed and suggests a date until one is picked by hand; on an
 * existing item the answer to a save carries the new date.
 */
import { onSaved, waitingEntry } from "./core.js";
import { fieldFor, parseKey, root } from "./page.js";

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

function savedDeadline(entry, data) {
  if (!data.deadline) return;
  const pk = parseKey(entry.key).pk;
  const hint = root.querySelector('[data-deadline-for="' + pk + '"]');
  hint.textContent = data.deadline.message;
  hint.className = "small deadline-hint " + (data.deadline.confirm ? "text-danger" : "text-secondary");
  const date = fieldFor("action:" + pk + ":due_date");
  if (date && !waitingEntry("action:" + pk + ":due_date")) {
    date.value = data.due_date;
    date.dataset.base = data.due_date;
  }
}

export function wireDeadlines() {
  const previewTimers = new WeakMap();
  root.addEventListener("input", (event) => {
    const input = event.target;
    if (!input.matches("[data-deadline-preview]")) return;
    clearTimeout(previewTimers.get(input));
    previewTimers.set(input, setTimeout(() => previewDeadline(input), 350));
  });
  root.addEventListener("change", (event) => {
    if (event.target.name === "due_date" && event.target.closest("form.add-form")) event.target.dataset.touched = "1";
  });
  onSaved(savedDeadline);
}
