"""Field types shared by every input model (the kinds' inputs and the indicator file): strict models,
Chinese-labelled text, dates, times, periods and project codes, with the input parsing rules."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

PROJECT_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
PERIOD_RE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])|-W(0[1-9]|[1-4]\d|5[0-3])|-Q[1-4])?")
DOC_TYPE_RE = re.compile(r"[a-z][a-z_]*")
# XML 1.0 forbids these; a stray one would make Word refuse the whole file
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class StrictModel(BaseModel):
    """Unknown keys are errors (typos must be caught), values are not silently coerced to
    other structures, and field titles carry the Chinese label used in messages and forms."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False)


def to_text(value: Any) -> Any:
    # YAML and Excel hand over numbers for fields such as contract numbers or versions;
    # text fields keep them as typed, never as floats like "2025.0".
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, str):
        return _CONTROL_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return value


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("不能为空，请填写内容")
    return value


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


Text = Annotated[str, BeforeValidator(to_text), AfterValidator(_not_blank)]
"""Free text: any Unicode, kept literally (formulas and template tags included), never blank."""

OptText = Annotated[str | None, BeforeValidator(_blank_to_none), BeforeValidator(to_text)]


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise ValueError("应为日期 YYYY-MM-DD，不应带时间")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"日期 {text} 不存在，请检查月份和日") from None
        raise ValueError(f"日期格式应为 YYYY-MM-DD（例如 2025-01-07），实际为 “{text}”")
    raise ValueError("应为日期 YYYY-MM-DD（例如 2025-01-07）")


def parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        raise ValueError("应为时间 YYYY-MM-DD HH:MM（缺少时分）")
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?", text):
            try:
                return datetime.fromisoformat(text.replace("T", " "))
            except ValueError:
                raise ValueError(f"时间 {text} 不存在，请检查日期和时分") from None
        raise ValueError(f"时间格式应为 YYYY-MM-DD HH:MM（例如 2025-03-02 09:30），实际为 “{text}”")
    raise ValueError("应为时间 YYYY-MM-DD HH:MM（例如 2025-03-02 09:30）")


def _check_project_code(value: str) -> str:
    if not PROJECT_CODE_RE.fullmatch(value):
        raise ValueError(
            f"项目编号 “{value}” 不合法：只能用字母、数字、- 和 _，以字母或数字开头，最长 64 个字符"
            "（它是归档目录名，不能含 / 、.. 或空格）"
        )
    return value


def _check_period(value: str) -> str:
    if not PERIOD_RE.fullmatch(value):
        raise ValueError(
            f"期间 “{value}” 格式不对，应为 YYYY-MM、YYYY-Www（ISO 周）、YYYY-Qn 或 YYYY，例如 2025-03"
        )
    return value


def _check_doc_type(value: str) -> str:
    if not DOC_TYPE_RE.fullmatch(value):
        raise ValueError(f"文档类型 “{value}” 不合法：只能用小写字母和下划线，例如 service_report")
    return value


Date = Annotated[date, BeforeValidator(parse_date)]
DateTime = Annotated[datetime, BeforeValidator(parse_datetime)]
OptDate = Annotated[date | None, BeforeValidator(lambda v: None if v in (None, "") else parse_date(v))]
ProjectCode = Annotated[str, BeforeValidator(to_text), AfterValidator(_not_blank),
                        AfterValidator(_check_project_code)]
Period = Annotated[str, BeforeValidator(to_text), AfterValidator(_check_period)]
DocType = Annotated[str, BeforeValidator(to_text), AfterValidator(_check_doc_type)]
TextList = Annotated[list[Text], BeforeValidator(lambda v: split_list_cell(v))]


def split_list_cell(value: Any) -> Any:
    """A list of plain values may arrive as one Excel cell: items separated by ； ; or line breaks."""
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[；;\n]", value) if part.strip()]
    if value is None:
        return []
    return value


def label(title: str, description: str = "", *, sheet: str | None = None,
          parent_key: str | None = None, columns: Any = None, **extra: Any) -> Any:
    """A field with its Chinese label (messages, forms) and the comment shown in blank inputs.
    `sheet` names the 录入表 sheet of a list of objects; `parent_key` is the item field that links
    a nested list's rows to their parent row (default: the parent's first field); `columns` is a
    model whose fields are the fixed columns of a list of free-keyed dicts (e.g. survey responses)."""
    form = {k: v for k, v in (("sheet", sheet), ("parent_key", parent_key), ("columns", columns)) if v}
    return Field(title=title, description=description or None,
                 json_schema_extra=form or None, **extra)


class Approval(StrictModel):
    """审核 and 批准 of a report or pack document (docgen.control); what is left out is taken from the plan
    (names) or signed by hand (dates)."""

    reviewed_by: OptText = label("审核人", "可选；默认为计划评审中的运维部经理", default=None)
    reviewed_on: OptDate = label("审核日期", "可选，YYYY-MM-DD；不填则打印后手签", default=None)
    approved_by: OptText = label("批准人", "可选；默认为计划的批准人", default=None)
    approved_on: OptDate = label("批准日期", "可选，YYYY-MM-DD；不填则打印后手签", default=None)

    def issues(self, path: str, prepared_on: date | None) -> list[tuple[str, str, str]]:
        """(level, field path, message) for a date without its person, or a sign-off before the document
        was prepared."""
        found = []
        for who, when, role in (("reviewed_by", "reviewed_on", "审核"), ("approved_by", "approved_on", "批准")):
            day = getattr(self, when)
            if day is not None and not getattr(self, who):
                found.append(("error", f"{path}.{who}", f"填写了{role}日期 {path}.{when} 但没有{role}人，请补上{role}人"))
            if day is not None and prepared_on is not None and day < prepared_on:
                found.append(("warning", f"{path}.{when}", f"{role}日期 {day} 早于编制日期 {prepared_on}；请核对"))
        return found
