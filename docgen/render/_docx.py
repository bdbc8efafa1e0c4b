"""Rendering a Word template with docxtpl: sandboxed Jinja, strict about missing variables,
escaping user text everywhere (body, headers, footers, properties)."""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from docgen.errors import TemplateProblem
from docgen.render._zip import restamp_zip
from docgen.render._picture import with_inline_images

_PART_NAMES = (("document", "正文"), ("header", "页眉"), ("footer", "页脚"), ("footnotes", "脚注"),
               ("core", "文档属性"))


def jinja_env() -> Any:
    """User templates are untrusted: the immutable sandbox blocks attribute access to internals,
    StrictUndefined makes a missing value an error instead of a silent blank."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def part_label(partname: str) -> str:
    base = partname.rsplit("/", 1)[-1]
    for prefix, label in _PART_NAMES:
        if base.startswith(prefix):
            return label
    return base


def _undefined_name(message: str) -> str:
    m = re.search(r"'([^']+)' is undefined", message) or re.search(r"has no attribute '([^']+)'", message)
    return m.group(1) if m else message


def _find_tag(template_xml: str, name: str) -> str:
    text = re.sub(r"<[^>]+>", "", template_xml)
    m = re.search(r"\{[{%][^{}%]*\b" + re.escape(name) + r"\b[^{}%]*[}%]\}", text)
    return m.group(0) if m else name


def _part_xml(tpl: Any, part: Any) -> str:
    if str(part.partname).endswith("/document.xml"):
        return tpl.get_xml()  # the body is re-serialised from the element tree, not from a blob
    blob = part.blob
    return blob.decode("utf-8") if isinstance(blob, bytes) else str(blob)


def render_docx(template: Path, context: dict[str, Any], *, name: str | None = None) -> bytes:
    """Render template with context and return the .docx bytes; TemplateProblem names the
    template, the part and the tag when the data lacks a value or the template is broken."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import SecurityError

    name = name or template.name
    try:
        tpl = DocxTemplate(str(template))
        tpl.init_docx()
    except Exception as exc:  # docx/zip/xml libraries raise many types for a damaged file
        raise TemplateProblem(f"模板无法打开（{type(exc).__name__}），它不是有效的 .docx 文件；请用 Word 另存为 .docx",
                              file=template) from None
    try:
        tpl.render(with_inline_images(context, tpl), jinja_env(), autoescape=True)
    except UndefinedError as exc:
        part = getattr(tpl, "current_rendering_part", None)
        where = part_label(str(part.partname)) if part is not None else "正文"
        missing = _undefined_name(str(exc))
        tag = _find_tag(_part_xml(tpl, part), missing) if part is not None else missing
        raise TemplateProblem(
            f"模板 {name} 的{where}中标签 {tag} 使用了变量 {missing}，但数据中没有这个值；"
            "请检查模板中的变量名（docgen templates check 可列出全部问题）", file=template) from None
    except TemplateSyntaxError as exc:
        part = getattr(tpl, "current_rendering_part", None)
        where = part_label(str(part.partname)) if part is not None else "正文"
        raise TemplateProblem(f"模板 {name} 的{where}中有 Jinja 语法错误：{exc.message}；请在 Word 中修正该标签",
                              file=template) from None
    except SecurityError as exc:
        raise TemplateProblem(f"模板 {name} 试图访问不允许的内部属性（{exc}）；模板只能使用数据中的字段",
                              file=template) from None
    buffer = io.BytesIO()
    tpl.save(buffer)
    return restamp_zip(buffer.getvalue())
