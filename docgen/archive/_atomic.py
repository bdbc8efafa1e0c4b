"""Crash-safe file writes: a reader sees the old file or the whole new one, never half of it."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

# Every temporary file the archive writes starts with this, so recover() can delete leftovers and
# verify() can tell them apart from documents.
TEMP_PREFIX = ".tmp-"


def temp_path_beside(path: Path) -> Path:
    """A fresh temporary name in the same folder as `path` (same folder ⇒ os.replace is atomic)."""
    return path.parent / f"{TEMP_PREFIX}{uuid.uuid4().hex}-{path.name}"


def is_temp_name(name: str) -> bool:
    return name.startswith(TEMP_PREFIX)


def fsync_dir(folder: Path) -> None:
    """Make a rename or new file in `folder` durable; a no-op where folders can't be opened (Windows)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temp(temp: Path, data: bytes) -> None:
    """Create `temp` (must not exist), write `data` and fsync it, so a later rename publishes whole bytes."""
    with open(temp, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_atomic(path: str | Path, data: bytes) -> None:
    """Replace `path` with `data` atomically: temp file in the same folder, fsync, os.replace.
    The folder must exist. On failure the old file (if any) is left as it was."""
    path = Path(path)
    temp = temp_path_beside(path)
    try:
        write_temp(temp, data)
        os.replace(temp, path)
    except BaseException:
        # the half-written temp is worthless; the original exception is what the caller needs
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_unsynced(path: Path, data: bytes) -> None:
    """Replace `path` with `data` through a temp file and a rename, without an fsync: for batches, which
    make everything durable with one sync_all() at their commit point instead of one fsync per file."""
    temp = temp_path_beside(path)
    try:
        with open(temp, "xb") as fh:
            fh.write(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def sync_all() -> None:
    """Flush every written file to disk at once (one sync for a whole batch); where os.sync is missing
    (Windows) there is no cheaper equivalent and the batch's files were already closed."""
    if hasattr(os, "sync"):
        os.sync()
