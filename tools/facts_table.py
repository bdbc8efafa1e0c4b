"""Rewrite the class table at the end of docs/facts.md from docgen.facts (tests/test_facts.py fails
while the table misses a class or a field):

    python tools/facts_table.py
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docgen.facts import FACTS_TYPES, ReceivedFacts  # noqa: E402

HEADER = "| class | document types | facts |"


def table() -> str:
    classes = list(dict.fromkeys(FACTS_TYPES.values())) + [ReceivedFacts]
    rows = [HEADER, "|---|---|---|"]
    for cls in classes:
        fields = ", ".join(f"`{name}`" for name in cls.model_fields)
        rows.append(f"| `{cls.__name__}` | {', '.join(cls.doc_types) or 'any document taken in'} | {fields} |")
    return "\n".join(rows) + "\n"


def main() -> int:
    doc = ROOT / "docs" / "facts.md"
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text[:text.index(HEADER)] + table(), encoding="utf-8")
    print(f"wrote {doc.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
