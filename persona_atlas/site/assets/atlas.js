/* persona-atlas page behaviour: sortable tables and interactive figures. No network. */
(function () {
  "use strict";

  function cellValue(row, index, numeric) {
    var cell = row.children[index];
    var raw = cell.getAttribute("data-value") || cell.textContent.trim();
    if (!numeric) return raw.toLowerCase();
    var n = parseFloat(raw.replace(/[^0-9.eE+-]/g, ""));
    return isNaN(n) ? -Infinity : n;
  }

  function makeSortable(table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      th.addEventListener("click", function () {
        var numeric = th.getAttribute("data-sort") === "num";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function embedFigures() {
    if (typeof window.vegaEmbed !== "function") return;
    document.querySelectorAll("[data-vega-spec]").forEach(function (el) {
      if (el.getAttribute("data-embedded")) return;
      el.setAttribute("data-embedded", "1");
      var url = el.getAttribute("data-vega-spec");
      fetch(url)
        .then(function (r) { return r.json(); })
        .then(function (spec) {
          return window.vegaEmbed(el, spec, { actions: { export: true, source: false, compiled: false, editor: false }, renderer: "svg" });
        })
        .then(function () {
          var fallback = el.parentNode.querySelector(".atlas-static");
          if (fallback) fallback.style.display = "none";
        })
        .catch(function (err) { console.warn("figure stays static:", url, err); });
    });
  }

  function init() {
    document.querySelectorAll("table.atlas-sortable").forEach(makeSortable);
    embedFigures();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
