"""Folders as inputs of `docgen generate` and `docgen validate`: the input files directly in a folder, in the
kinds' stage order, mixed with files; what a folder holds besides inputs is listed as skipped, with why."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from docgen.cli import cli
from docgen.inputs import expand_inputs, write_blank_input
from tests.conftest import EXAMPLES

SUFFIXES = ".yaml/.yml、.json 或 docgen init KIND --xlsx 生成的 .xlsx 录入表"


def _run(archive: Path, *args: str):
    return CliRunner().invoke(cli, ["--archive", str(archive), *args])


@pytest.fixture
def inputs(tmp_path) -> Path:
    """A folder as people keep it: two inputs named so that the record sorts before its plan, and what
    else collects there (notes, a hidden file, another tool's YAML, Excel's lock file, a subfolder)."""
    folder = tmp_path / "输入"
    folder.mkdir()
    shutil.copy(EXAMPLES / "onsite.yaml", folder / "1-现场.yaml")
    shutil.copy(EXAMPLES / "plan.yaml", folder / "2-计划.yaml")
    (folder / "说明.txt").write_text("3 月的输入", encoding="utf-8")
    (folder / ".计划.yaml.swp").write_bytes(b"x")
    (folder / "mkdocs.yml").write_text("site_name: 运维\n", encoding="utf-8")
    (folder / "~$录入表.xlsx").write_bytes(b"lock")
    (folder / "旧版").mkdir()
    (folder / ".git").mkdir()
    shutil.copy(EXAMPLES / "plan.yaml", folder / "旧版" / "plan.yaml")
    return folder


def _skipped(folder: Path) -> list[str]:
    return [f"跳过 {folder / '.git'}：隐藏目录",
            f"跳过 {folder / '.计划.yaml.swp'}：隐藏文件",
            f"跳过 {folder / 'mkdocs.yml'}：没有 kind 字段，不是 docgen 输入文件（输入文件在第一行写明 kind，如 kind: plan）",
            f"跳过 {folder / '~$录入表.xlsx'}：临时文件或锁文件（如 Excel 打开文件时产生的 ~$ 文件）",
            f"跳过 {folder / '旧版'}：子目录不展开；要处理其中的输入文件，请把它也写在命令行上（如 {folder / '旧版'}）",
            f"跳过 {folder / '说明.txt'}：不是输入文件（扩展名 .txt；输入文件为 {SUFFIXES}）"]


def test_generate_a_folder_in_stage_order_and_says_what_it_skipped(tmp_path, inputs):
    archive = tmp_path / "archive"
    result = _run(archive, "generate", str(inputs), "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == _skipped(inputs)
    docs = json.loads(result.stdout)  # --json: nothing else on stdout
    assert [d["doc_type"] for d in docs] == ["plan", "onsite_form", "onsite_report", "leftover_confirmation"]
    # the plan went first although its file sorts second: the record is measured against it
    listed = json.loads(_run(archive, "archive", "list", "--type", "onsite_report", "--json").stdout)
    assert listed[0]["facts"]["plan_version"] == "V1.0"

    again = _run(archive, "generate", str(inputs))
    assert again.exit_code == 0
    lines = again.stdout.splitlines()
    assert lines[:6] == _skipped(inputs)
    assert lines[-1] == "共 4 份文档：新建 0，新版本 0，未变化 4。"


def test_validate_a_folder_mixed_with_files(tmp_path, inputs):
    result = _run(tmp_path / "archive", "validate", str(inputs), str(EXAMPLES / "survey.yaml"),
                  str(inputs / "2-计划.yaml"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == _skipped(inputs) + [
        f"跳过 {inputs / '2-计划.yaml'}：重复：同一文件已在前面给出，只处理一次",
        f"✓ {inputs / '1-现场.yaml'}：检查通过（现场服务记录）",
        f"✓ {inputs / '2-计划.yaml'}：检查通过（运维项目管理计划）",
        f"✓ {EXAMPLES / 'survey.yaml'}：检查通过（需方满意度调查）",
    ]
    report = json.loads(_run(tmp_path / "archive", "validate", str(inputs), "--json").stdout)
    assert [(Path(r["file"]).name, r["ok"]) for r in report] == [("1-现场.yaml", True), ("2-计划.yaml", True)]
    assert not (tmp_path / "archive").exists()


def test_an_input_in_a_folder_that_cannot_be_read_is_reported_not_skipped(tmp_path, inputs):
    (inputs / "3-服务报告.yaml").write_text("kind: service_report\nperiod: [2025-03\n", encoding="utf-8")
    result = _run(tmp_path / "archive", "validate", str(inputs))
    assert result.exit_code == 1
    assert f"✗ {inputs / '3-服务报告.yaml'}：第 3 行第 1 列" in result.stderr
    generated = _run(tmp_path / "archive", "generate", str(inputs))
    assert generated.exit_code == 1 and "3-服务报告.yaml" in generated.stderr
    assert not (tmp_path / "archive").exists()  # one bad file: nothing written


def test_a_folder_without_inputs_is_an_error(tmp_path, inputs):
    empty = tmp_path / "空"
    empty.mkdir()
    for command in ("generate", "validate"):
        result = _run(tmp_path / "archive", command, str(empty))
        assert result.exit_code == 1
        assert result.stderr == f"错误：{empty}：目录中没有输入文件（{SUFFIXES}），目录是空的\n"
    only_notes = tmp_path / "备注"
    only_notes.mkdir()
    (only_notes / "说明.txt").write_text("x", encoding="utf-8")
    result = _run(tmp_path / "archive", "generate", str(inputs), str(only_notes))
    assert result.exit_code == 1
    assert result.stderr == (f"错误：{only_notes}：目录中没有输入文件（{SUFFIXES}）；跳过了：\n"
                             f"  - {only_notes / '说明.txt'}：不是输入文件（扩展名 .txt；输入文件为 {SUFFIXES}）\n")
    missing = tmp_path / "没有这个目录"
    result = _run(tmp_path / "archive", "generate", f"{missing}/")
    assert result.exit_code == 1 and result.stderr == f"错误：{missing}：文件或目录不存在，请检查路径\n"
    assert "Traceback" not in result.output and not (tmp_path / "archive").exists()


def test_the_examples_folder_and_its_records(tmp_path):
    checked = _run(tmp_path / "archive", "validate", str(EXAMPLES))
    assert checked.exit_code == 0, checked.output
    records = EXAMPLES / "records"
    assert f"跳过 {records}：子目录不展开；要处理其中的输入文件，请把它也写在命令行上（如 {records}）" in checked.stdout

    result = _run(tmp_path / "archive", "generate", str(EXAMPLES), str(records), "--json")
    assert result.exit_code == 0, result.output
    assert "跳过" not in result.stderr  # the records folder is named, so it is not skipped
    docs = json.loads(result.stdout)
    assert docs[0]["doc_type"] == "plan" and docs[-1]["doc_type"] == "acceptance_report"
    incidents = [d for d in docs if d["doc_type"] == "major_incident_report"]
    assert [d["doc_id"].rsplit("/", 1)[-1] for d in incidents] == ["XC-2025-0005"]  # from examples/records/
    pack = next(d for d in docs if d["doc_type"] == "response_record")
    assert not [w for w in pack["warnings"] if "没有服务记录" in w]


def test_expand_inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_blank_input("plan", folder / "计划.xlsx", xlsx=True)
    workbook = openpyxl.Workbook()
    workbook.save(folder / "统计.xlsx")
    shutil.copy(EXAMPLES / "survey.yaml", folder / "survey.json.yaml")
    (folder / "data.json").write_text('{"name": "x"}', encoding="utf-8")
    selection = expand_inputs([folder / "survey.json.yaml", folder])
    assert selection.files == [folder / "survey.json.yaml", folder / "计划.xlsx"]
    assert [(s.path.name, s.reason.split("（")[0]) for s in selection.skipped] == [
        ("data.json", "没有 kind 字段，不是 docgen 输入文件"),
        ("survey.json.yaml", "重复：同一文件已在前面给出，只处理一次"),
        ("统计.xlsx", "不是 docgen 录入表"),
    ]
    assert expand_inputs([folder / "任意.yaml"]).files == [folder / "任意.yaml"]  # a file stays as given
