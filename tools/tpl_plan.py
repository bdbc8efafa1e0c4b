"""运维项目管理计划 (plan.docx) — 《交付管理规定》YNTD-ITSS-0901 §5.2, §5.3, §5.4.1."""
from __future__ import annotations

from pathlib import Path

from _docx_build import (
    FONT_HEI, LAB, RED, SIZE, Cell, Column, DocBuilder, control_header_footer, control_rows, cover_info, cover_title,
    rpr_xml, scale_widths,
)


# ---------------------------------------------------------------------------------------------
# 运维项目管理计划 (plan.docx) — 《交付管理规定》YNTD-ITSS-0901 §5.2, §5.3, §5.4.1
# ---------------------------------------------------------------------------------------------

def _plan_cover(b: DocBuilder) -> None:
    cover_title(b)
    b.tag("{%p if not review_passed %}")
    b.paragraph("", "Normal", align="center", before=240, after=0, border_box=RED,
                runs=[("未通过评审（本计划未通过 §5.3 评审，不得发布实施）",
                       rpr_xml(east=FONT_HEI, bold=True, color=RED, size=SIZE["三号"]))])
    b.tag("{%p endif %}")
    b.spacer(54)
    cover_info(b, [
        [Cell("项目编号", **LAB), Cell("{{ project.code }}"), Cell("项目类型", **LAB), Cell("{{ project.type_label }}")],
        [Cell("项目名称", **LAB), Cell("{{ project.name }}", span=3)],
        [Cell("客户名称", **LAB), Cell("{{ project.customer }}"), Cell("合同编号", **LAB),
         Cell("{{ project.contract_no }}")],
        [Cell("项目经理", **LAB), Cell("{{ project.manager }}"), Cell("项目周期", **LAB),
         Cell("{{ project.start }} 至 {{ project.end }}")],
        *control_rows(),
    ], size=SIZE["小四"], row_height=454)


def build_plan(path: Path) -> Path:
    b = DocBuilder(title="运维项目管理计划", subject="运维项目管理计划（《交付管理规定》§5.2–§5.4.1）",
                   keywords="运维项目管理计划; 交付管理规定; YNTD-ITSS-0901")
    control_header_footer(b)

    # -- cover ------------------------------------------------------------------------------------
    _plan_cover(b)

    # -- 文件编制和变更履历 --------------------------------------------------------------------------
    b.front_title("文件编制和变更履历")
    history = [Column("版本", "{{ h.version }}", 850, "center"),
               Column("作者", "{{ h.author }}", 950, "center"),
               Column("日期", "{{ h.date }}", 1270, "center"),
               Column("审核", "{{ h.reviewer }}", 950, "center"),
               Column("日期", "{{ h.review_date }}", 1270, "center"),
               Column("批准", "{{ h.approver }}", 950, "center"),
               Column("日期", "{{ h.approve_date }}", 1270, "center"),
               Column("更改记录", "{{ h.change_note }}", 1560)]
    widths = scale_widths([c.weight for c in history])
    b.loop_table(history, "history", "h", header_rows=DocBuilder.grouped_header_xml(
        [("版本", ()), ("编制/更改", ("作者", "日期")), ("发布", ("审核", "日期")), ("实施", ("批准", "日期")),
         ("更改记录", ())], widths))

    # -- 目录 -------------------------------------------------------------------------------------
    b.front_title("目录", style="TOCHeading")
    b.toc("1-3")

    # -- 1 交付内容、交付方式与交付成果 (§5.2 1) ----------------------------------------------------------
    b.heading("1 交付内容、交付方式与交付成果", 1, page_break_before=True)
    b.paragraph("本计划依据公司《交付管理规定》（YNTD-ITSS-0901）§5.2 编制。{{ project.name }}（项目编号 "
                "{{ project.code }}）为{{ project.type_label }}运维项目，客户为{{ project.customer }}，合同编号 "
                "{{ project.contract_no }}，项目周期 {{ project.start }} 至 {{ project.end }}，项目经理 "
                "{{ project.manager }}。")
    b.heading("1.1 交付内容", 2)
    b.lead("根据运维合同 SLA 协议，本项目的交付内容、交付方式和交付成果如下：")
    b.loop_table([Column("序号", "{{ s.no }}", 600, "center"),
                  Column("服务类型", "{{ s.service }}", 1100, "center"),
                  Column("交付内容", "{{ s.content }}", 2500),
                  Column("交付方式", "{{ s.method }}", 1100, "center"),
                  Column("频次", "{{ s.frequency }}", 900, "center"),
                  Column("交付成果", "{{ s.outputs }}", 2870)], "scope", "s")
    b.heading("1.2 量化考核指标（SLA）", 2)
    b.lead("本项目的量化考核指标如下，达成情况按数据来源统计，并在服务报告中逐项报告：")
    b.loop_table([Column("序号", "{{ k.no }}", 600, "center"),
                  Column("指标", "{{ k.name }}", 2000),
                  Column("考核要求", "{{ k.op }}{{ k.target }}{{ k.unit }}", 1350, "center"),
                  Column("计时方式", "{{ k.clock }}", 1750, "center"),
                  Column("数据来源", "{{ k.source }}", 3370)], "sla", "k")

    # -- 2 工作量与人力资源架构 (§5.2 2) --------------------------------------------------------------
    b.heading("2 工作量与人力资源架构", 1)
    b.heading("2.1 工作量估算", 2)
    b.paragraph("为满足 SLA 协议对交付内容、方式和成果的要求，本项目预估工作量为 {{ workload.person_days }} 人天。")
    b.paragraph("", runs=[("估算依据：", rpr_xml(east=FONT_HEI, bold=True)), ("{{ workload.basis }}", "")])
    b.heading("2.2 人力资源架构", 2)
    b.lead("项目团队人员、角色与职责如下：")
    b.loop_table([Column("序号", "{{ m.no }}", 600, "center"),
                  Column("姓名", "{{ m.name }}", 1200, "center"),
                  Column("角色", "{{ m.role }}", 1500, "center"),
                  Column("职责", "{{ m.duty }}", 4070),
                  Column("汇报对象", "{{ m.reports_to }}", 1700, "center")], "team", "m")
    b.heading("2.3 汇报关系", 2)
    b.lead("项目成员的汇报关系如下（成员 → 汇报对象）：")
    b.bullets("team", "m", "{{ m.name }}（{{ m.role }}）→ {{ m.reports_to }}")

    # -- 3 工作流程、关键记录、服务报告与监控方式 (§5.2 3) ---------------------------------------------------
    b.heading("3 工作流程、关键记录、服务报告与监控方式", 1)
    b.heading("3.1 工作流程", 2)
    b.lead("本项目按以下工作流程实施，以保证实施过程与服务质量得到有效监督与管理：")
    b.bullets("processes", "x")
    b.heading("3.2 关键记录", 2)
    b.lead("项目实施过程中须形成并归档以下关键记录：")
    b.bullets("records", "x")
    b.heading("3.3 服务报告", 2)
    b.lead("本项目按以下计划提交服务报告（服务报告比例按此计划的应交付数量统计）：")
    b.loop_table([Column("序号", "{{ r.no }}", 600, "center"),
                  Column("报告名称", "{{ r.name }}", 2400),
                  Column("文档类型", "{{ r.doc_type }}", 2900),
                  Column("频次", "{{ r.frequency }}", 1150, "center"),
                  Column("接收方", "{{ r.recipient }}", 2020, "center")], "reports", "r")
    b.heading("3.4 监控方式", 2)
    b.lead("项目实施过程与服务质量通过以下方式进行监控：")
    b.bullets("monitoring", "x")

    # -- 4 工具与资源 (§5.2 4) --------------------------------------------------------------------
    b.heading("4 工具与资源", 1)
    b.lead("项目实施所需工具与资源的配备要求如下，以确保项目实施所需能力得到满足：")
    b.loop_table([Column("序号", "{{ t.no }}", 600, "center"),
                  Column("名称", "{{ t.name }}", 2800),
                  Column("用途", "{{ t.purpose }}", 5670)], "tools", "t")

    # -- 5 风险识别与应对措施 (§5.2 5) -----------------------------------------------------------------
    b.heading("5 风险识别与应对措施", 1)
    b.lead("识别的项目实施风险及相应的规避、减缓和应急措施如下：")
    b.loop_table([Column("序号", "{{ r.no }}", 620, "center"),
                  Column("风险", "{{ r.risk }}", 1690),
                  Column("可能性", "{{ r.likelihood }}", 850, "center"),
                  Column("影响", "{{ r.impact }}", 720, "center"),
                  Column("规避措施", "{{ r.avoidance }}", 1730),
                  Column("减缓措施", "{{ r.mitigation }}", 1730),
                  Column("应急措施", "{{ r.contingency }}", 1730)], "risks", "r")

    # -- 6 沟通策略 (§5.2 6) ----------------------------------------------------------------------
    b.heading("6 沟通策略", 1)
    b.lead("为保证与项目实施、质量相关的关键信息及时传达给项目相关人员，制定沟通策略如下：")
    b.loop_table([Column("序号", "{{ c.no }}", 600, "center"),
                  Column("沟通对象", "{{ c.audience }}", 1500, "center"),
                  Column("内容", "{{ c.content }}", 2870),
                  Column("方式", "{{ c.channel }}", 1600, "center"),
                  Column("频次", "{{ c.frequency }}", 1000, "center"),
                  Column("负责人", "{{ c.owner }}", 1500, "center")], "communication", "c")

    # -- 7 团队组建与培训计划 (§5.4.1) ---------------------------------------------------------------
    b.heading("7 团队组建与培训计划", 1)
    b.heading("7.1 团队组建", 2)
    b.paragraph("项目经理根据本计划组建项目团队（《交付管理规定》§5.4.1），团队成员、职责及汇报关系见第 2 章。")
    b.heading("7.2 培训计划", 2)
    b.lead("为持续提升团队能力，制定成员培训计划如下：")
    b.loop_table([Column("序号", "{{ t.no }}", 600, "center"),
                  Column("培训主题", "{{ t.topic }}", 4070),
                  Column("日期", "{{ t.date }}", 1500, "center"),
                  Column("培训对象", "{{ t.audience }}", 2900, "center")], "training", "t",
                 empty_text="（未安排培训）")

    # -- 8 计划评审记录 (§5.3) ---------------------------------------------------------------------
    b.heading("8 计划评审记录（§5.3）", 1)
    b.heading("8.1 评审记录", 2)
    b.lead("本计划提交运维部经理、运维业务线及质量部相关人员评审，以确认项目所需人员、过程、资源及工具的"
                "配备与客户签订的 SLA 要求能力相匹配。评审记录如下：")
    b.loop_table([Column("序号", "{{ r.no }}", 600, "center"),
                  Column("评审人", "{{ r.name }}", 1100, "center"),
                  Column("评审角色", "{{ r.role }}", 1400, "center"),
                  Column("评审结论", "{{ r.conclusion }}", 1200, "center"),
                  Column("评审日期", "{{ r.date }}", 1350, "center"),
                  Column("评审意见", "{{ r.comment }}", 3420)], "reviewers", "r")
    b.paragraph("", "BodyText", before=120,
                runs=[("评审结论：", rpr_xml(east=FONT_HEI, bold=True)), ("{{ review_summary }}", "")])
    b.heading("8.2 评审提示", 2)
    b.bullets("warnings", "w")
    b.if_empty("warnings", "无。")

    # -- 9 通知范围 (§5.3) ----------------------------------------------------------------------
    b.heading("9 通知范围", 1)
    b.lead("评审通过的《运维项目管理计划》应通知以下项目相关人员：")
    b.loop_table([Column("序号", "{{ n.no }}", 600, "center"),
                  Column("通知对象", "{{ n.name }}", 4200),
                  Column("类别", "{{ n.group }}", 4270, "center")], "notify", "n")
    return b.save(path)


TEMPLATES = {"plan": build_plan}
