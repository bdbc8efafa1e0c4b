"""Rebuild docgen/render/fonts/NotoSansSC-GB2312.otf: the chart font docgen ships so that Chinese
chart labels render on machines without any Chinese font.

    python tools/make_font_subset.py [SOURCE.ttc]

Source: Noto Sans CJK SC Regular (SIL OFL 1.1), e.g. Debian/Ubuntu's fonts-noto-cjk package at
/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc (collection face "Noto Sans CJK SC").
Kept: ASCII, Latin-1 punctuation, general punctuation, the GB2312 character set (its 6 763 hanzi
plus its symbol rows: CJK punctuation, full-width forms, numbers, Greek/Cyrillic, box drawing) and
a few symbols docgen writes itself (≤ ≥ – ℃ ✓ …). Hinting and layout tables other than the basics
are dropped: matplotlib's Agg backend renders unhinted CFF outlines well at chart sizes.
Same source, same bytes: fontTools' subsetter is deterministic and the head timestamps are pinned.
"""
from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docgen" / "render" / "fonts" / "NotoSansSC-GB2312.otf"
DEFAULT_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FAMILY = "Noto Sans CJK SC"
# a Modified Version gets its own name (OFL): charts ask for it by name, so an installed original
# "Noto Sans CJK SC" can never be picked instead of the shipped subset, or the other way round
SUBSET_FAMILY = "Noto Sans SC GB2312 docgen"
SUBSET_PS_NAME = "NotoSansSCGB2312docgen-Regular"
# 2025-01-01 00:00 UTC in the OpenType epoch (seconds since 1904-01-01), like the .docx builders
FIXED_TIMESTAMP = 3818448000
EXTRA = "−≤≥–—‘’“”…·×÷±℃°％‰№★☆●○■□▲△◆◇→←↑↓✓✔✗✘、。，；：？！（）《》〈〉【】「」『』〔〕～￥"


def gb2312_characters() -> list[str]:
    """Every character GB2312 defines: rows 0xA1–0xA9 (symbols) and 0xB0–0xF7 (6 763 hanzi)."""
    chars = []
    for row in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xF8)):
        for col in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, col]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def hanzi_count(chars: list[str]) -> int:
    return sum(1 for c in chars if "\u4e00" <= c <= "\u9fff")


def wanted_codepoints() -> list[int]:
    points = set(range(0x20, 0x7F))                      # ASCII
    points |= set(range(0xA0, 0x100))                    # Latin-1 (° ± · × ÷ …)
    points |= set(range(0x2000, 0x2070))                 # general punctuation (– — ‘ ’ “ ” … ‰)
    points |= set(range(0x3000, 0x3040))                 # CJK symbols and punctuation
    points |= set(range(0xFF01, 0xFF5F))                 # full-width forms
    points |= {ord(c) for c in gb2312_characters()}
    points |= {ord(c) for c in EXTRA}
    return sorted(points)


def _sc_face(source: Path) -> TTFont:
    if source.suffix.lower() == ".ttc":
        for font in TTCollection(str(source)).fonts:
            if font["name"].getDebugName(1) == FAMILY:
                return font
        raise SystemExit(f"{source}: no face named {FAMILY!r}")
    return TTFont(str(source))


def _rename(font: TTFont) -> None:
    names = {1: SUBSET_FAMILY, 3: f"2.004;docgen;{SUBSET_PS_NAME}", 4: SUBSET_FAMILY, 6: SUBSET_PS_NAME}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names:
            table.removeNames(nameID=record.nameID, platformID=record.platformID, langID=record.langID)
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)
    font["CFF "].cff.fontNames = [SUBSET_PS_NAME]


def build(source: Path = DEFAULT_SOURCE, out: Path = OUT) -> Path:
    font = _sc_face(source)
    options = subset.Options()
    options.layout_features = ["kern", "palt", "vert"]  # what a chart needs; the rest is weight
    options.hinting = False
    options.desubroutinize = False
    options.name_IDs = ["*"]       # keep copyright, license and its URL (OFL §2: notices stay)
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted_codepoints())
    subsetter.subset(font)
    _rename(font)
    font["head"].created = font["head"].modified = FIXED_TIMESTAMP
    font.recalcTimestamp = False  # else save() stamps "now" into head.modified
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out), reorderTables=True)
    return out


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT_SOURCE
    chars = gb2312_characters()
    path = build(source)
    print(f"wrote {path.relative_to(ROOT)}: {path.stat().st_size / 1e6:.2f} MB, "
          f"GB2312 {len(chars)} characters ({hanzi_count(chars)} hanzi)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
