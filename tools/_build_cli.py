"""The command line every template builder shares: build the named templates (all by default) into a folder
and say where each went; an unknown name is a usage error (exit 2)."""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def run_builders(builders: dict[str, Callable[[Path], Path]], argv: list[str] | None, *, out_dir: Path,
                 default_dir: Path, suffix: str) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or list(builders)
    unknown = [n for n in names if n not in builders]
    if unknown:
        print(f"unknown template(s): {', '.join(unknown)}; known: {', '.join(builders)}", file=sys.stderr)
        return 2
    for name in names:
        path = builders[name](out_dir / f"{name}{suffix}")
        print(f"wrote {path.relative_to(default_dir.parent) if out_dir == default_dir else path}")
    return 0
