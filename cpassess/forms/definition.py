"""The form definition format (DESIGN §5): frozen pydantic models, one class per field kind.

A definition is plain data; `cpassess.forms.loader` reads it from YAML and checks the cross-references
that pydantic alone cannot (ids, conditions, scales).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from cpassess.forms._identifiers import FormId, Identifier
from cpassess.forms.conditions import Condition

Label = Annotated[str, Field(min_length=1, max_length=500)]
Prose = Annotated[str, Field(max_length=5000)]


class _Definition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Option(_Definition):
    id: Identifier
    label: Label


Tone = Literal["good", "caution", "concern", "unknown"]


class ScaleLevel(_Definition):
    """One level of a named scale; `tone` drives colours, never the only cue (labels always print)."""

    id: Identifier
    label: Label
    description: Prose = ""
    tone: Tone


class Scale(_Definition):
    id: Identifier
    title: Label
    levels: list[ScaleLevel] = Field(min_length=2, max_length=12)


class _Field(_Definition):
    id: Identifier
    label: Label
    help: Prose = ""
    required: bool = False
    visible_if: Condition | None = None
    required_if: Condition | None = Field(
        default=None, description="required at submission only when this condition holds (top-level fields)")
    sensitive: bool = False


class TextField(_Field):
    kind: Literal["text"]
    max_length: int = Field(default=200, ge=1, le=2000)


class LongTextField(_Field):
    kind: Literal["long_text"]
    max_length: int = Field(default=20000, ge=1, le=200000)


class DateField(_Field):
    kind: Literal["date"]
    not_future: bool = False
    minimum: dt.date | None = None
    maximum: dt.date | None = None
    not_before: Identifier | None = Field(default=None, description="id of another date field this may not precede")


class NumberField(_Field):
    kind: Literal["number"]
    integer: bool = True
    minimum: float | None = None
    maximum: float | None = None
    unit: str = Field(default="", max_length=40)


class ChoiceField(_Field):
    kind: Literal["choice"]
    options: list[Option] = Field(min_length=2, max_length=100)
    display: Literal["auto", "radio", "combo"] = "auto"


class MultiChoiceField(_Field):
    kind: Literal["multi_choice"]
    options: list[Option] = Field(min_length=1, max_length=100)


class YesNoUnknownField(_Field):
    kind: Literal["yes_no_unknown"]


YES_NO_UNKNOWN = (
    Option(id="yes", label="Yes"),
    Option(id="no", label="No"),
    Option(id="unknown", label="Not known"),
)


class GradeField(_Field):
    """A graded item: level 1..5 from a five-level scale, or not known, with this item's own descriptors."""

    kind: Literal["grade"]
    scale: Identifier
    descriptors: list[Annotated[str, Field(min_length=1, max_length=1000)]]
    evidence_required_from: int | None = Field(default=3, ge=1, le=5)
    evidence_label: Label = "Evidence"


class RatingField(_Field):
    kind: Literal["rating"]
    scale: Identifier


class ResilienceMatrixField(_Field):
    kind: Literal["resilience_matrix"]


class ComputedField(_Field):
    """A read-only summary computed in the core by a named function over `sources` (sections or fields)."""

    kind: Literal["computed"]
    function: Identifier
    sources: list[Identifier] = Field(min_length=1)


RepeatColumn = Annotated[
    Annotated[TextField, Tag("text")]
    | Annotated[LongTextField, Tag("long_text")]
    | Annotated[DateField, Tag("date")]
    | Annotated[NumberField, Tag("number")]
    | Annotated[ChoiceField, Tag("choice")]
    | Annotated[MultiChoiceField, Tag("multi_choice")]
    | Annotated[YesNoUnknownField, Tag("yes_no_unknown")]
    | Annotated[RatingField, Tag("rating")],
    Discriminator(
        lambda v: v.get("kind") if isinstance(v, dict) else getattr(v, "kind", None),
        custom_error_type="field_kind",
        custom_error_message=(
            "a column of a repeat needs a 'kind': one of text, long_text, date, number, choice, "
            "multi_choice, yes_no_unknown, rating"
        ),
    ),
]


ROW_SENSITIVE = "sensitive"


CHRONOLOGY_KEYS = ("date", "event", "source", "impact", "sensitive")


class Prefill(_Definition):
    """Rows a new assessment starts with, resolved by the core, each row's `columns` mapped as
    {this column: that column}. `source: last_approved` copies the repeat `field` of the child's last approved
    assessment of `form` (any version); `source: chronology` copies the child's chronology (its keys are
    date, event, source, impact and sensitive)."""

    source: Literal["last_approved", "chronology"] = "last_approved"
    form: FormId | None = None
    field: Identifier | None = None
    columns: dict[Identifier, Identifier] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _source_named(self) -> Prefill:
        if self.source == "last_approved" and (self.form is None or self.field is None):
            raise ValueError("a prefill from the last approved assessment names its form and field")
        if self.source == "chronology":
            unknown = sorted(set(self.columns.values()) - set(CHRONOLOGY_KEYS))
            if unknown:
                raise ValueError(f"the chronology has no {', '.join(unknown)} (it has {', '.join(CHRONOLOGY_KEYS)})")
        return self


class RepeatField(_Field):
    """A list of rows, each an object of the sub-fields in `fields`.

    `row_sensitivity` adds a yes/no column `sensitive` to every row: a row marked so is left out of the family
    copy, as are the columns marked `sensitive`. `prefill` starts a new assessment with rows from an earlier one.
    """

    kind: Literal["repeat"]
    fields: list[RepeatColumn] = Field(min_length=1, max_length=20)
    item_label: Label = "Row"
    min_items: int = Field(default=0, ge=0, le=500)
    max_items: int = Field(default=200, ge=1, le=500)
    row_sensitivity: bool = False
    row_sensitivity_label: Label = "Leave this row out of the family copy"
    prefill: Prefill | None = None

    @model_validator(mode="after")
    def _columns_fit(self) -> RepeatField:
        ids = {column.id for column in self.fields}
        if self.row_sensitivity and ROW_SENSITIVE in ids:
            raise ValueError(f"with row_sensitivity, '{ROW_SENSITIVE}' is the row flag and cannot be a column id")
        if any(column.required_if is not None for column in self.fields):
            raise ValueError("columns of a repeat cannot have required_if")
        if self.prefill is not None:
            unknown = sorted(set(self.prefill.columns) - ids - ({ROW_SENSITIVE} if self.row_sensitivity else set()))
            if unknown:
                raise ValueError(f"prefill names column(s) this repeat does not have: {', '.join(unknown)}")
        return self

    def withheld_columns(self) -> list[RepeatColumn]:
        """The columns left out of the family copy."""
        return [column for column in self.fields if column.sensitive]


FIELD_KINDS = (
    "text",
    "long_text",
    "date",
    "number",
    "choice",
    "multi_choice",
    "yes_no_unknown",
    "grade",
    "rating",
    "repeat",
    "resilience_matrix",
    "computed",
)


def _field_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("kind")
        return kind if isinstance(kind, str) else None
    return getattr(value, "kind", None)


FormField = Annotated[
    Annotated[TextField, Tag("text")]
    | Annotated[LongTextField, Tag("long_text")]
    | Annotated[DateField, Tag("date")]
    | Annotated[NumberField, Tag("number")]
    | Annotated[ChoiceField, Tag("choice")]
    | Annotated[MultiChoiceField, Tag("multi_choice")]
    | Annotated[YesNoUnknownField, Tag("yes_no_unknown")]
    | Annotated[GradeField, Tag("grade")]
    | Annotated[RatingField, Tag("rating")]
    | Annotated[RepeatField, Tag("repeat")]
    | Annotated[ResilienceMatrixField, Tag("resilience_matrix")]
    | Annotated[ComputedField, Tag("computed")],
    Discriminator(
        _field_kind,
        custom_error_type="field_kind",
        custom_error_message="a field needs a 'kind': one of " + ", ".join(FIELD_KINDS),
    ),
]


class Section(_Definition):
    id: Identifier
    title: Label
    guidance: Prose = ""
    fields: list[FormField] = Field(min_length=1, max_length=200)
    visible_if: Condition | None = None


class CrossFieldWarning(_Definition):
    """A combination of answers worth a second look: shown to the author and reviewer, never blocking."""

    id: Identifier
    when: Condition
    message: Annotated[str, Field(min_length=1, max_length=500)]
    fields: list[Identifier] = Field(default_factory=list, max_length=20,
                                     description="the questions the warning is about (for placing it)")


class FormDefinition(_Definition):
    """One published version of one form. Never edited once published: a change is a new version."""

    id: FormId
    version: int = Field(ge=1, le=10000)
    title: Label
    description: Prose = ""
    scales: list[Scale] = Field(default_factory=list, max_length=50)
    sections: list[Section] = Field(min_length=1, max_length=100)
    warnings: list[CrossFieldWarning] = Field(default_factory=list, max_length=100)

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def fields(self) -> Iterator[tuple[Section, FormField]]:
        """Every top-level field with its section, in form order."""
        for section in self.sections:
            for field in section.fields:
                yield section, field

    def field(self, field_id: str) -> FormField:
        for _, field in self.fields():
            if field.id == field_id:
                return field
        raise KeyError(field_id)

    def section_of(self, field_id: str) -> Section:
        for section, field in self.fields():
            if field.id == field_id:
                return section
        raise KeyError(field_id)

    def scale(self, scale_id: str) -> Scale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(scale_id)


def options_of(field: FormField | RepeatColumn, form: FormDefinition) -> tuple[Option, ...] | None:
    """The values a field can take when it is a closed list (choice, multi_choice, yes/no/unknown, rating)."""
    match field:
        case ChoiceField() | MultiChoiceField():
            return tuple(field.options)
        case YesNoUnknownField():
            return YES_NO_UNKNOWN
        case RatingField():
            return tuple(Option(id=level.id, label=level.label) for level in form.scale(field.scale).levels)
    return None
