"""The two search engines agree, and an archive chooses and switches between them: both engines find
the same documents in the same order with the same snippets on the test corpus, `docgen reindex
--backend` switches atomically and is recorded in ARCHIVE/config/search.yaml, and a missing tantivy
is a clear message, not a traceback."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from docgen.archive import Archive
from docgen.search import SearchFilters, rebuild, search
from tests.test_search import HAVE_TANTIVY, PROJECT, _run, build_corpus, engine_of, new_archive

needs_tantivy = pytest.mark.skipif(not HAVE_TANTIVY, reason="tantivy 未安装（pip install -e '.[test,tantivy]'）")


# --- same documents on both engines --------------------------------------------------------------

QUERIES = [
    "网卡", "巡检", "服务器A", "2号机柜", "99.95", "XC-2025-0007", "XC-2025-0009", "INC-002", "HT-2025-0031",
    "甲方专用", "孙丽", "备库", "更换网卡", '"主备切换演练"', '"网卡 故障"', "服务器B", "网卡 巡检", "运行 状态",
    "网卡 OR 巡检", "网卡 AND 恢复", "NOT 网卡", "网卡 NOT 巡检", "巡检 ANDNOT 网卡", "巡检 ANDMAYBE 网卡",
    "(网卡 OR 巡检) 2025", "project:OTHER-1", "doc_type:plan 巡检", "title:现场记录", "title:\"现场记录\"",
    "service_no:XC-2025-0007", "date:2025", "date:[20250401 TO 20250601] 网卡", "latest:true 网卡",
    "version:1 巡检", "网卡^2 OR 巡检", "完全不存在的词语", "，", "计划 报告 服务",
]


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> dict[str, Path]:
    """The test corpus on Whoosh, and the same archive copied and switched to tantivy."""
    if not HAVE_TANTIVY:
        pytest.skip("tantivy 未安装（pip install -e '.[test,tantivy]'）")
    whoosh = build_corpus(tmp_path_factory.mktemp("same-whoosh"), "whoosh")
    tantivy = tmp_path_factory.mktemp("same-tantivy") / "archive"
    shutil.copytree(whoosh, tantivy)
    assert _run(tantivy, "reindex", "--backend", "tantivy").exit_code == 0
    return {"whoosh": whoosh, "tantivy": tantivy}


def _uids(archive: Path, query: str, **filters) -> list[frozenset[tuple[str, int]]]:
    """The hits in order, as groups of equal score: each engine orders equal scores its own way (by
    where a document sits in its index), which is fixed for an index but not between engines."""
    result = search(Archive(archive), query, filters=SearchFilters(**filters), limit=50)
    groups: list[set[tuple[str, int]]] = []
    last = None
    for hit in result.hits:
        if hit.score != last:
            groups.append(set())
            last = hit.score
        groups[-1].add((hit.doc_id, hit.version))
    return [frozenset(g) for g in groups]


@pytest.mark.parametrize("query", QUERIES)
def test_both_engines_find_the_same_documents_in_the_same_order(corpora, query):
    whoosh, tantivy = _uids(corpora["whoosh"], query), _uids(corpora["tantivy"], query)
    assert set().union(*whoosh) == set().union(*tantivy)
    assert whoosh == tantivy  # BM25 on the same tokens: the same order here (scores differ in scale)


@pytest.mark.parametrize("filters", [
    {"project": PROJECT}, {"doc_type": "onsite_report"}, {"project": "OTHER-1"}, {"all_versions": True},
    {"date_from": __import__("datetime").date(2025, 3, 2), "date_to": __import__("datetime").date(2025, 3, 31)},
])
def test_both_engines_apply_the_same_filters(corpora, filters):
    for query in ("网卡", "巡检", "服务 记录", "2025"):
        assert _uids(corpora["whoosh"], query, **filters) == _uids(corpora["tantivy"], query, **filters), query


def test_both_engines_make_the_same_snippets(corpora):
    for query in ("网卡", "服务器A", '"主备切换演练"', "网卡 OR 巡检", "XC-2025-0007"):
        snippets = [[h.snippet for h in search(Archive(corpora[b]), query).hits] for b in ("whoosh", "tantivy")]
        assert snippets[0] == snippets[1] and all("【" in s for s in snippets[0]), query


def test_the_one_construct_only_whoosh_runs_is_a_chinese_message_on_tantivy(corpora):
    """A range of words ([a TO b]: meaningless over bigrams) has no tantivy query; dates ranges do."""
    assert _run(corpora["whoosh"], "search", "[a TO b]").exit_code == 0
    result = _run(corpora["tantivy"], "search", "[a TO b]")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "tantivy 搜索引擎不支持词语区间" in result.stderr and "--from/--to" in result.stderr


# --- choosing and switching the engine ----------------------------------------------------------


def _note(tmp_path: Path, text: str = "巡检记录 网卡更换") -> Path:
    path = tmp_path / "note.txt"
    path.write_text(text, encoding="utf-8")
    return path


@needs_tantivy
def test_reindex_backend_switches_and_records_the_choice(tmp_path):
    archive = tmp_path / "a"
    assert _run(archive, "archive", "add", str(_note(tmp_path)), "--project", "P1", "--type", "note").exit_code == 0
    assert engine_of(archive) == "whoosh" and not (archive / "config" / "search.yaml").exists()
    before = _uids(archive, "网卡")
    old_generation = (archive / "index" / "CURRENT").read_text(encoding="utf-8")

    result = _run(archive, "reindex", "--backend", "tantivy")
    assert result.exit_code == 0 and "1 个文档版本，搜索引擎 tantivy" in result.output
    assert engine_of(archive) == "tantivy" and _uids(archive, "网卡") == before
    assert (archive / "index" / "CURRENT").read_text(encoding="utf-8") != old_generation  # a new generation swapped in
    assert "backend: tantivy" in (archive / "config" / "search.yaml").read_text(encoding="utf-8")

    # later writes and a plain reindex stay on tantivy
    second = _note(tmp_path, "第二份 网卡 记录")
    assert _run(archive, "archive", "add", str(second), "--project", "P1", "--type", "minutes").exit_code == 0
    assert engine_of(archive) == "tantivy" and len(_uids(archive, "网卡")) == 2
    shutil.rmtree(archive / "index")
    assert "搜索引擎 tantivy" in _run(archive, "reindex").output and engine_of(archive) == "tantivy"

    back = _run(archive, "reindex", "--backend", "whoosh")
    assert back.exit_code == 0 and engine_of(archive) == "whoosh" and len(_uids(archive, "网卡")) == 2
    assert _run(archive, "archive", "verify").exit_code == 0  # config/ is not an unregistered document


@needs_tantivy
def test_hand_edited_config_is_followed_with_a_note(tmp_path):
    archive = tmp_path / "a"
    assert _run(archive, "archive", "add", str(_note(tmp_path)), "--project", "P1", "--type", "note").exit_code == 0
    new_archive(archive, "tantivy")  # writes config/search.yaml by hand
    result = search(Archive(archive), "网卡")
    assert len(result.hits) == 1 and engine_of(archive) == "tantivy"
    assert "改为 tantivy（原为 whoosh）" in result.notes[0]


def test_missing_tantivy_is_explained(tmp_path, monkeypatch):
    """An archive set to tantivy on a machine without it: which package to install, or how to go back."""
    monkeypatch.setitem(sys.modules, "tantivy", None)  # as if not installed
    archive = tmp_path / "a"
    assert _run(archive, "archive", "add", str(_note(tmp_path)), "--project", "P1", "--type", "note").exit_code == 0

    switch = _run(archive, "reindex", "--backend", "tantivy")
    assert switch.exit_code == 1 and "Traceback" not in switch.output
    assert "未安装搜索引擎 tantivy" in switch.stderr and "pip install tantivy" in switch.stderr
    assert not (archive / "config" / "search.yaml").exists() and engine_of(archive) == "whoosh"

    new_archive(archive, "tantivy")
    found = _run(archive, "search", "网卡")
    assert found.exit_code == 1 and "Traceback" not in found.output
    assert "pip install tantivy" in found.stderr and "docgen reindex --backend whoosh" in found.stderr
    added = _run(archive, "archive", "add", str(_note(tmp_path, "另一份")), "--project", "P1", "--type", "minutes")
    assert added.exit_code == 0 and "搜索索引暂未更新" in added.output + added.stderr  # archived all the same

    assert _run(archive, "reindex", "--backend", "whoosh").exit_code == 0
    assert len(json.loads(_run(archive, "search", "网卡", "--json").stdout)) == 1
    assert len(json.loads(_run(archive, "search", "另一份", "--json").stdout)) == 1


@pytest.mark.parametrize("content,message", [
    ("backend: elastic\n", "不是已知的搜索引擎"),
    ("backend: [whoosh\n", "不是有效的 YAML"),
])
def test_bad_search_config_names_the_file(tmp_path, content, message):
    archive = tmp_path / "a"
    assert _run(archive, "archive", "add", str(_note(tmp_path)), "--project", "P1", "--type", "note").exit_code == 0
    (archive / "config").mkdir()
    (archive / "config" / "search.yaml").write_text(content, encoding="utf-8")
    result = _run(archive, "search", "网卡")
    assert result.exit_code == 1 and message in result.stderr and "search.yaml" in result.stderr
    assert "Traceback" not in result.output


def test_whoosh_index_from_before_the_tokenizer_moved_still_opens(tmp_path):
    """Whoosh pickles the schema with the tokenizer's class path docgen.search._analysis.CjkBigramTokenizer;
    the class now lives in _whoosh.py and is still pickled, and found, under that name."""
    archive = Archive(tmp_path / "a")
    archive.root.mkdir()
    rebuild(archive)
    generation = archive.root / "index" / (archive.root / "index" / "CURRENT").read_text(encoding="utf-8")
    toc = next(generation.glob("_MAIN_*.toc")).read_bytes()
    assert b"docgen.search._analysis" in toc and b"CjkBigramTokenizer" in toc
    from docgen.search._whoosh import WhooshBackend

    WhooshBackend._last_opened = None
    assert WhooshBackend.open(generation).uids() == set()


def test_a_tantivy_search_never_loads_whoosh(corpora):
    """Whoosh's modules cost ~0.15–0.2 s of a cold start; a tantivy archive's search needs none of them."""
    import subprocess

    code = ("import sys; from docgen.archive import Archive; from docgen.search import search; "
            f"hits = search(Archive({str(corpora['tantivy'])!r}), '网卡 \"服务器A\"').hits; "
            "print(len(hits), sorted({m.split('.')[0] for m in sys.modules if m.startswith('whoosh')}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split(" ", 1)
    assert int(out[0]) > 0 and out[1].strip() == "[]"
