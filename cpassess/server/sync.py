"""`cpassess sync`: push the outbox, fetch what is addressed to this user, import it by the rules of §10.

Every step can be cut off at any point and simply run again. A package leaves the outbox only once the server
has committed it (a second push of the same bytes is a no-op there); a fetched package is stored in the inbox
before the server is told to forget it; and an import is known by its own audit event, so a package imported just
before a crash counts as already imported, never twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg

from cpassess.authority import sign
from cpassess.exchange.envelope import PackageRefused
from cpassess.server import ServerError, ServerUnreachable, outbox
from cpassess.server.connection import checked_url, connect, describe
from cpassess.server.mailbox import Mailbox
from cpassess.workflow import NotAllowed, Role

if TYPE_CHECKING:
    from cpassess.session import Session

log = logging.getLogger(__name__)

BATCH = 100


@dataclass
class SyncReport:
    sent: int = 0
    held_back: int = 0  # the server refused them (recipient not a member): still in the outbox
    received: int = 0
    imported: int = 0
    already: int = 0
    refused: list[str] = field(default_factory=list)
    roster_members: int | None = None
    removed: list[str] = field(default_factory=list)  # leavers whose server login this sync ended
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> list[str]:
        lines = [f"Sent {self.sent}, received {self.received}: {self.imported} imported, {self.already} already "
                 f"here, {len(self.refused)} refused."]
        lines += [f"Ended {username}'s team-server login (removed from the team)." for username in self.removed]
        if self.roster_members is not None:
            lines.append(f"Imported the team roster: {self.roster_members} members.")
        if self.held_back:
            lines.append(f"{self.held_back} package(s) stay in the outbox: the server refused them (a recipient it "
                         "does not know: ask the administrator to run cpassess server add-member).")
        lines += [f"Refused: {reason}" for reason in self.refused]
        return lines + self.warnings


def import_package(session: Session, data: bytes, sha256: str) -> Any:
    """The one place sync hands a package to the exchange import and its rules (§10); its inbox copy is marked
    imported in the import's own transaction."""
    from cpassess.casework.packages import import_package as apply

    return apply(session, data, also=lambda connection: outbox.settle_in(connection, sha256, "imported"))


def sync(session: Session, url: str | None = None) -> SyncReport:
    """Push, fetch, import; `url` (when given) is checked, then remembered for this database."""
    if url is not None:
        checked_url(url)
    address = url or outbox.server_url(session)
    if address is None:
        raise ServerError("No team server is set for this database: give its address once with --server URL.")
    report = SyncReport()
    try:
        with connect(address, session.user.username) as connection:
            mailbox = Mailbox(connection, session.user.username)
            if url is not None and url != outbox.server_url(session):
                outbox.set_server_url(session, url)
            _end_removals(session, connection, report)
            _push(session, mailbox, report)
            _roster(session, mailbox, report)
            report.received += deliver(session, mailbox)
            import_waiting(session, report)
            _publish_head(session, mailbox, report)
    except psycopg.OperationalError as error:
        log.warning("team server connection lost: %s", type(error).__name__)
        raise ServerUnreachable(f"The connection to the team server {describe(address)} was lost; nothing is lost "
                                "here: sync again when it is back.") from None
    except psycopg.Error as error:
        raise ServerError(f"The team server refused the sync ({type(error).__name__}); nothing was lost.") from None
    outbox.record_sync(session)
    return report


def set_server(session: Session, url: str | None) -> None:
    """Set (or with None, clear) this database's team server, refusing an address that would not be safe."""
    if url:
        checked_url(url)
    outbox.set_server_url(session, url.strip() if url else None)


def sync_on_own_connection(session: Session) -> SyncReport:
    """`sync` on a second connection to the same database, for a worker thread while the window keeps using
    the first (SQLite's WAL lets the two share the file; each write waits its turn)."""
    from cpassess.session import Session as SignedIn
    from cpassess.storage import Database

    key = session.database_key_for_backup()
    database = Database(session.db.path, key, lock=False)  # this process already holds the lock
    # the authority key (administrators only) decides whether this laptop writes rosters or imports them
    worker = SignedIn(database, session.slots, session.user, session.signing_key, session.authority_certificate,
                      session._authority_key, key)
    try:
        return sync(worker)
    finally:
        worker.close()


def _end_removals(session: Session, connection: psycopg.Connection[Any], report: SyncReport) -> None:
    """A leaver's server login that `user remove` could not end (the server was out of reach) is ended by the
    next sync of an administrator; the roster revoking them goes with the push that follows."""
    from cpassess.server.admin import end_pending_removals

    if not outbox.pending_removals(session) or not session.actor.has(Role.ADMINISTRATOR):
        return
    try:
        report.removed = end_pending_removals(session, connection)
    except psycopg.errors.InsufficientPrivilege:
        report.warnings.append("Your team-server login may not end a leaver's membership: run cpassess server "
                               "remove-member with the database owner's login.")


def _push(session: Session, mailbox: Mailbox, report: SyncReport) -> None:
    from cpassess.exchange.roster import read_roster

    unsent = outbox.unsent(session)
    rosters = [item for item in unsent if item.kind == "roster"]
    if rosters:  # only the newest roster matters
        newest = rosters[-1]
        serial = int(read_roster(newest.package, session.authority_certificate)["serial"])
        if mailbox.publish_roster(serial, newest.sha256, newest.package):
            outbox.mark_rosters_sent(session)
            report.sent += 1
        else:
            report.held_back += 1
    stuck: set[str] = set()  # a recipient whose earlier package was refused: later ones wait, to keep their order
    for item in unsent:
        if item.kind == "roster":
            continue
        if item.recipient is None or item.recipient in stuck:
            delivered = False
        else:
            delivered = mailbox.deliver(item.sha256, item.kind, item.recipient, item.package)
        if not delivered:
            report.held_back += 1
            stuck.add(item.recipient or "")
            continue
        outbox.mark_sent(session, item.sha256)
        report.sent += 1


def _roster(session: Session, mailbox: Mailbox, report: SyncReport) -> None:
    """Import the server's roster when it is newer (the laptop holding the team authority writes rosters)."""
    from cpassess.exchange.roster import import_roster

    try:
        session.authority()
        return
    except NotAllowed:
        pass
    roster = mailbox.latest_roster()
    if roster is None:
        return
    current = session.db.query_one("SELECT value FROM meta WHERE key = 'roster_serial'")
    try:
        from cpassess.exchange.roster import read_roster

        serial = int(read_roster(roster, session.authority_certificate)["serial"])
        if current is not None and serial <= int(current["value"]):
            return
        report.roster_members = import_roster(session, roster)
    except PackageRefused as refusal:
        report.warnings.append(f"The roster on the team server was not imported: {refusal}")
        return
    outbox.retry_refused(session)


def deliver(session: Session, mailbox: Mailbox) -> int:
    """The server's packages for this user into the encrypted inbox, BATCH at a time: each batch fetched in one
    query, stored in one transaction, and only then collected from the server in one statement. Returns how many
    were new here."""
    received = 0
    while batch := mailbox.fetch(BATCH):
        received += outbox.receive(session, [package for _, package in batch])
        mailbox.collect([sha256 for sha256, _ in batch])
    return received


def import_waiting(session: Session, report: SyncReport) -> None:
    """Import what the inbox holds by the rules of §10, one package at a time; each import and the inbox's
    note that it is done are one transaction, so a kill leaves a package either imported and marked, or neither."""
    for item in outbox.waiting(session):
        if outbox.already_imported(session, item.sha256):  # came by hand too, or an older version's cut-off sync
            outbox.settle(session, item.sha256, "imported")
            report.already += 1
            continue
        try:
            import_package(session, item.package, item.sha256)
        except (PackageRefused, NotAllowed) as refusal:
            outbox.settle(session, item.sha256, "refused", str(refusal))
            report.refused.append(str(refusal))
            continue
        report.imported += 1


def _publish_head(session: Session, mailbox: Mailbox, report: SyncReport) -> None:
    head = session.audit_head()
    published = mailbox.published_head()
    if published is not None and published[0] > head.seq:
        report.warnings.append(f"This database's audit log ends at event {head.seq}, but it published event "
                               f"{published[0]} before: it may have been restored from an older copy "
                               "(run cpassess check).")
        return
    mailbox.publish_head(head.seq, head.hash, sign(session.signing_key, f"{head.seq}:{head.hash}".encode()))
