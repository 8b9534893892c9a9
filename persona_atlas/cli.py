"""The one ``atlas`` command. Each verb is a small module in ``persona_atlas.verbs``
exposing ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; the logic lives in
the library so tests call the same code.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from persona_atlas import __version__, verbs
from persona_atlas.errors import AtlasError


def _verb_modules() -> dict[str, ModuleType]:
    found = {}
    for info in pkgutil.iter_modules(verbs.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"persona_atlas.verbs.{info.name}")
        found[getattr(mod, "NAME", info.name)] = mod
    return dict(sorted(found.items()))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="atlas",
        description="persona-atlas: extract persona vectors, analyse them, publish linted reports.",
    )
    parser.add_argument("--version", action="version", version=f"persona-atlas {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for name, mod in _verb_modules().items():
        p = sub.add_parser(name, help=mod.HELP, description=mod.__doc__)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except AtlasError as exc:
        print(f"atlas {args.verb}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"atlas {args.verb}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
