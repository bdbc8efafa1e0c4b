"""Document control and print setup of every Excel workbook (#14 items 4 and 5): each of the seven workbook types
of the demo archive, reopened as a reader opens it, shows its 文件编号, 版本 and 编制/审核/批准 (name and date) in a
labelled block near the top of its first sheet, and every sheet prints on A4 fitted to the page width, with its
header rows repeated and the 文件编号, 版本 and 第 &P 页 共 &N 页 in the page header and footer."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from docgen.archive import Archive
from docgen.cli import cli

P = "YNTD-YW-2025-001"
HAND_NAME, HAND_DATE = "（手签）", "　　年　　月　　日（手签）"
PAGE_NUMBER = "第 &P 页 共 &N 页"
# the plan's 运维部经理 reviewer and its approver: 审核 and 批准 of every project document
REVIEWER, APPROVER = "赵刚", "刘建国"

# doc_id -> (编制 name, 编制 date or None for "a date", 审核 name, 批准 name); dates of 审核/批准 are signed by hand
WORKBOOKS = {
    f"{P}/status_record/routine/2025-03": ("李娜", "2025-03-31", REVIEWER, APPROVER),
    f"{P}/config_record/routine/2025-03": ("李娜", "2025-03-31", REVIEWER, APPROVER),
    f"{P}/config_update/emergency/2025-Q1": ("王强", "2025-02-20", REVIEWER, APPROVER),  # the day of its last update
    f"{P}/response_record/emergency/2025-Q1": ("王强", "2025-03-31", REVIEWER, APPROVER),
    f"{P}/response_kpi/emergency/2025-Q1": ("王强", "2025-03-31", REVIEWER, APPROVER),
    # computed documents, dated the day they were computed: one project's KPI workbook is prepared by its
    # manager, the audit by the plan's 质量部 reviewer (unless --prepared-by names someone else)
    f"{P}/kpi_report/2025-12": ("张伟", "2026-01-05", REVIEWER, APPROVER),
    f"{P}/audit_report": ("孙丽", "2026-03-01", REVIEWER, APPROVER),
    # over every project: no plan names a reviewer or approver
    "_all/kpi_report/2025-03": (HAND_NAME, None, HAND_NAME, HAND_NAME),
}


@pytest.fixture(scope="module")
def archive(demo_archive, tmp_path_factory) -> Archive:
    """The demo archive plus the 月度KPI统计表 over all projects (`docgen kpi 2025-03`)."""
    root = tmp_path_factory.mktemp("control") / "archive"
    shutil.copytree(demo_archive[0], root)
    result = CliRunner().invoke(cli, ["--archive", str(root), "kpi", "2025-03"])
    assert result.exit_code == 0, result.output
    return Archive(root)


def _workbook(archive: Archive, doc_id: str) -> tuple[dict, Path]:
    record = archive.latest(doc_id)
    assert record is not None, doc_id
    return record, archive.file_path(record)


def control_block(ws: Worksheet) -> dict[str, list]:
    """The rows of the sheet's top whose first text is a control label, as a reader reads them: label -> the
    texts after it in its row."""
    found = {}
    for row in ws.iter_rows(min_row=1, max_row=15):
        texts = [c.value for c in row if c.value is not None]
        if texts and texts[0] in ("文件编号", "编制", "审核", "批准"):
            found[texts[0]] = texts[1:]
            label = next(c for c in row if c.value == texts[0])
            assert label.font.b and label.fill.fgColor.rgb.endswith("F2F2F2"), (ws.title, label.coordinate)
    return found


def test_the_demo_has_every_workbook_type(archive):
    types = {doc_id.split("/")[1] for doc_id in WORKBOOKS}
    assert types == {"status_record", "config_record", "config_update", "response_record", "response_kpi",
                     "kpi_report", "audit_report"}


@pytest.mark.parametrize("doc_id", WORKBOOKS)
def test_the_first_sheet_shows_number_version_and_sign_offs(archive, doc_id):
    record, path = _workbook(archive, doc_id)
    prepared, prepared_on, reviewed, approved = WORKBOOKS[doc_id]
    doc_no = record["doc_no"]
    assert doc_no and record["doc_version"] == "V1.0"
    block = control_block(load_workbook(path).worksheets[0])
    assert block["文件编号"] == [doc_no, "版本", "V1.0"]
    assert block["编制"][:2] == [prepared, "日期"]
    if prepared_on:
        assert block["编制"][2] == prepared_on
    else:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", block["编制"][2])
    assert block["审核"] == [reviewed, "日期", HAND_DATE]
    assert block["批准"] == [approved, "日期", HAND_DATE]


@pytest.mark.parametrize("doc_id", WORKBOOKS)
def test_the_old_prepared_by_cell_is_gone(archive, doc_id):
    _, path = _workbook(archive, doc_id)
    texts = {c.value for ws in load_workbook(path) for row in ws.iter_rows() for c in row}
    assert "编制人" not in texts
    assert not [t for t in texts if isinstance(t, str) and t.startswith("文件编号：")]  # no run-on info line


@pytest.mark.parametrize("doc_id", WORKBOOKS)
def test_every_sheet_prints_on_a4_with_the_number_and_page_numbers(archive, doc_id):
    record, path = _workbook(archive, doc_id)
    wb = load_workbook(path)
    for ws in wb:
        setup = ws.page_setup
        assert int(setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1, ws.title
        assert setup.fitToHeight == 0, ws.title  # as many pages down as the rows need
        assert ws.print_title_rows, ws.title  # every sheet is a table: its header on every page
        header = ws.oddHeader.right.text
        assert header == f"文件编号：{record['doc_no']}　版本：V1.0", ws.title
        assert ws.oddFooter.right.text == PAGE_NUMBER, ws.title
        assert ws.oddHeader.left.text and ws.oddFooter.left.text, ws.title  # the company, the project (or report)
        assert _fit_zoom(ws) >= 0.75, ws.title  # legible: the columns need no more than a quarter shrunk


def _fit_zoom(ws: Worksheet) -> float:
    """How much fit-to-width printing shrinks the sheet in Excel (a width unit is 7 px of 宋体 plus 5 px a column)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import CellRange

    area = CellRange(ws.print_area.rsplit("!", 1)[-1].replace("$", ""))
    widths = [ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(area.min_col, area.max_col + 1)]
    width = sum(w * 7 + 5 for w in widths) * 0.75
    page = 842 if ws.page_setup.orientation == "landscape" else 595
    return min(1.0, (page - 72 * (ws.page_margins.left + ws.page_margins.right)) / width)


def test_wide_sheets_print_landscape_narrow_ones_portrait(archive):
    _, path = _workbook(archive, "_all/kpi_report/2025-03")
    wb = load_workbook(path)
    assert {ws.title: ws.page_setup.orientation for ws in wb} == {
        "汇总": "landscape", "服务报告比例": "landscape", "SLA达成率": "landscape", "系统可用率": "landscape",
        "客户满意度": "landscape", "趋势": "portrait"}  # one scope: the trend table and chart fit a portrait page
    _, path = _workbook(archive, f"{P}/response_record/emergency/2025-Q1")
    assert load_workbook(path).active.page_setup.orientation == "landscape"  # thirteen columns
