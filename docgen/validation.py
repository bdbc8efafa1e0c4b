"""Turns pydantic's validation errors into Chinese issues with field paths and fix hints (for every
input model: the kinds' inputs and the indicator file)."""
from __future__ import annotations

import difflib
import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from docgen.errors import Issue


def format_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model class inside list[X], X | None, Annotated[X, ...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = inner_model(arg)
        if found is not None:
            return found
    return None


def model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that owns the last key of loc (None when loc leaves the models)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = inner_model(info.annotation)
    return current


def field_info(model: type[BaseModel], loc: tuple[Any, ...]) -> FieldInfo | None:
    """The pydantic field the last key of loc names (None outside the models)."""
    last_key = max((i for i, p in enumerate(loc) if not isinstance(p, int)), default=None)
    if last_key is None:
        return None
    owner = model_at(model, tuple(loc[:last_key]))
    return owner.model_fields.get(loc[last_key]) if owner else None


def field_title(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    info = field_info(model, loc)
    return (info.title or "") if info else ""


def _clause(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """The regulation clause a field stands for (its description starts with §…), for messages."""
    info = field_info(model, loc)
    desc = (info.description or "") if info else ""
    return f"（{desc}）" if desc.startswith("§") else ""


def _did_you_mean(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    owner = model_at(model, loc[:-1])
    if owner is None:
        return ""
    key = str(loc[-1])
    close = difflib.get_close_matches(key, list(owner.model_fields), n=1, cutoff=0.6)
    if close:
        return f"，是否为 {close[0]}?"
    return "，可用字段：" + "、".join(owner.model_fields)


def _message(model: type[BaseModel], err: dict[str, Any]) -> str:
    loc = tuple(err["loc"])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    title = field_title(model, loc)
    named = f"{title}（{loc[-1]}）" if title and loc else (str(loc[-1]) if loc else "")
    if kind == "extra_forbidden":
        return f"未知字段 {format_path(loc)}{_did_you_mean(model, loc)}（请检查拼写或删除该字段）"
    if kind == "missing":
        return f"缺少必填字段 {named}{_clause(model, loc)}，请补上"
    if kind == "value_error":
        detail = str(ctx.get("error", err["msg"]))
        return detail if title and detail.startswith(title) else f"{named}：{detail}"
    if kind == "assertion_error":
        return f"{named}：{err['msg']}"
    if kind == "literal_error":
        expected = ctx.get("expected", "").replace("'", "")
        return f"{named} 的值 “{err.get('input')}” 不在允许范围内，应为：{expected.replace(' or ', ', ')}"
    if kind in ("too_short",):
        return f"{named} 不能为空，至少填写 {ctx.get('min_length', 1)} 项{_clause(model, loc)}"
    if kind in ("string_type",):
        return f"{named} 应为文字，实际为 {type(err.get('input')).__name__}"
    if kind in ("list_type",):
        return f"{named} 应为列表（YAML 中每项以 “- ” 开头）"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{named} 应为一组字段（键: 值），实际为 “{err.get('input')}”"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{named} 应为整数，实际为 “{err.get('input')}”"
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return f"{named} 应为数字，实际为 “{err.get('input')}”"
    if kind in ("bool_parsing", "bool_type"):
        return f"{named} 应为 true 或 false，实际为 “{err.get('input')}”"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(ctx.values()), "")
        word = {"greater_than": "大于", "greater_than_equal": "不小于",
                "less_than": "小于", "less_than_equal": "不大于"}[kind]
        return f"{named} 应{word} {bound}，实际为 {err.get('input')}"
    if kind == "string_pattern_mismatch":
        return f"{named} 格式不对（应匹配 {ctx.get('pattern')}），实际为 “{err.get('input')}”"
    return f"{named}：{err['msg']}"


def issues_from_validation(model: type[BaseModel], exc: ValidationError) -> list[Issue]:
    issues = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        issues.append(Issue("error", format_path(loc), _message(model, err)))
    return issues


_FIELD_PATH_RE = re.compile(r"(?<![A-Za-z0-9_.\[])([a-z][a-z0-9_]*(?:\[\d+\])?(?:\.[a-z][a-z0-9_]*(?:\[\d+\])?)*)(?![A-Za-z0-9_])")


def _path_loc(path: str) -> tuple[Any, ...]:
    loc: list[Any] = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        loc.append(name)
        if rest:
            loc.append(int(rest.rstrip("]")))
    return tuple(loc)


def field_words(model: type[BaseModel], path: str) -> str | None:
    """A field path as a reader says it: leftover_issues[0].due → 遗留问题第1项的计划完成日期 (None when the
    path names no field of the model)."""
    loc = _path_loc(path)
    words: list[str] = []
    for n, part in enumerate(loc):
        if isinstance(part, int):
            if words:
                words[-1] += f"第{part + 1}项"
            continue
        title = field_title(model, loc[: n + 1])
        if not title:
            return None
        words.append(title)
    return "的".join(words) if words else None


def plain_text(model: type[BaseModel] | None, text: str) -> str:
    """A message as a document prints it: every input field path the message names (the PM's instructions,
    e.g. “请填写 incident.level”) in the field's Chinese words instead (“请填写 事件信息的事件级别”)."""
    if model is None:
        return text

    def words(match: re.Match[str]) -> str:
        found = field_words(model, match.group(1))
        return f"“{found}”" if found else match.group(1)

    return _FIELD_PATH_RE.sub(words, text)
