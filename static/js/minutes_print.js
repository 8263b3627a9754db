// The minutes' print view in the browser: the 打印 button opens the print dialog. (The PDF is
// rendered from the same template without the toolbar or this script.)
(function () {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
})();
