"""One dropped file's way through the watcher, as named steps: claim (inbox → .processing, an atomic
rename) → dispatch (generate an input, or archive a document via the `archive add` path) → settle
(move to processed/<date>/ or failed/<date>/ with a reason) → journal. Every step can be interrupted
(SIGKILL) and re-run: a file is always either in the inbox, in .processing, or settled; re-running a
claimed file is idempotent because the archive decides new / version / unchanged and a document
already archived with the same checksum is recognised as a duplicate."""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import stat
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.errors import ArchiveBusy, DocgenError
from docgen.ingest import DocumentMeta
from docgen.watch._files import META_SUFFIX, PROCESSING, Classified, classify, sidecar_of

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.render import TemplateSet

JOURNAL = "watch-journal.jsonl"
PROCESSED = "processed"
FAILED = "failed"
ERROR_SUFFIX = ".error.txt"


@dataclass
class Outcome:
    """What happened to one file: result ok | duplicate | failed (retry: left in .processing)."""

    name: str  # path relative to the inbox, POSIX separators
    what: str  # input | document | refused
    kind: str
    result: str
    documents: list[dict[str, Any]] = field(default_factory=list)  # {doc_id, doc_type, version, status}
    moved_to: str = ""
    reason: str = ""
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"file": self.name, "what": self.what, "kind": self.kind, "result": self.result,
                "documents": self.documents, "moved_to": self.moved_to, "reason": self.reason,
                "warnings": self.warnings}

    def line(self) -> str:
        """The one Chinese log line for this file."""
        words = {"new": "新建", "version": "新版本", "unchanged": "未变化"}
        docs = "，".join(f"{_named(d)}（{words.get(d['status'], d['status'])}）" for d in self.documents)
        if self.result == "ok":
            return f"✓ {self.name} → {docs or '无文档'}；原文件移至 {self.moved_to}"
        if self.result == "duplicate":
            return f"= {self.name} → 重复文件，已归档为 {docs}；未重复归档，原文件移至 {self.moved_to}"
        if self.result == "retry":
            return f"… {self.name} → 暂未处理（{self.reason}），稍后重试"
        first = self.reason.splitlines()[0] if self.reason else ""
        return f"✗ {self.name} → 失败，移至 {self.moved_to}：{first}"


def _append_journal(path: Path, entry: dict[str, Any]) -> None:
    line = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def _unique(target: Path) -> Path:
    """Never overwrite in processed/ or failed/: a second file of the same name gets “ (2)”."""
    if not target.exists() and not sidecar_of(target).exists():
        return target
    n = 2
    while True:
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def _move(source: Path, target: Path) -> None:
    """Rename when on one file system; otherwise copy (synced) and then remove the source, so a crash
    leaves the file in .processing (re-run) rather than nowhere."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != 18:  # EXDEV: another file system (a network share)
            raise
        if not stat.S_ISREG(os.lstat(source).st_mode):
            # a link, FIFO or device cannot be copied without reading what it leads to: it is recreated as a
            # link (a link) or left out, and removed from the inbox; the error note says what it was
            if stat.S_ISLNK(os.lstat(source).st_mode):
                os.symlink(os.readlink(source), target)
            source.unlink()
            return
        temp = target.with_name(f".{target.name}.copying")
        shutil.copy2(source, temp)
        with open(temp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(temp, target)
        source.unlink()


class Inbox:
    """The inbox folder and where its files end up (processed/ and failed/ under the archive root)."""

    def __init__(self, inbox: Path, archive: Archive, templates: TemplateSet) -> None:
        self.root = Path(inbox)
        self.archive = archive
        self.templates = templates
        self.processing = self.root / PROCESSING
        self.journal = archive.root / JOURNAL
        # checksums archived per (project, doc_type): read once per scan, not once per dropped file
        self._known: dict[tuple[str, str], dict[str, dict]] = {}

    def forget_known(self) -> None:
        """Start a scan afresh: other processes may have archived meanwhile."""
        self._known.clear()

    def _known_for(self, project: str, doc_type: str) -> dict[str, dict]:
        key = (project, doc_type)
        if key not in self._known:
            records = self.archive.records(project=project, doc_type=doc_type, all_versions=True) \
                if self.archive.root.is_dir() else []
            self._known[key] = {r["sha256"]: r for r in records}
        return self._known[key]

    def name_of(self, path: Path) -> str:
        base = self.processing if _inside(path, self.processing) else self.root
        return path.relative_to(base).as_posix()

    # --- steps ----------------------------------------------------------------------------------

    def claim(self, path: Path) -> Path | None:
        """inbox/<name> → inbox/.processing/<name> (its sidecar first); None if another process took it, or
        a file of the same name left by an interrupted run is not finished yet (never overwrite it)."""
        name = self.name_of(path)
        target = self.processing / name
        if target.exists():
            return None  # a file of that name from an interrupted run is still being finished: next scan
        # (a sidecar alone in .processing is this file's own, claimed just before a crash; one dropped
        # again beside the file replaces it: the newest description wins)
        target.parent.mkdir(parents=True, exist_ok=True)
        sidecar = sidecar_of(path)
        try:
            if sidecar.exists():
                os.replace(sidecar, sidecar_of(target))
            os.replace(path, target)
        except FileNotFoundError:
            return None
        return target

    def process(self, item: Classified, *, today: datetime.date) -> Outcome:
        """Dispatch a claimed file and settle it; transient trouble (the archive busy) leaves it claimed."""
        name = self.name_of(item.path)
        outcome = Outcome(name, item.what, item.kind, "ok")
        try:
            if item.what == "refused":
                raise DocgenError(item.reason, file=name)
            if item.what == "input":
                self._generate(item, outcome)
            else:
                self._archive_document(item, outcome, today)
        except ArchiveBusy as exc:
            outcome.result, outcome.reason = "retry", str(exc)
            return outcome
        except DocgenError as exc:
            outcome.result = "failed"
            outcome.reason = str(exc).replace(str(item.path), name)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the inbox: the file goes to failed/
            # with the details for the maintainers, instead of crashing the watcher on it at every restart
            import traceback

            outcome.result = "failed"
            outcome.reason = (f"{name}：处理时发生 docgen 内部错误（{type(exc).__name__}: {exc}）。这不是文件内容的问题，"
                              "请把此文件和本说明发给系统维护人员。\n\n技术细节：\n" + traceback.format_exc())
        self._settle(item.path, outcome, today)
        return outcome

    def _generate(self, item: Classified, outcome: Outcome) -> None:
        from docgen.pipeline import generate

        docs = generate([item.path], archive=self.archive, templates=self.templates, source="watch", index=False)
        outcome.documents = [{"doc_id": d.doc_id, "doc_type": d.doc_type, "version": d.version, "status": d.status,
                              "doc_no": d.doc_no, "doc_version": d.doc_version} for d in docs]
        outcome.warnings = sorted({w for d in docs for w in d.warnings})

    def _archive_document(self, item: Classified, outcome: Outcome, today: datetime.date) -> None:
        from docgen.ingest import add_document

        from docgen.doctypes import resolve_doc_type

        meta = DocumentMeta.read(outcome.name, sidecar_of(item.path))
        values = meta.values
        values["type"] = resolve_doc_type(values["type"]) or values["type"]  # 运维服务报告 is service_report
        digest = hashlib.sha256(item.path.read_bytes()).hexdigest()
        known = self._known_for(values["project"], values["type"]) if _valid_segments(values) else {}
        record = known.get(digest)
        if record is not None:
            outcome.result = "duplicate"
            outcome.documents = [{"doc_id": record["doc_id"], "doc_type": record["doc_type"],
                                  "version": record["version"], "status": "unchanged"}]
            return
        title = values.get("title") or Path(outcome.name).stem
        doc = add_document(self.archive, item.path, project=values["project"], doc_type=values["type"],
                           day=meta.day() or today, period=values.get("period"),
                           service_no=values.get("service_no"), title=title, source="watch", index=False)
        known[doc.sha256] = {"doc_id": doc.doc_id, "doc_type": doc.doc_type, "version": doc.version}
        outcome.documents = [{"doc_id": doc.doc_id, "doc_type": doc.doc_type, "version": doc.version,
                              "status": doc.status}]
        if doc.status == "unchanged":
            outcome.result = "duplicate"

    def _settle(self, path: Path, outcome: Outcome, today: datetime.date) -> None:
        folder = FAILED if outcome.result == "failed" else PROCESSED
        target = _unique(self.archive.root / folder / today.isoformat() / outcome.name)
        outcome.moved_to = target.relative_to(self.archive.root).as_posix()
        if outcome.result == "failed":
            from docgen.archive import write_atomic

            note = target.with_name(target.name + ERROR_SUFFIX)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(note, error_text(outcome).encode("utf-8"))
        _append_journal(self.journal, {"time": datetime.datetime.now().isoformat(timespec="seconds"),
                                       **outcome.as_json()})  # a re-run after a crash appends the final line
        _move(path, target)  # the commit point: from here on the file is settled
        sidecar = sidecar_of(path)
        if sidecar.exists():
            _move(sidecar, sidecar_of(target))
        _drop_empty_folders(path.parent, self.processing)

    def settle_orphan_sidecars(self) -> None:
        """A crash between moving a file and its sidecar leaves the sidecar in .processing: put it
        beside the file, where the journal says the file went."""
        if not self.processing.is_dir():
            return
        orphans = [s for s in self.processing.rglob(f"*{META_SUFFIX}")
                   if not s.with_name(s.name[: -len(META_SUFFIX)]).exists()]
        if not orphans:
            return
        moved: dict[str, str] = {}
        if self.journal.exists():
            for line in self.journal.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                    moved[entry["file"]] = entry["moved_to"]
                except (ValueError, KeyError, TypeError):
                    continue
        for sidecar in orphans:
            document = sidecar.with_name(sidecar.name[: -len(META_SUFFIX)])
            name = self.name_of(document)
            if name in moved:
                target = sidecar_of(self.archive.root / moved[name])
                if not target.exists():
                    _move(sidecar, target)


def error_text(outcome: Outcome) -> str:
    """The <file>.error.txt beside a failed file: what went wrong, in words a non-programmer follows."""
    lines = [f"文件：{outcome.name}", f"处理时间：{datetime.datetime.now():%Y-%m-%d %H:%M:%S}", "", "失败原因：",
             outcome.reason, "", "怎么办：",
             "  1. 按上面的原因修改文件（字段路径如 risks[2].contingency 指出了要改的位置；录入表会写明 工作表!单元格）；",
             "  2. 把改好的文件重新放进收件箱 inbox/，docgen 会自动再次处理；",
             "  3. 本目录中的原文件和这份说明可以留作记录，docgen 不会删除它们。"]
    if outcome.what == "document":
        lines.insert(-3, "  （要归档的文档需写明项目和文档类型：放在 inbox/<项目编号>/<文档类型>/ 下，"
                         "或附带 <文件名>.meta.yaml）")
    return "\n".join(lines) + "\n"


def _valid_segments(values: dict[str, Any]) -> bool:
    """Project and type usable as archive folders (add_document says why not, in Chinese)."""
    from docgen.fields import DOC_TYPE_RE, PROJECT_CODE_RE

    return bool(PROJECT_CODE_RE.fullmatch(values["project"]) and DOC_TYPE_RE.fullmatch(values["type"]))


def _drop_empty_folders(folder: Path, top: Path) -> None:
    """Folders .processing made for claimed files go once empty (never the inbox's own folders)."""
    while _inside(folder, top) and folder != top:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def claimed_items(inbox: Inbox) -> list[Classified]:
    """Files left in .processing by an earlier run (killed mid-way): they are resumed first."""
    from docgen.watch._files import candidates

    if not inbox.processing.is_dir():
        return []
    return [classify(p) for p in candidates(inbox.processing)]


def _named(doc: dict[str, Any]) -> str:
    """A document in the log as its page names it (文件编号, 版本); one taken in without a number: its id."""
    if doc.get("doc_no"):
        return f"{doc['doc_no']} {doc.get('doc_version') or ''}".rstrip()
    return f"{doc['doc_id']} 第{doc['version']}版"
