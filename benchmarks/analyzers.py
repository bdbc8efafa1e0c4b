"""Which Chinese analysis for the index: CJK bigrams (docgen's) or jieba (search mode)?
Measures recall on O&M queries (ground truth: the query text occurs in the document) and speed
(tokenizing throughput, cold load). jieba is optional: `pip install jieba` to include it.

    python benchmarks/analyzers.py [--docs N]"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import synthetic_documents  # noqa: E402

QUERIES = ["网卡", "巡检", "备份", "告警", "机柜", "服务器A", "2号机柜", "主备切换", "数据库", "磁盘",
           "XC-2025-0007", "INC-002", "交换机", "光模块", "堡垒机", "调度主站", "漏扫", "等保测评"]


def _index(analyzer, texts: list[str], folder: Path):
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(id=ID(stored=True), content=TEXT(analyzer=analyzer, multitoken_query="phrase"))
    ix = index.create_in(str(folder), schema)
    writer = ix.writer(limitmb=128)
    t0 = time.perf_counter()
    for i, text in enumerate(texts):
        writer.add_document(id=str(i), content=text)
    writer.commit()
    return ix, time.perf_counter() - t0


def _recall(ix, texts: list[str]) -> tuple[float, float]:
    from whoosh.qparser import QueryParser

    parser = QueryParser("content", ix.schema)
    found = relevant = false_hits = returned = 0
    with ix.searcher() as searcher:
        for q in QUERIES:
            truth = {str(i) for i, t in enumerate(texts) if q.lower() in t.lower()}
            hits = {h["id"] for h in searcher.search(parser.parse(q), limit=None)}
            found += len(truth & hits)
            relevant += len(truth)
            false_hits += len(hits - truth)
            returned += len(hits)
    return found / max(relevant, 1), 1 - false_hits / max(returned, 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=300)
    args = parser.parse_args()
    texts = list(synthetic_documents(args.docs, random.Random(7)))
    chars = sum(map(len, texts))
    candidates = []
    from docgen.search._analysis import make_analyzer

    candidates.append(("cjk-bigram (docgen)", make_analyzer, 0.0))
    try:
        t0 = time.perf_counter()
        import jieba
        from jieba.analyse import ChineseAnalyzer

        jieba.setLogLevel(60)
        jieba.initialize()
        candidates.append(("jieba search mode", ChineseAnalyzer, time.perf_counter() - t0))
    except ImportError:
        print("jieba not installed: only the bigram analyzer is measured")
    print(f"{args.docs} documents, {chars / 1e6:.2f} M characters, {len(QUERIES)} queries")
    for name, factory, load in candidates:
        with tempfile.TemporaryDirectory() as folder:
            ix, seconds = _index(factory(), texts, Path(folder))
            recall, precision = _recall(ix, texts)
        print(f"  {name:<22} recall {recall:6.1%}  precision {precision:6.1%}  "
              f"index {chars / seconds / 1e3:8.0f} k chars/s  cold load {load:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
