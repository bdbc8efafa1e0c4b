"""Reading an input file (YAML, JSON or an Excel 录入表) into a plain dict plus where each field sits."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.errors import InputError, Issue
from docgen.inputs._limits import MAX_DEPTH, check_data, check_size, check_yaml_node

YAML_SUFFIXES = {".yaml", ".yml"}
SUFFIXES = YAML_SUFFIXES | {".json", ".xlsx"}
SUFFIX_TEXT = ".yaml/.yml、.json 或 docgen init KIND --xlsx 生成的 .xlsx 录入表"


@dataclass
class RawInput:
    """An input file as read: its dict, its kind, and (for 录入表) the cell of each field path."""

    path: Path
    data: dict[str, Any]
    sha256: str
    cells: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))


def _decode(raw: bytes, path: Path) -> str:
    # Chinese Windows editors still save GBK; accept it rather than fail on a valid file
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("文件编码无法识别，请另存为 UTF-8 编码后重试", file=path)


def _yaml_loader() -> type:
    import yaml

    # libyaml's parser when PyYAML has it (five times faster; the constructor below is the same Python code)
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class UniqueKeyLoader(base):  # type: ignore[misc, valid-type]
        """A key written twice is almost always a copy-paste slip: refuse it instead of keeping the last."""

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"字段 “{key}” 重复出现（第 {seen[key]} 行和第 {key_node.start_mark.line + 1} 行），请删除其中一个",
                        key_node.start_mark)
                seen[key] = key_node.start_mark.line + 1
            return super().construct_mapping(node, deep=deep)

    return UniqueKeyLoader


def _load_yaml(text: str, path: Path) -> Any:
    import yaml

    loader = _yaml_loader()(text)
    try:
        # composed first and measured (docgen.inputs._limits) before anything is built: an alias bomb is a small
        # graph of nodes that would expand to millions of values
        node = loader.get_single_node()
        check_yaml_node(node, path)
        return loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        problem = exc.problem or ""
        if not any("\u4e00" <= ch <= "\u9fff" for ch in problem):
            problem = f"YAML 语法错误（{problem}）"
        raise InputError(f"{where}：{problem}；请检查缩进、冒号后的空格和引号是否成对", file=path) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML 语法错误：{exc}", file=path) from None
    finally:
        loader.dispose()


def _load_json(text: str, path: Path) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"第 {exc.lineno} 行第 {exc.colno} 列：JSON 语法错误（{exc.msg}），请检查逗号、引号和括号",
                         file=path) from None
    except RecursionError:  # thousands of nested brackets
        raise InputError(f"嵌套层数过多，超过输入上限（嵌套不超过 {MAX_DEPTH} 层）；这不像一份正常的输入，文件未处理",
                         file=path) from None
    check_data(data, path)
    return data


def parse_yaml(raw: bytes, path: Path) -> Any:
    """The data of YAML (or JSON) bytes with the input rules: UTF-8 or GBK, duplicate keys refused, within the
    input limits; InputError naming `path` otherwise."""
    check_size(len(raw), path.with_suffix(".yaml"))
    return _load_yaml(_decode(raw, path), path)


def read_input(path: str | Path) -> RawInput:
    """Read one input file; InputError (Chinese, with the file) when it cannot be read at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(f"{'文件' if suffix else '文件或目录'}不存在，请检查路径", file=path)
    if suffix not in SUFFIXES:
        raise InputError(f"不支持的输入文件类型 “{path.suffix or '（无扩展名）'}”；请使用 {SUFFIX_TEXT}", file=path)
    try:
        check_size(path.stat().st_size, path)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("文件不存在，请检查路径", file=path) from None
    except IsADirectoryError:
        raise InputError("这是一个目录，不是输入文件", file=path) from None
    except OSError as exc:
        raise InputError(f"无法读取文件（{exc.strerror}）", file=path) from None
    digest = hashlib.sha256(raw).hexdigest()
    if suffix == ".xlsx":
        from docgen.inputs._xlsx import read_form

        form = read_form(path)
        data, cells, issues = form.data, form.cells, list(form.issues)
        check_data(data, path)
    else:
        text = _decode(raw, path)
        data = _load_yaml(text, path) if suffix in YAML_SUFFIXES else _load_json(text, path)
        cells, issues = {}, []
        if data is None:
            raise InputError("文件是空的；可用 docgen init KIND 生成一份带说明的空白输入", file=path)
    if not isinstance(data, dict):
        raise InputError("文件顶层应为“字段: 值”的映射（以 kind: … 开头），而不是列表或单个值", file=path)
    return RawInput(path=path, data=data, sha256=digest, cells=cells, issues=issues)
