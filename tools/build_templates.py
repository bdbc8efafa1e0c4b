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
    templates = all_templates()
    names = (argv if argv is not None else sys.argv[1:]) or list(templates)
    unknown = [n for n in names if n not in templates]
    if unknown:
        print(f"unknown template(s): {', '.join(unknown)}; known: {', '.join(templates)}", file=sys.stderr)
        return 2
    for name in names:
        path = templates[name](OUT_DIR / f"{name}.docx")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
