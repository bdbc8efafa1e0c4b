"""`docgen templates list|check`: which template each document uses, and what is wrong in a
template folder (unknown variables, Jinja syntax errors, tags Word split across runs, missing files)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.errors import DocgenError, TemplateProblem
from docgen.render._docx import jinja_env, part_label
from docgen.render._templates import TemplateSet

_UNKNOWN = object()  # a value the sample context cannot tell (e.g. an empty list's item)


@dataclass(frozen=True)
class TemplateRow:
    kind: str
    doc_type: str
    template: str
    source: str
    path: str


@dataclass(frozen=True)
class Finding:
    level: str  # error | warning | info
    template: str
    message: str
    part: str = ""

    def text(self) -> str:
        where = f"{self.template}" + (f"（{self.part}）" if self.part else "")
        return f"{where}：{self.message}"


def template_rows(templates: TemplateSet, registered: list[tuple[str, str, str]]) -> list[TemplateRow]:
    """Where each registered (kind, doc_type, template) is found: the user's folder, built in, or 缺失."""
    rows = []
    for kind, doc_type, name in registered:
        try:
            found = templates.find(name)
            rows.append(TemplateRow(kind, doc_type, name, found.source, str(found.path)))
        except TemplateProblem:
            rows.append(TemplateRow(kind, doc_type, name, "缺失", ""))
    return rows


def _parts(path: Path) -> list[tuple[str, str]]:
    """(part label, xml) for body, headers and footers of a .docx, serialised as docxtpl sees them when it
    renders (parsed, then written back by lxml): LibreOffice writes a typed " as &quot;, which the renderer
    never sees, so neither may the check."""
    import zipfile

    from lxml import etree

    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)]
            return [(part_label(n), etree.tostring(etree.fromstring(zf.read(n)), encoding="unicode"))
                    for n in sorted(names)]
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, etree.XMLSyntaxError) as exc:
        raise TemplateProblem(f"无法读取模板（{type(exc).__name__}）；请用 Word 另存为 .docx", file=path) from None


# punctuation a Chinese input method or Word's autocorrect types instead of what Jinja needs, with the fix
_TYPED = {"“": '"', "”": '"', "‘": "'", "’": "'", "＂": '"', "＇": "'", "（": "(", "）": ")", "，": ",", "：": ":",
          "＝": "=", "％": "%", "｛": "{", "｝": "}", "［": "[", "］": "]", "｜": "|", "．": ".", "＋": "+", "－": "-",
          "　": " "}
_CURLY = "“”‘’"


def typed_punctuation(xml: str) -> list[tuple[str, str]]:
    """(tag, the typed characters in it) for every tag with punctuation Jinja does not understand."""
    found = []
    for para in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
        text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", para))
        for tag in re.findall(r"\{[{%#].*?[}%#]\}", text):
            code = re.sub(r'"[^"]*"|\'[^\']*\'', "", tag[2:-2])  # inside a quoted string any character is fine
            chars = "".join(dict.fromkeys(ch for ch in code if ch in _TYPED))
            if chars:
                found.append((tag, chars))
    return found


def _typed_finding(name: str, part: str, tag: str, chars: str) -> Finding:
    fix = "、".join(f"“{ch}”改为“{_TYPED[ch]}”" for ch in chars)
    if all(ch in _CURLY for ch in chars):  # docxtpl turns curly quotes back itself: it renders, but say so
        return Finding("warning", name, f"标签 {tag} 中的引号是 Word 自动更正的弯引号；docxtpl 渲染时会改回直引号，"
                                        f"但最好在 Word 中关闭“自动更正：直引号替换为弯引号”后重新输入（{fix}）", part)
    return Finding("error", name, f"标签 {tag} 中有中文（全角）标点，Jinja 无法识别：请把{fix}（用英文半角输入）", part)


def split_tags(xml: str) -> list[str]:
    """Tags whose text Word spread over several runs (paragraph text has the tag, no single run does)."""
    found = []
    for para in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
        runs = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", para)
        text = "".join(runs)
        for tag in re.findall(r"\{[{%#].*?[}%#]\}", text):
            if not any(tag in run for run in runs):
                found.append(tag)
    return found


def _resolve(node: Any, scope: dict[str, Any], env: Any, missing: list[str]) -> Any:
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        if node.name in scope:
            return scope[node.name]
        if node.name in env.globals or node.name == "loop":
            return _UNKNOWN
        missing.append(node.name)
        return _UNKNOWN
    if isinstance(node, (nodes.Getattr, nodes.Getitem)):
        base = _resolve(node.node, scope, env, missing)
        key = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", _UNKNOWN)
        if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
            _walk(node.arg, scope, env, missing)
        if isinstance(base, dict) and isinstance(key, str):
            if key in base:
                return base[key]
            if not hasattr(dict, key):  # dict methods such as items() are fine
                missing.append(f"{_dotted(node.node)}.{key}")
        return _UNKNOWN
    _walk(node, scope, env, missing)
    return _UNKNOWN


def _dotted(node: Any) -> str:
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    return "…"


def _bind(target: Any, value: Any, scope: dict[str, Any]) -> None:
    from jinja2 import nodes

    if isinstance(target, nodes.Name):
        scope[target.name] = value
    elif isinstance(target, nodes.Tuple):
        for item in target.items:
            _bind(item, _UNKNOWN, scope)


def _walk(node: Any, scope: dict[str, Any], env: Any, missing: list[str]) -> None:
    from jinja2 import nodes

    for child in node.iter_child_nodes():
        if isinstance(child, nodes.For):
            values = _resolve(child.iter, scope, env, missing)
            inner = dict(scope)
            first = values[0] if isinstance(values, list) and values else _UNKNOWN
            _bind(child.target, first, inner)
            for part in child.body + child.else_:
                _walk_one(part, inner, env, missing)
            if child.test is not None:
                _resolve(child.test, inner, env, missing)
        elif isinstance(child, nodes.Assign):
            _resolve(child.node, scope, env, missing)
            _bind(child.target, _UNKNOWN, scope)
        elif isinstance(child, (nodes.Macro, nodes.CallBlock)):
            continue  # macro arguments are local names the sample context cannot know
        elif isinstance(child, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            _resolve(child, scope, env, missing)
        else:
            _walk(child, scope, env, missing)


def _walk_one(node: Any, scope: dict[str, Any], env: Any, missing: list[str]) -> None:
    from jinja2 import nodes

    wrapper = nodes.Output([node])
    _walk(wrapper, scope, env, missing)


def unknown_variables(source: str, context: dict[str, Any]) -> list[str]:
    """Variables (and dotted fields) the template uses that the context does not provide."""
    env = jinja_env()
    missing: list[str] = []
    _walk(env.parse(source), dict(context), env, missing)
    return list(dict.fromkeys(missing))


def _xlsx_source(path: Path) -> str:
    """The placeholders of a workbook as one Jinja source: a row carrying a ``{%tr for … %}`` tag
    becomes a for-loop around that row's cells, so its loop variable is checked like Word's."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path)
    except Exception as exc:  # openpyxl/zip/xml raise many types for a damaged file
        raise TemplateProblem(f"无法读取模板（{type(exc).__name__}）；请用 Excel 另存为 .xlsx", file=path) from None
    parts: list[str] = []
    row_tag = re.compile(r"^\s*\{%-?\s*tr\s+(for\s+.+?)\s*-?%\}", re.S)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            texts = [c.value for c in row if isinstance(c.value, str)]
            loop = next((m for t in texts if (m := row_tag.match(t))), None)
            body = " ".join(row_tag.sub("", t) for t in texts)
            parts.append(f"{{% {loop.group(1)} %}}{body}{{% endfor %}}" if loop else body)
    return "\n".join(parts)


def check_template_file(path: Path, name: str, context: dict[str, Any] | None) -> list[Finding]:
    if path.suffix.lower() == ".xlsx":
        from jinja2 import TemplateSyntaxError

        source = _xlsx_source(path)
        try:
            jinja_env().parse(source)
        except TemplateSyntaxError as exc:
            return [Finding("error", name, f"Jinja 语法错误：{exc.message}；请在 Excel 中修正该占位符")]
        if context is None:
            return []
        return [Finding("error", name, f"使用了数据中没有的变量 {var}；请检查拼写（可用变量见内置模板）")
                for var in unknown_variables(source, context)]
    from docxtpl import DocxTemplate
    from jinja2 import TemplateSyntaxError

    findings = []
    patcher = DocxTemplate.__new__(DocxTemplate)  # patch_xml needs no loaded document
    env = jinja_env()
    for part, xml in _parts(path):
        for tag in split_tags(xml):
            findings.append(Finding("warning", name, f"标签 {tag} 被 Word 拆分成多个文本段；docxtpl 多数情况下能合并，"
                                                     "但建议在 Word 中删除该标签后一次性重新输入", part))
        typed = typed_punctuation(xml)
        findings.extend(_typed_finding(name, part, tag, chars) for tag, chars in typed)
        patched = patcher.patch_xml(xml)
        try:
            env.parse(patched)
        except TemplateSyntaxError as exc:
            if any(not set(chars) <= set(_CURLY) for _, chars in typed):
                continue  # the typed punctuation above is why; one message per cause
            line = re.sub(r"<[^>]+>", "", patched.splitlines()[exc.lineno - 1] if exc.lineno else "")[:80]
            findings.append(Finding("error", name, f"Jinja 语法错误：{exc.message}（附近文字：{line.strip()}）；"
                                                   "请在 Word 中修正该标签", part))
            continue
        if context is not None:
            for var in unknown_variables(patched, context):
                findings.append(Finding("error", name, f"使用了数据中没有的变量 {var}；请检查拼写"
                                                       "（可用变量见内置模板）", part))
    return findings


def check_template_set(templates: TemplateSet, registered: list[tuple[str, str, str]],
                       contexts: dict[str, dict[str, Any]], *, only_user: bool = False) -> list[Finding]:
    """Check every registered (kind, doc_type, template) as `templates` resolves it, against the context
    docgen renders it with (`contexts`: template name -> context, as pipeline.example_contexts prepares it).
    With only_user, a template the user folder lacks is reported (docgen falls back to the packaged one)
    rather than checked."""
    findings: list[Finding] = []
    for _kind, _doc_type, name in registered:
        try:
            found = templates.find(name)
        except DocgenError as exc:
            findings.append(Finding("error", name, f"缺少模板：{exc.message}"))
            continue
        if only_user and found.source != "用户模板":
            findings.append(Finding("info", name, "目录中没有此模板，生成时将使用内置模板"))
            continue
        findings.extend(check_template_file(found.path, name, contexts.get(name)))
    if only_user and templates.user_dir is not None:
        known = {name for _, _, name in registered}
        for extra in sorted([*templates.user_dir.glob("*.docx"), *templates.user_dir.glob("*.xlsx")]):
            if extra.name not in known and not extra.name.startswith("~$"):
                findings.append(Finding("warning", extra.name, f"不是 docgen 使用的模板名（应为：{'、'.join(sorted(known))}）"))
    return findings
