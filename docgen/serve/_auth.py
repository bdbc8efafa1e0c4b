"""Who may read the pages when they are served beyond this machine: a users file of salted argon2 hashes
(one `用户名:哈希` line each, like htpasswd), HTTP Basic authentication against it (behind the company's
HTTPS reverse proxy), and `docgen serve adduser`, which writes the file atomically."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from docgen.errors import BadArgument, InputError

MIN_PASSWORD = 8
_USER = re.compile(r"[^\s:]{1,64}")  # a colon ends the name in Basic auth and in the file
_HASH = re.compile(r"\$argon2(id|i|d)\$\S+")


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current recommended parameters and a random salt


def check_user_name(user: str) -> str:
    if not _USER.fullmatch(user or ""):
        raise BadArgument(f"用户名“{user}”无效：应为 1–64 个字符，不能含空格或冒号（:）；例如 zhangsan")
    return user


def read_users(path: str | Path) -> dict[str, str]:
    """The users file as {name: argon2 hash}; InputError (Chinese, names the file and line) when it is
    missing, unreadable or holds a line that is not `用户名:argon2 哈希`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("用户文件不存在；请先用 docgen serve adduser 文件 用户名 创建", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"用户文件无法读取（{exc}）；请检查文件权限，或用 docgen serve adduser 重新创建",
                         file=path) from None
    users: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, hashed = line.partition(":")
        if not sep or not _USER.fullmatch(name) or not _HASH.fullmatch(hashed):
            raise InputError(f"第 {number} 行不是“用户名:argon2 哈希”；请删除该行，用 docgen serve adduser 重新添加该用户",
                             file=path)
        users[name] = hashed
    if not users:
        raise InputError("用户文件中没有任何用户；请用 docgen serve adduser 文件 用户名 添加", file=path)
    return users


def add_user(path: str | Path, user: str, password: str) -> bool:
    """Add `user` to the users file, or give an existing one the new password (True when the user is new).
    The file is replaced atomically and readable by its owner only; the password is stored as a salted
    argon2id hash."""
    check_user_name(user)
    if len(password) < MIN_PASSWORD:
        raise BadArgument(f"密码太短：至少 {MIN_PASSWORD} 个字符；请换一个更长的密码")
    path = Path(path)
    users = read_users(path) if path.exists() else {}
    new = user not in users
    users[user] = _hasher().hash(password)
    lines = ["# docgen serve 的用户：每行 用户名:argon2 哈希，用 docgen serve adduser 维护"]
    lines += [f"{name}:{hashed}" for name, hashed in users.items()]
    _write_private(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return new


def _write_private(path: Path, data: bytes) -> None:
    """Replace `path` atomically with a file only its owner can read (the hashes are still secrets)."""
    if not path.parent.is_dir():
        raise BadArgument(f"目录 {path.parent} 不存在；请先创建它，或换一个用户文件的位置", file=path)
    temp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise BadArgument(f"用户文件无法写入（{exc.strerror or exc}）；请检查目录权限", file=path) from None


class Users:
    """The users the server accepts. argon2 is slow on purpose (tens of milliseconds), and a page brings
    its stylesheet, script and preview along: a credential verified once is remembered for the process's
    life as a SHA-256 of name and password, never the password itself."""

    def __init__(self, users: Mapping[str, str]) -> None:
        self._hashes = dict(users)
        self._verified: set[bytes] = set()
        self._lock = threading.Lock()
        self._dummy = _hasher().hash("docgen-not-a-user")  # unknown names take as long as known ones

    def check(self, user: str, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        token = hashlib.sha256(f"{user}\0{password}".encode("utf-8", "surrogatepass")).digest()
        with self._lock:
            if any(hmac.compare_digest(token, seen) for seen in self._verified):
                return True
        hashed = self._hashes.get(user)
        try:
            _hasher().verify(hashed or self._dummy, password)
        except (VerificationError, InvalidHashError):
            return False
        if hashed is None:
            return False
        with self._lock:
            self._verified.add(token)
        return True

    def from_header(self, header: str | None) -> str | None:
        """The user an `Authorization: Basic …` header proves, else None."""
        if not header or not header[:6].lower() == "basic ":
            return None
        try:
            raw = base64.b64decode(header[6:].strip(), validate=True)
        except (binascii.Error, ValueError):
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")  # older browsers send Latin-1
        user, sep, password = text.partition(":")
        if not sep:
            return None
        return user if self.check(user, password) else None


class BasicAuth:
    """ASGI middleware: every request needs a user of `users` (HTTP Basic), else 401 and a Chinese page."""

    def __init__(self, app: Any, *, users: Users, refuse: Callable[[dict], Any]) -> None:
        self.app, self.users, self.refuse = app, users, refuse

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.concurrency import run_in_threadpool
        from starlette.datastructures import Headers

        header = Headers(scope=scope).get("authorization")
        user = await run_in_threadpool(self.users.from_header, header)  # argon2 must not stall the event loop
        if user is None:
            await self.refuse(scope)(scope, receive, send)
            return
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)
