"""Shared fixtures: databases (SQLite and PostgreSQL), local sites on 127.0.0.1, a fixed as_of."""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import pytest

from xunjian.demo.server import SiteServer

FIXTURES = Path(__file__).parent / "fixtures"
REAL_PAGES = FIXTURES / "real"  # real government pages, see the PROVENANCE.md in each folder
AS_OF = date(2026, 11, 22)
PG_ADMIN_URL = os.environ.get("XUNJIAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means: skip PostgreSQL tests with the reason
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"


@pytest.fixture(scope="session")
def pg_database():
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    reason = _pg_available()
    if reason:
        pytest.skip(reason)
    import psycopg

    name = f"xj_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    from xunjian.storage.db import upgrade

    upgrade(url)
    yield "postgresql+psycopg://" + url.split("://", 1)[1]
    from xunjian.storage.db import get_engine

    get_engine.cache_clear()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate(url: str) -> None:
    from sqlalchemy import text

    from xunjian.storage.db import get_engine
    from xunjian.storage.models import Base

    with get_engine(url).begin() as conn:
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """A migrated, empty database: SQLite file and PostgreSQL, each test run against both."""
    if request.param == "sqlite":
        from xunjian.storage.db import upgrade

        url = f"sqlite:///{tmp_path / 'xunjian.db'}"
        upgrade(url)
        return url
    url = request.getfixturevalue("pg_database")
    _truncate(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path):
    from xunjian.storage.db import upgrade

    url = f"sqlite:///{tmp_path / 'xunjian.db'}"
    upgrade(url)
    return url


@pytest.fixture
def site_server():
    """Factory: ``site_server(root=..., routes=...)`` starts a local site; all are stopped at the end."""
    servers: list[SiteServer] = []

    def start(root=None, routes=None) -> SiteServer:
        server = SiteServer(root, routes).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def as_of() -> date:
    return AS_OF


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """Environment for running the CLI against a temporary SQLite database with loopback allowed."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("XUNJIAN_DATABASE_URL", url)
    monkeypatch.setenv("XUNJIAN_ALLOW_NETWORKS", "127.0.0.0/8")
    monkeypatch.delenv("XUNJIAN_CONFIG", raising=False)
    return {"XUNJIAN_DATABASE_URL": url, "XUNJIAN_ALLOW_NETWORKS": "127.0.0.0/8"}
