"""Answers a practitioner would give to any form, for a synthetic child at a stage of life (DESIGN §14).

Each answer fits its question: the questions of the version 2 forms and the core group review have their own words
(`demo_answers`), chosen for the child's stage and one level of concern per assessment, so the recommendation, the
risk of significant harm and the grades agree with each other and no warning fires by accident.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cpassess.demo_answers import (
    HARM_REASONS,
    HERITAGE,
    LANGUAGES,
    MUST_CHANGE,
    PARENTING_PRESSURES,
    PARTNER,
    PROFESSIONALS,
    PROGRESS,
    PROPOSED_AREAS,
    RATIONALE,
    RISKS,
    SIBLINGS,
    SOURCES_OF_INFORMATION,
    TEXT,
    VIEWS_GATHERED,
    VISITS,
)
from cpassess.demo_ratings import GRADES, INDICATORS, NOT_YET_GRADED
from cpassess.demo_words import (
    AGENCIES,
    FACTORS,
    FAMILY,
    GIVEN,
    NOTES,
    PLANS,
    RELATIONS,
    ROLES,
    SENTENCES,
    SOURCES,
    VIEWS,
)
from cpassess.forms import FormDefinition, Visibility
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

NOT_APPLICABLE, NOT_KNOWN = "Does not apply at present", "Not yet known: to be discussed with the family"
BOYS = ["Callum", "Lewis", "Ruaridh", "Finlay", "Kyle", "Łukasz", "Oskar", "Murdo", "Kacper", "Yusuf", "Archie"]
GIRLS = ["Ava", "Isla", "Skye", "Eilidh", "Morven", "Zoë", "Zuzanna", "Aoife", "Mhairi", "Niamh", "Iona", "Maja"]
CONCERN_BY_STAGE = {"unborn": ["moderate", "high"], "baby": ["low", "moderate", "moderate"],
                    "child": ["moderate", "moderate", "high"], "teen": ["moderate", "high", "high"]}
GRADES_BY_CONCERN = {"low": [1, 1, 2, 2, 3], "moderate": [2, 2, 3, 3, 4], "high": [3, 4, 4, 5]}
RECOMMENDATION_BY_CONCERN = {"low": ["universal_services", "childs_plan"], "moderate": ["childs_plan", "ird"],
                             "high": ["cppm", "cppm", "ird"]}
HARM_BY_CONCERN = {"low": ["no"], "moderate": ["no", "not_yet_clear"], "high": ["yes", "yes", "not_yet_clear"]}
CAPACITY_BY_CONCERN = {"low": ["clearly_shown", "partly_shown"], "moderate": ["partly_shown", "clearly_shown"],
                       "high": ["partly_shown", "not_shown"]}


def narrative(rng: random.Random, name: str, sentences: int, stage: str = "child", mum: str = "Mum") -> str:
    """A few paragraphs of believable practice writing about a (synthetic) child at `stage` of life; `mum` is
    who the narratives of an unborn baby speak of."""
    bank = SENTENCES[stage]
    picked = [rng.choice(bank) if n >= len(bank) else sentence
              for n, sentence in enumerate(rng.sample(bank, len(bank)) * (sentences // len(bank) + 1))][:sentences]
    paragraphs = [" ".join(s.format(name=name, mum=mum, weeks=28) for s in picked[i:i + 3])
                  for i in range(0, len(picked), 3)]
    return "\n\n".join(paragraphs)


def typical_birth(stage: str, today: dt.date) -> dt.date | None:
    """A date of birth for a child at `stage` when none is known (None before birth)."""
    days = {"unborn": None, "baby": 200, "child": 8 * 365, "teen": 14 * 365}[stage]
    return None if days is None else today - dt.timedelta(days=days)


def life_events(stage: str, name: str, mum: str, today: dt.date, born: dt.date | None = None) -> list[dict[str, str]]:
    """Significant events of this child's life up to `today`, never before their birth (an unborn baby's are
    their family's), in the order a practitioner might note them (not by date)."""
    born = born or typical_birth(stage, today)

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    match stage:
        case "unborn":
            events = [(ago(6 * 365), "{mum}'s first child was placed with his gran under a compulsory supervision "
                                     "order.", "Social work file",
                       "Part of the history the plan for this baby has to take into account."),
                      (ago(84), "{mum} booked in with the midwife at 16 weeks and spoke openly about past alcohol "
                                "use.", "Midwife", "The baby's health may have been affected early in the pregnancy."),
                      (ago(20), "Pre-birth referral to social work from the midwife.", "Midwife",
                       "This assessment began.")]
        case "baby":
            assert born is not None
            events = [(ago(12), "Police attended after neighbours heard shouting; {name} was asleep.",
                       "Police Scotland", "{name} was not hurt; the adults were arguing in the next room."),
                      (born, "{name} was born at 38 weeks, healthy, weighing 3.1 kg.", "Health visitor",
                       "A good start; mum and {name} went home after one night."),
                      (born + (ago(12) - born) / 2, "{name} was taken to A&E with a high temperature; treated and "
                                                    "sent home.", "GP practice",
                       "Mum responded quickly and followed the advice given.")]
        case "child":
            assert born is not None
            started = min(max(born + dt.timedelta(days=5 * 365 + 20), ago(400)), ago(45))
            events = [(started, "{name} started at a new school after the family's third move in eighteen months.",
                       "School records", "{name} lost touch with friends and was unsettled for a term."),
                      (ago(30), "The school raised a concern: {name} arrived hungry and without a coat on a cold day.",
                       "Named person", "{name} was tired and could not concentrate."),
                      (ago(120), "Mum's partner moved out after an incident the police attended.", "Police Scotland",
                       "{name} says the house is calmer now but misses him.")]
        case _:
            events = [(ago(15), "{name} was reported missing overnight and found the next morning at a friend's "
                                "flat.", "Police Scotland", "{name} was frightened and agreed to talk to the social "
                                                            "worker."),
                      (ago(300), "{name}'s gran, who was their main support, died.", "Mum",
                       "{name} stopped going to football for a while and their attendance fell."),
                      (ago(60), "{name} told the guidance teacher about messages from an older man online.",
                       "Guidance teacher", "The police were informed; {name} felt listened to.")]
    return [{"date": day.isoformat(), "event": event.format(name=name, mum=mum), "source": source,
             "impact": impact.format(name=name, mum=mum)} for day, event, source, impact in events]


def sample_answers(form: FormDefinition, rng: random.Random, name: str, today: dt.date,
                   complete: bool = True, *, stage: str = "child", mum: str = "Mum",
                   born: dt.date | None = None, concern: str | None = None) -> dict[str, Any]:
    """Answers to every question a practitioner would fill in (or about half of them for an early draft), in
    words that fit a child at `stage` of life ("unborn", "baby", "child", "teen"), as of `today`, at one level of
    concern ("low", "moderate", "high"; drawn for the stage if not given). Questions the answers hide are left
    unanswered."""
    writer = _Writer(form, rng, name, today, stage, mum, born or typical_birth(stage, today))
    if concern is not None:
        writer.concern = concern
    for _, question in form.fields():
        if isinstance(question, ComputedField) or (not complete and rng.random() < 0.5):
            continue
        value = writer.value(question)
        if value is not None:
            writer.answers[question.id] = value
    writer.agree()
    answers = Visibility(form, _satisfy_conditions(form, writer.answers)).visible_answers()
    sources = answers.get("information_sources")
    if isinstance(sources, list) and "child_seen_alone" in sources and answers.get("child_seen_alone") != "yes":
        sources.remove("child_seen_alone")  # a source only if the child was seen alone (the form warns otherwise)
        if not sources:
            del answers["information_sources"]
    return answers


def progress_on(rows: Sequence[Mapping[str, Any]], stage: str, name: str, mum: str) -> list[dict[str, Any]]:
    """The actions of a child's plan (as a core group review starts with them) with progress on each."""
    updates = PROGRESS[stage]
    done = []
    for number, row in enumerate(rows):
        progress, notes = updates[number] if number < len(updates) else ("partly", "Under way; reviewed at the "
                                                                                    "next core group.")
        done.append({**row, "progress": progress, "progress_notes": notes.format(name=name, mum=mum)})
    return done


@dataclass
class _Writer:
    form: FormDefinition
    rng: random.Random
    name: str
    today: dt.date
    stage: str
    mum: str
    born: dt.date | None
    answers: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.family = self.mum.split()[-1] if self.mum.startswith("Ms ") else self.rng.choice(FAMILY)
        self.language = LANGUAGES.get(self.family, "English")
        self.concern = self.rng.choice(CONCERN_BY_STAGE[self.stage])
        self.when = self.today - dt.timedelta(days=self.rng.randint(1, 9))  # the assessment or meeting date
        self.reviewing = self.form.id == "core-group-review"

    def text(self, template: str) -> str:
        return template.format(name=self.name, mum=self.mum, language=self.language,
                               heritage=HERITAGE.get(self.language, "Scottish"), weeks=28)

    def person(self) -> str:
        return f"{self.rng.choice(GIVEN)} {self.rng.choice(FAMILY)}"

    def days(self, offset: int, since: dt.date | None = None) -> str:
        return ((since or self.when) + dt.timedelta(days=offset)).isoformat()

    def _answer(self, key: str) -> Any:
        return self.answers.get(key)

    def short_text(self, question: TextField) -> str:
        """A one-line answer that fits the question: a name where it asks for a person, else a phrase."""
        key = question.id
        if key in ("name", "responsible_person"):
            value = self.person()
        elif key == "lead_professional":
            value = f"{self.person()}, social worker"
        elif key == "carers_language":
            value = self.language if self.language == "English" else \
                self.text("{language}; {mum} prefers {language} for meetings and letters")
        elif key == "agency":
            value = self.rng.choice([a for a in AGENCIES if a != "Primary school"] + ["Midwifery"]
                                    if self.stage in ("unborn", "baby") else AGENCIES)
        elif key == "role":
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
        return value[: question.max_length]

    def long_text(self, question: LongTextField) -> str | None:
        key = {"not_seen_alone_reason": "not_seen_alone_reason", "child_not_seen_alone_reason": "not_seen_alone_reason",
               "child_views_not_gathered_reason": "child_views_not_obtained_reason", "carer_views": "carers_views",
               "needs_and_risks": "practitioner_analysis",
               "strengths": "cgr_strengths" if self.reviewing else "strengths"}.get(question.id, question.id)
        indicator = INDICATORS[self.stage].get(question.id.removesuffix("_evidence"))
        if question.id == "child_views":
            words = VIEWS[self.stage]
        elif question.id.endswith("_evidence") and indicator:
            words = indicator[1]
        elif question.id == "significant_harm_reasons":
            words = HARM_REASONS[self._answer("significant_harm") or "not_yet_clear"]
        elif question.id == "recommendation_rationale":
            words = RATIONALE[self._answer("recommendation") or "childs_plan"]
        elif question.id == "recommendation_reasons":
            words = TEXT[key][self._answer("recommendation") or "stay_registered"]
        elif key in TEXT:
            found = TEXT[key].get(self.stage)
            if found is None:
                return None  # a question this child's story leaves unanswered
            words = found
        else:
            return narrative(self.rng, self.name, self.rng.randint(3, 7), self.stage, self.mum)[: question.max_length]
        return self.text(words)[: question.max_length]

    def choice(self, question: Any) -> Any:
        key = question.id
        ids = [option.id for option in options_of(question, self.form) or ()]
        picked: Any
        match key:
            case "child_seen":
                picked = "no" if self.stage == "unborn" else "yes" if self.rng.random() < 0.85 else "no"
            case "child_seen_alone":
                picked = "no" if self.stage == "baby" else "yes" if self.rng.random() < 0.85 else "no"
            case "child_views_obtained" | "child_views_gathered":
                picked = "no" if self.stage in ("unborn", "baby") else "yes"
            case "interpreter_needed":
                picked = "no" if self.language == "English" else "yes"
            case "interpreter_used":
                picked = "not_yet" if self.rng.random() < 0.1 else self.rng.choice(["in_person", "remote"])
            case "overall_concern":
                picked = self.concern
            case "significant_harm":
                picked = self.rng.choice(HARM_BY_CONCERN[self.concern])
            case "recommendation" if self.reviewing:  # as the progress on the plan and the new concerns show
                seen = self._answer("child_seen") == "yes"
                picked = {"teen": "earlier_review",
                          "child": self.rng.choice(["stay_registered", "remove_from_register"]) if seen
                          else "stay_registered"}.get(self.stage, "stay_registered")
            case "recommendation":
                picked = self.rng.choice(RECOMMENDATION_BY_CONCERN[self.concern])
            case "reporter_referral":
                picked = "not_needed" if self.stage == "unborn" or self.concern != "high" else \
                    self.rng.choice(["recommended", "not_needed"])
            case "plan_type":
                picked = "child_protection_plan" if self._answer("recommendation") == "cppm" else "childs_plan"
            case "assessment_reason" | "reason":  # why this assessment now: never a review of a plan not yet made
                picked = self.rng.choice([i for i in ("initial_concern", "before_cppm", "named_person_concern",
                                                      "request_for_assistance", "child_protection_concern")
                                          if i in ids])
            case "family_seen_report":
                picked = "seen_with_time" if self.rng.random() < 0.8 else self.rng.choice(["seen_late", "not_seen"])
            case _ if isinstance(question, RatingField) and key in INDICATORS[self.stage]:
                picked = INDICATORS[self.stage][key][0]
            case _:
                picked = self.rng.choice([i for i in ids if i != "other"] or ids[:1])
        return picked if picked in ids else self.rng.choice(ids)

    def multi_choice(self, question: MultiChoiceField) -> list[str] | None:
        ids = [option.id for option in question.options]
        chosen = {"information_sources": SOURCES_OF_INFORMATION, "parenting_pressures": PARENTING_PRESSURES,
                  "child_views_gathered": VIEWS_GATHERED, "proposed_areas_of_concern": PROPOSED_AREAS}.get(question.id)
        if question.id == "protected_characteristics":
            picked = {"child": ["ethnicity"] if self.language != "English" else [],
                      "teen": ["young_carer"]}.get(self.stage, [])
        elif chosen is not None:
            picked = chosen.get(self.stage, [])
        else:
            pool = [i for i in ids if i != "other"] or ids[:1]
            picked = self.rng.sample(pool, k=min(len(pool), self.rng.randint(1, 3)))
        return [item for item in picked if item in ids] or None

    def grade(self, question: GradeField) -> dict[str, Any]:
        item = question.id
        if item in NOT_YET_GRADED.get(self.stage, ()):
            return {"grade": None, "evidence": self.text(NOT_YET_GRADED[self.stage][item])}
        grade = self.rng.choice(GRADES_BY_CONCERN[self.concern])
        good, worry = GRADES[item].get(self.stage, GRADES[item]["any"])
        return {"grade": grade, "evidence": self.text(good if grade <= 2 else worry)}

    def date_answer(self, question: DateField) -> str:
        match question.id:
            case "assessment_date" | "meeting_date":
                return self.when.isoformat()
            case "review_date":
                return self.days(91)
            case "next_core_group":
                return self.days(42)
        return (self.today - dt.timedelta(days=self.rng.randint(1, 60))).isoformat()

    def value(self, question: Any) -> Any:
        rng = self.rng
        match question:
            case TextField():
                return self.short_text(question)
            case LongTextField():
                return self.long_text(question)
            case DateField():
                return self.date_answer(question)
            case NumberField():
                low = int(question.minimum) if question.minimum is not None else 0
                high = int(question.maximum) if question.maximum is not None else low + 10
                return rng.randint(low, high)
            case ChoiceField() | YesNoUnknownField() | RatingField():
                return self.choice(question)
            case MultiChoiceField():
                return self.multi_choice(question)
            case GradeField():
                return self.grade(question)
            case ResilienceMatrixField():
                resilience, vulnerability, protective, adversity = FACTORS[self.stage]
                placed = {"unborn": (0, 0), "baby": (3, 2), "child": (3, -2), "teen": (-2, -2)}[self.stage]
                return {"resilience": placed[0], "environment": placed[1] + rng.randint(-1, 1),
                        "resilience_factors": resilience[:FACTOR_MAX_ITEMS],
                        "vulnerability_factors": vulnerability, "protective_factors": protective,
                        "adversity_factors": adversity}
            case RepeatField():
                rows = self.rows(question)
                if question.row_sensitivity:  # some rows kept out of the family copy
                    for row in rows:
                        row[ROW_SENSITIVE] = row.get("source") == "Police Scotland" or (
                            "source" not in row and rng.random() < 0.3)
                return rows or None
        raise TypeError(f"no sample for {type(question).__name__}")

    def rows(self, question: RepeatField) -> list[dict[str, Any]]:
        columns = [column.id for column in question.fields]

        def fit(row: dict[str, Any]) -> dict[str, Any]:  # every column, as the editor and the core keep a row
            return {column: row.get(column) for column in columns}

        stage, text = self.stage, self.text
        match question.id:
            case "plan_actions":
                return [fit(row) for row in self.plan()]
            case "chronology_events":
                return [fit({"event_date": event["date"], "event": event["event"], "source": event["source"],
                             "impact": event["impact"]})
                        for event in life_events(stage, self.name, self.mum, self.when, self.born)]
            case "visits":
                return [fit({"visit_date": self.days(-days), "place": place, "announced": announced,
                             "sleeping_space_seen": seen, "who_was_seen": text(who), "observations": text(saw)})
                        for days, place, announced, seen, who, saw in VISITS[stage]]
            case "siblings":
                return [fit({"name": f"{self.rng.choice(BOYS if 'brother' in relationship.lower() else GIRLS)} "
                                     f"{self.family}",
                             "date_of_birth": (self.today - dt.timedelta(days=years * 365 + self.rng.randint(0, 200)))
                             .isoformat(), "lives_with_child": lives, "relationship": relationship})
                        for years, lives, relationship in SIBLINGS[stage]]
            case "carer_capacity":
                carers = [self.mum, *([text(PARTNER[stage])] if stage in PARTNER else [])]
                ratings = CAPACITY_BY_CONCERN[self.concern]
                return [fit({"carer": carer, "recognition": self.rng.choice(ratings),
                             "engagement": self.rng.choice(ratings), "response_to_past_help": self.rng.choice(ratings),
                             "must_change": text(change), "by_when": self.days(7 * (8 + 4 * number))})
                        for number, (carer, change) in enumerate(zip(carers, MUST_CHANGE[stage], strict=False))]
            case "risks_and_protection":
                return [fit({"risk": text(risk), "protective_factors": text(protects), "likelihood": likelihood})
                        for risk, protects, likelihood in RISKS[stage]]
            case "carers_present":
                present = [{"name": self.mum, "relationship": "Mother", "parental_responsibility": "yes"}]
                if stage in PARTNER:
                    present.append({"name": f"{self.rng.choice(BOYS)} {self.family}" if stage == "baby" else
                                    self.person(), "relationship": "Partner" if stage == "unborn" else
                                    "Father", "parental_responsibility": "no" if stage == "unborn" else "yes"})
                return [fit(row) for row in present]
            case "contributors" | "attendees":
                people = [{"name": self.person(), "agency": agency, "role": role}
                          for agency, role in PROFESSIONALS[stage]]
                family = {"name": self.mum, "agency": "Mother", "role": "Parent"}
                return [fit(row) for row in [*people, family]]
            case "action_progress":
                plan = [{key: row[key] for key in ("indicator", "need", "action", "responsible_person", "by_when")}
                        for row in self.plan()]
                return [fit(row) for row in progress_on(plan, stage, self.name, self.mum)]
        return [{column.id: self.value(column) for column in question.fields}
                for _ in range(max(question.min_items, self.rng.randint(1, 3)))]

    def plan(self) -> list[dict[str, Any]]:
        columns = ("indicator", "need", "action", "outcome", "responsible_person", "progress_measure")
        rows = []
        for number, action in enumerate(PLANS[self.stage]):
            row = {key: self.text(value) for key, value in zip(columns, action, strict=True)}
            row["by_when"] = self.days(42 * (number + 1), since=self.today)
            rows.append(row)
        return rows

    def agree(self) -> None:
        """Make answers that depend on each other agree, once all are written: a note says what its rating means
        for this child (not a stray name)."""
        answers = self.answers
        for _, question in self.form.fields():
            note = f"{question.id}_note"
            if isinstance(question, RatingField) and note in answers and question.id in answers:
                if (self.stage in ("unborn", "baby") and "school" in question.id) or (
                        self.stage == "unborn" and question.id.startswith("grow_") and question.id != "grow_healthy"):
                    answers[question.id] = "not_applicable"  # no school yet, nothing to grow into before birth
                if self.stage == "unborn" and question.id.startswith("care_") and question.id != "care_keeping_safe":
                    answers[question.id] = "not_applicable"  # the care a baby will need is in the plan, not here
                level = answers[question.id]
                tone = next((found.tone for found in self.form.scale(question.scale).levels if found.id == level),
                            "unknown")
                answers[note] = NOT_APPLICABLE if level == "not_applicable" else NOT_KNOWN if tone == "unknown" \
                    else self.rng.choice(NOTES.get(tone, NOTES["unknown"]))


def _satisfy_conditions(form: FormDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """Dates in order (a review date after the assessment date) so a complete sample can be submitted."""
    for _, question in form.fields():
        if isinstance(question, DateField) and question.not_before and question.id in answers \
                and question.not_before in answers:
            answers[question.id] = max(answers[question.id], answers[question.not_before])
        if isinstance(question, RepeatField):
            for row in answers.get(question.id, []):
                for column in question.fields:
                    if isinstance(column, DateField) and column.not_before in answers and column.id in row:
                        row[column.id] = max(row[column.id], answers[column.not_before])
    return answers
