"""Connecting to the team server: a `postgresql://` URL, over TLS unless the server is on this computer."""

from __future__ import annotations

import os
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from cpassess.server import ServerError, ServerUnreachable

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
SECURE_MODES = frozenset({"require", "verify-ca", "verify-full"})
CONNECT_TIMEOUT_SECONDS = 10


def _parameters(url: str) -> dict[str, Any]:
    if not url.startswith(("postgresql://", "postgres://")):
        raise ServerError("A team server address starts with postgresql:// (for example "
                          "postgresql://server.council.example/cpassess).")
    try:
        parameters = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        raise ServerError("The team server address cannot be read; check it for typing mistakes.") from None
    if not parameters.get("dbname"):
        raise ServerError("The team server address names no database (postgresql://HOST/DATABASE).")
    return parameters


def is_local(parameters: dict[str, Any]) -> bool:
    """True when every host is this computer: a unix socket folder or a loopback address."""
    hosts = str(parameters.get("host") or os.environ.get("PGHOST", "")).split(",")
    addresses = [a for a in str(parameters.get("hostaddr") or "").split(",") if a]
    return all(not host or host.startswith(("/", "@")) or host in LOCAL_HOSTS for host in hosts) and all(
        address in LOCAL_HOSTS for address in addresses)


def checked_url(url: str) -> dict[str, Any]:
    """The connection parameters of `url`, refusing a non-local server without TLS (verify-full by default)."""
    parameters = _parameters(url.strip())
    mode = parameters.get("sslmode") or os.environ.get("PGSSLMODE")
    if not is_local(parameters):
        if mode is None:
            parameters["sslmode"] = "verify-full"
        elif mode not in SECURE_MODES:
            raise ServerError(f"The team server {describe(url)} is not on this computer, so the connection must be "
                              f"encrypted: use sslmode=verify-full (or require), not sslmode={mode}.")
    return parameters


def describe(url: str) -> str:
    """The server and database of `url` for messages, without any user name or password."""
    try:
        parameters = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(unreadable address)"
    host = str(parameters.get("host") or "this computer")
    return f"{'this computer' if host.startswith('/') else host}/{parameters.get('dbname', '')}"


def database_name(url: str) -> str:
    return str(_parameters(url)["dbname"])


def member_role(database: str, username: str) -> str:
    """The PostgreSQL role of a team member; roles are cluster-wide, so the database name is part of it."""
    return f"{database}.{username}"


def group_role(database: str) -> str:
    """The role every member belongs to (its '_' after the database name never appears in a member's role)."""
    return f"{database}_members"


def connect(url: str, username: str | None = None) -> psycopg.Connection[Any]:
    """A connection to the server; with no user in the URL, as the member role of `username`."""
    parameters = checked_url(url)
    if not parameters.get("user") and username is not None:
        parameters["user"] = member_role(str(parameters["dbname"]), username)
    parameters.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
    parameters.setdefault("application_name", "cpassess")
    try:
        return psycopg.connect(make_conninfo(**parameters), autocommit=True)  # work goes in explicit transactions
    except psycopg.OperationalError as error:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise ServerUnreachable(f"The team server {describe(url)} could not be reached ({reason}); "
                                "everything waits in the outbox.") from None


def member_url(url: str, role: str, password: str) -> str:
    """`url` with the login replaced by a member's: the address that member gives `cpassess sync --server`."""
    from urllib.parse import quote, urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(role, safe='')}:{quote(password, safe='')}@{host}"))
