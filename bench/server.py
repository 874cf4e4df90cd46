"""The team server's benchmark row (DESIGN §13, §15): 200 members, 10,000 packages waiting.

    python bench/server.py [--quick]

`server_rows()` starts a throw-away PostgreSQL (tests/server/postgres_cluster.py), gives 200 members a login,
fills the mailbox, and measures on a team lead's laptop what `cpassess sync` does for an inbox, through sync's
own `deliver` (fetched over the member's own role under row-level security, stored in the encrypted inbox in
one transaction per batch, then collected): the delivery of 100 packages with 1,000 and with 10,000 waiting, beside
one package's round trip; and the server's CPU per package delivered (the member's backend process, from
/proc), at 10,000 against 1,000 waiting, which must stay flat. Delivery treats a package as sealed bytes, so
these are random bytes of a real submission's size (`package_bytes`); the rest of the mailbox is smaller filler,
which the server has to look past but nobody fetches.

With `real` (a folder from `real_submissions`: 100 sealed submissions from a practitioner to that team lead,
built once), the 10,000 row also carries, as its note, the whole `sync()` of those 100 among 10,000 waiting:
delivery and the imports by §10's rules (every signature and embedded record checked), which is what the
team lead waits for and the part the §13 target does not cover.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "server"))
os.environ.setdefault("CPASSESS_KDF_SECONDS", "0.05")

BATCH = 100
DELIVERY_TARGET_SECONDS = 2.0
FLAT_RATIO = 1.5
TEAM = ("lead", "prac", "lead2")  # as in real_submissions: the administrator, the sender, the measured team lead
PASSWORDS = {"lead": "bench lead password 1", "prac": "bench practitioner password 1",
             "lead2": "bench team lead password 1"}
REAL_VERSION = 1  # bump when the package format changes: the cached packages are rebuilt


def _backend_cpu(pid: int) -> float:
    """User + system CPU seconds of one PostgreSQL backend process (it runs on this machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _fill(owner: Any, members: list[str], measured: str, waiting: int, package_bytes: int, filler_bytes: int,
          serial: int) -> list[tuple[str, str, bytes]]:
    """Put `waiting` packages on the server, BATCH of them for `measured`; returns those BATCH packages."""
    others = [m for m in members if m != measured]
    mine = [os.urandom(package_bytes) for _ in range(BATCH)]
    sender = "prac"
    rows = [(measured, body) for body in mine]
    rows += [(others[i % len(others)], serial.to_bytes(4, "big") + i.to_bytes(4, "big") + os.urandom(filler_bytes))
             for i in range(waiting - BATCH)]
    with owner.transaction(), owner.cursor().copy(
            "COPY cpassess.packages (sha256, sender, recipient, kind, body) FROM STDIN") as copy:
        for recipient, body in rows:
            copy.write_row((hashlib.sha256(body).hexdigest(), sender, recipient, "submission", body))
    owner.execute("ANALYZE cpassess.packages")
    return [(hashlib.sha256(body).hexdigest(), measured, body) for body in mine]


def _deliver(mailbox: Any, session: Any) -> int:
    """`cpassess sync`'s own delivery of an inbox (the imports that follow it are measured by `_whole_sync`)."""
    from cpassess.server.sync import deliver

    return int(deliver(session, mailbox))


def real_submissions(folder: Path, count: int = BATCH) -> Path:
    """`count` real submissions (a believable child, a complete neglect assessment, its certified PDFs) sealed
    by a practitioner for a team lead, and that team lead's laptop before it has any: built once into `folder`."""
    import datetime as dt
    import random
    import shutil

    from cpassess.casework import Casework
    from cpassess.casework.packages import export_package
    from cpassess.demo import child_record, sample_answers, stage_of
    from cpassess.forms import default_catalog, validate_submission
    from cpassess.session import Session

    done = folder / f"real-v{REAL_VERSION}-{count}"
    if (done / "complete").exists():
        return done
    shutil.rmtree(done, ignore_errors=True)
    (done / "lead2").mkdir(parents=True)
    print(f"team server: sealing {count} real submissions for the bench (once)…", flush=True)
    team = done / "team.db"
    session, _ = Session.initialise(team, "lead", "Morag Lindsay", PASSWORDS["lead"])
    with session:
        session.add_user("prac", "Sam Wróblewski", ["practitioner"], PASSWORDS["prac"])
        session.add_user("lead2", "Siobhán Ní Bhriain", ["team_lead"], PASSWORDS["lead2"])
    for suffix in ("", ".keys"):
        shutil.copy(f"{team}{suffix}", done / "lead2" / f"team.db{suffix}")
    rng = random.Random(17)  # noqa: S311 - synthetic answers, not keys
    today, form = dt.date.today(), default_catalog().get("neglect-assessment")
    with Session.unlock(team, "prac", PASSWORDS["prac"]) as practitioner:
        for number in range(count):
            record = child_record(rng, today)
            child = practitioner.children.add(record)
            answers = sample_answers(form, rng, record.known_as or record.given_names, today,
                                     stage=stage_of(record, today))
            if validate_submission(form, answers):
                raise RuntimeError("the demo writer made an incomplete neglect assessment")
            assessment = Casework.of(practitioner).new(child.id, form.id, form.version, answers)
            Casework.of(practitioner).submit(assessment.id)
            (done / f"package-{number:03d}.cpackage").write_bytes(export_package(practitioner, assessment.id, "lead2"))
    (done / "complete").touch()
    return done


def _whole_sync(owner: Any, url: str, login: Any, real: Path, work: Path) -> tuple[float, int, int]:
    """(seconds, packages, packages waiting on the server) for the team lead's `sync()` of the real submissions
    waiting among the others: delivery and the imports by §10's rules; on a fresh copy of their laptop, the key
    derivation before the clock starts."""
    import shutil

    from cpassess.server.connection import member_url
    from cpassess.server.sync import sync
    from cpassess.session import Session

    packages = [path.read_bytes() for path in sorted(real.glob("package-*.cpackage"))]
    with owner.transaction():
        owner.cursor().executemany("INSERT INTO cpassess.packages (sha256, sender, recipient, kind, body) "
                                   "VALUES (%s, 'prac', 'lead2', 'submission', %s)",
                                   [(hashlib.sha256(body).hexdigest(), body) for body in packages])
    waiting = int(owner.execute("SELECT count(*) FROM cpassess.packages").fetchone()[0])
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(real / "lead2", work)
    with Session.unlock(work / "team.db", "lead2", PASSWORDS["lead2"]) as session:
        start = time.perf_counter()
        report = sync(session, member_url(url, login.role, login.password))
        seconds = time.perf_counter() - start
    if report.imported != len(packages):
        raise RuntimeError(f"the bench's sync imported {report.imported} of {len(packages)}: {report.describe()}")
    return seconds, len(packages), waiting


def _measure_level(owner: Any, member: Any, mailbox: Any, session: Any, mine: list[tuple[str, str, bytes]],
                   repeats: int) -> tuple[float, float]:
    """(median seconds to deliver BATCH packages, server CPU seconds per package delivered)."""
    pid = int(member.execute("SELECT pg_backend_pid()").fetchone()[0])
    times, cpu, delivered = [], 0.0, 0
    for _ in range(repeats):
        session.db.connection.execute("DELETE FROM server_inbox")  # the laptop has not seen them before
        before_cpu, start = _backend_cpu(pid), time.perf_counter()
        delivered += _deliver(mailbox, session)
        times.append(time.perf_counter() - start)
        cpu += _backend_cpu(pid) - before_cpu
        with owner.transaction():  # the same packages back for the next round, so the level stays the same
            owner.cursor().executemany("INSERT INTO cpassess.packages (sha256, sender, recipient, kind, body) "
                                       "VALUES (%s, (SELECT min(username) FROM cpassess.members), %s, "
                                       "'submission', %s)", mine)
    return statistics.median(times), cpu / max(delivered, 1)


def _round_trip(member: Any, mailbox: Any, session: Any, username: str, package_bytes: int) -> float:
    """One package sent by a member, fetched, stored and collected: the irreducible unit of the mailbox."""
    times = []
    for _ in range(7):
        body = os.urandom(package_bytes)
        start = time.perf_counter()
        mailbox.deliver(hashlib.sha256(body).hexdigest(), "submission", username, body)
        _deliver(mailbox, session)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def server_rows(members: int = 200, levels: tuple[int, int] = (1_000, 10_000), package_bytes: int = 450_000,
                filler_bytes: int = 2_048, repeats: int = 5, cluster: Any = None,
                real: Path | None = None) -> list[dict[str, Any]]:
    """The §13 team-server rows: {name, measured, baseline, ratio, target, met, note}."""
    import psycopg
    from postgres_cluster import Cluster

    from cpassess.server.admin import create_group, create_login
    from cpassess.server.connection import member_url
    from cpassess.server.mailbox import Mailbox
    from cpassess.server.schema import migrate
    from cpassess.session import Session

    own_cluster = cluster is None
    cluster = cluster or Cluster()
    folder = Path(tempfile.mkdtemp(prefix="cpassess-bench-server-"))
    try:
        database = f"bench{time.time_ns() % 10**9}"
        url = cluster.create_database(database)
        names = [*TEAM, *(f"member{n:03d}" for n in range(len(TEAM), members))][:max(members, len(TEAM))]
        with psycopg.connect(url, autocommit=True) as owner:
            migrate(owner, create_group(owner, database))
            with owner.transaction():
                logins = {name: create_login(owner, database, name, name == "lead") for name in names}
            measured = "lead2"
            session, _ = Session.initialise(folder / "laptop.db", measured, "Bench Member", "bench laptop password 1")
            login = logins[measured]
            results: dict[str, Any] = {}
            with session, psycopg.connect(member_url(url, login.role, login.password), autocommit=True) as member:
                mailbox = Mailbox(member, measured)
                results["round trip"] = _round_trip(member, mailbox, session, measured, package_bytes)
                for level in levels:
                    owner.execute("TRUNCATE cpassess.packages")
                    mine = _fill(owner, names, measured, level, package_bytes, filler_bytes, level)
                    results[level] = _measure_level(owner, member, mailbox, session, mine, repeats)
                if real is not None:  # the larger level again, the measured member's 100 being real ones
                    owner.execute("DELETE FROM cpassess.packages WHERE recipient = %s", (measured,))
                    results["sync"] = _whole_sync(owner, url, login, real, folder / "lead2-laptop")
    finally:
        if own_cluster:
            cluster.remove()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    small, large = levels
    size = f"{package_bytes // 1000} kB packages, as a submission with its two PDFs"
    rows = []
    for level in levels:
        seconds = results[level][0]
        note = ""
        if level == large and "sync" in results:
            whole, count, waiting = results["sync"]
            note = (f"the whole sync of {count} real submissions among {waiting:,} waiting, imports by §10's rules "
                    f"included: {whole:.1f} s ({whole / count * 1000:.0f} ms a package)")
        rows.append(_row(f"team server: inbox delivery of {BATCH} packages, {members} members, {level:,} waiting "
                         f"({size})", seconds, results["round trip"] * BATCH,
                         f"≤ {DELIVERY_TARGET_SECONDS:g} s per {BATCH}", seconds <= DELIVERY_TARGET_SECONDS, note))
    cpu_small, cpu_large = results[small][1], results[large][1]
    rows.append(_row(f"team server: server CPU per package delivered, {large:,} against {small:,} waiting",
                     cpu_large, cpu_small, f"≤ {FLAT_RATIO:g} × (flat)",
                     cpu_small > 0 and cpu_large / cpu_small <= FLAT_RATIO))
    return rows


def _row(name: str, measured: float, baseline: float, target: str, met: bool, note: str = "") -> dict[str, Any]:
    return {"name": name, "measured": round(measured, 6), "baseline": round(baseline, 6),
            "ratio": round(measured / baseline, 3) if baseline else None, "target": target, "met": bool(met),
            "note": note}


def _print(rows: list[dict[str, Any]], out: Callable[[str], None] = print) -> None:
    for row in rows:
        out(f"{row['name']}: {row['measured']:.4f} (baseline {row['baseline']:.4f}, ratio {row['ratio']}) "
            f"target {row['target']}: {'met' if row['met'] else 'NOT MET'}"
            + (f"; {row['note']}" if row["note"] else ""))


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    cache = ROOT / "bench" / ".cache"
    _print(server_rows(members=20, levels=(200, 600), repeats=2) if quick
           else server_rows(real=real_submissions(cache / "team-server")))
