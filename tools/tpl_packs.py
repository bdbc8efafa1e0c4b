"""例行操作交付成果与交付清单 — 《交付管理规定》YNTD-ITSS-0901 §5.4.7.

* anomaly_record.docx   运行状态异常处理记录（§5.4.7.1 例行操作）
* trend_analysis.docx   趋势分析及可能的风险消除建议（§5.4.7.1 例行操作；趋势图由渲染时的 Picture 生成）
* pack_manifest.docx    交付清单（§5.4.7 各服务类型的交付成果、校验码与交付确认）

One-to-three-page records in the style of the survey report and the service forms: company (small)
over the document title (big), an information table ending with the document control rows (文件编号,
版本, 编制/审核/批准), numbered sections, a 提示 section. The variables they use are the contract with the
context builders (``docgen templates check`` verifies them); every list renders one "无" row when empty.
Common context keys: company, title, doc_no, control, project {code, name, customer}, period_label,
warnings.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _docx_build import (
    CONTROL_KV,
    FONT_HEI,
    LAB,
    RED,
    SIZE,
    Cell,
    DocBuilder,
    SignBox,
    _cell_p,
    _tbl,
    _tc,
    _tr,
    control_header_footer,
    control_rows,
    form_title,
    loop_rows,
    ppr_xml,
    rpr_xml,
    run_xml,
)

EMPTY = "无"
SMALL = SIZE["小五"]


# ---------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------

def _new(title: str, subject: str, keywords: str) -> DocBuilder:
    """A new record: header and footer, then the head — company (small) over the document title (big,
    bold). The information table (:func:`_info`) follows; its control rows carry the 文件编号."""
    b = DocBuilder(title=title, subject=subject, keywords=f"{title}; {keywords}; 交付管理规定; YNTD-ITSS-0901")
    control_header_footer(b, first_page_blank=False)
    form_title(b, after=180)
    return b


def _info(b: DocBuilder, extra: Sequence[Sequence[Cell]] = ()) -> None:
    """The information table: project, period, the document's own rows (``extra``), then the document
    control rows (文件编号, 版本, 编制/审核/批准)."""
    b.kv_table([
        [Cell("项目编号", **LAB), Cell("{{ project.code }}"), Cell("期间", **LAB), Cell("{{ period_label }}")],
        [Cell("项目名称", **LAB), Cell("{{ project.name }}", span=3)],
        [Cell("客户", **LAB), Cell("{{ project.customer }}", span=3)],
        *extra,
        *control_rows(),
    ], CONTROL_KV)


def _lead(b: DocBuilder, text: str) -> None:
    """A body paragraph introducing the table below it (kept on the same page)."""
    b.paragraph(text, "BodyText", keep_next=True, after=60)


def _warnings(b: DocBuilder, heading: str) -> None:
    """The 提示 section: one compact bullet per warning, or 无。"""
    b.heading(heading, 1)
    b.loop_paragraphs("warnings", "tip", style="ListBullet", line=276)
    b.if_empty("warnings", "无。")


# -- list tables with free-form cells ---------------------------------------------------------

@dataclass(frozen=True)
class Col:
    """A list-table column: header, width in twips, the cell's paragraphs (XML, may hold tags)."""
    header: str
    width: int
    paras: str


def text(value: str, align: str = "left", size: float | None = None) -> str:
    """One table paragraph holding ``value`` (a Jinja tag is kept in one run)."""
    return _cell_p(value, align=align, size=size)


def flagged(value: str, test: str, align: str = "center", size: float | None = None) -> str:
    """One table paragraph showing ``value`` in bold red when the Jinja ``test`` holds (e.g. a 处理中 or
    缺失 status), plain otherwise; docxtpl ``{%r %}`` run tags, so the paragraph itself stays."""
    plain = rpr_xml(size=size) if size else ""
    red = rpr_xml(bold=True, color=RED, size=size)
    runs = (run_xml(f"{{%r if {test} %}}") + run_xml(value, red) + run_xml("{%r else %}") + run_xml(value, plain)
            + run_xml("{%r endif %}"))
    return f"<w:p>{ppr_xml(style='TableText', align=align)}{runs}</w:p>"


def labelled(label: str, value: str) -> str:
    """A table paragraph "label：value" with a 黑体 label and wrapped lines aligned after it."""
    indent = int(len(label) * SIZE["五号"] * 20)
    return (f"<w:p>{ppr_xml(style='TableText', left=indent, hanging=indent)}"
            f"{run_xml(label, rpr_xml(east=FONT_HEI))}{run_xml(value)}</w:p>")


def _list_table(b: DocBuilder, cols: Sequence[Col], items: str, var: str, *, empty: str = EMPTY,
                empty_size: float | None = None) -> None:
    """Like DocBuilder.loop_table (repeating shaded header row, one row per item, one "无" row when the
    list is empty), with cells made of any paragraphs."""
    widths = [c.width for c in cols]
    row = _tr("".join(_tc(c.width, c.paras) for c in cols), cant_split=True)
    b.append_xml(_tbl(widths, DocBuilder.header_row_xml([c.header for c in cols], widths)
                      + loop_rows(items, var, widths, row, empty=text(empty, "center", empty_size))))


# ---------------------------------------------------------------------------------------------
# 运行状态异常处理记录 (anomaly_record.docx) — §5.4.7.1
# ---------------------------------------------------------------------------------------------

def build_anomaly_record(path: Path) -> Path:
    b = _new("运行状态异常处理记录", "运行状态异常处理记录（《交付管理规定》§5.4.7.1 例行操作交付成果）",
             "运行状态异常; 异常处理; 例行操作")
    _info(b)

    b.heading("1 异常概况", 1)
    b.paragraph("根据《交付管理规定》§5.4.7.1 例行操作交付成果的要求，记录{{ project.name }}在{{ period_label }}"
                "例行操作中发现的运行状态异常及其处理情况。本期共发现运行状态异常 {{ summary.total }} 项，其中已处理关闭 "
                "{{ summary.closed }} 项，处理中 {{ summary.open }} 项。")

    b.heading("2 异常处理记录", 1)
    _lead(b, "各项异常的发现时间、异常对象、现象、原因分析、处理措施及处理结果如下：")
    _list_table(b, [
        Col("序号", 600, text("{{ a.no }}", "center")),
        Col("发现时间", 1200, text("{{ a.found_at }}", "center")),
        Col("异常对象", 1100, text("{{ a.object }}", "center")),
        Col("现象 / 原因 / 处理措施", 3350,
            labelled("现象：", "{{ a.symptom }}") + labelled("原因：", "{{ a.cause }}")
            + labelled("措施：", "{{ a.action }}")),
        Col("处理人", 800, text("{{ a.handled_by }}", "center")),
        Col("关闭时间", 1200, text("{{ a.closed_at }}", "center")),
        Col("状态", 820, flagged("{{ a.status }}", "a.open")),
    ], "anomalies", "a", empty="本期未发现运行状态异常。")

    _warnings(b, "3 提示")
    return b.save(path)


# ---------------------------------------------------------------------------------------------
# 趋势分析及可能的风险消除建议 (trend_analysis.docx) — §5.4.7.1
# ---------------------------------------------------------------------------------------------

def build_trend_analysis(path: Path) -> Path:
    b = _new("趋势分析及可能的风险消除建议", "趋势分析及可能的风险消除建议（《交付管理规定》§5.4.7.1 例行操作交付成果）",
             "趋势分析; 风险消除建议; 例行操作")
    _info(b)

    b.heading("1 运行状态趋势", 1)
    _lead(b, "根据{{ period_label }}运行状态信息记录，主要监控指标的变化趋势如下：")
    # {{ chart }} is a Picture the renderer turns into an inline image (docgen.render.Picture)
    b.tag("{%p if chart %}")
    b.paragraph("{{ chart }}", "Normal", align="center", keep_next=True, before=60)
    b.paragraph("", "Normal", align="center", after=120, runs=[("图 1　{{ chart_title }}", rpr_xml(size=SIZE["五号"]))])
    b.tag("{%p else %}")
    b.paragraph("", "Normal", align="center", after=120,
                runs=[("（本期无可绘制趋势图的运行状态数据。）", rpr_xml(size=SIZE["五号"]))])
    b.tag("{%p endif %}")
    _lead(b, "各监控指标本期的期初值、期末值及变化如下：")
    _list_table(b, [
        Col("序号", 600, text("{{ s.no }}", "center")),
        Col("监控对象", 2050, text("{{ s.object }}")),
        Col("指标", 1800, text("{{ s.item }}")),
        Col("单位", 720, text("{{ s.unit }}", "center")),
        Col("期初值", 950, text("{{ s.first }}", "center")),
        Col("期末值", 950, text("{{ s.last }}", "center")),
        Col("变化", 1000, text("{{ s.change }}", "center")),
        Col("记录数", 1000, text("{{ s.count }}", "center")),
    ], "series", "s")

    b.heading("2 趋势分析", 1)
    b.text_lines("analysis")

    b.heading("3 可能的风险及消除建议", 1)
    _lead(b, "根据上述趋势分析，识别的可能风险及风险消除建议如下：")
    _list_table(b, [
        Col("序号", 600, text("{{ r.no }}", "center")),
        Col("可能的风险", 3600, text("{{ r.risk }}")),
        Col("风险消除建议", 4870, text("{{ r.suggestion }}")),
    ], "risks", "r")

    _warnings(b, "4 提示")
    return b.save(path)


# ---------------------------------------------------------------------------------------------
# 交付清单 (pack_manifest.docx) — §5.4.7
# ---------------------------------------------------------------------------------------------

def build_pack_manifest(path: Path) -> Path:
    b = _new("交付清单", "交付清单（《交付管理规定》§5.4.7 交付成果）", "交付成果; 交付清单; 交付确认")
    _info(b, extra=[
        [Cell("服务类型", **LAB), Cell("{{ service_label }}"), Cell("交付依据", **LAB),
         Cell("《交付管理规定》{{ clause }}")],
        [Cell("交付包文件", **LAB), Cell("{{ zip_name }}", span=3)],
    ])

    b.heading("1 交付成果", 1)
    _lead(b, "根据《交付管理规定》{{ clause }}，本期{{ service_label }}服务交付成果如下：")
    _list_table(b, [
        Col("序号", 600, text("{{ i.no }}", "center", SMALL)),
        Col("交付成果", 2540, text("{{ i.title }}", size=SMALL)),
        Col("文件编号", 2350, text("{{ i.doc_no }}", size=SMALL)),
        Col("版本", 600, text("{{ i.version }}", "center", SMALL)),
        Col("校验码", 1220, text("{{ i.sha256_short }}", "center", SMALL)),
        Col("日期", 1040, text("{{ i.date }}", "center", SMALL)),
        Col("状态", 720, flagged("{{ i.status }}", "i.missing", size=SMALL)),
    ], "items", "i")
    b.paragraph("", "BodyText", before=100, after=20, line=300, runs=[
        ("合计：", rpr_xml(east=FONT_HEI, bold=True)),
        ("应交付成果 {{ counts.total }} 项，已交付 {{ counts.present }} 项，缺失 {{ counts.missing }} 项。", "")])
    b.paragraph("注：校验码为归档文件 SHA-256 校验值的前缀，用于核对交付的文件与归档版本一致。", "TableText",
                before=40, after=0)

    b.heading("2 交付确认", 1)
    b.sign_table([
        [Cell("交付方：{{ company }}", **LAB), Cell("接收方（客户）：{{ project.customer }}", **LAB)],
        [SignBox(("交付人：{{ control.prepared.name }}", "日期：{{ control.prepared.date }}"),
                 text="上述交付成果已按本清单交付。", align="left"),
         SignBox(("客户签字：", "日期：　　　　年　　月　　日"), text="接收意见：", align="left")],
    ], [1, 1], space=900)

    _warnings(b, "3 提示")
    return b.save(path)


TEMPLATES = {
    "anomaly_record": build_anomaly_record,
    "trend_analysis": build_trend_analysis,
    "pack_manifest": build_pack_manifest,
}
