"""The 运维项目管理计划 input (kind: plan), field by field as examples/plan.yaml shows it."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, field_validator

from docgen.doctypes import NOTIFY_GROUPS, PLAN_REVIEWER_ROLES, SERVICE_TYPES  # noqa: F401  (re-exported)
from docgen.fields import (
    Date,
    DocType,
    OptDate,
    OptText,
    ProjectCode,
    StrictModel,
    Text,
    TextList,
    label,
    split_list_cell,
)

SERVICE_LABELS = SERVICE_TYPES
METHOD_LABELS = {"onsite": "现场", "remote": "远程", "both": "现场+远程"}
PROJECT_TYPE_LABELS = {"new": "新签订", "renewal": "续签类"}
FREQUENCY_LABELS = {"monthly": "每月", "weekly": "每周", "quarterly": "每季度", "per_service": "每次服务"}
CLOCK_LABELS = {"7x24": "7×24 小时", "workday": "工作时间"}
# metric ids docgen measures itself (docs/archive.md "SLA metrics"), with where each figure comes from
KNOWN_METRICS = {
    "response_minutes": "现场/远程服务记录：报修→响应",
    "arrival_minutes": "现场服务记录：报修→到场",
    "resolution_minutes": "现场/远程服务记录：报修→解决",
    "onsite_minutes": "现场服务记录：到场→离场",
    "availability_percent": "月度运维服务报告（监控数据）",
    "satisfaction_score": "需方满意度调查和分析报告",
    "report_ratio": "服务报告交付统计（§8）",
}


class Project(StrictModel):
    code: ProjectCode = label("项目编号", "字母、数字、- 或 _，用作归档目录名，例如 YNTD-YW-2025-001")
    name: Text = label("项目名称")
    customer: Text = label("客户名称")
    contract_no: Text = label("合同编号", "运维合同编号，例如 HT-2025-0031")
    type: Literal["new", "renewal"] = label("项目类型", "new 新签订 | renewal 续签类（§5.1）")
    manager: Text = label("项目经理")
    start: Date = label("项目开始日期", "YYYY-MM-DD")
    end: Date = label("项目结束日期", "YYYY-MM-DD")


class ScopeItem(StrictModel):
    service: Literal["routine", "emergency", "optimization", "assessment"] = label(
        "服务类型", "routine 例行操作 | emergency 应急响应 | optimization 优化改善 | assessment 调研评估")
    content: Text = label("交付内容")
    method: Literal["onsite", "remote", "both"] = label("交付方式", "onsite 现场 | remote 远程 | both 两者")
    frequency: Text = label("频次", "自由文字，例如 每日、按需")
    outputs: TextList = label("交付成果", "列表；录入表中一格内用 ； 分隔", min_length=1)


# the service record categories a time metric may cover (doctypes.RECORD_CATEGORIES)
Categories = Annotated[list[Literal["故障", "服务请求", "变更", "巡检", "咨询"]], BeforeValidator(split_list_cell)]


class SlaItem(StrictModel):
    metric: DocType = label(
        "指标编号", "response_minutes | arrival_minutes | resolution_minutes | onsite_minutes | "
        "availability_percent | satisfaction_score | report_ratio（其他编号需人工统计）")
    name: Text = label("指标名称")
    clock: Literal["7x24", "workday"] = label("计时方式", "7x24（默认）| workday 仅工作时间", default="7x24")
    hours: OptText = label("工作时段", "clock 为 workday 时的工作时段，默认 08:30-17:30", default=None)
    op: Literal["<=", ">=", "<", ">", "="] = label("比较", "<= | >= | < | > | =")
    target: float = label("目标值", "数字")
    unit: Text = label("单位", "例如 分钟、%、分")
    categories: Categories = label(
        "适用服务类别", "时间类指标考核哪些服务记录：默认只考核 故障；可列 故障、服务请求、变更、巡检、咨询"
        "（服务请求、变更的到场/解决时间从客户要求的时间起算）", default_factory=list)

    @field_validator("hours")
    @classmethod
    def _hours_format(cls, value: str | None) -> str | None:
        import re

        if value is None:
            return value
        m = re.fullmatch(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})", value)
        if not m or not (0 <= int(m[1]) < 24 and int(m[2]) < 60 and int(m[3]) <= 24 and int(m[4]) < 60) \
                or (m[1], m[2]) >= (m[3], m[4]):
            raise ValueError(f"工作时段 “{value}” 格式应为 HH:MM-HH:MM 且开始早于结束，例如 08:30-17:30")
        return value


class WorkloadItem(StrictModel):
    item: Text = label("工作内容", "例如 日常巡检、应急响应")
    person_days: float = label("工作量（人天）", "数字", gt=0)


class Workload(StrictModel):
    person_days: float = label("预估工作量（人天）", "数字", gt=0)
    basis: Text = label("估算依据")
    breakdown: list[WorkloadItem] = label("工作量分项", "可选；给出时各项人天之和应等于 person_days",
                                         default_factory=list, sheet="工作量分项")


class TeamMember(StrictModel):
    name: Text = label("姓名")
    role: Text = label("角色", "例如 项目经理、运维工程师")
    duty: Text = label("职责")
    reports_to: Text = label("汇报对象", "姓名或岗位（§5.4.1 汇报关系）")


class Training(StrictModel):
    topic: Text = label("培训主题")
    date: Date = label("培训日期", "YYYY-MM-DD")
    audience: Text = label("培训对象")


class ReportSchedule(StrictModel):
    name: Text = label("报告名称")
    doc_type: DocType = label("文档类型", "例如 service_report、onsite_report、remote_record")
    frequency: Literal["monthly", "weekly", "quarterly", "per_service"] = label(
        "频次", "monthly | weekly | quarterly | per_service（每次服务一份）")
    recipient: Text = label("接收方")


class Tool(StrictModel):
    name: Text = label("工具/资源名称")
    purpose: Text = label("用途")


class Risk(StrictModel):
    risk: Text = label("风险描述")
    likelihood: Literal["高", "中", "低"] = label("可能性", "高 | 中 | 低")
    impact: Literal["高", "中", "低"] = label("影响程度", "高 | 中 | 低")
    avoidance: Text = label("规避措施")
    mitigation: Text = label("减缓措施")
    contingency: Text = label("应急措施")


class Communication(StrictModel):
    audience: Text = label("沟通对象")
    content: Text = label("沟通内容")
    channel: Text = label("沟通方式")
    frequency: Text = label("频次")
    owner: Text = label("负责人")


class Reviewer(StrictModel):
    name: Text = label("评审人")
    role: Literal["运维部经理", "运维业务线", "质量部"] = label("评审角色", "运维部经理 | 运维业务线 | 质量部（§5.3）")
    conclusion: Literal["通过", "有条件通过", "不通过"] = label("评审结论", "通过 | 有条件通过 | 不通过")
    date: Date = label("评审日期", "YYYY-MM-DD")
    comment: OptText = label("评审意见", "可选", default=None)


class NotifyTarget(StrictModel):
    name: Text = label("通知对象")
    group: Literal["项目组成员", "技术支撑组", "客户接口人"] = label("类别", "项目组成员 | 技术支撑组 | 客户接口人")


class Review(StrictModel):
    reviewers: list[Reviewer] = label("评审人", "§5.3 至少包括运维部经理和质量部", min_length=1, sheet="评审")
    notify: list[NotifyTarget] = label("通知范围", "§5.3 评审通过后通知的人员", min_length=1, sheet="通知范围")


class PlanInput(StrictModel):
    kind: Literal["plan"] = label("输入类型", "固定为 plan")
    project: Project = label("项目信息")
    version: Text = label("计划版本", "例如 V1.0")
    prepared_by: Text = label("编制人")
    prepared_on: Date = label("编制日期", "YYYY-MM-DD")
    change_note: OptText = label("更改记录", "本版本相对上一版的变化，首版可不填（默认 首次发布）", default=None)
    approved_by: OptText = label("批准人", "可选；不填则封面留空待签", default=None)
    approved_on: OptDate = label("批准日期", "可选，YYYY-MM-DD", default=None)
    doc_no: OptText = label("文件编号", "可选；默认按归档库的编号规则，如 <项目编号>-JH", default=None)
    company: Text = label("公司名称", "封面与页眉显示的公司名称", default="云南腾电科技有限公司")
    scope: list[ScopeItem] = label("交付内容", "§5.2.1 交付内容、交付方式、交付成果", min_length=1, sheet="交付内容")
    sla: list[SlaItem] = label("量化考核指标", "§5.2.1 SLA，每项须有 metric/op/target/unit", min_length=1, sheet="SLA")
    workload: Workload = label("工作量", "§5.2.2 工作量预估")
    team: list[TeamMember] = label("项目团队", "§5.2.2 人力资源架构 / §5.4.1 团队职责与汇报关系", min_length=1, sheet="团队")
    training: list[Training] = label("培训计划", "§5.4.1 成员培训计划", default_factory=list, sheet="培训")
    processes: TextList = label("工作流程", "§5.2.3", min_length=1)
    records: TextList = label("关键记录", "§5.2.3", min_length=1)
    reports: list[ReportSchedule] = label("服务报告", "§5.2.3 服务报告计划（服务报告比例的应交付数量）", min_length=1, sheet="服务报告")
    monitoring: TextList = label("监控方式", "§5.2.3", min_length=1)
    tools: list[Tool] = label("工具与资源", "§5.2.4", min_length=1, sheet="工具")
    risks: list[Risk] = label("风险", "§5.2.5 风险及规避、减缓、应急措施", min_length=1, sheet="风险")
    communication: list[Communication] = label("沟通策略", "§5.2.6", min_length=1, sheet="沟通")
    review: Review = label("计划评审", "§5.3 评审与通知")


