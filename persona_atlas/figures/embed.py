"""Interactive figures on a page with no CDN: vendored Vega scripts and the HTML snippet.

``write_vendor_assets(dest)`` writes two scripts the page includes, in order:

* ``vega-bundle.js`` — vega + vega-lite + vega-embed (with tooltips) as one file, from
  ``vl_convert.javascript_bundle()`` for the Vega-Lite version altair writes. The built bundle
  ships in ``persona_atlas/figures/vendor/`` with a stamp of its versions; when the
  installed vl-convert differs, it is rebuilt (a few seconds) instead of copied.
* ``atlas-figures.js`` (:mod:`.loader`) — finds every ``<figure class="atlas-figure">`` that
  :func:`embed_html` produced and embeds its spec, fitted to the column's width (phones
  included); re-runs on MkDocs-Material's instant navigation (``document$``) when present.

Without JavaScript the static SVG shows (``<noscript>``); if embedding fails, the loader shows it.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from persona_atlas.figures.loader import LOADER_JS
from persona_atlas.files import atomic_write_text, sha256_bytes

VENDOR_DIR = Path(__file__).resolve().parent / "vendor"
BUNDLE = "vega-bundle.js"
LOADER = "atlas-figures.js"
STAMP = "vega-bundle.json"


def bundle_versions() -> dict[str, str]:
    """Versions the installed vl-convert bundles (what the stamp must match)."""
    import vl_convert

    from persona_atlas.figures.render import vl_version

    return {
        "vl_convert": str(getattr(vl_convert, "__version__", "unknown")),
        "vega": vl_convert.get_vega_version(),
        "vega_lite": vl_version(),
        "vega_embed": vl_convert.get_vega_embed_version(),
    }


def build_bundle() -> str:
    """The vega/vega-lite/vega-embed bundle, wrapped so its top-level names stay private."""
    import vl_convert

    from persona_atlas.figures.render import vl_version

    body = vl_convert.javascript_bundle(None, vl_version())  # type: ignore[arg-type]
    # The bundle declares top-level consts (``const n=...``); in a classic script those would
    # collide with any other script's globals. Its default snippet sets window.vegaEmbed etc.
    return f"/* vega, vega-lite, vega-embed: bundled by vl-convert */\n(function () {{\n{body}\n}})();\n"


def vendored_bundle() -> str:
    """The shipped bundle when its stamp matches the installed vl-convert, else a fresh one."""
    stamp_path, bundle_path = VENDOR_DIR / STAMP, VENDOR_DIR / BUNDLE
    if stamp_path.exists() and bundle_path.exists():
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        text = bundle_path.read_text(encoding="utf-8")
        if stamp.get("versions") == bundle_versions() and stamp.get("sha256") == sha256_bytes(
            text.encode()
        ):
            return text
    return build_bundle()


def refresh_vendor_dir() -> Path:
    """Rebuild the shipped bundle and its stamp (after upgrading vl-convert)."""
    text = build_bundle()
    atomic_write_text(VENDOR_DIR / BUNDLE, text)
    stamp = {"versions": bundle_versions(), "sha256": sha256_bytes(text.encode())}
    atomic_write_text(VENDOR_DIR / STAMP, json.dumps(stamp, indent=2) + "\n")
    for name in (BUNDLE, STAMP):
        (VENDOR_DIR / name).chmod(0o644)
    return VENDOR_DIR / BUNDLE


def write_vendor_assets(dest_dir: Path, *, relative_to: Path | None = None) -> list[str]:
    """Write the page scripts into ``dest_dir``; return their paths (POSIX, in include
    order) relative to ``relative_to`` (default ``dest_dir`` itself). Unchanged files are
    not rewritten."""
    dest_dir = Path(dest_dir)
    out = []
    for name, text in ((BUNDLE, vendored_bundle()), (LOADER, LOADER_JS)):
        target = dest_dir / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            atomic_write_text(target, text)
            target.chmod(0o644)  # served to browsers; temp files are created 0600
        base = Path(relative_to) if relative_to is not None else dest_dir
        out.append(target.resolve().relative_to(base.resolve()).as_posix())
    return out


def embed_html(
    name: str,
    spec_path_relative: str,
    svg_path_relative: str,
    caption: str,
    *,
    spec: dict[str, Any] | None = None,
) -> str:
    """The ``<figure>`` a page uses for one figure.

    ``atlas-figures.js`` draws the interactive Vega-Embed view (tooltips) into it, fitted
    to the column; links to the SVG and the spec sit under the caption. The static SVG
    sits in ``<noscript>``, so readers without JavaScript see it and readers with
    JavaScript never download it; if embedding fails, the loader puts the SVG
    in place instead (``data-svg``). The spec is fetched from ``spec_path_relative``, or
    read from an inline ``<script type="application/json">`` when ``spec`` is given (pages
    opened from disk, where browsers refuse to fetch local files). One HTML block without
    blank lines, so it can sit in Markdown as-is.
    """
    e = html.escape
    img = (
        f'<img class="atlas-figure-static" src="{e(svg_path_relative)}" alt="{e(caption)}" '
        'style="max-width:100%;height:auto">'
    )
    parts = [
        f'<figure class="atlas-figure" id="fig-{e(name)}" data-figure="{e(name)}" '
        f'data-vl-spec="{e(spec_path_relative)}" data-svg="{e(svg_path_relative)}">',
        '<div class="atlas-figure-view"></div>',
        f"<noscript>{img}</noscript>",
    ]
    if spec is not None:
        inline = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        parts.append(
            '<script type="application/json" class="atlas-figure-spec">'
            + inline.replace("</", "<\\/")
            + "</script>"
        )
    parts.append(f"<figcaption>{e(caption)}</figcaption>")
    # Vega-Embed's actions menu is off (it covered legends); the files are plain links.
    parts.append(
        f'<div class="atlas-figure-links"><a href="{e(svg_path_relative)}">SVG</a> · '
        f'<a href="{e(spec_path_relative)}">Vega-Lite spec</a></div>'
    )
    parts.append("</figure>")
    return "\n".join(parts)
