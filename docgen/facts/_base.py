"""The base of every facts class, and the error a document's unreadable facts raise."""
from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from docgen.errors import ArchiveError

# a record, measured while no plan was archived, has no target to be judged against
NO_PLAN = "无计划目标"


class FactsError(ArchiveError):
    """A document's archived facts are missing or malformed: names the document and the fact."""

    def __init__(self, message: str, *, file: str | None = None, doc_id: str = "") -> None:
        super().__init__(message, file=file)
        self.doc_id = doc_id


class Facts(BaseModel):
    """What one archived document states for others to read (its sidecar's `facts`). Unknown keys are
    ignored so an archive written by a newer docgen stays readable; a missing or malformed key is a
    FactsError naming the document and the key, never a silent zero."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    # the document types whose generated documents carry these facts (the registry in _registry)
    doc_types: ClassVar[tuple[str, ...]] = ()

    def to_record(self) -> dict[str, Any]:
        """The JSON-ready dict archived in the sidecar."""
        return self.model_dump(mode="json")


class Part(BaseModel):
    """A nested entry of a facts class (an SLA target, a leftover issue, …)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
