"""Hooks shared by the Alembic environment and the migrations test."""

from __future__ import annotations

from xunjian.storage.models import Base


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001 - alembic hook
    """Only our tables: APScheduler keeps its job store (apscheduler_jobs) in the same database."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return not (reflected and compare_to is None and getattr(table, "name", name) not in Base.metadata.tables)
