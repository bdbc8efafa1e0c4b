"""`docgen watch`: an inbox folder as a door into the same pipeline as `docgen generate` and
`docgen archive add`, losing nothing across crashes and restarts."""
from __future__ import annotations

from docgen.watch._files import IGNORED, classify, ignored
from docgen.watch._inbox import ERROR_SUFFIX, FAILED, JOURNAL, PROCESSED, Outcome
from docgen.watch._loop import Watcher, WatcherBusy, WatchSummary

__all__ = ["ERROR_SUFFIX", "FAILED", "IGNORED", "JOURNAL", "PROCESSED", "Outcome", "WatchSummary", "Watcher",
           "WatcherBusy", "classify", "ignored"]
