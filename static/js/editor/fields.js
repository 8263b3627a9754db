/* The value a field sends, and the people pickers: their text is matched against the directory lists
 * (<datalist id="dl-people">, <datalist id="dl-owners">) that htmx loads just after the page.
 */
import { msgFor, text } from "./page.js";

// The value a field sends: people pickers send an id, speaker pickers "u:<id>" or "t:<name>";
// null when the typed text names nobody, or several people (pickProblem says which).
export function fieldValue(el) {
  if (el.dataset.kind === "status") return el.dataset.value || el.dataset.base;
  if (el.dataset.picker === "person") {
    const label = el.value.trim();
    if (!label) return "";
    return optionId("dl-people", label);
  }
  if (el.dataset.picker === "speaker") {
    const label = el.value.trim();
    const found = pickOptions("dl-people", label);
    if (found.length > 1) return null;
    return found.length ? "u:" + found[0].dataset.id : "t:" + label;
  }
  return el.value;
}

// The entries a picker's text names: the list's full label ("王芳(市场专员)") or a bare name ("王芳"),
// since people type the name and press Enter. More than one when people share the name.
export function pickOptions(listId, typed) {
  const list = document.getElementById(listId); // loaded by htmx just after the page
  if (!list || !typed) return [];
  return [...list.options].filter((option) => option.value === typed || option.dataset.name === typed);
}

export function optionId(listId, label) {
  const found = pickOptions(listId, label);
  return found.length === 1 ? found[0].dataset.id : null;
}

// Why a picker's text cannot be saved ("" when it can); the text stays in the input either way.
export function pickProblem(el) {
  const typed = el.value.trim();
  const owner = el.dataset.picker === "owner";
  const found = pickOptions(owner ? "dl-owners" : "dl-people", typed);
  if (!typed || found.length === 1) return "";
  if (found.length > 1) return text.pickOne.replace("{name}", () => typed);
  if (el.dataset.picker === "speaker") return ""; // someone from outside: saved as a name
  return owner ? text.pickOwner : text.pickPerson;
}

// A person or speaker picker in an add form says at once when its text names nobody or several.
export function checkPicker(el) {
  if (el.dataset.picker !== "person" && el.dataset.picker !== "speaker") return;
  const msg = msgFor(el.closest("form"), el.name);
  if (msg) msg.textContent = pickProblem(el);
}
