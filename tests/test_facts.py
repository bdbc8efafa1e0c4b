"""The facts contract (docgen.facts): every document type's facts are typed, archives written by
docgen 0.1.0 read back, and a missing or malformed fact is an error naming the document."""
from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from docgen.archive import Archive
from docgen.facts import (
    FACTS_TYPES,
    NO_PLAN,
    ArchiveView,
    FactsError,
    ManifestFacts,
    PlanFacts,
    ReceivedFacts,
    ServiceRecordFacts,
    SurveyFacts,
    read_doc,
)
from docgen.doctypes import DOC_TYPES

FIXTURE = Path(__file__).parent / "fixtures" / "metadata_docgen_0_1.json"
P = "YNTD-YW-2025-001"


def _archive_fixture(root: Path) -> Archive:
    """An archive holding one document of every type, with the metadata docgen 0.1.0 wrote."""
    archive = Archive(root)
    for n, record in enumerate(json.loads(FIXTURE.read_text(encoding="utf-8"))):
        archive.put(f"document {n}".encode(), project=record["project"], doc_type=record["doc_type"],
                    key=tuple(record["key"]), title=record["title"], date=datetime.date.fromisoformat(record["date"]),
                    period=record["period"], ext=".txt", source=record["source"], template=record["template"],
                    facts=record["facts"])
    return archive


def test_every_document_type_has_a_facts_class():
    assert set(DOC_TYPES) == set(FACTS_TYPES)


def test_metadata_of_docgen_0_1_reads_back(tmp_path):
    view = ArchiveView(_archive_fixture(tmp_path / "archive"))
    docs = view.documents(P)
    assert len(docs) == 26
    for doc in docs:  # every one parses into its type
        assert isinstance(doc.facts, ReceivedFacts if doc.received else FACTS_TYPES[doc.doc_type])

    plan = view.plan_facts(P)
    assert (plan.plan_version, plan.start, plan.end) == ("V1.0", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert plan.target("response_minutes").target == 30.0 and plan.target("no_such_metric") is None
    assert {r.role for r in plan.reviewers} >= {"运维部经理", "质量部"}
    assert [r.frequency for r in plan.reports][:1] == ["monthly"]

    records = view.service_records(P, "onsite")
    assert list(records) == ["XC-2025-0007"]  # the scanned 现场记录 carries no record facts
    record = records["XC-2025-0007"].facts_as(ServiceRecordFacts)
    assert record.resolved_day == datetime.date(2025, 3, 12) and record.measures["arrival_minutes"] == 210.0
    assert record.frozen("response_minutes").met is True and record.leftover_issues[0].id == "XC-2025-0007#1"
    assert record.leftover_issues[0].due_day == datetime.date(2025, 3, 20)

    survey = next(d for d in docs if d.doc_type == "survey_report").facts_as(SurveyFacts)
    assert survey.overall == 4.67 and survey.score_total == 56 and survey.low_scores[0].followed_up is True

    scanned = next(d for d in docs if d.received)
    assert scanned.service_no == "XC-2025-0099" and scanned.facts_as(ReceivedFacts).characters == 812
    manifest = next(d for d in docs if d.doc_type == "pack_manifest").facts_as(ManifestFacts)
    assert manifest.missing == [] and all(item.present for item in manifest.items)


def test_facts_written_are_what_is_read(tmp_path):
    """A generated record's facts go through the type both ways: archived dict == to_record()."""
    record = json.loads(FIXTURE.read_text(encoding="utf-8"))
    onsite = next(r for r in record if r["doc_type"] == "onsite_form")
    facts = ServiceRecordFacts.model_validate(onsite["facts"])
    again = ServiceRecordFacts.model_validate(facts.to_record())
    assert again == facts and facts.to_record()["sla"][0]["metric"] == "response_minutes"
    no_plan = ServiceRecordFacts(service_no="X-1", resolved_at="2025-03-01 10:00", sla=NO_PLAN)
    assert no_plan.no_plan and no_plan.frozen("response_minutes") is None and no_plan.frozen_results() == []


def _put(archive: Archive, doc_type: str, facts: dict, *, key: tuple[str, ...] = ("2025-03",)) -> None:
    archive.put(b"x", project=P, doc_type=doc_type, key=key, title="t", date=datetime.date(2025, 3, 31),
                period="2025-03", ext=".txt", source="test", template=f"{doc_type}.docx", facts=facts)


def test_a_missing_fact_names_the_document_and_the_fact(tmp_path):
    archive = Archive(tmp_path / "archive")
    _put(archive, "survey_report", {"respondents": 3})  # no overall: the satisfaction figure would be 0
    [doc] = ArchiveView(archive).documents(P, "survey_report")
    with pytest.raises(FactsError) as caught:
        doc.facts  # noqa: B018  (read on first use)
    message = str(caught.value)
    assert f"{P}/survey_report/2025-03 第 1 版" in message and "facts.overall：缺失" in message
    assert "survey_report_2025-03_v1.txt" in message  # the sidecar's document, so it can be found


def test_a_malformed_fact_is_an_error_not_a_zero(tmp_path):
    archive = Archive(tmp_path / "archive")
    _put(archive, "plan", {"name": "n", "customer": "c", "plan_version": "V1", "start": "2025-13-01",
                           "end": "2025-12-31"}, key=())
    with pytest.raises(FactsError, match=r"facts\.start：不是有效日期"):
        ArchiveView(archive).plan_in_force(P)
    record = archive.records(project=P)[0]
    with pytest.raises(FactsError, match="类型不对"):
        read_doc(record | {"facts": {**record["facts"], "start": "2025-01-01", "sla": "x"}}).facts  # noqa: B018


def test_a_document_type_nobody_knows_is_listed_but_its_facts_refused(tmp_path):
    archive = Archive(tmp_path / "archive")
    _put(archive, "memo_of_2030", {"anything": 1})
    [doc] = ArchiveView(archive).documents(P)
    assert doc.title == "t" and doc.period == "2025-03"  # metadata listing still works
    with pytest.raises(FactsError, match="没有已知的事实格式"):
        doc.facts  # noqa: B018


def test_plan_in_force_on_a_day(tmp_path):
    archive = Archive(tmp_path / "archive")
    base = {"name": "n", "customer": "c", "start": "2025-01-01", "end": "2025-12-31"}
    for version, day in (("V1.0", "2025-01-05"), ("V2.0", "2025-06-10")):
        archive.put(version.encode(), project=P, doc_type="plan", title=version, date=datetime.date.fromisoformat(day),
                    period="2025", ext=".txt", source="test", template="plan.docx",
                    facts=base | {"plan_version": version})
    view = ArchiveView(archive)
    assert view.plan_facts(P).plan_version == "V2.0"  # the latest
    assert view.plan_facts(P, datetime.date(2025, 6, 9)).plan_version == "V1.0"
    assert view.plan_facts(P, datetime.date(2025, 6, 10)).plan_version == "V2.0"
    assert view.plan_facts(P, datetime.date(2024, 12, 1)).plan_version == "V1.0"  # before any: the first plan
    assert view.plan_in_force("P-none") is None


def test_projects_and_require_project(tmp_path):
    from docgen.errors import InputError

    archive = _archive_fixture(tmp_path / "archive")
    view = ArchiveView(archive)
    assert view.projects() == [P] and view.planned_projects() == [P]
    with pytest.raises(InputError, match=f"是否为 {P}"):
        view.require_project("YNTD-YW-2025-01")
    with pytest.raises(InputError, match="保留名称"):
        view.require_project("_all")


def test_audit_reports_unreadable_facts_as_a_finding(tmp_path):
    from docgen.metrics.audit import audit_project

    archive = _archive_fixture(tmp_path / "archive")
    _put(archive, "survey_report", {"respondents": 3}, key=("2025-04",))
    report = audit_project(archive, P, as_of=datetime.date(2025, 5, 1))
    broken = [f for f in report.findings if f.rule == "归档完整性"]
    # named for a reader by its citation; the doc_id (and the fact that failed) stay out of the message
    assert len(broken) == 1 and broken[0].message.startswith("《t》（第 1 版）的归档事实无法读取")
    assert broken[0].doc_id == f"{P}/survey_report/2025-04" and broken[0].doc_no == "t"
    assert "survey_report" not in broken[0].message
    assert isinstance(PlanFacts, type)


def test_every_kind_declares_its_stage_and_generate_and_watcher_share_it(tmp_path):
    from docgen.kinds import RECEIVED_STAGE, get_kind, kind_names
    from docgen.watch._files import Classified

    stages = {name: get_kind(name).stage for name in kind_names()}
    assert stages["plan"] < stages["onsite"] == stages["remote"] < stages["survey"] < RECEIVED_STAGE
    assert RECEIVED_STAGE < stages["routine"] < stages["service_report"] < stages["acceptance"]
    for name in kind_names():
        assert Classified(tmp_path / "x.yaml", "input", name).stage == stages[name]
    # the watcher takes documents to archive first: nothing before the packs reads them, and a memo dropped beside
    # a plan is not held up by the plan's generation
    assert Classified(tmp_path / "x.pdf", "document").stage < min(stages.values())
    from docgen.kinds import computed_names, stage_of

    assert [stage_of(name) for name in computed_names()] == [7, 8]  # after acceptance: they read everything


def test_docs_list_every_facts_class():
    """docs/facts.md is the contract's description: every class and its every field are in it."""
    text = (Path(__file__).parent.parent / "docs" / "facts.md").read_text(encoding="utf-8")
    for cls in {*FACTS_TYPES.values(), ReceivedFacts}:
        row = next((line for line in text.splitlines() if line.startswith(f"| `{cls.__name__}` |")), None)
        assert row is not None, f"docs/facts.md has no row for {cls.__name__}"
        for name in cls.model_fields:
            assert f"`{name}`" in row, f"docs/facts.md: {cls.__name__} lacks {name}"
