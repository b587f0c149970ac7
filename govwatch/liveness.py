"""Who owns a crawl run, and whether that process is still alive.

A crawl run is opened by a crawl process and closed by it; a process killed with SIGKILL, or
a machine that lost power, cannot close its runs. Each run therefore records its owner as
``host:pid:start`` (``start``: the process's start time in clock ticks since boot, read from
``/proc`` on Linux, so a reused pid is not mistaken for the owner), and a sweep closes the
runs whose owner is gone (``storage.repo.sweep_orphaned_runs``).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from functools import cache

# A run owned by another machine (a Celery worker) cannot be checked from here: it is taken for
# dead once it has been open this long, far beyond any crawl of one portal.
FOREIGN_RUN_HOURS = 24


def _start_ticks(pid: int) -> str:
    """The process's start time (clock ticks after boot), or '' where /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return ""
    return fields[19] if len(fields) > 19 else ""  # field 22 of stat(5), after pid and comm


@cache
def _host() -> str:
    return socket.gethostname()


def this_process() -> str:
    """This process as a crawl run owner: ``host:pid:start``."""
    pid = os.getpid()
    return f"{_host()}:{pid}:{_start_ticks(pid)}"


def _alive(pid: int, start: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        pass
    if not start:
        return True
    # a zombie (killed, not yet reaped) is dead for our purpose
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z" and _start_ticks(pid) == start


def owner_gone(owner: str | None, started_at: datetime, now: datetime) -> bool:
    """Whether the process that opened a run (``owner``) can no longer close it."""
    host, _, rest = (owner or "").partition(":")
    pid_text, _, start = rest.partition(":")
    if host != _host() or not pid_text.isascii() or not pid_text.isdigit():
        # another machine's worker, or a run from before owners were recorded
        return now - started_at > timedelta(hours=FOREIGN_RUN_HOURS)
    return not _alive(int(pid_text), start)
