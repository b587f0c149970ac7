"""govwatch benchmark harness (``make bench`` / ``python -m bench``).

Not part of the test suite: it serves a province-size fixture portal on loopback addresses,
crawls it with ``govwatch crawl`` and with a bare Scrapy spider, builds a 1,000,000-item store
and times the monitors, ``govwatch score`` and ``govwatch report weekly`` over it, at scale 1
and 2. See ``docs/performance.md``.
"""
