"""repo_url: ATLAS_REPO_URL, else `git remote get-url origin` (normalised), else none, and
never a placeholder or a credential on a page."""

from __future__ import annotations

from pathlib import Path

import pytest

from persona_atlas.errors import ConfigError
from persona_atlas.site.build import BuildOptions, build_site
from persona_atlas.site.repo_url import (
    ENV_VAR,
    normalise_remote,
    resolve_repo_url,
    with_repo_url,
)
from tests.site.sitekit import REPO_URL, git, make_site


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        ("git@github.com:org/repo.git", "https://github.com/org/repo"),
        ("git@github.com:org/repo", "https://github.com/org/repo"),
        ("https://github.com/org/repo.git", "https://github.com/org/repo"),
        ("https://github.com/org/repo/", "https://github.com/org/repo"),
        (
            "https://x-access-token:ghs_SECRET@github.com/org/repo.git",
            "https://github.com/org/repo",
        ),
        ("ssh://git@github.com/org/repo.git", "https://github.com/org/repo"),
        (
            "ssh://git@gitlab.example.org:2222/group/sub/repo.git",
            "https://gitlab.example.org/group/sub/repo",
        ),
        ("git://GitHub.com/org/repo.git", "https://github.com/org/repo"),
        ("/srv/git/repo.git", None),  # a local path is not browsable
        ("file:///srv/git/repo.git", None),
        ("../sibling", None),
        ("https://github.com/org", None),  # no repository in the path
        ("https://github.com/org/repo?x=1", None),
        ('https://github.com/org/re"po', None),
        ("https://github.com/org/../../evil", None),
    ],
)
def test_remote_forms_normalise_to_a_browsable_https_url(remote: str, url: str | None) -> None:
    assert normalise_remote(remote) == url


def _repo(tmp_path: Path, remote: str | None) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    if remote:
        git(root, "remote", "add", "origin", remote)
    return root


def test_the_git_remote_gives_the_url(tmp_path: Path) -> None:
    root = _repo(tmp_path, "git@github.com:group/atlas.git")
    assert resolve_repo_url(root, environ={}) == "https://github.com/group/atlas"


def test_the_setting_wins_over_the_remote(tmp_path: Path) -> None:
    root = _repo(tmp_path, "git@github.com:someone/fork.git")
    env = {ENV_VAR: "https://github.com/group/atlas.git"}
    assert resolve_repo_url(root, environ=env) == "https://github.com/group/atlas"


def test_neither_gives_no_url(tmp_path: Path) -> None:
    assert resolve_repo_url(_repo(tmp_path, None), environ={}) is None
    assert resolve_repo_url(tmp_path / "not-a-checkout-either", environ={}) is None


@pytest.mark.parametrize(
    "value", ["github.com/org/repo", "ftp://host/org/repo", "https://u:CANARY@github.com/o/r"]
)
def test_a_bad_setting_is_a_one_line_error(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match=ENV_VAR) as exc:
        resolve_repo_url(_repo(tmp_path, None), environ={ENV_VAR: value})
    assert "CANARY" not in str(exc.value)  # a credential is never echoed


def test_mkdocs_yml_may_not_set_repo_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"mkdocs\.yml sets repo_url"):
        with_repo_url({"repo_url": "https://github.com/placeholder/x"}, tmp_path)


def test_the_committed_mkdocs_yml_has_no_placeholder() -> None:
    from tests.site.sitekit import ROOT

    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert not any(line.startswith("repo_url:") for line in text.splitlines())


def test_pages_pin_links_to_the_remote_and_the_header_links_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    root = make_site(tmp_path)  # origin: sitekit.REMOTE
    build_site(BuildOptions(root=root, lint=False))
    page = (root / "site" / "issue-201" / "index.html").read_text(encoding="utf-8")
    commit = git(root, "rev-parse", "HEAD")
    assert f"{REPO_URL}/blob/{commit}/results/issue-201/result.json" in page
    assert f'<a href="{REPO_URL}" title="' in page  # the header's repository link
    assert "persona-atlas/persona-atlas" not in page  # the old placeholder


def test_a_credential_in_the_remote_never_reaches_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    root = make_site(tmp_path)
    git(root, "remote", "set-url", "origin", "https://bot:ghp_CANARYTOKEN@github.com/g/a.git")
    build_site(BuildOptions(root=root, lint=False))
    for f in (root / "site").rglob("*"):
        if f.is_file():
            assert b"CANARYTOKEN" not in f.read_bytes(), f
    assert (
        "https://github.com/g/a/blob/" in (root / "site" / "issue-201" / "index.html").read_text()
    )


def test_without_a_url_no_link_is_pinned_and_no_placeholder_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    root = make_site(tmp_path)
    git(root, "remote", "remove", "origin")
    build_site(BuildOptions(root=root, lint=False))
    page = (root / "site" / "issue-201" / "index.html").read_text(encoding="utf-8")
    assert "/blob/" not in page and "/tree/" not in page
    assert "<code>results/issue-201/result.json</code>" in page  # listed, not linked
    assert 'class="md-source"' not in page  # no repository link in the header
    assert "No repository address is known" in page  # and it says why
    assert "not committed yet" not in page
