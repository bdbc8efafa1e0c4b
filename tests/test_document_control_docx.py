"""Document control on every Word document (#14 item 4): every .docx the demo generates is reopened and read as
a person reads it. A document prints the 文件编号 the archive numbered it with and its 版本 — in its first
information table with 编制/审核/批准, names and dates (a service form: under its title, beside the form's own
表单编号 and 表单版本) — and carries its 文件编号 in the page header (a form: its 表单编号 in the footer)."""
from __future__ import annotations

import re

import docx
import pytest

from docgen.archive import Archive
from docgen.control import HAND_DATE, HAND_NAME
from docgen.doctypes import FORM_TYPES
from docgen.facts import view_of

P = "YNTD-YW-2025-001"
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
FORM_NUMBERS = {"onsite_form": "YNTD-ITSS-0901-JL01", "onsite_report": "YNTD-ITSS-0901-JL02",
                "leftover_confirmation": "YNTD-ITSS-0901-JL03", "remote_record": "YNTD-ITSS-0901-JL04"}
FORM_LINE = re.compile(r"表单编号：(?P<form_no>\S+)　表单版本：(?P<form_version>\S+)　文件编号：(?P<doc_no>\S+)")
ROLES = ("编制", "审核", "批准")
# the example plan's 运维部经理 reviewer and its approver: the names of every report's 审核 and 批准
PLAN_REVIEWER, PLAN_APPROVER = "赵刚", "刘建国"


def _rows(table: docx.table.Table) -> list[list[str]]:
    """A table's rows as a reader sees them: one text per cell, a merged cell once."""
    rows = []
    for row in table.rows:
        seen, texts = set(), []
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                texts.append(cell.text.strip(" \n"))  # keep the 　 of a hand-signed date
        rows.append(texts)
    return rows


def control_block(document: docx.Document) -> dict[str, tuple[str, str]]:
    """The control rows of the document's first table: label -> (value, the value beside it), e.g.
    文件编号 -> (number, 版本's value), 审核 -> (name, date)."""
    rows = _rows(document.tables[0])
    return {r[0]: (r[1], r[3]) for r in rows if len(r) == 4 and (r[0] == "文件编号" or r[0] in ROLES)}


def header_text(document: docx.Document) -> str:
    return " ".join(p.text for section in document.sections for p in section.header.paragraphs)


def footer_text(document: docx.Document) -> str:
    return " ".join(p.text for section in document.sections for p in section.footer.paragraphs)


@pytest.fixture(scope="module")
def word_documents(demo_archive):
    """(archived document, reopened .docx) for every version of every Word document the demo generated."""
    archive = Archive(demo_archive[0])
    docs = [d for d in view_of(archive).documents(P, None, all_versions=True) if d.path.endswith(".docx")]
    assert {d.doc_type for d in docs} >= {"plan", "service_report", "survey_report", "acceptance_report",
                                          "pack_manifest", "trend_analysis", "major_incident_report",
                                          *FORM_NUMBERS}
    return [(d, docx.Document(str(archive.root / d.path))) for d in docs]


def test_every_document_prints_the_archives_number_and_version(word_documents):
    for doc, document in word_documents:
        number, version = doc.record["doc_no"], doc.record["doc_version"]
        assert number.startswith(P) and version == "V1.0", doc.doc_id
        if doc.doc_type in FORM_TYPES:
            lines = [m for p in document.paragraphs if (m := FORM_LINE.fullmatch(p.text.strip()))]
            assert len(lines) == 1, f"{doc.title}: no 表单编号 line"
            assert lines[0]["doc_no"] == number, doc.title
        else:
            block = control_block(document)
            assert block["文件编号"] == (number, version), doc.title
        assert number in header_text(document), f"{doc.title}: page header lacks {number}"


def test_reports_and_records_are_prepared_reviewed_and_approved(word_documents):
    """编制 as the input says, 审核 and 批准 named from the plan; a date nobody recorded is a labelled line
    to sign by hand. The plan itself has all three from its own review and approval."""
    for doc, document in word_documents:
        if doc.doc_type in FORM_TYPES:
            continue
        block = control_block(document)
        assert list(block) == ["文件编号", *ROLES], doc.title  # in this order, once each
        prepared_by, prepared_on = block["编制"]
        assert prepared_by and prepared_by != HAND_NAME and ISO_DAY.fullmatch(prepared_on), doc.title
        assert header_text(document).endswith(f"{doc.record['doc_no']}　{doc.record['doc_version']}"), doc.title
        if doc.doc_type == "plan":
            assert block["编制"] == ("张伟", "2025-01-07")
            assert block["审核"] == (PLAN_REVIEWER, "2025-01-08") and block["批准"] == (PLAN_APPROVER, "2025-01-09")
        else:
            assert block["审核"] == (PLAN_REVIEWER, HAND_DATE), doc.title
            assert block["批准"] == (PLAN_APPROVER, HAND_DATE), doc.title


def test_the_service_report_names_who_prepares_reviews_and_approves_it(word_documents):
    [(doc, document)] = [(d, x) for d, x in word_documents if d.doc_type == "service_report" and d.period == "2025-03"]
    block = control_block(document)
    assert block == {"文件编号": (f"{P}-FWBG-2025-03", "V1.0"), "编制": ("张伟", "2025-04-03"),
                     "审核": ("赵刚", HAND_DATE), "批准": ("刘建国", HAND_DATE)}
    # the customer's receipt stays a signature by hand, labelled as one
    [receipt] = [r for r in _rows(document.tables[0]) if r[0] == "客户签收"]
    assert receipt == ["客户签收", "（客户手签）", "日期", HAND_DATE]


def test_forms_print_their_own_form_number_and_no_signoff_rows(word_documents):
    for doc, document in word_documents:
        if doc.doc_type not in FORM_TYPES:
            continue
        [line] = [m for p in document.paragraphs if (m := FORM_LINE.fullmatch(p.text.strip()))]
        assert (line["form_no"], line["form_version"]) == (FORM_NUMBERS[doc.doc_type], "V1.0"), doc.title
        # every page: the record's 文件编号 in the header (test above), the blank form's number in the footer
        assert footer_text(document).startswith(f"表单编号 {FORM_NUMBERS[doc.doc_type]}（V1.0）\t第 "), doc.title
        # the forms' own 工程师/审核人/客户 rows say who filled and checked them: no 编制/审核/批准 block
        labels = {r[0] for t in document.tables for r in _rows(t)}
        assert not labels & set(ROLES), doc.title


def test_an_approval_in_the_input_is_printed(copy_demo, tmp_path, write_yaml):
    import yaml

    from docgen.pipeline import generate
    from docgen.render import TemplateSet
    from tests.conftest import EXAMPLES

    data = yaml.safe_load((EXAMPLES / "service_report.yaml").read_text(encoding="utf-8"))
    data["approval"] = {"reviewed_by": "王五", "reviewed_on": "2025-04-05"}
    [report] = generate([write_yaml(data)], archive=Archive(copy_demo), templates=TemplateSet())
    block = control_block(docx.Document(report.path))
    assert block["审核"] == ("王五", "2025-04-05")
    assert block["批准"] == (PLAN_APPROVER, HAND_DATE)  # still the plan's approver, signing by hand
    assert block["文件编号"] == (report.doc_no, report.doc_version) == (f"{P}-FWBG-2025-03", "V2.0")
