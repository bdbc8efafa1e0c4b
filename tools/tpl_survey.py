"""需方满意度调查和分析报告 (survey_report.docx) — 《交付管理规定》YNTD-ITSS-0901 §5.4.5 项目改进, §5.4.7."""
from __future__ import annotations

from pathlib import Path

from _docx_build import (
    FONT_HEI, LAB, SIZE, TEXT_WIDTH, Cell, Column, DocBuilder, _cell_p, _tbl, _tc, _tr, control_header_footer,
    control_rows, cover_info, loop_rows, ppr_xml, report_title, rpr_xml, run_xml, scale_widths,
)


def _chart_grid(b: DocBuilder) -> None:
    """Two distribution charts per row: {{ cell.chart }} is a Picture the renderer turns into an
    inline image; each cell has a caption line under its chart."""
    widths = scale_widths([1, 1], TEXT_WIDTH)

    def cell(side: str, width: int) -> str:
        picture = f"<w:p>{ppr_xml(style='TableText', align='center')}{run_xml('{{ row.%s.chart }}' % side)}</w:p>"
        return _tc(width, picture + _cell_p("{{ row.%s.caption }}" % side, align="center"), valign="top")

    row = _tr(cell("left", widths[0]) + cell("right", widths[1]), cant_split=True)
    b.append_xml(_tbl(widths, loop_rows("chart_rows", "row", widths, row)))


def build_survey_report(path: Path) -> Path:
    b = DocBuilder(title="需方满意度调查和分析报告",
                   subject="需方满意度调查和分析报告（《交付管理规定》§5.4.5 项目改进）",
                   keywords="需方满意度调查; 满意度分析; 低分项改进; 交付管理规定; YNTD-ITSS-0901")
    control_header_footer(b, first_page_blank=False)

    # -- title block (the 文件编号 is in the table's control rows) ------------------------------------
    report_title(b, "（{{ period_label }}）")
    cover_info(b, [
        [Cell("项目编号", **LAB), Cell("{{ project.code }}"), Cell("调查期间", **LAB),
         Cell("{{ period_label }}（{{ period }}）")],
        [Cell("项目名称", **LAB), Cell("{{ project.name }}", span=3)],
        [Cell("客户名称", **LAB), Cell("{{ project.customer }}"), Cell("调查人", **LAB), Cell("{{ surveyed_by }}")],
        [Cell("回答日期", **LAB), Cell("{{ survey_dates }}"), Cell("有效问卷", **LAB),
         Cell("{{ respondent_count }} 份（{{ question_count }} 题，{{ score_count }} 个评分）")],
        [Cell("总体满意度", **LAB), Cell("{{ overall }} 分（满分 5 分）"), Cell("满意率", **LAB),
         Cell("{{ satisfied_percent }}")],
        *control_rows(),
    ], size=SIZE["五号"], row_height=420)

    # -- 1 调查概况 -----------------------------------------------------------------------------------
    b.heading("1 调查概况", 1)
    b.paragraph("为了解需方对{{ project.name }}运维服务的满意程度，{{ surveyed_by }}于 {{ survey_dates }} 向"
                "{{ project.customer }}开展了{{ period_label }}（{{ period_range }}）需方满意度调查。问卷共 "
                "{{ question_count }} 道题，每题按 1–5 分评分（5 分为非常满意，1 分为非常不满意），回收有效问卷 "
                "{{ respondent_count }} 份。评分不高于 {{ threshold }} 分的为低分项，按《交付管理规定》§5.4.5 "
                "与需方确认不满意的具体内容，提出并实施改进措施，跟踪反馈。")
    b.heading("1.1 调查结论", 2)
    b.bullets("summary", "s")

    # -- 2 调查结果 -----------------------------------------------------------------------------------
    b.heading("2 调查结果", 1)
    b.heading("2.1 各题评分统计", 2)
    b.lead("各题的评分人数、平均分（评分之和 ÷ 人数，四舍五入保留两位小数）、最低分、最高分及 1–5 分的人数分布如下：")
    stats = [Column("序号", "{{ q.no }}", 640, "center"),
             Column("编号", "{{ q.id }}", 640, "center"),
             Column("问题", "{{ q.text }}", 1830),
             Column("人数", "{{ q.n }}", 640, "center"),
             Column("平均分", "{{ q.mean }}", 820, "center"),
             Column("最低分", "{{ q.min }}", 820, "center"),
             Column("最高分", "{{ q.max }}", 820, "center"),
             Column("1分", "{{ q.d1 }}", 568, "center"),
             Column("2分", "{{ q.d2 }}", 568, "center"),
             Column("3分", "{{ q.d3 }}", 568, "center"),
             Column("4分", "{{ q.d4 }}", 568, "center"),
             Column("5分", "{{ q.d5 }}", 568, "center")]
    widths = scale_widths([c.weight for c in stats])
    b.loop_table(stats, "questions", "q", header_rows=DocBuilder.grouped_header_xml(
        [("序号", ()), ("编号", ()), ("问题", ()), ("人数", ()), ("平均分", ()), ("最低分", ()), ("最高分", ()),
         ("评分分布（人数）", ("1分", "2分", "3分", "4分", "5分"))], widths))
    b.paragraph("", "BodyText", before=120, runs=[("总体满意度：", rpr_xml(east=FONT_HEI, bold=True)),
                                                 ("{{ overall_formula }}。", "")])
    b.paragraph("", "BodyText", runs=[("满意率：", rpr_xml(east=FONT_HEI, bold=True)), ("{{ satisfied_formula }}。", "")])
    b.heading("2.2 各题平均分", 2)
    b.paragraph("{{ means_chart }}", "Normal", align="center", keep_next=True)
    b.paragraph("图 1　各题平均分（红色为平均分不高于 {{ threshold }} 分的题目）", "Normal", align="center", after=120,
                rpr=rpr_xml(size=SIZE["五号"]))
    b.heading("2.3 各题评分分布", 2)
    b.lead("各题 1–5 分的人数分布如下（纵轴为人数，满格为全部受访人数）：")
    _chart_grid(b)
    b.heading("2.4 问卷明细", 2)
    b.lead("各受访人的评分如下（“q1 5”表示第 q1 题评 5 分，带 * 的为低分项）：")
    b.loop_table([Column("序号", "{{ r.no }}", 640, "center"),
                  Column("受访人", "{{ r.respondent }}", 1300, "center"),
                  Column("回答日期", "{{ r.date }}", 1250, "center"),
                  Column("各题评分", "{{ r.scores }}", 2920),
                  Column("意见与建议", "{{ r.comment }}", 2960)], "responses", "r")

    # -- 3 低分项分析与改进 (§5.4.5) ----------------------------------------------------------------------
    b.heading("3 低分项分析与改进（§5.4.5）", 1)
    b.lead("对评分不高于 {{ threshold }} 分的低分项，已与需方确认不满意的具体内容，并提出改进措施、明确责任人和完成日期，"
           "跟踪反馈如下：")
    b.loop_table([Column("序号", "{{ x.no }}", 640, "center"),
                  Column("受访人", "{{ x.respondent }}", 850, "center"),
                  Column("问题", "{{ x.question }}", 1150),
                  Column("评分", "{{ x.score }}", 640, "center"),
                  Column("确认的不满意内容", "{{ x.confirmed }}", 1400),
                  Column("改进措施", "{{ x.action }}", 1400),
                  Column("责任人", "{{ x.owner }}", 850, "center"),
                  Column("完成日期", "{{ x.due }}", 1300, "center"),
                  Column("跟踪情况", "{{ x.status }}", 1100, "center")], "low_scores", "x",
                 empty_text="本期无低分项。")

    # -- 4 意见与建议 ---------------------------------------------------------------------------------
    b.heading("4 意见与建议", 1)
    b.lead("受访人提出的意见与建议如下：")
    b.bullets("comments", "c", "{{ c.respondent }}：{{ c.comment }}")
    b.if_empty("comments", "本期受访人未提出意见与建议。")

    # -- 5 提示 ------------------------------------------------------------------------------------
    b.heading("5 提示", 1)
    b.bullets("warnings", "w")
    b.if_empty("warnings", "无。")
    return b.save(path)


TEMPLATES = {"survey_report": build_survey_report}
