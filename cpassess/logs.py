"""Logging, configured once at start-up (STYLE point 12) by the command line and the desktop app alike."""

from __future__ import annotations

import logging
import os


def configure() -> None:
    """Errors only, unless CPASSESS_LOG asks for more (info or debug shows what happened underneath)."""
    level = os.environ.get("CPASSESS_LOG", "error").upper()
    logging.basicConfig(level=getattr(logging, level, logging.ERROR), format="%(levelname)s %(name)s: %(message)s")
