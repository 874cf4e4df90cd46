"""An insider holding the database key edits a signed record (DESIGN §8.7): `cpassess check` finds every edit.

The key opens the rows, so each edit below goes through SQLCipher like any other write (the guard triggers dropped
first, as an insider would). What holds anyway is what the key cannot make: the author's and the team lead's
signatures. `check` must exit 1 with one line naming the assessment and what disagrees, and leave the files as
they were; an untouched database passes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlcipher3

from cpassess import audit
from cpassess.authority import key_from_der, sign
from cpassess.keyslots import SlotFile
from tests.helpers import Cli, Team, refused_cleanly


def test_an_untouched_approved_database_passes_check(approved_team: Team, cli: Cli) -> None:
    run = cli.ok("check", "--db", approved_team.db, "--as", "lead", passwords=(approved_team.passwords["lead"],))
    assert "every signed record" in run.stdout


def edit_answers(connection: sqlcipher3.Connection, team: Team) -> None:
    row = connection.execute("SELECT answers FROM assessments WHERE id = ?", (team.assessment_id,)).fetchone()
    answers = json.loads(row[0])
    answers["physical_care_daily_life"] = "Nothing of concern was seen at any visit."
    connection.execute("DROP TRIGGER approved_is_final")
    connection.execute("UPDATE assessments SET answers = ? WHERE id = ?",
                       (json.dumps(answers, ensure_ascii=False), team.assessment_id))


def edit_submitted_content(connection: sqlcipher3.Connection, team: Team) -> None:
    """The signed content rewritten, with its stored hash made to match: only the signature gives it away."""
    row = connection.execute("SELECT submitted_content FROM assessments WHERE id = ?", (team.assessment_id,)).fetchone()
    content = json.loads(row[0])
    content["answers"]["physical_care_daily_life"] = "Nothing of concern was seen at any visit."
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    connection.execute("DROP TRIGGER approved_is_final")
    connection.execute("UPDATE assessments SET submitted_content = ?, content_sha256 = ? WHERE id = ?",
                       (text, hashlib.sha256(text.encode("utf-8")).hexdigest(), team.assessment_id))


def swap_copies(connection: sqlcipher3.Connection, team: Team) -> None:
    """The approved family copy stored as the full record: a genuine signed PDF of the wrong content."""
    connection.execute("DROP TRIGGER approved_documents_are_final")
    family = connection.execute("SELECT pdf FROM documents WHERE assessment_id = ? AND copy = 'family' AND "
                                "stage = 'approved'", (team.assessment_id,)).fetchone()[0]
    connection.execute("UPDATE documents SET pdf = ? WHERE assessment_id = ? AND copy = 'full' AND stage = 'approved'",
                       (family, team.assessment_id))


def approval_signed_by_practitioner(connection: sqlcipher3.Connection, team: Team) -> None:
    """The approval event rewritten as the practitioner's, re-hashed and re-signed with the practitioner's own key
    (which they hold), the stored head moved to match and the head in the key file anchored again with that key:
    the chain itself verifies, and so does the anchor."""
    key = key_from_der(SlotFile.open(team.keys).unlock("prac", team.passwords["prac"])["signing_key"])
    seq, at, action, record_type, record_id, detail, prev_hash = connection.execute(
        "SELECT seq, at, action, record_type, record_id, detail, prev_hash FROM audit_events "
        "WHERE action = 'assessment.approved'").fetchone()
    last = connection.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
    assert seq == last, "the approval is the newest event of the prepared database"
    digest = audit.event_hash(seq, at, "prac", action, record_type, record_id, json.loads(detail), prev_hash)
    connection.execute("DROP TRIGGER audit_events_no_update")
    connection.execute("UPDATE audit_events SET actor = 'prac', hash = ?, signature = ? WHERE seq = ?",
                       (digest, sign(key, bytes.fromhex(digest)), seq))
    connection.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{seq}:{digest}",))
    slots = SlotFile.open(team.keys)
    slots.set_audit_head(audit.anchor(key, "prac", slots.database_id, audit.ChainHead(seq, digest)).to_json())


EDITS: dict[str, tuple[Callable[[sqlcipher3.Connection, Team], None], str]] = {
    "the approved answers": (edit_answers, "the stored answers are not the answers that were signed"),
    "the submitted content": (edit_submitted_content, "the author's signature on the submitted content does not"),
    "the stored PDF": (swap_copies, "the full copy shows other content than this assessment's"),
    "the approval event": (approval_signed_by_practitioner, "was signed by prac, who is not a team lead"),
}


@pytest.mark.parametrize("edit", EDITS)
def test_check_finds_an_insiders_edit_and_names_the_assessment(approved_team: Team, cli: Cli, edit: str) -> None:
    change, message = EDITS[edit]
    with approved_team.raw() as connection:
        change(connection, approved_team)
    checked = refused_cleanly(cli, approved_team, "check")
    assert approved_team.assessment_id in checked.error_line
    assert message in checked.error_line


def test_verify_pdf_with_the_database_checks_the_audit_head_printed_in_the_pdf(approved_team: Team, cli: Cli,
                                                                               tmp_path: Path) -> None:
    """DESIGN §8.7: the head printed on the sign-off page travels in the PDF; the log cut back before it is found."""
    from cpassess.export.embedded import printed_audit_head

    pdf = tmp_path / "approved.pdf"
    lead = ("--db", approved_team.db, "--as", "lead")
    cli.ok("export-pdf", *lead, "--id", approved_team.assessment_id, "--out", pdf,
           passwords=(approved_team.passwords["lead"],))
    printed = printed_audit_head(pdf.read_bytes())
    assert printed is not None
    database_id, seq, digest = printed
    verified = cli.ok("verify-pdf", pdf, *lead, passwords=(approved_team.passwords["lead"],))
    assert "audit log:" not in verified.stdout
    with approved_team.raw() as connection:
        assert connection.execute("SELECT value FROM meta WHERE key = 'database_id'").fetchone()[0] == database_id
        assert connection.execute("SELECT hash FROM audit_events WHERE seq = ?", (seq,)).fetchone()[0].startswith(
            digest)
        connection.execute("DROP TRIGGER audit_events_no_delete")
        connection.execute("DELETE FROM audit_events WHERE seq >= ?", (seq,))
        last = connection.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
        connection.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{last[0]}:{last[1]}",))
    refused = cli.refused("verify-pdf", pdf, *lead, passwords=(approved_team.passwords["lead"],))
    assert "printed in this PDF" in refused.error_line and "the signatures verify" in refused.error_line
