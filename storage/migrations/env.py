"""Alembic environment: models' metadata, batch mode on SQLite, an advisory lock on PostgreSQL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from xunjian.storage.db import get_engine
from xunjian.storage.migrations.env_hooks import include_object
from xunjian.storage.models import Base

config = context.config
target_metadata = Base.metadata
if not (config.file_config.has_section(config.config_ini_section) and config.get_main_option("sqlalchemy.url")):
    # the alembic command, configured by pyproject.toml [tool.alembic]: the database xunjian uses
    from xunjian.config import load_settings
    from xunjian.storage.db import normalize_url

    config.set_main_option("sqlalchemy.url", normalize_url(load_settings().database.url).replace("%", "%%"))
MIGRATION_LOCK = 7_264_513  # arbitrary constant: one migrator at a time across workers


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = get_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        is_pg = connection.dialect.name == "postgresql"
        if is_pg:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            connection.commit()
        try:
            context.configure(connection=connection, target_metadata=target_metadata,
                              render_as_batch=connection.dialect.name == "sqlite",
                              transaction_per_migration=True, compare_type=True, include_object=include_object)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if is_pg:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
