"""Engines, sessions and migrations.

Sessions belong at the edges: the CLI command, the scheduler job or the crawl pipeline opens one with
:func:`session_scope`; storage functions take the session as their first parameter and never commit.
:func:`upgrade` brings any database (SQLite or PostgreSQL) to the newest schema through Alembic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """The database cannot be reached or is not usable; the message says which and why."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and use psycopg 3 for it."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@cache
def get_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    return engine


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """One short transaction: commit on success, roll back on error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def check_connection(url: str) -> None:
    """Raise :class:`DatabaseError` with a one-line reason if the database cannot be reached."""
    try:
        with get_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    except (OperationalError, SQLAlchemyError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
        raise DatabaseError(f"无法连接数据库 {redact(url)}: {reason}") from None


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(normalize_url(url)).render_as_string(hide_password=True)
    except Exception:
        return "<database url>"


def alembic_config(url: str):  # noqa: ANN201 - alembic type
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the database to the newest schema (idempotent; safe with concurrent workers)."""
    from alembic import command

    check_connection(url)
    command.upgrade(alembic_config(url), "head")


_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.M)


@cache
def migration_heads() -> frozenset[str]:
    """The newest revisions of ``storage/migrations/versions``, read from the files' ``revision`` and
    ``down_revision`` lines (as Alembic's ``ScriptDirectory.get_heads()``; a test keeps the two equal).

    Without Alembic: importing it costs every scan's worker process about 12 MB, for a check that passes on
    all but the first run."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for kind, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            if value:
                (revisions if kind == "revision" else parents).add(value)
    return frozenset(revisions - parents)


def is_current(url: str) -> bool:
    """True when the database already has the newest schema (cheap check before upgrading)."""
    with get_engine(url).connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        current = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    return current == migration_heads()


def ensure_schema(url: str) -> None:
    """Connect, and migrate if needed; :class:`DatabaseError` when the database is unusable."""
    check_connection(url)
    try:
        if not is_current(url):
            upgrade(url)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"数据库迁移失败 {redact(url)}: {str(exc).splitlines()[0]}") from None
