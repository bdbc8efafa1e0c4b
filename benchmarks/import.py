"""Benchmark: `docgen archive import` of a folder tree of small past deliverables.

    python benchmarks/import.py [--files 5000]

Imports N small text files (<项目编号>/<文档类型>/… convention) into an empty archive and reports files/s —
target ≥ 200 files/s on this machine — against the bare work of the same files: copy each into a folder and
sha256 it (target ≥ 0.3× the bare rate). The time includes indexing them for search (one catch-up at the
end); a search then finds a word of the last file."""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path


def _tree(folder: Path, n: int) -> list[Path]:
    files = []
    for i in range(n):
        path = folder / f"BENCH-{i % 10:02d}" / ("minutes" if i % 2 else "inspection") / f"{i // 100:03d}" / f"文档{i:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"历史文档 第{i}份 机房巡检 交换机端口 tok{i:05d}x", encoding="utf-8")
        files.append(path)
    return files


def bare(files: list[Path], target: Path) -> float:
    target.mkdir()
    start = time.perf_counter()
    for n, path in enumerate(files):
        copy = target / f"{n}.txt"
        shutil.copyfile(path, copy)
        hashlib.sha256(copy.read_bytes()).hexdigest()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("CI", "1")
    from docgen.archive import Archive
    from docgen.bulk_import import import_tree
    from docgen.search import catch_up, search

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        files = _tree(base / "src", args.files)
        direct = bare(files, base / "copy")
        archive = Archive(base / "archive")
        start = time.perf_counter()
        result = import_tree(archive, base / "src", index=False)
        took = time.perf_counter() - start
        assert result.imported == args.files and not result.problems, result.problems[:3]
        start = time.perf_counter()
        catch_up(archive)
        indexing = time.perf_counter() - start
        assert search(archive, f"tok{args.files - 1:05d}x").hits, "the last file is not searchable"
        assert archive.verify().ok
        rate, bare_rate = args.files / took, args.files / direct
        both = args.files / (took + indexing)
        print(f"archive import of {args.files} small files: {took:.1f} s, {rate:.0f} files/s (target ≥ 200); "
              f"then searchable after {indexing:.1f} s of indexing ({both:.0f} files/s in all)")
        print(f"bare copy + sha256 of the same files: {direct:.1f} s, {bare_rate:.0f} files/s; "
              f"import ratio {rate / bare_rate:.2f} (target ≥ 0.3), with indexing {both / bare_rate:.2f}")


if __name__ == "__main__":
    main()
