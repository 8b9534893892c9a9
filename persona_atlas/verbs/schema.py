"""Print or write the JSON Schemas of result.json and run.json (``schemas/``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from persona_atlas.files import atomic_write_text
from persona_atlas.schema import json_schemas

HELP = "print or regenerate the committed JSON Schemas (and docs/configuration.md, docs/kinds.md)"
CONFIG_DOC = Path("docs/configuration.md")
KINDS_DOC = Path("docs/kinds.md")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--write", action="store_true", help="write them into --out")
    p.add_argument("--out", type=Path, default=Path("schemas"), help="folder (default: schemas)")


def render() -> dict[str, str]:
    """Generated files: the JSON Schemas (schemas/) and the config reference (docs/)."""
    return {
        name: json.dumps(s, indent=2, sort_keys=True) + "\n" for name, s in json_schemas().items()
    }


def run(args: argparse.Namespace) -> int:
    from persona_atlas.config_docs import configuration_markdown
    from persona_atlas.kinds.docs import kinds_markdown

    for name, text in render().items():
        if args.write:
            atomic_write_text(args.out / name, text)
            print(f"wrote {args.out / name}")
        else:
            print(f"// {name}\n{text}")
    if args.write:
        for path, text in ((CONFIG_DOC, configuration_markdown()), (KINDS_DOC, kinds_markdown())):
            atomic_write_text(path, text)
            print(f"wrote {path}")
    return 0
