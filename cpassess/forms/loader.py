"""Reading form definitions: a file is accepted whole or refused with every problem, each with its key path."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cpassess.forms._yaml import YamlProblem, read_yaml
from cpassess.forms.conditions import CONDITION_TAGS, All, Any_, Equals, Not, referenced_fields
from cpassess.forms.definition import (
    FIELD_KINDS,
    ChoiceField,
    ComputedField,
    DateField,
    FormDefinition,
    FormField,
    GradeField,
    MultiChoiceField,
    NumberField,
    RatingField,
    RepeatField,
    YesNoUnknownField,
    options_of,
)
from cpassess.forms.text import shown_on_one_line

MAX_FILE_BYTES = 2_000_000
GRADE_LEVELS = 5
# Visibility is evaluated recursively on every keystroke: keep conditions shallow and chains short.
MAX_CONDITION_DEPTH = 8
MAX_VISIBILITY_CHAIN = 10


@dataclass(frozen=True)
class DefinitionProblem:
    path: str
    message: str


class FormDefinitionError(ValueError):
    """A form file that was refused; `problems` lists each (key path, sentence)."""

    def __init__(self, source: str, problems: list[DefinitionProblem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """One line per problem, whatever a key or value in the file held (a line break, a bidi control)."""
        return [shown_on_one_line(f"{self.source}: {p.path}: {p.message}" if p.path else f"{self.source}: {p.message}")
                for p in self.problems]


def load_definition(path: Path) -> FormDefinition:
    """Read and check one form file."""
    source = str(path)
    try:
        with path.open("rb") as stream:  # at most the limit in memory, whatever the file's size
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise FormDefinitionError(source, [DefinitionProblem("", f"cannot be read ({error.strerror})")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise FormDefinitionError(source, [DefinitionProblem("", "is too large for a form file (over 2 MB)")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = DefinitionProblem("", f"is not UTF-8 text (byte {error.start})")
        raise FormDefinitionError(source, [problem]) from None
    definition = parse_definition_text(text, source)
    expected = re.fullmatch(r"(?P<id>.+)\.v(?P<version>\d+)\.ya?ml", path.name)
    if expected and (expected["id"], int(expected["version"])) != definition.key:
        raise FormDefinitionError(source, [DefinitionProblem(
            "", f"the file name says {expected['id']} v{expected['version']} but the file defines "
                f"{definition.id} v{definition.version}")])
    return definition


def parse_definition_text(text: str, source: str = "<form>") -> FormDefinition:
    try:
        data = read_yaml(text)
    except YamlProblem as error:
        raise FormDefinitionError(source, [DefinitionProblem(error.path, str(error))]) from None
    return parse_definition(data, source)


def parse_definition(data: Any, source: str = "<form>") -> FormDefinition:
    """Validate already-parsed data as a form definition, including every cross-reference."""
    if not isinstance(data, dict):
        problem = DefinitionProblem("", "must be a mapping with id, version, title, sections")
        raise FormDefinitionError(source, [problem])
    try:
        definition = FormDefinition.model_validate(data)
    except ValidationError as error:
        raise FormDefinitionError(source, [_from_pydantic(e) for e in error.errors()]) from None
    except RecursionError:
        raise FormDefinitionError(source, [DefinitionProblem("", "is nested too deeply")]) from None
    problems = list(reference_problems(definition))
    if problems:
        raise FormDefinitionError(source, problems)
    return definition


_TAGS = CONDITION_TAGS | set(FIELD_KINDS)


def _format_loc(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for index, item in enumerate(loc):
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in _TAGS and index > 0 and (isinstance(loc[index - 1], int) or loc[index - 1] in (
                "visible_if", "not")):
            continue
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


_MESSAGES = {
    "missing": "this key is required",
    "extra_forbidden": "is not a key this format knows (check the spelling)",
}


def _from_pydantic(error: Any) -> DefinitionProblem:
    message = _MESSAGES.get(error["type"])
    if message is None and error["type"] == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        message = ("must be lower-case letters and digits in words joined by '-'" if "(-" in pattern else
                   "must be lower-case letters, digits and '_', starting with a letter")
    if message is None:
        text = str(error["msg"])
        message = text[:1].lower() + text[1:]
    return DefinitionProblem(_format_loc(tuple(error["loc"])), message)


def reference_problems(form: FormDefinition) -> Iterator[DefinitionProblem]:
    """Problems pydantic cannot see: duplicate ids, dangling references, conditions that cannot hold, cycles."""
    yield from _scale_problems(form)
    where: dict[str, str] = {}
    for s, section in enumerate(form.sections):
        if any(other.id == section.id for other in form.sections[:s]):
            yield DefinitionProblem(f"sections[{s}].id", f"the section id '{section.id}' is used twice")
        for f, field in enumerate(section.fields):
            path = f"sections[{s}].fields[{f}]"
            if field.id in where:
                yield DefinitionProblem(f"{path}.id", f"the field id '{field.id}' is already used at {where[field.id]}")
            else:
                where[field.id] = path
    section_ids = {section.id for section in form.sections}
    for s, section in enumerate(form.sections):
        if section.visible_if is not None:
            yield from _condition_problems(form, section.visible_if, f"sections[{s}].visible_if", None)
        for f, field in enumerate(section.fields):
            path = f"sections[{s}].fields[{f}]"
            yield from _field_problems(form, field, path, section_ids)
            if field.visible_if is not None:
                yield from _condition_problems(form, field.visible_if, f"{path}.visible_if", field.id)
            if field.required_if is not None:
                yield from _condition_problems(form, field.required_if, f"{path}.required_if", field.id)
    for w, warning in enumerate(form.warnings):
        yield from _condition_problems(form, warning.when, f"warnings[{w}].when", None)
        for j, field_id in enumerate(warning.fields):
            if field_id not in where:
                yield DefinitionProblem(f"warnings[{w}].fields[{j}]", f"'{field_id}' is not a field of this form")
    yield from _cycle_problems(form, where)


def _scale_problems(form: FormDefinition) -> Iterator[DefinitionProblem]:
    for i, scale in enumerate(form.scales):
        if any(other.id == scale.id for other in form.scales[:i]):
            yield DefinitionProblem(f"scales[{i}].id", f"the scale id '{scale.id}' is used twice")
        ids = [level.id for level in scale.levels]
        for j, level_id in enumerate(ids):
            if level_id in ids[:j]:
                yield DefinitionProblem(f"scales[{i}].levels[{j}].id", f"the level id '{level_id}' is used twice")


def _field_problems(form: FormDefinition, field: Any, path: str, section_ids: set[str]) -> Iterator[DefinitionProblem]:
    scale_ids = {scale.id for scale in form.scales}
    match field:
        case ChoiceField() | MultiChoiceField():
            ids = [option.id for option in field.options]
            for j, option_id in enumerate(ids):
                if option_id in ids[:j]:
                    yield DefinitionProblem(f"{path}.options[{j}].id", f"the option id '{option_id}' is used twice")
        case GradeField():
            if field.scale not in scale_ids:
                yield DefinitionProblem(f"{path}.scale", f"there is no scale '{field.scale}' in this form")
            elif len(form.scale(field.scale).levels) != GRADE_LEVELS:
                yield DefinitionProblem(f"{path}.scale", f"a grade needs a scale of exactly five levels; "
                                        f"'{field.scale}' has {len(form.scale(field.scale).levels)}")
            if len(field.descriptors) != GRADE_LEVELS:
                yield DefinitionProblem(f"{path}.descriptors", f"a grade needs five descriptors, one for each "
                                        f"level 1 to 5; found {len(field.descriptors)}")
        case RatingField():
            if field.scale not in scale_ids:
                yield DefinitionProblem(f"{path}.scale", f"there is no scale '{field.scale}' in this form")
        case NumberField(minimum=float() as low, maximum=float() as high) if low > high:
            yield DefinitionProblem(f"{path}.minimum", "the minimum is greater than the maximum")
        case DateField(minimum=dt.date() as low, maximum=dt.date() as high) if low > high:
            yield DefinitionProblem(f"{path}.minimum", "the minimum is after the maximum")
        case RepeatField():
            if field.min_items > field.max_items:
                yield DefinitionProblem(f"{path}.min_items", "min_items is greater than max_items")
            ids = [column.id for column in field.fields]
            for j, column in enumerate(field.fields):
                if column.id in ids[:j]:
                    yield DefinitionProblem(f"{path}.fields[{j}].id", f"the column id '{column.id}' is used twice")
                if column.visible_if is not None:
                    yield DefinitionProblem(f"{path}.fields[{j}].visible_if",
                                            "columns of a repeat cannot have visible_if")
                yield from _field_problems(form, column, f"{path}.fields[{j}]", section_ids)
        case ComputedField():
            from cpassess.forms.computed import COMPUTATIONS

            if field.function not in COMPUTATIONS:
                yield DefinitionProblem(f"{path}.function", f"there is no computation '{field.function}'; "
                                        f"known: {', '.join(sorted(COMPUTATIONS))}")
            field_ids = {f.id for _, f in form.fields()}
            for j, source in enumerate(field.sources):
                if source not in section_ids and source not in field_ids:
                    yield DefinitionProblem(f"{path}.sources[{j}]", f"no section or field has the id '{source}'")
    if isinstance(field, DateField) and field.not_before is not None:
        target = _top_level(form, field.not_before)
        if not isinstance(target, DateField):
            yield DefinitionProblem(f"{path}.not_before", f"'{field.not_before}' is not a date field of this form")


def _top_level(form: FormDefinition, field_id: str) -> FormField | None:
    try:
        return form.field(field_id)
    except KeyError:
        return None


_CONDITION_KINDS = (ChoiceField, MultiChoiceField, YesNoUnknownField, RatingField, NumberField)


def _condition_problems(form: FormDefinition, condition: Any, path: str,
                        own_id: str | None) -> Iterator[DefinitionProblem]:
    if _condition_depth(condition) > MAX_CONDITION_DEPTH:
        yield DefinitionProblem(path, f"the condition is nested more than {MAX_CONDITION_DEPTH} levels deep")
        return
    for field_id, leaf in referenced_fields(condition):
        target = _top_level(form, field_id)
        if target is None:
            yield DefinitionProblem(path, f"refers to '{field_id}', which is not a field of this form")
            continue
        if field_id == own_id:
            yield DefinitionProblem(path, f"'{field_id}' cannot depend on its own answer")
            continue
        if not isinstance(target, _CONDITION_KINDS):
            yield DefinitionProblem(path, f"'{field_id}' is a {target.kind} field; conditions can only test "
                                    "choice, multi_choice, yes_no_unknown, rating and number fields")
            continue
        values = [leaf.equals] if isinstance(leaf, Equals) else list(leaf.in_)
        options = options_of(target, form) if not isinstance(target, RatingField) or _has_scale(form, target) else ()
        for value in values:
            if isinstance(target, NumberField):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    yield DefinitionProblem(path, f"'{field_id}' is a number; {value!r} is not a number")
            elif options is not None and value not in {option.id for option in options}:
                known = ", ".join(option.id for option in options)
                yield DefinitionProblem(path, f"{value!r} is not an option of '{field_id}' (options: {known})")


def _has_scale(form: FormDefinition, field: RatingField) -> bool:
    return any(scale.id == field.scale for scale in form.scales)


def _condition_depth(condition: Any) -> int:
    deepest, pending = 0, [(condition, 1)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        match node:
            case Not():
                pending.append((node.not_, depth + 1))
            case All():
                pending.extend((part, depth + 1) for part in node.all)
            case Any_():
                pending.extend((part, depth + 1) for part in node.any)
    return deepest


def _cycle_problems(form: FormDefinition, where: dict[str, str]) -> Iterator[DefinitionProblem]:
    depends: dict[str, set[str]] = {}
    for section, field in form.fields():
        needs = {fid for fid, _ in referenced_fields(field.visible_if)} if field.visible_if else set()
        if section.visible_if is not None:
            needs |= {fid for fid, _ in referenced_fields(section.visible_if)}
        depends[field.id] = {fid for fid in needs if fid in where}
    # Depth-first without recursion, so a long chain of conditions is reported rather than exhausting the stack.
    state: dict[str, int] = {}
    chain: dict[str, int] = {}  # how many questions in a row a field's visibility rests on
    for start, needs in depends.items():
        if start in state:
            continue
        state[start] = 1
        trail, pending = [start], [iter(sorted(needs))]
        while trail:
            nxt = next(pending[-1], None)
            if nxt is None:
                node = trail.pop()
                pending.pop()
                state[node] = 2
                chain[node] = max((chain[need] + 1 for need in depends[node]), default=0)
            elif state.get(nxt) == 1:
                loop = [*trail[trail.index(nxt):], nxt]
                yield DefinitionProblem(f"{where[loop[0]]}.visible_if",
                                        "visibility goes round in a circle: " + " -> ".join(loop))
                return
            elif nxt not in state:
                state[nxt] = 1
                trail.append(nxt)
                pending.append(iter(sorted(depends[nxt])))
    for field_id, length in chain.items():
        if length > MAX_VISIBILITY_CHAIN:
            yield DefinitionProblem(f"{where[field_id]}.visible_if", f"whether this is shown depends on a chain of "
                                    f"{length} questions, each shown by the one before; at most "
                                    f"{MAX_VISIBILITY_CHAIN} are allowed")
            return


class FormCatalog:
    """Every loaded form version, by (id, version); broken files are kept aside in `errors`."""

    def __init__(self, definitions: Iterable[FormDefinition], errors: Iterable[FormDefinitionError] = ()) -> None:
        self._forms: dict[tuple[str, int], FormDefinition] = {}
        self.errors = list(errors)
        for definition in definitions:
            if definition.key in self._forms:
                raise ValueError(f"{definition.id} v{definition.version} is defined twice")
            self._forms[definition.key] = definition

    @classmethod
    def from_directory(cls, directory: Path) -> FormCatalog:
        definitions: list[FormDefinition] = []
        errors: list[FormDefinitionError] = []
        seen: dict[tuple[str, int], Path] = {}
        for path in sorted(directory.glob("*.y*ml")):
            try:
                definition = load_definition(path)
            except FormDefinitionError as error:
                errors.append(error)
                continue
            if definition.key in seen:
                errors.append(FormDefinitionError(str(path), [DefinitionProblem(
                    "", f"{definition.id} v{definition.version} is already defined in {seen[definition.key].name}")]))
                continue
            seen[definition.key] = path
            definitions.append(definition)
        return cls(definitions, errors)

    def __iter__(self) -> Iterator[FormDefinition]:
        return iter(sorted(self._forms.values(), key=lambda d: d.key))

    def __len__(self) -> int:
        return len(self._forms)

    def get(self, form_id: str, version: int | None = None) -> FormDefinition:
        """That version of the form, or the newest when `version` is None; KeyError with a sentence if absent."""
        if version is None:
            versions = self.versions(form_id)
            if not versions:
                raise KeyError(f"there is no form '{form_id}'")
            version = versions[-1]
        try:
            return self._forms[(form_id, version)]
        except KeyError:
            raise KeyError(f"there is no form '{form_id}' version {version}") from None

    def versions(self, form_id: str) -> list[int]:
        return sorted(version for fid, version in self._forms if fid == form_id)

    def newest_version(self, form_id: str) -> int | None:
        versions = self.versions(form_id)
        return versions[-1] if versions else None

    def form_ids(self) -> list[str]:
        return sorted({fid for fid, _ in self._forms})
