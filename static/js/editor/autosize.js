/* Text areas grow with what is typed, up to 480 px. */
import { root } from "./page.js";

export function autosize(area) {
  area.style.height = "auto";
  area.style.height = Math.min(area.scrollHeight + 2, 480) + "px";
}

export function wireAutosize() {
  root.addEventListener("input", (event) => {
    if (event.target.matches("textarea")) autosize(event.target);
  });
}
