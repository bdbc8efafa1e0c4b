"""A picture in a template context: PNG bytes plus the width to show them at. The context stays
plain data (hashable into a digest, JSON-able through str()); render_docx turns each Picture into a
docxtpl InlineImage right before rendering, because an InlineImage needs the template instance."""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Picture:
    """PNG bytes shown `width_mm` wide (height follows the aspect ratio)."""

    png: bytes = field(repr=False)
    width_mm: float

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.png).hexdigest()

    def __str__(self) -> str:
        # pipeline.context_digest serialises unknown objects with str(): the same picture at the
        # same size gives the same digest, a changed chart a different one
        return f"picture:sha256={self.sha256};width_mm={self.width_mm:g}"


def with_inline_images(value: Any, tpl: Any) -> Any:
    """A copy of a context in which every Picture (at any depth of dicts, lists and tuples) is a
    docxtpl InlineImage bound to `tpl`; everything else is returned as is."""
    if isinstance(value, Picture):
        from docx.shared import Mm
        from docxtpl import InlineImage

        return InlineImage(tpl, io.BytesIO(value.png), width=Mm(value.width_mm))
    if isinstance(value, dict):
        return {k: with_inline_images(v, tpl) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(with_inline_images(v, tpl) for v in value)
    return value
