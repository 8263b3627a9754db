/* What every part of the minutes editor reads from the page: its root element (which carries the
 * meeting, the endpoints' URLs and the CSRF token as data attributes), its translated strings, the
 * editable fields by key, and the browser's storage for this meeting. Imports nothing.
 */

export const root = document.getElementById("editor");

// The strings come from the server's template (<template id="editor-strings">), already translated.
export const text = root ? document.getElementById("editor-strings").dataset : {};

// "minutes:<meeting>:<name>" in localStorage.
export const storageKey = (name) => "minutes:" + root.dataset.meeting + ":" + name;

export function readJSON(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) || fallback;
  } catch (e) {
    return fallback;
  }
}

export function writeJSON(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch (e) {
    /* storage full or disabled: the edit still waits in memory */
  }
}

// Each editable element carries data-save="<entity>:<pk>:<field>"; its messages go under
// data-msg-for="<key or input name>".
export const fieldFor = (key) => root.querySelector('[data-save="' + key + '"]');
export const msgFor = (scope, name) => scope.querySelector('[data-msg-for="' + name + '"]');

export function parseKey(key) {
  const [entity, pk, field] = key.split(":");
  return { entity, pk, field };
}
