/* persona-atlas index: filter the results table by tag, kind, confidence, verdict and words.
 * Each row carries its facets as data attributes (tags as a JSON list); the filters live in
 * form#atlas-filters, hidden until this script runs, and are mirrored in the URL's query
 * string so a filtered view can be shared. Everything is read as text, never as HTML. */
(function () {
  "use strict";

  var FACETS = ["tag", "kind", "confidence", "verdict"];

  function parseTags(row) {
    try {
      var tags = JSON.parse(row.getAttribute("data-tags") || "[]");
      return Array.isArray(tags) ? tags.map(String) : [];
    } catch (e) {
      return [];
    }
  }

  function init() {
    var form = document.getElementById("atlas-filters");
    var table = document.querySelector("table.atlas-index");
    if (!form || !table || !table.tBodies.length) return;
    var rows = Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      return {
        row: row,
        tag: parseTags(row),
        kind: row.getAttribute("data-kind") || "",
        confidence: row.getAttribute("data-confidence") || "",
        verdict: row.getAttribute("data-verdict") || "",
        superseded: row.getAttribute("data-superseded") === "yes",
        text: row.textContent.toLowerCase().replace(/\s+/g, " ")
      };
    });
    var selects = {};
    FACETS.forEach(function (name) {
      selects[name] = form.querySelector('select[data-filter="' + name + '"]');
    });
    var search = form.querySelector('input[name="q"]');
    var current = form.querySelector('input[name="current"]');
    var count = form.querySelector(".atlas-filter-count");

    function wanted() {
      var want = { words: search.value.toLowerCase().split(/\s+/).filter(Boolean),
                   current: current.checked };
      FACETS.forEach(function (name) { want[name] = selects[name] ? selects[name].value : ""; });
      return want;
    }

    function matches(r, want) {
      if (want.current && r.superseded) return false;
      if (want.tag && r.tag.indexOf(want.tag) < 0) return false;
      if (want.kind && r.kind !== want.kind) return false;
      if (want.confidence && r.confidence !== want.confidence) return false;
      if (want.verdict && r.verdict !== want.verdict) return false;
      for (var i = 0; i < want.words.length; i++) {
        if (r.text.indexOf(want.words[i]) < 0) return false;
      }
      return true;
    }

    // The address follows the filters a moment later: replaceState can take longer than the
    // filtering itself, and a reader typing does not need every keystroke in the history.
    var pending = null;
    function remember(want) {
      clearTimeout(pending);
      pending = setTimeout(function () { rememberNow(want); }, 300);
    }

    function rememberNow(want) {
      var params = new URLSearchParams();
      if (search.value.trim()) params.set("q", search.value.trim());
      FACETS.forEach(function (name) { if (want[name]) params.set(name, want[name]); });
      if (want.current) params.set("current", "yes");
      var query = params.toString();
      var url = location.pathname + (query ? "?" + query : "") + location.hash;
      if (url !== location.pathname + location.search + location.hash) {
        history.replaceState(history.state, "", url);
      }
    }

    // Show the rows that match every filter; returns how many are shown.
    function filter() {
      var want = wanted();
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var hide = !matches(rows[i], want);
        if (rows[i].row.hidden !== hide) rows[i].row.hidden = hide;
        if (!hide) shown++;
      }
      count.textContent = shown === rows.length
        ? rows.length + " results"
        : shown + " of " + rows.length + " results";
      remember(want);
      return shown;
    }

    function restore() {
      var params = new URLSearchParams(location.search);
      search.value = params.get("q") || "";
      current.checked = params.get("current") === "yes";
      FACETS.forEach(function (name) {
        var select = selects[name], value = params.get(name);
        if (!select || !value) return;
        for (var i = 0; i < select.options.length; i++) {
          if (select.options[i].value === value) select.value = value;
        }
      });
    }

    form.addEventListener("input", filter);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    form.addEventListener("reset", function () { setTimeout(filter, 0); });
    table.addEventListener("click", function (ev) {  // a tag in a row filters by that tag
      var button = ev.target.closest ? ev.target.closest("button[data-tag]") : null;
      if (!button || !selects.tag) return;
      selects.tag.value = button.getAttribute("data-tag");
      filter();
    });
    restore();
    form.hidden = false;
    filter();
    window.atlasIndex = { filter: filter, size: rows.length };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
