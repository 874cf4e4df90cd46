"""The field editors: one per kind, each showing an answer exactly as stored and reporting what the user changes."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cpassess.demo import sample_answers
from cpassess.forms import default_catalog
from cpassess.forms.definition import (
    FIELD_KINDS,
    ChoiceField,
    DateField,
    FormDefinition,
    LongTextField,
    MultiChoiceField,
    NumberField,
    Option,
    RatingField,
    RepeatField,
    TextField,
)
from ui.editors import EDITOR_FACTORIES, FieldEditor, editor_for
from ui.editors.simple import parse_typed_date

CATALOG = default_catalog()
NEGLECT = CATALOG.get("neglect-assessment")
GIRFEC = CATALOG.get("girfec-wellbeing")
FORMS = (NEGLECT, GIRFEC)
SAMPLES = {form.id: sample_answers(form, random.Random(1), "Ava", dt.date(2026, 11, 21)) for form in FORMS}
ALL_FIELDS = [pytest.param(form, field, id=f"{form.id}.{field.id}") for form in FORMS for _, field in form.fields()]


@pytest.fixture
def make(qtbot: Any) -> Any:
    def build(field: Any, form: FormDefinition = NEGLECT, show: bool = False) -> FieldEditor:
        editor = editor_for(field, form)
        qtbot.addWidget(editor)
        if show:
            editor.resize(760, editor.sizeHint().height())
            with qtbot.waitActive(editor):
                editor.show()
                editor.activateWindow()
        return editor

    return build


def children(editor: QWidget, kind: type) -> list[Any]:
    return [widget for widget in editor.findChildren(kind) if widget.isVisibleTo(editor)]


def button(editor: QWidget, text: str) -> QAbstractButton:
    found = [widget for widget in editor.findChildren(QAbstractButton) if widget.text().replace("&", "") == text]
    assert len(found) == 1, f"expected one button {text!r}, found {[b.text() for b in found]}"
    return found[0]


def click(widget: QWidget) -> None:
    """Click where a user would: on the box or button and its words (a radio's row can be wider than its words)."""
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(min(10, widget.width() // 2), widget.height() // 2))


def shown_texts(editor: QWidget) -> list[str]:
    return [label.text() for label in editor.findChildren(QLabel) if label.isVisibleTo(editor)]


def choice(options: int, display: str = "auto") -> ChoiceField:
    return ChoiceField(kind="choice", id="pick", label="Pick one", help="Choose the closest.", display=display,
                       options=[Option(id=f"o{n}", label=f"Option {n}") for n in range(1, options + 1)])


# --- the registry ----------------------------------------------------------------------------------------------


def test_every_field_kind_has_exactly_one_editor_factory() -> None:
    assert set(EDITOR_FACTORIES) == set(FIELD_KINDS)


def test_an_unknown_kind_is_a_clear_key_error() -> None:
    field = TextField.model_construct(kind="sketch", id="drawing", label="A drawing")
    with pytest.raises(KeyError, match=r"'drawing'.*'sketch'"):
        editor_for(field, NEGLECT)


# --- every field of both shipped forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(("form", "field"), ALL_FIELDS)
def test_an_answer_comes_back_unchanged_and_loading_it_is_silent(make: Any, qtbot: Any, form: Any, field: Any) -> None:
    editor = make(field, form)
    sample = SAMPLES[form.id].get(field.id)
    with qtbot.assertNotEmitted(editor.changed):
        editor.set_value(sample)
        assert editor.value() == sample
        editor.set_value(None)
        assert editor.value() is None
        editor.set_value(sample)
    assert editor.value() == sample


@pytest.mark.parametrize(("form", "field"), ALL_FIELDS)
def test_the_question_names_the_control_for_screen_readers(make: Any, form: Any, field: Any) -> None:
    editor = make(field, form)
    named = [widget for widget in [editor, *editor.findChildren(QWidget)] if widget.accessibleName() == field.label]
    assert named, f"nothing in the {field.kind} editor is named {field.label!r}"
    assert all(widget.accessibleDescription() == field.help for widget in named)
    focus = editor.focus_widget()
    assert any(widget is focus or widget.isAncestorOf(focus) for widget in named)


@pytest.mark.parametrize(("form", "field"), ALL_FIELDS)
def test_review_mode_shows_the_answer_and_refuses_every_edit(make: Any, qtbot: Any, form: Any, field: Any) -> None:
    editor = make(field, form, show=True)
    sample = SAMPLES[form.id].get(field.id)
    editor.set_value(sample)
    editor.set_read_only(True)
    assert editor.focus_widget().focusPolicy() != Qt.FocusPolicy.NoFocus
    assert editor.focus_widget().isEnabled()
    with qtbot.assertNotEmitted(editor.changed):
        for control in children(editor, QAbstractButton):
            qtbot.mouseClick(control, Qt.MouseButton.LeftButton)
            qtbot.keyClick(control, Qt.Key.Key_Space)
        for control in children(editor, QLineEdit) + children(editor, QPlainTextEdit):
            qtbot.keyClicks(control, "typed in review")
        for control in children(editor, QComboBox) + children(editor, QAbstractSpinBox):
            qtbot.keyClick(control, Qt.Key.Key_Down)
            qtbot.keyClick(control, Qt.Key.Key_Up)
        for view in children(editor, QTableView):
            qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(view.model().index(0, 0))
                              .center())
            qtbot.keyClicks(view, "x")
            assert not children(view.viewport(), QWidget)  # no cell editor opened
        if field.kind == "resilience_matrix":
            canvas = editor.focus_widget()
            qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
            qtbot.keyClick(canvas, Qt.Key.Key_Left)
    assert editor.value() == sample


# --- text and long text ------------------------------------------------------------------------------------------


def test_typing_text_reports_a_change_and_line_breaks_become_spaces(make: Any, qtbot: Any) -> None:
    editor = make(TextField(kind="text", id="name", label="Name", max_length=20))
    line = editor.focus_widget()
    assert isinstance(line, QLineEdit)
    assert line.maxLength() == 20
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.keyClicks(line, "Morag")
    assert editor.value() == "Morag"
    QGuiApplication.clipboard().setText(" Lindsay\r\nof Leith")
    line.paste()
    pasted = editor.value()
    assert pasted.startswith("Morag Lindsay of L")  # on one line, cut at the limit
    assert len(pasted) <= 20
    line.clear()
    assert editor.value() is None


def test_long_text_grows_counts_near_its_limit_and_lets_tab_move_on(make: Any, qtbot: Any) -> None:
    editor = make(LongTextField(kind="long_text", id="story", label="What happened", max_length=100), show=True)
    edit = editor.focus_widget()
    assert isinstance(edit, QPlainTextEdit)
    assert edit.tabChangesFocus()
    short = edit.height()
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.keyClicks(edit, "Seen at home.")
    assert editor.value() == "Seen at home."
    assert not any("characters" in text for text in shown_texts(editor))
    edit.setPlainText("\n".join(f"line {n}" for n in range(13)))
    qtbot.waitUntil(lambda: edit.height() > short)
    assert "93 of 100 characters" in shown_texts(editor)
    edit.setPlainText("x" * 103)
    assert "103 of 100 characters: 3 over the limit" in shown_texts(editor)
    assert editor.value() == "x" * 103  # nothing typed is ever cut off


def test_long_text_keeps_no_break_spaces_and_pastes_plain_words(make: Any) -> None:
    editor = make(LongTextField(kind="long_text", id="story", label="What happened"))
    editor.set_value("Ms\u00a0Baird said:\n\n\tsafe")
    assert editor.value() == "Ms\u00a0Baird said:\n\n\tsafe"
    edit = editor.focus_widget()
    QGuiApplication.clipboard().setText("from Word\x0c with a page break")
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    edit.paste()
    assert editor.value().endswith("safefrom Word  with a page break")


# --- dates -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "iso"), [
    ("21/11/2026", "2026-11-21"), ("21/11/26", "2026-11-21"), ("21.11.2026", "2026-11-21"),
    ("2026-11-21", "2026-11-21"), ("1/2/2026", "2026-02-01"), ("21-11-2026", "2026-11-21"),
    (" 21 / 11 / 2026 ", "2026-11-21"), ("21112026", "2026-11-21"), ("3/4/85", "1985-04-03"),
    ("31/02/2026", None), ("21/13/2026", None), ("21/11", None), ("21/11/202", None), ("yesterday", None), ("", None),
])
def test_dates_typed_the_uk_way(make: Any, qtbot: Any, typed: str, iso: str | None) -> None:
    assert (parse_typed_date(typed, today=dt.date(2026, 11, 21)) or None) == (
        dt.date.fromisoformat(iso) if iso else None)
    editor = make(NEGLECT.field("assessment_date"), show=True)
    line = editor.focus_widget()
    line.setFocus()
    qtbot.keyClicks(line, typed)
    qtbot.keyClick(line, Qt.Key.Key_Tab)  # leaving the box tidies the date or explains what to type
    assert not line.hasFocus()
    assert editor.value() == iso
    hint = "Type a date as dd/mm/yyyy" in shown_texts(editor)
    assert hint == (iso is None and bool(typed.strip()))
    if iso:
        assert line.text() == dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def test_a_half_typed_date_is_no_answer_and_typing_reports_changes(make: Any, qtbot: Any) -> None:
    editor = make(DateField(kind="date", id="seen", label="Date seen"))
    line = editor.focus_widget()
    editor.set_value("2026-11-21")
    assert line.text() == "21/11/2026"
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.keyClick(line, Qt.Key.Key_Backspace)
    assert editor.value() is None  # "21/11/202" is not a date
    qtbot.keyClicks(line, "5")
    assert editor.value() == "2025-11-21"


def test_the_calendar_button_picks_a_date(make: Any, qtbot: Any) -> None:
    editor = make(NEGLECT.field("assessment_date"), show=True)
    choose = next(widget for widget in editor.findChildren(QToolButton) if widget.accessibleName() == "Choose date")
    qtbot.mouseClick(choose, Qt.MouseButton.LeftButton)
    calendar = editor.findChild(QCalendarWidget)
    qtbot.waitUntil(calendar.isVisible)
    assert calendar.maximumDate().toPython() == dt.date.today()  # the field may not be in the future
    calendar.setSelectedDate(dt.date(2026, 3, 15))
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.keyClick(calendar.findChild(QTableView), Qt.Key.Key_Return)
    assert editor.value() == "2026-03-15"
    assert editor.focus_widget().text() == "15/03/2026"
    assert not calendar.isVisible()


# --- numbers -----------------------------------------------------------------------------------------------------


def test_a_number_within_bounds_with_its_unit_and_a_way_back_to_no_answer(make: Any, qtbot: Any) -> None:
    field = NumberField(kind="number", id="visits", label="Home visits", minimum=0, maximum=50, unit="visits")
    editor = make(field)
    box = editor.focus_widget()
    assert isinstance(box, QSpinBox)
    assert editor.value() is None
    assert box.text() == "Not answered"
    assert (box.minimum(), box.maximum(), box.suffix()) == (-1, 50, " visits")
    with qtbot.waitSignal(editor.changed, timeout=500):
        box.lineEdit().selectAll()
        qtbot.keyClicks(box.lineEdit(), "7")
    assert editor.value() == 7
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert editor.value() == 8
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(button(editor, "Clear"), Qt.MouseButton.LeftButton)
    assert editor.value() is None
    editor.set_value(0)
    assert editor.value() == 0  # zero is an answer, not "not answered"
    editor.set_read_only(True)
    with qtbot.assertNotEmitted(editor.changed):
        qtbot.keyClick(box, Qt.Key.Key_Up)
        qtbot.keyClicks(box.lineEdit(), "9")
    assert editor.value() == 0
    assert not button(editor, "Clear").isVisibleTo(editor)
    editor.set_read_only(False)
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert editor.value() == 1


def test_a_decimal_number(make: Any) -> None:
    editor = make(NumberField(kind="number", id="weight", label="Weight", integer=False, minimum=0, unit="kg"))
    assert isinstance(editor.focus_widget(), QDoubleSpinBox)
    editor.set_value(12.25)
    assert editor.value() == 12.25


# --- choices -----------------------------------------------------------------------------------------------------


def test_a_few_options_are_radios_with_clear(make: Any, qtbot: Any) -> None:
    editor = make(choice(4))
    radios = children(editor, QRadioButton)
    assert [radio.text() for radio in radios] == ["Option 1", "Option 2", "Option 3", "Option 4"]
    assert not children(editor, QComboBox)
    clear = button(editor, "Clear")
    assert not clear.isEnabled()
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(radios[2], Qt.MouseButton.LeftButton)
    assert editor.value() == "o3"
    assert clear.isEnabled()
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert editor.value() is None
    assert not any(radio.isChecked() for radio in radios)


def test_leaving_review_mode_allows_changes_again(make: Any, qtbot: Any) -> None:
    editor = make(choice(3))
    radios = children(editor, QRadioButton)
    editor.set_read_only(True)
    click(radios[0])
    assert editor.value() is None
    editor.set_read_only(False)
    with qtbot.waitSignal(editor.changed, timeout=500):
        click(radios[0])
    assert editor.value() == "o1"


def test_many_options_are_a_combo_whose_first_entry_means_no_answer(make: Any, qtbot: Any) -> None:
    editor = make(choice(6))
    combo = editor.focus_widget()
    assert isinstance(combo, QComboBox)
    assert combo.itemText(0) == "— choose —"
    assert editor.value() is None
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert editor.value() == "o1"
    combo.setCurrentIndex(0)
    assert editor.value() is None


@pytest.mark.parametrize(("count", "display", "radios"), [(6, "radio", True), (2, "combo", False), (5, "auto", True)])
def test_the_definition_chooses_radios_or_combo(make: Any, count: int, display: str, radios: bool) -> None:
    editor = make(choice(count, display))
    assert bool(children(editor, QRadioButton)) is radios
    assert bool(children(editor, QComboBox)) is not radios


def test_yes_no_not_known(make: Any, qtbot: Any) -> None:
    editor = make(NEGLECT.field("child_seen"))
    radios = children(editor, QRadioButton)
    assert [radio.text() for radio in radios] == ["Yes", "No", "Not known"]
    with qtbot.waitSignal(editor.changed, timeout=500):
        radios[1].setChecked(True)
    assert editor.value() == "no"
    radios[2].setChecked(True)
    assert editor.value() == "unknown"


def test_ticked_options_keep_the_order_they_were_ticked_in(make: Any, qtbot: Any) -> None:
    editor = make(NEGLECT.field("information_sources"))
    boxes = {box.text(): box for box in children(editor, QCheckBox)}
    assert len(boxes) == 7
    editor.set_value(["police", "home_visit"])
    assert editor.value() == ["police", "home_visit"]
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(boxes["School or nursery"], Qt.MouseButton.LeftButton)
    assert editor.value() == ["police", "home_visit", "school_nursery"]
    boxes["Police"].setChecked(False)
    boxes["Home visit"].setChecked(False)
    boxes["School or nursery"].setChecked(False)
    assert editor.value() is None


def test_many_options_sit_in_two_columns(make: Any) -> None:
    field = MultiChoiceField(kind="multi_choice", id="many", label="Many",
                             options=[Option(id=f"o{n}", label=f"Option {n}") for n in range(8)])
    editor = make(field, show=True)
    lefts = {box.x() for box in children(editor, QCheckBox)}
    assert len(lefts) == 2


# --- ratings -----------------------------------------------------------------------------------------------------


def test_a_rating_is_a_row_of_labelled_buttons_and_clicking_the_chosen_one_clears(make: Any, qtbot: Any) -> None:
    editor = make(RatingField(kind="rating", id="safe", label="Safe", scale="wellbeing"), GIRFEC, show=True)
    buttons = children(editor, QPushButton)
    assert [b.text() for b in buttons] == ["Wellbeing needs met", "Some concerns", "Significant concerns", "Not known"]
    assert len({b.y() for b in buttons}) == 1  # one row when there is room
    assert all(b.toolTip().startswith(b.text()) for b in buttons)
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(buttons[2], Qt.MouseButton.LeftButton)
    assert editor.value() == "significant_concerns"
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert editor.value() == "needs_met"
    assert [b.isChecked() for b in buttons] == [True, False, False, False]
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert editor.value() is None


def test_rating_buttons_wrap_when_narrow(make: Any, qtbot: Any) -> None:
    editor = make(RatingField(kind="rating", id="safe", label="Safe", scale="wellbeing"), GIRFEC, show=True)
    editor.resize(editor.minimumSizeHint().width() + 10, 200)
    qtbot.waitUntil(lambda: len({b.y() for b in children(editor, QPushButton)}) > 1)


# --- grades ------------------------------------------------------------------------------------------------------


def test_a_grade_shows_this_items_descriptor_and_asks_for_evidence_from_3(make: Any, qtbot: Any) -> None:
    field = NEGLECT.field("nutrition_feeding")
    editor = make(field, show=True)
    radios = children(editor, QRadioButton)
    assert [radio.text() for radio in radios] == [
        "1 Needs consistently met", "2 Needs mostly met", "3 Needs met inconsistently", "4 Needs mostly not met",
        "5 Needs seriously and persistently not met", "Not known"]
    evidence = next(edit for edit in children(editor, QPlainTextEdit))
    assert field.evidence_label in shown_texts(editor)
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(radios[1], Qt.MouseButton.LeftButton)
    assert editor.value() == {"grade": 2, "evidence": ""}
    assert field.descriptors[1] in shown_texts(editor)
    assert "Evidence is needed for this grade" not in shown_texts(editor)
    qtbot.mouseClick(radios[2], Qt.MouseButton.LeftButton)
    assert "Evidence is needed for this grade" in shown_texts(editor)
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.keyClicks(evidence, "Hungry at nursery twice this week.")
    assert "Evidence is needed for this grade" not in shown_texts(editor)
    assert editor.value() == {"grade": 3, "evidence": "Hungry at nursery twice this week."}
    click(radios[5])
    assert editor.value() == {"grade": None, "evidence": "Hungry at nursery twice this week."}


def test_every_level_shows_its_descriptor_before_anything_is_chosen(make: Any) -> None:
    field = NEGLECT.field("hygiene_personal_care")
    editor = make(field, show=True)
    radios = children(editor, QRadioButton)
    shown = shown_texts(editor)
    for number, descriptor in enumerate(field.descriptors):
        assert descriptor in shown  # all five at once, so levels can be compared before grading
        words = next(label for label in children(editor, QLabel) if label.text() == descriptor)
        assert abs(words.y() - radios[number].y()) < radios[number].height()  # beside its own level
        assert radios[number].accessibleDescription() == descriptor


def test_evidence_typed_before_a_level_is_not_not_known(make: Any, qtbot: Any) -> None:
    field = NEGLECT.field("nutrition_feeding")
    editor = make(field, show=True)
    evidence = next(edit for edit in children(editor, QPlainTextEdit))
    qtbot.keyClicks(evidence, "Lunchbox empty")
    assert editor.value() == {"evidence": "Lunchbox empty"}  # no grade key: the core says a level is missing
    editor.set_value({"evidence": "Seen once"})
    assert not any(radio.isChecked() for radio in children(editor, QRadioButton))
    editor.set_value({"grade": None, "evidence": ""})
    assert children(editor, QRadioButton)[-1].isChecked()


def test_a_grade_with_nothing_chosen_and_no_evidence_is_no_answer(make: Any, qtbot: Any) -> None:
    editor = make(NEGLECT.field("clothing_footwear"))
    assert editor.value() is None
    editor.set_value({"grade": 4, "evidence": ""})
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(button(editor, "Clear"), Qt.MouseButton.LeftButton)
    assert editor.value() is None


# --- the resilience matrix ---------------------------------------------------------------------------------------


def test_the_matrix_is_placed_by_clicking_and_moved_with_the_arrow_keys(make: Any, qtbot: Any) -> None:
    editor = make(GIRFEC.field("resilience_matrix"), GIRFEC, show=True)
    canvas = editor.focus_widget()
    assert canvas.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert "Not placed on the matrix yet." in shown_texts(editor)
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.point_at(2, -3) + QPoint(3, -2))
    assert editor.value()["resilience"] == 2
    assert editor.value()["environment"] == -3
    assert "Resilience +2, environment −3: resilient child in adversity." in shown_texts(editor)
    assert canvas.hasFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Up)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    assert (editor.value()["resilience"], editor.value()["environment"]) == (3, -1)
    for _ in range(4):
        qtbot.keyClick(canvas, Qt.Key.Key_Up)
    assert editor.value()["resilience"] == 5  # the edge stops it
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(canvas.width() - 1, canvas.height() - 1))
    assert (editor.value()["resilience"], editor.value()["environment"]) == (-5, 5)
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(button(editor, "Clear"), Qt.MouseButton.LeftButton)
    assert editor.value() is None
    qtbot.keyClick(canvas, Qt.Key.Key_Left)
    assert (editor.value()["resilience"], editor.value()["environment"]) == (0, 0)


def test_the_matrix_lists_one_factor_per_line(make: Any, qtbot: Any) -> None:
    editor = make(GIRFEC.field("resilience_matrix"), GIRFEC)
    lists = {edit.accessibleName(): edit for edit in children(editor, QPlainTextEdit)}
    assert set(lists) == {"Resilience factors", "Vulnerability factors", "Protective environment factors",
                          "Adversity factors"}
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.keyClicks(lists["Adversity factors"], "Money worries ")
    qtbot.keyClick(lists["Adversity factors"], Qt.Key.Key_Return)
    qtbot.keyClick(lists["Adversity factors"], Qt.Key.Key_Return)
    qtbot.keyClicks(lists["Adversity factors"], "Damp flat")
    assert editor.value() == {"resilience": None, "environment": None, "resilience_factors": [],
                              "vulnerability_factors": [], "protective_factors": [],
                              "adversity_factors": ["Money worries", "Damp flat"]}


# --- repeats -----------------------------------------------------------------------------------------------------


def test_rows_are_added_edited_moved_and_removed(make: Any, qtbot: Any, qtmodeltester: Any) -> None:
    editor = make(NEGLECT.field("carers_present"), show=True)
    view = editor.focus_widget()
    assert isinstance(view, QTableView)
    qtmodeltester.check(view.model())
    assert editor.value() is None
    assert [button(editor, text).isEnabled() for text in ("Remove", "Move up", "Move down")] == [False] * 3
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(button(editor, "Add carer"), Qt.MouseButton.LeftButton)
    assert editor.value() == [{"name": None, "relationship": None, "parental_responsibility": None}]
    cell = next(line for line in view.viewport().findChildren(QLineEdit) if line.isVisible())
    qtbot.keyClicks(cell, "Morven MacLeod")
    qtbot.keyClick(cell, Qt.Key.Key_Tab)  # commits and moves on to the next column
    qtbot.waitUntil(lambda: any(line.isVisible() and not line.text()
                                for line in view.viewport().findChildren(QLineEdit)))
    cell = next(line for line in view.viewport().findChildren(QLineEdit) if line.isVisible())
    qtbot.keyClicks(cell, "Mother")
    qtbot.keyClick(cell, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: view.viewport().findChild(QComboBox) is not None)
    combo = view.viewport().findChild(QComboBox)
    combo.setCurrentIndex(combo.findText("Yes"))
    qtbot.keyClick(combo, Qt.Key.Key_Return)  # commits once control returns to the event loop
    qtbot.waitUntil(lambda: editor.value()[0]["parental_responsibility"] == "yes")
    assert editor.value() == [{"name": "Morven MacLeod", "relationship": "Mother", "parental_responsibility": "yes"}]
    assert view.model().data(view.model().index(0, 2)) == "Yes"

    qtbot.mouseClick(button(editor, "Add carer"), Qt.MouseButton.LeftButton)
    view.model().setData(view.model().index(1, 0), "Callum MacLeod")
    qtmodeltester.check(view.model())
    assert button(editor, "Move up").isEnabled()
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(button(editor, "Move up"), Qt.MouseButton.LeftButton)
    assert [row["name"] for row in editor.value()] == ["Callum MacLeod", "Morven MacLeod"]
    assert view.currentIndex().row() == 0
    qtbot.mouseClick(button(editor, "Move down"), Qt.MouseButton.LeftButton)
    assert [row["name"] for row in editor.value()] == ["Morven MacLeod", "Callum MacLeod"]
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.mouseClick(button(editor, "Remove"), Qt.MouseButton.LeftButton)
    assert [row["name"] for row in editor.value()] == ["Morven MacLeod"]
    qtbot.mouseClick(button(editor, "Remove"), Qt.MouseButton.LeftButton)
    assert editor.value() is None


def test_the_buttons_have_mnemonics_and_adding_stops_at_the_limit(make: Any, qtbot: Any) -> None:
    field = RepeatField(kind="repeat", id="people", label="People", item_label="Person", max_items=2,
                        fields=[TextField(kind="text", id="name", label="Name")])
    editor = make(field)
    texts = {b.text() for b in editor.findChildren(QPushButton)}
    assert {"&Add person", "&Remove", "Move &up", "Move &down"} <= texts
    add = button(editor, "Add person")
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert not add.isEnabled()
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert len(editor.value()) == 2


def test_cells_show_answers_as_words_and_dates_the_uk_way(make: Any, qtmodeltester: Any) -> None:
    editor = make(GIRFEC.field("plan_actions"), GIRFEC)
    rows = SAMPLES[GIRFEC.id]["plan_actions"]
    editor.set_value(rows)
    model = editor.focus_widget().model()
    qtmodeltester.check(model)
    columns = [model.headerData(n, Qt.Orientation.Horizontal) for n in range(model.columnCount())]
    assert columns[:2] == ["Wellbeing indicator", "Need"]
    first = {columns[n]: model.data(model.index(0, n)) for n in range(model.columnCount())}
    indicator = next(o.label for o in GIRFEC.field("plan_actions").fields[0].options if o.id == rows[0]["indicator"])
    assert first["Wellbeing indicator"] == indicator
    assert first["By when"] == dt.date.fromisoformat(rows[0]["by_when"]).strftime("%d/%m/%Y")


def test_a_date_cell_will_not_take_a_half_typed_date(make: Any, qtbot: Any) -> None:
    field = RepeatField(kind="repeat", id="events", label="Events", item_label="Event",
                        fields=[DateField(kind="date", id="when", label="When")])
    editor = make(field, show=True)
    editor.set_value([{"when": "2026-01-05"}])
    view = editor.focus_widget()
    index = view.model().index(0, 0)
    view.setCurrentIndex(index)
    view.edit(index)
    cell = next(line for line in view.viewport().findChildren(QLineEdit) if line.isVisible())
    assert cell.text() == "05/01/2026"
    cell.selectAll()
    qtbot.keyClicks(cell, "7/1/26")
    qtbot.keyClick(cell, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.value() == [{"when": "2026-01-07"}])
    view.edit(index)
    cell = next(line for line in view.viewport().findChildren(QLineEdit) if line.isVisible())
    cell.selectAll()
    qtbot.keyClicks(cell, "32/1")
    qtbot.keyClick(cell, Qt.Key.Key_Return)
    qtbot.wait(50)
    assert cell.isVisible()  # Enter is refused until the date parses
    qtbot.keyClick(cell, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not cell.isVisible())
    assert editor.value() == [{"when": "2026-01-07"}]


def test_number_and_multiple_choice_cells(make: Any, qtbot: Any) -> None:
    needs = MultiChoiceField(kind="multi_choice", id="needs", label="Needs",
                             options=[Option(id="food", label="Food"), Option(id="sleep", label="Sleep")])
    field = RepeatField(kind="repeat", id="children", label="Children", item_label="Child",
                        fields=[NumberField(kind="number", id="age", label="Age", minimum=0, maximum=18), needs])
    editor = make(field, show=True)
    editor.set_value([{"age": None, "needs": None}])
    view = editor.focus_widget()
    model = view.model()
    view.setCurrentIndex(model.index(0, 0))
    view.edit(model.index(0, 0))
    spin = view.viewport().findChild(QSpinBox)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "7")
    qtbot.keyClick(spin, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: any(box.isVisible() for box in view.viewport().findChildren(QCheckBox)))
    boxes = {box.text(): box for box in view.viewport().findChildren(QCheckBox)}
    click(boxes["Sleep"])
    click(boxes["Food"])
    view.setFocus()  # leaving the check boxes commits them
    qtbot.waitUntil(lambda: editor.value() == [{"age": 7, "needs": ["sleep", "food"]}])
    assert [model.data(model.index(0, n)) for n in range(2)] == ["7", "Sleep, Food"]


# --- computed summaries ------------------------------------------------------------------------------------------


def test_the_domain_profile_follows_the_grades(make: Any, qtbot: Any) -> None:
    editor = make(NEGLECT.field("domain_profile"))
    answers = {"nutrition_feeding": {"grade": 4, "evidence": "x"}, "hygiene_personal_care": {"grade": 2,
                                                                                            "evidence": ""},
               "clothing_footwear": {"grade": None, "evidence": ""}}
    with qtbot.assertNotEmitted(editor.changed):
        editor.refresh(answers)
        editor.set_value({"anything": 1})
    texts = shown_texts(editor)
    physical = texts.index("Physical care")
    assert texts[physical:physical + 6] == ["Physical care", "2 of 5", "3.0", "4", "1", "1"]
    assert "Highest grade" in texts
    assert editor.value() is None


def test_wellbeing_at_a_glance_names_each_rating_in_words(make: Any) -> None:
    editor = make(GIRFEC.field("shanarri_summary"), GIRFEC)
    editor.refresh({"safe": "significant_concerns"})
    texts = shown_texts(editor)
    assert texts[texts.index("Safe") + 1].endswith("Significant concerns")
    assert texts[texts.index("Healthy") + 1].endswith("Not yet rated")
    assert editor.value() is None



# --- fast typing in a table (issue 14) ---------------------------------------------------------------------------


def _open_cell(view: QTableView) -> QWidget:
    """The cell editor that has focus (the one the user is typing into)."""
    focus = QApplication.focusWidget()
    assert focus is not None and view.viewport().isAncestorOf(focus), f"focus is on {focus!r}, not in a cell"
    return focus


def test_tab_through_a_chronology_row_keeps_every_word_and_adds_no_row(qtbot: Any) -> None:
    page = QWidget()  # the table and the next question, as on a form page
    qtbot.addWidget(page)
    editor = editor_for(GIRFEC.field("chronology_events"), GIRFEC, page)
    next_question = QLineEdit(page)
    layout = QVBoxLayout(page)
    layout.addWidget(editor)
    layout.addWidget(next_question)
    page.resize(900, 500)
    with qtbot.waitActive(page):
        page.show()
        page.activateWindow()
    view = editor.focus_widget()
    qtbot.mouseClick(button(editor, "Add event"), Qt.MouseButton.LeftButton)
    typed = ["05/01/2026", "Missed nursery three days running and the door was not answered",
             "Nursery", "Worry about food at home, seen hungry"]
    for number, text in enumerate(typed):
        assert view.currentIndex().column() == number, number
        cell = _open_cell(view)
        assert view.currentIndex().column() == number
        qtbot.keyClicks(cell, text)
        qtbot.keyClick(cell, Qt.Key.Key_Tab)  # straight on, as a fast typist does
    qtbot.keyClicks(QApplication.focusWidget(), " and more words ")  # typed after leaving the last cell
    assert QApplication.focusWidget() is next_question  # Tab past the table goes on, never to a button
    assert next_question.text() == " and more words "
    [row] = editor.value()  # no new row from any space typed
    assert row == {"event_date": "2026-01-05", "event": typed[1], "source": "Nursery", "impact": typed[3]}


def test_tab_and_shift_tab_move_between_rows_without_leaving_the_table(make: Any, qtbot: Any) -> None:
    editor = make(GIRFEC.field("contributors"), GIRFEC, show=True)
    editor.set_value([{"name": "Iona Campbell"}, {"name": "Ruaridh Munro"}])
    view = editor.focus_widget()
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, 2))
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert (view.currentIndex().row(), view.currentIndex().column()) == (1, 0)
    qtbot.keyClick(view, Qt.Key.Key_Backtab)
    assert (view.currentIndex().row(), view.currentIndex().column()) == (0, 2)
    assert view.hasFocus() and len(editor.value()) == 2


def test_a_long_text_cell_grows_with_its_text(make: Any, qtbot: Any) -> None:
    editor = make(GIRFEC.field("chronology_events"), GIRFEC, show=True)
    editor.resize(900, 400)
    editor.set_value([{"event_date": "2026-01-05"}])
    view = editor.focus_widget()
    index = view.model().index(0, 1)
    view.setCurrentIndex(index)
    view.edit(index)
    cell = _open_cell(view)
    start = cell.height()
    for _ in range(8):
        qtbot.keyClicks(cell, "A line of what happened.")
        qtbot.keyClick(cell, Qt.Key.Key_Return)  # Return is a new line inside the cell, not the end of editing
    qtbot.waitUntil(lambda: cell.height() > start)
    assert cell.isVisible() and view.height() > cell.height()  # the table grew too: nothing clipped
    qtbot.keyClick(cell, Qt.Key.Key_Tab)
    assert editor.value()[0]["event"].count("A line of what happened.") == 8


# --- a row kept out of the family copy (issue 15) ------------------------------------------------------------------


def test_each_row_has_a_sensitive_box_that_the_keyboard_ticks_and_tab_passes_over(make: Any, qtbot: Any,
                                                                                 qtmodeltester: Any) -> None:
    editor = make(GIRFEC.field("contributors"), GIRFEC, show=True)
    editor.set_value([{"name": "Iona Campbell", "agency": "Mother"}, {"name": "Ruaridh Munro"}])
    view = editor.focus_widget()
    model = view.model()
    qtmodeltester.check(model)
    flag = model.columnCount() - 1
    assert model.headerData(flag, Qt.Orientation.Horizontal) == "Sensitive (not in the family copy)"
    assert "family copy" in model.headerData(flag, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(0, flag), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    view.setFocus()
    view.setCurrentIndex(model.index(0, flag - 1))
    qtbot.keyClick(view, Qt.Key.Key_Right)  # the arrow keys reach the box
    assert view.currentIndex().column() == flag
    with qtbot.waitSignal(editor.changed, timeout=500):
        qtbot.keyClick(view, Qt.Key.Key_Space)
    assert editor.value()[0] == {"name": "Iona Campbell", "agency": "Mother", "role": None, "sensitive": True}
    assert "sensitive" not in editor.value()[1]  # an untouched row carries no flag
    assert model.data(model.index(0, flag), Qt.ItemDataRole.AccessibleTextRole) == "Sensitive: not in the family copy"
    qtbot.keyClick(view, Qt.Key.Key_Tab)  # Tab goes on to the next row's first cell, as in a table without the box
    assert (view.currentIndex().row(), view.currentIndex().column()) == (1, 0)
    qtbot.keyClick(view, Qt.Key.Key_Backtab)  # and back to the last cell that takes words, not the box
    assert (view.currentIndex().row(), view.currentIndex().column()) == (0, flag - 1)
    assert editor.value()[0]["sensitive"] is True  # no key on the way ticked or cleared it
    view.setCurrentIndex(model.index(0, flag))
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert editor.value()[0]["sensitive"] is False
    qtmodeltester.check(model)


def test_the_family_copy_leaves_out_the_rows_ticked_in_the_table(make: Any, qtbot: Any) -> None:
    from cpassess.forms.canonical import family_content

    editor = make(GIRFEC.field("chronology_events"), GIRFEC, show=True)
    editor.set_value([{"event_date": "2026-01-05", "event": "Police attended a disturbance at home"},
                      {"event_date": "2026-02-01", "event": "Started at nursery"}])
    view, model = editor.focus_widget(), editor.focus_widget().model()
    index = model.index(0, model.columnCount() - 1)
    view.setCurrentIndex(index)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Space)
    content = {"form": {"id": GIRFEC.id, "version": GIRFEC.version}, "answers": {"chronology_events": editor.value()}}
    copy = family_content(GIRFEC, content)
    # the marked row is left out (its sensitive column, the source, always is)
    assert copy["answers"]["chronology_events"] == [{"event_date": "2026-02-01", "event": "Started at nursery",
                                                     "impact": None}]
    assert copy["withheld"]["chronology_events"]["rows"] == 1


def test_a_sensitive_box_cannot_be_ticked_in_review_mode_and_other_tables_have_none(make: Any, qtbot: Any) -> None:
    editor = make(GIRFEC.field("contributors"), GIRFEC, show=True)
    editor.set_value([{"name": "Iona Campbell", "sensitive": True}])
    editor.set_read_only(True)
    view, model = editor.focus_widget(), editor.focus_widget().model()
    index = model.index(0, model.columnCount() - 1)
    assert not model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    assert model.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked  # still shown to the reviewer
    view.setCurrentIndex(index)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert editor.value()[0]["sensitive"] is True
    plain_table = make(NEGLECT.field("carers_present"))
    assert plain_table.focus_widget().model().columnCount() == len(NEGLECT.field("carers_present").fields)
