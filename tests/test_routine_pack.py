"""例行操作 pack (§5.4.7.1): every deliverable, reopened; the 交付清单 lists exactly the §5.4.7.1 items
with their archive identity (the survey report found in the archive); the customer zip; bad inputs."""
from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from docgen.cli import cli
from tests.conftest import EXAMPLES, manifest_rows

ITEMS = ["status_record", "anomaly_record", "trend_analysis", "config_record", "survey_report"]


@pytest.fixture
def routine() -> dict:
    return copy.deepcopy(yaml.safe_load((EXAMPLES / "routine.yaml").read_text(encoding="utf-8")))


def _generate(archive: Path, *files: Path, out: Path | None = None) -> list[dict]:
    args = ["--archive", str(archive), "generate", *map(str, files), "--json"] + (["-o", str(out)] if out else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("routine")
    archive, out = tmp / "archive", tmp / "out"
    _generate(archive, EXAMPLES / "survey.yaml")
    docs = {d["doc_type"]: d for d in _generate(archive, EXAMPLES / "routine.yaml", out=out)}
    return {"docs": docs, "archive": archive, "out": out}


def test_one_command_yields_every_deliverable(pack):
    assert set(pack["docs"]) == {"status_record", "anomaly_record", "trend_analysis", "config_record", "pack_manifest"}
    for doc in pack["docs"].values():
        assert doc["period"] == "2025-03" and doc["date"] == "2025-03-31" and Path(doc["path"]).is_file()
    assert pack["docs"]["status_record"]["path"].endswith(".xlsx")


def test_manifest_lists_exactly_the_section_items_with_archive_identity(pack):
    types, rows = manifest_rows(pack["docs"]["pack_manifest"]["path"])
    assert types == ITEMS
    assert "YNTD-YW-2025-001-MYD-2025-03" in " ".join(rows[-1])
    assert "缺失" not in " ".join(" ".join(r) for r in rows)
    listed = json.loads(CliRunner().invoke(cli, ["--archive", str(pack["archive"]), "archive", "list", "--type",
                                                 "pack_manifest", "--json"]).stdout)
    assert listed[0]["facts"]["missing"] == [] and listed[0]["facts"]["present"] == ITEMS


def test_zip_holds_all_items_and_the_manifest(pack):
    zips = list(pack["out"].glob("*.zip"))
    assert [z.name for z in zips] == ["YNTD-YW-2025-001_例行操作交付成果_2025-03.zip"]
    names = zipfile.ZipFile(zips[0]).namelist()
    assert len(names) == 6
    assert any(n.endswith(".xlsx") for n in names) and any(n.endswith("-MYD-2025-03_需方满意度调查和分析报告.docx") for n in names)


def test_status_record_workbook(pack):
    wb = openpyxl.load_workbook(pack["docs"]["status_record"]["path"])
    ws = wb.worksheets[0]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "SCADA主服务器" in values and "表空间使用率" in values and 83 in values
    assert any(c.data_type == "f" for row in ws.iter_rows() for c in row), "summary formulas expected"
    cached = openpyxl.load_workbook(pack["docs"]["status_record"]["path"], data_only=True).worksheets[0]
    assert 4 in [c.value for row in cached.iter_rows() for c in row]  # record count as a plain value too


def test_trend_analysis_has_chart_and_risks(pack):
    document = docx.Document(pack["docs"]["trend_analysis"]["path"])
    assert len(document.inline_shapes) >= 1
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "表空间耗尽导致历史数据写入失败" in text and "4月完成归档清理并扩容20GB" in text
    assert "历史数据库表空间每月增长约2%" in "\n".join(p.text for p in document.paragraphs)


def test_anomaly_record_rows(pack):
    document = docx.Document(pack["docs"]["anomaly_record"]["path"])
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "表空间使用率超过80%" in text and "已关闭" in text


def test_regenerating_is_unchanged(pack):
    again = _generate(pack["archive"], EXAMPLES / "routine.yaml")
    assert {d["status"] for d in again} == {"unchanged"}


def test_missing_survey_is_a_warning_and_listed_as_missing(tmp_path):
    docs = {d["doc_type"]: d for d in _generate(tmp_path / "a", EXAMPLES / "routine.yaml")}
    assert any("需方满意度调查和分析报告缺失" in w for w in docs["pack_manifest"]["warnings"])
    text = "\n".join(c.text for t in docx.Document(docs["pack_manifest"]["path"]).tables for r in t.rows for c in r.cells)
    assert "缺失" in text


def test_formula_like_text_is_written_as_text(tmp_path, routine, write_yaml):
    routine["status_records"][0]["object"] = "=HYPERLINK(\"http://x\")"
    routine["config_items"][0]["ci"] = "@SUM(A1)"
    docs = {d["doc_type"]: d for d in _generate(tmp_path / "a", write_yaml(routine))}
    for doc_type, text in (("status_record", "=HYPERLINK(\"http://x\")"), ("config_record", "@SUM(A1)")):
        ws = openpyxl.load_workbook(docs[doc_type]["path"]).worksheets[0]
        cells = [c for row in ws.iter_rows() for c in row if c.value == text]
        assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("change,expected", [
    (lambda d: d["anomalies"][0].update(closed_at="2025-02-01 10:00"), "anomalies[0].closed_at：时间顺序错误"),
    (lambda d: d.update(period="2025-03-05"), "period："),
    (lambda d: d.update(period="2025-13"), "period："),
    (lambda d: d["status_records"][0].update(status="良好"), "status_records[0].status："),
    (lambda d: d.update(status_records=[]), "status_records："),
    (lambda d: d["trend"].pop("analysis"), "trend.analysis：缺少必填字段"),
])
def test_bad_inputs_are_refused(tmp_path, routine, write_yaml, change, expected):
    change(routine)
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(write_yaml(routine)),
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and expected in result.stderr, result.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "out").exists()


def test_alarm_without_anomaly_record_is_a_warning(tmp_path, routine, write_yaml):
    routine["anomalies"] = []
    docs = _generate(tmp_path / "a", write_yaml(routine))
    assert any("历史数据库 有告警/异常" in w for w in docs[0]["warnings"])


def test_manifest_facts_hold_archive_paths_not_the_machines(tmp_path):
    """The 交付清单's facts name each item by its path inside the archive, so two archives of the same inputs
    record the same facts wherever they live."""
    from docgen.archive import Archive
    from docgen.facts import ArchiveView, ManifestFacts
    from docgen.pipeline import generate
    from docgen.render import TemplateSet
    from tests.conftest import EXAMPLES

    archive = Archive(tmp_path / "archive")
    generate([EXAMPLES / "plan.yaml", EXAMPLES / "survey.yaml", EXAMPLES / "routine.yaml"], archive=archive,
             templates=TemplateSet())
    [manifest] = ArchiveView(archive).documents(None, "pack_manifest")
    paths = [item.path for item in manifest.facts_as(ManifestFacts).items]
    assert paths and all(p.startswith("documents/") and (archive.root / p).is_file() for p in paths)
