"""The canonical content of an assessment, gathered once from the repositories (DESIGN §7, §9.7).

What an assessment's record says: the form version, the answers that count, the child as they were when it was
submitted, who wrote it and when it was started, and the earlier profiles its change chart compares with. Its
canonical JSON is what the author signs, what the team lead approves, and the `record.json` inside the PDF.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from cpassess.assessments import Assessment
from cpassess.dates import uk_date
from cpassess.forms import FormDefinition, canonical_content, compute
from cpassess.forms.definition import ComputedField
from cpassess.workflow import Status

if TYPE_CHECKING:
    from cpassess.session import Session

DATE_FIELD = "assessment_date"  # the field both shipped forms use for the date the assessment was made


def display_name(session: Session, username: str | None) -> str | None:
    if username is None:
        return None
    user = session.user_named(username)
    return user.display_name if user else username


def _profile_field(form: FormDefinition) -> ComputedField | None:
    return next((field for _, field in form.fields()
                 if isinstance(field, ComputedField) and field.function == "neglect_profile"), None)


HISTORY_LENGTH = 3  # earlier assessments the change chart shows beside this one


def _made(assessment: Assessment) -> tuple[str, str]:
    """When an assessment was made, for ordering: its assessment date (else the day it was started)."""
    return (str(assessment.answers.get(DATE_FIELD) or assessment.created[:10]), assessment.created)


def _label(assessment: Assessment) -> str:
    made = assessment.answers.get(DATE_FIELD)
    return f"assessment of {uk_date(made)}" if made else f"started {uk_date(assessment.created)}"


def earlier_profiles(session: Session, assessment: Assessment, form: FormDefinition) -> list[dict[str, Any]]:
    """The domain profiles of the child's approved assessments of the same form made before this one, oldest
    first (the last HISTORY_LENGTH), for the change chart.

    Only approved versions count: a correction, once approved, supersedes (and so replaces) the version it
    corrected, and the version this assessment corrects is never compared with it. Order is by the date each
    assessment was made, not when it happened to be approved."""
    if _profile_field(form) is None:
        return []
    candidates = [a for a in session.assessments.find(child_id=assessment.child_id)
                  if a.form_id == assessment.form_id and a.id not in (assessment.id, assessment.supersedes)
                  and a.status == Status.APPROVED and _made(a) < _made(assessment)]
    history = []
    for earlier in sorted(candidates, key=_made)[-HISTORY_LENGTH:]:
        earlier_form = session.assessments.form_of(earlier)
        field = _profile_field(earlier_form)
        if field is None:
            continue
        profile = compute(earlier_form, field, earlier.answers)
        history.append({"assessment_id": earlier.id, "label": _label(earlier),
                        "profile": [dataclasses.asdict(domain) for domain in profile]})
    return history


def assessment_content(session: Session, assessment: Assessment) -> dict[str, Any]:
    """The canonical content of `assessment` as it stands now, from the child's current record."""
    form = session.assessments.form_of(assessment)
    child = session.children.get(assessment.child_id)
    about: dict[str, Any] = {
        "assessment_id": assessment.id,
        "author": {"username": assessment.author, "name": display_name(session, assessment.author)},
        "started": assessment.created,
    }
    if assessment.supersedes:
        about["corrects"] = assessment.supersedes
    earlier = earlier_profiles(session, assessment, form)
    if earlier:
        about["earlier"] = earlier
    return canonical_content(form, assessment.answers, child.record.snapshot(child.id), about)
