"""This computer's preferences (STYLE point 10): a small versioned record saved as JSON under the user's
config folder. Never a key, a password or anything personal; team-wide settings live in the database.

A plain dataclass rather than a pydantic model: it is read before the first window appears, and importing
pydantic there cost a third of the start-up budget (bench/README.md).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cpassess.atomic import write_atomic

log = logging.getLogger(__name__)

VERSION = 1
IDLE_MINUTES = (1, 60)


@dataclass
class Settings:
    version: int = VERSION
    idle_lock_minutes: int = 5
    last_database: str | None = None
    last_username: str | None = None
    spell_check: bool = True  # narrative boxes underline misspelt words (a local dictionary; nothing is sent)

    @classmethod
    def from_json(cls, data: Any) -> Settings:
        """Settings from saved JSON; anything missing, unknown or out of range falls back to its default."""
        settings = cls()
        if not isinstance(data, dict):
            return settings
        minutes = data.get("idle_lock_minutes")
        if isinstance(minutes, int) and not isinstance(minutes, bool) and IDLE_MINUTES[0] <= minutes <= IDLE_MINUTES[1]:
            settings.idle_lock_minutes = minutes
        if isinstance(data.get("spell_check"), bool):
            settings.spell_check = data["spell_check"]
        for key in ("last_database", "last_username"):
            if isinstance(data.get(key), str):
                setattr(settings, key, data[key])
        return settings


def settings_path() -> Path:
    home = os.environ.get("CPASSESS_HOME")
    if home:
        return Path(home) / "config" / "settings.json"
    import platformdirs

    return Path(platformdirs.user_config_dir("cpassess", appauthor=False)) / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings, or the defaults when there are none or the file cannot be read."""
    path = path or settings_path()
    try:
        return Settings.from_json(json.loads(path.read_bytes()))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError):
        log.warning("settings file could not be read; using defaults")
        return Settings()


def save_settings(settings: Settings, path: Path | None = None) -> None:
    if not IDLE_MINUTES[0] <= settings.idle_lock_minutes <= IDLE_MINUTES[1]:
        raise ValueError(f"the idle lock is between {IDLE_MINUTES[0]} and {IDLE_MINUTES[1]} minutes")
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(asdict(settings), indent=2).encode("utf-8"))
