"""Documents speak the regulation (#14 item 1): every §5.4.7 deliverable is named exactly as
YNTD-ITSS-0901 lists it, from one table (docgen.doctypes.DOC_TYPES), and every Word template's title is
that table's name."""
from __future__ import annotations

import re

import docx
import pytest

from docgen.doctypes import DOC_TYPES
from docgen.kinds import registered_templates
from docgen.kinds._pack import PACK_ITEMS
from tests.conftest import ROOT

REGULATION = ROOT.parent / "shared" / "spec" / "YNTD-ITSS-0901.txt"
# the §5.4.7 lists as the regulation words them (checked against its text below when it is beside us)
LISTED = {
    "routine": ["运行状态信息记录", "运行状态异常处理记录", "趋势分析及可能的风险消除建议", "运行维护服务对象配置信息记录",
                "需方满意度调查和分析报告"],
    "emergency": ["响应支持记录", "响应支持关键指标数据记录", "重大事件(故障)的分析改进报告", "运行维护服务对象配置信息更新记录",
                  "需方满意度调查和分析报告"],
    "optimization": ["优化改善方案及相关评审记录", "优化改善实施方案及相关评审记录", "优化改善实施的变更和发布报告",
                     "运行维护服务对象配置信息更新记录", "需方满意度调查和分析报告"],
    "assessment": ["调研评估计划书", "调研评估分析报告", "调研评估的规划方案或建议及评审记录", "需方满意度调查和分析报告"],
}


@pytest.mark.skipif(not REGULATION.is_file(), reason="the regulation's text is not beside this checkout")
def test_the_lists_are_the_regulations_words():
    text = REGULATION.read_text(encoding="utf-8")
    found = [m.group(1) for m in re.finditer(r"交付成果包括但不限于：(.+?)。", text)]
    assert len(found) == 4
    for service, line in zip(("routine", "emergency", "optimization", "assessment"), found):
        # 响应支持关键指标数据记录(服务级别协议达成情况、数量、分布、趋势): the parenthesis says what it holds
        assert [re.sub(r"\(服务级别协议.*\)$", "", item) for item in line.split("；")] == LISTED[service]


@pytest.mark.parametrize("service", sorted(PACK_ITEMS))
def test_every_pack_item_has_the_regulations_name(service):
    _, _, items = PACK_ITEMS[service]
    assert [DOC_TYPES[t] for t in items] == LISTED[service]


def test_every_word_template_is_titled_from_the_one_table():
    templates = ROOT / "templates_docx"
    for _, doc_type, name in registered_templates():
        if not name.endswith(".docx") or doc_type not in DOC_TYPES:
            continue
        title = docx.Document(templates / name).core_properties.title
        expected = DOC_TYPES[doc_type] if doc_type != "pack_manifest" else "交付清单"
        assert title == expected, (name, title)
