"""Benchmark: the auditors' web page (`docgen serve`) under load, on a synthetic archive.

    python benchmarks/serve.py [--docs 20000] [--clients 20] [--seconds 60] [--cache DIR]

1. An archive of N synthetic Chinese O&M documents (benchmarks/corpus.py, built and indexed as
   benchmarks/search.py does), cached in --cache DIR (default: the temp folder) and reused by later runs.
2. A real server process, `python -m docgen --archive A serve --port P`, on loopback.
3. C client threads for S seconds, each alternating a search page (/search?q=…, the search benchmark's
   queries) and a document page (/doc/{doc_id}, a random document). Prints errors (target 0: any is a
   failure, exit 1), p50/p95 of each page, pages per second and the server's memory (VmRSS at the end,
   VmHWM the peak, from /proc/PID/status).
4. In the same run, unloaded: one client opens each query's search page and, in this process, the bare
   library call `docgen.search.search(archive, q)` runs the same query; p50 of each and the ratio —
   target: the page adds ≤ 20 % over the bare search of one page of hits (ratio ≤ 1.20). The search
   page asks the library for its page of hits and the number of matches (counted up to 1 000), so the
   bare search with that count is printed too: it tells the page's own overhead from the cost of counting.

The run is bounded (start-up waits ≤ 60 s, then S seconds of load, then a few passes over the queries)
and stops the server by itself. It is not part of the test suite."""
from __future__ import annotations

import argparse
import http.client
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import QUERIES, build_archive  # noqa: E402

COMPARE_ROUNDS = 5
PAGE_SIZE = 20  # hits on a search page: the bare search's limit (also `docgen search`'s default)
PAGE_COUNT = 1000  # how far the search page has the library count matches (MAX_HITS in docgen.serve)


def cached_archive(cache: Path, count: int) -> Path:
    """An indexed archive of `count` synthetic documents under `cache`, built once and reused."""
    from docgen.archive import Archive
    from docgen.search import rebuild

    root = cache / f"archive-{count}"
    done = root / ".benchmark-complete"
    if done.exists():
        print(f"archive: {count} documents, reused from {root}")
        return root
    shutil.rmtree(root, ignore_errors=True)
    t0 = time.perf_counter()
    build_archive(root, count)
    rebuild(Archive(root))
    done.write_text(f"{count}\n", encoding="utf-8")
    print(f"archive: {count} documents, built and indexed in {time.perf_counter() - t0:.0f} s → {root}")
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, int]:
    """(status, body bytes) of one GET on a kept-alive connection."""
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, len(response.read())


def start_server(root: Path, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "docgen", "--archive", str(root), "serve", "--port", str(port)],
                              stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            if get(conn, "/")[0] == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not answer / within 60 s:\n{log.read_text(errors='replace')[-2000:]}")


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


@dataclass
class Load:
    times: dict[str, list[float]] = field(default_factory=lambda: {"search": [], "doc": []})
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(port: int, doc_paths: list[str], deadline: float, seed: int, load: Load) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    step = seed
    while time.monotonic() < deadline:
        kind = "search" if step % 2 == 0 else "doc"
        path = f"/search?{urlencode({'q': QUERIES[step // 2 % len(QUERIES)]})}" if kind == "search" \
            else rng.choice(doc_paths)
        step += 1
        t0 = time.perf_counter()
        try:
            status, size = get(conn, path)
        except (OSError, http.client.HTTPException) as exc:
            with load.lock:
                load.errors.append(f"{path}: {type(exc).__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        elapsed = time.perf_counter() - t0
        with load.lock:
            if status != 200 or size == 0:
                load.errors.append(f"{path}: HTTP {status}, {size} bytes")
            else:
                load.times[kind].append(elapsed)
    conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def compare_with_bare_search(root: Path, port: int) -> tuple[float, float, float]:
    """p50 of a search page (one client, no other load), of docgen.search.search for one page of hits,
    and of docgen.search.search for one page with the count the page shows; same queries."""
    from docgen.archive import Archive
    from docgen.search import search

    archive = Archive(root)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    pages, bare, bare_all = [], [], []
    for q in QUERIES:  # warm both: the index files in the page cache, the server's and this process's imports
        get(conn, f"/search?{urlencode({'q': q})}")
        search(archive, q, limit=PAGE_SIZE)
    for _ in range(COMPARE_ROUNDS):
        for q in QUERIES:
            t0 = time.perf_counter()
            status, _ = get(conn, f"/search?{urlencode({'q': q})}")
            pages.append(time.perf_counter() - t0)
            if status != 200:
                raise SystemExit(f"/search?q={q}: HTTP {status}")
            t0 = time.perf_counter()
            search(archive, q, limit=PAGE_SIZE)
            bare.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            search(archive, q, limit=PAGE_SIZE, count_to=PAGE_COUNT)
            bare_all.append(time.perf_counter() - t0)
    conn.close()
    return statistics.median(pages), statistics.median(bare), statistics.median(bare_all)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "docgen-bench-serve",
                        help="where the synthetic archive is built and kept for later runs")
    args = parser.parse_args()

    from docgen.archive import Archive

    args.cache.mkdir(parents=True, exist_ok=True)
    root = cached_archive(args.cache, args.docs)
    doc_paths = [f"/doc/{quote(r['doc_id'], safe='/')}" for r in Archive(root).records()]
    port = free_port()
    log = args.cache / "server.log"
    t0 = time.perf_counter()
    server = start_server(root, port, log)
    print(f"server: pid {server.pid}, http://127.0.0.1:{port}, answering after {time.perf_counter() - t0:.1f} s"
          f" ({memory_kib(server.pid)['VmRSS'] / 1024:.0f} MiB)")
    try:
        load = Load()
        deadline = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client, args=(port, doc_paths, deadline, i, load))
                   for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        memory = memory_kib(server.pid)
        total = sum(len(t) for t in load.times.values())
        print(f"load: {args.clients} clients × {args.seconds:.0f} s: {total} pages ({total / args.seconds:.0f}/s), "
              f"errors {len(load.errors)} (target 0)")
        for message in load.errors[:5]:
            print(f"  error: {message}")
        for kind, label in (("search", "search page /search?q="), ("doc", "document page /doc/…")):
            if load.times[kind]:
                print(f"  {label:24} p50 {ms(statistics.median(load.times[kind]))}   "
                      f"p95 {ms(percentile(load.times[kind], 0.95))}   ({len(load.times[kind])} pages)")
        print(f"  server memory: VmRSS {memory['VmRSS'] / 1024:.0f} MiB now, VmHWM {memory['VmHWM'] / 1024:.0f} MiB peak")

        page, bare, bare_all = compare_with_bare_search(root, port)
        print(f"page vs bare search (one client, {COMPARE_ROUNDS} × {len(QUERIES)} queries, p50): "
              f"page {ms(page)}   docgen.search.search(limit={PAGE_SIZE}) {ms(bare)}   "
              f"ratio {page / bare:.2f}× (target ≤ 1.20×, the page adding ≤ 20 %)")
        print(f"  for comparison: docgen.search.search(limit={PAGE_SIZE}, count_to={PAGE_COUNT}), the page's own call,"
              f" {ms(bare_all)}"
              f"   page / that {page / bare_all:.2f}×")
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    return 1 if load.errors else 0


if __name__ == "__main__":
    sys.exit(main())
