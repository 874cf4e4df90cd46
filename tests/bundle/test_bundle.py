"""The PyInstaller bundle runs on its own (make dist && make dist-test): nothing from the source tree or .venv."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.dist

BUNDLE = Path(__file__).resolve().parents[2] / "dist" / "cpassess"
PROGRAM = BUNDLE / ("cpassess.exe" if os.name == "nt" else "cpassess")


@pytest.fixture(scope="module")
def bundle_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if not PROGRAM.exists():
        pytest.fail(f"no bundle at {BUNDLE}: run `make dist` first")
    home = tmp_path_factory.mktemp("bundle-home")
    # a clean environment: no PYTHONPATH or virtualenv that could lend the bundle missing pieces
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "CPASSESS_HOME": str(home / "cpassess"),
            "CPASSESS_KDF_SECONDS": "0.05", "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8"}


def run(env: dict[str, str], *args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PROGRAM), *args], input=stdin, capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=600, check=False)


def test_version_and_forms(bundle_env: dict[str, str], tmp_path: Path) -> None:
    version = run(bundle_env, "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("cpassess "), version.stderr
    forms = run(bundle_env, "forms", "list", cwd=tmp_path)
    assert forms.returncode == 0, forms.stderr
    assert "neglect-assessment" in forms.stdout and "girfec-wellbeing" in forms.stdout


def test_demo_export_and_verify(bundle_env: dict[str, str], tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    demo = run(bundle_env, "demo", "--db", str(database), "--children", "12", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    listing = run(bundle_env, "assessment", "list", "--db", str(database), "--as", "lead", "--status", "approved",
                  "--json", "--password-stdin", stdin="demo-lead-password\n", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    import json

    approved = json.loads(listing.stdout)[0]["id"]
    pdf = tmp_path / "approved.pdf"
    export = run(bundle_env, "export-pdf", "--db", str(database), "--as", "lead", "--id", approved, "--out", str(pdf),
                 "--password-stdin", stdin="demo-lead-password\n", cwd=tmp_path)
    assert export.returncode == 0, export.stderr
    verified = run(bundle_env, "verify-pdf", str(pdf), "--db", str(database), "--as", "lead", "--password-stdin",
                   stdin="demo-lead-password\n", cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "all 2 signatures verify" in verified.stdout


def test_the_window_opens(bundle_env: dict[str, str], tmp_path: Path) -> None:
    started = run(bundle_env, "--self-test", "--db", str(tmp_path / "new.db"), cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    assert "FirstRunScreen shown" in started.stdout
