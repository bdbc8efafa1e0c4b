"""The Whoosh implementation of the index backend. whoosh-reloaded is in maintenance mode, so nothing
outside this module imports whoosh: another engine implements the same few methods (and borrows
Whoosh's query parser through `query_tree` for queries that are more than words and phrases)."""
from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from whoosh.analysis import Token, Tokenizer

from docgen.search import _query as q
from docgen.search._analysis import cjk_tokens
from docgen.search._backend import IndexDoc, RawHit, RawPage, SearchFilters, page_count
from docgen.search._errors import QueryError
from docgen.search._snippet import contains_all, make_snippet

_WRITER_LIMIT_MB = 128


class CjkBigramTokenizer(Tokenizer):
    """Whoosh tokenizer over cjk_tokens; positions are consecutive so phrases work. Whoosh pickles
    the schema (and with it this class) into the index, under the module name below: indexes built
    when the class lived in _analysis.py open unchanged (_analysis resolves the name here)."""

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: Any) -> Iterator[Any]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for pos, (text, start, end) in enumerate(cjk_tokens(value)):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


CjkBigramTokenizer.__module__ = "docgen.search._analysis"


def make_analyzer() -> Any:
    return CjkBigramTokenizer()


def _schema() -> Any:
    from whoosh.fields import BOOLEAN, DATETIME, ID, NUMERIC, STORED, TEXT, Schema

    analyzer = make_analyzer()
    return Schema(
        uid=ID(unique=True, stored=True),
        doc_id=ID(stored=True),
        doc_type=ID(stored=True),
        project=ID(stored=True),
        period=ID(stored=True),
        service_no=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, multitoken_query="phrase", field_boost=2.0),
        content=TEXT(analyzer=analyzer, stored=True, multitoken_query="phrase"),
        date=DATETIME(stored=True, sortable=True),
        version=NUMERIC(stored=True),
        latest=BOOLEAN(stored=True),
        path=STORED(),
    )


def _fields(doc: IndexDoc) -> dict[str, Any]:
    return {
        "uid": doc.uid, "doc_id": doc.doc_id, "doc_type": doc.doc_type, "project": doc.project,
        "period": doc.period, "service_no": doc.service_no, "title": doc.title, "content": doc.content,
        "date": datetime.datetime.combine(doc.date, datetime.time()), "version": doc.version,
        "latest": doc.latest, "path": doc.path,
    }


class WhooshBackend:
    """One index generation folder."""

    # A long-running process (the watcher, a benchmark) searches the same generation again and again:
    # keep its index and searcher open and only refresh the searcher when a writer committed.
    _last_opened: WhooshBackend | None = None

    def __init__(self, folder: Path, index: Any) -> None:
        self.folder = folder
        self._index = index
        self._searcher: Any = None

    def _current_searcher(self) -> Any:
        if self._searcher is None:
            self._searcher = self._index.searcher()
        elif not self._searcher.up_to_date():
            if self._searcher.reader().segments() is None:
                # Whoosh cannot refresh a searcher opened on an empty index (its EmptyReader has no
                # segments to reuse): open a new one instead
                self._searcher.close()
                self._searcher = self._index.searcher()
            else:
                self._searcher = self._searcher.refresh()
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    @classmethod
    def create(cls, folder: Path) -> WhooshBackend:
        from whoosh import index

        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder, index.create_in(str(folder), _schema()))

    @classmethod
    def open(cls, folder: Path) -> WhooshBackend:
        from whoosh import index

        last = WhooshBackend._last_opened
        if last is not None and last.folder == folder:
            return last
        if last is not None:
            last.close()  # a rebuild swapped generations: let go of the old one's files
        WhooshBackend._last_opened = cls(folder, index.open_dir(str(folder)))
        return WhooshBackend._last_opened

    def build(self, docs: Iterable[IndexDoc], *, total: int, progress: Any = None) -> int:
        """Fill a freshly created generation; every doc's `latest` is already set (a rebuild knows
        each document's versions from the archive)."""
        writer = self._index.writer(limitmb=_WRITER_LIMIT_MB, compound=False)
        count = 0
        try:
            for doc in docs:
                writer.add_document(**_fields(doc))
                count += 1
                if progress:
                    progress(count, total)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return count

    def add(self, docs: Iterable[IndexDoc], *, progress: Any = None) -> int:
        """Upsert documents by uid; a document's newest version is the only one marked latest."""
        from whoosh.query import And, Term

        fresh = self._index.doc_count_all() == 0  # a rebuild: nothing older to demote, plain adds
        # separate segment files, not one compound file: Whoosh copies each part of a compound
        # file into memory every time a searcher opens it (measured: ~20 ms per part at 8 000 docs)
        writer = self._index.writer(limitmb=_WRITER_LIMIT_MB, compound=False)
        count = 0
        try:
            newest: dict[str, int] = {}
            batch = list(docs)
            for doc in batch:
                newest[doc.doc_id] = max(newest.get(doc.doc_id, 0), doc.version)
            with self._index.searcher() as searcher:
                if fresh:
                    newest_items: Iterable[tuple[str, int]] = ()
                else:
                    newest_items = newest.items()
                for doc_id, version in newest_items:
                    for old in searcher.search(And([Term("doc_id", doc_id), Term("latest", True)]), limit=None):
                        if old["version"] < version:
                            fields = dict(old.fields())
                            fields["latest"] = False
                            writer.update_document(**fields)
            for doc in batch:
                doc.latest = doc.version >= newest[doc.doc_id]
                (writer.add_document if fresh else writer.update_document)(**_fields(doc))
                count += 1
                if progress:
                    progress(count, len(batch))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return count

    def delete(self, uids: Iterable[str]) -> None:
        writer = self._index.writer(compound=False)
        try:
            for uid in uids:
                writer.delete_by_term("uid", uid)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise

    def uids(self) -> set[str]:
        with self._index.searcher() as searcher:
            return {fields["uid"] for fields in searcher.all_stored_fields()}

    def parse(self, text: str) -> Any:
        """The Whoosh query docgen runs for `text` (phrases relaxed, see _query.relax)."""
        return _compile(q.relax(q.parse(text)).query)

    def search(self, text: str, filters: SearchFilters, limit: int, *, offset: int = 0, by_date: bool = False,
               count_to: int = 0) -> RawPage:
        from whoosh.query import And, DateRange, Term

        plan = q.relax(q.parse(text))
        query = _compile(plan.query)
        terms: list[Any] = []
        if filters.project:
            terms.append(Term("project", filters.project))
        if filters.doc_type:
            terms.append(Term("doc_type", filters.doc_type))
        if filters.date_from or filters.date_to:
            low = datetime.datetime.combine(filters.date_from, datetime.time()) if filters.date_from else None
            high = datetime.datetime.combine(filters.date_to, datetime.time.max) if filters.date_to else None
            terms.append(DateRange("date", low, high))
        # old versions are few: excluding them with a mask is much cheaper than a filter that
        # lists every current document
        mask = None if filters.all_versions else Term("latest", False)
        order = {"sortedby": "date", "reverse": True} if by_date else {}
        searcher = self._current_searcher()
        want, cap = offset + limit, max(count_to, offset + limit)
        # ranking (score, docnum) pairs costs about the same for 20 or 1 000 hits; loading a hit's stored
        # fields (its whole text) is what costs, so only the page's hits, and the candidates a phrase must
        # be checked in, are loaded
        # one more than needed tells "exactly this many" from "more"
        fetch = max(count_to, want) + 1 if not plan.required else max(count_to + 1, want * 3 + 10)
        stored: dict[int, dict[str, Any]] = {}
        while True:
            results = searcher.search(query, filter=And(terms) if terms else None, mask=mask, limit=fetch, **order)
            ranked = [(0.0 if by_date else float(results.score(i)), results.docnum(i))
                      for i in range(results.scored_length())]
            full = len(ranked) < fetch
            if not plan.required:
                kept, checked = ranked, len(ranked)
                break
            kept, checked = [], 0
            for score, docnum in ranked:
                if len(kept) >= want:
                    break
                checked += 1
                if docnum not in stored:
                    stored[docnum] = searcher.stored_fields(docnum)
                if contains_all(stored[docnum]["content"], plan.required):
                    kept.append((score, docnum))
            if len(kept) >= want or full:
                break
            fetch *= 4
        hits = []
        for score, docnum in kept[offset:want]:
            fields = dict(stored.get(docnum) or searcher.stored_fields(docnum))
            hits.append(RawHit(fields=fields, score=score, snippet=make_snippet(fields["content"], plan.marks)))
        total, exact, more = page_count(len(ranked), full, checked, len(kept), cap, bool(plan.required))
        return RawPage(hits, total, exact, more)


def _compile(node: q.Node) -> Any:
    """A query tree as Whoosh's query objects (what Whoosh's parser would have built)."""
    from whoosh import query as wq
    from whoosh.util.times import datetime_to_long

    schema = _query_schema()

    def walk(n: q.Node) -> Any:
        if isinstance(n, q.Term):
            text = schema["version"].to_bytes(n.text) if n.field == "version" else n.text
            return wq.Term(n.field, text, boost=n.boost)
        if isinstance(n, q.Phrase):
            return wq.Phrase(n.field, list(n.words), slop=n.slop, boost=n.boost)
        if isinstance(n, q.And):
            return wq.And([walk(x) for x in n.items], boost=n.boost)
        if isinstance(n, q.Or):
            return wq.Or([walk(x) for x in n.items], boost=n.boost)
        if isinstance(n, q.Not):
            return wq.Not(walk(n.item))
        if isinstance(n, q.AndNot):
            return wq.AndNot(walk(n.positive), walk(n.negative))
        if isinstance(n, q.AndMaybe):
            return wq.AndMaybe(walk(n.required), walk(n.optional))
        if isinstance(n, q.Range) and n.field not in ("date", "version"):
            return wq.TermRange(n.field, n.low, n.high, n.low_excluded, n.high_excluded, boost=n.boost,
                                constantscore=True)
        if isinstance(n, q.Range):
            def value(v: Any) -> Any:
                return datetime_to_long(v) if n.field == "date" and v is not None else v
            return wq.NumericRange(n.field, value(n.low), value(n.high), n.low_excluded, n.high_excluded,
                                   boost=n.boost, constantscore=True)
        if isinstance(n, q.Every):
            return wq.Every()
        return wq.NullQuery

    return walk(node)


def query_tree(text: str) -> q.Node:
    """`text` parsed by Whoosh's query parser, as an engine-neutral tree. '*' and '?' are plain
    characters: a service number must not turn the query into a wildcard scan."""
    from whoosh.qparser import QueryParser, QueryParserError
    from whoosh.qparser.plugins import WildcardPlugin

    schema = _query_schema()
    parser = QueryParser("content", schema)
    parser.remove_plugin_class(WildcardPlugin)
    try:
        parsed = parser.parse(text)
    except QueryParserError as exc:
        raise QueryError(f"查询语法错误：{exc}；请检查引号、括号和 AND/OR/NOT 的写法") from None
    except Exception:  # noqa: BLE001 — Whoosh's parser fails on some inputs (NOT OR x, path:x) with bare errors
        raise QueryError(f"无法解析查询“{text}”；请检查 AND/OR/NOT 的位置和 字段:值 的写法（可用的字段：title、content、"
                         "project、doc_type、doc_id、service_no、period、date、version），或只输入要查找的词语") from None
    return _neutral(parsed, schema)


_SCHEMA: Any = None


def _query_schema() -> Any:
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = _schema()
    return _SCHEMA


def _neutral(node: Any, schema: Any) -> q.Node:
    from whoosh import query as wq
    from whoosh.util.times import long_to_datetime

    def boost(n: Any) -> float:
        return float(getattr(n, "boost", 1.0))

    def walk(n: Any) -> q.Node:
        if n is wq.NullQuery or isinstance(n, type(wq.NullQuery)):
            return q.Nothing()
        if isinstance(n, wq.Every):
            return q.Every()
        if isinstance(n, wq.Term):
            text = n.text
            if n.fieldname == "version" and isinstance(text, bytes):
                text = int(schema["version"].from_bytes(text))
            return q.Term(n.fieldname, text, boost(n))
        if isinstance(n, wq.Phrase):
            return q.Phrase(n.fieldname, tuple(n.words), boost(n), int(n.slop))
        if isinstance(n, wq.AndNot):
            return q.AndNot(walk(n.a), walk(n.b))
        if isinstance(n, wq.AndMaybe):
            return q.AndMaybe(walk(n.a), walk(n.b))
        if isinstance(n, wq.Not):
            return q.Not(walk(n.query))
        if type(n) is wq.And:
            return q.And(tuple(walk(x) for x in n.subqueries), boost(n))
        if type(n) is wq.Or:
            return q.Or(tuple(walk(x) for x in n.subqueries), boost(n))
        if isinstance(n, wq.NumericRange) and n.fieldname in ("date", "version"):
            def value(v: Any) -> Any:
                if v is None:
                    return None
                return long_to_datetime(v) if n.fieldname == "date" else int(v)
            return q.Range(n.fieldname, value(n.start), value(n.end), bool(n.startexcl), bool(n.endexcl), boost(n))
        if type(n) is wq.TermRange:
            return q.Range(n.fieldname, n.start, n.end, bool(n.startexcl), bool(n.endexcl), boost(n))
        raise QueryError(f"查询中的“{n}”不受支持；请改用词语、\"短语\"、AND/OR/NOT 和 字段:值")

    return walk(node)
