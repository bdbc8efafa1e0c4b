"""运维服务报告 (kind: service_report) end to end on real files: the plan, on-site/remote records, the
survey and an emergency pack archived first, then the report reopened with python-docx — services of
the period, SLA figures computed by hand, leftover issues open and closed, incidents inside and outside
the period — plus unchanged/new-version behaviour, refused inputs and the Excel 录入表 round trip."""
from __future__ import annotations

import copy
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from click.testing import CliRunner

from docgen.archive import Archive
from docgen.cli import cli
from docgen.inputs._xlsx import read_form, write_form
from docgen.kinds import get_kind
from docgen.numbers import fmt_num
from docgen.pipeline import check_input, generate
from docgen.render import TemplateSet
from tests.conftest import EXAMPLES

P = "YNTD-YW-2025-001"
DOC_ID = f"{P}/service_report/2025-03"


def _example(kind: str) -> dict:
    return copy.deepcopy(yaml.safe_load((EXAMPLES / f"{kind}.yaml").read_text(encoding="utf-8")))


def _write(folder: Path, name: str, data: dict) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _shift(value: Any, delta: timedelta) -> Any:
    """Every date and time in an input moved by delta (their order stays as the example has it)."""
    if isinstance(value, dict):
        return {k: _shift(v, delta) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, delta) for v in value]
    if isinstance(value, datetime):
        return value + delta
    if isinstance(value, date):
        return value + delta
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", value):
        return (datetime.fromisoformat(value) + delta).strftime("%Y-%m-%d %H:%M")
    return value


def _remote(service_no: str, day: str, *, responded: str, resolves: list[str] = (), leftover: dict | None = None,
            reviewed: bool = True, visited: bool = True) -> dict:
    """The remote example moved to `day` (requested 10:00, resolved 15:00 = 300 min), responded at
    `responded`, closing `resolves`, optionally leaving `leftover`, unreviewed or not yet visited."""
    data = _shift(_example("remote"), date.fromisoformat(day) - date(2025, 4, 2))
    data["service_no"] = service_no
    data["responded_at"] = f"{day} {responded}"
    data["resolved_leftovers"] = [{"ref": ref, "resolution": "已处理", "at": f"{day} 14:50"} for ref in resolves]
    if leftover:
        data["leftover_issues"] = [leftover]
        data["leftover_confirmed_by"] = "陈主任"
    if not reviewed:
        data.pop("record")
    if not visited:
        data.pop("satisfaction")
    return data


def _archive_project(folder: Path) -> Archive:
    """Plan, the March on-site example (XC-2025-0007, leaves XC-2025-0007#1 due 03-20), two March
    remote records and the April remote example, the March survey, the January and February incident
    records (YC-2025-0003; XC-2025-0005, 重大) and the 2025-Q1 emergency pack."""
    archive = Archive(folder / "archive")
    inputs = [EXAMPLES / "plan.yaml", EXAMPLES / "onsite.yaml",
              _write(folder, "r10.yaml", _remote("YC-2025-0010", "2025-03-20", responded="10:45",
                                                 resolves=["XC-2025-0007#1"])),
              _write(folder, "r11.yaml", _remote("YC-2025-0011", "2025-03-25", responded="10:10",
                                                 leftover={"issue": "归档表空间增长过快", "plan": "评估扩容方案",
                                                           "owner": "李娜", "due": "2025-03-28"},
                                                 reviewed=False, visited=False)),
              EXAMPLES / "remote.yaml", EXAMPLES / "survey.yaml", *sorted((EXAMPLES / "records").glob("*.yaml")),
              EXAMPLES / "emergency.yaml"]
    generate(inputs, archive=archive, templates=TemplateSet())
    return archive


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, Archive]:
    folder = tmp_path_factory.mktemp("sr")
    return folder, _archive_project(folder)


def _report(archive: Archive, folder: Path, **changes: Any) -> tuple[Any, docx.Document]:
    data = _example("service_report") | changes
    [doc] = generate([_write(folder, "report.yaml", data)], archive=archive, templates=TemplateSet())
    return doc, docx.Document(doc.path)


def _table(document: docx.Document, header: str) -> list[list[str]]:
    for table in document.tables:
        rows = [[c.text.strip() for c in row.cells] for row in table.rows]
        if header in rows[0]:
            return rows
    raise AssertionError(f"no table with header {header}")


def _section(document: docx.Document, heading: str) -> str:
    out, inside = [], False
    for p in document.paragraphs:
        if p.style.name == "Heading 1":
            inside = heading in p.text
            continue
        if inside:
            out.append(p.text)
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------- the report
def test_services_of_the_period_with_their_sla_review_and_visit(project):
    folder, archive = project
    doc, document = _report(archive, folder)
    assert doc.doc_type == "service_report" and doc.doc_id == DOC_ID and doc.period == "2025-03"
    assert doc.date == "2025-04-03" and "/2025/service_report/" in doc.path
    rows = _table(document, "服务单号")
    assert [r[1] for r in rows[1:]] == ["XC-2025-0007", "YC-2025-0010", "YC-2025-0011"]  # April's YC-2025-0021 not
    onsite, late, pending = rows[1:]
    assert onsite[2:4] == ["现场\n故障", "王强"] and onsite[5] == "03-12 09:10\n03-12 13:40"
    assert onsite[6] == "15 / 270" and onsite[7:] == ["达标", "已审核", "5 分"]
    assert late[2] == "远程\n故障" and late[6] == "45 / 300" and late[7] == "未达标（故障响应时间）"
    assert pending[6] == "10 / 300" and pending[7:] == ["达标", "待审核", "待回访"]
    services = _section(document, "服务情况")
    assert "本月共完成服务 3 次（现场 1 次、远程 2 次；故障 3 次）；SLA 全部达标 2 次、未达标 1 次；待审核 1 次，待回访 1 次。" in services


def test_sla_figures_per_plan_metric_computed_by_hand(project):
    folder, archive = project
    doc, document = _report(archive, folder)
    rows = {r[1]: r for r in _table(document, "达成率")[1:]}
    assert list(rows) == ["故障响应时间", "现场到达时间", "一般故障解决时间", "系统可用率", "客户满意度", "服务报告比例"]
    # response minutes 15, 45, 10: 2 of 3 within 30; mean 70/3; p90 = the ⌈2.7⌉ = 3rd smallest = 45
    assert rows["故障响应时间"][2:7] == ["≤30 分钟", "达标 2/3 单", "66.67%", "23.33 / 45 分钟", "未达标"]
    assert "YC-2025-0010" in rows["故障响应时间"][7]
    assert rows["现场到达时间"][2:7] == ["≤240 分钟", "达标 1/1 单", "100%", "210 / 210 分钟", "达标"]
    # resolution 270, 300, 300: mean 290, p90 300
    assert rows["一般故障解决时间"][3:7] == ["达标 3/3 单", "100%", "290 / 300 分钟", "达标"]
    assert rows["系统可用率"][2:4] == ["≥99.9%", "99.95%"] and rows["系统可用率"][6] == "达标"
    # the March survey: 50 points over 12 scores = 4.17 < 4.5
    assert rows["客户满意度"][2:4] == ["≥4.5 分", "4.17 分"] and rows["客户满意度"][6] == "未达标"
    # due in March: the monthly service report + XC-2025-0007's on-site report; both delivered (this one counted)
    assert rows["服务报告比例"][3:5] == ["应交 2 份，已交 2 份", "100%"] and rows["服务报告比例"][6] == "达标"
    assert len(document.inline_shapes) == 1  # the achievement-rate chart
    warnings = doc.warnings
    assert any(w.startswith("SLA 未达标：故障响应时间（目标 ≤30 分钟）达标 2/3 单，达成率 66.67%") for w in warnings)
    assert any(w.startswith("SLA 未达标：客户满意度 4.17 分，低于计划目标 ≥4.5 分") for w in warnings)
    assert "依据运维项目管理计划（V1.0）的 6 项 SLA 指标：达标 4 项，未达标 2 项（故障响应时间、客户满意度）。" \
        in _section(document, "SLA达成情况")


def test_leftovers_open_as_of_the_period_end_and_closed_within_it(project):
    folder, archive = project
    doc, document = _report(archive, folder)
    open_rows = _table(document, "遗留问题及处理计划")
    assert len(open_rows) == 2
    row = open_rows[1]
    # raised 2025-03-25 by YC-2025-0011, due 03-28: 6 days old and 3 days overdue on 03-31
    assert row[0] == "YC-2025-0011#1" and row[1] == "归档表空间增长过快\n计划：评估扩容方案"
    assert row[2:] == ["李娜", "2025-03-25", "2025-03-28", "6", "已逾期 3 天"]
    closed = _table(document, "关闭服务单")
    assert closed[1][:4] == ["XC-2025-0007#1", "交换机端口偶发CRC错误", "YC-2025-0010", "2025-03-20"]
    assert any("遗留问题 YC-2025-0011#1（归档表空间增长过快）已逾期 3 天" in w for w in doc.warnings)
    facts = archive.latest(DOC_ID)["facts"]
    assert facts["open_leftovers"] == ["YC-2025-0011#1"] and facts["overdue_leftovers"] == ["YC-2025-0011#1"]
    assert facts["closed_leftovers"] == ["XC-2025-0007#1"]


def test_incidents_are_the_incident_records_inside_the_period_only(project):
    folder, archive = project
    _, document = _report(archive, folder)
    rows = _table(document, "事件编号")
    # every March record is a fault; YC-2025-0003 (January) and XC-2025-0005 (February) are outside
    assert [r[1] for r in rows[1:]] == ["XC-2025-0007", "YC-2025-0010", "YC-2025-0011"]
    assert rows[1][2:] == ["一般", "网络", "2025-03-12 09:10", "2025-03-12 13:40", "15 / 270", "不适用"]
    assert "本月共发生事件 3 起（一般 3 起），无重大事件。数据来源：故障类现场/远程服务记录。" in _section(document, "事件情况")
    _, quarter = _report(archive, folder, period="2025-Q1")
    rows = _table(quarter, "事件编号")
    assert [r[1] for r in rows[1:]] == ["YC-2025-0003", "XC-2025-0005", "XC-2025-0007", "YC-2025-0010", "YC-2025-0011"]
    assert rows[2][2] == "重大" and rows[2][-1] == "有"  # major, with its analysis report in the pack


def test_facts_recorded_with_the_report(project):
    folder, archive = project
    _report(archive, folder)
    facts = archive.latest(DOC_ID)["facts"]
    assert facts["availability_percent"] == 99.95
    assert facts["services"]["service_nos"] == ["XC-2025-0007", "YC-2025-0010", "YC-2025-0011"]
    assert facts["services"]["onsite"] == 1 and facts["services"]["remote"] == 2
    assert facts["services"]["sla_not_met"] == ["YC-2025-0010"]
    assert facts["incidents"] == ["XC-2025-0007", "YC-2025-0010", "YC-2025-0011"] and facts["major_incidents"] == []
    response = next(s for s in facts["sla"] if s["metric"] == "response_minutes")
    assert (response["records"], response["met_records"], response["p90"]) == (3, 2, 45.0)
    assert facts["sla_summary"]["not_met"] == ["response_minutes", "satisfaction_score"]


def test_next_period_plan_summary_and_title_block(project):
    folder, archive = project
    _, document = _report(archive, folder)
    assert "本月系统运行总体平稳，处理现场故障2次、远程支持1次，无重大事件。" in _section(document, "本期工作概述")
    plan = _section(document, "下期工作计划")
    assert "完成前置机交换机跳线更换" in plan and "开展数据库主备切换演练" in plan
    head = _table(document, "项目编号")
    cells = [c for row in head for c in row]
    for text in (P, "2025年3月（2025-03）", "2025-03-01 至 2025-03-31", "张伟", "2025-04-03", "运维项目管理计划 V1.0",
                 f"{P}-FWBG-2025-03"):
        assert text in cells, text
    assert "第" in "".join(p.text for p in document.sections[0].footer.paragraphs)


def test_availability_below_target_or_missing_is_a_warning(project):
    folder, archive = project
    doc, document = _report(archive, folder, availability_percent=99.5)
    assert "availability_percent：系统可用率 99.5% 低于计划目标 ≥99.9%（SLA 未达标）" in doc.warnings
    assert {r[1]: r for r in _table(document, "达成率")[1:]}["系统可用率"][6] == "未达标"
    data = _example("service_report")
    data.pop("availability_percent")
    [doc] = generate([_write(folder, "no-availability.yaml", data)], archive=archive, templates=TemplateSet())
    assert any(w.startswith("availability_percent：计划设有系统可用率指标（目标 ≥99.9%），但未填写") for w in doc.warnings)


def test_weekly_report_counts_the_week_only(project):
    folder, archive = project
    doc, document = _report(archive, folder, period="2025-W11", prepared_on="2025-03-17")  # 03-10 … 03-16
    assert [r[1] for r in _table(document, "服务单号")[1:]] == ["XC-2025-0007"]
    assert doc.doc_id == f"{P}/service_report/2025-W11"
    assert any("运维服务报告为 monthly，本报告为 weekly" in w for w in doc.warnings)
    assert "2025年第11周周报" in "\n".join(p.text for p in document.paragraphs)


# ---------------------------------------------------------------------------------------------- versions
def test_same_input_same_archive_is_unchanged_new_record_in_period_is_a_new_version(tmp_path):
    archive = _archive_project(tmp_path)
    report = _write(tmp_path, "report.yaml", _example("service_report"))
    [first] = generate([report], archive=archive, templates=TemplateSet())
    [again] = generate([report], archive=archive, templates=TemplateSet())
    assert (first.status, again.status, again.version) == ("new", "unchanged", 1)
    # a record outside the period changes nothing
    april = _write(tmp_path, "april.yaml", _remote("YC-2025-0030", "2025-04-10", responded="10:05"))
    generate([april], archive=archive, templates=TemplateSet())
    assert generate([report], archive=archive, templates=TemplateSet())[0].status == "unchanged"
    # one inside it does
    march = _write(tmp_path, "march.yaml", _remote("YC-2025-0012", "2025-03-27", responded="10:05"))
    generate([march], archive=archive, templates=TemplateSet())
    [newer] = generate([report], archive=archive, templates=TemplateSet())
    assert (newer.status, newer.version) == ("version", 2)
    assert "YC-2025-0012" in archive.latest(DOC_ID)["facts"]["services"]["service_nos"]


def test_empty_archive_still_generates_with_a_warning(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate",
                                      str(EXAMPLES / "service_report.yaml"), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    [doc] = json.loads(result.stdout)
    assert doc["status"] == "new" and doc["doc_type"] == "service_report"
    assert any("尚未归档运维项目管理计划" in w for w in doc["warnings"])
    document = docx.Document(doc["path"])
    assert _table(document, "服务单号")[1][0] == "本月无现场或远程服务记录"
    assert _table(document, "事件编号")[1][0] == "本月无事件"
    assert _table(document, "遗留问题及处理计划")[1][0] == "无未关闭的遗留问题"
    sla = _table(document, "达成率")
    assert sla[1][1:4] == ["系统可用率", "无计划目标", "99.95%"]
    assert len(document.inline_shapes) == 0
    assert "无计划目标" in _section(document, "SLA达成情况")
    assert Archive(tmp_path / "a").latest(DOC_ID)["facts"]["sla"] == "无计划目标"
    # --no-archive renders the same way without an archive at all
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "none"), "generate", "--no-archive",
                                      str(EXAMPLES / "service_report.yaml"), "-o", str(tmp_path / "o2")])
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("change, expected", [
    ({"prepared_on": "2025-02-27"}, "prepared_on：编制日期 prepared_on（2025-02-27）早于报告期间 period（2025-03）的第一天 2025-03-01"),
    ({"period": "2025-13"}, "period：报告期间 “2025-13” 格式不对"),
    ({"period": "2025"}, "报告期间 “2025” 是全年"),
    ({"period": "2025-03-15"}, "报告期间 “2025-03-15” 是一天"),
    ({"period": "2025-W53", "prepared_on": "2025-12-31"}, "报告期间 “2025-W53” 不存在"),
    ({"sumary": "x"}, "未知字段 sumary，是否为 summary?"),
    ({"availability_percent": 101}, "系统可用率（%）（availability_percent） 应不大于 100"),
    ({"availability_percent": "很高"}, "availability_percent"),
    ({"summary": ""}, "summary：缺少必填字段 本期工作概述（summary）"),
])
def test_bad_input_is_refused_with_the_field_named(tmp_path, change, expected):
    data = _example("service_report") | change
    path = _write(tmp_path, "bad.yaml", data)
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(path),
                                      "-o", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert expected in result.stderr, result.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "o").exists()


def test_percent_sign_and_prepared_before_period_end(tmp_path):
    data = _example("service_report") | {"availability_percent": "99.9%", "prepared_on": "2025-03-30"}
    checked = check_input(_write(tmp_path, "r.yaml", data))
    assert checked.errors == [] and checked.model.availability_percent == 99.9
    assert [w.path for w in checked.warnings] == ["prepared_on"]


# ---------------------------------------------------------------------------------------------- init / 录入表
def test_init_yaml_scaffold_and_xlsx_round_trip(tmp_path):
    example = _example("service_report")
    blank = tmp_path / "报告.yaml"
    result = CliRunner().invoke(cli, ["init", "service_report", "-o", str(blank)])
    assert result.exit_code == 0, result.output
    text = blank.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.search(r"#\s*\S*[\u4e00-\u9fff]", line), f"no Chinese comment: {line}"
    scaffold = yaml.safe_load(text)
    assert scaffold["kind"] == "service_report" and set(example) <= set(scaffold)

    book = tmp_path / "报告.xlsx"
    assert CliRunner().invoke(cli, ["init", "service_report", "--xlsx", "-o", str(book)]).exit_code == 0
    model = get_kind("service_report").model
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(write_form(model, kind="service_report", title="运维服务报告录入表", data=example))
    form = read_form(filled)
    assert form.issues == [] and model.model_validate(form.data) == model.model_validate(example)
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(filled), "--json"])
    assert result.exit_code == 0, result.output
    [doc] = json.loads(result.stdout)
    assert doc["doc_id"] == DOC_ID


def test_num_formatting():
    assert (fmt_num(15.0), fmt_num(22.5), fmt_num(70 / 3), fmt_num(None), fmt_num(99.95, 3)) == \
        ("15", "22.5", "23.33", "—", "99.95")


def test_report_written_long_after_its_period_is_a_warning(tmp_path):
    data = _example("service_report") | {"prepared_on": "2026-04-03"}
    checked = check_input(_write(tmp_path, "r.yaml", data))
    assert checked.errors == [] and "晚 368 天" in checked.warnings[0].message


def test_availability_without_a_plan_target_is_listed_not_judged(tmp_path, plan_data):
    plan_data["sla"] = [s for s in plan_data["sla"] if s["metric"] != "availability_percent"]
    archive = Archive(tmp_path / "archive")
    generate([_write(tmp_path, "plan.yaml", plan_data)], archive=archive, templates=TemplateSet())
    doc, document = _report(archive, tmp_path)
    rows = {r[1]: r for r in _table(document, "达成率")[1:]}
    assert rows["系统可用率"][2:4] == ["计划未设目标", "99.95%"] and rows["系统可用率"][6] == "—"
    assert not [w for w in doc.warnings if "availability_percent" in w]
    # no records in the period: the service metrics say so and are not judged
    assert rows["故障响应时间"][3:7] == ["本期无适用的服务记录", "—", "—", "—"]
    assert "本期没有可计算达成率的服务类 SLA 指标" in _section(document, "SLA达成情况")
    assert len(document.inline_shapes) == 0
