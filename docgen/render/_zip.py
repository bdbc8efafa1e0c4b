"""The one deterministic zip writer: .docx and .xlsx packages and the customer's pack zip are written
with fixed timestamps and permissions, so the same content always gives the same bytes (and checksum)
whenever and wherever it is made — a pack's 交付清单 lists its items' checksums."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable

ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def fixed_zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of (name, bytes) entries, in the given order, with fixed timestamps and rw-r--r-- files."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, blob in entries:
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, blob)
    return out.getvalue()


def restamp_zip(data: bytes, *, rewrite: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """The same package rewritten by fixed_zip; `rewrite(name, blob)` may change a part on the way
    (the workbook's core properties carry a "modified" time)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    if rewrite is not None:
        parts = [(name, rewrite(name, blob)) for name, blob in parts]
    return fixed_zip(parts)
