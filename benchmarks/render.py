"""Benchmark: docgen's plan rendering against bare docxtpl (render + save of the same template with
the same context), interleaved so machine noise hits both alike; and `docgen --help` start-up.

    python benchmarks/render.py [--rounds N]

Targets (issue 3): render ratio ≤ 1.25; `docgen --help` ≤ 0.3 s."""
from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    from docxtpl import DocxTemplate

    from docgen.kinds import get_kind
    from docgen.pipeline import check_input, render_spec
    from docgen.render import TemplateSet

    templates = TemplateSet()
    checked = check_input(ROOT / "examples" / "plan.yaml")
    spec = get_kind("plan").documents(checked.model, archive=None, warnings=[])[0]
    template_path = templates.find(spec.template).path

    def bare() -> None:
        tpl = DocxTemplate(str(template_path))
        tpl.render(spec.context, autoescape=True)
        tpl.save(io.BytesIO())

    def docgen_render() -> None:
        render_spec(spec, templates)

    def docgen_full() -> None:  # read + validate + rules + context + render: the whole `generate --no-archive`
        item = check_input(ROOT / "examples" / "plan.yaml")
        s = get_kind("plan").documents(item.model, archive=None, warnings=[])[0]
        render_spec(s, templates)

    timings: dict[str, list[float]] = {"bare": [], "render": [], "full": []}
    for fn in (bare, docgen_render, docgen_full):  # warm-up: imports, caches
        fn()
    for _ in range(args.rounds):
        for name, fn in (("bare", bare), ("render", docgen_render), ("full", docgen_full)):
            t0 = time.perf_counter()
            fn()
            timings[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in timings.items()}
    print(f"plan.docx, {args.rounds} interleaved rounds (median):")
    print(f"  bare docxtpl render+save     {med['bare'] * 1000:8.1f} ms")
    print(f"  docgen render_spec           {med['render'] * 1000:8.1f} ms   ratio {med['render'] / med['bare']:.2f} (target ≤ 1.25)")
    print(f"  docgen load+validate+render  {med['full'] * 1000:8.1f} ms   ratio {med['full'] / med['bare']:.2f}")

    starts = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "docgen", "--help"], check=True, capture_output=True)
        starts.append(time.perf_counter() - t0)
    bare_py = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, capture_output=True)
        bare_py.append(time.perf_counter() - t0)
    print(f"  docgen --help start-up       {statistics.median(starts) * 1000:8.1f} ms   (target ≤ 300 ms; "
          f"bare python {statistics.median(bare_py) * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
