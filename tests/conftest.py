"""Shared test set-up: settings in a temp folder, fast key derivation, and a fresh team database per test."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from cpassess.casework import Casework
from cpassess.keyslots import KdfParams, SlotFile
from cpassess.paths import slot_file_for
from cpassess.session import Session

# The smallest Argon2id cost the product accepts: 64 MiB, one pass.
FAST_KDF = KdfParams(time_cost=1, memory_kib=65536, parallelism=1)

PASSWORDS = {
    "lead": "lead's long password 1",
    "prac": "practitioner password 2",
    "lead2": "second lead password 3",
}

# A child any test may add: valid CHI for the date of birth and sex.
CHILD = {
    "given_names": "Eilidh",
    "family_name": "MacLeod",
    "known_as": "Ellie",
    "date_of_birth": "2019-04-19",
    "sex": "female",
    "chi": "1904190286",
    "address": "12 Shore Road\nLeith",
    "school": "Braeside Primary",
    "household": [{"name": "Morven MacLeod", "relationship": "Mother", "parental_responsibility": True}],
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test`: --dist loadgroup) the tests of a module that share a module-scoped fixture
    run on one worker, so that fixture (a whole CLI story, a signed PDF) is built once per run, not per worker."""
    for item in items:
        fixtures = getattr(item, "_fixtureinfo", None)
        if fixtures is not None and any(definition.scope == "module" for name in fixtures.names_closure
                                        for definition in fixtures.name2fixturedefs.get(name, ())):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a test does touches the real user folders, and new key slots are quick to make."""
    monkeypatch.setenv("CPASSESS_HOME", str(tmp_path_factory.mktemp("cpassess-home")))
    monkeypatch.setenv("CPASSESS_KDF_SECONDS", "0.01")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def fast_kdf() -> KdfParams:
    return FAST_KDF


def complete_answers(form_id: str, seed: int = 7, name: str = "Eilidh") -> dict[str, Any]:
    """Answers to every question of the newest version of `form_id`, valid for submission (fixed seed)."""
    from cpassess.demo import sample_answers
    from cpassess.forms import default_catalog

    form = default_catalog().get(form_id)
    return sample_answers(form, random.Random(seed), name, dt.date.today())


@dataclass
class Team:
    """A fresh encrypted database: `lead` (administrator and team lead), `prac` (practitioner), `lead2` (team lead).

    No session is left open: a database allows one open session at a time (its lock file).
    """

    db: Path
    recovery_code: str
    kdf: KdfParams
    passwords: dict[str, str] = field(default_factory=lambda: dict(PASSWORDS))
    child_id: str = ""  # in `submitted_team` and `approved_team`: prac's child and assessment of it
    assessment_id: str = ""

    @property
    def keys(self) -> Path:
        return slot_file_for(self.db)

    def copy_to(self, folder: Path) -> Team:
        """The same database in another folder (the files copied while no session is open)."""
        folder.mkdir(parents=True)
        for source in (self.db, self.keys):
            shutil.copy2(source, folder / source.name)
        return replace(self, db=folder / self.db.name, passwords=dict(self.passwords))

    def session(self, username: str) -> Session:
        """Unlock the database as `username` (use it as a context manager so it is closed)."""
        return Session.unlock(self.db, username, self.passwords[username])

    def database_key(self) -> bytes:
        return SlotFile.open(self.keys).unlock("lead", self.passwords["lead"])["database_key"]

    def add_child(self, username: str = "prac", data: Mapping[str, Any] | None = None) -> str:
        with self.session(username) as session:
            return session.children.add(dict(data or CHILD)).id

    def submitted(self, form_id: str = "neglect-assessment", author: str = "prac") -> tuple[str, str]:
        """A child and an assessment of it that `author` has submitted; returns (child id, assessment id)."""
        child_id = self.add_child(author)
        with self.session(author) as session:
            assessment = Casework.of(session).new(child_id, form_id, answers=complete_answers(form_id))
            Casework.of(session).submit(assessment.id)
        return child_id, assessment.id

    def approved(self, form_id: str = "neglect-assessment", author: str = "prac",
                 reviewer: str = "lead") -> tuple[str, str]:
        child_id, assessment_id = self.submitted(form_id, author)
        with self.session(reviewer) as session:
            Casework.of(session).approve(assessment_id, self.passwords[reviewer])
        return child_id, assessment_id


def make_team(folder: Path, kdf: KdfParams = FAST_KDF) -> Team:
    db = folder / "team.db"
    session, recovery_code = Session.initialise(db, "lead", "Morag Lindsay", PASSWORDS["lead"],
                                                team_name="North East Children and Families", kdf=kdf)
    with session:
        session.add_user("prac", "Sam Wróblewski", ["practitioner"], PASSWORDS["prac"], kdf=kdf)
        session.add_user("lead2", "Siobhán Ní Bhriain", ["team_lead"], PASSWORDS["lead2"], kdf=kdf)
    return Team(db, recovery_code, kdf)


@pytest.fixture(scope="session")
def _team_template(tmp_path_factory: pytest.TempPathFactory) -> Team:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CPASSESS_HOME", str(tmp_path_factory.mktemp("template-home")))
        return make_team(tmp_path_factory.mktemp("team-template"))


@pytest.fixture(scope="session")
def _submitted_template(tmp_path_factory: pytest.TempPathFactory, _team_template: Team) -> Team:
    team = _team_template.copy_to(tmp_path_factory.mktemp("submitted-template") / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CPASSESS_HOME", str(tmp_path_factory.mktemp("template-home")))
        child_id, assessment_id = team.submitted()
    return replace(team, child_id=child_id, assessment_id=assessment_id)


@pytest.fixture(scope="session")
def _approved_template(tmp_path_factory: pytest.TempPathFactory, _submitted_template: Team) -> Team:
    team = _submitted_template.copy_to(tmp_path_factory.mktemp("approved-template") / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CPASSESS_HOME", str(tmp_path_factory.mktemp("template-home")))
        with team.session("lead") as session:
            Casework.of(session).approve(team.assessment_id, team.passwords["lead"])
    return team


@pytest.fixture
def team(tmp_path: Path, _team_template: Team) -> Team:
    """A fresh team database in this test's tmp_path, never opened before.

    It is initialised once per run (Session.initialise and two add_user: about 0.6 s of Argon2id and key
    generation) and its files are copied here untouched, so each test still has a database of its own.
    """
    return _team_template.copy_to(tmp_path / "data")


@pytest.fixture
def submitted_team(tmp_path: Path, _submitted_template: Team) -> Team:
    """A fresh team database in which prac has submitted a complete neglect assessment of a child
    (`team.child_id`, `team.assessment_id`); made once per run, copied for each test."""
    return _submitted_template.copy_to(tmp_path / "data")


@pytest.fixture
def approved_team(tmp_path: Path, _approved_template: Team) -> Team:
    """As `submitted_team`, with the assessment approved by lead."""
    return _approved_template.copy_to(tmp_path / "data")


DEMO_CHILDREN = 8


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database (`cpassess.demo`, logins in DEMO_LOGINS) built once per run: about 5 s of signing."""
    from cpassess.demo import build_demo

    folder = tmp_path_factory.mktemp("demo-template")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CPASSESS_HOME", str(tmp_path_factory.mktemp("demo-template-home")))
        build_demo(folder / "demo.db", DEMO_CHILDREN, kdf=FAST_KDF)
    return folder / "demo.db"


def copy_database(source: Path, folder: Path, name: str | None = None) -> Path:
    """`source` and its key file copied into `folder` (as `name`), while no session has it open."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or source.name)
    shutil.copy2(source, target)
    shutil.copy2(slot_file_for(source), slot_file_for(target))
    return target


@pytest.fixture
def demo_db(tmp_path: Path, _demo_template: Path) -> Path:
    """This test's own copy of the demo database and its key file, never opened before."""
    return copy_database(_demo_template, tmp_path / "demo")


@pytest.fixture
def team_factory(fast_kdf: KdfParams) -> Callable[[Path], Team]:
    """Another team database, initialised from scratch, in a folder of the test's choosing."""
    return lambda folder: make_team(folder, fast_kdf)


# --- the command line as a user runs it ---------------------------------------------------------------------


def cpassess_command() -> list[str]:
    """The installed console script when there is one (it is what users run), else `python -m cpassess`."""
    script = Path(sys.executable).with_name("cpassess")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cpassess"]


@dataclass
class CliRun:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def error_line(self) -> str:
        """The one-line error a failed command prints; fails the test if there is not exactly one."""
        lines = [line for line in self.stderr.splitlines() if line.startswith("cpassess:")]
        assert len(lines) == 1, f"expected one error line, got: {self.stderr!r}"
        return lines[0]


class Cli:
    """Runs `cpassess` in a child process with the test's environment plus `env` (which a test may extend)."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = dict(env or {})
        self.runs: list[CliRun] = []

    def __call__(self, *args: str | Path, passwords: tuple[str, ...] = (), stdin: str | None = None,
                 timeout: float = 60) -> CliRun:
        command = [*cpassess_command(), *map(str, args)]
        if passwords:
            command.append("--password-stdin")
            stdin = "".join(f"{password}\n" for password in passwords)
        completed = subprocess.run(command, input=stdin, capture_output=True, text=True, encoding="utf-8",
                                   timeout=timeout, env={**os.environ, **self.env}, check=False)
        run = CliRun(command, completed.returncode, completed.stdout, completed.stderr)
        self.runs.append(run)
        return run

    def ok(self, *args: str | Path, passwords: tuple[str, ...] = (), stdin: str | None = None) -> CliRun:
        run = self(*args, passwords=passwords, stdin=stdin)
        assert run.returncode == 0, f"{' '.join(run.args)} failed: {run.stderr}"
        assert "Traceback" not in run.stderr
        return run

    def refused(self, *args: str | Path, passwords: tuple[str, ...] = (), stdin: str | None = None) -> CliRun:
        """A command that must fail the way users are promised: exit 1, one human line, no traceback."""
        run = self(*args, passwords=passwords, stdin=stdin)
        assert run.returncode == 1, f"{' '.join(run.args)} exited {run.returncode}: {run.stdout} {run.stderr}"
        assert "Traceback" not in run.stderr, run.stderr
        assert run.error_line  # exactly one "cpassess: ..." line
        return run


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture(scope="module")
def module_cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A `Cli` for module-scoped set-up, where the per-test settings fixture does not reach: its own settings
    folder and fast key derivation, passed to every run."""
    return Cli({"CPASSESS_HOME": str(tmp_path_factory.mktemp("module-cli-home")), "CPASSESS_KDF_SECONDS": "0.01"})


# --- MuPDF's mutool: an independent check of signed PDFs. It has no trust store of its own, so it reports the team
# authority as a self-signed certificate it does not know; what counts is the digest verdict of each signature.

MUTOOL_EDITED = "The signature is valid but there have been edits since signing."
MUTOOL_UNCHANGED = "The document is unchanged since signing."


def mutool_verdicts(path: Path) -> list[str]:
    """The last line mutool prints for each signature (its digest verdict)."""
    if shutil.which("mutool") is None:
        pytest.skip("mutool (Debian package mupdf-tools) is needed for this check")
    result = subprocess.run(["mutool", "sign", "-v", str(path)], check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    blocks = re.split(r"^Verifying signature \d+:$", result.stdout, flags=re.MULTILINE)[1:]
    return [block.strip().splitlines()[-1].strip() for block in blocks]
