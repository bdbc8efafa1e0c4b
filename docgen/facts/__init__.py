"""The facts contract: what each archived document states, typed, and the archive queries over them.

Documents (kinds) write facts through these classes; figures (metrics), the audit, the reports, the
watcher and the search index read them only through `read_doc` / `ArchiveView`. This package
imports nothing above the archive. See docs/facts.md for the contract and the archive layout."""
from __future__ import annotations

from docgen.archive import ALL_PROJECTS
from docgen.facts._base import NO_PLAN, Facts, FactsError, Part
from docgen.facts._consistency import plan_mismatch, plan_mismatches
from docgen.facts._doc import FACTS_TYPES, ArchivedDoc, facts_class, read_doc
from docgen.facts._queries import RECORD_DOC_TYPES, ArchiveView, view_of
from docgen.facts._types import (
    AcceptanceFacts,
    AcceptanceIssue,
    AcceptanceMeeting,
    AnomalyRecordFacts,
    AssessmentPlanFacts,
    AssessmentRecommendationFacts,
    AssessmentReportFacts,
    AuditFinding,
    AuditReportFacts,
    ChangeReleaseFacts,
    ConfigRecordFacts,
    ConfigUpdateFacts,
    EvaluationFact,
    FrozenSla,
    HistoryEntry,
    ImplementationPlanFacts,
    ImprovementFact,
    IncidentFact,
    IncidentRate,
    KpiIndicator,
    KpiReportFacts,
    LeftoverFact,
    LowScore,
    MajorIncidentFacts,
    ManifestFacts,
    ManifestItem,
    OptimizationPlanFacts,
    PackFacts,
    PlanFacts,
    PlanReport,
    PlanReviewer,
    PlanSla,
    ReceivedFacts,
    ReportSla,
    ResolvedLeftoverFact,
    ResponseKpiFacts,
    ResponseRecordFacts,
    ReviewFact,
    ServiceCounts,
    ServiceRecordFacts,
    ServiceReportFacts,
    SlaSummary,
    StatusRecordFacts,
    SurveyFacts,
    SurveyQuestion,
    TrendAnalysisFacts,
    acceptance_order_gaps,
    review_gaps,
    workload_gap,
)

__all__ = [
    "ALL_PROJECTS", "FACTS_TYPES", "NO_PLAN", "RECORD_DOC_TYPES", "AcceptanceFacts", "AcceptanceIssue",
    "AcceptanceMeeting", "AnomalyRecordFacts", "ArchiveView", "ArchivedDoc", "AssessmentPlanFacts",
    "AssessmentRecommendationFacts", "AssessmentReportFacts", "AuditFinding", "AuditReportFacts",
    "ChangeReleaseFacts", "ConfigRecordFacts", "ConfigUpdateFacts", "EvaluationFact", "Facts", "FactsError",
    "FrozenSla", "HistoryEntry", "ImprovementFact", "ImplementationPlanFacts", "IncidentFact", "IncidentRate",
    "KpiIndicator", "KpiReportFacts", "LeftoverFact", "LowScore", "MajorIncidentFacts", "ManifestFacts",
    "ManifestItem", "OptimizationPlanFacts", "PackFacts", "Part", "PlanFacts", "PlanReport", "PlanReviewer",
    "PlanSla", "ReceivedFacts", "ReportSla", "ResolvedLeftoverFact", "ResponseKpiFacts", "ResponseRecordFacts",
    "ReviewFact", "ServiceCounts", "ServiceRecordFacts", "ServiceReportFacts", "SlaSummary", "StatusRecordFacts",
    "SurveyFacts", "SurveyQuestion", "TrendAnalysisFacts", "acceptance_order_gaps", "facts_class", "plan_mismatch", "plan_mismatches", "read_doc", "review_gaps", "view_of", "workload_gap",
]
