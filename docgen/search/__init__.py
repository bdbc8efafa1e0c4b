"""Full-text search over the archive: text extraction, Chinese-aware analysis, an index behind a small
backend interface (Whoosh by default, tantivy per archive), catch-up from the archive's ledger, rebuild
and query."""
from __future__ import annotations

from typing import Any

from docgen.search._backend import SearchFilters
from docgen.search._config import BACKENDS, DEFAULT_BACKEND, configured_backend
from docgen.search._errors import BackendMissing, IndexBusy, QueryError, SearchConfigError
from docgen.search._index import (
    SearchHit,
    SearchResult,
    catch_up,
    index_after_write,
    rebuild,
    search,
)

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "BackendMissing", "IndexBusy", "QueryError", "SearchConfigError",
           "SearchFilters", "SearchHit", "SearchResult", "UnsupportedDocument",
           "catch_up", "configured_backend", "extract_text", "index_after_write", "rebuild", "search"]


def __getattr__(name: str) -> Any:
    # text extraction loads python-docx, openpyxl and pypdf (~0.5 s): only when asked for, so that a
    # `docgen search` that finds its index up to date never pays for it
    if name in ("extract_text", "UnsupportedDocument"):
        from docgen.search import _extract

        return getattr(_extract, name)
    raise AttributeError(f"module 'docgen.search' has no attribute {name!r}")
