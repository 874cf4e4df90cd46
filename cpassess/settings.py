"""This computer's preferences (STYLE point 10): a small versioned model saved as JSON under the user's
config folder. Never a key, a password or anything personal; team-wide settings live in the database."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cpassess.atomic import write_atomic

log = logging.getLogger(__name__)


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    version: int = 1
    idle_lock_minutes: int = Field(default=5, ge=1, le=60)
    last_database: str | None = None
    last_username: str | None = None


def settings_path() -> Path:
    home = os.environ.get("CPASSESS_HOME")
    folder = Path(home) / "config" if home else Path(platformdirs.user_config_dir("cpassess", appauthor=False))
    return folder / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings, or the defaults when there are none or the file cannot be read."""
    path = path or settings_path()
    try:
        return Settings.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return Settings()
    except (OSError, ValidationError, ValueError):
        log.warning("settings file could not be read; using defaults")
        return Settings()


def save_settings(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, settings.model_dump_json(indent=2).encode("utf-8"))
