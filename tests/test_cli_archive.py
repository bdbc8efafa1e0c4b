"""`docgen demo`, `archive list`, `archive verify` through the CLI, on real archives in tmp_path."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from docgen.cli import cli


def _run(archive: Path, *args: str):
    return CliRunner().invoke(cli, ["--archive", str(archive), *args])


def test_demo_then_list_and_verify(tmp_path):
    archive = tmp_path / "archive"
    result = _run(archive, "demo")
    assert result.exit_code == 0, result.output
    assert "运维项目管理计划" in result.output and "[新建]" in result.output
    listed = _run(archive, "archive", "list", "--json")
    records = {r["doc_type"]: r for r in json.loads(listed.stdout)}
    assert {"plan", "onsite_form", "onsite_report", "remote_record"} <= set(records)
    plan = records["plan"]
    assert plan["project"] == "YNTD-YW-2025-001" and plan["version"] == 1
    assert plan["facts"]["sla"][0]["metric"] == "response_minutes"
    # the record generated in the same run as its plan is measured against that plan
    assert records["onsite_report"]["facts"]["plan_version"] == "V1.0"
    every = json.loads(listed.stdout)
    months = {r["period"] for r in every if r["doc_type"] in ("onsite_report", "remote_record")}
    assert {f"2025-{m:02d}" for m in range(1, 7)} <= months
    assert sorted(r["period"] for r in every if r["doc_type"] == "survey_report") == [f"2025-{m:02d}" for m in (*range(1, 7), 8)]
    assert not [r for r in every if r["warnings"]], "the demo project should be clean"
    verified = _run(archive, "archive", "verify")
    assert verified.exit_code == 0 and "校验通过" in verified.output
    again = _run(archive, "demo", "--json")
    assert {d["status"] for d in json.loads(again.stdout)} == {"unchanged"}


def test_verify_detects_a_tampered_byte(tmp_path):
    archive = tmp_path / "archive"
    _run(archive, "demo")
    docx_file = next((archive / "documents").rglob("plan_v1.docx"))
    data = bytearray(docx_file.read_bytes())
    data[100] ^= 0xFF
    docx_file.write_bytes(bytes(data))
    result = _run(archive, "archive", "verify")
    assert result.exit_code == 1
    assert "changed" in result.stderr and docx_file.name in result.stderr
    report = json.loads(_run(archive, "archive", "verify", "--json").stdout)
    assert report["ok"] is False and report["problems"][0]["kind"] == "changed"


def test_verify_detects_unregistered_file(tmp_path):
    archive = tmp_path / "archive"
    _run(archive, "demo")
    docx_file = next((archive / "documents").rglob("plan_v1.docx"))
    (docx_file.parent / "copied-by-hand.docx").write_bytes(b"x")
    result = _run(archive, "archive", "verify")
    assert result.exit_code == 1 and "copied-by-hand.docx" in result.stderr


def test_list_filters_and_empty_archive(tmp_path):
    archive = tmp_path / "archive"
    assert "没有符合条件的文档" in _run(archive, "archive", "list").output
    _run(archive, "demo")
    assert json.loads(_run(archive, "archive", "list", "--type", "kpi_report", "--json").stdout) == []
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
    result = CliRunner(env={"DOCGEN_ARCHIVE": str(tmp_path / "env-archive")}).invoke(cli, ["demo"])
    assert result.exit_code == 0 and (tmp_path / "env-archive" / "ledger.jsonl").is_file()
