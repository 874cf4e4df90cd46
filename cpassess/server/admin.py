"""Setting up the team server and its members (administrators only, with a PostgreSQL login that may create
roles: the owner of the team's database, or a superuser).

Each member gets a PostgreSQL role of their own with a random password, shown once to the administrator (the
server keeps only its SCRAM verifier, computed here). The signed roster is published on every change.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import errors, sql

from cpassess.server import ServerError, outbox
from cpassess.server.connection import connect, database_name, group_role, member_role
from cpassess.server.outbox import mark_rosters_sent, sha256_of
from cpassess.server.schema import check_schema, migrate
from cpassess.workflow import NotAllowed, Role, check_is_administrator

if TYPE_CHECKING:
    from cpassess.session import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MemberLogin:
    """A member's login to the team server; the password exists only in this object and on the screen."""

    username: str
    role: str
    password: str


def _administering(session: Session, url: str) -> psycopg.Connection[Any]:
    check_is_administrator(session.actor)
    session.authority()  # the roster is signed with the team authority: only its laptop can run the server
    return connect(url)


def create_group(connection: psycopg.Connection[Any], database: str) -> str:
    """The members' group role (made once) with the right to connect; returns its name."""
    group = group_role(database)
    with connection.transaction():
        if not _role_exists(connection, group):
            connection.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(group)))
        connection.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database),
                                                                                 sql.Identifier(group)))
    return group


def _role_exists(connection: psycopg.Connection[Any], role: str) -> bool:
    return connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


def create_login(connection: psycopg.Connection[Any], database: str, username: str, administrator: bool) -> MemberLogin:
    """A member's role (new, or a fresh password for an existing one) inside the caller's transaction."""
    role, group = member_role(database, username), group_role(database)
    password = secrets.token_urlsafe(24)
    verifier = connection.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()
    action = "ALTER" if _role_exists(connection, role) else "CREATE"
    connection.execute(sql.SQL(action + " ROLE {} LOGIN PASSWORD {}").format(
        sql.Identifier(role), sql.Literal(verifier)))
    connection.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(role)))
    connection.execute(
        "INSERT INTO cpassess.members (username, role, administrator) VALUES (%s, %s, %s) ON CONFLICT (username) "
        "DO UPDATE SET role = excluded.role, administrator = excluded.administrator, active = true",
        (username, role, administrator))
    return MemberLogin(username, role, password)


def _members(connection: psycopg.Connection[Any]) -> set[str]:
    return {row[0] for row in connection.execute("SELECT username FROM cpassess.members WHERE active")}


def publish_roster(session: Session, connection: psycopg.Connection[Any]) -> None:
    """Sign the current roster and put it on the server (it is also in the outbox until then)."""
    from cpassess.exchange.roster import build_roster, read_roster

    roster = build_roster(session)  # kept in the outbox by build_roster until the server has it
    serial = int(read_roster(roster, session.authority_certificate)["serial"])
    with connection.transaction():
        connection.execute("INSERT INTO cpassess.rosters (serial, sha256, body) VALUES (%s, %s, %s) "
                           "ON CONFLICT DO NOTHING", (serial, sha256_of(roster), roster))
    mark_rosters_sent(session)


def _refused(error: psycopg.Error) -> ServerError:
    if isinstance(error, errors.InsufficientPrivilege):
        return ServerError("The server login in the URL may not set up the team server: use the owner of the "
                           "team's database, with the right to create roles (see docs/admin.md).")
    return ServerError(f"The team server refused the change ({type(error).__name__}).")


def init_server(session: Session, url: str) -> list[MemberLogin]:
    """Create (or upgrade) the schema and give every active member without one a login; publish the roster.
    Running it again is safe: existing members keep their logins."""
    database = database_name(url)
    with _administering(session, url) as connection:
        try:
            migrate(connection, create_group(connection, database))
            end_pending_removals(session, connection)
            with connection.transaction():
                members = _members(connection)
                logins = [create_login(connection, database, user.username, Role.ADMINISTRATOR in user.roles)
                          for user in session.users() if user.active and user.username not in members]
            publish_roster(session, connection)
        except psycopg.errors.ProgrammingError as error:
            raise _refused(error) from None
    return logins


def add_member(session: Session, url: str, username: str) -> MemberLogin:
    """A login for one more member (a user of this laptop's team), and the roster that lists them."""
    user = session.user_named(username)
    if user is None or not user.active:
        raise NotAllowed(f"'{username}' is not an active member of the team on this laptop; add them first "
                         "(cpassess user add, or package join approve).")
    database = database_name(url)
    with _administering(session, url) as connection:
        check_schema(connection)
        try:
            end_pending_removals(session, connection)
            with connection.transaction():
                if username in _members(connection):
                    raise NotAllowed(f"{username} is already a member of the team server.")
                login = create_login(connection, database, username, Role.ADMINISTRATOR in user.roles)
            publish_roster(session, connection)
        except psycopg.errors.ProgrammingError as error:
            raise _refused(error) from None
    return login


def end_membership(connection: psycopg.Connection[Any], username: str) -> int | None:
    """End a member's server login (their role dropped, their sessions ended, the packages waiting for them
    deleted: only they could open them) with the administrator's or the owner's login; returns how many
    packages were deleted, None when `username` is not an active member there."""
    with connection.transaction():
        row = connection.execute("SELECT cpassess.end_membership(%s)", (username,)).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def end_pending_removals(session: Session, connection: psycopg.Connection[Any]) -> list[str]:
    """End on the server every leaver's login that `user remove` could not end there (the server was out of
    reach); returns their usernames. The roster that revokes them is in the outbox since `user remove`: the
    caller publishes it. Administrators only."""
    pending = outbox.pending_removals(session)
    if not pending:
        return []
    check_is_administrator(session.actor)
    for username in pending:
        end_membership(connection, username)  # None: never a member there, or already gone: nothing left to end
        outbox.removal_ended(session, username)
    log.info("ended %d pending server removal(s)", len(pending))
    return pending


def remove_member(session: Session, url: str, username: str) -> int:
    """End a member's server login (see `end_membership`) and publish the roster; returns how many packages
    waiting for them were deleted."""
    with _administering(session, url) as connection:
        check_schema(connection)
        try:
            deleted = end_membership(connection, username)
            if deleted is None:
                raise NotAllowed(f"{username} is not a member of the team server.")
            outbox.removal_ended(session, username)  # if `user remove` left it waiting
            end_pending_removals(session, connection)
            publish_roster(session, connection)
        except psycopg.errors.ProgrammingError as error:
            raise _refused(error) from None
    return deleted
