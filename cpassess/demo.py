"""Synthetic demo data (DESIGN §14): believable Scottish caseloads with no real person in them.

Names mix Scots, Gaelic, Irish, Polish, Greek and Russian spellings so every screen and PDF meets accents and
non-Latin scripts; there is an unborn child, a large family and long narratives, and assessments in every state.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpassess.casework import Casework
from cpassess.children import ChildRecord
from cpassess.demo_words import AGENCIES, FACTORS, NOTES, PLANS, ROLES, SENTENCES, SOURCES, VIEWS
from cpassess.forms import FormDefinition, default_catalog, validate_submission
from cpassess.forms.answers import FACTOR_MAX_ITEMS
from cpassess.forms.definition import (
    ROW_SENSITIVE,
    ChoiceField,
    ComputedField,
    DateField,
    GradeField,
    LongTextField,
    MultiChoiceField,
    NumberField,
    RatingField,
    RepeatField,
    ResilienceMatrixField,
    TextField,
    YesNoUnknownField,
    options_of,
)
from cpassess.keyslots import KdfParams
from cpassess.session import Session

GIVEN = ["Ava", "Callum", "Isla", "Lewis", "Skye", "Ruaridh", "Eilidh", "Finlay", "Morven", "Kyle", "Siobhán", "Zoë",
         "Łukasz", "Oskar", "Zuzanna", "Ἀλέξανδρος", "Дмитрий", "Аня", "Aoife", "Seònaid", "Mhairi", "Calum", "Niamh",
         "Jayden", "Leah", "Murdo", "Iona", "Kacper", "Maja", "Amira", "Yusuf", "Chloé", "Ruby", "Archie", "Grace"]
FAMILY = ["MacLeod", "Campbell", "Ní Bhriain", "Ó Súilleabháin", "Wróblewski", "Nowak", "Stewart", "Robertson",
          "MacDonald", "Paterson", "Morrison", "Nikolaidis", "Иванова", "Kowalczyk", "Fraser", "Mac an t-Saoir",
          "Henderson", "Duncan", "Baird", "Hassan", "Sinclair", "McAllister", "Gillies", "Lindsay", "Ross"]
PLACES = ["Leith", "Govan", "Dundee", "Inverness", "Paisley", "Kirkcaldy", "Stornoway", "Motherwell", "Ayr", "Elgin"]
RELATIONS = ["Mother", "Father", "Stepfather", "Grandmother", "Older brother", "Sister", "Mother's partner", "Aunt"]

@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: str
    password: str


ASSESSED_PER_PRACTITIONER = 30  # children with assessments; the rest of a large caseload has none yet

DEMO_LOGINS = (
    DemoLogin("lead", "Morag Lindsay", "team lead and administrator", "demo-lead-password"),
    DemoLogin("sam", "Sam Wróblewski", "practitioner", "demo-practitioner-password"),
    DemoLogin("eilidh", "Eilidh Ní Bhriain", "practitioner", "demo-practitioner-2-password"),
)


def narrative(rng: random.Random, name: str, sentences: int, stage: str = "child", mum: str = "Mum") -> str:
    """A few paragraphs of believable practice writing about a (synthetic) child at `stage` of life; `mum` is
    who the narratives of an unborn baby speak of."""
    bank = SENTENCES[stage]
    picked = [rng.choice(bank) if n >= len(bank) else sentence
              for n, sentence in enumerate(rng.sample(bank, len(bank)) * (sentences // len(bank) + 1))][:sentences]
    paragraphs = [" ".join(s.format(name=name, mum=mum, weeks=28) for s in picked[i:i + 3])
                  for i in range(0, len(picked), 3)]
    return "\n\n".join(paragraphs)


def stage_of(record: ChildRecord, today: dt.date) -> str:
    """"unborn", "baby" (under two), "child" (two to twelve) or "teen"."""
    if record.date_of_birth is None:
        return "unborn"
    age = (today - record.date_of_birth).days / 365.25
    return "baby" if age < 2 else "child" if age < 13 else "teen"


def child_record(rng: random.Random, today: dt.date, *, unborn: bool = False,
                 large_family: bool = False) -> ChildRecord:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    data: dict[str, Any] = {
        "given_names": "Unborn baby" if unborn else given,
        "family_name": family,
        "address": f"{rng.randint(1, 140)} {rng.choice(['Mill', 'Station', 'Church', 'Shore'])} Road\n"
                   f"{rng.choice(PLACES)}",
        "named_person": f"{rng.choice(['Mrs', 'Mr', 'Ms'])} {rng.choice(FAMILY)}",
        "household": [{"name": f"{rng.choice(GIVEN)} {family}", "relationship": rng.choice(RELATIONS),
                       "parental_responsibility": rng.random() < 0.5}
                      for _ in range(rng.randint(7, 11) if large_family else rng.randint(1, 3))],
    }
    if unborn:
        data["expected_date_of_delivery"] = (today + dt.timedelta(days=rng.randint(20, 150))).isoformat()
    else:
        birth = today - dt.timedelta(days=rng.randint(120, 16 * 365))
        data["date_of_birth"] = birth.isoformat()
        age = (today - birth).days / 365.25
        data["school"] = ("" if age < 2 else "Castlehill Nursery" if age < 5 else
                          rng.choice(["Braeside Primary", "St Ninian's Primary"]) if age < 12 else
                          rng.choice(["Riverbank High", "Lochview Academy"]))
        data["sex"] = rng.choice(["female", "male"])
        if rng.random() < 0.7:
            data["chi"] = _chi_for(birth, data["sex"] == "male", rng)
    if rng.random() < 0.3:
        data["protection"] = {"registered": True, "registered_on": (today - dt.timedelta(days=rng.randint(10, 300)))
                              .isoformat(), "areas_of_concern": rng.sample(["neglect", "domestic_abuse",
                                                                            "parental_alcohol_misuse"], 2)}
        data["next_cppm"] = (today + dt.timedelta(days=rng.randint(-10, 90))).isoformat()
        data["next_core_group"] = (today + dt.timedelta(days=rng.randint(-5, 30))).isoformat()
    return ChildRecord.model_validate(data)


def _chi_for(birth: dt.date, male: bool, rng: random.Random) -> str:
    """A well-formed (mod 11) CHI number for a synthetic child."""
    while True:
        sex_digit = rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
        digits = f"{birth:%d%m%y}{rng.randint(0, 99):02d}{sex_digit}"
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:
            return digits + str(check)


def sample_answers(form: FormDefinition, rng: random.Random, name: str, today: dt.date,
                   complete: bool = True, *, stage: str = "child", mum: str = "Mum") -> dict[str, Any]:
    """Answers to every question a practitioner would fill in (or about half of them for an early draft), in
    words that fit a child at `stage` of life ("unborn", "baby", "child", "teen")."""
    writer = _Writer(form, rng, name, today, stage, mum)
    answers: dict[str, Any] = {}
    for _, field in form.fields():
        if isinstance(field, ComputedField) or (not complete and rng.random() < 0.5):
            continue
        answers[field.id] = writer.value(field)
    writer.notes_for_ratings(answers)
    return _satisfy_conditions(form, answers)


@dataclass
class _Writer:
    form: FormDefinition
    rng: random.Random
    name: str
    today: dt.date
    stage: str
    mum: str

    def text(self, template: str) -> str:
        return template.format(name=self.name, mum=self.mum)

    def person(self) -> str:
        return f"{self.rng.choice(GIVEN)} {self.rng.choice(FAMILY)}"

    def short_text(self, field: TextField) -> str:
        """A one-line answer that fits the question: a name where it asks for a person, else a phrase."""
        key = field.id
        if key in ("name", "responsible_person"):
            value = self.person()
        elif key == "lead_professional":
            value = f"{self.person()}, social worker"
        elif key in ("agency",):
            value = self.rng.choice([a for a in AGENCIES if a != "Primary school"] + ["Midwifery"]
                                    if self.stage in ("unborn", "baby") else AGENCIES)
        elif key in ("role",):
            value = self.rng.choice(ROLES)
        elif key == "relationship":
            value = self.rng.choice(RELATIONS)
        elif key == "source":
            value = self.rng.choice(SOURCES)
        elif key.endswith("_other"):
            value = "Discussed with the family's support worker"
        elif key.endswith("_reason"):
            value = "The child was at nursery on both visits; seen there instead" if self.stage != "unborn" \
                else "The baby is not yet born"
        else:
            value = self.rng.choice(NOTES["unknown"])
        return value[: field.max_length]

    def long_text(self, field: LongTextField) -> str:
        if field.id in ("child_views",):
            return self.text(VIEWS[self.stage])[: field.max_length]
        return narrative(self.rng, self.name, self.rng.randint(3, 7), self.stage, self.mum)[: field.max_length]

    def value(self, field: Any) -> Any:
        rng, today = self.rng, self.today
        match field:
            case TextField():
                return self.short_text(field)
            case LongTextField():
                return self.long_text(field)
            case DateField():
                return (today - dt.timedelta(days=rng.randint(1, 60))).isoformat()
            case NumberField():
                low = int(field.minimum) if field.minimum is not None else 0
                high = int(field.maximum) if field.maximum is not None else low + 10
                return rng.randint(low, high)
            case ChoiceField() | YesNoUnknownField() | RatingField():
                options = options_of(field, self.form)
                assert options
                return rng.choice([o.id for o in options if o.id not in ("other",)] or [options[0].id])
            case MultiChoiceField():
                ids = [o.id for o in field.options if o.id != "other"] or [field.options[0].id]
                return rng.sample(ids, k=min(len(ids), rng.randint(1, 3)))
            case GradeField():
                grade = rng.choice([1, 2, 2, 3, 3, 4, 5, None])
                return {"grade": grade, "evidence": narrative(rng, self.name, 2, self.stage, self.mum)
                        if grade is None or grade >= 2 else ""}
            case ResilienceMatrixField():
                resilience, vulnerability, protective, adversity = FACTORS[self.stage]
                return {"resilience": rng.randint(-4, 4), "environment": rng.randint(-4, 4),
                        "resilience_factors": resilience[:FACTOR_MAX_ITEMS],
                        "vulnerability_factors": vulnerability, "protective_factors": protective,
                        "adversity_factors": adversity}
            case RepeatField():
                if field.id == "plan_actions":
                    rows = self.plan(field)
                elif field.id == "chronology_events":
                    rows = self.chronology(field)
                else:
                    rows = [{column.id: self.value(column) for column in field.fields}
                            for _ in range(max(field.min_items, rng.randint(1, 3)))]
                if field.row_sensitivity:  # some rows kept out of the family copy
                    for row in rows:
                        row[ROW_SENSITIVE] = rng.random() < 0.3
                return rows
        raise TypeError(f"no sample for {type(field).__name__}")

    def plan(self, field: RepeatField) -> list[dict[str, Any]]:
        columns = ("indicator", "need", "action", "outcome", "responsible_person", "progress_measure")
        rows = []
        for number, action in enumerate(PLANS[self.stage]):
            row = {key: self.text(value) for key, value in zip(columns, action, strict=True)}
            row["by_when"] = (self.today + dt.timedelta(weeks=6 * (number + 1))).isoformat()
            rows.append({column.id: row[column.id] for column in field.fields if column.id in row})
        return rows

    def chronology(self, field: RepeatField) -> list[dict[str, Any]]:
        """Events of this child's life so far, in the order a practitioner might add them (not by date)."""
        events = {
            "unborn": [(200, "{mum}'s first child was placed with his gran under a compulsory supervision order.",
                        "Social work file", "Part of the history the plan for this baby has to take into account."),
                       (60, "{mum} booked in with the midwife at 16 weeks and disclosed past alcohol use.",
                        "Midwife", "The baby's health may have been affected early in the pregnancy."),
                       (20, "Pre-birth referral to social work from the midwife.", "Midwife",
                        "This assessment began.")],
            "baby": [(30, "{name} was taken to A&E with a high temperature; treated and sent home.", "GP practice",
                      "Mum responded quickly and followed the advice given."),
                     (90, "{name} was born at 38 weeks, healthy, weighing 3.1 kg.", "Health visitor",
                      "A good start; mum and {name} went home after one night."),
                     (10, "Police attended after neighbours heard shouting; {name} was asleep.", "Police Scotland",
                      "{name} was not hurt; the adults were arguing in the next room.")],
            "child": [(400, "{name} started at a new school after the family's third move in eighteen months.",
                       "School records", "{name} lost touch with friends and was unsettled for a term."),
                      (30, "School raised a concern: {name} arrived hungry and without a coat on a cold day.",
                       "Named person", "{name} was tired and could not concentrate."),
                      (120, "Mum's partner moved out after an incident the police attended.", "Police Scotland",
                       "{name} says the house is calmer now but misses him.")],
            "teen": [(15, "{name} was reported missing overnight and found the next morning at a friend's flat.",
                      "Police Scotland", "{name} was frightened and agreed to talk to the social worker."),
                     (300, "{name}'s gran, who was their main support, died.", "Mum",
                      "{name} stopped going to football and their attendance fell."),
                     (60, "{name} told the guidance teacher about messages from an older man online.",
                      "Guidance teacher", "Police were informed; {name} felt listened to.")],
        }[self.stage]
        return [{"event_date": (self.today - dt.timedelta(days=days)).isoformat(), "event": self.text(event),
                 "source": source, "impact": self.text(impact)} for days, event, source, impact in events]

    def notes_for_ratings(self, answers: dict[str, Any]) -> None:
        """A rated item's note says what its rating means for this child (not a stray name)."""
        for _, field in self.form.fields():
            note = f"{field.id}_note"
            if isinstance(field, RatingField) and note in answers and field.id in answers:
                if self.stage in ("unborn", "baby") and "school" in field.id:
                    answers[field.id] = "not_applicable"  # no school yet (the triangle's scale has the level)
                tone = next((level.tone for level in self.form.scale(field.scale).levels
                             if level.id == answers[field.id]), "unknown")
                answers[note] = self.rng.choice(NOTES.get(tone, NOTES["unknown"]))


def _satisfy_conditions(form: FormDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """Dates in order (a review date after the assessment date) so a complete sample can be submitted."""
    for _, field in form.fields():
        if isinstance(field, DateField) and field.not_before and field.id in answers and field.not_before in answers:
            answers[field.id] = max(answers[field.id], answers[field.not_before])
        if isinstance(field, RepeatField):
            for row in answers.get(field.id, []):
                for column in field.fields:
                    if isinstance(column, DateField) and column.not_before in answers and column.id in row:
                        row[column.id] = max(row[column.id], answers[column.not_before])
    return answers


def build_demo(path: Path, children: int = 30, *, seed: int = 2026, kdf: KdfParams | None = None,
               today: dt.date | None = None) -> list[DemoLogin]:
    """Create a demo database at `path`; returns the logins to print."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    lead, sam, eilidh = DEMO_LOGINS
    session, _ = Session.initialise(path, lead.username, lead.display_name, lead.password,
                                    team_name="North East Children and Families", kdf=kdf)
    with session:
        for login in (sam, eilidh):
            session.add_user(login.username, login.display_name, ["practitioner"], login.password, kdf=kdf)
    if children < 1:
        return list(DEMO_LOGINS)
    _populate(path, [sam, eilidh], lead, children - 1, rng, today)
    _neglect_over_time(path, sam, lead, rng, today)  # one of the `children`
    return list(DEMO_LOGINS)


def _voice(record: ChildRecord, today: dt.date) -> tuple[str, str, str]:
    """(name, stage, mother) the narratives about this child use: an unborn baby is "the baby"."""
    stage = stage_of(record, today)
    name = "the baby" if stage == "unborn" else record.known_as or record.given_names
    return name, stage, f"Ms {record.family_name}"


def _neglect_over_time(path: Path, practitioner: DemoLogin, lead: DemoLogin, rng: random.Random,
                       today: dt.date) -> None:
    """A school-age child with three approved neglect assessments, eleven, six and one month ago, the care
    they receive getting better each time: the change chart of the last shows the history."""
    record = ChildRecord.model_validate({
        "given_names": "Kacper", "family_name": "Nowak", "known_as": "Kacper",
        "date_of_birth": (today - dt.timedelta(days=9 * 365 + 40)).isoformat(), "sex": "male",
        "address": "4 Station Road\nKirkcaldy", "school": "St Ninian's Primary", "named_person": "Mrs Duncan",
        "lead_professional": "Iain Gillies, social worker",
        "household": [{"name": "Agnieszka Nowak", "relationship": "Mother", "parental_responsibility": True},
                      {"name": "Zuzanna Nowak", "relationship": "Sister", "parental_responsibility": False}]})
    form = default_catalog().get("neglect-assessment")
    with Session.unlock(path, practitioner.username, practitioner.password) as session:
        child_id = session.children.add(record).id
    for months, shift in ((11, 1), (6, 0), (1, -1)):
        made = today - dt.timedelta(days=30 * months)
        answers = sample_answers(form, rng, "Kacper", made, stage="child", mum="Ms Nowak")
        for value in answers.values():
            if isinstance(value, dict) and value.get("grade") is not None:
                value["grade"] = min(5, max(1, value["grade"] + shift))
        answers = _satisfy_conditions(form, {**answers, "assessment_date": made.isoformat()})
        with Session.unlock(path, practitioner.username, practitioner.password) as session:
            assessment = Casework.of(session).new(child_id, form.id, form.version, answers)
            Casework.of(session).submit(assessment.id, today=today)
        with Session.unlock(path, lead.username, lead.password) as review:
            Casework.of(review).approve(assessment.id, lead.password)


def _records(count: int, rng: random.Random, today: dt.date) -> Iterator[ChildRecord]:
    for index in range(count):
        yield child_record(rng, today, unborn=index == 3, large_family=index == 5)


def _populate(path: Path, practitioners: list[DemoLogin], lead: DemoLogin, count: int, rng: random.Random,
              today: dt.date) -> None:
    """Children and assessments in every state, in phases so each user unlocks only a few times."""
    catalog = default_catalog()
    forms = [catalog.get("neglect-assessment"), catalog.get("girfec-wellbeing")]
    states = ["draft", "submitted", "returned", "approved", "superseded", "none"]
    to_review: list[tuple[str, str, str, FormDefinition]] = []  # (target, assessment id, author, form)
    for login in practitioners:
        share = count // len(practitioners) + (count % len(practitioners) if login is practitioners[0] else 0)
        with Session.unlock(path, login.username, login.password) as session:
            added = session.children.add_many(list(_records(share, rng, today)))
            for index, child in enumerate(added[:ASSESSED_PER_PRACTITIONER]):
                target, form = states[index % len(states)], forms[index % 2]
                if target == "none":
                    continue
                name, stage, mum = _voice(child.record, today)
                answers = sample_answers(form, rng, name, today, complete=target != "draft", stage=stage, mum=mum)
                assessment = Casework.of(session).new(child.id, form.id, form.version, answers)
                if target != "draft" and not validate_submission(form, answers):
                    Casework.of(session).submit(assessment.id)
                    to_review.append((target, assessment.id, login.username, form))
    corrections: list[tuple[str, str]] = []  # (correction id, author)
    with Session.unlock(path, lead.username, lead.password) as review:
        for target, assessment_id, author, form in to_review:
            if target == "returned":
                Casework.of(review).return_for_changes(
                    assessment_id, "Please say more about how the child's views were gathered, and who else "
                                   "was spoken to.", section_id=form.sections[-2].id)
            elif target in ("approved", "superseded"):
                Casework.of(review).approve(assessment_id, lead.password)
                if target == "superseded":
                    correction = Casework.of(review).start_correction(assessment_id)
                    Casework.of(review).reassign(correction.id, author)
                    corrections.append((correction.id, author))
    by_user = {login.username: login for login in practitioners}
    for login in practitioners:
        mine = [cid for cid, author in corrections if author == login.username]
        if mine:
            with Session.unlock(path, login.username, by_user[login.username].password) as session:
                for correction_id in mine:
                    Casework.of(session).submit(correction_id)
    if corrections:
        with Session.unlock(path, lead.username, lead.password) as review:
            for correction_id, _ in corrections:
                Casework.of(review).approve(correction_id, lead.password)
