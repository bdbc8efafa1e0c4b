"""The 远程交付 record (kind: remote), §5.4.6.2 steps 1–13, field by field as examples/remote.yaml shows it."""
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


class RemotePreparation(StrictModel):
    content: Text = label("服务内容", "第1步 需交付内容")
    requested_time: DateTime | None = label("要求支持时间", "第1步 客户要求的支持时间，YYYY-MM-DD HH:MM", default=None)
    history: OptText = label("前期支持情况", default=None)
    open_issues: TextList = label("待跟进的前期遗留问题", "遗留问题编号列表，如 XC-2025-0003#1", default_factory=list)
    plan: Text = label("处理预案", "第2步")
    plan_approved_by: OptText = label("预案审核人", "第2步 运维部经理审核", default=None)
    risks: list[RiskItem] = label("风险及应急预案", "第2步", default_factory=list, sheet="风险")
    tools: TextList = label("工具", default_factory=list)
    safety: OptText = label("安全合规要求", default=None)

    @field_validator("open_issues")
    @classmethod
    def _refs(cls, value: list[str]) -> list[str]:
        return check_leftover_refs(value)


class Connection(StrictModel):
    method: Text = label("远程方式", "例如 堡垒机、VPN")
    verified_at: DateTime | None = label("验证时间", "YYYY-MM-DD HH:MM", default=None)
    stable: bool | None = label("连接稳定", "第3步 true/false", default=None)
    secure: bool | None = label("连接安全", "第3步 true/false", default=None)


class SessionClosed(StrictModel):
    account_revoked: bool | None = label("操作账号已注销", "第10步 true/false", default=None)
    disconnected: bool | None = label("远程连接已断开", "第10步 true/false", default=None)
    confirmed_by: OptText = label("客户确认人", "第10步", default=None)
    at: DateTime | None = label("确认时间", "YYYY-MM-DD HH:MM", default=None)


class RecordReview(StrictModel):
    reviewed_by: OptText = label("审核人", "第11步 运维部经理", default=None)
    reviewed_at: Date | None = label("审核日期", "YYYY-MM-DD", default=None)


class RemoteInput(StrictModel):
    kind: Literal["remote"] = label("输入类型", "固定为 remote")
    project: ProjectRef = label("项目")
    service_no: Text = label("服务单号", "例如 YC-2025-0021")
    category: RecordCategory = label("服务类别", "故障（默认）| 服务请求 | 变更 | 巡检 | 咨询", default="故障")
    incident: IncidentInfo | None = label("事件信息", "服务类别为故障时填写：事件级别、事件类别", default=None)
    site: OptText = label("服务对象/地点", "默认为客户名称", default=None)
    company: Text = label("公司名称", "不填则用项目计划中的公司名称（计划未归档时为 云南腾电科技有限公司）",
                          default="云南腾电科技有限公司")
    engineer: Text = label("运维工程师")
    requested_at: DateTime = label("报修时间", "YYYY-MM-DD HH:MM")
    responded_at: DateTime = label("响应时间", "YYYY-MM-DD HH:MM")
    preparation: RemotePreparation = label("准备", "第1–2步")
    connection: Connection | None = label("远程条件验证", "第3步", default=None)
    customer_contact: OptText = label("客户联系人", default=None)
    briefing_confirmed_by: OptText = label("服务说明确认人", "第5步 客户确认服务内容、预案、风险", default=None)
    work: list[WorkEntry] = label("作业记录", "第6步", default_factory=list, sheet="作业记录")
    escalations: list[Escalation] = label("问题上报与授权", "第7步", default_factory=list, sheet="上报授权")
    resolved_at: DateTime = label("解决时间", "YYYY-MM-DD HH:MM")
    leftover_issues: list[LeftoverIssue] = label("遗留问题", "第8步", default_factory=list, sheet="遗留问题")
    leftover_confirmed_by: OptText = label("遗留问题确认人", "第8步 与客户达成共识", default=None)
    resolved_leftovers: list[ResolvedLeftover] = label("本次处理的前期遗留问题", default_factory=list,
                                                       sheet="已处理遗留问题")
    customer_signoff: Signoff | None = label("客户验收确认", "第9步", default=None)
    session_closed: SessionClosed | None = label("注销账号与断开连接", "第10步", default=None)
    record: RecordReview | None = label("服务记录审核", "第11步", default=None)
    satisfaction: Satisfaction | None = label("满意度回访", "第12步 服务台回访", default=None)

    @field_validator("service_no")
    @classmethod
    def _service_no(cls, value: str) -> str:
        return check_service_no(value)
