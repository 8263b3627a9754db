/* Blocks (agenda items, reports, decisions, action items, guests) coming onto the page, from the
 * server's answer to an add or from others' additions, and deleting one (confirmed).
 */
import { renumberAgenda } from "./agenda.js";
import { updateCountsFromPage } from "./attendance.js";
import { autosize } from "./autosize.js";
import { blockOnLogin, post } from "./core.js";
import { renderChips } from "./owners.js";
import { root, text } from "./page.js";

// Make a block (or the whole page) ready: owners shown as chips, text areas sized.
export function initBlock(scope) {
  for (const field of scope.querySelectorAll(".owners-field")) renderChips(field);
  for (const area of scope.querySelectorAll("textarea")) autosize(area);
}

// Add a block's HTML to the list `target` (a selector), unless the page has it already.
export function insertBlock(target, html) {
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

export function wireDelete() {
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
}
