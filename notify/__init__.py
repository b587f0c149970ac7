"""Notifications (通知): daily digests of findings and early warnings, sent through Apprise to
the assessment team's channels and to each unit's contacts.

- ``notify.digest`` — the digests, built from rows (pure);
- ``notify.send`` — one digest to one channel through Apprise (the I/O);
- ``notify.runner`` — a run: build the day's digests, send each once, record, retry.
"""

from __future__ import annotations

from notify.runner import (
    ALREADY_SENT,
    BUSY,
    DRY_RUN,
    FAILED,
    SENT,
    Delivery,
    NotifyReport,
    build_digests,
    run_notifications,
)

__all__ = ["ALREADY_SENT", "BUSY", "DRY_RUN", "FAILED", "SENT", "Delivery", "NotifyReport",
           "build_digests", "run_notifications"]
