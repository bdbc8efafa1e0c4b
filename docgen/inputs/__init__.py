"""Input files: reading YAML/JSON/Excel 录入表 into dicts, and blank inputs for `docgen init`."""
from __future__ import annotations

from pathlib import Path

from docgen.errors import InputError
from docgen.inputs._folder import (
    TEMPORARY_NAMES,
    InputSelection,
    Skipped,
    expand_inputs,
    temporary_name,
)
from docgen.inputs._load import RawInput, parse_yaml, read_input


def blank_input(kind: str, *, xlsx: bool) -> bytes:
    """The blank YAML (Chinese comment per field) or Excel 录入表 for a kind."""
    from docgen.kinds import get_kind

    spec = get_kind(kind)
    if xlsx:
        from docgen.inputs._xlsx import write_form

        return write_form(spec.model, kind=kind, title=f"{spec.title}录入表")
    from docgen.inputs._scaffold import scaffold_yaml

    return scaffold_yaml(spec.model, title=spec.title).encode("utf-8")


def write_blank_input(kind: str, path: Path, *, xlsx: bool, overwrite: bool = False) -> Path:
    from docgen.archive import write_atomic

    if path.exists() and not overwrite:
        raise InputError("文件已存在，未覆盖；请用 -o 指定其他文件名，或加 --force 覆盖", file=path)
    if xlsx and path.suffix.lower() != ".xlsx":
        raise InputError("Excel 录入表的文件名应以 .xlsx 结尾", file=path)
    write_atomic(path, blank_input(kind, xlsx=xlsx))
    return path


def check_workbook(raw: bytes, path: Path) -> None:
    """A workbook's size, dimensions and unpacked size against the input limits (InputError naming the file)."""
    from docgen.inputs._limits import check_size, check_xlsx

    check_size(len(raw), path)
    check_xlsx(raw, path)


def form_kind(path: Path) -> str | None:
    """The `kind` an Excel 录入表 declares (None: the workbook is not a 录入表)."""
    from docgen.inputs._xlsx import form_kind as kind_of_form

    return kind_of_form(path)


__all__ = ["TEMPORARY_NAMES", "InputSelection", "RawInput", "Skipped", "blank_input", "check_workbook",
           "expand_inputs", "form_kind",
           "parse_yaml", "read_input", "temporary_name", "write_blank_input"]
