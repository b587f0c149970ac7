"""What the stage modules share: the dialect's INSERT … ON CONFLICT, and values read back
as the drivers return them (SQLite gives JSON, aggregated dates and datetimes as text)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from govwatch.timeutil import CHINA


def _insert_for(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"unsupported database dialect: {dialect}")


def json_value(value: Any) -> Any:
    """A JSON column read as text (SQLite, or a ``type_coerce(…, Text)`` column) or already
    decoded (PostgreSQL's driver)."""
    return json.loads(value) if isinstance(value, str) else value


def _as_date(value: Any) -> date | None:
    """SQLite returns aggregated dates as strings."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_datetime(value: Any) -> datetime | None:
    """SQLite returns aggregated datetimes as strings."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _china(value: Any) -> datetime | None:
    """A stored China time (a string on SQLite, naive on PostgreSQL) as an aware datetime."""
    found = _as_datetime(value)
    return found.replace(tzinfo=CHINA) if found is not None else None
