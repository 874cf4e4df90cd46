"""The audit head anchored outside the database (DESIGN §8.7): a database cut back behind its last known head, by a
lost -wal file or by events cut off with the stored head rewritten, fails `cpassess check` in one line, and
`audit verify --head SEQ:HASH` checks the log against a head printed in a PDF or a backup."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from cpassess.audit import AnchoredHead
from cpassess.authority import verify
from cpassess.casework.packages import export_package
from cpassess.exchange.envelope import open_envelope
from cpassess.keyslots import SlotFile
from tests.helpers import Cli, Team

BEHIND = "the database is behind its last known head"

# Adds a child (one audited commit), then dies without closing: the commit is in the -wal file only.
COMMIT_THEN_DIE = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from cpassess.session import Session

    session = Session.unlock(Path(sys.argv[1]), "prac", sys.stdin.readline().rstrip("\\n"))
    session.children.add({"given_names": "Morven", "family_name": "Baird", "date_of_birth": "2020-03-01"})
    print(session.audit_head().seq, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def check(cli: Cli, team: Team) -> tuple[int, str]:
    """`cpassess check`: its exit status and its one error line ("" when it passes)."""
    run = cli("check", "--db", team.db, "--as", "lead", passwords=(team.passwords["lead"],))
    assert "Traceback" not in run.stderr
    return run.returncode, run.error_line if run.returncode else ""


def anchored(team: Team) -> dict[str, object]:
    head = SlotFile.open(team.keys).audit_head
    assert head is not None
    return head


def test_every_audited_commit_moves_the_signed_head_in_the_key_file(team: Team) -> None:
    before = anchored(team)
    team.add_child("prac")

    after = anchored(team)
    with team.session("lead") as session:
        head = session.audit_head()
        certificates = session.certificates_of("prac")
    assert (after["seq"], after["hash"]) == (head.seq, head.hash) and after["seq"] == before["seq"] + 1  # type: ignore[operator]
    assert after["actor"] == "prac"
    signed = AnchoredHead.from_json(SlotFile.open(team.keys).database_id, after)
    assert any(verify(cert, signed.signed_bytes(), signed.signature) for cert in certificates)


def test_an_anchor_that_could_not_be_written_is_written_at_the_next_commit(team: Team,
                                                                         monkeypatch: Any) -> None:
    """Only commits that append to the audit log look at its head, except after a failed anchoring: then the next
    commit, audited or not (an autosave), anchors the head."""
    from cpassess.casework import Casework
    from cpassess.keyslots import SlotFileError

    with team.session("prac") as session:
        child_id = session.children.add({"given_names": "Morven", "family_name": "Baird",
                                         "date_of_birth": "2020-03-01"}).id
        draft = Casework.of(session).new(child_id, "girfec-wellbeing")
        head = session.audit_head()
        assert anchored(team)["seq"] == head.seq
        real = SlotFile.set_audit_head
        with monkeypatch.context() as patched:
            def full_disk(self: SlotFile, value: dict[str, object]) -> None:
                raise SlotFileError("the key file could not be written")
            patched.setattr(SlotFile, "set_audit_head", full_disk)
            session.children.add({"given_names": "Ailsa", "family_name": "Baird", "date_of_birth": "2021-06-02"})
        assert anchored(team)["seq"] == head.seq  # behind by one
        calls: list[int] = []
        monkeypatch.setattr(SlotFile, "set_audit_head", lambda self, value: (calls.append(1), real(self, value)))
        Casework.of(session).save_draft(draft.id, {})  # no audit event, but the anchor was behind
        assert anchored(team)["seq"] == head.seq + 1 and len(calls) == 1
        Casework.of(session).save_draft(draft.id, {})  # caught up: an autosave leaves the key file alone
        assert len(calls) == 1


def test_a_lost_wal_after_a_commit_fails_check_in_one_line(submitted_team: Team, cli: Cli, tmp_path: Path) -> None:
    team = submitted_team
    died = subprocess.run([sys.executable, "-c", COMMIT_THEN_DIE, str(team.db)], input=team.passwords["prac"] + "\n",
                          capture_output=True, text=True, timeout=60, check=False)
    assert died.returncode < 0, died.stderr
    wal = team.db.with_name(team.db.name + "-wal")
    assert wal.stat().st_size > 0
    wal.unlink()

    status, line = check(cli, team)

    assert status == 1
    assert BEHIND in line and f"event {died.stdout.strip()}" in line, line


def test_cut_off_events_with_the_stored_head_rewritten_fail_check_and_audit_verify_with_the_head(
        submitted_team: Team, cli: Cli) -> None:
    team = submitted_team
    with team.session("lead") as session:
        printed = session.audit_head()  # as a PDF or a backup would print it
    with team.raw() as connection:
        connection.execute("DROP TRIGGER audit_events_no_delete")
        connection.execute("DELETE FROM audit_events WHERE seq >= ?", (printed.seq - 1,))
        seq, digest = connection.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
        connection.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{seq}:{digest}",))
    lead = ("--db", team.db, "--as", "lead")

    cli.ok("audit", "verify", *lead, passwords=(team.passwords["lead"],))  # the cut-off log is consistent in itself
    status, line = check(cli, team)
    assert status == 1 and BEHIND in line, line
    refused = cli.refused("audit", "verify", *lead, "--head", f"{printed.seq}:{printed.hash[:16]}",
                          passwords=(team.passwords["lead"],))
    assert BEHIND in refused.error_line


def test_audit_verify_accepts_the_head_it_holds_and_refuses_another(team: Team, cli: Cli) -> None:
    with team.session("lead") as session:
        head = session.audit_head()
    lead = ("--db", team.db, "--as", "lead")
    password = (team.passwords["lead"],)

    assert "with the hash given" in cli.ok("audit", "verify", *lead, "--head", f"{head.seq}:{head.hash[:16]}",
                                            passwords=password).stdout
    wrong = cli.refused("audit", "verify", *lead, "--head", f"{head.seq}:{'0' * 16}", passwords=password)
    assert "differs from its last known head" in wrong.error_line
    malformed = cli("audit", "verify", *lead, "--head", "twelve")
    assert malformed.returncode == 1 and "is not an audit head" in malformed.stderr
    assert check(cli, team)[0] == 0


def test_every_exchange_package_carries_the_senders_signed_head(submitted_team: Team) -> None:
    team = submitted_team
    with team.session("prac") as session:
        package = export_package(session, team.assessment_id, "lead")
        expected = session.slots.audit_head
    with team.session("lead") as session:
        opened = open_envelope(package, "lead", session.signing_key, session.certificates_of("lead"))

    carried = opened.payload["audit_head"]
    assert carried == expected and carried["actor"] == "prac"
    assert json.dumps(carried)
