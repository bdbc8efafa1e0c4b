"""应急响应 pack (§5.4.7.2): every deliverable reopened — the response record, the KPI workbook (four sheets,
live formulas with values beside them, native charts), one 重大事件报告 per major incident, the config
updates; the 交付清单 lists exactly the §5.4.7.2 items; the customer zip; bad inputs refused."""
from __future__ import annotations

import copy
import json
import re
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from docgen.cli import cli
from tests.conftest import EXAMPLES, ROOT, manifest_rows

# the quarter's incidents as service records: YC-2025-0003 (Jan), XC-2025-0005 (Feb, 重大), XC-2025-0007 (Mar)
INCIDENT_RECORDS = (*sorted((EXAMPLES / "records").glob("*.yaml")), EXAMPLES / "onsite.yaml")
ITEMS = ["response_record", "response_kpi", "major_incident_report", "config_update", "survey_report"]
KPI_SHEETS = ["达成情况", "数量", "分布", "趋势"]


# incidents typed into the pack input, as the spec's example does (events handled without a service record)
TYPED = [
    {"id": "INC-001", "level": "一般", "category": "网络", "reported_at": "2025-01-09 08:30",
     "responded_at": "2025-01-09 08:41", "resolved_at": "2025-01-09 10:02", "description": "前置机通信中断",
     "handling": "重启通信进程"},
    {"id": "INC-002", "level": "重大", "category": "数据库", "reported_at": "2025-02-17 22:05",
     "responded_at": "2025-02-17 22:11", "resolved_at": "2025-02-18 01:30", "description": "历史库主库宕机",
     "handling": "切换至备库并修复主库"},
    {"id": "INC-003", "level": "一般", "category": "网络", "reported_at": "2025-03-13 09:10",
     "responded_at": "2025-03-13 09:25", "resolved_at": "2025-03-13 13:40", "description": "前置机网卡故障",
     "handling": "现场更换网卡"},
]


@pytest.fixture
def emergency() -> dict:
    return copy.deepcopy(yaml.safe_load((EXAMPLES / "emergency.yaml").read_text(encoding="utf-8")))


@pytest.fixture
def typed(emergency) -> dict:
    """The pack with its incidents typed in (no service records archived) and a report on INC-002."""
    emergency["incidents"] = copy.deepcopy(TYPED)
    emergency["major_reports"][0]["incident"] = "INC-002"
    return emergency


def _generate(archive: Path, *files: Path, out: Path | None = None) -> list[dict]:
    args = ["--archive", str(archive), "generate", *map(str, files), "--json"] + (["-o", str(out)] if out else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("emergency")
    archive, out = tmp / "archive", tmp / "out"
    survey = yaml.safe_load((EXAMPLES / "survey.yaml").read_text(encoding="utf-8")) | {"period": "2025-02"}
    (tmp / "survey.yaml").write_text(yaml.safe_dump(survey, allow_unicode=True), encoding="utf-8")
    _generate(archive, EXAMPLES / "plan.yaml", tmp / "survey.yaml", *INCIDENT_RECORDS)
    generated = _generate(archive, EXAMPLES / "emergency.yaml", out=out)
    docs = {d["doc_type"]: d for d in generated}
    return {"docs": docs, "all": generated, "archive": archive, "out": out}


def _table_text(path: str) -> str:
    return "\n".join(c.text for t in docx.Document(path).tables for r in t.rows for c in r.cells)


def test_one_command_yields_every_deliverable_without_warnings(pack):
    assert [d["doc_type"] for d in pack["all"]] == ["response_record", "response_kpi", "major_incident_report",
                                                    "config_update", "pack_manifest"]
    for doc in pack["all"]:
        assert doc["period"] == "2025-Q1" and Path(doc["path"]).is_file() and doc["warnings"] == []
        # dated their own day: the configuration update record when its last update was made
        assert doc["date"] == ("2025-02-20" if doc["doc_type"] == "config_update" else "2025-03-31")
    assert pack["docs"]["response_kpi"]["path"].endswith(".xlsx")


def test_response_record_rows_and_facts(pack):
    ws = openpyxl.load_workbook(pack["docs"]["response_record"]["path"]).worksheets[0]
    rows = {r[1]: r for r in ws.iter_rows(min_row=10, max_row=12, values_only=True)}
    # the quarter's incident service records, not typed again
    assert set(rows) == {"YC-2025-0003", "XC-2025-0005", "XC-2025-0007"}
    major = rows["XC-2025-0005"]
    assert major[2] == "服务记录" and major[3] == "重大" and major[4] == "数据库"
    assert major[8] == 6 and major[9] == 205 and major[10] == "历史库主库宕机"
    assert major[12] == "有" and rows["YC-2025-0003"][12] == "—"
    assert "重启通信进程" in rows["YC-2025-0003"][11]  # what the record's work log says was done
    listed = json.loads(CliRunner().invoke(cli, ["--archive", str(pack["archive"]), "archive", "list", "--type",
                                                 "response_record", "--json"]).stdout)
    facts = listed[0]["facts"]
    assert [i["id"] for i in facts["incidents"]] == ["YC-2025-0003", "XC-2025-0005", "XC-2025-0007"]
    assert [i["service_no"] for i in facts["incidents"]] == ["YC-2025-0003", "XC-2025-0005", "XC-2025-0007"]
    assert facts["incidents"][1]["major_report"] is True and facts["incidents"][1]["resolution_minutes"] == 205
    assert facts["by_level"]["重大"] == 1 and facts["by_category"] == {"网络": 2, "数据库": 1}


def test_kpi_workbook_sheets_formulas_values_and_charts(pack):
    path = pack["docs"]["response_kpi"]["path"]
    wb = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames == KPI_SHEETS
    for name in KPI_SHEETS:
        assert wb[name]._charts, f"no chart on {name}"
        assert wb[name].freeze_panes and wb[name].print_area
    ws, values = wb["达成情况"], cached["达成情况"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "序号")
    cols = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    data = range(header + 1, header + 9)
    assert [ws.cell(r, cols["SLA指标"]).value for r in data][:4] == ["故障响应时间"] * 4
    assert [ws.cell(r, cols["月份"]).value for r in data][:4] == ["2025-01", "2025-02", "2025-03", "合计"]
    for r in data:
        formula = ws.cell(r, cols["达成率（公式）"])
        assert formula.data_type == "f" and formula.value.startswith("=IF(")
        assert values.cell(r, cols["达成率"]).value == 1 and values.cell(r, cols["考核事件数"]).value in (1, 3)
    assert ws.cell(header + 1, cols["目标"]).value == "≤30 分钟"
    assert ws.cell(header + 1, cols["达成率"]).number_format == "0.0%"
    counts = [r for r in cached["数量"].iter_rows(values_only=True) if r and r[1] == "合计"]
    assert counts and counts[0][2] == 3
    dist = {(r[1], r[2]): r[3] for r in cached["分布"].iter_rows(values_only=True) if r and r[1] in ("级别", "类别")}
    assert dist[("级别", "重大")] == 1 and dist[("级别", "特别重大")] == 0 and dist[("类别", "网络")] == 2
    trend = [r for r in cached["趋势"].iter_rows(values_only=True) if r and r[1] == "2025-02"]
    assert trend[0][2:5] == (1, 6, 205)
    kinds = {type(c).__name__ for name in KPI_SHEETS for c in wb[name]._charts}
    assert {"BarChart", "LineChart", "PieChart"} <= kinds


def test_major_incident_report_names_the_major_incidents_record(pack):
    majors = [d for d in pack["all"] if d["doc_type"] == "major_incident_report"]
    assert len(majors) == 1 and "XC-2025-0005" in majors[0]["doc_id"] and "XC-2025-0005" in majors[0]["title"]
    document = docx.Document(majors[0]["path"])
    tables = _table_text(majors[0]["path"])
    body = "\n".join(p.text for p in document.paragraphs)
    assert "22:40" in tables and "切换备库" in tables  # timeline
    assert "2025-02-17 22:05" in tables and "205 分钟" in tables  # the record's times
    assert "主库存储控制器缓存电池失效" in body and "历史数据查询中断35分钟" in body
    assert "更换存储控制器电池并纳入巡检项" in tables and "王强" in tables and "2025-03-01" in tables


def test_config_update_rows(pack):
    ws = openpyxl.load_workbook(pack["docs"]["config_update"]["path"]).worksheets[0]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "历史数据库" in values and "主库存储控制器电池更换" in values
    assert any(c.data_type == "f" and c.value.startswith("=COUNTA(") for row in ws.iter_rows() for c in row)


def test_manifest_lists_exactly_the_section_items(pack):
    types, rows = manifest_rows(pack["docs"]["pack_manifest"]["path"])
    assert types == ITEMS
    assert "YNTD-YW-2025-001-MYD-2025-02" in " ".join(rows[-1])  # the survey's 文件编号, not an internal id
    assert "缺失" not in " ".join(" ".join(r) for r in rows)


def test_zip_holds_all_items_and_the_manifest(pack):
    zips = list(pack["out"].glob("*.zip"))
    assert [z.name for z in zips] == ["YNTD-YW-2025-001_应急响应交付成果_2025-Q1.zip"]
    names = zipfile.ZipFile(zips[0]).namelist()
    assert len(names) == 6 and "YNTD-YW-2025-001-MYD-2025-02_需方满意度调查和分析报告.docx" in names
    assert not [n for n in names if re.search(r"[a-z]_[a-z]", n)]  # named for the customer, not the archive
    assert sum(n.endswith(".xlsx") for n in names) == 3


def test_regenerating_is_unchanged(pack):
    again = _generate(pack["archive"], EXAMPLES / "emergency.yaml")
    assert {d["status"] for d in again} == {"unchanged"}


def test_without_a_plan_targets_say_so(tmp_path):
    _generate(tmp_path / "a", *INCIDENT_RECORDS)
    docs = {d["doc_type"]: d for d in _generate(tmp_path / "a", EXAMPLES / "emergency.yaml")}
    ws = openpyxl.load_workbook(docs["response_kpi"]["path"])["达成情况"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "无计划目标" in values and ws._charts


def test_formula_like_text_is_written_as_text(tmp_path, typed, write_yaml):
    typed["incidents"][0]["description"] = "=HYPERLINK(\"http://x\")"
    typed["config_updates"][0]["change"] = "+cmd|' /C calc'!A0"
    docs = {d["doc_type"]: d for d in _generate(tmp_path / "a", write_yaml(typed))}
    for doc_type, text in (("response_record", "=HYPERLINK(\"http://x\")"), ("config_update", "+cmd|' /C calc'!A0")):
        ws = openpyxl.load_workbook(docs[doc_type]["path"]).worksheets[0]
        cells = [c for row in ws.iter_rows() for c in row if c.value == text]
        assert cells and all(c.data_type == "s" for c in cells)


def test_warnings_render_and_are_listed(tmp_path, typed, write_yaml):
    typed["major_reports"] = []
    typed["incidents"][2]["resolved_at"] = "2025-04-02 10:00"
    typed["incidents"][2]["reported_at"] = "2025-04-02 09:10"
    typed["incidents"][2]["responded_at"] = "2025-04-02 09:25"
    docs = _generate(tmp_path / "a", write_yaml(typed))
    warnings = " ".join(docs[0]["warnings"])
    assert "重大事件 INC-002" in warnings and "没有重大事件(故障)的分析改进报告" in warnings
    assert "INC-003" in warnings and "不在本包期间" in warnings
    assert not [d for d in docs if d["doc_type"] == "major_incident_report"]
    manifest = next(d for d in docs if d["doc_type"] == "pack_manifest")
    assert "INC-002" in "\n".join(p.text for p in docx.Document(manifest["path"]).paragraphs)


@pytest.mark.parametrize("change,expected", [
    (lambda d: d["incidents"][0].update(responded_at="2025-01-08 08:00"),
     "incidents[0].responded_at：时间顺序错误"),
    (lambda d: d["incidents"][1].update(resolved_at="2025-02-17 22:10"), "早于响应时间 incidents[1].responded_at"),
    (lambda d: d["major_reports"][0]["improvements"][0].pop("owner"), "major_reports[0].improvements[0].owner"),
    (lambda d: d["major_reports"][0]["improvements"][0].pop("due"), "major_reports[0].improvements[0].due"),
    (lambda d: d["incidents"][0].update(level="严重"), "incidents[0].level："),
    (lambda d: d["incidents"][2].update(id="INC-001"), "incidents[2].id：事件编号 INC-001 重复"),
    (lambda d: d.update(period="2025-02-01"), "period："),
])
def test_bad_inputs_are_refused(tmp_path, typed, write_yaml, change, expected):
    change(typed)
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(write_yaml(typed)),
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and expected in result.stderr, result.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "out").exists()


def test_response_kpi_template_builder_reproduces_the_committed_template(tmp_path):
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_response_kpi_template
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert build_response_kpi_template.main(out=tmp_path / "response_kpi.xlsx") == 0
    assert (tmp_path / "response_kpi.xlsx").read_bytes() == (ROOT / "templates_xlsx" / "response_kpi.xlsx").read_bytes()


def test_no_major_incident_means_not_applicable_not_missing(tmp_path):
    import copy as _copy

    import yaml as _yaml
    from click.testing import CliRunner as _Runner

    from docgen.cli import cli as _cli
    from tests.conftest import EXAMPLES as _EXAMPLES

    data = _copy.deepcopy(_yaml.safe_load((_EXAMPLES / "emergency.yaml").read_text(encoding="utf-8")))
    data["incidents"] = [i for i in TYPED if i["level"] != "重大"]
    data["major_reports"] = []
    path = tmp_path / "e.yaml"
    path.write_text(_yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    archive = tmp_path / "a"
    result = _Runner().invoke(_cli, ["--archive", str(archive), "generate", str(path)])
    assert result.exit_code == 0, result.output
    import json as _json

    [manifest] = _json.loads(_Runner().invoke(_cli, ["--archive", str(archive), "archive", "list", "--type",
                                                    "pack_manifest", "--json"]).stdout)
    assert "major_incident_report" not in manifest["facts"]["missing"]
    assert manifest["facts"]["not_applicable"] == {"major_incident_report": "本期无重大事件"}


def test_typed_incidents_are_listed_warned_and_not_counted_in_the_sla_achievement(tmp_path, typed, write_yaml):
    archive = tmp_path / "a"
    _generate(archive, EXAMPLES / "plan.yaml")
    docs = {d["doc_type"]: d for d in _generate(archive, write_yaml(typed))}
    warnings = docs["response_record"]["warnings"]
    for n, inc in enumerate(TYPED):
        assert any(w.startswith(f"incidents[{n}]：事件 {inc['id']} 没有服务记录") for w in warnings), warnings
    ws = openpyxl.load_workbook(docs["response_record"]["path"]).worksheets[0]
    rows = {r[1]: r for r in ws.iter_rows(min_row=10, max_row=12, values_only=True)}
    assert {r[2] for r in rows.values()} == {"无服务记录"}
    cached = openpyxl.load_workbook(docs["response_kpi"]["path"], data_only=True)
    counts = [r for r in cached["数量"].iter_rows(values_only=True) if r and r[1] == "合计"]
    assert counts[0][2] == 3  # the events are counted …
    achieved = [r for r in cached["达成情况"].iter_rows(values_only=True) if r and r[3] == "合计"]
    assert achieved and all(r[4] == 0 for r in achieved)  # … but no service record: no SLA achievement
    listed = json.loads(CliRunner().invoke(cli, ["--archive", str(archive), "archive", "list", "--type",
                                                 "response_kpi", "--json"]).stdout)
    assert listed[0]["facts"]["typed"] == ["INC-001", "INC-002", "INC-003"] and listed[0]["facts"]["records"] == []


def test_a_typed_incident_reported_with_a_record_is_that_record(tmp_path, typed, write_yaml):
    archive = tmp_path / "a"
    _generate(archive, EXAMPLES / "plan.yaml", *INCIDENT_RECORDS)
    typed["incidents"][2]["reported_at"] = "2025-03-12 09:10"  # XC-2025-0007's report time
    docs = {d["doc_type"]: d for d in _generate(archive, write_yaml(typed))}
    warnings = " ".join(docs["response_record"]["warnings"])
    assert "事件 INC-003 与服务记录 XC-2025-0007 报告时间相同" in warnings
    ws = openpyxl.load_workbook(docs["response_record"]["path"]).worksheets[0]
    ids = [r[1] for r in ws.iter_rows(min_row=10, values_only=True) if r[1]]
    # the three records, INC-001 and INC-002 typed (INC-002 beside XC-2025-0005: another report time)
    assert ids.count("XC-2025-0007") == 1 and "INC-003" not in ids and "INC-001" in ids


def test_a_major_report_naming_no_incident_is_warned_and_not_made(tmp_path, emergency, write_yaml):
    archive = tmp_path / "a"
    _generate(archive, *INCIDENT_RECORDS)
    emergency["major_reports"][0]["incident"] = "XC-2025-0999"
    docs = _generate(archive, write_yaml(emergency))
    warnings = " ".join(docs[0]["warnings"])
    assert "major_reports[0].incident：本期（2025-Q1" in warnings and "没有事件 XC-2025-0999" in warnings
    assert "重大事件 XC-2025-0005" in warnings  # the real major incident now has no report
    assert not [d for d in docs if d["doc_type"] == "major_incident_report"]


def test_pack_figures_equal_the_service_reports_of_the_same_months(demo_archive):
    """The 响应支持关键指标 of the demo's 2025-Q1 pack and the monthly service reports count the same
    incident records with the same frozen results (#13: one source)."""
    from docgen.archive import Archive
    from docgen.facts import ResponseKpiFacts, ServiceReportFacts, view_of

    view = view_of(Archive(demo_archive[0]))
    kpi = view.latest("YNTD-YW-2025-001/response_kpi/emergency/2025-Q1")
    cached = openpyxl.load_workbook(view.archive.root / kpi.path, data_only=True)["达成情况"]
    pack_rows = {(r[1], r[3]): (r[4], r[5]) for r in cached.iter_rows(values_only=True)
                 if r and isinstance(r[3], str) and r[3].startswith("2025-")}
    compared = 0
    for month in ("2025-01", "2025-02", "2025-03"):
        report = view.latest(f"YNTD-YW-2025-001/service_report/{month}").facts_as(ServiceReportFacts)
        for sla in report.sla:
            if (sla.name, month) in pack_rows:
                assert pack_rows[(sla.name, month)] == (sla.records, sla.met_records), (sla.name, month)
                compared += 1
        assert len(report.incidents) == kpi.facts_as(ResponseKpiFacts).by_month[month]
    assert compared == 6  # response and resolution, three months


def test_no_chart_is_cut_across_two_printed_pages(pack):
    """#14 item 5: the 分布 sheet's two pie charts do not fit on the first A4 page under the table; the second
    starts a new page (a manual row break before it) instead of printing half on each."""
    ws = openpyxl.load_workbook(pack["docs"]["response_kpi"]["path"])["分布"]
    anchors = sorted(c.anchor._from.row + 1 for c in ws._charts)  # 1-based rows
    breaks = [b.id for b in ws.row_breaks.brk]
    assert len(anchors) == 2 and breaks, (anchors, breaks)
    assert anchors[0] < breaks[0] + 1 <= anchors[1]
    assert ws.print_title_rows  # the table's header is repeated above the chart on its new page
