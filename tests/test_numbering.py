"""文件编号 (#14 item 3): one scheme for every document from one table of pinyin abbreviations, never
English words; a company's own rules in ARCHIVE/config/numbering.yaml; a bad file refused in Chinese,
naming the file and the key, before anything is written."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from docgen.archive import Archive
from docgen.cli import cli
from docgen.doctypes import DOC_TYPES
from docgen.errors import InputError
from docgen.facts import view_of
from docgen.numbering import ABBREVIATIONS, Numbering, load_numbering, numbering_text, parse_numbering
from docgen.pipeline import generate
from docgen.render import TemplateSet
from tests.conftest import EXAMPLES

P = "YNTD-YW-2025-001"


def test_every_document_type_has_one_pinyin_abbreviation():
    assert set(ABBREVIATIONS) == set(DOC_TYPES)
    assert len(set(ABBREVIATIONS.values())) == len(ABBREVIATIONS)
    assert all(re.fullmatch(r"[A-Z]{2,6}", abbr) for abbr in ABBREVIATIONS.values())


@pytest.mark.parametrize("doc_type, key, expected", [
    ("plan", (), f"{P}-JH"),
    ("service_report", ("2025-03",), f"{P}-FWBG-2025-03"),
    ("onsite_report", ("XC-2025-0007",), f"{P}-XCBGD-XC-2025-0007"),
    ("major_incident_report", ("emergency", "2025-Q1", "XC-2025-0005"), f"{P}-ZDSJ-2025-Q1-XC-2025-0005"),
    ("pack_manifest", ("emergency", "2025-Q1"), f"{P}-JFQD-YJXY-2025-Q1"),
    ("config_update", ("optimization", "2025-Q2"), f"{P}-PZGX-YHGS-2025-Q2"),
    ("trend_analysis", ("routine", "2025-03"), f"{P}-QSFX-2025-03"),
    ("kpi_report", ("2025-12",), f"{P}-ZBTJ-2025-12"),
])
def test_default_numbers(doc_type, key, expected):
    assert Numbering().for_document(doc_type, P, key) == expected


def test_a_document_over_every_project_has_no_project_in_its_number():
    assert Numbering().for_document("kpi_report", "_all", ("2025-12",)) == "ZBTJ-2025-12"
    assert Numbering(prefix="YNTD-{项目编号}").for_document("kpi_report", "_all", ("2025-12",)) == "YNTD-ZBTJ-2025-12"


def test_the_demo_prints_and_records_the_numbers(demo_archive):
    view = view_of(Archive(demo_archive[0]))
    numbers = {d.doc_type: d.doc_no for d in view.documents(P, None)}
    assert numbers["plan"] == f"{P}-JH" and numbers["pack_manifest"].startswith(f"{P}-JFQD-")
    for doc in view.documents(P, None):
        assert doc.record.get("doc_no"), doc.doc_id  # every generated document is numbered
        assert not re.search(r"-[A-Z]+-[A-Z]+-(?!\d)", doc.doc_no.replace(P, "")) or doc.doc_type == "pack_manifest"


def _write_config(root: Path, data) -> Path:
    path = root / "config" / "numbering.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_company_numbering_file_is_used(tmp_path):
    root = tmp_path / "archive"
    _write_config(root, {"prefix": "YNTD-{项目编号}", "abbreviations": {"运维项目管理计划": "XMJH", "service_report": "YWBG"}})
    docs = generate([EXAMPLES / "plan.yaml"], archive=Archive(root), templates=TemplateSet())
    assert docs[0].doc_no == f"YNTD-{P}-XMJH"
    assert view_of(Archive(root)).documents(P, "plan")[0].doc_no == f"YNTD-{P}-XMJH"
    assert load_numbering(root).number("service_report", P, "2025-03") == f"YNTD-{P}-YWBG-2025-03"


@pytest.mark.parametrize("data, message", [
    ({"prefx": "X"}, "不认识的键 prefx"),
    ({"abbreviations": {"服务报告": "FW"}}, "abbreviations.服务报告：没有文档类型“服务报告”；是否为"),
    ({"abbreviations": {"plan": "jh"}}, "abbreviations.plan：缩写“jh”不合规"),
    ({"abbreviations": {"plan": "FWBG"}}, "的缩写都是“FWBG”"),
    ({"separator": "+"}, "separator：分隔符“+”不合规"),
    ({"prefix": "YNTD {项目}"}, "prefix：前缀“YNTD {项目}”不合规"),
    ({"services": {"抢修": "QX"}}, "services.抢修：没有服务类型“抢修”"),
    ("- a\n- b\n", "编号规则文件顶层应为映射"),
])
def test_a_bad_numbering_file_is_refused_in_chinese(tmp_path, data, message):
    root = tmp_path / "archive"
    path = _write_config(root, data)
    with pytest.raises(InputError) as exc:
        load_numbering(root)
    assert message in str(exc.value) and str(path) in str(exc.value)
    result = CliRunner().invoke(cli, ["--archive", str(root), "generate", str(EXAMPLES / "plan.yaml")])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert not (root / "documents").exists()  # nothing written


def test_the_commented_default_file_reads_back_as_the_defaults(tmp_path):
    parsed = parse_numbering(yaml.safe_load(numbering_text()), file=tmp_path / "n.yaml")
    assert parsed.abbreviations == ABBREVIATIONS and parsed.prefix == "{项目编号}"
