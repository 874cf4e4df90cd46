"""`server init`, members and the row-level security of the team server, checked with SQL as each role."""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from cpassess.server import ServerError, ServerUnreachable, schema
from cpassess.server.admin import add_member, init_server, remove_member
from cpassess.server.connection import checked_url, database_name, member_url
from cpassess.server.schema import SERVER_MIGRATIONS
from cpassess.server.sync import sync
from cpassess.workflow import NotAllowed
from tests.helpers import Team

if TYPE_CHECKING:
    from postgres_cluster import Cluster


def logins_for(team: Team, url: str) -> dict[str, str]:
    """`server init` as the administrator: each member's own URL."""
    with team.session("lead") as session:
        return {login.username: member_url(url, login.role, login.password) for login in init_server(session, url)}


def as_role(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url, autocommit=True)


def package(sender: str, recipient: str, body: bytes) -> tuple[str, str, str, str, bytes]:
    return hashlib.sha256(body).hexdigest(), sender, recipient, "submission", body


INSERT = "INSERT INTO cpassess.packages (sha256, sender, recipient, kind, body) VALUES (%s, %s, %s, %s, %s)"


def test_init_creates_the_schema_a_login_per_member_and_publishes_the_roster(team: Team, server_url: str) -> None:
    logins = logins_for(team, server_url)
    assert sorted(logins) == ["lead", "lead2", "prac"]
    database = database_name(server_url)
    with as_role(logins["prac"]) as prac:
        assert prac.execute("SELECT current_user").fetchone() == (f"{database}.prac",)
        assert prac.execute("SELECT max(version) FROM cpassess.schema_version").fetchone() == (len(SERVER_MIGRATIONS),)
        assert prac.execute("SELECT count(*) FROM cpassess.rosters").fetchone() == (1,)
        members = prac.execute("SELECT username, administrator FROM cpassess.members ORDER BY 1").fetchall()
    assert members == [("lead", True), ("lead2", False), ("prac", False)]
    with team.session("lead") as session:
        assert init_server(session, server_url) == []  # again: nothing new, existing logins untouched
    with as_role(logins["prac"]) as prac:
        assert prac.execute("SELECT cpassess.me()").fetchone() == ("prac",)


def test_a_practitioner_role_reads_and_collects_only_their_own_packages(team: Team, server_url: str) -> None:
    logins = logins_for(team, server_url)
    with as_role(logins["lead"]) as lead, as_role(logins["lead2"]) as lead2:
        lead.execute(INSERT, package("lead", "prac", b"sealed for prac"))
        lead.execute(INSERT, package("lead", "lead2", b"sealed for lead2"))
        lead2.execute(INSERT, package("lead2", "lead", b"sealed for lead"))
    with as_role(logins["prac"]) as prac:
        rows = prac.execute("SELECT sender, recipient, body FROM cpassess.packages").fetchall()
        assert rows == [("lead", "prac", b"sealed for prac")]
        assert prac.execute("DELETE FROM cpassess.packages WHERE recipient <> 'prac'").rowcount == 0
    with as_role(server_url) as owner:  # the administrator's login sees all three, untouched
        assert owner.execute("SELECT count(*) FROM cpassess.packages").fetchone() == (3,)


@pytest.mark.parametrize(("statement", "parameters"), [
    (INSERT, package("lead", "prac", b"pretending to be the team lead")),
    (INSERT, package("prac", "nobody", b"to someone outside the team")),
    ("UPDATE cpassess.packages SET body = 'x'", None),
    ("INSERT INTO cpassess.rosters (serial, sha256, body) VALUES (1, 'x', 'x')", None),
    ("INSERT INTO cpassess.audit_heads (username, seq, hash, signature) VALUES ('lead', 1, 'x', 'x')", None),
    ("INSERT INTO cpassess.members (username, role) VALUES ('mallory', 'mallory')", None),
    ("SELECT * FROM pg_catalog.pg_authid", None),
])
def test_a_practitioner_role_is_refused_what_is_not_theirs(
        team: Team, server_url: str, statement: str, parameters: Any) -> None:
    logins = logins_for(team, server_url)
    with as_role(logins["prac"]) as prac, pytest.raises(psycopg.errors.InsufficientPrivilege):
        prac.execute(statement, parameters)


def test_members_publish_their_own_audit_head_and_administrators_the_roster(team: Team, server_url: str) -> None:
    logins = logins_for(team, server_url)
    with as_role(logins["prac"]) as prac:
        prac.execute("INSERT INTO cpassess.audit_heads (username, seq, hash, signature) VALUES ('prac', 3, 'h', 's')")
        prac.execute("INSERT INTO cpassess.packages (sha256, sender, recipient, kind, body) "
                     "VALUES (%s, %s, %s, %s, %s)", package("prac", "lead", b"to the team lead"))
    with as_role(logins["lead2"]) as lead2:
        assert lead2.execute("SELECT username, seq FROM cpassess.audit_heads").fetchall() == [("prac", 3)]
        assert lead2.execute("UPDATE cpassess.audit_heads SET seq = 1 WHERE username = 'prac'").rowcount == 0
    with as_role(logins["lead"]) as lead:  # an administrator
        lead.execute("INSERT INTO cpassess.rosters (serial, sha256, body) VALUES (99, 'y', 'y')")


def test_remove_member_ends_the_login_and_deletes_what_waits_for_them(team: Team, server_url: str) -> None:
    logins = logins_for(team, server_url)
    with as_role(logins["lead"]) as lead:
        lead.execute(INSERT, package("lead", "lead2", b"waiting for lead2"))
    with team.session("lead") as session:
        assert remove_member(session, server_url, "lead2") == 1
        with pytest.raises(NotAllowed, match="not a member"):
            remove_member(session, server_url, "lead2")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        as_role(logins["lead2"]).close()
    with as_role(logins["lead"]) as lead, pytest.raises(psycopg.errors.InsufficientPrivilege):
        lead.execute(INSERT, package("lead", "lead2", b"to someone who left"))
    with team.session("lead") as session:
        login = add_member(session, server_url, "lead2")  # back again, with a new password
        with pytest.raises(NotAllowed, match="already a member"):
            add_member(session, server_url, "lead2")
    with as_role(member_url(server_url, login.role, login.password)) as lead2:
        assert lead2.execute("SELECT cpassess.me()").fetchone() == ("lead2",)


def test_only_an_administrator_sets_up_the_server(team: Team, server_url: str, postgres: Cluster) -> None:
    with team.session("prac") as session, pytest.raises(NotAllowed):
        init_server(session, server_url)
    with team.session("lead") as session, pytest.raises(ServerUnreachable, match="password authentication"):
        init_server(session, postgres.url(database_name(server_url), password="wrong"))


def test_tls_is_required_unless_the_server_is_on_this_computer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGSSLMODE", raising=False)
    monkeypatch.delenv("PGHOST", raising=False)
    assert checked_url("postgresql://team.example.org/cpassess")["sslmode"] == "verify-full"
    assert checked_url("postgresql://team.example.org/cpassess?sslmode=require")["sslmode"] == "require"
    assert "sslmode" not in checked_url("postgresql://localhost/cpassess")
    assert "sslmode" not in checked_url("postgresql://u@/cpassess?host=/run/postgresql")
    for weak in ("disable", "allow", "prefer"):
        with pytest.raises(ServerError, match="must be encrypted"):
            checked_url(f"postgresql://team.example.org/cpassess?sslmode={weak}")
    with pytest.raises(ServerError, match="names no database"):
        checked_url("postgresql://team.example.org")
    with pytest.raises(ServerError, match="starts with postgresql://"):
        checked_url("https://team.example.org/cpassess")
    assert os.environ.get("PGSSLMODE") is None


def test_a_server_set_up_by_the_previous_version_is_upgraded_by_server_init(
        team: Team, server_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as older:
        older.setattr(schema, "SERVER_MIGRATIONS", SERVER_MIGRATIONS[:1])
        logins = logins_for(team, server_url)
    with as_role(logins["prac"]) as prac:
        assert prac.execute("SELECT max(version) FROM cpassess.schema_version").fetchone() == (1,)
    with team.session("prac") as session, pytest.raises(ServerError, match="runs cpassess server init to upgrade"):
        sync(session, logins["prac"])
    with team.session("lead") as session:
        assert init_server(session, server_url) == []  # the upgrade; everyone keeps their login
    with as_role(logins["lead"]) as lead:
        assert lead.execute("SELECT max(version) FROM cpassess.schema_version").fetchone() == (len(SERVER_MIGRATIONS),)
        assert lead.execute("SELECT cpassess.end_membership('lead2')").fetchone() == (0,)
