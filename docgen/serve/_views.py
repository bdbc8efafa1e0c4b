"""The auditors' pages: each view parses its request, calls the library functions the command line uses
(search, ArchiveView, run_kpi, audit_project, report_schedule, open_leftovers, Archive) and renders a
template or JSON. Nothing here writes to the archive; searching may catch the index up, as
`docgen search` does."""
from __future__ import annotations

import datetime
import hashlib
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from docgen.archive import Archive, check_filters, require_project
from docgen.doctypes import DOC_TYPES, doc_type_title
from docgen.errors import ArchiveError, BadArgument, DocgenError
from docgen.facts import ArchivedDoc, PlanFacts, read_doc, view_of
from docgen.numbers import fmt_num, target_text
from docgen.periods import period_label

PER_PAGE = 20
MAX_HITS = 1000  # a search page lists at most this many hits (50 pages); filters narrow it down
MAX_PAGES = MAX_HITS // PER_PAGE
# uvicorn runs page handlers in parallel threads, and the search index's open searcher (docgen.search keeps one
# per process) is not safe to share between threads: concurrent searches gave HTTP 500 (zlib and unpickling
# errors inside Whoosh). Searches take turns; they are CPU-bound Python under one GIL anyway.
_SEARCH_TURN = threading.Lock()
# how a document came into the archive, in the auditors' words (the ledger and sidecars keep the codes)
SOURCES = {"generate": "生成", "demo": "示例项目", "watch": "收件箱", "archive add": "外部归档", "archive import": "成批导入",
           "kpi": "KPI 统计", "audit": "交付审计"}


def source_name(source: str | None) -> str:
    return SOURCES.get(source or "", source or "")
LEDGER_PER_PAGE = 200
SORTS = {"relevance": "相关度", "date": "日期"}
FREQUENCIES = {"monthly": "每月", "weekly": "每周", "quarterly": "每季度", "per_service": "每次服务"}
SEVERITIES = {"error": "严重", "warning": "一般", "info": "提示"}
STATES = {"delivered": "已交付", "missing": "缺失", "due": "本月应交", "not-due": "不需交付"}
ACTIONS = {"put": "归档", "upgrade": "账本升级"}
VERIFY_OK = "校验通过：文件与归档时的 SHA-256 一致"
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_MARK = re.compile(r"【(.*?)】")


class PageError(Exception):
    """A request the pages cannot answer: HTTP status and the Chinese message the error page shows."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


# --- URLs and rendering --------------------------------------------------------------------------------


def doc_url(doc_id: str, version: int | None = None, *, base: str = "/doc/") -> str:
    url = base + quote(doc_id, safe="/")
    return f"{url}?v={version}" if version is not None else url


def download_url(doc_id: str, version: int | None = None) -> str:
    return doc_url(doc_id, version, base="/download/")


def project_url(code: str) -> str:
    return "/project/" + quote(code, safe="")


def with_query(path: str, **params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "", False)}
    return f"{path}?{urlencode(kept)}" if kept else path


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = request.app.state.pages.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status)


def archive_of(request: Request) -> Archive:
    return request.app.state.archive


def today_of(request: Request) -> datetime.date:
    return request.app.state.today()


# --- request parsing -----------------------------------------------------------------------------------


def _text(request: Request, name: str) -> str:
    return request.query_params.get(name, "").strip()


def _day(request: Request, name: str, label: str) -> datetime.date | None:
    value = _text(request, name)
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise BadArgument(f"{label}“{value}”格式不对：应为 YYYY-MM-DD，例如 2025-03-01") from None


def _page_number(request: Request) -> int:
    value = _text(request, "page") or "1"
    if not value.isdigit() or int(value) < 1:
        raise BadArgument(f"页码“{value}”无效：应为从 1 开始的整数")
    return int(value)


def _month(request: Request) -> str:
    value = _text(request, "month")
    if not value:  # the last complete month: the one a monthly KPI is usually asked for
        first = today_of(request).replace(day=1)
        return (first - datetime.timedelta(days=1)).strftime("%Y-%m")
    if not _MONTH.fullmatch(value):
        raise BadArgument(f"月份“{value}”格式不对：应为 YYYY-MM（例如 2025-03），月份为 01–12")
    return value


def _project_filter(request: Request) -> str | None:
    value = _text(request, "project")
    return require_project(archive_of(request), value) if value else None


def _versions_from_ledger(archive: Archive, doc_id: str) -> list[ArchivedDoc]:
    """A document's versions from its ledger lines (each names its file): one metadata read per version, where
    the archive's own lookup lists the document type's folder (45 ms for a folder of 10 000 documents).
    Anything unexpected (a sidecar gone, unreadable, a file replaced by a link) returns [] and the archive's own
    lookup decides, with its own messages."""
    found: dict[int, ArchivedDoc] = {}
    for _, entry in _ledger_by_doc(archive).get(doc_id, []):
        if entry.get("action") == "put" and entry.get("path"):
            try:
                record = archive.record_of(entry, strict=True)
            except ArchiveError:
                return []
            if record is None or record.get("doc_id") != doc_id:
                return []
            found[record["version"]] = read_doc(record)
    return [found[v] for v in sorted(found)]


def _lookup(request: Request) -> tuple[list[ArchivedDoc], ArchivedDoc]:
    """Every version of the document the URL names (looked up among the archive's records, never joined
    onto a path) and the one asked for (?v=N, else the latest). PageError 404 otherwise."""
    doc_id = request.path_params["doc_id"]
    try:
        versions = _versions_from_ledger(archive_of(request), doc_id) or view_of(archive_of(request)).versions(doc_id)
    except ArchiveError as exc:
        if exc.file:  # an unreadable metadata file names itself: the error page says which, not "no such document"
            raise
        versions = []  # not a document id at all (../, an absolute path, a bad project or type)
    if not versions:
        raise PageError(404, f"归档库中没有文档“{doc_id}”；请从搜索结果或项目页面进入文档")
    wanted = _text(request, "v")
    if not wanted:
        return versions, versions[-1]
    chosen = next((d for d in versions if wanted.isdigit() and d.version == int(wanted)), None)
    if chosen is None:
        raise PageError(404, f"文档“{doc_id}”没有第 {wanted} 版（已有第 1–{versions[-1].version} 版）")
    return versions, chosen


def _read(request: Request, doc: ArchivedDoc) -> bytes:
    try:
        return archive_of(request).read_file(doc.record)
    except FileNotFoundError:
        raise PageError(404, f"{doc.citation()}的归档文件缺失；请联系归档库管理员从备份恢复") from None
    except ArchiveError as exc:
        raise PageError(404, f"{doc.citation()}的归档文件拒绝读取：{exc.message}") from None


# --- home, projects -----------------------------------------------------------------------------------


_MEMO: dict[tuple[str, str], Any] = {}
# one thread reads and builds what the pages remember while the others wait for it: at 200 000 documents a
# first build takes seconds, and every page asked meanwhile building it again (a browser's first visit asks for
# several) kept the server from answering for over a minute. Re-entrant: one memo is built from another.
_BUILD_TURN = threading.RLock()


def _memo(archive: Archive, name: str, build: Callable[[], Any]) -> Any:
    """What `build` computes from the archive, remembered until the archive changes — every write appends a ledger
    line, so the ledger's size says when (pages that scan the whole ledger cost seconds at 20 000 documents; the
    auditors' pages are read far more often than the archive is written)."""
    key = (str(archive.root), name)
    size = archive.ledger_size()
    with _BUILD_TURN:
        found = _MEMO.get(key)
        if found is not None and found[0] == size:
            return found[1]
        value = build()
        _MEMO[key] = (size, value)
        return value


def _ledger_lines(archive: Archive) -> list[tuple[int, dict[str, Any]]]:
    """The ledger's numbered lines; after a write only the appended lines are read (the ledger only grows; one
    that shrank or was replaced is read whole again)."""
    key = (str(archive.root), "ledger")
    with _BUILD_TURN:
        found = _MEMO.get(key)
        offset, line, lines = found if found is not None else (0, 0, [])
        more, new_offset, new_line = archive.ledger_lines_since(offset, line)
        if new_offset < 0:
            more, new_offset, new_line = archive.ledger_lines_since(0, 0)
            lines = []
        if new_offset == offset and found is not None:
            return lines
        lines = lines + more
        _MEMO[key] = (new_offset, new_line, lines)
        return lines


def _ledger_by_doc(archive: Archive) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """The remembered ledger lines by document, for a document page (at 200 000 documents scanning the whole
    ledger for one document's lines was most of the page); extended with the appended lines only."""
    lines = _ledger_lines(archive)
    key = (str(archive.root), "by_doc")
    with _BUILD_TURN:
        found = _MEMO.get(key)
        done, last, index = found if found is not None else (0, None, {})
        # the same lines grown (their objects are kept), else the ledger was read afresh: index it again
        if done > len(lines) or (done and lines[done - 1] is not last):
            done, index = 0, {}
        if done == len(lines) and found is not None:
            return index
        # extended in place: a page reading it meanwhile sees its document's lines, at most one more
        for line_entry in lines[done:]:
            index.setdefault(line_entry[1].get("doc_id") or "", []).append(line_entry)
        _MEMO[key] = (len(lines), lines[-1] if lines else None, index)
        return index


def _project_rows(archive: Archive) -> list[dict[str, Any]]:
    return _memo(archive, "projects", lambda: _build_project_rows(archive))


def _build_project_rows(archive: Archive) -> list[dict[str, Any]]:
    view = view_of(archive)
    # documents per project from the remembered ledger index (every archived document has its lines there), not
    # from reading every sidecar (20 s at 200 000 documents)
    counts = Counter(doc_id.split("/", 1)[0] for doc_id, lines in _ledger_by_doc(archive).items()
                     if doc_id and any(entry.get("action") == "put" for _, entry in lines))
    rows = []
    for code in view.projects():
        plan = view.plan_facts(code)
        rows.append({"code": code, "url": project_url(code), "has_plan": plan is not None,
                     "name": plan.name if plan else "", "customer": plan.customer if plan else "",
                     "start": plan.start.isoformat() if plan else "", "end": plan.end.isoformat() if plan else "",
                     "documents": counts[code]})
    return rows


def home(request: Request) -> Response:
    return render(request, "home.html", projects=_project_rows(archive_of(request)))


def projects(request: Request) -> Response:
    return render(request, "projects.html", projects=_project_rows(archive_of(request)))


# --- search ---------------------------------------------------------------------------------------------


@dataclass
class SearchPage:
    query: str
    filters: dict[str, Any]
    sort: str
    page: int
    count: int
    hits: list[dict[str, Any]]
    notes: list[str]
    more: bool  # at least `count` match (counting stopped at MAX_HITS)
    exact: bool = True  # False: the count is an estimate (a phrase was checked in only some candidates)

    @property
    def capped(self) -> bool:
        """More match than the pages list (the first MAX_HITS)."""
        return self.more or self.count > MAX_HITS

    @property
    def open_end(self) -> bool:
        """A phrase query whose count is only a lower bound below MAX_HITS: how many pages there are is not
        known, the pager goes on while pages come full."""
        return self.more and self.count < MAX_HITS

    @property
    def pages(self) -> int:
        if self.open_end:
            return MAX_PAGES
        return min(max(1, -(-self.count // PER_PAGE)), MAX_PAGES)


def _snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """The hit's snippet as (text, matched) pieces; the page escapes each piece and marks the matched ones
    (the 【】 the search engine puts around matches become <mark>, nothing else becomes markup)."""
    parts, index = [], 0
    for m in _MARK.finditer(snippet):
        if m.start() > index:
            parts.append((snippet[index:m.start()], False))
        parts.append((m.group(1), True))
        index = m.end()
    if index < len(snippet):
        parts.append((snippet[index:], False))
    return parts


def _search(request: Request) -> SearchPage:
    from docgen.search import SearchFilters, search

    archive = archive_of(request)
    query = _text(request, "q")
    filters = {"project": _text(request, "project"), "type": _text(request, "type"), "from": _text(request, "from"),
               "to": _text(request, "to"), "all_versions": _text(request, "all_versions") in ("1", "on", "true")}
    sort = _text(request, "sort") or "relevance"
    page = SearchPage(query, filters, sort, 1, 0, [], [], False)
    if sort not in SORTS:
        raise BadArgument(f"排序方式“{sort}”无效：应为 relevance（相关度）或 date（日期）")
    page.page = _page_number(request)
    project, doc_type = check_filters(archive, project=filters["project"] or None, doc_type=filters["type"] or None)
    wanted = SearchFilters(project=project, doc_type=doc_type, date_from=_day(request, "from", "起始日期"),
                           date_to=_day(request, "to", "截止日期"), all_versions=filters["all_versions"])
    if not query:
        return page
    if page.page > MAX_PAGES:
        raise BadArgument(f"页码 {page.page} 超出范围：搜索结果最多列出 {MAX_HITS} 条（{MAX_PAGES} 页）；"
                          "请加上项目、类型或日期条件缩小范围")

    def one_page() -> Any:
        # the page's hits only, and the count: the library loads no other hit's text (see docgen.search)
        with _SEARCH_TURN:
            return search(archive, query, filters=wanted, limit=PER_PAGE, offset=(page.page - 1) * PER_PAGE,
                          sort=sort, count_to=MAX_HITS)

    result = one_page()
    page.count, page.more, page.exact, page.notes = result.total, result.total_more, result.total_exact, result.notes
    if not result.hits and page.page > page.pages:  # past the end (an estimated count, or an old link)
        page.page = page.pages
        result = one_page()
    for hit in result.hits:
        doc = _hit_doc(archive, hit)
        page.hits.append({"hit": hit, "url": doc_url(hit.doc_id, hit.version),
                          "download_url": download_url(hit.doc_id, hit.version),
                          "type_name": doc_type_title(hit.doc_type),
                          "doc_no": (doc.record.get("doc_no") or "") if doc else "",
                          "doc_version": doc.version_label if doc else "",
                          "snippet": _snippet_parts(hit.snippet)})
    return page


def _hit_doc(archive: Archive, hit: Any) -> ArchivedDoc | None:
    """The archived version a hit names, from its own sidecar (beside the file the index points at): one
    read, not a listing of the document's folder for all its versions."""
    try:
        relative = Path(hit.path).relative_to(archive.root).as_posix()
    except ValueError:
        return None
    record = archive.record_of({"path": relative, "version": hit.version})
    return read_doc(record) if record is not None and record.get("doc_id") == hit.doc_id else None


def _search_links(request: Request, page: SearchPage) -> dict[str, str]:
    params = dict(request.query_params)
    links = {}
    if page.page > 1:
        links["prev"] = with_query("/search", **(params | {"page": page.page - 1}))
    if page.page < page.pages and (not page.open_end or len(page.hits) == PER_PAGE):
        links["next"] = with_query("/search", **(params | {"page": page.page + 1}))
    return links


def search_page(request: Request) -> Response:
    try:
        page = _search(request)
    except DocgenError as exc:
        return render(request, "search.html", status=400, page=None, error=exc.message, form=_form(request),
                      links={}, doc_types=DOC_TYPES, sorts=SORTS, projects=view_of(archive_of(request)).projects())
    return render(request, "search.html", page=page, error="", form=_form(request), links=_search_links(request, page),
                  max_hits=MAX_HITS,
                  doc_types=DOC_TYPES, sorts=SORTS, projects=view_of(archive_of(request)).projects())


def _form(request: Request) -> dict[str, str]:
    return {k: _text(request, k) for k in ("q", "project", "type", "from", "to", "all_versions", "sort")}


def api_search(request: Request) -> Response:
    try:
        page = _search(request)
    except DocgenError as exc:
        return JSONResponse({"error": exc.message}, status_code=400)
    if not page.query:
        return JSONResponse({"error": "搜索内容为空；请用参数 q 给出要查找的文字，例如 /api/search?q=网卡"}, status_code=400)
    hits = [item["hit"].as_json() | {"url": item["url"], "download_url": item["download_url"]} for item in page.hits]
    return JSONResponse({"count": page.count, "count_exact": page.exact, "count_more": page.more, "page": page.page,
                         "pages": page.pages, "hits": hits, "notes": page.notes})


# --- one document ---------------------------------------------------------------------------------------


def _doc_data(request: Request) -> dict[str, Any]:
    versions, doc = _lookup(request)
    entries: dict[int, list[dict[str, Any]]] = {}
    for line, entry in _ledger_by_doc(archive_of(request)).get(doc.doc_id, []):
        entries.setdefault(entry.get("version"), []).append(
            {"line": line, "time": entry.get("time", ""), "action": entry.get("action", ""),
             "action_name": ACTIONS.get(entry.get("action", ""), entry.get("action", "")),
             "source": source_name(entry.get("source")), "sha256": entry.get("sha256", "")})
    return {"doc": _doc_json(doc) | {"latest_version": versions[-1].version},
            "versions": [_doc_json(v) | {"ledger": entries.get(v.version, [])} for v in reversed(versions)]}


def _doc_json(doc: ArchivedDoc) -> dict[str, Any]:
    r = doc.record
    return {"doc_id": doc.doc_id, "doc_no": r.get("doc_no") or "", "doc_version": doc.version_label,
            "title": doc.title, "doc_type": doc.doc_type, "doc_type_name": doc_type_title(doc.doc_type),
            "project": doc.project, "period": doc.period, "date": doc.date.isoformat(), "version": doc.version,
            "sha256": doc.sha256, "size": r.get("size"), "ext": r.get("ext") or "", "template": doc.template or "",
            "template_sha256": r.get("template_sha256") or "", "warnings": list(doc.warnings),
            "created_at": doc.created_at, "source": doc.source, "source_name": source_name(doc.source),
            "received": doc.received,
            "url": doc_url(doc.doc_id, doc.version), "download_url": download_url(doc.doc_id, doc.version),
            "preview_url": doc_url(doc.doc_id, doc.version, base="/preview/"),
            "verify_url": doc_url(doc.doc_id, doc.version, base="/verify/")}


def doc_page(request: Request) -> Response:
    data = _doc_data(request)
    project = data["doc"]["project"]
    # documents about every project (the unfiltered KPI workbook, under `_all`) have no project page
    return render(request, "doc.html", doc=data["doc"], versions=data["versions"],
                  project_link=None if project.startswith("_") else project_url(project),
                  period_label=_period_label(data["doc"]["period"]))


def api_doc(request: Request) -> Response:
    return JSONResponse(_doc_data(request))


def _period_label(period: str) -> str:
    try:
        return period_label(period)
    except (IndexError, ValueError):
        return period


def _file_name(doc: ArchivedDoc) -> str:
    """`<文件编号>_<标题>.ext`, without characters Windows refuses in a file name."""
    number = doc.record.get("doc_no") or ""
    stem = f"{number}_{doc.title}" if number and number != doc.title else doc.title
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", stem).strip(" .") or doc.doc_type
    return stem + (doc.record.get("ext") or "")


def _disposition(kind: str, name: str, fallback: str) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", fallback) or "document"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


MEDIA_TYPES = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               ".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8",
               ".zip": "application/zip"}


def download(request: Request) -> Response:
    _, doc = _lookup(request)
    data = _read(request, doc)
    ext = (doc.record.get("ext") or "").lower()
    fallback = doc.record["path"].rsplit("/", 1)[-1]
    return Response(data, media_type=MEDIA_TYPES.get(ext, "application/octet-stream"),
                    headers={"Content-Disposition": _disposition("attachment", _file_name(doc), fallback)})


def preview(request: Request) -> Response:
    from docgen.serve._preview import preview_document

    _, doc = _lookup(request)
    data = _read(request, doc)
    shown = preview_document(data, doc.record.get("ext") or "")
    if shown.kind == "pdf":
        fallback = doc.record["path"].rsplit("/", 1)[-1]
        return Response(data, media_type="application/pdf",
                        headers={"Content-Disposition": _disposition("inline", _file_name(doc), fallback)})
    return render(request, "preview.html", doc=_doc_json(doc), preview=shown)


def verify(request: Request) -> Response:
    _, doc = _lookup(request)
    try:
        actual: str | None = hashlib.sha256(archive_of(request).read_file(doc.record)).hexdigest()
    except FileNotFoundError:
        actual, message = None, "校验未通过：归档文件缺失；请联系归档库管理员从备份恢复"
    except ArchiveError as exc:
        actual, message = None, f"校验未通过：{exc.message}"
    else:
        message = VERIFY_OK if actual == doc.sha256 else (
            "校验未通过：文件的 SHA-256 与归档时不同，文件在归档后被改动过；归档文件不可修改，请从备份恢复，"
            "并运行 docgen archive verify 检查整个归档库")
    return JSONResponse({"ok": actual == doc.sha256, "expected": doc.sha256, "actual": actual, "message": message})


# --- a project ------------------------------------------------------------------------------------------


def _project_data(request: Request) -> dict[str, Any]:
    from docgen.metrics.audit import audit_project
    from docgen.metrics.leftovers import open_leftovers
    from docgen.metrics.schedule import report_schedule

    archive = archive_of(request)
    code = request.path_params["code"]
    try:
        require_project(archive, code)
    except DocgenError as exc:
        raise PageError(404, exc.message) from None
    today = today_of(request)
    view = view_of(archive)
    plan_doc = view.plan_in_force(code)
    plan = plan_doc.facts_as(PlanFacts) if plan_doc else None
    schedule = report_schedule(view, code, as_of=today)
    audit = audit_project(archive, code, as_of=today)
    leftovers = open_leftovers(view, code, as_of=today)
    return {
        "project": code, "as_of": today.isoformat(),
        "plan": None if plan is None else {
            "name": plan.name, "customer": plan.customer, "manager": plan.manager or "", "start": plan.start.isoformat(),
            "end": plan.end.isoformat(), "plan_version": plan.plan_version, "doc_no": plan_doc.record.get("doc_no") or "",
            "doc_version": plan_doc.version_label, "version": plan_doc.version,
            "url": doc_url(plan_doc.doc_id, plan_doc.version)},
        "schedule": {"months": schedule.months, "rows": [
            {"doc_type": row.doc_type, "doc_type_name": doc_type_title(row.doc_type), "frequency": row.frequency,
             "frequency_name": FREQUENCIES.get(row.frequency, row.frequency),
             "cells": [{"month": c.month, "state": c.state, "state_name": STATES[c.state], "due": c.due,
                        "delivered": c.delivered,
                        "slots": [{"period": s.period, "delivered_by": s.delivered_by, "delivered_no": s.delivered_no,
                                   "url": doc_url(s.delivered_by) if s.delivered_by else None} for s in c.slots]}
                       for c in row.cells]} for row in schedule.rows]},
        "audit": audit.as_json() | {"findings": [
            f.as_json() | {"severity_name": SEVERITIES[f.severity], "doc_type_name": doc_type_title(f.doc_type) if f.doc_type else "",
                           "url": doc_url(f.doc_id) if f.doc_id else None} for f in audit.findings]},
        "leftovers": [
            {"id": x.id, "issue": x.issue, "plan": x.plan, "owner": x.owner, "due": x.due.isoformat() if x.due else "",
             "raised_on": x.raised_on.isoformat(), "raised_by": x.raised_by, "age_days": x.age_days,
             "overdue": x.overdue, "overdue_days": x.overdue_days} for x in leftovers],
        "documents": [_doc_json(d) for d in sorted(view.documents(code), key=lambda d: (d.date, d.doc_id), reverse=True)],
    }


def project_page(request: Request) -> Response:
    return render(request, "project.html", data=_project_data(request))


def api_project(request: Request) -> Response:
    return JSONResponse(_project_data(request))


# --- KPI ------------------------------------------------------------------------------------------------


def _kpi(request: Request) -> tuple[Any, str | None]:
    from docgen.computed import run_kpi

    month, project = _month(request), _project_filter(request)
    return run_kpi(archive_of(request), month, project=project, templates=request.app.state.templates,
                   write_archive=False), project


def _kpi_rows(report: Any) -> list[dict[str, Any]]:
    rows = []
    for row in report.rows:
        unit = "%" if row.unit == "%" else (f" {row.unit}" if row.unit else "")
        rows.append({"project": "总体" if row.project == "_all" else row.project, "name": row.name,
                     "value": f"{fmt_num(row.value)}{unit}" if row.value is not None else (row.note or "无数据"),
                     "count": f"{row.delivered}/{row.due}" if row.due is not None else "",
                     "spread": (f"平均 {fmt_num(row.mean)} 分钟，P90 {fmt_num(row.p90)} 分钟（每单目标 {row.plan_target}）"
                                if row.mean is not None else ""),
                     "target": target_text(row.op, row.target, row.unit),
                     "met": row.met, "verdict": {True: "达标", False: "未达标", None: "—"}[row.met],
                     "source_doc_no": row.source_doc_no or ""})
    return rows


def trend_chart(points: list[Any], target: float) -> dict[str, Any]:
    """The 12-month 服务报告比例 as an inline SVG's coordinates (x: months, y: 0–100 %); months with
    nothing due break the line."""
    width, height, left, right, top, bottom = 1180, 240, 48, 24, 16, 40  # the page content width at 1366 px
    inner_w, inner_h = width - left - right, height - top - bottom
    step = inner_w / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return round(top + inner_h * (1 - min(max(value, 0), 100) / 100), 1)

    marks, lines, run = [], [], []
    for i, p in enumerate(points):
        x = round(left + i * step, 1)
        if p.value is None:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
            marks.append({"x": x, "y": None, "label": p.month[2:], "text": "无应交"})
            continue
        run.append(f"{x},{y(p.value)}")
        marks.append({"x": x, "y": y(p.value), "label": p.month[2:],
                      "text": f"{fmt_num(p.value)}%（{p.delivered}/{p.due}）", "met": p.value >= target})
    if len(run) > 1:
        lines.append(" ".join(run))
    grid = [{"y": y(v), "label": f"{v}%"} for v in (0, 25, 50, 75, 100)]
    return {"width": width, "height": height, "left": left, "right": width - right, "bottom": height - bottom,
            "lines": lines, "marks": marks, "grid": grid, "target_y": y(target), "target": fmt_num(target)}


def _kpi_data(request: Request) -> dict[str, Any]:
    run, project = _kpi(request)
    report = run.report
    points = [p for p in report.trend if p.project == report.scope]
    target = points[-1].target if points else 95.0
    # months before the first report was due (before the project started) say nothing: the chart starts at
    # the first month with reports due (the workbook's 趋势 sheet keeps all 12 months)
    first = next((n for n, p in enumerate(points) if p.due), None)
    before = ""
    if first:
        before = f"{points[0].month} 至 {points[first - 1].month} 没有应交的报告（项目开始前），不画出"
        points = points[first:]
    return {"month": report.month, "project": project or "", "title": report.title, "rows": _kpi_rows(report),
            "indicators": report.as_json()["indicators"], "warnings": report.warnings,
            "trend": [{"month": p.month, "due": p.due, "delivered": p.delivered, "value": p.value,
                       "target": p.target} for p in points],
            "chart": trend_chart(points, target), "trend_note": before,
            "workbook_url": with_query("/kpi/workbook", month=report.month, project=project)}


def kpi_page(request: Request) -> Response:
    projects = view_of(archive_of(request)).projects()
    try:
        data = _kpi_data(request)
    except DocgenError as exc:
        return render(request, "kpi.html", status=400, data=None, error=exc.message, projects=projects,
                      form={"month": _text(request, "month"), "project": _text(request, "project")})
    return render(request, "kpi.html", data=data, error="", projects=projects,
                  form={"month": data["month"], "project": data["project"]})


def api_kpi(request: Request) -> Response:
    try:
        data = _kpi_data(request)
    except DocgenError as exc:
        return JSONResponse({"error": exc.message}, status_code=400)
    return JSONResponse({k: v for k, v in data.items() if k not in ("rows", "chart")})


def kpi_workbook(request: Request) -> Response:
    from docgen.computed import kpi_workbook as build

    try:
        month, project = _month(request), _project_filter(request)
        workbook = build(archive_of(request), month, project=project, templates=request.app.state.templates,
                         today=today_of(request))
    except DocgenError as exc:
        raise PageError(400, exc.message) from None
    fallback = f"KPI_{month}.xlsx" if project is None else f"{project}_KPI_{month}.xlsx"
    return Response(workbook.data, media_type=MEDIA_TYPES[".xlsx"],
                    headers={"Content-Disposition": _disposition("attachment", workbook.file_name, fallback)})


# --- the ledger -----------------------------------------------------------------------------------------


def ledger_page(request: Request) -> Response:
    archive = archive_of(request)
    form = {k: _text(request, k) for k in ("project", "type", "from", "to")}
    try:
        project, doc_type = check_filters(archive, project=form["project"] or None, doc_type=form["type"] or None)
        low, high = _day(request, "from", "起始日期"), _day(request, "to", "截止日期")
        page = _page_number(request)
    except DocgenError as exc:
        return render(request, "ledger.html", status=400, error=exc.message, form=form, rows=[], count=0, links={},
                      page=1, pages=1, projects=view_of(archive).projects(), doc_types=DOC_TYPES)
    chosen = []
    for line, entry in _ledger_lines(archive):
        doc_id = entry.get("doc_id") or ""
        parts = doc_id.split("/")
        day = str(entry.get("time", ""))[:10]
        if (project and parts[0] != project) or (doc_type and (len(parts) < 2 or parts[1] != doc_type)):
            continue
        if (low and day < low.isoformat()) or (high and day > high.isoformat()):
            continue
        chosen.append((line, entry))
    rows = []
    for line, entry in chosen[(page - 1) * LEDGER_PER_PAGE: page * LEDGER_PER_PAGE]:
        # the page's rows only read their documents' metadata (title, 文件编号)
        doc_id = entry.get("doc_id") or ""
        parts = doc_id.split("/")
        problem = ""
        try:
            record = (archive.record_of(entry, strict=True) if entry.get("path") else None) or {}
        except ArchiveError as exc:  # one broken sidecar: its row says so, the rest of the ledger still shows
            record, problem = {}, str(exc)
        rows.append({"line": line, "time": str(entry.get("time", "")).replace("T", " "), "problem": problem,
                     "action": ACTIONS.get(entry.get("action", ""), entry.get("action", "")),
                     "doc_id": doc_id, "version": entry.get("version"),
                     "url": doc_url(doc_id, entry.get("version")) if record else None,
                     "title": record.get("title") or entry.get("note") or doc_id,
                     "doc_no": record.get("doc_no") or "",
                     "type_name": doc_type_title(parts[1]) if len(parts) > 1 else "",
                     "sha256": entry.get("sha256", ""), "source": source_name(entry.get("source"))})
    pages = max(1, -(-len(chosen) // LEDGER_PER_PAGE))
    links = {}
    params = dict(request.query_params)
    if page > 1:
        links["prev"] = with_query("/ledger", **(params | {"page": page - 1}))
    if page < pages:
        links["next"] = with_query("/ledger", **(params | {"page": page + 1}))
    return render(request, "ledger.html", error="", form=form, count=len(chosen), page=page, pages=pages, links=links,
                  rows=rows,
                  projects=view_of(archive).projects(), doc_types=DOC_TYPES)


def favicon(request: Request) -> Response:
    """No icon: an empty answer rather than a 404 logged by every browser's first visit."""
    return Response(status_code=204)
