"""Demo data that reads like casework about the child it is for (issue 13)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest

from cpassess.demo import GIVEN, sample_answers
from cpassess.forms import default_catalog, validate_submission

NOT_FOR = {"unborn": ("school", "football", "was seen at home", "nappy"), "baby": ("school", "football", "online"),
           "child": ("pregnant", "nappy", "online"), "teen": ("pregnant", "nappy", "Moses basket")}


def words_of(value: Any) -> Iterator[str]:
    """Every phrase a practitioner would have typed (option ids, one word each, aside)."""
    if isinstance(value, str):
        if " " in value:
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from words_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from words_of(item)


@pytest.mark.parametrize("form_id", ["girfec-wellbeing", "neglect-assessment"])
@pytest.mark.parametrize("stage", list(NOT_FOR))
def test_sample_answers_fit_the_childs_stage_of_life_and_can_be_submitted(form_id: str, stage: str) -> None:
    form = default_catalog().get(form_id)
    for seed in range(5):
        answers = sample_answers(form, random.Random(seed), "the baby" if stage == "unborn" else "Ava",
                                 dt.date(2026, 11, 20), stage=stage, mum="Ms Nowak")
        text = " ".join(words_of(answers))

        assert validate_submission(form, answers, dt.date(2026, 11, 20)) == []
        for wrong in NOT_FOR[stage]:
            assert wrong not in text, (stage, wrong)
        # a note says what its rating means, never a stray person's name
        notes = [value for key, value in answers.items() if key.endswith("_note")]
        assert all(note.split()[0] not in GIVEN for note in notes)


def test_the_plan_and_chronology_are_about_the_child() -> None:
    form = default_catalog().get("girfec-wellbeing")
    answers = sample_answers(form, random.Random(1), "Ava", dt.date(2026, 11, 20), stage="child")

    assert [row["indicator"] for row in answers["plan_actions"]] == ["healthy", "achieving", "safe"]
    assert all("Ava" in row["need"] for row in answers["plan_actions"][:2])
    assert all(row["event_date"] < "2026-11-20" for row in answers["chronology_events"])
