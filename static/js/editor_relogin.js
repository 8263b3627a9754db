// After signing in again from the minutes editor: wake the editor tab. It listens for this key and
// saves what waited for the login (static/js/editor/core.js).
(function () {
  try {
    localStorage.setItem("minutes:relogin", String(Date.now()));
  } catch (e) {
    /* storage off */
  }
})();
