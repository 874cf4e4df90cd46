"""Dates as people in Scotland write them, shared by screen, command line and paper."""

from __future__ import annotations

import datetime as dt


def uk_date(value: str | None) -> str:
    """An ISO date or date-time as the UK writes it: 21/11/2026, or 21/11/2026 14:03 in local time."""
    if not value:
        return ""
    try:
        if "T" in value:
            return dt.datetime.fromisoformat(value).astimezone().strftime("%d/%m/%Y %H:%M")
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def utc_now() -> str:
    """The current time as stored in records and audit events: ISO 8601, UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
