/* Keyboard shortcuts and their help (?). "Current" is where the focus is, else the item whose clock
 * runs, else the last item.
 */
import { agendaItems, moveItem } from "./agenda.js";
import { clockItem, startClock } from "./clock.js";
import { saveNow } from "./core.js";
import { materialise } from "./forms.js";

function currentItem() {
  const focused = document.activeElement && document.activeElement.closest(".agenda-item");
  if (focused) return focused;
  return clockItem() || agendaItems().slice(-1)[0] || null;
}

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

export function wireKeyboard() {
  document.addEventListener("keydown", (event) => {
    const typing = event.target.matches("input, textarea, select, [contenteditable]");
    if (event.key === "?" && !typing && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      document.getElementById("help-dialog").showModal();
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.code === "KeyS") {
      event.preventDefault();
      saveNow();
      return;
    }
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    const item = currentItem();
    const handled = {
      KeyA: () => focusFirst(document, "#add-agenda-title"),
      KeyR: () => openForm(item, "report", "speaker_any"),
      KeyD: () => openForm(item, "decision", "problem") || focusFirst(document, "#add-decision-problem-free"),
      KeyT: () => {
        const decision =
          document.activeElement.closest(".decision-block") ||
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
}
