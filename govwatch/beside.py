"""Work beside the caller on another core: a forked child computes, the parent collects.

Monitors and reports have stages that need each other's results only at the end (the policy
rule beside the other rules; two bulletin files beside the other two). ``beside(work)`` starts
``work`` in a forked child, which shares the parent's memory as it was (copy on write: nothing
is pickled on the way in), and ``.result()`` returns its value, pickled back through a pipe.

Forking is only safe in a single-threaded process (a thread's lock held at fork time would
never be released in the child), so the work runs inline, at ``.result()``, when
- other threads run (the scheduler and the web app run monitors in worker threads),
- the machine has one core, the platform cannot fork, or
- ``GOVWATCH_FORK=off`` (for debugging: one process, one traceback).
The work must open its own database connections (``inline`` may reuse the caller's: it runs
in the caller's process). Should the child die, its work is redone inline: nothing is lost.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
FORK_ENV = "GOVWATCH_FORK"
log = logging.getLogger("govwatch.beside")


def can_fork() -> bool:
    """Whether ``beside`` forks here (see the module docstring)."""
    return (os.environ.get(FORK_ENV, "").lower() != "off"
            and "fork" in multiprocessing.get_all_start_methods()
            and (os.cpu_count() or 1) > 1
            and threading.active_count() == 1)


# What a forked child holds until it exits (``keep_until_exit``); None outside one.
_kept: list[Any] | None = None


def keep_until_exit(*objects: Any) -> None:
    """Hold ``objects`` until this forked child exits, instead of freeing them on the way.

    A forked child ends without tearing anything down (``os._exit``), while freeing a
    large structure — a matcher's millions of small strings and tuples — costs it time
    before it can answer (the policy rule's last ~0.6 s on a province). Work that builds
    one and runs beside the caller hands it here; inline, in the caller's own process,
    nothing is kept."""
    if _kept is not None:
        _kept.extend(objects)


def _child(work: Callable[[], Any], send: Any) -> None:
    global _kept
    _kept = []
    # what the child inherited lives until it exits: kept out of the collector's full passes
    gc.freeze()
    try:
        outcome: tuple[bool, Any] = (True, work())
    except BaseException as exc:  # handed to the parent, which raises it
        outcome = (False, exc)
    try:
        send.send(outcome)
    except Exception as exc:  # an exception that does not pickle
        send.send((False, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}: {exc}")))
    send.close()


class Beside(Generic[T]):
    """``work`` running in a forked child; ``result()`` waits for it."""

    def __init__(self, work: Callable[[], T], inline: Callable[[], T] | None = None,
                 may_fork: bool = True) -> None:
        self._inline = inline or work
        self._process: Any = None
        self.forked = may_fork and can_fork()
        if self.forked:
            ctx = multiprocessing.get_context("fork")
            self._receive, send = ctx.Pipe(duplex=False)
            self._process = ctx.Process(target=_child, args=(work, send), daemon=True,
                                        name="govwatch-beside")
            self._process.start()
            send.close()

    def result(self) -> T:
        """The work's value (its exception is raised here)."""
        if self._process is None:
            return self._inline()
        try:
            ok, value = self._receive.recv()  # before join: a large value fills the pipe
        except EOFError:
            self._process.join()
            log.warning("forked worker exited with %s before answering; running inline",
                        self._process.exitcode)
            return self._inline()
        finally:
            self._receive.close()
        self._process.join()
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]


def beside(work: Callable[[], T], inline: Callable[[], T] | None = None, *,
           may_fork: bool = True) -> Beside[T]:
    """Start ``work`` beside the caller (forked when safe and ``may_fork``, else ``inline``
    at ``result()``)."""
    return Beside(work, inline, may_fork)
