"""Snippets: the best window of a document's text around the query's words, matches marked 【…】.
Done with compiled regexes over the stored text, because Whoosh's highlighter re-tokenizes the whole
document in Python for every hit (measured: ~12 ms per 3 500-character hit, most of a search)."""
from __future__ import annotations

import re

from docgen.search._analysis import CJK_RE

_GAP = r"[\W_]*"  # what may stand between two tokens of one word: XC-2025-0007, 服务器 A


def _pieces(tokens: list[str]) -> list[str]:
    """Re-join analyzer tokens into the literal runs they came from (服务 务器 a → 服务器, a)."""
    pieces: list[str] = []
    previous = ""
    for token in tokens:
        overlap = (previous and len(previous) == 2 and len(token) == 2 and previous[1] == token[0]
                   and CJK_RE.match(token))
        if overlap:
            pieces[-1] += token[1]
        else:
            pieces.append(token)
        previous = token
    return pieces


def word_pattern(tokens: list[str]) -> re.Pattern[str]:
    """A case-insensitive pattern for a query word given as its tokens, in order and adjacent."""
    return re.compile(_GAP.join(re.escape(p) for p in _pieces(tokens)), re.IGNORECASE)


def contains_all(text: str, patterns: list[re.Pattern[str]]) -> bool:
    return all(p.search(text) for p in patterns)


def make_snippet(text: str, patterns: list[re.Pattern[str]], *, width: int = 160, lead: int = 40) -> str:
    """The window of `width` characters holding the most distinct query words; matches marked."""
    flat = text.replace("\r", " ").replace("\n", " ")
    spans: list[tuple[int, int, int]] = []
    for n, pattern in enumerate(patterns):
        for m in pattern.finditer(flat):
            if m.end() > m.start():
                spans.append((m.start(), m.end(), n))
            if len(spans) > 400:
                break
    if not spans:
        return flat[:width].strip()
    spans.sort()
    best, best_score = spans[0][0], -1
    for start, _, _ in spans:
        inside = {n for s, e, n in spans if start <= s and e <= start + width - lead}
        if len(inside) > best_score:
            best, best_score = start, len(inside)
    begin = max(0, best - lead)
    end = min(len(flat), begin + width)
    out, index = [], begin
    for s, e, _ in spans:
        s, e = max(s, index), min(e, end)
        if s >= e:
            continue
        out.append(flat[index:s])
        out.append(f"【{flat[s:e]}】")
        index = e
    out.append(flat[index:end])
    return ("……" if begin > 0 else "") + "".join(out).strip() + ("……" if end < len(flat) else "")
