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
SCHOOLS = ["Braeside Primary", "Castlehill Nursery", "Riverbank High", "St Ninian's Primary", "Lochview Academy"]
RELATIONS = ["Mother", "Father", "Stepfather", "Grandmother", "Older brother", "Sister", "Mother's partner", "Aunt"]

SENTENCES = [
    "{name} was seen at home after school and showed me their room, which was tidy and had a few toys and books.",
    "{name}'s mother said mornings are the hardest time, since her shifts changed and there is no one to help.",
    "The health visitor reports that appointments have been missed twice this year, though the last one was kept.",
    "School describe {name} as bright and keen to please, but often tired and sometimes without a packed lunch.",
    "There was food in the cupboards on the day of the visit; the fridge held milk, bread and some vegetables.",
    "{name} said they like football and drawing, and that they feel safe with their gran at weekends.",
    "The family have moved house three times in eighteen months, and the current flat has damp in two rooms.",
    "Carers were open about the pressures they face and agreed to a referral to the family support service.",
    "{name}'s attendance has improved this term, from 78% to 91%, since the breakfast club place started.",
    "During the visit the television was loud and {name} was looking after their younger sister for a while.",
    "The named person has noticed that {name} often arrives in the same clothes several days in a row.",
    "Dad says he wants things to be different for the children and has started going to a support group.",
    "I saw warm, playful moments between {name} and their mother, who praised a drawing brought home from school.",
    "There are times, particularly at the end of the month, when money runs out and the meter is not topped up.",
]


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


def narrative(rng: random.Random, name: str, sentences: int) -> str:
    """A few paragraphs of believable practice writing about a (synthetic) child."""
    picked = [rng.choice(SENTENCES).format(name=name) for _ in range(sentences)]
    paragraphs = [" ".join(picked[i:i + 3]) for i in range(0, len(picked), 3)]
    return "\n\n".join(paragraphs)


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
        birth = today - dt.timedelta(days=rng.randint(200, 16 * 365))
        data["date_of_birth"] = birth.isoformat()
        data["school"] = rng.choice(SCHOOLS)
        data["sex"] = rng.choice(["female", "male"])
        if rng.random() < 0.7:
            data["chi"] = _chi_for(birth, data["sex"] == "male", rng)
    if rng.random() < 0.3:
        data["protection"] = {"registered": True, "registered_on": (today - dt.timedelta(days=rng.randint(10, 300)))
                              .isoformat(), "areas_of_concern": rng.sample(["neglect", "domestic_abuse",
                                                                            "parental_alcohol_misuse"], 2)}
        data["last_cppm"] = data["protection"]["registered_on"]  # registration is decided at a CPPM
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
                   complete: bool = True) -> dict[str, Any]:
    """Answers to every question a practitioner would fill in (or about half of them for an early draft)."""
    answers: dict[str, Any] = {}
    for _, field in form.fields():
        if isinstance(field, ComputedField) or (not complete and rng.random() < 0.5):
            continue
        answers[field.id] = _value(field, form, rng, name, today)
    answers = _satisfy_conditions(form, answers)
    return answers


def _value(field: Any, form: FormDefinition, rng: random.Random, name: str, today: dt.date) -> Any:
    match field:
        case TextField():
            return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"[: field.max_length]
        case LongTextField():
            return narrative(rng, name, rng.randint(3, 9))[: field.max_length]
        case DateField():
            return (today - dt.timedelta(days=rng.randint(1, 60))).isoformat()
        case NumberField():
            low = int(field.minimum) if field.minimum is not None else 0
            high = int(field.maximum) if field.maximum is not None else low + 10
            return rng.randint(low, high)
        case ChoiceField() | YesNoUnknownField() | RatingField():
            options = options_of(field, form)
            assert options
            return rng.choice([o.id for o in options if o.id not in ("other",)] or [options[0].id])
        case MultiChoiceField():
            ids = [o.id for o in field.options if o.id != "other"] or [field.options[0].id]
            return rng.sample(ids, k=min(len(ids), rng.randint(1, 3)))
        case GradeField():
            grade = rng.choice([1, 2, 2, 3, 3, 4, 5, None])
            return {"grade": grade, "evidence": narrative(rng, name, 2) if grade is None or grade >= 2 else ""}
        case ResilienceMatrixField():
            return {"resilience": rng.randint(-4, 4), "environment": rng.randint(-4, 4),
                    "resilience_factors": ["Good relationship with gran", "Enjoys school football"][: FACTOR_MAX_ITEMS],
                    "vulnerability_factors": ["Frequent house moves"], "protective_factors": ["Engaged named person"],
                    "adversity_factors": ["Money worries at home"]}
        case RepeatField():
            rows = [{column.id: _value(column, form, rng, name, today) for column in field.fields}
                    for _ in range(max(field.min_items, rng.randint(1, 3)))]
            if field.row_sensitivity:  # some rows kept out of the family copy
                for row in rows:
                    row[ROW_SENSITIVE] = rng.random() < 0.3
            return rows
    raise TypeError(f"no sample for {type(field).__name__}")


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
    _populate(path, [sam, eilidh], lead, children, rng, today)
    return list(DEMO_LOGINS)


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
                first = child.record.known_as or child.record.given_names
                answers = sample_answers(form, rng, first, today, complete=target != "draft")
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
