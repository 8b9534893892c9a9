"""The repository URL that commit-pinned links point at.

One precedence order (README, "Repository links"):

1. ``ATLAS_REPO_URL``, when set: an ``https://`` (or ``http://``) address of the repository;
2. otherwise ``git remote get-url origin``, normalised from its ssh or https form
   (``git@github.com:org/repo.git`` → ``https://github.com/org/repo``);
3. otherwise none: pages list their files without links and say why.

``mkdocs.yml`` does not set ``repo_url``: a value committed there was a placeholder that every
clone published. Credentials in a remote (``https://user:token@host/...``) never reach a page.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from persona_atlas.errors import ConfigError

ENV_VAR = "ATLAS_REPO_URL"

# host and path of a browsable repository: no spaces, quotes, angle brackets or queries
_HOST = re.compile(r"^[A-Za-z0-9.-]+$")
_PATH = re.compile(r"^[A-Za-z0-9._~/-]+$")
# scp-like ssh form: [user@]host:path (no scheme, no slash before the colon)
_SCP = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^/:]+):(?P<path>(?!/).+)$")


def normalise_remote(remote: str) -> str | None:
    """``https://host/owner/repo`` for an ssh, git or http(s) remote; None for anything else
    (a local path, a file:// URL, an address with odd characters)."""
    remote = remote.strip()
    m = _SCP.match(remote)
    if m and "://" not in remote:
        host, path = m["host"], m["path"]
    else:
        parts = urlsplit(remote)
        if parts.scheme not in ("https", "http", "ssh", "git", "git+ssh", "ssh+git"):
            return None
        if parts.query or parts.fragment:
            return None
        host, path = parts.hostname or "", parts.path
    path = path.strip("/").removesuffix(".git").strip("/")
    if not host or not path or "/" not in path or ".." in path.split("/"):
        return None
    if not (_HOST.match(host) and _PATH.match(path)):
        return None
    return f"https://{host.lower()}/{path}"


def from_setting(value: str) -> str:
    """The ``ATLAS_REPO_URL`` value, checked: an http(s) address without credentials."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(
            f"{ENV_VAR}={value!r}: not an http(s) address of a repository",
            hint=f"set {ENV_VAR} to e.g. https://github.com/org/repo, or unset it to use "
            "the git remote",
        )
    if parts.username or parts.password:
        raise ConfigError(
            f"{ENV_VAR}: the address holds credentials",
            hint="give the repository's public address; pages must never carry a token",
        )
    normalised = normalise_remote(value)
    if normalised is None:
        raise ConfigError(
            f"{ENV_VAR}={value!r}: expected https://host/owner/repo",
            hint=f"set {ENV_VAR} to the repository's address, or unset it",
        )
    return normalised if parts.scheme == "https" else "http" + normalised.removeprefix("https")


def origin_url(root: Path) -> str | None:
    """``git remote get-url origin`` in ``root``, or None (no checkout, no origin)."""
    try:
        out = subprocess.run(
            ["git", "remote", "get-url", "origin"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def resolve_repo_url(root: Path, environ: dict[str, str] | None = None) -> str | None:
    """The repository URL by the precedence above, or None when there is none."""
    env = os.environ if environ is None else environ
    setting = env.get(ENV_VAR, "").strip()
    if setting:
        return from_setting(setting)
    remote = origin_url(root)
    return normalise_remote(remote) if remote else None


def with_repo_url(mk: dict[str, Any], root: Path) -> tuple[dict[str, Any], str | None]:
    """``mk`` with ``repo_url`` set to the resolved URL (or removed), and that URL.

    The builder's header link and the pages' pinned links then name the same repository.
    """
    if mk.get("repo_url"):
        raise ConfigError(
            "mkdocs.yml sets repo_url; it is taken from the git remote instead",
            hint=f"remove repo_url from mkdocs.yml; set {ENV_VAR} to override the remote",
        )
    url = resolve_repo_url(root)
    config = {k: v for k, v in mk.items() if k != "repo_url"}
    if url:
        config["repo_url"] = url
    return config, url
