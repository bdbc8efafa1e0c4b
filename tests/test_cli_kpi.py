"""`docgen kpi` through the CLI: text, --json, -o (written and archived), --config, bad arguments."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from docgen.archive import Archive
from docgen.cli import cli
from tests.test_kpi_report import P, _march_archive


def _run(archive: Archive, *args: str):
    return CliRunner().invoke(cli, ["--archive", str(archive.root), "kpi", *args])


def test_text_output_names_each_figure(tmp_path):
    archive = _march_archive(tmp_path)
    result = _run(archive, "2025-03")
    assert result.exit_code == 0, result.output
    # due: the March service report + XC-1 and XC-2's 现场服务报告单; delivered: the report and XC-1's
    assert f"{P}  服务报告比例：66.67%（2/3）　目标 ≥95%　未达标" in result.output
    assert "总体  服务报告比例：66.67%（2/3）" in result.output
    assert "无计划目标" in result.stderr  # YC-N archived before the plan: listed, not counted


def test_json_is_the_only_thing_on_stdout(tmp_path):
    archive = _march_archive(tmp_path)
    result = _run(archive, "2025-03", "--json", "--project", P)
    data = json.loads(result.stdout)
    assert data["month"] == "2025-03"
    ratio = next(i for i in data["indicators"] if i["id"] == "report_ratio")
    assert (ratio["due"], ratio["delivered"], ratio["met"]) == (3, 2, False)
    assert all({"id", "name", "target", "project", "due", "delivered", "value", "met"} <= set(i)
               for i in data["indicators"])


def test_nothing_due_says_so(tmp_path):
    archive = _march_archive(tmp_path)
    result = _run(archive, "2026-03", "--json")  # after the plan's end
    ratio = next(i for i in json.loads(result.stdout)["indicators"] if i["id"] == "report_ratio")
    assert ratio["value"] is None and ratio["met"] is None and "本月无应交报告" in ratio["note"]
    assert "本月无应交报告" in _run(archive, "2026-03").output


def test_output_workbook_is_archived_once(tmp_path):
    archive = _march_archive(tmp_path)
    out = tmp_path / "KPI-2025-03.xlsx"
    first = _run(archive, "2025-03", "-o", str(out))
    assert first.exit_code == 0 and "归档为 文件编号 ZBTJ-2025-03，版本 V1.0（新建）" in first.output
    assert "汇总" in load_workbook(out).sheetnames
    again = _run(archive, "2025-03", "-o", str(out))
    assert "版本 V1.0（未变化）" in again.output
    filtered = _run(archive, "2025-03", "--project", P, "-o", str(tmp_path / "p.xlsx"))
    assert f"归档为 文件编号 {P}-ZBTJ-2025-03，版本 V1.0（新建）" in filtered.output
    assert (archive.root / "documents" / "_all").is_dir()


def test_the_workbook_is_archived_without_o_unless_no_archive(tmp_path):
    archive = _march_archive(tmp_path)
    before = archive.ledger_size()
    quiet = _run(archive, "2025-03", "--no-archive")
    assert quiet.exit_code == 0 and "归档为" not in quiet.output and archive.ledger_size() == before
    first = _run(archive, "2025-03", "--json")
    assert json.loads(first.stdout)["month"] == "2025-03"  # stdout stays pure JSON
    assert "月度KPI统计表归档为 文件编号 ZBTJ-2025-03，版本 V1.0（新建）" in first.stderr
    assert archive.latest("_all/kpi_report/2025-03")["ext"] == ".xlsx"
    assert "版本 V1.0（未变化）" in _run(archive, "2025-03").output


def test_no_projects_nothing_archived(tmp_path):
    empty = Archive(tmp_path / "empty")
    result = _run(empty, "2025-03")
    assert result.exit_code == 0 and "本月无应交报告" in result.output
    assert not empty.root.exists()


def test_config_option(tmp_path):
    archive = _march_archive(tmp_path)
    config = tmp_path / "ind.yaml"
    config.write_text("indicators:\n  - {id: report_ratio, name: 报告及时率, formula: report_ratio, target: 60, unit: '%'}\n",
                      encoding="utf-8")
    result = _run(archive, "2025-03", "--config", str(config), "--json")
    assert result.exit_code == 0, result.output
    names = {i["name"] for i in json.loads(result.stdout)["indicators"]}
    assert names == {"报告及时率"}  # the config decides which indicators exist


@pytest.mark.parametrize("args, message", [
    (["2025-13"], "2025-13"),
    (["March"], "YYYY-MM"),
    (["2025-03", "--project", "../x"], "项目编号"),
    (["2025-03", "--project", "NOPE"], "NOPE"),
    (["2025-03", "-o", "kpi.docx"], ".xlsx"),
    (["2025-03", "--config", "missing.yaml"], "missing.yaml"),
])
def test_bad_arguments_exit_1_in_chinese(tmp_path, args, message):
    archive = _march_archive(tmp_path)
    before = archive.ledger_size()
    result = _run(archive, *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert archive.ledger_size() == before


def test_templates_option_restyles_the_workbook(tmp_path):
    from openpyxl.styles import PatternFill

    from docgen.render import TemplateSet

    archive = _march_archive(tmp_path)
    folder = tmp_path / "tpl"
    folder.mkdir()
    wb = load_workbook(TemplateSet().find("kpi_report.xlsx").path)
    for ws in wb.worksheets:  # every table header row a different colour
        for row in ws.iter_rows():
            for cell in row:
                if cell.fill.fgColor.rgb == "00D9D9D9":
                    cell.fill = PatternFill("solid", start_color="BDD7EE", end_color="BDD7EE")
    wb.save(folder / "kpi_report.xlsx")
    out = tmp_path / "KPI.xlsx"
    result = CliRunner().invoke(cli, ["--archive", str(archive.root), "--templates", str(folder), "kpi", "2025-03",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    made = load_workbook(out)
    # the header rows, wherever the data put them (SLA达成率: three metrics of P above the records)
    for title, cell, text in (("汇总", "B9", "指标"), ("服务报告比例", "B5", "项目编号"), ("SLA达成率", "E11", "服务单号"),
                              ("趋势", "B6", "应交付数量")):
        assert made[title][cell].value == text and made[title][cell].fill.fgColor.rgb.endswith("BDD7EE"), title
    again = CliRunner().invoke(cli, ["--archive", str(archive.root), "--templates", str(folder), "kpi", "2025-03"])
    assert "版本 V1.0（未变化）" in again.output
    broken = folder / "kpi_report.xlsx"
    broken.write_bytes(b"not a workbook")
    failed = CliRunner().invoke(cli, ["--archive", str(archive.root), "--templates", str(folder), "kpi", "2025-03"])
    assert failed.exit_code == 1 and "kpi_report.xlsx" in failed.stderr and "Traceback" not in failed.output
