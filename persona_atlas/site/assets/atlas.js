/* persona-atlas page behaviour: sortable tables (figures: assets/vendor/atlas-figures.js). */
(function () {
  "use strict";

  // data-sort="num": numeric; data-order="LOW,MODERATE,HIGH": by rank in that list
  // (an ordinal column such as confidence or verdict); otherwise case-insensitive text.
  function cellValue(row, index, numeric, order) {
    var cell = row.children[index];
    var raw = cell.getAttribute("data-value") || cell.textContent.trim();
    if (order) return order.indexOf(raw.toUpperCase());
    if (!numeric) return raw.toLowerCase();
    var n = parseFloat(raw.replace(/[^0-9.eE+-]/g, ""));
    return isNaN(n) ? -Infinity : n;
  }

  function makeSortable(table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      th.addEventListener("click", function () {
        var numeric = th.getAttribute("data-sort") === "num";
        var order = th.hasAttribute("data-order") ? th.getAttribute("data-order").split(",") : null;
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric, order), y = cellValue(b, index, numeric, order);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function init() {
    document.querySelectorAll("table.atlas-sortable").forEach(makeSortable);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
