"""What tests share besides fixtures: test teams, the command line as a user runs it, two laptops, raw database access
and MuPDF's check of signed PDFs. Imported at module level (`from tests.helpers import ...`); the fixtures that build
these once per run are in tests/conftest.py."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from cpassess.authority import Authority, create_authority, issue_certificate
from cpassess.casework import Casework
from cpassess.export.signing import PdfSigner
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


def complete_answers(form_id: str, seed: int = 7, name: str = "Eilidh") -> dict[str, Any]:
    """Answers to every question of the newest version of `form_id`, valid for submission (fixed seed)."""
    from cpassess.demo import sample_answers
    from cpassess.forms import default_catalog

    form = default_catalog().get(form_id)
    return sample_answers(form, random.Random(seed), name, dt.date.today())


def write_json(path: Path, data: Any) -> Path:
    """`data` as a UTF-8 JSON file (its folder made), as a user would prepare one for a command."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- a team authority and its signers, without a database (the PDF signature tests) ----------------------------

AUTHOR_NAME = "Zoë Ó Súilleabháin"
LEAD_NAME = "Дмитрий Иванов"


@dataclass(frozen=True)
class SigningTeam:
    """A team authority with a practitioner (the author, who certifies) and a team lead (who approves)."""

    authority: Authority
    author: PdfSigner
    lead: PdfSigner
    author_key: ec.EllipticCurvePrivateKey
    author_certificate: x509.Certificate
    lead_key: ec.EllipticCurvePrivateKey
    lead_certificate: x509.Certificate


def signing_team() -> SigningTeam:
    authority = create_authority("Leith Children and Families")
    author_key, author_certificate = issue_certificate(authority, "zoe", AUTHOR_NAME, ["practitioner"])
    lead_key, lead_certificate = issue_certificate(authority, "dima", LEAD_NAME, ["administrator", "team_lead"])
    return SigningTeam(authority, PdfSigner(author_key, author_certificate, authority.certificate),
                       PdfSigner(lead_key, lead_certificate, authority.certificate), author_key, author_certificate,
                       lead_key, lead_certificate)


# --- canaries: words planted in test data that must never be found in plain text ------------------------------


def readings(data: bytes) -> list[str]:
    """`data` as text every way a canary could be written into it, case-folded: UTF-8, UTF-16 in both byte orders
    and both alignments, and the same inside the hex runs a PostgreSQL dump writes `bytea` values as."""
    chunks = [data] + [bytes.fromhex(run.decode()) for run in re.findall(rb"\\\\x((?:[0-9a-f]{2})+)", data)]
    texts = []
    for chunk in chunks:
        texts.append(chunk.decode("utf-8", errors="replace"))
        for encoding in ("utf-16-le", "utf-16-be"):
            for offset in (0, 1):
                part = chunk[offset:]
                texts.append(part[: len(part) - len(part) % 2].decode(encoding, errors="replace"))
    return [text.casefold() for text in texts]


def leaks(data: bytes, canaries: Iterable[str]) -> list[str]:
    """Which of `canaries` are in `data`, read every way `readings` does, in any mix of upper and lower case."""
    texts = readings(data)
    return [canary for canary in canaries if any(canary.casefold() in text for text in texts)]


# --- test teams ----------------------------------------------------------------------------------------------


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

    @contextlib.contextmanager
    def raw(self) -> Iterator[sqlcipher3.Connection]:
        """The database opened directly with its key, as someone holding the key (or a bug) could: no lock, no
        audit, no checks."""
        connection = sqlcipher3.connect(str(self.db), isolation_level=None)
        connection.execute(f"PRAGMA key = \"x'{self.database_key().hex()}'\"")
        try:
            yield connection
        finally:
            connection.close()

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


def copy_database(source: Path, folder: Path, name: str | None = None) -> Path:
    """`source` and its key file copied into `folder` (as `name`), while no session has it open."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or source.name)
    shutil.copy2(source, target)
    shutil.copy2(slot_file_for(source), slot_file_for(target))
    return target


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


# One command at a time in this process: its standard streams and environment are the process's own.
_IN_PROCESS = threading.Lock()


class Cli:
    """Runs `cpassess` commands with the test's environment plus `env` (which a test may extend).

    By default each command runs in this process, through the `main()` the console script calls, with standard
    input, output, error and the environment swapped in for the run, so a story of thirty commands does not start
    thirty interpreters that each import the whole core. With `process=True` each command is a child process
    running the installed console script: for what only a real process shows (the entry point, the temp folder a
    process is given, its log output, being killed).
    """

    def __init__(self, env: Mapping[str, str] | None = None, *, process: bool = False) -> None:
        self.env = dict(env or {})
        self.process = process
        self.runs: list[CliRun] = []

    def like(self, env: Mapping[str, str]) -> Cli:
        """Another `Cli` run the same way, with this one's environment updated by `env`."""
        return Cli(self.env | dict(env), process=self.process)

    def __call__(self, *args: str | Path, passwords: tuple[str, ...] = (), stdin: str | None = None,
                 timeout: float = 60) -> CliRun:
        arguments = [str(arg) for arg in args]
        if passwords:
            arguments.append("--password-stdin")
            stdin = "".join(f"{password}\n" for password in passwords)
        command = [*cpassess_command(), *arguments]
        if self.process:
            completed = subprocess.run(command, input=stdin, capture_output=True, text=True, encoding="utf-8",
                                       timeout=timeout, env={**os.environ, **self.env}, check=False)
            run = CliRun(command, completed.returncode, completed.stdout, completed.stderr)
        else:
            run = CliRun(command, *_run_in_this_process(arguments, stdin or "", self.env))
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


def _no_desktop_app(database: Path | None, self_test: bool) -> int:
    raise AssertionError("starting the desktop app from the command line needs Cli(process=True)")


def _run_in_this_process(arguments: list[str], stdin: str, env: Mapping[str, str]) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of one command run by `cpassess.cli.main` here, as the interpreter would
    report them: SystemExit's code, an unexpected exception's traceback on stderr with status 1."""
    from cpassess.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with _IN_PROCESS, _environment(env), _standard_streams(stdin, stdout, stderr), _logging_left_as_it_was():
        try:
            code: object = main(arguments, start_app=_no_desktop_app)
        except SystemExit as exit_:  # argparse: --help, --version, a mistake on the command line
            code = exit_.code
        except Exception:  # what the interpreter would print before exiting 1
            traceback.print_exc()
            code = 1
    if code is None:
        code = 0
    elif not isinstance(code, int):
        stderr.write(f"{code}\n")
        code = 1
    return code, stdout.getvalue(), stderr.getvalue()


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _standard_streams(stdin: str, stdout: io.StringIO, stderr: io.StringIO) -> Iterator[None]:
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")  # `.buffer` for `--json -`
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            yield
    finally:
        sys.stdin = saved


@contextlib.contextmanager
def _logging_left_as_it_was() -> Iterator[None]:
    """The command configures logging for a process of its own; here, undo it so no handler keeps the run's
    captured stderr."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


# --- damaged and tampered databases --------------------------------------------------------------------------


def files_of(team: Team) -> dict[str, bytes]:
    """Every file in the team database's folder but its lock file, byte for byte."""
    return {p.name: p.read_bytes() for p in sorted(team.db.parent.iterdir()) if p.is_file() and p.suffix != ".lock"}


def refused_cleanly(cli: Cli, team: Team, *args: str) -> CliRun:
    """Run a command on damaged files as lead: exit 1, one human error line (details only indented), no
    traceback, and every file exactly as it was."""
    before = files_of(team)
    run = cli.refused(*args, "--db", str(team.db), "--as", "lead", passwords=(team.passwords["lead"],) * 2)
    assert all(line.startswith(("cpassess: ", "  ")) for line in run.stderr.splitlines()), run.stderr
    assert files_of(team) == before
    return run


# --- two laptops: two people's databases and settings folders, driven from the command line ------------------


def disk_state(db: Path) -> dict[str, bytes | None]:
    """The bytes of a closed database, its -wal file (None when there is none) and its key file."""
    return {path.name: path.read_bytes() if path.exists() else None
            for path in (db, db.with_name(db.name + "-wal"), slot_file_for(db))}


@dataclass
class Laptop:
    """One person's laptop: their own settings folder (the `Cli`), database and key file."""

    cli: Cli
    db: Path
    user: str
    password: str

    def ok(self, *args: str | Path, passwords: tuple[str, ...] = ()) -> CliRun:
        return self.cli.ok(*args, "--db", self.db, "--as", self.user, passwords=passwords or (self.password,))

    def refused(self, *args: str | Path) -> str:
        """A command that must be refused with one line and change nothing here; returns the reason."""
        before = disk_state(self.db)
        run = self.cli.refused(*args, "--db", self.db, "--as", self.user, passwords=(self.password,))
        assert len(run.stderr.splitlines()) == 1, run.stderr
        assert disk_state(self.db) == before, f"{' '.join(map(str, args))} changed the database or its key file"
        return run.error_line.removeprefix("cpassess: ")

    def imports(self, package: Path) -> str:
        return self.ok("package", "import", "--file", package).stdout.strip()

    def refuses(self, package: Path) -> str:
        return self.refused("package", "import", "--file", package)

    def exports(self, assessment_id: str, recipient: str, out: Path) -> Path:
        self.ok("package", "export", "--id", assessment_id, "--to", recipient, "--out", out)
        return out

    def show(self, assessment_id: str) -> dict[str, Any]:
        return json.loads(self.ok("assessment", "show", "--id", assessment_id, "--json").stdout)

    def sync(self, *server: str) -> str:
        """`cpassess sync` with the team server this laptop knows, or `server` given once."""
        return self.ok("sync", *(("--server", server[0]) if server else ())).stdout

    def as_user(self, user: str, password: str) -> Laptop:
        return Laptop(self.cli, self.db, user, password)


def laptop_clis(cli: Cli, new_home: Callable[[str], Path]) -> Callable[[str], Cli]:
    """`for_laptop(name)`: a `Cli` like `cli` with a settings folder (CPASSESS_HOME, from `new_home`) of that
    laptop's own, as two people's computers have; the same name gives the same `Cli`."""
    clis: dict[str, Cli] = {}

    def for_laptop(name: str) -> Cli:
        if name not in clis:
            clis[name] = cli.like({"CPASSESS_HOME": str(new_home(name)), "CPASSESS_KDF_SECONDS": "0.01"})
        return clis[name]

    return for_laptop


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
