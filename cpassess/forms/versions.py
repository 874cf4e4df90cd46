"""Moving a draft to a newer version of its form: answers matched by field id, with what was dropped and added."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cpassess.forms.answers import AnswersError, validate_draft
from cpassess.forms.definition import FIELD_KINDS, ComputedField, FormDefinition


@dataclass(frozen=True)
class DroppedAnswer:
    field_id: str
    label: str
    reason: str


@dataclass(frozen=True)
class NewField:
    field_id: str
    label: str
    section_title: str


@dataclass(frozen=True)
class Migration:
    """The result of moving answers to `target`; nothing is applied until the caller stores `answers`."""

    target: FormDefinition
    answers: dict[str, Any]
    dropped: list[DroppedAnswer] = field(default_factory=list)
    new_fields: list[NewField] = field(default_factory=list)
    source_version: int = 0

    def summary(self) -> str:
        """One sentence: from which version to which, and how many answers are kept, dropped and new."""
        return (f"Moving from {self.target.id} version {self.source_version} to version {self.target.version}: "
                f"{len(self.answers)} answer(s) kept, {len(self.dropped)} dropped, "
                f"{len(self.new_fields)} new question(s).")

    def describe(self) -> list[str]:
        """The lines a user reads before deciding (the command line prints them; the app shows the same):
        the summary, every dropped answer with its reason, every new question."""
        return [self.summary(),
                *(f"  dropped  {answer.field_id}: {answer.label} ({answer.reason})" for answer in self.dropped),
                *(f"  new      {new.field_id}: {new.label} (in {new.section_title})" for new in self.new_fields)]


# (old kind, new kind) pairs whose answers can move: the same kind, or a line of text that became a narrative
_CARRIES_OVER = {*((kind, kind) for kind in FIELD_KINDS), ("text", "long_text")}


def migrate_answers(answers: Mapping[str, Any], source: FormDefinition, target: FormDefinition) -> Migration:
    """Carry answers from `source` to `target` where the field id exists and the answer still fits."""
    if source.id != target.id:
        raise ValueError(f"cannot move answers from '{source.id}' to a different form '{target.id}'")
    old_fields = {f.id: f for _, f in source.fields()}
    new_fields = {f.id: f for _, f in target.fields() if not isinstance(f, ComputedField)}
    kept: dict[str, Any] = {}
    dropped: list[DroppedAnswer] = []
    for key, value in answers.items():
        label = old_fields[key].label if key in old_fields else key
        if key not in new_fields:
            dropped.append(DroppedAnswer(key, label, f"version {target.version} no longer asks this question"))
        elif key in old_fields and (old_fields[key].kind, new_fields[key].kind) not in _CARRIES_OVER:
            dropped.append(DroppedAnswer(key, label, "the question now takes a different kind of answer"))
        else:
            try:
                kept.update(validate_draft(target, {key: value}))
            except AnswersError as error:
                reason = "; ".join(problem.message for problem in error.problems)
                dropped.append(DroppedAnswer(key, label, f"the answer no longer fits: {reason}"))
    added = [NewField(f.id, f.label, s.title) for s, f in target.fields()
             if f.id not in old_fields and not isinstance(f, ComputedField)]
    return Migration(target=target, answers=kept, dropped=dropped, new_fields=added, source_version=source.version)
