"""The projects and doc types a command line names, checked against what the archive holds: an unknown
one is an error that names it and the closest names there are, never an empty result."""
from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from docgen.doctypes import DOC_TYPES, close_doc_types, resolve_doc_type
from docgen.errors import BadArgument, InputError

if TYPE_CHECKING:
    from docgen.archive._store import Archive

# the project under which documents about every project are archived (the unfiltered KPI workbook)
ALL_PROJECTS = "_all"
_LISTED = 10


def _listing(names: list[str]) -> str:
    return "、".join(names[:_LISTED]) + (f" 等 {len(names)} 个" if len(names) > _LISTED else "")


def require_project(archive: Archive, project: str, *, reserved_ok: bool = False) -> str:
    """`project` when the archive holds documents of it; InputError (did-you-mean, the projects there
    are) otherwise. Names starting with `_` are reserved, never projects; `reserved_ok` lets a filter
    name one the archive holds (`_all`, where the unfiltered KPI workbooks are)."""
    folders = archive.projects()
    if project.startswith("_") and not (reserved_ok and project in folders):
        raise InputError(f"项目编号 “{project}” 无效：以 _ 开头的名称（如 {ALL_PROJECTS}）是保留名称，不是项目编号")
    known = [p for p in folders if not p.startswith("_")]
    if project not in folders:
        close = difflib.get_close_matches(project, known, n=1, cutoff=0.6)
        hint = f"，是否为 {close[0]}?" if close else ""
        listed = f"（已有项目：{_listing(known)}）" if known else "（归档库中还没有任何项目）"
        raise InputError(f"归档库中没有项目 {project} 的文档{hint}{listed}；请检查项目编号", file=str(archive.root))
    return project


def require_doc_type(archive: Archive, text: str) -> str:
    """The doc type code a filter names: a built-in type by its code or Chinese name (DOC_TYPES), or a
    type the archive holds (such as one `archive add` took in). BadArgument, with the closest names,
    otherwise."""
    code = resolve_doc_type(text)
    if code is not None:
        return code
    present = archive.doc_types()
    if text.strip() in present:
        return text.strip()
    custom = [t for t in present if t not in DOC_TYPES]
    close = close_doc_types(text, custom)
    hint = f"，是否为 {'、'.join(close)}?" if close else ""
    if custom and not close:
        hint = f"（归档库中的其他类型：{_listing(custom)}）"
    raise BadArgument(f"没有文档类型 “{text}”：它不是内置类型的代码或中文名称，归档库中也没有这种类型的文档{hint}；"
                      "--type 请写类型代码（如 plan）或中文名称（如 运维项目管理计划），内置类型见 README“输入格式”一节")


def check_filters(archive: Archive, *, project: str | None = None,
                  doc_type: str | None = None) -> tuple[str | None, str | None]:
    """The (project, doc type code) a listing or search filters on, each checked against the archive
    (None stays None): `docgen archive list` and `docgen search`."""
    if project is not None:
        project = require_project(archive, project, reserved_ok=True)
    if doc_type is not None:
        doc_type = require_doc_type(archive, doc_type)
    return project, doc_type
