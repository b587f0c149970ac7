"""The 演示县 demo county portal: test fixture and ``make demo`` target.

``build_site(as_of)`` is the pure part (as-of date → every page); ``DemoPortal`` serves it on
127.0.0.1. ``SOURCES``, ``POLICIES`` and ``UNITS`` are the ground truth the pages come from;
``expected_outcome(spec)`` and ``Site.expected(path)`` say what a crawl of a source must record
and find.
"""

from demo_portal.server import DemoPortal, china_today
from demo_portal.site import (
    OUTCOMES,
    POLICIES,
    SHAPES,
    SOURCE_BY_PATH,
    SOURCES,
    UNITS,
    Entry,
    Page,
    PolicyDoc,
    Site,
    SourceSpec,
    Unit,
    accepted_outcomes,
    build_site,
    expected_outcome,
)

__all__ = [
    "OUTCOMES",
    "POLICIES",
    "SHAPES",
    "SOURCES",
    "SOURCE_BY_PATH",
    "UNITS",
    "DemoPortal",
    "Entry",
    "Page",
    "PolicyDoc",
    "Site",
    "SourceSpec",
    "Unit",
    "accepted_outcomes",
    "build_site",
    "china_today",
    "expected_outcome",
]
