"""Chinese-aware analysis for the index: overlapping CJK bigrams plus Latin/number tokens.

Why bigrams and not jieba (measured by benchmarks/analyzers.py, see README): every two-character
word is found wherever it stands (网卡 inside 更换网卡驱动, 巡检 inside 日常巡检记录), including
words jieba's dictionary does not know (服务器A, 2号机柜, project jargon); a multi-character query
becomes a phrase of consecutive bigrams, i.e. an exact substring match; and there is no dictionary
to load, which jieba needs ~0.5 s for on every cold CLI start.

Engine-neutral: the Whoosh tokenizer over these tokens lives in _whoosh.py (so a tantivy search
never loads Whoosh); tantivy is given `token_text`, the same tokens joined by spaces."""
from __future__ import annotations

import operator
import re
from typing import Any, Iterator

ANALYZER_ID = "cjk-bigram-v1"

# CJK ideographs (incl. extension A and compatibility) and the Latin/number runs between them;
# everything else (punctuation, '-', spaces) separates tokens, so XC-2025-0007 → xc 2025 0007,
# which the query side turns into a phrase of the same three tokens.
_CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK_CHARS}]+|[A-Za-z0-9]+(?:\.[0-9]+)?|[^\W_{_CJK_CHARS}]+")
CJK_RE = re.compile(rf"[{_CJK_CHARS}]")


def cjk_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """(token, startchar, endchar) in order: bigrams over CJK runs, one token per other run."""
    for match in _RUN.finditer(text):
        run, start = match.group(0), match.start()
        if CJK_RE.match(run):
            if len(run) == 1:
                yield run, start, start + 1
            else:
                for i in range(len(run) - 1):
                    yield run[i:i + 2], start + i, start + i + 2
        else:
            yield run.lower(), start, match.end()


def token_text(text: str) -> str:
    """The tokens of cjk_tokens joined by single spaces (no offsets): what an engine with a
    whitespace tokenizer indexes. Most of a tantivy rebuild's time, hence the shortcuts: a CJK run is
    recognised by its first character, runs of one or two CJK characters are their own token, and
    the other runs are lowercased all at once (str.lower maps them as run.lower() would; CJK has no
    case). tests/test_search_query.py checks it against cjk_tokens."""
    out: list[str] = []
    append = out.append
    for run in _RUN.findall(text):
        if len(run) > 2 and ("\u3400" <= run[0] <= "\u9fff" or "\uf900" <= run[0] <= "\ufaff"):
            append(" ".join(map(operator.add, run[:-1], run[1:])))
        else:
            append(run)
    return " ".join(out).lower()


def __getattr__(name: str) -> Any:
    # Whoosh indexes built before the tokenizer moved to _whoosh.py pickled it under this module's
    # name (and new ones still do, see _whoosh.CjkBigramTokenizer): resolve it there on demand
    if name in ("CjkBigramTokenizer", "make_analyzer"):
        from docgen.search import _whoosh

        return getattr(_whoosh, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
