"""Benchmark: the search index on a synthetic archive of Chinese O&M documents (2–5 k characters).

    python benchmarks/search.py [--docs N] [--keep DIR]

Prints: indexing throughput of `docgen reindex` vs bare Whoosh with the same analyzer on the same
texts (target ≥ 0.8×), warm search p50/p95 including snippet highlighting (target p50 ≤ 50 ms), and
the cold wall time of a `docgen search` process (target ≤ 1.0 s)."""
from __future__ import annotations

import argparse
import datetime
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import synthetic_documents  # noqa: E402

QUERIES = ["网卡", "巡检", "服务器A", "2号机柜", "XC-2025-0042", "INC-017", "主备切换", "数据库服务器 告警",
           '"满意度评分"', "磁盘扩容", "张伟", "存储阵列 扩容", "漏扫整改", "可用率"]


def build_archive(root: Path, count: int) -> list[str]:
    from docgen.archive import Archive

    archive = Archive(root)
    texts = []
    rng = random.Random(42)
    for i, text in enumerate(synthetic_documents(count, rng)):
        day = datetime.date(2025, 1, 1) + datetime.timedelta(days=i % 365)
        archive.put(text.encode("utf-8"), project=f"P{i % 20:02d}", doc_type="service_report",
                    key=(f"doc{i}", day.isoformat()), title=f"运维记录{i}", date=day, period=day.isoformat(),
                    ext=".txt", source="benchmark")
        texts.append(text)
    return texts


def bare_whoosh(texts: list[str], folder: Path) -> float:
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    from docgen.search._analysis import make_analyzer

    analyzer = make_analyzer()
    schema = Schema(uid=ID(unique=True, stored=True), content=TEXT(analyzer=analyzer, stored=True))
    ix = index.create_in(str(folder), schema)
    t0 = time.perf_counter()
    writer = ix.writer(limitmb=128)
    for i, text in enumerate(texts):
        writer.add_document(uid=str(i), content=text)
    writer.commit()
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="build the archive here and keep it")
    args = parser.parse_args()

    from docgen.archive import Archive
    from docgen.search import rebuild, search

    work = Path(tempfile.mkdtemp(prefix="docgen-bench-"))
    root = args.keep or work / "archive"
    t0 = time.perf_counter()
    texts = build_archive(root, args.docs)
    chars = sum(map(len, texts))
    print(f"archive: {args.docs} documents, {chars / 1e6:.1f} M characters, built in {time.perf_counter() - t0:.0f} s")

    bare = bare_whoosh(texts, Path(tempfile.mkdtemp(dir=work)))
    t0 = time.perf_counter()
    rebuild(Archive(root))
    ours = time.perf_counter() - t0
    print(f"  indexing  bare Whoosh {chars / bare / 1e3:7.0f} k chars/s   docgen reindex {chars / ours / 1e3:7.0f} k chars/s"
          f"   ratio {bare / ours:.2f}× (target ≥ 0.8×)")

    archive = Archive(root)
    search(archive, "预热")
    times = []
    for _ in range(5):
        for q in QUERIES:
            t0 = time.perf_counter()
            search(archive, q, limit=10)
            times.append(time.perf_counter() - t0)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"  search    warm p50 {p50 * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms  (top 10 with snippets; target p50 ≤ 50 ms)")

    cold = []
    for q in ("网卡", "XC-2025-0042", "服务器A 告警"):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "docgen", "--archive", str(root), "search", q, "--limit", "10"],
                       check=True, capture_output=True)
        cold.append(time.perf_counter() - t0)
    print(f"  cold CLI  docgen search {statistics.median(cold):.2f} s median of 3 (target ≤ 1.0 s)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
