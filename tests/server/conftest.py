"""The team server's tests run against a real PostgreSQL started once per test session (postgres_cluster.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from postgres_cluster import Cluster

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def server_url(postgres: Cluster) -> str:
    """The administrator's URL of a new, empty team database (member roles are named after it, so tests
    never see each other's)."""
    return postgres.create_database(f"team{next(_databases)}")
