"""Keeping this laptop in step with the team server while it is unlocked (DESIGN §15), never blocking the window.

A sync runs on unlock, every few minutes, when "Sync now" is pressed, and within seconds of the server saying
that a package for this user arrived (LISTEN/NOTIFY, on a thread of its own). Each sync works on its own
connection to the database, so the window stays usable. The tool bar shows the last sync and what waits.
With no server set for the database, none of this runs and nothing changes.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from cpassess.dates import uk_date
from cpassess.server import outbox
from ui.background import run_in_background

if TYPE_CHECKING:
    from cpassess.session import Session
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)

SYNC_EVERY_MS = 3 * 60 * 1000
RECONNECT_SECONDS = 30


class TeamServerSync(QObject):
    arrived = Signal()  # from the listening thread; handled on the UI thread
    synced = Signal(object)  # a SyncReport, after each sync that reached the server

    def __init__(self, window: MainWindow, session: Session) -> None:
        super().__init__(window)
        self.session = session
        self.label = QLabel(window)  # owned by Qt (the tool bar it goes into), not by this wrapper
        self.label.setAccessibleName("Team server sync")
        self.label.setProperty("role", "subtitle")
        self.problem: str | None = None
        self._running = False
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_EVERY_MS)
        self.timer.timeout.connect(self.sync_now)
        self.arrived.connect(self.sync_now)

    def _window(self) -> MainWindow:
        """The window, asked of Qt: a Python reference to it from here, its child, would let deleting this after a
        lock take the window's last reference and delete the window from inside this one's deletion."""
        window = self.parent()
        assert window is not None
        return window  # type: ignore[return-value]

    @classmethod
    def start(cls, window: MainWindow, session: Session, toolbar: Any) -> TeamServerSync:
        """Show the sync state in `toolbar` and, when the database has a team server, start syncing."""
        sync = cls(window, session)
        toolbar.addWidget(sync.label)
        sync.resume()
        return sync

    def resume(self) -> None:
        """(Re)start after unlocking or after the server address changed."""
        self.refresh()
        url = outbox.server_url(self.session)
        if url is None:
            self.timer.stop()
            return
        self.timer.start()
        self.sync_now()
        if self._listener is None or not self._listener.is_alive():
            self._listener = threading.Thread(target=self._listen, args=(url,), name="team-server-listener",
                                              daemon=True)
            self._listener.start()

    @property
    def running(self) -> bool:
        """A sync is under way on its own connection to the database."""
        return self._running

    def stop(self) -> None:
        """On lock: no more syncs; the listening thread ends within a couple of seconds."""
        self._stop.set()
        self.timer.stop()

    def sync_now(self) -> None:
        if self._running or self._stop.is_set() or outbox.server_url(self.session) is None:
            return
        from cpassess.server.sync import sync_on_own_connection

        self._running = True
        self.label.setText("Syncing with the team server…")
        session = self.session
        run_in_background(lambda: sync_on_own_connection(session), self._done, self._failed)

    def _done(self, report: Any) -> None:
        self._running = False
        self.problem = None
        if self._stop.is_set():
            return
        self.refresh()
        if report.imported or report.refused:
            self._window().statusBar().showMessage(
                f"From the team server: {report.imported} imported, {len(report.refused)} refused.", 10000)
        self.synced.emit(report)

    def _failed(self, error: Exception) -> None:
        from ui.main_window import explain

        self._running = False
        if self._stop.is_set():
            return
        self.problem = explain(error)
        self.refresh()

    def refresh(self) -> None:
        """The tool bar text: nothing without a server; else the last sync (or the problem) and what waits."""
        if self._stop.is_set():
            return
        if outbox.server_url(self.session) is None:  # no team server: nothing to show, nothing to count at unlock
            self.label.clear()
            self.label.setToolTip("")
            return
        state = outbox.sync_state(self.session)
        parts = ["Team server not reachable" if self.problem else
                 f"Synced {uk_date(state.last_sync)}" if state.last_sync else "Not synced yet"]
        if state.to_send:
            parts.append(f"{state.to_send} to send")
        if state.refused:
            parts.append(f"{state.refused} refused")
        self.label.setText("  ·  ".join(parts) + "  ")
        self.label.setToolTip(self.problem or "Work waits here and is sent when the team server is reachable.")

    def _listen(self, url: str) -> None:
        from cpassess.server import ServerError
        from cpassess.server.listen import wait_for_packages

        username = self.session.user.username
        while not self._stop.is_set():
            try:
                wait_for_packages(url, username, self._stop.is_set, self.arrived.emit)
            except ServerError as error:
                log.info("team server listener: %s", type(error).__name__)
            except Exception as error:  # a dropped connection: try again later, never take the window down
                log.info("team server listener stopped: %s", type(error).__name__)
            self._stop.wait(RECONNECT_SECONDS)


def send_through_server(window: MainWindow, session: Session, assessment_id: str, recipient: str) -> bool:
    """With a team server set, seal the package into the outbox and sync now (no file to save or carry);
    False, doing nothing, when there is no server."""
    if outbox.server_url(session) is None:
        return False
    from cpassess.casework.packages import export_package

    def sent(_: object) -> None:
        window.statusBar().showMessage(f"Sealed for {recipient}: it goes to the team server now, or at the next "
                                       "sync if the server cannot be reached.", 10000)
        if window.team_sync is not None:
            window.team_sync.sync_now()

    window.run(lambda: export_package(session, assessment_id, recipient), sent, "Sealing the package…")
    return True
