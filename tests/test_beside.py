"""govwatch.beside: work forked beside the caller, or inline when forking is unsafe."""

from __future__ import annotations

import os
import threading
import weakref

import pytest

from govwatch.beside import FORK_ENV, beside, can_fork, keep_until_exit


def _pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def test_forked_work_runs_in_another_process_and_returns_its_value(forkable: bool) -> None:
    if not forkable:
        return  # passed alone in a fresh process
    pending = beside(lambda: _pid_and_square(12))
    assert pending.forked
    pid, value = pending.result()
    assert value == 144 and pid != os.getpid()


def test_a_large_value_comes_back_whole() -> None:
    rows = [{"id": i, "title": f"政策{i}" * 5} for i in range(50_000)]
    assert beside(lambda: list(rows)).result() == rows


def test_the_work_s_exception_is_raised_by_result() -> None:
    def fail() -> None:
        raise ValueError("坏数据")

    pending = beside(fail)
    with pytest.raises(ValueError, match="坏数据"):
        pending.result()


def test_inline_when_disabled_or_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FORK_ENV, "off")
    pending = beside(lambda: _pid_and_square(3), inline=lambda: (os.getpid(), -1))
    assert not pending.forked and pending.result() == (os.getpid(), -1)
    monkeypatch.delenv(FORK_ENV)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork()
        assert beside(lambda: _pid_and_square(4)).result() == (os.getpid(), 16)
    finally:
        stop.set()
        thread.join()


def test_a_child_that_dies_has_its_work_redone_inline(forkable: bool) -> None:
    if not forkable:
        return  # passed alone in a fresh process
    parent = os.getpid()

    def die_in_child() -> int:
        if os.getpid() != parent:
            os._exit(3)
        return 7

    assert beside(die_in_child).result() == 7


class _Built:
    """A structure the work builds (weak-referenceable)."""


def _kept_after_return() -> bool:
    """Whether what the work handed to ``keep_until_exit`` outlives the work."""
    def build() -> weakref.ref[_Built]:
        built = _Built()
        keep_until_exit(built)
        return weakref.ref(built)

    return build()() is not None


def test_a_forked_child_keeps_what_it_is_handed_and_the_caller_frees_it(
        forkable: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if forkable:  # the child exits without freeing it: no time spent on the way
        pending = beside(_kept_after_return)
        assert pending.forked and pending.result() is True
    monkeypatch.setenv(FORK_ENV, "off")  # inline, in the caller's process: freed as usual
    assert beside(_kept_after_return).result() is False
    assert _kept_after_return() is False
