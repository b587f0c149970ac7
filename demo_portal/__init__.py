"""The 演示县 demo county portal: test fixture and ``make demo`` target.

``build_site(as_of)`` is the pure part (as-of date → every page); ``DemoPortal`` serves it on
127.0.0.1. ``SOURCES``, ``POLICIES`` and ``UNITS`` are the ground truth the pages come from.
"""

from demo_portal.server import DemoPortal, china_today
from demo_portal.site import (
    POLICIES,
    SHAPES,
    SOURCES,
    UNITS,
    Entry,
    Page,
    PolicyDoc,
    Site,
    SourceSpec,
    Unit,
    build_site,
)

__all__ = [
    "POLICIES",
    "SHAPES",
    "SOURCES",
    "UNITS",
    "DemoPortal",
    "Entry",
    "Page",
    "PolicyDoc",
    "Site",
    "SourceSpec",
    "Unit",
    "build_site",
    "china_today",
]
