"""Running a command and watching its process tree: wall time and each process's peak RSS.

Peak RSS is read from ``/proc/<pid>/status`` (VmHWM, the kernel's high-water mark) every
``interval`` seconds while the process lives, so no extra dependency is needed; the last
reading before a process exits is its peak.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            kids.extend(int(k) for k in text.split())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return kids


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(_children(current))
    return found


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float | None:
    """User and system CPU seconds the process has used so far."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


def _hwm_mb(pid: int) -> tuple[str, float] | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return cmdline.strip(), int(line.split()[1]) / 1024
    return None


@dataclass
class Watched:
    """What ``watch`` saw: exit code, wall seconds, peak RSS per process (MB)."""

    returncode: int
    seconds: float
    peaks: dict[int, tuple[str, float]] = field(default_factory=dict)
    # the first and last poll each process was seen alive at
    lifetimes: dict[int, tuple[int, int]] = field(default_factory=dict)
    # CPU seconds of the command and all its descendants (exact: the kernel's count for a
    # reaped process tree), and of each process at its last poll (within a poll's CPU)
    cpu_seconds: float = 0.0
    cpu: dict[int, float] = field(default_factory=dict)

    def cpu_of(self, marker: str) -> float:
        """CPU seconds of the processes whose command lines contain ``marker``."""
        return sum(self.cpu.get(pid, 0.0) for pid, (cmd, _) in self.peaks.items()
                   if marker in cmd)

    def peak_of(self, marker: str) -> float:
        """Largest peak among processes whose command line contains ``marker`` (or, when
        none does, among all but the root)."""
        chosen = [mb for cmd, mb in self.peaks.values() if marker in cmd]
        return max(chosen, default=0.0)

    def total_of(self, marker: str) -> tuple[int, float]:
        """Processes whose command lines contain ``marker``: the most alive at one poll, and
        a bound of their peak together (at each poll, the peaks of those alive then added
        up; the largest such sum). Processes that run one after the other (the crawl's
        processes, then its link check) are not added together."""
        chosen = {pid: mb for pid, (cmd, mb) in self.peaks.items() if marker in cmd}
        spans = {pid: self.lifetimes.get(pid, (0, 0)) for pid in chosen}
        most, together = 0, 0.0
        for poll in {poll for span in spans.values() for poll in span}:
            alive = [pid for pid, (first, last) in spans.items() if first <= poll <= last]
            most = max(most, len(alive))
            together = max(together, sum(chosen[pid] for pid in alive))
        return most, together


def watch(cmd: list[str], *, env: dict[str, str] | None = None, log: Path | None = None,
          interval: float = 0.25, cwd: str | None = None) -> Watched:
    """Run ``cmd`` to its end, polling the peak RSS and CPU of it and every descendant."""
    out = log.open("wb") if log else subprocess.DEVNULL
    started = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        peaks: dict[int, tuple[str, float]] = {}
        lifetimes: dict[int, tuple[int, int]] = {}
        cpu: dict[int, float] = {}
        poll = 0
        while True:
            # wait4 reaps the command with the CPU its whole tree used (Popen.poll would not)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            for pid in _tree(proc.pid):
                seen, used = _hwm_mb(pid), _cpu_seconds(pid)
                if seen is None or used is None:
                    continue
                lifetimes[pid] = (lifetimes.get(pid, (poll, poll))[0], poll)
                cpu[pid] = used
                if seen[1] >= peaks.get(pid, ("", 0.0))[1]:
                    peaks[pid] = seen
            poll += 1
            time.sleep(interval)
        seconds = time.monotonic() - started
    finally:
        if log:
            out.close()  # type: ignore[union-attr]
    return Watched(proc.returncode, seconds, peaks, lifetimes,
                   usage.ru_utime + usage.ru_stime, cpu)
