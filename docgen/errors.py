"""Domain exceptions. Each carries a Chinese message that names the file and the field path
(or sheet!cell) and says how to fix it; only the CLI turns them into exit codes."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Issue:
    """One finding about an input: an error refuses the file, a warning is rendered and reported."""

    level: str  # "error" | "warning"
    path: str  # field path such as risks[2].contingency ("" for the whole file)
    message: str  # Chinese, says what is wrong and how to fix it
    cell: str | None = None  # sheet!cell when the input is an Excel 录入表

    def where(self) -> str:
        if self.cell and self.path:
            return f"{self.cell}（{self.path}）"
        return self.cell or self.path

    def text(self) -> str:
        where = self.where()
        return f"{where}：{self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {"level": self.level, "path": self.path, "cell": self.cell, "message": self.message}


class DocgenError(Exception):
    """Base of every error a user can cause; str() is the Chinese message shown to the user."""

    def __init__(self, message: str, *, file: str | Path | None = None) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.file}：{self.message}" if self.file else self.message


class InputError(DocgenError):
    """An input file cannot be read (missing, wrong format, broken YAML/JSON/xlsx)."""


class ValidationFailed(DocgenError):
    """An input file was read but breaks the model or the regulation; carries every error at once."""

    def __init__(self, file: str | Path, issues: list[Issue]) -> None:
        self.issues = issues
        errors = [i for i in issues if i.level == "error"]
        lines = [f"{file}：发现 {len(errors)} 处错误，请逐条修改后重试："]
        lines += [f"  - {i.text()}" for i in errors]
        super().__init__("\n".join(lines))
        self.file = str(file)

    def __str__(self) -> str:
        return self.message


class BadArgument(DocgenError):
    """A value given on the command line (project code, doc type, date, period, folder) is not acceptable."""


class TemplateProblem(DocgenError):
    """A template is missing, broken, or uses a variable the data does not provide."""


class ArchiveError(DocgenError):
    """The archive refuses an operation (bad path, would overwrite, unreadable metadata)."""


class ArchiveBusy(ArchiveError):
    """Another process held the archive lock longer than the bounded wait."""


class VersionMoved(ArchiveError):
    """Another writer archived a version of the document after its printed 版本 was worked out; nothing
    was written (the caller renders it again with the version it will really get)."""

    def __init__(self, doc_id: str, expected: int, actual: int) -> None:
        super().__init__(f"{doc_id} 在生成期间已被另一进程归档为第 {actual - 1} 版；本次应为第 {actual} 版而不是第 {expected} 版")
        self.expected, self.actual = expected, actual


class InputsRejected(DocgenError):
    """Several input files failed; nothing was written. Carries each file's failure."""

    def __init__(self, failures: list[DocgenError]) -> None:
        self.failures = failures
        super().__init__("\n".join(str(f) for f in failures) + "\n未生成任何文件，归档库未改动。")

    def __str__(self) -> str:
        return self.message


def os_error_text(exc: OSError) -> str:
    """What an operating-system error means to the person at the keyboard, in Chinese."""
    import errno

    words = {errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘配额已用完", errno.EIO: "磁盘读写错误（I/O 错误）",
             errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "文件系统是只读的",
             errno.ENOENT: "目录或文件不存在", errno.EMFILE: "打开的文件过多"}
    return words.get(exc.errno, exc.strerror or type(exc).__name__)
