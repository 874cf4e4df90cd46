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
from cpassess.children import ChildRecord, register_categories
from cpassess.chronology import Chronology
from cpassess.demo_answers import PROPOSED_AREAS
from cpassess.demo_words import FAMILY, FEMALE, FEMALE_RELATIONS, GIVEN, OTHER_RELATIONS, PLACES
from cpassess.demo_writer import life_events, progress_on, sample_answers
from cpassess.forms import FormDefinition, default_catalog, validate_submission
from cpassess.keyslots import KdfParams
from cpassess.session import Session

__all__ = ["DEMO_LOGINS", "GIVEN", "DemoLogin", "build_demo", "child_record", "sample_answers", "stage_of"]


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


def stage_of(record: ChildRecord, today: dt.date) -> str:
    """"unborn", "baby" (under two), "child" (two to twelve; the demo's are five and over, at school) or "teen"."""
    if record.date_of_birth is None:
        return "unborn"
    age = (today - record.date_of_birth).days / 365.25
    return "baby" if age < 2 else "child" if age < 13 else "teen"


def household(rng: random.Random, family: str, size: int) -> list[dict[str, Any]]:
    """Who lives with the child: the mother (with parental responsibility), often the father (usually with it
    too), then others without it; each with a given name that fits them."""
    relations = ["Mother"] + (["Father"] if rng.random() < 0.4 else [])
    others = [r for r in OTHER_RELATIONS if "Father" not in relations or r not in ("Stepfather", "Mother's partner")]
    relations += [rng.choice(others) for _ in range(size - len(relations))]
    members = []
    for relation in relations[:max(size, 1)]:
        names = [name for name in GIVEN if (name in FEMALE) == (relation in FEMALE_RELATIONS)]
        responsible = relation == "Mother" or (relation == "Father" and rng.random() < 0.9)
        members.append({"name": f"{rng.choice(names)} {family}", "relationship": relation,
                        "parental_responsibility": responsible})
    return members


def child_record(rng: random.Random, today: dt.date, *, unborn: bool = False,
                 large_family: bool = False) -> ChildRecord:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    data: dict[str, Any] = {
        "given_names": "Unborn baby" if unborn else given,
        "family_name": family,
        "address": f"{rng.randint(1, 140)} {rng.choice(['Mill', 'Station', 'Church', 'Shore'])} Road\n"
                   f"{rng.choice(PLACES)}",
        "named_person": f"{rng.choice(['Mrs', 'Mr', 'Ms'])} {rng.choice(FAMILY)}",
        "household": household(rng, family, rng.randint(7, 11) if large_family else rng.randint(1, 3)),
    }
    if unborn:
        data["expected_date_of_delivery"] = (today + dt.timedelta(days=rng.randint(20, 150))).isoformat()
    else:
        # a baby, or a child of school age: the "child" words are about school, not nursery
        birth = today - dt.timedelta(days=rng.randint(120, 700) if rng.random() < 0.2 else
                                     rng.randint(5 * 365 + 60, 16 * 365))
        data["date_of_birth"] = birth.isoformat()
        age = (today - birth).days / 365.25
        data["school"] = ("" if age < 2 else rng.choice(["Braeside Primary", "St Ninian's Primary"]) if age < 12
                          else rng.choice(["Riverbank High", "Lochview Academy"]))
        data["sex"] = rng.choice(["female", "male"])
        if rng.random() < 0.7:
            data["chi"] = _chi_for(birth, data["sex"] == "male", rng)
    if rng.random() < 0.3:
        born = None if unborn else dt.date.fromisoformat(data["date_of_birth"])
        # before birth: a pre-birth CPPM late in the pregnancy; after: never before the child was born
        days = rng.randint(10, 60) if born is None else rng.randint(10, max(10, min(300, (today - born).days - 30)))
        data.update(_registration(today - dt.timedelta(days=days), today, rng.sample(
            ["neglect", "domestic_abuse", "parental_alcohol_misuse"], 2), rng))
    return ChildRecord.model_validate(data)


def _registration(registered: dt.date, today: dt.date, areas: list[str], rng: random.Random) -> dict[str, Any]:
    """A registration and the meetings around it, in the order the National Guidance sets: the concern, the
    initial CPPM within 28 days (which registers), core groups every few weeks, a review CPPM within six months."""
    cppm = registered
    while cppm + dt.timedelta(days=182) < today - dt.timedelta(days=10):
        cppm += dt.timedelta(days=182)  # the review CPPMs held since
    core_group = registered + dt.timedelta(days=rng.randint(7, 20))  # the first within 15 working days
    while core_group + dt.timedelta(days=42) < today - dt.timedelta(days=14):  # the next may be a little overdue
        core_group += dt.timedelta(days=42)
    dates = {"protection": {"registered": True, "registered_on": registered.isoformat(), "areas_of_concern": areas},
             "concern_date": (registered - dt.timedelta(days=rng.randint(10, 27))).isoformat(),
             "last_cppm": cppm.isoformat(), "next_cppm": (cppm + dt.timedelta(days=182)).isoformat(),
             "next_core_group": (core_group + dt.timedelta(days=42)).isoformat()}
    if core_group <= today:
        dates["last_core_group"] = core_group.isoformat()
    else:
        dates["next_core_group"] = core_group.isoformat()
    return dates


def _chi_for(birth: dt.date, male: bool, rng: random.Random) -> str:
    """A well-formed (mod 11) CHI number for a synthetic child."""
    while True:
        sex_digit = rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
        digits = f"{birth:%d%m%y}{rng.randint(0, 99):02d}{sex_digit}"
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:
            return digits + str(check)


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
    born = record.date_of_birth
    with Session.unlock(path, practitioner.username, practitioner.password) as session:
        child_id = session.children.add(record).id
        _note_life_events(session, child_id, "child", "Kacper", "Ms Nowak", today - dt.timedelta(days=330), born)
    for months, concern in ((11, "high"), (6, "moderate"), (1, "low")):
        made = today - dt.timedelta(days=30 * months)
        answers = sample_answers(form, rng, "Kacper", made, stage="child", mum="Ms Nowak", born=born,
                                 concern=concern)
        with Session.unlock(path, practitioner.username, practitioner.password) as session:
            assessment = Casework.of(session).new(child_id, form.id, form.version, answers)
            Casework.of(session).submit(assessment.id, today=today)
        with Session.unlock(path, lead.username, lead.password) as review:
            Casework.of(review).approve(assessment.id, lead.password)


def _records(count: int, rng: random.Random, today: dt.date) -> Iterator[ChildRecord]:
    for index in range(count):
        yield child_record(rng, today, unborn=index == 3, large_family=index == 5)


def _note_life_events(session: Session, child_id: str, stage: str, name: str, mum: str, as_of: dt.date,
                      born: dt.date | None) -> None:
    """The practitioner's events in the child's chronology (police information marked sensitive)."""
    for event in life_events(stage, name, mum, as_of, born):
        Chronology(session).add(child_id, {**event, "sensitive": event["source"] == "Police Scotland"})


@dataclass(frozen=True)
class _Planned:
    """An assessment the demo makes, and what it is to become."""

    target: str  # "draft", "submitted", "returned", "approved" or "superseded"
    assessment_id: str
    author: str
    form: FormDefinition
    child_id: str
    voice: tuple[str, str, str]  # name, stage, mother
    as_of: dt.date


PLAN_WEEKS_AGO = 4  # an approved child's plan was made this long before its first core group review
CPPM_DAYS_AGO = 18  # the CPPM that registered the child, within 15 working days of that first core group


def _populate(path: Path, practitioners: list[DemoLogin], lead: DemoLogin, count: int, rng: random.Random,
              today: dt.date) -> None:
    """Children and assessments in every state, in phases so each user unlocks only a few times; the children
    with an approved child's plan then have a core group review that starts from it."""
    catalog = default_catalog()
    forms = [catalog.get("neglect-assessment"), catalog.get("girfec-wellbeing")]
    states = ["draft", "submitted", "returned", "approved", "superseded", "none"]
    to_review: list[_Planned] = []
    for login in practitioners:
        share = count // len(practitioners) + (count % len(practitioners) if login is practitioners[0] else 0)
        with Session.unlock(path, login.username, login.password) as session:
            added = session.children.add_many(list(_records(share, rng, today)))
            for index, child in enumerate(added[:ASSESSED_PER_PRACTITIONER]):
                target, form = states[index % len(states)], forms[index % 2]
                if target == "none":
                    continue
                name, stage, mum = voice = _voice(child.record, today)
                # a plan that has been approved was made some weeks before its first review
                as_of = today - dt.timedelta(weeks=PLAN_WEEKS_AGO) if target == "approved" else today
                _note_life_events(session, child.id, stage, name, mum, as_of, child.record.date_of_birth)
                answers = sample_answers(form, rng, name, as_of, complete=target != "draft", stage=stage, mum=mum,
                                         born=child.record.date_of_birth,
                                         concern="high" if target == "approved" else None)
                assessment = Casework.of(session).new(child.id, form.id, form.version, answers)
                if target != "draft" and not validate_submission(form, answers):
                    Casework.of(session).submit(assessment.id)
                    to_review.append(_Planned(target, assessment.id, login.username, form, child.id, voice, as_of))
    corrections: list[tuple[str, str]] = []  # (correction id, author)
    with Session.unlock(path, lead.username, lead.password) as review:
        for planned in to_review:
            if planned.target == "returned":
                Casework.of(review).return_for_changes(
                    planned.assessment_id, "Please say more about how the child's views were gathered, and who "
                                           "else was spoken to.", section_id=planned.form.sections[-2].id)
            elif planned.target in ("approved", "superseded"):
                Casework.of(review).approve(planned.assessment_id, lead.password)
                if planned.target == "superseded":
                    correction = Casework.of(review).start_correction(planned.assessment_id)
                    Casework.of(review).reassign(correction.id, planned.author)
                    corrections.append((correction.id, planned.author))
    by_user = {login.username: login for login in practitioners}
    for login in practitioners:
        mine = [cid for cid, author in corrections if author == login.username]
        plans = [p for p in to_review if p.author == login.username and p.target == "approved"
                 and any(f.id == "plan_actions" for _, f in p.form.fields())]
        if mine or plans:
            with Session.unlock(path, login.username, by_user[login.username].password) as session:
                for correction_id in mine:
                    Casework.of(session).submit(correction_id)
                for number, planned in enumerate(plans):
                    _core_group_review(session, planned, rng, today, submit=number % 2 == 0)
    if corrections:
        with Session.unlock(path, lead.username, lead.password) as review:
            for correction_id, _ in corrections:
                Casework.of(review).approve(correction_id, lead.password)


def _core_group_review(session: Session, planned: _Planned, rng: random.Random, today: dt.date,
                       submit: bool) -> None:
    """A core group review started from the child's approved plan (its actions come pre-filled), with progress
    on each action; the child's record then shows the meeting held and the next one, after the registration
    that the plan's CPPM made."""
    form = default_catalog().get("core-group-review")
    name, stage, mum = planned.voice
    child = session.children.get(planned.child_id)
    review = Casework.of(session).new(planned.child_id, form.id)  # the plan's actions, pre-filled by the core
    answers = sample_answers(form, rng, name, today, stage=stage, mum=mum, born=child.record.date_of_birth)
    answers["meeting_date"] = today.isoformat()  # held after the plan was approved
    answers["next_core_group"] = (today + dt.timedelta(days=42)).isoformat()
    answers["action_progress"] = progress_on(review.answers.get("action_progress", []), stage, name, mum)
    Casework.of(session).save_draft(review.id, answers)
    if submit:
        Casework.of(session).submit(review.id)
    record = child.record.model_dump(mode="json")
    if not child.record.protection.registered:
        areas = [area for area in PROPOSED_AREAS[stage] if area in register_categories()] or ["neglect"]
        registered = today - dt.timedelta(days=CPPM_DAYS_AGO)  # after the assessment, within 28 days of the concern
        record.update(protection={"registered": True, "registered_on": registered.isoformat(),
                                  "areas_of_concern": areas},
                      concern_date=(planned.as_of - dt.timedelta(days=14)).isoformat(),
                      last_cppm=registered.isoformat(),
                      next_cppm=(registered + dt.timedelta(days=182)).isoformat())
    record.update(last_core_group=today.isoformat(), next_core_group=answers["next_core_group"])
    session.children.update(planned.child_id, record)
