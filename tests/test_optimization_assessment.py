"""优化改善 (§5.4.7.3) and 调研评估 (§5.4.7.4) packs: every deliverable reopened (steps, review rows,
findings, the config update workbook); the 交付清单 lists exactly the section's items with the survey
report found in the archive; the customer zip; regenerating; bad inputs; review warnings."""
from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from docgen.cli import cli
from tests.conftest import EXAMPLES, manifest_rows

OPT_ITEMS = ["optimization_plan", "implementation_plan", "change_release_report", "config_update", "survey_report"]
ASS_ITEMS = ["assessment_plan", "assessment_report", "assessment_recommendation", "survey_report"]


def _load(name: str) -> dict:
    return copy.deepcopy(yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8")))


def _survey(month: int) -> dict:
    """The example survey moved into the given 2025 month (so it lies within the pack's quarter)."""
    data = _load("survey.yaml")
    data["period"] = f"2025-{month:02d}"
    for response in data["responses"]:
        response["date"] = f"2025-{month:02d}-{str(response['date'])[-2:]}"
    for followup in data["followups"]:
        followup["due"] = f"2025-{month + 1:02d}-{str(followup['due'])[-2:]}"
        followup["done_on"] = f"2025-{month + 1:02d}-{str(followup['done_on'])[-2:]}"
    return data


def _write(folder: Path, data: dict, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _generate(archive: Path, *files: Path, out: Path | None = None) -> list[dict]:
    args = ["--archive", str(archive), "generate", *map(str, files), "--json"] + (["-o", str(out)] if out else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _facts(archive: Path, doc_type: str) -> dict:
    listed = CliRunner().invoke(cli, ["--archive", str(archive), "archive", "list", "--type", doc_type, "--json"])
    return json.loads(listed.stdout)[0]["facts"]


def _manifest_facts(archive: Path, pack: str) -> dict:
    listed = CliRunner().invoke(cli, ["--archive", str(archive), "archive", "list", "--type", "pack_manifest", "--json"])
    return next(r["facts"] for r in json.loads(listed.stdout) if r["facts"]["pack"] == pack)


def _tables(path: str) -> list[list[list[str]]]:
    return [[[c.text.strip() for c in r.cells] for r in t.rows] for t in docx.Document(path).tables]


def _table_with(path: str, header: str) -> list[list[str]]:
    found = [t for t in _tables(path) if header in t[0]]
    assert found, f"no table with header {header} in {path}"
    return found[0]


def _text(path: str) -> str:
    document = docx.Document(path)
    return "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("packs")
    archive, out = tmp / "archive", tmp / "out"
    _generate(archive, _write(tmp / "in", _survey(5), "s5.yaml"), _write(tmp / "in", _survey(8), "s8.yaml"))
    opt = {d["doc_type"]: d for d in _generate(archive, EXAMPLES / "optimization.yaml", out=out)}
    ass = {d["doc_type"]: d for d in _generate(archive, EXAMPLES / "assessment.yaml", out=out)}
    return {"opt": opt, "ass": ass, "archive": archive, "out": out}


def test_examples_match_the_shared_contract():
    shared = EXAMPLES.parent.parent.parent / "shared" / "spec" / "examples"
    for name in ("optimization.yaml", "assessment.yaml"):
        if (shared / name).is_file():
            assert (EXAMPLES / name).read_text(encoding="utf-8") == (shared / name).read_text(encoding="utf-8")


def test_one_command_yields_every_deliverable(packs):
    assert set(packs["opt"]) == {*OPT_ITEMS[:-1], "pack_manifest"}
    assert set(packs["ass"]) == {*ASS_ITEMS[:-1], "pack_manifest"}
    for doc in packs["opt"].values():
        assert doc["period"] == "2025-Q2" and Path(doc["path"]).is_file() and doc["warnings"] == []
    for doc in packs["ass"].values():
        assert doc["period"] == "2025-Q3" and doc["warnings"] == []
    # each document carries its own date, not the period's last day: 方案 reviewed 04-10, 实施方案 04-15,
    # change executed 04-20 (its configuration updated the same day); the 交付清单 closes the quarter
    assert {t: d["date"] for t, d in packs["opt"].items()} == {
        "optimization_plan": "2025-04-10", "implementation_plan": "2025-04-15", "change_release_report": "2025-04-20",
        "config_update": "2025-04-20", "pack_manifest": "2025-06-30"}
    # the plan at the start of the work, the report when it ends, the recommendations when reviewed
    assert {t: d["date"] for t, d in packs["ass"].items()} == {
        "assessment_plan": "2025-07-01", "assessment_report": "2025-07-25", "assessment_recommendation": "2025-08-05",
        "pack_manifest": "2025-09-30"}
    assert packs["opt"]["config_update"]["path"].endswith(".xlsx")


@pytest.mark.parametrize("pack,items,survey", [("opt", OPT_ITEMS, "2025-05"), ("ass", ASS_ITEMS, "2025-08")])
def test_manifest_lists_exactly_the_section_items(packs, pack, items, survey):
    types, rows = manifest_rows(packs[pack]["pack_manifest"]["path"])
    assert types == items
    assert f"YNTD-YW-2025-001-MYD-{survey}" in " ".join(rows[-1])
    assert "缺失" not in " ".join(" ".join(r) for r in rows)
    facts = _manifest_facts(packs["archive"], {"opt": "optimization", "ass": "assessment"}[pack])
    assert facts["present"] == items and facts["missing"] == []


def test_zips_hold_all_items_and_the_manifest(packs):
    names = sorted(z.name for z in packs["out"].glob("*.zip"))
    assert names == sorted(["YNTD-YW-2025-001_调研评估交付成果_2025-Q3.zip", "YNTD-YW-2025-001_优化改善交付成果_2025-Q2.zip"])
    opt = zipfile.ZipFile(packs["out"] / "YNTD-YW-2025-001_优化改善交付成果_2025-Q2.zip").namelist()
    ass = zipfile.ZipFile(packs["out"] / "YNTD-YW-2025-001_调研评估交付成果_2025-Q3.zip").namelist()
    assert len(opt) == 6 and any(n.endswith(".xlsx") for n in opt) and any("MYD-2025-05_需方满意度调查和分析报告" in n for n in opt)
    assert len(ass) == 5 and any("MYD-2025-08_需方满意度调查和分析报告" in n for n in ass)


def test_optimization_plan_and_review(packs):
    path = packs["opt"]["optimization_plan"]["path"]
    text = _text(path)
    assert "前置机通信链路冗余改造" in text and "一季度前置机通信中断2次" in text and "配置链路聚合" in text
    goals = _table_with(path, "优化目标")
    assert [r[1] for r in goals[1:]] == ["通信链路双冗余", "单链路故障切换时间小于5秒"]
    reviews = _table_with(path, "评审人")
    assert reviews[1][:5] == ["1", "赵刚", "运维部经理", "通过", "2025-04-10"]
    assert "评审人签字：" in text
    facts = _facts(packs["archive"], "optimization_plan")
    assert facts["review_status"] == "通过" and facts["reviews"][0]["conclusion"] == "通过"


def test_implementation_plan_steps_rollback_review(packs):
    path = packs["opt"]["implementation_plan"]["path"]
    steps = _table_with(path, "实施窗口")
    assert steps[1] == ["1", "安装第二块网卡", "2025-04-20 22:00-23:00", "王强"]
    assert steps[2][2] == "2025-04-20 23:00-24:00"
    assert "拆除新网卡并恢复原配置" in _text(path)
    reviews = _table_with(path, "评审人")
    assert reviews[1][1:5] == ["陈主任", "客户接口人", "同意实施", "2025-04-15"]


def test_change_release_report(packs):
    doc = packs["opt"]["change_release_report"]
    text = _text(doc["path"])
    assert "CHG-2025-012" in text and "2025-04-20 22:00" in text and "业务切换时间2秒" in text
    assert "成功" in text and "客户签字：" in text
    facts = _facts(packs["archive"], "change_release_report")
    assert facts["change_no"] == "CHG-2025-012" and facts["result"] == "成功"


def test_config_update_workbook(packs):
    path = packs["opt"]["config_update"]["path"]
    ws = openpyxl.load_workbook(path).worksheets[0]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "前置机" in values and "新增网卡并配置链路聚合" in values and "王强" in values
    assert any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    cached = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    assert "更新条数" in [c.value for row in cached.iter_rows() for c in row]


def test_assessment_documents(packs):
    plan = packs["ass"]["assessment_plan"]["path"]
    schedule = _table_with(plan, "工作内容")
    assert schedule[1] == ["1", "现场检查", "2025-07-01", "2025-07-10", "10"]
    assert schedule[2][1:4] == ["分析与报告", "2025-07-11", "2025-07-25"]
    assert "主站全部12台服务器" in _text(plan) and "评估服务器硬件健康度" in _text(plan)
    report = packs["ass"]["assessment_report"]
    findings = _table_with(report["path"], "调研发现")
    assert [(r[1], r[-1]) for r in findings[1:]] == [("服务器出厂年限", "高"), ("厂商维保", "中")]
    assert _facts(packs["archive"], "assessment_report")["by_risk"] == {"高": 1, "中": 1, "低": 0}
    rec = packs["ass"]["assessment_recommendation"]
    items = _table_with(rec["path"], "优先级")
    assert items[1][1:4] == ["2026年分两批更换7台超期服务器", "高", "84万元"]
    reviews = _table_with(rec["path"], "评审人")
    assert reviews[1][1:5] == ["陈主任", "客户接口人", "纳入2026年预算", "2025-08-05"]
    assert _facts(packs["archive"], "assessment_recommendation")["review_status"] == "通过"


def test_regenerating_is_unchanged(packs):
    again = _generate(packs["archive"], EXAMPLES / "optimization.yaml", EXAMPLES / "assessment.yaml")
    assert {d["status"] for d in again} == {"unchanged"}


def test_missing_survey_is_a_warning(tmp_path):
    docs = {d["doc_type"]: d for d in _generate(tmp_path / "a", EXAMPLES / "assessment.yaml")}
    assert any("需方满意度调查和分析报告缺失" in w for w in docs["pack_manifest"]["warnings"])
    assert _manifest_facts(tmp_path / "a", "assessment")["missing"] == ["survey_report"]


OPT_BAD = [
    (lambda d: d["proposal"]["review"][0].pop("conclusion"), "proposal.review[0].conclusion："),
    (lambda d: d["implementation"]["review"][0].pop("date"), "implementation.review[0].date："),
    (lambda d: d["proposal"].update(date="2025-04-11"), "proposal.review[0].date：时间顺序错误"),
    (lambda d: d["implementation"]["steps"][0].pop("window"), "implementation.steps[0].window："),
    (lambda d: d["implementation"]["steps"][1].pop("owner"), "implementation.steps[1].owner："),
    (lambda d: d["change_release"].update(executed_at="2025-04-14 22:00"), "change_release.executed_at：时间顺序错误"),
    (lambda d: d["change_release"].update(result="还行"), "change_release.result："),
    (lambda d: d.update(period="2025-Q5"), "period："),
    (lambda d: d["proposal"]["review"][0].update(role=None), "proposal.review[0].role："),
]
ASS_BAD = [
    (lambda d: d["plan"]["schedule"][0].update(to="2025-06-30"), "plan.schedule[0].to：时间顺序错误"),
    (lambda d: d["findings"][0].update(risk="很高"), "findings[0].risk："),
    (lambda d: d["recommendations"]["items"][0].update(priority="紧急"), "recommendations.items[0].priority："),
    (lambda d: d["recommendations"]["review"][0].pop("conclusion"), "recommendations.review[0].conclusion："),
    (lambda d: d["recommendations"].update(date="2025-08-06"), "recommendations.review[0].date：时间顺序错误"),
    (lambda d: d.update(period="2025-07-01"), "period："),
]


@pytest.mark.parametrize("name,change,expected", [("optimization.yaml", c, e) for c, e in OPT_BAD]
                         + [("assessment.yaml", c, e) for c, e in ASS_BAD])
def test_bad_inputs_are_refused(tmp_path, write_yaml, name, change, expected):
    data = _load(name)
    change(data)
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(write_yaml(data)),
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and expected in result.stderr, result.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "out").exists()


def test_change_executed_before_review_names_both_fields(tmp_path, write_yaml):
    data = _load("optimization.yaml")
    data["change_release"]["executed_at"] = "2025-04-14 22:00"
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(write_yaml(data))])
    assert "change_release.executed_at" in result.stderr and "implementation.review[0].date" in result.stderr


def test_any_role_is_accepted_for_pack_reviews(tmp_path, write_yaml):
    data = _load("optimization.yaml")
    data["proposal"]["review"].append({"name": "李工", "role": "厂商技术支持", "conclusion": "同意",
                                       "date": "2025-04-11", "comment": "建议先在测试环境验证"})
    docs = {d["doc_type"]: d for d in _generate(tmp_path / "a", write_yaml(data))}
    reviews = _table_with(docs["optimization_plan"]["path"], "评审人")
    assert reviews[2][1:] == ["李工", "厂商技术支持", "同意", "2025-04-11", "建议先在测试环境验证"]


def test_non_approving_reviews_and_failed_change_are_warnings_listed_in_the_documents(tmp_path, write_yaml):
    data = _load("optimization.yaml")
    data["proposal"]["review"][0]["conclusion"] = "不通过，需补充切换测试方案"
    data["change_release"]["result"] = "已回退"
    docs = {d["doc_type"]: d for d in _generate(tmp_path / "a", write_yaml(data))}
    warnings = docs["optimization_plan"]["warnings"]
    assert any(w.startswith("proposal.review[0].conclusion") and "未获通过" in w for w in warnings)
    assert any("change_release.result" in w for w in warnings)
    text = _text(docs["optimization_plan"]["path"])
    assert "未获通过" in text and "评审结论：未通过" in text
    assert _facts(tmp_path / "a", "optimization_plan")["review_status"] == "未通过"
    data = _load("assessment.yaml")
    data["recommendations"]["review"][0]["conclusion"] = "不同意，预算不足"
    docs = {d["doc_type"]: d for d in _generate(tmp_path / "b", write_yaml(data))}
    assert any("recommendations.review[0].conclusion" in w for w in docs["assessment_recommendation"]["warnings"])
    assert "不同意，预算不足" in _text(docs["assessment_recommendation"]["path"])


def test_no_review_yet_is_a_warning_and_shows_pending(tmp_path, write_yaml):
    data = _load("assessment.yaml")
    data["recommendations"]["review"] = []
    docs = {d["doc_type"]: d for d in _generate(tmp_path / "a", write_yaml(data))}
    assert any("尚无评审记录" in w for w in docs["assessment_recommendation"]["warnings"])
    assert "待评审" in _text(docs["assessment_recommendation"]["path"])


def test_schedule_accepts_from_and_from_underscore(tmp_path, write_yaml):
    data = _load("assessment.yaml")
    data["plan"]["schedule"][0]["from_"] = data["plan"]["schedule"][0].pop("from")
    docs = _generate(tmp_path / "a", write_yaml(data))
    assert docs and all(d["status"] == "new" for d in docs)
