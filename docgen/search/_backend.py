"""The index backend contract: what an engine (Whoosh, tantivy; OpenSearch later) must do."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Protocol


@dataclass
class IndexDoc:
    """One archived version as the index sees it."""

    uid: str  # doc_id#v<version>
    doc_id: str
    doc_type: str
    project: str
    title: str
    date: datetime.date
    period: str
    version: int
    path: str  # archived file, relative to the archive root
    content: str
    service_no: str = ""
    latest: bool = True


@dataclass(frozen=True)
class SearchFilters:
    project: str | None = None
    doc_type: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    all_versions: bool = False


@dataclass
class RawHit:
    fields: dict[str, Any]
    score: float  # 0.0 when the hits are ordered by date (the engines do not score then)
    snippet: str


@dataclass
class RawPage:
    """One page of hits and how many documents match in all. `total` is exact (`exact`), or estimated
    when phrases had to be checked against the stored text of only some of the candidates; `more` says
    there are more than `total` (only the first `count_to` were looked at)."""

    hits: list[RawHit]
    total: int
    exact: bool = True
    more: bool = False


def page_count(candidates: int, full: bool, checked: int, kept: int, cap: int, phrases: bool) -> tuple[int, bool, bool]:
    """(total, exact, more) from what an engine saw: `candidates` matches of the relaxed query (all of
    them when `full`; else there are more than it looked at), of which `checked` were checked for the
    phrases and `kept` passed. `more`: at least `total` match (for a phrase, an estimate of that)."""
    if not phrases:
        return (candidates, True, False) if full else (cap, True, True)
    if full and checked >= candidates:
        return kept, True, False
    estimate = max(round(candidates * kept / checked) if checked else candidates, kept)
    if not full:  # more candidates than were looked at: the estimate is of those only, a lower bound
        return min(estimate, cap), False, True
    return estimate, False, False


class IndexBackend(Protocol):
    """An index generation in one folder: create/open, build (fill a new generation), add (upsert by
    uid, keeping only each document's newest version marked latest), delete, list uids, search with
    filters. Queries mean the same on every engine: they are parsed into _query's trees, phrases are
    relaxed to ANDs checked against the stored text (_query.relax), snippets come from _snippet."""

    folder: Path

    @classmethod
    def create(cls, folder: Path) -> IndexBackend: ...

    @classmethod
    def open(cls, folder: Path) -> IndexBackend: ...

    def build(self, docs: Iterable[IndexDoc], *, total: int, progress: Any = None) -> int:
        """Fill a freshly created generation from a stream of documents whose `latest` is set."""
        ...

    def add(self, docs: Iterable[IndexDoc], *, progress: Any = None) -> int: ...

    def delete(self, uids: Iterable[str]) -> None: ...

    def uids(self) -> set[str]: ...

    def parse(self, text: str) -> Any: ...

    def search(self, text: str, filters: SearchFilters, limit: int, *, offset: int = 0, by_date: bool = False,
               count_to: int = 0) -> RawPage:
        """Hits offset … offset+limit, best first (or newest first `by_date`); `fields` holds every stored
        field (date as datetime). Only the page's hits load their stored text and snippets. The total
        counts matches up to `count_to` (0: as far as the page needs). QueryError for bad syntax."""
        ...
