"""The benchmark suite (DESIGN §13): every target measured in one run, beside its baseline on this machine.

    python bench/run.py            # full sizes: 10,000 children, 50,000 assessments (minutes)
    python bench/run.py --quick    # tiny sizes, one run: the smoke test `make test` runs so this cannot rot

Prints a table (measured, baseline, target, met) and writes bench/results.json. Never part of the pass/fail of
`make test`: speed is measured here, not asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CPASSESS_KDF_SECONDS", "0.05")  # the KDF is excluded from every target; keep builds quick
sys.path.insert(0, str(ROOT))

LEAD, LEAD_PASSWORD = "lead", "demo-lead-password"
PRACTITIONER, PRACTITIONER_PASSWORD = "sam", "demo-practitioner-password"


@dataclass
class Row:
    name: str
    measured: float
    unit: str
    target: str
    met: bool
    baseline: float | None = None
    ratio: float | None = None
    note: str = ""


def median_of(runs: int, measure: Callable[[], float], warm_up: int = 1) -> float:
    for _ in range(warm_up):
        measure()
    return statistics.median(measure() for _ in range(runs))


# --- data ----------------------------------------------------------------------------------------------------


def caseload_database(folder: Path, children: int) -> Path:
    """A demo database of `children` children (built once and kept in bench/.cache)."""
    from cpassess.demo import build_demo

    path = folder / f"caseload-{children}.db"
    if not path.exists():
        print(f"building a demo database of {children} children…", flush=True)
        build_demo(path, children)
    return path


def autosave_database(folder: Path, assessments: int) -> tuple[Path, str]:
    """A database holding `assessments` assessments; returns it and the id of a full GIRFEC draft to autosave."""
    from cpassess.session import Session

    path = folder / f"assessments-{assessments}.db"
    if not path.exists():
        source = caseload_database(folder, 30)
        for suffix in ("", ".keys"):
            shutil.copy(source.with_name(source.name + suffix), path.with_name(path.name + suffix))
        with Session.unlock(path, PRACTITIONER, PRACTITIONER_PASSWORD) as session:
            template = session.db.query_one("SELECT * FROM assessments WHERE form_id = 'girfec-wellbeing' "
                                            "ORDER BY length(answers) DESC LIMIT 1")
            existing = session.db.query_one("SELECT count(*) AS n FROM assessments")["n"]
            print(f"adding {assessments - existing} assessments…", flush=True)
            with session.db.write() as connection:
                connection.executemany(
                    "INSERT INTO assessments (id, child_id, form_id, form_version, status, author, answers, created, "
                    "updated) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?)",
                    [(str(uuid.uuid4()), template["child_id"], template["form_id"], template["form_version"],
                      PRACTITIONER, template["answers"], template["created"], template["updated"])
                     for _ in range(max(0, assessments - existing))])
    with Session.unlock(path, PRACTITIONER, PRACTITIONER_PASSWORD) as session:
        draft = session.db.query_one("SELECT id FROM assessments WHERE form_id = 'girfec-wellbeing' AND author = ? "
                                     "AND status = 'draft' ORDER BY length(answers) DESC LIMIT 1", (PRACTITIONER,))
    return path, draft["id"]


# --- measurements --------------------------------------------------------------------------------------------


def first_window_seconds(command: list[str]) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    for line in process.stdout:
        if "shown" in line:
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError(f"{command[0]} never showed its window")
    process.wait(timeout=60)
    return elapsed


def startup(database: Path, runs: int) -> Row:
    app = [sys.executable, "-m", "ui.launcher", "--db", str(database), "--self-test"]
    baseline = [sys.executable, str(ROOT / "bench" / "minimal_window.py")]
    measured = median_of(runs, lambda: first_window_seconds(app))
    base = median_of(runs, lambda: first_window_seconds(baseline))
    ratio = measured / base
    return Row("process start to unlock window shown", measured, "s", "≤ 2 × minimal PySide6 window", ratio <= 2,
               base, ratio)


def ui_rows(caseload: Path, runs: int, queries: list[str]) -> list[Row]:
    from PySide6.QtWidgets import QApplication

    from cpassess.keyslots import SlotFile
    from cpassess.paths import slot_file_for
    from cpassess.session import Session
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    apply_theme(app)  # type: ignore[arg-type]
    window = MainWindow(caseload)
    window.resize(1366, 768)
    window.show()
    app.processEvents()
    slots = SlotFile.open(slot_file_for(caseload))

    def unlock_to_caseload(username: str, password: str) -> float:
        secrets = slots.unlock(username, password)  # the KDF: excluded from the target
        start = time.perf_counter()
        window._unlocked(Session._open(caseload, slots, username, secrets))
        app.processEvents()
        return time.perf_counter() - start

    def timed_unlock() -> float:
        elapsed = unlock_to_caseload(LEAD, LEAD_PASSWORD)
        window.lock()
        app.processEvents()
        return elapsed

    unlock = median_of(runs, timed_unlock)
    rows = [Row("unlock (after the KDF) to caseload shown", unlock, "s", "≤ 0.3 s", unlock <= 0.3)]

    unlock_to_caseload(LEAD, LEAD_PASSWORD)
    screen = window.workspace.current()
    keystrokes: list[float] = []
    for _ in range(runs):
        for query in queries:
            for end in range(1, len(query) + 1):
                start = time.perf_counter()
                screen.search.setText(query[:end])
                app.processEvents()
                keystrokes.append(time.perf_counter() - start)
            screen.search.clear()
            app.processEvents()
    search = statistics.median(keystrokes)
    worst = max(keystrokes)
    rows.append(Row(f"search as you type over {len(screen._all)} children", search * 1000, "ms per keystroke",
                    "≤ 30 ms", search <= 0.030, note=f"slowest keystroke {worst * 1000:.1f} ms"))
    window.lock()
    app.processEvents()

    unlock_to_caseload(PRACTITIONER, PRACTITIONER_PASSWORD)
    session = window.session
    assert session is not None
    girfec = max((a for a in session.assessments.find() if a.form_id == "girfec-wellbeing"),
                 key=lambda a: len(json.dumps(a.answers)))

    def open_editor() -> float:
        window.workspace.show_caseload()
        app.processEvents()
        start = time.perf_counter()
        window.workspace.open_assessment(girfec.id)
        app.processEvents()
        return time.perf_counter() - start

    editor = median_of(runs, open_editor)
    rows.append(Row("open the GIRFEC editor with a full assessment", editor * 1000, "ms", "≤ 150 ms",
                    editor <= 0.150))
    window.workspace.show_caseload()
    window.lock()
    window.close()
    app.processEvents()
    return rows


def autosave(database: Path, draft_id: str, runs: int) -> Row:
    import sqlcipher3

    from cpassess.casework import Casework
    from cpassess.keyslots import SlotFile
    from cpassess.paths import slot_file_for
    from cpassess.session import Session

    key = SlotFile.open(slot_file_for(database)).unlock(PRACTITIONER, PRACTITIONER_PASSWORD)["database_key"]
    with Session.unlock(database, PRACTITIONER, PRACTITIONER_PASSWORD) as session:
        answers = session.assessments.get(draft_id).answers
        count = session.db.query_one("SELECT count(*) AS n FROM assessments")["n"]
        payload = json.dumps(answers, ensure_ascii=False)
        saved = median_of(runs, lambda: _timed(lambda: Casework.of(session).save_draft(draft_id, answers)))
    connection = sqlcipher3.connect(str(database), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "temp_store = MEMORY", "cache_size = -32768"):
        connection.execute(f"PRAGMA {pragma}")

    def bare_upsert() -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO assessments (id, child_id, form_id, form_version, status, author, answers, "
                           "created, updated) SELECT id, child_id, form_id, form_version, status, author, ?, created, "
                           "? FROM assessments WHERE id = ? ON CONFLICT(id) DO UPDATE SET answers = excluded.answers, "
                           "updated = excluded.updated", (payload, time.time(), draft_id))
        connection.execute("COMMIT")

    bare = median_of(runs, lambda: _timed(bare_upsert))
    connection.close()
    ratio = saved / bare
    return Row(f"autosave of one assessment, {count} assessments in the database", saved * 1000, "ms",
               "≤ 1.3 × bare sqlcipher3 upsert", ratio <= 1.3, bare * 1000, ratio)


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def export_rows(caseload: Path, runs: int) -> list[Row]:
    from cpassess.casework.documents import print_record_of
    from cpassess.export.document import render
    from cpassess.export.signing import PdfSigner, certify
    from cpassess.session import Session

    with Session.unlock(caseload, PRACTITIONER, PRACTITIONER_PASSWORD) as session:
        girfec = max((a for a in session.assessments.find() if a.form_id == "girfec-wellbeing"),
                     key=lambda a: len(json.dumps(a.answers)))
        record = print_record_of(session, girfec, draft=False)
        pages = render(record).pages
        export = median_of(runs, lambda: _timed(lambda: render(record)))
        signer = PdfSigner(session.signing_key, session.user.certificate, session.authority_certificate)
        pdf = render(record).data
        signing = median_of(runs, lambda: _timed(lambda: certify(pdf, signer, record.record_json or b"{}")))
    return [Row(f"export a full GIRFEC assessment with charts ({pages} pages)", export, "s", "≤ 0.5 s",
                export <= 0.5),
            Row("signing it (author's certification)", signing * 1000, "ms", "≤ 50 ms", signing <= 0.050)]


def memory(caseload: Path) -> Row:
    output = subprocess.run([sys.executable, str(ROOT / "bench" / "memory_probe.py"), str(caseload), LEAD,
                             LEAD_PASSWORD], capture_output=True, text=True, cwd=ROOT, timeout=300, check=True)
    peak_mb = float(output.stdout.strip().splitlines()[-1])
    return Row("memory with the caseload database open (peak RSS)", peak_mb, "MB", "≤ 200 MB",
               peak_mb <= 200)


# --- the run -------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes and one run (smoke test)")
    parser.add_argument("--runs", type=int, help="repetitions per measurement (median is reported)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    args = parser.parse_args()
    children, assessments = (30, 120) if args.quick else (10_000, 50_000)
    runs = args.runs or (1 if args.quick else 5)
    args.cache.mkdir(parents=True, exist_ok=True)
    os.environ["CPASSESS_HOME"] = str(args.cache / "home")
    caseload = caseload_database(args.cache, children)
    autosave_db, draft_id = autosave_database(args.cache, assessments)
    rows = [startup(caseload, runs)]
    rows += ui_rows(caseload, runs, ["mac", "ni bh", "дм", "wró"])
    rows.append(autosave(autosave_db, draft_id, max(runs, 5)))
    rows += export_rows(caseload, runs)
    rows.append(memory(caseload))
    report(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                                    "cpus": os.cpu_count(), "quick": args.quick, "runs": runs,
                                    "rows": [asdict(row) for row in rows]}, indent=2))
    print(f"\nwritten {args.out}")
    return 0


def report(rows: list[Row]) -> None:
    print(f"\n{'what':<58} {'measured':>16} {'baseline':>12} {'ratio':>6}  {'target':<32} met")
    for row in rows:
        baseline = f"{row.baseline:.3g}" if row.baseline is not None else "—"
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "—"
        print(f"{row.name:<58} {row.measured:>10.3g} {row.unit:<5} {baseline:>12} {ratio:>6}  {row.target:<32} "
              f"{'yes' if row.met else 'NO'}{'  (' + row.note + ')' if row.note else ''}")


if __name__ == "__main__":
    sys.exit(main())
