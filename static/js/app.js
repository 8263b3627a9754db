// Every page: small behaviours that must not be inline script (Content Security Policy).
(function () {
  // The language switch in the navigation bar submits as soon as a language is picked; without
  // script a 切换 button shows instead (<noscript> in base.html).
  document.querySelectorAll("select[data-submit-on-change]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
})();
