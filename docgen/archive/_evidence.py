"""The ledger head a document recorded when it was made (its custom document properties 账本行数 / 账本哈希):
a KPI workbook or audit report handed out holds the archive's history up to that moment, so a later rewrite
of the ledger contradicts it (`docgen archive verify --against FILE`)."""
from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path

from docgen.archive._ledger import LedgerHead
from docgen.errors import ArchiveError

HEAD_COUNT = "账本行数"
HEAD_HASH = "账本哈希"
_PROPERTY = re.compile(r'<property\b[^>]*\bname="([^"]*)"[^>]*>\s*<vt:\w+[^>]*>([^<]*)</vt:\w+>\s*</property>', re.S)


def recorded_head(path: Path) -> LedgerHead:
    """The head `path` (.xlsx or .docx) recorded; ArchiveError in Chinese when it is no such document."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read("docProps/custom.xml").decode("utf-8")
    except FileNotFoundError:
        raise ArchiveError("文件不存在，请检查路径", file=str(path)) from None
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError):
        raise ArchiveError("这份文件没有记录归档账本头（只有 docgen 生成的月度KPI统计表和项目交付审计报告记录它）；"
                           "请给出这样的 .xlsx 文件", file=str(path)) from None
    props = {unescape(name): unescape(value).strip() for name, value in _PROPERTY.findall(xml)}
    count, digest = props.get(HEAD_COUNT), props.get(HEAD_HASH)
    if not count or not digest or not count.isdigit() or not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise ArchiveError("这份文件没有记录归档账本头（只有 docgen 生成的月度KPI统计表和项目交付审计报告记录它）；"
                           "请给出这样的 .xlsx 文件", file=str(path))
    return LedgerHead(int(count), digest)
