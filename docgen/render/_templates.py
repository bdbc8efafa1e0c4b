"""Where templates come from: a user's folder first (--templates / DOCGEN_TEMPLATES), then the
packaged templates_docx/ and templates_xlsx/."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import TemplateProblem

_PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = ("templates_docx", "templates_xlsx")


def packaged_dirs() -> list[Path]:
    """The installed wheel carries the folders inside the package; a source checkout
    (editable install, tests) has them at the repository's top level."""
    found = []
    for name in TEMPLATE_DIRS:
        inside = _PACKAGE / name
        found.append(inside if inside.is_dir() else _PACKAGE.parent / name)
    return found


def packaged_examples() -> Path:
    inside = _PACKAGE / "examples"
    return inside if inside.is_dir() else _PACKAGE.parent / "examples"


@dataclass(frozen=True)
class TemplateFile:
    name: str
    path: Path
    source: str  # "用户模板" | "内置模板"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


class TemplateSet:
    """Resolves template names; a user folder may hold the files flat or in templates_docx/…"""

    def __init__(self, user_dir: str | Path | None = None) -> None:
        self.user_dir = Path(user_dir) if user_dir else None
        if self.user_dir is not None and not self.user_dir.is_dir():
            raise TemplateProblem("模板目录不存在；请检查 --templates 或环境变量 DOCGEN_TEMPLATES", file=self.user_dir)

    def _user_candidates(self, name: str) -> list[Path]:
        if self.user_dir is None:
            return []
        return [self.user_dir / name] + [self.user_dir / sub / name for sub in TEMPLATE_DIRS]

    def find(self, name: str) -> TemplateFile:
        for candidate in self._user_candidates(name):
            if candidate.is_file():
                return TemplateFile(name, candidate, "用户模板")
        for folder in packaged_dirs():
            if (folder / name).is_file():
                return TemplateFile(name, folder / name, "内置模板")
        raise TemplateProblem(f"找不到模板 {name}；内置模板缺失时请重新安装 docgen，"
                              "或把同名模板放进 --templates 指定的目录")
