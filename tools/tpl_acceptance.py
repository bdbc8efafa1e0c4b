"""项目验收报告 (acceptance_report.docx) — 《交付管理规定》YNTD-ITSS-0901 §5.4.4 项目验收.

Cover page (company, title, 文件编号, project, information table ending with the document control rows:
文件编号, 版本, 编制/审核/批准), then 1 项目概况, 2 内部验收 (application date against its deadline, 2.1 可交付成果
from the archive, 2.2 SLA达成自评 computed over the project period, 2.3 运维部与质量部评估), 3 客户验收 (初验
with its open issues, 终验), 4 发现的问题, 5 验收签署, 6 提示. The variables are the contract with
docgen.kinds.acceptance.acceptance_context.
"""
from __future__ import annotations

from pathlib import Path

from _docx_build import (
    FONT_HEI, LAB, RED, SIZE, Cell, DocBuilder, SignBox, control_header_footer, control_rows, cover_info, cover_title,
    rpr_xml,
)
from tpl_packs import SMALL, Col, _lead, _list_table, _warnings, flagged, text


def _cover(b: DocBuilder) -> None:
    cover_title(b)
    b.spacer(54)
    cover_info(b, [
        [Cell("项目编号", **LAB), Cell("{{ project.code }}"), Cell("验收年度", **LAB), Cell("{{ period_label }}")],
        [Cell("项目名称", **LAB), Cell("{{ project.name }}", span=3)],
        [Cell("客户名称", **LAB), Cell("{{ project.customer }}", span=3)],
        [Cell("项目周期", **LAB), Cell("{{ project.start }} 至 {{ project.end }}"), Cell("项目经理", **LAB),
         Cell("{{ project.manager }}")],
        [Cell("验收申请", **LAB), Cell("{{ internal.applied_on }}"), Cell("申请人", **LAB),
         Cell("{{ internal.applied_by }}")],
        [Cell("初验日期", **LAB), Cell("{{ preliminary.date }}"), Cell("终验日期", **LAB), Cell("{{ final.date }}")],
        *control_rows(),
    ], size=SIZE["小四"], row_height=454)


def _red_if(test: str, value: str) -> list[tuple[str, str]]:
    """Runs showing ``value`` bold red when the Jinja ``test`` holds, plain otherwise (docxtpl {%r %} tags)."""
    return [(f"{{%r if {test} %}}", ""), (value, rpr_xml(bold=True, color=RED)), ("{%r else %}", ""),
            (value, ""), ("{%r endif %}", "")]


def _internal(b: DocBuilder) -> None:
    b.heading("2 内部验收", 1)
    b.paragraph("", runs=[
        ("项目于 {{ project.end }} 结束。按《交付管理规定》§5.4.4.1，项目组应在项目结束一个月内（截止 {{ internal.deadline }}"
         "）向质量部提出内部验收申请，提交可交付成果（项目验收文档）及 SLA 达成自评记录。项目组（申请人："
         "{{ internal.applied_by }}）于 {{ internal.applied_on }} 提出内部验收申请，", ""),
        *_red_if("not internal.on_time", "{{ internal.timing }}"),
        ("。", "")])

    b.heading("2.1 可交付成果", 2)
    _lead(b, "归档库中本项目已归档的交付文档共 {{ deliverable_total }} 份（每份文档取最新版本；月度KPI统计表、"
             "项目交付审计报告和项目验收报告由归档库计算生成，不计入），按文档类型统计如下：")
    _list_table(b, [
        Col("序号", 700, text("{{ t.no }}", "center")),
        Col("文档类型", 7070, text("{{ t.title }}")),
        Col("数量（份）", 1300, text("{{ t.count }}", "center")),
    ], "deliverable_types", "t", empty="归档库中没有本项目的交付文档。")
    b.paragraph("", "BodyText", keep_next=True, before=120, after=60, runs=[("各文档明细如下：", "")])
    _list_table(b, [
        Col("序号", 600, text("{{ d.no }}", "center", SMALL)),
        Col("文档类型", 1900, text("{{ d.type }}", size=SMALL)),
        Col("标题", 3020, text("{{ d.title }}", size=SMALL)),
        Col("期间", 1150, text("{{ d.period }}", "center", SMALL)),
        Col("版本", 700, text("{{ d.version }}", "center", SMALL)),
        Col("日期", 1700, text("{{ d.date }}", "center", SMALL)),
    ], "deliverable_docs", "d", empty="无。")

    b.heading("2.2 SLA达成自评", 2)
    b.tag("{%p if plan.found %}")
    b.paragraph("按运维项目管理计划（{{ plan.version }}）的量化考核指标，统计项目周期 {{ sla_period }} 内各指标的达成"
                "情况。数据取自归档库：响应、到场、解决等时间类指标取现场/远程服务记录（达标率 = 达标记录数 ÷ 记录数，"
                "另列平均值和 P90），系统可用率取各月运维服务报告，客户满意度取需方满意度调查和分析报告，服务报告比例按"
                "计划的报告安排逐月统计。{{ sla_summary }}")
    b.tag("{%p else %}")
    b.paragraph("{{ sla_summary }}")
    b.tag("{%p endif %}")
    _list_table(b, [
        Col("序号", 600, text("{{ k.no }}", "center", SMALL)),
        Col("指标", 1350, text("{{ k.name }}", size=SMALL)),
        Col("考核要求", 1100, text("{{ k.requirement }}", "center", SMALL)),
        Col("实际达成", 1750, text("{{ k.achieved }}", "center", SMALL)),
        Col("统计依据", 3370, text("{{ k.basis }}", size=SMALL)),
        Col("结论", 900, flagged("{{ k.verdict }}", "k.failed", size=SMALL)),
    ], "sla", "k", empty="无计划 SLA 指标可评估。")
    b.paragraph("", "BodyText", keep_next=True, before=120, after=60, runs=[
        ("需方满意度调查：", rpr_xml(east=FONT_HEI, bold=True)),
        ("项目期间的需方满意度调查如下，客户满意度按全部评分之和 ÷ 评分个数计算（不是各次得分的平均）：", "")])
    _list_table(b, [
        Col("序号", 700, text("{{ s.no }}", "center")),
        Col("调查期间", 3570, text("{{ s.period_label }}（{{ s.period }}）")),
        Col("受访人数", 2400, text("{{ s.respondents }}", "center")),
        Col("总体满意度（分）", 2400, text("{{ s.overall }}", "center")),
    ], "surveys", "s", empty="项目期间没有需方满意度调查和分析报告。")
    b.paragraph("", "BodyText", keep_next=True, before=120, after=0,
                runs=[("项目组自评：", rpr_xml(east=FONT_HEI, bold=True))])
    b.loop_paragraphs("internal.self_assessment", "line")
    b.tag("{%p if narrative_conflicts %}")
    _lead(b, "自评与上表统计不符之处（以统计为准）：")
    b.bullets("narrative_conflicts", "c")
    b.tag("{%p endif %}")

    b.heading("2.3 运维部与质量部评估", 2)
    _lead(b, "运维部与质量部收集客户满意度调查结果，结合项目组提交的 SLA 达成自评记录，对项目组的 SLA 达成情况进行"
             "评估（§5.4.4.1），评估结果与项目绩效考核结果挂钩。{{ evaluation_status }}")
    _list_table(b, [
        Col("序号", 700, text("{{ e.no }}", "center")),
        Col("评估人", 1700, text("{{ e.name }}", "center")),
        Col("部门/角色", 2270, text("{{ e.role }}", "center")),
        Col("评估结论", 2400, flagged("{{ e.conclusion }}", "not e.passed")),
        Col("评估日期", 2000, text("{{ e.date }}", "center")),
    ], "evaluation", "e", empty="尚未评估。")


def _customer(b: DocBuilder) -> None:
    b.heading("3 客户验收", 1)
    b.paragraph("项目经理按合同约定的时间推进客户开展项目验收活动；客户初验后如存在遗留问题，项目经理应在终验或与客户"
                "约定的时间前组织解决落实（§5.4.4.2）。")
    b.heading("3.1 初验", 2)
    b.paragraph("{{ preliminary.summary }}")
    b.tag("{%p if preliminary.held %}")
    _lead(b, "初验遗留问题及解决落实情况如下：")
    _list_table(b, [
        Col("序号", 700, text("{{ x.no }}", "center")),
        Col("遗留问题", 2870, text("{{ x.issue }}")),
        Col("解决措施", 2800, text("{{ x.resolution }}")),
        Col("计划完成日期", 1500, text("{{ x.due }}", "center")),
        Col("状态", 1200, flagged("{{ x.status }}", "x.open")),
    ], "preliminary.issues", "x", empty="无遗留问题。")
    b.tag("{%p endif %}")
    b.heading("3.2 终验", 2)
    b.tag("{%p if final.held %}")
    b.paragraph("客户于 {{ final.date }} 进行终验，结论：{{ final.conclusion }}，客户签字人：{{ final.signed_by }}。",
                keep_next=True)
    b.kv_table([
        [Cell("终验日期", **LAB), Cell("{{ final.date }}"), Cell("客户签字人", **LAB), Cell("{{ final.signed_by }}")],
        [Cell("终验结论", **LAB), Cell("{{ final.conclusion }}", span=3)],
    ], [1500, 3035, 1500, 3035])
    b.tag("{%p else %}")
    b.paragraph("客户尚未进行终验。")
    b.tag("{%p endif %}")


def build_acceptance_report(path: Path) -> Path:
    b = DocBuilder(title="项目验收报告", subject="项目验收报告（《交付管理规定》§5.4.4 项目验收）",
                   keywords="项目验收报告; 内部验收; 客户验收; SLA达成自评; 交付管理规定; YNTD-ITSS-0901")
    control_header_footer(b)
    _cover(b)

    b.heading("1 项目概况", 1, page_break_before=True)
    b.paragraph("{{ project.name }}（项目编号 {{ project.code }}）的客户为{{ project.customer }}，项目经理 "
                "{{ project.manager }}，项目于 {{ project.end }} 结束。按《交付管理规定》§5.4.4，项目验收分为内部验收和"
                "客户验收；本报告记录内部验收申请、可交付成果、SLA 达成自评及运维部与质量部评估，客户初验和终验情况，"
                "以及验收中发现的问题。")
    b.tag("{%p if plan.found %}")
    b.paragraph("本项目已归档运维项目管理计划（{{ plan.version }}），项目周期 {{ plan.start }} 至 {{ plan.end }}。"
                "报告中的可交付成果和 SLA 达成情况均由归档库的记录统计得出。")
    b.tag("{%p else %}")
    b.paragraph("", runs=[("归档库中没有本项目的运维项目管理计划，无法按计划的 SLA 指标自评；可交付成果按归档库现有记录列出。",
                           rpr_xml(bold=True, color=RED))])
    b.tag("{%p endif %}")

    _internal(b)
    _customer(b)

    b.heading("4 发现的问题", 1)
    _lead(b, "内部验收和客户验收中发现的问题如下，项目组应逐项分析原因并整改：")
    _list_table(b, [
        Col("序号", 700, text("{{ f.no }}", "center")),
        Col("类别", 1600, text("{{ f.category }}", "center")),
        Col("问题描述", 6770, text("{{ f.text }}")),
    ], "findings", "f", empty="未发现问题。")

    b.heading("5 验收签署", 1)
    b.sign_table([
        [Cell("项目组", **LAB), Cell("运维部", **LAB), Cell("质量部", **LAB)],
        [SignBox(("申请人：{{ internal.applied_by }}", "日期：{{ internal.applied_on }}"), text="申请内部验收。",
                 align="left"),
         SignBox(("运维部评估人签字：", "日期：　　　年　　月　　日"), text="评估意见：", align="left"),
         SignBox(("质量部评估人签字：", "日期：　　　年　　月　　日"), text="评估意见：", align="left")],
    ], [1, 1, 1], space=900)

    _warnings(b, "6 提示")
    return b.save(path)


TEMPLATES = {"acceptance_report": build_acceptance_report}
