"""What the watcher looks at in the inbox: which names to ignore, when a file is completely written,
what a file is (an input of some kind, or a document to archive) and in which order a scan takes them."""
from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import DocgenError
from docgen.ingest import not_plain, special_file
from docgen.inputs import TEMPORARY_NAMES, temporary_name

PROCESSING = ".processing"
META_SUFFIX = ".meta.yaml"  # sidecar <file>.meta.yaml: project, type, date, period, title, service_no
INPUT_SUFFIXES = (".yaml", ".yml", ".json")
DOCUMENT_SUFFIXES = (".docx", ".xlsx", ".pdf", ".txt", ".md")
# editors' lock files, partial downloads and system files: never touched (the same names `generate DIR` skips)
IGNORED = TEMPORARY_NAMES

UNREADABLE_STAGE = 0  # an input whose kind cannot be read fails anyway; it goes first, holding nothing up
# documents to archive as they are (`archive add`) depend on no input and no input generated before the packs
# reads them: they go first, so a memo dropped beside a plan is searchable without waiting for the plan's
# generation (the packs, service reports and acceptance that may list them still come after)
DOCUMENT_STAGE = -1


def ignored(name: str) -> bool:
    """Temp, lock, hidden and system files (and sidecars, which travel with their document)."""
    if name.startswith(".") or name.lower().endswith(META_SUFFIX):
        return True
    return temporary_name(name)


def candidates(inbox: Path) -> list[Path]:
    """Every file under the inbox (sub-folders included) the watcher should take, by relative path;
    hidden folders (.processing among them) are skipped. A symbolic link to a folder is listed like a file
    (and refused), never followed."""
    found = []
    for folder, dirs, files in os.walk(inbox):
        links = [d for d in dirs if not d.startswith(".") and os.path.islink(os.path.join(folder, d))]
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in links)
        for name in sorted(files + links):
            if not ignored(name):
                found.append(Path(folder) / name)
    return found


def lone_sidecars(inbox: Path, *, older_than: float) -> list[Classified]:
    """Sidecars left in the inbox without their document for `older_than` seconds: refused, so they
    go to failed/ with a reason instead of waiting in the inbox unnoticed."""
    found = []
    now = time.time()
    for folder, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.lower().endswith(META_SUFFIX) or name.startswith("."):
                continue
            path = Path(folder) / name
            document = path.with_name(name[: -len(META_SUFFIX)])
            try:
                quiet = now - path.stat().st_mtime
            except OSError:
                continue
            if not document.exists() and quiet >= older_than:
                found.append(Classified(path, "refused", reason=(
                    f"说明文件 {name} 旁边没有它说明的文档 {document.name}；请把文档和说明文件一起放入收件箱"
                    "（说明文件的名字是 文档全名 + .meta.yaml）")))
    return found


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float  # monotonic time the file was first seen with this size and mtime


class StabilityTracker:
    """When a file in the inbox is completely written. Three guards, each for what the others cannot see:

    * file events (inotify, `events=True`): a file someone modified is not ready until its writer closed it
      (close-write) or it was renamed into place — a writer pausing mid-file (a scanner, Word's save, a copy
      over SMB) holds it back however long the pause;
    * on Linux, a read lease is refused while any process has the file open for writing: catches writers that
      started before the watcher (no events seen) and files created but not yet written;
    * size and mtime unchanged for `settle` seconds since the last event: the only guard on network shares
      (`--polling`), where neither events nor leases exist — hence the longer settle there.
    """

    def __init__(self, settle: float, *, events: bool = False) -> None:
        self.settle = settle
        self.events = events
        self._seen: dict[Path, _Seen] = {}
        self._writing: dict[Path, bool] = {}  # True: modified since its last close-write (events only)

    def touched(self, path: Path) -> None:
        """An event for the path: its quiet period starts again."""
        self._seen.pop(path, None)

    def modified(self, path: Path) -> None:
        """A writer changed the file: not ready before it closes it."""
        self._seen.pop(path, None)
        if self.events:
            self._writing[path] = True

    def closed(self, path: Path) -> None:
        """Its writer closed it, or it was renamed into place: ready once it then stays unchanged."""
        self._seen.pop(path, None)
        self._writing.pop(path, None)

    def ready(self, path: Path, *, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        try:
            st = os.lstat(path)  # a link's own size and time: what it points at is never looked at
        except OSError:
            self._seen.pop(path, None)
            return False
        if self._writing.get(path):
            return False
        seen = self._seen.get(path)
        if seen is None or seen.size != st.st_size or seen.mtime_ns != st.st_mtime_ns:
            self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now)
            quiet = self.settle <= 0
        else:
            quiet = now - seen.since >= self.settle
        if not quiet or not _sidecar_settled(path):
            return False
        if stat.S_ISREG(st.st_mode) and open_for_writing(path):
            self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now)  # its quiet period starts when it closes
            return False
        return True

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)
        self._writing.pop(path, None)

    def prune(self, present: set[Path]) -> None:
        for path in list(self._seen):
            if path not in present:
                del self._seen[path]
        for path in list(self._writing):
            if path not in present:
                del self._writing[path]


def open_for_writing(path: Path) -> bool:
    """Whether some process has the regular file open for writing, as far as Linux can tell: a read lease is
    refused while a writer has the file. False where it cannot be told (another user's file, a network file
    system, not Linux): the other guards decide then."""
    import errno
    import fcntl
    import signal

    if not hasattr(fcntl, "F_SETLEASE"):
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        # a writer opening the file during the microseconds the lease is held breaks it with a signal: SIGURG,
        # which is ignored by default, instead of SIGIO, which would end the process
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
        try:
            fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
        except OSError as exc:
            return exc.errno == errno.EAGAIN
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return False
    except OSError:
        return False
    finally:
        os.close(fd)


def _sidecar_settled(path: Path) -> bool:
    """A sidecar being written next to its document holds the document back until it is complete."""
    sidecar = sidecar_of(path)
    try:
        st = os.lstat(sidecar)
    except OSError:
        return True
    return time.time() - st.st_mtime >= 0.2


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + META_SUFFIX)


@dataclass
class Classified:
    """A file and what it is: an input of `kind`, a document to archive, or something refused."""

    path: Path
    what: str  # input | document | refused
    kind: str = ""
    reason: str = ""

    @property
    def stage(self) -> int:
        from docgen.kinds import stage_of  # each kind declares its stage

        if self.what == "document":
            return DOCUMENT_STAGE
        if self.what == "input" and self.kind:
            try:
                return stage_of(self.kind)
            except KeyError:
                return UNREADABLE_STAGE
        return UNREADABLE_STAGE


def classify(path: Path) -> Classified:
    """Dispatch by content: YAML/JSON are inputs; an .xlsx with a `kind` is a 录入表 (input), any other
    .xlsx, and .docx/.pdf/.txt/.md, are documents; anything else is refused with a reason, and so is anything
    that is not a plain file (a link, a FIFO, a device), whatever its name."""
    what = special_file(path)
    if what is not None:
        return Classified(path, "refused", reason=not_plain(path, what))
    what = special_file(sidecar_of(path))
    if what is not None:
        return Classified(path, "refused", reason=not_plain(sidecar_of(path), what, sidecar=True))
    suffix = path.suffix.lower()
    if suffix in INPUT_SUFFIXES:
        from docgen.inputs import read_input

        try:
            return Classified(path, "input", read_input(path).kind)
        except DocgenError:
            return Classified(path, "input", "")  # generate reports why it cannot be read
    if suffix == ".xlsx":
        from docgen.inputs import form_kind

        try:
            kind = form_kind(path)
        except DocgenError:
            kind = None
        return Classified(path, "input", kind) if kind else Classified(path, "document")
    if suffix in DOCUMENT_SUFFIXES:
        return Classified(path, "document")
    return Classified(path, "refused", reason=(
        f"不支持的文件类型“{path.suffix or '（无扩展名）'}”：收件箱只接受输入文件（.yaml/.yml/.json 或 docgen 录入表 .xlsx）"
        "和要归档的文档（.docx/.xlsx/.pdf/.txt/.md）"))


def in_dependency_order(items: list[Classified]) -> list[Classified]:
    """Stable by stage, then by name, so one scan of a whole project equals generating it in order."""
    return sorted(items, key=lambda c: (c.stage, str(c.path)))
