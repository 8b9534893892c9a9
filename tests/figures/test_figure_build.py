"""build_figures writes spec/SVG/PNG/meta atomically and idempotently; figure_is_stale
tells a data change from an unrelated one; the `atlas figures` verb drives the same code."""

from __future__ import annotations

import copy
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from figure_fixtures import write_result

from persona_atlas.cli import main
from persona_atlas.errors import AtlasError, InputFileError
from persona_atlas.figures import build_figures, data_hash, figure_is_stale
from persona_atlas.figures.render import stable_ids
from persona_atlas.files import sha256_file
from persona_atlas.schema import ResultFile, save

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

META_KEYS = {"spec_sha256", "data_sha256", "result_sha256", "commit", "chart", "caption"}


@pytest.fixture
def stored_dir(tmp_path: Path, stored_doc: dict[str, Any]) -> Path:
    return write_result(tmp_path, stored_doc, "issue-200")


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.iterdir())}


def test_writes_four_files_per_figure_with_meta(stored_dir: Path) -> None:
    written = build_figures(stored_dir)
    figures = stored_dir / "figures"
    names = ["cosine_matrix_A_layer_20", "direction_vs_structure", "per_persona_cos"]
    suffixes = [".meta.json", ".png", ".svg", ".vl.json"]
    assert sorted(p.name for p in written) == sorted(n + s for n in names for s in suffixes)
    for name in names:
        meta = json.loads((figures / f"{name}.meta.json").read_text())
        spec = json.loads((figures / f"{name}.vl.json").read_text())
        assert set(meta) == META_KEYS
        assert meta["spec_sha256"] == sha256_file(figures / f"{name}.vl.json")
        assert meta["data_sha256"] == data_hash(spec)
        assert meta["result_sha256"] == sha256_file(stored_dir / "result.json")
        assert (figures / f"{name}.svg").read_bytes().startswith(b"<svg")
        assert (figures / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert not list(figures.glob(".*partial"))
    assert json.loads((figures / "per_persona_cos.meta.json").read_text())["chart"] == (
        "per_persona_cos"
    )


def test_rerun_rewrites_nothing_and_output_is_deterministic(
    stored_dir: Path, tmp_path: Path, stored_doc: dict[str, Any]
) -> None:
    build_figures(stored_dir)
    before = snapshot(stored_dir / "figures")
    assert build_figures(stored_dir) == []
    assert snapshot(stored_dir / "figures") == before
    # A fresh build elsewhere produces byte-identical spec and SVG.
    other = write_result(tmp_path / "other", stored_doc, "issue-200")
    build_figures(other)
    for name, (_, data) in before.items():
        if name.endswith((".vl.json", ".svg")):
            assert (other / "figures" / name).read_bytes() == data, name


def test_svg_ids_do_not_depend_on_earlier_renders() -> None:
    svg = '<linearGradient id="gradient_7"/><path fill="url(#gradient_7)"/><g id="clip12"/>'
    svg += '<path fill="url(#gradient_9)" clip-path="url(#clip12)"/><x id="gradient_9"/>'
    assert stable_ids(svg) == (
        '<linearGradient id="gradient_0"/><path fill="url(#gradient_0)"/><g id="clip0"/>'
        '<path fill="url(#gradient_1)" clip-path="url(#clip0)"/><x id="gradient_1"/>'
    )


def test_caption_comes_from_the_report(stored_dir: Path) -> None:
    (stored_dir / "report.md").write_text(
        '{{ figure("per_persona_cos", "Each dot is a persona; \\"A\\" vs B.") }}\n'
    )
    build_figures(stored_dir, only=["per_persona_cos"])
    meta = json.loads((stored_dir / "figures" / "per_persona_cos.meta.json").read_text())
    assert meta["caption"] == 'Each dot is a persona; "A" vs B.'
    # A caption change refreshes the sidecar only.
    (stored_dir / "report.md").write_text("{{ figure('per_persona_cos', 'New words.') }}\n")
    assert [p.name for p in build_figures(stored_dir, only=["per_persona_cos"])] == [
        "per_persona_cos.meta.json"
    ]


def test_only_unknown_name_is_an_error(stored_dir: Path) -> None:
    with pytest.raises(AtlasError, match=r"no figure named 'verdict_partition'") as err:
        build_figures(stored_dir, only=["verdict_partition"])
    assert "per_persona_cos" in str(err.value.hint)


def test_staleness_follows_the_data_not_the_bytes(stored_dir: Path) -> None:
    build_figures(stored_dir)
    result_path = stored_dir / "result.json"
    meta = stored_dir / "figures" / "direction_vs_structure.meta.json"
    assert figure_is_stale(meta, result_path) is None

    doc = json.loads(result_path.read_text())
    doc["provenance"]["created"] = "2030-01-01T00:00:00Z"  # not drawn by any figure
    save(result_path, ResultFile.model_validate(doc))
    assert figure_is_stale(meta, result_path) is None

    changed = copy.deepcopy(doc)
    changed["tables"]["layers"]["rows"][0][7] = 0.123  # cos_min at layer 10
    save(result_path, ResultFile.model_validate(changed))
    reason = figure_is_stale(meta, result_path)
    assert reason is not None and "the data it draws changed" in reason
    cosine = stored_dir / "figures" / "cosine_matrix_A_layer_20.meta.json"
    assert figure_is_stale(cosine, result_path) is None  # its matrix did not change

    del changed["metrics"]["cosine_matrices"]
    save(result_path, ResultFile.model_validate(changed))
    assert "no longer produces this figure" in str(figure_is_stale(cosine, result_path))


def test_staleness_of_damaged_figure_files(stored_dir: Path) -> None:
    build_figures(stored_dir)
    figures, result_path = stored_dir / "figures", stored_dir / "result.json"
    spec = figures / "per_persona_cos.vl.json"
    spec.write_text(spec.read_text().replace("Per-persona", "Edited"))
    assert "spec bytes differ" in str(
        figure_is_stale(figures / "per_persona_cos.meta.json", result_path)
    )
    (figures / "direction_vs_structure.svg").unlink()
    reason = figure_is_stale(figures / "direction_vs_structure.meta.json", result_path)
    assert reason is not None and reason.endswith("direction_vs_structure.svg: missing")
    assert "missing" in str(figure_is_stale(figures / "nothing.meta.json", result_path))
    (figures / "bad.meta.json").write_text('{"chart": "x"}')
    with pytest.raises(InputFileError, match=r"not a figure meta\.json"):
        figure_is_stale(figures / "bad.meta.json", result_path)


def test_missing_required_table_fails_the_build(tmp_path: Path, stored_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(stored_doc)
    doc["kind"] = "recipe-comparison"
    del doc["tables"]["layers"]
    folder = write_result(tmp_path, doc, "issue-9")
    with pytest.raises(
        InputFileError, match=r"figure 'verdict_partition': .* has no `tables.cells`"
    ):
        build_figures(folder)


def test_verb_builds_lists_and_reports_errors(
    stored_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = stored_dir.parent
    assert main(["figures", "--root", str(root)]) == 0
    assert "3 figure(s) updated" in capsys.readouterr().out
    assert main(["figures", str(stored_dir)]) == 0
    assert "0 figure(s) updated" in capsys.readouterr().out
    assert main(["figures", str(stored_dir), "--list"]) == 0
    assert "cosine_matrix_A_layer_20\tcosine_matrix" in capsys.readouterr().out
    assert main(["figures", str(root / "issue-404")]) == 2
    assert "no result.json here" in capsys.readouterr().err


def png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(png):
        (size,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + size]
        (crc,) = struct.unpack(">I", png[pos + 8 + size : pos + 12 + size])
        assert crc == zlib.crc32(kind + body), kind
        chunks.append((kind, body))
        pos += 12 + size
    return chunks


def test_png_recompression_keeps_every_pixel(stored_doc: dict[str, Any]) -> None:
    import vl_convert

    from persona_atlas.figures import registry, render

    result = ResultFile.model_validate(stored_doc)
    spec = render.to_spec(registry.CHARTS["per_persona_cos"](result, "per_persona_cos"))
    raw = bytes(vl_convert.vegalite_to_png(spec, vl_version=render.vl_version(), scale=1.5))
    ours = render.render_png(spec)

    def pixels(png: bytes) -> bytes:
        return zlib.decompress(b"".join(b for k, b in png_chunks(png) if k == b"IDAT"))

    assert pixels(ours) == pixels(raw)
    assert [k for k, _ in png_chunks(ours)] == [b"IHDR", b"pHYs", b"IDAT", b"IEND"]
    assert len(ours) < len(raw) / 2
