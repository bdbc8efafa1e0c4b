"""`docgen serve`: the quality department's read-only pages, driven over HTTP with Starlette's TestClient on
copies of the demo archive — every route and its key content, the error paths, the safety rules (read
only, nothing outside the archive's documents, everything escaped, security headers), login and
`serve adduser`. The figures are compared with what the command line prints for the same question."""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections import deque
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from docgen.archive import Archive
from docgen.cli import cli
from docgen.ingest import add_document
from docgen.serve import add_user, create_app, read_users

P = "YNTD-YW-2025-001"
AS_OF = datetime.date(2026, 3, 1)  # the demo's audit day: README lists its 10 findings
PLAN = f"{P}/plan"
ONSITE = f"{P}/onsite_form/XC-2025-0007"
CSP = "default-src 'self'"


def _client(root: Path, **kwargs) -> TestClient:
    return TestClient(create_app(Archive(root), today=lambda: AS_OF, **kwargs))


@pytest.fixture(scope="module")
def served(demo_archive, tmp_path_factory) -> tuple[Path, TestClient]:
    """One copy of the demo archive for the tests that only read (the crawl test proves the pages never write)."""
    root = tmp_path_factory.mktemp("served") / "archive"
    shutil.copytree(demo_archive[0], root)
    return root, _client(root)


@pytest.fixture
def client(served) -> TestClient:
    return served[1]


def _cli_json(root: Path, *args: str) -> object:
    result = CliRunner().invoke(cli, ["--archive", str(root), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _record(root: Path, doc_id: str, version: int | None = None) -> dict:
    versions = Archive(root).versions(doc_id)
    return versions[-1] if version is None else next(r for r in versions if r["version"] == version)


def _text_doc(root: Path, tmp_path: Path, text: str, *, title: str, name: str = "note.txt") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return add_document(Archive(root), path, project=P, doc_type="minutes", title=title,
                        day=datetime.date(2025, 3, 2)).doc_id


def _assert_chinese_page(response, status: int) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert re.search(r"[\u4e00-\u9fff]", response.text)
    assert "Traceback" not in response.text and "File \"" not in response.text


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("href", "src", "data-url", "action"):
                self.links.append(value)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


# --- every page ---------------------------------------------------------------------------------------------


def test_home_has_the_search_box_and_links(client):
    r = client.get("/")
    assert r.status_code == 200
    assert '<form id="search-form"' in r.text and 'action="/search"' in r.text
    assert re.search(r'<input id="q" name="q"', r.text)
    for target in ('href="/projects"', 'href="/kpi"', 'href="/ledger"', f'href="/project/{P}"'):
        assert target in r.text
    for word in ("搜索", "项目", "KPI", "账本"):
        assert f">{word}</a>" in r.text
    assert "微软雅黑" in client.get("/static/style.css").text


def test_every_response_carries_the_security_headers(client, served):
    for url in ("/", "/static/style.css", "/static/verify.js", f"/download/{PLAN}", f"/preview/{PLAN}", "/nope",
                "/api/search?q=网卡", f"/verify/{PLAN}"):
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        assert csp.startswith(CSP) and "'unsafe-inline'" not in csp and "frame-ancestors 'self'" in csp, url
        assert r.headers["x-content-type-options"] == "nosniff", url
        assert r.headers["referrer-policy"] == "same-origin", url
    assert client.post("/").headers["x-content-type-options"] == "nosniff"


def test_no_page_has_inline_script(client):
    for url in ("/", "/search?q=网卡", f"/doc/{PLAN}", f"/project/{P}", "/kpi?month=2025-12", "/ledger", "/projects"):
        html = client.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url  # CSP would refuse it anyway
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), url  # no onclick= and the like
        assert not re.search(r"<[^>]+\sstyle\s*=", html) and "<style" not in html, url


def test_search_page_lists_hits_with_type_project_date_number_and_highlight(client, served):
    r = client.get("/search", params={"q": "网卡"})
    assert r.status_code == 200
    count = re.search(r'id="result-count"[^>]*>(.*?)</p>', r.text, re.S).group(1)
    cli_hits = _cli_json(served[0], "search", "网卡", "--json", "--limit", "1000")
    assert f"共 {len(cli_hits)} 条结果" in count and len(cli_hits) > 20
    items = re.findall(r'<li class="result">(.*?)</li>', r.text, re.S)
    assert len(items) == 20
    first = items[0]
    hit = cli_hits[0]
    assert f'<a class="result-title" href="/doc/{quote(hit["doc_id"])}?v=' in first
    assert "现场服务单" in first and P in first and hit["date"] in first
    assert f"文件编号 {_record(served[0], hit['doc_id'])['doc_no']}" in first
    assert "<mark>网卡</mark>" in first
    assert 'class="next-page"' in r.text
    second = client.get("/search", params={"q": "网卡", "page": 2}).text
    assert len(re.findall(r'<li class="result">', second)) == len(cli_hits) - 20
    assert 'class="next-page"' not in second and 'class="prev-page"' in second


def test_search_agrees_with_the_command_line_on_filters_and_order(client, served):
    root = served[0]
    for params, args in [({"q": "网卡", "type": "现场服务单"}, ["--type", "onsite_form"]),
                         ({"q": "网卡", "type": "onsite_report", "project": P}, ["--type", "onsite_report", "--project", P]),
                         ({"q": "网卡", "from": "2025-03-01", "to": "2025-06-30"}, ["--from", "2025-03-01", "--to", "2025-06-30"]),
                         ({"q": "网卡", "all_versions": "1"}, ["--all-versions"])]:
        api = client.get("/api/search", params=params).json()
        expected = _cli_json(root, "search", "网卡", *args, "--json", "--limit", "1000")
        assert api["count"] == len(expected), params
        assert [h["doc_id"] for h in api["hits"]] == [h["doc_id"] for h in expected[:20]], params


def test_search_pages_continue_each_other_and_count_phrases(client, served):
    """Each page asks the library for its 20 hits and the count (not for all hits); page 2 goes on where
    page 1 stopped, and a phrase query's count is the documents that hold the phrase."""
    root = served[0]
    for q in ("网卡", '"网卡 故障"', "服务 NOT 网卡"):
        expected = [h["doc_id"] for h in _cli_json(root, "search", q, "--json", "--limit", "1000")]
        pages = []
        first = client.get("/api/search", params={"q": q}).json()
        for n in range(1, first["pages"] + 1):
            got = client.get("/api/search", params={"q": q, "page": n}).json()
            assert got["count"] == len(expected) and got["count_exact"], q
            pages += [h["doc_id"] for h in got["hits"]]
        assert pages == expected, q
    past = client.get("/search", params={"q": "网卡", "page": 3})
    assert past.status_code == 200 and "第 2/2 页" in past.text  # an old link past the end: the last page
    too_far = client.get("/search", params={"q": "网卡", "page": 51})
    assert too_far.status_code == 400 and "最多列出 1000 条（50 页）" in too_far.text


def test_search_sorted_by_date(client):
    dates = [h["date"] for h in client.get("/api/search", params={"q": "网卡", "sort": "date"}).json()["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert 'selected>按日期' in client.get("/search", params={"q": "网卡", "sort": "date"}).text


def test_api_search_has_the_fields_of_search_json_plus_urls(client, served):
    api = client.get("/api/search", params={"q": "网卡"}).json()
    assert set(api) == {"count", "count_exact", "count_more", "page", "pages", "hits", "notes"}
    assert api["count_exact"] is True and api["count_more"] is False and api["page"] == 1
    assert api["pages"] == -(-api["count"] // 20)
    expected = _cli_json(served[0], "search", "网卡", "--json")
    assert len(api["hits"]) == len(expected) == 20
    for got, want in zip(api["hits"], expected):
        assert set(got) == set(want) | {"url", "download_url"}
        assert {k: got[k] for k in want} == want
        assert got["url"].startswith("/doc/") and got["download_url"].startswith("/download/")
        assert client.get(got["url"]).status_code == 200


@pytest.mark.parametrize("params, message", [
    ({"q": "网卡", "type": "计划"}, "没有文档类型 “计划”"),
    ({"q": "网卡", "project": "YNTD-YW-2025-01"}, "归档库中没有项目 YNTD-YW-2025-01 的文档，是否为 YNTD-YW-2025-001?"),
    ({"q": "网卡", "from": "2025-13-01"}, "起始日期“2025-13-01”格式不对"),
    ({"q": '"网卡'}, "引号未配对"),
    ({"q": "网卡", "sort": "size"}, "排序方式“size”无效"),
    ({"q": "网卡", "page": "0"}, "页码“0”无效"),
])
def test_search_mistakes_are_chinese_messages_on_the_page(client, params, message):
    r = client.get("/search", params=params)
    _assert_chinese_page(r, 400)
    assert message in r.text.replace("&#34;", '"').replace("&quot;", '"')
    assert 'id="search-form"' in r.text  # the form stays, to correct the mistake
    api = client.get("/api/search", params=params)
    assert api.status_code == 400 and message in api.json()["error"]


def test_search_without_words_shows_the_form(client):
    r = client.get("/search")
    assert r.status_code == 200 and "请输入要查找的文字" in r.text and "result-count" not in r.text


def test_snippet_markup_is_built_from_text_and_escaped(served, tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(served[0], root)
    _text_doc(root, tmp_path, "巡检记录 <b>主备网卡</b> 更换 <script>alert(2)</script> 【旧标记】 & 完成", title="网卡纪要")
    html = _client(root).get("/search", params={"q": "主备网卡", "type": "minutes"}).text
    assert "<script>alert" not in html and "<b>" not in html
    assert "&lt;b&gt;<mark>主备网卡</mark>&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


# --- one document -------------------------------------------------------------------------------------------


def test_document_page_shows_its_control_data_versions_and_actions(client, served):
    record = _record(served[0], PLAN)
    r = client.get(f"/doc/{PLAN}")
    assert r.status_code == 200
    html = r.text
    for text in (record["doc_no"], record["title"], "运维项目管理计划", P, "2025年度", record["date"],
                 record["doc_version"], "第 1 版", record["sha256"], record["template"]):
        assert text in html, text
    assert '<table class="list" id="versions">' in html
    assert re.search(r"第 \d+ 行　\d{4}-\d\d-\d\d \d\d:\d\d:\d\d　归档（示例项目）", html)
    assert f'<a id="download" class="button" href="/download/{PLAN}?v=1">' in html
    assert f'<iframe id="preview" src="/preview/{PLAN}?v=1"' in html
    assert f'<button id="verify" type="button" data-url="/verify/{PLAN}?v=1">' in html
    assert 'id="verify-result"' in html and '<script src="/static/verify.js"></script>' in html
    js = client.get("/static/verify.js").text
    assert "verify-result" in js and "fetch(" in js


def test_document_versions_and_their_ledger_lines(served, tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(served[0], root)
    doc_id = _text_doc(root, tmp_path, "第一稿 网卡", title="周例会纪要")
    assert _text_doc(root, tmp_path, "第二稿 网卡 交换机", title="周例会纪要", name="note2.txt") == doc_id
    client = _client(root)
    latest = client.get(f"/doc/{doc_id}").text
    assert "第 2 版（共 2 版）" in latest
    assert latest.count('href="/doc/') >= 2 and f"/download/{quote(doc_id)}?v=1" in latest
    ledger = Archive(root).ledger_lines()
    lines = [n for n, e in ledger if e.get("doc_id") == doc_id]
    assert len(lines) == 2 and all(f"第 {n} 行" in latest for n in lines)
    old = client.get(f"/doc/{doc_id}", params={"v": 1}).text
    assert _record(root, doc_id, 1)["sha256"] in old and "不是最新版本" in old
    api = client.get(f"/api/doc/{doc_id}", params={"v": 1}).json()
    assert api["doc"]["version"] == 1 and api["doc"]["latest_version"] == 2
    assert [v["version"] for v in api["versions"]] == [2, 1]
    assert [e["line"] for v in reversed(api["versions"]) for e in v["ledger"]] == lines
    for v in ("9", "abc", "0"):
        r = client.get(f"/doc/{doc_id}", params={"v": v})
        _assert_chinese_page(r, 404)
        assert f"没有第 {v} 版" in r.text


def test_api_doc_shows_what_the_page_shows(client, served):
    record = _record(served[0], ONSITE)
    data = client.get(f"/api/doc/{ONSITE}").json()
    doc = data["doc"]
    assert doc["doc_no"] == record["doc_no"] and doc["doc_version"] == record["doc_version"]
    assert doc["sha256"] == record["sha256"] and doc["doc_type_name"] == "现场服务单"
    assert doc["download_url"] == f"/download/{ONSITE}?v={record['version']}"
    assert "facts" not in doc


@pytest.mark.parametrize("doc_id", [PLAN, ONSITE, f"{P}/status_record/routine/2025-03", f"{P}/kpi_report/2025-12"])
def test_download_gives_the_archived_bytes_with_the_chinese_file_name(client, served, doc_id):
    root = served[0]
    record = _record(root, doc_id)
    r = client.get(f"/download/{doc_id}")
    assert r.status_code == 200
    assert hashlib.sha256(r.content).hexdigest() == record["sha256"]
    assert r.content == (root / record["path"]).read_bytes()
    disposition = r.headers["content-disposition"]
    name = f"{record['doc_no']}_{record['title']}{record['ext']}"
    assert disposition.startswith("attachment; filename=\"")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert re.search(r'filename="[A-Za-z0-9._-]+"', disposition)
    assert unquote(disposition.split("''", 1)[1]) == name
    kinds = {".docx": "wordprocessingml", ".xlsx": "spreadsheetml"}
    assert kinds[record["ext"]] in r.headers["content-type"]


def test_preview_word_excel_text_pdf_and_others(client, served, tmp_path):
    word = client.get(f"/preview/{PLAN}")
    assert word.status_code == 200 and "<article class=\"word-preview\">" in word.text
    assert "某供电局调度自动化系统运维服务项目" in word.text and "<script" not in word.text
    sheet = client.get(f"/preview/{P}/status_record/routine/2025-03")
    assert sheet.status_code == 200 and '<table class="sheet">' in sheet.text and "<td>" in sheet.text
    # docgen's KPI workbook holds formulas nothing has computed yet: the preview shows them (marked), not blanks,
    # and its columns are as wide as their longest text (a 文件编号 is not wrapped one character per line)
    kpi = client.get(f"/preview/{P}/kpi_report/2025-12").text
    assert re.search(r'<td class="formula" title="公式：打开文件时由 Excel/WPS 计算">=[A-Z(]', kpi)
    assert "灰色斜体的是还没有计算过的公式" in kpi and '<col class="cw-' in kpi

    root = tmp_path / "archive"
    shutil.copytree(served[0], root)
    text_id = _text_doc(root, tmp_path, "纪要 <i>斜体</i> & 结论", title="纪要")
    from pypdf import PdfWriter

    pdf = PdfWriter()
    pdf.add_blank_page(200, 200)
    pdf.write(str(tmp_path / "scan.pdf"))
    pdf_id = add_document(Archive(root), tmp_path / "scan.pdf", project=P, doc_type="minutes", title="扫描件").doc_id
    other = Archive(root).put(b"PK\x03\x04 not really", project=P, doc_type="minutes", key=("包",), title="压缩包",
                              date=datetime.date(2025, 3, 3), period="2025-03", ext=".zip", source="test")
    local = _client(root)
    text = local.get(f"/preview/{text_id}")
    assert '<pre class="text-preview">纪要 &lt;i&gt;斜体&lt;/i&gt; &amp; 结论</pre>' in text.text
    shown = local.get(f"/preview/{pdf_id}")
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline;") and shown.content.startswith(b"%PDF")
    unsupported = local.get(f"/preview/{other.doc_id}")
    assert unsupported.status_code == 200 and "无法预览，请下载原文件" in unsupported.text
    assert local.get(f"/download/{other.doc_id}").headers["content-type"] == "application/zip"


def test_word_preview_keeps_no_script_links(tmp_path):
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE

    from docgen.serve._preview import preview_document

    document = docx.Document()
    paragraph = document.add_paragraph("见 ")
    for target in ("javascript:alert(1)", "https://example.com/a?b=1"):
        rel = paragraph.part.relate_to(target, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = docx.oxml.OxmlElement("w:hyperlink")
        link.set(docx.oxml.ns.qn("r:id"), rel)
        run = docx.oxml.OxmlElement("w:r")
        text = docx.oxml.OxmlElement("w:t")
        text.text = "<script>链接</script>"
        run.append(text)
        link.append(run)
        paragraph._p.append(link)
    buffer = BytesIO()
    document.save(buffer)
    html = preview_document(buffer.getvalue(), ".docx").html
    assert "javascript:" not in html and 'href="https://example.com/a?b=1"' in html
    assert "<script>" not in html and "&lt;script&gt;链接&lt;/script&gt;" in html
    assert preview_document(b"not a zip", ".docx").kind == "none"
    assert preview_document(b"not a zip", ".xlsx").kind == "none"


def test_verify_rehashes_the_file(client, served, tmp_path):
    record = _record(served[0], PLAN)
    ok = client.get(f"/verify/{PLAN}")
    assert ok.json() == {"ok": True, "expected": record["sha256"], "actual": record["sha256"],
                         "message": "校验通过：文件与归档时的 SHA-256 一致"}
    root = tmp_path / "archive"
    shutil.copytree(served[0], root)
    with open(root / record["path"], "ab") as fh:
        fh.write(b"tampered")
    bad = _client(root).get(f"/verify/{PLAN}").json()
    assert bad["ok"] is False and bad["expected"] == record["sha256"] and bad["actual"] != record["sha256"]
    assert bad["message"].startswith("校验未通过：文件的 SHA-256 与归档时不同")
    (root / record["path"]).unlink()
    gone = _client(root).get(f"/verify/{PLAN}").json()
    assert gone["ok"] is False and gone["actual"] is None and "缺失" in gone["message"]
    _assert_chinese_page(_client(root).get(f"/download/{PLAN}"), 404)


# --- nothing outside the archive's documents -------------------------------------------------------------------


@pytest.mark.parametrize("route", ["doc", "download", "preview", "verify", "api/doc"])
@pytest.mark.parametrize("doc_id", [
    "../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%2f..%2fledger.jsonl", "%2Fetc%2Fpasswd", "/etc/passwd",
    f"{P}/plan/../../../ledger.jsonl", f"{P}/%2e%2e/%2e%2e/ledger.jsonl", f"{P}/no_such_type", "NOPE/plan", "",
])
def test_doc_ids_are_looked_up_never_joined_onto_a_path(client, route, doc_id):
    r = client.get(f"/{route}/{doc_id}")
    assert r.status_code == 404
    assert "root:" not in r.text and '"action"' not in r.text
    if r.headers["content-type"].startswith("application/json"):  # /verify and /api answer in JSON
        assert re.search(r"[\u4e00-\u9fff]", r.json()["error"])
    else:
        _assert_chinese_page(r, 404)


def test_a_symlink_planted_in_documents_is_refused(served, tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(served[0], root)
    record = _record(root, PLAN)
    target = root / record["path"]
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0 机密", encoding="utf-8")
    target.unlink()
    target.symlink_to(secret)
    client = _client(root)
    for url in (f"/download/{PLAN}", f"/preview/{PLAN}"):
        r = client.get(url)
        _assert_chinese_page(r, 404)
        assert "机密" not in r.text
    verdict = client.get(f"/verify/{PLAN}").json()
    assert verdict["ok"] is False and verdict["actual"] is None and "指向归档文档目录之外" in verdict["message"]
    inside = _record(root, ONSITE)  # a link to another archived document is refused as well
    target.unlink()
    target.symlink_to(root / inside["path"])
    for url in (f"/download/{PLAN}", f"/preview/{PLAN}"):
        r = client.get(url)
        _assert_chinese_page(r, 404)
        assert "是符号链接，拒绝读取" in r.text
    verdict = client.get(f"/verify/{PLAN}").json()
    assert verdict["ok"] is False and "符号链接" in verdict["message"]


def test_archive_strings_are_escaped(served, tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(served[0], root)
    title = "<script>alert(1)</script>"
    doc_id = _text_doc(root, tmp_path, "会议纪要 网卡 更换", title=title)
    client = _client(root)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for url in (f"/doc/{quote(doc_id, safe='/')}", f"/project/{P}", "/ledger",
                "/search?" + "q=" + quote("更换") + "&type=minutes", f"/preview/{quote(doc_id, safe='/')}"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "<script>alert" not in r.text, url
        if not url.startswith("/preview/"):
            assert escaped in r.text, url


# --- a project ----------------------------------------------------------------------------------------------------


def test_project_page_shows_plan_grid_findings_and_leftovers(client, served):
    from docgen.metrics.audit import audit_project
    from docgen.metrics.kpi import report_ratio

    r = client.get(f"/project/{P}")
    assert r.status_code == 200
    html = r.text
    for text in ("某供电局调度自动化系统运维服务项目", "某供电局", "2025-01-01 至 2025-12-31", "V1.0"):
        assert text in html
    grid = re.search(r'<table class="grid" id="grid">(.*?)</table>', html, re.S).group(1)
    assert all(f"<th>2025-{m:02d}</th>" in grid for m in range(1, 13))
    cells = re.findall(r'<td class="slot ([a-z-]+)"', grid)
    assert len(cells) == 2 * 12 and set(cells) == {"delivered"}  # 运维服务报告 monthly, 现场服务报告单 per service
    assert "运维服务报告" in grid and "现场服务报告单" in grid
    # a cell names what was delivered in a few characters: the 文件编号 without the project code (full on hover)
    # for a monthly report, the service number for a per-service one
    assert re.search(rf'title="2025-03：{P}-FWBG-2025-03">FWBG-2025-03</a>', grid)
    assert re.search(rf'title="XC-2025-0007：{P}-XCBGD-XC-2025-0007">XC-2025-0007</a>', grid)
    data = client.get(f"/api/project/{P}").json()
    archive = Archive(served[0])
    for i, month in enumerate(data["schedule"]["months"]):
        ratio = report_ratio(archive, month, P)
        assert sum(row["cells"][i]["due"] for row in data["schedule"]["rows"]) == ratio.due
        assert sum(row["cells"][i]["delivered"] for row in data["schedule"]["rows"]) == ratio.delivered
    audit = audit_project(archive, P, as_of=AS_OF).as_json()
    findings = re.search(r'<table class="list" id="findings">(.*?)</table>', html, re.S).group(1)
    assert findings.count("<tr class=") == len(audit["findings"]) == 10
    assert all(f["message"].replace("<", "&lt;") in findings.replace("&#39;", "'") for f in audit["findings"])
    assert [f["message"] for f in data["audit"]["findings"]] == [f["message"] for f in audit["findings"]]
    assert 'id="leftovers"' in html and data["leftovers"] == []  # the demo's one leftover closed late (a finding)
    assert f'href="/doc/{PLAN}?v=1"' in html


def test_project_page_lists_open_and_overdue_leftovers(served, tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(served[0], root)
    early = TestClient(create_app(Archive(root), today=lambda: datetime.date(2025, 3, 25)))
    data = early.get(f"/api/project/{P}").json()
    assert [x["id"] for x in data["leftovers"]] == ["XC-2025-0007#1"]
    assert data["leftovers"][0]["overdue"] is True and data["leftovers"][0]["overdue_days"] == 5
    html = early.get(f"/project/{P}").text
    assert "逾期 5 天" in re.search(r'id="leftovers">(.*?)</table>', html, re.S).group(1)


def test_report_grid_marks_missing_due_and_not_due_reports(tmp_path):
    from docgen.pipeline import generate
    from docgen.render import TemplateSet
    from tests.conftest import EXAMPLES

    archive = Archive(tmp_path / "archive")
    generate([EXAMPLES / "plan.yaml"], archive=archive, templates=TemplateSet())  # the plan and nothing else
    client = TestClient(create_app(archive, today=lambda: datetime.date(2025, 3, 15)))
    grid = re.search(r'<table class="grid" id="grid">(.*?)</table>', client.get(f"/project/{P}").text, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", grid.split("<tbody>")[1], re.S)
    monthly = re.findall(r'<td class="slot ([a-z-]+)"', rows[0])
    assert "运维服务报告" in rows[0] and monthly == ["missing", "missing", "due"] + ["not-due"] * 9
    assert "现场服务报告单" in rows[1] and set(re.findall(r'<td class="slot ([a-z-]+)"', rows[1])) == {"not-due"}
    assert "缺失" in rows[0] and "0/1" in rows[0]


@pytest.mark.parametrize("code, message", [("YNTD-YW-2025-01", "是否为 YNTD-YW-2025-001?"), ("_all", "保留名称"),
                                            ("%2E%2E", "归档库中没有项目")])
def test_unknown_project_is_a_chinese_404(client, code, message):
    r = client.get(f"/project/{code}")
    _assert_chinese_page(r, 404)
    assert message in r.text
    assert client.get(f"/api/project/{code}").status_code == 404


def test_projects_page_lists_the_projects(client, served):
    html = client.get("/projects").text
    assert f'<a href="/project/{P}">{P}</a>' in html and "某供电局调度自动化系统运维服务项目" in html
    documents = len(Archive(served[0]).records(project=P))  # each document once, whatever its versions
    assert re.search(rf'<td class="num">{documents}</td>', html)


# --- KPI ----------------------------------------------------------------------------------------------------------


def test_kpi_page_shows_the_figures_of_docgen_kpi(client, served):
    before = (served[0] / "ledger.jsonl").read_bytes()
    r = client.get("/kpi", params={"month": "2025-12"})
    assert r.status_code == 200
    html = r.text
    assert '<input id="month" name="month" type="month" value="2025-12"' in html
    assert '<a id="kpi-workbook" class="button" href="/kpi/workbook?month=2025-12">' in html
    assert '<svg id="trend"' in html and "<polyline" in html
    expected = _cli_json(served[0], "kpi", "2025-12", "--json", "--no-archive")
    api = client.get("/api/kpi", params={"month": "2025-12"}).json()
    assert api["indicators"] == expected["indicators"]
    table = re.search(r'<table class="list" id="kpi">(.*?)</table>', html, re.S).group(1)
    assert table.count("<tr>") - 1 == len(expected["indicators"])
    assert "100%" in table and "4.58 分" in table and "未达标" in table
    assert [p["month"] for p in api["trend"]][-1] == "2025-12" and len(api["trend"]) == 12
    project = client.get("/api/kpi", params={"month": "2025-03", "project": P}).json()
    assert project["indicators"] == _cli_json(served[0], "kpi", "2025-03", "--project", P, "--json",
                                              "--no-archive")["indicators"]
    assert (served[0] / "ledger.jsonl").read_bytes() == before


def test_kpi_without_a_month_is_last_month(client):
    assert 'value="2026-02"' in client.get("/kpi").text  # today is 2026-03-01 in these tests


@pytest.mark.parametrize("params, message", [({"month": "2025-13"}, "月份“2025-13”格式不对"),
                                              ({"month": "三月"}, "应为 YYYY-MM"),
                                              ({"month": "2025-03", "project": "NOPE"}, "归档库中没有项目 NOPE")])
def test_kpi_mistakes_are_chinese_messages(client, params, message):
    r = client.get("/kpi", params=params)
    _assert_chinese_page(r, 400)
    assert message in r.text and 'id="month"' in r.text
    assert message in client.get("/api/kpi", params=params).json()["error"]
    _assert_chinese_page(client.get("/kpi/workbook", params=params), 400)


def test_kpi_workbook_is_built_in_memory_and_not_archived(client, served, tmp_path):
    """The workbook of `docgen kpi MONTH --project P --no-archive -o FILE`, cell for cell (the 编制 day is the
    day it is made), and the archive untouched."""
    from openpyxl import load_workbook

    root = served[0]
    listing = sorted(p.relative_to(root) for p in (root / "documents").rglob("*"))
    before = (root / "ledger.jsonl").read_bytes()
    r = client.get("/kpi/workbook", params={"month": "2025-03", "project": P})
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    name = f"{P}_月度KPI统计表_2025-03.xlsx"
    assert f"filename*=UTF-8''{quote(name, safe='')}" in r.headers["content-disposition"]
    assert sorted(p.relative_to(root) for p in (root / "documents").rglob("*")) == listing
    assert (root / "ledger.jsonl").read_bytes() == before
    out = tmp_path / "kpi.xlsx"
    result = CliRunner().invoke(cli, ["--archive", str(root), "kpi", "2025-03", "--project", P, "--no-archive", "-o", str(out)])
    assert result.exit_code == 0, result.output
    web, command = load_workbook(BytesIO(r.content)), load_workbook(out)
    assert web.sheetnames == command.sheetnames and "汇总" in web.sheetnames
    differ = [(ws.title, c.coordinate, c.value) for ws in web for row in ws.iter_rows() for c in row
              if c.value != command[ws.title][c.coordinate].value]
    assert len(differ) <= 1 and all(value == AS_OF.isoformat() for _, _, value in differ), differ  # 编制日期


# --- the ledger ---------------------------------------------------------------------------------------------------


def test_ledger_page_lists_every_line_and_filters(client, served):
    lines = Archive(served[0]).ledger_lines()
    html = client.get("/ledger").text
    table = re.search(r'<table class="list" id="ledger">(.*?)</table>', html, re.S).group(1)
    assert table.count("<tr>") - 1 == len(lines) and f"共 {len(lines)} 行" in html
    assert f'href="/doc/{PLAN}?v=1"' in table
    only = client.get("/ledger", params={"project": P, "type": "运维项目管理计划"}).text
    rows = re.search(r'id="ledger">(.*?)</table>', only, re.S).group(1)
    assert rows.count("<tr>") - 1 == sum(1 for _, e in lines if e.get("doc_id") == PLAN)
    day = lines[0][1]["time"][:10]
    assert "共 0 行" in client.get("/ledger", params={"from": "2000-01-01", "to": "2000-12-31"}).text
    assert f"共 {len(lines)} 行" in client.get("/ledger", params={"from": day, "to": day}).text
    bad = client.get("/ledger", params={"type": "计划"})
    _assert_chinese_page(bad, 400)
    assert "没有文档类型 “计划”" in bad.text


# --- read only ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("url", ["/", "/search?q=网卡", f"/doc/{PLAN}", f"/download/{PLAN}", "/api/search?q=网卡",
                                 "/static/style.css", "/nowhere"])
def test_only_get_and_head(client, method, url):
    r = client.request(method, url)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"
    assert "只接受 GET 和 HEAD" in r.text


def test_head_is_answered(client):
    r = client.head(f"/download/{PLAN}")
    assert r.status_code == 200 and r.content == b""


def _snapshot(root: Path) -> dict[str, str]:
    """Every file of the archive but the search index (searching may catch it up): path -> sha256."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith("index/"):
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def test_crawling_every_page_changes_nothing_in_the_archive(copy_demo):
    before = _snapshot(copy_demo)
    assert "ledger.jsonl" in before and any(k.endswith(".meta.json") for k in before)
    client = _client(copy_demo)
    seen: set[str] = set()
    queue = deque(["/", "/search?q=网卡", "/search?q=网卡&all_versions=1&sort=date", "/kpi/workbook?month=2025-12",
                   "/api/search?q=网卡", f"/api/project/{P}", "/api/kpi?month=2025-12"])
    statuses: dict[int, int] = {}
    while queue and len(seen) < 700:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        r = client.get(url)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        assert r.status_code == 200, url
        if r.headers["content-type"].startswith("text/html"):
            for link in _links(r.text):
                absolute = urljoin("http://testserver" + url, link)
                parts = urlsplit(absolute)
                if parts.netloc != "testserver":
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                queue.append(target)
                if parts.path.startswith("/doc/"):  # what the page's JSON twin serves
                    queue.append("/api" + target)
    assert len(seen) > 300, len(seen)
    for prefix in ("/download/", "/preview/", "/verify/", "/doc/", "/project/", "/api/doc/", "/static/"):
        assert any(u.startswith(prefix) for u in seen), prefix
    assert _snapshot(copy_demo) == before


# --- errors -------------------------------------------------------------------------------------------------------


def test_unknown_path_is_a_chinese_404(client):
    r = client.get("/nowhere")
    _assert_chinese_page(r, 404)
    assert "页面不存在" in r.text
    assert client.get("/api/nowhere").json() == {"error": "页面不存在；请从首页重新进入"}


def test_a_bug_is_a_chinese_500_without_a_traceback(served, monkeypatch):
    from docgen.serve import _views

    def broken(request):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(_views, "home", broken)
    client = TestClient(create_app(Archive(served[0])), raise_server_exceptions=False)
    r = client.get("/")
    _assert_chinese_page(r, 500)
    assert "服务器内部错误" in r.text and "secret internals" not in r.text and "RuntimeError" not in r.text
    assert r.headers["content-security-policy"].startswith(CSP)


def test_unreadable_archive_metadata_is_a_chinese_500(served, tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(served[0], root)
    sidecar = next((root / "documents").rglob("*.meta.json"))
    sidecar.write_text("{broken", encoding="utf-8")
    client = TestClient(create_app(Archive(root)), raise_server_exceptions=False)
    # the ledger names the broken one in its row and still shows the rest
    ledger = client.get("/ledger")
    assert ledger.status_code == 200 and "元数据文件无法读取" in ledger.text and sidecar.name in ledger.text
    assert ledger.text.count('<p class="error">') == 1 and "Traceback" not in ledger.text
    # a page that needs that record is a Chinese error page
    doc_id = next(e["doc_id"] for e in Archive(root).ledger() if e["path"].endswith(sidecar.name[:-len(".meta.json")]))
    r = client.get(f"/doc/{doc_id}")
    _assert_chinese_page(r, 500)
    assert "元数据文件无法读取" in r.text and sidecar.name in r.text


# --- login --------------------------------------------------------------------------------------------------------


def test_with_users_every_request_must_log_in(served, tmp_path):
    users = tmp_path / "users"
    add_user(users, "sunli", "correct horse")
    client = _client(served[0], users=read_users(users))
    for url in ("/", "/static/style.css", f"/download/{PLAN}", "/api/search?q=网卡"):
        r = client.get(url)
        assert r.status_code == 401, url
        assert r.headers["www-authenticate"].startswith("Basic realm=")
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "需要登录" in client.get("/").text
    assert client.get("/", auth=("sunli", "wrong password")).status_code == 401
    assert client.get("/", auth=("nobody", "correct horse")).status_code == 401
    assert client.get("/", headers={"Authorization": "Basic !!!"}).status_code == 401
    assert client.get("/", auth=("sunli", "correct horse")).status_code == 200
    assert client.get(f"/download/{PLAN}", auth=("sunli", "correct horse")).status_code == 200


def test_serve_refuses_another_host_without_an_auth_file(served, monkeypatch):
    from docgen.serve import _app

    monkeypatch.setattr(_app, "_run_until_stopped", lambda *a: pytest.fail("the server must not start"))
    for host in ("0.0.0.0", "192.168.1.20", "::", "docgen.example.com"):
        result = CliRunner().invoke(cli, ["--archive", str(served[0]), "serve", "--host", host])
        assert result.exit_code == 1, host
        assert f"拒绝在 {host} 上启动" in result.stderr and "--auth-file" in result.stderr


def test_serve_refuses_a_missing_archive_users_file_or_port(served, tmp_path, monkeypatch):
    from docgen.serve import _app

    monkeypatch.setattr(_app, "_run_until_stopped", lambda *a: pytest.fail("the server must not start"))
    runner = CliRunner()
    result = runner.invoke(cli, ["--archive", str(tmp_path / "none"), "serve"])
    assert result.exit_code == 1 and "归档库" in result.stderr and "不存在" in result.stderr
    result = runner.invoke(cli, ["--archive", str(served[0]), "serve", "--host", "0.0.0.0", "--auth-file",
                                 str(tmp_path / "users")])
    assert result.exit_code == 1 and "用户文件不存在" in result.stderr
    (tmp_path / "users").write_text("sunli:plaintext\n", encoding="utf-8")
    result = runner.invoke(cli, ["--archive", str(served[0]), "serve", "--auth-file", str(tmp_path / "users")])
    assert result.exit_code == 1 and "第 1 行不是“用户名:argon2 哈希”" in result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = runner.invoke(cli, ["--archive", str(served[0]), "serve", "--port", str(port)])
    assert result.exit_code == 1 and f"无法在 127.0.0.1:{port} 上监听" in result.stderr


def test_docgen_serve_runs_until_stopped(served, tmp_path):
    """The real command: it listens on 127.0.0.1, answers, and stops cleanly on SIGTERM."""
    import signal
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DOCGEN_ARCHIVE=str(served[0]))
    process = subprocess.Popen([sys.executable, "-m", "docgen", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/projects", timeout=5) as response:
                    body = response.read().decode("utf-8")
                    headers = response.headers
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
                time.sleep(0.2)
        assert P in body and headers["X-Content-Type-Options"] == "nosniff" and "server" not in headers
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"docgen serve 已启动：http://127.0.0.1:{port}" in out and "docgen serve 已停止。" in out
    assert "Traceback" not in err


# --- serve adduser ------------------------------------------------------------------------------------------------


def test_adduser_writes_salted_argon2_hashes_atomically(tmp_path):
    from argon2 import PasswordHasher

    users = tmp_path / "users"
    runner = CliRunner()
    result = runner.invoke(cli, ["serve", "adduser", str(users), "孙丽"], input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert f"已添加用户 孙丽（用户文件 {users}）" in result.stdout
    assert (users.stat().st_mode & 0o777) == 0o600
    text = users.read_text(encoding="utf-8")
    assert "s3cret-pass" not in text
    first = read_users(users)["孙丽"]
    assert first.startswith("$argon2id$") and PasswordHasher().verify(first, "s3cret-pass")
    result = runner.invoke(cli, ["serve", "adduser", str(users), "zhangsan", "--password-stdin"], input="another-pass\n")
    assert result.exit_code == 0 and "已添加用户 zhangsan" in result.stdout
    result = runner.invoke(cli, ["serve", "adduser", str(users), "孙丽", "--password-stdin"], input="s3cret-pass\n")
    assert result.exit_code == 0 and "已更新用户 孙丽 的密码" in result.stdout
    again = read_users(users)
    assert set(again) == {"孙丽", "zhangsan"} and again["孙丽"] != first  # a new salt every time
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


@pytest.mark.parametrize("args, given, message", [
    (["sunli"], "password-1\npassword-2\n", "两次输入的密码不一致"),
    (["sunli", "--password-stdin"], "short\n", "密码太短"),
    (["sun:li", "--password-stdin"], "long-enough-pw\n", "用户名“sun:li”无效"),
    (["sun li", "--password-stdin"], "long-enough-pw\n", "不能含空格或冒号"),
])
def test_adduser_mistakes_leave_the_file_alone(tmp_path, args, given, message):
    users = tmp_path / "users"
    result = CliRunner().invoke(cli, ["serve", "adduser", str(users), *args], input=given)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert not users.exists()


def test_pages_speak_to_auditors_not_programmers(client):
    """No program name or command line on a page an auditor reads; how a document came in is said in Chinese."""
    for url in ("/", "/projects", f"/project/{P}", "/kpi?month=2025-03", f"/kpi?month=2025-03&project={P}",
                "/ledger", f"/doc/{PLAN}", "/search?q=网卡"):
        r = client.get(url)
        assert r.status_code == 200, url
        visible = re.sub(r"<[^>]+>", " ", r.text)
        assert "docgen" not in visible, url
    assert "示例项目" in client.get("/ledger").text
    assert client.get("/favicon.ico").status_code == 204


def test_pages_remembered_between_requests_follow_a_new_archive_write(copy_demo, tmp_path):
    """The projects list, the ledger and a document's ledger entries are remembered until the archive changes:
    a document archived meanwhile shows at once."""
    client = _client(copy_demo)
    before = client.get("/projects").text
    count = len(Archive(copy_demo).ledger())
    assert f"第 {count + 1} 行" not in client.get("/ledger").text
    doc_id = _text_doc(copy_demo, tmp_path, "新归档的会议纪要", title="新纪要")
    assert client.get("/projects").text != before
    assert "新纪要" in client.get("/ledger").text
    assert "第 1 版" in client.get(f"/doc/{doc_id}").text
    # after a write the ledger page reads only the new lines' records, not every sidecar again
    calls = []
    listing = Archive.records

    def counted(self, *args, **kwargs):
        calls.append(kwargs)
        return listing(self, *args, **kwargs)

    whole = Archive.ledger_lines
    Archive.records = counted
    Archive.ledger_lines = lambda self: calls.append({"whole_ledger": True}) or whole(self)
    try:
        second = _text_doc(copy_demo, tmp_path, "又一份纪要", title="第二份纪要")
        page = client.get("/ledger").text
    finally:
        Archive.records, Archive.ledger_lines = listing, whole
    assert "第二份纪要" in page and "新纪要" in page and second
    scans = []
    lookup = Archive.versions
    Archive.versions = lambda self, *args, **kwargs: scans.append(args) or lookup(self, *args, **kwargs)
    try:
        doc = client.get(f"/doc/{second}").text
    finally:
        Archive.versions = lookup
    assert f"第 {count + 2} 行" in doc  # numbered as the whole ledger numbers it
    assert not scans  # its versions come from its ledger lines, not from listing its folder
    assert not [c for c in calls if c.get("all_versions") or c.get("whole_ledger")]


def test_a_count_that_is_only_a_lower_bound_keeps_the_pager_open():
    """A phrase query with more candidates than were checked: "超过 N 条", no last page known; the pager goes on
    while pages come full and stops at a short one."""
    from starlette.requests import Request

    from docgen.serve._views import MAX_PAGES, SearchPage, _search_links

    request = Request({"type": "http", "method": "GET", "path": "/search", "query_string": b"q=x&page=3", "headers": []})
    full = SearchPage("x", {}, "relevance", 3, 300, [{}] * 20, [], more=True, exact=False)
    assert full.open_end and full.pages == MAX_PAGES and full.capped
    assert "next" in _search_links(request, full) and "prev" in _search_links(request, full)
    short = SearchPage("x", {}, "relevance", 3, 300, [{}] * 7, [], more=True, exact=False)
    assert "next" not in _search_links(request, short)
    known = SearchPage("x", {}, "relevance", 3, 60, [{}] * 20, [], more=False)
    assert not known.open_end and known.pages == 3 and "next" not in _search_links(request, known)
