"""文件控制: what every controlled document prints about itself — 文件编号, 版本, 编制/审核/批准 with names and
dates — and, for the service forms, the form's own 表单编号 and 版本.

Names and dates come from the input where it gives them; an unknown 审核 name is the plan's 运维部经理 reviewer
(the regulation has 运维部经理 review records and reports, §5.4.2), an unknown 批准 name the plan's approver. A
date nobody recorded stays a blank line that person signs and dates by hand, labelled （手签）, never a guess.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from docgen.doctypes import FORM_TYPES

if TYPE_CHECKING:
    from docgen.facts import PlanFacts
    from docgen.fields import Approval

HAND_NAME = "（手签）"
HAND_DATE = "　　年　　月　　日（手签）"
ROLES = (("prepared", "编制"), ("reviewed", "审核"), ("approved", "批准"))


@dataclass(frozen=True)
class Signoff:
    """One line of 编制/审核/批准: who and when ("" / None: signed by hand on paper)."""

    name: str = ""
    on: date | None = None

    def context(self) -> dict[str, str]:
        return {"name": self.name or HAND_NAME, "date": self.on.isoformat() if self.on else HAND_DATE}


@dataclass(frozen=True)
class Signoffs:
    """编制, 审核 and 批准 of one document as its input (or its command) states them."""

    prepared: Signoff = field(default_factory=Signoff)
    reviewed: Signoff = field(default_factory=Signoff)
    approved: Signoff = field(default_factory=Signoff)

    @classmethod
    def of(cls, *, prepared_by: str | None = None, prepared_on: date | None = None,
           approval: Approval | None = None) -> Signoffs:
        """编制 as given, 审核 and 批准 from an input's `approval` (docgen.fields.Approval)."""
        a = approval
        return cls(Signoff(prepared_by or "", prepared_on),
                   Signoff(a.reviewed_by or "", a.reviewed_on) if a else Signoff(),
                   Signoff(a.approved_by or "", a.approved_on) if a else Signoff())

    def with_plan(self, plan: PlanFacts | None) -> Signoffs:
        """Names the input left out, from the project's plan: 审核 its 运维部经理 reviewer, 批准 its approver.
        Only names: the day that person signs is not known, so it stays a line to sign by hand."""
        if plan is None:
            return self
        reviewer = next((r.name for r in plan.reviewers if r.role == "运维部经理"), "")
        result = self
        if not self.reviewed.name and reviewer:
            result = replace(result, reviewed=Signoff(reviewer, None))
        if not self.approved.name and plan.approver:
            result = replace(result, approved=Signoff(plan.approver, None))
        return result


def version_label(version: int) -> str:
    """How a document prints its archive version: 1 → V1.0 (the regulation's own style, 交付管理规定 V1.0)."""
    return f"V{version}.0"


@dataclass(frozen=True)
class FormNumber:
    """A service form's own number and version (the blank form, not one filled in)."""

    no: str
    version: str


@dataclass(frozen=True)
class Control:
    """The document control block of one document, as its pages print it."""

    doc_no: str
    version: str
    signoffs: Signoffs | None = None  # None: a form, whose own signature rows say who filled and checked it
    form: FormNumber | None = None

    def context(self) -> dict[str, Any]:
        """`control` in a template's context: doc_no, version, form_no, form_version, and per role
        `prepared` / `reviewed` / `approved` = {name, date} plus `rows` in the order 编制, 审核, 批准."""
        result: dict[str, Any] = {"doc_no": self.doc_no, "version": self.version,
                                  "form_no": self.form.no if self.form else "",
                                  "form_version": self.form.version if self.form else ""}
        signoffs = self.signoffs or Signoffs()
        rows = []
        for attr, role in ROLES:
            line = getattr(signoffs, attr).context()
            result[attr] = line
            rows.append({"role": role, **line})
        result["rows"] = rows
        return result


def is_form(doc_type: str) -> bool:
    return doc_type in FORM_TYPES
