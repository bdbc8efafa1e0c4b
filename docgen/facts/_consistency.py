"""A fact an input typed again that its project's plan already states (项目名称, 客户名称, 合同编号, 项目经理,
公司名称), typed differently: the pipeline warns with plan_mismatch() when it generates the document, and the
warning is archived with it; the audit finds those documents again with plan_mismatches(). One wording, one
pattern, here."""
from __future__ import annotations

import re

_MISMATCH = re.compile(r"^(?P<field>[a-z_.]+)：(?P<label>[^ “]+) “(?P<given>.*)” 与已归档计划中的 “(?P<planned>.*)” 不一致")


def plan_mismatch(field: str, label: str, given: str, planned: str, *, fix: str = "") -> str:
    """The warning for `field` typed as `given` where the plan says `planned`; `fix`: how to follow the plan
    (default: type the plan's value)."""
    return (f"{field}：{label} “{given}” 与已归档计划中的 “{planned}” 不一致，文档印的是输入中的；"
            f"请核对（{fix or f'以计划为准时改为 “{planned}”'}）")


def plan_mismatches(warnings: list[str] | tuple[str, ...]) -> list[dict[str, str]]:
    """The plan_mismatch() warnings among a document's archived warnings: field, label, given, planned."""
    return [m.groupdict() for w in warnings if (m := _MISMATCH.match(w))]
