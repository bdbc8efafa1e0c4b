"""`docgen demo`: the bundled example project, through the same path as `docgen generate`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from docgen.kinds import get_kind, kind_names
from docgen.pipeline import GeneratedDoc, generate
from docgen.render import packaged_examples

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.render import TemplateSet


@dataclass
class DemoResult:
    documents: list[GeneratedDoc]


def run_demo(*, archive: Archive, templates: TemplateSet,
             progress: Callable[[int, int], None] | None = None) -> DemoResult:
    """Generate every bundled example, in dependency order (kind registry order), into the archive."""
    folder = packaged_examples()
    files = [folder / get_kind(name).example for name in kind_names()]
    return DemoResult(documents=generate(files, archive=archive, templates=templates, source="demo",
                                        progress=progress))
