"""`docgen init KIND`: a blank YAML input with a Chinese comment on every field, made from the model."""
from __future__ import annotations

import typing
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from docgen.validation import inner_model


def _literal_options(annotation: Any) -> list[str] | None:
    if typing.get_origin(annotation) is Literal:
        return [str(a) for a in typing.get_args(annotation)]
    for arg in typing.get_args(annotation):
        found = _literal_options(arg)
        if found:
            return found
    return None


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return any(_is_list(a) for a in typing.get_args(annotation) if a is not type(None))


def _comment(info: FieldInfo) -> str:
    text = info.title or ""
    if info.description:
        text += f"：{info.description}"
    if info.is_required():
        text += "（必填）"
    else:
        text += "（可选）"
    return text


def _yaml_scalar(value: Any) -> str:
    import yaml

    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True).strip().removesuffix("...").strip()


def _lines(model: type[BaseModel], indent: int, first_prefix: str = "") -> list[tuple[str, str]]:
    """(yaml text, comment) pairs; first_prefix is "- " for the first key of a list item."""
    out: list[tuple[str, str]] = []
    for n, (field_name, info) in enumerate(model.model_fields.items()):
        name = info.alias or field_name  # the key as the input writes it (e.g. `from`, a Python keyword)
        pad = " " * indent
        lead = pad[:-2] + first_prefix if (n == 0 and first_prefix) else pad
        annotation = info.annotation
        inner = inner_model(annotation)
        if inner is not None and _is_list(annotation):
            out.append((f"{lead}{name}:", _comment(info)))
            out.extend(_lines(inner, indent + 4, "- "))
        elif inner is not None:
            out.append((f"{lead}{name}:", _comment(info)))
            out.extend(_lines(inner, indent + 2))
        elif _is_list(annotation):
            out.append((f"{lead}{name}: []", _comment(info) + " 列表，例如 [甲, 乙]"))
        else:
            options = _literal_options(annotation)
            value = ""
            if not info.is_required() and info.default is not None:
                value = " " + _yaml_scalar(info.default)
            elif options and len(options) == 1:
                value = " " + options[0]
            comment = _comment(info)
            if options and len(options) > 1 and "|" not in (info.description or ""):
                comment += " 可选：" + " | ".join(options)
            out.append((f"{lead}{name}:{value}", comment))
    return out


def scaffold_yaml(model: type[BaseModel], *, title: str) -> str:
    """A blank input: every field present with an empty value and its Chinese meaning as a comment."""
    lines = _lines(model, 0)
    width = min(max(len(text) for text, _ in lines) + 2, 48)
    body = "\n".join(f"{text.ljust(width)}# {comment}" for text, comment in lines)
    header = (f"# {title} 录入文件 —— 按注释填写每个字段（空白即未填写），列表可增加多项\n"
              "# 日期写 YYYY-MM-DD，时间写 YYYY-MM-DD HH:MM；填好后运行：docgen validate 本文件\n")
    return header + body + "\n"
