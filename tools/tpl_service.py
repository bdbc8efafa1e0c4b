"""现场/远程交付的服务表单 — 《交付管理规定》YNTD-ITSS-0901 §5.4.6.

* onsite_form.docx            现场服务单（客户在现场签署，§5.4.6.1 第 1–10 步）
* onsite_report.docx          现场服务报告单（返回驻地后提交、运维部经理审核，§5.4.6.1 第 11 步，含 1–13 步核对）
* remote_record.docx          远程服务记录（§5.4.6.2 第 1–13 步）
* leftover_confirmation.docx  遗留问题确认单（§5.4.6.1 第 8 步 / §5.4.6.2 第 8 步）

These are one-to-two-page forms, not reports: no cover, no TOC; a form title, the form's 表单编号 and
表单版本 with the record's 文件编号, then bordered key/value and list tables and signature cells with room to
sign by hand (the forms' own signature rows, so no 编制/审核/批准 rows). The variables they use are the
contract with the onsite/remote kinds' context builders (``docgen templates check`` verifies them); every
list renders one "无" row when empty.
"""
from __future__ import annotations

from pathlib import Path

from _docx_build import (
    FONT_HEI, KV4, LAB, RED, SIZE, Cell, Column, DocBuilder, SignBox, control_header_footer, form_number, form_title,
    rpr_xml,
)

TIME_W = 1900   # a "YYYY-MM-DD HH:MM" column that does not wrap
EMPTY = "无"


# ---------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------

def _new(title: str, subject: str, *, pending: bool = True) -> DocBuilder:
    """A new form: header and footer, then the head — company (small) over the form name (big, bold),
    the red pending line (unless ``pending`` is false), the 表单编号 / 表单版本 / 文件编号 line on the right."""
    b = DocBuilder(title=title, subject=subject, keywords=f"{title}; 交付管理规定; YNTD-ITSS-0901; 项目交付")
    control_header_footer(b, form=True, first_page_blank=False)
    form_title(b, after=80)
    if pending:
        b.tag("{%p if pending_marks %}")
        b.paragraph("", "Normal", align="center", line=240, before=0, after=60,
                    runs=[("【{{ pending_text }}】本记录尚有未完成环节，完成后更新归档",
                           rpr_xml(east=FONT_HEI, bold=True, color=RED, size=SIZE["小四"]))])
        b.tag("{%p endif %}")
    form_number(b)
    return b


def _section(b: DocBuilder, text: str) -> None:
    """A form section title: the Heading 3 style (黑体, kept with its table) in single line spacing."""
    b.paragraph(text, "Heading3", line=240, before=140, after=60)


def _note(b: DocBuilder, text: str) -> None:
    """A small explanatory line under a table (五号, no indent)."""
    b.paragraph(text, "TableText", before=60, after=0)


def _basic_rows(place_label: str) -> list[list[Cell]]:
    return [
        [Cell("服务单号", **LAB), Cell("{{ service_no }}"), Cell("项目编号", **LAB), Cell("{{ project.code }}")],
        [Cell("项目名称", **LAB), Cell("{{ project.name }}", span=3)],
        [Cell("客户", **LAB), Cell("{{ project.customer }}"), Cell(place_label, **LAB), Cell("{{ site }}")],
        [Cell("运维工程师", **LAB), Cell("{{ engineer }}"), Cell("客户联系人", **LAB), Cell("{{ customer_contact }}")],
        [Cell("服务类别", **LAB), Cell("{{ category }}"), Cell("事件级别（类别）", **LAB), Cell("{{ incident_text }}")],
    ]


_ONSITE_TIMES = [
    [Cell("报修时间", **LAB), Cell("{{ times.requested }}"), Cell("响应时间", **LAB), Cell("{{ times.responded }}")],
    [Cell("要求到场时间", **LAB), Cell("{{ times.requested_arrival }}"), Cell("到场时间", **LAB),
     Cell("{{ times.arrived }}")],
    [Cell("解决时间", **LAB), Cell("{{ times.resolved }}"), Cell("离场时间", **LAB), Cell("{{ times.departed }}")],
]

_REMOTE_TIMES = [
    [Cell("报修时间", **LAB), Cell("{{ times.requested }}"), Cell("响应时间", **LAB), Cell("{{ times.responded }}")],
    [Cell("约定支持时间", **LAB), Cell("{{ times.requested_time }}"), Cell("解决时间", **LAB),
     Cell("{{ times.resolved }}")],
]

# 服务内容与处理预案 as prepared before the service (onsite form and remote record)
_PREP = [
    [Cell("服务内容", **LAB), Cell("{{ prep.content }}", span=3)],
    [Cell("前期情况", **LAB), Cell("{{ prep.history }}", span=3)],
    [Cell("待跟进遗留问题", **LAB), Cell("{{ prep.open_issues }}", span=3)],
    [Cell("处理预案", **LAB), Cell("{{ prep.plan }}", span=3)],
]


def _risks(b: DocBuilder) -> None:
    b.loop_table([Column("序号", "{{ r.no }}", 600, "center"),
                  Column("风险", "{{ r.risk }}", 3400),
                  Column("应急措施", "{{ r.contingency }}", 5070)], "risks", "r", empty_text=EMPTY)


def _work(b: DocBuilder) -> None:
    b.loop_table([Column("序号", "{{ w.no }}", 600, "center"),
                  Column("时间", "{{ w.at }}", TIME_W, "center"),
                  Column("操作内容", "{{ w.action }}", 3770),
                  Column("结果", "{{ w.result }}", 2800)], "work", "w", empty_text=EMPTY)


def _escalations(b: DocBuilder) -> None:
    b.loop_table([Column("序号", "{{ e.no }}", 600, "center"),
                  Column("时间", "{{ e.at }}", TIME_W, "center"),
                  Column("问题或客户额外要求", "{{ e.issue }}", 3370),
                  Column("上报对象", "{{ e.reported_to }}", 1600, "center"),
                  Column("授权人", "{{ e.authorized_by }}", 1600, "center")], "escalations", "e", empty_text=EMPTY)


def _leftovers(b: DocBuilder) -> None:
    b.loop_table([Column("编号", "{{ l.id }}", 1750, "center"),
                  Column("遗留问题", "{{ l.issue }}", 2500),
                  Column("初步处理方案及计划", "{{ l.plan }}", 2450),
                  Column("责任人", "{{ l.owner }}", 900, "center"),
                  Column("计划完成日期", "{{ l.due }}", 1470, "center")], "leftovers", "l", empty_text=EMPTY)


def _leftover_note(b: DocBuilder) -> None:
    b.tag("{%p if leftovers %}")
    _note(b, "注：上述遗留问题的初步处理方案及处理计划已与客户沟通达成共识，由客户（{{ leftover_confirmed_by }}）"
             "签署确认，详见《遗留问题确认单》。")
    b.tag("{%p endif %}")


def _resolved_leftovers(b: DocBuilder) -> None:
    b.loop_table([Column("序号", "{{ x.no }}", 600, "center"),
                  Column("原遗留问题编号", "{{ x.ref }}", 1800, "center"),
                  Column("处理情况", "{{ x.resolution }}", 4770),
                  Column("处理时间", "{{ x.at }}", TIME_W, "center")], "resolved_leftovers", "x", empty_text=EMPTY)


def _steps(b: DocBuilder) -> None:
    b.loop_table([Column("序号", "{{ s.no }}", 600, "center"),
                  Column("步骤", "{{ s.name }}", 3150),
                  Column("执行情况", "{{ s.status }}", 1100, "center"),
                  Column("记录与证据", "{{ s.evidence }}", 4220)], "steps", "s", empty_text=EMPTY)


def _measures(b: DocBuilder) -> None:
    b.loop_table([Column("指标", "{{ m.name }}", 2300),
                  Column("实测", "{{ m.value }}", 2200, "center"),
                  Column("目标", "{{ m.target }}", 2600, "center"),
                  Column("结果", "{{ m.met }}", 1970, "center")], "measures", "m", empty_text=EMPTY)


_SATISFACTION = [
    [Cell("回访状态", **LAB), Cell("{{ satisfaction.status }}"), Cell("满意度评分", **LAB),
     Cell("{{ satisfaction.score }}")],
    [Cell("回访人", **LAB), Cell("{{ satisfaction.surveyed_by }}"), Cell("客户意见", **LAB),
     Cell("{{ satisfaction.comment }}")],
]


def _warnings(b: DocBuilder) -> None:
    """One compact bullet per warning, or 无。"""
    b.loop_paragraphs("warnings", "tip", style="ListBullet", line=276)
    b.if_empty("warnings", "无。", line=276)


# ---------------------------------------------------------------------------------------------
# 现场服务单 (onsite_form.docx) — §5.4.6.1 第 1–10 步, signed by the customer on site
# ---------------------------------------------------------------------------------------------

def build_onsite_form(path: Path) -> Path:
    b = _new("现场服务单", "现场服务单（《交付管理规定》§5.4.6.1 现场交付）")

    _section(b, "一、服务基本信息")
    b.kv_table(_basic_rows("服务地点") + _ONSITE_TIMES, KV4)

    _section(b, "二、服务内容与处理预案（出发前准备）")
    b.kv_table(_PREP + [
        [Cell("预案审核人", **LAB), Cell("{{ prep.plan_approved_by }}"), Cell("工具及资料", **LAB),
         Cell("{{ prep.tools }}")],
        [Cell("安全准备", **LAB), Cell("{{ prep.safety }}", span=3)],
    ], KV4)

    _section(b, "三、风险及应急措施")
    _risks(b)
    _note(b, "运维工程师到达现场后已及时告知客户；开工前已向客户详细说明服务内容、处理预案、风险信息及风险应急措施，"
             "经客户确认后依据客户现场管理制度开展作业。")

    _section(b, "四、作业记录")
    _work(b)

    _section(b, "五、问题上报与授权（无法解决的问题或客户额外要求）")
    _escalations(b)

    _section(b, "六、本次遗留问题")
    _leftovers(b)
    _leftover_note(b)

    _section(b, "七、本次处理的前期遗留问题")
    _resolved_leftovers(b)

    _section(b, "八、验收与离场确认")
    b.sign_table([
        [Cell("现场清洁", **LAB), Cell("服务现场已恢复清洁：{{ site_cleaned }}", span=3)],
        [Cell("客户验收确认", **LAB),
         SignBox(("客户签字：{{ signoff.signed_by }}　　日期：{{ signoff.signed_at }}",),
                 text="验收意见（本次服务内容已完成，经验收确认）：", span=3)],
        [Cell("运维工程师", **LAB),
         SignBox(("工程师签字：{{ engineer }}　　日期：　　　年　　月　　日",), span=3)],
    ], KV4, space=900)
    return b.save(path)


# ---------------------------------------------------------------------------------------------
# 现场服务报告单 (onsite_report.docx) — §5.4.6.1 第 11 步 (with the 1–13 step checklist)
# ---------------------------------------------------------------------------------------------

def build_onsite_report(path: Path) -> Path:
    b = _new("现场服务报告单", "现场服务报告单（《交付管理规定》§5.4.6.1 第 11 步）")

    _section(b, "一、服务基本信息及服务内容摘要")
    b.kv_table(_basic_rows("服务地点") + _ONSITE_TIMES + [
        [Cell("服务内容", **LAB), Cell("{{ prep.content }}", span=3)],
        [Cell("处理预案", **LAB), Cell("{{ prep.plan }}", span=3)],
        [Cell("预案审核人", **LAB), Cell("{{ prep.plan_approved_by }}"), Cell("客户签署服务单", **LAB),
         Cell("{{ signoff.signed_by }}　{{ signoff.signed_at }}")],
    ], KV4)

    _section(b, "二、服务过程记录（§5.4.6.1 第1–13步）")
    _steps(b)

    _section(b, "三、SLA 达成情况")
    _measures(b)

    _section(b, "四、作业记录")
    _work(b)

    _section(b, "五、遗留问题")
    _leftovers(b)

    _section(b, "六、报告审核（运维部经理）与满意度回访（服务台）")
    b.sign_table([
        [Cell("提交人", **LAB), Cell("{{ engineer }}"), Cell("提交日期", **LAB), Cell("{{ review.submitted_at }}")],
        [Cell("审核人", **LAB), Cell("{{ review.reviewed_by }}"), Cell("审核状态", **LAB), Cell("{{ review.status }}")],
        [Cell("审核意见", **LAB),
         SignBox(("审核人签字：{{ review.sign_name }}　　日期：{{ review.sign_date }}",), span=3)],
        *_SATISFACTION,
    ], KV4, space=500)

    _section(b, "七、提示")
    _warnings(b)
    return b.save(path)


# ---------------------------------------------------------------------------------------------
# 远程服务记录 (remote_record.docx) — §5.4.6.2 第 1–13 步
# ---------------------------------------------------------------------------------------------

def build_remote_record(path: Path) -> Path:
    b = _new("远程服务记录", "远程服务记录（《交付管理规定》§5.4.6.2 远程交付）")

    _section(b, "一、服务基本信息")
    b.kv_table(_basic_rows("客户地点") + _REMOTE_TIMES, KV4)

    _section(b, "二、服务内容、处理预案与远程条件验证")
    b.kv_table(_PREP + [
        [Cell("预案审核人", **LAB), Cell("{{ prep.plan_approved_by }}"), Cell("远程连接方式", **LAB),
         Cell("{{ connection.method }}")],
        [Cell("条件验证时间", **LAB), Cell("{{ connection.verified_at }}"), Cell("连接稳定/安全", **LAB),
         Cell("稳定：{{ connection.stable }}　安全可用：{{ connection.secure }}")],
    ], KV4)

    _section(b, "三、风险及应急预案")
    _risks(b)
    _note(b, "运维工程师已按约定时间联系客户，远程交付前已向客户说明服务内容、处理预案、可能存在的风险及应对预案，"
             "并在确保安全合规的前提下依照处理预案开展工作。")

    _section(b, "四、作业记录")
    _work(b)

    _section(b, "五、问题上报与授权（无法解决的问题或客户额外要求）")
    _escalations(b)

    _section(b, "六、遗留问题")
    _leftovers(b)
    _leftover_note(b)

    _section(b, "七、本次处理的前期遗留问题")
    _resolved_leftovers(b)

    _section(b, "八、客户验收、账号注销与断开连接")
    b.sign_table([
        [Cell("操作账号注销", **LAB), Cell("{{ session_closed.account_revoked }}"), Cell("远程连接断开", **LAB),
         Cell("{{ session_closed.disconnected }}")],
        [Cell("客户确认人", **LAB), Cell("{{ session_closed.confirmed_by }}"), Cell("确认时间", **LAB),
         Cell("{{ session_closed.at }}")],
        [Cell("客户验收确认", **LAB),
         SignBox(("客户签字：{{ signoff.signed_by }}　　日期：{{ signoff.signed_at }}",),
                 text="验收意见（远程支持工作成果已验收确认）：", span=3)],
    ], KV4, space=480)

    _section(b, "九、服务过程记录（§5.4.6.2 第1–13步）")
    _steps(b)

    _section(b, "十、SLA 达成情况")
    _measures(b)

    _section(b, "十一、记录审核与满意度回访")
    b.kv_table([
        [Cell("审核人", **LAB), Cell("{{ review.reviewed_by }}"), Cell("审核日期", **LAB),
         Cell("{{ review.reviewed_at }}")],
        [Cell("审核状态", **LAB), Cell("{{ review.status }}", span=3)],
        *_SATISFACTION,
    ], KV4)

    _section(b, "十二、提示")
    _warnings(b)
    return b.save(path)


# ---------------------------------------------------------------------------------------------
# 遗留问题确认单 (leftover_confirmation.docx) — §5.4.6.1 / §5.4.6.2 第 8 步
# ---------------------------------------------------------------------------------------------

def build_leftover_confirmation(path: Path) -> Path:
    b = _new("遗留问题确认单", "遗留问题确认单（《交付管理规定》§5.4.6 第 8 步）", pending=False)

    _section(b, "一、基本信息")
    b.kv_table(_basic_rows("服务地点") + [[Cell("确认日期", **LAB), Cell("{{ date }}", span=3)]], KV4)

    _section(b, "二、遗留问题及处理计划")
    _leftovers(b)
    b.paragraph("上述遗留问题及处理方案、处理计划经双方沟通达成共识。", "BodyText", before=120, after=60)

    _section(b, "三、双方确认")
    b.sign_table([
        [Cell("客户：{{ project.customer }}", **LAB), Cell("服务方：{{ company }}", **LAB)],
        [SignBox(("客户确认：{{ leftover_confirmed_by }}", "日期：{{ date }}"), align="left"),
         SignBox(("运维工程师：{{ engineer }}", "日期：{{ date }}"), align="left")],
    ], [1, 1], space=1100)
    return b.save(path)


TEMPLATES = {
    "onsite_form": build_onsite_form,
    "onsite_report": build_onsite_report,
    "remote_record": build_remote_record,
    "leftover_confirmation": build_leftover_confirmation,
}
