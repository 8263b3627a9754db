/* Others' additions: an htmx poll (#news-poll, every 4 s) asks for blocks newer than the ones this
 * page has, and the script puts them where they belong, with the attendance counts.
 */
import { setCounts } from "./attendance.js";
import { insertBlock } from "./blocks.js";
import { root } from "./page.js";

// The newest block of each kind this page has.
export function knownIds() {
  const ids = {};
  for (const kind of ["agenda", "report", "decision", "action", "attendance"]) {
    ids[kind] = Math.max(0, ...[...root.querySelectorAll('[data-block="' + kind + '"]')].map((b) => Number(b.dataset.id)));
  }
  return ids;
}

export function wireNews() {
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
}
