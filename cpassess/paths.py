"""Where cpassess keeps things on this computer (platformdirs), overridable with CPASSESS_HOME for tests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    home = os.environ.get("CPASSESS_HOME")
    return Path(home) if home else Path(platformdirs.user_data_dir("cpassess", appauthor=False))


def state_dir() -> Path:
    home = os.environ.get("CPASSESS_HOME")
    return Path(home) / "state" if home else Path(platformdirs.user_state_dir("cpassess", appauthor=False))


def config_dir() -> Path:
    home = os.environ.get("CPASSESS_HOME")
    return Path(home) / "config" if home else Path(platformdirs.user_config_dir("cpassess", appauthor=False))


def trust_store_dir() -> Path:
    """Team authority certificates the user chose to trust (`cpassess authority trust`); nothing else adds to it."""
    return config_dir() / "trusted-authorities"


def default_database() -> Path:
    return data_dir() / "cpassess.db"


def slot_file_for(database: Path) -> Path:
    """The key-slot sidecar of a database: `team.db` -> `team.db.keys`."""
    return database.with_name(database.name + ".keys")


def attempts_file_for(database: Path) -> Path:
    """Where failed unlock attempts on this database are counted (outside the database and its key file)."""
    digest = hashlib.sha256(str(database.resolve()).encode("utf-8")).hexdigest()[:16]
    return state_dir() / "attempts" / f"{digest}.json"
