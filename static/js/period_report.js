// 工作落实报告: show only the filters that apply (department or series; day or start/end), and turn the
// figures' definitions into Bootstrap tooltips once the report arrives. Without script every field shows
// and the definitions stay plain title attributes.
(function () {
  const form = document.querySelector(".period-filters");
  if (form) {
    const value = (name) => form.querySelector(`[name=${name}]`).value;
    const show = (name, visible) => {
      form.querySelector(`[data-for=${name}]`).hidden = !visible;
    };
    const sync = () => {
      show("department", value("scope") === "department");
      show("series", value("scope") === "series");
      const custom = value("period") === "custom";
      show("day", !custom);
      show("start", custom);
      show("end", custom);
    };
    form.addEventListener("change", sync);
    sync();
  }
  const tooltips = (root) => {
    if (!window.bootstrap) return;
    root.querySelectorAll("[data-bs-toggle=tooltip]").forEach((el) => bootstrap.Tooltip.getOrCreateInstance(el));
  };
  tooltips(document);
  // The report arrives by an outerHTML swap: look again over the whole page.
  document.body.addEventListener("htmx:afterSettle", () => tooltips(document));
})();
