"""§5.4.6 rules for on-site and remote records (the README's input rules): each error refuses with a message naming
the step and the field, exit 1, nothing written; each warning renders and is reported."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from docgen.cli import cli
from docgen.pipeline import check_input
from tests.conftest import EXAMPLES


@pytest.fixture
def onsite() -> dict:
    return copy.deepcopy(yaml.safe_load((EXAMPLES / "onsite.yaml").read_text(encoding="utf-8")))


@pytest.fixture
def remote() -> dict:
    return copy.deepcopy(yaml.safe_load((EXAMPLES / "remote.yaml").read_text(encoding="utf-8")))


def _refused(tmp_path: Path, path: Path, *expected: str) -> None:
    archive, out = tmp_path / "archive", tmp_path / "out"
    result = CliRunner().invoke(cli, ["--archive", str(archive), "generate", str(path), "-o", str(out)])
    assert result.exit_code == 1, result.output
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert not out.exists() and not archive.exists()


def _warnings(tmp_path: Path, path: Path) -> list[str]:
    result = CliRunner().invoke(cli, ["--archive", str(tmp_path / "archive"), "generate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)[0]["warnings"]


def test_examples_are_valid(onsite, remote, write_yaml):
    assert check_input(write_yaml(onsite, "o.yaml")).issues == []
    assert check_input(write_yaml(remote, "r.yaml")).issues == []


# step 2: 处理预案 reviewed before work
@pytest.mark.parametrize("which", ["onsite", "remote"])
def test_plan_approval_required(tmp_path, onsite, remote, write_yaml, which):
    data = onsite if which == "onsite" else remote
    del data["preparation"]["plan_approved_by"]
    _refused(tmp_path, write_yaml(data), "preparation.plan_approved_by：第2步 处理预案审核人缺失")


# step 5: customer confirms before any work entry
@pytest.mark.parametrize("which", ["onsite", "remote"])
def test_briefing_confirmation_required(tmp_path, onsite, remote, write_yaml, which):
    data = onsite if which == "onsite" else remote
    data["briefing_confirmed_by"] = ""
    _refused(tmp_path, write_yaml(data), "第5步 客户确认缺失：briefing_confirmed_by")


# step 7: escalations need authorized_by
@pytest.mark.parametrize("which", ["onsite", "remote"])
def test_escalation_needs_authorization(tmp_path, onsite, remote, write_yaml, which):
    data = onsite if which == "onsite" else remote
    at = data["work"][0]["at"]
    data["escalations"] = [{"at": at, "issue": "客户要求顺带检查备用前置机", "reported_to": "赵刚"}]
    _refused(tmp_path, write_yaml(data), "escalations[0].authorized_by：第7步 授权人缺失")


# step 8: leftovers need confirmation, plan, owner, due
def test_leftovers_need_confirmation_and_plan_owner_due(tmp_path, onsite, write_yaml):
    del onsite["leftover_confirmed_by"]
    del onsite["leftover_issues"][0]["owner"]
    onsite["leftover_issues"][0]["due"] = None
    _refused(tmp_path, write_yaml(onsite), "第8步 遗留问题客户确认缺失：leftover_confirmed_by",
             "leftover_issues[0].owner：第8步", "leftover_issues[0].due：第8步")


# steps 9–10 (onsite)
@pytest.mark.parametrize("change,expected", [
    (lambda d: d.pop("customer_signoff"), "customer_signoff：第9步 客户签署服务单缺失"),
    (lambda d: d.update(site_cleaned=False), "site_cleaned：第10步 现场清洁确认缺失"),
    (lambda d: d.pop("site_cleaned"), "site_cleaned：第10步"),
    (lambda d: d.pop("departed_at"), "departed_at：第10步 离场时间缺失"),
])
def test_onsite_signoff_cleaning_departure(tmp_path, onsite, write_yaml, change, expected):
    change(onsite)
    _refused(tmp_path, write_yaml(onsite), expected)


# step 3 (remote)
@pytest.mark.parametrize("change,expected", [
    (lambda d: d["connection"].update(stable=False), "connection.stable：第3步 远程连接未确认稳定"),
    (lambda d: d["connection"].update(secure=None), "connection.secure：第3步 远程连接未确认安全"),
    (lambda d: d.pop("connection"), "connection：第3步 远程条件验证缺失"),
])
def test_remote_connection_verified(tmp_path, remote, write_yaml, change, expected):
    change(remote)
    _refused(tmp_path, write_yaml(remote), expected)


# step 10 (remote)
@pytest.mark.parametrize("change,expected", [
    (lambda d: d["session_closed"].update(account_revoked=False), "第10步 操作账号未注销"),
    (lambda d: d["session_closed"].update(disconnected=False), "第10步 远程连接未断开"),
    (lambda d: d["session_closed"].pop("confirmed_by"), "session_closed.confirmed_by：第10步 客户确认缺失"),
    (lambda d: d.pop("session_closed"), "session_closed：第10步"),
])
def test_remote_session_closed(tmp_path, remote, write_yaml, change, expected):
    change(remote)
    _refused(tmp_path, write_yaml(remote), expected)


# times in order, both fields named
def test_times_in_order(tmp_path, onsite, write_yaml):
    onsite["arrived_at"] = "2025-03-12 09:00"
    _refused(tmp_path, write_yaml(onsite), "arrived_at：时间顺序错误：到场时间 arrived_at（2025-03-12 09:00）早于 响应时间 responded_at")


def test_work_before_arrival_is_refused(tmp_path, onsite, write_yaml):
    onsite["work"][0]["at"] = "2025-03-12 11:00"
    _refused(tmp_path, write_yaml(onsite), "work[0].at：时间顺序错误：作业时间", "早于 到场时间 arrived_at")


def test_remote_work_before_connection_verified(tmp_path, remote, write_yaml):
    remote["work"][0]["at"] = "2025-04-02 13:00"
    _refused(tmp_path, write_yaml(remote), "work[0].at：", "早于 远程条件验证时间 connection.verified_at")


def test_bad_service_no_and_leftover_ref(tmp_path, remote, write_yaml):
    remote["service_no"] = "YC 2025/21"
    remote["resolved_leftovers"][0]["ref"] = "XC-2025-0007"
    _refused(tmp_path, write_yaml(remote), "service_no：", "服务单号", "resolved_leftovers[0].ref：", "格式应为 <服务单号>#<序号>")


def test_satisfaction_score_range(tmp_path, onsite, write_yaml):
    onsite["satisfaction"]["score"] = 6
    _refused(tmp_path, write_yaml(onsite), "satisfaction.score：")


# steps 11–13: warnings, documents marked 待审核 / 待回访
def test_unreviewed_and_unsurveyed_are_warnings(tmp_path, onsite, write_yaml):
    del onsite["report"]["reviewed_by"]
    del onsite["satisfaction"]
    warnings = _warnings(tmp_path, write_yaml(onsite))
    assert any("第11步 未经运维部经理审核" in w for w in warnings)
    assert any("第13步 服务台尚未回访" in w for w in warnings)


def test_remote_unreviewed_and_unsigned_are_warnings(tmp_path, remote, write_yaml):
    del remote["record"]
    del remote["satisfaction"]
    del remote["customer_signoff"]
    warnings = _warnings(tmp_path, write_yaml(remote))
    assert any("第11步" in w for w in warnings) and any("第12步" in w for w in warnings)
    assert any("第9步 客户验收确认缺失" in w for w in warnings)


def test_a_closure_after_the_record_itself_is_a_warning_naming_both_fields(tmp_path):
    """A record can only close leftovers it handled: their time is not after its own resolved_at."""
    import yaml

    from docgen.pipeline import check_input
    from tests.conftest import EXAMPLES

    data = yaml.safe_load((EXAMPLES / "remote.yaml").read_text(encoding="utf-8"))
    data["resolved_leftovers"][0]["at"] = "2025-04-02 18:00"  # the record was resolved at 15:00
    path = tmp_path / "remote.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    checked = check_input(path)
    assert checked.errors == []
    [warning] = [w for w in checked.warnings if w.path == "resolved_leftovers[0].at"]
    assert "resolved_leftovers[0].at" in warning.message and "resolved_at" in warning.message
