"""The package's layering, checked on the source (docs/facts.md, README 开发): dependencies point one
way — cli/watch/serve → kinds (documents) → metrics (figures) → facts → archive, render and search beside
them — and no module reaches into another package's private (`_`) module. Imports inside functions
count too: hiding an upward import in a function does not make it go away."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "docgen"

# module prefix -> the docgen modules it must never import (at any level)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "docgen.facts": ("docgen.kinds", "docgen.metrics", "docgen.pipeline", "docgen.render", "docgen.search",
                     "docgen.watch", "docgen.inputs", "docgen.cli", "docgen.computed", "docgen.demo"),
    "docgen.metrics": ("docgen.kinds", "docgen.pipeline", "docgen.render", "docgen.watch", "docgen.cli",
                       "docgen.computed", "docgen.demo"),
    "docgen.render": ("docgen.pipeline", "docgen.kinds", "docgen.metrics", "docgen.watch", "docgen.cli",
                      "docgen.computed", "docgen.demo"),
    "docgen.archive": ("docgen.facts", "docgen.kinds", "docgen.metrics", "docgen.pipeline", "docgen.render",
                       "docgen.search", "docgen.watch", "docgen.cli", "docgen.computed", "docgen.demo"),
    "docgen.kinds": ("docgen.cli", "docgen.watch", "docgen.computed", "docgen.demo"),
    "docgen.fields": ("docgen.kinds", "docgen.metrics", "docgen.facts", "docgen.pipeline"),
    "docgen.numbers": ("docgen.kinds", "docgen.metrics", "docgen.facts", "docgen.pipeline"),
    "docgen": ("docgen.cli",),  # nothing imports the command line
}
# the auditors' pages (docgen serve) sit beside the command line: nothing below imports them either
for _prefix in ("docgen.facts", "docgen.metrics", "docgen.render", "docgen.archive", "docgen.kinds", "docgen.search",
                "docgen.watch", "docgen.pipeline", "docgen.computed", "docgen.demo", "docgen.ingest"):
    FORBIDDEN[_prefix] = FORBIDDEN.get(_prefix, ()) + ("docgen.serve",)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module or module.name) for every import in the file, at any depth."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            out += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
    return out


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rsplit(".", 1)[0]


def test_dependencies_point_one_way():
    wrong = []
    for module, path in _modules().items():
        if module in ("docgen.cli", "docgen.__main__"):  # `python -m docgen` is the command line
            continue
        rules = [bad for prefix, bad in FORBIDDEN.items() if module == prefix or module.startswith(prefix + ".")]
        for line, target in _imports(path):
            for bad in (b for rule in rules for b in rule):
                if (target == bad or target.startswith(bad + ".")) and not module.startswith(bad):
                    wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert not wrong, "imports against the layering:\n" + "\n".join(sorted(set(wrong)))


def test_no_module_imports_another_packages_private_module():
    wrong = []
    for module, path in _modules().items():
        package = _package_of(module, path)
        for line, target in _imports(path):
            if not target.startswith("docgen."):
                continue
            parts = target.split(".")
            for i, part in enumerate(parts[1:], 1):
                if part.startswith("_") and not part.startswith("__"):
                    owner = ".".join(parts[:i])
                    if not (package == owner or package.startswith(owner + ".")):
                        wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
                    break
    assert not wrong, "private modules of other packages (export what is shared from __init__):\n" + \
        "\n".join(sorted(set(wrong)))


def test_facts_are_read_only_through_the_facts_layer():
    """No `record["facts"]` / `.get("facts")` outside docgen/facts and the archive that stores them."""
    wrong = []
    for module, path in _modules().items():
        if module.startswith(("docgen.facts", "docgen.archive")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            key = None
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                key = node.slice.value
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                  and node.args and isinstance(node.args[0], ast.Constant)):
                key = node.args[0].value
            if key == "facts":
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not wrong, "facts read as a dict (use docgen.facts.read_doc / ArchiveView):\n" + "\n".join(wrong)


def test_the_command_line_starts_without_the_heavy_libraries():
    """`docgen --help` must stay quick (benchmarks/render.py measures it): importing the CLI loads neither
    pydantic (every facts and input model) nor the document libraries. Not a timing test: it lists modules."""
    import subprocess
    import sys

    code = ("import sys, docgen.cli; heavy = {'pydantic', 'docx', 'docxtpl', 'openpyxl', 'matplotlib', 'whoosh', "
            "'starlette', 'uvicorn', 'argon2', 'mammoth'}; "
            "print(sorted(m for m in heavy if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
