"""The archive store: every generated document is kept here, versioned, with sidecar metadata and an
append-only ledger. KPI, audit and reports read the metadata (docs/archive.md), never the documents' text."""
from __future__ import annotations

from docgen.archive._atomic import write_atomic
from docgen.archive._layout import make_doc_id, sha256_file
from docgen.archive._names import ALL_PROJECTS, check_filters, require_doc_type, require_project
from docgen.archive._evidence import HEAD_COUNT, HEAD_HASH, recorded_head
from docgen.archive._ledger import LedgerHead
from docgen.archive._store import Archive, LedgerUpgrade, PutItem, PutResult
from docgen.archive._verify import Problem, VerifyReport

__all__ = ["ALL_PROJECTS", "HEAD_COUNT", "HEAD_HASH", "Archive", "LedgerHead", "recorded_head", "LedgerUpgrade", "Problem", "PutItem", "PutResult", "VerifyReport",
           "check_filters", "make_doc_id", "require_doc_type", "require_project", "sha256_file", "write_atomic"]
