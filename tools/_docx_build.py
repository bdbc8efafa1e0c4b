"""Low-level helpers for building docgen's Word templates (python-docx + lxml only).

Every template builder in tools/ starts from :class:`DocBuilder`, which gives a clean, deterministic
package: A4 page, the company's typography (body 宋体 / Times New Roman 小四, headings 黑体, tables 五号,
East-Asian fonts set explicitly everywhere, no theme fonts), a bullet list, settings that make Word
refresh fields (TOC, page numbers) on opening, and fixed document properties and zip timestamps so
that building twice gives byte-identical files. Around it: the table row builders (:func:`loop_rows`
for ``{%tr for %}`` list tables), and at the end the title blocks several templates share (cover,
report title, form head) and the document control every template prints (:func:`control_rows`,
:func:`form_number`, :func:`control_header_footer`).

The builder writes docxtpl (Jinja2) tags as literal text. Rules kept here so templates stay valid:

* a tag is always written inside ONE run (``w:r``/``w:t``), never split;
* ``{%p ... %}`` / ``{%tr ... %}`` control tags get a paragraph / table row of their own, because
  docxtpl replaces that whole paragraph / row by the bare tag;
* :meth:`DocBuilder.save` re-checks the produced XML for split tags and unbalanced blocks.

Sizes are in twentieths of a point (twips) unless a name says otherwise; font sizes in points.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Twips
from lxml import etree

# ---------------------------------------------------------------------------------------------
# Typography and page geometry
# ---------------------------------------------------------------------------------------------

COMPANY = "云南腾电科技有限公司"

FONT_SONG = "宋体"            # body text (East Asian)
FONT_HEI = "黑体"             # headings, titles (East Asian)
FONT_LATIN = "Times New Roman"  # Latin letters and digits everywhere

# Chinese font size names -> points
SIZE = {"初号": 42, "小初": 36, "一号": 26, "小一": 24, "二号": 22, "小二": 18, "三号": 16, "小三": 15,
        "四号": 14, "小四": 12, "五号": 10.5, "小五": 9, "六号": 7.5}

BODY_PT = SIZE["小四"]
TABLE_PT = SIZE["五号"]
HEADER_PT = SIZE["小五"]

PAGE_W, PAGE_H = 11906, 16838           # A4
MARGIN_TOP = MARGIN_BOTTOM = 1440       # 2.54 cm
MARGIN_LEFT = MARGIN_RIGHT = 1418       # 2.5 cm
HEADER_DIST, FOOTER_DIST = 851, 992     # 1.5 cm / 1.75 cm
TEXT_WIDTH = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT   # 9070
LINE_15 = 360                           # 1.5 lines ("auto" rule, 240 = single)

HEADER_FILL = "D9D9D9"                  # table header shading (light grey)
RED = "C00000"                          # warnings, failed checks, missing items (dark red)
FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0, tzinfo=dt.timezone.utc)
_ZIP_TIME = (2025, 1, 1, 0, 0, 0)

BULLET_NUM_ID = 1                       # numbering instance used by the "List Bullet" style

_RT_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_THEME_ATTRS = ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme")


def half_points(pt: float) -> int:
    return int(round(pt * 2))


# ---------------------------------------------------------------------------------------------
# XML snippets (WordprocessingML element order matters; the builders below emit schema order)
# ---------------------------------------------------------------------------------------------

def fonts_xml(east: str = FONT_SONG, latin: str = FONT_LATIN) -> str:
    return (f'<w:rFonts w:ascii={quoteattr(latin)} w:hAnsi={quoteattr(latin)} '
            f'w:eastAsia={quoteattr(east)} w:cs={quoteattr(latin)}/>')


def rpr_xml(*, style: str | None = None, east: str | None = None, latin: str | None = None,
            bold: bool | None = None, italic: bool | None = None, color: str | None = None,
            size: float | None = None, underline: bool = False, spacing: int | None = None) -> str:
    """``<w:rPr>`` in schema order; only what is given is emitted ('' when nothing)."""
    parts = []
    if style:
        parts.append(f'<w:rStyle w:val="{style}"/>')
    if east or latin:
        parts.append(fonts_xml(east or FONT_SONG, latin or FONT_LATIN))
    if bold is not None:
        v = "" if bold else ' w:val="0"'
        parts.append(f"<w:b{v}/><w:bCs{v}/>")
    if italic is not None:
        v = "" if italic else ' w:val="0"'
        parts.append(f"<w:i{v}/><w:iCs{v}/>")
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if spacing is not None:
        parts.append(f'<w:spacing w:val="{spacing}"/>')
    if size is not None:
        parts.append(f'<w:sz w:val="{half_points(size)}"/><w:szCs w:val="{half_points(size)}"/>')
    if underline:
        parts.append('<w:u w:val="single"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""


def ppr_xml(*, style: str | None = None, keep_next: bool = False, keep_lines: bool = False,
            page_break_before: bool = False, widow_control: bool | None = None, num_id: int | None = None,
            border_bottom: str | None = None, border_box: str | None = None, tabs: Sequence[tuple[str, int]] = (),
            before: int | None = None, after: int | None = None, line: int | None = None,
            line_rule: str = "auto", first_line_chars: int | None = None, left: int | None = None,
            hanging: int | None = None, align: str | None = None, outline: int | None = None,
            rpr: str = "") -> str:
    """``<w:pPr>`` in schema order. border_* take a colour ("000000"); tabs are (kind, position);
    align is left|center|right|both; first_line_chars is in 1/100 characters (200 = 2 characters; the
    twips fallback assumes the 小四 body size)."""
    parts = []
    if style:
        parts.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        parts.append("<w:keepNext/>")
    if keep_lines:
        parts.append("<w:keepLines/>")
    if page_break_before:
        parts.append("<w:pageBreakBefore/>")
    if widow_control is not None:
        parts.append("<w:widowControl/>" if widow_control else '<w:widowControl w:val="0"/>')
    if num_id is not None:
        parts.append(f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>')
    if border_box:
        side = f'w:val="single" w:sz="12" w:space="4" w:color="{border_box}"'
        parts.append(f"<w:pBdr><w:top {side}/><w:left {side}/><w:bottom {side}/><w:right {side}/></w:pBdr>")
    elif border_bottom:
        parts.append(f'<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="{border_bottom}"/></w:pBdr>')
    if tabs:
        parts.append("<w:tabs>" + "".join(_tab_xml(kind, pos) for kind, pos in tabs) + "</w:tabs>")
    if before is not None or after is not None or line is not None:
        attrs = ""
        if before is not None:
            attrs += f' w:before="{before}"'
        if after is not None:
            attrs += f' w:after="{after}"'
        if line is not None:
            attrs += f' w:line="{line}" w:lineRule="{line_rule}"'
        parts.append(f"<w:spacing{attrs}/>")
    if first_line_chars is not None or left is not None or hanging is not None:
        attrs = ""
        if left is not None:
            attrs += f' w:left="{left}"'
        if first_line_chars is not None:
            attrs += f' w:firstLineChars="{first_line_chars}" w:firstLine="{first_line_chars * 24 // 10}"'
        if hanging is not None:
            attrs += f' w:hanging="{hanging}"'
        parts.append(f"<w:ind{attrs}/>")
    if align:
        parts.append(f'<w:jc w:val="{align}"/>')
    if outline is not None:
        parts.append(f'<w:outlineLvl w:val="{outline}"/>')
    if rpr:
        parts.append(rpr)
    return f"<w:pPr>{''.join(parts)}</w:pPr>" if parts else ""


def _tab_xml(kind: str, pos: int) -> str:
    """kind: left | center | right | clear (removes a style's stop) | right-dot (right-aligned with a
    dotted leader, as in a TOC)."""
    if kind == "right-dot":
        return f'<w:tab w:val="right" w:leader="dot" w:pos="{pos}"/>'
    return f'<w:tab w:val="{kind}" w:pos="{pos}"/>'


def run_xml(text: str = "", rpr: str = "", *, tab: bool = False, br: str | None = None) -> str:
    """One run. Text keeps its spaces; a Jinja tag passed here is never split."""
    inner = rpr
    if tab:
        inner += "<w:tab/>"
    if br:
        inner += f'<w:br w:type="{br}"/>' if br != "line" else "<w:br/>"
    if text:
        inner += f'<w:t xml:space="preserve">{escape(text)}</w:t>'
    return f"<w:r>{inner}</w:r>"


def field_begin(instr: str, rpr: str = "", *, dirty: bool = False) -> str:
    """Runs opening a complex field: fldChar begin, the instruction, fldChar separate. The cached
    result runs (or whole paragraphs, for a TOC) follow, then :func:`field_end`."""
    d = ' w:dirty="true"' if dirty else ""
    return (f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"{d}/></w:r>'
            f'<w:r>{rpr}<w:instrText xml:space="preserve"> {escape(instr)} </w:instrText></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>')


def field_end(rpr: str = "") -> str:
    return f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>'


def field_runs(instr: str, placeholder: str = "", rpr: str = "", *, dirty: bool = False) -> str:
    """A whole complex field in one paragraph, e.g. PAGE or NUMPAGES with cached result placeholder."""
    return field_begin(instr, rpr, dirty=dirty) + (run_xml(placeholder, rpr) if placeholder else "") + field_end(rpr)


def p_xml(runs: str = "", ppr: str = "") -> str:
    return f"<w:p {nsdecls('w')}>{ppr}{runs}</w:p>"


# ---------------------------------------------------------------------------------------------
# Styles, numbering, settings, font table
# ---------------------------------------------------------------------------------------------

def _style(kind: str, style_id: str, name: str, *, based_on: str | None = None, next_: str | None = None,
           link: str | None = None, default: bool = False, priority: int | None = None, qformat: bool = True,
           semi_hidden: bool = False, ppr: str = "", rpr: str = "", tblpr: str = "") -> str:
    attrs = f'w:type="{kind}"' + (' w:default="1"' if default else "") + f' w:styleId="{style_id}"'
    body = f'<w:name w:val="{escape(name)}"/>'
    if based_on:
        body += f'<w:basedOn w:val="{based_on}"/>'
    if next_:
        body += f'<w:next w:val="{next_}"/>'
    if link:
        body += f'<w:link w:val="{link}"/>'
    if priority is not None:
        body += f'<w:uiPriority w:val="{priority}"/>'
    if semi_hidden:
        body += "<w:semiHidden/><w:unhideWhenUsed/>"
    if qformat:
        body += "<w:qFormat/>"
    return f"<w:style {nsdecls('w')} {attrs}>{body}{ppr}{rpr}{tblpr}</w:style>"


def _styles() -> list[str]:
    body_fonts = dict(east=FONT_SONG, latin=FONT_LATIN)
    hei = dict(east=FONT_HEI, latin=FONT_LATIN)
    single = dict(line=240)
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    cell_mar = ('<w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
                '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>')
    return [
        # defaults Word needs
        _style("paragraph", "Normal", "Normal", default=True,
               ppr=ppr_xml(widow_control=True, after=0, line=LINE_15, align="both"),
               rpr=rpr_xml(**body_fonts, size=BODY_PT)),
        _style("character", "DefaultParagraphFont", "Default Paragraph Font", default=True, priority=1,
               semi_hidden=True, qformat=False),
        _style("table", "TableNormal", "Normal Table", default=True, priority=99, semi_hidden=True, qformat=False,
               tblpr='<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
                     '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
                     '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'),
        _style("numbering", "NoList", "No List", default=True, priority=99, semi_hidden=True, qformat=False),
        # body
        _style("paragraph", "BodyText", "Body Text", based_on="Normal", priority=0,
               ppr=ppr_xml(first_line_chars=200), rpr=rpr_xml(**body_fonts, size=BODY_PT)),
        _style("paragraph", "ListBullet", "List Bullet", based_on="Normal", priority=0,
               ppr=ppr_xml(num_id=BULLET_NUM_ID), rpr=rpr_xml(**body_fonts, size=BODY_PT)),
        # headings: 黑体, black, real outline levels for the TOC and the navigation pane
        _style("paragraph", "Heading1", "heading 1", based_on="Normal", next_="BodyText", priority=9,
               ppr=ppr_xml(keep_next=True, keep_lines=True, before=240, after=120, line=LINE_15, align="left",
                           outline=0),
               rpr=rpr_xml(**hei, bold=True, color="000000", size=SIZE["三号"])),
        _style("paragraph", "Heading2", "heading 2", based_on="Normal", next_="BodyText", priority=9,
               ppr=ppr_xml(keep_next=True, keep_lines=True, before=200, after=60, line=LINE_15, align="left",
                           outline=1),
               rpr=rpr_xml(**hei, bold=True, color="000000", size=SIZE["四号"])),
        _style("paragraph", "Heading3", "heading 3", based_on="Normal", next_="BodyText", priority=9,
               ppr=ppr_xml(keep_next=True, keep_lines=True, before=120, after=60, line=LINE_15, align="left",
                           outline=2),
               rpr=rpr_xml(**hei, bold=True, color="000000", size=SIZE["小四"])),
        # front matter
        _style("paragraph", "Title", "Title", based_on="Normal", next_="Normal", priority=10,
               ppr=ppr_xml(before=240, after=240, line=240, align="center"),
               rpr=rpr_xml(**hei, bold=True, color="000000", size=SIZE["小初"])),
        _style("paragraph", "Subtitle", "Subtitle", based_on="Normal", next_="Normal", priority=11,
               ppr=ppr_xml(before=120, after=120, line=240, align="center"),
               rpr=rpr_xml(**body_fonts, size=SIZE["三号"])),
        _style("paragraph", "FrontTitle", "前置页标题", based_on="Normal", next_="Normal", priority=1,
               ppr=ppr_xml(keep_next=True, before=120, after=240, line=LINE_15, align="center"),
               rpr=rpr_xml(**hei, bold=True, color="000000", size=SIZE["三号"])),
        _style("paragraph", "TOCHeading", "TOC Heading", based_on="FrontTitle", next_="Normal", priority=39,
               ppr=ppr_xml(outline=9)),
        _style("paragraph", "TOC1", "toc 1", based_on="Normal", next_="Normal", priority=39, semi_hidden=True,
               qformat=False, ppr=ppr_xml(tabs=[("right-dot", TEXT_WIDTH)], before=60, line=LINE_15, align="left"),
               rpr=rpr_xml(**hei, size=BODY_PT)),
        _style("paragraph", "TOC2", "toc 2", based_on="Normal", next_="Normal", priority=39, semi_hidden=True,
               qformat=False, ppr=ppr_xml(tabs=[("right-dot", TEXT_WIDTH)], line=LINE_15, left=480, align="left"),
               rpr=rpr_xml(**body_fonts, size=BODY_PT)),
        _style("paragraph", "TOC3", "toc 3", based_on="Normal", next_="Normal", priority=39, semi_hidden=True,
               qformat=False, ppr=ppr_xml(tabs=[("right-dot", TEXT_WIDTH)], line=LINE_15, left=960, align="left"),
               rpr=rpr_xml(**body_fonts, size=BODY_PT)),
        _style("character", "Hyperlink", "Hyperlink", based_on="DefaultParagraphFont", priority=99,
               semi_hidden=True, qformat=False, rpr=rpr_xml(color="0563C1", underline=True)),
        # header / footer
        _style("paragraph", "Header", "header", based_on="Normal", priority=99, semi_hidden=True, qformat=False,
               ppr=ppr_xml(tabs=[("center", TEXT_WIDTH // 2), ("right", TEXT_WIDTH)], **single, align="left"),
               rpr=rpr_xml(**body_fonts, size=HEADER_PT)),
        _style("paragraph", "Footer", "footer", based_on="Normal", priority=99, semi_hidden=True, qformat=False,
               ppr=ppr_xml(tabs=[("center", TEXT_WIDTH // 2), ("right", TEXT_WIDTH)], **single, align="center"),
               rpr=rpr_xml(**body_fonts, size=HEADER_PT)),
        # tables
        _style("table", "TableGrid", "Table Grid", based_on="TableNormal", priority=59, qformat=False,
               ppr=ppr_xml(after=0, line=240), rpr=rpr_xml(**body_fonts, size=TABLE_PT),
               tblpr=f'<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
                     f"{cell_mar}</w:tblPr>"),
        _style("paragraph", "TableText", "表格文字", based_on="Normal", priority=2,
               ppr=ppr_xml(before=20, after=20, line=260, align="left"), rpr=rpr_xml(**body_fonts, size=TABLE_PT)),
        _style("paragraph", "TableHeading", "表格标题行", based_on="TableText", priority=2,
               ppr=ppr_xml(keep_next=True, align="center"), rpr=rpr_xml(**hei, bold=True, size=TABLE_PT)),
        # docxtpl control paragraphs ({%p ... %}): visible to template authors, removed when rendering
        _style("paragraph", "TemplateTag", "模板标签", based_on="Normal", priority=3,
               ppr=ppr_xml(line=240, align="left"), rpr=rpr_xml(**body_fonts, color="7F7F7F", size=HEADER_PT)),
    ]


def _doc_defaults() -> str:
    return (f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>{fonts_xml()}"
            f'<w:kern w:val="2"/><w:sz w:val="{half_points(BODY_PT)}"/><w:szCs w:val="{half_points(BODY_PT)}"/>'
            '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
            f'<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="{LINE_15}" w:lineRule="auto"/></w:pPr>'
            "</w:pPrDefault></w:docDefaults>")


def _numbering() -> list[str]:
    lvl_rpr = f'<w:rPr><w:rFonts w:ascii="{FONT_LATIN}" w:hAnsi="{FONT_LATIN}" w:hint="default"/></w:rPr>'
    return [
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="1"><w:nsid w:val="5D0C0A01"/>'
        '<w:multiLevelType w:val="singleLevel"/><w:tmpl w:val="5D0C0A02"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/>'
        '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="900" w:hanging="420"/></w:pPr>'
        f"{lvl_rpr}</w:lvl></w:abstractNum>",
        f'<w:num {nsdecls("w")} w:numId="{BULLET_NUM_ID}"><w:abstractNumId w:val="1"/></w:num>',
    ]


_SETTINGS = [
    '<w:zoom w:percent="100"/>',
    '<w:defaultTabStop w:val="420"/>',
    '<w:characterSpacingControl w:val="compressPunctuation"/>',
    '<w:updateFields w:val="true"/>',   # Word refreshes the TOC and page fields when opening
    "<w:compat><w:useFELayout/>"
    '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
    '<w:compatSetting w:name="overrideTableStyleFontSizeAndJustification" '
    'w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
    '<w:compatSetting w:name="enableOpenTypeFeatures" w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
    '<w:compatSetting w:name="doNotFlipMirrorIndents" w:uri="http://schemas.microsoft.com/office/word" w:val="1"/>'
    "</w:compat>",
    '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>',
    '<w:clrSchemeMapping w:bg1="light1" w:t1="dark1" w:bg2="light2" w:t2="dark2" w:accent1="accent1" '
    'w:accent2="accent2" w:accent3="accent3" w:accent4="accent4" w:accent5="accent5" w:accent6="accent6" '
    'w:hyperlink="hyperlink" w:followedHyperlink="followedHyperlink"/>',
    '<w:decimalSymbol w:val="."/>',
    '<w:listSeparator w:val=","/>',
]

_FONT_TABLE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts {nsdecls('w')}>
<w:font w:name="{FONT_SONG}"><w:altName w:val="SimSun"/><w:panose1 w:val="02010600030101010101"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/><w:sig w:usb0="00000003" w:usb1="288F0000" w:usb2="00000016" w:usb3="00000000" w:csb0="00040001" w:csb1="00000000"/></w:font>
<w:font w:name="{FONT_HEI}"><w:altName w:val="SimHei"/><w:panose1 w:val="02010609060101010101"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/><w:sig w:usb0="800002BF" w:usb1="38CF7CFA" w:usb2="00000016" w:usb3="00000000" w:csb0="00040001" w:csb1="00000000"/></w:font>
<w:font w:name="{FONT_LATIN}"><w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/><w:sig w:usb0="E0002EFF" w:usb1="C000785B" w:usb2="00000009" w:usb3="00000000" w:csb0="000001FF" w:csb1="00000000"/></w:font>
</w:fonts>""".encode("utf-8")

_APP_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" \
xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">\
<Template>Normal.dotm</Template><TotalTime>0</TotalTime><Application>Microsoft Office Word</Application>\
<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><Company>{company}</Company>\
<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>\
<AppVersion>16.0000</AppVersion></Properties>"""


def _with_w_ns(snippet: str) -> str:
    """Declare the w: namespace on a snippet's root element (parse_xml needs it)."""
    if "xmlns:w=" in snippet.split(">", 1)[0]:
        return snippet
    return re.sub(r"^<([\w:]+)", lambda m: f"<{m.group(1)} {nsdecls('w')}", snippet, count=1)


def _replace_children(root: etree._Element, snippets: Iterable[str], keep: Sequence[str] = ()) -> None:
    """Replace root's children by the snippets; children whose tag is in ``keep`` (qualified
    names such as "w:latentStyles") stay, after the new ones."""
    kept = [c for c in root if c.tag in {qn(k) for k in keep}]
    for child in list(root):
        root.remove(child)
    for snippet in snippets:
        root.append(parse_xml(_with_w_ns(snippet)))
    for child in kept:
        root.append(child)


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One table column: header text, cell text (may hold Jinja tags), relative width, alignment."""
    header: str
    cell: str
    weight: float = 1.0
    align: str = "left"     # left | center | right


@dataclass(frozen=True)
class Cell:
    """A free-form cell for key/value tables: text, column span, header look (bold + shading)."""
    text: str
    span: int = 1
    label: bool = False
    align: str | None = None


@dataclass(frozen=True)
class SignBox:
    """A signature cell for :meth:`DocBuilder.sign_table`: optional ``text`` at the top (a statement, or
    the caption of a handwritten opinion), blank space to write and sign by hand, then ``lines`` (e.g.
    "客户签字：{{ name }}　　日期：{{ date }}") at the bottom, aligned ``align``."""
    lines: tuple[str, ...]
    text: str = ""
    span: int = 1
    align: str = "right"


LAB = {"label": True}       # Cell(..., **LAB): a shaded, bold label cell

# Four-column key/value grid of the form tables (label | value | label | value), so that stacked
# tables line up: labels 1700 twips (seven 五号 characters on one line), values 2835 (TEXT_WIDTH 9070).
KV4 = [1700, 2835, 1700, 2835]
# Four-column grid of an information table that ends with the control rows (control_rows), in 五号: labels
# of five characters (first column) and four (third) on one line, a 文件编号 of 29 characters
# (YNTD-YW-2025-001-FWBG-2025-03) in the second and a hand-signed date (　　年　　月　　日（手签）) in
# the fourth; longer 文件编号 wrap at a hyphen. CONTROL_KV_COVER: a cover's 小四, four-character labels
# and the hand-signed date on one line (the covers' 文件编号 are short: YNTD-YW-2025-001-JH).
CONTROL_KV = [1250, 3750, 1050, 3020]
CONTROL_KV_COVER = [1200, 3200, 1200, 3470]


def scale_widths(weights: Sequence[float], total: int = TEXT_WIDTH) -> list[int]:
    """Weights -> twips summing exactly to total (the last column takes the rounding)."""
    s = float(sum(weights))
    widths = [int(round(total * w / s)) for w in weights]
    widths[-1] = total - sum(widths[:-1])
    return widths


def _tc(width: int, paragraphs: str, *, span: int = 1, vmerge: str | None = None, fill: str | None = None,
        valign: str = "center") -> str:
    pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge:
        pr += '<w:vMerge w:val="restart"/>' if vmerge == "restart" else "<w:vMerge/>"
    if fill:
        pr += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    pr += f'<w:vAlign w:val="{valign}"/>'
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{paragraphs}</w:tc>"


def _cell_p(text: str, *, header: bool = False, align: str | None = None, size: float | None = None) -> str:
    style = "TableHeading" if header else "TableText"
    rpr = rpr_xml(size=size) if size else ""
    return (f"<w:p>{ppr_xml(style=style, align=align)}{run_xml(text, rpr) if text else ''}</w:p>")


def _tr(cells: str, *, header: bool = False, cant_split: bool = False, height: int | None = None) -> str:
    pr = ""
    if cant_split or header:
        pr += "<w:cantSplit/>"
    if height:
        pr += f'<w:trHeight w:val="{height}"/>'
    if header:
        pr += "<w:tblHeader/>"
    return f"<w:tr>{f'<w:trPr>{pr}</w:trPr>' if pr else ''}{cells}</w:tr>"


def _tbl(widths: Sequence[int], rows: str, *, align: str | None = None, layout_fixed: bool = True) -> str:
    total = sum(widths)
    pr = (f'<w:tblStyle w:val="TableGrid"/><w:tblW w:w="{total}" w:type="dxa"/>'
          + (f'<w:jc w:val="{align}"/>' if align else "")
          + ('<w:tblLayout w:type="fixed"/>' if layout_fixed else "")
          + '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
            'w:noHBand="0" w:noVBand="1"/>')
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return f"<w:tbl {nsdecls('w')}><w:tblPr>{pr}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"


def control_row(tag: str, widths: Sequence[int]) -> str:
    """A table row holding only a docxtpl ``{%tr ... %}`` tag (one merged cell); docxtpl drops the row."""
    assert tag.startswith("{%tr ") and tag.endswith("%}"), tag
    return _tr(_tc(sum(widths), f"<w:p>{ppr_xml(style='TemplateTag')}{run_xml(tag)}</w:p>", span=len(widths)))


def loop_rows(items: str, var: str, widths: Sequence[int], row: str, *, empty: str | None = None) -> str:
    """The repeated part of a list table: a ``{%tr for var in items %}`` row, the data ``row`` (a whole
    ``w:tr``), a ``{%tr endfor %}`` row. With ``empty`` (a cell's paragraphs) an ``{%tr if not items %}``
    row spanning the table shows it when the list is empty."""
    rows = control_row(f"{{%tr for {var} in {items} %}}", widths) + row + control_row("{%tr endfor %}", widths)
    if empty is not None:
        rows += control_row(f"{{%tr if not {items} %}}", widths)
        rows += _tr(_tc(sum(widths), empty, span=len(widths)))
        rows += control_row("{%tr endif %}", widths)
    return rows


# ---------------------------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------------------------

def new_document(title: str, **kwargs: str) -> "DocBuilder":
    """A fresh company template (see :class:`DocBuilder`)."""
    return DocBuilder(title=title, **kwargs)


class DocBuilder:
    """A python-docx Document prepared as a company template, plus helpers that append content.

    Content is appended in order to the body; :meth:`save` finishes the TOC placeholders, checks
    the Jinja tags and writes a deterministic .docx.
    """

    def __init__(self, *, title: str, company: str = COMPANY, subject: str = "",
                 keywords: str = "") -> None:
        self.doc = Document()
        self.company = company
        self.headings: list[tuple[int, str]] = []
        self._tocs: list[tuple[etree._Element, str]] = []
        self._body = self.doc.element.body
        for child in list(self._body):
            if child.tag != qn("w:sectPr"):
                self._body.remove(child)
        self._slim_package()
        _replace_children(self.doc.styles.element, [_doc_defaults()], keep=["w:latentStyles"])
        for snippet in _styles():
            self.doc.styles.element.append(parse_xml(_with_w_ns(snippet)))
        _replace_children(self.doc.part.numbering_part.element, _numbering())
        _replace_children(self.doc.settings.element, _SETTINGS)
        self._page_setup()
        self._core_properties(title, subject, keywords)

    # -- package -----------------------------------------------------------------------------

    def _slim_package(self) -> None:
        """Drop parts python-docx's default template carries that a company template should not:
        the Mac thumbnail, Word 2010's stylesWithEffects (old theme fonts), the custom XML item;
        replace the font table (宋体/黑体 with their Windows alternates) and the app properties."""
        pkg = self.doc.part.package
        for rId, rel in list(pkg.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del pkg.rels[rId]
            elif rel.reltype == RT.EXTENDED_PROPERTIES:
                rel.target_part._blob = _APP_XML.format(company=escape(self.company)).encode("utf-8")
        for rId, rel in list(self.doc.part.rels.items()):
            if rel.reltype in (_RT_STYLES_WITH_EFFECTS, RT.CUSTOM_XML):
                del self.doc.part.rels[rId]
            elif rel.reltype == RT.FONT_TABLE:
                rel.target_part._blob = _FONT_TABLE

    def _page_setup(self) -> None:
        s = self.doc.sections[0]
        s.page_width, s.page_height = Twips(PAGE_W), Twips(PAGE_H)
        s.top_margin, s.bottom_margin = Twips(MARGIN_TOP), Twips(MARGIN_BOTTOM)
        s.left_margin, s.right_margin = Twips(MARGIN_LEFT), Twips(MARGIN_RIGHT)
        s.header_distance, s.footer_distance = Twips(HEADER_DIST), Twips(FOOTER_DIST)
        s.gutter = Twips(0)
        sect = s._sectPr
        for attr in list(sect.attrib):
            if "rsid" in attr:
                del sect.attrib[attr]

    def _core_properties(self, title: str, subject: str, keywords: str) -> None:
        cp = self.doc.core_properties
        cp.title = title
        cp.subject = subject
        cp.keywords = keywords
        cp.author = self.company
        cp.last_modified_by = self.company
        cp.comments = "依据《交付管理规定》（YNTD-ITSS-0901）编制"
        cp.category = "受控文件"
        cp.revision = 1
        cp.created = FIXED_TIME.replace(tzinfo=None)
        cp.modified = FIXED_TIME.replace(tzinfo=None)
        cp.language = "zh-CN"

    # -- low-level append ------------------------------------------------------------------------

    def append_xml(self, xml: str) -> etree._Element:
        """Append one block element (w:p or w:tbl) before the final sectPr."""
        element = parse_xml(xml)
        if self._body.sectPr is not None:
            self._body.sectPr.addprevious(element)
        else:
            self._body.append(element)
        return element

    # -- paragraphs ------------------------------------------------------------------------------

    def paragraph(self, text: str = "", style: str | None = "BodyText", *, runs: Sequence[tuple[str, str]] = (),
                  **ppr: object) -> etree._Element:
        """A paragraph of one run (``text``) or several ``runs`` = [(text, rpr_xml(...)), ...].
        Extra keyword arguments go to :func:`ppr_xml` (align, before, after, page_break_before, ...)."""
        content = run_xml(text) if text else ""
        content += "".join(run_xml(t, r) for t, r in runs)
        return self.append_xml(p_xml(content, ppr_xml(style=style, **ppr)))  # type: ignore[arg-type]

    def lead(self, text: str) -> etree._Element:
        """A body paragraph introducing the table or list below it (kept on the same page)."""
        return self.paragraph(text, keep_next=True)

    def tag(self, tag: str) -> etree._Element:
        """A docxtpl paragraph-level control tag (``{%p if ... %}``, ``{%p endfor %}``) on its own line."""
        assert tag.startswith("{%p ") and tag.endswith("%}"), tag
        return self.append_xml(p_xml(run_xml(tag), ppr_xml(style="TemplateTag")))

    def heading(self, text: str, level: int = 1, *, page_break_before: bool = False) -> etree._Element:
        """A real Heading 1/2/3 paragraph (number written in the text, e.g. "1.2 量化考核指标")."""
        self.headings.append((level, text))
        return self.append_xml(p_xml(run_xml(text), ppr_xml(style=f"Heading{level}",
                                                            page_break_before=page_break_before)))

    def front_title(self, text: str, *, page_break_before: bool = True, style: str = "FrontTitle") -> etree._Element:
        """An unnumbered page title outside the TOC (文件编制和变更履历, 目录)."""
        return self.append_xml(p_xml(run_xml(text), ppr_xml(style=style, page_break_before=page_break_before)))

    def loop_paragraphs(self, items: str, var: str, text: str | None = None, style: str = "BodyText",
                        **ppr: object) -> None:
        """One paragraph per list item: ``{%p for var in items %}`` / text (default ``{{ var }}``) /
        ``{%p endfor %}``; style and keyword arguments as for :meth:`paragraph`."""
        self.tag(f"{{%p for {var} in {items} %}}")
        self.paragraph(text or f"{{{{ {var} }}}}", style, **ppr)
        self.tag("{%p endfor %}")

    def bullets(self, items: str, var: str, text: str | None = None) -> None:
        """One bullet paragraph per list item (:meth:`loop_paragraphs` in the List Bullet style)."""
        self.loop_paragraphs(items, var, text, "ListBullet")

    def if_empty(self, expr: str, text: str, style: str = "BodyText", **ppr: object) -> None:
        """A paragraph shown only when the Jinja ``expr`` is empty or false (``{%p if not expr %}``), e.g.
        "无。" under a list."""
        self.tag(f"{{%p if not {expr} %}}")
        self.paragraph(text, style, **ppr)
        self.tag("{%p endif %}")

    def text_lines(self, expr: str) -> None:
        """A free-text field as body paragraphs, one per non-blank line of ``expr``; 无。 when it is blank."""
        self.tag(f"{{%p for line in {expr}.splitlines() if line|trim %}}")
        self.paragraph("{{ line|trim }}")
        self.tag("{%p endfor %}")
        self.if_empty(f"{expr}|trim", "无。")

    def spacer(self, height_pt: float) -> etree._Element:
        """An empty paragraph of an exact height (vertical space on covers)."""
        twips = int(height_pt * 20)
        return self.append_xml(p_xml("", ppr_xml(style="Normal", line=twips, line_rule="exact",
                                                 rpr=rpr_xml(size=1))))

    # -- tables ----------------------------------------------------------------------------------

    def loop_table(self, columns: Sequence[Column], items: str, var: str, *, empty_text: str | None = None,
                   header_rows: str | None = None, width: int = TEXT_WIDTH, size: float | None = None,
                   cant_split: bool = False) -> etree._Element:
        """A bordered table: one repeating, shaded, bold header row, then one data row per list item
        (``{%tr for var in items %}`` row, the data row, ``{%tr endfor %}`` row). With ``empty_text``
        an ``{%tr if not items %}`` row spanning the table shows that text when the list is empty.
        ``header_rows`` replaces the default header (use :meth:`header_row_xml` / merged rows);
        ``size`` sets the font size of every cell (小五 keeps a ten-column table readable on A4);
        with ``cant_split`` a data row never breaks across pages."""
        widths = scale_widths([c.weight for c in columns], width)
        rows = header_rows if header_rows is not None else self.header_row_xml([c.header for c in columns], widths,
                                                                               size=size)
        row = _tr("".join(_tc(w, _cell_p(c.cell, align=c.align, size=size)) for w, c in zip(widths, columns)),
                  cant_split=cant_split)
        empty = _cell_p(empty_text, align="center", size=size) if empty_text is not None else None
        rows += loop_rows(items, var, widths, row, empty=empty)
        return self.append_xml(_tbl(widths, rows))

    @staticmethod
    def header_row_xml(headers: Sequence[str], widths: Sequence[int], *, size: float | None = None) -> str:
        return _tr("".join(_tc(w, _cell_p(h, header=True, size=size), fill=HEADER_FILL)
                           for w, h in zip(widths, headers)), header=True)

    @staticmethod
    def grouped_header_xml(groups: Sequence[tuple[str, Sequence[str]]], widths: Sequence[int]) -> str:
        """Two header rows: a group with sub-headers spans them horizontally; a group without
        sub-headers spans both rows vertically (like the regulation's 变更履历 table)."""
        top, bottom, i = [], [], 0
        for name, subs in groups:
            if subs:
                span_w = sum(widths[i:i + len(subs)])
                top.append(_tc(span_w, _cell_p(name, header=True), span=len(subs), fill=HEADER_FILL))
                for sub in subs:
                    bottom.append(_tc(widths[i], _cell_p(sub, header=True), fill=HEADER_FILL))
                    i += 1
            else:
                top.append(_tc(widths[i], _cell_p(name, header=True), vmerge="restart", fill=HEADER_FILL))
                bottom.append(_tc(widths[i], _cell_p("", header=True), vmerge="continue", fill=HEADER_FILL))
                i += 1
        return _tr("".join(top), header=True) + _tr("".join(bottom), header=True)

    def kv_table(self, rows: Sequence[Sequence[Cell]], weights: Sequence[float], *, width: int = TEXT_WIDTH,
                 align: str = "center", size: float | None = None, row_height: int | None = None) -> etree._Element:
        """A fixed form table (cover information, signatures): label cells shaded and bold."""
        assert all(isinstance(c, Cell) for row in rows for c in row), "SignBox cells belong in sign_table"
        return self._form_table(rows, weights, width=width, align=align, size=size, row_height=row_height)

    def sign_table(self, rows: Sequence[Sequence[Cell | SignBox]], weights: Sequence[float], *,
                   space: int = 680, width: int = TEXT_WIDTH, align: str = "center") -> etree._Element:
        """A form table with signature cells: like :meth:`kv_table` (``Cell`` label cells shaded and
        bold), plus :class:`SignBox` cells that keep ``space`` twips blank for handwriting above their
        signature lines. Rows never split across pages."""
        return self._form_table(rows, weights, width=width, align=align, space=space)

    def _form_table(self, rows: Sequence[Sequence[Cell | SignBox]], weights: Sequence[float], *, width: int,
                    align: str, size: float | None = None, row_height: int | None = None,
                    space: int = 680) -> etree._Element:
        """The table behind :meth:`kv_table` and :meth:`sign_table`: each row's cells (spans adding up to
        the column count) in a row that never splits across pages."""
        widths = scale_widths(weights, width)
        xml_rows = ""
        for row in rows:
            cells, i = "", 0
            for c in row:
                w = sum(widths[i:i + c.span])
                if isinstance(c, SignBox):
                    paras = _cell_p(c.text, align="left") if c.text else ""
                    paras += f"<w:p>{ppr_xml(style='TableText', line=space, line_rule='exact')}</w:p>"
                    paras += "".join(_cell_p(line, align=c.align) for line in c.lines)
                    cells += _tc(w, paras, span=c.span, valign="top")
                else:
                    cells += _tc(w, _cell_p(c.text, header=c.label, align=c.align or ("center" if c.label else "left"),
                                            size=size), span=c.span, fill=HEADER_FILL if c.label else None)
                i += c.span
            assert i == len(widths), f"row spans {i} columns, table has {len(widths)}"
            xml_rows += _tr(cells, cant_split=True, height=row_height)
        return self.append_xml(_tbl(widths, xml_rows, align=align))

    # -- fields ----------------------------------------------------------------------------------

    def toc(self, levels: str = "1-3") -> None:
        """A real TOC field (dirty, so Word rebuilds it on opening; settings also ask for updateFields).
        The cached result is filled at save() with the headings added meanwhile, so viewers that do
        not update fields (LibreOffice, previews) still show the chapter list."""
        marker = self.append_xml(p_xml("", ppr_xml(style="TOC1")))
        self._tocs.append((marker, levels))

    def _fill_tocs(self) -> None:
        for marker, levels in self._tocs:
            lo, hi = (int(x) for x in levels.split("-"))
            entries = [(lvl, text) for lvl, text in self.headings if lo <= lvl <= hi and "{" not in text]
            instr = f'TOC \\o "{levels}" \\h \\z \\u'
            paras = []
            for n, (lvl, text) in enumerate(entries):
                begin = field_begin(instr, dirty=True) if n == 0 else ""
                paras.append(p_xml(begin + run_xml(text), ppr_xml(style=f"TOC{lvl}")))
            hint_rpr = rpr_xml(color="7F7F7F", size=HEADER_PT)
            paras.append(p_xml(run_xml("（目录在 Word 中打开时自动更新页码；如未更新，请右键单击目录选择“更新域”。）",
                                       hint_rpr) + field_end(),
                               ppr_xml(style="Normal", before=120)))
            for xml in paras:
                marker.addprevious(parse_xml(xml))
            marker.getparent().remove(marker)

    def header_footer(self, left: str, right: str, *, footer_left: str = "", first_page_blank: bool = True) -> None:
        """Header: ``left`` text, ``right`` text right-aligned, bottom rule. Footer: ``footer_left`` text if
        any, then 第 X 页 共 Y 页 (PAGE / NUMPAGES fields) centred. With first_page_blank the cover page has
        no header or footer."""
        section = self.doc.sections[0]
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        hdr = section.header._element
        _replace_children(hdr, [p_xml(run_xml(left) + run_xml(right, tab=True) if right else run_xml(left),
                                      ppr_xml(style="Header", border_bottom="000000",
                                              tabs=[("clear", TEXT_WIDTH // 2)]))])
        ftr = section.footer._element
        pages = run_xml("第 ") + field_runs("PAGE", "1") + run_xml(" 页 共 ") + field_runs("NUMPAGES", "1") + run_xml(" 页")
        if footer_left:  # the Footer style's centre tab keeps the page numbers in the middle
            footer = p_xml(run_xml(footer_left) + run_xml(tab=True) + pages, ppr_xml(style="Footer", align="left"))
        else:
            footer = p_xml(pages, ppr_xml(style="Footer", align="center"))
        _replace_children(ftr, [footer])
        if first_page_blank:
            section.different_first_page_header_footer = True
            section.first_page_header.is_linked_to_previous = False
            section.first_page_footer.is_linked_to_previous = False
            _replace_children(section.first_page_header._element, [p_xml("", ppr_xml(style="Header"))])
            _replace_children(section.first_page_footer._element, [p_xml("", ppr_xml(style="Footer"))])

    # -- output ----------------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Finish TOCs, check tags, write the .docx with fixed zip timestamps (byte-reproducible)."""
        self._fill_tocs()
        if self._body[-2].tag == qn("w:tbl"):      # Word wants a paragraph between a table and sectPr
            self.append_xml(p_xml("", ppr_xml(style="Normal")))
        buffer = io.BytesIO()
        self.doc.save(buffer)
        data = normalize_zip(buffer.getvalue())
        problems = check_tags(data)
        if problems:
            raise ValueError("template tag problems:\n  " + "\n  ".join(problems))
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


# ---------------------------------------------------------------------------------------------
# Title blocks shared by the templates (they use the common context keys company, title, doc_no,
# project.name)
# ---------------------------------------------------------------------------------------------

def cover_title(b: DocBuilder) -> None:
    """The upper half of a cover page: company, the big title, （文件编号）, the project name."""
    b.spacer(48)
    b.paragraph("", "Subtitle", runs=[("{{ company }}", rpr_xml(east=FONT_HEI, size=SIZE["二号"], spacing=40))])
    b.spacer(60)
    b.paragraph("{{ title }}", "Title")
    b.paragraph("（{{ doc_no }}）", "Subtitle", after=0)
    b.spacer(18)
    b.paragraph("", "Subtitle", runs=[("{{ project.name }}", rpr_xml(bold=True, size=SIZE["三号"]))])


def cover_info(b: DocBuilder, rows: Sequence[Sequence[Cell]], *, size: float, row_height: int) -> etree._Element:
    """The information table of a cover (小四) or report title block (五号): label | value | label | value
    across the text width, ending with the :func:`control_rows`; columns as :data:`CONTROL_KV` says."""
    weights = CONTROL_KV_COVER if size >= SIZE["小四"] else CONTROL_KV
    return b.kv_table(rows, weights=weights, size=size, row_height=row_height)


def report_title(b: DocBuilder, subtitle: str) -> None:
    """The title block of a report without a cover page: company, title, then ``subtitle``."""
    b.paragraph("", "Subtitle", runs=[("{{ company }}", rpr_xml(east=FONT_HEI, size=SIZE["三号"], spacing=20))])
    b.paragraph("{{ title }}", "Title", after=60)
    b.paragraph(subtitle, "Subtitle", after=240)


def form_title(b: DocBuilder, *, after: int) -> None:
    """The head of a form or record: company (small) over the document title (big, bold), ``after``
    twips below the title. :func:`form_number` follows."""
    b.paragraph("", "Normal", align="center", line=240, before=0, after=60,
                runs=[("{{ company }}", rpr_xml(east=FONT_HEI, size=SIZE["四号"], spacing=20))])
    b.paragraph("", "Normal", align="center", line=240, before=40, after=after,
                runs=[("{{ title }}", rpr_xml(east=FONT_HEI, bold=True, size=SIZE["二号"], spacing=40))])


def form_number(b: DocBuilder) -> None:
    """A service form's number line on the right under :func:`form_title`: the blank form's own 表单编号 and
    表单版本, then this record's 文件编号. 小五, so that it stays on one line with a long 文件编号."""
    b.paragraph("", "Normal", align="right", line=240, before=0, after=60, runs=[(FORM_NUMBER, rpr_xml(size=SIZE["小五"]))])


# ---------------------------------------------------------------------------------------------
# Document control: what every document prints about itself (docgen.control; the pipeline adds the
# ``control`` block to every document's context). Forms have their own 表单编号 and signature rows;
# every other document has the control rows in its first information table.
# ---------------------------------------------------------------------------------------------

FORM_NUMBER = "表单编号：{{ control.form_no }}　表单版本：{{ control.form_version }}　文件编号：{{ doc_no }}"
# right side of the page header; no label words, so that the longest title with the longest 文件编号
# (重大事件(故障)的分析改进报告 with YNTD-YW-2025-001-ZDSJ-2025-Q1-XC-2025-0005) still fits one 小五 line
DOC_HEADER = "{{ title }}　{{ doc_no }}　{{ control.version }}"
# a form's pages carry the record's 文件编号 in the header and the blank form's 表单编号 in the footer, as
# paper forms do: both in the header do not fit one line (现场服务报告单 with YNTD-YW-2025-001-XCBGD-XC-2025-0101)
FORM_HEADER = "{{ title }}　{{ doc_no }}"
FORM_FOOTER = "表单编号 {{ control.form_no }}（{{ control.form_version }}）"
_SIGNOFFS = (("编制", "prepared"), ("审核", "reviewed"), ("批准", "approved"))


def control_rows() -> list[list[Cell]]:
    """The document control rows of a four-column information table (label | value | label | value):
    文件编号 | 版本, then 编制, 审核 and 批准, each with its date. A name or date nobody recorded is printed
    by docgen.control as a line labelled （手签）."""
    rows = [[Cell("文件编号", **LAB), Cell("{{ control.doc_no }}"), Cell("版本", **LAB), Cell("{{ control.version }}")]]
    for role, key in _SIGNOFFS:
        rows.append([Cell(role, **LAB), Cell(f"{{{{ control.{key}.name }}}}"), Cell("日期", **LAB),
                     Cell(f"{{{{ control.{key}.date }}}}")])
    return rows


def control_header_footer(b: DocBuilder, *, form: bool = False, first_page_blank: bool = True) -> None:
    """:meth:`DocBuilder.header_footer` with the company on the left and, on the right, the title with the
    文件编号 and 版本; a form: title and 文件编号, and its 表单编号 and 表单版本 left in the footer."""
    if form:
        b.header_footer("{{ company }}", FORM_HEADER, footer_left=FORM_FOOTER, first_page_blank=first_page_blank)
    else:
        b.header_footer("{{ company }}", DOC_HEADER, first_page_blank=first_page_blank)


# ---------------------------------------------------------------------------------------------
# Post-processing and checks
# ---------------------------------------------------------------------------------------------

def normalize_zip(data: bytes) -> bytes:
    """Rewrite a .docx zip with fixed timestamps and attributes (python-docx stamps 'now') and strip
    any theme-font attribute left in the word/ parts, so the explicit 宋体/黑体 fonts always win."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename.startswith("word/") and info.filename.endswith(".xml") \
                    and not info.filename.startswith("word/theme/"):
                text = blob.decode("utf-8")
                text = re.sub(r'\s+w:(?:%s)="[^"]*"' % "|".join(_THEME_ATTRS), "", text)
                blob = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, blob)
    return out.getvalue()


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")


def check_tags(data: bytes) -> list[str]:
    """Problems with the Jinja tags in body, headers and footers: a tag whose text is spread over
    several runs, a brace left half-open, unbalanced {%p/{%tr blocks."""
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = [n for n in zf.namelist() if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)]
        for name in names:
            xml = zf.read(name).decode("utf-8")
            for para in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
                runs = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", para)
                text = "".join(runs)
                for tag in _TAG.findall(text):
                    if not any(tag in run for run in runs):
                        problems.append(f"{name}: tag split across runs: {tag}")
                leftover = _TAG.sub("", text)
                if re.search(r"\{[{%#]|[}%#]\}", leftover):
                    problems.append(f"{name}: unbalanced tag braces in: {text}")
            text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
            for kind in ("p", "tr"):
                opened: list[str] = []
                for m in re.finditer(r"\{%%%s\s+(\w+)" % kind, text):
                    word = m.group(1)
                    if word in ("for", "if"):
                        opened.append(word)
                    elif word in ("endfor", "endif"):
                        if not opened or opened.pop() != word[3:]:
                            problems.append(f"{name}: unexpected {{%{kind} {word} %}}")
                if opened:
                    problems.append(f"{name}: unclosed {{%{kind} {opened[-1]} %}}")
    return problems
