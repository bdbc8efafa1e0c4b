"""The 现场交付 record (kind: onsite), §5.4.6.1 steps 1–13, field by field as examples/onsite.yaml shows it."""
from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from docgen.fields import Date, DateTime, OptText, StrictModel, Text, TextList, label
from docgen.kinds._service import (
    Escalation,
    IncidentInfo,
    LeftoverIssue,
    ProjectRef,
    RecordCategory,
    ResolvedLeftover,
    RiskItem,
    Satisfaction,
    Signoff,
    WorkEntry,
    check_leftover_refs,
    check_service_no,
)


class OnsitePreparation(StrictModel):
    content: Text = label("服务内容", "第1步 需交付内容")
    requested_arrival: DateTime | None = label("要求到场时间", "第1步 客户要求到达时间，YYYY-MM-DD HH:MM", default=None)
    history: OptText = label("前期运维情况", default=None)
    open_issues: TextList = label("待跟进的前期遗留问题", "遗留问题编号列表，如 XC-2025-0003#1", default_factory=list)
    plan: Text = label("处理预案", "第2步")
    plan_approved_by: OptText = label("预案审核人", "第2步 部门经理审核", default=None)
    risks: list[RiskItem] = label("风险及应急预案", "第2步", default_factory=list, sheet="风险")
    tools: TextList = label("资料与工具", "第3步", default_factory=list)
    safety: OptText = label("安全防范准备", "第3步", default=None)

    @field_validator("open_issues")
    @classmethod
    def _refs(cls, value: list[str]) -> list[str]:
        return check_leftover_refs(value)


class Report(StrictModel):
    submitted_at: Date | None = label("报告提交日期", "第11步 YYYY-MM-DD", default=None)
    reviewed_by: OptText = label("审核人", "第11步 运维部经理", default=None)
    reviewed_at: Date | None = label("审核日期", "YYYY-MM-DD", default=None)


class OnsiteInput(StrictModel):
    kind: Literal["onsite"] = label("输入类型", "固定为 onsite")
    project: ProjectRef = label("项目")
    service_no: Text = label("服务单号", "例如 XC-2025-0007")
    category: RecordCategory = label("服务类别", "故障（默认）| 服务请求 | 变更 | 巡检 | 咨询", default="故障")
    incident: IncidentInfo | None = label("事件信息", "服务类别为故障时填写：事件级别、事件类别", default=None)
    site: OptText = label("服务地点", "默认为客户名称", default=None)
    company: Text = label("公司名称", "不填则用项目计划中的公司名称（计划未归档时为 云南腾电科技有限公司）",
                          default="云南腾电科技有限公司")
    engineer: Text = label("运维工程师")
    requested_at: DateTime = label("报修时间", "YYYY-MM-DD HH:MM")
    responded_at: DateTime = label("响应时间", "YYYY-MM-DD HH:MM")
    preparation: OnsitePreparation = label("出发前准备", "第1–3步")
    arrived_at: DateTime = label("到场时间", "第4步 YYYY-MM-DD HH:MM")
    customer_contact: OptText = label("客户联系人", default=None)
    briefing_confirmed_by: OptText = label("服务说明确认人", "第5步 客户确认服务内容、预案、风险", default=None)
    work: list[WorkEntry] = label("作业记录", "第6步", default_factory=list, sheet="作业记录")
    escalations: list[Escalation] = label("问题上报与授权", "第7步", default_factory=list, sheet="上报授权")
    resolved_at: DateTime = label("解决时间", "YYYY-MM-DD HH:MM")
    leftover_issues: list[LeftoverIssue] = label("遗留问题", "第8步", default_factory=list, sheet="遗留问题")
    leftover_confirmed_by: OptText = label("遗留问题确认人", "第8步 客户签署遗留问题确认单", default=None)
    resolved_leftovers: list[ResolvedLeftover] = label("本次处理的前期遗留问题", default_factory=list,
                                                       sheet="已处理遗留问题")
    customer_signoff: Signoff | None = label("客户签署服务单", "第9步", default=None)
    site_cleaned: bool | None = label("现场已恢复清洁", "第10步 true/false", default=None)
    departed_at: DateTime | None = label("离场时间", "第10步 YYYY-MM-DD HH:MM", default=None)
    report: Report | None = label("现场服务报告单", "第11步", default=None)
    satisfaction: Satisfaction | None = label("满意度回访", "第13步 服务台回访", default=None)

    @field_validator("service_no")
    @classmethod
    def _service_no(cls, value: str) -> str:
        return check_service_no(value)
