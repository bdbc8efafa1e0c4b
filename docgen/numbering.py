"""文件编号: one numbering scheme for every document docgen writes — prefix (the project code by default) +
one abbreviation per document type from one table + the period, the service number or the incident —
pinyin initials, never English words. A company with its own rules overrides the table per archive in
``ARCHIVE/config/numbering.yaml`` (like ``config/indicators.yaml``); a bad file is refused in Chinese,
naming the file and the key.

    YNTD-YW-2025-001-JH                运维项目管理计划 (its 版本 is printed beside it)
    YNTD-YW-2025-001-FWBG-2025-03      运维服务报告 of 2025-03
    YNTD-YW-2025-001-ZDSJ-2025-Q1-XC-2025-0005   重大事件(故障)的分析改进报告 of one incident
    YNTD-YW-2025-001-JFQD-YJXY-2025-Q1 应急响应交付清单 of 2025-Q1
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.doctypes import DOC_TYPES, SERVICE_TYPES, close_doc_types, resolve_doc_type
from docgen.errors import InputError

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.control import FormNumber

ARCHIVE_CONFIG = Path("config") / "numbering.yaml"  # inside the archive root
PROJECT = "{项目编号}"

# one abbreviation per document type (pinyin initials of its name in the regulation)
ABBREVIATIONS: dict[str, str] = {
    "plan": "JH",                          # 运维项目管理计划
    "onsite_form": "XCFWD",                # 现场服务单
    "onsite_report": "XCBGD",              # 现场服务报告单
    "leftover_confirmation": "YLQRD",      # 遗留问题确认单
    "remote_record": "YCFWJL",             # 远程服务记录
    "service_report": "FWBG",              # 运维服务报告
    "survey_report": "MYD",                # 需方满意度调查和分析报告
    "status_record": "YXZT",               # 运行状态信息记录
    "anomaly_record": "YCCL",              # 运行状态异常处理记录
    "trend_analysis": "QSFX",              # 趋势分析及可能的风险消除建议
    "config_record": "PZXX",               # 运行维护服务对象配置信息记录
    "response_record": "XYJL",             # 响应支持记录
    "response_kpi": "XYZB",                # 响应支持关键指标数据记录
    "major_incident_report": "ZDSJ",       # 重大事件(故障)的分析改进报告
    "config_update": "PZGX",               # 运行维护服务对象配置信息更新记录
    "optimization_plan": "YHFA",           # 优化改善方案及相关评审记录
    "implementation_plan": "YHSS",         # 优化改善实施方案及相关评审记录
    "change_release_report": "BGFB",       # 优化改善实施的变更和发布报告
    "assessment_plan": "DYJH",             # 调研评估计划书
    "assessment_report": "DYBG",           # 调研评估分析报告
    "assessment_recommendation": "GHJY",   # 调研评估的规划方案或建议及评审记录
    "pack_manifest": "JFQD",               # 交付清单
    "acceptance_report": "YS",             # 项目验收报告
    "kpi_report": "ZBTJ",                  # 月度KPI统计表
    "audit_report": "SJBG",                # 项目交付审计报告
}
# the four service types of §5.4.7, for items more than one pack makes (交付清单, 配置信息更新记录)
SERVICE_ABBREVIATIONS: dict[str, str] = {"routine": "LXCZ", "emergency": "YJXY", "optimization": "YHGS",
                                         "assessment": "DYPG"}
SHARED_PACK_ITEMS = ("pack_manifest", "config_update")
# the blank service forms' own numbers and versions (表单编号: the regulation's number + JL 记录 + sequence)
FORM_NUMBERS: dict[str, tuple[str, str]] = {
    "onsite_form": ("YNTD-ITSS-0901-JL01", "V1.0"),
    "onsite_report": ("YNTD-ITSS-0901-JL02", "V1.0"),
    "leftover_confirmation": ("YNTD-ITSS-0901-JL03", "V1.0"),
    "remote_record": ("YNTD-ITSS-0901-JL04", "V1.0"),
}
_ABBR_RE = re.compile(r"[A-Z0-9\u4e00-\u9fff]{1,12}")


@dataclass(frozen=True)
class Numbering:
    """The numbering rules in force: prefix (with {项目编号} for the project code), separator, abbreviations."""

    prefix: str = PROJECT
    separator: str = "-"
    abbreviations: dict[str, str] = field(default_factory=lambda: dict(ABBREVIATIONS))
    services: dict[str, str] = field(default_factory=lambda: dict(SERVICE_ABBREVIATIONS))
    forms: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(FORM_NUMBERS))
    source: str = "默认编号规则"

    def form(self, doc_type: str) -> FormNumber | None:
        """The blank form's 表单编号 and 版本 (None: not a form)."""
        from docgen.control import FormNumber

        found = self.forms.get(doc_type)
        return FormNumber(*found) if found else None

    def number(self, doc_type: str, project: str, *parts: str, pack: str | None = None) -> str:
        """文件编号 of one document: prefix, the type's abbreviation, the pack's service where several packs
        make this type, then `parts` (period, service number, incident …)."""
        # a document over every project (the unfiltered KPI workbook, project "_all") has no project code
        head = self.prefix.replace(PROJECT, "" if project.startswith("_") else project).strip("-_.")
        abbr = self.abbreviations.get(doc_type) or doc_type.upper()
        pieces = [head, abbr] if head else [abbr]
        if pack is not None and doc_type in SHARED_PACK_ITEMS:
            pieces.append(self.services.get(pack, pack.upper()))
        pieces += [p for p in parts if p]
        return self.separator.join(pieces)

    def for_document(self, doc_type: str, project: str, key: tuple[str, ...]) -> str:
        """文件编号 from a document's archive identity: a pack item's key starts with its service type
        (routine/emergency/…), then the period (and the incident); other keys are the period or the
        service number; plan, acceptance and audit have none (their 版本 tells versions apart)."""
        if key and key[0] in SERVICE_TYPES:
            return self.number(doc_type, project, *key[1:], pack=key[0])
        return self.number(doc_type, project, *key)


def _key(value: Any, where: str, file: Path) -> str:
    """A document type named by its code or its Chinese name → the code."""
    text = str(value).strip()
    code = resolve_doc_type(text)
    if code is not None:
        return code
    close = close_doc_types(text, limit=3)
    hint = f"；是否为 {'、'.join(close)}？" if close else f"；可用的文档类型：{'、'.join(DOC_TYPES.values())}"
    raise InputError(f"{where}：没有文档类型“{text}”{hint}", file=file)


def _abbr(value: Any, where: str, separator: str, file: Path) -> str:
    text = str(value).strip() if value is not None else ""
    if not _ABBR_RE.fullmatch(text) or separator in text:
        raise InputError(f"{where}：缩写“{text}”不合规；缩写应为 1–12 个大写字母、数字或汉字（拼音首字母，如 FWBG），"
                         f"不能含分隔符“{separator}”", file=file)
    return text


def parse_numbering(data: Any, *, file: Path) -> Numbering:
    """Validate a numbering file's content: prefix, separator, abbreviations (by code or Chinese name),
    services; every problem is an InputError naming the file and the key."""
    if data is None:
        return Numbering(source=f"归档库 {ARCHIVE_CONFIG.as_posix()}")
    if not isinstance(data, dict):
        raise InputError("编号规则文件顶层应为映射（prefix / separator / abbreviations / services）", file=file)
    unknown = set(data) - {"prefix", "separator", "abbreviations", "services", "forms"}
    if unknown:
        raise InputError(f"不认识的键 {'、'.join(sorted(map(str, unknown)))}；只能写 prefix、separator、abbreviations、"
                         "services、forms", file=file)
    separator = str(data.get("separator", "-"))
    if separator not in ("-", "_", "."):
        raise InputError(f"separator：分隔符“{separator}”不合规；只能是 - _ . 之一", file=file)
    prefix = str(data.get("prefix", PROJECT)).strip()
    if not prefix or re.search(r"\s", prefix) or not re.fullmatch(r"[A-Za-z0-9\u4e00-\u9fff{}_.-]+", prefix):
        raise InputError(f"prefix：前缀“{prefix}”不合规；可写公司代号（如 YNTD）或 {PROJECT}（项目编号），"
                         f"也可组合，如 YNTD-{PROJECT}；不能含空格", file=file)
    leftover = re.sub(re.escape(PROJECT), "", prefix)
    if "{" in leftover or "}" in leftover:
        raise InputError(f"prefix：前缀“{prefix}”中只能使用占位符 {PROJECT}", file=file)
    abbreviations = dict(ABBREVIATIONS)
    given = data.get("abbreviations") or {}
    if not isinstance(given, dict):
        raise InputError("abbreviations：应为“文档类型: 缩写”的映射，例如 service_report: FWBG 或 运维服务报告: FWBG",
                         file=file)
    for key, value in given.items():
        code = _key(key, f"abbreviations.{key}", file)
        abbreviations[code] = _abbr(value, f"abbreviations.{key}", separator, file)
    clash = {}
    for code, abbr in abbreviations.items():
        if abbr in clash:
            raise InputError(f"abbreviations：{DOC_TYPES.get(code, code)} 和 {DOC_TYPES.get(clash[abbr], clash[abbr])} "
                             f"的缩写都是“{abbr}”；每种文档的缩写应不同，否则文件编号会重复", file=file)
        clash[abbr] = code
    services = dict(SERVICE_ABBREVIATIONS)
    given = data.get("services") or {}
    if not isinstance(given, dict):
        raise InputError("services：应为“服务类型: 缩写”的映射，例如 emergency: YJXY 或 应急响应: YJXY", file=file)
    by_name = {name: code for code, name in SERVICE_TYPES.items()}
    for key, value in given.items():
        code = str(key).strip()
        code = by_name.get(code, code)
        if code not in SERVICE_TYPES:
            raise InputError(f"services.{key}：没有服务类型“{key}”；可写 {'、'.join(f'{c}（{n}）' for c, n in SERVICE_TYPES.items())}",
                             file=file)
        services[code] = _abbr(value, f"services.{key}", separator, file)
    return Numbering(prefix=prefix, separator=separator, abbreviations=abbreviations, services=services,
                     forms=_forms(data.get("forms"), file), source=f"归档库 {ARCHIVE_CONFIG.as_posix()}")


def _forms(given: Any, file: Path) -> dict[str, tuple[str, str]]:
    """forms: {现场服务单: {number: 表单编号, version: 版本}} — only the four service forms have form numbers."""
    forms = dict(FORM_NUMBERS)
    if given is None:
        return forms
    example = "例如 现场服务单: {number: QR-YW-01, version: A/0}"
    if not isinstance(given, dict):
        raise InputError(f"forms：应为“表单: {{number: 表单编号, version: 版本}}”的映射，{example}", file=file)
    for key, value in given.items():
        code = _key(key, f"forms.{key}", file)
        if code not in FORM_NUMBERS:
            raise InputError(f"forms.{key}：{DOC_TYPES.get(code, code)}不是表单；只有 "
                             f"{'、'.join(DOC_TYPES[c] for c in FORM_NUMBERS)} 有表单编号", file=file)
        if not isinstance(value, dict) or set(value) - {"number", "version"}:
            raise InputError(f"forms.{key}：应写 number（表单编号）和 version（表单版本），{example}", file=file)
        no = str(value.get("number", forms[code][0])).strip()
        version = str(value.get("version", forms[code][1])).strip()
        for name, text in (("number", no), ("version", version)):
            if not text or len(text) > 40 or re.search(r"\s", text):
                raise InputError(f"forms.{key}.{name}：“{text}”不合规；应为 1–40 个字符、不含空格", file=file)
        forms[code] = (no, version)
    return forms


def read_numbering(path: Path) -> Numbering:
    from docgen.inputs import parse_yaml

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取编号规则文件（{exc.strerror}）", file=path) from None
    return parse_numbering(parse_yaml(raw, path), file=path)


def load_numbering(archive: Archive | str | Path | None) -> Numbering:
    """The rules in force for `archive`: its config/numbering.yaml when there is one, else the defaults."""
    if archive is not None:
        root = Path(archive) if isinstance(archive, (str, Path)) else archive.root
        path = root / ARCHIVE_CONFIG
        if path.is_file():
            return read_numbering(path)
    return Numbering()


def numbering_text() -> str:
    """A commented numbering file listing every default, the starting point for a company's own rules."""
    lines = ["# 文件编号规则（放在归档库的 config/numbering.yaml；只写要改的项）",
             "# 文件编号 = 前缀 + 分隔符 + 文档缩写 [+ 服务类型缩写] + 期间/服务单号/事件编号",
             f"prefix: \"{PROJECT}\"          # 公司代号或 {PROJECT}，也可组合，如 \"YNTD-{PROJECT}\"",
             "separator: \"-\"", "abbreviations:"]
    lines += [f"  {code}: {abbr:<8}# {DOC_TYPES.get(code, code)}" for code, abbr in ABBREVIATIONS.items()]
    lines.append("services:              # 交付清单、配置信息更新记录等多个交付包都有的文档，编号中加服务类型")
    lines += [f"  {code}: {abbr:<8}# {SERVICE_TYPES[code]}" for code, abbr in SERVICE_ABBREVIATIONS.items()]
    lines.append("forms:                 # 服务表单的表单编号和表单版本（印在每一份填写的表单上）")
    lines += [f"  {code}: {{number: {no}, version: {ver}}}  # {DOC_TYPES[code]}" for code, (no, ver) in FORM_NUMBERS.items()]
    return "\n".join(lines) + "\n"
