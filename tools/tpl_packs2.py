"""优化改善与调研评估交付成果 — 《交付管理规定》YNTD-ITSS-0901 §5.4.7.3–4.

* optimization_plan.docx          优化改善方案及相关评审记录（§5.4.7.3）
* implementation_plan.docx        优化改善实施方案及相关评审记录（§5.4.7.3：实施步骤、窗口、负责人、回退方案、评审）
* change_release_report.docx      优化改善实施的变更和发布报告（§5.4.7.3）
* assessment_plan.docx            调研评估计划书（§5.4.7.4）
* assessment_report.docx          调研评估分析报告（§5.4.7.4：调研发现及风险等级）
* assessment_recommendation.docx  调研评估的规划方案或建议及评审记录（§5.4.7.4）

Same look as tools/tpl_packs.py (company over the big title, information table with the document
control rows, numbered sections with tables, 评审记录 table, signature block, 提示 section; header/footer with page X/Y).
Common context keys as there; review tables take ``reviews`` [{no, name, role, conclusion, date,
comment, approved}] and ``review_status`` (通过 | 未通过 | 待评审).
"""
from __future__ import annotations

from pathlib import Path

from _docx_build import LAB, Cell, DocBuilder, SignBox
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


def _reviews(b: DocBuilder, heading: str, what: str) -> None:
    """The 评审记录 table (non-approving conclusions in red) and the signature block."""
    b.heading(heading, 1)
    _lead(b, f"{what}评审结论：{{{{ review_status }}}}。各评审人的评审结论及意见如下：")
    _list_table(b, [
        Col("序号", 600, text("{{ r.no }}", "center")),
        Col("评审人", 1250, text("{{ r.name }}", "center")),
        Col("角色", 1550, text("{{ r.role }}", "center")),
        Col("评审结论", 1800, flagged("{{ r.conclusion }}", "not r.approved")),
        Col("评审日期", 1250, text("{{ r.date }}", "center")),
        Col("评审意见", 2620, text("{{ r.comment }}")),
    ], "reviews", "r", empty="待评审：尚无评审记录。")
    b.paragraph("", "BodyText", after=0)
    b.sign_table([
        [Cell("编制方：{{ company }}", **LAB), Cell("评审方", **LAB)],
        [SignBox(("编制人：{{ control.prepared.name }}", "日期：{{ control.prepared.date }}"),
                 text=f"{what}已按上述内容编制。", align="left"),
         SignBox(("评审人签字：", "日期：　　　　年　　月　　日"), text="评审意见：", align="left")],
    ], [1, 1], space=700)


def _steps(b: DocBuilder) -> None:
    _list_table(b, [
        Col("序号", 600, text("{{ s.no }}", "center")),
        Col("实施步骤", 4170, text("{{ s.step }}")),
        Col("实施窗口", 2700, text("{{ s.window }}", "center")),
        Col("负责人", 1600, text("{{ s.owner }}", "center")),
    ], "steps", "s")


# ---------------------------------------------------------------------------------------------
# §5.4.7.3 优化改善
# ---------------------------------------------------------------------------------------------

def build_optimization_plan(path: Path) -> Path:
    b = _new("优化改善方案及相关评审记录", "优化改善方案及相关评审记录（《交付管理规定》§5.4.7.3 优化改善交付成果）",
             "优化改善方案; 评审记录; 优化改善")
    _info(b, extra=[
        [Cell("方案名称", **LAB), Cell("{{ proposal.title }}", span=3)],
        [Cell("评审结论", **LAB), Cell("{{ review_status }}", span=3)],
    ])
    b.heading("1 背景及现状问题", 1)
    b.text_lines("proposal.background")
    b.heading("2 优化目标", 1)
    _lead(b, "本次优化改善拟达到的目标如下：")
    _list_table(b, [
        Col("序号", 600, text("{{ g.no }}", "center")),
        Col("优化目标", 8470, text("{{ g.goal }}")),
    ], "proposal.goals", "g")
    b.heading("3 优化改善方案", 1)
    b.text_lines("proposal.solution")
    _reviews(b, "4 评审记录", "优化改善方案")
    _warnings(b, "5 提示")
    return b.save(path)


def build_implementation_plan(path: Path) -> Path:
    b = _new("优化改善实施方案及相关评审记录",
             "优化改善实施方案及相关评审记录（《交付管理规定》§5.4.7.3 优化改善交付成果）",
             "优化改善实施方案; 实施步骤; 回退方案; 评审记录")
    _info(b, extra=[
        [Cell("优化项目", **LAB), Cell("{{ subject }}", span=3)],
        [Cell("评审结论", **LAB), Cell("{{ review_status }}", span=3)],
    ])
    b.heading("1 实施步骤", 1)
    _lead(b, "优化改善按以下步骤在约定的实施窗口内实施，每一步由负责人组织执行并确认结果：")
    _steps(b)
    b.heading("2 回退方案", 1)
    b.paragraph("实施过程中出现异常且无法在实施窗口内处理时，由负责人决定按以下方案回退，恢复至实施前状态：",
                "BodyText")
    b.text_lines("rollback")
    _reviews(b, "3 评审记录", "优化改善实施方案")
    _warnings(b, "4 提示")
    return b.save(path)


def build_change_release_report(path: Path) -> Path:
    b = _new("优化改善实施的变更和发布报告", "优化改善实施的变更和发布报告（《交付管理规定》§5.4.7.3 优化改善交付成果）",
             "变更; 发布; 验证; 优化改善")
    _info(b, extra=[
        [Cell("优化项目", **LAB), Cell("{{ subject }}", span=3)],
        [Cell("变更单号", **LAB), Cell("{{ change.change_no }}"), Cell("变更结果", **LAB), Cell("{{ change.result }}")],
        [Cell("执行时间", **LAB), Cell("{{ change.executed_at }}"), Cell("发布时间", **LAB),
         Cell("{{ change.released_at }}")],
    ])
    b.heading("1 变更概况", 1)
    b.paragraph("根据优化改善实施方案（评审结论：{{ impl_review_status }}），于 {{ change.executed_at }} 执行变更 "
                "{{ change.change_no }}，变更结果：{{ change.result }}。本次变更同步更新运行维护服务对象配置信息 "
                "{{ updates_count }} 条，详见运行维护服务对象配置信息更新记录。")
    b.heading("2 实施过程", 1)
    _lead(b, "变更按已评审的实施方案执行，各步骤如下：")
    _steps(b)
    b.heading("3 验证情况", 1)
    b.text_lines("change.verification")
    b.heading("4 回退方案", 1)
    b.text_lines("rollback")
    b.heading("5 发布确认", 1)
    b.sign_table([
        [Cell("实施方：{{ company }}", **LAB), Cell("客户：{{ project.customer }}", **LAB)],
        [SignBox(("变更实施人：{{ control.prepared.name }}", "日期：{{ control.prepared.date }}"),
                 text="变更已实施并验证，申请发布。", align="left"),
         SignBox(("客户签字：", "日期：　　　　年　　月　　日"), text="发布确认意见：", align="left")],
    ], [1, 1], space=700)
    _warnings(b, "6 提示")
    return b.save(path)


# ---------------------------------------------------------------------------------------------
# §5.4.7.4 调研评估
# ---------------------------------------------------------------------------------------------

def _assessment_info(b: DocBuilder, beside: tuple[Cell, Cell] | None = None) -> None:
    """The information table of an assessment document; ``beside`` (label, value) shares the 评估周期 row."""
    _info(b, extra=[
        [Cell("评估主题", **LAB), Cell("{{ subject }}", span=3)],
        [Cell("评估周期", **LAB), Cell("{{ start }} 至 {{ end }}", span=1 if beside else 3), *(beside or ())],
    ])


def build_assessment_plan(path: Path) -> Path:
    b = _new("调研评估计划书", "调研评估计划书（《交付管理规定》§5.4.7.4 调研评估交付成果）",
             "调研评估计划; 目标; 范围; 进度安排")
    _assessment_info(b)
    b.heading("1 调研评估目标", 1)
    _list_table(b, [
        Col("序号", 600, text("{{ o.no }}", "center")),
        Col("目标", 8470, text("{{ o.objective }}")),
    ], "objectives", "o")
    b.heading("2 调研评估范围", 1)
    b.text_lines("scope")
    b.heading("3 调研评估方法", 1)
    b.text_lines("method")
    b.heading("4 进度安排", 1)
    _lead(b, "调研评估工作自 {{ start }} 开始，至 {{ end }} 结束，具体安排如下：")
    _list_table(b, [
        Col("序号", 600, text("{{ t.no }}", "center")),
        Col("工作内容", 4070, text("{{ t.task }}")),
        Col("开始日期", 1600, text("{{ t.begin }}", "center")),
        Col("结束日期", 1600, text("{{ t.finish }}", "center")),
        Col("天数", 1200, text("{{ t.days }}", "center")),
    ], "schedule", "t")
    _warnings(b, "5 提示")
    return b.save(path)


def build_assessment_report(path: Path) -> Path:
    b = _new("调研评估分析报告", "调研评估分析报告（《交付管理规定》§5.4.7.4 调研评估交付成果）",
             "调研评估; 分析报告; 风险等级")
    _assessment_info(b, (Cell("发现问题", **LAB), Cell("{{ risk_counts.total }} 项")))
    b.heading("1 调研评估概况", 1)
    b.paragraph("按调研评估计划书，于 {{ start }} 至 {{ end }} 对{{ scope }}开展调研评估，方法为{{ method }}。"
                "共发现问题 {{ risk_counts.total }} 项，其中高风险 {{ risk_counts.high }} 项，中风险 "
                "{{ risk_counts.medium }} 项，低风险 {{ risk_counts.low }} 项。")
    b.heading("2 风险分布", 1)
    b.kv_table([
        [Cell("高风险", **LAB), Cell("中风险", **LAB), Cell("低风险", **LAB), Cell("合计", **LAB)],
        [Cell("{{ risk_counts.high }}", align="center"), Cell("{{ risk_counts.medium }}", align="center"),
         Cell("{{ risk_counts.low }}", align="center"), Cell("{{ risk_counts.total }}", align="center")],
    ], [1, 1, 1, 1])
    b.heading("3 调研发现及风险等级", 1)
    _lead(b, "各评估项的调研发现如下（按风险等级由高到低排列）：")
    _list_table(b, [
        Col("序号", 600, text("{{ f.no }}", "center")),
        Col("评估项", 1900, text("{{ f.item }}")),
        Col("调研发现", 3570, text("{{ f.finding }}")),
        Col("依据", 1800, text("{{ f.evidence }}")),
        Col("风险等级", 1200, flagged("{{ f.risk }}", "f.high")),
    ], "findings", "f")
    _warnings(b, "4 提示")
    return b.save(path)


def build_assessment_recommendation(path: Path) -> Path:
    b = _new("调研评估的规划方案或建议及评审记录", "调研评估的规划方案或建议及评审记录（《交付管理规定》§5.4.7.4 调研评估交付成果）",
             "规划方案; 建议; 评审记录; 调研评估")
    _info(b, extra=[
        [Cell("评估主题", **LAB), Cell("{{ subject }}", span=3)],
        [Cell("评审结论", **LAB), Cell("{{ review_status }}", span=3)],
    ])
    b.heading("1 编制依据", 1)
    b.paragraph("根据调研评估分析报告（发现问题 {{ findings_total }} 项，其中高风险 {{ high_risks }} 项），"
                "提出以下规划方案或建议，供客户决策及纳入后续运维工作计划。")
    b.heading("2 规划方案或建议", 1)
    _list_table(b, [
        Col("序号", 600, text("{{ i.no }}", "center")),
        Col("规划方案或建议", 4270, text("{{ i.recommendation }}")),
        Col("优先级", 900, flagged("{{ i.priority }}", "i.high")),
        Col("估算投入", 1500, text("{{ i.estimate }}", "center")),
        Col("实施时间", 1800, text("{{ i.timeline }}", "center")),
    ], "items", "i")
    _reviews(b, "3 评审记录", "规划方案或建议")
    _warnings(b, "4 提示")
    return b.save(path)


TEMPLATES = {
    "optimization_plan": build_optimization_plan,
    "implementation_plan": build_implementation_plan,
    "change_release_report": build_change_release_report,
    "assessment_plan": build_assessment_plan,
    "assessment_report": build_assessment_report,
    "assessment_recommendation": build_assessment_recommendation,
}
