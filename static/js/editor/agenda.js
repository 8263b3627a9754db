/* The agenda's order and days: numbers, 第一天 / 第二天 headings on a multi-day meeting, dragging by the
 * ⠿ handle (SortableJS, mouse and touch) or moving with the arrows. Order and day are saved together
 * as one "reorder" entry. Also the "所属议程" list of a decision, filled from the agenda as it stands.
 */
import { defineKind, post, queueEdit } from "./core.js";
import { fieldFor, root } from "./page.js";

const agenda = document.getElementById("agenda-list");

export function agendaItems() {
  return [...agenda.querySelectorAll(":scope > .agenda-item")];
}

export function renumberAgenda() {
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

export function moveItem(item, direction) {
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

export function wireAgenda() {
  defineKind("reorder", {
    send: (entry) => post(root.dataset.reorderUrl, { order: JSON.parse(entry.value) }),
  });

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

  root.addEventListener("click", (event) => {
    const move = event.target.closest("[data-move]");
    if (move) moveItem(move.closest(".agenda-item"), move.dataset.move);
  });

  root.addEventListener("change", (event) => {
    const el = event.target;
    const item = el.closest(".agenda-item");
    if (!item || !el.dataset.save) return;
    if (el.dataset.save.endsWith(":day") && el.value) {
      item.dataset.day = el.value;
      renumberAgenda();
    }
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
}
