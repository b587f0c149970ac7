"""The bench's reading of a process tree's memory: processes that run one after the other are
not added together (``bench.procs.Watched.total_of``); and its table's note of how quick the
machine was."""

from __future__ import annotations

import sys

from bench.__main__ import machine_speed, table
from bench.procs import Watched, watch

MARK = "spawn_main"


def test_processes_side_by_side_add_up_and_processes_in_turn_do_not() -> None:
    watched = Watched(0, 10.0, peaks={
        1: ("python govwatch crawl", 90.0),  # the parent: not a marked process
        2: (f"python -c {MARK}", 200.0), 3: (f"python -c {MARK}", 220.0),  # the crawl
        4: (f"python -c {MARK}", 80.0),  # the link check, after the crawl
    }, lifetimes={1: (0, 40), 2: (1, 30), 3: (2, 31), 4: (32, 39)})
    assert watched.total_of(MARK) == (2, 420.0)
    assert watched.peak_of(MARK) == 220.0


def test_a_later_process_larger_than_the_earlier_pair_is_the_peak() -> None:
    watched = Watched(0, 1.0, peaks={2: (MARK, 100.0), 3: (MARK, 100.0), 4: (MARK, 250.0)},
                      lifetimes={2: (0, 3), 3: (0, 3), 4: (4, 9)})
    assert watched.total_of(MARK) == (2, 250.0)


def test_watch_sees_a_real_process_tree() -> None:
    # the child's last argument is joined at run time: only its command line holds the mark
    child = "import time; x = bytearray(30 * 2**20); time.sleep(1.2)"
    parent = (f"import subprocess, sys; "
              f"subprocess.run([sys.executable, '-c', {child!r}, 'the-' + 'child'])")
    watched = watch([sys.executable, "-c", parent], interval=0.05)
    assert watched.returncode == 0
    most, peak = watched.total_of("the-child")
    assert most == 1 and peak >= 30


def test_watch_counts_the_cpu_of_the_whole_tree() -> None:
    busy = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass"
    parent = (f"import subprocess, sys, time; "
              f"subprocess.run([sys.executable, '-c', {busy!r}, 'the-' + 'child']); "
              f"time.sleep(0.3)")
    watched = watch([sys.executable, "-c", parent], interval=0.05)
    assert watched.returncode == 0
    assert watched.cpu_seconds >= 0.6  # the child's 0.6 s, reaped with the command
    assert 0.4 <= watched.cpu_of("the-child") <= watched.cpu_seconds


def test_the_table_says_how_quick_the_machine_was() -> None:
    """Separate runs compare only alongside the machine's speed at the time: the table
    opens with the fixed loop's CPU seconds before and after the run."""
    assert 0 < machine_speed(200_000) < 5
    results = {"machine": {"loop_cpu_seconds_before": 0.21, "loop_cpu_seconds_after": 0.34},
               "scales": {"1": {"stages": {"monitors_seconds": 9.5}}}}
    first, *rest = table(results).splitlines()
    assert "0.21 s of CPU before the run, 0.34 s after" in first
    assert any(line.startswith("store: all monitors (s)") and "9.50" in line for line in rest)
    assert not table({"scales": results["scales"]}).startswith("machine")
