"""The window: unlock or first run, then the workspace (caseload, child, editor, review, settings).

Locking (Ctrl+L, idle timeout, closing) saves open work, closes the session and throws away every screen
that showed personal data; only the unlock screen remains.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QStackedWidget, QToolBar, QWidget

from cpassess.paths import slot_file_for
from cpassess.settings import load_settings, save_settings
from cpassess.workflow import ROLE_LABELS
from ui.background import run_in_background, wait_for_background
from ui.screens.unlock import FirstRunScreen, UnlockScreen
from ui.stack import show_only

# Qt's own namespace (`Qt`, about 90 enum classes: a tenth of a second) and the other types only an unlocked
# window needs are imported where they are used, so that the unlock window opens without them.
if TYPE_CHECKING:
    from PySide6.QtCore import QEvent

    from cpassess.session import Session

log = logging.getLogger(__name__)


def explain(error: Exception) -> str:
    """A sentence for the user; unexpected errors are logged (by type only) and described plainly."""
    from cpassess.casework.errors import user_errors  # late: the session's libraries load on unlocking

    if isinstance(error, user_errors()):
        return " ".join(str(error).split())
    log.error("unexpected %s", type(error).__name__, exc_info=error)
    return f"Something went wrong ({type(error).__name__}). Nothing was lost; please try again."


class _ActivityWatcher(QObject):
    """Restarts the idle timer on any keyboard or mouse input in any of the application's windows.

    It watches the windows themselves (input reaches a window before any of its widgets), each as it is first
    focused (a dialog, a message box), not the whole application: a Python filter on the application is called
    for every event of every widget, some 3,350 of them to open a GIRFEC assessment, about 40 ms.
    Installed only while unlocked: Qt builds its large event-type enum on first use, and that should not
    delay the first window.
    """

    def __init__(self, timer: QTimer) -> None:
        from PySide6.QtCore import QEvent
        from PySide6.QtGui import QGuiApplication

        super().__init__()
        self._timer = timer
        self._INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                                 QEvent.Type.Wheel, QEvent.Type.TouchBegin})
        application = QGuiApplication.instance()
        assert isinstance(application, QGuiApplication)
        for window in application.topLevelWindows():
            window.installEventFilter(self)
        application.focusWindowChanged.connect(self._watch)

    def _watch(self, window: QObject | None) -> None:
        if window is not None:
            window.installEventFilter(self)  # once: Qt moves a filter already installed to the front

    def stop(self) -> None:
        from PySide6.QtGui import QGuiApplication

        application = QGuiApplication.instance()
        assert isinstance(application, QGuiApplication)
        application.focusWindowChanged.disconnect(self._watch)
        for window in application.topLevelWindows():
            window.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._timer.isActive() and event.type() in self._INPUT:
            self._timer.start()
        return False


class MainWindow(QMainWindow):
    def __init__(self, database: Path) -> None:
        super().__init__()
        self.database = database
        self.settings = load_settings()
        self.session: Session | None = None
        self.workspace: Any = None
        self._place: tuple[str, Any] | None = None  # (username, workspace Place) kept while locked
        self.setWindowTitle("cpassess")
        self.setMinimumSize(1000, 640)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self._busy = QProgressBar()
        self._busy.setRange(0, 0)
        self._busy.setMaximumWidth(160)
        self._busy.setTextVisible(False)
        self._busy_label = QLabel()
        self.statusBar().addPermanentWidget(self._busy_label)
        self.statusBar().addPermanentWidget(self._busy)
        self._busy.hide()
        self._toolbar = QToolBar("Main")
        self._toolbar.setMovable(False)
        self.addToolBar(self._toolbar)
        self._toolbar.hide()
        self._lock_action: QAction | None = None
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self._idle_timeout)
        self._watcher: _ActivityWatcher | None = None
        self.team_sync: Any = None  # ui.team_sync.TeamServerSync while unlocked
        self._restore_geometry()
        self.show_start()

    @property
    def lock_action(self) -> QAction:
        """Lock now (Ctrl+L); made at the first unlock (a key sequence brings in Qt's whole namespace)."""
        if self._lock_action is None:
            self._lock_action = QAction("&Lock", self)
            self._lock_action.setShortcut(QKeySequence("Ctrl+L"))
            self._lock_action.setToolTip("Lock now (Ctrl+L): hides everything until you unlock again")
            self._lock_action.triggered.connect(self.lock)
            self.addAction(self._lock_action)
        return self._lock_action

    # --- busy state (BusyIndicator) ------------------------------------------------------------------------

    def start(self, message: str) -> None:
        self._busy_label.setText(message)
        self._busy.show()
        self.stack.setEnabled(False)
        self._toolbar.setEnabled(False)

    def stop(self) -> None:
        self._busy_label.clear()
        self._busy.hide()
        self.stack.setEnabled(True)
        self._toolbar.setEnabled(True)

    def run(self, work: Callable[[], Any], on_done: Callable[[Any], None], message: str,
            on_error: Callable[[Exception], None] | None = None) -> None:
        """Run slow work in the background with progress; errors become a message box unless handled."""
        run_in_background(work, on_done, on_error or self.show_error, self, message)

    def show_error(self, error: Exception) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(self, "cpassess", explain(error))

    # --- start: first run or unlock ------------------------------------------------------------------------

    def _replace_screen(self, screen: QWidget) -> None:
        show_only(self.stack, screen)

    def show_start(self) -> None:
        self._clear_toolbar()  # it names the signed-in user: nothing of the session stays on screen
        self._toolbar.hide()
        if self.database.exists() and slot_file_for(self.database).exists():
            # the last username only for the database it was used with: another team's name would mislead
            same = self.settings.last_database == str(self.database)
            screen = UnlockScreen(self.database, (self.settings.last_username or "") if same else "")
            screen.unlock_requested.connect(self._unlock)
            self._replace_screen(screen)
        else:
            setup = FirstRunScreen(self.database)
            setup.setup_requested.connect(self._set_up)
            self._replace_screen(setup)

    def _unlock(self, username: str, password: str) -> None:
        screen = self.stack.currentWidget()
        assert isinstance(screen, UnlockScreen)
        def unlock() -> Session:
            from cpassess.session import Session  # on the worker thread, while the window stays responsive

            return Session.unlock(self.database, username, password)

        run_in_background(unlock, self._unlocked, lambda error: screen.show_problem(explain(error)))

    def _set_up(self, username: str, display_name: str, password: str, team: str) -> None:
        screen = self.stack.currentWidget()
        assert isinstance(screen, FirstRunScreen)

        def created(result: tuple[Session, str]) -> None:
            session, code = result
            screen.finished.connect(lambda: self._unlocked(session))
            screen.show_recovery_code(code)

        def initialise() -> tuple[Session, str]:
            from cpassess.session import Session

            return Session.initialise(self.database, username, display_name, password, team_name=team)

        run_in_background(initialise, created, lambda error: screen.show_problem(explain(error)))

    def _unlocked(self, session: Session) -> None:
        from ui.spelling import set_enabled  # the dictionary itself loads when a narrative box is shown
        from ui.workspace import Workspace

        set_enabled(self.settings.spell_check)
        self.session = session
        self.settings.last_username = session.user.username
        self.settings.last_database = str(self.database)
        save_settings(self.settings)
        self.workspace = Workspace(self, session, self.stack)  # made inside the stack: styled once
        self._replace_screen(self.workspace)
        self._build_toolbar(session)
        from ui.team_sync import TeamServerSync

        self.team_sync = TeamServerSync.start(self, session, self._toolbar)
        self.idle_timer.setInterval(self.settings.idle_lock_minutes * 60 * 1000)
        self.idle_timer.start()
        if self._watcher is None:
            self._watcher = _ActivityWatcher(self.idle_timer)
        place, self._place = self._place, None
        if place is not None and place[0] == session.user.username:
            self.workspace.resume(place[1])  # back where they were: the lock was not a crash
        else:
            self.workspace.offer_interrupted_edit()

    def _clear_toolbar(self) -> None:
        """Remove and delete the session's tool bar actions and widgets (QToolBar.clear only removes them: each
        unlock would leave the last one's, the user's name among them, in memory); the lock action is kept."""
        for action in self._toolbar.actions():
            self._toolbar.removeAction(action)
            if action.parent() is self._toolbar:
                action.deleteLater()  # a widget added to the tool bar goes with its action

    def _build_toolbar(self, session: Session) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QSizePolicy, QToolButton

        self._clear_toolbar()
        self._toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        assert self.workspace is not None
        self._toolbar.addAction("&Caseload", self.workspace.show_caseload)
        from cpassess.casework import UserAction, allowed_user_actions

        if UserAction.REVIEW in allowed_user_actions(session.actor):
            self._toolbar.addAction("&Review queue", self.workspace.show_review_queue)
        self._toolbar.addAction("&Settings", self.workspace.show_settings)
        self._toolbar.addAction("&Import package…", self.workspace.import_package)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._toolbar.addWidget(spacer)
        roles = ", ".join(ROLE_LABELS[role] for role in sorted(session.user.roles))
        who = QLabel(f"{session.user.display_name}  ·  {roles}  ")
        who.setProperty("role", "subtitle")
        self._toolbar.addWidget(who)
        self._toolbar.addAction(self.lock_action)
        for action in self._toolbar.actions():  # tool bar buttons take no focus by default: reach them by Tab
            button = self._toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self._toolbar.show()

    # --- locking and closing -------------------------------------------------------------------------------

    def lock(self) -> None:
        """Save open work, close the session (keys dropped), and show nothing but the unlock screen."""
        if self.session is None:
            return
        self.idle_timer.stop()
        team_sync, self.team_sync = self.team_sync, None
        if team_sync is not None:
            team_sync.stop()
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        wait_for_background()
        if team_sync is not None:
            team_sync.deleteLater()  # it holds the session: nothing of it may outlive the lock
        if self.workspace is not None:
            self.workspace.save_open_work()
            self._place = (self.session.user.username, self.workspace.place())
        session, self.session, self.workspace = self.session, None, None
        self.show_start()
        from cpassess.storage import StorageError

        try:
            session.close()
        except StorageError as error:
            log.warning("closing the session: %s", type(error).__name__)
        log.info("locked")

    def _idle_timeout(self) -> None:
        log.info("idle lock")
        self.lock()

    def set_spell_check(self, enabled: bool) -> None:
        from ui.spelling import set_enabled

        self.settings.spell_check = enabled
        save_settings(self.settings)
        set_enabled(enabled)

    def set_idle_minutes(self, minutes: int) -> None:
        self.settings.idle_lock_minutes = minutes
        save_settings(self.settings)
        self.idle_timer.setInterval(minutes * 60 * 1000)
        if self.session is not None:
            self.idle_timer.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        QSettings().setValue("window/geometry", self.saveGeometry())
        if self.workspace is not None:
            self.workspace.save_open_work(closing=True)
        self.lock()
        event.accept()

    def _restore_geometry(self) -> None:
        geometry = QSettings().value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:  # no taller than a small laptop's screen leaves room for (1366×768 is common)
            available = self.screen().availableGeometry()
            self.resize(min(1280, available.width()), min(800, available.height() * 9 // 10))
