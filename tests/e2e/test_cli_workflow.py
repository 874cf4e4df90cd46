"""The whole review workflow from the command line alone (DESIGN §11), as a script or a tired user would run it."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from cpassess.forms import default_catalog
from cpassess.paths import attempts_file_for
from tests.helpers import Cli, Team, complete_answers, write_json

LEAD_PW = "lead's long password 1"
PRAC_PW = "practitioner password 2"
FORM = "neglect-assessment"
SHA256 = re.compile(r"[0-9a-f]{64}")


def test_init_to_approval_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "data" / "team.db"
    created = cli.ok("init", "--db", db, "--user", "lead", "--name", "Morag Lindsay", passwords=(LEAD_PW,))
    assert re.search(r"Recovery code .*: [2-9A-Z]{4}(-[2-9A-Z]{4}){6}$", created.stdout, re.MULTILINE)
    cli.ok("user", "add", "--db", db, "--as", "lead", "--user", "prac", "--name", "Sam Wróblewski",
           "--role", "practitioner", passwords=(LEAD_PW, PRAC_PW))

    child_file = write_json(tmp_path / "in" / "child.json", {
        "given_names": "Eilidh", "family_name": "MacLeod", "date_of_birth": "2019-04-19", "chi": "1904190286",
        "household": [{"name": "Morven MacLeod", "relationship": "Mother", "parental_responsibility": True}]})
    child_id = cli.ok("child", "add", "--db", db, "--as", "prac", "--json", child_file,
                      passwords=(PRAC_PW,)).stdout.strip()
    assert str(uuid.UUID(child_id)) == child_id

    first = write_json(tmp_path / "in" / "answers-1.json", complete_answers(FORM, seed=7))
    second = write_json(tmp_path / "in" / "answers-2.json", complete_answers(FORM, seed=8))
    assessment_id = cli.ok("assessment", "new", "--db", db, "--as", "prac", "--child", child_id, "--form", FORM,
                           "--answers", first, passwords=(PRAC_PW,)).stdout.strip()
    assert str(uuid.UUID(assessment_id)) == assessment_id
    cli.ok("assessment", "submit", "--db", db, "--as", "prac", "--id", assessment_id, passwords=(PRAC_PW,))

    # the author cannot approve their own work: one line, and nothing changes
    refused = cli.refused("assessment", "approve", "--db", db, "--as", "prac", "--id", assessment_id,
                          passwords=(PRAC_PW, PRAC_PW))
    assert refused.stderr == "cpassess: Only a team lead can review assessments.\n"
    # returning needs a comment
    refused = cli.refused("assessment", "return", "--db", db, "--as", "lead", "--id", assessment_id,
                          "--comment", "  ", passwords=(LEAD_PW,))
    assert "needs a comment" in refused.stderr and len(refused.stderr.splitlines()) == 1

    cli.ok("assessment", "return", "--db", db, "--as", "lead", "--id", assessment_id, "--comment",
           "Please say who was at the home visit.", "--field", "nutrition_feeding", passwords=(LEAD_PW,))
    status = json.loads(cli.ok("assessment", "show", "--db", db, "--as", "prac", "--id", assessment_id, "--json",
                               passwords=(PRAC_PW,)).stdout)["status"]
    assert status == "returned"

    cli.ok("assessment", "update", "--db", db, "--as", "prac", "--id", assessment_id, "--answers", second,
           passwords=(PRAC_PW,))
    submitted = cli.ok("assessment", "submit", "--db", db, "--as", "prac", "--id", assessment_id,
                       passwords=(PRAC_PW,))
    [submitted_hash] = SHA256.findall(submitted.stdout)
    approved = cli.ok("assessment", "approve", "--db", db, "--as", "lead", "--id", assessment_id,
                      passwords=(LEAD_PW, LEAD_PW))
    assert SHA256.findall(approved.stdout) == [submitted_hash]

    [listed] = json.loads(cli.ok("assessment", "list", "--db", db, "--as", "lead", "--json",
                                 passwords=(LEAD_PW,)).stdout)
    assert {key: listed[key] for key in ("id", "child_id", "form_id", "form_version", "status", "author")} == {
        "id": assessment_id, "child_id": child_id, "form_id": FORM,
        "form_version": default_catalog().newest_version(FORM), "status": "approved",
        "author": "prac"}
    shown = json.loads(cli.ok("assessment", "show", "--db", db, "--as", "lead", "--id", assessment_id, "--json",
                              passwords=(LEAD_PW,)).stdout)
    assert shown["answers"] == complete_answers(FORM, seed=8)
    assert shown["content_sha256"] == submitted_hash
    assert [(c["author"], c["field_id"], c["text"]) for c in shown["comments"]] == [
        ("lead", "nutrition_feeding", "Please say who was at the home visit.")]

    verified = cli.ok("audit", "verify", "--db", db, "--as", "lead", passwords=(LEAD_PW,))
    assert verified.stdout.startswith("Audit log verified:")
    cli.ok("check", "--db", db, "--as", "prac", passwords=(PRAC_PW,))
    # once approved, the content can no longer be changed from the command line either
    refused = cli.refused("assessment", "update", "--db", db, "--as", "prac", "--id", assessment_id,
                          "--answers", first, passwords=(PRAC_PW,))
    assert "can no longer be changed" in refused.error_line
    assert all("Traceback" not in run.stderr for run in cli.runs)


def test_a_team_lead_cannot_approve_their_own_assessment_from_the_command_line(team: Team, cli: Cli) -> None:
    _, assessment_id = team.submitted(author="lead")
    refused = cli.refused("assessment", "approve", "--db", team.db, "--as", "lead", "--id", assessment_id,
                          passwords=(team.passwords["lead"],) * 2)
    assert refused.stderr == "cpassess: You cannot review your own assessment: another team lead must approve it.\n"


def test_answers_that_fail_validation_are_refused_naming_field_and_reason(team: Team, cli: Cli,
                                                                         tmp_path: Path) -> None:
    child_id = team.add_child("prac")
    bad = write_json(tmp_path / "bad.json", {"nutrition_feeding": {"grade": 9, "evidence": "x"}})
    refused = cli.refused("assessment", "new", "--db", team.db, "--as", "prac", "--child", child_id,
                          "--form", FORM, "--answers", bad, passwords=(team.passwords["prac"],))
    assert refused.stderr == "cpassess: Physical care › Nutrition and feeding: must be at most 5\n"
    with team.session("prac") as session:
        assert session.assessments.find() == []


def test_a_child_with_an_invalid_chi_is_refused_and_a_mismatch_only_warns(team: Team, cli: Cli,
                                                                         tmp_path: Path) -> None:
    child = {"given_names": "Callum", "family_name": "Stewart", "date_of_birth": "1985-04-19"}
    bad = write_json(tmp_path / "bad.json", {**child, "chi": "1904851232"})
    refused = cli.refused("child", "add", "--db", team.db, "--as", "prac", "--json", bad,
                          passwords=(team.passwords["prac"],))
    assert "chi: the check digit does not match" in refused.error_line
    mismatch = write_json(tmp_path / "mismatch.json", {**child, "chi": "1904851231", "date_of_birth": "1985-04-20"})
    added = cli.ok("child", "add", "--db", team.db, "--as", "prac", "--json", mismatch,
                   passwords=(team.passwords["prac"],))
    assert added.stderr.startswith("cpassess: warning: The CHI number starts 190485")
    assert str(uuid.UUID(added.stdout.strip())) == added.stdout.strip()


def test_a_second_process_is_refused_while_the_first_holds_the_database(team: Team, process_cli: Cli) -> None:
    cli = process_cli  # the console script in a process of its own, its exit status and streams as a shell sees them
    session = team.session("prac")
    try:
        refused = cli.refused("child", "list", "--db", team.db, "--as", "lead", passwords=(team.passwords["lead"],))
        assert "already open" in refused.error_line
        assert len(refused.stderr.splitlines()) == 1
        session.children.add({"given_names": "Still", "family_name": "Working", "date_of_birth": "2020-01-01"})
    finally:
        session.close()
    cli.ok("child", "list", "--db", team.db, "--as", "lead", passwords=(team.passwords["lead"],))


def test_a_wrong_password_gets_one_line_and_leaves_every_file_byte_identical(team: Team, cli: Cli) -> None:
    before = {path: path.read_bytes() for path in (team.db, team.keys)}
    for attempt in (1, 2):
        refused = cli.refused("child", "list", "--db", team.db, "--as", "prac", passwords=("not my password",))
        assert refused.stderr == "cpassess: The username or password is not right.\n"
        assert {path: path.read_bytes() for path in before} == before
        assert json.loads(attempts_file_for(team.db).read_text())["failures"] == attempt
    assert sorted(p.name for p in team.db.parent.iterdir()) == ["team.db", "team.db.keys"]
    refused = cli.refused("child", "list", "--db", team.db, "--as", "nobody", passwords=("not my password",))
    assert refused.stderr == "cpassess: The username or password is not right.\n"


def test_a_changed_password_replaces_only_that_users_slot(team: Team, cli: Cli) -> None:
    new = "a new password for prac"
    slots_before = {slot["username"]: slot for slot in json.loads(team.keys.read_text())["slots"]}
    cli.ok("user", "password", "--db", team.db, "--as", "prac", passwords=(team.passwords["prac"], new))
    slots_after = {slot["username"]: slot for slot in json.loads(team.keys.read_text())["slots"]}
    # The key file: prac's slot is re-wrapped; every other slot (lead, lead2, recovery) is byte-for-byte the same.
    # The database file does change, but only because the change is recorded as an audit event (checked below);
    # the database key itself is the same, so no other user notices.
    assert slots_after["prac"] != slots_before["prac"]
    assert {k: v for k, v in slots_after.items() if k != "prac"} == {k: v for k, v in slots_before.items()
                                                                      if k != "prac"}
    cli.refused("child", "list", "--db", team.db, "--as", "prac", passwords=(team.passwords["prac"],))
    cli.ok("child", "list", "--db", team.db, "--as", "prac", passwords=(new,))
    cli.ok("child", "list", "--db", team.db, "--as", "lead", passwords=(team.passwords["lead"],))
    with team.session("lead") as session:
        event = session.audit_events()[-1]
        assert (event.action, event.actor) == ("user.password_changed", "prac")
        assert session.check() == []


def test_a_weak_new_password_is_refused_and_the_key_file_unchanged(team: Team, cli: Cli) -> None:
    before = team.keys.read_bytes()
    refused = cli.refused("user", "password", "--db", team.db, "--as", "prac",
                          passwords=(team.passwords["prac"], "short"))
    assert "at least 10 characters" in refused.error_line
    assert team.keys.read_bytes() == before


def test_recovery_from_the_command_line(team: Team, cli: Cli) -> None:
    team.add_child("prac")
    cli.ok("user", "recover", "--db", team.db, "--user", "prac", passwords=(team.recovery_code, "recovered password 1"))
    cli.refused("child", "list", "--db", team.db, "--as", "prac", passwords=(team.passwords["prac"],))
    cli.ok("child", "list", "--db", team.db, "--as", "prac", passwords=("recovered password 1",))
    cli.ok("audit", "verify", "--db", team.db, "--as", "prac", passwords=("recovered password 1",))


def test_backup_and_restore_from_the_command_line(team: Team, cli: Cli, tmp_path: Path) -> None:
    team.add_child("prac")
    backup = tmp_path / "team.cpbackup"
    cli.ok("backup", "--db", team.db, "--as", "lead", "--out", backup, passwords=(team.passwords["lead"],))
    team.add_child("prac", {"given_names": "After", "family_name": "Backup", "date_of_birth": "2020-01-01"})
    before = {path: path.read_bytes() for path in (team.db, team.keys)}
    refused = cli.refused("restore", "--db", team.db, "--as", "lead", "--from", backup, passwords=("wrong password",))
    assert "not right" in refused.error_line
    assert {path: path.read_bytes() for path in before} == before
    cli.ok("restore", "--db", team.db, "--as", "lead", "--from", backup, passwords=(team.passwords["lead"],))
    listed = json.loads(cli.ok("child", "list", "--db", team.db, "--as", "lead", "--json",
                               passwords=(team.passwords["lead"],)).stdout)
    assert [child["name"] for child in listed] == ["MacLeod, Eilidh"]
    assert [p.name for p in team.db.parent.iterdir() if "before-restore" in p.name]


def test_user_remove_from_the_command_line(team: Team, cli: Cli, tmp_path: Path) -> None:
    old_keys = tmp_path / "old.keys"
    old_keys.write_bytes(team.keys.read_bytes())
    lead = ("--db", team.db, "--as", "lead")

    assert "cannot remove yourself" in cli.refused("user", "remove", *lead, "--user", "lead",
                                                   passwords=(team.passwords["lead"],)).error_line
    removed = cli.ok("user", "remove", *lead, "--user", "prac", passwords=(team.passwords["lead"],))

    assert "Removed prac" in removed.stdout and "re-keyed" in removed.stdout
    cli.refused("check", "--db", team.db, "--as", "prac", passwords=(team.passwords["prac"],))
    cli.ok("check", *lead, passwords=(team.passwords["lead"],))
    cli.ok("check", "--db", team.db, "--as", "lead2", passwords=(team.passwords["lead2"],))
    team.keys.write_bytes(old_keys.read_bytes())  # the leaver's copy of the old key file, with their password
    refused = cli.refused("check", "--db", team.db, "--as", "prac", passwords=(team.passwords["prac"],))
    assert "could not be read" in refused.error_line


def test_a_leavers_draft_is_handed_to_a_colleague(team: Team, cli: Cli, tmp_path: Path) -> None:
    """After `user remove`, nobody may edit the leaver's draft until an administrator reassigns it; then the new
    author edits and submits it, and the audit log says who had it and who has it now."""
    from cpassess.casework import Casework

    lead, sam_password = ("--db", team.db, "--as", "lead"), "a sentence sam can remember"
    child_id = team.add_child("prac")
    with team.session("prac") as session:
        draft = Casework.of(session).new(child_id, "neglect-assessment").id
    cli.ok("user", "add", *lead, "--user", "sam", "--name", "Sam Wróblewski", "--role", "practitioner",
           passwords=(team.passwords["lead"], sam_password, sam_password))
    cli.ok("user", "remove", *lead, "--user", "prac", passwords=(team.passwords["lead"],))
    sam = ("--db", team.db, "--as", "sam")
    answers = write_json(tmp_path / "answers.json", complete_answers("neglect-assessment"))

    refused = cli.refused("assessment", "update", *sam, "--id", draft, "--answers", answers, passwords=(sam_password,))
    assert "Traceback" not in refused.stderr
    refused = cli.refused("assessment", "reassign", *sam, "--id", draft, "--to", "sam", passwords=(sam_password,))
    assert "that you can see" in refused.error_line  # a practitioner does not hand work around, nor see the leaver's
    refused = cli.refused("assessment", "reassign", *lead, "--id", draft, "--to", "prac",
                          passwords=(team.passwords["lead"],))
    assert "no active user 'prac'" in refused.error_line  # not back to the leaver

    handed = cli.ok("assessment", "reassign", *lead, "--id", draft, "--to", "sam", passwords=(team.passwords["lead"],))
    assert handed.stdout.strip() == f"Assessment {draft} is now sam's to edit (it was prac's)."
    cli.ok("assessment", "update", *sam, "--id", draft, "--answers", answers, passwords=(sam_password,))
    cli.ok("assessment", "submit", *sam, "--id", draft, passwords=(sam_password,))
    with team.session("lead") as session:
        assert session.assessments.get(draft).author == "sam"
        moved = [e for e in session.audit_events() if e.action == "assessment.reassigned"]
        assert [(e.actor, e.record_id, e.detail) for e in moved] == [("lead", draft, {"from": "prac", "to": "sam"})]
    refused = cli.refused("assessment", "reassign", *lead, "--id", draft, "--to", "lead2",
                          passwords=(team.passwords["lead"],))
    assert "Only a draft or returned assessment can be reassigned" in refused.error_line
