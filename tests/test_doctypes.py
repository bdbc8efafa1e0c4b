"""The one table of document types (docgen.doctypes.DOC_TYPES) read from a command line: each code and
each Chinese name stands for its type, and what stands for none gets the closest names."""
from __future__ import annotations

import pytest

from docgen.doctypes import DOC_TYPES, close_doc_types, resolve_doc_type


@pytest.mark.parametrize("code, name", sorted(DOC_TYPES.items()))
def test_every_code_and_chinese_name_resolves(code, name):
    assert resolve_doc_type(code) == code
    assert resolve_doc_type(name) == code
    assert resolve_doc_type(f" {name} ") == code


def test_full_width_brackets_as_a_chinese_input_method_types_them():
    assert resolve_doc_type("重大事件（故障）的分析改进报告") == "major_incident_report"


@pytest.mark.parametrize("text", ["", "计划", "Plan", "minutes", "运维项目管理计划书"])
def test_anything_else_is_no_built_in_type(text):
    assert resolve_doc_type(text) is None


@pytest.mark.parametrize("text, expected", [
    ("计划", ["plan（运维项目管理计划）", "assessment_plan（调研评估计划书）"]),
    ("服务报告", ["onsite_report（现场服务报告单）", "service_report（运维服务报告）"]),
    ("plna", ["plan（运维项目管理计划）"]),
    ("运维项目管理计画", ["plan（运维项目管理计划）"]),
    ("onsite", ["onsite_form（现场服务单）", "onsite_report（现场服务报告单）"]),
    ("minute", []),
])
def test_close_doc_types(text, expected):
    assert close_doc_types(text) == expected


def test_close_doc_types_include_the_archives_own_types():
    assert close_doc_types("minute", ["minutes", "plan"]) == ["minutes"]
