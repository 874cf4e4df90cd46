"""The caseload leads with what needs doing (issue 14): returned to me, awaiting my review, meetings due."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from app_driver import LEAD, SAM, open_window, settle, unlock
from PySide6.QtCore import Qt

from cpassess.casework import Casework
from cpassess.worklist import MARKS, Kind
from ui.screens.assessment import AssessmentScreen
from ui.screens.caseload import CaseloadScreen


def shown(screen: CaseloadScreen) -> list[str]:
    model = screen.tasks
    return [model.data(model.index(row, 0)) for row in range(model.rowCount())]


def test_a_practitioner_sees_what_was_returned_and_opens_it(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    concern = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    window.session.children.add({"given_names": "Iona", "family_name": "Campbell", "date_of_birth": "2019-05-01",
                                 "concern_date": concern})
    window.workspace.show_caseload()
    screen = window.workspace.current()
    assert isinstance(screen, CaseloadScreen)
    qtbot.waitUntil(screen.task_list.isVisible)  # once the children are drawn
    overdue = (f"{MARKS[Kind.OVERDUE]}: Initial CPPM overdue by 2 days (28 days from the concern or IRD)"
               " — Campbell, Iona")
    qtbot.waitUntil(lambda: overdue in shown(screen))  # worked out on a worker once the caseload is on screen
    lines = shown(screen)
    assert lines[0] == overdue  # what is overdue leads
    returned = [n for n, line in enumerate(lines) if line.startswith(MARKS[Kind.RETURNED])]
    assert returned, lines
    for line in lines:  # a sign and words on every line: never colour alone
        assert any(line.startswith(mark) for mark in MARKS.values())
        for role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            assert screen.tasks.data(screen.tasks.index(0, 0), role) is None
    task = screen.tasks.row_at(returned[0])
    screen.task_list.setFocus()
    screen.task_list.setCurrentIndex(screen.tasks.index(returned[0], 0))
    qtbot.keyClick(screen.task_list, Qt.Key.Key_Return)
    settle(qtbot)
    opened = window.workspace.current()
    assert isinstance(opened, AssessmentScreen) and opened.assessment.id == task.assessment_id


def test_a_team_lead_sees_what_awaits_review_with_the_authors_name(qtbot: Any, app_look: Any,
                                                                   demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, LEAD.username, LEAD.password)
    screen = window.workspace.current()
    waiting = [line for line in shown(screen) if line.startswith(MARKS[Kind.REVIEW])]
    assert len(waiting) == len(Casework.of(window.session).review_queue()) > 0
    assert all(" from " in line and "sam" not in line.split(" from ")[1].split(" — ")[0] for line in waiting)


def test_the_review_queue_is_oldest_first_and_its_sort_arrow_says_so(qtbot: Any, app_look: Any,
                                                                     demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, LEAD.username, LEAD.password)
    window.workspace.show_review_queue()
    queue = window.workspace.current()
    header = queue.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (3, Qt.SortOrder.AscendingOrder)
    submitted = [row.submitted_at for row in queue.model.rows()]
    assert submitted == sorted(submitted)
    names = {user.display_name for user in window.session.users()}
    assert all(row.author in names for row in queue.model.rows())  # people's names, not usernames
    assert not queue.table.wordWrap()


def test_the_list_shows_whole_lines_six_at_most(qtbot: Any, app_look: Any) -> None:
    """Up to six lines, each whole: no sliver of a seventh above the search box, no scrollbar for a short list."""
    from cpassess.worklist import Task
    from ui.screens.caseload import SHOWN_TASKS

    for count in (3, SHOWN_TASKS, 40):
        tasks = [Task(Kind.RETURNED, f"child-{n}", f"Campbell, Iona {n}", "Neglect", f"a-{n}") for n in range(count)]
        screen = CaseloadScreen([], tasks)
        qtbot.addWidget(screen)
        screen.resize(1000, 600)
        screen.show()
        qtbot.wait(20)
        view = screen.task_list
        shown = min(count, SHOWN_TASKS)
        assert view.viewport().height() == shown * view.sizeHintForRow(0), count
        assert (view.verticalScrollBar().maximum() > 0) == (count > SHOWN_TASKS), count
