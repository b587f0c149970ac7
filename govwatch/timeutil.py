"""Time helpers: govwatch runs on China time (Asia/Shanghai) everywhere."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Current time as an aware datetime in Asia/Shanghai."""
    return datetime.now(CHINA)


def today() -> date:
    """Today's calendar date in Asia/Shanghai."""
    return now().date()


def iso_week(day: date) -> str:
    """ISO week label of a date, e.g. ``2021-W36`` (weeks run Monday to Sunday)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: date) -> date:
    """Monday of the ISO week holding ``day``."""
    return day - timedelta(days=day.weekday())


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week holding ``day``."""
    monday = monday_of(day)
    return monday, monday + timedelta(days=6)


def chinese_date(day: date) -> str:
    """A date as government prose writes it: 2021年9月6日."""
    return f"{day.year}年{day.month}月{day.day}日"
