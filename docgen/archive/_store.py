"""The archive store: versioned documents with sidecar metadata and an append-only ledger."""
from __future__ import annotations

import datetime
import errno
import hashlib
import json
import os
import stat
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import filelock

import docgen
from docgen.archive._atomic import (fsync_dir, sync_all, temp_path_beside, write_atomic, write_temp,
                                   write_unsynced)
from docgen.archive._layout import (LEDGER, LOCK, PENDING, FolderListing, candidate_sidecars, check_ext, check_segment,
                                    doc_type_folders, doc_type_names, document_folder, encode_json, fallback_stem,
                                    iter_sidecars, make_doc_id, primary_stem, project_folders, read_record, relative,
                                    resolve_inside, sidecar_of, split_doc_id, stem_of, version_file_name)
from docgen.archive._ledger import (GENESIS, LedgerHead, append_entries, append_entry, chain_line, ledger_entry,
                                   ledger_head, line_hash, read_ledger)
from docgen.archive._recover import recover_locked
from docgen.archive._verify import VerifyReport, check_chain, verify_archive
from docgen.errors import ArchiveBusy, ArchiveError, VersionMoved, os_error_text


@dataclass(frozen=True)
class PutResult:
    """What put() did: a new document, a new version, or nothing because the latest version matches."""

    doc_id: str
    version: int
    status: str  # "new" | "version" | "unchanged"
    path: Path  # absolute path of the archived file (for "unchanged": the latest version's file)
    sha256: str
    record: dict  # the metadata record of that version
    recovered: list[str] = field(default_factory=list)  # notes of interrupted writes recover() settled first


@dataclass(frozen=True)
class PutItem:
    """One document of a batch (put_many): the same arguments as put()."""

    data: bytes
    project: str
    doc_type: str
    key: tuple[str, ...]
    title: str
    date: datetime.date
    period: str
    ext: str
    source: str
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerUpgrade:
    """What upgrade_ledger() did: the lines it chained (changed False: the chain was already there)."""

    lines: int
    changed: bool
    head: LedgerHead


class Archive:
    """An archive folder. Writers serialise on root/.lock; readers need no lock because every file they
    read is published by an atomic rename."""

    def __init__(self, root: str | Path, *, lock_timeout: float = 30.0) -> None:
        self.root = Path(root).absolute()
        self.lock_timeout = lock_timeout

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        lock_path = self.root / LOCK
        # a fresh lock object per operation: one made before a fork must not be used in the child
        lock = filelock.FileLock(str(lock_path), timeout=self.lock_timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise ArchiveBusy(f"归档库正被另一个进程写入（锁文件 {lock_path}），等待 {self.lock_timeout:g} 秒后仍未释放；"
                              "请稍后重试，或确认没有卡住的 docgen 进程") from None
        try:
            yield
        finally:
            lock.release()

    # --- writing -------------------------------------------------------------------------------

    def put(self, data: bytes, *, project: str, doc_type: str, key: tuple[str, ...] = (), title: str,
            date: datetime.date, period: str, ext: str, source: str,
            template: str | None = None, template_sha256: str | None = None,
            input_sha256: str | None = None, context_sha256: str | None = None,
            warnings: list[str] = (), facts: dict | None = None, doc_no: str | None = None,
            doc_version: str | None = None, expect_version: int | None = None) -> PutResult:
        """Archive `data` as the next version of its document, or report "unchanged" and write nothing.
        `doc_version` is the 版本 the document prints; `expect_version`, the archive version it was worked
        out from: VersionMoved (nothing written) when another writer got there first."""
        check_segment(project, "项目编号")
        check_segment(doc_type, "文档类型")
        ext = check_ext(ext)
        if isinstance(date, datetime.datetime):
            date = date.date()
        doc_id = make_doc_id(project, doc_type, tuple(key))
        sha = hashlib.sha256(data).hexdigest()
        with self._locked():
            recovered = recover_locked(self.root, thorough=False)
            earlier = self.versions(doc_id)
            latest = earlier[-1] if earlier else None
            if latest is not None and _same_content(latest, sha, context_sha256, template_sha256):
                return PutResult(doc_id, latest["version"], "unchanged", self.file_path(latest), latest["sha256"],
                                 latest, recovered)
            version = latest["version"] + 1 if latest else 1
            if expect_version is not None and version != expect_version:
                raise VersionMoved(doc_id, expect_version, version)
            stem = (stem_of(Path(latest["path"]).name) if latest else None) or self._stem_for_new(doc_id)
            final = document_folder(self.root, project, date.year, doc_type) / version_file_name(stem, version, ext)
            record = {
                "doc_id": doc_id, "doc_type": doc_type, "project": project, "key": list(key), "title": title,
                "doc_no": doc_no, "doc_version": doc_version,
                "date": date.isoformat(), "period": period, "version": version, "sha256": sha, "size": len(data),
                "ext": ext, "path": relative(self.root, final), "template": template,
                "template_sha256": template_sha256, "input_sha256": input_sha256, "context_sha256": context_sha256,
                "created_at": datetime.datetime.now().isoformat(timespec="seconds"),
                "generator": f"docgen {docgen.__version__}", "source": source,
                "warnings": list(warnings), "facts": dict(facts or {}),
            }
            self._write_version(data, final, record)
        return PutResult(doc_id, version, "version" if latest else "new", final, sha, record, recovered)

    def put_many(self, items: list[PutItem]) -> list[PutResult]:
        """Archive many documents taken in from elsewhere as one batch under one lock: the same versions and
        "unchanged" rule as put() (bytes decide), the same crash safety, but two syncs for the whole batch
        instead of several fsyncs per file: one intent lists every record; the documents are written and
        renamed into place, then synced at once (the commit point); then the sidecars and the ledger lines
        (one append), synced at once; then the intent goes. recover() settles an interrupted batch record
        by record, as it does a single put."""
        if not items:
            return []
        with self._locked():
            recovered = recover_locked(self.root, thorough=False)
            planned: list[tuple[PutItem, dict, Path, Path]] = []
            results: list[PutResult | None] = []
            latest_of: dict[str, dict | None] = {}
            listing = FolderListing()  # each folder listed once for the whole batch
            taken: dict[tuple[str, str, str], str] = {}  # stems given to the batch's documents (not written yet)
            for item in items:
                check_segment(item.project, "项目编号")
                check_segment(item.doc_type, "文档类型")
                ext = check_ext(item.ext)
                doc_id = make_doc_id(item.project, item.doc_type, tuple(item.key))
                sha = hashlib.sha256(item.data).hexdigest()
                if doc_id not in latest_of:
                    found = self.versions(doc_id, find=listing)
                    latest_of[doc_id] = found[-1] if found else None
                latest = latest_of[doc_id]
                if latest is not None and latest["sha256"] == sha:
                    results.append(PutResult(doc_id, latest["version"], "unchanged", self.file_path(latest), sha,
                                             latest, recovered))
                    continue
                version = latest["version"] + 1 if latest else 1
                stem = (stem_of(Path(latest["path"]).name) if latest else None) or \
                    self._stem_for_new(doc_id, find=listing, taken=taken)
                taken.setdefault((item.project, item.doc_type, stem.lower()), doc_id)
                final = document_folder(self.root, item.project, item.date.year, item.doc_type) / \
                    version_file_name(stem, version, ext)
                record = {
                    "doc_id": doc_id, "doc_type": item.doc_type, "project": item.project, "key": list(item.key),
                    "title": item.title, "doc_no": None, "doc_version": None, "date": item.date.isoformat(),
                    "period": item.period, "version": version, "sha256": sha, "size": len(item.data), "ext": ext,
                    "path": relative(self.root, final), "template": None, "template_sha256": None,
                    "input_sha256": None, "context_sha256": None,
                    "created_at": datetime.datetime.now().isoformat(timespec="seconds"),
                    "generator": f"docgen {docgen.__version__}", "source": item.source, "warnings": [],
                    "facts": dict(item.facts),
                }
                latest_of[doc_id] = record  # a second file of the same identity in the batch: the next version
                planned.append((item, record, final, temp_path_beside(final)))
                results.append(None)
            if planned:
                self._write_batch(planned)
            done = iter(planned)
            out = []
            for result in results:
                if result is None:
                    _, record, final, _ = next(done)
                    result = PutResult(record["doc_id"], record["version"], "version" if record["version"] > 1 else "new",
                                       final, record["sha256"], record, recovered)
                out.append(result)
            return out

    def _write_batch(self, planned: list[tuple[PutItem, dict, Path, Path]]) -> None:
        pending = self.root / PENDING
        intent = pending / f"{uuid.uuid4().hex}.json"
        step = "准备写入（写入意图记录）"
        try:
            for _, record, final, _ in planned:
                for target in (final, sidecar_of(final)):
                    if target.exists():
                        raise ArchiveError(f"归档目标 {relative(self.root, target)} 已存在但不属于 {record['doc_id']} 的"
                                           "已知版本（可能是手工复制进来的）；归档库不会覆盖它，请把它移出归档目录后重试",
                                           file=str(self.root))
            pending.mkdir(exist_ok=True)
            write_atomic(intent, encode_json({"action": "put_batch", "records": [r for _, r, _, _ in planned],
                                              "temps": [relative(self.root, t) for *_, t in planned]}))
            step = "写入文档文件"
            for item, _, final, temp in planned:
                final.parent.mkdir(parents=True, exist_ok=True)
                with open(temp, "xb") as fh:
                    fh.write(item.data)
                os.replace(temp, final)
            sync_all()  # the commit point of every document in the batch
            step = "写入元数据"
            for _, record, final, _ in planned:
                write_unsynced(sidecar_of(final), encode_json(record))
            step = "追加账本"
            append_entries(self.root / LEDGER, [ledger_entry(r) for _, r, _, _ in planned], sync=False)
            sync_all()
            step = "完成写入"
            intent.unlink()
            fsync_dir(pending)
        except OSError as exc:
            raise self._write_failed(exc, step, f"成批归档 {len(planned)} 份文档",
                                     lambda: "；已落盘的文档已补全元数据和账本，其余已回滚") from exc

    def _write_failed(self, exc: OSError, step: str, what: str, settled: Callable[[], str]) -> ArchiveError:
        """An ordinary failure mid-write (disk full, an I/O error, permissions), settled now rather than by the
        next writer — recover() completes what is in place and rolls back the rest; a hard crash never gets here
        and leaves the intent for the next writer's recover() — as a Chinese error naming the step and cause."""
        try:
            recover_locked(self.root, thorough=False)
            done = settled()
        except (OSError, ArchiveError):
            done = "；未完成的写入会在下次写入归档时自动完成或回滚（可先运行 docgen archive verify 查看）"
        return ArchiveError(f"{what}时{step}失败：{os_error_text(exc)}{done}。请排除原因（如清理磁盘空间）后重新运行"
                            "同一命令", file=str(self.root))

    def _stem_for_new(self, doc_id: str, *, find: Callable[[list[Path], list[str]], list[Path]] = candidate_sidecars,
                      taken: dict[tuple[str, str, str], str] | None = None) -> str:
        """The readable stem, unless another document already owns it (then a hash of the doc id); `taken`:
        (project, doc_type, lower-case stem) a batch has already given to its new documents, with their doc ids."""
        project, doc_type, _ = split_doc_id(doc_id)
        folders = doc_type_folders(self.root, project, doc_type)
        for stem in (primary_stem(doc_id), fallback_stem(doc_id)):
            owners = {read_record(self.root, s)["doc_id"] for s in find(folders, [stem])}
            if taken and (project, doc_type, stem.lower()) in taken:
                owners.add(taken[(project, doc_type, stem.lower())])
            if owners <= {doc_id}:
                return stem
        raise ArchiveError(f"无法为 {doc_id} 选出不与其他文档冲突的文件名；请运行 docgen archive verify 检查归档库",
                           file=str(self.root))

    def _write_version(self, data: bytes, final: Path, record: dict) -> None:
        """Intent → document (the rename is the commit point) → sidecar → ledger → drop intent."""
        sidecar = sidecar_of(final)
        for target in (final, sidecar):
            if target.exists():
                raise ArchiveError(f"归档目标 {relative(self.root, target)} 已存在但不属于 {record['doc_id']} 的已知版本"
                                   "（可能是手工复制进来的）；归档库不会覆盖它，请把它移出归档目录后重试",
                                   file=str(self.root))
        temp = temp_path_beside(final)
        pending = self.root / PENDING
        intent = pending / f"{uuid.uuid4().hex}.json"
        step = "准备写入（写入意图记录）"
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            pending.mkdir(exist_ok=True)
            write_atomic(intent, encode_json({"action": "put", "temp": relative(self.root, temp), "record": record}))
            step = "写入文档文件"
            write_temp(temp, data)
            os.replace(temp, final)
            fsync_dir(final.parent)
            step = "写入元数据"
            write_atomic(sidecar, encode_json(record))
            step = "追加账本"
            append_entry(self.root / LEDGER, ledger_entry(record))
            step = "完成写入"
            intent.unlink()
            fsync_dir(pending)
        except OSError as exc:
            raise self._write_failed(exc, step, f"归档 {record['doc_id']} 第 {record['version']} 版", lambda: (
                "；文档文件已落盘，这一版已补全元数据和账本" if sidecar.exists()
                else "；这一版没有归档，归档库已回滚到写入前")) from exc

    def upgrade_ledger(self) -> LedgerUpgrade:
        """Give a ledger written before the hash chain its chain, in place (one atomic rewrite), and record the
        upgrade as a ledger line of its own (the old file's SHA-256 and line count). A chain that is already
        broken is refused: upgrading would hide the break."""
        with self._locked():
            recover_locked(self.root, thorough=False)
            path = self.root / LEDGER
            state = read_ledger(path)
            if state.bad_lines:
                raise ArchiveError(f"账本第 {state.bad_lines[0]} 行不是有效的 JSON；请先从备份恢复账本再升级",
                                   file=str(path))
            entries = [e for _, e in state.entries]
            if all("prev" in e for e in entries):
                return LedgerUpgrade(len(entries), changed=False, head=ledger_head(path))
            report = VerifyReport(checked=0)
            check_chain(state, report)
            broken = [p for p in report.problems if p.kind == "ledger_chain"]
            if broken:
                raise ArchiveError(f"账本的哈希链已断（{broken[0].message}）；升级会掩盖这一点，请先核对账本",
                                   file=str(path))
            old = path.read_bytes()
            lines, prev = [], GENESIS
            for entry in entries:
                line = chain_line({k: v for k, v in entry.items() if k != "prev"}, prev)
                lines.append(line)
                prev = line_hash(line[:-1])
            lines.append(chain_line({"time": datetime.datetime.now().isoformat(timespec="seconds"),
                                     "action": "upgrade", "note": "账本升级为哈希链",
                                     "old_lines": len(entries), "old_sha256": hashlib.sha256(old).hexdigest(),
                                     "generator": f"docgen {docgen.__version__}"}, prev))
            write_atomic(path, b"".join(lines))
            return LedgerUpgrade(len(entries), changed=True, head=ledger_head(path))

    def ledger_head(self) -> LedgerHead:
        """The ledger's line count and last line's hash now (what KPI workbooks and audit reports record)."""
        return ledger_head(self.root / LEDGER)

    def check_head(self, head: LedgerHead) -> str | None:
        """A head recorded earlier (by a document handed out) against the ledger now: None when line `count`
        still hashes to it — the first `count` lines are as they were — else a Chinese description of how
        history was rewritten."""
        state = read_ledger(self.root / LEDGER)
        if head.count == 0:
            return None
        if len(state.hashes) < head.count:
            return (f"账本现在只有 {len(state.hashes)} 行，少于记录时的 {head.count} 行：账本被截短或替换过。这是篡改的迹象；"
                    "请从备份恢复账本")
        if state.hashes[head.count - 1] != head.hash:
            return (f"账本第 {head.count} 行的哈希与记录时不同（记录 {head.hash[:16]}…，现在 "
                    f"{state.hashes[head.count - 1][:16]}…）：在这份文件生成之后，账本的前 {head.count} 行被改写过。"
                    "这是篡改的迹象；请从备份恢复账本，并核对这些行记录的文档")
        return None

    def recover(self) -> list[str]:
        """Complete or roll back writes a crash interrupted (also run by every put); Chinese notes of each step."""
        if not self.root.is_dir():
            return []
        with self._locked():
            return recover_locked(self.root)

    # --- reading -------------------------------------------------------------------------------

    def versions(self, doc_id: str, *, find: Callable[[list[Path], list[str]], list[Path]] = candidate_sidecars
                 ) -> list[dict]:
        """Every archived version's metadata record of one document, ascending by version (`find`: how the
        sidecars are looked up — a batch passes a FolderListing)."""
        project, doc_type, _ = split_doc_id(doc_id)
        folders = doc_type_folders(self.root, project, doc_type)
        if not folders:
            return []
        sidecars = find(folders, [primary_stem(doc_id), fallback_stem(doc_id)])
        found = [r for s in sidecars if (r := read_record(self.root, s))["doc_id"] == doc_id]
        return sorted(found, key=lambda r: r["version"])

    def projects(self) -> list[str]:
        """The project folders under documents/ (including reserved ones such as `_all`), sorted."""
        return [p.name for p in project_folders(self.root)]

    def doc_types(self) -> list[str]:
        """The doc types with documents in any project (built-in and those `archive add` took in), sorted."""
        return doc_type_names(self.root)

    def latest(self, doc_id: str) -> dict | None:
        found = self.versions(doc_id)
        return found[-1] if found else None

    def records(self, *, project: str | None = None, doc_type: str | None = None,
                date_from: datetime.date | None = None, date_to: datetime.date | None = None,
                all_versions: bool = False) -> list[dict]:
        """Metadata records (the latest version of each document unless all_versions), sorted by
        project, date, doc_id, version; dates filter on the record's own date."""
        if project is not None:
            check_segment(project, "项目编号")
        if doc_type is not None:
            check_segment(doc_type, "文档类型")
        found = [read_record(self.root, s) for s in iter_sidecars(self.root, project=project, doc_type=doc_type)]
        if not all_versions:
            newest: dict[str, dict] = {}
            for r in found:
                if r["doc_id"] not in newest or r["version"] > newest[r["doc_id"]]["version"]:
                    newest[r["doc_id"]] = r
            found = list(newest.values())
        low = date_from.isoformat() if date_from else None
        high = date_to.isoformat() if date_to else None
        found = [r for r in found if (low is None or r["date"] >= low) and (high is None or r["date"] <= high)]
        return sorted(found, key=lambda r: (r["project"], r["date"], r["doc_id"], r["version"]))

    def ledger(self) -> list[dict]:
        """The ledger's lines, oldest first; an unfinished last line and unreadable lines are skipped."""
        return [entry for _, entry in read_ledger(self.root / LEDGER).entries]

    def ledger_lines(self) -> list[tuple[int, dict]]:
        """ledger() with each entry's line number (1-based), the 第 N 行 that workbooks' footers and
        `archive verify` name."""
        return list(read_ledger(self.root / LEDGER).entries)

    def ledger_since(self, offset: int) -> tuple[list[dict], int]:
        """Complete ledger lines after byte `offset`, and the offset just past the last of them.
        Lets derived stores (the search index) catch up on what was archived since they last looked;
        an offset beyond the end (the ledger was repaired or replaced) returns ([], -1)."""
        entries, end, _ = self.ledger_lines_since(offset, 0)
        return [entry for _, entry in entries], end

    def ledger_lines_since(self, offset: int, line: int) -> tuple[list[tuple[int, dict]], int, int]:
        """ledger_lines() after byte `offset`, where line `line` ended: the complete lines' entries with their
        line numbers (unreadable lines are counted, not returned), the offset past the last complete line and
        its number. For pages that keep the ledger and read only what was appended; an offset beyond the end
        (the ledger was repaired or replaced) returns ([], -1, -1)."""
        path = self.root / LEDGER
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return ([], 0, 0) if offset == 0 else ([], -1, -1)
        if offset > size:
            return [], -1, -1
        with path.open("rb") as fh:
            fh.seek(offset)
            data = fh.read()
        end = data.rfind(b"\n") + 1  # an unfinished last line waits for its writer (or recovery)
        out = []
        for raw in data[:end].split(b"\n")[:-1]:
            line += 1
            if raw.strip():
                try:
                    entry = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    continue
                if isinstance(entry, dict):
                    out.append((line, entry))
        return out, offset + end, line

    def ledger_size(self) -> int:
        try:
            return (self.root / LEDGER).stat().st_size
        except FileNotFoundError:
            return 0

    def record_of(self, entry: dict, *, strict: bool = False) -> dict | None:
        """The metadata record a ledger line points at (None if its sidecar is gone; `strict`: an unreadable
        sidecar is an ArchiveError naming it rather than None)."""
        try:
            record = read_record(self.root, sidecar_of(resolve_inside(self.root, entry["path"])))
        except ArchiveError:
            if strict:
                raise
            return None
        except (KeyError, OSError):
            return None
        return record if record.get("version") == entry.get("version") else None

    def verify(self) -> VerifyReport:
        """Re-hash every archived file and cross-check metadata and ledger; read-only, never repairs."""
        return verify_archive(self.root)

    def file_path(self, record: dict) -> Path:
        """The archived file of a metadata record (refuses paths outside the archive)."""
        return resolve_inside(self.root, record["path"])

    def read_file(self, record: dict) -> bytes:
        """The bytes of a record's archived file, for handing it to someone else (the auditors' pages).
        Refuses a path outside the archive and anything but a regular file: a symlink (opened with
        O_NOFOLLOW, so one swapped in after the check is refused too), a FIFO, a device, a folder.
        FileNotFoundError when the file is gone; ArchiveError (Chinese) when it is refused."""
        path = self.file_path(record)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        if path.is_symlink():  # O_NOFOLLOW is POSIX only; this covers Windows
            raise ArchiveError(f"归档文件“{record['path']}”是符号链接，拒绝读取；归档文件只能是普通文件，请从备份恢复",
                               file=str(self.root))
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            if exc.errno in (errno.ELOOP, errno.EMLINK):  # O_NOFOLLOW met a symlink (EMLINK on FreeBSD)
                raise ArchiveError(f"归档文件“{record['path']}”是符号链接，拒绝读取；归档文件只能是普通文件，请从备份恢复",
                                   file=str(self.root)) from None
            raise
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise ArchiveError(f"归档文件“{record['path']}”不是普通文件，拒绝读取；请从备份恢复", file=str(self.root))
            return fh.read()


def _same_content(latest: dict, sha: str, context_sha256: str | None, template_sha256: str | None) -> bool:
    # docs/archive.md: "unchanged" means the same rendered context and template; rendering a docx twice
    # gives different bytes (timestamps inside the zip), so bytes decide only without a context hash
    if context_sha256 is not None:
        return latest.get("context_sha256") == context_sha256 and latest.get("template_sha256") == template_sha256
    return latest["sha256"] == sha
