"""`sync` between two laptops through the team server, in-process: the round trip, replays, interruptions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from laptops import Laptops

from cpassess.casework.packages import import_package
from cpassess.export.verification import verify_pdf
from cpassess.server import ServerError, ServerUnreachable, outbox
from cpassess.server import sync as sync_module
from cpassess.server.mailbox import Mailbox
from cpassess.server.sync import SyncReport, sync
from tests.helpers import Team

if TYPE_CHECKING:
    from postgres_cluster import Cluster


@pytest.fixture
def laptops(team: Team, tmp_path: Path, server_url: str) -> Laptops:
    return Laptops(team, tmp_path, server_url)


def counts(report: SyncReport) -> tuple[int, int, int, int, int]:
    return report.sent, report.received, report.imported, report.already, len(report.refused)


def imports_of(team: Team, who: str) -> int:
    with team.session(who) as session:
        return sum(1 for event in session.audit_events() if event.action == "package.imported")


def test_submission_and_approval_travel_through_the_server_and_the_pdf_verifies(laptops: Laptops) -> None:
    assessment_id = laptops.submit()
    first = laptops.sync("prac")
    assert counts(first) == (1, 0, 0, 0, 0) and first.roster_members == 3, first
    assert counts(laptops.sync("lead")) == (0, 1, 1, 0, 0)
    with laptops.lead.session("lead") as session:
        assert session.assessments.get(assessment_id).status == "submitted"
    laptops.approve(assessment_id)
    assert counts(laptops.sync("lead")) == (1, 0, 0, 0, 0)
    assert counts(laptops.sync("prac")) == (0, 1, 1, 0, 0)
    with laptops.prac.session("prac") as session:
        assert session.assessments.get(assessment_id).status == "approved"
        pdf = session.assessments.document(assessment_id, "full", "approved")
        assert pdf is not None
        report = verify_pdf(pdf, [session.authority_certificate])
        assert report.ok and len(report.signatures) == 2
        assert outbox.sync_state(session).to_send == 0
    for who in ("prac", "lead"):  # nothing left anywhere: a second sync has nothing to do
        assert counts(laptops.sync(who)) == (0, 0, 0, 0, 0)


def test_the_server_forgets_a_package_once_it_is_stored_on_the_recipients_laptop(laptops: Laptops) -> None:
    laptops.submit()
    laptops.sync("prac")
    with psycopg.connect(laptops.server_url) as owner:
        assert owner.execute("SELECT recipient, kind FROM cpassess.packages").fetchall() == [("lead", "submission")]
    laptops.sync("lead")
    with psycopg.connect(laptops.server_url) as owner:
        assert owner.execute("SELECT count(*) FROM cpassess.packages").fetchone() == (0,)
        heads = owner.execute("SELECT username FROM cpassess.audit_heads ORDER BY 1").fetchall()
    assert heads == [("lead",), ("prac",)]


def test_a_package_also_carried_by_hand_is_imported_once(laptops: Laptops, tmp_path: Path) -> None:
    assessment_id = laptops.submit()
    with laptops.prac.session("prac") as session:
        by_hand = outbox.unsent(session)[-1].package
    with laptops.lead.session("lead") as session:
        import_package(session, by_hand)
    laptops.sync("prac")
    assert counts(laptops.sync("lead")) == (0, 1, 0, 1, 0)
    assert imports_of(laptops.lead, "lead") == 1
    with laptops.lead.session("lead") as session:
        assert session.assessments.get(assessment_id).status == "submitted"


class Cut(Exception):
    """Stands for the laptop dying at this point."""


def cut_once(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, error: BaseException) -> None:
    """Make `owner.name` fail once, after doing its work (after=True) or instead of it."""
    real = getattr(owner, name)
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        result = real(*args, **kwargs)
        if calls["n"] == 1:
            raise error
        return result

    monkeypatch.setattr(owner, name, failing)


@pytest.mark.parametrize(("who", "owner", "name", "error"), [
    ("prac", Mailbox, "deliver", psycopg.OperationalError("server closed the connection")),  # committed, no reply
    ("prac", outbox, "mark_sent", Cut()),
    ("lead", Mailbox, "fetch", psycopg.OperationalError("network cut")),
    ("lead", outbox, "receive", Cut()),  # stored here, the server not yet told
    ("lead", Mailbox, "collect", psycopg.OperationalError("network cut")),  # the server forgot, the reply was lost
    ("lead", sync_module, "import_package", Cut()),  # imported and marked so, in one transaction, then killed
])
def test_a_sync_cut_off_at_any_step_resumes_with_nothing_lost_or_doubled(
        laptops: Laptops, monkeypatch: pytest.MonkeyPatch, who: str, owner: Any, name: str,
        error: BaseException) -> None:
    assessment_id = laptops.submit()
    if who == "lead":
        laptops.sync("prac")
    with monkeypatch.context() as patch:
        cut_once(patch, owner, name, error)
        with pytest.raises(ServerUnreachable if isinstance(error, psycopg.Error) else Cut):
            laptops.sync(who)
    laptops.sync("prac")
    laptops.sync("lead")
    assert imports_of(laptops.lead, "lead") == 1
    with laptops.lead.session("lead") as session:
        assert session.assessments.get(assessment_id).status == "submitted"
        state = outbox.sync_state(session)
        assert (state.to_import, state.refused) == (0, 0)
    with psycopg.connect(laptops.server_url) as owner_login:
        assert owner_login.execute("SELECT count(*) FROM cpassess.packages").fetchone() == (0,)



def test_a_sync_killed_between_two_imports_of_one_batch_imports_each_package_once(
        laptops: Laptops, monkeypatch: pytest.MonkeyPatch) -> None:
    submitted = [laptops.submit() for _ in range(2)]
    laptops.sync("prac")
    real = sync_module.import_package

    def killed_after_it(*args: Any) -> Any:
        real(*args)
        raise Cut

    with monkeypatch.context() as patch:
        patch.setattr(sync_module, "import_package", killed_after_it)
        with pytest.raises(Cut):
            laptops.sync("lead")
    with laptops.lead.session("lead") as session:
        assert outbox.sync_state(session).to_import == 1  # the second, stored and waiting; the first is marked
    assert counts(laptops.sync("lead")) == (0, 0, 1, 0, 0)
    assert imports_of(laptops.lead, "lead") == 2
    with laptops.lead.session("lead") as session:
        assert {session.assessments.get(aid).status for aid in submitted} == {"submitted"}

def test_with_the_server_down_everything_waits_in_the_outbox(laptops: Laptops, postgres: Cluster) -> None:
    laptops.submit()
    postgres.stop()
    try:
        with pytest.raises(ServerUnreachable, match="everything waits in the outbox"):
            laptops.sync("prac")
    finally:
        postgres.start()
    with laptops.prac.session("prac") as session:
        assert outbox.sync_state(session).to_send == 1
    assert counts(laptops.sync("prac"))[0] == 1
    assert counts(laptops.sync("lead"))[2] == 1


def test_a_package_for_someone_the_server_does_not_know_stays_in_the_outbox(laptops: Laptops) -> None:
    assessment_id = laptops.submit()
    with psycopg.connect(laptops.server_url, autocommit=True) as owner:
        owner.execute("UPDATE cpassess.members SET active = false WHERE username = 'lead'")
    report = laptops.sync("prac")
    assert (report.sent, report.held_back) == (0, 1)
    with psycopg.connect(laptops.server_url, autocommit=True) as owner:
        owner.execute("UPDATE cpassess.members SET active = true WHERE username = 'lead'")
    assert laptops.sync("prac").sent == 1
    laptops.sync("lead")
    with laptops.lead.session("lead") as session:
        assert session.assessments.get(assessment_id).status == "submitted"


def test_sync_needs_a_server_once_and_then_remembers_it(laptops: Laptops) -> None:
    with laptops.prac.session("prac") as session:
        with pytest.raises(ServerError, match="No team server is set"):
            sync(session)
        sync(session, laptops.urls["prac"])
        assert sync(session).sent == 0
        assert outbox.sync_state(session).last_sync is not None


def test_a_connected_team_lead_hears_of_a_submission_within_seconds(laptops: Laptops) -> None:
    import threading

    from cpassess.server.listen import wait_for_packages

    heard, stop = threading.Event(), threading.Event()
    listener = threading.Thread(target=wait_for_packages, args=(laptops.urls["lead"], "lead", stop.is_set, heard.set),
                                kwargs={"poll_seconds": 0.2})
    listener.start()
    try:
        laptops.submit()
        assert not heard.wait(0.5)  # nothing is on the server until the practitioner syncs
        laptops.sync("prac")
        assert heard.wait(5)
    finally:
        stop.set()
        listener.join(5)
    assert not listener.is_alive()


def test_the_app_syncs_on_a_second_connection_while_the_first_stays_open(laptops: Laptops) -> None:
    from cpassess.server.sync import set_server, sync_on_own_connection

    assessment_id = laptops.submit()
    with laptops.prac.session("prac") as session:
        with pytest.raises(ServerError, match="must be encrypted"):
            set_server(session, "postgresql://team.example.org/x?sslmode=disable")
        set_server(session, laptops.urls["prac"])
        assert sync_on_own_connection(session).sent == 1
        assert outbox.sync_state(session).to_send == 0  # seen at once by the window's own connection
    with laptops.lead.session("lead") as session:
        set_server(session, laptops.urls["lead"])
        assert sync_on_own_connection(session).imported == 1
        assert session.assessments.get(assessment_id).status == "submitted"


def test_a_package_refused_by_the_import_rules_is_kept_with_its_reason_and_not_fetched_again(
        laptops: Laptops) -> None:
    with psycopg.connect(laptops.server_url, autocommit=True) as owner:
        owner.execute("INSERT INTO cpassess.packages (sha256, sender, recipient, kind, body) VALUES "
                      "(repeat('a', 64), 'lead', 'prac', 'decision', 'not a package at all')")
    report = laptops.sync("prac")
    assert (report.received, report.imported, report.refused) == (1, 0, ["This is not a cpassess exchange package."])
    assert counts(laptops.sync("prac")) == (0, 0, 0, 0, 0)  # not fetched again, not retried without a new roster
    with laptops.prac.session("prac") as session:
        assert outbox.sync_state(session).refused == 1
        outbox.retry_refused(session)
        assert outbox.sync_state(session).to_import == 1


def test_a_laptop_restored_to_before_its_published_audit_head_is_told(laptops: Laptops, tmp_path: Path) -> None:
    import shutil

    laptops.sync("prac")
    before = tmp_path / "prac-before"
    before.mkdir()
    for path in (laptops.prac.db, laptops.prac.keys):
        shutil.copy2(path, before / path.name)
    laptops.submit()  # more audit events, published by the next sync
    assert laptops.sync("prac").warnings == []
    for path in (laptops.prac.db, laptops.prac.keys):
        shutil.copy2(before / path.name, path)
    for suffix in ("-wal", "-shm"):
        laptops.prac.db.with_name(laptops.prac.db.name + suffix).unlink(missing_ok=True)
    warnings = laptops.sync("prac").warnings
    assert len(warnings) == 1 and "may have been restored from an older copy" in warnings[0]
