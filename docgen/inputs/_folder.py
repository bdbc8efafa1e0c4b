"""Folders given where input files are expected (`docgen generate DIR`, `docgen validate DIR`): the input
files a folder holds, and each file it passed over with the reason, so nothing is left out silently."""
from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from docgen.errors import BadArgument, DocgenError
from docgen.inputs._load import SUFFIX_TEXT, SUFFIXES, YAML_SUFFIXES, read_input

# editors' lock and owner files, partial downloads and system files; never someone's input
TEMPORARY_NAMES = ("~$*", ".~lock.*#", "*.tmp", "*.temp", "*.part", "*.partial", "*.crdownload", "*.download",
                   "*.swp", "*~", "Thumbs.db", "desktop.ini", "ehthumbs.db")


def temporary_name(name: str) -> bool:
    """A lock, temp or system file by its name (`~$计划.xlsx` while Excel has 计划.xlsx open)."""
    return any(fnmatch.fnmatch(name.lower(), pattern.lower()) for pattern in TEMPORARY_NAMES)


@dataclass(frozen=True)
class Skipped:
    """A file or folder inside a given folder that is not taken as an input, and why."""

    path: Path
    reason: str

    def text(self) -> str:
        return f"{self.path}：{self.reason}"


@dataclass
class InputSelection:
    """The input files to process, in the order given (a folder's files by name), and what was skipped."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _skip_reason(path: Path) -> str | None:
    """Why an entry of a given folder is not an input; None when it is one (or claims to be one but cannot
    be read: reading it reports what is wrong, rather than the file being passed over)."""
    name = path.name
    if name.startswith("."):
        return "隐藏目录" if path.is_dir() else "隐藏文件"
    if path.is_dir():
        return f"子目录不展开；要处理其中的输入文件，请把它也写在命令行上（如 {path}）"
    if temporary_name(name):
        return "临时文件或锁文件（如 Excel 打开文件时产生的 ~$ 文件）"
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        return f"不是输入文件（扩展名 {path.suffix or '（无）'}；输入文件为 {SUFFIX_TEXT}）"
    try:
        if suffix == ".xlsx":
            from docgen.inputs._xlsx import form_kind

            if not form_kind(path):
                return "不是 docgen 录入表（没有 kind）；录入表请用 docgen init KIND --xlsx 生成"
            return None
        kind = read_input(path).kind
    except DocgenError:
        return None
    if not kind:
        kind_line = "第一行" if suffix in YAML_SUFFIXES else "顶层"
        return f"没有 kind 字段，不是 docgen 输入文件（输入文件在{kind_line}写明 kind，如 kind: plan）"
    return None


def _folder_entries(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as it:
            return sorted(Path(e.path) for e in it)
    except OSError as exc:
        raise BadArgument(f"无法读取目录（{exc.strerror}）；请检查路径和权限", file=folder) from None


def expand_inputs(paths: Iterable[str | Path]) -> InputSelection:
    """The input files named by `paths`: a file stays as given (reading it reports what is wrong with it);
    a folder gives the input files directly in it, by name — hidden, temporary and other files, files
    without a `kind` and subfolders (unless named too) are skipped, each with its reason. A file given
    twice is taken once. BadArgument for a folder without any input file."""
    given = [Path(p) for p in paths]
    given_folders = {p.resolve() for p in given if p.is_dir()}
    selection = InputSelection()
    seen: set[Path] = set()

    def take(path: Path) -> None:
        key = path.resolve() if path.exists() else path.absolute()
        if key in seen:
            selection.skipped.append(Skipped(path, "重复：同一文件已在前面给出，只处理一次"))
            return
        seen.add(key)
        selection.files.append(path)

    for path in given:
        if not path.is_dir():
            take(path)
            continue
        found = 0
        passed_over = []
        for entry in _folder_entries(path):
            if entry.is_dir() and entry.resolve() in given_folders:
                continue  # named on the command line as well: it is expanded there
            reason = _skip_reason(entry)
            if reason is None:
                found += 1
                take(entry)
            else:
                passed_over.append(Skipped(entry, reason))
                selection.skipped.append(passed_over[-1])
        if not found:
            listed = "".join(f"\n  - {s.text()}" for s in passed_over)
            raise BadArgument(f"目录中没有输入文件（{SUFFIX_TEXT}）{'；跳过了：' if listed else '，目录是空的'}{listed}",
                              file=path)
    return selection
