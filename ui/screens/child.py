"""A child's record: the details dialog (built from a form definition, so it uses the same editors) and the
child screen with their assessments."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cpassess.assessments import Assessment
from cpassess.atomic import write_atomic
from cpassess.caseload import Child
from cpassess.casework import Casework
from cpassess.casework.documents import print_chronology
from cpassess.chi import ChiError, check_chi
from cpassess.children import ChildRecord, ChildRecordError, parse_child, register_categories
from cpassess.dates import uk_date
from cpassess.forms import FormDefinition, default_catalog, parse_definition_text
from cpassess.workflow import STATUS_LABELS
from ui.form_view import FormView
from ui.models import Column, RowsModel

if TYPE_CHECKING:
    from cpassess.session import Session
    from ui.main_window import MainWindow

_CHILD_FORM = """
id: child-record
version: 1
title: Child's details
sections:
  - id: identity
    title: Who the child is
    fields:
      - {id: given_names, kind: text, label: Given names, required: true, max_length: 100}
      - {id: family_name, kind: text, label: Family name, required: true, max_length: 100}
      - {id: known_as, kind: text, label: Known as, max_length: 100}
      - id: born
        kind: choice
        label: Born or unborn
        display: radio
        options: [{id: born, label: Born}, {id: unborn, label: Unborn (pre-birth)}]
      - {id: date_of_birth, kind: date, label: Date of birth, not_future: true, visible_if: {field: born, equals: born}}
      - {id: expected_date_of_delivery, kind: date, label: Expected date of delivery,
         visible_if: {field: born, equals: unborn}}
      - id: sex
        kind: choice
        label: Sex
        display: radio
        options: [{id: female, label: Female}, {id: male, label: Male}, {id: other, label: Other},
                  {id: not_known, label: Not known}]
      - {id: chi, kind: text, label: CHI number, max_length: 14,
         help: "Ten digits. It is checked as you type; a number that disagrees with the date of birth is a warning."}
  - id: around
    title: Home, school and professionals
    fields:
      - {id: address, kind: long_text, label: Address, max_length: 2000}
      - {id: school, kind: text, label: School or nursery, max_length: 200}
      - {id: named_person, kind: text, label: Named person, max_length: 200}
      - {id: lead_professional, kind: text, label: Lead professional, max_length: 200}
  - id: household
    title: Household
    fields:
      - id: household
        kind: repeat
        label: People in the household
        item_label: Person
        max_items: 50
        fields:
          - {id: name, kind: text, label: Name, required: true, max_length: 100}
          - {id: relationship, kind: text, label: Relationship to the child, max_length: 200}
          - {id: date_of_birth, kind: date, label: Date of birth}
          - {id: parental_responsibility, kind: yes_no_unknown, label: Parental responsibility}
      - id: agencies
        kind: repeat
        label: Agencies involved
        item_label: Agency
        max_items: 50
        fields:
          - {id: agency, kind: text, label: Agency, required: true, max_length: 100}
          - {id: worker, kind: text, label: Worker, max_length: 200}
          - {id: contact, kind: text, label: Contact, max_length: 200}
  - id: protection
    title: Child protection
    fields:
      - {id: registered, kind: yes_no_unknown, label: On the Child Protection Register}
      - {id: registered_on, kind: date, label: Registered on, visible_if: {field: registered, equals: "yes"}}
      - {id: areas_of_concern, kind: multi_choice, label: Areas of concern,
         visible_if: {field: registered, equals: "yes"}, options: AREAS}
      - {id: concern_date, kind: date, label: Date of the concern or IRD, not_future: true,
         help: "The initial CPPM is due within 28 days of it."}
      - {id: last_cppm, kind: date, label: Last CPPM, not_future: true,
         help: "The first core group is due within 15 working days of it; the review CPPM within 6 months."}
      - {id: next_cppm, kind: date, label: Next Child Protection Planning Meeting (CPPM)}
      - {id: last_core_group, kind: date, label: Last core group meeting, not_future: true}
      - {id: next_core_group, kind: date, label: Next core group meeting}
"""


@functools.cache
def child_form() -> FormDefinition:
    """The child's details as a form definition, with the register's areas of concern from data."""
    areas = "[" + ", ".join(f'{{id: {key}, label: "{label}"}}' for key, label in register_categories().items()) + "]"
    return parse_definition_text(_CHILD_FORM.replace("options: AREAS", f"options: {areas}"), "child-record")


def record_to_answers(record: ChildRecord | None) -> dict[str, Any]:
    if record is None:
        return {"born": "born"}
    data = record.model_dump(mode="json")
    answers = {key: value for key, value in data.items() if key not in ("protection", "household", "agencies")
               and value not in (None, "", [])}
    answers["born"] = "unborn" if record.unborn else "born"
    if record.household:
        answers["household"] = [{**member, "parental_responsibility": {True: "yes", False: "no", None: "unknown"}[
            member["parental_responsibility"]]} for member in data["household"]]
    if record.agencies:
        answers["agencies"] = data["agencies"]
    protection = data["protection"]
    answers["registered"] = "yes" if protection["registered"] else "no"
    if protection["registered_on"]:
        answers["registered_on"] = protection["registered_on"]
    if protection["areas_of_concern"]:
        answers["areas_of_concern"] = protection["areas_of_concern"]
    return answers


def answers_to_data(answers: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {key: answers[key] for key in ("given_names", "family_name", "known_as", "sex", "chi",
                                                          "address", "school", "named_person", "lead_professional",
                                                          "next_cppm", "next_core_group", "concern_date", "last_cppm",
                                                          "last_core_group") if answers.get(key)}
    data.setdefault("given_names", "")
    data.setdefault("family_name", "")
    if answers.get("born") == "unborn":
        data["expected_date_of_delivery"] = answers.get("expected_date_of_delivery")
    else:
        data["date_of_birth"] = answers.get("date_of_birth")
    data["household"] = [{"name": row.get("name") or "", "relationship": row.get("relationship") or "",
                          "date_of_birth": row.get("date_of_birth"),
                          "parental_responsibility": {"yes": True, "no": False}.get(row.get("parental_responsibility"))}
                         for row in answers.get("household") or []]
    data["agencies"] = [{"agency": row.get("agency") or "", "worker": row.get("worker") or "",
                         "contact": row.get("contact") or ""} for row in answers.get("agencies") or []]
    registered = answers.get("registered") == "yes"
    data["protection"] = {"registered": registered,
                          "registered_on": answers.get("registered_on") if registered else None,
                          "areas_of_concern": answers.get("areas_of_concern") or [] if registered else []}
    return data


class ChildDialog(QDialog):
    """Add or change a child's details; the core validates, the dialog shows what it says."""

    def __init__(self, record: ChildRecord | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a child" if record is None else "Change the child's details")
        self.record: ChildRecord | None = None
        layout = QVBoxLayout(self)
        self.view = FormView(child_form(), record_to_answers(record))
        layout.addWidget(self.view, 1)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setProperty("role", "problem")
        self.feedback.hide()
        layout.addWidget(self.feedback)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Save")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Cancel")
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._opened_with = self.view.answers()
        self.view.changed.connect(self._check_chi)
        self.view.changed.connect(self._recheck)
        self.resize(1000, 680)

    def reject(self) -> None:
        """Cancel or Escape: a half-filled record is not thrown away without asking."""
        if self.view.answers() != self._opened_with:
            answer = QMessageBox.question(self, self.windowTitle(), "Discard the details you have typed?",
                                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                                          QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    def _recheck(self) -> None:
        """Once a save was refused, the message follows the answers and goes when they are put right."""
        if self.feedback.isVisible():
            self._problems()

    def _problems(self) -> bool:
        try:
            self.record = parse_child(answers_to_data(self.view.answers()))
        except ChildRecordError as error:
            self.record = None
            labels = {field.id: field.label for _, field in child_form().fields()}
            lines = [f"{labels.get(path.split('.')[0], path or 'Details')}: {message}"
                     for path, message in error.problems]
            self.feedback.setText("⚠ Please put right: " + "; ".join(lines))
            self.feedback.show()
            return True
        self.feedback.hide()
        return False

    def _check_chi(self) -> None:
        answers = self.view.answers()
        chi = answers.get("chi")
        row = self.view.row("chi")
        if not chi:
            row.show_note(None)
            return
        try:
            import datetime as dt

            born = answers.get("date_of_birth")
            check = check_chi(chi, dt.date.fromisoformat(born) if born else None)
        except (ChiError, ValueError) as error:
            row.show_note(str(error))
            return
        row.show_note(" ".join(check.warnings) or None, warning=True)  # a mismatch warns, it does not block

    def _save(self) -> None:
        if not self._problems():
            self.accept()


def assessment_columns(names: dict[str, str]) -> list[Column[Assessment]]:
    """The child's assessments; authors by their names (`names`: username -> display name)."""
    return [
        Column("Assessment", lambda a: f"{default_catalog().get(a.form_id, a.form_version).title} (v{a.form_version})"
               if a.form_version in default_catalog().versions(a.form_id) else f"{a.form_id} v{a.form_version}"),
        Column("Status", lambda a: STATUS_LABELS[a.status]),
        Column("Author", lambda a: names.get(a.author, a.author)),
        Column("Last changed", lambda a: uk_date(a.updated), lambda a: a.updated),
        Column("Approved", lambda a: uk_date(a.approved_at), lambda a: a.approved_at or ""),
    ]


def _member(person: Any) -> str:
    """"Morven MacLeod (mother, born 01/03/1990, parental responsibility)"."""
    facts = [person.relationship] if person.relationship else []
    if person.date_of_birth:
        facts.append(f"born {uk_date(person.date_of_birth.isoformat())}")
    facts.append({True: "parental responsibility", False: "no parental responsibility",
                  None: "parental responsibility not known"}[person.parental_responsibility])
    return f"{person.name} ({', '.join(facts)})"


class ChildScreen(QWidget):
    open_assessment = Signal(str)
    changed = Signal()

    def __init__(self, window: MainWindow, session: Session, child: Child, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.session = session
        self.child = child
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        header = QHBoxLayout()
        self.title = QLabel()
        self.title.setProperty("role", "title")
        header.addWidget(self.title, 1)
        edit = QPushButton("&Change details…")
        edit.clicked.connect(self._edit)
        header.addWidget(edit)
        print_chronology = QPushButton("&Print chronology…")
        print_chronology.setAccessibleName("Print the child's chronology as a PDF signed with your signature")
        print_chronology.clicked.connect(self._print_chronology)
        header.addWidget(print_chronology)
        layout.addLayout(header)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setProperty("role", "subtitle")
        layout.addWidget(self.details)
        self.household = QLabel()
        self.household.setWordWrap(True)
        self.household.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.household)
        self.warnings = QLabel()
        self.warnings.setProperty("role", "warning")
        self.warnings.setWordWrap(True)
        layout.addWidget(self.warnings)
        tools = QHBoxLayout()
        heading = QLabel("Assessments")
        heading.setProperty("role", "section")
        tools.addWidget(heading, 1)
        taken = {"c", "o", "p"}  # &Change details…, &Open, &Print chronology…
        for form in default_catalog():
            if form.version != default_catalog().versions(form.id)[-1]:
                continue
            button = QPushButton(f"New: {_with_mnemonic(form.title.split(':')[0].split('(')[0].strip(), taken)}")
            button.setAccessibleName(f"Start a new {form.title}")
            button.clicked.connect(functools.partial(self._new, form.id))
            tools.addWidget(button)
        open_button = QPushButton("&Open")
        open_button.clicked.connect(self._open_selected)
        tools.addWidget(open_button)
        layout.addLayout(tools)
        names = {user.username: user.display_name for user in session.users()}
        self.model: RowsModel[Assessment] = RowsModel(assessment_columns(names), self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Assessments of this child")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setTabKeyNavigation(False)
        self.table.activated.connect(self._open_index)
        layout.addWidget(self.table, 1)
        self.show_child(child)

    def show_child(self, child: Child) -> None:
        self.child = child
        record = child.record
        self.title.setText(record.full_name + (f" ({record.known_as})" if record.known_as else ""))
        expected = record.expected_date_of_delivery
        born = (f"Born {uk_date(record.date_of_birth.isoformat())}" if record.date_of_birth else
                f"Unborn, expected {uk_date(expected.isoformat()) if expected else 'date not known'}")
        parts = [born, f"CHI {record.chi}" if record.chi else "No CHI number", record.school or "",
                 f"Named person: {record.named_person}" if record.named_person else ""]
        if record.protection.registered:
            areas = ", ".join(register_categories()[a] for a in record.protection.areas_of_concern)
            parts.append(f"On the Child Protection Register{': ' + areas if areas else ''}")
        if record.next_cppm:
            parts.append(f"Next CPPM {uk_date(record.next_cppm.isoformat())}")
        if record.next_core_group:
            parts.append(f"Next core group {uk_date(record.next_core_group.isoformat())}")
        self.details.setText(" · ".join(part for part in parts if part))
        self.household.setText("Household: " + "; ".join(_member(person) for person in record.household)
                               if record.household else "Household: nobody recorded")
        warnings = record.warnings()
        self.warnings.setText(" ".join(f"△ {w}" for w in warnings))
        self.warnings.setVisible(bool(warnings))
        self.model.set_rows(self.session.assessments.find(child_id=child.id))

    def _edit(self) -> None:
        dialog = ChildDialog(self.child.record, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.record is not None:
            try:
                self.show_child(self.session.children.update(self.child.id, dialog.record))
            except Exception as error:
                self.window_.show_error(error)
                return
            self.changed.emit()

    def _print_chronology(self) -> None:
        """The chronology on its own, full or family copy, certified by this user and saved where they choose."""
        ask = QMessageBox(QMessageBox.Icon.Question, "Print chronology",
                          "Print the whole chronology, or the family copy without the events marked sensitive?",
                          parent=self)
        full = ask.addButton("&Whole chronology", QMessageBox.ButtonRole.AcceptRole)
        family = ask.addButton("&Family copy", QMessageBox.ButtonRole.AcceptRole)
        ask.addButton(QMessageBox.StandardButton.Cancel)
        ask.exec()
        if ask.clickedButton() not in (full, family):
            return
        suffix = "-family-copy" if ask.clickedButton() is family else ""
        path, _ = QFileDialog.getSaveFileName(self, "Save the chronology", f"chronology{suffix}.pdf",
                                              "PDF documents (*.pdf)")
        if not path:
            return
        child_id, family_copy = self.child.id, ask.clickedButton() is family

        def work() -> None:
            write_atomic(Path(path), print_chronology(self.session, child_id, family_copy=family_copy).data)

        self.window_.run(work, lambda _: None, "Printing the chronology…")

    def _new(self, form_id: str) -> None:
        try:
            assessment = Casework.of(self.session).new(self.child.id, form_id)
        except Exception as error:
            self.window_.show_error(error)
            return
        self.open_assessment.emit(assessment.id)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_assessment.emit(self.model.row_at(index.row()).id)

    def _open_selected(self) -> None:
        self._open_index(self.table.currentIndex())


def _with_mnemonic(text: str, taken: set[str]) -> str:
    """`text` with an & before its first letter no other button here uses (Alt+letter), taking that letter."""
    for index, char in enumerate(text):
        if char.isalpha() and char.casefold() not in taken:
            taken.add(char.casefold())
            return f"{text[:index]}&{text[index:]}"
    return text
