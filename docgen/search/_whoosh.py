"""The Whoosh implementation of the index backend. whoosh-reloaded is in maintenance mode, so nothing
outside this module imports whoosh: another engine implements the same few methods."""
from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Iterable

from docgen.search._analysis import make_analyzer
from docgen.search._backend import IndexDoc, RawHit, SearchFilters
from docgen.search._snippet import contains_all, make_snippet, word_pattern

_WRITER_LIMIT_MB = 128


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
        from whoosh.qparser import QueryParser
        from whoosh.qparser.plugins import WildcardPlugin

        # the title is also at the head of `content`, so one field serves both
        parser = QueryParser("content", self._index.schema)
        # a '*' or '?' in a service number must not turn the query into a wildcard scan
        parser.remove_plugin_class(WildcardPlugin)
        return parser.parse(text)

    def search(self, text: str, filters: SearchFilters, limit: int) -> list[RawHit]:
        from whoosh.query import And, DateRange, Term

        query, required, marks = _relax_phrases(self.parse(text))
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
        searcher = self._current_searcher()
        fetch = limit * 3 + 10
        while True:
            results = searcher.search(query, filter=And(terms) if terms else None, mask=mask, limit=fetch)
            kept = [hit for hit in results if contains_all(hit["content"], required)]
            if len(kept) >= limit or results.scored_length() < fetch:
                break
            fetch *= 4
        return [RawHit(fields=dict(hit.fields()), score=float(hit.score),
                       snippet=make_snippet(hit["content"], marks)) for hit in kept[:limit]]


def _relax_phrases(query: Any) -> tuple[Any, list[Any], list[Any]]:
    """Positional phrase matching is Whoosh's slowest path (hundreds of ms over common bigrams).
    Match a phrase's tokens with a plain AND instead and keep only hits whose stored text really
    holds the phrase. Returns the query, the patterns every hit must contain (phrases in an AND
    context), and the patterns to mark in snippets (every word not under NOT)."""
    from whoosh.query import And, Not, Or, Phrase, Term

    required: list[Any] = []
    marks: list[Any] = []

    def walk(node: Any, must: bool, positive: bool) -> Any:
        if isinstance(node, Phrase):
            if positive:
                marks.append(word_pattern(node.words))
                if must:
                    required.append(marks[-1])
            return And([Term(node.fieldname, w) for w in node.words])
        if isinstance(node, Term) and node.fieldname == "content" and isinstance(node.text, str):
            if positive:
                marks.append(word_pattern([node.text]))
            return node
        if isinstance(node, Not):
            return Not(walk(node.query, False, False))
        if isinstance(node, Or):
            return node.__class__([walk(q, False, positive) for q in node.subqueries])
        if isinstance(node, And):
            return node.__class__([walk(q, must, positive) for q in node.subqueries])
        return node

    return walk(query, True, True), required, marks
