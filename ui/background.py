"""Slow work off the UI thread (STYLE point 7): unlocking, submitting, approving, exporting, backing up.

`run_in_background` runs a plain function on Qt's thread pool and hands its result (or its exception) back to
the UI thread; while it runs, the window shows progress and ignores input, so the session's database
connection is only ever used by one thread at a time.
"""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Hands results from the workers to the UI thread (made there, once: signals emitted on a worker are
    delivered in the thread of their object). One for every job, with the job's number: a relay per job, its
    connections holding closures that held it, was a cycle through C++ the collector could not see (every job's
    result, a whole caseload at each unlock, was kept for good), and deleting it raced the worker's emit."""

    done = Signal(object, object)
    failed = Signal(object, object)


class _Job(QRunnable):
    def __init__(self, number: int, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._number = number
        self._work: Callable[[], Any] | None = work
        self._relay = relay

    def run(self) -> None:
        # the work is let go of before it reports: the pool deletes the runnable in C++, but its Python side can
        # outlive it (under load, for seconds), and with it whatever the work held (a caseload, a session)
        work, self._work = self._work, None
        assert work is not None
        try:
            result = work()
        except Exception as error:  # handed to the UI thread, which shows it
            del work
            log.info("background work failed: %s", type(error).__name__)
            self._relay.failed.emit(self._number, error)
        else:
            del work
            self._relay.done.emit(self._number, result)


class BusyIndicator(Protocol):
    """What the window does while work runs: show a message and progress, refuse input."""

    def start(self, message: str) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class _Waiting:
    on_done: Callable[[Any], None]
    on_error: Callable[[Exception], None]
    busy: BusyIndicator | None


_waiting: dict[int, _Waiting] = {}  # job number → what to do with its result; dropped once it is done
_numbers = itertools.count()


@functools.cache  # made once, on the UI thread (the first job is always started from there)
def _the_relay() -> _Relay:
    relay = _Relay()
    relay.done.connect(lambda number, result: _finish(number, result, failed=False))
    relay.failed.connect(lambda number, error: _finish(number, error, failed=True))
    return relay


def _finish(number: int, outcome: Any, failed: bool) -> None:
    waiting = _waiting.pop(number, None)
    if waiting is None:
        return
    if waiting.busy is not None:
        waiting.busy.stop()
    (waiting.on_error if failed else waiting.on_done)(outcome)


def run_in_background(work: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[Exception], None],
                      busy: BusyIndicator | None = None, message: str = "Working…") -> None:
    """Run `work()` on a worker thread; `on_done(result)` or `on_error(exception)` run on the UI thread."""
    relay = _the_relay()
    number = next(_numbers)
    _waiting[number] = _Waiting(on_done, on_error, busy)
    if busy is not None:
        busy.start(message)
    QThreadPool.globalInstance().start(_Job(number, work, relay))


def wait_for_background(timeout_ms: int = 30000) -> bool:
    """Wait for every background job (used when locking or closing, and by tests)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
