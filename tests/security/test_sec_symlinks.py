"""Links in a result folder never publish, hash or list what they point at.

A pull request can commit a symbolic link (``figures/leak.txt -> /etc/passwd``, a link to a
huge directory, a result folder that is itself a link). ``atlas build`` refuses each with an
error naming the link, before anything is read through it, and leaves the old site alone.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from persona_atlas.errors import InputFileError, ReportError
from persona_atlas.schema import load_result
from persona_atlas.site.artifacts import collect_artifacts
from persona_atlas.site.build import BuildOptions, build_site
from tests.site.sitekit import make_site

SECRET = "TOP-SECRET-CANARY-7f3a"


def _build(root: Path) -> None:
    build_site(BuildOptions(root=root, lint=False))


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text(f"root:x:0:0:{SECRET}\n")
    return secret


def _assert_nothing_leaked(root: Path, message: str) -> None:
    assert SECRET not in message
    for f in root.rglob("*"):
        if f.is_file() and not f.is_symlink() and "outside" not in f.parts:
            assert SECRET not in f.read_text(errors="replace"), f


def test_link_to_a_file_outside_is_refused_and_the_site_kept(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    _build(root)
    before = (root / "site" / "index.html").read_text()
    leak = root / "results" / "issue-201" / "figures" / "leak.txt"
    leak.symlink_to(_secret(tmp_path))
    with pytest.raises(
        InputFileError, match=r"issue-201/figures/leak.txt: is a symbolic link"
    ) as e:
        _build(root)
    _assert_nothing_leaked(root, str(e.value))
    assert (root / "site" / "index.html").read_text() == before
    assert not list(root.glob("site.partial-*"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "repo"]


def test_link_to_a_huge_directory_fails_at_once(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    (root / "results" / "issue-201" / "inputs").symlink_to("/")
    start = time.perf_counter()
    with pytest.raises(InputFileError, match=r"issue-201/inputs: is a symbolic link"):
        _build(root)
    assert time.perf_counter() - start < 5  # nothing behind the link was walked or hashed
    assert not (root / "site").exists()


def test_a_link_inside_the_repository_is_refused_too(tmp_path: Path) -> None:
    # .git/config, a local .env: a link that stays in the repository can still publish
    root = make_site(tmp_path)
    (root / "results" / "issue-201" / "config.txt").symlink_to(root / ".git" / "config")
    with pytest.raises(InputFileError, match=r"issue-201/config.txt: is a symbolic link"):
        _build(root)


@pytest.mark.parametrize("what", ["report", "folder"])
def test_linked_report_or_result_folder_is_refused(tmp_path: Path, what: str) -> None:
    root = make_site(tmp_path)
    real = tmp_path / "elsewhere"
    (root / "results" / "issue-218").rename(real)
    if what == "folder":
        (root / "results" / "issue-218").symlink_to(real)
        pattern = r"results/issue-218: is a symbolic link"
    else:
        (root / "results" / "issue-218").mkdir()
        (root / "results" / "issue-218" / "report.md").symlink_to(real / "report.md")
        pattern = r"issue-218/report.md: is a symbolic link"
    with pytest.raises(InputFileError, match=pattern):
        _build(root)
    assert not (root / "site").exists()


def test_result_folder_linked_within_the_repository_run_from_its_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(tmp_path)
    (root / "results" / "issue-218").rename(root / "elsewhere")
    (root / "results" / "issue-218").symlink_to("../elsewhere")
    monkeypatch.chdir(root)  # messages show paths relative to here, never resolved ones
    with pytest.raises(InputFileError, match=r"^results/issue-218: is a symbolic link"):
        _build(root)
    (root / "results" / "issue-218").unlink()
    (root / "elsewhere").rename(root / "results" / "issue-218")
    (root / "results").rename(root / "kept")
    (root / "results").symlink_to("kept")
    with pytest.raises(InputFileError, match=r"^results: is a symbolic link"):
        _build(root)


def test_results_folder_linked_out_of_the_repository(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    (root / "results").rename(tmp_path / "results-outside")
    (root / "results").symlink_to(tmp_path / "results-outside")
    with pytest.raises(InputFileError, match=r"results: resolves to .* outside the repository"):
        _build(root)


def test_artifacts_listing_never_hashes_through_a_link(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    d = root / "results" / "issue-201"
    (d / "leak.txt").symlink_to(_secret(tmp_path))
    with pytest.raises(InputFileError, match=r"leak.txt: is a symbolic link") as e:
        collect_artifacts(
            d, root, load_result(d / "result.json"), repo_url=None, commit=None, uncommitted=set()
        )
    assert SECRET not in str(e.value)


def test_special_file_is_refused(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    os.mkfifo(root / "results" / "issue-201" / "figures" / "pipe.svg")  # a reader would hang
    with pytest.raises(InputFileError, match=r"pipe.svg: is not a regular file"):
        _build(root)


def test_only_figure_files_are_published(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    figures = root / "results" / "issue-201" / "figures"
    (figures / "evil.html").write_text("<script>alert(1)</script>")
    (figures / "nested").mkdir()
    (figures / "nested" / "x.svg").write_text("<svg/>")
    _build(root)
    published = {p.name for p in (root / "site" / "issue-201" / "figures").iterdir()}
    assert published == {"scatter.vl.json", "scatter.svg", "scatter.meta.json"}


def test_svg_with_script_is_refused(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    svg = root / "results" / "issue-201" / "figures" / "scatter.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    with pytest.raises(ReportError, match=r"scatter.svg: SVG with active content"):
        _build(root)
    assert not (root / "site").exists()
