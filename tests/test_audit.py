"""`docgen audit` (§5.4.3 quality checks) on a hand-built archive whose findings are worked out by hand,
and leftover tracking (docs/archive.md: open until a later record's resolved_leftovers)."""
from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from docgen.archive import Archive
from docgen.cli import cli
from docgen.errors import DocgenError
from docgen.metrics.audit import CHECKS, audit_project
from docgen.periods import add_one_month
from docgen.metrics.leftovers import leftovers, open_leftovers
from docgen.pipeline import generate
from docgen.render import TemplateSet
from tests.conftest import EXAMPLES, reader_words_problems

P = "YNTD-YW-2025-001"  # example plan: 2025-01-01…2025-12-31; monthly service_report + per_service onsite_report
D = datetime.date


def _put(archive: Archive, doc_type: str, period: str, *, day: str, key: tuple[str, ...] = (), facts=None,
         data: bytes = b"x"):
    return archive.put(data, project=P, doc_type=doc_type, key=key or (period,), title=f"{doc_type} {period}",
                       date=D.fromisoformat(day), period=period, ext=".txt", source="test", facts=facts or {})


def _record(archive: Archive, doc_type: str, no: str, resolved: str, **facts):
    base = {"service_no": no, "resolved_at": resolved, "measures": {}, "sla": [], "reviewed": True,
            "satisfaction_score": 5, "leftover_issues": [], "resolved_leftovers": []}
    return _put(archive, doc_type, resolved[:7], day=resolved[:10], key=(no,), facts=base | facts,
                data=f"{doc_type}{no}".encode())


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    """January complete; February with gaps (see each test)."""
    archive = Archive(tmp_path / "archive")
    generate([EXAMPLES / "plan.yaml"], archive=archive, templates=TemplateSet())
    _put(archive, "service_report", "2025-01", day="2025-02-03")
    xc1 = {"leftover_issues": [{"id": "XC-1#1", "issue": "备用电源告警", "plan": "更换模块", "owner": "李强",
                                "due": "2025-02-01"}],
           "sla": [{"metric": "response_minutes", "value": 20.0, "met": True}]}
    _record(archive, "onsite_form", "XC-1", "2025-01-10 12:00", **xc1)
    _record(archive, "onsite_report", "XC-1", "2025-01-10 12:00", **xc1)
    _record(archive, "leftover_confirmation", "XC-1", "2025-01-10 12:00", **xc1)
    # February: no service report; XC-2 has only its 现场服务单, unreviewed, no 回访, a leftover without 确认单
    _record(archive, "onsite_form", "XC-2", "2025-02-05 10:00", reviewed=False, satisfaction_score=None,
            leftover_issues=[{"id": "XC-2#1", "issue": "交换机固件待升级", "plan": "窗口期升级", "owner": "王敏",
                              "due": "2025-03-31"}])
    # a remote record closing XC-1#1 on 20 Feb, late on its response target
    _record(archive, "remote_record", "RM-1", "2025-02-20 09:00",
            resolved_leftovers=[{"ref": "XC-1#1", "resolution": "已更换", "at": "2025-02-20 09:00"}],
            sla=[{"metric": "response_minutes", "value": 45.0, "met": False}])
    return archive


def _with_plan(root: Path, plan_data: dict, write_yaml) -> Archive:
    archive = Archive(root)
    generate([write_yaml(plan_data)], archive=archive, templates=TemplateSet())
    return archive


def _find(report, rule: str, severity: str | None = None) -> list:
    return [f for f in report.findings if f.rule == rule and (severity is None or f.severity == severity)]


def test_add_one_month_clamps_to_the_month_end():
    assert add_one_month(D(2025, 1, 31)) == D(2025, 2, 28)
    assert add_one_month(D(2024, 1, 31)) == D(2024, 2, 29)
    assert add_one_month(D(2025, 3, 31)) == D(2025, 4, 30)
    assert add_one_month(D(2025, 12, 31)) == D(2026, 1, 31)
    assert add_one_month(D(2025, 1, 15)) == D(2025, 2, 15)


def test_reports_due_month_by_month(archive):
    report = audit_project(archive, P, as_of=D(2025, 3, 10))
    # checked: the complete months inside the plan before 10 March
    assert report.months == ["2025-01", "2025-02"]
    missing = sorted((f.doc_type, f.period) for f in _find(report, "§8 服务报告比例", "error"))
    # February's monthly report, and XC-2's 现场服务报告单 (per_service, counted in the month it was resolved)
    assert missing == [("onsite_report", "2025-02"), ("service_report", "2025-02")]
    low = _find(report, "§8 服务报告比例", "warning")
    assert [(f.period, "0%（0/2）" in f.message) for f in low] == [("2025-02", True)]
    # January: 2/2 delivered, no finding for it
    assert not [f for f in report.findings if f.rule == "§8 服务报告比例" and f.period == "2025-01"]


def test_record_checks(archive):
    report = audit_project(archive, P, as_of=D(2025, 3, 10))
    records = _find(report, "§5.4.2 服务记录")
    texts = [(f.severity, f.doc_type, f.message) for f in records]
    assert ("error", "onsite_report", next(m for s, d, m in texts if d == "onsite_report")) in texts
    assert any("XC-2" in m and "未经审核" in m for s, d, m in texts if s == "warning")
    assert any("XC-2" in m and "回访" in m for s, d, m in texts if s == "warning")
    assert not any("XC-1" in m or "RM-1" in m for _, _, m in texts)  # complete, reviewed, surveyed
    confirmations = _find(report, "§5.4.2 遗留问题", "error")
    assert len(confirmations) == 1 and "XC-2" in confirmations[0].message and "确认单" in confirmations[0].message


def test_leftovers_open_until_a_later_record_resolves_them(archive):
    # 1 Feb: XC-1#1 is open, raised 10 Jan (22 days), due 1 Feb: not yet overdue
    items = {x.id: x for x in leftovers(archive, P, as_of=D(2025, 2, 1))}
    assert items["XC-1#1"].open and items["XC-1#1"].age_days == 22 and not items["XC-1#1"].overdue
    # 19 Feb: overdue by 18 days; XC-2#1 (raised 5 Feb) is open too
    on19 = {x.id: x for x in open_leftovers(archive, P, as_of=D(2025, 2, 19))}
    assert set(on19) == {"XC-1#1", "XC-2#1"} and on19["XC-1#1"].overdue_days == 18
    # 20 Feb: RM-1 closed XC-1#1
    closed = {x.id: x for x in leftovers(archive, P, as_of=D(2025, 2, 20))}
    assert not closed["XC-1#1"].open and closed["XC-1#1"].resolved_by == "RM-1"
    assert [x.id for x in open_leftovers(archive, P, as_of=D(2025, 2, 20))] == ["XC-2#1"]


def test_overdue_leftover_is_a_finding(archive):
    before = audit_project(archive, P, as_of=D(2025, 3, 10))
    assert [f.severity for f in _find(before, "§5.4.2 遗留问题") if "XC-2#1" in f.message] == ["info"]
    after = audit_project(archive, P, as_of=D(2025, 4, 10))
    overdue = [f for f in _find(after, "§5.4.2 遗留问题", "warning") if "XC-2#1" in f.message]
    assert len(overdue) == 1 and "已逾期 10 天" in overdue[0].message  # due 31 Mar, as of 10 Apr
    # XC-1#1 was due 1 Feb and closed by RM-1 on 20 Feb: closed, but 19 days late
    late = [f for f in after.findings if "XC-1#1" in f.message]
    assert [(f.severity, f.rule) for f in late] == [("warning", "§5.4.2 遗留问题")]
    assert "晚了 19 天" in late[0].message and "RM-1" in late[0].message
    # each names the 遗留问题确认单 that recorded the leftover (XC-2 has none archived: no number to give)
    form = [r for r in archive.records() if r["doc_type"] == "leftover_confirmation"][0]
    assert late[0].doc_id == form["doc_id"] and late[0].doc_type == "leftover_confirmation"
    assert overdue[0].doc_id == ""


def test_a_leftover_closed_on_its_due_day_is_no_finding(tmp_path):
    archive = Archive(tmp_path / "archive")
    generate([EXAMPLES / "plan.yaml"], archive=archive, templates=TemplateSet())
    issue = {"id": "XC-7#1", "issue": "风扇告警", "plan": "更换风扇", "owner": "李强", "due": "2025-02-10"}
    _record(archive, "onsite_form", "XC-7", "2025-01-20 10:00", leftover_issues=[issue])
    _record(archive, "remote_record", "RM-7", "2025-02-10 17:00",
            resolved_leftovers=[{"ref": "XC-7#1", "resolution": "已更换", "at": "2025-02-10 16:30"}])
    report = audit_project(archive, P, as_of=D(2025, 4, 1))
    assert not [f for f in report.findings if "XC-7#1" in f.message]


def test_sla_not_met_is_a_warning(archive):
    report = audit_project(archive, P, as_of=D(2025, 3, 10))
    sla = [f for f in _find(report, "§5.4.3 SLA达成", "warning") if "故障响应时间" in f.message]
    # January: XC-1 met (20 ≤ 30); February: RM-1 not met (45 > 30)
    assert [(f.period, "1 条服务记录中 1 条" in f.message) for f in sla] == [("2025-02", True)]
    # the finding names the record that missed, with its type and 文件编号, as the auditor looks it up
    missed = sla[0]
    assert "：RM-1；" in missed.message and missed.doc_type == "remote_record"
    record = [r for r in archive.records() if r["doc_type"] == "remote_record" and "RM-1" in r["doc_id"]][0]
    assert missed.doc_id == record["doc_id"] and missed.doc_no == (record.get("doc_no") or record["title"])


def test_plan_review_roles_and_missing_plan(tmp_path, plan_data, write_yaml):
    assert not _find(audit_project(_with_plan(tmp_path / "ok", plan_data, write_yaml), P, as_of=D(2025, 1, 15)),
                     "§5.3 计划评审")  # the example plan: three roles, approved, three groups notified
    plan_data["review"]["reviewers"] = [r for r in plan_data["review"]["reviewers"] if r["role"] != "运维业务线"]
    del plan_data["approved_by"], plan_data["approved_on"]
    plan_data["review"]["notify"] = [n for n in plan_data["review"]["notify"] if n["group"] != "技术支撑组"]
    report = audit_project(_with_plan(tmp_path / "gaps", plan_data, write_yaml), P, as_of=D(2025, 1, 15))
    review = [(f.severity, f.message) for f in _find(report, "§5.3 计划评审")]
    assert [s for s, _ in review] == ["error", "warning", "warning"]
    assert "缺少运维业务线" in review[0][1] and "没有批准记录" in review[1][1] and "未覆盖技术支撑组" in review[2][1]
    assert all("review." in m or "approved_by" in m for _, m in review)  # which input field to fix

    other = Archive(tmp_path / "other")
    other.put(b"x", project="P2", doc_type="survey_report", key=("2025-01",), title="t", date=D(2025, 1, 31),
              period="2025-01", ext=".txt", source="test")
    lone = audit_project(other, "P2", as_of=D(2025, 3, 1))
    assert [(f.severity, f.doc_type) for f in _find(lone, "§5.2 交付策划")] == [("error", "plan")]


def test_surveys_packs_checksums(archive):
    _put(archive, "survey_report", "2025-Q1", day="2025-03-05",
         facts={"overall": 4.0, "low_scores": [{"respondent": "王工", "question": "q2", "score": 2, "followed_up": False},
                                               {"respondent": "李工", "question": "q1", "score": 1, "followed_up": True}]})
    _put(archive, "pack_manifest", "2025-01", day="2025-01-31", key=("routine", "2025-01"),
         facts={"pack": "routine", "service": "例行操作", "missing": ["trend_analysis"], "present": ["status_record"]})
    tampered = _put(archive, "service_report", "2025-01", day="2025-02-03", data=b"v2")
    tampered.path.write_bytes(b"changed by hand")
    report = audit_project(archive, P, as_of=D(2025, 3, 10))
    low = _find(report, "§5.4.5 满意度", "warning")
    assert len(low) == 1 and "王工" in low[0].message  # 李工's low score was followed up
    pack = _find(report, "§5.4.7 交付包", "error")
    assert [(f.doc_type, f.period) for f in pack] == [("trend_analysis", "2025-01")]
    broken = _find(report, "归档完整性", "error")
    assert len(broken) == 1 and "第 2 版" in broken[0].message and broken[0].doc_id == f"{P}/service_report/2025-01"


def test_acceptance_deadline(archive):
    # the plan ends 2025-12-31: application due by 2026-01-31
    assert [f.severity for f in _find(audit_project(archive, P, as_of=D(2026, 1, 15)), "§5.4.4 项目验收")] == ["info"]
    assert [f.severity for f in _find(audit_project(archive, P, as_of=D(2026, 1, 31)), "§5.4.4 项目验收")] == ["info"]
    late = _find(audit_project(archive, P, as_of=D(2026, 2, 1)), "§5.4.4 项目验收")
    assert [f.severity for f in late] == ["error"] and "2026-01-31" in late[0].message
    _put(archive, "acceptance_report", "2025", day="2026-02-05", key=(),
         facts={"applied_on": "2026-02-05", "deadline": "2026-01-31", "open_issues": [{"issue": "文档未移交"}]})
    found = _find(audit_project(archive, P, as_of=D(2026, 3, 1)), "§5.4.4 项目验收")
    assert sorted(f.severity for f in found) == ["warning", "warning"]
    assert any("晚于" in f.message for f in found) and any("文档未移交" in f.message for f in found)


def test_findings_sorted_by_severity(archive):
    report = audit_project(archive, P, as_of=D(2025, 4, 10))
    ranks = [("error", "warning", "info").index(f.severity) for f in report.findings]
    assert ranks == sorted(ranks)


def test_unknown_project_is_an_error(archive):
    with pytest.raises(DocgenError, match="没有项目 NOPE 的文档.*YNTD-YW-2025-001"):
        audit_project(archive, "NOPE", as_of=D(2025, 3, 1))


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_json_exit_0_with_findings(archive):
    result = CliRunner().invoke(cli, ["--archive", str(archive.root), "audit", P, "--as-of", "2025-03-10", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["project"] == P and data["findings"]
    assert all({"severity", "rule", "doc_type", "period", "message"} <= set(f) for f in data["findings"])
    assert {f["severity"] for f in data["findings"]} <= {"error", "warning", "info"}


def test_cli_text_and_workbook_archived(archive, tmp_path):
    out = tmp_path / "out" / "audit.xlsx"
    args = ["--archive", str(archive.root), "audit", P, "--as-of", "2025-03-10", "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "[严重] §8 服务报告比例" in result.output and "归档为 文件编号 YNTD-YW-2025-001-SJBG，版本 V1.0" in result.output
    wb = load_workbook(out)
    ws = wb["审计结果"]
    assert ws["B9"].value.startswith("=COUNTIF(") and ws["E9"].value.startswith("=COUNTA(")
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=12, values_only=False)]
    assert any(r[1] == "严重" and r[3] == "运维服务报告" and r[4] == "2025-02" for r in rows)
    assert ws.conditional_formatting  # severity colours
    checks = wb["检查项"]
    assert checks["D2"].value.startswith("=COUNTIFS(") and checks["G2"].value.startswith("=IF(")
    record = archive.latest(f"{P}/audit_report")
    assert record["facts"]["error"] >= 3 and record["ext"] == ".xlsx"
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0 and "（未变化）" in again.output


def test_formula_like_text_from_the_archive_stays_text(archive, tmp_path):
    _put(archive, "survey_report", "2025-02", day="2025-02-28",
         facts={"overall": 4.0, "low_scores": [{"respondent": "=HYPERLINK(\"x\")", "question": "q", "score": 1,
                                                "followed_up": False}]})
    out = tmp_path / "a.xlsx"
    CliRunner().invoke(cli, ["--archive", str(archive.root), "audit", P, "--as-of", "2025-03-10", "-o", str(out)])
    ws = load_workbook(out)["审计结果"]
    cells = [c for row in ws.iter_rows(min_row=12) for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("args, message", [
    (["audit", "../x"], "项目编号“../x”无效"),
    (["audit", "NOPE"], "归档库中没有项目 NOPE 的文档"),
    (["audit", P, "-o", "audit.docx"], "应以 .xlsx 结尾"),
    (["audit", P, "--as-of", "2025-13-01"], None),
])
def test_cli_bad_arguments(archive, args, message):
    result = CliRunner().invoke(cli, ["--archive", str(archive.root), *args])
    if message is None:
        assert result.exit_code == 2
        return
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.output


def test_audit_writes_nothing_without_output(archive):
    before = archive.ledger_size()
    CliRunner().invoke(cli, ["--archive", str(archive.root), "audit", P, "--as-of", "2025-03-10"])
    assert archive.ledger_size() == before


# --- the workbook and its template -------------------------------------------------------------


def _context(report, **kwargs) -> dict:
    """audit_context with the document control block the pipeline adds (编制 赵刚, the rest signed by hand)."""
    from docgen.control import Control, Signoff, Signoffs
    from docgen.kinds.audit_report import audit_context

    context = audit_context(report, **kwargs)
    context["control"] = Control(context["doc_no"], "V1.0", Signoffs(Signoff("赵刚", report.as_of))).context()
    return context


def test_workbook_is_filled_into_its_template(archive):
    from docgen.kinds.audit_report import TEMPLATE, fill_audit_workbook

    report = audit_project(archive, P, as_of=D(2025, 3, 10))
    path = TemplateSet().find(TEMPLATE).path
    data = fill_audit_workbook(path, _context(report, project_name="示例项目"))
    assert data == fill_audit_workbook(path, _context(report, project_name="示例项目"))  # same bytes
    wb, model = load_workbook(io.BytesIO(data)), load_workbook(path)
    ws = wb["审计结果"]
    assert ws["A1"].value == f"项目交付审计报告　{P} 示例项目" and ws["A1"].font.name == "黑体"
    assert ws["A2"].value == "审计日期：2025-03-10　服务报告检查月份：2025-01 至 2025-02　依据：《交付管理规定》§5.4.3"
    # rows 3–6: the document control block
    assert [[ws.cell(r, c).value for c in (1, 3, 5, 6)] for r in range(3, 7)] == [
        ["文件编号", f"{P}-SJBG", "版本", "V1.0"], ["编制", "赵刚", "日期", "2025-03-10"],
        ["审核", "（手签）", "日期", "　　年　　月　　日（手签）"], ["批准", "（手签）", "日期", "　　年　　月　　日（手签）"]]
    assert [c.value for c in ws[11]] == [c.value for c in model["审计结果"][11]]
    assert ws["A11"].fill.fgColor.rgb.endswith("1F4E78") and ws["A11"].font.color.rgb.endswith("FFFFFF")
    rows = range(12, 12 + len(report.findings))
    for r in rows:  # every finding in the style of the template's sample row
        assert ws.cell(r, 1).value == r - 11 and ws.cell(r, 6).alignment.wrap_text
        assert ws.cell(r, 2).font.name == "宋体" and ws.cell(r, 2).border.left.style == "thin"
    assert ws["B9"].value == f'=COUNTIF($B$12:$B${rows[-1]},"严重")'
    rules = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
    assert rules == {f"A12:G{rows[-1]}": ['$B12="严重"', '$B12="一般"', '$B12="提示"']}
    assert ws.auto_filter.ref == f"A11:G{rows[-1]}" and ws.freeze_panes == "A12"
    for sheet in wb:
        assert sheet.oddHeader.right.text == f"文件编号：{P}-SJBG　版本：V1.0"
        assert (sheet.oddFooter.left.text, sheet.oddFooter.right.text) == (f"{P} 示例项目", "第 &P 页 共 &N 页")
    checks = wb["检查项"]
    assert checks["A2"].value == "§5.2 交付策划" and checks.max_row == len(CHECKS) + 1  # one row per check (CHECKS) under the header
    assert checks["D2"].value.startswith("=COUNTIFS('审计结果'!$C$12:$C$")
    # 符合 only when something was checked: a check that looked at nothing says 未涉及
    assert checks["G2"].value == '=IF(D2>0,"不符合",IF(E2>0,"需改进",IF(C2=0,"未涉及","符合")))'
    assert wb.properties.title == f"项目交付审计报告（{P}）"
    texts = [c.value for sheet in wb for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if "{{" in t or "{#" in t]


def test_no_findings_says_so(tmp_path):
    from docgen.kinds.audit_report import TEMPLATE, fill_audit_workbook
    from docgen.metrics.audit import AuditReport

    report = AuditReport(P, D(2025, 3, 1), [], {}, [])
    ws = load_workbook(io.BytesIO(fill_audit_workbook(TemplateSet().find(TEMPLATE).path,
                                                      _context(report))))["审计结果"]
    assert ws["F12"].value == "未发现问题：各项检查均已通过" and ws["E9"].value == "=0"
    assert "服务报告检查月份：—" in ws["A2"].value


def test_user_template_restyles_the_workbook(archive, tmp_path):
    from openpyxl.styles import Font, PatternFill

    from docgen.kinds.audit_report import TEMPLATE

    folder = tmp_path / "tpl"
    folder.mkdir()
    wb = load_workbook(TemplateSet().find(TEMPLATE).path)
    for cell in wb["审计结果"][11]:
        cell.fill = PatternFill("solid", start_color="7030A0", end_color="7030A0")
    for cell in wb["审计结果"][12]:
        cell.font = Font(name="仿宋", size=11)
    wb.save(folder / TEMPLATE)
    out = tmp_path / "audit.xlsx"
    args = ["--archive", str(archive.root), "--templates", str(folder), "audit", P, "--as-of", "2025-03-10",
            "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    ws = load_workbook(out)["审计结果"]
    assert ws["C11"].fill.fgColor.rgb.endswith("7030A0") and ws["C11"].value == "条款"
    assert {ws.cell(r, 6).font.name for r in range(12, ws.max_row + 1)} == {"仿宋"}
    assert archive.latest(f"{P}/audit_report")["template_sha256"] == TemplateSet(folder).find(TEMPLATE).sha256
    assert "（未变化）" in CliRunner().invoke(cli, args).output


@pytest.mark.parametrize("preliminary, evaluated, found", [
    ("2026-02-05", "2026-01-26", None),  # application 20 Jan → evaluation 26 Jan → 初验 5 Feb: in order
    ("2026-01-10", "2026-01-26", "早于内部验收申请日期"),  # the spec example's 初验 before the application
    ("2026-01-22", "2026-01-26", "早于质量部孙丽的内部评估日期"),  # after the application, before the evaluation
])
def test_acceptance_steps_out_of_order_are_a_finding(archive, preliminary, evaluated, found):
    _put(archive, "acceptance_report", "2025", day="2026-01-20", key=(), facts={
        "applied_on": "2026-01-20", "deadline": "2026-01-31",
        "evaluation": [{"name": "孙丽", "role": "质量部", "conclusion": "合格", "date": evaluated, "passed": True}],
        "preliminary": {"date": preliminary, "conclusion": "初验通过"},
        "final": {"date": "2026-02-15", "conclusion": "终验通过", "signed_by": "陈主任"}})
    order = [f for f in _find(audit_project(archive, P, as_of=D(2026, 3, 1)), "§5.4.4 项目验收") if "顺序" in f.message]
    if found is None:
        assert order == []
    else:
        assert len(order) == 1 and found in order[0].message and order[0].severity == "warning"


@pytest.mark.parametrize("done_on, as_of, found", [
    ("2025-04-03", "2025-06-01", None),  # done before its due day
    ("2025-04-05", "2025-06-01", None),  # done on its due day
    ("2025-04-09", "2025-06-01", "晚了 4 天"),  # done, but late
    (None, "2025-04-05", None),  # not done yet, not yet due
    (None, "2025-04-15", "已逾期 10 天"),  # not done, past its due day
])
def test_survey_follow_ups_are_completed_by_their_due_day(archive, done_on, as_of, found):
    _put(archive, "survey_report", "2025-03", day="2025-03-29", facts={"overall": 4.5, "low_scores": [
        {"respondent": "吴工", "question": "q4", "score": 2, "followed_up": True, "due": "2025-04-05",
         "done_on": done_on}]})
    low = [f for f in _find(audit_project(archive, P, as_of=D.fromisoformat(as_of)), "§5.4.5 满意度", "warning")
           if "吴工" in f.message]
    if found is None:
        assert low == []
    else:
        assert len(low) == 1 and found in low[0].message


def test_plan_workload_against_its_breakdown(tmp_path, plan_data, write_yaml):
    assert not _find(audit_project(_with_plan(tmp_path / "ok", plan_data, write_yaml), P, as_of=D(2025, 1, 15)),
                     "§5.2 交付策划")
    plan_data["workload"]["person_days"] = 600
    found = _find(audit_project(_with_plan(tmp_path / "off", plan_data, write_yaml), P, as_of=D(2025, 1, 15)),
                  "§5.2 交付策划", "warning")
    assert len(found) == 1 and "600 人天" in found[0].message and "520 人天" in found[0].message


def test_packs_against_the_plans_delivery_content(tmp_path, plan_data, write_yaml):
    """§5.2.1: a pack of a service the plan does not schedule is a finding; after the plan's end, so is a
    scheduled service never delivered. The example plan schedules all four services."""
    def manifest(archive: Archive, pack: str) -> None:
        archive.put(pack.encode(), project=P, doc_type="pack_manifest", key=(pack, "2025-Q1"), title=pack,
                    date=D(2025, 3, 31), period="2025-Q1", ext=".txt", source="test", template="pack_manifest.docx",
                    facts={"pack": pack, "service": pack, "missing": []})

    full = _with_plan(tmp_path / "full", plan_data, write_yaml)
    for pack in ("routine", "emergency", "optimization", "assessment"):
        manifest(full, pack)
    assert not _find(audit_project(full, P, as_of=D(2026, 3, 1)), "§5.4.7 交付包")

    plan_data["scope"] = [s for s in plan_data["scope"] if s["service"] in ("routine", "emergency")]
    narrow = _with_plan(tmp_path / "narrow", plan_data, write_yaml)
    manifest(narrow, "routine")
    manifest(narrow, "optimization")
    during = _find(audit_project(narrow, P, as_of=D(2025, 6, 1)), "§5.4.7 交付包", "warning")
    assert len(during) == 1 and "不在运维项目管理计划的交付内容中" in during[0].message  # optimization
    after = [f.message for f in _find(audit_project(narrow, P, as_of=D(2026, 1, 15)), "§5.4.7 交付包", "warning")]
    assert len(after) == 2 and any("应急响应" in m and "没有该类交付包" in m for m in after)


def _incident_archive(root: Path, *, level: str = "一般", listed: bool = True, typed: bool = False,
                      major_report: bool = False) -> Archive:
    """The example plan, one incident record XC-9 (resolved 2025-02-10) and the 2025-Q1 emergency pack's
    响应支持记录 — listing XC-9 or not, with a typed incident INC-1 or not, a major report on XC-9 or not."""
    archive = Archive(root)
    generate([EXAMPLES / "plan.yaml"], archive=archive, templates=TemplateSet())
    _record(archive, "onsite_report", "XC-9", "2025-02-10 12:00", category="故障", incident_level=level,
            incident_category="网络", requested_at="2025-02-10 09:00", content="前置机通信中断")
    incidents = []
    if listed:
        incidents.append({"id": "XC-9", "service_no": "XC-9", "level": level, "reported_at": "2025-02-10 09:00",
                          "resolved_at": "2025-02-10 12:00"})
    if typed:
        incidents.append({"id": "INC-1", "level": "一般", "category": "网络", "reported_at": "2025-03-01 08:00",
                          "resolved_at": "2025-03-01 09:00"})
    _put(archive, "response_record", "2025-Q1", day="2025-03-31", key=("emergency", "2025-Q1"),
         facts={"pack": "emergency", "incidents": incidents})
    if major_report:
        _put(archive, "major_incident_report", "2025-Q1", day="2025-03-31", key=("emergency", "2025-Q1", "XC-9"),
             facts={"pack": "emergency", "incident": "XC-9", "level": level})
    return archive


RULE_5472 = "§5.4.7.2 应急响应"


def test_incidents_in_the_pack_are_the_records(tmp_path):
    report = audit_project(_incident_archive(tmp_path / "ok"), P, as_of=D(2025, 4, 1))
    assert not _find(report, RULE_5472) and report.checked[RULE_5472] == 1


def test_an_incident_typed_in_a_pack_without_a_record_is_a_finding(tmp_path):
    found = _find(audit_project(_incident_archive(tmp_path / "a", typed=True), P, as_of=D(2025, 4, 1)), RULE_5472)
    assert len(found) == 1 and found[0].severity == "warning"
    assert "事件 INC-1" in found[0].message and "没有服务记录" in found[0].message and found[0].period == "2025-Q1"


def test_an_incident_record_missing_from_its_periods_pack_is_a_finding(tmp_path):
    found = _find(audit_project(_incident_archive(tmp_path / "a", listed=False), P, as_of=D(2025, 4, 1)), RULE_5472)
    assert len(found) == 1 and "XC-9" in found[0].message and "未列入应急响应交付包 2025-Q1" in found[0].message


def test_a_major_incident_needs_its_analysis_report(tmp_path):
    found = _find(audit_project(_incident_archive(tmp_path / "a", level="重大"), P, as_of=D(2025, 4, 1)), RULE_5472)
    assert len(found) == 1 and "重大事件 XC-9" in found[0].message and "分析改进报告" in found[0].message
    assert not _find(audit_project(_incident_archive(tmp_path / "b", level="重大", major_report=True), P,
                                   as_of=D(2025, 4, 1)), RULE_5472)


def test_a_change_is_not_an_incident_for_the_pack(tmp_path):
    archive = _incident_archive(tmp_path / "a")
    _record(archive, "onsite_report", "XC-10", "2025-02-12 12:00", category="变更", requested_at="2025-02-12 09:00")
    assert not _find(audit_project(archive, P, as_of=D(2025, 4, 1)), RULE_5472)


def test_the_demo_audit_workbook_speaks_to_a_business_reader(demo_archive):
    """#14: the 项目交付审计报告 the demo archives names types in Chinese and documents by their 文件编号;
    --json keeps the doc_id for tools and adds the 文件编号."""
    from docgen.doctypes import DOC_TYPES

    root, _ = demo_archive
    archive = Archive(root)
    path = archive.file_path(archive.latest(f"{P}/audit_report"))
    assert reader_words_problems(path) == []
    ws = load_workbook(path)["审计结果"]
    assert [c.value for c in ws[11]] == ["序号", "严重程度", "条款", "文档类型", "期间", "问题说明", "文件编号"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=12)]
    assert {r[3] for r in rows if r[3]} <= set(DOC_TYPES.values())
    report = audit_project(archive, P, as_of=D(2026, 3, 1))
    numbered = [f for f in report.findings if f.doc_id]
    assert numbered and all(f.doc_no and f.doc_no != f.doc_id for f in numbered)
    assert [f.doc_no or None for f in report.findings] == [r[6] for r in rows]
    # the satisfaction findings give the survey's number (MYD: 满意度), e.g. 2025-03's
    assert f"{P}-MYD-2025-03" in {f.doc_no for f in numbered if "客户满意度" in f.message}
    result = CliRunner().invoke(cli, ["--archive", str(root), "audit", P, "--as-of", "2026-03-01", "--json"])
    findings = json.loads(result.stdout)["findings"]
    assert [(f["doc_id"], f["doc_no"]) for f in findings] == [(f.doc_id, f.doc_no) for f in report.findings]


def test_messages_cite_documents_not_ids_or_commands(archive):
    """A changed archive file is named by its citation; no message names a doc_id, a path or a command."""
    doc = archive.latest(f"{P}/service_report/2025-01")
    archive.file_path(doc).write_bytes(b"changed")
    report = audit_project(archive, P, as_of=D(2026, 3, 10))
    broken = _find(report, "归档完整性")
    assert broken and broken[0].message.startswith("《service_report 2025-01》（第 1 版）的校验值与归档时不同")
    for f in report.findings:
        text = f.message.replace("《service_report 2025-01》", "")  # this archive's titles are made of codes
        assert "docgen" not in text and f"{P}/" not in text and "documents/" not in text, f
        assert not [c for c in ("service_report", "onsite_report", "onsite_form", "remote_record",
                                "leftover_confirmation", "acceptance_report", "survey_report") if c in text], f


def test_kpi_and_audit_workbooks_speak_for_the_plans_company(tmp_path, plan_data, write_yaml):
    """The company on the KPI and audit workbooks is the one the project's plan names (公司名称), not a
    constant: a company whose plans say so sees its own name on every document."""
    plan_data["company"] = "滇池信息技术有限公司"
    archive = Archive(tmp_path / "archive")
    generate([write_yaml(plan_data, "plan.yaml")], archive=archive, templates=TemplateSet())
    for args, name in ((["kpi", "2025-03", "--project", P], "kpi.xlsx"),
                       (["audit", P, "--as-of", "2025-03-10"], "audit.xlsx")):
        out = tmp_path / name
        result = CliRunner().invoke(cli, ["--archive", str(archive.root), *args, "-o", str(out)])
        assert result.exit_code == 0, result.output
        book = load_workbook(out)
        texts = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        texts.append(book.properties.creator or "")  # the audit workbook names its company as its author
        assert any("滇池信息技术有限公司" in t for t in texts), name
        assert not any("云南腾电科技有限公司" in t for t in texts), name
