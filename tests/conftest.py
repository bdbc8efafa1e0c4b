from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def example_data(name: str) -> dict:
    """An example input as a dict (a fresh copy each time), for tests that change it and write it out."""
    return copy.deepcopy(yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8")))


def write_input(folder: Path, data: dict, name: str) -> Path:
    """Write an input dict as YAML into `folder`; returns its path."""
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def plan_data() -> dict:
    """The example plan as a dict; tests change one thing and write it out."""
    return copy.deepcopy(yaml.safe_load((EXAMPLES / "plan.yaml").read_text(encoding="utf-8")))


@pytest.fixture
def write_yaml(tmp_path: Path):
    def write(data: dict, name: str = "input.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory) -> tuple[Path, str]:
    """`docgen demo` run once per test session: (archive folder, its output). Tests that change the
    archive copy it first (`copy_demo`)."""
    from click.testing import CliRunner

    from docgen.cli import cli

    root = tmp_path_factory.mktemp("demo") / "archive"
    result = CliRunner().invoke(cli, ["--archive", str(root), "demo"])
    assert result.exit_code == 0, result.output
    return root, result.output


@pytest.fixture
def copy_demo(demo_archive, tmp_path) -> Path:
    import shutil

    target = tmp_path / "archive"
    shutil.copytree(demo_archive[0], target)
    return target


@pytest.fixture(scope="module")
def live_demo(demo_archive, tmp_path_factory):
    """The real web app (uvicorn, a background thread, a free loopback port) over a copy of the demo
    archive, one per test module; stopped at teardown. Skipped when docgen.serve or uvicorn is missing."""
    import shutil

    from tests.serve_helpers import live_server, server_skip_reason

    if reason := server_skip_reason():
        pytest.skip(reason)
    target = tmp_path_factory.mktemp("served") / "archive"
    shutil.copytree(demo_archive[0], target)
    with live_server(target) as server:
        yield server


def manifest_rows(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """A 交付清单's item table: (the doc type of each row, read back from its Chinese title; the rows)."""
    import docx

    from docgen.doctypes import DOC_TYPES

    for table in docx.Document(str(path)).tables:
        rows = [[c.text.strip() for c in r.cells] for r in table.rows]
        if "交付成果" in rows[0] and "文件编号" in rows[0]:
            by_name = sorted(DOC_TYPES.items(), key=lambda kv: -len(kv[1]))
            types = [next(code for code, name in by_name if row[1].startswith(name)) for row in rows[1:]]
            return types, rows
    raise AssertionError(f"{path}: no 交付清单 item table")


def reader_words_problems(path: str | Path) -> list[str]:
    """What a business reader must not meet in a workbook (#14): an archive doc_id, a snake_case type
    code, the program's name, 内置默认. One line per offending cell, sheet!cell first."""
    import re

    from openpyxl import load_workbook

    from docgen.doctypes import DOC_TYPES

    codes = [code for code in DOC_TYPES if "_" in code]
    doc_id = re.compile(r"[\w-]+/[a-z_]+(/|$)")
    problems = []
    for ws in load_workbook(path):
        for row in ws.iter_rows():
            for cell in row:
                text = cell.value
                if not isinstance(text, str) or text.startswith("="):
                    continue
                found = [w for w in ("docgen", "内置默认") if w in text] + \
                    [c for c in codes if re.search(rf"(?<![A-Za-z_]){c}(?![A-Za-z_])", text)]
                if doc_id.search(text):
                    found.append("doc_id")
                if found:
                    problems.append(f"{ws.title}!{cell.coordinate}: {found} in {text!r}")
    return problems
