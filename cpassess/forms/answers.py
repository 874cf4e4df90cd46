"""Answers to a form: the pydantic model built from a definition, and draft validation (types and bounds).

Answers are a JSON object keyed by field id. Draft validation admits exactly what the published answers
JSON Schema admits, so the schema is truthful; everything else (required, dates against today, evidence)
is a submit rule in `cpassess.forms.validation`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    create_model,
    model_serializer,
)

from cpassess.forms.definition import (
    ROW_SENSITIVE,
    ChoiceField,
    ComputedField,
    DateField,
    FormDefinition,
    GradeField,
    LongTextField,
    MultiChoiceField,
    NumberField,
    RatingField,
    RepeatColumn,
    RepeatField,
    ResilienceMatrixField,
    TextField,
    YesNoUnknownField,
    options_of,
)
from cpassess.forms.text import NARRATIVE, ONE_LINE, character_problem, shown_on_one_line

MATRIX_RANGE = 5
JSON_SAFE_INTEGER = 2**53 - 1
SHOWN_TEXT = 40
FACTOR_MAX_ITEMS = 40


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a set of answers, placed as precisely as we can: section, field, row, column."""

    section_id: str | None
    field_id: str | None
    message: str
    row: int | None = None
    column: str | None = None

    def describe(self, form: FormDefinition) -> str:
        """A sentence naming where the problem is in the words the user sees."""
        if self.field_id is None:
            return self.message
        try:
            field = form.field(self.field_id)
        except KeyError:
            return f"{self.field_id}: {self.message}"
        where = f"{form.section_of(self.field_id).title} › {field.label}"
        if self.row is not None:
            where += f", {getattr(field, 'item_label', 'row')} {self.row + 1}"
        if self.column is not None and isinstance(field, RepeatField):
            label = next((c.label for c in field.fields if c.id == self.column), self.column)
            where += f", {label}"
        return f"{where}: {self.message}"


class AnswersError(ValueError):
    """Answers that were refused; `problems` lists every one."""

    def __init__(self, form: FormDefinition, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(shown_on_one_line("; ".join(problem.describe(form) for problem in problems)))


def _not_bool_or_text(value: Any) -> Any:
    if isinstance(value, bool | str):
        raise ValueError("must be a number")
    return value


def _whole_number(value: Any) -> Any:
    value = _not_bool_or_text(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _real_date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("is not a real date") from None
    return value


IsoDate = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    AfterValidator(_real_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]


def _unique(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError("lists the same option twice")
    return values


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class GradeAnswer(_Answer):
    """A graded item: 1..5, or None for "not known", and the evidence for it.

    No `grade` key at all means no level was chosen yet (evidence typed first): kept apart from "not known", so
    submit validation can say a level is missing.
    """

    grade: Annotated[int, Field(ge=1, le=5), BeforeValidator(_whole_number)] | None = None
    evidence: Annotated[str, StringConstraints(max_length=20000, pattern=NARRATIVE)] = ""

    @model_serializer(mode="wrap")
    def _keep_missing_grade(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        if "grade" not in self.model_fields_set:
            dumped.pop("grade", None)
        return dumped


Factor = Annotated[str, StringConstraints(max_length=500, pattern=ONE_LINE)]
FactorList = Annotated[list[Factor], Field(max_length=FACTOR_MAX_ITEMS)]
Axis = Annotated[int, Field(ge=-MATRIX_RANGE, le=MATRIX_RANGE), BeforeValidator(_whole_number)]


class ResilienceMatrixAnswer(_Answer):
    """The child's place on two axes (-5..5) and the four lists of factors."""

    resilience: Axis | None = None
    environment: Axis | None = None
    resilience_factors: FactorList = Field(default_factory=list)
    vulnerability_factors: FactorList = Field(default_factory=list)
    protective_factors: FactorList = Field(default_factory=list)
    adversity_factors: FactorList = Field(default_factory=list)


def _closed_list(field: Any, form: FormDefinition) -> Any:
    options = options_of(field, form)
    assert options is not None
    return Literal[tuple(option.id for option in options)]


def _value_type(field: Any, form: FormDefinition, owner: str) -> Any:
    """The pydantic type of one field's answer (without None)."""
    match field:
        case TextField():
            return Annotated[str, StringConstraints(max_length=field.max_length, pattern=ONE_LINE)]
        case LongTextField():
            return Annotated[str, StringConstraints(max_length=field.max_length, pattern=NARRATIVE)]
        case DateField():
            return IsoDate
        case NumberField():
            if field.integer:
                # Whole numbers stay within what every JSON reader holds exactly (and what can be hashed).
                low = -JSON_SAFE_INTEGER if field.minimum is None else field.minimum
                high = JSON_SAFE_INTEGER if field.maximum is None else field.maximum
                return Annotated[int, Field(ge=low, le=high), BeforeValidator(_whole_number)]
            return Annotated[float, Field(ge=field.minimum, le=field.maximum, allow_inf_nan=False),
                             BeforeValidator(_not_bool_or_text)]
        case ChoiceField() | YesNoUnknownField() | RatingField():
            return _closed_list(field, form)
        case MultiChoiceField():
            return Annotated[list[_closed_list(field, form)],  # type: ignore[misc]
                             Field(max_length=len(field.options), json_schema_extra={"uniqueItems": True}),
                             AfterValidator(_unique)]
        case GradeField():
            return GradeAnswer
        case ResilienceMatrixField():
            return ResilienceMatrixAnswer
        case RepeatField():
            row = _row_model(field, form, owner)
            return Annotated[list[row], Field(max_length=field.max_items)]  # type: ignore[valid-type]
    raise TypeError(f"no answer type for a {type(field).__name__}")


def _row_model(field: RepeatField, form: FormDefinition, owner: str) -> type[BaseModel]:
    columns: dict[str, Any] = {column.id: _optional(column, form, owner) for column in field.fields}
    if field.row_sensitivity:
        columns[ROW_SENSITIVE] = (bool | None, Field(default=None, description=field.row_sensitivity_label))
    return create_model(
        f"{owner}_{field.id}_row", __config__=ConfigDict(extra="forbid", frozen=True, strict=True), **columns)


def _optional(field: RepeatColumn | Any, form: FormDefinition, owner: str) -> tuple[Any, Any]:
    description = field.label + (f" — {field.help}" if field.help else "")
    return (_value_type(field, form, owner) | None, Field(default=None, description=description))


_models: dict[int, tuple[FormDefinition, type[BaseModel]]] = {}


def answers_model(form: FormDefinition) -> type[BaseModel]:
    """The pydantic model of this form version's answers: every field optional, unknown keys refused."""
    cached = _models.get(id(form))
    if cached is not None and cached[0] is form:
        return cached[1]
    owner = f"{form.id.replace('-', '_')}_v{form.version}"
    fields = {field.id: _optional(field, form, owner) for _, field in form.fields()
              if not isinstance(field, ComputedField)}
    model = create_model(  # type: ignore[call-overload]
        f"{owner}_answers",
        __config__=ConfigDict(extra="forbid", frozen=True, strict=True, title=f"{form.title} — answers"),
        **fields)
    _models[id(form)] = (form, model)
    return model


def answers_schema(form: FormDefinition) -> dict[str, Any]:
    """JSON Schema of this form version's answers."""
    schema = answers_model(form).model_json_schema()
    schema["$id"] = f"urn:cpassess:answers:{form.id}:v{form.version}"
    return schema


_MESSAGES = {
    "string_too_long": "is longer than the limit of {max_length} characters",
    "too_long": "has more than the {max_length} entries allowed",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "string_type": "must be text",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "extra_forbidden": "is not a question of this form",
}


def _shown(value: Any) -> str:
    """A refused answer as a message may show it: short text quoted, anything else by its type."""
    if isinstance(value, str):
        return repr(value if len(value) <= SHOWN_TEXT else value[:SHOWN_TEXT] + "…")
    if isinstance(value, bool) or (isinstance(value, int) and abs(value) <= JSON_SAFE_INTEGER):
        return repr(value)
    return {int: "a number", float: "a number", list: "a list", dict: "an object"}.get(type(value), "this value")


def _message(error: Any, form: FormDefinition, field_id: str | None) -> str:
    kind = error["type"]
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        if pattern in (ONE_LINE, NARRATIVE) and isinstance(error.get("input"), str):
            return character_problem(error["input"], narrative=pattern == NARRATIVE)
        return "must be a date written as YYYY-MM-DD"
    if kind == "literal_error":
        return f"{_shown(error['input'])} is not one of the choices ({error['ctx']['expected']})"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    template = _MESSAGES.get(kind)
    if template:
        return template.format(**error.get("ctx", {}))
    text = str(error["msg"])
    return text[:1].lower() + text[1:]


def problems_from(error: ValidationError, form: FormDefinition) -> list[Problem]:
    """Turn a pydantic error on an answers document into our problems, placed by section, field, row, column."""
    section_of = {field.id: section.id for section, field in form.fields()}
    problems = []
    for item in error.errors():
        loc = [part for part in item["loc"] if not (isinstance(part, str) and part.startswith("function-"))]
        field_id = str(loc[0]) if loc else None
        if field_id not in section_of or (item["type"] == "extra_forbidden" and len(loc) == 1):
            problems.append(Problem(None, None, f"'{field_id}' is not a question of this form"))
            continue
        row = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
        column = str(loc[2]) if row is not None and len(loc) > 2 else None
        if item["type"] == "extra_forbidden":  # an unknown key inside one answer: a grade, the matrix, a row
            message = "is not a column of this table" if column else f"'{loc[-1]}' is not part of this answer"
        else:
            message = _message(item, form, field_id)
        problems.append(Problem(section_of[field_id], field_id, message, row, column))
    return problems


def validate_draft(form: FormDefinition, answers: Any) -> dict[str, Any]:
    """Check types and bounds; return the answers normalised for storage (unanswered keys dropped).

    Raises AnswersError listing every problem. Never fails for a missing answer: drafts may be incomplete.
    """
    if not isinstance(answers, dict):
        raise AnswersError(form, [Problem(None, None, "answers must be a JSON object keyed by field id")])
    try:
        model = answers_model(form).model_validate(answers)
    except ValidationError as error:
        raise AnswersError(form, problems_from(error, form)) from None
    except RecursionError:
        raise AnswersError(form, [Problem(None, None, "the answers are nested too deeply")]) from None
    dumped = model.model_dump(mode="json")
    return {key: value for key, value in dumped.items() if value is not None}
