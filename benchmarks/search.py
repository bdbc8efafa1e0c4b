"""Benchmark: the search index on a synthetic archive of Chinese O&M documents (2–5 k characters),
for each search engine docgen offers.

    python benchmarks/search.py [--backend whoosh|tantivy|both] [--docs N] [--repeat N] [--keep DIR] [--json FILE]

For each engine it prints:
- indexing: `docgen reindex --backend X` in characters per second, against the bare engine fed the
  same texts with the same analyzer (Whoosh calling docgen's tokenizer; tantivy given docgen's token
  strings, tokenizing included — and, for the record, tantivy alone on tokens made beforehand);
  target ≥ 0.8× the bare engine;
- warm search p50/p95 over 14 queries × 5 rounds, top 10 with snippets (targets for tantivy at
  20 000 documents: p50 ≤ 10 ms, p95 ≤ 50 ms);
- cold `docgen search` (a new process, median of 5; target ≤ 0.5 s for tantivy) and its parts: the
  interpreter alone, importing what a search imports, and the rest (catch-up check, opening the
  index, the search, printing);
- one document archived then indexed (the catch-up the watcher and `archive add` run), 20 times;
- the index's size on disk.

--keep DIR builds the archive in DIR and keeps it; run again with the same DIR and --docs and the
archive is reused (building 20 000 documents takes minutes)."""
from __future__ import annotations

import argparse
import datetime
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import synthetic_documents  # noqa: E402

QUERIES = ["网卡", "巡检", "服务器A", "2号机柜", "XC-2025-0042", "INC-017", "主备切换", "数据库服务器 告警",
           '"满意度评分"', "磁盘扩容", "张伟", "存储阵列 扩容", "漏扫整改", "可用率"]
CATCH_UPS = 20  # documents archived one at a time, each indexed at once (as `archive add` does)
COLD_QUERIES = ["网卡", "XC-2025-0042", "服务器A 告警", "主备切换", "张伟"]
ENGINE_MODULES = {"whoosh": "docgen.search._whoosh", "tantivy": "docgen.search._tantivy"}


def build_archive(root: Path, count: int) -> list[str]:
    """The archive of `count` synthetic documents (reused if `root` already holds exactly those)."""
    from docgen.archive import Archive

    texts = list(synthetic_documents(count, random.Random(42)))
    archive = Archive(root)
    if (root / "documents").is_dir():
        # the documents built here (the catch-up measurement adds a few notes, which do not count)
        if sum(r["doc_type"] == "service_report" for r in archive.records(all_versions=True)) != count:
            sys.exit(f"{root} holds an archive of another size; remove it or pass --docs to match")
        return texts
    # in batches, as `docgen archive import` does (one sync per batch): 200 000 documents in minutes, not hours
    from docgen.archive import PutItem

    batch: list[PutItem] = []
    for i, text in enumerate(texts):
        day = datetime.date(2025, 1, 1) + datetime.timedelta(days=i % 365)
        batch.append(PutItem(text.encode("utf-8"), project=f"P{i % 20:02d}", doc_type="service_report",
                             key=(f"doc{i}", day.isoformat()), title=f"运维记录{i}", date=day, period=day.isoformat(),
                             ext=".txt", source="benchmark"))
        if len(batch) == 1000 or i == len(texts) - 1:
            archive.put_many(batch)
            batch = []
    return texts


def bare_whoosh(texts: list[str], folder: Path) -> float:
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    from docgen.search._analysis import make_analyzer

    schema = Schema(uid=ID(unique=True, stored=True), content=TEXT(analyzer=make_analyzer(), stored=True))
    ix = index.create_in(str(folder), schema)
    t0 = time.perf_counter()
    writer = ix.writer(limitmb=128)
    for i, text in enumerate(texts):
        writer.add_document(uid=str(i), content=text)
    writer.commit()
    return time.perf_counter() - t0


def bare_tantivy(texts: list[str], folder: Path, *, tokens: list[str] | None = None) -> float:
    """tantivy with the backend's content field (whitespace tokenizer, positions) and the text stored,
    fed docgen's token strings: made here, inside the timing (`tokens` None), or made beforehand."""
    import tantivy

    from docgen.search._analysis import token_text

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("uid", tokenizer_name="raw", index_option="freq")
    builder.add_text_field("content", tokenizer_name="whitespace", index_option="position")
    builder.add_bytes_field("stored", stored=True)
    index = tantivy.Index(builder.build(), path=str(folder))
    t0 = time.perf_counter()
    writer = index.writer(heap_size=128_000_000, num_threads=0)  # as the backend's rebuild
    for i, text in enumerate(texts):
        doc = tantivy.Document()
        doc.add_text("uid", str(i))
        doc.add_text("content", token_text(text) if tokens is None else tokens[i])
        doc.add_bytes("stored", text.encode("utf-8"))
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    return time.perf_counter() - t0


def _median_run(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _import_time(engine: str, runs: int) -> float:
    """What a cold `docgen search` imports before it searches, timed inside a fresh interpreter."""
    code = ("import time; t = time.perf_counter(); import docgen.cli, docgen.archive, docgen.search, "
            f"docgen.search._index, {ENGINE_MODULES[engine]}; print(time.perf_counter() - t)")
    values = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                   text=True).stdout) for _ in range(runs)]
    return statistics.median(values)


def _reading_time(archive: Any) -> float:
    """What a reindex does that the bare engine does not: list the archive's records and read each
    document's text and metadata (with the check that its path stays inside documents/)."""
    from docgen.search import _index

    t0 = time.perf_counter()
    for record in archive.records(all_versions=True):
        _index._index_doc(archive, record)
    return time.perf_counter() - t0


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def measure(engine: str, root: Path, texts: list[str], work: Path, *, repeat: int) -> dict[str, Any]:
    from docgen.archive import Archive
    from docgen.search import index_after_write, rebuild, search

    chars = sum(map(len, texts))
    out: dict[str, Any] = {"engine": engine, "documents": len(texts), "chars": chars}
    archive = Archive(root)
    # the machine may be shared: with --repeat, bare engine and docgen run alternately and the
    # fastest of each is kept (the run least disturbed by others)
    # CPU time (this process's threads: Python and tantivy's) is the work done, which other load on
    # the machine does not inflate as it does wall time
    bare, ours, engine_only, tokenize, bare_cpu, ours_cpu = [], [], [], [], [], []
    for _ in range(repeat):
        bare_folder = Path(tempfile.mkdtemp(dir=work))
        c0 = time.process_time()
        bare.append(bare_whoosh(texts, bare_folder) if engine == "whoosh" else bare_tantivy(texts, bare_folder))
        bare_cpu.append(time.process_time() - c0)
        shutil.rmtree(bare_folder, ignore_errors=True)
        t0, c0 = time.perf_counter(), time.process_time()
        rebuild(archive, backend=engine)
        ours.append(time.perf_counter() - t0)
        ours_cpu.append(time.process_time() - c0)
        if engine == "tantivy":
            from docgen.search._analysis import token_text

            t0 = time.perf_counter()
            tokens = [token_text(t) for t in texts]
            tokenize.append(time.perf_counter() - t0)
            bare_folder = Path(tempfile.mkdtemp(dir=work))
            engine_only.append(bare_tantivy(texts, bare_folder, tokens=tokens))
            shutil.rmtree(bare_folder, ignore_errors=True)
            del tokens
    out.update(bare_s=min(bare), reindex_s=min(ours), repeat=repeat, reindex_all_s=ours, bare_all_s=bare,
               bare_cpu_s=min(bare_cpu), reindex_cpu_s=min(ours_cpu))
    if engine_only:
        out.update(engine_only_s=min(engine_only), tokenize_s=min(tokenize))
    out["reading_s"] = _reading_time(archive)
    current = root / "index" / (root / "index" / "CURRENT").read_text(encoding="utf-8")
    out["index_mb"] = _size_mb(current)

    search(archive, "预热")
    times = []
    for _ in range(5):
        for q in QUERIES:
            t0 = time.perf_counter()
            search(archive, q, limit=10)
            times.append(time.perf_counter() - t0)
    times.sort()
    out["warm_p50_ms"] = statistics.median(times) * 1000
    out["warm_p95_ms"] = times[int(0.95 * (len(times) - 1))] * 1000

    cold = []
    for q in COLD_QUERIES:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "docgen", "--archive", str(root), "search", q, "--limit", "10"],
                       check=True, capture_output=True)
        cold.append(time.perf_counter() - t0)
    out["cold_s"] = statistics.median(cold)
    out["python_s"] = _median_run([sys.executable, "-c", "pass"], 5)
    out["imports_s"] = _import_time(engine, 5)

    added = []
    run = uuid.uuid4().hex[:8]
    for i in range(CATCH_UPS):
        day = datetime.date(2026, 1, 1 + i)
        archive.put(f"基准测试追加文档 第{i}份 网卡更换 {engine} {run}".encode(), project="P99", doc_type="note",
                    key=(f"{engine}-{run}-{i}", day.isoformat()), title=f"追加{i}", date=day,
                    period=day.isoformat(), ext=".txt", source="benchmark")
        t0 = time.perf_counter()
        notes = index_after_write(archive)
        added.append(time.perf_counter() - t0)
        assert not notes, notes
    out["catch_up_ms"] = statistics.median(added) * 1000
    out["catch_up_max_ms"] = max(added) * 1000
    return out


def report(r: dict[str, Any]) -> str:
    chars = r["chars"]
    lines = [f"{r['engine']}:"]
    bare_name = "bare Whoosh" if r["engine"] == "whoosh" else "bare tantivy (tokenizing included)"
    lines.append(f"  indexing   {bare_name} {chars / r['bare_s'] / 1e3:6.0f} k chars/s   docgen reindex "
                 f"{chars / r['reindex_s'] / 1e3:6.0f} k chars/s   ratio {r['bare_s'] / r['reindex_s']:.2f}× (target ≥ 0.8×)"
                 + (f"  [fastest of {r['repeat']}; docgen runs "
                    f"{', '.join(f'{chars / t / 1e3:.0f}' for t in r['reindex_all_s'])} k chars/s]" if r["repeat"] > 1 else ""))
    lines.append(f"             docgen reindex {r['reindex_s']:.1f} s, of which reading the archive (records, texts, "
                 f"metadata) {r['reading_s']:.1f} s; bare engine {r['bare_s']:.1f} s")
    lines.append(f"             CPU time (all threads): bare {r['bare_cpu_s']:.1f} s, docgen reindex {r['reindex_cpu_s']:.1f} s, "
                 f"ratio {r['bare_cpu_s'] / r['reindex_cpu_s']:.2f}×")
    if "engine_only_s" in r:
        lines.append(f"             tantivy alone on tokens made beforehand {chars / r['engine_only_s'] / 1e3:6.0f} k chars/s "
                     f"(ratio {r['engine_only_s'] / r['reindex_s']:.2f}×); docgen's tokenizer alone "
                     f"{chars / r['tokenize_s'] / 1e3:6.0f} k chars/s")
    lines.append(f"  search     warm p50 {r['warm_p50_ms']:6.1f} ms   p95 {r['warm_p95_ms']:6.1f} ms  (top 10 with snippets)")
    rest = r["cold_s"] - r["python_s"] - r["imports_s"]
    lines.append(f"  cold CLI   docgen search {r['cold_s']:.2f} s median of {len(COLD_QUERIES)} = interpreter "
                 f"{r['python_s']:.2f} s + imports {r['imports_s']:.2f} s + catch-up check, open, search, print {rest:.2f} s")
    lines.append(f"  catch-up   one archived document indexed in {r['catch_up_ms']:.0f} ms (median of {CATCH_UPS}, "
                 f"slowest {r['catch_up_max_ms']:.0f} ms)")
    lines.append(f"  index      {r['index_mb']:.0f} MB on disk")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["whoosh", "tantivy", "both"], default="both")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1, help="index this many times, keep the fastest")
    parser.add_argument("--keep", type=Path, help="build the archive here and keep it (reused when run again)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="docgen-bench-"))
    root = args.keep or work / "archive"
    t0 = time.perf_counter()
    texts = build_archive(root, args.docs)
    print(f"archive: {args.docs} documents, {sum(map(len, texts)) / 1e6:.1f} M characters, "
          f"ready in {time.perf_counter() - t0:.0f} s")
    engines = ["whoosh", "tantivy"] if args.backend == "both" else [args.backend]
    results = []
    for engine in engines:
        results.append(measure(engine, root, texts, work, repeat=args.repeat))
        print(report(results[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
