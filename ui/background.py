"""Slow work off the UI thread (STYLE point 7): unlocking, submitting, approving, exporting, backing up.

`run_in_background` runs a plain function on Qt's thread pool and hands its result (or its exception) back to
the UI thread; while it runs, the window shows progress and ignores input, so the session's database
connection is only ever used by one thread at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as error:  # handed to the UI thread, which shows it
            log.info("background work failed: %s", type(error).__name__)
            self._relay.failed.emit(error)
        else:
            self._relay.done.emit(result)


class BusyIndicator(Protocol):
    """What the window does while work runs: show a message and progress, refuse input."""

    def start(self, message: str) -> None: ...

    def stop(self) -> None: ...


_running: set[_Relay] = set()


def run_in_background(work: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[Exception], None],
                      busy: BusyIndicator | None = None, message: str = "Working…") -> None:
    """Run `work()` on a worker thread; `on_done(result)` or `on_error(exception)` run on the UI thread."""
    relay = _Relay()
    _running.add(relay)
    if busy is not None:
        busy.start(message)

    def finish() -> None:
        _running.discard(relay)
        if busy is not None:
            busy.stop()

    def done(result: Any) -> None:
        finish()
        on_done(result)

    def failed(error: Exception) -> None:
        finish()
        on_error(error)

    relay.done.connect(done)
    relay.failed.connect(failed)
    QThreadPool.globalInstance().start(_Job(work, relay))


def wait_for_background(timeout_ms: int = 30000) -> bool:
    """Wait for every background job (used when locking or closing, and by tests)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
