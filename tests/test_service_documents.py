"""The service records' documents as a reader sees them: 现场服务单, 现场服务报告单, 远程服务记录,
遗留问题确认单 reopened with python-docx — fields, tables, the 13-step checklist, SLA, marks."""
from __future__ import annotations

import copy

import docx
import pytest
import yaml

from docgen.archive import Archive
from docgen.pipeline import generate
from docgen.render import TemplateSet
from tests.conftest import EXAMPLES


def _text(path: str) -> str:
    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    return "\n".join(parts)


def _table_rows(path: str, header: str) -> list[list[str]]:
    for table in docx.Document(path).tables:
        rows = [[c.text.strip() for c in row.cells] for row in table.rows]
        if header in rows[0]:
            return rows
    raise AssertionError(f"no table with header {header}")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("svc")
    docs = generate([EXAMPLES / "plan.yaml", EXAMPLES / "onsite.yaml", EXAMPLES / "remote.yaml"],
                    archive=Archive(tmp / "archive"), templates=TemplateSet())
    return {d.doc_type: d.as_json() for d in docs}


def test_onsite_form_shows_what_the_customer_signs(generated):
    path = generated["onsite_form"]["path"]
    text = _text(path)
    for fact in ("现场服务单", "XC-2025-0007", "某供电局调度自动化系统运维服务项目", "王强", "陈主任",
                 "2025-03-12 09:10", "2025-03-12 09:25", "2025-03-12 12:40", "2025-03-12 13:40", "2025-03-12 14:10",
                 "检查前置机网卡与交换机端口，必要时更换网卡", "赵刚", "更换网卡期间通信中断", "提前切换至备用通道",
                 "备用网卡", "携带工作票", "交换机端口偶发CRC错误", "XC-2025-0007#1"):
        assert fact in text, fact
    work = _table_rows(path, "操作内容")
    assert len(work) == 3 and "更换备用网卡并恢复通信" in work[2]
    assert "待审核" not in text.split("\n")[0:5]


def test_onsite_report_has_all_13_steps_and_sla(generated):
    path = generated["onsite_report"]["path"]
    steps = _table_rows(path, "执行情况")
    assert len(steps) == 14  # header + steps 1–13
    assert "抵达现场" in steps[4][1] and "陈主任" in steps[5][3]
    assert "已审核" in steps[11][2] and "已回访" in steps[13][2]
    by_name = {row[0]: row for row in _table_rows(path, "目标")[1:]}
    assert "15 分钟" in by_name["故障响应时间"] and "达标" in by_name["故障响应时间"]
    assert "≤240 分钟" in by_name["现场到达时间"]
    text = _text(path)
    assert "赵刚" in text and "5 分" in text and "处理及时" in text


def test_remote_record_shows_connection_and_session_closed(generated):
    path = generated["remote_record"]["path"]
    text = _text(path)
    for fact in ("远程服务记录", "YC-2025-0021", "堡垒机", "2025-04-02 13:50", "全量备份历史库",
                 "XC-2025-0007#1", "远程确认交换机端口已更换跳线", "2025-04-02 15:15", "希望提前通知操作窗口"):
        assert fact in text, fact
    steps = _table_rows(path, "执行情况")
    assert len(steps) == 14
    assert "注销" in steps[10][1] and "账号注销：是" in steps[10][3]
    assert "稳定：是" in steps[3][3]


def test_leftover_confirmation_form(generated):
    path = generated["leftover_confirmation"]["path"]
    rows = _table_rows(path, "遗留问题")
    assert rows[1][:2] == ["XC-2025-0007#1", "交换机端口偶发CRC错误"] or "XC-2025-0007#1" in rows[1]
    text = _text(path)
    assert "下次巡检时更换跳线" in text and "2025-03-20" in text and "陈主任" in text and "达成共识" in text


def test_pending_marks_when_unreviewed_and_unsurveyed(tmp_path):
    data = copy.deepcopy(yaml.safe_load((EXAMPLES / "onsite.yaml").read_text(encoding="utf-8")))
    del data["report"]["reviewed_by"]
    del data["satisfaction"]
    path = tmp_path / "o.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    docs = {d.doc_type: d for d in generate([path], archive=Archive(tmp_path / "a"), templates=TemplateSet())}
    text = _text(docs["onsite_report"].path)
    assert "待审核" in text and "待回访" in text
    assert "第11步 未经运维部经理审核" in text  # the warning is listed in the document
    assert any("第13步" in w for w in docs["onsite_form"].warnings)


def test_company_comes_from_the_plan(tmp_path):
    """公司名称 is typed once, in the plan: a record that leaves `company` out prints the plan's; one that names
    another company prints what it says and is warned, naming both (the audit-facing contradiction is reported)."""
    plan = yaml.safe_load((EXAMPLES / "plan.yaml").read_text(encoding="utf-8"))
    plan["company"] = "滇池信息技术有限公司"
    onsite = yaml.safe_load((EXAMPLES / "onsite.yaml").read_text(encoding="utf-8"))
    onsite.pop("company", None)
    remote = yaml.safe_load((EXAMPLES / "remote.yaml").read_text(encoding="utf-8"))
    remote["company"] = "云南腾电科技有限公司"
    paths = []
    for name, data in (("plan", plan), ("onsite", onsite), ("remote", remote)):
        paths.append(tmp_path / f"{name}.yaml")
        paths[-1].write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    docs = {d.doc_type: d for d in generate(paths, archive=Archive(tmp_path / "archive"), templates=TemplateSet())}
    form = _text(str(docs["onsite_form"].path))
    assert "滇池信息技术有限公司" in form and "云南腾电科技有限公司" not in form
    assert not [w for w in docs["onsite_form"].warnings if "公司名称" in w]
    record = _text(str(docs["remote_record"].path))
    assert "云南腾电科技有限公司" in record
    warned = [w for w in docs["remote_record"].warnings if "公司名称" in w]
    assert len(warned) == 1 and "滇池信息技术有限公司" in warned[0] and warned[0].startswith("company：公司名称 “云南腾电")
    # the blank 录入表 says what a blank company means
    from docgen.inputs._xlsx import _hint
    from docgen.kinds.onsite.model import OnsiteInput

    hint = _hint(OnsiteInput.model_fields["company"], "text", None)
    assert "项目计划中的公司名称" in hint and "不填默认为" not in hint


def test_project_facts_typed_again_are_checked_against_the_plan(tmp_path):
    """An input that types the project's name or customer differently from its archived plan is warned, for
    every kind, in the same words; the same facts typed the same way are not."""
    onsite = yaml.safe_load((EXAMPLES / "onsite.yaml").read_text(encoding="utf-8"))
    onsite["project"]["name"] = "某供电局调度自动化系统运维项目"
    survey = yaml.safe_load((EXAMPLES / "survey.yaml").read_text(encoding="utf-8"))
    survey["project"]["customer"] = "某市供电局"
    paths = [EXAMPLES / "plan.yaml", EXAMPLES / "remote.yaml"]
    for name, data in (("onsite", onsite), ("survey", survey)):
        paths.append(tmp_path / f"{name}.yaml")
        paths[-1].write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    docs = {d.doc_type: d for d in generate(paths, archive=Archive(tmp_path / "archive"), templates=TemplateSet())}
    name = [w for w in docs["onsite_form"].warnings if w.startswith("project.name：")]
    assert name == ["project.name：项目名称 “某供电局调度自动化系统运维项目” 与已归档计划中的 “某供电局调度自动化系统运维服务项目” "
                    "不一致，文档印的是输入中的；请核对（以计划为准时改为 “某供电局调度自动化系统运维服务项目”）"]
    assert [w for w in docs["survey_report"].warnings if w.startswith("project.customer：客户名称 “某市供电局”")]
    assert not [w for w in docs["remote_record"].warnings if w.startswith("project.")]
    # the audit finds them again, naming each document, what it says and what the plan says
    from docgen.metrics.audit import audit_project

    found = [f for f in audit_project(Archive(tmp_path / "archive"), "YNTD-YW-2025-001").findings
             if f.rule == "与计划一致"]
    assert {(f.doc_type, f.severity) for f in found} >= {("onsite_form", "warning"), ("survey_report", "warning")}
    assert not [f for f in found if f.doc_type == "remote_record"]
    assert any("客户名称为“某市供电局”，计划中为“某供电局”" in f.message for f in found)


def test_project_name_and_customer_come_from_the_plan(tmp_path):
    """项目名称 and 客户名称 are typed once, in the plan: a record, survey or pack that leaves them out prints the
    plan's (from the same run or the archive); without any plan it is refused with what to do, and nothing
    is written."""
    from click.testing import CliRunner

    from docgen.cli import cli

    onsite = yaml.safe_load((EXAMPLES / "onsite.yaml").read_text(encoding="utf-8"))
    del onsite["project"]["name"], onsite["project"]["customer"]
    path = tmp_path / "onsite.yaml"
    path.write_text(yaml.safe_dump(onsite, allow_unicode=True), encoding="utf-8")

    lonely = tmp_path / "lonely"
    refused = CliRunner().invoke(cli, ["--archive", str(lonely), "generate", str(path)])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "project.name：未填写项目名称，归档库中也没有项目 YNTD-YW-2025-001 的运维项目管理计划" in refused.output
    assert "project.customer：未填写客户名称" in refused.output and str(path) in refused.output
    assert not (lonely / "documents").exists()

    archive = Archive(tmp_path / "archive")
    together = {d.doc_type: d for d in generate([EXAMPLES / "plan.yaml", path], archive=archive, templates=TemplateSet())}
    form = _text(str(together["onsite_form"].path))
    assert "某供电局调度自动化系统运维服务项目" in form and "某供电局" in form
    assert not [w for w in together["onsite_form"].warnings if w.startswith("project.")]
    onsite["service_no"] = "XC-2025-0099"
    later = tmp_path / "later.yaml"
    later.write_text(yaml.safe_dump(onsite, allow_unicode=True), encoding="utf-8")
    alone = {d.doc_type: d for d in generate([later], archive=archive, templates=TemplateSet())}
    assert "某供电局调度自动化系统运维服务项目" in _text(str(alone["onsite_form"].path))
