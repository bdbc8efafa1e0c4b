"""The monthly KPI report (`docgen kpi`): indicator config (§7/§8), rows per project and overall,
the 12-month trend, the 月度KPI统计表 workbook and its archiving. Real archives on tmp_path; every
expected figure is worked out by hand in the comments (docs/archive.md "服务报告比例", "SLA figures")."""
from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from docgen.archive import Archive
from docgen.errors import InputError, ValidationFailed
from docgen.metrics.indicators import default_indicators, load_indicators, read_indicators, write_default_indicators
from docgen.kinds.kpi_report import TEMPLATE, fill_kpi_workbook, kpi_context, kpi_spec
from docgen.metrics.kpi_report import ALL, compute_kpi, months_ending
from docgen.pipeline import publish
from docgen.render import TemplateSet
from tests.conftest import reader_words_problems
from tests.test_kpi_counting import P, _plan, _put, _record

B = "B-2025"
TODAY = datetime.date(2025, 4, 2)
REQUIRED_KEYS = {"id", "name", "target", "project", "due", "delivered", "value", "met"}


# --- archives built by hand (the helpers of test_kpi_counting.py) --------------------------------


def _sla(metric: str, value: float, met: bool, target: float = 30, op: str = "<=") -> dict:
    return {"metric": metric, "name": metric, "clock": "7x24", "hours": None, "op": op, "target": target,
            "unit": "分钟", "value": value, "met": met}


def _workbook(report, templates: TemplateSet | None = None) -> bytes:
    """The 月度KPI统计表 filled into the kpi_report.xlsx template as `templates` finds it, with the document
    control block the pipeline adds (nobody named: every line signed by hand)."""
    from docgen.control import Control, Signoffs

    context = kpi_context(report)
    context["control"] = Control(context["doc_no"], "V1.0", Signoffs()).context()
    return fill_kpi_workbook((templates or TemplateSet()).find(TEMPLATE).path, context)


def _rows(report) -> dict[tuple[str, str], dict]:
    return {(r["project"], r["id"]): r for r in report.as_json()["indicators"]}


def _march_archive(tmp_path: Path, plan: dict | None = None) -> Archive:
    """The example plan and March 2025's documents:
    - service_report 2025-03 written 5 April (v1) and 6 April (v2, availability 99.95 %): March's, counted once
    - service_report 2025-04 written 31 March: its period is April, so it is not March's
    - onsite XC-1 (3 March) with its 现场服务报告单; onsite XC-2 (31 March 23:50) without one
    - remote YC-1 (15 March); remote YC-N archived before any plan (无计划目标)
    - the 2025-Q1 survey (overall 4.2)."""
    archive = _plan(tmp_path, plan)
    _put(archive, "service_report", "2025-03", day="2025-04-05")
    assert _put(archive, "service_report", "2025-03", day="2025-04-06", data=b"v2",
                facts={"availability_percent": 99.95}).version == 2
    _put(archive, "service_report", "2025-04", day="2025-03-31")
    _record(archive, "onsite_form", "XC-1", "2025-03-03 10:00",
            sla=[_sla("response_minutes", 20, True), _sla("arrival_minutes", 200, True, target=240)])
    _record(archive, "onsite_report", "XC-1", "2025-03-03 10:00",
            sla=[_sla("response_minutes", 20, True), _sla("arrival_minutes", 200, True, target=240)])
    _record(archive, "onsite_form", "XC-2", "2025-03-31 23:50",
            sla=[_sla("response_minutes", 45, False), _sla("arrival_minutes", 300, False, target=240)])
    _record(archive, "remote_record", "YC-1", "2025-03-15 09:00", sla=[_sla("response_minutes", 10, True)])
    _record(archive, "remote_record", "YC-N", "2025-03-20 09:00", sla="无计划目标",
            measures={"response_minutes": 99.0})
    _put(archive, "survey_report", "2025-Q1", day="2025-03-28", facts={"overall": 4.2})
    return archive


# --- the rows ----------------------------------------------------------------------------------


def test_march_rows_by_hand(tmp_path):
    archive = _march_archive(tmp_path)
    report = compute_kpi(archive, "2025-03")
    rows = _rows(report)
    assert [(r["project"], r["id"]) for r in report.as_json()["indicators"]] == [
        (P, "report_ratio"), (P, "response_minutes"), (P, "arrival_minutes"), (P, "resolution_minutes"),
        (P, "availability_percent"), (P, "satisfaction_score"), (ALL, "report_ratio")]

    ratio = rows[P, "report_ratio"]
    # due: service_report 2025-03 + onsite_report XC-1, XC-2 = 3; delivered: 2025-03 (v1/v2 once), XC-1 = 2
    # (the 2025-04 report written in March is April's) → 2 / 3 = 66.67 % < 95 (the plan's report_ratio target)
    assert (ratio["due"], ratio["delivered"], ratio["met"], ratio["target"]) == (3, 2, False, 95)
    assert ratio["value"] == 66.67  # rounded as the text and the workbook show it
    assert ratio["target_source"] == "plan" and ratio["note"] == ""

    response = rows[P, "response_minutes"]
    # XC-1 20 ✓, XC-2 45 ✗, YC-1 10 ✓ → 2 of 3 = 66.67 % vs the sla_share target 100 → not met;
    # mean (20 + 45 + 10) / 3 = 25; p90 ⌈2.7⌉ = 3rd smallest = 45; YC-N (无计划目标) listed, not counted
    assert (response["due"], response["delivered"], response["met"], response["target"]) == (3, 2, False, 100)
    assert response["value"] == 66.67
    assert (response["mean"], response["p90"]) == (25, 45)
    assert response["plan_target"] == "≤30 分钟"
    assert response["no_plan_target"] == ["YC-N"] and "YC-N" in response["note"]
    assert response["name"] == "SLA达成率（故障响应时间）" and response["indicator"] == "sla_share"

    arrival = rows[P, "arrival_minutes"]
    # onsite only: 200 ✓, 300 ✗ → 1 / 2 = 50 %; mean 250; p90 ⌈1.8⌉ = 2nd = 300
    assert (arrival["due"], arrival["delivered"], arrival["value"], arrival["mean"], arrival["p90"]) == \
        (2, 1, 50.0, 250.0, 300.0)

    resolution = rows[P, "resolution_minutes"]
    # no record froze a resolution result: nothing to share
    assert (resolution["due"], resolution["delivered"], resolution["value"], resolution["met"]) == (0, 0, None, None)
    assert resolution["note"] == "本月无考核记录"

    availability = rows[P, "availability_percent"]
    # the March report's latest version says 99.95 ≥ 99.9 (plan)
    assert (availability["value"], availability["target"], availability["met"]) == (99.95, 99.9, True)
    assert (availability["due"], availability["delivered"]) == (None, None)
    assert availability["source"] == f"{P}/service_report/2025-03"  # for tools
    assert availability["source_doc_no"] == "t"  # its 文件编号 (archived unnumbered: its title)

    satisfaction = rows[P, "satisfaction_score"]
    # the 2025-Q1 survey is the narrowest containing March: 4.2 < 4.5 (plan)
    assert (satisfaction["value"], satisfaction["target"], satisfaction["met"]) == (4.2, 4.5, False)

    overall = rows[ALL, "report_ratio"]
    assert (overall["due"], overall["delivered"], overall["target"]) == (3, 2, 95)
    assert overall["value"] == 66.67

    # April: service_report 2025-04 (written 31 March) delivers April's slot; no onsite records → 1 / 1
    april = _rows(compute_kpi(archive, "2025-04"))
    assert (april[P, "report_ratio"]["due"], april[P, "report_ratio"]["delivered"],
            april[P, "report_ratio"]["value"], april[P, "report_ratio"]["met"]) == (1, 1, 100.0, True)


def test_weekly_schedule_crossing_month_ends_and_the_trend(tmp_path, plan_data):
    plan_data["reports"] = [{"name": "周运行状态信息记录", "doc_type": "status_record", "frequency": "weekly",
                             "recipient": "客户信息中心"}]
    archive = _plan(tmp_path, plan_data)
    # March 2025 Sundays: 2, 9, 16, 23, 30 → W09 (24 Feb–2 Mar, crosses the month end), W10 … W13
    _put(archive, "status_record", "2025-W09", day="2025-03-03")      # W09 itself
    _put(archive, "status_record", "2025-03-05", day="2025-03-05")    # a day inside W10
    _put(archive, "status_record", "2025-03-06", day="2025-03-06")    # W10 again: counted once
    _put(archive, "status_record", "2025-03-31", day="2025-03-31")    # inside W14, whose Sunday is 6 April
    march = _rows(compute_kpi(archive, "2025-03"))[P, "report_ratio"]
    assert (march["due"], march["delivered"], march["value"]) == (5, 2, 40.0)  # 2 / 5
    april = _rows(compute_kpi(archive, "2025-04"))[P, "report_ratio"]
    # April Sundays 6, 13, 20, 27 → W14…W17; W14 met by the 31 March document
    assert (april["due"], april["delivered"], april["value"]) == (4, 1, 25.0)

    report = compute_kpi(archive, "2025-03")
    assert report.trend_months() == months_ending("2025-03") == [
        "2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12",
        "2025-01", "2025-02", "2025-03"]
    overall = {p.month: (p.due, p.delivered, p.value) for p in report.trend if p.project == ALL}
    # before the plan (2024): nothing due; Jan Sundays 5, 12, 19, 26 → 4; Feb 2, 9, 16, 23 → 4; March 5 (2 met)
    assert overall["2024-12"] == (0, 0, None)
    assert overall["2025-01"] == (4, 0, 0.0) and overall["2025-02"] == (4, 0, 0.0)
    assert overall["2025-03"] == (5, 2, 40.0)
    # a single project: no per-project trend besides the overall
    assert {p.project for p in report.trend} == {ALL}
    assert months_ending("2025-01", 3) == ["2024-11", "2024-12", "2025-01"]


def test_two_projects_overall_is_sum_over_sum(tmp_path, plan_data):
    archive = _plan(tmp_path)
    plan_data["project"]["code"] = B
    _plan(tmp_path, plan_data, "b.yaml", archive=archive)
    # A: service_report met, XC-1 and XC-2 without reports → 1 / 3; B: service_report met → 1 / 1
    _put(archive, "service_report", "2025-03", day="2025-04-01")
    _record(archive, "onsite_form", "XC-1", "2025-03-03 10:00")
    _record(archive, "onsite_form", "XC-2", "2025-03-04 10:00")
    _put(archive, "service_report", "2025-03", day="2025-04-01", project=B)
    # a folder starting with _ is never a project, even with a "plan" in it
    _put(archive, "plan", "2025", day="2025-01-01", project="_scratch", key=())
    report = compute_kpi(archive, "2025-03")
    assert [p.code for p in report.projects] == [B, P]
    rows = _rows(report)
    assert (rows[P, "report_ratio"]["delivered"], rows[P, "report_ratio"]["due"]) == (1, 3)
    assert (rows[B, "report_ratio"]["delivered"], rows[B, "report_ratio"]["due"]) == (1, 1)
    overall = rows[ALL, "report_ratio"]
    # Σ delivered / Σ due = 2 / 4 = 50 %, not (33.3 + 100) / 2 = 66.7 %
    assert (overall["delivered"], overall["due"], overall["value"], overall["met"]) == (2, 4, 50.0, False)
    # the trend has the overall and each project
    march = {p.project: (p.due, p.delivered) for p in report.trend if p.month == "2025-03"}
    assert march == {ALL: (4, 2), B: (1, 1), P: (3, 1)}

    # filtered: only that project's rows, no overall row
    only_b = compute_kpi(archive, "2025-03", project=B)
    assert {r["project"] for r in only_b.as_json()["indicators"]} == {B}
    assert only_b.scope == B


def test_month_with_nothing_due(tmp_path):
    archive = _plan(tmp_path)
    # 2026-03 is after the plan's end (2025-12-31): nothing due, no value, no verdict
    report = compute_kpi(archive, "2026-03")
    rows = _rows(report)
    for key in ((P, "report_ratio"), (ALL, "report_ratio")):
        row = rows[key]
        assert (row["due"], row["delivered"], row["value"], row["met"]) == (0, 0, None, None)
        assert row["note"].startswith("本月无应交报告")
    assert "计划服务期" in rows[P, "report_ratio"]["note"]
    # the workbook says so instead of dividing by zero
    wb = load_workbook(io.BytesIO(_workbook(report)))
    summary = wb["汇总"]
    values = [c.value for row in summary.iter_rows(min_row=10) for c in row if isinstance(c.value, str)]
    assert any(v.startswith("=IF(") and "本月无应交报告" in v for v in values)


def test_plan_target_wins_over_the_config(tmp_path, plan_data):
    config = tmp_path / "kpi.yaml"
    data = yaml.safe_load(default_indicators_text())
    data["indicators"][0]["target"] = 50
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    indicators = load_indicators(config)
    archive = _plan(tmp_path)
    _put(archive, "service_report", "2025-03", day="2025-04-01")
    _record(archive, "onsite_form", "XC-1", "2025-03-03 10:00")
    # 1 / 2 = 50 %: the plan's report_ratio target 95 decides for the project (not met) …
    rows = _rows(compute_kpi(archive, "2025-03", indicators=indicators))
    assert (rows[P, "report_ratio"]["value"], rows[P, "report_ratio"]["target"], rows[P, "report_ratio"]["met"]) == \
        (50.0, 95, False)
    assert rows[P, "report_ratio"]["target_source"] == "plan"
    # … while the overall row uses the config's 50 (met)
    assert (rows[ALL, "report_ratio"]["target"], rows[ALL, "report_ratio"]["met"]) == (50, True)

    # V1.1 drops the plan's report_ratio entry: the config's 50 applies → 50 ≥ 50 met
    plan_data["version"] = "V1.1"
    plan_data["sla"] = [s for s in plan_data["sla"] if s["metric"] != "report_ratio"]
    _plan(tmp_path, plan_data, "v11.yaml", archive=archive)
    rows = _rows(compute_kpi(archive, "2025-03", indicators=indicators))
    assert (rows[P, "report_ratio"]["target"], rows[P, "report_ratio"]["met"]) == (50, True)
    assert rows[P, "report_ratio"]["target_source"] == "config"
    # and with the packaged defaults, 95: not met
    rows = _rows(compute_kpi(archive, "2025-03"))
    assert (rows[P, "report_ratio"]["target"], rows[P, "report_ratio"]["met"]) == (95, False)


def default_indicators_text() -> str:
    from docgen.metrics.indicators import default_indicators_text as text

    return text()


def _config(path: Path, **report_ratio) -> Path:
    data = yaml.safe_load(default_indicators_text())
    data["indicators"][0].update(report_ratio)
    data["indicators"][1]["target"] = 60
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_config_from_the_archive_then_an_explicit_file(tmp_path, plan_data):
    plan_data["sla"] = [s for s in plan_data["sla"] if s["metric"] != "report_ratio"]
    archive = _plan(tmp_path, plan_data)
    _put(archive, "service_report", "2025-03", day="2025-04-01")
    _record(archive, "onsite_form", "XC-1", "2025-03-03 10:00", sla=[_sla("response_minutes", 20, True)])
    _record(archive, "onsite_form", "XC-2", "2025-03-04 10:00", sla=[_sla("response_minutes", 40, False)])
    # report ratio 1 / 3 = 33.3 %; response share 1 / 2 = 50 %
    assert load_indicators(archive=archive).source == "《交付管理规定》§8 及项目计划"

    _config(archive.root / "config" / "indicators.yaml", target=30, name="交付报告比例")
    found = load_indicators(archive=archive)
    assert found.source == "本公司指标配置（indicators.yaml）"
    rows = _rows(compute_kpi(archive, "2025-03"))  # picks up ARCHIVE/config/indicators.yaml by itself
    ratio = rows[P, "report_ratio"]
    assert (ratio["name"], ratio["target"], ratio["met"]) == ("交付报告比例", 30, True)  # 33.3 ≥ 30
    assert ratio["value"] == 33.33
    # sla_share target 60 from the file: 50 % < 60 → not met
    assert (rows[P, "response_minutes"]["target"], rows[P, "response_minutes"]["met"]) == (60, False)

    explicit = _config(tmp_path / "my-kpi.yaml", target=40)
    chosen = load_indicators(explicit, archive=archive)  # --config wins over the archive's file
    assert chosen.source == "指标配置（my-kpi.yaml）"
    ratio = _rows(compute_kpi(archive, "2025-03", indicators=chosen))[P, "report_ratio"]
    assert (ratio["name"], ratio["target"], ratio["met"]) == ("服务报告比例", 40, False)


def test_default_indicators_are_regulation_8_and_can_be_written_out(tmp_path):
    found = default_indicators()
    first = found.indicators[0]
    assert (first.id, first.name, first.formula, first.target, first.op, first.unit, first.period) == \
        ("report_ratio", "服务报告比例", "report_ratio", 95, ">=", "%", "月度")
    assert first.formula_text == "实际交付服务报告数量/应交付的服务报告数量*100%"
    assert [i.formula for i in found.indicators] == ["report_ratio", "sla_share", "availability_percent",
                                                     "satisfaction_score"]
    assert found.by_formula("sla_share").target == 100
    path = write_default_indicators(tmp_path / "archive" / "config" / "indicators.yaml")
    assert "§8" in path.read_text(encoding="utf-8")
    assert read_indicators(path).as_json() == found.as_json()
    with pytest.raises(InputError, match="已存在"):
        write_default_indicators(path)


@pytest.mark.parametrize(("change", "where", "words"), [
    (lambda d: d["indicators"][0].update(target="abc"), "indicators[0].target", "应为数字"),
    (lambda d: d["indicators"][1].update(formula="sla_shar"), "indicators[1].formula", "是否为 sla_share"),
    (lambda d: d["indicators"][0].update(targt=90), "indicators[0].targt", "是否为 target"),
    (lambda d: d["indicators"][1].pop("target"), "indicators[1].target", "须写明目标数值"),
    (lambda d: d["indicators"][0].update(target=0.95), "indicators[0].target", "请写 95"),
    (lambda d: d["indicators"][0].update(target=120), "indicators[0].target", "0–100"),
    (lambda d: d["indicators"][0].update(period="季度"), "indicators[0].period", "月度"),
    (lambda d: d["indicators"][2].update(id="report_ratio"), "indicators[2].id", "重复"),
    (lambda d: d["indicators"].pop(0), "indicators", "服务报告比例"),
    (lambda d: d["indicators"][1].update(unit="条"), "indicators[1].unit", "应为 \"%\""),
])
def test_bad_config_names_the_file_and_field(tmp_path, change, where, words):
    data = yaml.safe_load(default_indicators_text())
    change(data)
    path = tmp_path / "坏配置.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        load_indicators(path)
    text = str(caught.value)
    assert "坏配置.yaml" in text and f"{where}：" in text and words in text
    assert "请" in text  # says how to fix


def test_unreadable_config_files(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="是空的"):
        read_indicators(empty)
    listed = tmp_path / "list.yaml"
    listed.write_text("- id: x\n", encoding="utf-8")
    with pytest.raises(InputError, match="indicators"):
        read_indicators(listed)
    with pytest.raises(InputError, match="不存在"):
        read_indicators(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match=".yaml"):
        read_indicators(tmp_path / "kpi.xlsx")
    broken = tmp_path / "broken.yaml"
    broken.write_text("indicators:\n  - id: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="broken.yaml"):
        read_indicators(broken)
    # a bad file in the archive is reported too, not silently replaced by the defaults
    archive = Archive(tmp_path / "archive")
    (archive.root / "config").mkdir(parents=True)
    (archive.root / "config" / "indicators.yaml").write_text("indicators: []\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="indicators"):
        compute_kpi(archive, "2025-03")


def test_config_decides_which_indicators_and_fills_missing_plan_targets(tmp_path, plan_data):
    plan_data["sla"] = [s for s in plan_data["sla"] if s["metric"] != "availability_percent"]
    archive = _plan(tmp_path, plan_data)
    _put(archive, "service_report", "2025-03", day="2025-04-01", facts={"availability_percent": 99.2})
    _record(archive, "onsite_form", "XC-1", "2025-03-03 10:00", sla=[_sla("response_minutes", 20, True)])
    config = tmp_path / "kpi.yaml"
    config.write_text(yaml.safe_dump({"indicators": [
        {"id": "reports", "name": "服务报告比例", "formula": "report_ratio", "target": 90},
        {"id": "uptime", "name": "系统可用率", "formula": "availability_percent", "target": "99.5%", "unit": "%"},
    ]}, allow_unicode=True), encoding="utf-8")
    report = compute_kpi(archive, "2025-03", indicators=load_indicators(config))
    # no sla_share / satisfaction_score indicator: no such rows; the plan sets no availability target, so
    # the file's 99.5 applies: 99.2 < 99.5
    assert [(r["project"], r["id"], r["target"], r["met"]) for r in report.as_json()["indicators"]] == [
        (P, "reports", 95, False), (P, "uptime", 99.5, False), (ALL, "reports", 90, False)]
    assert _rows(report)[P, "uptime"]["target_source"] == "config"
    wb = load_workbook(io.BytesIO(_workbook(report)))
    assert wb.sheetnames == ["汇总", "服务报告比例", "系统可用率", "趋势"]


def test_bad_month_and_unknown_project(tmp_path):
    archive = _plan(tmp_path)
    for bad in ("2025-3", "2025-13", "2025-W10", "三月"):
        with pytest.raises(InputError, match=f"月份 “{bad}”"):
            compute_kpi(archive, bad)
    with pytest.raises(InputError, match="是否为 YNTD-YW-2025-001"):
        compute_kpi(archive, "2025-03", project="YNTD-YW-2025-01")
    with pytest.raises(InputError, match="保留"):
        compute_kpi(archive, "2025-03", project=ALL)


def test_json_shape(tmp_path):
    archive = _march_archive(tmp_path)
    out = compute_kpi(archive, "2025-03").as_json()
    assert set(out) == {"month", "indicators"} and out["month"] == "2025-03"
    for row in out["indicators"]:
        assert REQUIRED_KEYS <= set(row)
        assert isinstance(row["name"], str) and row["met"] in (True, False, None)
        assert row["value"] is None or isinstance(row["value"], float)
    json.dumps(out, ensure_ascii=False)  # plain JSON


# --- the workbook ------------------------------------------------------------------------------


def test_workbook_formulas_formats_chart_and_detail(tmp_path, plan_data):
    plan_data["project"]["name"] = '=HYPERLINK("http://evil","点我")'  # formula-looking text from the archive
    archive = _march_archive(tmp_path, plan_data)
    _record(archive, "remote_record", "+YC-2", "2025-03-21 09:00", sla=[_sla("response_minutes", 5, True)])
    report = compute_kpi(archive, "2025-03")
    data = _workbook(report)
    assert data == _workbook(compute_kpi(archive, "2025-03"))  # deterministic bytes
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["汇总", "服务报告比例", "SLA达成率", "系统可用率", "客户满意度", "趋势"]

    summary = wb["汇总"]
    assert summary.freeze_panes == "A10" and summary.page_setup.orientation == "landscape"
    assert summary.print_title_rows == "$9:$9"
    header = [c.value for c in summary[9]]
    assert header[:9] == ["序号", "指标", "项目编号", "项目名称", "目标", "应交 / 考核数", "实交 / 达标数", "实际值", "是否达标"]
    first = summary[10]  # 服务报告比例 of the project
    assert first[1].value == "服务报告比例" and first[2].value == P
    assert first[4].value == 0.95 and "0.0" in first[4].number_format and "%" in first[4].number_format
    assert first[5].value.startswith("='服务报告比例'!") and first[6].value.startswith("='服务报告比例'!")
    assert first[7].value.startswith("=IF('服务报告比例'!") and "本月无应交报告" in first[7].value
    assert first[7].number_format == "0.0#%"
    assert first[8].value.startswith("=IF(") and '"达标"' in first[8].value
    assert first[3].value == plan_data["project"]["name"] and first[3].data_type == "s"  # text, not a formula
    rules = [rule.formula[0] for cf in summary.conditional_formatting for rule in cf.rules]
    assert any("未达标" in f for f in rules) and any('="达标"' in f for f in rules)
    overall = [row for row in summary.iter_rows(min_row=10) if row[2].value == "全部项目"][0]
    assert overall[5].value.startswith("='服务报告比例'!")

    slots = wb["服务报告比例"]
    cells = {c.value for row in slots.iter_rows() for c in row}
    # every due slot with its state and the 文件编号 of the archived document that met it (these were
    # archived unnumbered, so their number is their title "t"), never a doc_id or a type code
    assert {"XC-1", "XC-2", "2025-03", "已交付", "缺失", "t", "运维服务报告", "现场服务报告单", "每月", "每次服务"} <= cells
    assert not {f"{P}/service_report/2025-03", f"{P}/onsite_report/XC-1", "service_report", "onsite_report"} & cells
    assert [c.value for c in slots[10]] == ["序号", "项目编号", "报告名称", "频次", "应交期间 / 服务单号", "交付状态",
                                            "交付文档（文件编号）", None]
    formulas = [c.value for row in slots.iter_rows() for c in row if c.data_type == "f"]
    assert any(f.startswith("=COUNTIF(") for f in formulas) and any(f.startswith("=COUNTIFS(") for f in formulas)
    assert slots.conditional_formatting

    sla = wb["SLA达成率"]
    cells = [c.value for row in sla.iter_rows() for c in row]
    # response: XC-1, XC-2, YC-1, +YC-2 and YC-N (无计划目标); arrival: XC-1, XC-2
    detail = {(row[2].value, row[4].value): (row[3].value, row[7].value, row[8].value)
              for row in sla.iter_rows() if row[4].value in ("XC-1", "XC-2", "YC-1", "+YC-2", "YC-N")}
    assert detail == {("故障响应时间", "XC-1"): ("≤30 分钟", 20, "达标"), ("故障响应时间", "YC-1"): ("≤30 分钟", 10, "达标"),
                      ("故障响应时间", "YC-N"): ("无计划目标", 99, "无计划目标"),
                      ("故障响应时间", "+YC-2"): ("≤30 分钟", 5, "达标"),
                      ("故障响应时间", "XC-2"): ("≤30 分钟", 45, "未达标"),
                      ("现场到达时间", "XC-1"): ("≤240 分钟", 200, "达标"),
                      ("现场到达时间", "XC-2"): ("≤240 分钟", 300, "未达标")}
    assert any(isinstance(v, str) and v.startswith("=COUNTIFS(") for v in cells)
    assert any(isinstance(v, str) and v.startswith("=IFERROR(AVERAGEIFS(") for v in cells)
    injected = [c for row in sla.iter_rows() for c in row if c.value == "+YC-2"]
    assert injected and all(c.data_type == "s" for c in injected)

    trend = wb["趋势"]
    assert len(trend._charts) == 1
    months = [c.value for c in trend["A"] if isinstance(c.value, str) and c.value[:2] == "20"]
    assert months == months_ending("2025-03")
    assert any(isinstance(c.value, str) and c.value.startswith("=SUM(") for row in trend.iter_rows() for c in row)


def test_publish_twice_is_unchanged_and_stored_under_all(tmp_path):
    archive = _march_archive(tmp_path)
    templates = TemplateSet()
    spec = kpi_spec(compute_kpi(archive, "2025-03"), today=TODAY)
    assert (spec.doc_type, spec.project, spec.key, spec.period, spec.template) == \
        ("kpi_report", ALL, ("2025-03",), "2025-03", "kpi_report.xlsx")
    assert spec.title == "月度KPI统计表（2025-03）" and spec.date == TODAY
    assert spec.facts.indicators[0].id == "report_ratio"
    assert TODAY.isoformat() not in json.dumps(spec.context, ensure_ascii=False, default=str)
    out = tmp_path / "out" / "kpi.xlsx"
    first = publish([spec], archive=archive, templates=templates, out_file=out, source="kpi")
    assert first[0].status == "new" and first[0].version == 1
    assert Path(first[0].path).relative_to(archive.root).as_posix().startswith("documents/_all/2025/kpi_report/")
    assert out.read_bytes() == Path(first[0].path).read_bytes()

    # the next day, the same archive facts: unchanged, no new version
    again = publish([kpi_spec(compute_kpi(archive, "2025-03"), today=TODAY + datetime.timedelta(days=1))],
                    archive=archive, templates=templates, source="kpi")
    assert again[0].status == "unchanged" and again[0].version == 1
    # the KPI report itself is no project
    assert [p.code for p in compute_kpi(archive, "2025-03").projects] == [P]

    # XC-2's 现场服务报告单 arrives: 3 / 3, a new version
    _record(archive, "onsite_report", "XC-2", "2025-03-31 23:50")
    third = publish([kpi_spec(compute_kpi(archive, "2025-03"), today=TODAY)], archive=archive, templates=templates,
                    source="kpi")
    assert third[0].status == "version" and third[0].version == 2
    stored = archive.latest(f"{ALL}/kpi_report/2025-03")
    assert _rows_of(stored["facts"])[P, "report_ratio"]["delivered"] == 3

    # filtered: stored under the project's own folder
    only = publish([kpi_spec(compute_kpi(archive, "2025-03", project=P), today=TODAY)], archive=archive,
                   templates=templates, source="kpi")
    assert Path(only[0].path).relative_to(archive.root).as_posix().startswith(f"documents/{P}/2025/kpi_report/")


def _rows_of(facts: dict) -> dict[tuple[str, str], dict]:
    return {(r["project"], r["id"]): r for r in facts["indicators"]}


def test_no_projects_at_all(tmp_path):
    archive = Archive(tmp_path / "archive")
    report = compute_kpi(archive, "2025-03")
    assert [(r["project"], r["due"], r["value"], r["note"]) for r in report.as_json()["indicators"]] == \
        [(ALL, 0, None, "本月无应交报告")]
    wb = load_workbook(io.BytesIO(_workbook(report)))
    assert len(wb["趋势"]._charts) == 1


# --- the template ------------------------------------------------------------------------------


def test_workbook_is_filled_into_its_template(tmp_path):
    archive = _march_archive(tmp_path)
    wb = load_workbook(io.BytesIO(_workbook(compute_kpi(archive, "2025-03"))))
    template = load_workbook(TemplateSet().find(TEMPLATE).path)
    summary, model = wb["汇总"], template["汇总"]
    # the header block is the template's, its placeholders filled
    assert (summary["A1"].value, summary["A2"].value) == ("云南腾电科技有限公司", "月度KPI统计表（2025-03）")
    assert summary["A3"].value == "统计月份：2025-03　　统计范围：全部项目（1 个）　　指标定义：《交付管理规定》§8 及项目计划"
    # rows 4–7: the document control block (tests/test_document_control_xlsx.py reads it from the demo)
    assert [summary.cell(r, 1).value for r in range(4, 8)] == ["文件编号", "编制", "审核", "批准"]
    assert (summary["C4"].value, summary["G4"].value) == ("ZBTJ-2025-03", "V1.0")
    assert summary["A2"].font.name == model["A2"].font.name == "黑体" and summary["A2"].font.sz == 16
    assert [c.value for c in summary[9]] == [c.value for c in model[9]]
    assert summary["A9"].fill.fgColor.rgb == model["A9"].fill.fgColor.rgb
    assert summary.oddHeader.right.text == "文件编号：ZBTJ-2025-03　版本：V1.0"
    assert (summary.oddFooter.left.text, summary.oddFooter.right.text) == ("月度KPI统计表（2025-03）", "第 &P 页 共 &N 页")
    assert wb.properties.title == "月度KPI统计表（2025-03）"
    assert summary.freeze_panes == model.freeze_panes == "A10"
    # rows 10–15 are P's six indicators in the sample row's style, row 16 the 全部项目 row in the bold one
    for r in range(10, 16):
        row = summary[r]
        assert row[0].value == r - 9 and row[2].value == P
        for cell, sample in zip(row, model[10]):
            assert (cell.font.name, cell.font.b, cell.border.left.style, cell.alignment.horizontal) == \
                (sample.font.name, sample.font.b, sample.border.left.style, sample.alignment.horizontal)
    assert summary["C16"].value == "全部项目" and summary["B16"].font.b and not summary["B15"].font.b
    assert summary["H10"].value.startswith("=IF('服务报告比例'!") and summary["I16"].value.startswith("=IF(")
    # the template's red/green rules follow the rows, their formulas moved with them
    rules = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in summary.conditional_formatting}
    assert rules["H10:I15"] == ['$I10="未达标"', '$I10="达标"'] and rules["H16:I16"] == ['$I16="未达标"', '$I16="达标"']
    # the definitions and the note come after the rows, one definition per indicator
    definitions = [r for r in range(17, summary.max_row + 1) if summary.cell(r, 2).value in ("服务报告比例", "SLA达成率")]
    assert definitions == [20, 21] and summary["A18"].value.startswith("指标定义　　来源：")
    assert summary.cell(summary.max_row, 1).value.startswith("注：") and "C20:D20" in summary.merged_cells
    # fitted to the page width the definitions do not fit under the rows: they start the next page together with
    # their heading instead of going on under the summary's repeated header row
    assert [b.id for b in summary.row_breaks.brk] == [17]
    # the detail sheets: moved sample rows keep their colours; the template's marks and tags are gone
    slots = wb["服务报告比例"]
    detail_rules = {str(cf.sqref) for cf in slots.conditional_formatting}
    assert "F11:F13" in detail_rules and slots["F11"].value in ("已交付", "缺失")
    texts = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if "{{" in t or "{#" in t or "{%" in t]
    assert len(wb["趋势"]._charts) == 1


def test_indicator_names_may_be_other_sheets_names(tmp_path, plan_data):
    archive = _plan(tmp_path, plan_data)
    config = tmp_path / "kpi.yaml"
    config.write_text(yaml.safe_dump({"indicators": [
        {"id": "reports", "name": "汇总", "formula": "report_ratio", "target": 90},
        {"id": "uptime", "name": "客户满意度", "formula": "availability_percent", "target": 99.5},
        {"id": "score", "name": "系统可用率", "formula": "satisfaction_score", "target": 4.5, "unit": "分"},
    ]}, allow_unicode=True), encoding="utf-8")
    report = compute_kpi(archive, "2025-03", indicators=load_indicators(config))
    wb = load_workbook(io.BytesIO(_workbook(report)))
    # each indicator's sheet comes from its formula's template sheet, named as the file says
    assert wb.sheetnames == ["汇总", "汇总(2)", "客户满意度", "系统可用率", "趋势"]
    assert wb["客户满意度"]["A2"].value == "月度KPI统计表（2025-03）——客户满意度"
    assert "计算公式：运维服务报告记录的本月系统可用率" in wb["客户满意度"]["A3"].value  # the availability indicator
    assert wb["汇总(2)"]["A9"].value.startswith("二、应交报告明细")


def test_trend_has_a_column_group_per_project(tmp_path, plan_data):
    archive = _plan(tmp_path)
    plan_data["project"]["code"] = B
    _plan(tmp_path, plan_data, "b.yaml", archive=archive)
    _put(archive, "service_report", "2025-03", day="2025-04-01", project=B)
    wb = load_workbook(io.BytesIO(_workbook(compute_kpi(archive, "2025-03"))))
    trend = wb["趋势"]
    assert (trend["B5"].value, trend["G5"].value, trend["J5"].value) == ("全部项目合计", B, P)
    assert [trend.cell(6, c).value for c in range(7, 13)] == ["应交付数量", "实际交付数量", "服务报告比例"] * 2
    merged = {str(m) for m in trend.merged_cells.ranges}
    assert {"A1:L1", "A4:L4", "B5:F5", "G5:I5", "J5:L5", "A5:A6"} <= merged
    assert trend.column_dimensions["J"].width == trend.column_dimensions["G"].width
    assert trend["L18"].border.left.style == trend["I18"].border.left.style == "thin"  # March, P
    assert (trend["J18"].value, trend["K18"].value, trend["L18"].value) == (1, 0, "=K18/J18")  # P's March report
    assert trend["J19"].value == "=SUM(J7:J18)" and trend["L19"].value.startswith("=IF(J19=0")
    chart = trend._charts[0]
    assert len(chart.series) == 4  # the scope, B, P and the target
    assert trend.print_area == "'趋势'!$A$1:$L$40"  # the chart: rows 22–40, under its heading (row 21)
    # three column groups print landscape; fitted to that width the chart does not fit under the table, so its
    # heading starts the next page (#14 item 5: a chart is never cut across two pages)
    assert trend.page_setup.orientation == "landscape" and trend.page_setup.fitToHeight == 0
    assert [b.id for b in trend.row_breaks.brk] == [20]


def test_user_template_restyles_and_is_the_archived_template(tmp_path):
    from openpyxl.styles import Font, PatternFill

    archive = _march_archive(tmp_path)
    folder = tmp_path / "tpl"
    folder.mkdir()
    packaged = TemplateSet().find(TEMPLATE).path
    wb = load_workbook(packaged)
    ws = wb["汇总"]
    for cell in ws[9]:
        cell.fill = PatternFill("solid", start_color="FFC000", end_color="FFC000")
    for cell in ws[10]:
        cell.font = Font(name="仿宋", size=12)
    ws["A2"].font = Font(name="楷体", size=18, bold=True, color="C00000")
    wb.save(folder / TEMPLATE)
    templates = TemplateSet(folder)
    out = load_workbook(io.BytesIO(_workbook(compute_kpi(archive, "2025-03"), templates)))["汇总"]
    assert out["B9"].fill.fgColor.rgb.endswith("FFC000") and out["B9"].value == "指标"
    assert {out.cell(r, 2).font.name for r in range(10, 16)} == {"仿宋"}
    assert out["A2"].font.name == "楷体" and out["A2"].font.color.rgb.endswith("C00000")

    # archived with the user template's checksum: the same figures and template are unchanged, the
    # packaged template again is a new version
    first = publish([kpi_spec(compute_kpi(archive, "2025-03"), today=TODAY)], archive=archive, templates=templates,
                    source="kpi")
    record = archive.latest(f"{ALL}/kpi_report/2025-03")
    assert record["template_sha256"] == templates.find(TEMPLATE).sha256 != TemplateSet().find(TEMPLATE).sha256
    again = publish([kpi_spec(compute_kpi(archive, "2025-03"), today=TODAY)], archive=archive, templates=templates,
                    source="kpi")
    assert (first[0].status, again[0].status) == ("new", "unchanged")
    packaged_again = publish([kpi_spec(compute_kpi(archive, "2025-03"), today=TODAY)], archive=archive,
                             templates=TemplateSet(), source="kpi")
    assert (packaged_again[0].status, packaged_again[0].version) == ("version", 2)


def test_user_template_problems_name_the_template(tmp_path):
    from docgen.errors import TemplateProblem

    archive = _march_archive(tmp_path)
    report = compute_kpi(archive, "2025-03")
    folder = tmp_path / "tpl"
    folder.mkdir()
    wb = load_workbook(TemplateSet().find(TEMPLATE).path)
    wb["汇总"]["A3"] = "统计月份：{{ monthh }}"
    wb.save(folder / TEMPLATE)
    with pytest.raises(TemplateProblem, match=r"kpi_report.xlsx 的单元格 汇总!A3中的占位符.*monthh"):
        _workbook(report, TemplateSet(folder))
    del wb["趋势"]
    wb["汇总"]["A3"] = "{{ month }}"
    wb.save(folder / TEMPLATE)
    with pytest.raises(TemplateProblem, match="缺少工作表“趋势”"):
        _workbook(report, TemplateSet(folder))
    wb = load_workbook(TemplateSet().find(TEMPLATE).path)
    wb["汇总"]["A10"] = "1"  # the sample row's mark gone: rows were moved or removed
    wb.save(folder / TEMPLATE)
    with pytest.raises(TemplateProblem, match="第 10 行应为数据行"):
        _workbook(report, TemplateSet(folder))


def test_the_demo_workbook_speaks_to_a_business_reader(demo_archive):
    """#14: the 月度KPI统计表 the demo archives names documents by their 文件编号, never by doc_id or type
    code, and says where the indicators come from in the business's words."""
    from docgen.facts import view_of

    root, _ = demo_archive
    archive = Archive(root)
    stored = archive.latest(f"{P}/kpi_report/2025-12")
    path = archive.file_path(stored)
    assert reader_words_problems(path) == []
    wb = load_workbook(path)
    assert wb["汇总"]["A3"].value.endswith("指标定义：《交付管理规定》§8 及项目计划")
    view = view_of(archive)
    report = view.documents(P, "service_report")
    december = next(d for d in report if d.period == "2025-12")
    survey = next(d for d in view.documents(P, "survey_report") if d.period == "2025-12")
    assert december.doc_no != december.title  # numbered
    rows = [[c.value for c in row] for row in wb["服务报告比例"].iter_rows()]
    head = next(n for n, r in enumerate(rows) if r[0] == "序号" and r[2] == "报告名称")
    assert rows[head][:7] == ["序号", "项目编号", "报告名称", "频次", "应交期间 / 服务单号", "交付状态", "交付文档（文件编号）"]
    assert ["运维服务报告", "2025-12", december.doc_no] in [[r[2], r[4], r[6]] for r in rows[head + 1:]]
    assert wb["系统可用率"]["H5"].value == "数据来源（文件编号）" and wb["系统可用率"]["H6"].value == december.doc_no
    assert wb["客户满意度"]["H6"].value == survey.doc_no
    rows = [[c.value for c in row] for row in wb["SLA达成率"].iter_rows()]
    head = next(n for n, r in enumerate(rows) if r[4] == "服务单号")
    assert rows[head][9] == "数据来源（文件编号）"
    numbers = {d.doc_no for d in view.service_records(P).values()}
    listed = {r[9] for r in rows[head + 1:] if r[4]}
    assert listed and listed <= numbers
