"""Every input rule for plans: a bad input is refused with a Chinese message naming the field
path, exit 1, no output file, the archive untouched; warnings render and are reported."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import cli
from docgen.pipeline import check_input


def _refused(tmp_path: Path, input_file: Path, *expected: str) -> str:
    archive, out = tmp_path / "archive", tmp_path / "out"
    result = CliRunner().invoke(cli, ["--archive", str(archive), "generate", str(input_file), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.stderr, result.stderr
    assert not out.exists(), "no output file may be written for a refused input"
    assert not archive.exists(), "the archive must stay untouched"
    return result.stderr


def _issues(path: Path) -> dict[str, str]:
    return {i.path: i.message for i in check_input(path).issues}


def test_example_plan_is_valid_with_no_warnings(plan_data, write_yaml):
    checked = check_input(write_yaml(plan_data))
    assert checked.errors == [] and checked.warnings == []
    assert checked.model.project.start == date(2025, 1, 1)


# §5.2.1–7: all seven contents present and non-empty
@pytest.mark.parametrize("field,title", [
    ("scope", "交付内容"), ("sla", "量化考核指标"), ("workload", "工作量"), ("team", "项目团队"),
    ("processes", "工作流程"), ("records", "关键记录"), ("reports", "服务报告"), ("monitoring", "监控方式"),
    ("tools", "工具与资源"), ("risks", "风险"), ("communication", "沟通策略"),
])
def test_each_section_5_2_content_is_required(tmp_path, plan_data, write_yaml, field, title):
    del plan_data[field]
    _refused(tmp_path, write_yaml(plan_data), f"{field}：缺少必填字段 {title}（{field}）（§5.2")


@pytest.mark.parametrize("field", ["scope", "sla", "team", "processes", "records", "reports", "monitoring",
                                   "tools", "risks", "communication"])
def test_each_section_5_2_list_must_not_be_empty(tmp_path, plan_data, write_yaml, field):
    plan_data[field] = []
    _refused(tmp_path, write_yaml(plan_data), f"{field}：", "不能为空，至少填写 1 项")


@pytest.mark.parametrize("measure,title", [("avoidance", "规避措施"), ("mitigation", "减缓措施"),
                                           ("contingency", "应急措施")])
def test_each_risk_needs_avoidance_mitigation_contingency(tmp_path, plan_data, write_yaml, measure, title):
    plan_data["risks"].append(dict(plan_data["risks"][0], risk="机房断电"))
    plan_data["risks"][1][measure] = "  "
    _refused(tmp_path, write_yaml(plan_data), f"risks[1].{measure}：{title}（{measure}）：不能为空")


@pytest.mark.parametrize("part", ["metric", "op", "target", "unit"])
def test_every_sla_entry_is_quantified(tmp_path, plan_data, write_yaml, part):
    del plan_data["sla"][2][part]
    _refused(tmp_path, write_yaml(plan_data), f"sla[2].{part}：缺少必填字段")


def test_sla_percentage_and_score_ranges(plan_data, write_yaml):
    plan_data["sla"][3]["target"] = 120
    plan_data["sla"][4]["target"] = 9
    issues = _issues(write_yaml(plan_data))
    assert "百分比目标值应在 0–100 之间" in issues["sla[3].target"]
    assert "满意度目标值应在 1–5 分之间" in issues["sla[4].target"]


def test_duplicate_sla_metric_is_an_error(plan_data, write_yaml):
    plan_data["sla"].append(dict(plan_data["sla"][0]))
    assert "与 sla[0].metric 重复" in _issues(write_yaml(plan_data))["sla[6].metric"]


def test_per_service_only_for_service_records(plan_data, write_yaml):
    plan_data["reports"][0]["frequency"] = "per_service"
    assert "per_service（每次服务一份）只适用于" in _issues(write_yaml(plan_data))["reports[0].frequency"]


# §5.3 review
@pytest.mark.parametrize("role", ["运维部经理", "运维业务线", "质量部"])
def test_each_reviewer_role_of_section_5_3_is_required(tmp_path, plan_data, write_yaml, role):
    """§5.3: 提交至运维部经理、运维业务线及质量部相关人员进行评审 — all three, not two."""
    plan_data["review"]["reviewers"] = [r for r in plan_data["review"]["reviewers"] if r["role"] != role]
    checked = check_input(write_yaml(plan_data))
    assert checked.errors == []
    assert [w.path for w in checked.warnings] == ["review.reviewers"]
    assert f"评审人缺少{role}" in checked.warnings[0].message


def test_review_not_passed_is_a_warning(plan_data, write_yaml):
    plan_data["review"]["reviewers"][2]["conclusion"] = "不通过"
    checked = check_input(write_yaml(plan_data))
    assert checked.errors == []
    assert any("计划未通过评审（孙丽（质量部）：不通过）" in w.message for w in checked.warnings)


def test_a_plan_without_approval_is_a_warning(plan_data, write_yaml):
    del plan_data["approved_by"], plan_data["approved_on"]
    checked = check_input(write_yaml(plan_data))
    assert checked.errors == [] and [w.path for w in checked.warnings] == ["approved_by"]
    assert "没有批准记录" in checked.warnings[0].message


@pytest.mark.parametrize("group", ["项目组成员", "技术支撑组", "客户接口人"])
def test_notify_must_cover_every_group_of_section_5_3(plan_data, write_yaml, group):
    plan_data["review"]["notify"] = [n for n in plan_data["review"]["notify"] if n["group"] != group]
    checked = check_input(write_yaml(plan_data))
    assert checked.errors == [] and [w.path for w in checked.warnings] == ["review.notify"]
    assert f"通知范围未覆盖{group}" in checked.warnings[0].message


def test_review_before_preparation_names_both_fields(tmp_path, plan_data, write_yaml):
    plan_data["review"]["reviewers"][0]["date"] = "2025-01-05"
    _refused(tmp_path, write_yaml(plan_data), "review.reviewers[0].date：",
             "评审日期 review.reviewers[0].date（2025-01-05）早于编制日期 prepared_on（2025-01-07）")


def test_project_end_before_start(plan_data, write_yaml):
    plan_data["project"]["end"] = "2024-12-31"
    assert "早于开始日期 project.start" in _issues(write_yaml(plan_data))["project.end"]


def test_reviewer_role_must_be_section_5_3_role(plan_data, write_yaml):
    plan_data["review"]["reviewers"][0]["role"] = "客户接口人"
    message = _issues(write_yaml(plan_data))["review.reviewers[0].role"]
    assert "不在允许范围内" in message and "运维部经理, 运维业务线, 质量部" in message


# rules for every kind
def test_unknown_key_gets_did_you_mean(tmp_path, plan_data, write_yaml):
    plan_data["risks"][0]["contingncy"] = plan_data["risks"][0].pop("contingency")
    _refused(tmp_path, write_yaml(plan_data), "未知字段 risks[0].contingncy，是否为 contingency?")


@pytest.mark.parametrize("code", ["../x", "a/b", "有 空格", "_all", "-lead", "x" * 65])
def test_project_code_must_be_safe_for_paths(tmp_path, plan_data, write_yaml, code):
    plan_data["project"]["code"] = code
    _refused(tmp_path, write_yaml(plan_data), "project.code：", "项目编号")


@pytest.mark.parametrize("value", ["2025/01/07", "2025-1-7", "2025-02-30", "明天"])
def test_bad_dates_are_refused(plan_data, write_yaml, value):
    plan_data["prepared_on"] = value
    assert "prepared_on" in _issues(write_yaml(plan_data))


def test_dates_as_strings_and_objects_are_both_accepted(plan_data, write_yaml):
    plan_data["prepared_on"] = "2025-01-07"
    plan_data["project"]["start"] = date(2025, 1, 1)
    assert check_input(write_yaml(plan_data)).errors == []


def test_all_errors_are_reported_at_once(tmp_path, plan_data, write_yaml):
    del plan_data["tools"]
    plan_data["project"]["code"] = "../x"
    plan_data["sla"][0]["op"] = "<<"
    stderr = _refused(tmp_path, write_yaml(plan_data), "发现 3 处错误", "tools：", "project.code：", "sla[0].op：")
    assert stderr.count("  - ") == 3


def test_text_that_looks_like_formula_or_template_is_kept(plan_data, write_yaml):
    plan_data["risks"][0]["risk"] = "=1+1 {{ x }} {% if %} <b>&"
    checked = check_input(write_yaml(plan_data))
    assert checked.errors == []
    assert checked.model.risks[0].risk == "=1+1 {{ x }} {% if %} <b>&"


def test_missing_kind_and_unknown_kind(tmp_path, plan_data, write_yaml):
    del plan_data["kind"]
    assert "缺少 kind 字段" in _issues(write_yaml(plan_data))["kind"]
    plan_data["kind"] = "plna"
    assert "是否为 plan?" in _issues(write_yaml(plan_data, "b.yaml"))["kind"]


def test_yaml_syntax_error_names_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: plan\nproject:\n  code: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml" in result.stderr and "行" in result.stderr and "Traceback" not in result.output


def test_duplicate_yaml_key_is_refused(tmp_path):
    bad = tmp_path / "dup.yaml"
    bad.write_text("kind: plan\nversion: V1\nversion: V2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1 and "字段 “version” 重复出现" in result.stderr


def test_gbk_encoded_yaml_is_read(tmp_path, plan_data):
    import yaml

    path = tmp_path / "gbk.yaml"
    path.write_bytes(yaml.safe_dump(plan_data, allow_unicode=True).encode("gbk"))
    assert check_input(path).errors == []


@pytest.mark.parametrize("name,content", [("plan.txt", b"kind: plan"), ("missing.yaml", None),
                                          ("list.yaml", b"- a\n- b\n"), ("empty.yaml", b"")])
def test_unreadable_inputs_exit_1(tmp_path, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(path)])
    assert result.exit_code == 1 and name in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "a").exists()


def test_json_input_is_accepted(tmp_path, plan_data):
    import json

    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_data, default=str, ensure_ascii=False), encoding="utf-8")
    assert check_input(path).errors == []


def test_one_bad_file_blocks_the_whole_batch(tmp_path, plan_data, write_yaml):
    good = write_yaml(plan_data, "good.yaml")
    del plan_data["risks"]
    bad = write_yaml(plan_data, "bad.yaml")
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "a"), "generate", str(good), str(bad)])
    assert result.exit_code == 1 and "bad.yaml" in result.stderr
    assert not (tmp_path / "a").exists()


def test_workload_total_must_equal_its_breakdown(plan_data, write_yaml):
    """§5.2.2: the example's 520 人天 = 250 + 120 + 20 + 130; a breakdown that sums elsewhere is a warning."""
    assert check_input(write_yaml(plan_data)).warnings == []
    plan_data["workload"]["breakdown"] = plan_data["workload"]["breakdown"][:3]  # 390 of 520
    checked = check_input(write_yaml(plan_data))
    assert checked.errors == [] and [w.path for w in checked.warnings] == ["workload.breakdown"]
    assert "520 人天" in checked.warnings[0].message and "390 人天" in checked.warnings[0].message
    del plan_data["workload"]["breakdown"]  # no breakdown: nothing to compare
    assert check_input(write_yaml(plan_data)).warnings == []
