"""The form engine: definitions as data, answers, validation, visibility, summaries, versions."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from cpassess.forms.answers import AnswersError, Problem, answers_model, answers_schema, validate_draft
from cpassess.forms.canonical import canonical_content, canonical_json, content_sha256, fingerprint
from cpassess.forms.computed import COMPUTATIONS, DomainProfile, IndicatorRating, compute
from cpassess.forms.definition import FIELD_KINDS, FormDefinition, FormField, Section
from cpassess.forms.loader import FormCatalog, FormDefinitionError, load_definition, parse_definition_text
from cpassess.forms.validation import SectionCheck, check_sections, is_empty, section_problems, validate_submission
from cpassess.forms.versions import Migration, migrate_answers
from cpassess.forms.visibility import Visibility
from cpassess.resources import resource_path

__all__ = [
    "COMPUTATIONS",
    "FIELD_KINDS",
    "AnswersError",
    "DomainProfile",
    "FormCatalog",
    "FormDefinition",
    "FormDefinitionError",
    "FormField",
    "IndicatorRating",
    "Migration",
    "Problem",
    "Section",
    "SectionCheck",
    "Visibility",
    "answers_model",
    "answers_schema",
    "canonical_content",
    "canonical_json",
    "check_sections",
    "compute",
    "content_sha256",
    "default_catalog",
    "fingerprint",
    "forms_directory",
    "is_empty",
    "load_definition",
    "migrate_answers",
    "parse_definition_text",
    "section_problems",
    "validate_draft",
    "validate_submission",
]


def forms_directory() -> Path:
    """The folder of form files: `CPASSESS_FORMS_DIR` when set (a local authority's own), else the shipped one."""
    override = os.environ.get("CPASSESS_FORMS_DIR")
    return Path(override) if override else resource_path("forms")


@functools.cache
def _catalog_for(directory: Path) -> FormCatalog:
    return FormCatalog.from_directory(directory)


def default_catalog() -> FormCatalog:
    """Every form version in the forms folder (loaded once per folder)."""
    return _catalog_for(forms_directory())
