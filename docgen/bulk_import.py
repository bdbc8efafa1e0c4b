"""`docgen archive import DIR`: a company's past deliverables — a folder tree of thousands of files — taken
into the archive in one run. Which project and type each file is comes from the watcher's convention
(`<项目编号>/<文档类型>/<文件>`, or a `<文件>.meta.yaml` beside it) or from a 清单 (.xlsx or .csv: file, project,
type, date, period, title, service_no). Resumable: a file whose bytes the archive already holds for that project
and type is skipped. Every bad row or file is reported in Chinese at the end (and in a report file); the rest is
imported, in batches that each cost two syncs (Archive.put_many), not several per file."""
from __future__ import annotations

import csv
import datetime
import hashlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.errors import DocgenError, InputError
from docgen.ingest import DocumentMeta, check_args, doc_type_code, not_plain, special_file

if TYPE_CHECKING:
    from docgen.archive import Archive

BATCH = 200  # files per put_many: the cost of a sync shared by this many files
REPORTS = "import-reports"  # inside the archive root
LISTING_COLUMNS = {"file": "文件", "project": "项目编号", "type": "文档类型", "date": "日期", "period": "期间",
                   "title": "标题", "service_no": "服务单号"}
_HEADER_WORDS = {**{v: k for k, v in LISTING_COLUMNS.items()}, **{k: k for k in LISTING_COLUMNS}}
SKIPPED_NAMES = (".meta.yaml",)


@dataclass
class ImportProblem:
    """A file or 清单 row that was not imported, and why (Chinese, says what to do)."""

    where: str
    message: str


@dataclass
class ImportResult:
    """What a run did: counts, the problems, and where the report went."""

    imported: int = 0
    already: int = 0  # archived before (same bytes, same project and type): skipped
    problems: list[ImportProblem] = field(default_factory=list)
    report: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.imported + self.already + len(self.problems)


@dataclass
class _Entry:
    path: Path
    where: str  # how the report names it: the relative path, or 清单第 N 行
    values: dict[str, str]


def _walk(folder: Path) -> Iterator[_Entry]:
    """Every file under `folder` by the watcher's convention; links and other non-plain entries are listed
    too (and refused), hidden and temporary files and sidecars are not."""
    from docgen.inputs import temporary_name

    for current, dirs, files in os.walk(folder):
        links = [d for d in dirs if os.path.islink(os.path.join(current, d))]
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in links)
        for name in sorted(files + links):
            if name.startswith(".") or temporary_name(name) or name.lower().endswith(SKIPPED_NAMES):
                continue
            path = Path(current) / name
            yield _Entry(path, path.relative_to(folder).as_posix(), {})


def _rows(listing: Path) -> list[tuple[int, dict[str, str]]]:
    """The 清单's rows as {column: text}, by header (Chinese or English names); InputError when unreadable."""
    suffix = listing.suffix.lower()
    if suffix == ".xlsx":
        import openpyxl

        from docgen.inputs import check_workbook

        raw = listing.read_bytes()
        check_workbook(raw, listing)
        try:
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - openpyxl reports a damaged file through many types
            raise InputError("不是有效的 Excel .xlsx 文件；请在 Excel 中另存为 .xlsx，或用 docgen init import --xlsx "
                             "重新生成清单", file=listing) from None
        rows = [["" if v is None else str(v) for v in row] for row in wb.worksheets[0].iter_rows(values_only=True)]
    elif suffix == ".csv":
        data = listing.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError("清单的编码无法识别；请另存为 UTF-8 的 CSV", file=listing)
        rows = list(csv.reader(io.StringIO(text)))
    else:
        raise InputError(f"清单应为 .xlsx 或 .csv，而不是 “{listing.suffix or '（无扩展名）'}”", file=listing)
    if not rows:
        raise InputError("清单是空的；第一行应为表头（文件、项目编号、文档类型、日期、期间、标题、服务单号）", file=listing)
    header = [_HEADER_WORDS.get(str(h).strip().lower(), _HEADER_WORDS.get(str(h).strip(), "")) for h in rows[0]]
    missing = [LISTING_COLUMNS[k] for k in ("file", "project", "type") if k not in header]
    if missing:
        raise InputError(f"清单第 1 行缺少列 {'、'.join(missing)}；表头应为 {'、'.join(LISTING_COLUMNS.values())}"
                         "（可用 docgen init import --xlsx 生成空白清单）", file=listing)
    found = []
    for number, row in enumerate(rows[1:], start=2):
        values = {key: row[i].strip() for i, key in enumerate(header) if key and i < len(row) and row[i].strip()}
        if values:
            found.append((number, values))
    return found


def _from_listing(folder: Path, listing: Path) -> Iterator[_Entry | ImportProblem]:
    root = folder.resolve()
    for number, values in _rows(listing):
        where = f"{listing.name} 第 {number} 行"
        name = values.get("file", "")
        if not name:
            yield ImportProblem(where, "“文件”一栏为空；请写出文件相对于导入目录的路径")
            continue
        path = Path(name) if Path(name).is_absolute() else folder / name
        try:
            inside = path.resolve(strict=False).is_relative_to(root) and not Path(name).is_absolute() \
                and ".." not in Path(name).parts
        except OSError:
            inside = False
        if not inside:
            yield ImportProblem(where, f"文件 {name} 不在导入目录 {folder} 之内；清单只能列出导入目录中的文件（写相对路径）")
            continue
        yield _Entry(path, f"{where}（{name}）", values)


def _describe(entry: _Entry, folder: Path) -> dict[str, Any]:
    """Project, type, day, period, title, service number of one file: the 清单's row, else its sidecar or the
    folder convention (docgen.ingest.DocumentMeta, as the watcher reads them)."""
    values = dict(entry.values)
    if not values:
        meta = DocumentMeta.read(entry.path.relative_to(folder).as_posix(),
                                 entry.path.with_name(entry.path.name + ".meta.yaml"), base=f"{folder.name}/")
        values = dict(meta.values)
    text = values.get("date")
    if text:
        try:
            day = datetime.date.fromisoformat(text[:10])
        except ValueError:
            raise DocgenError(f"日期 “{text}” 不是 YYYY-MM-DD 格式") from None
    else:  # a past deliverable's own date is the day it was last saved
        day = datetime.date.fromtimestamp(entry.path.stat().st_mtime)
    if not values.get("project") or not values.get("type"):
        raise DocgenError("没有写明项目编号和文档类型；请在清单中填写，或按 <项目编号>/<文档类型>/<文件> 放置")
    doc_type = doc_type_code(values["type"])
    period = check_args(values["project"], values.get("period"), day)
    title = (values.get("title") or entry.path.stem).strip()
    return {"project": values["project"], "doc_type": doc_type, "day": day, "period": period, "title": title,
            "service_no": values.get("service_no")}


def import_tree(archive: Archive, folder: Path, *, listing: Path | None = None, report: Path | None = None,
                progress: Callable[[int, int], None] | None = None, batch: int = BATCH,
                index: bool = True) -> ImportResult:
    """Import every file of `folder` (by the folder convention, or as `listing` says); see the module doc.
    index=False leaves the search index to catch up later (the next search or `docgen reindex`)."""
    from docgen.archive import PutItem, write_atomic
    from docgen.search import UnsupportedDocument, extract_text, index_after_write

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("导入目录不存在或不是目录；请给出存放历史文档的目录", file=folder)
    entries = list(_from_listing(folder, listing) if listing is not None else _walk(folder))
    result = ImportResult()
    known: dict[tuple[str, str], set[str]] = {}
    pending: list[tuple[PutItem, str]] = []

    def flush() -> None:
        if not pending:
            return
        puts = archive.put_many([item for item, _ in pending])
        for put, (item, _) in zip(puts, pending):
            known.setdefault((item.project, item.doc_type), set()).add(put.sha256)
            if put.status == "unchanged":
                result.already += 1
            else:
                result.imported += 1
        pending.clear()

    for done, entry in enumerate(entries, 1):
        if isinstance(entry, ImportProblem):
            result.problems.append(entry)
            continue
        try:
            what = special_file(entry.path)
            if what is not None:
                raise DocgenError(not_plain(entry.path, what, place="导入目录"))
            sidecar = entry.path.with_name(entry.path.name + ".meta.yaml")
            what = special_file(sidecar)
            if what is not None:
                raise DocgenError(not_plain(sidecar, what, sidecar=True, place="导入目录"))
            if not entry.path.is_file():
                raise DocgenError("文件不存在；请检查清单中的路径")
            info = _describe(entry, folder)
            data = entry.path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            key = (info["project"], info["doc_type"])
            if key not in known:
                known[key] = {r["sha256"] for r in archive.records(project=info["project"], doc_type=info["doc_type"],
                                                                      all_versions=True)} \
                    if archive.root.is_dir() else set()
            if sha in known[key]:
                result.already += 1
                continue
            text = extract_text(entry.path)  # what `archive add` checks: type, damage, zip bombs, encryption
            facts = {"original_name": entry.path.name, "characters": len(text)}
            if info["service_no"]:
                facts["service_no"] = info["service_no"]
            pending.append((PutItem(data, info["project"], info["doc_type"], (info["title"], info["period"]),
                                    info["title"], info["day"], info["period"], entry.path.suffix.lower(),
                                    "archive import", facts), entry.where))
            known[key].add(sha)
        except (DocgenError, UnsupportedDocument) as exc:
            result.problems.append(ImportProblem(entry.where, str(getattr(exc, "message", exc))))
        except OSError as exc:
            result.problems.append(ImportProblem(entry.where, f"无法读取（{exc.strerror}）"))
        if len(pending) >= batch:
            flush()
        if progress:
            progress(done, len(entries))
    flush()
    if result.imported and index:
        result.notes += index_after_write(archive)
    target = report or archive.root / REPORTS / f"导入报告_{datetime.datetime.now():%Y%m%d-%H%M%S}.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, report_text(result, folder, listing).encode("utf-8"))
    result.report = target
    return result


def report_text(result: ImportResult, folder: Path, listing: Path | None) -> str:
    lines = [f"导入目录：{folder}", f"清单：{listing}" if listing else "按目录约定：<项目编号>/<文档类型>/<文件>",
             f"时间：{datetime.datetime.now():%Y-%m-%d %H:%M:%S}", "",
             f"共 {result.total} 个文件：导入 {result.imported}，已在归档库中（跳过） {result.already}，"
             f"未导入 {len(result.problems)}。", ""]
    if result.problems:
        lines.append("未导入的文件（改正后再次运行同一命令，已导入的会自动跳过）：")
        lines += [f"  {p.where}：{p.message}" for p in result.problems]
    return "\n".join(lines) + "\n"


def blank_listing() -> bytes:
    """A blank 清单 (.xlsx) with the columns and a note per column (`docgen init import --xlsx`)."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    notes = {"file": "文件相对于导入目录的路径，如 2023/三月报告.docx", "project": "项目编号，如 YNTD-YW-2023-004",
             "type": "文档类型：代码或中文名称，如 运维服务报告，或自定义类型如 minutes",
             "date": "文档日期 YYYY-MM-DD；空着取文件的修改日期", "period": "期间 YYYY-MM、YYYY-Qn 等；空着同日期",
             "title": "标题；空着取文件名", "service_no": "服务单号（现场/远程服务的文档，可空）"}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "清单"
    for col, (key, header) in enumerate(LISTING_COLUMNS.items(), 1):
        cell = ws.cell(1, col, header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.comment = Comment(notes[key], "docgen")
        ws.column_dimensions[cell.column_letter].width = 34 if key in ("file", "type") else 18
    ws.freeze_panes = "A2"
    from docgen.render import xlsx_bytes

    return xlsx_bytes(wb)
