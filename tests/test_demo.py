"""The demo year holds together (#13 item 6): its audit lists exactly the findings its data has (the README
explains each), every SLA finding is a metric the month's service report marks 未达标 and back, the
emergency pack's incidents are the quarter's incident records, the planned change is not judged as a fault."""
from __future__ import annotations

from datetime import date

from docgen.archive import Archive
from docgen.facts import (
    AuditReportFacts,
    ResponseRecordFacts,
    ServiceRecordFacts,
    ServiceReportFacts,
    view_of,
)
from docgen.metrics.audit import audit_project
from docgen.metrics.incidents import record_incidents

P = "YNTD-YW-2025-001"
# (severity, rule, period, what the message must say) — README "示例年度" table
EXPECTED = [
    ("warning", "§5.4.3 SLA达成", "2025-01", "故障响应时间：3 条服务记录中 1 条未达到计划目标"),
    ("warning", "§5.4.3 SLA达成", "2025-03", "客户满意度 4.17"),
    ("warning", "§5.4.3 SLA达成", "2025-04", "一般故障解决时间：3 条服务记录中 1 条未达到计划目标"),
    ("warning", "§5.4.3 SLA达成", "2025-04", "客户满意度 4.33"),
    ("warning", "§5.4.3 SLA达成", "2025-05", "现场到达时间：1 条服务记录中 1 条未达到计划目标"),
    ("warning", "§5.4.3 SLA达成", "2025-07", "一般故障解决时间：2 条服务记录中 1 条未达到计划目标"),
    ("warning", "§5.4.3 SLA达成", "2025-09", "客户满意度 4.25"),
    ("warning", "§5.4.3 SLA达成", "2025-10", "客户满意度 4.33"),
    ("warning", "§5.4.3 SLA达成", "2025-12", "现场到达时间：1 条服务记录中 1 条未达到计划目标"),
    ("warning", "§5.4.2 遗留问题", "2025-03", "XC-2025-0007#1（交换机端口偶发CRC错误，负责人 王强）计划 2025-03-20 完成，"
                                              "2025-04-02 才由服务 YC-2025-0021 关闭，晚了 13 天"),
]


def test_the_demo_audit_lists_exactly_the_findings_its_data_has(demo_archive):
    report = audit_project(Archive(demo_archive[0]), P, as_of=date(2026, 3, 1))
    found = [(f.severity, f.rule, f.period, f.message) for f in report.findings]
    assert [f[:3] for f in found] == [e[:3] for e in EXPECTED], "\n".join(f[3] for f in found)
    for (_, _, _, message), (_, _, _, expected) in zip(found, EXPECTED):
        assert expected in message
    # the archived audit workbook says the same
    view = view_of(Archive(demo_archive[0]))
    [audit] = view.documents(P, "audit_report")
    facts = audit.facts_as(AuditReportFacts)
    assert (facts.error, facts.warning, facts.info) == (0, len(EXPECTED), 0)
    assert [(f.rule, f.period) for f in facts.findings] == [(e[1], e[2]) for e in EXPECTED]


def test_every_sla_finding_is_the_month_reports_miss_and_back(demo_archive):
    view = view_of(Archive(demo_archive[0]))
    names = {"故障响应时间": "response_minutes", "现场到达时间": "arrival_minutes", "一般故障解决时间": "resolution_minutes",
             "客户满意度": "satisfaction_score", "系统可用率": "availability_percent"}
    from_audit = {(period, next(m for n, m in names.items() if n in what))
                  for _, rule, period, what in EXPECTED if rule == "§5.4.3 SLA达成"}
    from_reports = set()
    for doc in view.documents(P, "service_report"):
        for metric in doc.facts_as(ServiceReportFacts).sla_summary.not_met:
            from_reports.add((doc.period, metric))
    assert from_audit == from_reports


def test_the_emergency_pack_lists_the_quarters_incident_records(demo_archive):
    view = view_of(Archive(demo_archive[0]))
    [doc] = view.documents(P, "response_record")
    listed = [i.service_no for i in doc.facts_as(ResponseRecordFacts).incidents]
    records = [i.service_no for i in record_incidents(view, P, date(2025, 1, 1), date(2025, 3, 31))]
    assert sorted(listed) == sorted(records) and None not in listed and len(listed) == 9
    assert {"YC-2025-0003", "XC-2025-0005", "XC-2025-0007"} <= set(listed)
    major = next(i for i in doc.facts_as(ResponseRecordFacts).incidents if i.level == "重大")
    assert major.id == "XC-2025-0005" and major.major_report


def test_the_planned_change_is_not_judged_as_a_fault(demo_archive):
    view = view_of(Archive(demo_archive[0]))
    change = view.service_records(P)["XC-2025-0008"].facts_as(ServiceRecordFacts)
    assert change.category == "变更" and change.frozen_results() == []
    april = view.latest(f"{P}/service_report/2025-04").facts_as(ServiceReportFacts)
    assert "XC-2025-0008" in april.services.service_nos
    assert "XC-2025-0008" not in april.services.sla_met + april.services.sla_not_met
