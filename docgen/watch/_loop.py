"""The watcher's loop: watchdog events (or polling, for network shares) wake it early, and it rescans
the inbox periodically anyway, since events get lost on network shares and while observers restart.
Each scan resumes what an earlier run left in .processing, then takes the inbox's completely written
files, in dependency order."""
from __future__ import annotations

import datetime
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from docgen.errors import DocgenError
from docgen.watch._files import StabilityTracker, candidates, classify, in_dependency_order, lone_sidecars
from docgen.watch._inbox import Inbox, Outcome, _inside, claimed_items

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.render import TemplateSet

LOCK = ".watch.lock"
LONE_SIDECAR_AFTER = 120.0  # seconds
INDEX_EVERY = 1.0  # seconds: during a burst the index is updated at least this often (drop → searchable)


class WatcherBusy(DocgenError):
    """Another watcher already serves this archive."""


@dataclass
class WatchSummary:
    """Every file a run handled, in order."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if o.result == "failed")


class Watcher:
    """Turns an inbox into the pipeline. `log` receives one Chinese line per file."""

    def __init__(self, archive: Archive, templates: TemplateSet, inbox: Path | None = None, *,
                 settle: float = 1.0, rescan: float = 10.0, polling: bool = False, poll_interval: float = 1.0,
                 log: Callable[[str], None] = lambda line: None,
                 today: Callable[[], datetime.date] = datetime.date.today) -> None:
        self.archive = archive
        self.inbox = Inbox(Path(inbox) if inbox else archive.root / "inbox", archive, templates)
        self.tracker = StabilityTracker(settle)
        self.rescan = rescan
        self.polling = polling
        self.poll_interval = poll_interval
        self.log = log
        self.today = today
        # a sidecar alone in the inbox this long is refused (its document was never dropped); --once
        # settles what is there, so there it is the settle time
        self.lone_after = LONE_SIDECAR_AFTER
        self.wake = threading.Event()
        self.stop = threading.Event()

    # --- one pass ----------------------------------------------------------------------------------

    def scan(self) -> tuple[list[Outcome], int]:
        """Resume claimed files, claim and process the ready inbox files; returns the outcomes and how
        many files are still waiting (being written)."""
        self.inbox.root.mkdir(parents=True, exist_ok=True)
        self.inbox.forget_known()
        self.inbox.settle_orphan_sidecars()
        resumed = claimed_items(self.inbox)
        present = candidates(self.inbox.root)
        self.tracker.prune(set(present))
        ready = [p for p in present if self.tracker.ready(p)]
        waiting = len(present) - len(ready)
        lone = lone_sidecars(self.inbox.root, older_than=self.lone_after)
        items = in_dependency_order(resumed + [classify(p) for p in ready] + lone)
        outcomes = []
        indexed = time.monotonic()
        unindexed = False  # documents archived since the index was last updated
        for item in items:
            # before a generation (seconds) starts, what is already archived becomes searchable
            if unindexed and (item.what == "input" or time.monotonic() - indexed >= INDEX_EVERY):
                self._update_index()
                indexed, unindexed = time.monotonic(), False
            if self.stop.is_set():
                break
            if not _inside(item.path, self.inbox.processing):
                claimed = self.inbox.claim(item.path)
                self.tracker.forget(item.path)
                if claimed is None:
                    waiting += item.path.exists()  # held back behind its namesake: the next scan takes it
                    continue
                item.path = claimed
            outcome = self.inbox.process(item, today=self.today())
            self.log(outcome.line())
            outcomes.append(outcome)
            unindexed = unindexed or outcome.result in ("ok", "duplicate")
            if outcome.result == "retry":
                waiting += 1
        if unindexed:
            self._update_index()
        return outcomes, waiting

    def _update_index(self) -> None:
        """Index what was archived since the last update, in one commit (a burst of files would spend
        most of its time in per-file index commits); a failure is caught up by the next update."""
        from docgen.search import index_after_write

        try:
            for note in index_after_write(self.archive):
                self.log(f"注意：{note}")
        except DocgenError as exc:
            self.log(f"注意：搜索索引暂未更新（{exc}），下次处理文件或搜索时会自动补齐")

    def run_once(self) -> WatchSummary:
        """Process everything in the inbox (waiting for files still being written) and return."""
        summary = WatchSummary()
        self.lone_after = self.tracker.settle
        with self._lock():
            while not self.stop.is_set():
                outcomes, waiting = self.scan()
                summary.outcomes += outcomes
                if not waiting and not outcomes:
                    break
                if waiting:
                    time.sleep(max(min(self.tracker.settle / 4, 0.5), 0.05))
        return summary

    # --- watching ----------------------------------------------------------------------------------

    def run_forever(self) -> WatchSummary:
        """Watch until stop is set (SIGINT/SIGTERM in the CLI); the file in hand is finished first."""
        summary = WatchSummary()
        with self._lock():
            self.inbox.root.mkdir(parents=True, exist_ok=True)
            observer = self._observer()
            try:
                while not self.stop.is_set():
                    self.wake.clear()
                    outcomes, waiting = self.scan()
                    summary.outcomes += outcomes
                    if outcomes:
                        continue  # more may have arrived meanwhile
                    timeout = max(min(self.tracker.settle / 4, 0.5), 0.05) if waiting else self.rescan
                    self.wake.wait(timeout)
            finally:
                if observer is not None:
                    observer.stop()
                    observer.join(timeout=5)
        return summary

    def _observer(self) -> Any:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        watcher = self

        tracker = self.tracker

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                kind = event.event_type
                if kind in ("opened", "closed_no_write"):
                    return  # readers (docgen's own among them) change nothing
                src = Path(event.src_path) if event.src_path else None
                dest = Path(event.dest_path) if getattr(event, "dest_path", "") else None
                if not event.is_directory:
                    if kind == "modified" and src is not None:
                        tracker.modified(src)
                    elif kind == "closed" and src is not None:
                        tracker.closed(src)
                    elif kind == "moved":
                        if src is not None:
                            tracker.forget(src)
                        if dest is not None:
                            tracker.closed(dest)  # renamed into place: complete (Office's save)
                    elif src is not None:
                        tracker.touched(src)
                watcher.wake.set()

        observer = PollingObserver(timeout=self.poll_interval) if self.polling else Observer()
        # close-write events exist only where the kernel reports them (inotify); polling sees none
        tracker.events = not self.polling and type(observer).__name__ == "InotifyObserver"
        try:
            observer.schedule(Handler(), str(self.inbox.root), recursive=True)
            observer.start()
        except OSError as exc:  # e.g. inotify watch limit reached: periodic rescans still work
            tracker.events = False
            self.log(f"注意：无法监听文件系统事件（{exc}），改为每 {self.rescan:g} 秒扫描一次收件箱")
            return None
        return observer

    def _lock(self) -> Any:
        from filelock import FileLock, Timeout

        self.archive.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.archive.root / LOCK))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise WatcherBusy(f"另一个 docgen watch 正在处理归档库 {self.archive.root} 的收件箱；"
                              "同一归档库只能运行一个监视进程（先停止它，或等它处理完）") from None
        return _Release(lock)


class _Release:
    def __init__(self, lock: Any) -> None:
        self.lock = lock

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        self.lock.release()

