"""`docgen demo`, `archive list`, `archive verify` through the CLI, on real archives in tmp_path."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from docgen.cli import cli


def _run(archive: Path, *args: str):
    return CliRunner().invoke(cli, ["--archive", str(archive), *args])


def test_demo_then_list_and_verify(copy_demo, demo_archive):
    archive = copy_demo
    output = demo_archive[1]
    assert "运维项目管理计划" in output and "[新建]" in output
    listed = _run(archive, "archive", "list", "--json")
    records = {r["doc_type"]: r for r in json.loads(listed.stdout)}
    assert {"plan", "onsite_form", "onsite_report", "remote_record", "service_report", "acceptance_report",
            "kpi_report", "audit_report"} <= set(records)
    plan = records["plan"]
    assert plan["project"] == "YNTD-YW-2025-001" and plan["version"] == 1
    assert plan["facts"]["sla"][0]["metric"] == "response_minutes"
    # the record generated in the same run as its plan is measured against that plan
    assert records["onsite_report"]["facts"]["plan_version"] == "V1.0"
    every = json.loads(listed.stdout)
    year = [f"2025-{m:02d}" for m in range(1, 13)]
    months = {r["period"] for r in every if r["doc_type"] in ("onsite_report", "remote_record")}
    assert set(year) <= months
    assert sorted(r["period"] for r in every if r["doc_type"] == "survey_report") == year
    assert sorted(r["period"] for r in every if r["doc_type"] == "service_report") == year
    # the inputs are clean; what warns is what the computed reports found in the data (SLA misses,
    # the example's overdue leftover, the example survey below the plan's satisfaction target)
    warned = {r["doc_type"] for r in every if r["warnings"]}
    assert warned <= {"service_report", "acceptance_report"}, warned
    march = next(r for r in every if r["doc_type"] == "service_report" and r["period"] == "2025-03")
    assert any("XC-2025-0007#1" in w for w in march["warnings"])
    # every report the plan asks for was delivered: the December KPI is 100 %
    kpi = records["kpi_report"]
    assert kpi["period"] == "2025-12" and kpi["path"].endswith(".xlsx")
    verified = _run(archive, "archive", "verify")
    assert verified.exit_code == 0 and "校验通过" in verified.output
    again = _run(archive, "demo", "--json")
    assert {d["status"] for d in json.loads(again.stdout)} == {"unchanged"}


def test_verify_detects_a_tampered_byte(copy_demo):
    archive = copy_demo
    docx_file = next((archive / "documents").rglob("plan_v1.docx"))
    data = bytearray(docx_file.read_bytes())
    data[100] ^= 0xFF
    docx_file.write_bytes(bytes(data))
    result = _run(archive, "archive", "verify")
    assert result.exit_code == 1
    assert "changed" in result.stderr and docx_file.name in result.stderr
    report = json.loads(_run(archive, "archive", "verify", "--json").stdout)
    assert report["ok"] is False and report["problems"][0]["kind"] == "changed"


def test_verify_detects_unregistered_file(copy_demo):
    archive = copy_demo
    docx_file = next((archive / "documents").rglob("plan_v1.docx"))
    (docx_file.parent / "copied-by-hand.docx").write_bytes(b"x")
    result = _run(archive, "archive", "verify")
    assert result.exit_code == 1 and "copied-by-hand.docx" in result.stderr


def test_list_filters_and_empty_archive(tmp_path, copy_demo):
    assert "没有符合条件的文档" in _run(tmp_path / "empty", "archive", "list").output
    archive = copy_demo
    unknown = _run(archive, "archive", "list", "--type", "minutes", "--json")  # nothing of that type archived
    assert unknown.exit_code == 1 and unknown.stdout == "" and "没有文档类型 “minutes”" in unknown.stderr
    assert "plan" not in {r["doc_type"] for r in json.loads(_run(archive, "archive", "list", "--from", "2025-01-08", "--json").stdout)}
    assert "plan" in [r["doc_type"] for r in json.loads(_run(archive, "archive", "list", "--to", "2025-01-07", "--json").stdout)]
    bad = _run(archive, "archive", "list", "--from", "2025/01/01")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.stderr


def test_usage_errors_exit_2_in_chinese(tmp_path):
    result = CliRunner().invoke(cli, ["generate", "--no-such-option"])
    assert result.exit_code == 2 and "没有这个选项" in result.stderr
    result = CliRunner().invoke(cli, ["init", "plna"])
    assert result.exit_code == 2


def test_archive_env_variable(tmp_path):
    (tmp_path / "n.txt").write_text("纪要", encoding="utf-8")
    result = CliRunner(env={"DOCGEN_ARCHIVE": str(tmp_path / "env-archive")}).invoke(
        cli, ["archive", "add", str(tmp_path / "n.txt"), "--project", "P1", "--type", "minutes"])
    assert result.exit_code == 0 and (tmp_path / "env-archive" / "ledger.jsonl").is_file()
