"""The 项目验收 input (kind: acceptance, §5.4.4), field by field as examples/acceptance.yaml shows it,
and the one date rule the regulation fixes: the internal acceptance application is due within one
calendar month after the project ends (§5.4.4.1)."""
from __future__ import annotations

from datetime import date
from typing import Literal

from docgen.fields import Approval, Date, OptText, ProjectCode, StrictModel, Text, label
from docgen.periods import add_one_month


def acceptance_deadline(end: date) -> date:
    """The last day for the internal acceptance application: project end + 1 calendar month, the day
    clamped to the month's length (2025-01-31 → 2025-02-28, 2024-01-31 → 2024-02-29,
    2025-03-31 → 2025-04-30, 2025-12-31 → 2026-01-31, 2025-01-15 → 2025-02-15)."""
    return add_one_month(end)


class Project(StrictModel):
    code: ProjectCode = label("项目编号", "字母、数字、- 或 _，用作归档目录名，例如 YNTD-YW-2025-001")
    name: OptText = label("项目名称", "可选；不填则用该项目运维项目管理计划中的项目名称", default=None)
    customer: OptText = label("客户名称", "可选；不填则用该项目运维项目管理计划中的客户名称", default=None)
    end: Date = label("项目结束日期", "YYYY-MM-DD；内部验收申请应在此后一个月内提出（§5.4.4.1）")


class Evaluation(StrictModel):
    name: Text = label("评估人")
    role: Text = label("部门/角色", "§5.4.4.1 应有运维部和质量部，例如 运维部经理、质量部")
    conclusion: Text = label("评估结论", "例如 合格、不合格")
    date: Date = label("评估日期", "YYYY-MM-DD；不早于内部验收申请日期")


class Internal(StrictModel):
    applied_on: Date = label("内部验收申请日期", "YYYY-MM-DD；应在项目结束后一个月内（§5.4.4.1）")
    applied_by: Text = label("申请人", "提出内部验收申请的项目经理")
    self_assessment: Text = label("SLA达成自评", "§5.4.4.1 项目组的 SLA 达成自评意见；"
                                  "各指标的达成数据由 docgen 从归档库计算")
    evaluation: list[Evaluation] = label("运维部与质量部评估", "§5.4.4.1 运维部与质量部对 SLA 达成情况的评估；"
                                         "评估前可不填", default_factory=list, sheet="内部评估")


class OpenIssue(StrictModel):
    issue: Text = label("遗留问题", "初验发现的遗留问题")
    resolution: Text = label("解决措施", "§5.4.4.2 项目经理组织解决落实的措施")
    due: Date = label("计划完成日期", "YYYY-MM-DD；终验或与客户约定的时间")
    done: bool = label("是否已解决", "true 已解决 | false 未解决；终验前应全部解决", default=False)


class Preliminary(StrictModel):
    date: Date = label("初验日期", "YYYY-MM-DD；不早于项目结束日期")
    conclusion: Text = label("初验结论", "例如 初验通过")
    open_issues: list[OpenIssue] = label("初验遗留问题", "§5.4.4.2 初验后的遗留问题，没有可不填",
                                         default_factory=list, sheet="初验遗留问题")


class Final(StrictModel):
    date: Date = label("终验日期", "YYYY-MM-DD；不早于初验日期")
    conclusion: Text = label("终验结论", "例如 终验通过")
    signed_by: Text = label("客户签字人")


class Customer(StrictModel):
    preliminary: Preliminary | None = label("初验", "§5.4.4.2 客户初验；尚未初验时不填", default=None)
    final: Final | None = label("终验", "§5.4.4.2 客户终验；尚未终验时不填", default=None)


class AcceptanceInput(StrictModel):
    kind: Literal["acceptance"] = label("输入类型", "固定为 acceptance")
    project: Project = label("项目信息")
    internal: Internal = label("内部验收", "§5.4.4.1")
    customer: Customer = label("客户验收", "§5.4.4.2 初验与终验；验收进行中可只填已完成的部分",
                               default_factory=Customer)
    company: Text = label("公司名称", "封面与页眉显示的公司名称；不填则用项目计划中的公司名称（计划未归档时为 云南腾电科技有限公司）",
                          default="云南腾电科技有限公司")
    doc_no: OptText = label("文件编号", "可选；默认按归档库的编号规则，如 <项目编号>-YS", default=None)
    approval: Approval = label("审核与批准", "可选：审核人、批准人及日期；不填的姓名取自计划，日期打印后手签", default_factory=Approval)


__all__ = ["AcceptanceInput", "Customer", "Evaluation", "Final", "Internal", "OpenIssue",
           "Preliminary", "Project", "acceptance_deadline"]
