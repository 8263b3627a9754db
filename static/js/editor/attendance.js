/* One-click attendance and the counts (应到 / 实到) above the list. */
import { onSaved, queueEdit } from "./core.js";
import { root } from "./page.js";

export function updateCountsFromPage() {
  const rows = [...root.querySelectorAll(".attendance-row[data-expected='1']")];
  const present = rows.filter((r) => {
    const active = r.querySelector("[data-status].active");
    return active && ["present", "late"].includes(active.dataset.status);
  }).length;
  setCounts(rows.length, present);
}

export function setCounts(expected, present) {
  const el = document.getElementById("attendance-counts");
  el.textContent = el.dataset.template.replace("{expected}", expected).replace("{present}", present);
}

export function wireAttendance() {
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

  // The page is ahead of any one answer: a status clicked while this request was in flight is
  // already on the page but not yet in the server's count, so count the page again.
  onSaved((entry, data) => {
    if (data.counts) updateCountsFromPage();
  });
}
