"""The audit log (DESIGN §8.5): hash-chained, signed by each actor, append-only, and every change detected."""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlcipher3

from cpassess import audit
from cpassess.audit import GENESIS, ChainHead, event_hash, verify_chain
from cpassess.storage import StorageError
from tests.helpers import Team


@contextmanager
def tampering(team: Team) -> Iterator[sqlcipher3.Connection]:
    """Someone holding the database key edits the file directly, with the append-only triggers dropped."""
    with team.raw() as connection:
        connection.execute("DROP TRIGGER audit_events_no_update")
        connection.execute("DROP TRIGGER audit_events_no_delete")
        yield connection


def problems_after_tampering(team: Team) -> list[str]:
    with team.session("lead") as session:
        return session.check()


@pytest.fixture
def busy_team(approved_team: Team) -> Team:
    """A team whose log holds events by three different users."""
    team = approved_team
    with team.session("lead2") as session:
        session.children.add({"given_names": "Isla", "family_name": "Fraser", "date_of_birth": "2018-06-01"})
    return team


def test_a_sound_chain_verifies_and_its_head_is_the_last_event(busy_team: Team) -> None:
    with busy_team.session("prac") as session:
        events = session.audit_events()
        report = session.verify_audit()
        head = session.audit_head()
        recorded = session.db.query_one("SELECT value FROM meta WHERE key = 'audit_head'")["value"]
    assert report.ok and report.checked == len(events)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert head == report.head == ChainHead(events[-1].seq, events[-1].hash)
    assert recorded == f"{head.seq}:{head.hash}"
    assert {e.actor for e in events} == {"lead", "prac", "lead2"}


def test_each_event_is_signed_by_its_actor_and_nobody_else(busy_team: Team) -> None:
    with busy_team.session("lead") as session:
        events = session.audit_events()
        certificates = {u.username: session.certificates_of(u.username) for u in session.users()}
    assert verify_chain(events, lambda actor: certificates[actor], None).ok
    # the same events checked against the wrong people's certificates fail on every signature
    others = {"lead": certificates["prac"], "prac": certificates["lead2"], "lead2": certificates["lead"]}
    report = verify_chain(events, lambda actor: others[actor], None)
    assert report.problems[0] == "event 1 is not signed by lead's key (bad signature)"


def test_the_log_cannot_be_changed_through_the_storage_layer(busy_team: Team) -> None:
    with busy_team.session("lead") as session:
        before = session.audit_events()
        for sql in ("UPDATE audit_events SET detail = '{}' WHERE seq = 2", "DELETE FROM audit_events WHERE seq = 2",
                    "DELETE FROM audit_events"):
            with pytest.raises(StorageError, match="append-only"), session.db.write() as connection:
                connection.execute(sql)
        assert session.audit_events() == before
        assert session.check() == []


def test_an_edited_event_is_detected(busy_team: Team) -> None:
    with tampering(busy_team) as connection:
        connection.execute("UPDATE audit_events SET detail = ? WHERE action = 'assessment.approved'",
                           (json.dumps({"content_sha256": "0" * 64}),))
        seq = connection.execute("SELECT seq FROM audit_events WHERE action = 'assessment.approved'").fetchone()[0]
    assert problems_after_tampering(busy_team) == [
        f"audit: event {seq} has been altered (its hash does not match its content)"]


def test_an_event_edited_with_a_recomputed_hash_fails_on_its_signature(busy_team: Team) -> None:
    with busy_team.session("lead") as session:
        event = next(e for e in session.audit_events() if e.action == "assessment.approved")
    forged = dataclasses.replace(event, actor="lead2")
    forged_hash = event_hash(forged.seq, forged.at, forged.actor, forged.action, forged.record_type,
                             forged.record_id, forged.detail, forged.prev_hash)
    with tampering(busy_team) as connection:
        connection.execute("UPDATE audit_events SET actor = 'lead2', hash = ? WHERE seq = ?", (forged_hash, event.seq))
    problems = problems_after_tampering(busy_team)
    assert f"audit: event {event.seq} is not signed by lead2's key (bad signature)" in problems
    assert f"audit: event {event.seq + 1} does not follow on from event {event.seq} (broken link)" in problems


def test_a_deleted_event_in_the_middle_is_detected(busy_team: Team) -> None:
    with tampering(busy_team) as connection:
        connection.execute("DELETE FROM audit_events WHERE seq = 3")
    problems = problems_after_tampering(busy_team)
    assert "audit: event 3 is missing (the log jumps to 4)" in problems
    assert "audit: event 4 does not follow on from event 2 (broken link)" in problems


def test_deleting_the_last_events_is_detected_by_the_recorded_head(busy_team: Team) -> None:
    with tampering(busy_team) as connection:
        last = connection.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
        connection.execute("DELETE FROM audit_events WHERE seq >= ?", (last - 1,))
    problems = problems_after_tampering(busy_team)
    assert problems[0].startswith(f"the database is behind its last known head (event {last}, recorded in the key "
                                  "file by ")  # the head anchored outside the database
    assert problems[1:] == [
        f"audit: the log ends at event {last - 2} but event {last} was recorded: events have been removed from the end"]


def test_swapped_events_are_detected(busy_team: Team) -> None:
    with tampering(busy_team) as connection:
        connection.execute("UPDATE audit_events SET seq = -1 WHERE seq = 4")
        connection.execute("UPDATE audit_events SET seq = 4 WHERE seq = 5")
        connection.execute("UPDATE audit_events SET seq = 5 WHERE seq = -1")
    problems = problems_after_tampering(busy_team)
    assert problems and all(p.startswith("audit: event") for p in problems)


def test_garbage_in_an_event_is_reported_not_raised(busy_team: Team) -> None:
    with tampering(busy_team) as connection:
        connection.execute("UPDATE audit_events SET detail = 'not json', signature = X'' WHERE seq = 2")
        connection.execute("UPDATE audit_events SET signature = X'00ff' WHERE seq = 3")
    problems = problems_after_tampering(busy_team)
    assert "audit: event 2 has been altered (its hash does not match its content)" in problems
    assert "audit: event 3 is not signed by lead's key (bad signature)" in problems


def test_a_fresh_chain_from_events_appended_in_one_transaction_each(team: Team) -> None:
    with team.session("lead") as session:
        before = session.audit_head()
        with pytest.raises(RuntimeError), session.db.write() as connection:
            audit.append(connection, session.signing_key, "lead", "test.event", "test", "1")
            raise RuntimeError("the change this event records failed")
        assert session.audit_head() == before  # the event went with the rolled-back change
        with session.db.write() as connection:
            event = audit.append(connection, session.signing_key, "lead", "test.event", "test", "2", {"n": 2})
        assert session.audit_head() == ChainHead(before.seq + 1, event.hash)
        assert event.prev_hash == before.hash
        assert session.verify_audit().ok


def test_only_the_first_twenty_problems_are_listed(busy_team: Team) -> None:
    with busy_team.session("lead") as session:
        events = session.audit_events()
    broken = [dataclasses.replace(e, detail={"changed": True}) for e in events] * 3
    report = verify_chain(broken, lambda _: [], None)
    assert len(report.problems) == 21 and report.problems[-1].startswith("...")
