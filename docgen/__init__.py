"""docgen — 运维交付文档的生成、归档与审计。"""
from __future__ import annotations

__version__ = "0.1.0"
