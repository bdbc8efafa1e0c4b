"""`docgen archive add`: take a document made elsewhere into the archive (and the index), with the
identity, date and period docs/archive.md gives such documents."""
from __future__ import annotations

import datetime
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.doctypes import close_doc_types, resolve_doc_type
from docgen.errors import BadArgument, DocgenError
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


def check_args(project: str, period: str | None, day: datetime.date) -> str:
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
    period = check_args(project, period, day)
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


# --------------------------------------------------------------- what may be taken in, and what it is
def special_file(path: Path) -> str | None:
    """What an inbox entry is when it is not a plain file of its own (None: it is one), from lstat alone —
    never opened, so a link cannot pull in a file from elsewhere and a FIFO cannot block the watcher."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        try:
            return f"符号链接（指向 {os.readlink(path)}）"
        except OSError:
            return "符号链接"
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if not stat.S_ISREG(mode):
        return "特殊文件"
    if st.st_nlink > 1:
        return f"硬链接（同一份内容在别处还有 {st.st_nlink - 1} 个文件名）"
    return None


def not_plain(path: Path, what: str, *, sidecar: bool = False, place: str = "收件箱") -> str:
    """Why a non-plain entry of the inbox (or of an import folder, `place`) is refused, and what to do."""
    whose = f"说明文件 {path.name}" if sidecar else path.name
    return (f"{place}只接受普通文件，{whose} 是{what}；docgen 不读取它（它可能指向{place}以外的文件，或让处理停住）。"
            "请放入文件本身的副本（复制，而不是创建链接）")


class DocumentMeta:
    """Project, type and the rest for a document dropped to be archived: from `<file>.meta.yaml`,
    else from the folder convention inbox/<project>/<doc_type>/<file>."""

    FIELDS = {"project": "项目编号", "type": "文档类型", "date": "文档日期", "period": "期间", "title": "标题",
              "service_no": "服务单号"}

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    @classmethod
    def read(cls, name: str, sidecar: Path | None, *, base: str = "inbox/") -> DocumentMeta:
        """`name` relative to the inbox (or import folder, named `base` in messages)."""
        values: dict[str, Any] = {}
        parts = Path(name).parts
        if len(parts) >= 3:
            values["project"], values["type"] = parts[0], parts[1]
        if sidecar is not None and sidecar.exists():
            import yaml

            label = f"{name}{sidecar.name[len(Path(name).name):]}"
            try:
                data = yaml.safe_load(sidecar.read_text(encoding="utf-8-sig"))
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                raise DocgenError(f"说明文件不是有效的 YAML（{type(exc).__name__}）；请按 README 的格式填写 "
                                  "project、type 等字段", file=label) from None
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise DocgenError("说明文件应为“字段: 值”的映射，例如 project: YNTD-YW-2025-001 和 type: service_report",
                                  file=label)
            if "doc_type" in data and "type" not in data:
                data["type"] = data.pop("doc_type")
            unknown = sorted(set(data) - set(cls.FIELDS))
            if unknown:
                raise DocgenError(f"说明文件中有未知字段 {'、'.join(map(str, unknown))}；可用字段："
                                  f"{'、'.join(f'{k}（{v}）' for k, v in cls.FIELDS.items())}", file=label)
            values.update({k: (v.isoformat() if isinstance(v, datetime.date) else str(v)) for k, v in data.items()
                           if v is not None})
        missing = [f"{key}（{cls.FIELDS[key]}）" for key in ("project", "type") if not values.get(key)]
        if missing:
            raise DocgenError(f"无法确定{'和'.join(missing)}：请把文件放在 {base}<项目编号>/<文档类型>/ 下，"
                              f"或在旁边放一个 {Path(name).name}.meta.yaml 写明 project 和 type", file=name)
        return cls(values)

    def day(self) -> datetime.date | None:
        text = self.values.get("date")
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise DocgenError(f"说明文件中的 date “{text}” 不是 YYYY-MM-DD 格式的日期") from None
