"""The one ``atlas`` command. Each verb is a small module in ``persona_atlas.verbs``
exposing ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; the logic lives in
the library so tests call the same code. An ``AtlasError`` is printed as one line without
a traceback; so are a schema violation and an unopenable file that no ``AtlasError`` caught
(``user_error``). Anything else is a bug and keeps its traceback.
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
    except Exception as exc:
        message = user_error(exc)
        if message is None:
            raise  # a bug: keep the traceback
        print(f"atlas {args.verb}: error: {message}", file=sys.stderr)
        return 2


def user_error(exc: BaseException) -> str | None:
    """One line for an error a user's input or machine caused but no ``AtlasError`` named:
    a value the schema refuses (key path, what was given and the allowed values) or a file
    that cannot be opened (its path and why). None for anything else."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror.lower()}"
    core = sys.modules.get("pydantic_core")  # not loaded: it cannot be a ValidationError
    if core is not None and isinstance(exc, core.ValidationError):
        from pydantic import BaseModel

        from persona_atlas import config, schema
        from persona_atlas.validation import describe_error

        model = getattr(schema, exc.title, None) or getattr(config, exc.title, None)
        known = isinstance(model, type) and issubclass(model, BaseModel)
        return f"invalid {exc.title}: {describe_error(exc, model if known else None)}"
    return None


if __name__ == "__main__":
    sys.exit(main())
