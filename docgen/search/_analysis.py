"""Chinese-aware analysis for the index: overlapping CJK bigrams plus Latin/number tokens.

Why bigrams and not jieba (measured by benchmarks/analyzers.py, see README): every two-character
word is found wherever it stands (网卡 inside 更换网卡驱动, 巡检 inside 日常巡检记录), including
words jieba's dictionary does not know (服务器A, 2号机柜, project jargon); a multi-character query
becomes a phrase of consecutive bigrams, i.e. an exact substring match; and there is no dictionary
to load, which jieba needs ~0.5 s for on every cold CLI start."""
from __future__ import annotations

import re
from typing import Any, Iterator

from whoosh.analysis import Token, Tokenizer

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


class CjkBigramTokenizer(Tokenizer):
    """Whoosh tokenizer over cjk_tokens; positions are consecutive so phrases work. Module-level
    because Whoosh pickles the schema (and with it this class) into the index."""

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: Any) -> Iterator[Any]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for pos, (text, start, end) in enumerate(cjk_tokens(value)):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


def make_analyzer() -> Any:
    return CjkBigramTokenizer()
