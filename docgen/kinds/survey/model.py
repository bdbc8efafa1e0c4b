"""The 需方满意度调查 input (kind: survey), field by field as examples/survey.yaml shows it.

A response carries one key per question id, so the questions decide its keys: `responses` is a
list of free-keyed dicts here (the 录入表 gives them a sheet whose headers are the keys), and
`parse_responses` checks each against the questions (unknown keys, scores, missing scores)."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ValidationError

from docgen.errors import Issue
from docgen.fields import (
    PERIOD_RE,
    Approval,
    Date,
    OptDate,
    OptText,
    ProjectCode,
    StrictModel,
    Text,
    label,
    to_text,
)
from docgen.validation import issues_from_validation

QUESTION_ID_RE = re.compile(r"[a-z0-9_]+")
SCORES = (1, 2, 3, 4, 5)


def _check_survey_period(value: str) -> str:
    if re.fullmatch(r"\d{4}-W\d{2}", value):
        raise ValueError(f"调查期间 “{value}” 是一个 ISO 周；满意度调查按月（YYYY-MM）、季度（YYYY-Qn）或年（YYYY）"
                         "进行，请改为例如 2025-03")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"调查期间 “{value}” 是一天；满意度调查按月（YYYY-MM）、季度（YYYY-Qn）或年（YYYY）"
                         f"进行，请改为例如 {value[:7]}")
    if not PERIOD_RE.fullmatch(value):
        raise ValueError(f"调查期间 “{value}” 格式不对，应为 YYYY-MM、YYYY-Qn 或 YYYY，例如 2025-03")
    return value


def _check_question_id(value: str) -> str:
    if not QUESTION_ID_RE.fullmatch(value):
        raise ValueError(f"问题编号 “{value}” 不合法：只能用小写字母、数字和下划线，例如 q1")
    if value in RESPONSE_FIELDS:
        raise ValueError(f"问题编号不能用 {value}：respondent、date、comment 是回答中的固定字段，请改为例如 q1")
    return value


SurveyPeriod = Annotated[str, BeforeValidator(to_text), AfterValidator(_check_survey_period)]
QuestionId = Annotated[str, BeforeValidator(to_text), AfterValidator(_check_question_id)]


class Project(StrictModel):
    code: ProjectCode = label("项目编号", "字母、数字、- 或 _，用作归档目录名，例如 YNTD-YW-2025-001")
    name: OptText = label("项目名称", "可选；不填则用该项目运维项目管理计划中的项目名称", default=None)
    customer: OptText = label("客户名称", "可选；不填则用该项目运维项目管理计划中的客户名称", default=None)


class Question(StrictModel):
    id: QuestionId = label("问题编号", "小写字母、数字或 _，例如 q1；回答中以它为键（列名）填写分数")
    text: Text = label("问题", "例如 响应及时性")


class Followup(StrictModel):
    question: Text = label("问题编号", "低分所在问题的编号，例如 q4")
    respondent: Text = label("受访人", "给出低分的受访人，与 responses 中的 respondent 一致")
    confirmed: Text = label("确认的不满意内容", "§5.4.5 与需方确认的不满意的具体内容")
    action: Text = label("改进措施", "§5.4.5 提出并实施的改善意见")
    owner: Text = label("责任人")
    due: Date = label("完成日期", "YYYY-MM-DD")
    status: OptText = label("跟踪情况", "可选，例如 进行中；填了实际完成日期 done_on 时显示 已完成，都不填显示 待跟踪",
                            default=None)
    done_on: OptDate = label("实际完成日期", "改进完成的日期 YYYY-MM-DD；不填表示尚未完成", default=None)
    result: OptText = label("完成情况", "改进的结果及需方的确认，例如 月报已于每月3日前提交，客户确认", default=None)

    def status_text(self) -> str:
        """已完成（日期） once done_on is given, else the status written, else 待跟踪."""
        return f"已完成（{self.done_on}）" if self.done_on else (self.status or "待跟踪")


class ResponseFields(StrictModel):
    """The fixed keys of one response; the other keys are question ids with scores."""

    respondent: Text = label("受访人")
    date: Date = label("回答日期", "YYYY-MM-DD")
    comment: OptText = label("意见与建议", "可选", default=None)


RESPONSE_FIELDS = tuple(ResponseFields.model_fields)


class SurveyInput(StrictModel):
    kind: Literal["survey"] = label("输入类型", "固定为 survey")
    project: Project = label("项目信息")
    period: SurveyPeriod = label("调查期间", "YYYY-MM、YYYY-Qn 或 YYYY（满意度调查不按周）")
    surveyed_by: Text = label("调查人", "开展调查的服务台人员，例如 服务台 刘敏")
    questions: list[Question] = label("问卷问题", "每题按 1–5 分评分", min_length=1, sheet="问题")
    responses: list[dict[str, Any]] = label(
        "回答", "每份问卷一项（录入表中一行，第一行表头写键名）：respondent 受访人、date 回答日期、comment 意见与建议"
        "（可选），每道题以问题编号为键、1–5 的整数为分数，例如 {respondent: 陈主任, date: 2025-03-28, q1: 5, q2: 4}",
        min_length=1, sheet="回答", columns=ResponseFields)
    low_score_threshold: int = label("低分阈值", "评分 ≤ 此值为低分项，须确认并跟踪改进（§5.4.5）",
                                     default=3, ge=1, le=5)
    followups: list[Followup] = label("低分项确认与改进", "§5.4.5 每个低分项一行：与需方确认的不满意内容、改进措施、"
                                      "责任人、完成日期", default_factory=list, sheet="改进跟踪")
    company: Text = label("公司名称", "页眉显示的公司名称；不填则用项目计划中的公司名称（计划未归档时为 云南腾电科技有限公司）",
                          default="云南腾电科技有限公司")
    doc_no: OptText = label("文件编号", "可选；默认按归档库的编号规则，如 <项目编号>-MYD-<调查期间>", default=None)
    approval: Approval = label("审核与批准", "可选：审核人、批准人及日期；不填的姓名取自计划，日期打印后手签", default_factory=Approval)


# ---------------------------------------------------------------- responses, checked against the questions
@dataclass(frozen=True)
class Response:
    """One response after checking: its position in the input, fixed fields and its valid scores
    by question id (all questions once the input passed the rules)."""

    index: int
    respondent: str
    date: date
    comment: str | None
    scores: dict[str, int]

    @property
    def path(self) -> str:
        return f"responses[{self.index}]"


def _score(value: Any) -> int | None:
    """An integer score 1–5 (Excel may hand over 5.0 or the text "5"); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        value = int(value)
    return value if isinstance(value, int) and value in SCORES else None


# what people type instead of the keys (e.g. as 录入表 column headers)
_CHINESE_KEYS = {"受访人": "respondent", "回答日期": "date", "日期": "date", "意见": "comment", "意见与建议": "comment"}


def _unknown_key(path: str, key: str, ids: list[str]) -> Issue:
    listed = "、".join(ids)
    if key in _CHINESE_KEYS:
        return Issue("error", f"{path}.{key}", f"未知字段 {key}：回答的键（录入表“回答”的列名）应写 {_CHINESE_KEYS[key]}，"
                                                f"而不是中文名称（固定键 respondent、date、comment，其余为问题编号 {listed}）")
    close = difflib.get_close_matches(key, list(RESPONSE_FIELDS), n=1, cutoff=0.6)
    if close:
        return Issue("error", f"{path}.{key}", f"未知字段 {path}.{key}，是否为 {close[0]}?（回答中只能有 "
                                                f"respondent、date、comment 和问题编号 {listed}）")
    close = difflib.get_close_matches(key, ids, n=1, cutoff=0.6)
    hint = f"，是否为 {close[0]}?" if close and key.lower() != close[0] else ""
    if close and key.lower() == close[0]:
        hint = f"，问题编号区分大小写，应为 {close[0]}"
    return Issue("error", f"{path}.{key}", f"未知问题编号 {key}，问卷中只有 {listed}{hint}")


def parse_responses(survey: SurveyInput) -> tuple[list[Response], list[Issue]]:
    """Each response checked against the questions: fixed fields typed, every key other than
    respondent/date/comment a question id, every question scored with an integer 1–5. Returns the
    responses whose fixed fields are valid (with their valid scores) and the problems found."""
    texts = {q.id: q.text for q in survey.questions}
    ids = list(texts)
    parsed: list[Response] = []
    issues: list[Issue] = []
    for i, raw in enumerate(survey.responses):
        path = f"responses[{i}]"
        fixed = {k: v for k, v in raw.items() if k in RESPONSE_FIELDS}
        scores: dict[str, int] = {}
        for key, value in raw.items():
            key = str(key)
            if key in RESPONSE_FIELDS:
                continue
            if key not in texts:
                issues.append(_unknown_key(path, key, ids))
                continue
            score = _score(value)
            if score is None:
                shown = f"“{value}”" if isinstance(value, str) else f"{value}"
                issues.append(Issue("error", f"{path}.{key}", f"{key}（{texts[key]}）的分数应为 1–5 的整数，实际为 {shown}"))
            else:
                scores[key] = score
        for qid in ids:
            if qid not in raw:
                issues.append(Issue("error", f"{path}.{qid}", f"缺少 {qid}（{texts[qid]}）的分数；每道题都要有分数"
                                                              "（1–5 的整数），请补上"))
        try:
            fields = ResponseFields.model_validate(fixed)
        except ValidationError as exc:
            issues.extend(Issue(x.level, f"{path}.{x.path}", x.message)
                          for x in issues_from_validation(ResponseFields, exc))
            continue
        parsed.append(Response(i, fields.respondent, fields.date, fields.comment,
                               {qid: scores[qid] for qid in ids if qid in scores}))
    return parsed, issues
