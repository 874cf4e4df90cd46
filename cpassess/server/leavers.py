"""A leaver's team-server login ends with their account (DESIGN §8.7, §15).

`remove_user` is what `cpassess user remove` and the app's Settings call. The account is closed here first,
whatever the server: the removal is kept in the encrypted database (like the outbox), and ended on the server now
if it can be reached with the administrator's own login (the database's server address, or the one given),
else by the next `cpassess sync` or `cpassess server ...` of an administrator. The roster that revokes the
leaver travels through the server the same way. psycopg is loaded only when a server is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cpassess.server import ServerError, ServerUnreachable, outbox

if TYPE_CHECKING:
    from cpassess.session import Session


@dataclass(frozen=True)
class Removal:
    """What `remove_user` did: the certificates revoked here, and what became of the leaver's server login."""

    username: str
    revoked: list[str]
    server: str | None  # None: no team server is set; "ended"; "pending" (ended at the next admin sync)
    reason: str = ""  # why the server part is pending, in one line

    def describe(self) -> list[str]:
        lines = [f"Removed {self.username}: account closed, {len(self.revoked)} certificate(s) revoked, the database "
                 "re-keyed and every remaining key slot re-sealed."]
        if self.server is None:
            lines.append("Export a new team roster and import it on every laptop.")
        elif self.server == "ended":
            lines.append(f"{self.username} can no longer log in to the team server; the roster that revokes them "
                         "is on the server for every laptop's next sync.")
        else:
            lines.append(f"{self.username}'s team-server login is not ended yet ({self.reason}): it will be at your "
                         "next cpassess sync or server command; until then the removal is kept in this database.")
        return lines


def remove_user(session: Session, username: str, url: str | None = None) -> Removal:
    """End `username` here (Session.remove_user), then their team-server login with this administrator's
    login: `url`, or the database's server address; with neither, nothing changes from the file exchange."""
    if url is not None:
        from cpassess.server.connection import checked_url

        checked_url(url)  # a mistyped address is refused before anything changes
    revoked = session.remove_user(username)
    address = url or outbox.server_url(session)
    if address is None:
        return Removal(username, revoked, None)
    outbox.keep_removal(session, username)
    from cpassess.exchange.roster import build_roster

    build_roster(session)  # the revocation, in the outbox until the server has it
    try:
        end_on_server(session, address)
    except ServerUnreachable:
        from cpassess.server.connection import describe

        return Removal(username, revoked, "pending", f"the team server {describe(address)} could not be reached")
    except ServerError as problem:
        return Removal(username, revoked, "pending", str(problem).rstrip("."))
    return Removal(username, revoked, "ended")


def end_on_server(session: Session, url: str) -> list[str]:
    """Every pending removal ended on the server and the roster published there; returns the usernames."""
    import psycopg

    from cpassess.server.admin import end_pending_removals, publish_roster
    from cpassess.server.connection import checked_url, connect
    from cpassess.server.schema import check_schema

    checked_url(url)
    try:
        with connect(url, session.user.username) as connection:
            check_schema(connection)
            ended = end_pending_removals(session, connection)
            publish_roster(session, connection)
    except psycopg.errors.InsufficientPrivilege:
        raise ServerError("your server login may not end memberships (an administrator's own login, or the "
                          "database owner's, is needed)") from None
    except psycopg.Error as error:
        raise ServerError(f"the team server refused ({type(error).__name__})") from None
    return ended
