// 部门行动项: "全选" ticks every row on this page; the rest of the page works without script.
(function () {
  document.querySelectorAll("[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll("input[name=items]").forEach((row) => {
        row.checked = box.checked;
      });
    });
  });
})();
