"""The child's record (DESIGN §4): who the child is, their household, the agencies involved, their CP status."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from cpassess.chi import ChiError, check_chi
from cpassess.forms._yaml import read_yaml
from cpassess.forms.text import NARRATIVE, ONE_LINE, character_problem, shown_on_one_line
from cpassess.resources import resource_path
from cpassess.search import child_key

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=ONE_LINE)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=ONE_LINE)]
Text = Annotated[str, StringConstraints(max_length=2000, pattern=NARRATIVE)]


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("must be a real date written as YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]

EARLIEST_BIRTH = dt.date(1900, 1, 1)
# An unborn child's record starts in pregnancy and is kept up to date at the birth: a due date within the next
# ten months, or at most four weeks past (a late birth, a record not yet changed), is one a practitioner can mean.
DELIVERY_MONTHS_AHEAD = 10
DELIVERY_WEEKS_PAST = 4


def _not_before_1900(value: dt.date) -> dt.date:
    if value < EARLIEST_BIRTH:
        raise ValueError(f"{value.isoformat()} is before {EARLIEST_BIRTH.isoformat()}: check the year")
    return value


def _not_in_the_future(value: dt.date) -> dt.date:
    if value > dt.date.today():
        raise ValueError(f"{value.isoformat()} is in the future")
    return value


BirthDate = Annotated[IsoDate, AfterValidator(_not_before_1900)]
PastBirthDate = Annotated[BirthDate, AfterValidator(_not_in_the_future)]


@functools.cache
def register_categories() -> dict[str, str]:
    """The areas of concern of the Child Protection Register (DESIGN §4.2), id -> label, from resources."""
    entries = read_yaml(resource_path("resources", "register-categories.yaml").read_text(encoding="utf-8"))
    return {str(entry["id"]): str(entry["label"]) for entry in entries}


def _known_categories(values: list[str]) -> list[str]:
    known = register_categories()
    unknown = [value for value in values if value not in known]
    if unknown:
        raise ValueError(f"unknown area of concern {', '.join(map(repr, unknown))}; "
                         f"known: {', '.join(known)}")
    if len(set(values)) != len(values):
        raise ValueError("lists the same area of concern twice")
    return values


def _valid_chi(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return check_chi(value).chi
    except ChiError as error:
        raise ValueError(str(error)) from None


class _Record(BaseModel):
    # strict: "yes" is not true and 42 is not "42"; a record holds exactly the types it declares
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class HouseholdMember(_Record):
    name: Name
    relationship: Line = ""
    date_of_birth: PastBirthDate | None = None
    parental_responsibility: bool | None = None


class Agency(_Record):
    agency: Name
    worker: Line = ""
    contact: Line = ""


class ProtectionStatus(_Record):
    registered: bool = False
    registered_on: IsoDate | None = None
    areas_of_concern: Annotated[list[str], AfterValidator(_known_categories)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _registration_has_a_date(self) -> ProtectionStatus:
        if not self.registered and (self.registered_on or self.areas_of_concern):
            raise ValueError("a registration date and areas of concern are only for a registered child")
        if self.registered and (self.registered_on is None or not self.areas_of_concern):
            raise ValueError("a registered child needs the date of registration and at least one area of concern")
        return self


Sex = Literal["female", "male", "other", "not_known"]


class ChildRecord(_Record):
    """What we hold about a child. Exactly one of date_of_birth and expected_date_of_delivery (unborn)."""

    given_names: Name
    family_name: Name
    known_as: Line = ""
    date_of_birth: BirthDate | None = None
    expected_date_of_delivery: IsoDate | None = None
    sex: Sex | None = None
    chi: Annotated[str | None, AfterValidator(_valid_chi)] = None
    address: Text = ""
    school: Line = ""
    named_person: Line = ""
    lead_professional: Line = ""
    household: list[HouseholdMember] = Field(default_factory=list, max_length=50)
    agencies: list[Agency] = Field(default_factory=list, max_length=50)
    protection: ProtectionStatus = Field(default_factory=ProtectionStatus)
    next_cppm: IsoDate | None = None
    next_core_group: IsoDate | None = None
    concern_date: IsoDate | None = None  # the concern / IRD that started child protection work (timescales)
    last_cppm: IsoDate | None = None
    last_core_group: IsoDate | None = None

    @model_validator(mode="after")
    def _one_date(self) -> ChildRecord:
        if (self.date_of_birth is None) == (self.expected_date_of_delivery is None):
            raise ValueError("give either date_of_birth or, for an unborn child, expected_date_of_delivery")
        if self.date_of_birth and self.date_of_birth > dt.date.today():
            raise ValueError("the date of birth is in the future (for an unborn child use expected_date_of_delivery)")
        return self

    @property
    def unborn(self) -> bool:
        return self.date_of_birth is None

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    def warnings(self) -> list[str]:
        """Things worth checking that never block saving (CHI against date of birth and sex)."""
        if not self.chi:
            return []
        check = check_chi(self.chi, self.date_of_birth)
        found = list(check.warnings)
        if self.sex in ("female", "male") and check.sex_digit_is_male != (self.sex == "male"):
            found.append(f"The CHI number's ninth digit is for a {'male' if check.sex_digit_is_male else 'female'} "
                         f"child, but the record says {self.sex}: please check.")
        return found

    def search_text(self) -> str:
        """What search-as-you-type matches (the `search` column): names, known-as and CHI, folded for accents,
        case and punctuation (`cpassess.search`)."""
        return child_key(self.given_names, self.family_name, self.known_as, self.chi)

    def snapshot(self, child_id: str) -> dict[str, Any]:
        """Who the assessment is about, as its record prints them (everything but empty details), frozen into the
        signed content at submission."""
        return {"id": child_id, **self.model_dump(mode="json", exclude_defaults=True)}


class ChildRecordError(ValueError):
    """A child record that was refused; `problems` holds (key path, sentence) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__(shown_on_one_line(
            "; ".join(f"{path}: {message}" if path else message for path, message in problems)))


_MESSAGES = {
    "extra_forbidden": "is not a key of a child record",
    "missing": "is required",
    "bool_type": "must be true or false (without quotes)",
    "string_type": "must be text (in quotes)",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "dict_type": "must be an object",
}


def _problem(item: Any) -> tuple[str, str]:
    path = ".".join(str(part) for part in item["loc"])
    kind = item["type"]
    pattern = str(item.get("ctx", {}).get("pattern", ""))
    if kind == "string_pattern_mismatch" and pattern in (ONE_LINE, NARRATIVE) and isinstance(item["input"], str):
        message = character_problem(item["input"], narrative=pattern == NARRATIVE)
    elif kind == "value_error":
        message = str(item["ctx"]["error"])
    else:
        message = _MESSAGES.get(kind) or str(item["msg"])
    return path, message[:1].lower() + message[1:] if path else message


def _months_after(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _entry_problems(record: ChildRecord, today: dt.date) -> list[tuple[str, str]]:
    """Rules for a record as it is typed or imported now, which a stored record may outgrow (a due date passes)."""
    due = record.expected_date_of_delivery
    if due is None:
        return []
    if due < today - dt.timedelta(weeks=DELIVERY_WEEKS_PAST):
        return [("expected_date_of_delivery", f"{due.isoformat()} is more than {DELIVERY_WEEKS_PAST} weeks ago; "
                 "if the baby has been born, give the date_of_birth instead")]
    if due > _months_after(today, DELIVERY_MONTHS_AHEAD):
        return [("expected_date_of_delivery", f"{due.isoformat()} is more than {DELIVERY_MONTHS_AHEAD} months "
                 "away; check the year")]
    return []


def parse_child(data: Any, *, entry: bool = True, today: dt.date | None = None) -> ChildRecord:
    """Validate a child record from JSON-like data, with every problem named.

    `entry` adds the rules for a record typed now (a due date within the coming months); a record that arrives
    from another laptop was entered there, perhaps weeks ago, and is checked without them.
    """
    if not isinstance(data, dict):
        raise ChildRecordError([("", "a child record must be a JSON object")])
    try:
        record = ChildRecord.model_validate(data)
    except ValidationError as error:
        raise ChildRecordError([_problem(item) for item in error.errors()]) from None
    except RecursionError:
        raise ChildRecordError([("", "the record is nested too deeply")]) from None
    problems = _entry_problems(record, today or dt.date.today()) if entry else []
    if problems:
        raise ChildRecordError(problems)
    return record
