"""The registry of input kinds. Each kind lives in its own module (model, rules, documents);
adding a kind means one module plus one line here."""
from __future__ import annotations

import difflib
import importlib

from docgen.kinds._kind import ComputedKind, DocumentSpec, Kind

# kind name -> module; imported lazily so `docgen --help` stays fast
_MODULES: dict[str, str] = {
    "plan": "docgen.kinds.plan",
    "onsite": "docgen.kinds.onsite",
    "remote": "docgen.kinds.remote",
    "survey": "docgen.kinds.survey",
    "routine": "docgen.kinds.routine",
    "emergency": "docgen.kinds.emergency",
    "optimization": "docgen.kinds.optimization",
    "assessment": "docgen.kinds.assessment",
    "service_report": "docgen.kinds.service_report",
    "acceptance": "docgen.kinds.acceptance",
}

# documents computed from the archive (no input file, never an input kind): doc_type -> module; their
# stages come after every input kind's (acceptance 6), since they read what those archived
_COMPUTED: dict[str, str] = {
    "kpi_report": "docgen.kinds.kpi_report",
    "audit_report": "docgen.kinds.audit_report",
}

# documents taken in from elsewhere (`archive add`, the inbox): after surveys, before the packs whose
# 交付清单 may list them
RECEIVED_STAGE = 3


def kind_names() -> list[str]:
    return list(_MODULES)


def stage_of(name: str) -> int:
    """The stage (dependency order) of an input kind or a computed document; KeyError when unknown."""
    return get_computed(name).stage if name in _COMPUTED else get_kind(name).stage


def get_kind(name: str) -> Kind:
    """The registered kind; KeyError when unknown (callers phrase the message)."""
    return importlib.import_module(_MODULES[name]).KIND


def computed_names() -> list[str]:
    """The documents computed from the archive (kpi_report, audit_report), in stage order."""
    return list(_COMPUTED)


def get_computed(name: str) -> ComputedKind:
    """The registered computed document; KeyError when unknown."""
    return importlib.import_module(_COMPUTED[name]).COMPUTED


def registered_templates() -> list[tuple[str, str, str]]:
    """(kind, doc_type, template) of every input kind, then of every document computed from the archive."""
    return [(name, doc_type, template) for name in kind_names()
            for doc_type, template in get_kind(name).templates.items()] + \
        [(name, doc_type, template) for name in computed_names()
         for doc_type, template in get_computed(name).templates.items()]


def suggest_kind(name: str) -> str:
    close = difflib.get_close_matches(name, list(_MODULES), n=1, cutoff=0.5)
    return f"，是否为 {close[0]}?" if close else ""


__all__ = ["RECEIVED_STAGE", "ComputedKind", "DocumentSpec", "Kind", "computed_names", "get_computed", "get_kind",
           "kind_names", "registered_templates", "stage_of", "suggest_kind"]
