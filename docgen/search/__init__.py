"""Full-text search over the archive: text extraction, Chinese-aware analysis, a Whoosh index behind
a small backend interface, catch-up from the archive's ledger, rebuild and query."""
from __future__ import annotations

from docgen.search._backend import SearchFilters
from docgen.search._index import (
    IndexBusy, QueryError, SearchHit, SearchResult, catch_up, index_after_write, rebuild, search,
)

__all__ = ["IndexBusy", "QueryError", "SearchFilters", "SearchHit", "SearchResult", "catch_up",
           "index_after_write", "rebuild", "search"]
