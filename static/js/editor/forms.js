/* The add forms under agenda items and decisions: copied from one template when first opened, and
 * refilled from their drafts (kept by core.js) after a reload. A half-typed entry is shown, never
 * hidden.
 */
import { initBlock } from "./blocks.js";
import { draftKey, storedDrafts } from "./core.js";
import { root } from "./page.js";

export function materialise(details) {
  if (!details.querySelector("form")) {
    const template = document.getElementById("tpl-add-" + details.dataset.form);
    details.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__ID__", details.dataset.for));
    initBlock(details);
    restoreDrafts(details);
  }
  return details.querySelector("form");
}

export function restoreDrafts(scope) {
  const drafts = storedDrafts();
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

export function wireForms() {
  root.addEventListener(
    "toggle",
    (event) => {
      if (event.target.matches && event.target.matches("details[data-form]") && event.target.open) {
        materialise(event.target);
      }
    },
    true,
  );
}
