"""The `docgen` command line: parse options, call one library function, print text or JSON.
Only this module turns domain errors into exit codes (0 ok, 1 user error, 2 usage)."""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from docgen import __version__
from docgen.errors import DocgenError

_USAGE_PATTERNS = [
    (r"No such option:? '?([^'\s]+?)'?\.?(?:\s+Did you mean '?([^'?]+)'?\?)?$",
     lambda m: f"没有这个选项：{m[1]}" + (f"，是否为 {m[2]}?" if m[2] else "")),
    (r"No such command:? '?([^'\s]+?)'?\.?$", lambda m: f"没有这个命令：{m[1]}"),
    (r"Missing argument '(.+)'\.?", lambda m: f"缺少参数 {m[1]}"),
    (r"Missing option '(.+)'\.?", lambda m: f"缺少选项 {m[1]}"),
    (r"Option '(.+)' requires an argument\.?", lambda m: f"选项 {m[1]} 需要一个值"),
    (r"Got unexpected extra arguments? \((.+)\)", lambda m: f"多余的参数：{m[1]}"),
    (r"Invalid value for '?(.+?)'?: '(.+?)' is not (?:one of )?(.+?)\.?$",
     lambda m: f"{m[1]} 的取值无效：“{m[2]}” 不是可选值（{m[3].replace(chr(39), '')}）"),
    (r"Invalid value for (.+?): (.+)", lambda m: f"{m[1]} 的取值无效：{m[2]}"),
]


def _usage_message(exc: click.UsageError) -> str:
    text = exc.format_message().strip()
    for pattern, build in _USAGE_PATTERNS:
        m = re.match(pattern, text, re.S)
        if m:
            return build(m)
    return text


class DocgenGroup(click.Group):
    """Click group that is also the one error boundary: domain errors → exit 1 with the Chinese
    message on stderr, usage errors → exit 2 in Chinese; anything else is a bug and propagates."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name or "docgen", complete_var, False, **extra)
        except click.UsageError as exc:
            cmd = exc.ctx.command_path if exc.ctx else "docgen"
            click.echo(f"用法错误：{_usage_message(exc)}\n运行 {cmd} --help 查看用法。", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("已中止。", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DocgenError as exc:
            raise UserError(str(exc)) from None


class UserError(click.ClickException):
    """A domain error as Click sees it: printed as is (already Chinese), exit code 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"错误：{self.message}", err=True)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


class _Settings:
    def __init__(self, archive: str, templates: str | None) -> None:
        self.archive_root = Path(archive)
        self.templates_dir = templates

    def archive(self) -> Any:
        from docgen.archive import Archive

        return Archive(self.archive_root)

    def templates(self) -> Any:
        from docgen.render import TemplateSet

        return TemplateSet(self.templates_dir)


pass_settings = click.make_pass_decorator(_Settings)


@click.group(cls=DocgenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--archive", "archive", envvar="DOCGEN_ARCHIVE", default="archive", show_default=True,
              metavar="DIR", help="归档库根目录（文档、元数据、账本、索引），也可用环境变量 DOCGEN_ARCHIVE。")
@click.option("--templates", "templates", envvar="DOCGEN_TEMPLATES", default=None, metavar="DIR",
              help="自定义模板目录；其中缺少的模板使用内置模板。也可用环境变量 DOCGEN_TEMPLATES。")
@click.version_option(__version__, "--version", message="docgen %(version)s")
@click.pass_context
def cli(ctx: click.Context, archive: str, templates: str | None) -> None:
    """docgen —— 按《交付管理规定》生成、归档和审计运维交付文档。"""
    ctx.obj = _Settings(archive, templates)


def _kind_choice() -> click.Choice:
    from docgen.kinds import kind_names

    return click.Choice([*kind_names(), "import"])


@cli.command()
@click.argument("kind", type=_kind_choice(), metavar="KIND")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件（默认 KIND.yaml，或 --xlsx 时 KIND.xlsx）。")
@click.option("--xlsx", is_flag=True, help="生成 Excel 录入表而不是 YAML。")
@click.option("--force", is_flag=True, help="目标文件已存在时覆盖。")
def init(kind: str, output: Path | None, xlsx: bool, force: bool) -> None:
    """写出 KIND 的空白输入文件（YAML 每个字段带中文说明；--xlsx 为 Excel 录入表）；KIND 为 import 时写出
    archive import 的空白清单（.xlsx）。"""
    from docgen.inputs import write_blank_input

    if kind == "import":
        from docgen.archive import write_atomic
        from docgen.bulk_import import blank_listing

        path = output or Path("导入清单.xlsx")
        if path.exists() and not force:
            raise UserError(f"{path}：文件已存在，未覆盖；请用 -o 指定其他文件名，或加 --force 覆盖")
        write_atomic(path, blank_listing())
        click.echo(f"已生成空白清单：{path}\n填写后运行：docgen archive import 目录 --list {path}")
        return
    path = output or Path(f"{kind}.{'xlsx' if xlsx else 'yaml'}")
    written = write_blank_input(kind, path, xlsx=xlsx, overwrite=force)
    click.echo(f"已生成空白{'录入表' if xlsx else '输入文件'}：{written}\n填写后运行：docgen validate {written}")


def _input_files(paths: tuple[Path, ...], *, as_json: bool) -> list[Path]:
    """The input files the arguments name (a folder: the inputs directly in it); says what was skipped."""
    from docgen.inputs import expand_inputs

    selection = expand_inputs(paths)
    for skipped in selection.skipped:
        click.echo(f"跳过 {skipped.text()}", err=as_json)
    return selection.files


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE|DIR...")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查结果。")
def validate(files: tuple[Path, ...], as_json: bool) -> None:
    """检查输入文件（目录：其中的全部输入文件，不含子目录）：列出全部错误和警告，不写任何文件。"""
    from docgen.pipeline import check_files

    results = check_files(_input_files(files, as_json=as_json))
    failed = False
    report = []
    for item in results:
        if isinstance(item, DocgenError):
            failed = True
            report.append({"file": item.file, "kind": None, "ok": False,
                           "issues": [{"level": "error", "path": "", "cell": None, "message": item.message}]})
            if not as_json:
                click.echo(f"✗ {item}", err=True)
            continue
        ok = not item.errors
        failed |= not ok
        report.append({"file": str(item.raw.path), "kind": item.raw.kind or None, "ok": ok,
                       "issues": [i.as_dict() for i in item.issues]})
        if as_json:
            continue
        if ok:
            click.echo(f"✓ {item.raw.path}：检查通过（{item.kind.title if item.kind else ''}）"
                       + (f"，{len(item.warnings)} 条警告" if item.warnings else ""))
        else:
            click.echo(str(item.failure()), err=True)
        for w in item.warnings:
            click.echo(f"  警告：{w.text()}", err=not ok)
    if as_json:
        _echo_json(report)
    if failed:
        raise click.exceptions.Exit(1)


_STATUS_WORDS = {"new": "新建", "version": "新版本", "unchanged": "未变化"}


def _numbered(doc: Any) -> str:
    """How the command line names a document it wrote: its 文件编号 and 版本, as the page prints them."""
    number = f"文件编号 {doc.doc_no}" if doc.doc_no else doc.doc_id
    return f"{number}，版本 {doc.doc_version}" if doc.doc_version else number


def _print_generated(docs: list[Any], as_json: bool) -> None:
    if as_json:
        for note in (n for d in docs for n in d.notes):
            click.echo(f"注意：{note}", err=True)
        _echo_json([d.as_json() for d in docs])
        return
    words = _STATUS_WORDS
    counts = {k: 0 for k in words}
    for d in docs:
        for note in d.notes:
            click.echo(f"注意：{note}", err=True)
        counts[d.status] += 1
        click.echo(f"[{words[d.status]}] {d.title}（{_numbered(d)}）→ {d.path or '未保存（--no-archive 且未指定 -o）'}")
        for w in d.warnings:
            click.echo(f"    警告：{w}")
    click.echo(f"共 {len(docs)} 份文档：新建 {counts['new']}，新版本 {counts['version']}，未变化 {counts['unchanged']}。")


class _Progress:
    """A progress bar on a terminal once the amount of work is known; silent in CI or when piped."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < 2:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE|DIR...")
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=Path), help="另外把文档复制到此目录。")
@click.option("--no-archive", is_flag=True, help="不写入归档库（只渲染，配合 -o 输出）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出生成结果。")
@pass_settings
def generate(settings: _Settings, files: tuple[Path, ...], outdir: Path | None, no_archive: bool,
             as_json: bool) -> None:
    """按输入的 kind 渲染规定要求的全部文档并归档（目录：其中的全部输入文件，不含子目录，按计划 → 服务记录 → … 的顺序）；
    任何一个文件有错误则什么都不写。"""
    from docgen.pipeline import generate as generate_documents

    inputs = _input_files(files, as_json=as_json)
    progress = _Progress("渲染文档")
    try:
        docs = generate_documents(inputs, archive=settings.archive(), templates=settings.templates(),
                                  write_archive=not no_archive, outdir=outdir, progress=progress)
    finally:
        progress.close()
    _print_generated(docs, as_json)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出生成结果。")
@pass_settings
def demo(settings: _Settings, as_json: bool) -> None:
    """把内置示例项目生成到归档库，并列出生成的文档。"""
    from docgen.demo import run_demo

    progress = _Progress("生成示例")
    try:
        result = run_demo(archive=settings.archive(), templates=settings.templates(), progress=progress)
    finally:
        progress.close()
    _print_generated(result.documents + result.computed, as_json)
    if not as_json:
        click.echo(f"示例项目已写入归档库 {settings.archive_root}，并已建立搜索索引。")
        for doc in result.computed:
            click.echo(f"{doc.title}：{doc.path}")
        click.echo(f"示例搜索：docgen search {result.query}")
        for hit in result.search.hits:
            click.echo(f"  {hit.title}  [{hit.doc_type}] {hit.date}\n    {hit.snippet}")
        if not result.search.hits:
            click.echo("  未找到匹配的文档。")


@cli.group(cls=DocgenGroup)
def archive() -> None:
    """归档库：列出、校验已归档的文档。"""


def _parse_day(value: str | None, option: str) -> Any:
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期应为 YYYY-MM-DD，实际为 {value}", param_hint=option) from None


@archive.command("list")
@click.option("--project", help="只列出该项目编号的文档（归档库中没有该项目时报错并列出相近的项目）。")
@click.option("--type", "doc_type", help="只列出该文档类型：类型代码或中文名称（如 plan 或 运维项目管理计划）。")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="文档日期不早于此日。")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="文档日期不晚于此日。")
@click.option("--all-versions", is_flag=True, help="列出所有版本（默认只列最新版本）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_settings
def archive_list(settings: _Settings, project: str | None, doc_type: str | None, date_from: str | None,
                 date_to: str | None, all_versions: bool, as_json: bool) -> None:
    """列出归档的文档（每个文档的最新版本）。"""
    from docgen.archive import check_filters
    from docgen.doctypes import doc_type_title

    store = settings.archive()
    project, doc_type = check_filters(store, project=project, doc_type=doc_type)
    records = store.records(project=project, doc_type=doc_type, date_from=_parse_day(date_from, "--from"),
                            date_to=_parse_day(date_to, "--to"), all_versions=all_versions)
    if as_json:
        _echo_json(records)
        return
    if not records:
        click.echo(f"归档库 {settings.archive_root} 中没有符合条件的文档。")
        return
    for r in records:
        version = r.get("doc_version") or f"第{r['version']}版"
        click.echo(f"{r['date']}  {doc_type_title(r['doc_type'])}  {version}  {r.get('doc_no') or r['doc_id']}  "
                   f"{r['title']}  {r['path']}")
    click.echo(f"共 {len(records)} 份。")


@archive.command("verify")
@click.option("--against", "against", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="另外核对这份已发出的月度KPI统计表或项目交付审计报告记录的账本头（可多次给出）：账本在它生成之后"
                   "是否被改写。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出校验结果。")
@pass_settings
def archive_verify(settings: _Settings, against: tuple[Path, ...], as_json: bool) -> None:
    """重新计算每个归档文件的校验和，检查元数据、账本及其哈希链；有任何问题时退出码为 1。"""
    from docgen.archive import Problem, recorded_head

    store = settings.archive()
    heads = [(path, recorded_head(path)) for path in against]  # an unreadable file stops before any checking
    report = store.verify()
    for path, head in heads:
        message = store.check_head(head)
        if message is not None:
            report.problems.append(Problem("head_mismatch", str(path), None, None, f"对照 {path.name}：{message}"))
        elif not as_json:
            click.echo(f"对照 {path.name}：账本第 {head.count} 行的哈希与它记录的一致，它生成之后账本的前 {head.count} 行"
                       "没有被改写。")
    if as_json:
        _echo_json({"ok": report.ok, "checked": report.checked,
                    "problems": [vars(p) for p in report.problems]})
    elif report.ok:
        click.echo(f"归档库校验通过：共检查 {report.checked} 个文档版本，文件、元数据与账本一致。")
    else:
        click.echo(f"归档库校验发现 {len(report.problems)} 个问题（共检查 {report.checked} 个文档版本）：", err=True)
        for p in report.problems:
            click.echo(f"  - [{p.kind}] {p.path}：{p.message}", err=True)
    if not report.ok:
        raise click.exceptions.Exit(1)


@archive.command("upgrade")
@pass_settings
def archive_upgrade(settings: _Settings) -> None:
    """为旧版本写入的账本建立哈希链（一次原子改写，并在账本中记录这次升级），随后重建搜索索引。"""
    from docgen.search import rebuild

    result = settings.archive().upgrade_ledger()
    if not result.changed:
        click.echo(f"账本已是哈希链（{result.lines} 行），无需升级。")
        return
    count = rebuild(settings.archive())
    click.echo(f"账本已升级为哈希链：{result.lines} 行，另记一行升级记录；当前账本头 第 {result.head.count} 行 "
               f"{result.head.hash[:16]}…。搜索索引已重建（{count} 个文档版本）。")


@archive.command("import")
@click.argument("folder", type=click.Path(path_type=Path), metavar="DIR")
@click.option("--list", "listing", type=click.Path(dir_okay=False, path_type=Path),
              help="清单（.xlsx 或 .csv：文件、项目编号、文档类型、日期、期间、标题、服务单号）；不给时按目录约定 "
                   "<项目编号>/<文档类型>/<文件>（或文件旁的 <文件>.meta.yaml）。")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="导入报告写到此文件（默认：归档库/import-reports/导入报告_<时间>.txt）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出导入结果。")
@pass_settings
def archive_import(settings: _Settings, folder: Path, listing: Path | None, report: Path | None,
                   as_json: bool) -> None:
    """把一个目录中的历史文档成批归档（可续做：已归档的相同文件跳过）；有文件未导入时退出码为 1。"""
    from docgen.bulk_import import import_tree

    progress = _Progress("导入文档")
    try:
        result = import_tree(settings.archive(), folder, listing=listing, report=report, progress=progress)
    finally:
        progress.close()
    for note in result.notes:
        click.echo(f"注意：{note}", err=True)
    if as_json:
        _echo_json({"imported": result.imported, "already": result.already, "report": str(result.report),
                    "problems": [{"where": p.where, "message": p.message} for p in result.problems]})
    else:
        click.echo(f"共 {result.total} 个文件：导入 {result.imported}，已在归档库中（跳过） {result.already}，"
                   f"未导入 {len(result.problems)}。")
        for p in result.problems:
            click.echo(f"  - {p.where}：{p.message}", err=True)
        click.echo(f"导入报告：{result.report}")
    if result.problems:
        raise click.exceptions.Exit(1)


@archive.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--project", required=True, help="项目编号。")
@click.option("--type", "doc_type", required=True,
              help="文档类型：内置类型的代码或中文名称（如 service_report 或 运维服务报告），或小写字母和下划线组成的自定义类型（如 minutes）。")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="文档日期（默认今天）。")
@click.option("--period", metavar="P", help="文档覆盖的期间：YYYY-MM-DD、YYYY-MM、YYYY-Www、YYYY-Qn 或 YYYY（默认为文档日期）。")
@click.option("--service-no", help="关联的服务单号（现场/远程服务记录）。")
@click.option("--title", help="标题（默认取文件名）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_settings
def archive_add(settings: _Settings, file: Path, project: str, doc_type: str, day: str | None, period: str | None,
                service_no: str | None, title: str | None, as_json: bool) -> None:
    """把外部制作的文档（.docx .xlsx .pdf .txt .md）归档并建立索引。"""
    from docgen.ingest import add_document

    doc = add_document(settings.archive(), file, project=project, doc_type=doc_type,
                       day=_parse_day(day, "--date"), period=period, service_no=service_no, title=title)
    _print_generated([doc], as_json)


@cli.command()
@click.option("--backend", type=click.Choice(["whoosh", "tantivy"]),
              help="改用该搜索引擎（记入 归档库/config/search.yaml）：whoosh（默认）或 tantivy（需 pip install tantivy）。")
@pass_settings
def reindex(settings: _Settings, backend: str | None) -> None:
    """仅根据归档库重建搜索索引（在旧索引旁构建，完成后原子切换）；--backend 同时切换搜索引擎。"""
    from docgen.search import configured_backend, rebuild

    progress = _Progress("重建索引")
    try:
        count = rebuild(settings.archive(), backend=backend, progress=progress)
    finally:
        progress.close()
    engine = configured_backend(settings.archive_root)
    click.echo(f"搜索索引已重建：{count} 个文档版本，搜索引擎 {engine}（归档库 {settings.archive_root}）。")


@cli.command()
@click.argument("query", nargs=-1)
@click.option("--project", help="只搜索该项目编号（归档库中没有该项目时报错并列出相近的项目）。")
@click.option("--type", "doc_type", help="只搜索该文档类型：类型代码或中文名称（如 service_report 或 运维服务报告）。")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="文档日期不早于此日。")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="文档日期不晚于此日。")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="最多显示的结果数。")
@click.option("--all-versions", is_flag=True, help="也搜索旧版本（默认只搜索每个文档的最新版本）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_settings
def search(settings: _Settings, query: tuple[str, ...], project: str | None, doc_type: str | None,
           date_from: str | None, date_to: str | None, limit: int, all_versions: bool, as_json: bool) -> None:
    """全文搜索归档文档（中文、人名、编号均可），结果按相关度排序并标出匹配的词。"""
    from docgen.archive import check_filters
    from docgen.search import SearchFilters
    from docgen.search import search as search_archive

    store = settings.archive()
    project, doc_type = check_filters(store, project=project, doc_type=doc_type)
    filters = SearchFilters(project=project, doc_type=doc_type, date_from=_parse_day(date_from, "--from"),
                            date_to=_parse_day(date_to, "--to"), all_versions=all_versions)
    result = search_archive(store, " ".join(query), filters=filters, limit=limit)
    for note in result.notes:
        click.echo(f"注意：{note}", err=True)
    if as_json:
        _echo_json([h.as_json() for h in result.hits])
        return
    if not result.hits:
        click.echo("未找到匹配的文档。")
        return
    color = sys.stdout.isatty()
    for n, hit in enumerate(result.hits, 1):
        snippet = hit.snippet
        if color:
            snippet = re.sub(r"【(.*?)】", lambda m: click.style(m.group(1), fg="red", bold=True), snippet)
        click.echo(f"{n}. {hit.title}  [{hit.doc_type}] {hit.project} {hit.date} v{hit.version}  相关度 {hit.score:.2f}")
        click.echo(f"   {snippet}")
        click.echo(f"   {hit.path}")
    if result.total_more or result.total > len(result.hits):
        how = "超过" if result.total_more else ("共" if result.total_exact else "约")
        click.echo(f"显示前 {len(result.hits)} 条结果（{how} {result.total} 条匹配；用 --limit 显示更多，或加上 --project、"
                   "--type、--from/--to 缩小范围）。")
    else:
        click.echo(f"共 {len(result.hits)} 条结果。")


@cli.command()
@click.argument("month", metavar="YYYY-MM")
@click.option("--project", help="只统计该项目（默认：归档库中所有有计划的项目，另加总体）。")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path),
              help="指标定义文件（默认：归档库/config/indicators.yaml，没有则用内置的 §8 定义）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="另外把月度KPI统计表（.xlsx）复制到此文件。")
@click.option("--no-archive", is_flag=True, help="只计算和显示，不把统计表写入归档库。")
@click.option("--prepared-by", "prepared_by", metavar="姓名",
              help="统计表的编制人（默认：--project 项目的项目经理；全部项目时留待手签）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出指标。")
@pass_settings
def kpi(settings: _Settings, month: str, project: str | None, config: Path | None, output: Path | None,
        no_archive: bool, prepared_by: str | None, as_json: bool) -> None:
    """计算月度 KPI：服务报告比例（§8，实际交付/应交付）和计划中的 SLA 指标，生成并归档月度KPI统计表。"""
    from docgen.computed import run_kpi

    run = run_kpi(settings.archive(), month, project=project, config=config, templates=settings.templates(),
                  out_file=output, write_archive=not no_archive, prepared_by=prepared_by)
    report = run.report
    for note in report.warnings:
        click.echo(f"注意：{note}", err=True)
    if as_json:
        _echo_json(report.as_json())
    else:
        for line in run.lines():
            click.echo(line)
    for doc in run.documents:
        written = f"已写入 {output}" if output else ""
        archived = f"归档为 {_numbered(doc)}（{_STATUS_WORDS[doc.status]}）" if doc.version else ""
        click.echo(f"月度KPI统计表{'，'.join(x for x in (written, archived) if x)}。", err=as_json)


_SEVERITY_WORDS = {"error": "严重", "warning": "一般", "info": "提示"}


@cli.command()
@click.argument("project")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="把审计结果写成 Excel 工作簿（项目交付审计报告），并归档为 audit_report。")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="按此日期审计（默认今天）：决定哪些月份的报告已应交、哪些遗留问题已逾期。")
@click.option("--prepared-by", "prepared_by", metavar="姓名", help="审计报告的编制人（默认：计划评审中的质量部评审人）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出审计结果。")
@pass_settings
def audit(settings: _Settings, project: str, output: Path | None, as_of: str | None, prepared_by: str | None,
          as_json: bool) -> None:
    """按《交付管理规定》§5.4.3 审计一个项目的归档：计划评审、服务报告、服务记录、遗留问题、满意度、交付包、校验值、验收。"""
    from docgen.computed import run_audit
    from docgen.doctypes import doc_type_title

    run = run_audit(settings.archive(), project, templates=settings.templates(), as_of=_parse_day(as_of, "--as-of"),
                    out_file=output, prepared_by=prepared_by)
    report = run.report
    if as_json:
        _echo_json(report.as_json())
        return
    click.echo(f"项目 {report.project} 交付审计（截至 {report.as_of}）：严重 {report.count('error')}，"
               f"一般 {report.count('warning')}，提示 {report.count('info')}。")
    for f in report.findings:
        where = "　".join(x for x in (doc_type_title(f.doc_type) if f.doc_type else "", f.period) if x)
        click.echo(f"[{_SEVERITY_WORDS[f.severity]}] {f.rule}　{where}\n    {f.message}")
    if not report.findings:
        click.echo("未发现问题：各项检查均已通过。")
    for doc in run.documents:
        click.echo(f"审计报告已写入 {output}，并归档为 {_numbered(doc)}（{_STATUS_WORDS[doc.status]}）。")


POLLING_SETTLE = 5.0  # seconds: on a network share only a quiet file says it is written


@cli.command()
@click.argument("inbox", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--once", is_flag=True, help="处理收件箱中现有的文件后退出；有文件进入 failed/ 时退出码为 1。")
@click.option("--polling", is_flag=True, help="用定时轮询代替文件系统事件（网络共享目录请用此项）。")
@click.option("--settle", type=click.FloatRange(min=0),
              help="文件写完（写入者已关闭文件）后，大小和修改时间还须保持不变多少秒才处理。默认 1 秒；--polling 时默认 "
                   "5 秒（网络共享目录没有“文件已关闭”的事件，只能靠等待）。")
@click.option("--rescan", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="即使没有收到事件，也每隔多少秒重新扫描收件箱。")
@click.option("--json", "as_json", is_flag=True, help="--once 时以 JSON 输出每个文件的处理结果。")
@pass_settings
def watch(settings: _Settings, inbox: Path | None, once: bool, polling: bool, settle: float | None, rescan: float,
          as_json: bool) -> None:
    """监视收件箱（默认 归档库/inbox）：输入文件自动生成并归档，其他文档按 archive add 归档；原文件移到 processed/ 或 failed/。"""
    import signal
    from datetime import datetime

    from docgen.watch import Watcher

    def log(line: str) -> None:
        click.echo(f"{datetime.now():%Y-%m-%d %H:%M:%S} {line}", err=as_json)
        sys.stdout.flush()

    if settle is None:
        settle = POLLING_SETTLE if polling else 1.0
    watcher = Watcher(settings.archive(), settings.templates(), inbox, settle=settle, rescan=rescan,
                      polling=polling, log=log)

    def stop(signum: int, frame: Any) -> None:
        watcher.stop.set()
        watcher.wake.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    if once:
        summary = watcher.run_once()
        if as_json:
            _echo_json([o.as_json() for o in summary.outcomes])
        else:
            click.echo(f"处理完毕：共 {len(summary.outcomes)} 个文件，失败 {summary.failed} 个。")
        if summary.failed:
            raise click.exceptions.Exit(1)
        return
    click.echo(f"正在监视收件箱 {watcher.inbox.root}（按 Ctrl+C 停止）…")
    sys.stdout.flush()
    summary = watcher.run_forever()
    click.echo(f"已停止监视：本次共处理 {len(summary.outcomes)} 个文件，失败 {summary.failed} 个。")


@cli.group(cls=DocgenGroup, invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听的地址。默认只有本机可以访问；其他地址（如 0.0.0.0）必须同时给出 --auth-file。")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="监听的端口。")
@click.option("--auth-file", type=click.Path(dir_okay=False, path_type=Path),
              help="用户文件（docgen serve adduser 创建）：访问页面须用其中的用户名和密码登录（HTTP Basic）。")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, auth_file: Path | None) -> None:
    """质量部查阅归档库的只读网页：搜索、文档（版本、账本记录、下载、预览、校验）、项目、KPI、账本。"""
    if ctx.invoked_subcommand is not None:
        return
    from docgen.serve import run_server

    settings = ctx.find_object(_Settings)

    def ready(url: str) -> None:
        login = f"，须用 {auth_file} 中的用户登录" if auth_file else ""
        click.echo(f"docgen serve 已启动：{url}（归档库 {settings.archive_root}{login}；按 Ctrl+C 停止）")
        sys.stdout.flush()

    run_server(settings.archive(), host=host, port=port, auth_file=auth_file, templates=settings.templates(),
               ready=ready)
    click.echo("docgen serve 已停止。")


@serve.command("adduser")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("user")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（第一行），供脚本使用；默认提示输入两次。")
def serve_adduser(file: Path, user: str, password_stdin: bool) -> None:
    """在用户文件中添加网页用户，或修改已有用户的密码（保存加盐的 argon2 哈希；文件不存在时创建）。"""
    from docgen.serve import add_user, check_user_name

    check_user_name(user)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, prompt_suffix="：")
        if click.prompt("再次输入密码", hide_input=True, prompt_suffix="：") != password:
            raise UserError("两次输入的密码不一致，用户文件未改动；请重新运行 docgen serve adduser")
    new = add_user(file, user, password)
    what = f"已添加用户 {user}" if new else f"已更新用户 {user} 的密码"
    click.echo(f"{what}（用户文件 {file}）。正在运行的 docgen serve 重新启动后生效。")


@cli.group(cls=DocgenGroup)
def templates() -> None:
    """模板：列出内置/自定义模板，检查模板目录。"""


@templates.command("list")
@pass_settings
def templates_list(settings: _Settings) -> None:
    """列出每种文档使用的模板及其来源。"""
    from docgen.pipeline import list_templates

    for row in list_templates(settings.templates()):
        click.echo(f"{row.doc_type:<24} {row.template:<20} {row.source}  {row.path}")


@templates.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@pass_settings
def templates_check(settings: _Settings, directory: Path | None) -> None:
    """检查模板目录（默认当前使用的模板）：未知变量、Jinja 语法错误、被 Word 拆开的标签、缺少的模板。"""
    from docgen.render import TemplateSet
    from docgen.pipeline import check_templates

    target = TemplateSet(directory) if directory else settings.templates()
    findings = check_templates(target, only_user=directory is not None)
    errors = [f for f in findings if f.level == "error"]
    for f in findings:
        click.echo(f"[{ {'error': '错误', 'warning': '警告', 'info': '提示'}[f.level] }] {f.text()}",
                   err=f.level == "error")
    if not findings:
        click.echo("模板检查通过：没有发现问题。")
    if errors:
        raise click.exceptions.Exit(1)


def main() -> None:
    cli.main(prog_name="docgen")
