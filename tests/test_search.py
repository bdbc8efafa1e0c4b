"""Search over a corpus of real generated and added documents: Chinese words inside sentences,
names, service numbers, numbers in xlsx cells, words in docx tables and headers; filters; rebuild;
catch-up after a crash between archive write and index update; concurrent writers.

Every test that touches the index runs on both engines (the `backend` fixture: Whoosh, the default,
and tantivy, skipped only when the package is not installed); test_search_backends.py checks that
they find the same documents and covers choosing and switching the engine."""
from __future__ import annotations

import importlib.util
import json
import multiprocessing
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from docgen.archive import Archive
from docgen.cli import cli
from docgen.search import QueryError, SearchFilters, rebuild, search
from tests.conftest import EXAMPLES

PROJECT = "YNTD-YW-2025-001"
HAVE_TANTIVY = importlib.util.find_spec("tantivy") is not None
BACKENDS = ["whoosh", pytest.param("tantivy", marks=pytest.mark.skipif(
    not HAVE_TANTIVY, reason="tantivy 未安装（pip install -e '.[test,tantivy]'）"))]


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request) -> str:
    return request.param


def new_archive(path: Path, backend: str) -> Path:
    """An empty archive folder whose search engine is `backend` (Whoosh, the default, needs no file)."""
    path.mkdir(parents=True, exist_ok=True)
    if backend != "whoosh":
        (path / "config").mkdir(exist_ok=True)
        (path / "config" / "search.yaml").write_text(f"backend: {backend}\n", encoding="utf-8")
    return path


def engine_of(archive: Path) -> str:
    current = (archive / "index" / "CURRENT").read_text(encoding="utf-8")
    return json.loads((archive / "index" / current / "state.json").read_text(encoding="utf-8")).get("backend", "whoosh")


def _run(archive: Path, *args: str):
    return CliRunner().invoke(cli, ["--archive", str(archive), *args])


def _add(archive: Path, file: Path, *args: str):
    result = _run(archive, "archive", "add", str(file), *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)[0]


def _make_docx(path: Path, body: str, cell: str, header: str) -> Path:
    document = docx.Document()
    document.add_paragraph(body)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "服务单号"
    table.rows[0].cells[1].text = cell
    document.sections[0].header.paragraphs[0].text = header
    document.save(path)
    return path


def _make_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "运行状态"
    ws.append(["设备", "位置", "可用率"])
    ws.append(["核心交换机", "2号机柜", 99.95])
    wb.save(path)
    return path


def build_corpus(base: Path, backend: str) -> Path:
    archive = new_archive(base / "archive", backend)
    assert _run(archive, "generate", str(EXAMPLES / "plan.yaml")).exit_code == 0
    (base / "现场记录.txt").write_text("3月2日更换服务器A的网卡，故障单 INC-002 已关闭。\n李娜负责日常巡检。",
                                       encoding="utf-8")
    _add(archive, base / "现场记录.txt", "--project", PROJECT, "--type", "onsite_report", "--date", "2025-03-02",
         "--period", "2025-03", "--service-no", "XC-2025-0007")
    _add(archive, _make_docx(base / "外部报告.docx", "本月完成数据库主备切换演练。", "XC-2025-0009", "机密文件 甲方专用"),
         "--project", PROJECT, "--type", "service_report", "--date", "2025-04-05", "--period", "2025-03")
    _add(archive, _make_xlsx(base / "状态.xlsx"), "--project", PROJECT, "--type", "status_record",
         "--date", "2025-03-31", "--period", "2025-03")
    (base / "other.md").write_text("# 另一个项目\n更换网卡后恢复。", encoding="utf-8")
    _add(archive, base / "other.md", "--project", "OTHER-1", "--type", "onsite_report", "--date", "2025-05-01")
    assert engine_of(archive) == backend
    return archive


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, backend) -> Path:
    return build_corpus(tmp_path_factory.mktemp(f"corpus-{backend}"), backend)


def test_pages_and_counts(corpus):
    """The library hands out one page and the number of matches: pages continue each other in the order
    of one long search, the count is exact (phrases checked in the text) or says it stopped counting."""
    archive = Archive(corpus)
    for query in ("网卡", "巡检", "服务 记录", '"主备切换演练"', "NOT 网卡", "2025"):
        everything = search(archive, query, limit=200, count_to=200)
        ids = [(h.doc_id, h.version) for h in everything.hits]
        assert everything.total == len(ids) and everything.total_exact and not everything.total_more, query
        paged = []
        for offset in range(0, len(ids) + 3, 3):
            page = search(archive, query, limit=3, offset=offset, count_to=200)
            assert page.total == len(ids), query
            paged += [(h.doc_id, h.version) for h in page.hits]
        assert paged == ids, query
    counted = search(archive, "2025", limit=2, count_to=3)
    if counted.total_more:  # Whoosh stops counting at count_to; tantivy counts everything at once
        assert counted.total == 3
    else:
        assert counted.total == search(archive, "2025", limit=200, count_to=200).total
    newest = search(archive, "2025", limit=200, sort="date", count_to=200)
    dates = [h.date for h in newest.hits]
    assert dates == sorted(dates, reverse=True) and len(dates) > 3 and newest.total == len(dates)
    by_date = [(h.doc_id, h.version) for offset in range(0, len(dates), 2)
               for h in search(archive, "2025", limit=2, offset=offset, sort="date").hits]
    assert sorted(by_date) == sorted((h.doc_id, h.version) for h in newest.hits)  # every one once, no overlap
    assert dates == [h.date for offset in range(0, len(dates), 2)
                                  for h in search(archive, "2025", limit=2, offset=offset, sort="date").hits]
    with pytest.raises(QueryError, match="排序应为 relevance 或 date"):
        search(archive, "网卡", sort="size")


def test_estimated_counts():
    """What a page says when a phrase was checked in only some candidates' text."""
    from docgen.search._backend import page_count

    assert page_count(500, True, 0, 0, 1000, False) == (500, True, False)  # words only: the engine counted
    assert page_count(1001, False, 0, 0, 1000, False) == (1000, True, True)  # stopped counting: "more than"
    assert page_count(40, True, 40, 31, 1000, True) == (31, True, False)  # every candidate checked
    assert page_count(4000, True, 80, 60, 1000, True) == (3000, False, False)  # 3 in 4 checked hold it
    assert page_count(4000, False, 80, 60, 1000, True) == (1000, False, True)  # "more than 1 000"
    # 1 001 candidates looked at, more exist, 3 in 10 hold the phrase: at least about 300
    assert page_count(1001, False, 70, 21, 1000, True) == (300, False, True)


def _hits(archive: Path, query: str, **filters) -> list[tuple[str, str]]:
    result = search(Archive(archive), query, filters=SearchFilters(**filters))
    return [(h.project, h.doc_type) for h in result.hits]


@pytest.mark.parametrize("query,expected", [
    ("网卡", ("YNTD-YW-2025-001", "onsite_report")),         # two-character word inside a sentence
    ("巡检", ("YNTD-YW-2025-001", "plan")),                  # in the plan's scope table
    ("服务器A", ("YNTD-YW-2025-001", "onsite_report")),      # mixed Chinese + Latin
    ("2号机柜", ("YNTD-YW-2025-001", "status_record")),      # number + Chinese, in an xlsx cell
    ("99.95", ("YNTD-YW-2025-001", "status_record")),        # a number in an xlsx cell
    ("XC-2025-0007", ("YNTD-YW-2025-001", "onsite_report")),  # service number given with --service-no
    ("XC-2025-0009", ("YNTD-YW-2025-001", "service_report")),  # in a docx table
    ("INC-002", ("YNTD-YW-2025-001", "onsite_report")),
    ("HT-2025-0031", ("YNTD-YW-2025-001", "plan")),          # contract number on the plan's cover
    ("甲方专用", ("YNTD-YW-2025-001", "service_report")),     # in a docx header
    ("孙丽", ("YNTD-YW-2025-001", "plan")),                  # a reviewer's name
    ("备库", ("YNTD-YW-2025-001", "plan")),                  # a word in the plan's risk table
])
def test_each_query_finds_its_document(corpus, query, expected):
    assert expected in _hits(corpus, query)


def test_substring_match_is_exact_not_any_bigram(corpus):
    assert ("YNTD-YW-2025-001", "onsite_report") not in _hits(corpus, "服务器B")
    assert _hits(corpus, "XC-2025-0008") == []


def test_filters_exclude(corpus):
    assert {p for p, _ in _hits(corpus, "网卡")} == {"YNTD-YW-2025-001", "OTHER-1"}
    assert _hits(corpus, "网卡", project="OTHER-1") == [("OTHER-1", "onsite_report")]
    assert _hits(corpus, "网卡", doc_type="plan") == []
    import datetime

    assert _hits(corpus, "网卡", date_from=datetime.date(2025, 4, 1)) == [("OTHER-1", "onsite_report")]
    assert _hits(corpus, "网卡", date_to=datetime.date(2025, 3, 31)) == [(PROJECT, "onsite_report")]


def test_cli_search_output_and_json(corpus):
    result = _run(corpus, "search", "网卡", "--project", PROJECT, "--type", "onsite_report")
    assert result.exit_code == 0, result.output
    assert "【网卡】" in result.output and "现场记录" in result.output and ".txt" in result.output
    hits = json.loads(_run(corpus, "search", "更换网卡", "--json").stdout)
    assert set(hits[0]) == {"doc_id", "doc_type", "project", "title", "date", "path", "score", "snippet"}
    assert "【更换服务器A的网卡】" not in hits[0]["snippet"] and "【" in hits[0]["snippet"]
    assert Path(hits[0]["path"]).is_file()
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    # more matches than --limit: the last line says so and how to see them
    every = len(json.loads(_run(corpus, "search", "2025", "--json", "--limit", "200").stdout))
    shown = _run(corpus, "search", "2025", "--limit", "2")
    assert every > 2 and "显示前 2 条结果（" in shown.output and "用 --limit 显示更多" in shown.output
    assert f"共 {every} 条结果。" in _run(corpus, "search", "2025", "--limit", "200").output


def test_phrase_and_no_result_and_bad_queries(corpus):
    assert _hits(corpus, '"主备切换演练"')
    none = _run(corpus, "search", "完全不存在的词语")
    assert none.exit_code == 0 and "未找到匹配的文档" in none.output
    assert json.loads(_run(corpus, "search", "完全不存在的词语", "--json").stdout) == []
    empty = _run(corpus, "search", "  ")
    assert empty.exit_code == 1 and "搜索内容为空" in empty.stderr
    quote = _run(corpus, "search", '"网卡')
    assert quote.exit_code == 1 and "引号未配对" in quote.stderr
    for broken in ("NOT OR 网卡", "巡检 path:x"):  # Whoosh's parser fails on these with bare Python errors
        result = _run(corpus, "search", broken)
        assert result.exit_code == 1 and "无法解析查询" in result.stderr and "Traceback" not in result.output


def test_operators_fields_and_dates_in_the_query(corpus):
    assert {p for p, _ in _hits(corpus, "网卡 OR 甲方专用")} == {PROJECT, "OTHER-1"}
    assert ("OTHER-1", "onsite_report") not in _hits(corpus, "网卡 NOT 另一个项目")
    assert _hits(corpus, "project:OTHER-1") == [("OTHER-1", "onsite_report")]
    assert _hits(corpus, "service_no:XC-2025-0007") == [(PROJECT, "onsite_report")]
    assert _hits(corpus, "date:[20250401 TO 20250601] 网卡") == [("OTHER-1", "onsite_report")]
    assert (PROJECT, "plan") in _hits(corpus, "title:运维项目管理计划")


def test_reindex_after_deleting_index_gives_identical_results(corpus, tmp_path, backend):
    archive = tmp_path / "copy"
    shutil.copytree(corpus, archive)
    queries = ["网卡", "巡检", "XC-2025-0007", "99.95", "甲方专用"]
    before = {q: _hits(archive, q) for q in queries}
    shutil.rmtree(archive / "index")
    result = _run(archive, "reindex")
    assert result.exit_code == 0 and "5 个文档版本" in result.output
    assert {q: _hits(archive, q) for q in queries} == before
    again = _run(archive, "reindex")  # idempotent
    assert again.exit_code == 0 and {q: _hits(archive, q) for q in queries} == before
    assert len(list((archive / "index").glob("gen-*"))) <= 2
    assert engine_of(archive) == backend  # config/search.yaml outlives the index


def test_write_without_index_update_is_caught_up(tmp_path, backend):
    archive = Archive(new_archive(tmp_path / "a", backend))
    rebuild(archive)
    # the process "died" right after the archive write: no index update happened
    archive.put("断电后恢复供电".encode(), project="P1", doc_type="note", key=("x", "2025-03"), title="x",
                date=__import__("datetime").date(2025, 3, 1), period="2025-03", ext=".txt", source="test")
    assert [h.doc_type for h in search(archive, "恢复供电").hits] == ["note"]


def test_outdated_index_is_rebuilt_with_a_note(tmp_path, backend):
    archive_dir = new_archive(tmp_path / "a", backend)
    (tmp_path / "n.txt").write_text("巡检记录", encoding="utf-8")
    _add(archive_dir, tmp_path / "n.txt", "--project", "P1", "--type", "note")
    current = (archive_dir / "index" / "CURRENT").read_text(encoding="utf-8")
    state_file = archive_dir / "index" / current / "state.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    state["analyzer_id"] = "jieba-v0"
    state_file.write_text(json.dumps(state), encoding="utf-8")
    result = search(Archive(archive_dir), "巡检")
    assert len(result.hits) == 1 and "已从归档库重建" in result.notes[0]
    assert engine_of(archive_dir) == backend


def test_latest_version_only_by_default(tmp_path, backend):
    archive_dir = new_archive(tmp_path / "a", backend)
    note = tmp_path / "n.txt"
    note.write_text("第一版 旧内容", encoding="utf-8")
    first = _add(archive_dir, note, "--project", "P1", "--type", "note", "--period", "2025-03")
    note.write_text("第二版 新内容", encoding="utf-8")
    second = _add(archive_dir, note, "--project", "P1", "--type", "note", "--period", "2025-03")
    assert (first["version"], second["version"], second["status"]) == (1, 2, "version")
    archive = Archive(archive_dir)
    assert search(archive, "旧内容").hits == []
    assert [h.version for h in search(archive, "旧内容", filters=SearchFilters(all_versions=True)).hits] == [1]
    assert [h.version for h in search(archive, "新内容").hits] == [2]
    same = _add(archive_dir, note, "--project", "P1", "--type", "note", "--period", "2025-03")
    assert same["status"] == "unchanged"


def _add_many(archive_dir: str, worker: int, count: int) -> None:
    import datetime

    from docgen.ingest import add_document

    for i in range(count):
        path = Path(archive_dir).parent / f"w{worker}-{i}.txt"
        path.write_text(f"并发写入 工人{worker} 第{i}份 编号 W{worker}-{i}", encoding="utf-8")
        add_document(Archive(archive_dir), path, project="P1", doc_type="note", day=datetime.date(2025, 3, 1))


def test_concurrent_writers_are_all_indexed(tmp_path, backend):
    archive_dir = new_archive(tmp_path / "a", backend)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_add_many, args=(str(archive_dir), w, 6)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    result = search(Archive(archive_dir), "并发写入", limit=50)
    assert len(result.hits) == 12 and engine_of(archive_dir) == backend
    assert _run(archive_dir, "archive", "verify").exit_code == 0


@pytest.mark.parametrize("name,content,message", [
    ("broken.docx", b"this is not a zip", "不是有效的 .docx"),
    ("old.doc", b"\xd0\xcf\x11\xe0", "不支持的文件类型"),
])
def test_archive_add_refuses_bad_files_and_changes_nothing(tmp_path, name, content, message):
    archive_dir = tmp_path / "a"
    (tmp_path / name).write_bytes(content)
    result = _run(archive_dir, "archive", "add", str(tmp_path / name), "--project", "P1", "--type", "note")
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.output
    assert not (archive_dir / "documents").exists()


@pytest.mark.parametrize("args,message", [
    (["--project", "../x", "--type", "note"], "--project"),
    (["--project", "P1", "--type", "Bad-Type"], "--type"),
    (["--project", "P1", "--type", "note", "--period", "2025-13"], "--period"),
    (["--project", "P1", "--type", "note", "--date", "2025/01/01"], "YYYY-MM-DD"),
])
def test_archive_add_bad_arguments(tmp_path, args, message):
    (tmp_path / "n.txt").write_text("x", encoding="utf-8")
    result = _run(tmp_path / "a", "archive", "add", str(tmp_path / "n.txt"), *args)
    assert result.exit_code in (1, 2) and message in result.stderr
    assert not (tmp_path / "a").exists()


def test_demo_builds_index_and_shows_a_sample_search(demo_archive):
    root, output = demo_archive
    assert "示例搜索" in output and "【" in output
    assert (root / "index" / "CURRENT").is_file()


def test_demo_archive_searched_with_each_engine(demo_archive, tmp_path, backend):
    from docgen.demo import SAMPLE_QUERY

    root = tmp_path / "archive"
    shutil.copytree(demo_archive[0], root)
    result = _run(root, "reindex", "--backend", backend)
    assert result.exit_code == 0, result.output
    hits = json.loads(_run(root, "search", SAMPLE_QUERY, "--limit", "3", "--json").stdout)
    assert engine_of(root) == backend and len(hits) == 3 and all("【" in h["snippet"] for h in hits)


def test_a_long_running_process_finds_documents_added_after_it_searched_an_empty_index(tmp_path, backend):
    """A process keeps its searcher open between searches; Whoosh cannot refresh one opened on an
    empty index (TypeError in its reader reuse) after another process (the watcher) wrote, so it is
    reopened; tantivy's reader is reloaded before each search."""
    import subprocess
    import sys

    archive = Archive(new_archive(tmp_path / "archive", backend))
    rebuild(archive)  # an empty index, as a freshly started watcher leaves it
    assert search(archive, "网卡更换").hits == []
    note = tmp_path / "纪要.txt"
    note.write_text("会议纪要 网卡更换", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "docgen", "--archive", str(archive.root), "archive", "add", str(note),
                    "--project", "P1", "--type", "minutes"], check=True, capture_output=True)
    assert [h.title for h in search(archive, "网卡更换").hits] == ["纪要"]
    assert engine_of(archive.root) == backend
