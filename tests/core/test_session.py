"""Opening a database (DESIGN §8.2, §8.3): set-up, unlock, users, passwords, recovery, the growing delay."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cpassess.keyslots import AttemptLimiter, KdfParams, SlotFile
from cpassess.paths import attempts_file_for
from cpassess.session import Session, UnlockFailed
from cpassess.storage import AlreadyOpen, StorageError
from cpassess.workflow import NotAllowed, Role
from tests.helpers import Team


def slots_by_user(keys: Path) -> dict[str | None, dict[str, object]]:
    """The key file's slots keyed by username (the recovery slot under None)."""
    document = json.loads(keys.read_text(encoding="utf-8"))
    return {slot["username"]: slot for slot in document["slots"]}


def files_of(team: Team) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in (team.db, team.keys)}


# --- set-up ------------------------------------------------------------------------------------------------


def test_initialise_makes_the_first_user_administrator_and_team_lead(tmp_path: Path, fast_kdf: KdfParams) -> None:
    db = tmp_path / "team.db"
    session, code = Session.initialise(db, "lead", "Morag Lindsay", "a long enough password", kdf=fast_kdf)
    with session:
        assert session.user.roles == {Role.ADMINISTRATOR, Role.TEAM_LEAD}
        assert [u.username for u in session.users()] == ["lead"]
        assert session.check() == []
        assert [e.action for e in session.audit_events()] == ["database.created", "user.added"]
    assert len(code.replace("-", "")) == 28
    assert SlotFile.open(db.with_name("team.db.keys")).has_recovery()
    # the recovery code opens the database but is never stored in clear
    assert code not in db.with_name("team.db.keys").read_text(encoding="utf-8")


def test_initialise_never_overwrites_an_existing_database(team: Team, fast_kdf: KdfParams) -> None:
    before = files_of(team)
    with pytest.raises(UnlockFailed, match="already exists"):
        Session.initialise(team.db, "other", "Someone Else", "another long password", kdf=fast_kdf)
    assert files_of(team) == before


@pytest.mark.parametrize("password", ["short", " leading space password", "trailing space password ",
                                      "control\x07character pw"])
def test_initialise_refuses_weak_passwords_and_writes_nothing(tmp_path: Path, fast_kdf: KdfParams,
                                                              password: str) -> None:
    with pytest.raises(NotAllowed):
        Session.initialise(tmp_path / "team.db", "lead", "Morag Lindsay", password, kdf=fast_kdf)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("username", ["ab", "Lead", "1lead", "lead name", "léad", "x" * 33])
def test_usernames_are_short_lower_case_ascii(tmp_path: Path, fast_kdf: KdfParams, username: str) -> None:
    with pytest.raises(NotAllowed, match="username"):
        Session.initialise(tmp_path / "team.db", username, "Morag Lindsay", "a long enough password", kdf=fast_kdf)


def test_team_has_three_users_with_their_roles(team: Team) -> None:
    with team.session("lead") as session:
        roles = {u.username: u.roles for u in session.users()}
    assert roles == {"lead": {Role.ADMINISTRATOR, Role.TEAM_LEAD}, "prac": {Role.PRACTITIONER},
                     "lead2": {Role.TEAM_LEAD}}


# --- unlocking -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["prac", "nobody"])
def test_wrong_password_or_unknown_user_is_refused_and_changes_nothing(team: Team, username: str) -> None:
    before = files_of(team)
    with pytest.raises(UnlockFailed) as refused:
        Session.unlock(team.db, username, "not the password at all")
    assert str(refused.value) == "The username or password is not right."
    assert files_of(team) == before
    assert not team.db.with_name("team.db-wal").exists()


def test_unlock_of_a_missing_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(UnlockFailed, match="no database"):
        Session.unlock(tmp_path / "missing.db", "lead", "whatever password")


def test_unlock_without_the_key_file_says_so(team: Team) -> None:
    team.keys.unlink()
    with pytest.raises(UnlockFailed, match="no key file"):
        team.session("lead")


def test_the_key_file_of_another_database_does_not_open_this_one(
        team: Team, tmp_path: Path, team_factory: Callable[[Path], Team]) -> None:
    other = team_factory(tmp_path / "other")
    team.keys.write_bytes(other.keys.read_bytes())
    before = files_of(team)
    with pytest.raises((UnlockFailed, StorageError)):
        team.session("lead")  # the other database's key opens its slot, but not this database
    assert files_of(team) == before


def test_a_second_session_on_the_same_database_is_refused_until_the_first_closes(team: Team) -> None:
    first = team.session("prac")
    try:
        with pytest.raises(AlreadyOpen, match="already open"):
            team.session("lead")
    finally:
        first.close()
    with team.session("lead") as second:
        assert second.user.username == "lead"


def test_a_closed_session_holds_no_key_and_reads_nothing(team: Team) -> None:
    session = team.session("prac")
    session.close()
    assert session.database_key_for_backup() == bytes(32)
    with pytest.raises(StorageError, match="closed"):
        session.children.rows()


# --- users and passwords ------------------------------------------------------------------------------------


def test_only_an_administrator_adds_users(team: Team, fast_kdf: KdfParams) -> None:
    for username in ("prac", "lead2"):
        with team.session(username) as session, pytest.raises(NotAllowed, match="administrator"):
            session.add_user("newbie", "New Person", ["practitioner"], "a long enough password", kdf=fast_kdf)
    assert "newbie" not in SlotFile.open(team.keys).usernames()


def test_a_new_user_can_sign_in_and_is_in_the_audit_log(team: Team, fast_kdf: KdfParams) -> None:
    with team.session("lead") as session:
        session.add_user("dmitri", "Дмитрий Иванов", ["practitioner"], "Дмитрий's password", kdf=fast_kdf)
        events = session.audit_events()
    assert (events[-1].action, events[-1].record_id, events[-1].actor) == ("user.added", "dmitri", "lead")
    with Session.unlock(team.db, "dmitri", "Дмитрий's password") as session:
        assert session.user.display_name == "Дмитрий Иванов"
        assert session.user.roles == {Role.PRACTITIONER}


def test_adding_an_existing_user_is_refused_and_their_slot_kept(team: Team, fast_kdf: KdfParams) -> None:
    before = slots_by_user(team.keys)["prac"]
    with team.session("lead") as session, pytest.raises(NotAllowed, match="already a user"):
        session.add_user("prac", "Imposter", ["team_lead"], "imposter password", kdf=fast_kdf)
    assert slots_by_user(team.keys)["prac"] == before
    team.session("prac").close()


def test_a_refused_new_user_leaves_no_slot_and_no_user(team: Team, fast_kdf: KdfParams) -> None:
    with team.session("lead") as session:
        with pytest.raises(NotAllowed):
            session.add_user("newbie", "New Person", ["director"], "a long enough password", kdf=fast_kdf)
        with pytest.raises(NotAllowed):
            session.add_user("newbie", "New Person", [], "a long enough password", kdf=fast_kdf)
        assert session.user_named("newbie") is None
    assert not SlotFile.open(team.keys).has_slot("newbie")


def test_changed_password_old_fails_new_works_and_only_that_slot_changes(team: Team, fast_kdf: KdfParams) -> None:
    before = slots_by_user(team.keys)
    with team.session("prac") as session:
        session.change_password(team.passwords["prac"], "a brand new password", kdf=fast_kdf)
    after = slots_by_user(team.keys)
    assert after["prac"] != before["prac"]
    assert {k: v for k, v in after.items() if k != "prac"} == {k: v for k, v in before.items() if k != "prac"}
    with pytest.raises(UnlockFailed):
        team.session("prac")
    with Session.unlock(team.db, "prac", "a brand new password") as session:
        assert session.audit_events()[-1].action == "user.password_changed"
        assert session.check() == []


def test_password_change_needs_the_current_password(team: Team, fast_kdf: KdfParams) -> None:
    before = team.keys.read_bytes()
    with team.session("prac") as session, pytest.raises(NotAllowed, match="current password"):
        session.change_password("not my password", "a brand new password", kdf=fast_kdf)
    assert team.keys.read_bytes() == before


def test_password_change_refuses_a_weak_new_password(team: Team, fast_kdf: KdfParams) -> None:
    before = team.keys.read_bytes()
    with team.session("prac") as session, pytest.raises(NotAllowed, match="at least"):
        session.change_password(team.passwords["prac"], "short", kdf=fast_kdf)
    assert team.keys.read_bytes() == before


# --- recovery ----------------------------------------------------------------------------------------------


def test_recovery_code_sets_a_new_password_and_old_signed_events_still_verify(team: Team,
                                                                             fast_kdf: KdfParams) -> None:
    team.add_child("prac")  # an event signed with prac's first key
    with Session.recover(team.db, team.recovery_code, "prac", "recovered password 9", kdf=fast_kdf) as session:
        assert session.user.username == "prac"
        assert session.audit_events()[-1].action == "user.recovered"
        assert len(session.certificates_of("prac")) == 2
        report = session.verify_audit()
        assert report.ok, report.problems
        assert any(e.actor == "prac" and e.action == "child.added" for e in session.audit_events())
        session.children.add({"given_names": "Aoife", "family_name": "Ní Bhriain", "date_of_birth": "2020-02-02"})
        assert session.check() == []
    with pytest.raises(UnlockFailed):
        team.session("prac")
    with Session.unlock(team.db, "prac", "recovered password 9") as session:
        assert len(session.children.rows()) == 2


def test_recovery_accepts_the_code_typed_loosely(team: Team, fast_kdf: KdfParams) -> None:
    loose = team.recovery_code.replace("-", " ").lower()
    Session.recover(team.db, loose, "lead", "recovered password 9", kdf=fast_kdf).close()


def test_recovering_an_administrator_keeps_their_power_to_add_users(team: Team, fast_kdf: KdfParams) -> None:
    with Session.recover(team.db, team.recovery_code, "lead", "recovered password 9", kdf=fast_kdf) as session:
        session.add_user("newbie", "New Person", ["practitioner"], "a long enough password", kdf=fast_kdf)
        assert session.check() == []


def test_wrong_recovery_code_is_refused_and_changes_nothing(team: Team, fast_kdf: KdfParams) -> None:
    before = files_of(team)
    wrong = "2222-3333-4444-5555-6666-7777-8888"
    with pytest.raises(UnlockFailed, match="recovery code is not right"):
        Session.recover(team.db, wrong, "prac", "recovered password 9", kdf=fast_kdf)
    assert files_of(team) == before


def test_recovery_for_an_unknown_user_is_refused_and_changes_nothing(team: Team, fast_kdf: KdfParams) -> None:
    before = files_of(team)
    with pytest.raises(UnlockFailed, match="no active user"):
        Session.recover(team.db, team.recovery_code, "nobody", "recovered password 9", kdf=fast_kdf)
    assert files_of(team)[team.keys] == before[team.keys]
    team.session("lead").close()


# --- the growing delay after wrong passwords ---------------------------------------------------------------


def test_failed_attempts_are_counted_under_cpassess_home_and_reset_by_success(team: Team) -> None:
    home = Path(os.environ["CPASSESS_HOME"])
    for _ in range(3):  # three are free, so no real waiting here
        with pytest.raises(UnlockFailed):
            Session.unlock(team.db, "prac", "not the password at all")
    state_file = attempts_file_for(team.db)
    assert state_file.is_relative_to(home / "state")
    assert json.loads(state_file.read_text())["failures"] == 3
    team.session("prac").close()
    assert json.loads(state_file.read_text())["failures"] == 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_repeated_wrong_passwords_make_each_next_attempt_wait_longer(team: Team, tmp_path: Path) -> None:
    clock = FakeClock()
    limiter = AttemptLimiter(tmp_path / "attempts.json", sleep=clock.sleep, clock=clock.time)
    for _ in range(7):
        with pytest.raises(UnlockFailed):
            Session.unlock(team.db, "prac", "not the password at all", limiter=limiter)
    assert clock.slept == [1.0, 2.0, 4.0]  # before the 5th, 6th and 7th attempts
    # even the right password waits its turn after repeated failures, then clears the count
    Session.unlock(team.db, "prac", team.passwords["prac"], limiter=limiter).close()
    assert clock.slept == [1.0, 2.0, 4.0, 8.0]
    assert json.loads((tmp_path / "attempts.json").read_text())["failures"] == 0


def test_the_delay_survives_a_restart_because_it_is_kept_on_disk(team: Team, tmp_path: Path) -> None:
    clock = FakeClock()
    for _ in range(5):  # a new limiter each time, as each command or app start makes its own
        limiter = AttemptLimiter(tmp_path / "attempts.json", sleep=clock.sleep, clock=clock.time)
        with pytest.raises(UnlockFailed):
            Session.unlock(team.db, "prac", "not the password at all", limiter=limiter)
    assert clock.slept == [1.0]
    assert json.loads((tmp_path / "attempts.json").read_text())["failures"] == 5


def test_check_of_a_fresh_team_is_clean(team: Team) -> None:
    with team.session("lead2") as session:
        assert session.check() == []
        report = session.verify_audit()
    assert report.ok and report.checked == 4
