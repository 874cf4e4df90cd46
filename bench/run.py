"""The benchmark suite (DESIGN §13): every row measured beside its baseline in the same run, as a ratio.

    python bench/run.py            # full sizes: 10,000 children (growth to 100,000), 50,000 assessments
    python bench/run.py --quick    # tiny sizes, one run: the smoke test `make test` runs so this cannot rot

Each row and its baseline are measured in turn (interleaved, run after run, so that a machine getting busier or
quieter moves both), and the medians are compared. Prints a table (measured, baseline, ratio, target, met) and
writes bench/results.json. Never part of the pass/fail of `make test`: speed is measured here, not asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CPASSESS_KDF_SECONDS", "0.05")  # the KDF is excluded from every target; keep builds quick
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from baselines import (  # noqa: E402 - after the path set-up above
    BareCaseload,
    bare_filter,
    bare_upsert,
    plain_render,
    stock_signer,
)

from cpassess.demo import DEMO_LOGINS  # noqa: E402

(LEAD, LEAD_PASSWORD), (PRACTITIONER, PRACTITIONER_PASSWORD), SECOND_PRACTITIONER = (
    (login.username, login.password) for login in DEMO_LOGINS)
SEARCHES = ["mac", "ni bh", "дм", "wró", "campbell, i"]


@dataclass
class Row:
    name: str
    measured: float
    unit: str
    baseline: float | None
    ratio: float | None
    target: str
    limit: float
    met: bool
    note: str = ""


def row(name: str, measured: float, baseline: float, unit: str, limit: float, target: str, note: str = "") -> Row:
    ratio = measured / baseline
    return Row(name, measured, unit, baseline, ratio, target, limit, ratio <= limit, note)


@dataclass
class Sizes:
    children: int  # the caseload of the main rows
    growth: tuple[int, ...]  # caseloads of the growth rows, the first being their baseline
    assessments: int  # in the autosave database
    demo: int  # children of the demo database every other one is grown from (the assessed ones among them)
    runs: int
    warm_up: int


FULL = Sizes(10_000, (1_000, 10_000, 100_000), 50_000, 1_000, 7, 1)
QUICK = Sizes(40, (8, 40, 200), 60, 8, 1, 0)


def interleaved(runs: int, warm_up: int, *measures: Callable[[], float]) -> list[list[float]]:
    """Each measure run `runs` times, taking turns (A B, B A, A B, ...), after `warm_up` untimed turns."""
    for _ in range(warm_up):
        for measure in measures:
            measure()
    results: list[list[float]] = [[] for _ in measures]
    for turn in range(runs):
        order = list(range(len(measures)))
        for index in order if turn % 2 == 0 else reversed(order):
            results[index].append(measures[index]())
    return results


def medians(runs: int, warm_up: int, *measures: Callable[[], float]) -> list[float]:
    return [statistics.median(times) for times in interleaved(runs, warm_up, *measures)]


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


# --- data (built once, kept in the cache folder) -------------------------------------------------------------


def demo_database(cache: Path, children: int) -> Path:
    """`cpassess demo`: children with assessments in every state (the slow part is rendering and signing them)."""
    from cpassess.demo import build_demo

    path = cache / f"demo-{children}.db"
    if not path.exists():
        print(f"building a demo database of {children} children…", flush=True)
        build_demo(path, children)
    return path


def copy_database(source: Path, target: Path) -> None:
    for suffix in ("", ".keys"):
        shutil.copy(source.with_name(source.name + suffix), target.with_name(target.name + suffix))


def caseload_database(cache: Path, demo: Path, children: int) -> Path:
    """The demo database grown to `children` children with more synthetic ones (no assessments), half each."""
    import datetime as dt
    import random

    from cpassess.demo import child_record
    from cpassess.session import Session

    path = cache / f"caseload-{children}.db"
    if path.exists():
        return path
    with Session.unlock(demo, LEAD, LEAD_PASSWORD) as session:
        existing = session.db.query_one("SELECT count(*) AS n FROM children")["n"]
    if children <= existing:
        return demo
    print(f"growing the demo database to {children} children…", flush=True)
    building = path.with_name(path.name + ".building")
    copy_database(demo, building)
    rng, today = random.Random(children), dt.date.today()  # noqa: S311 - synthetic data, repeatable
    extra = children - existing
    for (login, password), share in (((PRACTITIONER, PRACTITIONER_PASSWORD), extra // 2),
                                     (SECOND_PRACTITIONER, extra - extra // 2)):
        with Session.unlock(building, login, password) as session:
            for start in range(0, share, 10_000):
                session.children.add_many([child_record(rng, today) for _ in range(min(10_000, share - start))])
    copy_database(building, path)
    for suffix in ("", ".keys"):
        building.with_name(building.name + suffix).unlink()
    return path


def autosave_database(cache: Path, demo: Path, assessments: int) -> tuple[Path, str]:
    """A database holding `assessments` assessments; returns it and the id of a full GIRFEC draft to autosave."""
    from cpassess.session import Session

    path = cache / f"assessments-{assessments}.db"
    if not path.exists():
        copy_database(demo, path)
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


# --- start-up and memory: separate processes -----------------------------------------------------------------


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
    process.stdout.read()
    process.wait(timeout=60)
    return elapsed


def minimal_window() -> list[str]:
    return [sys.executable, str(ROOT / "bench" / "minimal_window.py")]


def startup(database: Path, sizes: Sizes) -> tuple[Row, float]:
    """The start-up row, and the minimal window's start-up (the editor row's baseline too)."""
    app = [sys.executable, "-m", "ui.launcher", "--db", str(database), "--self-test"]
    measured, base = medians(sizes.runs, sizes.warm_up, lambda: first_window_seconds(app),
                             lambda: first_window_seconds(minimal_window()))
    return row("process start to unlock window shown", measured, base, "s", 1.5, "≤ 1.5 × minimal window"), base


def peak_rss_mb(command: list[str]) -> float:
    output = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600, check=True)
    return float(output.stdout.strip().splitlines()[-1].split()[-1])


def memory(caseload: Path, children: int, sizes: Sizes) -> Row:
    probe = [sys.executable, str(ROOT / "bench" / "memory_probe.py"), str(caseload), LEAD, LEAD_PASSWORD]
    minimal = [*minimal_window(), "--rss"]
    measured, base = medians(min(sizes.runs, 2), 0, lambda: peak_rss_mb(probe), lambda: peak_rss_mb(minimal))
    return row(f"memory with the {children:,}-child database open (peak RSS)", measured, base, "MB", 3,
               "≤ 3 × minimal window")


# --- the desktop app, in this process ------------------------------------------------------------------------


def settle(qt: Any) -> None:
    """Process pending events (inside the timed part of a row)."""
    qt.processEvents()


def tidy(qt: Any) -> None:
    """Between timed parts, what the app's event loop does when idle: delete the screens given to deleteLater and
    collect them. A bare processEvents outside any event loop never deletes them, so closed screens piled up run
    after run and made each later run slower than the app is (2,216 widgets under the window after five editor
    opens, not 259). Background work is finished first: deleting screens and collecting their wrappers while a
    worker thread ran (the spelling dictionary loading) crashed PySide6 now and then."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    from ui.background import wait_for_background

    qt.processEvents()
    wait_for_background()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


class App:
    """The real window over one database, and the means to unlock it without the KDF being timed."""

    def __init__(self, database: Path) -> None:
        from PySide6.QtWidgets import QApplication

        from cpassess.keyslots import SlotFile
        from cpassess.paths import slot_file_for
        from ui.main_window import MainWindow
        from ui.theme import apply_theme

        self.qt = QApplication.instance() or QApplication([])
        apply_theme(self.qt)  # type: ignore[arg-type]
        self.database = database
        self.window = MainWindow(database)
        self.window.resize(1366, 768)
        self.window.show()
        settle(self.qt)
        self.slots = SlotFile.open(slot_file_for(database))
        self._secrets = {login: self.slots.unlock(login, password)  # the KDF, excluded from every target
                         for login, password in ((LEAD, LEAD_PASSWORD), (PRACTITIONER, PRACTITIONER_PASSWORD))}

    def unlock(self, username: str = LEAD) -> float:
        """Seconds from the key slot opened to the caseload shown."""
        from cpassess.session import Session

        start = time.perf_counter()
        self.window._unlocked(Session._open(self.database, self.slots, username, self._secrets[username]))
        settle(self.qt)
        return time.perf_counter() - start

    def lock(self) -> None:
        self.window.lock()
        tidy(self.qt)

    def timed_unlock(self) -> float:
        elapsed = self.unlock()
        self.lock()
        return elapsed

    def close(self) -> None:
        self.window.close()
        tidy(self.qt)


def unlock_and_search(database: Path, sizes: Sizes, runs: int) -> dict[str, Any]:
    """Unlock to caseload and search keystrokes over one database, each beside its bare baseline."""
    from cpassess.keyslots import SlotFile
    from cpassess.paths import slot_file_for

    app = App(database)
    key = SlotFile.open(slot_file_for(database)).unlock(LEAD, LEAD_PASSWORD)["database_key"]
    bare = BareCaseload(database, key)
    unlock, unlock_base = medians(runs, sizes.warm_up, app.timed_unlock, bare.timed_show)

    app.unlock()
    screen = app.window.workspace.current()
    children = len(screen._all)
    bare.show()  # its rows carry the same pre-folded keys, read from the same column

    def keystroke(text: str) -> float:
        start = time.perf_counter()
        screen.search.setText(text)
        settle(app.qt)
        return time.perf_counter() - start

    def bare_keystroke(text: str) -> float:
        start = time.perf_counter()
        bare.set_rows(bare_filter(bare.rows, text))
        settle(app.qt)
        return time.perf_counter() - start

    typed, typed_base = [], []
    for _ in range(sizes.warm_up):
        keystroke(SEARCHES[0][:1])
        bare_keystroke(SEARCHES[0][:1])
    for _ in range(runs):
        for query in SEARCHES:
            for end in range(1, len(query) + 1):
                measured, base = interleaved(1, 0, lambda q=query[:end]: keystroke(q),
                                             lambda q=query[:end]: bare_keystroke(q))
                typed += measured
                typed_base += base
                if os.environ.get("BENCH_DEBUG"):
                    print(f"{query[:end]!r}: {measured[0] * 1000:.1f} ms, bare {base[0] * 1000:.1f} ms")
            keystroke("")
            bare_keystroke("")
    bare.close()
    app.lock()
    app.close()
    return {"children": children, "unlock": unlock, "unlock_base": unlock_base,
            "search": statistics.median(typed), "search_slowest": max(typed),
            "search_base": statistics.median(typed_base), "search_base_slowest": max(typed_base)}


def editor(database: Path, sizes: Sizes, minimal_start: float) -> Row:
    app = App(database)
    app.unlock(PRACTITIONER)
    window = app.window
    session = window.session
    assert session is not None
    girfec = fullest_girfec(session)

    def open_editor() -> float:
        window.workspace.show_caseload()
        tidy(app.qt)
        start = time.perf_counter()
        window.workspace.open_assessment(girfec.id)
        settle(app.qt)
        return time.perf_counter() - start

    (measured,) = medians(sizes.runs, sizes.warm_up, open_editor)
    window.workspace.show_caseload()
    app.lock()
    app.close()
    return row("open the GIRFEC editor with a full assessment", measured, minimal_start, "s", 0.5,
               "≤ 0.5 × minimal window start")


def fullest_girfec(session: Any) -> Any:
    return max((a for a in session.assessments.find() if a.form_id == "girfec-wellbeing"),
               key=lambda a: len(json.dumps(a.answers)))


# --- the core, in this process -------------------------------------------------------------------------------


def autosave(database: Path, draft_id: str, sizes: Sizes) -> Row:
    from cpassess.casework import Casework
    from cpassess.keyslots import SlotFile
    from cpassess.paths import slot_file_for
    from cpassess.session import Session

    key = SlotFile.open(slot_file_for(database)).unlock(PRACTITIONER, PRACTITIONER_PASSWORD)["database_key"]
    with Session.unlock(database, PRACTITIONER, PRACTITIONER_PASSWORD) as session:
        answers = session.assessments.get(draft_id).answers
        count = session.db.query_one("SELECT count(*) AS n FROM assessments")["n"]
        with bare_upsert(database, key, draft_id, json.dumps(answers, ensure_ascii=False)) as upsert:
            saved, bare = medians(max(sizes.runs * 3, 5), sizes.warm_up,
                                  lambda: timed(lambda: Casework.of(session).save_draft(draft_id, answers)),
                                  lambda: timed(upsert))
    return row(f"autosave of one assessment, {count:,} assessments in the database", saved * 1000, bare * 1000,
               "ms", 1.2, "≤ 1.2 × bare sqlcipher3 upsert")


def export_rows(database: Path, sizes: Sizes) -> list[Row]:
    from cpassess.casework.documents import print_record_of
    from cpassess.export.document import render
    from cpassess.export.signing import PdfSigner, certify
    from cpassess.session import Session

    with Session.unlock(database, PRACTITIONER, PRACTITIONER_PASSWORD) as session:
        record = print_record_of(session, fullest_girfec(session), draft=False)
        record_json = record.record_json or b"{}"
        rendered = render(record)
        plain = plain_render(rendered.data)
        export, export_base = medians(sizes.runs, sizes.warm_up, lambda: timed(lambda: render(record)),
                                      lambda: timed(plain))
        signer = PdfSigner(session.signing_key, session.user.certificate, session.authority_certificate)
        stock = stock_signer(session.signing_key, session.user.certificate, session.authority_certificate)
        signing, signing_base = medians(sizes.runs, sizes.warm_up,
                                        lambda: timed(lambda: certify(rendered.data, signer, record_json)),
                                        lambda: timed(lambda: stock(rendered.data)))
    return [row(f"export a full GIRFEC assessment with charts ({rendered.pages} pages)", export, export_base, "s", 2,
                "≤ 2 × bare reportlab, same words"),
            row("signing it (author's certification, visible box)", signing * 1000, signing_base * 1000, "ms", 1.0,
                "≤ 1.0 × pyHanko's stock SimpleSigner")]


# --- the team server (§15) -----------------------------------------------------------------------------------


def team_server_rows(cache: Path, sizes: Sizes) -> list[Row]:
    """The team server's rows come from bench/team_server.py (issue 17), `rows(cache, quick, runs)`, when present."""
    path = ROOT / "bench" / "team_server.py"
    if not path.exists():
        print("team server: bench/team_server.py is not in this build; its row is not measured", flush=True)
        return []
    spec = importlib.util.spec_from_file_location("team_server", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows: list[Row] = module.rows(cache, sizes is QUICK, sizes.runs)
    return rows


# --- the run -------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes and one run (smoke test)")
    parser.add_argument("--runs", type=int, help="repetitions per measurement (medians are reported)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache",
                        help="where the databases are built once and kept (never committed)")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    if args.runs:
        sizes = Sizes(sizes.children, sizes.growth, sizes.assessments, sizes.demo, args.runs, sizes.warm_up)
    args.cache.mkdir(parents=True, exist_ok=True)
    os.environ["CPASSESS_HOME"] = str(args.cache / "home")
    demo = demo_database(args.cache, sizes.demo)
    databases = {children: caseload_database(args.cache, demo, children)
                 for children in sorted({sizes.children, *sizes.growth})}
    autosave_db, draft_id = autosave_database(args.cache, demo, sizes.assessments)
    caseload = databases[sizes.children]

    start_row, minimal_start = startup(caseload, sizes)
    rows = [start_row]
    saving = autosave(autosave_db, draft_id, sizes)  # before the caseloads below leave 100,000 rows for the GC to walk
    growth = {children: unlock_and_search(databases[children], sizes,
                                          max(1, sizes.runs // 2) if children > sizes.children else sizes.runs)
              for children in databases}
    main_size = growth[sizes.children]
    rows.append(row(f"unlock (after the KDF) to caseload shown, {main_size['children']:,} children",
                    main_size["unlock"], main_size["unlock_base"], "s", 1.5,
                    "≤ 1.5 × bare SELECT + bare QTableView"))
    rows.append(row(f"search as you type over {main_size['children']:,} children, per keystroke",
                    main_size["search"] * 1000, main_size["search_base"] * 1000, "ms", 1.5,
                    "≤ 1.5 × bare filter + model reset"))
    # the slowest keystroke (a first letter, matching thousands) beside the baseline's slowest of the same keystrokes
    rows.append(row("  slowest keystroke", main_size["search_slowest"] * 1000, main_size["search_base_slowest"] * 1000,
                    "ms", 3, "≤ 3 × bare filter's slowest keystroke",
                    f"{main_size['search_slowest'] / main_size['search_base']:.2f} × the bare median keystroke"))
    rows.append(editor(caseload, sizes, minimal_start))
    rows.append(saving)
    rows += export_rows(caseload, sizes)
    rows.append(memory(caseload, main_size["children"], sizes))
    first, *larger = sizes.growth
    for what, key, unit in (("unlock to caseload", "unlock", "s"), ("search per keystroke", "search", "ms")):
        scale = 1000 if unit == "ms" else 1
        for children in larger:
            times = growth[children]
            rows.append(row(f"growth: {what}, {times['children']:,} children", times[key] * scale,
                            growth[first][key] * scale, unit, children / first,
                            f"≤ {children / first:g} × the {growth[first]['children']:,} figure (linear)"))
    rows += team_server_rows(args.cache, sizes)
    report(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                                    "cpus": os.cpu_count(), "quick": args.quick, "runs": sizes.runs,
                                    "rows": [asdict(r) for r in rows]}, indent=2, ensure_ascii=False))
    print(f"\nwritten {args.out}")
    return 0


def report(rows: list[Row]) -> None:
    print(f"\n{'what':<62} {'measured':>14} {'baseline':>10} {'ratio':>6}  {'target':<40} met")
    for r in rows:
        baseline = f"{r.baseline:.3g}" if r.baseline is not None else "—"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "—"
        print(f"{r.name:<62} {r.measured:>8.3g} {r.unit:<5} {baseline:>10} {ratio:>6}  {r.target:<40} "
              f"{'yes' if r.met else 'NO'}{'  (' + r.note + ')' if r.note else ''}")


if __name__ == "__main__":
    sys.exit(main())
