"""Waiting for the team server to say a package has arrived (PostgreSQL LISTEN/NOTIFY), so a connected team
lead sees a new submission within seconds rather than at the next periodic sync."""

from __future__ import annotations

from collections.abc import Callable

from cpassess.server.connection import connect

CHANNEL = "cpassess_inbox"  # the server's trigger names the recipient in each notification


def wait_for_packages(url: str, username: str, stopped: Callable[[], bool], arrived: Callable[[], None],
                      poll_seconds: float = 2.0) -> None:
    """Call `arrived()` whenever a package for `username` reaches the server, until `stopped()` is true.
    Blocks (run it on a thread of its own); a dropped connection raises, and the caller tries again later."""
    with connect(url, username) as connection:
        connection.execute(f"LISTEN {CHANNEL}")
        while not stopped():
            if any(note.payload == username for note in connection.notifies(timeout=poll_seconds)):
                arrived()
