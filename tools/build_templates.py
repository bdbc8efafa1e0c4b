"""Build docgen's Word templates into templates_docx/ (reproducible: same input, same bytes).

    python tools/build_templates.py            # all templates
    python tools/build_templates.py plan       # only the named ones

Each template is a docxtpl document: Jinja2 tags written as text inside the .docx. The variables a
template uses are the contract with the kind's context builder (e.g. docgen.kinds.plan.plan_context);
``docgen templates check`` verifies them against the bundled examples. The builders live in
tools/tpl_*.py, one module per document family, each exporting TEMPLATES = {name: builder}.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

ROOT = HERE.parent
OUT_DIR = ROOT / "templates_docx"


def all_templates() -> dict[str, Callable[[Path], Path]]:
    found: dict[str, Callable[[Path], Path]] = {}
    for module_path in sorted(HERE.glob("tpl_*.py")):
        found.update(importlib.import_module(module_path.stem).TEMPLATES)
    return found


def main(argv: list[str] | None = None) -> int:
    from _build_cli import run_builders

    return run_builders(all_templates(), argv, out_dir=OUT_DIR, default_dir=OUT_DIR, suffix=".docx")


if __name__ == "__main__":
    raise SystemExit(main())
