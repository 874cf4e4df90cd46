"""Shared test set-up: settings in a temp folder, fast key derivation, and the expensive databases (a team, a
submitted and an approved assessment, the demo database) built once per run and copied for each test. What tests
share besides fixtures is in tests/helpers.py."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from cpassess.casework import Casework
from cpassess.keyslots import KdfParams

# What the fixtures use, and (CHILD, PASSWORDS, CliRun, complete_answers, mutool_…) re-exported for tests written
# before tests/helpers.py that still do `from conftest import ...` (other branches at merge time); new tests import
# from tests.helpers at module level.
from tests.helpers import (  # noqa: F401
    CHILD,
    FAST_KDF,
    MUTOOL_EDITED,
    MUTOOL_UNCHANGED,
    PASSWORDS,
    Cli,
    CliRun,
    Team,
    complete_answers,
    copy_database,
    make_team,
    mutool_verdicts,
)


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
    """A demo database (`cpassess.demo`, logins in DEMO_LOGINS) built once per run, for every xdist worker: about
    5 s of rendering and signing, which each worker would otherwise repeat."""
    from cpassess.demo import build_demo

    def build(folder: Path) -> None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("CPASSESS_HOME", str(folder / "home"))
            build_demo(folder / "demo.db", DEMO_CHILDREN, kdf=FAST_KDF)

    return built_once(tmp_path_factory, "demo-template", build) / "demo.db"


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder that `build` fills once per test run: the first worker to ask builds it while the others wait
    (a lock file in the run's temp folder, above each worker's own), then every worker reads it."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): each worker builds its own
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    run_folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_folder = run_folder.parent
    folder, done = run_folder / name, run_folder / f"{name}.built"
    with (run_folder / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


@pytest.fixture
def demo_db(tmp_path: Path, _demo_template: Path) -> Path:
    """This test's own copy of the demo database and its key file, never opened before."""
    return copy_database(_demo_template, tmp_path / "demo")


@pytest.fixture
def team_factory(fast_kdf: KdfParams) -> Callable[[Path], Team]:
    """Another team database, initialised from scratch, in a folder of the test's choosing."""
    return lambda folder: make_team(folder, fast_kdf)


@pytest.fixture
def cli() -> Cli:
    """The command line, each command run in this process (tests/helpers.py `Cli`)."""
    return Cli()


@pytest.fixture
def process_cli() -> Cli:
    """The command line, each command a child process running the installed console script."""
    return Cli(process=True)


@pytest.fixture(scope="module")
def module_cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A `Cli` for module-scoped set-up, where the per-test settings fixture does not reach: its own settings
    folder and fast key derivation, passed to every run."""
    return Cli({"CPASSESS_HOME": str(tmp_path_factory.mktemp("module-cli-home")), "CPASSESS_KDF_SECONDS": "0.01"})
