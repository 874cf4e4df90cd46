"""Every table model the screens show passes Qt's model tester, also while its rows change; and RowsModel shows,
sorts and names its data the way the screens rely on.

The repeat editor's model is checked by tests/ui/test_editors.py (adding, editing, moving and removing rows).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from app_driver import LEAD, SAM, click, click_row, open_window, settle, toolbar_button, type_keys, unlock
from PySide6.QtCore import QModelIndex, QPoint, Qt

from cpassess.caseload import CaseloadRow
from ui.main_window import MainWindow
from ui.models import Column, RowsModel
from ui.screens.assessment import AssessmentScreen
from ui.screens.caseload import CASELOAD_COLUMNS, CaseloadScreen
from ui.screens.child import ChildScreen
from ui.screens.review import ReviewQueueScreen
from ui.screens.settings import SettingsScreen

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole,
         Qt.ItemDataRole.UserRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole)


def signed_in(qtbot: Any, database: Path, login: Any) -> MainWindow:
    window = open_window(qtbot, database)
    unlock(qtbot, window, login.username, login.password)
    return window


def sort_every_way(model: RowsModel[Any]) -> None:
    for column in range(model.columnCount()):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            model.sort(column, order)


def test_the_caseload_model(qtbot: Any, qtmodeltester: Any, app_look: Any, demo_db: Path) -> None:
    window = signed_in(qtbot, demo_db, SAM)
    caseload = window.workspace.current()
    assert isinstance(caseload, CaseloadScreen)
    model = caseload.model
    assert model.rowCount() >= 4
    qtmodeltester.check(model)
    sort_every_way(model)
    click(qtbot, caseload.table.horizontalHeader())  # a click on a column title sorts through the view
    assert caseload.no_match.isHidden()
    type_keys(qtbot, caseload.search, "zzz")  # search as you type: no match, then everyone again
    assert model.rowCount() == 0
    assert not caseload.no_match.isHidden() and caseload.no_match.text() == "No children match “zzz”."
    caseload.search.clear()
    assert model.rowCount() >= 4 and caseload.no_match.isHidden()
    first = model.row_at(0)
    given, family = first.name.split(", ")[1], first.name.split(", ")[0]
    type_keys(qtbot, caseload.search, f"{family.upper()}, {given}")  # as the caseload shows it, any case
    assert first in model.rows()


def test_sorting_by_a_column_title_keeps_the_chosen_child_chosen(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = signed_in(qtbot, demo_db, SAM)
    caseload = window.workspace.current()
    table, model = caseload.table, caseload.model
    # the last child by name with a date of birth (unborn children sort last in either order, so never move)
    last = max(row for row in range(model.rowCount()) if model.row_at(row).date_of_birth)
    click_row(qtbot, table, last)
    chosen = model.row_at(last).child_id
    header = table.horizontalHeader()
    born = [column.title for column in CASELOAD_COLUMNS].index("Date of birth")
    title = QPoint(header.sectionViewportPosition(born) + header.sectionSize(born) // 2, header.height() // 2)
    moved = []
    for _ in range(2):  # ascending, then descending: the chosen child moves in at least one of them
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=title)
        assert header.sortIndicatorSection() == born
        moved.append(table.currentIndex().row())
        assert model.row_at(table.currentIndex().row()).child_id == chosen
        assert [model.row_at(index.row()).child_id for index in table.selectionModel().selectedRows()] == [chosen]
    assert any(row != last for row in moved)
    click(qtbot, caseload.open_button)
    qtbot.waitUntil(lambda: isinstance(window.workspace.current(), ChildScreen))
    assert window.workspace.current().child.id == chosen


def test_the_section_states_and_problems_models(qtbot: Any, qtmodeltester: Any, app_look: Any,
                                                demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = signed_in(qtbot, demo_db, SAM)
    draft = next(a for a in window.session.assessments.find() if a.status.value == "draft")
    window.workspace.open_assessment(draft.id)
    screen = window.workspace.current()
    assert isinstance(screen, AssessmentScreen)
    sections, problems = screen.view.sections, screen.problem_model
    qtmodeltester.check(sections)
    qtmodeltester.check(problems)
    assert sections.rowCount() == len(screen.form.sections)
    click_row(qtbot, screen.view.section_list, sections.rowCount() - 1)  # another section: states refresh
    click(qtbot, screen.submit_button)  # a draft that is not finished: a list of problems, sections "to fix"
    assert problems.rowCount() > 0
    assert any("to fix" in sections.data(sections.index(row, 0)) for row in range(sections.rowCount()))
    sort_every_way(problems)


def test_the_review_queue_model(qtbot: Any, qtmodeltester: Any, app_look: Any, demo_db: Path) -> None:
    window = signed_in(qtbot, demo_db, LEAD)
    click(qtbot, toolbar_button(window, "Review queue"))
    settle(qtbot)
    queue = window.workspace.current()
    assert isinstance(queue, ReviewQueueScreen)
    assert queue.model.rowCount() >= 1
    qtmodeltester.check(queue.model)
    sort_every_way(queue.model)
    queue.model.set_rows([])
    queue.model.set_rows(queue.model.rows())


def test_the_users_model(qtbot: Any, qtmodeltester: Any, app_look: Any, demo_db: Path) -> None:
    window = signed_in(qtbot, demo_db, LEAD)
    click(qtbot, toolbar_button(window, "Settings"))
    settle(qtbot)
    settings = window.workspace.current()
    assert isinstance(settings, SettingsScreen)
    users = settings.users
    assert [user.username for user in users.rows()] == ["eilidh", "lead", "sam"]  # by name
    qtmodeltester.check(users)
    sort_every_way(users)
    users.set_rows(window.session.users())


def test_a_childs_assessments_model(qtbot: Any, qtmodeltester: Any, app_look: Any, demo_db: Path) -> None:
    window = signed_in(qtbot, demo_db, SAM)
    caseload = window.workspace.current()
    with_assessment = next(row for row in caseload.model.rows() if row.latest_status)
    window.workspace.open_child(with_assessment.child_id)
    child = window.workspace.current()
    assert isinstance(child, ChildScreen)
    assert child.model.rowCount() >= 1
    qtmodeltester.check(child.model)
    sort_every_way(child.model)
    child.show_child(child.child)  # the list is read again from the core


# --- what RowsModel promises the screens ------------------------------------------------------------------------------


def caseload_row(name: str, born: str | None) -> CaseloadRow:
    return CaseloadRow(child_id=name, name=name, known_as="", date_of_birth=born, unborn=born is None, chi=None,
                       registered=False, next_cppm=None, next_core_group=None, latest_status=None, latest_form=None,
                       latest_updated=None, owner="sam", search=name.casefold())


@pytest.fixture
def people(qtmodeltester: Any) -> RowsModel[CaseloadRow]:
    model: RowsModel[CaseloadRow] = RowsModel(CASELOAD_COLUMNS)
    qtmodeltester.check(model)
    model.set_rows([caseload_row("Ross, Ava", "2019-12-02"), caseload_row("Baird, Isla", "2020-01-15"),
                    caseload_row("Nowak, Zuzanna", None), caseload_row("Ó Súilleabháin, Zoë", "2015-06-30")])
    return model


def column_texts(model: RowsModel[Any], column: int) -> list[str]:
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def test_dates_sort_by_date_not_by_their_text_and_the_unborn_come_last(people: RowsModel[CaseloadRow]) -> None:
    born = [column.title for column in CASELOAD_COLUMNS].index("Date of birth")
    people.sort(born, Qt.SortOrder.AscendingOrder)
    assert column_texts(people, born) == ["30/06/2015", "02/12/2019", "15/01/2020", "Unborn"]
    people.sort(born, Qt.SortOrder.DescendingOrder)
    assert column_texts(people, born)[:3] == ["15/01/2020", "02/12/2019", "30/06/2015"]


def test_names_sort_without_regard_to_case_or_accents_first(people: RowsModel[CaseloadRow]) -> None:
    people.sort(0, Qt.SortOrder.AscendingOrder)
    assert [row.name for row in people.rows()] == ["Baird, Isla", "Nowak, Zuzanna", "Ross, Ava",
                                                   "Ó Súilleabháin, Zoë"]


def test_a_cell_gives_its_words_to_the_eye_and_to_screen_readers_alike(people: RowsModel[CaseloadRow]) -> None:
    born = [column.title for column in CASELOAD_COLUMNS].index("Date of birth")
    index = people.index(0, born)
    assert people.data(index, Qt.ItemDataRole.DisplayRole) == "02/12/2019"
    assert people.data(index, Qt.ItemDataRole.AccessibleTextRole) == "02/12/2019"
    assert people.data(index, Qt.ItemDataRole.UserRole) == "2019-12-02"  # the sort key
    for role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.DecorationRole):
        assert people.data(index, role) is None  # nothing is said by colour or icon alone
    assert people.data(QModelIndex()) is None
    assert people.headerData(born, Qt.Orientation.Horizontal) == "Date of birth"
    assert people.headerData(0, Qt.Orientation.Vertical) is None
    assert people.rowCount(people.index(0, 0)) == 0 and people.columnCount(people.index(0, 0)) == 0


def test_set_rows_resets_and_keeps_its_own_copy(qtbot: Any, people: RowsModel[CaseloadRow]) -> None:
    rows = [caseload_row("Fraser, Murdo", "2012-03-04")]
    with qtbot.waitSignals([people.modelAboutToBeReset, people.modelReset], timeout=500):
        people.set_rows(rows)
    rows.append(caseload_row("Gillies, Iona", "2013-05-06"))
    assert people.rowCount() == 1 and people.row_at(0).name == "Fraser, Murdo"


def test_a_tooltip_column(qtmodeltester: Any) -> None:
    model: RowsModel[dt.date] = RowsModel([Column("Day", lambda day: f"{day:%d/%m/%Y}", lambda day: day,
                                                  lambda day: f"{day:%A}")])
    qtmodeltester.check(model)
    model.set_rows([dt.date(2026, 11, 21), dt.date(2025, 1, 1)])
    model.sort(0)
    assert column_texts(model, 0) == ["01/01/2025", "21/11/2026"]
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole) == "Saturday"
    model.sort(5)  # a column that is not there changes nothing
    assert column_texts(model, 0) == ["01/01/2025", "21/11/2026"]
    assert all(model.data(model.index(0, 0), role) is not None for role in ROLES[:4])
