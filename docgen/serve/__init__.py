"""`docgen serve`: read-only web pages over the archive for the quality department (质量部) — search,
documents with their versions, ledger entries, download, preview and checksum check, each project's report
schedule, live audit findings and leftovers, the monthly KPI, the ledger. Server-rendered (Starlette +
Jinja2, autoescaped); every figure comes from the library functions the command line uses."""
from __future__ import annotations

from docgen.serve._app import create_app, is_loopback, run_server
from docgen.serve._auth import add_user, check_user_name, read_users

__all__ = ["add_user", "check_user_name", "create_app", "is_loopback", "read_users", "run_server"]
