"""A user leaves (DESIGN §8.7): their slot goes, the database is re-keyed under a fresh key sealed to every
remaining slot, and their certificate is revoked from that moment, in this database and, through the next signed
roster, on every other laptop. An old copy of the key file with the leaver's password opens nothing of the
re-keyed database."""

from __future__ import annotations

import io
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from cpassess.authority import key_from_der
from cpassess.casework import Casework
from cpassess.casework.packages import export_package, import_package
from cpassess.exchange import PackageRefused, build_roster, import_roster
from cpassess.exchange.roster import read_roster
from cpassess.export.signing import PdfSigner, certify
from cpassess.export.verification import verify_pdf
from cpassess.keyslots import SlotFile
from cpassess.session import Session, UnlockFailed
from cpassess.storage import DamagedDatabase, Database
from cpassess.workflow import NotAllowed
from tests.helpers import Team, complete_answers


def old_key_of(keys: Path, username: str, password: str) -> bytes:
    return SlotFile.open(keys).unlock(username, password)["database_key"]


def assert_opens_nothing(db: Path, key: bytes) -> None:
    with pytest.raises(DamagedDatabase):
        Database(db, key, lock=False)


def test_a_removed_user_and_an_old_copy_of_the_key_file_open_nothing(team: Team, tmp_path: Path) -> None:
    old_keys = tmp_path / "old-copy.keys"
    shutil.copy2(team.keys, old_keys)
    old_key = old_key_of(old_keys, "prac", team.passwords["prac"])

    with team.session("lead") as session:
        serials = session.remove_user("prac")
        prac = session.user_named("prac")
        assert prac is not None and not prac.active
        assert set(session.revocations()) == {int(serial, 16) for serial in serials} and serials
        assert session.check() == []
        assert session.audit_events()[-1].action == "user.removed"

    with pytest.raises(UnlockFailed, match="username or password is not right"):
        team.session("prac")
    assert_opens_nothing(team.db, old_key)
    assert_opens_nothing(team.db, old_key_of(old_keys, "lead", team.passwords["lead"]))  # any old slot: same key
    shutil.copy2(old_keys, team.keys)  # the leaver puts their old key file back: its key opens nothing
    with pytest.raises(DamagedDatabase):
        team.session("prac")


def test_the_remaining_users_and_the_recovery_code_still_open_it(submitted_team: Team) -> None:
    team = submitted_team
    with team.session("lead") as session:
        session.remove_user("prac")
        children = len(session.children.rows())
    assert children == 1
    for username in ("lead", "lead2"):
        with team.session(username) as session:
            assert len(session.children.rows()) == children
    with Session.recover(team.db, team.recovery_code, "lead2", "a brand new password 9") as session:
        assert session.user.username == "lead2"
        assert session.check() == []
    slots = SlotFile.open(team.keys)
    assert slots.usernames() == ["lead", "lead2"] and not slots.rekey_pending()


def test_only_an_administrator_removes_users_and_never_themselves(team: Team) -> None:
    with team.session("lead2") as session, pytest.raises(NotAllowed):
        session.remove_user("prac")
    with team.session("lead") as session:
        with pytest.raises(NotAllowed, match="cannot remove yourself"):
            session.remove_user("lead")
        with pytest.raises(NotAllowed, match="no user 'nobody'"):
            session.remove_user("nobody")
    assert SlotFile.open(team.keys).usernames() == ["lead", "prac", "lead2"]


def test_removing_again_re_keys_again_and_keeps_one_revocation(team: Team) -> None:
    with team.session("lead") as session:
        first = session.remove_user("prac")
        key = session.database_key_for_backup()
        assert session.remove_user("prac") == first
        assert session.database_key_for_backup() != key
        assert len(session.revocations()) == len(first)
    assert_opens_nothing(team.db, key)


def test_the_next_roster_carries_the_revocation_and_other_laptops_refuse_the_leavers_later_packages(
        team: Team, tmp_path: Path) -> None:
    pracs_laptop = team.copy_to(tmp_path / "prac-laptop")  # copies made while prac was still on the team
    lead2s_laptop = team.copy_to(tmp_path / "lead2-laptop")
    with team.session("lead") as session:
        session.remove_user("prac")
        roster = build_roster(session)
    assert read_roster(roster)["revocations"][0]["username"] == "prac"

    child_id = pracs_laptop.add_child("prac")
    with pracs_laptop.session("prac") as session:
        assessment = Casework.of(session).new(child_id, "neglect-assessment", answers=complete_answers(
            "neglect-assessment"))
        Casework.of(session).submit(assessment.id)
        package = export_package(session, assessment.id, "lead2")

    unaware = lead2s_laptop.copy_to(tmp_path / "not-yet-told")
    with unaware.session("lead2") as session:
        assert import_package(session, package).status == "submitted"  # before the roster: still accepted
    with lead2s_laptop.session("lead2") as session:
        import_roster(session, roster)
        assert session.revocations()
        with pytest.raises(PackageRefused, match="signed after its sender left the team"):
            import_package(session, package)


# --- a kill at any step of the removal -----------------------------------------------------------------------

# Runs `remove_user` in a child process that SIGKILLs itself as it reaches one step (sys.argv[2]), or at once on
# a signal from the test (the random-time loop below), so what is on disk is exactly what a power cut leaves.
REMOVER = """
import os, signal, sys
from pathlib import Path
from cpassess.keyslots import SlotFile
from cpassess.session import Session
from cpassess.storage import Database

db, step = Path(sys.argv[1]), sys.argv[2]
targets = {"begin_rekey": (SlotFile, "begin_rekey"), "rekey": (Database, "rekey"),
           "finish_rekey": (SlotFile, "finish_rekey")}

def killed_at(owner, name):
    def kill(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    setattr(owner, name, kill)

if step in targets:
    killed_at(*targets[step])
session = Session.unlock(db, "lead", sys.stdin.readline().rstrip("\\n"))
print("unlocked", flush=True)
session.remove_user("prac")
print("done", flush=True)
"""


def run_remover(team: Team, script: Path, step: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(script), str(team.db), step], input=team.passwords["lead"] + "\n",
                          capture_output=True, text=True, timeout=120, check=False)


def assert_sound_after_the_kill(team: Team, old_keys: Path, old_key: bytes) -> None:
    """Whatever the kill left: lead and lead2 open it (finishing the re-key), prac never again; once `user
    remove` has been run to the end, the old key file's key opens nothing."""
    with team.session("lead2") as session:
        assert session.check() == []
    with team.session("lead") as session:
        assert session.check() == []
        session.remove_user("prac")  # run again, as the administrator would after the crash
        assert session.revocations()
    with pytest.raises((UnlockFailed, DamagedDatabase)):
        team.session("prac")
    assert_opens_nothing(team.db, old_key)
    assert not SlotFile.open(team.keys).rekey_pending()
    shutil.copy2(old_keys, team.keys)
    with pytest.raises(DamagedDatabase):
        team.session("prac")


@pytest.fixture
def remover(tmp_path: Path) -> Path:
    script = tmp_path / "remover.py"
    script.write_text(REMOVER, encoding="utf-8")
    return script


@pytest.mark.parametrize("step", ["begin_rekey", "rekey", "finish_rekey"])
def test_a_kill_at_each_step_of_a_removal_leaves_a_database_that_opens_and_finishes(
        submitted_team: Team, remover: Path, tmp_path: Path, step: str) -> None:
    team = submitted_team
    old_keys = tmp_path / "old-copy.keys"
    shutil.copy2(team.keys, old_keys)
    old_key = old_key_of(old_keys, "prac", team.passwords["prac"])

    killed = run_remover(team, remover, step)

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert "done" not in killed.stdout
    if step != "begin_rekey":  # from the first key-file write on, the leaver's slot is gone
        assert not SlotFile.open(team.keys).has_slot("prac")
    assert_sound_after_the_kill(team, old_keys, old_key)


@pytest.mark.slow
def test_kills_at_random_moments_of_a_removal_never_lose_the_database(team_factory: Any, remover: Path,
                                                                       tmp_path: Path) -> None:
    rng = random.Random(11)
    base = team_factory(tmp_path / "base")
    with base.session("lead") as session:  # enough pages that PRAGMA rekey takes a while
        for number in range(1500):
            session.children.add({"given_names": f"Child {number}", "family_name": "Sinclair",
                                  "date_of_birth": "2018-02-03", "address": f"{number} Shore Road\nLeith"})
    for trial in range(12):
        team = base.copy_to(tmp_path / f"trial-{trial}")
        old_keys = tmp_path / f"old-{trial}.keys"
        shutil.copy2(team.keys, old_keys)
        old_key = old_key_of(old_keys, "prac", team.passwords["prac"])
        with subprocess.Popen([sys.executable, str(remover), str(team.db), "none"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) as child:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(team.passwords["lead"] + "\n")
            child.stdin.close()
            assert child.stdout.readline().strip() == "unlocked"
            time.sleep(rng.uniform(0, 0.4))
            child.send_signal(signal.SIGKILL)
        assert_sound_after_the_kill(team, old_keys, old_key)


# --- the leaver's PDF signatures ---------------------------------------------------------------------------


def test_the_leavers_earlier_signatures_still_verify_and_later_ones_do_not(approved_team: Team, tmp_path: Path) -> None:
    team = approved_team
    pracs_secrets = SlotFile.open(team.keys).unlock("prac", team.passwords["prac"])  # a copy the leaver kept
    with team.session("lead") as session:
        approved = session.assessments.document(team.assessment_id, "full", "approved")
        session.remove_user("prac")
        revoked = session.revocations()
        authority = session.authority_certificate
        prac = session.user_named("prac")
    assert approved is not None and prac is not None

    earlier = verify_pdf(approved, [authority], revoked=revoked)
    signer = PdfSigner(key_from_der(pracs_secrets["signing_key"]), prac.certificate, authority)
    later = verify_pdf(certify(small_pdf(), signer, b'{"answers":{}}'), [authority], revoked=revoked)

    assert earlier.passes, earlier.failures
    assert later.signatures[0].problems[0].startswith("signed after the signer's certificate was revoked")


def small_pdf() -> bytes:
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4)
    document.drawString(72, 720, "Synthetic page signed after the signer left")
    document.showPage()
    document.save()
    return buffer.getvalue()


def test_a_recovery_in_the_middle_of_a_cut_short_re_key_locks_no_one_out(team: Team, remover: Path) -> None:
    killed = run_remover(team, remover, "rekey")  # the new key is sealed beside the old; the database not re-keyed
    assert killed.returncode == -signal.SIGKILL and SlotFile.open(team.keys).rekey_pending()

    with Session.recover(team.db, team.recovery_code, "lead2", "a brand new password 9") as session:
        assert session.check() == []
    team.passwords["lead2"] = "a brand new password 9"

    for username in ("lead", "lead2", "lead"):
        with team.session(username) as session:
            assert session.check() == []
    assert not SlotFile.open(team.keys).rekey_pending()
