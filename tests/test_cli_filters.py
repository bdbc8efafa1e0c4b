"""The --project and --type filters of `docgen archive list` and `docgen search` (and `archive add --type`):
a type by its code or its Chinese name from the one table (doctypes.DOC_TYPES); a project or type the
archive does not have is an error naming the value and the closest names (exit 1), never an empty result."""
from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.archive import Archive, check_filters
from docgen.cli import cli
from docgen.errors import BadArgument, InputError
from docgen.ingest import add_document
from docgen.pipeline import generate
from docgen.render import TemplateSet
from tests.conftest import EXAMPLES

P = "YNTD-YW-2025-001"


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """The example plan, records, survey and March service report, and minutes taken in with `archive add`."""
    root = tmp_path_factory.mktemp("filters") / "archive"
    store = Archive(root)
    generate([EXAMPLES / f"{name}.yaml" for name in ("plan", "onsite", "remote", "survey", "service_report")],
             archive=store, templates=TemplateSet())
    minutes = root.parent / "周例会纪要.txt"
    minutes.write_text("周例会：讨论网卡更换计划。", encoding="utf-8")
    add_document(store, minutes, project=P, doc_type="minutes", day=datetime.date(2025, 3, 3))
    return root


def _run(archive: Path, *args: str):
    return CliRunner().invoke(cli, ["--archive", str(archive), *args])


def _json(archive: Path, *args: str):
    result = _run(archive, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("code, name", [("plan", "运维项目管理计划"), ("onsite_form", "现场服务单"),
                                        ("service_report", "运维服务报告"), ("survey_report", "需方满意度调查和分析报告")])
def test_archive_list_takes_the_chinese_name(archive, code, name):
    by_code = _json(archive, "archive", "list", "--type", code)
    assert by_code and {r["doc_type"] for r in by_code} == {code}
    assert _json(archive, "archive", "list", "--type", name) == by_code
    assert _json(archive, "archive", "list", "--type", name, "--project", P) == by_code


def test_search_takes_the_chinese_name(archive):
    by_code = _json(archive, "search", "网卡", "--type", "onsite_form")
    assert by_code and {h["doc_type"] for h in by_code} == {"onsite_form"}
    assert _json(archive, "search", "网卡", "--type", "现场服务单") == by_code
    assert _json(archive, "search", "网卡", "--type", "现场服务单", "--project", P) == by_code


def test_a_type_the_archive_took_in_is_a_filter_too(archive):
    assert [r["title"] for r in _json(archive, "archive", "list", "--type", "minutes")] == ["周例会纪要"]
    assert [h["title"] for h in _json(archive, "search", "网卡", "--type", "minutes")] == ["周例会纪要"]


def test_a_built_in_type_with_no_documents_is_an_empty_result(archive):
    result = _run(archive, "archive", "list", "--type", "项目验收报告")
    assert result.exit_code == 0 and "没有符合条件的文档" in result.output
    assert _json(archive, "search", "网卡", "--type", "acceptance_report") == []


TYPE_HELP = "；--type 请写类型代码（如 plan）或中文名称（如 运维项目管理计划），内置类型见 README“输入格式”一节"


@pytest.mark.parametrize("command", [["archive", "list"], ["search", "网卡"]])
@pytest.mark.parametrize("value, message", [
    ("计划", "没有文档类型 “计划”：它不是内置类型的代码或中文名称，归档库中也没有这种类型的文档，"
             "是否为 plan（运维项目管理计划）、assessment_plan（调研评估计划书）?" + TYPE_HELP),
    ("服务报告", "是否为 onsite_report（现场服务报告单）、service_report（运维服务报告）?"),
    ("minute", "是否为 minutes?"),
    ("xyzzy", "归档库中也没有这种类型的文档（归档库中的其他类型：minutes）" + TYPE_HELP),
])
def test_an_unknown_type_is_an_error_with_the_closest_names(archive, command, value, message):
    result = _run(archive, *command, "--type", value)
    assert result.exit_code == 1, result.output
    assert message in result.stderr and result.stdout == "" and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["archive", "list"], ["search", "网卡"]])
def test_an_unknown_project_is_an_error_with_the_closest_names(archive, command):
    result = _run(archive, *command, "--project", "YNTD-YW-2025-01", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (f"错误：{archive.absolute()}：归档库中没有项目 YNTD-YW-2025-01 的文档，是否为 {P}?"
                             f"（已有项目：{P}）；请检查项目编号\n")
    result = _run(archive, *command, "--project", "OTHER", "--type", "plan")
    assert result.exit_code == 1 and f"没有项目 OTHER 的文档（已有项目：{P}）" in result.stderr


@pytest.mark.parametrize("command", [["archive", "list"], ["search", "网卡"]])
def test_a_project_filter_on_an_empty_archive_says_there_are_no_projects(tmp_path, command):
    result = _run(tmp_path / "none", *command, "--project", P)
    assert result.exit_code == 1
    assert "归档库中没有项目 YNTD-YW-2025-001 的文档（归档库中还没有任何项目）" in result.stderr
    result = _run(tmp_path / "none", *command, "--type", "plan")
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert not (tmp_path / "none").exists()  # looking does not create an archive


def test_check_filters_resolves_and_lets_a_filter_name_the_reserved_all(tmp_path):
    store = Archive(tmp_path / "archive")
    store.put(b"x", project="_all", doc_type="kpi_report", key=("2025-03",), title="t",
              date=datetime.date(2025, 4, 1), period="2025-03", ext=".xlsx", source="kpi")
    assert check_filters(store, project="_all", doc_type="月度KPI统计表") == ("_all", "kpi_report")
    assert check_filters(store) == (None, None)
    with pytest.raises(InputError, match="保留名称"):
        check_filters(store, project="_x")
    with pytest.raises(BadArgument, match="是否为 response_kpi（响应支持关键指标数据记录）、kpi_report（月度KPI统计表）"):
        check_filters(store, doc_type="kpi")


def test_archive_add_takes_the_chinese_name_and_still_custom_codes(tmp_path):
    note = tmp_path / "纪要.txt"
    note.write_text("纪要", encoding="utf-8")
    root = tmp_path / "archive"
    [doc] = _json(root, "archive", "add", str(note), "--project", P, "--type", "运维服务报告", "--period", "2025-03")
    assert doc["doc_type"] == "service_report" and doc["doc_id"] == f"{P}/service_report/纪要/2025-03"
    [doc] = _json(root, "archive", "add", str(note), "--project", P, "--type", "minutes")
    assert doc["doc_type"] == "minutes"
    result = _run(root, "archive", "add", str(note), "--project", P, "--type", "会议纪要")
    assert result.exit_code == 1
    assert result.stderr == ("错误：--type “会议纪要” 不是有效的文档类型：请写内置类型的代码或中文名称（例如 service_report 或 "
                             "运维服务报告），或只用小写字母和下划线组成的自定义类型代码（如 minutes）\n")
    result = _run(root, "archive", "add", str(note), "--project", P, "--type", "服务报告")
    assert result.exit_code == 1 and "是否为 onsite_report（现场服务报告单）、service_report（运维服务报告）?" in result.stderr
