"""Input limits: what a real input never exceeds, checked before the expensive work, so a hostile or broken
file (a YAML alias bomb, a zip bomb posing as a 录入表, a sheet a million rows long) is refused in Chinese in
well under two seconds instead of stalling `generate` or the watcher. The README lists them."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from docgen.errors import InputError

MAX_TEXT_BYTES = 1_000_000  # a YAML/JSON input; the example plan is 7 KB, a 2 000-answer survey ~300 KB
MAX_XLSX_BYTES = 10_000_000  # a 录入表 as stored (zip)
MAX_XLSX_UNPACKED = 6_000_000  # its members unpacked, together (openpyxl reads ~3.5 MB of sheet XML a second)
MAX_VALUES = 100_000  # values (mappings, lists, scalars) once YAML aliases are expanded
MAX_DEPTH = 32  # nesting of mappings and lists; docgen's deepest input uses 4
MAX_SCALAR_CHARS = 50_000  # one text value (a 25-page narrative)
MAX_SHEET_ROWS = 10_000  # rows of one 录入表 sheet
MAX_SHEET_COLUMNS = 200  # columns of one 录入表 sheet
MAX_SHARED_STRINGS = 200_000  # distinct texts in a 录入表

LIMITS_TEXT = (f"YAML/JSON 不超过 {MAX_TEXT_BYTES // 1_000_000} MB，录入表不超过 {MAX_XLSX_BYTES // 1_000_000} MB"
               f"（解压后 {MAX_XLSX_UNPACKED // 1_000_000} MB），展开别名后不超过 {MAX_VALUES:,} 个值，嵌套不超过 "
               f"{MAX_DEPTH} 层，单个文字不超过 {MAX_SCALAR_CHARS:,} 字，每张工作表不超过 {MAX_SHEET_ROWS:,} 行、"
               f"{MAX_SHEET_COLUMNS} 列")


def _refuse(what: str, limit: str, path: Path) -> InputError:
    return InputError(f"{what}，超过输入上限（{limit}）；这不像一份正常的输入，文件未处理。请检查文件是否选错或已损坏；"
                      "确需更大的输入请拆成几个文件", file=path)


def check_size(size: int, path: Path) -> None:
    """The file's size, before it is read."""
    xlsx = path.suffix.lower() == ".xlsx"
    limit = MAX_XLSX_BYTES if xlsx else MAX_TEXT_BYTES
    if size > limit:
        raise _refuse(f"文件大小 {size / 1_000_000:.1f} MB", f"{'录入表' if xlsx else 'YAML/JSON 输入'}不超过 "
                      f"{limit // 1_000_000} MB", path)


class _Budget:
    """Counts values as a reader would see them, aliases expanded, and the nesting depth."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def depth(self, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise _refuse(f"嵌套超过 {MAX_DEPTH} 层", f"嵌套不超过 {MAX_DEPTH} 层", self.path)

    def values(self, count: int) -> None:
        if count > MAX_VALUES:
            raise _refuse(f"展开后有 {count:,} 个以上的值（YAML 的锚点/别名 & * 层层引用会成倍展开）",
                          f"不超过 {MAX_VALUES:,} 个值", self.path)

    def scalar(self, text: str, where: str) -> None:
        if len(text) > MAX_SCALAR_CHARS:
            raise _refuse(f"{where}的文字有 {len(text):,} 字", f"单个文字不超过 {MAX_SCALAR_CHARS:,} 字", self.path)


def check_yaml_node(node: Any, path: Path) -> None:
    """A composed YAML document (nodes, aliases not yet expanded): its expanded size and depth. An alias is the
    same node object as its anchor, so sizes are remembered per node and a bomb is measured without expanding
    it; an anchor that contains itself never ends and is refused too."""
    import yaml

    budget = _Budget(path)
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(n: Any, depth: int) -> int:
        budget.depth(depth)
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise _refuse("锚点引用了它自己（无限展开）", "不能自我引用", path)
        if isinstance(n, yaml.ScalarNode):
            line = n.start_mark.line + 1 if n.start_mark else 0
            budget.scalar(n.value, f"第 {line} 行")
            total = 1
        else:
            open_nodes.add(key)
            children = [c for pair in n.value for c in pair] if isinstance(n, yaml.MappingNode) else list(n.value)
            total = 1
            for child in children:
                total += size(child, depth + 1)
                budget.values(total)
            open_nodes.discard(key)
        sizes[key] = total
        budget.values(total)
        return total

    if node is not None:
        size(node, 0)


def check_data(data: Any, path: Path, *, where: str = "") -> None:
    """Plain data (JSON, a read 录入表): the number of values, the depth, each text's length."""
    budget = _Budget(path)
    count = 0
    stack: list[tuple[Any, int, str]] = [(data, 0, where)]
    while stack:
        value, depth, at = stack.pop()
        budget.depth(depth)
        count += 1
        budget.values(count)
        if isinstance(value, dict):
            stack.extend((v, depth + 1, f"{at}.{k}" if at else str(k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{at}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, str):
            budget.scalar(value, f"字段 {at} " if at else "")


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')
_UNIQUE = re.compile(rb'uniqueCount="(\d+)"')
_HEAD = 4096  # a sheet's <dimension> and the shared strings' count sit in the first bytes of their XML


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.decode("ascii"):
        number = number * 26 + ord(ch) - 64
    return number


def check_xlsx(raw: bytes, path: Path) -> None:
    """A 录入表 before openpyxl unpacks it: the members' unpacked size, each sheet's declared dimensions, the
    number of shared strings (read from the first bytes of each member, never the whole)."""
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        return  # openpyxl reports a file that is no .xlsx in its own words
    with zf:
        infos = zf.infolist()
        unpacked = sum(i.file_size for i in infos)
        if unpacked > MAX_XLSX_UNPACKED:
            raise _refuse(f"录入表解压后有 {unpacked / 1_000_000:.0f} MB", f"解压后不超过 {MAX_XLSX_UNPACKED // 1_000_000} MB",
                          path)
        for info in infos:
            name = info.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                head = _head(zf, info)
                m = _DIMENSION.search(head)
                # no <dimension> (some writers leave it out): count the rows, streaming the member once
                rows, columns = (int(m.group(2)), _column_number(m.group(1))) if m else (_rows(zf, info), 0)
                if rows > MAX_SHEET_ROWS:
                    raise _refuse(f"工作表 {Path(name).stem} 有 {rows:,} 行", f"每张工作表不超过 {MAX_SHEET_ROWS:,} 行", path)
                if columns > MAX_SHEET_COLUMNS:
                    raise _refuse(f"工作表 {Path(name).stem} 有 {columns} 列", f"每张工作表不超过 {MAX_SHEET_COLUMNS} 列", path)
            elif name == "xl/sharedStrings.xml":
                m = _UNIQUE.search(_head(zf, info))
                if m and int(m.group(1)) > MAX_SHARED_STRINGS:
                    raise _refuse(f"录入表有 {int(m.group(1)):,} 个不同的文字", f"不超过 {MAX_SHARED_STRINGS:,} 个", path)


def _rows(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    count, tail = 0, b""
    try:
        with zf.open(info) as member:
            while chunk := member.read(1 << 20):
                data = tail + chunk
                count += data.count(b"<row ") + data.count(b"<row>")
                tail = data[-5:]
                count -= tail.count(b"<row ") + tail.count(b"<row>")  # counted again with the next chunk
            count += tail.count(b"<row ") + tail.count(b"<row>")
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        pass  # a damaged member: openpyxl then refuses the file in its own words
    return count


def _head(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with zf.open(info) as member:
            return member.read(_HEAD)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return b""
