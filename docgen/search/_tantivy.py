"""The tantivy implementation of the index backend (optional: `pip install tantivy`), chosen per archive
in ARCHIVE/config/search.yaml. tantivy is the Rust engine paperless-ngx moved to; nothing outside this
module imports it.

docgen's own analyzer makes the tokens: title and content are indexed as `token_text` (CJK bigrams and
Latin/number tokens joined by spaces) with tantivy's whitespace tokenizer, positions kept, so tokens,
positions and phrases are the same as Whoosh's. The original text and the metadata are stored once, as
JSON, for snippets and hits. Queries are parsed into _query's trees and relaxed as for Whoosh."""
from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, Iterable

import tantivy

from docgen.search import _query as q
from docgen.search._analysis import token_text
from docgen.search._backend import IndexDoc, RawHit, RawPage, SearchFilters, page_count
from docgen.search._errors import QueryError
from docgen.search._snippet import contains_all, make_snippet

_HEAP_BYTES = 128_000_000  # the writer's memory, as Whoosh's limitmb
_KEYWORDS = ("uid", "doc_id", "doc_type", "project", "period", "service_no")  # exact values (Whoosh's ID)
_TEXT = ("title", "content")
_STORED = "stored"
_FIELD_TYPES = {"date": tantivy.FieldType.Date, "version": tantivy.FieldType.Integer}


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in _KEYWORDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="freq")
    for name in _TEXT:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    builder.add_date_field("date", indexed=True, fast=True)
    builder.add_integer_field("version", indexed=True)
    builder.add_boolean_field("latest", indexed=True)
    builder.add_bytes_field(_STORED, stored=True)
    return builder.build()


def _stored_fields(doc: IndexDoc) -> dict[str, Any]:
    return {"uid": doc.uid, "doc_id": doc.doc_id, "doc_type": doc.doc_type, "project": doc.project,
            "period": doc.period, "service_no": doc.service_no, "title": doc.title, "content": doc.content,
            "date": doc.date.isoformat(), "version": doc.version, "latest": doc.latest, "path": doc.path}


def _document(doc: IndexDoc) -> tantivy.Document:
    out = tantivy.Document()
    for name in _KEYWORDS:
        value = getattr(doc, name)
        if value:
            out.add_text(name, value)
    out.add_text("title", token_text(doc.title))
    out.add_text("content", token_text(doc.content))
    out.add_date("date", datetime.datetime.combine(doc.date, datetime.time()))
    out.add_integer("version", doc.version)
    out.add_boolean("latest", doc.latest)
    out.add_bytes(_STORED, json.dumps(_stored_fields(doc), ensure_ascii=False).encode("utf-8"))
    return out


def _index_doc(stored: dict[str, Any]) -> IndexDoc:
    return IndexDoc(uid=stored["uid"], doc_id=stored["doc_id"], doc_type=stored["doc_type"],
                    project=stored["project"], title=stored["title"],
                    date=datetime.date.fromisoformat(stored["date"]), period=stored["period"],
                    version=int(stored["version"]), path=stored["path"], content=stored["content"],
                    service_no=stored["service_no"], latest=bool(stored["latest"]))


class TantivyBackend:
    """One index generation folder."""

    # a long-running process (the watcher, the web page) searches the same generation again and again:
    # keep it open and only reload the reader (~50 µs) before each search
    _last_opened: TantivyBackend | None = None

    def __init__(self, folder: Path, index: tantivy.Index) -> None:
        self.folder = folder
        self._index = index
        self._schema = index.schema

    @classmethod
    def create(cls, folder: Path) -> TantivyBackend:
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder, tantivy.Index(_schema(), path=str(folder), reuse=False))

    @classmethod
    def open(cls, folder: Path) -> TantivyBackend:
        last = TantivyBackend._last_opened
        if last is not None and last.folder == folder:
            return last
        TantivyBackend._last_opened = cls(folder, tantivy.Index.open(str(folder)))
        return TantivyBackend._last_opened

    def _searcher(self) -> tantivy.Searcher:
        self._index.reload()  # another process (the watcher) may have committed since
        return self._index.searcher()

    def _write(self, fill: Any, *, threads: int) -> None:
        """Run `fill(writer)`, commit, and let the writer go (it holds tantivy's lock on the folder)."""
        writer = self._index.writer(heap_size=_HEAP_BYTES, num_threads=threads)
        try:
            fill(writer)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            # merges triggered by the commit finish before the lock is released; this also frees the writer
            writer.wait_merging_threads()
            del writer

    def build(self, docs: Iterable[IndexDoc], *, total: int, progress: Any = None) -> int:
        """Fill a freshly created generation; every doc's `latest` is already set. tantivy indexes on
        its own threads while the caller extracts and tokenizes the next document."""
        count = 0

        def fill(writer: tantivy.IndexWriter) -> None:
            nonlocal count
            for doc in docs:
                writer.add_document(_document(doc))
                count += 1
                if progress:
                    progress(count, total)

        self._write(fill, threads=0)
        return count

    def add(self, docs: Iterable[IndexDoc], *, progress: Any = None) -> int:
        """Upsert documents by uid; a document's newest version is the only one marked latest."""
        batch = list(docs)
        newest: dict[str, int] = {}
        for doc in batch:
            newest[doc.doc_id] = max(newest.get(doc.doc_id, 0), doc.version)
        searcher = self._searcher()
        demoted: list[IndexDoc] = []
        for doc_id, version in newest.items():
            query = tantivy.Query.boolean_query([
                (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "doc_id", doc_id)),
                (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "latest", True))])
            for _, address in searcher.search(query, 100, count=False).hits:
                old = _index_doc(self._stored(searcher, address))
                if old.version < version:
                    old.latest = False
                    demoted.append(old)

        def fill(writer: tantivy.IndexWriter) -> None:
            for old in demoted:
                writer.delete_documents_by_term("uid", old.uid)
                writer.add_document(_document(old))
            for n, doc in enumerate(batch, 1):
                doc.latest = doc.version >= newest[doc.doc_id]
                writer.delete_documents_by_term("uid", doc.uid)
                writer.add_document(_document(doc))
                if progress:
                    progress(n, len(batch))

        self._write(fill, threads=1)
        return len(batch)

    def delete(self, uids: Iterable[str]) -> None:
        def fill(writer: tantivy.IndexWriter) -> None:
            for uid in uids:
                writer.delete_documents_by_term("uid", uid)

        self._write(fill, threads=1)

    def uids(self) -> set[str]:
        searcher = self._searcher()
        hits = searcher.search(tantivy.Query.all_query(), max(searcher.num_docs, 1), count=False).hits
        return {self._stored(searcher, address)["uid"] for _, address in hits}

    def parse(self, text: str) -> tantivy.Query:
        return self._compile(q.relax(q.parse(text)).query)

    @staticmethod
    def _stored(searcher: tantivy.Searcher, address: Any) -> dict[str, Any]:
        return json.loads(searcher.doc(address).get_first(_STORED))

    def search(self, text: str, filters: SearchFilters, limit: int, *, offset: int = 0, by_date: bool = False,
               count_to: int = 0) -> RawPage:
        plan = q.relax(q.parse(text))
        clauses = [(tantivy.Occur.Must, self._compile(plan.query))]
        exact: list[tantivy.Query] = []
        if filters.project:
            exact.append(tantivy.Query.term_query(self._schema, "project", filters.project))
        if filters.doc_type:
            exact.append(tantivy.Query.term_query(self._schema, "doc_type", filters.doc_type))
        if filters.date_from or filters.date_to:
            low = datetime.datetime.combine(filters.date_from, datetime.time()) if filters.date_from else None
            high = datetime.datetime.combine(filters.date_to, datetime.time()) if filters.date_to else None
            exact.append(tantivy.Query.range_query(self._schema, "date", tantivy.FieldType.Date, low, high))
        # filters narrow, they do not score (as Whoosh's filter=)
        clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in exact]
        if not filters.all_versions:
            clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_query(self._schema, "latest", False)))
        query = tantivy.Query.boolean_query(clauses)
        searcher = self._searcher()
        want = offset + limit
        order = {"order_by_field": "date"} if by_date else {}  # newest first: tantivy's default order
        if not plan.required:
            # the page straight from tantivy, with the number of all matches (counted by tantivy, cheap)
            result = searcher.search(query, limit, count=True, offset=offset, **order)
            hits = [self._hit(searcher, 0.0 if by_date else score, address, plan) for score, address in result.hits]
            return RawPage(hits, result.count)
        # a phrase: candidates of the relaxed query are checked against the stored text in order
        kept: list[RawHit] = []
        checked, candidates, start, page = 0, 0, 0, want * 3 + 10
        while len(kept) < want:
            result = searcher.search(query, page, count=start == 0, offset=start, **order)
            if start == 0:
                candidates = result.count
            for score, address in result.hits:
                checked += 1
                fields = self._stored(searcher, address)
                if contains_all(fields["content"], plan.required):
                    kept.append(self._hit(searcher, 0.0 if by_date else score, address, plan, fields))
                    if len(kept) == want:
                        break
            if len(result.hits) < page:
                break
            start, page = start + page, page * 4
        total, exact, more = page_count(candidates, True, checked, len(kept), max(count_to, want), True)
        return RawPage(kept[offset:want], total, exact, more)

    def _hit(self, searcher: tantivy.Searcher, score: float, address: Any, plan: q.Plan,
             fields: dict[str, Any] | None = None) -> RawHit:
        fields = fields if fields is not None else self._stored(searcher, address)
        fields["date"] = datetime.datetime.combine(datetime.date.fromisoformat(fields["date"]), datetime.time())
        return RawHit(fields=fields, score=float(score), snippet=make_snippet(fields["content"], plan.marks))

    def _compile(self, node: q.Node) -> tantivy.Query:
        Q, Occur, schema = tantivy.Query, tantivy.Occur, self._schema

        def everything_but(negative: tantivy.Query) -> tantivy.Query:
            return Q.boolean_query([(Occur.Must, Q.all_query()), (Occur.MustNot, negative)])

        def boosted(query: tantivy.Query, boost: float) -> tantivy.Query:
            return query if boost == 1.0 else Q.boost_query(query, boost)

        def walk(n: q.Node) -> tantivy.Query:
            if isinstance(n, q.Term):
                if n.field not in _KEYWORDS + _TEXT + ("version", "latest"):
                    raise QueryError(f"字段 {n.field} 不能用于搜索；可用的字段：{'、'.join(_KEYWORDS + _TEXT)}")
                return boosted(Q.term_query(schema, n.field, n.text), n.boost)
            if isinstance(n, q.Phrase):
                if n.field not in _TEXT:
                    raise QueryError(f"字段 {n.field} 不能按短语搜索；短语只能用于 title 和 content")
                # Whoosh counts slop from 1 (adjacent), tantivy from 0
                return boosted(Q.phrase_query(schema, n.field, list(n.words), slop=max(n.slop - 1, 0)), n.boost)
            if isinstance(n, q.And):
                clauses = [(Occur.MustNot, walk(x.item)) if isinstance(x, q.Not) else (Occur.Must, walk(x))
                           for x in n.items]
                if all(occur == Occur.MustNot for occur, _ in clauses):
                    clauses.append((Occur.Must, Q.all_query()))
                return boosted(Q.boolean_query(clauses), n.boost)
            if isinstance(n, q.Or):
                return boosted(Q.boolean_query([(Occur.Should, walk(x)) for x in n.items]), n.boost)
            if isinstance(n, q.Not):
                return everything_but(walk(n.item))
            if isinstance(n, q.AndNot):
                return Q.boolean_query([(Occur.Must, walk(n.positive)), (Occur.MustNot, walk(n.negative))])
            if isinstance(n, q.AndMaybe):
                return Q.boolean_query([(Occur.Must, walk(n.required)), (Occur.Should, walk(n.optional))])
            if isinstance(n, q.Range):
                if n.field not in _FIELD_TYPES:
                    raise QueryError(f"tantivy 搜索引擎不支持词语区间 {n.field}:[{n.low} TO {n.high}]；请改用词语，"
                                     "日期用 --from/--to 或 date:[YYYYMMDD TO YYYYMMDD]")
                if n.low is None and n.high is None:
                    return Q.all_query()
                return boosted(Q.range_query(schema, n.field, _FIELD_TYPES[n.field], n.low, n.high,
                                             include_lower=n.low is None or not n.low_excluded,
                                             include_upper=n.high is None or not n.high_excluded,
                                             use_inverted_index=True), n.boost)
            if isinstance(n, q.Every):
                return Q.all_query()
            return Q.empty_query()

        return walk(node)
