"""Charts for documents: PNG bytes drawn by matplotlib's Agg renderer, Chinese text set in the font
docgen ships (docgen/render/fonts, a GB2312 subset of Noto Sans CJK SC), so a chart looks the same
on a machine without any Chinese font. Same data, same bytes: documents are archived by content.

matplotlib is imported inside the functions: `docgen --help` must not pay for it.
Put the bytes into a template context as ``Picture(png, width_mm)`` (docgen.render).
"""
from __future__ import annotations

import io
import math
import unicodedata
from pathlib import Path
from typing import Any, Mapping, Sequence

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-GB2312.otf"
FONT_FAMILY = "Noto Sans SC GB2312 docgen"  # the subset's own name (tools/make_font_subset.py)
DPI = 150
FONT_PT = 9.0
COLORS = ("#2F5597", "#C55A11", "#548235", "#7F6000", "#7030A0", "#1F7F7F")
LOW_COLOR = "#C00000"
TARGET_COLOR = "#7F7F7F"

_font_registered = False


def _register_font() -> None:
    global _font_registered
    if not _font_registered:
        from matplotlib import font_manager

        font_manager.fontManager.addfont(str(FONT_FILE))
        _font_registered = True


# installed fonts that may draw what the GB2312 subset lacks (rare characters in names); only
# those present are listed, since asking matplotlib for a missing family logs a warning
SYSTEM_FALLBACKS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "WenQuanYi Zen Hei")
_fallbacks: list[str] | None = None


def _families() -> list[str]:
    """The shipped font first, then installed CJK fonts, then matplotlib's own DejaVu Sans;
    matplotlib picks per glyph, so text inside GB2312 is always drawn by the shipped font."""
    global _fallbacks
    if _fallbacks is None:
        from matplotlib import font_manager

        installed = {entry.name for entry in font_manager.fontManager.ttflist}
        _fallbacks = [name for name in SYSTEM_FALLBACKS if name in installed]
    return [FONT_FAMILY, *_fallbacks, "DejaVu Sans"]


def _style() -> dict[str, Any]:
    return {
        "font.family": _families(),
        "font.size": FONT_PT,
        "axes.titlesize": FONT_PT + 1.5,
        "axes.titleweight": "normal",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "axes.axisbelow": True,
        "grid.color": "#D9D9D9",
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "svg.hashsalt": "docgen",  # no random ids, should a chart ever be saved as SVG
        "path.simplify": False,
    }


def _units(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


# closing punctuation never starts a line (Chinese typesetting rule); it stays on the line before
_NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…—,.;:?!)]}%％")


def wrap_label(text: str, max_units: int) -> str:
    """Break a label into at most three lines of about max_units each (a Chinese character counts
    2, a Latin one 1). Chinese has no spaces to break at, so this cuts between any two characters,
    preferring a space, and keeps closing punctuation on the line it closes."""
    lines, line, width = [], "", 0
    for ch in text:
        if width + _units(ch) > max_units and line and ch not in _NO_LINE_START:
            cut = line.rfind(" ")
            if 0 < cut < len(line) - 1:
                lines.append(line[:cut])
                line = line[cut + 1:]
                width = sum(_units(c) for c in line)
            else:
                lines.append(line)
                line, width = "", 0
        line += ch
        width += _units(ch)
    if line:
        lines.append(line)
    return "\n".join(lines[:3]) + ("…" if len(lines) > 3 else "")


def _label_units(width_in: float, count: int) -> int:
    """How many label units fit under one category (a Chinese character at FONT_PT is FONT_PT wide)."""
    slot_pt = width_in * 0.85 / max(count, 1) * 72
    return max(4, int(slot_pt / FONT_PT * 2))


def _figure(width_in: float, height_in: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    # no Software/date chunks: identical data gives identical bytes
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _target_line(ax: Any, target: float | None, label: str) -> None:
    if target is not None:
        ax.axhline(target, color=TARGET_COLOR, linestyle="--", linewidth=1, zorder=1,
                   label=f"{label} {target:g}")


def bar_chart_png(categories: list[str], values: list[float], *, title: str, ylabel: str = "",
                  ymax: float | None = None, width_in: float = 6.0, height_in: float = 3.0,
                  value_format: str | None = "{:g}", target: float | None = None, target_label: str = "目标",
                  low_at_or_below: float | None = None) -> bytes:
    """A vertical bar chart as PNG bytes (DPI 150). Each bar is labelled with `value_format`
    (None: no labels); bars at or below `low_at_or_below` are drawn red; `target` adds a dashed
    reference line. `ymax` fixes the top of the axis (e.g. 5 for scores), else it fits the data."""
    if len(categories) != len(values):
        raise ValueError(f"{len(categories)} categories but {len(values)} values")
    import matplotlib

    _register_font()
    with matplotlib.rc_context(_style()):
        fig = _figure(width_in, height_in)
        ax = fig.add_subplot()
        units = _label_units(width_in, len(categories))
        positions = list(range(len(categories)))
        colors = [LOW_COLOR if low_at_or_below is not None and v <= low_at_or_below else COLORS[0]
                  for v in values]
        bars = ax.bar(positions, values, width=0.6, color=colors, zorder=2)
        ax.set_xticks(positions, [wrap_label(c, units) for c in categories])
        if all(float(v).is_integer() for v in values):  # counts: no 0.2-person ticks
            from matplotlib.ticker import MaxNLocator

            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if ymax is not None:  # room above a full-score bar for its label; no tick beyond ymax
            ax.set_ylim(0, ymax * 1.1)
            ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= ymax + 1e-9])
        else:
            ax.set_ylim(0, max([*values, target or 0, 0]) * 1.15 or 1)
        if value_format is not None:
            ax.bar_label(bars, labels=[value_format.format(v) for v in values], padding=2)
        _target_line(ax, target, target_label)
        if target is not None:
            ax.legend(loc="lower right")
        ax.set_title(title)
        if ylabel:
            ax.set_ylabel(ylabel)
        return _png(fig)


def line_chart_png(categories: list[str], series: Mapping[str, Sequence[float | None]] | Sequence[float | None],
                   *, title: str, ylabel: str = "", ymin: float | None = None, ymax: float | None = None,
                   width_in: float = 6.0, height_in: float = 3.0, value_format: str | None = "{:g}",
                   target: float | None = None, target_label: str = "目标") -> bytes:
    """A trend chart as PNG bytes (DPI 150): one line per named series over the categories (e.g.
    months), a legend when there are names, None values left as gaps. A single unnamed series (a
    plain list) gets value labels (`value_format`, None: none); `target` adds a dashed line."""
    named = dict(series) if isinstance(series, Mapping) else {"": list(series)}
    for name, values in named.items():
        if len(values) != len(categories):
            raise ValueError(f"series {name!r}: {len(values)} values for {len(categories)} categories")
    import matplotlib

    _register_font()
    with matplotlib.rc_context(_style()):
        fig = _figure(width_in, height_in)
        ax = fig.add_subplot()
        positions = list(range(len(categories)))
        for n, (name, values) in enumerate(named.items()):
            ys = [math.nan if v is None else v for v in values]
            ax.plot(positions, ys, marker="o", markersize=4, linewidth=1.6, color=COLORS[n % len(COLORS)],
                    label=name or None, zorder=2)
            if len(named) == 1 and value_format is not None:
                for x, v in zip(positions, values):
                    if v is not None:
                        ax.annotate(value_format.format(v), (x, v), textcoords="offset points", xytext=(0, 5),
                                    ha="center")
        ax.set_xticks(positions, [wrap_label(c, _label_units(width_in, len(categories))) for c in categories])
        _target_line(ax, target, target_label)
        ax.margins(y=0.15)  # room for the value labels; the data decide the range unless fixed
        if ymin is not None or ymax is not None:
            ax.set_ylim(bottom=ymin, top=ymax)
        if any(named) or target is not None:
            ax.legend(loc="best")
        ax.set_title(title)
        if ylabel:
            ax.set_ylabel(ylabel)
        return _png(fig)
