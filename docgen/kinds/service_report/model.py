"""The 运维服务报告 input (kind: service_report), field by field as examples/service_report.yaml shows it.

Most of the report is computed from the archive (services, SLA, incidents, leftover issues,
satisfaction); the input carries what only a person knows: the summary, the monitored
availability and the next period's plan."""
from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator

from docgen.fields import (
    PERIOD_RE,
    Approval,
    Date,
    OptText,
    StrictModel,
    Text,
    TextList,
    label,
    to_text,
)
from docgen.kinds._service import ProjectRef

# the report's period decides which entry of the plan's report schedule it fills (docs/archive.md)
FREQUENCIES = {"month": "monthly", "week": "weekly", "quarter": "quarterly"}


def period_kind(period: str) -> str:
    """month | week | quarter for a valid report period."""
    if "-W" in period:
        return "week"
    if "-Q" in period:
        return "quarter"
    return "month"


def _check_report_period(value: str) -> str:
    example = "例如 2025-03（月报）、2025-W10（周报）或 2025-Q1（季报）"
    if re.fullmatch(r"\d{4}", value):
        raise ValueError(f"报告期间 “{value}” 是全年；运维服务报告按月（YYYY-MM）、ISO 周（YYYY-Www）或季度"
                         f"（YYYY-Qn）编制，{example}")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"报告期间 “{value}” 是一天；运维服务报告按月（YYYY-MM）、ISO 周（YYYY-Www）或季度"
                         f"（YYYY-Qn）编制，请改为例如 {value[:7]}")
    if not PERIOD_RE.fullmatch(value):
        raise ValueError(f"报告期间 “{value}” 格式不对，应为 YYYY-MM、YYYY-Www 或 YYYY-Qn，{example}")
    if "-W" in value:
        year, week = int(value[:4]), int(value[6:8])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"报告期间 “{value}” 不存在：{year} 年只有 52 个 ISO 周") from None
    return value


ReportPeriod = Annotated[str, BeforeValidator(to_text), AfterValidator(_check_report_period)]


def _percent(value: object) -> object:
    """“99.95%” and “99.95 %” mean 99.95; booleans are not numbers; a blank cell is not filled in."""
    if isinstance(value, bool):
        raise ValueError(f"应为 0–100 的数字，实际为 {value}")
    if isinstance(value, str):
        text = value.strip().removesuffix("%").removesuffix("％").strip()
        return text or None
    return value


Percent = Annotated[float | None, BeforeValidator(_percent)]


class ServiceReportInput(StrictModel):
    kind: Literal["service_report"] = label("输入类型", "固定为 service_report")
    project: ProjectRef = label("项目信息")
    period: ReportPeriod = label("报告期间", "YYYY-MM（月报）、YYYY-Www（ISO 周报）或 YYYY-Qn（季报），例如 2025-03")
    prepared_by: Text = label("编制人", "通常为项目经理")
    prepared_on: Date = label("编制日期", "YYYY-MM-DD，不早于报告期间的第一天")
    summary: Text = label("本期工作概述", "§5.4.2.4 本期工作情况的文字总结（服务、事件、SLA 等由 docgen 从归档库统计）")
    availability_percent: Percent = label(
        "系统可用率（%）", "0–100 的数字，监控平台测得的本期系统可用率；计划设有 availability_percent 指标时应填写",
        default=None, ge=0, le=100)
    next_month_plan: TextList = label("下期工作计划", "下一期（下月/下周/下季度）的工作安排，每项一条",
                                      default_factory=list)
    company: Text = label("公司名称", "页眉显示的公司名称；不填则用项目计划中的公司名称（计划未归档时为 云南腾电科技有限公司）",
                          default="云南腾电科技有限公司")
    doc_no: OptText = label("文件编号", "可选；默认按归档库的编号规则，如 <项目编号>-FWBG-<报告期间>", default=None)
    approval: Approval = label("审核与批准", "可选：审核人、批准人及日期；不填的姓名取自计划，日期打印后手签", default_factory=Approval)
