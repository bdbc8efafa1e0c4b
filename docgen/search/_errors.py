"""The search package's errors; each carries the Chinese message the CLI shows."""
from __future__ import annotations

from docgen.errors import DocgenError


class IndexBusy(DocgenError):
    """Another process kept the index lock longer than the bounded wait."""


class QueryError(DocgenError):
    """The search text is empty or not a valid query."""


class SearchConfigError(DocgenError):
    """ARCHIVE/config/search.yaml names no known search engine or cannot be read."""


class BackendMissing(DocgenError):
    """The archive's search engine is an optional package that is not installed here."""
