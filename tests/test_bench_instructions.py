"""The bench's instruction counts (``bench.instructions``): callgrind's count for each process
of a tree, and a page's cost as the difference of two sizes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.instructions import _counted, per_page


def test_a_page_costs_the_difference_of_two_sizes_over_their_pages() -> None:
    runs = [{"units": 40, "pages": 880, "instructions": 9_000_000 + 880 * 1000},
            {"units": 120, "pages": 2640, "instructions": 9_000_000 + 2640 * 1000}]
    assert per_page(runs) == 1000  # the start-up both share is left out


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_each_process_of_a_tree_is_counted_and_the_same_work_counts_the_same(
        tmp_path: Path) -> None:
    script = "i=0; while [ $i -lt 200 ]; do i=$((i+1)); done"
    twice = []
    for attempt in range(2):
        counts = _counted(["sh", "-c", f"{script}; sh -c '{script}; {script}'"],
                          tmp_path / str(attempt), {"PATH": "/usr/bin:/bin"})
        assert len(counts) == 2, counts  # the shell and the shell it started
        assert all(n > 0 for n in counts.values())
        twice.append(sorted(counts.values()))
    # instructions, not seconds: the same work counts (nearly) the same each time
    for first, second in zip(*twice, strict=True):
        assert abs(first - second) / first < 0.02
