"""Damage and tampering (DESIGN §8.1, §8.2, §8.5): each is detected, told in one line, and nothing is overwritten.

`cpassess check` runs both integrity checks and the audit verification; reading the damaged data in the normal
way (`child list`, `audit verify`) must fail just as clearly. The files are compared byte for byte before and
after, so a check that "repaired" or rewrote anything would fail here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from tests.helpers import Cli, Team, refused_cleanly

PAGE = 4096  # SQLCipher 4's page size (checked below)
SALT_BYTES = 16


@pytest.fixture
def victim(submitted_team: Team) -> Team:
    """A team database with a child and a submitted assessment (with its signed PDFs), to be damaged."""
    return submitted_team


def page_of(team: Team, table: str) -> int:
    with team.raw() as connection:
        assert int(connection.execute("PRAGMA page_size").fetchone()[0]) == PAGE
        return int(connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0])


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x20
    path.write_bytes(bytes(data))


def test_the_prepared_database_is_sound(victim: Team, cli: Cli) -> None:
    assert cli.ok("check", "--db", victim.db, "--as", "lead", passwords=(victim.passwords["lead"],)).stdout.startswith(
        "All checks passed")


# --- one flipped byte ----------------------------------------------------------------------------------------

# (where, how to find the byte, a command that reads that data in the normal way)
FLIPS: dict[str, tuple[Callable[[Team], int], tuple[str, ...]]] = {
    "page 1, after the salt (the schema)": (lambda t: SALT_BYTES + 84, ("child", "list")),
    "the children table": (lambda t: (page_of(t, "children") - 1) * PAGE + 1500, ("child", "list")),
    "the children page's MAC": (lambda t: page_of(t, "children") * PAGE - 10, ("child", "list")),
    "the assessments table": (lambda t: (page_of(t, "assessments") - 1) * PAGE + 700,
                              ("assessment", "list")),
    "the users table": (lambda t: (page_of(t, "users") - 1) * PAGE + 2000, ("child", "list")),
    "the audit log": (lambda t: (page_of(t, "audit_events") - 1) * PAGE + 3000, ("audit", "verify")),
    "the last page": (lambda t: t.db.stat().st_size - PAGE // 2, ()),
    "the salt": (lambda t: 3, ("child", "list")),
}


@pytest.mark.parametrize("where", FLIPS)
def test_a_flipped_byte_is_found_by_check_and_by_the_next_read(victim: Team, cli: Cli, where: str) -> None:
    locate, read = FLIPS[where]
    offset = locate(victim)
    assert 0 <= offset < victim.db.stat().st_size
    flip(victim.db, offset)
    checked = refused_cleanly(cli, victim, "check")
    assert any(word in checked.error_line for word in ("damaged", "problem")), checked.error_line
    if read:
        refused_cleanly(cli, victim, *read)


# --- a truncated file ----------------------------------------------------------------------------------------

TRUNCATIONS: dict[str, Callable[[int], int]] = {
    "the last page missing": lambda size: size - PAGE,
    "cut inside the last page": lambda size: size - 1000,
    "cut to half": lambda size: size // 2,
    "empty": lambda size: 0,
}


@pytest.mark.parametrize("cut", TRUNCATIONS)
def test_a_truncated_database_is_found_by_check(victim: Team, cli: Cli, cut: str) -> None:
    data = victim.db.read_bytes()
    victim.db.write_bytes(data[: TRUNCATIONS[cut](len(data))])
    refused_cleanly(cli, victim, "check")


# --- the key file ----------------------------------------------------------------------------------------


def edit_slots(change: Callable[[dict[str, Any]], None]) -> Callable[[Team], None]:
    def tamper(team: Team) -> None:
        document = json.loads(team.keys.read_text(encoding="utf-8"))
        change(document)
        team.keys.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return tamper


def lead_slot(document: dict[str, Any]) -> dict[str, Any]:
    return next(slot for slot in document["slots"] if slot["username"] == "lead")


def flip_ciphertext(document: dict[str, Any]) -> None:
    slot = lead_slot(document)
    text = slot["ciphertext"]
    slot["ciphertext"] = text[:20] + ("A" if text[20] != "A" else "B") + text[21:]


def weaken_kdf(document: dict[str, Any]) -> None:
    lead_slot(document)["kdf"]["memory_kib"] = 1024


def swap_usernames(document: dict[str, Any]) -> None:
    lead, prac = (next(s for s in document["slots"] if s["username"] == name) for name in ("lead", "prac"))
    lead["username"], prac["username"] = "prac", "lead"


def other_database(document: dict[str, Any]) -> None:
    document["database_id"] = "00000000-0000-4000-8000-000000000000"


def truncate_keys(team: Team) -> None:
    team.keys.write_bytes(team.keys.read_bytes()[:500])


def delete_keys(team: Team) -> None:
    team.keys.unlink()


KEY_FILE_TAMPERING: dict[str, tuple[Callable[[Team], None], str]] = {
    "a changed ciphertext": (edit_slots(flip_ciphertext), "not right"),
    "weakened key derivation": (edit_slots(weaken_kdf), "altered or damaged"),
    "slots swapped between users": (edit_slots(swap_usernames), "not right"),
    "another database's id": (edit_slots(other_database), "not right"),
    "cut short": (truncate_keys, "damaged or incomplete"),
    "deleted": (delete_keys, "no key file"),
}


@pytest.mark.parametrize("tampering", KEY_FILE_TAMPERING)
def test_a_tampered_key_file_is_refused(victim: Team, cli: Cli, tampering: str) -> None:
    tamper, message = KEY_FILE_TAMPERING[tampering]
    tamper(victim)
    checked = refused_cleanly(cli, victim, "check")
    assert message in checked.error_line


# --- the audit log -------------------------------------------------------------------------------------------


def edit_event(connection: sqlcipher3.Connection) -> None:
    connection.execute("UPDATE audit_events SET detail = '{\"roles\": [\"administrator\"]}' WHERE seq = 2")


def delete_middle_event(connection: sqlcipher3.Connection) -> None:
    connection.execute("DELETE FROM audit_events WHERE seq = 3")


def delete_last_event(connection: sqlcipher3.Connection) -> None:
    connection.execute("DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)")


def change_actor(connection: sqlcipher3.Connection) -> None:
    connection.execute("UPDATE audit_events SET actor = 'lead2' WHERE action = 'assessment.submitted'")


AUDIT_TAMPERING: dict[str, tuple[Callable[[sqlcipher3.Connection], None], str]] = {
    "an edited event": (edit_event, "event 2 has been altered"),
    "a deleted event": (delete_middle_event, "event 3 is missing"),
    "the last event deleted": (delete_last_event, "removed from the end"),
    "a different actor": (change_actor, "has been altered"),
}


@pytest.mark.parametrize("tampering", AUDIT_TAMPERING)
def test_tampering_with_the_audit_log_is_found_by_check_and_audit_verify(victim: Team, cli: Cli,
                                                                        tampering: str) -> None:
    tamper, message = AUDIT_TAMPERING[tampering]
    with victim.raw() as connection:
        connection.execute("DROP TRIGGER audit_events_no_update")
        connection.execute("DROP TRIGGER audit_events_no_delete")
        tamper(connection)
    checked = refused_cleanly(cli, victim, "check", "--verbose")
    assert "audit" in checked.stderr and message in checked.stderr  # with --verbose every problem is listed
    if tampering == "the last event deleted":  # and the first is that the log no longer reaches its anchored head
        assert "the database is behind its last known head" in checked.error_line
    else:
        assert message in checked.error_line
    verified = refused_cleanly(cli, victim, "audit", "verify")
    assert message in verified.error_line


# --- damage anywhere: one line naming what could not be read (issue 12) ------------------------------------------


def test_damage_to_any_page_is_one_line_naming_what_could_not_be_read(victim: Team, cli: Cli) -> None:
    """Every page of the file in turn: reading assessments and the caseload never ends in a traceback, and
    `check` gives its verdict in one line (details only with --verbose)."""
    original = victim.db.read_bytes()
    pages = len(original) // PAGE
    seen: set[str] = set()
    for page in range(2, pages + 1, max(1, pages // 12)):
        damaged = bytearray(original)
        damaged[(page - 1) * PAGE + 2000] ^= 0x20
        victim.db.write_bytes(bytes(damaged))
        for read in (("assessment", "list"), ("assessment", "show", "--id", victim.assessment_id, "--json")):
            run = cli(*read, "--db", victim.db, "--as", "lead", passwords=(victim.passwords["lead"],))
            assert "Traceback" not in run.stderr, (page, run.stderr)
            if run.returncode:
                assert len(run.stderr.splitlines()) == 1, (page, run.stderr)
                assert "could not be read" in run.stderr and ("cpassess check" in run.stderr
                                                              or "Restore it" in run.stderr), run.stderr
                seen.add(run.stderr.split(" could not be read")[0])
        checked = cli("check", "--db", victim.db, "--as", "lead", passwords=(victim.passwords["lead"],))
        assert checked.returncode == 1 and len(checked.stderr.splitlines()) == 1, (page, checked.stderr)
        verbose = cli("check", "--verbose", "--db", victim.db, "--as", "lead", passwords=(victim.passwords["lead"],))
        first, *details = verbose.stderr.splitlines()
        assert checked.stderr.startswith(first) and all(line.startswith("  ") for line in details)
        assert bool(details) == ("problem(s)" in first), verbose.stderr
    assert seen, "some page held what the commands read"
