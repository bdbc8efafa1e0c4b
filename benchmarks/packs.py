"""Benchmark: a year of deliverable packs for one project — 12 months × every registered pack kind,
plus a monthly survey — through `docgen.pipeline.generate` into a fresh archive.

    python benchmarks/packs.py [--kinds routine,emergency,…]

Prints the wall time (target ≤ 60 s), the number of documents, and per document the time spent in
the libraries (docxtpl/openpyxl rendering, matplotlib drawing charts) versus docgen's own work around them
(validation, context building, archive writes with fsync, index updates)."""
from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACK_KINDS = ("routine", "emergency", "optimization", "assessment")
_DATE = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")


def _shift(text: str, months: int) -> str:
    """Move every date of an example by `months` (days past the 28th clamp to the 28th)."""
    def move(m: re.Match[str]) -> str:
        total = int(m[1]) * 12 + int(m[2]) - 1 + months
        return f"{total // 12}-{total % 12 + 1:02d}-{min(int(m[3]), 28):02d}"
    return _DATE.sub(move, text)


def _month_inputs(folder: Path, kinds: list[str]) -> list[Path]:
    files = [ROOT / "examples" / "plan.yaml"]
    survey = (ROOT / "examples" / "survey.yaml").read_text(encoding="utf-8")
    for month in range(1, 13):
        data = yaml.safe_load(_shift(survey, month - 3))  # the example survey is March's
        data["period"] = f"2025-{month:02d}"
        path = folder / f"survey-{month:02d}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        files.append(path)
        for kind in kinds:
            text = (ROOT / "examples" / f"{kind}.yaml").read_text(encoding="utf-8")
            data = yaml.safe_load(text)
            first_month = int(str(data["period"])[5:7]) if str(data["period"])[5:6].isdigit() else \
                (int(str(data["period"])[6]) - 1) * 3 + 1
            data = yaml.safe_load(_shift(text, month - first_month))
            data["period"] = f"2025-{month:02d}"
            path = folder / f"{kind}-{month:02d}.yaml"
            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
            files.append(path)
    return files


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--kinds", default=",".join(PACK_KINDS), help="pack kinds to include (comma-separated)")
    args = parser.parse_args()
    from docgen import pipeline
    from docgen.archive import Archive
    from docgen.kinds import kind_names
    from docgen.render import TemplateSet

    kinds = [k for k in args.kinds.split(",") if k in kind_names()]
    engine = 0.0
    original = pipeline.render_spec

    def timed(spec, templates):  # the template engines' share: docxtpl/openpyxl rendering incl. charts
        nonlocal engine
        t0 = time.perf_counter()
        try:
            return original(spec, templates)
        finally:
            engine += time.perf_counter() - t0

    pipeline.render_spec = timed
    from docgen.render import chart

    original_png = chart._png

    def timed_png(fig):  # matplotlib's drawing of chart pictures also counts as library time
        nonlocal engine
        t0 = time.perf_counter()
        try:
            return original_png(fig)
        finally:
            engine += time.perf_counter() - t0

    chart._png = timed_png
    with tempfile.TemporaryDirectory() as tmp:
        files = _month_inputs(Path(tmp), kinds)
        t0 = time.perf_counter()
        docs = pipeline.generate(files, archive=Archive(Path(tmp) / "archive"), templates=TemplateSet())
        wall = time.perf_counter() - t0
    n = len(docs)
    print(f"packs: 12 months × {len(kinds)} kinds ({', '.join(kinds)}) + 12 surveys + plan → {n} documents")
    print(f"  wall time {wall:.1f} s (target ≤ 60 s)")
    print(f"  per document: {wall / n * 1000:.0f} ms, of which libraries (docxtpl, openpyxl, matplotlib) "
          f"{engine / n * 1000:.0f} ms and "
          f"docgen's own work {(wall - engine) / n * 1000:.0f} ms ({(wall - engine) / wall:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
