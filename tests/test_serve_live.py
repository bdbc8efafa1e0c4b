"""The real server process model (#16): uvicorn runs the page functions in a thread pool, so auditors
searching at the same moment search from several threads at once."""
from __future__ import annotations

import http.client
import threading
from urllib.parse import urlencode, urlsplit


QUERIES = ["网卡", "满意度", "遗留问题", "可用率", "服务", "XC-2025-0007"]


def test_concurrent_search_pages_all_answer(live_demo):
    port = urlsplit(live_demo.url).port
    failures: list[str] = []

    def auditor(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(10):
            q = QUERIES[(offset + i) % len(QUERIES)]
            try:
                conn.request("GET", f"/search?{urlencode({'q': q})}")
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(f"/search?q={q}: HTTP {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                failures.append(f"/search?q={q}: {type(exc).__name__}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    threads = [threading.Thread(target=auditor, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
