"""The check of issue 17, from the command line as users run it: a team server set up with `server init`, two
laptops (two databases) joined to the team, a submission synced up by the practitioner and down by the team
lead, approved, the decision synced back, the PDF on the practitioner's laptop verifying; and a dump of the
server, taken while a package waits and after the round trip, holds no canary typed into the record."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

from cpassess.server.connection import database_name
from tests.helpers import Cli, Laptop, laptop_clis, leaks, write_json

if TYPE_CHECKING:
    from postgres_cluster import Cluster

LEAD_PW = "lead's long password 1"
SAM_PW = "practitioner password 2"
NAME_CANARY = "PelicanCanaryM3Z8"
ANSWER_CANARY = "BadgerCanaryT5N1"
UNICODE_CANARY = "ĶanārijsΔžŋ"
CANARIES = (NAME_CANARY, ANSWER_CANARY, UNICODE_CANARY)


def still_there(path: Path) -> bytes:
    """A data file of the running server, or nothing if the server removed it since it was listed (a cache file
    such as pg_internal.init): a file that is gone holds nothing on disk."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


@pytest.fixture
def laptop_cli(cli: Cli, tmp_path: Path) -> Callable[[str], Cli]:
    def new_home(name: str) -> Path:
        home = tmp_path / f"{name}-home"
        home.mkdir()
        return home
    return laptop_clis(cli, new_home)


def test_two_laptops_through_the_team_server_and_no_plaintext_on_it(
        laptop_cli: Callable[[str], Cli], tmp_path: Path, server_url: str, postgres: Cluster) -> None:
    from cpassess.demo import sample_answers
    from cpassess.forms import default_catalog

    lead = Laptop(laptop_cli("lead"), tmp_path / "lead" / "lead.db", "lead", LEAD_PW)
    sam = Laptop(laptop_cli("sam"), tmp_path / "sam" / "sam.db", "sam", SAM_PW)
    lead.cli.ok("init", "--db", lead.db, "--user", "lead", "--name", "Morag Lindsay", "--team", "North East",
                passwords=(LEAD_PW,))
    sam.cli.ok("package", "join", "request", "--db", sam.db, "--user", "sam", "--name", "Sam Wróblewski",
               "--out", tmp_path / "request.json", passwords=(SAM_PW,))
    lead.ok("package", "join", "approve", "--request", tmp_path / "request.json", "--role", "practitioner",
            "--out", tmp_path / "response.json")
    sam.cli.ok("package", "join", "complete", "--db", sam.db, "--user", "sam", "--response",
               tmp_path / "response.json", passwords=(SAM_PW,))

    logins = {row["username"]: row["url"]
              for row in json.loads(lead.ok("server", "init", "--url", server_url, "--json").stdout)}
    assert sorted(logins) == ["lead", "sam"]
    assert sam.sync(logins["sam"]).startswith("Sent 0, received 0")

    child = write_json(tmp_path / "child.json", {
        "given_names": f"Eilidh {NAME_CANARY}", "family_name": "MacLeod", "known_as": UNICODE_CANARY,
        "date_of_birth": "2019-04-19", "sex": "female"})
    form = default_catalog().get("neglect-assessment")
    import datetime as dt
    import random

    answers = sample_answers(form, random.Random(3), "Eilidh", dt.date.today())
    answers["physical_care_daily_life"] = f"{ANSWER_CANARY} said the fridge was empty. {UNICODE_CANARY}"
    child_id = sam.ok("child", "add", "--json", child).stdout.strip()
    aid = sam.ok("assessment", "new", "--child", child_id, "--form", form.id, "--answers",
                 write_json(tmp_path / "answers.json", answers)).stdout.strip()
    sam.ok("assessment", "submit", "--id", aid)
    sam.ok("package", "export", "--id", aid, "--to", "lead", "--out", tmp_path / "submission.cpackage")
    assert sam.sync().splitlines()[0] == "Sent 1, received 0: 0 imported, 0 already here, 0 refused."

    database = database_name(server_url)
    waiting = postgres.dump(database)
    submission = (tmp_path / "submission.cpackage").read_bytes()
    assert submission.hex().encode() in waiting  # the package is in the dump, sealed
    assert leaks(waiting, CANARIES) == []

    assert lead.sync(logins["lead"]).splitlines()[0] == "Sent 0, received 1: 1 imported, 0 already here, 0 refused."
    lead.ok("assessment", "approve", "--id", aid, passwords=(LEAD_PW, LEAD_PW))
    lead.ok("package", "export", "--id", aid, "--to", "sam", "--out", tmp_path / "approval.cpackage")
    assert lead.sync().startswith("Sent 1, received 0")
    assert sam.sync().splitlines()[0] == "Sent 0, received 1: 1 imported, 0 already here, 0 refused."

    shown = json.loads(sam.ok("assessment", "show", "--id", aid, "--json").stdout)
    assert shown["status"] == "approved"
    sam.ok("export-pdf", "--id", aid, "--out", tmp_path / "approved.pdf")
    verified = sam.ok("verify-pdf", tmp_path / "approved.pdf").stdout  # trusting the authority of its database
    assert "all 2 signatures verify" in verified
    assert "Signature 2 (approval): Morag Lindsay" in verified

    with psycopg.connect(logins["sam"]) as as_sam:  # the practitioner's own role, on the server
        assert as_sam.execute("SELECT count(*) FROM cpassess.packages").fetchone() == (0,)
        assert as_sam.execute("SELECT username FROM cpassess.audit_heads ORDER BY 1").fetchall() == [
            ("lead",), ("sam",)]
    after = postgres.dump(database)
    assert leaks(after, CANARIES) == []
    assert [str(path) for path in postgres.data_files() if leaks(still_there(path), CANARIES)] == []


def test_the_dump_scan_finds_a_canary_stored_in_clear(server_url: str, postgres: Cluster) -> None:
    """The control for the test above: the same scan does find plaintext in text and bytea columns."""
    with psycopg.connect(server_url, autocommit=True) as owner:
        owner.execute("CREATE TABLE control (note text, body bytea)")
        owner.execute("INSERT INTO control VALUES (%s, %s)", (NAME_CANARY, ANSWER_CANARY.encode()))
        owner.execute("INSERT INTO control VALUES ('', %s)", (UNICODE_CANARY.encode("utf-16-le"),))
    assert sorted(leaks(postgres.dump(database_name(server_url)), CANARIES)) == sorted(CANARIES)


def test_sync_errors_are_one_line(cli: Cli, tmp_path: Path, server_url: str) -> None:
    cli.ok("init", "--db", tmp_path / "lead.db", "--user", "lead", "--name", "Morag Lindsay", passwords=(LEAD_PW,))
    base = ("--db", tmp_path / "lead.db", "--as", "lead")
    assert cli.refused("sync", *base, passwords=(LEAD_PW,)).error_line == (
        "cpassess: No team server is set for this database: give its address once with --server URL.")
    line = cli.refused("sync", *base, "--server", "postgresql://team.example.org/x?sslmode=disable",
                       passwords=(LEAD_PW,)).error_line
    assert "must be encrypted" in line
    line = cli.refused("sync", *base, "--server", server_url, passwords=(LEAD_PW,)).error_line
    assert line == "cpassess: The team server has not been set up: an administrator runs cpassess server init."


def test_members_added_and_removed_from_the_command_line(cli: Cli, tmp_path: Path, server_url: str) -> None:
    db = ("--db", tmp_path / "lead.db", "--as", "lead")
    cli.ok("init", "--db", tmp_path / "lead.db", "--user", "lead", "--name", "Morag Lindsay", passwords=(LEAD_PW,))
    assert "1 new member login(s)" in cli.ok("server", "init", *db, "--url", server_url, passwords=(LEAD_PW,)).stdout
    cli.ok("user", "add", *db, "--user", "sam", "--name", "Sam Wróblewski", "--role", "practitioner",
           passwords=(LEAD_PW, SAM_PW))
    added = cli.ok("server", "add-member", *db, "--url", server_url, "--user", "sam", passwords=(LEAD_PW,)).stdout
    sam_url = added.splitlines()[0].removeprefix("sam: ")
    with psycopg.connect(sam_url) as as_sam:
        assert as_sam.execute("SELECT cpassess.me()").fetchone() == ("sam",)
    assert cli.refused("server", "add-member", *db, "--url", server_url, "--user", "sam",
                       passwords=(LEAD_PW,)).error_line == "cpassess: sam is already a member of the team server."
    removed = cli.ok("server", "remove-member", *db, "--url", server_url, "--user", "sam", passwords=(LEAD_PW,))
    assert removed.stdout.strip() == ("sam can no longer log in to the team server; 0 package(s) waiting for them "
                                      "deleted.")
    assert cli.refused("server", "remove-member", *db, "--url", server_url, "--user", "sam",
                       passwords=(LEAD_PW,)).error_line == "cpassess: sam is not a member of the team server."
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(sam_url).close()
