"""The team server's benchmark row (DESIGN §13, §15): 200 members, 10,000 packages waiting.

    python bench/server.py [--quick]

`server_rows()` starts a throw-away PostgreSQL (tests/server/postgres_cluster.py), gives 200 members a login,
fills the mailbox, and measures, as one member's laptop does it (fetch over the member's own role, store in the
encrypted inbox, tell the server to forget): the delivery of 100 packages with 1,000 and with 10,000 waiting,
beside one package's round trip; and the server's CPU per package delivered (the member's backend process,
from /proc), at 10,000 against 1,000 waiting, which must stay flat. The measured member's packages are the size
of a real submission with its two PDFs (`package_bytes`); the rest of the mailbox is smaller filler, which the
server has to look past but nobody fetches.
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


def _backend_cpu(pid: int) -> float:
    """User + system CPU seconds of one PostgreSQL backend process (it runs on this machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _fill(owner: Any, members: list[str], measured: str, waiting: int, package_bytes: int, filler_bytes: int,
          serial: int) -> list[tuple[str, str, bytes]]:
    """Put `waiting` packages on the server, BATCH of them for `measured`; returns those BATCH packages."""
    others = [m for m in members if m != measured]
    mine = [os.urandom(package_bytes) for _ in range(BATCH)]
    rows = [(measured, body) for body in mine]
    rows += [(others[i % len(others)], serial.to_bytes(4, "big") + i.to_bytes(4, "big") + os.urandom(filler_bytes))
             for i in range(waiting - BATCH)]
    with owner.transaction(), owner.cursor().copy(
            "COPY cpassess.packages (sha256, sender, recipient, kind, body) FROM STDIN") as copy:
        for recipient, body in rows:
            copy.write_row((hashlib.sha256(body).hexdigest(), others[0], recipient, "submission", body))
    owner.execute("ANALYZE cpassess.packages")
    return [(hashlib.sha256(body).hexdigest(), measured, body) for body in mine]


def _deliver(mailbox: Any, session: Any) -> int:
    """What `cpassess sync` does for an inbox, without the imports (those are §10's cost)."""
    from cpassess.server import outbox

    batch = mailbox.fetch(BATCH)
    outbox.receive(session, [body for _, body in batch])
    mailbox.collect([sha256 for sha256, _ in batch])
    return len(batch)


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
                filler_bytes: int = 2_048, repeats: int = 5, cluster: Any = None) -> list[dict[str, Any]]:
    """The §13 team-server rows: {name, measured, baseline, ratio, target, met}."""
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
        names = [f"member{n:03d}" for n in range(members)]
        with psycopg.connect(url, autocommit=True) as owner:
            migrate(owner, create_group(owner, database))
            with owner.transaction():
                logins = {name: create_login(owner, database, name, False) for name in names}
            measured = names[0]
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
        rows.append(_row(f"team server: inbox delivery of {BATCH} packages, {members} members, {level:,} waiting "
                         f"({size})", seconds, results["round trip"] * BATCH,
                         f"≤ {DELIVERY_TARGET_SECONDS:g} s per {BATCH}", seconds <= DELIVERY_TARGET_SECONDS))
    cpu_small, cpu_large = results[small][1], results[large][1]
    rows.append(_row(f"team server: server CPU per package delivered, {large:,} against {small:,} waiting",
                     cpu_large, cpu_small, f"≤ {FLAT_RATIO:g} × (flat)",
                     cpu_small > 0 and cpu_large / cpu_small <= FLAT_RATIO))
    return rows


def _row(name: str, measured: float, baseline: float, target: str, met: bool) -> dict[str, Any]:
    return {"name": name, "measured": round(measured, 6), "baseline": round(baseline, 6),
            "ratio": round(measured / baseline, 3) if baseline else None, "target": target, "met": bool(met)}


def _print(rows: list[dict[str, Any]], out: Callable[[str], None] = print) -> None:
    for row in rows:
        out(f"{row['name']}: {row['measured']:.4f} (baseline {row['baseline']:.4f}, ratio {row['ratio']}) "
            f"target {row['target']}: {'met' if row['met'] else 'NOT MET'}")


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    _print(server_rows(members=20, levels=(200, 600), repeats=2) if quick else server_rows())
