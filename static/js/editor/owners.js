/* An action item's owners: chips picked from the directory of people and departments
 * (<datalist id="dl-owners">), the first one leading; a click toggles 牵头/配合. On an existing item
 * every change is queued as an "owners" entry; in an add form the chips go with the new item.
 */
import { defineKind, post, queueEdit } from "./core.js";
import { pickOptions, pickProblem } from "./fields.js";
import { root, text } from "./page.js";

export function chipsOf(field) {
  return [...field.querySelectorAll(".owner-chip")].map((chip) => ({
    type: chip.dataset.type,
    id: chip.dataset.id,
    role: chip.dataset.role,
    label: chip.dataset.label,
  }));
}

export function renderChips(field) {
  for (const chip of field.querySelectorAll(".owner-chip")) {
    chip.className =
      "owner-chip badge rounded-pill " + (chip.dataset.role === "lead" ? "text-bg-primary" : "text-bg-light border");
    chip.textContent = "";
    const name = document.createElement("span");
    name.textContent = chip.dataset.label + " ";
    const role = document.createElement("button");
    role.type = "button";
    role.className = "btn btn-link btn-sm p-0 chip-role " + (chip.dataset.role === "lead" ? "text-white" : "");
    role.textContent = chip.dataset.role === "lead" ? text.lead : text.support;
    role.dataset.toggleRole = "1";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn-close btn-close-sm ms-1 chip-remove";
    remove.setAttribute("aria-label", text.remove + " " + chip.dataset.label);
    remove.dataset.removeOwner = "1";
    chip.append(name, role, remove);
  }
}

function ownersChanged(field) {
  renderChips(field);
  const actionId = field.dataset.ownersFor;
  if (actionId) queueEdit("owners:" + actionId, JSON.stringify(chipsOf(field)), { kind: "owners", now: true });
}

function addOwnerFromInput(input) {
  const label = input.value.trim();
  if (!label) return false;
  const field = input.closest(".owners-field");
  const msg = field.querySelector(".ed-msg") || field.parentElement.querySelector(".ed-msg");
  const problem = pickProblem(input);
  if (problem) {
    if (msg) msg.textContent = problem;
    return true;
  }
  if (msg) msg.textContent = "";
  const option = pickOptions("dl-owners", label)[0];
  const id = option.dataset.id;
  const type = id[0];
  const pk = id.slice(1);
  if (!field.querySelector('.owner-chip[data-type="' + type + '"][data-id="' + pk + '"]')) {
    const chip = document.createElement("li");
    chip.className = "owner-chip";
    chip.dataset.type = type;
    chip.dataset.id = pk;
    // The first owner leads; the next ones support until toggled.
    chip.dataset.role = field.querySelector(".owner-chip") ? "support" : "lead";
    chip.dataset.label = option.dataset.name || label.replace(/(.*)$/, "");
    field.querySelector(".owner-chips").appendChild(chip);
    ownersChanged(field);
  }
  input.value = "";
  return true;
}

export function wireOwners() {
  // "owners:<action id>" entries: the whole list, to the item's owners endpoint. The URL on the page
  // is the one for item 0.
  defineKind("owners", {
    send: (entry) =>
      post(root.dataset.ownersUrl.replace(/\/0\/owners\/$/, "/" + entry.key.split(":")[1] + "/owners/"), {
        owners: JSON.parse(entry.value),
      }),
    messageKey: (entry) => "owners-" + entry.key.split(":")[1],
  });

  root.addEventListener("click", (event) => {
    const field = event.target.closest(".owners-field");
    if (!field) return;
    const chip = event.target.closest(".owner-chip");
    if (event.target.dataset.toggleRole) {
      chip.dataset.role = chip.dataset.role === "lead" ? "support" : "lead";
      ownersChanged(field);
    } else if (event.target.dataset.removeOwner) {
      chip.remove();
      ownersChanged(field);
      field.querySelector("input").focus();
    }
  });

  root.addEventListener("keydown", (event) => {
    const input = event.target;
    if (input.dataset && input.dataset.picker === "owner" && event.key === "Enter" && !event.ctrlKey) {
      if (input.value.trim()) {
        event.preventDefault();
        addOwnerFromInput(input);
      }
    }
  });
  root.addEventListener("change", (event) => {
    if (event.target.dataset.picker === "owner") addOwnerFromInput(event.target);
  });
}
