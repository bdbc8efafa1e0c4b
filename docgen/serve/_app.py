"""The Starlette application behind `docgen serve`: routes, the headers every response carries, read-only
methods, optional Basic authentication, Chinese error pages, and starting it under uvicorn."""
from __future__ import annotations

import datetime
import ipaddress
import logging
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from docgen.errors import BadArgument, DocgenError
from docgen.serve import _views as v
from docgen.serve._auth import BasicAuth, Users

if TYPE_CHECKING:
    from docgen.archive import Archive
    from docgen.render import TemplateSet

HERE = Path(__file__).resolve().parent
READ_METHODS = ("GET", "HEAD")
SECURITY_HEADERS = [
    # no inline script or style anywhere; the preview is framed by our own pages only
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                 b"base-uri 'none'; form-action 'self'; frame-ancestors 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
MESSAGES = {400: "请求的参数有误", 401: "需要登录：请输入质量部分配的用户名和密码", 404: "页面不存在；请从首页重新进入",
            405: "只读页面：只接受 GET 和 HEAD 请求，不能修改归档库", 500: "服务器内部错误；问题已记入服务日志，请稍后重试或联系管理员"}
TITLES = {400: "请求有误", 401: "需要登录", 404: "找不到", 405: "不允许的操作", 500: "服务器错误"}
log = logging.getLogger("docgen.serve")


class _App(Starlette):
    def build_middleware_stack(self) -> Any:
        # outside Starlette's own error middleware, so that its 500 page carries the headers too
        return _SecurityHeaders(super().build_middleware_stack())


class _SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                message["headers"] = [h for h in message.get("headers", []) if h[0].lower() not in names] \
                    + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _ReadOnly:
    """Every method but GET and HEAD is refused before any view sees it: 405 with a Chinese page."""

    def __init__(self, app: Any, *, refuse: Callable[[dict], Any]) -> None:
        self.app, self.refuse = app, refuse

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] not in READ_METHODS:
            await self.refuse(scope)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _pages() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from docgen.numbers import fmt_num

    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(doc_url=v.doc_url, download_url=v.download_url, project_url=v.project_url, fmt_num=fmt_num)
    return env


def error_response(app: Starlette, path: str, status: int, message: str = "",
                   headers: Mapping[str, str] | None = None) -> Response:
    """The Chinese error page (JSON {"error"} under /api/) for `status`."""
    message = message or MESSAGES.get(status, MESSAGES[500])
    if path.startswith("/api/") or path.startswith("/verify/"):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    html = app.state.pages.get_template("error.html").render(status=status, title=TITLES.get(status, "出错了"),
                                                             message=message)
    return HTMLResponse(html, status_code=status, headers=headers)


def create_app(archive: Archive, *, users: Mapping[str, str] | None = None, templates: TemplateSet | None = None,
               today: Callable[[], datetime.date] = datetime.date.today) -> Starlette:
    """The read-only auditors' pages over `archive`. `users` ({name: argon2 hash}, read_users()): every
    request must log in with HTTP Basic; None: no login (only for 127.0.0.1). `templates`: where the
    KPI workbook's template is found (default: the built-in ones); `today`: the day audits are run as of."""
    if templates is None:
        from docgen.render import TemplateSet

        templates = TemplateSet()
    app: Starlette

    def refuse(status: int, headers: Mapping[str, str] | None = None) -> Callable[[dict], Response]:
        return lambda scope: error_response(app, scope.get("path", ""), status, headers=headers)

    middleware = []
    if users is not None:
        middleware.append(Middleware(BasicAuth, users=Users(users), refuse=refuse(
            401, {"WWW-Authenticate": 'Basic realm="docgen", charset="UTF-8"'})))
    middleware.append(Middleware(_ReadOnly, refuse=refuse(405, {"Allow": "GET, HEAD"})))
    read = ["GET"]  # Starlette answers HEAD for every GET route
    routes = [
        Route("/", v.home, methods=read),
        Route("/search", v.search_page, methods=read),
        Route("/doc/{doc_id:path}", v.doc_page, methods=read),
        Route("/download/{doc_id:path}", v.download, methods=read),
        Route("/preview/{doc_id:path}", v.preview, methods=read),
        Route("/verify/{doc_id:path}", v.verify, methods=read),
        Route("/projects", v.projects, methods=read),
        Route("/project/{code}", v.project_page, methods=read),
        Route("/kpi", v.kpi_page, methods=read),
        Route("/kpi/workbook", v.kpi_workbook, methods=read),
        Route("/ledger", v.ledger_page, methods=read),
        Route("/api/search", v.api_search, methods=read),
        Route("/api/doc/{doc_id:path}", v.api_doc, methods=read),
        Route("/api/project/{code}", v.api_project, methods=read),
        Route("/api/kpi", v.api_kpi, methods=read),
        Route("/favicon.ico", v.favicon, methods=read),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    def page_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, v.PageError)
        return error_response(app, request.url.path, exc.status, exc.message)

    def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        headers = {"Allow": "GET, HEAD"} if exc.status_code == 405 else None
        return error_response(app, request.url.path, exc.status_code, headers=headers)

    def data_error(request: Request, exc: Exception) -> Response:
        # the archive holds something the library refuses (an unreadable sidecar, malformed facts): its
        # Chinese message says which file and what to do
        log.error("归档库数据有误（%s）：%s", request.url.path, exc)
        return error_response(app, request.url.path, 500, f"归档库中的数据有误：{exc}")

    def server_error(request: Request, exc: Exception) -> Response:
        # the traceback goes to the service log (uvicorn logs the exception Starlette re-raises), never the page
        return error_response(app, request.url.path, 500)

    app = _App(debug=False, routes=routes, middleware=middleware,
               exception_handlers={v.PageError: page_error, HTTPException: http_error, DocgenError: data_error,
                                   Exception: server_error})
    app.state.archive = archive
    app.state.templates = templates
    app.state.today = today
    app.state.pages = _pages()
    return app


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, opened here so that a taken port or an unknown host is a Chinese message."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror:
        raise BadArgument(f"无法解析主机地址“{host}”；--host 请写本机的 IP 地址，如 127.0.0.1 或 0.0.0.0") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        reason = "端口已被占用（可能已有一个 docgen serve 在运行）" if exc.errno in (98, 48, 10048) else (exc.strerror or str(exc))
        raise BadArgument(f"无法在 {host}:{port} 上监听：{reason}；请换一个 --port，或停止占用该端口的程序") from None
    sock.set_inheritable(True)
    return sock


def run_server(archive: Archive, *, host: str = "127.0.0.1", port: int = 8000, auth_file: str | Path | None = None,
               templates: TemplateSet | None = None, ready: Callable[[str], None] | None = None) -> None:
    """Serve the pages until Ctrl+C / SIGTERM. Refuses (BadArgument) a host other than this machine without
    an `auth_file`, an archive folder that is not there, and a port that cannot be listened on. `ready` is
    told the address once the server listens."""
    import uvicorn

    from docgen.serve._auth import read_users

    if not 0 < port < 65536:
        raise BadArgument(f"端口 {port} 无效：应为 1–65535")
    if auth_file is None and not is_loopback(host):
        raise BadArgument(f"拒绝在 {host} 上启动：不登录就能访问的页面只能绑定本机地址（127.0.0.1、localhost、::1）。"
                          "要让其他电脑访问，请用 --auth-file 指定用户文件（先运行 docgen serve adduser 用户文件 用户名 创建），"
                          "并放在公司的 HTTPS 反向代理之后")
    users = read_users(auth_file) if auth_file is not None else None
    if not archive.root.is_dir():
        raise BadArgument(f"归档库 {archive.root} 不存在；请用 --archive 或环境变量 DOCGEN_ARCHIVE 指定已有的归档库")
    app = create_app(archive, users=users, templates=templates)
    sock = _bind(host, port)
    # uvicorn's own English start-up lines stay out of the way; errors still reach the service log
    config = uvicorn.Config(app, log_level="warning", server_header=False, access_log=False)
    shown = f"[{host}]" if ":" in host else host
    if ready is not None:
        ready(f"http://{shown}:{port}")
    _run_until_stopped(uvicorn.Server(config), sock)


def _run_until_stopped(server: Any, sock: socket.socket) -> None:
    """Run until Ctrl+C or SIGTERM, then return normally: uvicorn stops gracefully on either and raises the
    signal again afterwards, which would end the process before the command line says it stopped."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        server.run(sockets=[sock])
        return
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
