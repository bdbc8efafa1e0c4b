"""The survey kind end to end: the input rules (bad inputs refused with the field path, low
scores without a §5.4.5 follow-up warned), hand-checkable statistics in the report and the archive,
the charts (deterministic PNGs in the shipped Chinese font) and the Excel 录入表 round trip."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
import warnings
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from docgen.archive import Archive
from docgen.cli import cli
from docgen.inputs._xlsx import read_form, write_form
from docgen.kinds import get_kind
from docgen.periods import period_bounds
from docgen.kinds.survey.stats import round_half_up
from docgen.pipeline import check_input, context_digest, generate
from docgen.render import Picture, TemplateSet
from docgen.render.chart import FONT_FAMILY, FONT_FILE, bar_chart_png, line_chart_png
from tests.conftest import EXAMPLES, ROOT

DOC_ID = "YNTD-YW-2025-001/survey_report/2025-03"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LOW_WARNING = ("responses[2].q4：吴工 对“沟通与报告”评 2 分（≤3），缺少确认与改进跟踪（§5.4.5），"
               "请在 followups 中补充")


@pytest.fixture
def survey_data() -> dict:
    return copy.deepcopy(yaml.safe_load((EXAMPLES / "survey.yaml").read_text(encoding="utf-8")))


def _generate(tmp_path: Path, path: Path) -> tuple[docx.Document, dict, Archive]:
    archive = Archive(tmp_path / "archive")
    [doc] = generate([path], archive=archive, templates=TemplateSet())
    return docx.Document(doc.path), doc.as_json(), archive


def _refused(tmp_path: Path, input_file: Path, *expected: str) -> str:
    archive, out = tmp_path / "archive", tmp_path / "out"
    result = CliRunner().invoke(cli, ["--archive", str(archive), "generate", str(input_file), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.stderr, result.stderr
    assert not out.exists() and not archive.exists()
    return result.stderr


def _table_with(document: docx.Document, header: str) -> docx.table.Table:
    for table in document.tables:
        if header in [c.text.strip() for c in table.rows[0].cells]:
            return table
    raise AssertionError(f"no table with header {header}")


def _rows(table: docx.table.Table, skip: int = 1) -> list[list[str]]:
    return [[c.text.strip() for c in row.cells] for row in table.rows[skip:]]


def _section(document: docx.Document, heading: str) -> str:
    """The paragraphs between a Heading 1 containing `heading` and the next Heading 1."""
    out, inside = [], False
    for p in document.paragraphs:
        if p.style.name == "Heading 1":
            inside = heading in p.text
            continue
        if inside:
            out.append(p.text)
    return "\n".join(out)


@pytest.fixture(scope="module")
def example_doc(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("survey")
    return _generate(tmp, EXAMPLES / "survey.yaml")


# ---------------------------------------------------------------- the example and its report
def test_example_is_valid_without_warnings():
    checked = check_input(EXAMPLES / "survey.yaml")
    assert checked.errors == [] and checked.warnings == []
    # the spec's copy is still accepted (tests/test_contract.py); ours also records when follow-ups were done


def test_statistics_table_is_hand_checkable(example_doc):
    document, _, _ = example_doc
    table = _table_with(document, "平均分")
    # two header rows (评分分布 spans the 1–5 columns)
    rows = _rows(table, skip=2)
    #            no   id    text          n    mean    min  max  1    2    3    4    5
    assert rows == [["1", "q1", "响应及时性", "3", "4.67", "4", "5", "0", "0", "0", "1", "2"],
                    ["2", "q2", "问题解决质量", "3", "4.00", "3", "5", "0", "0", "1", "1", "1"],
                    ["3", "q3", "服务态度", "3", "4.67", "4", "5", "0", "0", "0", "1", "2"],
                    ["4", "q4", "沟通与报告", "3", "3.33", "2", "4", "0", "1", "0", "2", "0"]]
    text = "\n".join(p.text for p in document.paragraphs)
    # 5+5+5+4 + 4+3+5+4 + 5+4+4+2 = 50 over 12 scores
    assert "总体满意度 = 全部单项评分之和 ÷ 评分个数 = 50 ÷ 12 = 4.17" in text
    assert "满意率 = 4 分及以上的评分个数 ÷ 评分个数 = 10 ÷ 12 = 83.3%" in text
    overview = _table_with(document, "项目编号")
    cells = " ".join(c.text for row in overview.rows for c in row.cells)
    for fact in ("YNTD-YW-2025-001", "某供电局调度自动化系统运维服务项目", "某供电局", "服务台 刘敏",
                 "2025年3月", "2025-03-28 至 2025-03-29", "3 份", "4.17 分"):
        assert fact in cells, fact


def test_response_table_lists_every_respondent_with_low_scores_marked(example_doc):
    document, _, _ = example_doc
    rows = _rows(_table_with(document, "各题评分"))
    assert [r[1] for r in rows] == ["陈主任", "周工", "吴工"]
    assert rows[1][3] == "q1 4　q2 3*　q3 5　q4 4"
    assert rows[2][2] == "2025-03-29" and rows[2][4] == "月报提交偏晚"


def test_charts_are_embedded_png_pictures(example_doc):
    document, _, _ = example_doc
    assert len(document.inline_shapes) == 5  # means + one distribution chart per question
    images = [rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/image")]
    assert images and all(p.content_type == "image/png" and p.blob.startswith(PNG_MAGIC) for p in images)
    captions = " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "q4 沟通与报告：n=3，平均 3.33 分，最低 2 分" in captions


def test_low_score_section_lists_items_with_their_followups(example_doc):
    document, _, _ = example_doc
    rows = _rows(_table_with(document, "确认的不满意内容"))
    assert rows == [
        ["1", "周工", "q2 问题解决质量", "3", "前置机通信问题反复", "列入优化改善项目", "王强", "2025-04-30",
         "已完成（2025-04-20）：前置机通信链路冗余改造已实施（变更 CHG-2025-012），周工确认"],
        ["2", "吴工", "q4 沟通与报告", "2", "月报晚于约定的次月5日", "月报模板化并于每月3日前提交", "张伟", "2025-04-05",
         "已完成（2025-04-03）：3月月报已于4月3日提交，吴工确认"],
    ]
    assert "陈主任：整体满意" in _section(document, "意见与建议")
    assert _section(document, "提示").strip() == "无。"


def test_header_footer_and_chapters(example_doc):
    document, _, _ = example_doc
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings == ["1 调查概况", "2 调查结果", "3 低分项分析与改进（§5.4.5）", "4 意见与建议", "5 提示"]
    section = document.sections[0]
    assert "YNTD-YW-2025-001-MYD-2025-03" in section.header.paragraphs[0].text
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml


def test_identity_and_facts_are_archived(example_doc):
    _, meta, archive = example_doc
    assert meta["doc_id"] == DOC_ID and meta["date"] == "2025-03-29" and meta["period"] == "2025-03"
    facts = archive.versions(DOC_ID)[0]["facts"]
    assert facts["period"] == "2025-03" and facts["surveyed_by"] == "服务台 刘敏" and facts["respondents"] == 3
    assert facts["overall"] == 4.17 and facts["score_total"] == 50 and facts["score_count"] == 12
    assert [(q["id"], q["mean"], q["min"], q["n"]) for q in facts["questions"]] == [
        ("q1", 4.67, 4, 3), ("q2", 4.0, 3, 3), ("q3", 4.67, 4, 3), ("q4", 3.33, 2, 3)]
    assert facts["questions"][3]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 2, "5": 0}
    assert [(x["respondent"], x["question"], x["score"], x["followed_up"], x["due"], x["done_on"])
            for x in facts["low_scores"]] == [("周工", "q2", 3, True, "2025-04-30", "2025-04-20"),
                                              ("吴工", "q4", 2, True, "2025-04-05", "2025-04-03")]


def test_regenerating_the_same_survey_is_unchanged(tmp_path):
    archive = Archive(tmp_path / "archive")
    [first] = generate([EXAMPLES / "survey.yaml"], archive=archive, templates=TemplateSet())
    [again] = generate([EXAMPLES / "survey.yaml"], archive=archive, templates=TemplateSet())
    assert (first.status, again.status, again.version) == ("new", "unchanged", 1)


def test_a_quarterly_survey_and_a_changed_threshold(tmp_path, survey_data, write_yaml):
    survey_data["period"] = "2025-Q1"
    survey_data["low_score_threshold"] = 2
    document, meta, archive = _generate(tmp_path, write_yaml(survey_data))
    assert meta["doc_id"] == "YNTD-YW-2025-001/survey_report/2025-Q1"
    facts = archive.versions(meta["doc_id"])[0]["facts"]
    assert [(x["respondent"], x["question"]) for x in facts["low_scores"]] == [("吴工", "q4")]
    assert meta["warnings"] == ["followups[1]：周工 对“问题解决质量”评 3 分，不是低分项（≤2）；"
                                "请检查问题编号 question 和受访人 respondent 是否填对"]
    assert "2025年第1季度" in "\n".join(p.text for p in document.paragraphs)


# ---------------------------------------------------------------- §5.4.5: a low score needs a follow-up
def test_low_score_without_followup_is_a_warning_in_the_report_and_the_json(tmp_path, survey_data, write_yaml):
    survey_data["followups"] = survey_data["followups"][1:]  # drop 吴工's q4 follow-up
    path = write_yaml(survey_data)
    checked = check_input(path)
    assert checked.errors == [] and [w.text() for w in checked.warnings] == [LOW_WARNING]

    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "archive"), "generate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)
    assert record["warnings"] == [LOW_WARNING]
    document = docx.Document(record["path"])
    # the page names the field in Chinese; the command line and the JSON keep the path
    assert LOW_WARNING.replace("followups", "“低分项确认与改进”") in _section(document, "提示")
    low = _rows(_table_with(document, "确认的不满意内容"))
    assert low[1][:4] == ["2", "吴工", "q4 沟通与报告", "2"] and low[1][-1] == "未跟踪" and low[1][4] == "（未确认）"
    facts = Archive(tmp_path / "archive").versions(DOC_ID)[0]["facts"]
    assert facts["low_scores"][1] == {"respondent": "吴工", "question": "q4", "score": 2, "followed_up": False,
                                      "due": None, "done_on": None, "result": None}
    assert "1 项尚缺确认与改进跟踪" in _section(document, "调查概况")


# ---------------------------------------------------------------- bad inputs: exit 1, Chinese message, path
def test_unknown_question_key(tmp_path, survey_data, write_yaml):
    survey_data["responses"][1]["q9"] = 4
    _refused(tmp_path, write_yaml(survey_data), "responses[1].q9：未知问题编号 q9，问卷中只有 q1、q2、q3、q4")


def test_misspelt_fixed_key_gets_did_you_mean(tmp_path, survey_data, write_yaml):
    survey_data["responses"][0]["comments"] = survey_data["responses"][0].pop("comment")
    _refused(tmp_path, write_yaml(survey_data), "responses[0].comments：未知字段 responses[0].comments，是否为 comment?")


@pytest.mark.parametrize("value,shown", [(6, "6"), (0, "0"), ("五", "“五”"), (4.5, "4.5"), (True, "True")])
def test_score_must_be_an_integer_1_to_5(tmp_path, survey_data, write_yaml, value, shown):
    survey_data["responses"][2]["q3"] = value
    _refused(tmp_path, write_yaml(survey_data), f"responses[2].q3：q3（服务态度）的分数应为 1–5 的整数，实际为 {shown}")


def test_every_question_needs_a_score(tmp_path, survey_data, write_yaml):
    del survey_data["responses"][0]["q2"]
    _refused(tmp_path, write_yaml(survey_data), "responses[0].q2：缺少 q2（问题解决质量）的分数；每道题都要有分数")


def test_response_needs_respondent_and_date(tmp_path, survey_data, write_yaml):
    del survey_data["responses"][1]["respondent"]
    survey_data["responses"][2]["date"] = "2025/03/29"
    _refused(tmp_path, write_yaml(survey_data), "responses[1].respondent：缺少必填字段 受访人（respondent）",
             "responses[2].date：", "YYYY-MM-DD")


def test_duplicate_question_id(tmp_path, survey_data, write_yaml):
    survey_data["questions"].append({"id": "q2", "text": "文档质量"})
    _refused(tmp_path, write_yaml(survey_data), "questions[4].id：问题编号 q2 与 questions[1].id 重复")


@pytest.mark.parametrize("qid,text", [("Q1", "只能用小写字母、数字和下划线"), ("date", "问题编号不能用 date")])
def test_question_id_format(tmp_path, survey_data, write_yaml, qid, text):
    survey_data["questions"][0]["id"] = qid
    _refused(tmp_path, write_yaml(survey_data), "questions[0].id：", text)


def test_followup_must_name_a_question_and_a_respondent(tmp_path, survey_data, write_yaml):
    survey_data["followups"][0]["question"] = "q7"
    survey_data["followups"][1]["respondent"] = "郑工"
    _refused(tmp_path, write_yaml(survey_data), "followups[0].question：问题编号 q7 不在问卷中（问卷中只有 q1、q2、q3、q4）",
             "followups[1].respondent：受访人 郑工 不在回答 responses 中（受访人：陈主任、周工、吴工）")


def test_followup_due_before_the_response_names_both(tmp_path, survey_data, write_yaml):
    survey_data["followups"][0]["due"] = "2025-03-20"
    _refused(tmp_path, write_yaml(survey_data), "followups[0].due：完成日期 followups[0].due（2025-03-20）早于 吴工 的回答日期 "
                                                "responses[2].date（2025-03-29）")


@pytest.mark.parametrize("period,text", [("2025-W10", "是一个 ISO 周"), ("2025-03-15", "是一天"),
                                         ("2025-3", "格式不对，应为 YYYY-MM、YYYY-Qn 或 YYYY")])
def test_survey_period_is_a_month_quarter_or_year(tmp_path, survey_data, write_yaml, period, text):
    survey_data["period"] = period
    _refused(tmp_path, write_yaml(survey_data), "period：", text)


def test_response_before_the_period_names_both(tmp_path, survey_data, write_yaml):
    survey_data["responses"][0]["date"] = "2025-02-27"
    _refused(tmp_path, write_yaml(survey_data), "responses[0].date：回答日期 responses[0].date（2025-02-27）早于调查期间 "
                                                "period（2025-03）的开始日 2025-03-01")


def test_response_after_the_period_is_fine(survey_data, write_yaml):
    survey_data["responses"][2]["date"] = "2025-04-03"
    survey_data["followups"][0]["due"] = "2025-04-10"
    assert check_input(write_yaml(survey_data)).errors == []


def test_duplicate_respondent(tmp_path, survey_data, write_yaml):
    survey_data["responses"][2]["respondent"] = "周工"
    _refused(tmp_path, write_yaml(survey_data), "responses[2].respondent：受访人 周工 与 responses[1].respondent 重复")


def test_all_response_errors_are_reported_at_once(survey_data, write_yaml):
    survey_data["responses"][0]["q9"] = 1
    survey_data["responses"][1]["q1"] = 7
    del survey_data["responses"][2]["q4"]
    paths = {i.path for i in check_input(write_yaml(survey_data)).errors}
    assert {"responses[0].q9", "responses[1].q1", "responses[2].q4"} <= paths


# ---------------------------------------------------------------- statistics helpers
def test_rounding_is_half_up_from_the_exact_fraction():
    assert round_half_up(Fraction(33, 8)) == Decimal("4.13")  # float round() would give 4.12
    assert round_half_up(Fraction(14, 3)) == Decimal("4.67")
    assert round_half_up(Fraction(1000, 12), 1) == Decimal("83.3")


@pytest.mark.parametrize("period,first,last", [("2025-02", "2025-02-01", "2025-02-28"),
                                               ("2024-Q1", "2024-01-01", "2024-03-31"),
                                               ("2025-Q4", "2025-10-01", "2025-12-31"),
                                               ("2025", "2025-01-01", "2025-12-31")])
def test_period_bounds(period, first, last):
    assert tuple(d.isoformat() for d in period_bounds(period)) == (first, last)


# ---------------------------------------------------------------- charts and pictures
def test_charts_are_deterministic_pngs():
    args = (["响应及时性", "问题解决质量"], [4.67, 3.0])
    first = bar_chart_png(*args, title="各题平均分", ylabel="平均分", ymax=5)
    assert first == bar_chart_png(*args, title="各题平均分", ylabel="平均分", ymax=5)
    assert first.startswith(PNG_MAGIC) and b"Software" not in first
    assert first != bar_chart_png(*args, title="各题平均分（改）", ylabel="平均分", ymax=5)
    trend = dict(categories=["1月", "2月", "3月"], series={"满意度": [4.1, None, 4.25]}, title="满意度趋势", target=4.0)
    assert line_chart_png(**trend) == line_chart_png(**trend)


def test_charts_use_the_shipped_font_and_miss_no_glyph(monkeypatch):
    from matplotlib.font_manager import FontProperties, findfont

    monkeypatch.setattr("docgen.render.chart._fallbacks", [])  # as on a machine without Chinese fonts
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bar_chart_png(["沟通与报告", "服务态度（现场、远程）"], [3.33, 4.67], title="需方满意度：各题平均分 ≤3 分为低分",
                      ylabel="平均分（满分 5 分）", ymax=5, target=4.5, target_label="目标")
        line_chart_png(["2025年1月", "2月"], [99.5, -1.0], title="可用率（%）趋势", ylabel="百分比")
    assert not [w for w in caught if "missing from" in str(w.message)], [str(w.message) for w in caught]
    found = findfont(FontProperties(family=FONT_FAMILY), fallback_to_default=False)
    assert Path(found) == FONT_FILE
    with warnings.catch_warnings(record=True) as caught:  # and the check above does notice a missing glyph
        warnings.simplefilter("always")
        bar_chart_png(["한"], [1], title="")
    assert any("missing from" in str(w.message) for w in caught)


def test_shipped_font_covers_gb2312_and_carries_its_license():
    from fontTools.ttLib import TTFont

    assert FONT_FILE.stat().st_size < 3_000_000
    cmap = TTFont(str(FONT_FILE), lazy=True)["cmap"].getBestCmap()
    hanzi = [bytes([row, col]).decode("gb2312") for row in range(0xB0, 0xF8) for col in range(0xA1, 0xFF)
             if not (row == 0xD7 and col > 0xF9)]
    assert len(hanzi) == 6763 and all(ord(c) in cmap for c in hanzi)
    assert all(ord(c) in cmap for c in "，。、；：？！“”（）《》【】…—–≤≥0123456789AZaz%")
    license_text = (FONT_FILE.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in license_text and "Copyright 2014-2021 Adobe" in license_text


def test_matplotlib_is_imported_only_when_a_chart_is_drawn():
    code = "import sys, docgen.cli, docgen.render.chart, docgen.kinds.survey; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_picture_digest_follows_its_bytes():
    a, b = Picture(b"\x89PNG one", 150), Picture(b"\x89PNG two", 150)
    assert context_digest({"chart": a}) == context_digest({"chart": Picture(b"\x89PNG one", 150)})
    assert context_digest({"chart": a}) != context_digest({"chart": b})
    assert context_digest({"chart": a}) != context_digest({"chart": Picture(a.png, 100)})
    assert "two" not in repr(b)  # bytes stay out of reprs and logs


# ---------------------------------------------------------------- Excel 录入表
def test_excel_form_round_trip_generates(tmp_path, survey_data):
    kind = get_kind("survey")
    path = tmp_path / "survey.xlsx"
    path.write_bytes(write_form(kind.model, kind="survey", title="需方满意度调查录入表", data=survey_data))
    headers = [c.value for c in openpyxl.load_workbook(path)["回答"][1]]
    assert {"q1", "q2", "q3", "q4"} <= set(headers) and len(headers) == 7  # + respondent, date, comment
    form = read_form(path)
    assert form.issues == [] and form.data == survey_data
    document, meta, _ = _generate(tmp_path, path)
    assert meta["doc_id"] == DOC_ID
    assert _rows(_table_with(document, "平均分"), skip=2)[3][4] == "3.33"


def test_excel_errors_name_the_answer_cell(tmp_path, survey_data):
    kind = get_kind("survey")
    path = tmp_path / "survey.xlsx"
    path.write_bytes(write_form(kind.model, kind="survey", title="需方满意度调查录入表", data=survey_data))
    wb = openpyxl.load_workbook(path)
    ws = wb["回答"]
    q3 = get_column_letter([c.value for c in ws[1]].index("q3") + 1)
    extra = get_column_letter(ws.max_column + 1)
    ws[f"{q3}3"] = 6   # 周工's q3
    ws[f"{extra}1"] = "q9"
    ws[f"{extra}2"] = 3   # 陈主任 answers a question the survey does not have
    wb.save(path)
    errors = {i.path: i.text() for i in check_input(path).errors}
    assert errors["responses[1].q3"].startswith(f"回答!{q3}3（responses[1].q3）：q3（服务态度）的分数应为 1–5 的整数，"
                                                "实际为 6")
    assert errors["responses[0].q9"].startswith(f"回答!{extra}2（responses[0].q9）：未知问题编号 q9")


def test_blank_excel_form_has_the_survey_sheets(tmp_path):
    path = tmp_path / "blank.xlsx"
    result = CliRunner().invoke(cli, ["init", "survey", "--xlsx", "-o", str(path)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(path)
    assert {"基本信息", "问题", "回答", "改进跟踪"} <= set(wb.sheetnames)
    assert [c.value for c in wb["问题"][1]] == ["问题编号 *", "问题 *"]
