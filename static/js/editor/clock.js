/* The agenda clock: "开始" on an item starts it (kept in this browser); the bar shows the time used
 * against the item's planned minutes, and the item is marked current.
 */
import { agendaItems } from "./agenda.js";
import { fieldFor, readJSON, root, storageKey, text, writeJSON } from "./page.js";

const CLOCK = root && storageKey("clock");
const clockEl = document.getElementById("agenda-clock");

// The agenda item whose clock runs, or null.
export function clockItem() {
  const clock = readJSON(CLOCK, null);
  return clock && document.getElementById("agenda-" + clock.item);
}

export function startClock(item) {
  writeJSON(CLOCK, { item: item.dataset.id, started: Date.now() });
  tick();
}

export function tick() {
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
  clockEl.querySelector(".clock-title").textContent =
    item.querySelector(".agenda-number").textContent + " " + (fieldFor("agenda:" + item.dataset.id + ":title") || {}).value;
  clockEl.querySelector(".clock-used").textContent = mm + ":" + ss;
  clockEl.querySelector(".clock-plan").textContent = planned ? " / " + text.clockPlan.replace("{minutes}", planned) : "";
  clockEl.classList.toggle("over-time", planned > 0 && seconds > planned * 60);
  for (const other of agendaItems()) other.classList.toggle("is-current", other === item);
}

export function wireClock() {
  root.addEventListener("click", (event) => {
    const start = event.target.closest("[data-clock-start]");
    if (start) startClock(start.closest(".agenda-item"));
  });

  root.addEventListener("change", (event) => {
    const el = event.target;
    const item = el.closest(".agenda-item");
    if (!item || !el.dataset.save) return;
    if (el.dataset.save.endsWith(":planned_minutes")) {
      item.dataset.planned = el.value;
      tick();
    }
  });

  setInterval(tick, 1000);
}
