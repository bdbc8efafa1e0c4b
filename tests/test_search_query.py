"""The query language is one for every engine: plain queries (words and "phrases") are parsed without
Whoosh into the tree Whoosh's parser gives, and the analyzer's tokens reach tantivy unchanged."""
from __future__ import annotations

import random


_WORDS = ["网卡", "巡检", "服务器A", "2号机柜", "99.95", "XC-2025-0007", "INC-002", "主备切换演练", "a", "b",
          "Ab", "单", "，", "-", "*", "?", "网卡*", "+网卡", "-巡检", "x.y", "HT-2025-0031", "孙丽", "e.g.", "…",
          "ＡＢＣ", "한국어", "カタカナ", "v2", "3.14.15", "_", "a_b", "网卡，巡检", "网卡。"]


def _random_plain_query(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 5)):
        word = rng.choice(_WORDS)
        if rng.random() < 0.25:
            word = '"' + " ".join(rng.sample(_WORDS, rng.randint(0, 3))) + '"'
        parts.append(word)
    glue = rng.choice([" ", "  ", "\u3000", "\t", ""])
    return glue.join(parts)


def test_plain_queries_parse_as_whoosh_parses_them():
    """Words and phrases skip Whoosh's parser (0.15 s of a cold start): the tree must be the one
    Whoosh's parser gives, and anything with operators or field syntax must go to that parser."""
    from docgen.search._query import parse_plain
    from docgen.search._whoosh import query_tree

    rng = random.Random(17)
    queries = [_random_plain_query(rng) for _ in range(600)]
    queries += ['x"y"', 'a"b"c', '"a""b"', "a a", '""', '" "', "网卡 网卡 巡检"]
    for text in queries:
        if text.count('"') % 2:
            continue
        assert parse_plain(text) == query_tree(text), text
    for text in ["网卡 OR 巡检", "NOT 网卡", "a AND b", "project:P1", "(网卡)", "a^2", "[a TO b]", "'a b'",
                 '"a b"~2', "a ANDNOT b", "x ANDMAYBE y"]:
        assert parse_plain(text) is None, text


def test_token_text_is_the_analyzer_tokens_joined_by_spaces():
    from docgen.search._analysis import cjk_tokens, token_text

    texts = ["3月2日更换服务器A的网卡，故障单 INC-002 已关闭。", "单", "XC-2025-0007 99.95% v1.2.3", "",
             "ＡＢＣ한국어カタカナ 㐀㐁 丽丽", "a_b __ -- 。。", "Straße ÉCOLE 网卡\n巡检\t记录"]
    rng = random.Random(5)
    alphabet = "网卡巡检服务器㐀丽豈䷀AaZz09._-，。 \t\nİΣσςßǅ한カ٣①½ⅣＡ\u0307\u200b:'\"…"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(20000)]
    for text in texts:
        assert token_text(text) == " ".join(t for t, _, _ in cjk_tokens(text)), text


def test_a_plain_query_does_not_load_whoosh_parser():
    """Loading Whoosh's query parser costs ~0.15 s of every cold `docgen search`."""
    import subprocess
    import sys

    code = ("import sys; from docgen.search._query import parse; parse('网卡 \"主备切换\" XC-2025-0007'); "
            "print('whoosh.qparser' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_whoosh_parser_failures_become_query_errors():
    import pytest

    from docgen.search import QueryError
    from docgen.search._query import parse

    for text in ("NOT OR 网卡", "巡检 path:x", "a NOT ) ANDMAYBE b"):
        with pytest.raises(QueryError, match="无法解析查询"):
            parse(text)
