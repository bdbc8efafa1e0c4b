"""Queries as small engine-neutral trees, so every backend accepts the same syntax with the same meaning.

The syntax is Whoosh's default query language (the one docgen has always had): words, "phrases",
AND / OR / NOT / ANDNOT / ANDMAYBE, (groups), field:value, ^boosts, [ranges]. Plain queries — words
and "phrases" only, which is nearly every query people type — are parsed here without loading
Whoosh (~0.15 s of a cold `docgen search`); anything else goes through Whoosh's own parser and is
translated (`_whoosh.query_tree`). tests/test_search.py checks that both routes give the same tree.

A phrase is matched the way the Whoosh backend always matched it: its tokens with a plain AND, then
only hits whose stored text really holds the words in a row (`relax`). So both engines find the
same documents and mark the same words in snippets."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Union

from docgen.search._analysis import cjk_tokens
from docgen.search._snippet import word_pattern

DEFAULT_FIELD = "content"  # the title is also at the head of `content`, so one field serves both


@dataclass(frozen=True)
class Term:
    field: str
    text: Any  # str for text and ID fields, bool for `latest`, int for `version`
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    field: str
    words: tuple[str, ...]
    boost: float = 1.0
    slop: int = 1  # Whoosh's count: 1 = the words next to each other ("a b"~2 allows one word between)


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class AndNot:
    positive: Node
    negative: Node


@dataclass(frozen=True)
class AndMaybe:
    required: Node
    optional: Node


@dataclass(frozen=True)
class Range:
    """field in [low, high]; a None bound is open. Dates are datetime.datetime, versions int, and
    terms of a text or ID field str (`[a TO b]`, which only Whoosh can run)."""

    field: str
    low: Any
    high: Any
    low_excluded: bool = False
    high_excluded: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class Every:
    """Every document."""


@dataclass(frozen=True)
class Nothing:
    """No document (a query of punctuation only, or empty quotes)."""


Node = Union[Term, Phrase, And, Or, Not, AndNot, AndMaybe, Range, Every, Nothing]

# Anything that makes a query more than words and "phrases" for Whoosh's parser: field:value,
# (groups), 'single quotes', ^boost, [ranges], "phrase"~slop, and the operator words below.
_SYNTAX = re.compile(r"[:()'^\[\]{}~]")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_ITEMS = re.compile(r'"([^"]*)"|[^\s"]+')


def word_node(field: str, text: str) -> Node | None:
    """A word or a phrase's text as the analyzer sees it: one token is a term, several a phrase."""
    words = tuple(token for token, _, _ in cjk_tokens(text))
    if not words:
        return None
    return Term(field, words[0]) if len(words) == 1 else Phrase(field, words)


def parse_plain(text: str) -> Node | None:
    """The tree of a query of words and "phrases" only (all of them must match); None when the
    query uses any other syntax."""
    if _SYNTAX.search(text):
        return None
    items: list[Node] = []
    for match in _ITEMS.finditer(text):
        quoted = match.group(1)
        if quoted is None and match.group(0) in _OPERATORS:
            return None
        node = word_node(DEFAULT_FIELD, match.group(0) if quoted is None else quoted)
        if node is not None:
            items.append(node)
    return all_of(items)


def all_of(items: list[Node]) -> Node:
    items = list(dict.fromkeys(items))  # Whoosh's parser drops repeated words too
    if not items:
        return Nothing()
    return items[0] if len(items) == 1 else And(tuple(items))


def parse(text: str) -> Node:
    """The query tree of `text` (QueryError for syntax Whoosh's parser refuses or no engine supports)."""
    node = parse_plain(text)
    if node is not None:
        return node
    from docgen.search._whoosh import query_tree

    return query_tree(text)


@dataclass
class Plan:
    """What an engine runs: the query with phrases relaxed to ANDs of their tokens, the patterns
    every hit's stored text must contain (phrases in an AND context), and the patterns to mark in
    snippets (every word not under NOT)."""

    query: Node
    required: list[re.Pattern[str]]
    marks: list[re.Pattern[str]]


def relax(node: Node) -> Plan:
    """Positional phrase matching is Whoosh's slowest path (hundreds of ms over common bigrams); a
    plain AND of the tokens plus a check of the stored text finds the same documents. Only what
    Whoosh's backend always walked is relaxed: AND, OR and NOT; ANDNOT/ANDMAYBE keep real phrases.
    Like Whoosh's, the rebuilt AND/OR nodes drop a group's ^boost, so both engines score alike."""
    required: list[re.Pattern[str]] = []
    marks: list[re.Pattern[str]] = []

    def walk(node: Node, must: bool, positive: bool) -> Node:
        if isinstance(node, Phrase):
            if positive:
                marks.append(word_pattern(list(node.words)))
                if must:
                    required.append(marks[-1])
            return And(tuple(Term(node.field, w) for w in node.words))
        if isinstance(node, Term) and node.field == DEFAULT_FIELD and isinstance(node.text, str):
            if positive:
                marks.append(word_pattern([node.text]))
            return node
        if isinstance(node, Not):
            return Not(walk(node.item, False, False))
        if isinstance(node, Or):
            return Or(tuple(walk(q, False, positive) for q in node.items))
        if isinstance(node, And):
            return And(tuple(walk(q, must, positive) for q in node.items))
        return node

    return Plan(walk(node, True, True), required, marks)
