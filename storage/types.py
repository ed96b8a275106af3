"""Shared column types (warehouse's ``utils/db/types.py`` pattern)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any

from sqlalchemy import JSON, DateTime, TypeDecorator
from sqlalchemy.orm import mapped_column


class TZDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns aware datetimes (SQLite drops time zones; findings print ``...Z``)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a TZDateTime column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


datetime_now = Annotated[datetime, mapped_column(TZDateTime(), default=utcnow)]
datetime_tz = Annotated[datetime, mapped_column(TZDateTime())]
json_dict = Annotated[dict[str, Any], mapped_column(JSON(), default=dict)]
