"""`visible_if` conditions: a small declarative language, parsed by pydantic and evaluated here.

    {field: reason, equals: other}
    {field: sources, in: [police, other]}      # for a multi_choice: any of these ticked
    {not: {...}}   {all: [...]}   {any: [...]}
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from cpassess.forms._identifiers import Identifier

Scalar = str | int | bool


class _Condition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Equals(_Condition):
    field: Identifier
    equals: Scalar


class In(_Condition):
    field: Identifier
    in_: list[Scalar] = Field(alias="in", min_length=1)


class Not(_Condition):
    not_: Condition = Field(alias="not")


class All(_Condition):
    all: list[Condition] = Field(min_length=1)


class Any_(_Condition):
    any: list[Condition] = Field(min_length=1)


_CONDITION_KEYS = ("equals", "in", "not", "all", "any")
CONDITION_TAGS = frozenset(f"{key}-condition" for key in _CONDITION_KEYS)


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {Equals: "equals", In: "in", Not: "not", All: "all", Any_: "any"}[type(value)] + "-condition"
    if isinstance(value, Mapping):
        for key in _CONDITION_KEYS:
            if key in value:
                return f"{key}-condition"
    return None


Condition = Annotated[
    Annotated[Equals, Tag("equals-condition")]
    | Annotated[In, Tag("in-condition")]
    | Annotated[Not, Tag("not-condition")]
    | Annotated[All, Tag("all-condition")]
    | Annotated[Any_, Tag("any-condition")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition",
        custom_error_message="a condition needs one of the keys equals, in, not, all or any",
    ),
]

for _model in (Not, All, Any_):
    _model.model_rebuild()


def referenced_fields(condition: Condition) -> Iterator[tuple[str, Equals | In]]:
    """Every (field id, leaf condition) a condition reads."""
    match condition:
        case Equals() | In():
            yield condition.field, condition
        case Not():
            yield from referenced_fields(condition.not_)
        case All():
            for part in condition.all:
                yield from referenced_fields(part)
        case Any_():
            for part in condition.any:
                yield from referenced_fields(part)


def evaluate(condition: Condition, value_of: Callable[[str], Any]) -> bool:
    """True when the condition holds; `value_of(field_id)` gives the answer, None when hidden or empty."""
    match condition:
        case Equals():
            value = value_of(condition.field)
            if isinstance(value, list):
                return condition.equals in value
            return value is not None and value == condition.equals
        case In():
            value = value_of(condition.field)
            if isinstance(value, list):
                return any(item in condition.in_ for item in value)
            return value is not None and value in condition.in_
        case Not():
            return not evaluate(condition.not_, value_of)
        case All():
            return all(evaluate(part, value_of) for part in condition.all)
        case Any_():
            return any(evaluate(part, value_of) for part in condition.any)
    raise TypeError(f"not a condition: {condition!r}")
