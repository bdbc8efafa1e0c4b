"""The search package's errors; each carries the Chinese message the CLI shows."""
from __future__ import annotations

from docgen.errors import DocgenError


class IndexBusy(DocgenError):
    """Another process kept the index lock longer than the bounded wait."""


class QueryError(DocgenError):
    """The search text is empty or not a valid query."""
