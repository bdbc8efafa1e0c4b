"""A PM's free text never contradicts the figures on the same page: counts of services, "all targets
met" beside misses, "no major incident" beside one — generation warns, the document prints the computed
conclusion beside the text, and the audit lists it (#13: narrative vs figures)."""
from __future__ import annotations

import docx
import pytest

from docgen.kinds._narrative import contradictions
from docgen.metrics.audit import audit_project
from tests.test_service_report import _archive_project, _report

P = "YNTD-YW-2025-001"


@pytest.mark.parametrize("text, kwargs, expected", [
    ("处理现场故障1次、远程支持3次", {"counts": {"onsite": 2, "remote": 1}}, ["现场服务 2 次", "远程服务 1 次"]),
    ("处理现场故障2次、远程支持1次", {"counts": {"onsite": 2, "remote": 1}}, []),
    ("全年SLA指标均达成", {"missed": ["故障响应时间"]}, ["故障响应时间 未达标"]),
    ("全年SLA指标均达成", {"missed": []}, []),
    ("SLA指标未全部达成，已分析原因", {"missed": ["故障响应时间"]}, []),  # says so itself
    ("本月无重大事件", {"majors": ["INC-002"]}, ["重大事件 1 起（INC-002）"]),
    ("本月无重大事件", {"majors": []}, []),
    ("系统运行平稳", {"counts": {"onsite": 3, "remote": 0}, "missed": ["x"], "majors": ["y"]}, []),  # nothing checkable
])
def test_contradictions(text, kwargs, expected):
    found = contradictions(text, **kwargs)
    assert len(found) == len(expected) and all(e in f for e, f in zip(expected, found))
    assert all(f"“{text.split('，')[0]}" in f for f in found)  # quotes what the person wrote


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    folder = tmp_path_factory.mktemp("narrative")
    return folder, _archive_project(folder)


def test_a_summary_contradicting_the_records_is_warned_shown_and_audited(archived):
    folder, archive = archived  # March: 1 onsite (XC-2025-0007), 2 remote (YC-2025-0010, -0011)
    doc, document = _report(archive, folder, summary="本月处理现场故障3次、远程支持2次，SLA指标均达成。")
    conflicts = [w for w in doc.warnings if w.startswith("summary：")]
    assert len(conflicts) == 2  # onsite 3 ≠ 1 (remote 2 = 2 is fine), and "均达成" beside the March misses
    assert any("现场服务 1 次" in w for w in conflicts) and any("未达标" in w for w in conflicts)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "项目经理说明：" in text and "项目经理说明与统计不符之处（以统计为准）：" in text
    assert "说明中“本月处理现场故障3次、远程支持2次”与归档记录不符：现场服务 1 次" in text
    report = audit_project(archive, P, as_of=__import__("datetime").date(2025, 4, 10))
    found = [f for f in report.findings if f.rule == "说明与统计"]
    assert len(found) == 2 and all(f.doc_type == "service_report" and f.period == "2025-03" for f in found)
    assert report.checked["说明与统计"] >= 1


def test_a_summary_that_agrees_gets_no_conflict_block(archived):
    folder, archive = archived
    doc, document = _report(archive, folder, summary="本月处理现场服务1次、远程支持2次。")
    assert not [w for w in doc.warnings if w.startswith("summary：")]
    assert "与统计不符之处" not in "\n".join(p.text for p in document.paragraphs)
    assert isinstance(document, docx.document.Document)
    # the new version stands for the report: the audit finds nothing to say
    report = audit_project(archive, P, as_of=__import__("datetime").date(2025, 4, 10))
    assert not [f for f in report.findings if f.rule == "说明与统计"] and report.checked["说明与统计"] >= 1
