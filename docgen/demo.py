"""`docgen demo`: the bundled example project, through the same path as `docgen generate`, then
the search index and a sample search."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from docgen.kinds import get_kind, kind_names
from docgen.pipeline import GeneratedDoc, generate
from docgen.render import packaged_examples

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.render import TemplateSet
    from docgen.search import SearchResult

SAMPLE_QUERY = "数据库 备库"


@dataclass
class DemoResult:
    documents: list[GeneratedDoc]
    query: str
    search: SearchResult


def run_demo(*, archive: Archive, templates: TemplateSet,
             progress: Callable[[int, int], None] | None = None) -> DemoResult:
    """Generate every bundled example, in dependency order (kind registry order), into the archive;
    the index is caught up by the writes; end with a sample search."""
    from docgen.search import search

    folder = packaged_examples()
    files = [folder / get_kind(name).example for name in kind_names()]
    documents = generate(files, archive=archive, templates=templates, source="demo", progress=progress)
    return DemoResult(documents=documents, query=SAMPLE_QUERY, search=search(archive, SAMPLE_QUERY, limit=3))
