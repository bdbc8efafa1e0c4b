"""运维服务报告 (service_report.docx) — 《交付管理规定》YNTD-ITSS-0901 §5.4.2 第4项（按照管理要求和服务承诺
提交服务报告）, §5.4.3, §8 服务报告比例.

A periodic report (month, ISO week or quarter): title block, the person's summary, then what docgen
computed from the archive — services, SLA achievement with a chart, incidents, leftover issues,
satisfaction — the next period's plan and the warnings. The title block's table ends with the document
control rows (文件编号, 版本, 编制/审核/批准) and the customer's receipt, signed by hand. The variables are the
contract with docgen.kinds.service_report.service_report_documents (``docgen templates check``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from _docx_build import (
    LAB, SIZE, Cell, Column, DocBuilder, control_header_footer, control_rows, cover_info, report_title, rpr_xml,
)

SMALL = SIZE["小五"]


def _table(b: DocBuilder, columns: Sequence[Column], items: str, var: str, *, empty_text: str,
           size: float | None = None) -> None:
    """DocBuilder.loop_table whose data rows never break across pages."""
    b.loop_table(columns, items, var, empty_text=empty_text, size=size, cant_split=True)


def _note(b: DocBuilder, text: str) -> None:
    """A small explanatory line under a table."""
    b.paragraph(text, "TableText", before=60, after=120, rpr=rpr_xml(color="404040", size=SMALL))


def build_service_report(path: Path) -> Path:
    b = DocBuilder(title="运维服务报告",
                   subject="运维服务报告（《交付管理规定》§5.4.2 服务报告、§8 服务报告比例）",
                   keywords="运维服务报告; 服务报告; SLA达成; 遗留问题; 交付管理规定; YNTD-ITSS-0901")
    control_header_footer(b, first_page_blank=False)

    # -- title block ---------------------------------------------------------------------------------
    report_title(b, "（{{ period_label }}{{ report_kind }}）")
    cover_info(b, [
        [Cell("项目编号", **LAB), Cell("{{ project.code }}"), Cell("报告期间", **LAB),
         Cell("{{ period_label }}（{{ period }}）")],
        [Cell("项目名称", **LAB), Cell("{{ project.name }}", span=3)],
        [Cell("客户名称", **LAB), Cell("{{ project.customer }}"), Cell("统计范围", **LAB), Cell("{{ period_range }}")],
        [Cell("依据计划", **LAB), Cell("{{ plan_label }}"), Cell("报告类型", **LAB), Cell("{{ report_kind }}")],
        *control_rows(),
        # the customer signs the receipt on paper: a labelled line, like the control rows' （手签）
        [Cell("客户签收", **LAB), Cell("（客户手签）"), Cell("日期", **LAB), Cell("　　年　　月　　日（手签）")],
    ], size=SIZE["五号"], row_height=420)

    # -- 1 本期工作概述 -------------------------------------------------------------------------------
    b.heading("1 本期工作概述", 1)
    b.lead("项目经理说明：")
    b.loop_paragraphs("summary", "s")
    b.lead("{{ this_period }}要点（根据归档库中的记录统计）：")
    b.bullets("key_points", "k")
    b.tag("{%p if narrative_conflicts %}")
    b.lead("项目经理说明与统计不符之处（以统计为准）：")
    b.bullets("narrative_conflicts", "c")
    b.tag("{%p endif %}")

    # -- 2 服务情况 -----------------------------------------------------------------------------------
    b.heading("2 服务情况", 1)
    b.lead("{{ service_summary }}")
    _table(b, [Column("序号", "{{ s.no }}", 380, "center"),
               Column("服务单号", "{{ s.service_no }}", 1350, "center"),
               Column("方式类别", "{{ s.mode }}", 560, "center"),
               Column("工程师", "{{ s.engineer }}", 720, "center"),
               Column("服务内容", "{{ s.content }}", 1470),
               Column("报修/解决时间", "{{ s.times }}", 1150, "center"),
               Column("响应/解决（分钟）", "{{ s.minutes }}", 900, "center"),
               Column("SLA", "{{ s.sla }}", 1100, "center"),
               Column("审核", "{{ s.reviewed }}", 720, "center"),
               Column("回访评分", "{{ s.score }}", 720, "center")],
           "services", "s", empty_text="{{ this_period }}无现场或远程服务记录", size=SMALL)
    _note(b, "注：方式类别上行为现场/远程、下行为服务类别（故障、服务请求、变更、巡检、咨询）；报修/解决时间上行为报修时间、"
             "下行为解决时间（月-日 时:分）；响应、解决分别为报修至响应、报修至解决的分钟数（客户约定时间的服务请求和变更，"
             "解决自约定时间起算），按计划 SLA 的计时方式计算；SLA 列为该服务单全部计划指标的达成情况，“不考核”表示计划的"
             "时间指标不适用于该类服务，“无计划目标”表示归档时项目尚无计划。")

    # -- 3 SLA达成情况 --------------------------------------------------------------------------------
    b.heading("3 SLA达成情况", 1)
    b.lead("{{ sla_summary }}")
    _table(b, [Column("序号", "{{ r.no }}", 420, "center"),
               Column("指标", "{{ r.name }}", 1450),
               Column("目标", "{{ r.target }}", 1250, "center"),
               Column("本期实测", "{{ r.measured }}", 1250, "center"),
               Column("达成率", "{{ r.rate }}", 800, "center"),
               Column("平均值 / P90", "{{ r.mean_p90 }}", 1600, "center"),
               Column("结果", "{{ r.result }}", 800, "center"),
               Column("说明", "{{ r.note }}", 1500)], "sla_rows", "r",
           empty_text="无计划目标，且本期没有实测数据")
    _note(b, "注：服务类指标的达成率 = 达标服务单数 ÷ 计入的服务单数（按各服务单归档时冻结的达标结果）；P90 为第 ⌈0.9n⌉ "
             "小的值（最近秩法）；无计划目标的服务单不计入。系统可用率取本报告填写的监控数据；客户满意度取覆盖本期、期间最短的"
             "需方满意度调查和分析报告的总体满意度。")
    b.tag("{%p if sla_chart %}")
    b.paragraph("{{ sla_chart }}", "Normal", align="center", keep_next=True)
    b.paragraph("图 1　{{ this_period }} SLA 达成率（红色为未全部达标的指标）", "Normal", align="center", after=120,
                rpr=rpr_xml(size=SIZE["五号"]))
    b.tag("{%p endif %}")
    b.tag("{%p if chart_note %}")
    b.paragraph("{{ chart_note }}")
    b.tag("{%p endif %}")

    # -- 4 事件情况 -----------------------------------------------------------------------------------
    b.heading("4 事件情况", 1)
    b.lead("{{ incident_summary }}")
    _table(b, [Column("序号", "{{ i.no }}", 450, "center"),
               Column("事件编号", "{{ i.id }}", 1150, "center"),
               Column("级别", "{{ i.level }}", 750, "center"),
               Column("类别", "{{ i.category }}", 1000, "center"),
               Column("报告时间", "{{ i.reported_at }}", 1750, "center"),
               Column("解决时间", "{{ i.resolved_at }}", 1750, "center"),
               Column("响应/解决（分钟）", "{{ i.minutes }}", 1300, "center"),
               Column("分析改进报告", "{{ i.major_report }}", 920, "center")], "incidents", "i",
           empty_text="{{ this_period }}无事件")

    # -- 5 遗留问题 -----------------------------------------------------------------------------------
    b.heading("5 遗留问题", 1)
    b.paragraph("{{ leftover_summary }}")
    b.heading("5.1 未关闭的遗留问题", 2)
    b.lead("截至报告期末仍未关闭的遗留问题（已过天数自提出之日起算至期末）：")
    _table(b, [Column("编号", "{{ l.id }}", 1800, "center"),
               Column("遗留问题及处理计划", "{{ l.issue }}", 1970),
               Column("责任人", "{{ l.owner }}", 820, "center"),
               Column("提出日期", "{{ l.raised_on }}", 1200, "center"),
               Column("计划完成", "{{ l.due }}", 1200, "center"),
               Column("已过天数", "{{ l.age }}", 700, "center"),
               Column("状态", "{{ l.status }}", 1380, "center")], "leftovers_open", "l",
           empty_text="无未关闭的遗留问题")
    b.heading("5.2 本期关闭的遗留问题", 2)
    _table(b, [Column("编号", "{{ c.id }}", 1800, "center"),
               Column("遗留问题", "{{ c.issue }}", 2300),
               Column("关闭服务单", "{{ c.resolved_by }}", 1450, "center"),
               Column("关闭日期", "{{ c.resolved_on }}", 1250, "center"),
               Column("处理结果", "{{ c.resolution }}", 2270)], "leftovers_closed", "c",
           empty_text="{{ this_period }}无关闭的遗留问题")

    # -- 6 满意度 -------------------------------------------------------------------------------------
    b.heading("6 满意度", 1)
    b.paragraph("{{ satisfaction.text }}")
    b.lead("{{ satisfaction.visits }}")
    _table(b, [Column("序号", "{{ v.no }}", 600, "center"),
               Column("服务单号", "{{ v.service_no }}", 2200, "center"),
               Column("方式", "{{ v.mode }}", 1200, "center"),
               Column("工程师", "{{ v.engineer }}", 2000, "center"),
               Column("回访评分（1–5 分）", "{{ v.score }}", 3070, "center")], "satisfaction.rows", "v",
           empty_text="{{ this_period }}无服务回访")

    # -- 7 下期工作计划 -------------------------------------------------------------------------------
    b.heading("7 下期工作计划", 1)
    b.lead("{{ next_period }}工作安排：")
    b.bullets("next_plan", "n")
    b.if_empty("next_plan", "未填写。")

    # -- 8 提示 ---------------------------------------------------------------------------------------
    b.heading("8 提示", 1)
    b.bullets("warnings", "w")
    b.if_empty("warnings", "无。")

    return b.save(path)


TEMPLATES = {"service_report": build_service_report}
