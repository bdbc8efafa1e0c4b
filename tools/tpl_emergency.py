"""应急响应交付成果 — 《交付管理规定》YNTD-ITSS-0901 §5.4.7.2 (GB/T 28827.3).

* major_incident_report.docx   重大事件(故障)的分析改进报告：one per major incident — the incident, its
  timeline, impact, root cause and the improvements with owner and due date.

Same look as tools/tpl_packs.py. Context (docgen.kinds.emergency): the pack header keys (company, title,
doc_no, control, project, period_label, warnings), incident {id, level, category,
reported_at, responded_at, resolved_at, response_minutes, resolution_minutes, description, handling},
timeline [{no, at, event}], impact, root_cause, improvements [{no, action, owner, due}].
"""
from __future__ import annotations

from pathlib import Path

from _docx_build import CONTROL_KV, LAB, Cell, SignBox
from tpl_packs import (
    Col,
    _info,
    _lead,
    _list_table,
    _new,
    _warnings,
    flagged,
    text,
)


def build_major_incident_report(path: Path) -> Path:
    b = _new("重大事件(故障)的分析改进报告", "重大事件(故障)的分析改进报告（《交付管理规定》§5.4.7.2 应急响应交付成果）",
             "重大事件; 故障分析; 根本原因; 改进措施; 应急响应")
    _info(b, extra=[
        [Cell("事件编号", **LAB), Cell("{{ incident.id }}"), Cell("事件级别", **LAB), Cell("{{ incident.level }}")],
    ])

    b.heading("1 事件概况", 1)
    b.paragraph("根据《交付管理规定》§5.4.7.2 应急响应交付成果的要求，对{{ project.name }}{{ period_label }}发生的"
                "{{ incident.level }}事件 {{ incident.id }}（{{ incident.description }}）进行分析，"
                "提出改进措施并跟踪落实。")
    b.kv_table([
        [Cell("事件类别", **LAB), Cell("{{ incident.category }}"), Cell("报告时间", **LAB),
         Cell("{{ incident.reported_at }}")],
        [Cell("响应时间", **LAB), Cell("{{ incident.responded_at }}"), Cell("解决时间", **LAB),
         Cell("{{ incident.resolved_at }}")],
        [Cell("响应用时", **LAB), Cell("{{ incident.response_minutes }}"), Cell("解决用时", **LAB),
         Cell("{{ incident.resolution_minutes }}")],
        [Cell("事件描述", **LAB), Cell("{{ incident.description }}", span=3)],
        [Cell("处理过程", **LAB), Cell("{{ incident.handling }}", span=3)],
    ], CONTROL_KV, align="left")  # the information table's grid, so that the two line up

    b.heading("2 事件经过", 1)
    _lead(b, "事件从发生到处理完毕的主要经过如下：")
    _list_table(b, [
        Col("序号", 700, text("{{ t.no }}", "center")),
        Col("时间", 1900, text("{{ t.at }}", "center")),
        Col("经过", 6470, text("{{ t.event }}")),
    ], "timeline", "t")

    b.heading("3 影响范围", 1)
    b.text_lines("impact")

    b.heading("4 根本原因分析", 1)
    b.text_lines("root_cause")

    b.heading("5 改进措施", 1)
    _lead(b, "针对上述根本原因，制定改进措施如下，由责任人在完成期限前落实：")
    _list_table(b, [
        Col("序号", 700, text("{{ m.no }}", "center")),
        Col("改进措施", 5070, text("{{ m.action }}")),
        Col("责任人", 1400, flagged("{{ m.owner }}", "m.no_owner")),
        Col("完成期限", 1900, flagged("{{ m.due }}", "m.no_due")),
    ], "improvements", "m")

    b.heading("6 审核确认", 1)
    b.sign_table([
        [Cell("编制：{{ company }}", **LAB), Cell("确认（客户）：{{ project.customer }}", **LAB)],
        [SignBox(("编制人：{{ control.prepared.name }}", "日期：{{ control.prepared.date }}"),
                 text="以上分析及改进措施属实。", align="left"),
         SignBox(("客户签字：", "日期：　　　　年　　月　　日"), text="确认意见：", align="left")],
    ], [1, 1], space=900)

    _warnings(b, "7 提示")
    return b.save(path)


TEMPLATES = {"major_incident_report": build_major_incident_report}
