"""`user remove` ends the leaver's team-server login too (DESIGN §8.7, §15): with the administrator's own login,
at once when the server is reachable, else at the administrator's next sync; checked with SQL as the leaver."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from laptops import Laptops

from cpassess.cli import main
from cpassess.exchange.roster import read_roster
from cpassess.server import outbox
from cpassess.server.leavers import remove_user
from cpassess.server.mailbox import Mailbox
from cpassess.server.sync import set_server
from cpassess.workflow import NotAllowed

if TYPE_CHECKING:
    from conftest import Team
    from postgres_cluster import Cluster

INSERT = "INSERT INTO cpassess.packages (sha256, sender, recipient, kind, body) VALUES (%s, %s, %s, %s, %s)"


@pytest.fixture
def laptops(team: Team, tmp_path: Path, server_url: str) -> Laptops:
    """Both laptops joined; the team lead's (the administrator's) remembers its own server login."""
    joined = Laptops(team, tmp_path, server_url)
    with joined.lead.session("lead") as session:
        set_server(session, joined.urls["lead"])
    return joined


def to(recipient: str, body: bytes) -> tuple[str, str, str, str, bytes]:
    return hashlib.sha256(body).hexdigest(), "prac", recipient, "submission", body


def revoked_on_server(server_url: str) -> set[str]:
    """Usernames revoked by the newest roster on the server."""
    with psycopg.connect(server_url) as owner:
        body = owner.execute("SELECT body FROM cpassess.rosters ORDER BY serial DESC LIMIT 1").fetchone()[0]
    return {entry["username"] for entry in read_roster(bytes(body))["revocations"]}


def assert_locked_out(laptops: Laptops, leaver: str) -> None:
    """The leaver's role cannot log in, and nobody can send them a package any more."""
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(laptops.urls[leaver]).close()
    with psycopg.connect(laptops.urls["prac"], autocommit=True) as prac, pytest.raises(
            psycopg.errors.InsufficientPrivilege):
        prac.execute(INSERT, to(leaver, b"for someone who left"))


def test_user_remove_ends_the_leavers_server_login_with_the_administrators_own_login(
        laptops: Laptops, server_url: str) -> None:
    with psycopg.connect(laptops.urls["prac"], autocommit=True) as prac:
        prac.execute(INSERT, to("lead2", b"waiting for lead2"))
    leaver = psycopg.connect(laptops.urls["lead2"], autocommit=True)  # open while they are removed
    assert leaver.execute("SELECT count(*) FROM cpassess.packages").fetchone() == (1,)
    with laptops.lead.session("lead") as session:
        removal = remove_user(session, "lead2")  # the database's own address: the lead's member login
        assert removal.server == "ended", removal
        assert outbox.pending_removals(session) == []
        assert outbox.sync_state(session).to_send == 0  # the roster with the revocation went with it
        assert session.user_named("lead2").active is False
    with pytest.raises(psycopg.OperationalError):  # their open session was ended
        leaver.execute("SELECT count(*) FROM cpassess.packages")
    leaver.close()
    assert_locked_out(laptops, "lead2")
    with psycopg.connect(server_url) as owner:
        assert owner.execute("SELECT count(*) FROM cpassess.packages").fetchone() == (0,)  # only lead2 could open it
        assert owner.execute("SELECT active FROM cpassess.members WHERE username = 'lead2'").fetchone() == (False,)
    assert revoked_on_server(server_url) == {"lead2"}
    assert laptops.sync("prac").roster_members == 3  # the practitioner's laptop learns of the revocation


def test_with_the_server_down_the_removal_completes_here_and_the_server_part_at_the_next_admin_sync(
        laptops: Laptops, server_url: str, postgres: Cluster) -> None:
    postgres.stop()
    try:
        with laptops.lead.session("lead") as session:
            removal = remove_user(session, "lead2")
            assert session.user_named("lead2").active is False  # the local removal is complete
            assert outbox.pending_removals(session) == ["lead2"]
    finally:
        postgres.start()
    assert removal.server == "pending"
    assert removal.describe()[1].startswith("lead2's team-server login is not ended yet (the team server ")
    assert "next cpassess sync or server command" in removal.describe()[1]
    with psycopg.connect(laptops.urls["lead2"]) as leaver:  # still in, until an administrator syncs
        assert leaver.execute("SELECT cpassess.me()").fetchone() == ("lead2",)
    report = laptops.sync("prac")  # a practitioner's sync cannot end it, and does not try
    assert report.removed == []
    report = laptops.sync("lead")
    assert report.removed == ["lead2"] and "Ended lead2's team-server login" in "\n".join(report.describe())
    assert_locked_out(laptops, "lead2")
    assert revoked_on_server(server_url) == {"lead2"}
    with laptops.lead.session("lead") as session:
        assert outbox.pending_removals(session) == []
    assert laptops.sync("lead").removed == []  # done once


def test_a_pending_removal_is_also_ended_by_the_next_server_command(
        laptops: Laptops, server_url: str, postgres: Cluster) -> None:
    from cpassess.server.admin import add_member

    postgres.stop()
    try:
        with laptops.lead.session("lead") as session:
            assert remove_user(session, "lead2").server == "pending"
    finally:
        postgres.start()
    with laptops.lead.session("lead") as session, pytest.raises(NotAllowed, match="already a member"):
        add_member(session, server_url, "prac")  # refused, but the pending removal went first
    assert_locked_out(laptops, "lead2")


def test_only_an_administrator_ends_a_membership_on_the_server(laptops: Laptops) -> None:
    with psycopg.connect(laptops.urls["prac"], autocommit=True) as prac:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            prac.execute("SELECT cpassess.end_membership('lead2')")
        assert Mailbox(prac, "prac").deliver(to("lead2", b"still a member")[0], "submission", "lead2",
                                             b"still a member")
    with psycopg.connect(laptops.urls["lead"], autocommit=True) as lead, pytest.raises(
            psycopg.errors.InsufficientPrivilege, match="own membership"):
        lead.execute("SELECT cpassess.end_membership('lead')")


def test_a_mistyped_server_address_is_refused_before_anything_changes(team: Team) -> None:
    from cpassess.server import ServerError

    with team.session("lead") as session:
        with pytest.raises(ServerError, match="must be encrypted"):
            remove_user(session, "lead2", "postgresql://team.example.org/x?sslmode=disable")
        assert session.user_named("lead2").active is True


def test_user_remove_on_the_command_line_says_what_became_of_the_server_login(
        laptops: Laptops, postgres: Cluster, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(laptops.lead.passwords["lead"] + "\n"))
    postgres.stop()
    try:
        status = main(["user", "remove", "--db", str(laptops.lead.db), "--as", "lead", "--user", "lead2",
                       "--password-stdin"])
    finally:
        postgres.start()
    out = capsys.readouterr().out.splitlines()
    assert status == 0 and out[0].startswith("Removed lead2: account closed, 1 certificate(s) revoked")
    assert out[1].startswith("lead2's team-server login is not ended yet (the team server this computer/")
    assert out[1].endswith("until then the removal is kept in this database.") and len(out) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO(laptops.lead.passwords["lead"] + "\n"))
    assert main(["sync", "--db", str(laptops.lead.db), "--as", "lead", "--password-stdin"]) == 0
    assert "Ended lead2's team-server login (removed from the team)." in capsys.readouterr().out
    assert_locked_out(laptops, "lead2")


def test_the_server_can_be_owned_by_an_ordinary_login_that_may_create_roles(
        team: Team, tmp_path: Path, postgres: Cluster) -> None:
    """As a council would run it: the team's database owned by a login with CREATEROLE, not a superuser."""
    import secrets

    password = secrets.token_hex(12)
    with psycopg.connect(postgres.url(), autocommit=True) as superuser:
        superuser.execute(f"CREATE ROLE team_owner LOGIN CREATEROLE PASSWORD '{password}'")
        superuser.execute("CREATE DATABASE owned_team OWNER team_owner")
    joined = Laptops(team, tmp_path, postgres.url("owned_team", user="team_owner", password=password))
    with joined.lead.session("lead") as session:
        assert remove_user(session, "lead2", joined.urls["lead"]).server == "ended"
    assert_locked_out(joined, "lead2")
