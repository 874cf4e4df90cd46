"""`cpassess forms ...`: list, check and publish the schemas of form definitions.

The forms engine is imported when a command runs, not when the parser is built (start-up time)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cpassess.cli._common import CliError, print_json


def register(commands: Any) -> None:
    forms = commands.add_parser("forms", help="form definitions: list, check, schemas")
    actions = forms.add_subparsers(dest="forms_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="the forms and versions available")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=list_forms)

    check = actions.add_parser("check", help="check form definition files")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.set_defaults(run=check_forms)

    schema = actions.add_parser("schema", help="JSON Schema of the form definition format")
    schema.set_defaults(run=definition_schema)

    answers = actions.add_parser("answers-schema", help="JSON Schema of one form's answers")
    answers.add_argument("form_id", metavar="FORM_ID")
    answers.add_argument("--version", type=int, help="form version (default: the newest)")
    answers.set_defaults(run=form_answers_schema)


def list_forms(args: argparse.Namespace) -> int:
    from cpassess.forms import default_catalog, forms_directory

    catalog = default_catalog()
    if args.json:
        print_json([{"id": f.id, "version": f.version, "title": f.title} for f in catalog])
    else:
        for form in catalog:
            print(f"{form.id:<24} v{form.version:<3} {form.title}")
    for error in catalog.errors:
        for line in error.lines():
            print(f"cpassess: not loaded: {line}")
    if not len(catalog):
        raise CliError(f"no form definitions found in {forms_directory()}")
    return 1 if catalog.errors else 0


def check_forms(args: argparse.Namespace) -> int:
    from cpassess.forms import FormDefinitionError, load_definition

    failed = 0
    for path in args.files:
        try:
            form = load_definition(path)
        except FormDefinitionError as error:
            failed += 1
            for line in error.lines():
                print(line)
        else:
            fields = sum(1 for _ in form.fields())
            print(f"{path}: ok ({form.id} v{form.version}, {len(form.sections)} sections, {fields} fields)")
    return 1 if failed else 0


def definition_schema(args: argparse.Namespace) -> int:
    from cpassess.forms.definition import FormDefinition

    schema = FormDefinition.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:cpassess:form-definition"
    print_json(schema)
    return 0


def form_answers_schema(args: argparse.Namespace) -> int:
    from cpassess.forms import answers_schema, default_catalog

    try:
        form = default_catalog().get(args.form_id, args.version)
    except KeyError as error:
        raise CliError(str(error.args[0])) from None
    print_json(answers_schema(form))
    return 0
