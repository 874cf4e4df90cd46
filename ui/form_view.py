"""A form rendered from its definition: a section list with completion, one page per section, a row per field
(label, guidance, editor, inline problem, reviewer comments). Visibility and completeness come from the core."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from cpassess.forms import FormDefinition, Problem, Section, SectionCheck, Visibility, check_sections, is_empty
from cpassess.forms.cross_field import FormWarning, cross_field_warnings
from cpassess.forms.definition import ComputedField
from ui.background import run_in_background
from ui.editors import editor_for
from ui.models import Column, RowsModel

log = logging.getLogger(__name__)
READ_ONLY_NOTICE = "⊘ Read only: these answers cannot be changed here."
REVIEW_NOTICE = ("⊘ Read only: you are reviewing the author's answers. Use “Comment…” beside a question, or "
                 "comment on the whole section.")
CHECK_DELAY_MS = 250  # the core's check runs this long after the last keystroke
SLOW_CHECK_SECONDS = 0.04  # a check slower than this moves to a worker thread from then on


@dataclass(frozen=True)
class SectionState:
    """A section as the list shows it. `problems` are what the core's submit check finds in it; `shown` how many
    of them the page shows (all after a submit attempt, before it only those on questions already answered)."""

    section: Section
    answered: int
    complete: bool  # the core's verdict (SectionCheck.complete)
    problems: int
    shown: int
    comments: int
    warnings: int = 0  # the form's cross-field warnings on its questions (shown, never blocking)

    def describe(self) -> str:
        """Completion in words with a symbol, so it never depends on colour."""
        if self.shown:
            state = f"⚠ {self.shown} to fix"
        elif not self.answered:
            state = "○ not started"
        elif self.complete:
            state = "✓ complete"
        else:
            state = "… in progress"
        if self.comments:
            state += f" · {self.comments} comment{'s' if self.comments > 1 else ''}"
        warnings = f"\n△ {self.warnings} to check" if self.warnings else ""  # a line of its own: never cut short
        return f"{self.section.title}\n{state}{warnings}"


class FieldRow(QFrame):
    """One question: its label, guidance, editor, problem and any reviewer comments."""

    comment_requested = Signal(str)  # field id

    def __init__(self, field: Any, form: FormDefinition, commentable: bool, parent: QWidget | None = None) -> None:
        # Every widget is made inside its parent: under the app's style sheet, moving a built widget into another
        # restyles all of it again, and that was most of opening a long section.
        super().__init__(parent)
        self.field = field
        self.editor = editor_for(field, form, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 10)
        layout.setSpacing(4)
        top = QHBoxLayout()
        self.label = QLabel(field.label + (" *" if field.required else ""), self)
        self.label.setProperty("role", "field-label")
        self.label.setWordWrap(True)
        self.label.setBuddy(self.editor.focus_widget())
        top.addWidget(self.label, 1)
        if commentable:
            comment = QPushButton("Comment…", self)
            comment.setAccessibleName(f"Comment on {field.label}")
            comment.clicked.connect(lambda: self.comment_requested.emit(field.id))
            top.addWidget(comment)
        layout.addLayout(top)
        if field.help:
            help_text = QLabel(field.help, self)
            help_text.setProperty("role", "help")
            help_text.setWordWrap(True)
            layout.addWidget(help_text)
        layout.addWidget(self.editor)
        self.problem = QLabel(self)
        self.problem.setProperty("role", "problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        self.note = QLabel(self)  # a check of the screen's own (a CHI warning), kept apart from the core's problems
        self.note.setWordWrap(True)
        self.note.hide()
        layout.addWidget(self.note)
        self.warning: QLabel | None = None  # the form's cross-field warnings on this question, made when first needed
        self.comments = QVBoxLayout()
        layout.addLayout(self.comments)

    def show_problem(self, message: str | None) -> None:
        self.problem.setText(f"⚠ {message}" if message else "")
        self.problem.setVisible(bool(message))

    def show_note(self, message: str | None, warning: bool = False) -> None:
        """A blocking problem (⚠, in the problem style) or a warning that does not block (△, the warning style)."""
        self.note.setText(f"{'△' if warning else '⚠'} {message}" if message else "")
        self.note.setProperty("role", "warning" if warning else "problem")
        self.note.style().unpolish(self.note)
        self.note.style().polish(self.note)
        self.note.setVisible(bool(message))

    def show_warnings(self, messages: list[str]) -> None:
        """The form's warnings about this question: worth a second look, never a problem that blocks."""
        if self.warning is None:
            if not messages:
                return
            self.warning = QLabel()
            self.warning.setProperty("role", "warning")
            self.warning.setWordWrap(True)
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(layout.indexOf(self.note) + 1, self.warning)
        self.warning.setText("\n".join(f"△ {message}" for message in messages))
        self.warning.setVisible(bool(messages))

    def show_comments(self, texts: Iterable[str]) -> None:
        while self.comments.count():
            item = self.comments.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for text in texts:
            note = QLabel(f"Reviewer: {text}")
            note.setProperty("role", "comment")
            note.setWordWrap(True)
            note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.comments.addWidget(note)


class SectionPage(QScrollArea):
    """A section's title, guidance and rows; made empty inside its parent, then filled (see FieldRow)."""

    def __init__(self, section: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget()
        self._layout = QVBoxLayout(self.body)
        self._layout.setContentsMargins(20, 14, 24, 24)
        self.setWidget(self.body)
        title = QLabel(section.title, self.body)
        title.setProperty("role", "section")
        title.setWordWrap(True)
        self._layout.addWidget(title)
        if section.guidance:
            guidance = QLabel(section.guidance, self.body)
            guidance.setProperty("role", "help")
            guidance.setWordWrap(True)
            self._layout.addWidget(guidance)
        self.section_comments = QVBoxLayout()
        self._layout.addLayout(self.section_comments)
        self._layout.addStretch(1)

    def add_row(self, row: FieldRow) -> None:
        """A row made inside `body`, placed after the others (above the stretch)."""
        self._layout.insertWidget(self._layout.count() - 1, row)


SECTION_COLUMNS: list[Column[SectionState]] = [Column("Section", SectionState.describe)]


class FormView(QWidget):
    """All sections of one form; `changed` fires on any edit; `answers()` collects them.

    A section's page (its editors) is built the first time it is shown: opening a long assessment builds
    one page, not hundreds of widgets. Answers of sections not yet built are kept as they came.
    """

    changed = Signal()
    section_changed = Signal()
    problems_changed = Signal()  # the core's check came back with a different set of problems to show
    warnings_changed = Signal()  # the form's cross-field warnings that hold changed
    comment_requested = Signal(str, str)  # section id, field id ("" for the whole section)

    def __init__(self, form: FormDefinition, answers: Mapping[str, Any], *, read_only: bool = False,
                 commentable: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self._read_only = read_only
        self._commentable = commentable
        self._initial = dict(answers)
        self.rows: dict[str, FieldRow] = {}
        self.pages: dict[str, SectionPage] = {}
        self._problems: list[Problem] = []  # the problems shown (see shown_problems)
        self._warnings: list[FormWarning] = []  # the form's warnings that hold for the answers (never blocking)
        self._checks: dict[str, SectionCheck] = {}
        self._every_problem = False  # after a submit attempt every problem shows, not only those on answers given
        self._check_round = 0  # a check's result is used only if no newer check has started
        self._check_in_background = False
        self._comments: dict[str, list[str]] = {}
        self.stack = QStackedWidget()
        self.sections: RowsModel[SectionState] = RowsModel(SECTION_COLUMNS, self)
        self.section_list = QListView()
        self.section_list.setObjectName("SectionList")
        self.section_list.setAccessibleName("Sections")
        self.section_list.setModel(self.sections)
        self.section_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.section_list.setWordWrap(True)
        # one scrollbar at large text: titles wrap to the list's width instead of scrolling sideways
        self.section_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.section_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.section_list.setMinimumWidth(220)
        self.section_list.selectionModel().currentChanged.connect(self._section_chosen)
        splitter = QSplitter()
        splitter.addWidget(self.section_list)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if read_only:  # said in words, not only by the greyed boxes
            notice = QLabel(REVIEW_NOTICE if commentable else READ_ONLY_NOTICE)
            notice.setProperty("role", "read-only")
            notice.setWordWrap(True)
            layout.addWidget(notice)
        layout.addWidget(splitter, 1)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(CHECK_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.refresh()
        if self.sections.rowCount():
            self.section_list.setCurrentIndex(self.sections.index(0, 0))

    # --- pages, built when first wanted --------------------------------------------------------------------

    def page(self, section: Section) -> SectionPage:
        """The page of a section, building its editors the first time."""
        page = self.pages.get(section.id)
        if page is not None:
            return page
        page = SectionPage(section, self.stack)
        self.stack.addWidget(page)
        self.pages[section.id] = page
        section_rows = []
        for field in section.fields:
            row = FieldRow(field, self.form, self._commentable, page.body)
            row.editor.set_value(self._initial.get(field.id))
            row.editor.set_read_only(self._read_only)
            if self._read_only:
                row.setProperty("role", "answer-read-only")
            row.comment_requested.connect(lambda fid, sid=section.id: self.comment_requested.emit(sid, fid))
            row.editor.changed.connect(self._edited)
            self.rows[field.id] = row
            section_rows.append(row)
            page.add_row(row)
        self._apply_comments(section)
        self._apply_problems(section_rows)
        self._apply_warnings(section_rows)
        answers = self.answers()
        self._apply_visibility(section, Visibility(self.form, answers), answers)
        return page

    def row(self, field_id: str) -> FieldRow:
        """The row of a field (building its section's page if need be)."""
        if field_id not in self.rows:
            self.page(self.form.section_of(field_id))
        return self.rows[field_id]

    # --- answers and visibility ----------------------------------------------------------------------------

    def answers(self) -> dict[str, Any]:
        collected = {key: value for key, value in self._initial.items() if key not in self.rows}
        for field_id, row in self.rows.items():
            if isinstance(row.field, ComputedField):
                continue
            value = row.editor.value()
            if value is not None:
                collected[field_id] = value
        return collected

    def _edited(self) -> None:
        self.changed.emit()
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Apply visibility and summaries now, then check the answers as submit would (on a worker if slow)."""
        answers = self.answers()
        visibility = Visibility(self.form, answers)
        for section in self.form.sections:
            if section.id in self.pages:
                self._apply_visibility(section, visibility, answers)
        self._check_round += 1
        round_, form = self._check_round, self.form

        def check() -> tuple[dict[str, SectionCheck], list[FormWarning]]:
            return check_sections(form, answers), cross_field_warnings(form, answers)

        if not self._check_in_background:
            started = time.perf_counter()
            result = check()
            self._check_in_background = time.perf_counter() - started > SLOW_CHECK_SECONDS
            self._checked(round_, answers, result)
            return

        def checked(result: tuple[dict[str, SectionCheck], list[FormWarning]]) -> None:
            if isValid(self):  # the editor may have closed while the worker ran
                self._checked(round_, answers, result)

        run_in_background(check, checked, lambda error: log.warning("live check failed: %s", type(error).__name__))

    def _checked(self, round_: int, answers: Mapping[str, Any],
                 result: tuple[dict[str, SectionCheck], list[FormWarning]]) -> None:
        if round_ != self._check_round:
            return  # the user typed on; a newer check is coming
        checks, warnings = result
        self._checks = checks
        if warnings != self._warnings:
            self._warnings = warnings
            self._apply_warnings(list(self.rows.values()))
            self.warnings_changed.emit()
        problems = [problem for check in checks.values() for problem in check.problems]
        shown = [problem for problem in problems
                 if self._every_problem or problem.field_id is None or not is_empty(answers.get(problem.field_id))]
        if shown != self._problems:
            self._problems = shown
            self._apply_problems(list(self.rows.values()))
            self.problems_changed.emit()
        self._list_sections()

    def _list_sections(self) -> None:
        """The section list as the last check found it, with the comments, keeping the section shown."""
        current = self.current_section()
        self.sections.set_rows([self._state(section) for section in self.form.sections
                                if section.id in self._checks])
        if current is not None:
            self.show_section(current.id, emit=False)

    def shown_problems(self) -> list[Problem]:
        """What the page shows: every problem after a submit attempt; before it, only those on answers given
        (a wrong date, evidence without a level), not every question still to answer."""
        return list(self._problems)

    def warnings(self) -> list[FormWarning]:
        """The form's cross-field warnings that hold for the answers on screen (the core's, as last checked)."""
        return list(self._warnings)

    def check_now(self) -> None:
        """Run the check at once (the user asked, or is about to leave)."""
        self._refresh_timer.stop()
        self.refresh()

    def _apply_visibility(self, section: Section, visibility: Visibility, answers: Mapping[str, Any]) -> None:
        for field in section.fields:
            row = self.rows[field.id]
            row.setVisible(visibility.field(field.id))
            if isinstance(field, ComputedField):
                row.editor.refresh(answers)

    def _state(self, section: Section) -> SectionState:
        check = self._checks[section.id]
        shown = sum(1 for p in self._problems if p.section_id == section.id)
        comments = sum(len(self._comments.get(f.id, [])) for f in section.fields)
        comments += len(self._comments.get(f"section:{section.id}", []))
        ids = {f.id for f in section.fields}
        warnings = sum(1 for warning in self._warnings if ids.intersection(warning.field_ids))
        return SectionState(section, check.answered, check.complete, len(check.problems), shown, comments, warnings)

    # --- navigation ----------------------------------------------------------------------------------------

    def current_section(self) -> Section | None:
        page = self.stack.currentWidget()
        return page.section if isinstance(page, SectionPage) else None

    def _section_chosen(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        page = self.page(self.sections.row_at(index.row()).section)
        if self.stack.currentWidget() is not page:
            self.stack.setCurrentWidget(page)
            self.section_changed.emit()

    def show_section(self, section_id: str, emit: bool = True) -> None:
        for row, state in enumerate(self.sections.rows()):
            if state.section.id == section_id:
                if not emit:
                    self.section_list.selectionModel().blockSignals(True)
                self.section_list.setCurrentIndex(self.sections.index(row, 0))
                self.section_list.selectionModel().blockSignals(False)
                self.stack.setCurrentWidget(self.page(state.section))
                return

    def focus_field(self, field_id: str) -> None:
        """Jump to a field: its section, scrolled into view, its editor focused."""
        if field_id not in {f.id for _, f in self.form.fields()}:
            return
        row = self.row(field_id)
        self.show_section(self.form.section_of(field_id).id)
        page = self.stack.currentWidget()
        if isinstance(page, SectionPage):
            page.ensureWidgetVisible(row)
        row.editor.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)

    # --- problems and comments -----------------------------------------------------------------------------

    def show_problems(self, problems: list[Problem]) -> None:
        """After a submit attempt: show these problems, and from now on every problem the live check finds."""
        self._every_problem = True
        self._problems = list(problems)
        self._apply_problems(list(self.rows.values()))
        self.problems_changed.emit()
        self.check_now()

    def _apply_problems(self, rows: Iterable[FieldRow]) -> None:
        by_field: dict[str, list[str]] = {}
        for problem in self._problems:
            if problem.field_id:
                by_field.setdefault(problem.field_id, []).append(
                    problem.describe(self.form).split(": ", 1)[-1] if problem.row is not None else problem.message)
        for row in rows:
            messages = by_field.get(row.field.id)
            row.show_problem("; ".join(messages) if messages else None)

    def _apply_warnings(self, rows: Iterable[FieldRow]) -> None:
        for row in rows:
            row.show_warnings([warning.message for warning in self._warnings if row.field.id in warning.field_ids])

    def show_comments(self, comments: Mapping[str, list[str]]) -> None:
        """Reviewer comments keyed by field id, or "section:<id>" for a whole section."""
        self._comments = dict(comments)
        for section in self.form.sections:
            if section.id in self.pages:
                self._apply_comments(section)
        self._list_sections()  # the comment counts change, the answers do not: no second check on opening

    def _apply_comments(self, section: Section) -> None:
        for field in section.fields:
            self.rows[field.id].show_comments(self._comments.get(field.id, []))
        layout = self.pages[section.id].section_comments
        while layout.count():
            item = layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for text in self._comments.get(f"section:{section.id}", []):
            note = QLabel(f"Reviewer, on this section: {text}")
            note.setProperty("role", "comment")
            note.setWordWrap(True)
            layout.addWidget(note)
