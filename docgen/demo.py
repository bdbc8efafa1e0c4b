"""`docgen demo`: the bundled example project through the same path as `docgen generate` — the
examples of every kind plus a year of on-site/remote records, surveys and monthly service reports
derived from them, so the archive has something real to search and measure — then the project's
KPI workbook and audit (archived like any document) and a sample search."""
from __future__ import annotations

import copy
import random
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from docgen.kinds import get_kind, kind_names
from docgen.pipeline import GeneratedDoc, generate
from docgen.render import packaged_examples

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.render import TemplateSet
    from docgen.search import SearchResult

SAMPLE_QUERY = "网卡"
MONTHS = range(1, 13)  # the example project runs 2025-01-01…2025-12-31
PROJECT = "YNTD-YW-2025-001"
KPI_MONTH = "2025-12"  # the project's last month
_AVAILABILITY = [99.96, 99.98, 99.95, 99.97, 99.93, 99.99, 99.96, 99.94, 99.98, 99.97, 99.95, 99.99]
_NEXT = [["完成前置机交换机跳线更换", "开展数据库主备切换演练"], ["UPS电池组年度放电测试"], ["核心交换机固件升级评估"],
         ["历史数据库归档策略优化"], ["迎峰度夏保障方案演练"], ["机房空调巡检与滤网更换"]]
# (服务内容, 处理预案, 风险, 应急预案, 事件类别): every generated record is a 故障 of level 一般
_CASES = [
    ("前置机通信中断，现场排查并恢复", "检查前置机网卡与交换机端口，必要时更换网卡", "更换网卡期间通信中断", "提前切换至备用通道", "网络"),
    ("调度主站服务器硬盘告警", "检查RAID状态，热插拔更换故障硬盘", "重建期间性能下降", "避开业务高峰执行重建", "硬件"),
    ("核心交换机端口频繁翻转", "排查光模块与跳线，更换故障光模块", "端口切换导致链路中断", "先启用冗余链路", "网络"),
    ("历史数据库表空间告警", "清理过期归档数据并扩展表空间", "误删在用数据", "操作前全量备份，按备份恢复", "数据库"),
    ("网管监控平台告警延迟", "重启采集服务并优化采集周期", "重启期间监控中断", "安排人工值守巡检", "应用"),
    ("UPS电源电池告警", "更换老化电池组并做放电测试", "更换期间失去后备电源", "确认市电稳定后操作", "动力环境"),
]


@dataclass
class DemoResult:
    documents: list[GeneratedDoc]
    query: str
    search: SearchResult
    computed: list[GeneratedDoc]  # the KPI workbook and the audit, archived after the inputs


def _fmt(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _onsite_variant(base: dict[str, Any], n: int, start: datetime, case: tuple[str, str, str, str, str],
                    rng: random.Random) -> dict[str, Any]:
    data = copy.deepcopy(base)
    content, plan, risk, contingency, category = case
    # mostly within the example plan's targets (response ≤30, arrival ≤240, resolution ≤480), a miss now and then
    responded = start + timedelta(minutes=rng.choice([8, 12, 15, 20, 25, 25, 28, 40]))
    arrived = start + timedelta(minutes=rng.choice([120, 150, 180, 200, 210, 220, 230, 260]))
    resolved = arrived + timedelta(minutes=rng.choice([40, 60, 90, 150]))
    departed = resolved + timedelta(minutes=30)
    data.update(service_no=f"XC-2025-{n:04d}", category="故障", incident={"level": "一般", "category": category},
                requested_at=_fmt(start), responded_at=_fmt(responded), arrived_at=_fmt(arrived),
                resolved_at=_fmt(resolved), departed_at=_fmt(departed), leftover_issues=[], escalations=[])
    data.pop("leftover_confirmed_by", None)
    data["preparation"].update(content=content, plan=plan, requested_arrival=_fmt(start + timedelta(hours=4)),
                               history="无", risks=[{"risk": risk, "contingency": contingency}], open_issues=[])
    data["work"] = [{"at": _fmt(arrived + timedelta(minutes=10)), "action": f"按预案处理：{plan}", "result": "处理完成，业务恢复"}]
    data["customer_signoff"]["signed_at"] = _fmt(resolved + timedelta(minutes=15))
    data["report"] = {"submitted_at": (departed + timedelta(days=1)).date().isoformat(), "reviewed_by": "赵刚"}
    data["satisfaction"] = {"score": rng.choice([4, 5, 5]), "comment": "处理及时", "surveyed_by": "服务台 刘敏"}
    return data


def _remote_variant(base: dict[str, Any], n: int, start: datetime, case: tuple[str, str, str, str, str],
                    rng: random.Random) -> dict[str, Any]:
    data = copy.deepcopy(base)
    content, plan, risk, contingency, category = case
    responded = start + timedelta(minutes=rng.choice([5, 10, 10, 15, 20, 25, 35]))
    verified = responded + timedelta(minutes=20)
    resolved = verified + timedelta(minutes=rng.choice([60, 90, 120, 180, 240, 300, 600]))
    data.update(service_no=f"YC-2025-{n:04d}", category="故障", incident={"level": "一般", "category": category},
                requested_at=_fmt(start), responded_at=_fmt(responded), resolved_at=_fmt(resolved),
                leftover_issues=[], resolved_leftovers=[], escalations=[])
    data["preparation"].update(content=content, plan=plan, requested_time=_fmt(verified), history="无",
                               risks=[{"risk": risk, "contingency": contingency}])
    data["connection"]["verified_at"] = _fmt(verified)
    data["work"] = [{"at": _fmt(verified + timedelta(minutes=5)), "action": f"远程处理：{plan}", "result": "处理完成"}]
    data["customer_signoff"]["signed_at"] = _fmt(resolved + timedelta(minutes=5))
    data["session_closed"]["at"] = _fmt(resolved + timedelta(minutes=10))
    data["record"] = {"reviewed_by": "赵刚", "reviewed_at": (resolved + timedelta(days=1)).date().isoformat()}
    data["satisfaction"] = {"score": rng.choice([3, 4, 5]), "comment": "满意", "surveyed_by": "服务台 刘敏"}
    return data


def _survey_variant(base: dict[str, Any], month: int, rng: random.Random) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data["period"] = f"2025-{month:02d}"
    ids = [q["id"] for q in data["questions"]]
    followups = []
    for response in data["responses"]:
        response["date"] = f"2025-{month:02d}-{26 + rng.randrange(2)}"
        for qid in ids:
            response[qid] = rng.choice([3, 4, 5, 5, 5, 5, 5, 5])
            if response[qid] <= data.get("low_score_threshold", 3):
                followups.append({"question": qid, "respondent": response["respondent"],
                                  "confirmed": "回访确认：处理进度通报不够及时", "action": "重要事件每2小时通报一次进展",
                                  "owner": "张伟", "due": "2026-01-10" if month == 12 else f"2025-{month + 1:02d}-10",
                                  # completed before the due day: the demo's follow-ups are all on time
                                  "done_on": "2026-01-08" if month == 12 else f"2025-{month + 1:02d}-08",
                                  "result": "已按每2小时通报进展执行，回访确认满意"})
    data["followups"] = followups
    return data


def demo_inputs(folder: Path) -> list[Path]:
    """The bundled examples plus derived records for January–June 2025, written as YAML into folder."""
    import yaml

    examples = packaged_examples()
    files = [examples / get_kind(name).example for name in kind_names()]
    # the incidents of the emergency pack's quarter, as service records (the pack reads them from the archive)
    files += sorted((examples / "records").glob("*.yaml"))
    base = {kind: yaml.safe_load((examples / f"{kind}.yaml").read_text(encoding="utf-8"))
            for kind in ("onsite", "remote") if kind in kind_names()}
    rng = random.Random(2025)
    serial = 100
    for month in MONTHS:
        for k, kind in enumerate(base):
            day = 3 + 9 * k + rng.randrange(5)
            start = datetime(2025, month, day, rng.choice([8, 9, 10, 14]), rng.choice([0, 15, 30]))
            case = _CASES[(month + k) % len(_CASES)]
            serial += 1
            variant = (_onsite_variant if kind == "onsite" else _remote_variant)(base[kind], serial, start, case, rng)
            path = folder / f"{kind}-{variant['service_no']}.yaml"
            path.write_text(yaml.safe_dump(variant, allow_unicode=True, sort_keys=False), encoding="utf-8")
            files.append(path)
    if "survey" in kind_names():
        survey = yaml.safe_load((examples / "survey.yaml").read_text(encoding="utf-8"))
        for month in MONTHS:
            if f"2025-{month:02d}" == survey["period"]:
                continue  # the bundled example covers that month
            path = folder / f"survey-2025-{month:02d}.yaml"
            path.write_text(yaml.safe_dump(_survey_variant(survey, month, rng), allow_unicode=True, sort_keys=False),
                            encoding="utf-8")
            files.append(path)
    if "service_report" in kind_names():
        report = yaml.safe_load((examples / "service_report.yaml").read_text(encoding="utf-8"))
        for month in MONTHS:
            if f"2025-{month:02d}" == report["period"]:
                continue
            path = folder / f"service_report-2025-{month:02d}.yaml"
            path.write_text(yaml.safe_dump(_report_variant(report, month), allow_unicode=True, sort_keys=False),
                            encoding="utf-8")
            files.append(path)
    return files


# what the PM writes of the month's major incidents (XC-2025-0005 was 重大, in February)
_MAJOR_NOTES = {2: "2月17日历史库主库宕机（XC-2025-0005，重大事件），已切换至备库恢复并提交重大事件(故障)的分析改进报告。"}


def _report_variant(base: dict[str, Any], month: int) -> dict[str, Any]:
    data = copy.deepcopy(base)
    year, nxt = (2026, 1) if month == 12 else (2025, month + 1)
    data.update(period=f"2025-{month:02d}", prepared_on=f"{year}-{nxt:02d}-0{3 + month % 3}",
                summary=f"{month}月系统运行总体平稳，现场与远程服务均按计划完成。" + _MAJOR_NOTES.get(month, ""),
                availability_percent=_AVAILABILITY[month - 1], next_month_plan=_NEXT[month % len(_NEXT)])
    return data


def run_demo(*, archive: Archive, templates: TemplateSet,
             progress: Callable[[int, int], None] | None = None) -> DemoResult:
    """Generate the example project into the archive (the index follows the writes), then search it."""
    from docgen.computed import auditor, kpi_preparer
    from docgen.facts import view_of
    from docgen.kinds.audit_report import audit_spec
    from docgen.kinds.kpi_report import kpi_spec
    from docgen.metrics.audit import audit_project
    from docgen.metrics.kpi_report import compute_kpi
    from docgen.pipeline import publish
    from docgen.search import search

    with tempfile.TemporaryDirectory(prefix="docgen-demo-") as tmp:
        documents = generate(demo_inputs(Path(tmp)), archive=archive, templates=templates, source="demo",
                             progress=progress)
    # the dates are the demo project's, so a re-run is unchanged whatever day it is
    kpi = compute_kpi(archive, KPI_MONTH, project=PROJECT)
    audit = audit_project(archive, PROJECT, as_of=date(2026, 3, 1))
    plan = view_of(archive).plan_facts(PROJECT)
    name = plan.name if plan is not None else ""
    head = archive.ledger_head()
    computed = publish([kpi_spec(kpi, today=date(2026, 1, 5), prepared_by=kpi_preparer(plan), ledger=head),
                        audit_spec(audit, today=date(2026, 3, 1), project_name=name, prepared_by=auditor(plan),
                                   ledger=head, company=plan.company if plan is not None else None)],
                       archive=archive, templates=templates, source="demo")
    return DemoResult(documents=documents, query=SAMPLE_QUERY, search=search(archive, SAMPLE_QUERY, limit=3),
                      computed=computed)
