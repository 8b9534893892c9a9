"""``atlas-figures.js``: the script that draws every figure of a page at the width it is given.

Figures are built at a fixed width (``theme.WIDTH``, small multiples of ``theme.PANEL_WIDTH``)
and pages are read from 390 px phones to wide screens. At embed time the loader fits each
spec to its column instead of letting the browser scale the SVG (which shrank tick labels
to 4 px on a phone) or overflow it (a scrollbar under every chart):

* a single or layered view of the standard width takes the column's width
  (``width: "container"``, ``autosize: fit-x``) and follows it when the window resizes;
* anything else (small multiples, stacked panels, heatmaps) is drawn, measured, and when
  wider than its column drawn again narrower: facets wrap into fewer columns, panels lose
  width down to ``MIN_VIEW_WIDTH`` px, side-by-side panels stack; stacked panels of the
  standard width also grow to a wider column; it is refitted on resize;
* in a column narrower than ``NARROW`` px, legends move under the plot and long titles wrap;
* Vega-Embed's actions menu is off (it sat over the legend); the figure's SVG and spec are
  plain links under the caption instead.

Font sizes are never scaled, so tick labels keep the theme's size (11 px) on every screen,
and none is drawn under ``MIN_FONT_SIZE`` px.
"""

from __future__ import annotations

#: A single view at least this wide (the theme's ``WIDTH`` is 560) fills its column.
FILL_WIDTH = 400
#: The narrowest plot area a panel is shrunk to, in px (below it the figure's box scrolls).
MIN_VIEW_WIDTH = 120
#: Columns narrower than this (phones) get legends under the plot and wrapped titles.
NARROW_COLUMN = 600
#: Smallest font a label is drawn with (a chart asking for 9 px tick labels gets 10).
MIN_FONT_SIZE = 10

_TEMPLATE = """\
/* persona-atlas: embed every <figure class="atlas-figure"> with Vega-Embed, fitted to its column. */
(function () {
  "use strict";
  var WIDE = __FILL_WIDTH__;      // a view at least this wide fills its column
  var MIN_VIEW = __MIN_VIEW_WIDTH__;  // narrowest plot area a panel is given (px)
  var NARROW = __NARROW_COLUMN__;
  var MIN_FONT = __MIN_FONT_SIZE__;  // smallest label a reader is shown (px)  // below this column width legends go under the plot
  var OPTIONS = { renderer: "svg", actions: false };
  var canvas = null;

  function clone(o) { return JSON.parse(JSON.stringify(o)); }
  function isNum(x) { return typeof x === "number" && isFinite(x); }

  function specOf(fig) {
    var inline = fig.querySelector("script.atlas-figure-spec");
    if (inline) return Promise.resolve(JSON.parse(inline.textContent));
    return fetch(fig.getAttribute("data-vl-spec")).then(function (r) {
      if (!r.ok) throw new Error("spec not found: " + r.status);
      return r.json();
    });
  }

  function showStatic(fig, view) {
    var img = document.createElement("img");
    img.className = "atlas-figure-static";
    img.src = fig.getAttribute("data-svg");
    img.alt = (fig.querySelector("figcaption") || {}).textContent || "";
    img.style.maxWidth = "100%";
    img.style.height = "auto";
    view.replaceChildren(img);
  }

  // -- fitting -------------------------------------------------------------------------
  function textWidth(text, font) {
    canvas = canvas || document.createElement("canvas");
    var ctx = canvas.getContext("2d");
    ctx.font = font;
    return ctx.measureText(text).width;
  }

  // A title (a string or a list of lines) as lines no wider than maxWidth.
  function wrap(text, maxWidth, font) {
    if (typeof text !== "string" && !Array.isArray(text)) return text;
    var lines = [];
    [].concat(text).forEach(function (given) {
      var line = "";
      String(given).split(/\\s+/).forEach(function (word) {
        var next = line ? line + " " + word : word;
        if (line && textWidth(next, font) > maxWidth) { lines.push(line); line = word; }
        else line = next;
      });
      lines.push(line);
    });
    return lines.length > 1 ? lines : lines[0];
  }

  function wrapTitle(spec, avail) {
    var cfg = (spec.config || {}).title || {};
    var family = (spec.config || {}).font || "sans-serif";
    var t = spec.title;
    if (!t) return;
    if (typeof t === "string") t = spec.title = { text: t };
    var size = t.fontSize || cfg.fontSize || 13, sub = t.subtitleFontSize || cfg.subtitleFontSize || 11;
    t.text = wrap(t.text, avail, "bold " + size + "px " + family);
    if (t.subtitle) t.subtitle = wrap(t.subtitle, avail, sub + "px " + family);
  }

  function narrowLayout(spec, avail) {
    spec.config = spec.config || {};
    var legend = spec.config.legend = Object.assign({}, spec.config.legend);
    legend.orient = "bottom";
    legend.direction = "horizontal";
    legend.columns = Math.max(1, Math.floor(avail / 150));
    legend.labelLimit = Math.max(60, Math.floor(avail / legend.columns) - 40);
    wrapTitle(spec, avail - 20);
  }

  // Tick, legend and header labels keep at least MIN_FONT px (a chart may ask for less).
  function floorFonts(node) {
    if (Array.isArray(node)) { node.forEach(floorFonts); return; }
    if (!node || typeof node !== "object") return;
    Object.keys(node).forEach(function (key) {
      var v = node[key];
      if (key === "datasets" || key === "data") return;
      if (/FontSize$|^fontSize$/.test(key) && isNum(v) && v < MIN_FONT) node[key] = MIN_FONT;
      else floorFonts(v);
    });
  }

  function isComposite(spec) {
    return !!(spec.vconcat || spec.hconcat || spec.concat || spec.facet || spec.repeat);
  }

  // Make ``spec`` about ``excess`` px narrower; false when nothing is left to give.
  function shrink(spec, excess, natural, avail) {
    if (spec.hconcat) {  // side by side never fits a phone: stack the panels
      spec.vconcat = spec.hconcat;
      delete spec.hconcat;
      return true;
    }
    if (spec.concat && spec.columns !== 1) { spec.columns = 1; return true; }
    if ((spec.facet || spec.repeat) && spec.spec) {
      var inner = spec.spec, w = inner.width;
      var gap = isNum(spec.spacing) ? spec.spacing : 20;
      var cols = isNum(spec.columns) ? spec.columns : 0;
      if (cols > 1 && isNum(w)) {
        var overhead = natural - (cols * w + (cols - 1) * gap);
        var fit = Math.floor((avail - overhead + gap) / (w + gap));
        spec.columns = Math.max(1, Math.min(cols - 1, fit));
        return true;
      }
      if (isNum(w) && w > MIN_VIEW) { inner.width = Math.max(MIN_VIEW, w - excess); return true; }
      return false;
    }
    var changed = false;
    (spec.vconcat || spec.concat || []).forEach(function (child) {
      changed = shrink(child, excess, natural, avail) || changed;
    });
    if (isNum(spec.width) && spec.width > MIN_VIEW) {
      spec.width = Math.max(MIN_VIEW, spec.width - excess);
      changed = true;
    }
    return changed;
  }

  // Stacked wide panels grow with a wide column, like a single view does.
  function grow(spec, extra) {
    var changed = false;
    (spec.vconcat || []).forEach(function (child) {
      if (isNum(child.width) && child.width >= WIDE) { child.width += extra; changed = true; }
    });
    return changed;
  }

  function available(view) {
    return Math.floor(view.getBoundingClientRect().width);
  }

  function drawnWidth(view) {
    var svg = view.querySelector("svg");
    return svg ? parseFloat(svg.getAttribute("width")) || svg.getBoundingClientRect().width : 0;
  }

  function draw(fig, view, spec, avail, tries) {
    if (fig._atlasResult) fig._atlasResult.finalize();
    return window.vegaEmbed(view, spec, OPTIONS).then(function (result) {
      fig._atlasResult = result;
      var natural = drawnWidth(view);
      if (tries > 0 && natural > avail + 0.5 && shrink(spec, Math.ceil(natural - avail), natural, avail)) {
        return draw(fig, view, spec, avail, tries - 1);
      }
      if (tries > 0 && natural < avail - 8 && grow(spec, Math.floor(avail - natural))) {
        return draw(fig, view, spec, avail, tries - 1);
      }
      return result;
    });
  }

  function fitted(original, avail) {
    var spec = clone(original);
    floorFonts(spec);
    if (avail < NARROW) narrowLayout(spec, avail);
    if (!isComposite(spec) && isNum(spec.width) && spec.width >= WIDE) {
      spec.width = "container";
      spec.autosize = { type: "fit-x", contains: "padding" };
    }
    return spec;
  }

  function embed(fig) {
    var view = fig.querySelector(".atlas-figure-view");
    var avail = available(view);
    fig._atlasWidth = avail;
    var spec = fitted(fig._atlasSpec, avail);
    fig._atlasFollows = spec.width === "container" && avail >= NARROW;
    return draw(fig, view, spec, avail, 4);
  }

  function embedAll() {
    var figs = document.querySelectorAll("figure.atlas-figure:not([data-embedded])");
    Array.prototype.forEach.call(figs, function (fig) {
      var view = fig.querySelector(".atlas-figure-view");
      if (typeof window.vegaEmbed !== "function") {
        fig.setAttribute("data-embedded", "failed");
        showStatic(fig, view);
        return;
      }
      fig.setAttribute("data-embedded", "pending");
      specOf(fig).then(function (spec) {
        fig._atlasSpec = spec;
        return embed(fig);
      }).then(function () {
        fig.setAttribute("data-embedded", "yes");
      }).catch(function (err) {
        fig.setAttribute("data-embedded", "failed");
        showStatic(fig, view);
        console.warn("atlas figure " + fig.id + ": showing the static SVG:", err);
      });
    });
  }

  // Refit drawn figures whose column changed width (a rotated phone, a resized window).
  var pending = null;
  function refitAll() {
    var figs = document.querySelectorAll("figure.atlas-figure[data-embedded='yes']");
    Array.prototype.forEach.call(figs, function (fig) {
      var avail = available(fig.querySelector(".atlas-figure-view"));
      if (Math.abs(avail - fig._atlasWidth) < 8 || (fig._atlasFollows && avail >= NARROW)) return;
      embed(fig).catch(function (err) { console.warn("atlas figure " + fig.id + ":", err); });
    });
  }
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(refitAll, 150);
  });

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(embedAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", embedAll);
  } else {
    embedAll();
  }
})();
"""

LOADER_JS = (
    _TEMPLATE.replace("__FILL_WIDTH__", str(FILL_WIDTH))
    .replace("__MIN_VIEW_WIDTH__", str(MIN_VIEW_WIDTH))
    .replace("__NARROW_COLUMN__", str(NARROW_COLUMN))
    .replace("__MIN_FONT_SIZE__", str(MIN_FONT_SIZE))
)
