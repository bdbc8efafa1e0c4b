"""Where things live under the archive root: document ids, folder names, file stems, sidecars."""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from docgen.archive._atomic import is_temp_name
from docgen.errors import ArchiveError

DOCUMENTS = "documents"
PENDING = ".pending"
LEDGER = "ledger.jsonl"
LOCK = ".lock"
META_SUFFIX = ".meta.json"

# Stems longer than this are replaced by a hash: Windows still trips over paths past 260 chars.
MAX_STEM = 80

_SAFE_PART = re.compile(r"[A-Za-z0-9._-]+")
_EXT = re.compile(r"\.[A-Za-z0-9]{1,10}")
_VERSION_FILE = re.compile(r"(?P<stem>.+)_v(?P<version>[1-9][0-9]*)(?P<ext>\.[A-Za-z0-9]+)")
_REQUIRED = {"doc_id": str, "project": str, "doc_type": str, "version": int, "sha256": str, "path": str,
             "date": str}


def make_doc_id(project: str, doc_type: str, key: tuple[str, ...] = ()) -> str:
    """The readable identity of a document: project/doc_type/key parts, e.g. "P/onsite_form/XC-2025-0007"."""
    return "/".join([project, doc_type, *key])


def check_segment(value: str, what: str) -> str:
    """Refuse a project code or doc type that can't be one folder name inside the archive."""
    reason = None
    if not isinstance(value, str) or not value.strip():
        reason = "不能为空"
    elif value in (".", "..") or value.startswith("."):
        reason = "不能以“.”开头（会指向归档目录之外或成为隐藏目录）"
    elif any(c in value for c in "/\\:") or any(ord(c) < 32 or ord(c) == 127 for c in value):
        reason = "不能包含 / \\ : 或控制字符"
    elif value != value.strip() or value.endswith("."):
        # Windows silently drops trailing dots and spaces, so "P." and "P" would share a folder
        reason = "不能以空格或“.”结尾"
    if reason:
        raise ArchiveError(f"{what}“{value}”不能用作归档目录名：{reason}；请改用字母、数字、-、_ 组成的编号")
    return value


def check_ext(ext: str) -> str:
    """Normalise an extension to ".docx" form; refuse anything that isn't a plain extension."""
    normal = ext if ext.startswith(".") else f".{ext}"
    if not _EXT.fullmatch(normal):
        raise ArchiveError(f"文件扩展名“{ext}”无效；应为 .docx、.xlsx 这样的扩展名")
    return normal.lower()


def split_doc_id(doc_id: str) -> tuple[str, str, str | None]:
    """(project, doc_type, key part text or None) of a doc id; project and doc_type are checked."""
    parts = doc_id.split("/", 2)
    if len(parts) < 2:
        raise ArchiveError(f"“{doc_id}”不是有效的文档编号；应为 项目编号/文档类型[/标识…]，如 P/plan")
    project, doc_type = check_segment(parts[0], "项目编号"), check_segment(parts[1], "文档类型")
    return project, doc_type, parts[2] if len(parts) == 3 else None


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _reduce(part: str) -> str:
    # Chinese titles and odd punctuation become a short hash so names stay portable on every OS
    return part if _SAFE_PART.fullmatch(part) else _sha1(part)[:8]


def primary_stem(doc_id: str) -> str:
    """The readable file stem of a document: doc_type plus its key parts (computed from the doc id alone,
    so versions() can find files without knowing the key tuple)."""
    _, doc_type, rest = split_doc_id(doc_id)
    pieces = [] if rest is None else rest.split("/")
    stem = "_".join([_reduce(doc_type), *(_reduce(p) for p in pieces)])
    if len(stem) > MAX_STEM:
        stem = f"{_reduce(doc_type)[:40]}_{_sha1(rest or '')[:12]}"
    return stem


def fallback_stem(doc_id: str) -> str:
    """The stem used when another document already owns this one's readable stem ("a_b" vs "a", "b")."""
    _, doc_type, _ = split_doc_id(doc_id)
    return f"{_reduce(doc_type)[:40]}_{_sha1(doc_id)[:16]}"


def version_file_name(stem: str, version: int, ext: str) -> str:
    return f"{stem}_v{version}{ext}"


def stem_of(file_name: str) -> str | None:
    """The stem of a "<stem>_v<N><ext>" file name, None when the name doesn't have that shape."""
    m = _VERSION_FILE.fullmatch(file_name)
    return m.group("stem") if m else None


def document_folder(root: Path, project: str, year: int, doc_type: str) -> Path:
    return root / DOCUMENTS / project / f"{year:04d}" / doc_type


def sidecar_of(document: Path) -> Path:
    return document.with_name(document.name + META_SUFFIX)


def is_sidecar_name(name: str) -> bool:
    return name.endswith(META_SUFFIX) and not is_temp_name(name)


def relative(root: Path, path: Path) -> str:
    """Path relative to the archive root with POSIX separators, as stored in metadata and the ledger."""
    return Path(os.path.relpath(path, root)).as_posix()


def _subdirs(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as it:
            return sorted(Path(e.path) for e in it if e.is_dir() and not is_temp_name(e.name))
    except FileNotFoundError:
        return []


def project_folders(root: Path) -> list[Path]:
    """The project folders under documents/ (temp and hidden names skipped), sorted."""
    return [p for p in _subdirs(root / DOCUMENTS) if not p.name.startswith(".")]


def doc_type_names(root: Path) -> list[str]:
    """Every doc type with a folder under documents/<project>/<year>/, sorted."""
    return sorted({d.name for p in project_folders(root) for y in _subdirs(p) for d in _subdirs(y)
                   if not d.name.startswith(".")})


def doc_type_folders(root: Path, project: str, doc_type: str) -> list[Path]:
    """Every year's folder of one project's doc type (versions of a document may span years)."""
    return [d for y in _subdirs(root / DOCUMENTS / project) if (d := y / doc_type).is_dir()]


def iter_sidecars(root: Path, *, project: str | None = None, doc_type: str | None = None) -> Iterator[Path]:
    """Sidecar files in the fixed layout documents/<project>/<year>/<doc_type>/, temp files skipped."""
    projects = [root / DOCUMENTS / project] if project else _subdirs(root / DOCUMENTS)
    for p in projects:
        for year in _subdirs(p):
            folders = [year / doc_type] if doc_type else _subdirs(year)
            for folder in folders:
                try:
                    with os.scandir(folder) as it:
                        names = sorted(e.name for e in it if e.is_file() and is_sidecar_name(e.name))
                except FileNotFoundError:
                    continue
                yield from (folder / n for n in names)


# "<stem>_v<N><ext>.meta.json": a version's sidecar; the stem is what candidate_sidecars and FolderListing look for
_SIDECAR_NAME = re.compile(r"(?P<stem>.+)_v[1-9][0-9]*\.[A-Za-z0-9]+" + re.escape(META_SUFFIX), re.IGNORECASE)


def candidate_sidecars(folders: list[Path], stems: list[str]) -> list[Path]:
    """Sidecars in `folders` whose file name has one of `stems`, compared case-insensitively because
    Windows and macOS would treat "ABC_v1" and "abc_v1" as the same file."""
    prefixes = tuple(f"{s.lower()}_v" for s in stems)  # a cheap test first: folders hold thousands of files
    wanted = {s.lower() for s in stems}
    near = []
    for folder in folders:
        try:
            with os.scandir(folder) as it:
                near += [e for e in it if e.name.lower().startswith(prefixes)]
        except FileNotFoundError:
            continue
    return sorted(Path(e.path) for e in near
                  if (m := _SIDECAR_NAME.fullmatch(e.name)) and m.group("stem").lower() in wanted)


class FolderListing:
    """candidate_sidecars for a batch: each doc-type folder is listed once and its sidecars filed by stem,
    instead of one listing per document (a folder of 10 000 documents listed for each of 1 000 new files
    made bulk imports into a big archive slow down as it grew). Same matching: case-insensitive stems."""

    def __init__(self) -> None:
        self._folders: dict[Path, dict[str, list[Path]]] = {}

    def _listed(self, folder: Path) -> dict[str, list[Path]]:
        found = self._folders.get(folder)
        if found is None:
            found = {}
            try:
                with os.scandir(folder) as it:
                    for entry in it:
                        m = _SIDECAR_NAME.fullmatch(entry.name)
                        if m:
                            found.setdefault(m.group("stem").lower(), []).append(Path(entry.path))
            except FileNotFoundError:
                pass
            self._folders[folder] = found
        return found

    def __call__(self, folders: list[Path], stems: list[str]) -> list[Path]:
        wanted = {s.lower() for s in stems}
        return sorted(p for folder in folders for stem in wanted for p in self._listed(folder).get(stem, []))


def parse_record(raw: bytes) -> dict:
    """A sidecar's record; ValueError (Chinese reason) when it isn't a usable archive record."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"不是有效的 UTF-8 JSON：{exc}") from None
    if not isinstance(record, dict):
        raise ValueError("内容不是 JSON 对象")
    for key, kind in _REQUIRED.items():
        value = record.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValueError(f"缺少字段 {key} 或其类型不对")
    return record


def read_record(root: Path, sidecar: Path) -> dict:
    """Read one sidecar; a broken one is an ArchiveError naming the file, so nothing silently disappears."""
    try:
        return parse_record(sidecar.read_bytes())
    except ValueError as exc:
        raise ArchiveError(f"元数据文件无法读取（{exc}）；请运行 docgen archive verify 查看，并从备份恢复该文件",
                           file=relative(root, sidecar)) from None


def resolve_inside(root: Path, rel: str) -> Path:
    """root/rel for a path read from metadata, refusing one that points outside the documents folder."""
    path = root / rel
    # os.path rather than Path.resolve/is_relative_to: the same check (normcase: case-insensitive on
    # Windows, as pathlib compares there) at a third of the cost, which a 20 000-document reindex feels
    base = os.path.normcase(os.path.realpath(root / DOCUMENTS))
    real = os.path.normcase(os.path.realpath(path))
    if real != base and not real.startswith(os.path.join(base, "")):
        raise ArchiveError(f"元数据中的路径“{rel}”指向归档文档目录之外；请从备份恢复该元数据",
                           file=str(root))
    return path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def encode_json(data: dict, *, indent: int | None = 2) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=indent) + "\n").encode("utf-8")
