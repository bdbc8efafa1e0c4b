"""The search index under the archive root: derived from the archive, caught up from the ledger,
rebuilt beside the live copy and swapped in atomically.

Layout: ARCHIVE/index/CURRENT names the live generation folder (gen-…); each generation holds the
engine's files and state.json {schema_version, analyzer_id, backend, ledger_offset}. The ledger offset
is how far the index has absorbed the archive: anything archived after it (even by a process that died
before indexing) is indexed by the next catch-up. The engine (Whoosh by default, or tantivy) is the one
ARCHIVE/config/search.yaml names (_config.py); this module only talks to the IndexBackend protocol."""
from __future__ import annotations

import datetime
import json
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from docgen.errors import DocgenError, os_error_text
from docgen.search._analysis import ANALYZER_ID
from docgen.search._backend import IndexDoc, SearchFilters
from docgen.search._config import (
    BACKENDS,
    DEFAULT_BACKEND,
    backend_class,
    configured_backend,
    is_installed,
    missing_message,
    write_backend,
)
from docgen.search._errors import BackendMissing, IndexBusy, QueryError, SearchConfigError

if TYPE_CHECKING:
    from docgen.archive import Archive

SCHEMA_VERSION = 1  # a state.json without "backend" (written before tantivy) is a Whoosh generation
Progress = Callable[[int, int], None]


@dataclass
class SearchHit:
    doc_id: str
    doc_type: str
    project: str
    title: str
    date: str
    path: str  # absolute path of the archived file
    score: float
    snippet: str
    version: int

    def as_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("doc_id", "doc_type", "project", "title", "date", "path",
                                              "score", "snippet")}


@dataclass
class SearchResult:
    hits: list[SearchHit]
    notes: list[str] = field(default_factory=list)
    # how many documents match in all: exact, or estimated (`total_exact` False: a phrase was checked in
    # only some candidates' text), or at least this many (`total_more`: counting stopped at `count_to`)
    total: int = 0
    total_exact: bool = True
    total_more: bool = False


def _index_root(archive: Archive) -> Path:
    return archive.root / "index"


def _lock(root: Path, timeout: float) -> Any:
    import filelock

    root.mkdir(parents=True, exist_ok=True)
    return filelock.FileLock(str(root / ".lock"), timeout=timeout)


def _current(root: Path) -> Path | None:
    try:
        name = (root / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    folder = root / name
    return folder if name and folder.is_dir() else None


def _read_state(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / "state.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_state(folder: Path, state: dict[str, Any]) -> None:
    from docgen.archive import write_atomic

    write_atomic(folder / "state.json", json.dumps(state, ensure_ascii=False, indent=2).encode("utf-8"))


def _index_doc(archive: Archive, record: dict[str, Any]) -> IndexDoc:
    from docgen.facts import FactsError, read_doc  # not at the top: `docgen search` need not load pydantic
    from docgen.search._extract import UnsupportedDocument, extract_text

    path = archive.file_path(record)
    try:
        text = extract_text(path)
    except UnsupportedDocument:
        text = ""  # archived before checks existed or damaged since: still findable by its metadata
    try:
        service_no = read_doc(record).service_no or ""
    except FactsError:
        service_no = ""  # the index is for finding documents: damaged facts must not keep one out of it
    head = " ".join(x for x in (record["title"], record["doc_id"], service_no, record.get("period") or "") if x)
    return IndexDoc(
        uid=f"{record['doc_id']}#v{record['version']}", doc_id=record["doc_id"], doc_type=record["doc_type"],
        project=record["project"], title=record["title"], date=datetime.date.fromisoformat(record["date"]),
        period=record.get("period") or "", version=int(record["version"]), path=record["path"],
        content=f"{head}\n{text}", service_no=service_no)


def _generation_backend(state: dict[str, Any]) -> str:
    return str(state.get("backend") or DEFAULT_BACKEND)


def _rebuild_locked(archive: Archive, root: Path, progress: Progress | None) -> int:
    backend_name = configured_backend(archive.root)
    engine = backend_class(backend_name, archive.root)
    _, offset = archive.ledger_since(0)  # taken first: anything archived during the build is caught up later
    records = archive.records(all_versions=True) if archive.root.is_dir() else []
    newest: dict[str, int] = {}
    for record in records:
        newest[record["doc_id"]] = max(newest.get(record["doc_id"], 0), int(record["version"]))
    folder = root / f"gen-{datetime.datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    backend = engine.create(folder)

    def docs() -> Any:
        # one document at a time: tantivy indexes on its own threads while the next text is extracted
        for record in records:
            doc = _index_doc(archive, record)
            doc.latest = doc.version >= newest[doc.doc_id]
            yield doc

    count = backend.build(docs(), total=len(records), progress=progress)
    _write_state(folder, {"schema_version": SCHEMA_VERSION, "analyzer_id": ANALYZER_ID, "backend": backend_name,
                          "ledger_offset": max(offset, 0), "documents": count})
    from docgen.archive import write_atomic

    previous = _current(root)
    write_atomic(root / "CURRENT", folder.name.encode("utf-8"))  # the swap: readers see old or new, never none
    # keep the generation just replaced (a search may still be reading it); drop older ones and
    # folders a crashed rebuild left behind
    for old in root.glob("gen-*"):
        if old not in (folder, previous):
            shutil.rmtree(old, ignore_errors=True)
    return count


def rebuild(archive: Archive, *, backend: str | None = None, progress: Progress | None = None,
            timeout: float = 60.0) -> int:
    """Rebuild the index from the archive alone; returns the number of indexed document versions.
    `backend` ("whoosh" or "tantivy") first records that engine in ARCHIVE/config/search.yaml; the new
    generation replaces the old one with the same atomic swap, so searches go on during the switch."""
    root = _index_root(archive)
    import filelock

    if backend is not None:
        if backend not in BACKENDS:
            raise SearchConfigError(f"未知的搜索引擎“{backend}”；可选 {' 或 '.join(BACKENDS)}")
        if not is_installed(backend):
            raise BackendMissing(missing_message(backend, archive.root, switching=True))
    try:
        with _lock(root, timeout):
            if backend is not None:
                # the wish first: if the build below is cut off, the next catch-up finishes the switch
                write_backend(archive.root, backend)
            return _rebuild_locked(archive, root, progress)
    except filelock.Timeout:
        raise IndexBusy(f"搜索索引正被另一个进程更新（锁文件 {root / '.lock'}），等待 {timeout:g} 秒后仍未释放；请稍后重试") from None


def _catch_up_locked(archive: Archive, root: Path) -> list[str]:
    folder = _current(root)
    if folder is None:
        if not archive.root.is_dir():
            return []
        _rebuild_locked(archive, root, None)  # first use: building it is routine, nothing to report
        return []
    state = _read_state(folder)
    if state.get("schema_version") != SCHEMA_VERSION or state.get("analyzer_id") != ANALYZER_ID:
        count = _rebuild_locked(archive, root, None)
        return [f"搜索索引的结构或分词方式已更新（{state.get('analyzer_id')} → {ANALYZER_ID}），"
                f"已从归档库重建（{count} 个文档版本）"]
    wanted = configured_backend(archive.root)
    if _generation_backend(state) != wanted:
        count = _rebuild_locked(archive, root, None)
        return [f"搜索引擎已按 {archive.root / 'config' / 'search.yaml'} 改为 {wanted}"
                f"（原为 {_generation_backend(state)}），已从归档库重建索引（{count} 个文档版本）"]
    entries, offset = archive.ledger_since(int(state.get("ledger_offset", 0)))
    if offset < 0:
        count = _rebuild_locked(archive, root, None)
        return [f"归档账本与索引记录不一致，已从归档库重建搜索索引（{count} 个文档版本）"]
    if offset == state.get("ledger_offset"):
        return []
    docs = []
    for entry in entries:
        if entry.get("action") != "put":
            continue
        record = archive.record_of(entry)
        if record is not None:
            docs.append(_index_doc(archive, record))
    if docs:
        backend_class(_generation_backend(state), archive.root).open(folder).add(docs)
    state["ledger_offset"] = offset
    _write_state(folder, state)
    return []


def catch_up(archive: Archive, *, timeout: float = 30.0) -> list[str]:
    """Index whatever the archive holds that the index has not absorbed yet (new writes, writes whose
    indexing was cut off, a missing or outdated index). Returns Chinese notes of rebuilds."""
    import filelock

    root = _index_root(archive)
    if not archive.root.is_dir():
        return []
    try:
        with _lock(root, timeout):
            return _catch_up_locked(archive, root)
    except filelock.Timeout:
        raise IndexBusy(f"搜索索引正被另一个进程更新（锁文件 {root / '.lock'}），等待 {timeout:g} 秒后仍未释放；"
                        "文档已归档，稍后运行 docgen reindex 或再次搜索即可补齐索引") from None


def index_after_write(archive: Archive) -> list[str]:
    """Called after every archive write. The archive is the truth: when indexing fails the document
    stays archived and a note says the next search or `docgen reindex` will catch up."""
    try:
        return catch_up(archive)
    except DocgenError as exc:
        return [f"文档已归档，但搜索索引暂未更新（{exc}）；下次搜索或运行 docgen reindex 时会自动补齐"]
    except OSError as exc:  # the index's disk (full, failing): the archive already holds the document
        return [f"文档已归档，但搜索索引暂未更新（{os_error_text(exc)}）；排除原因后，下次搜索或运行 docgen reindex 时会自动补齐"]


def _check_query(text: str) -> str:
    query = text.strip()
    if not query:
        raise QueryError("搜索内容为空；请输入要查找的文字，例如：docgen search 网卡")
    if query.count('"') % 2:
        raise QueryError(f"查询语法错误：引号未配对（{query}）；短语请用一对英文双引号括起来，例如 \"网卡 故障\"")
    depth = 0
    for ch in query:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth:
        raise QueryError(f"查询语法错误：括号未配对（{query}）；请检查 ( 和 )")
    return query


SORTS = ("relevance", "date")


def search(archive: Archive, text: str, *, filters: SearchFilters = SearchFilters(), limit: int = 20,
           offset: int = 0, sort: str = "relevance", count_to: int = 0) -> SearchResult:
    """Full-text search: hits offset … offset+limit, best first (`sort="date"`: newest first), and how
    many match in all (counted up to `count_to`; only the page's hits load their text and snippets).
    Catches the index up with the archive first (briefly waiting for another writer; if it stays busy
    the current index is searched and a note says so)."""
    query = _check_query(text)
    if limit < 1:
        raise QueryError(f"--limit 应为正整数，实际为 {limit}")
    if offset < 0 or sort not in SORTS:
        raise QueryError(f"分页或排序参数无效（offset={offset}，sort={sort}）；排序应为 relevance 或 date")
    notes: list[str] = []
    try:
        notes.extend(catch_up(archive, timeout=5.0))
    except IndexBusy:
        notes.append("搜索索引正由其他进程更新，本次结果可能不含最新归档的文档")
    folder = _current(_index_root(archive))
    if folder is None:
        return SearchResult([], notes)
    engine = backend_class(_generation_backend(_read_state(folder)), archive.root)
    page = engine.open(folder).search(query, filters, limit, offset=offset, by_date=sort == "date",
                                      count_to=count_to)
    # the engine's order is the order: best first (or newest first), equal scores in the engine's own order,
    # which does not depend on the limit — so page 2 continues page 1 and `--limit 1000` starts with the
    # page's 20. (Sorting each page's equal scores by another key would break that: a tie straddling the
    # page's end would sort differently on the two pages.)
    raw = page.hits
    hits = [SearchHit(doc_id=h.fields["doc_id"], doc_type=h.fields["doc_type"], project=h.fields["project"],
                      title=h.fields["title"], date=h.fields["date"].date().isoformat(),
                      path=str(archive.root / h.fields["path"]), score=round(h.score, 4), snippet=h.snippet,
                      version=int(h.fields["version"]))
            for h in raw]
    return SearchResult(hits, notes, page.total, page.exact, page.more)
