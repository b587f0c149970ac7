"""Logging: one line per event, ``key=value`` pairs (logfmt), to a rotating file under the data
folder and to stderr.

``job_event(log, job, "finish", duration=12.3, items=336)`` writes
``2021-09-06T02:00:12+08:00 INFO govwatch.jobs job=crawl event=finish duration=12.3 items=336``.
"""

from __future__ import annotations

import logging
import logging.handlers
from datetime import datetime
from pathlib import Path
from typing import Any

from govwatch.timeutil import CHINA

LOG_FILE = "govwatch.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5


class ChinaTimeFormatter(logging.Formatter):
    """ISO timestamps in China time, whatever the machine's zone."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, CHINA).isoformat(timespec="seconds")


FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def setup_logging(data_dir: Path | None, *, stderr_level: int = logging.WARNING) -> None:
    """Root logging: INFO and up to ``<data_dir>/logs/govwatch.log`` (rotated), stderr from
    ``stderr_level``."""
    formatter = ChinaTimeFormatter(FORMAT)
    stderr = logging.StreamHandler()
    stderr.setLevel(stderr_level)
    handlers: list[logging.Handler] = [stderr]
    if data_dir is not None:
        folder = Path(data_dir) / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(
            folder / LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True)
    quiet_logging_failures()


def quiet_logging_failures() -> None:
    """A log file that cannot be written (a full disk) must not print a traceback per line
    on top of the failure being reported: the standard library's production setting."""
    logging.raiseExceptions = False


def _value(value: Any) -> str:
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    return f'"{text}"' if (" " in text or "=" in text or not text) else text


def kv(**fields: Any) -> str:
    """``key=value`` pairs, quoting values with spaces."""
    return " ".join(f"{k}={_value(v)}" for k, v in fields.items() if v is not None)


def job_event(log: logging.Logger, job: str, event: str, level: int = logging.INFO,
              **fields: Any) -> None:
    log.log(level, "%s", kv(job=job, event=event, **fields))
