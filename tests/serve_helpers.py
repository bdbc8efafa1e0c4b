"""The web server for tests: the real app under uvicorn on a loopback port, and a real Chromium.

The browser is Debian's `chromium` package driven by Playwright (Playwright's own browser download
needs the internet); without either one, or without the server package, the tests are skipped with
the reason in Chinese and English."""
from __future__ import annotations

import importlib.util
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCREENS = Path("/tmp/serve-screens")  # screenshots are copied here too, to be looked at after a run


def chromium_path() -> str | None:
    return shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def server_skip_reason() -> str | None:
    """Why the web server cannot be started here, or None when it can."""
    if importlib.util.find_spec("docgen.serve") is None:
        return "网页服务（docgen.serve）尚未安装 / the web server package docgen.serve is not available"
    if importlib.util.find_spec("uvicorn") is None:
        return "未安装 uvicorn / uvicorn is not installed"
    return None


def browser_skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if reason := server_skip_reason():
        return reason
    if importlib.util.find_spec("playwright") is None:
        return "未安装 playwright（pip install -e '.[test]'）/ playwright is not installed"
    if chromium_path() is None:
        return ("未安装 Chromium（Debian 包 chromium，.ci/run 会安装）/ "
                "Chromium is not installed (Debian package chromium; .ci/run installs it)")
    return None


@dataclass
class LiveServer:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    archive: Path


@contextmanager
def live_server(archive: Path, *, users: Any = None, timeout: float = 20.0) -> Iterator[LiveServer]:
    """The real app served by uvicorn in a background thread on a free loopback port; stopped on exit.

    The socket is bound here and handed to uvicorn, so no other process can take the port in between."""
    import uvicorn

    from docgen.archive import Archive
    from docgen.serve import create_app

    app = create_app(Archive(archive), users=users)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="docgen-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            sock.close()
            raise RuntimeError("the web server stopped while starting (see the log above)")
        if time.monotonic() > deadline:
            server.should_exit = True
            thread.join(5)
            sock.close()
            raise RuntimeError(f"the web server did not start within {timeout:.0f} s")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", archive)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright (headless; --no-sandbox because tests run as root in CI)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path() or "/usr/bin/chromium",
                                             args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, folder: Path, name: str) -> Path:
    """A full-page screenshot into the test's folder, copied to /tmp/serve-screens/ as well."""
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, SCREENS / name)
    return path
