"""Which search engine an archive uses: ARCHIVE/config/search.yaml `backend: whoosh|tantivy`.

The file is the archive's wish and survives deleting index/ (which `docgen reindex` rebuilds from the
archive alone); each index generation's state.json records the engine it was actually built with.
A catch-up that finds them different rebuilds, so a hand edit or a `docgen reindex --backend` cut off
half-way ends with the engine the file names. No file means Whoosh, the default."""
from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any

from docgen.search._errors import BackendMissing, SearchConfigError

CONFIG = Path("config") / "search.yaml"  # inside the archive root
DEFAULT_BACKEND = "whoosh"
BACKENDS = ("whoosh", "tantivy")
# what to install for an optional engine (pip name; the docgen extra that pulls it in)
_PACKAGES = {"tantivy": "tantivy"}

_TEMPLATE = """\
# 本归档库的全文搜索引擎：whoosh（默认）或 tantivy（需 pip install tantivy，建索引和搜索更快，见 README“选择搜索引擎”）。
# 请用 docgen reindex --backend whoosh|tantivy 切换（同时重建索引）；手工修改本文件后，下一次搜索或归档会按它重建索引。
backend: {backend}
"""


def configured_backend(root: Path) -> str:
    """The engine ARCHIVE/config/search.yaml names; the default when there is no such file."""
    path = root / CONFIG
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DEFAULT_BACKEND
    except (OSError, UnicodeDecodeError) as exc:
        raise SearchConfigError(f"无法读取搜索配置（{exc}）；请修正或删除该文件（删除后使用默认的 {DEFAULT_BACKEND}）",
                                file=path) from None
    return _parsed(text, path)


@functools.lru_cache(maxsize=16)
def _parsed(text: str, path: Path) -> str:
    """The engine a search.yaml's text names. Every search reads the file (a hand edit takes effect at once)
    but parses a text it has seen before only once: YAML parsing was a millisecond of every search."""
    import yaml  # only archives that chose an engine pay for loading it

    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SearchConfigError(f"不是有效的 YAML（{str(exc).splitlines()[0]}）；内容应为一行 backend: whoosh 或 "
                                "backend: tantivy", file=path) from None
    if data is None:
        return DEFAULT_BACKEND
    name = data.get("backend", DEFAULT_BACKEND) if isinstance(data, dict) else data
    if name not in BACKENDS:
        raise SearchConfigError(f"backend 的值“{name}”不是已知的搜索引擎；可选 {' 或 '.join(BACKENDS)}，"
                                "例如 backend: tantivy", file=path)
    return str(name)


def write_backend(root: Path, name: str) -> None:
    from docgen.archive import write_atomic

    path = root / CONFIG
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, _TEMPLATE.format(backend=name).encode("utf-8"))


def is_installed(name: str) -> bool:
    package = _PACKAGES.get(name)
    return package is None or importlib.util.find_spec(package) is not None


def missing_message(name: str, root: Path, *, switching: bool) -> str:
    """Why `name` cannot be used here and the two ways out, in the words a user acts on."""
    package = _PACKAGES[name]
    install = f"pip install {package}（或在 docgen 源码目录中 pip install -e '.[{name}]'）"
    if switching:
        return f"未安装搜索引擎 {name}，无法切换；请先运行 {install}。归档库和现有索引均未改动"
    return (f"本归档库的搜索引擎设为 {name}（{root / CONFIG}），但当前 Python 环境未安装 {package}；"
            f"请运行 {install}，或运行 docgen reindex --backend {DEFAULT_BACKEND} 改回默认的 {DEFAULT_BACKEND}")


def backend_class(name: str, root: Path) -> Any:
    """The IndexBackend implementation called `name` (BackendMissing when its package is absent)."""
    if name == "tantivy":
        if not is_installed(name):
            raise BackendMissing(missing_message(name, root, switching=False))
        from docgen.search._tantivy import TantivyBackend

        return TantivyBackend
    if name == "whoosh":
        from docgen.search._whoosh import WhooshBackend

        return WhooshBackend
    raise SearchConfigError(f"索引记录的搜索引擎“{name}”未知；请运行 docgen reindex 重建索引")
