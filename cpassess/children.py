"""The child's record (DESIGN §4): who the child is, their household, the agencies involved, their CP status."""

from __future__ import annotations

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
from cpassess.forms.answers import NARRATIVE, ONE_LINE
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
    model_config = ConfigDict(frozen=True, extra="forbid")


class HouseholdMember(_Record):
    name: Name
    relationship: Line = ""
    date_of_birth: IsoDate | None = None
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
    date_of_birth: IsoDate | None = None
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
        """Who the assessment is about, frozen into the signed content at submission."""
        snapshot: dict[str, Any] = {"id": child_id, "given_names": self.given_names,
                                    "family_name": self.family_name}
        for key in ("known_as", "chi", "sex"):
            if getattr(self, key):
                snapshot[key] = getattr(self, key)
        if self.date_of_birth:
            snapshot["date_of_birth"] = self.date_of_birth.isoformat()
        if self.expected_date_of_delivery:
            snapshot["expected_date_of_delivery"] = self.expected_date_of_delivery.isoformat()
        return snapshot


class ChildRecordError(ValueError):
    """A child record that was refused; `problems` holds (key path, sentence) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" if path else message for path, message in problems))


def parse_child(data: Any) -> ChildRecord:
    """Validate a child record from JSON-like data, with every problem named."""
    if not isinstance(data, dict):
        raise ChildRecordError([("", "a child record must be a JSON object")])
    try:
        return ChildRecord.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            path = ".".join(str(part) for part in item["loc"])
            message = ("is not a key of a child record" if item["type"] == "extra_forbidden" else
                       "is required" if item["type"] == "missing" else
                       str(item["ctx"]["error"]) if item["type"] == "value_error" else str(item["msg"]))
            problems.append((path, message[:1].lower() + message[1:] if path else message))
        raise ChildRecordError(problems) from None
