"""The built-in document types (the README lists them), with their Chinese titles."""
from __future__ import annotations

import difflib

DOC_TYPES: dict[str, str] = {
    "plan": "运维项目管理计划",
    "onsite_form": "现场服务单",
    "onsite_report": "现场服务报告单",
    "leftover_confirmation": "遗留问题确认单",
    "remote_record": "远程服务记录",
    "service_report": "运维服务报告",
    "survey_report": "需方满意度调查和分析报告",
    "status_record": "运行状态信息记录",
    "anomaly_record": "运行状态异常处理记录",
    "trend_analysis": "趋势分析及可能的风险消除建议",
    "config_record": "运行维护服务对象配置信息记录",
    "response_record": "响应支持记录",
    "response_kpi": "响应支持关键指标数据记录",
    "major_incident_report": "重大事件(故障)的分析改进报告",
    "config_update": "运行维护服务对象配置信息更新记录",
    "optimization_plan": "优化改善方案及相关评审记录",
    "implementation_plan": "优化改善实施方案及相关评审记录",
    "change_release_report": "优化改善实施的变更和发布报告",
    "assessment_plan": "调研评估计划书",
    "assessment_report": "调研评估分析报告",
    "assessment_recommendation": "调研评估的规划方案或建议及评审记录",
    "pack_manifest": "交付清单",
    "acceptance_report": "项目验收报告",
    "kpi_report": "月度KPI统计表",
    "audit_report": "项目交付审计报告",
}

# §5.4.7's four service types, the delivery content a plan schedules (§5.2.1) and the packs that deliver it
SERVICE_TYPES = {"routine": "例行操作", "emergency": "应急响应", "optimization": "优化改善", "assessment": "调研评估"}

# §5.3: the plan is reviewed by 运维部经理、运维业务线及质量部 and, once passed, notified to 项目组成员、技术支撑组、
# 客户接口人 (the regulation's own words; plan rules and the audit both check them)
PLAN_REVIEWER_ROLES = ("运维部经理", "运维业务线", "质量部")
NOTIFY_GROUPS = ("项目组成员", "技术支撑组", "客户接口人")

# the service forms of §5.4.2 (现场服务 / 远程服务): each printed copy carries the blank form's own 表单编号 and
# 版本 beside the record's 文件编号; their signature rows (工程师, 审核人, 客户) are the form's sign-off
FORM_TYPES = ("onsite_form", "onsite_report", "leftover_confirmation", "remote_record")

# documents computed from the archive (docgen kpi / docgen audit), not deliverables: the acceptance report does
# not list them, the audit's integrity count leaves them out (each run archives a new one)
COMPUTED_DOC_TYPES = ("kpi_report", "audit_report")

# doc types that a per_service report schedule can count (docs/archive.md "Report counting")
PER_SERVICE_DOC_TYPES = {"onsite_report": "onsite", "remote_record": "remote"}


def doc_type_title(doc_type: str) -> str:
    return DOC_TYPES.get(doc_type, doc_type)


# a Chinese input method types full-width brackets; the table's names use the half-width ones
_NAME_FOLD = str.maketrans({"（": "(", "）": ")"})


def _fold(text: str) -> str:
    return "".join(text.split()).translate(_NAME_FOLD)


_BY_NAME = {_fold(name): code for code, name in DOC_TYPES.items()}


def resolve_doc_type(text: str) -> str | None:
    """The built-in doc type a command line names, by its code (`plan`) or its exact Chinese name
    (`运维项目管理计划`; spaces and full-width brackets ignored); None for anything else."""
    text = text.strip()
    if text in DOC_TYPES:
        return text
    return _BY_NAME.get(_fold(text))


def close_doc_types(text: str, extra: tuple[str, ...] | list[str] = (), *, limit: int = 5) -> list[str]:
    """Suggestions for a doc type nobody has, best first, each written `code（中文名）` (custom codes
    in `extra`, such as those found in an archive, as they are): names and codes that contain the text
    (`服务报告` → 运维服务报告) or a name it contains, else difflib's close codes and names."""
    text = _fold(text)
    if not text:
        return []
    codes = list(DOC_TYPES) + [c for c in extra if c not in DOC_TYPES]
    found = [code for name, code in _BY_NAME.items() if text in name or name in text]
    found += [code for code in codes if text in code]
    if not found:
        found = [_BY_NAME.get(m, m) for m in difflib.get_close_matches(text, [*_BY_NAME, *codes], n=limit, cutoff=0.5)]
    unique = list(dict.fromkeys(found))[:limit]
    return [f"{code}（{DOC_TYPES[code]}）" if code in DOC_TYPES else code for code in unique]


# what a service record is (#13): 故障 (the default, so inputs without a category keep their meaning), 服务请求,
# 变更, 巡检, 咨询. Requests and changes the customer schedules are measured from the time the customer asked
# for; a plan SLA entry covers the categories it names, by default only 故障.
RECORD_CATEGORIES = ("故障", "服务请求", "变更", "巡检", "咨询")
INCIDENT = "故障"
SCHEDULED_CATEGORIES = ("服务请求", "变更")
DEFAULT_SLA_CATEGORIES = (INCIDENT,)
# GB/T 28827.3 事件级别, lowest first; 重大 and above owe a 重大事件(故障)的分析改进报告
INCIDENT_LEVELS = ("一般", "较大", "重大", "特别重大")
MAJOR_LEVELS = ("重大", "特别重大")
