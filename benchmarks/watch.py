"""Benchmark: the inbox watcher (`docgen watch`) as a user meets it — a real watcher process.

    python benchmarks/watch.py [--drops 10] [--external-drops 20] [--burst 300] [--settle 1.0]

1. Latency from drop to searchable (target ≤ 3 s): documents dropped one at a time into
   inbox/<project>/<doc_type>/, each with a unique word; the clock stops when `docgen.search` finds it.
   a. in-process: the benchmark calls docgen.search itself;
   b. from the user's side: the file is copied in, and a separate `docgen search --json` process is run
      again and again until it finds the word (each run pays Python's start-up), p95 over the drops —
      once with documents alone, once with a plan input dropped at the same moment each time (a
      document must not wait behind the plan's generation).
2. Burst throughput: N documents dropped at once; files per second until every one is settled, against
   the bare library path (calling `docgen.ingest.add_document` in a loop, the `archive add` work the
   watcher dispatches to) — the ratio is the watcher's own overhead (claim, moves, journal, scans)."""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

P = "BENCH-001"


def _start(root: Path, settle: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "docgen", "--archive", str(root), "watch", "--settle", str(settle)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _settled(root: Path) -> int:
    base = root / "processed"
    return sum(1 for p in base.rglob("*.txt")) if base.exists() else 0


@contextmanager
def _watching(root: Path, settle: float) -> Iterator[None]:
    """A `docgen watch` process on the archive, ready (its lock taken) when the block starts."""
    proc = _start(root, settle)
    try:
        while not (root / ".watch.lock").exists():
            time.sleep(0.05)
        time.sleep(0.5)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def latency(root: Path, drops: int, settle: float) -> list[float]:
    from docgen.archive import Archive
    from docgen.search import search

    archive = Archive(root)
    with _watching(root, settle):
        times = []
        for i in range(drops):
            token = f"lat{i:03d}q"
            path = root / "inbox" / P / "minutes" / f"纪要{i}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            path.write_text(f"会议纪要 {token} 网卡更换", encoding="utf-8")
            while not search(archive, token).hits:
                time.sleep(0.02)
            times.append(time.perf_counter() - start)
        return times


def _found_by_cli(root: Path, token: str) -> bool:
    out = subprocess.run([sys.executable, "-m", "docgen", "--archive", str(root), "search", token, "--json"],
                         capture_output=True, text=True)
    return out.returncode == 0 and token in out.stdout


def latency_external(root: Path, drops: int, settle: float, *, with_plan: bool) -> list[float]:
    """Drop → found by a separate `docgen search` process; with_plan: a plan input (a new version each time,
    so it is generated anew) is copied in at the same moment as each document."""
    import shutil

    import yaml

    from docgen.render import packaged_examples

    plan = yaml.safe_load((packaged_examples() / "plan.yaml").read_text(encoding="utf-8"))
    with _watching(root, settle):
        times = []
        source = root / "src"
        source.mkdir()
        for i in range(drops):
            token = f"ext{i:03d}{'p' if with_plan else 'd'}"
            doc = source / f"纪要{i}.txt"
            doc.write_text(f"会议纪要 {token} 交换机端口", encoding="utf-8")
            inputs = []
            if with_plan:
                plan["version"] = f"V1.{i + 1}"
                plan["change_note"] = f"第 {i + 1} 次修订"
                staged = source / f"plan{i}.yaml"
                staged.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
                inputs.append((staged, root / "inbox" / staged.name))
            target = root / "inbox" / P / "minutes" / doc.name
            target.parent.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            for src, dst in inputs:
                shutil.copy(src, dst)
            shutil.copy(doc, target)
            while not _found_by_cli(root, token):
                pass
            times.append(time.perf_counter() - start)
            time.sleep(0.5)  # let the plan's generation finish before the next drop
        return times


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def burst(root: Path, n: int, settle: float) -> float:
    for i in range(n):
        path = root / "inbox" / P / "minutes" / f"批量{i:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"批量纪要 第{i}份 tok{i:04d}b", encoding="utf-8")
    proc = _start(root, settle)
    start = time.perf_counter()
    try:
        while _settled(root) < n:
            time.sleep(0.05)
        return time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def bare(root: Path, n: int) -> float:
    from docgen.archive import Archive
    from docgen.ingest import add_document

    folder = root / "src"
    folder.mkdir(parents=True)
    files = []
    for i in range(n):
        path = folder / f"批量{i:04d}.txt"
        path.write_text(f"批量纪要 第{i}份 tok{i:04d}b", encoding="utf-8")
        files.append(path)
    archive = Archive(root / "archive")
    start = time.perf_counter()
    for path in files:
        add_document(archive, path, project=P, doc_type="minutes", title=path.stem)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drops", type=int, default=10)
    parser.add_argument("--external-drops", type=int, default=20)
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--settle", type=float, default=1.0, help="the watcher's --settle (its default: 1.0 s)")
    args = parser.parse_args()
    os.environ.setdefault("CI", "1")
    with tempfile.TemporaryDirectory() as tmp:
        times = latency(Path(tmp) / "lat", args.drops, args.settle)
        print("  each: " + " ".join(f"{t:.2f}" for t in times))
        print(f"drop → searchable (settle {args.settle:g} s, {len(times)} drops): p50 {statistics.median(times):.2f} s, "
              f"max {max(times):.2f} s (target ≤ 3 s)")
        for with_plan in (False, True):
            ext = latency_external(Path(tmp) / f"ext{int(with_plan)}", args.external_drops, args.settle,
                                   with_plan=with_plan)
            print(f"drop → found by a separate docgen search process{', a plan input dropped with each' if with_plan else ''}"
                  f" ({len(ext)} drops): p50 {statistics.median(ext):.2f} s, p95 {_p95(ext):.2f} s, max {max(ext):.2f} s "
                  "(target p95 ≤ 3 s)")
        watched = burst(Path(tmp) / "burst", args.burst, args.settle)
        direct = bare(Path(tmp) / "bare", args.burst)
        print(f"burst of {args.burst} documents: watcher {watched:.1f} s ({args.burst / watched:.1f} files/s, "
              f"incl. {args.settle:g} s settle and start-up); bare add_document loop {direct:.1f} s "
              f"({args.burst / direct:.1f} files/s); ratio {watched / direct:.2f}")


if __name__ == "__main__":
    main()
