/* The live minutes editor (记录纪要): wires the modules up on the page (templates/meetings/editor.html
 * loads this file as <script type="module">, after SortableJS and htmx).
 *
 * The order below is the order the page's listeners run in when several answer one event (a change
 * in an add form is kept as a draft before an owner picker clears its text), so keep it.
 */
import { initBlock, wireDelete } from "./blocks.js";
import { showWaitingAdditions, wireAdditions } from "./additions.js";
import { renumberAgenda, wireAgenda } from "./agenda.js";
import { wireAttendance } from "./attendance.js";
import { wireAutosize } from "./autosize.js";
import { tick, wireClock } from "./clock.js";
import { offerRestore, scheduleFlush, startSaving, waiting, wireSaving } from "./core.js";
import { wireDeadlines } from "./deadline.js";
import { restoreDrafts, wireForms } from "./forms.js";
import { wireKeyboard } from "./keyboard.js";
import { knownIds, wireNews } from "./news.js";
import { wireOwners } from "./owners.js";
import { root } from "./page.js";

if (root) {
  wireAutosize();
  wireSaving();
  wireAttendance();
  wireAdditions();
  wireOwners();
  wireDeadlines();
  wireAgenda();
  wireClock();
  wireDelete();
  wireNews();
  wireForms();
  wireKeyboard();

  window.minutesEditor = { knownIds, pending: waiting, flush: () => scheduleFlush(0) };
  initBlock(root);
  renumberAgenda();
  restoreDrafts(root);
  offerRestore();
  showWaitingAdditions();
  tick();
  startSaving();
}
