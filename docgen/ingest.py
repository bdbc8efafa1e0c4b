"""`docgen archive add`: take a document made elsewhere into the archive (and the index), with the
identity, date and period docs/archive.md gives such documents."""
from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import TYPE_CHECKING

from docgen.doctypes import close_doc_types, resolve_doc_type
from docgen.errors import BadArgument
from docgen.fields import DOC_TYPE_RE, PERIOD_RE, PROJECT_CODE_RE
from docgen.pipeline import GeneratedDoc

if TYPE_CHECKING:
    from docgen.archive import Archive


DAY_PERIOD_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def doc_type_code(text: str) -> str:
    """The doc type a document is taken in as: a built-in type by its code or Chinese name, or any other
    code of lowercase letters and underscores (minutes, inspection); BadArgument otherwise."""
    code = resolve_doc_type(text)
    if code is not None:
        return code
    if not DOC_TYPE_RE.fullmatch(text):
        close = close_doc_types(text)
        hint = f"是否为 {'、'.join(close)}?" if close else "例如 service_report 或 运维服务报告"
        raise BadArgument(f"--type “{text}” 不是有效的文档类型：请写内置类型的代码或中文名称（{hint}），"
                          "或只用小写字母和下划线组成的自定义类型代码（如 minutes）")
    return text


def _check_args(project: str, period: str | None, day: datetime.date) -> str:
    if not PROJECT_CODE_RE.fullmatch(project):
        raise BadArgument(f"--project “{project}” 不是有效的项目编号：只能用字母、数字、- 和 _，以字母或数字开头"
                          "（以 _ 开头的名称保留）")
    period = period or day.isoformat()
    if DAY_PERIOD_RE.fullmatch(period):
        try:
            datetime.date.fromisoformat(period)
        except ValueError:
            raise BadArgument(f"--period “{period}” 不是存在的日期") from None
    elif not PERIOD_RE.fullmatch(period):
        raise BadArgument(f"--period “{period}” 格式不对：应为 YYYY-MM-DD、YYYY-MM、YYYY-Www、YYYY-Qn 或 YYYY")
    return period


def add_document(archive: Archive, file: str | Path, *, project: str, doc_type: str,
                 day: datetime.date | None = None, period: str | None = None, service_no: str | None = None,
                 title: str | None = None, source: str = "archive add", index: bool = True) -> GeneratedDoc:
    """Archive a file made elsewhere. Identity: project + doc_type + title + period; the same file
    again is unchanged, a different file under the same identity is a new version. The file is
    checked (type, corruption, zip bomb, encryption) before anything is written. index=False leaves
    the search index to the caller (the watcher updates it once per batch)."""
    from docgen.search import extract_text, index_after_write

    path = Path(file)
    day = day or datetime.date.today()
    doc_type = doc_type_code(doc_type)
    period = _check_args(project, period, day)
    text = extract_text(path)  # raises UnsupportedDocument: nothing written
    title = (title or path.stem).strip()
    if not title:
        raise BadArgument("--title 不能为空")
    facts = {"original_name": path.name, "characters": len(text)}
    if service_no:
        facts["service_no"] = service_no.strip()
    put = archive.put(path.read_bytes(), project=project, doc_type=doc_type, key=(title, period), title=title,
                      date=day, period=period, ext=path.suffix.lower(), source=source, facts=facts)
    notes = list(put.recovered) + (index_after_write(archive) if index else [])
    return GeneratedDoc(put.doc_id, doc_type, project, title, day.isoformat(), period, put.version, put.status,
                        str(put.path), put.sha256, [], str(path), notes)
