"""A cache of validated county configs, for the big ones.

A province's config lists tens of thousands of sources; parsing and validating its YAML takes
seconds (8 s for 60,000 sources), and every command — crawl, monitor, score, report — starts
with it. A config that validated once is therefore kept, pickled, under the user's cache
folder and reused while nothing it depends on has changed: the file's bytes, the values of the
environment variables it references (``${NAME}``), the config schema (``govwatch/config.py``)
and the Python and pydantic versions. Only files of ``MIN_BYTES`` or more are cached: a county
file validates in milliseconds.

The folder is ``$GOVWATCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/govwatch``, else
``~/.cache/govwatch``; ``GOVWATCH_CACHE_DIR=off`` turns the cache off. A cache entry that
cannot be read or written is ignored: the config is simply validated again. The policy rule
keeps its documents' worked-out fields in the same folder (``read_entry``/``write_entry``;
``monitors.runner.kept_documents_entry``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pydantic

from govwatch.collector import collector_paused

log = logging.getLogger("govwatch.config")

CACHE_ENV = "GOVWATCH_CACHE_DIR"
MIN_BYTES = 1_000_000
KEEP_DAYS = 30  # entries not rewritten for this long are removed
_ENV_NAME = re.compile(rb"\$\{([A-Za-z_][A-Za-z0-9_]*)")
_SCHEMA = Path(__file__).with_name("config.py")

T = TypeVar("T")


def cache_dir() -> Path | None:
    """Where validated configs are kept, or None when the cache is off."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return None if configured.lower() in ("off", "0", "no", "false") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govwatch"


def cache_key(data: bytes) -> str:
    """What a validated config depends on, hashed."""
    h = hashlib.sha256()
    for part in (data, _SCHEMA.read_bytes(), sys.version.encode(),
                 pydantic.VERSION.encode()):
        h.update(hashlib.sha256(part).digest())
    for name in sorted(set(_ENV_NAME.findall(data))):
        value = os.environ.get(name.decode())
        h.update(name + b"=" + (b"\x00unset" if value is None else value.encode()) + b"\n")
    return h.hexdigest()


def cached(file: Path, validate: Callable[[], T], *, min_bytes: int | None = None) -> T:
    """``validate()``'s result for ``file``, from the cache when the file is big and known.

    Errors raised by ``validate`` pass through and nothing is cached for them.
    """
    folder = cache_dir()
    try:
        data = file.read_bytes() if folder is not None else b""
    except OSError:
        data = b""  # let validate() report the unreadable file in Chinese
    if folder is None or len(data) < (MIN_BYTES if min_bytes is None else min_bytes):
        return validate()
    entry = folder / f"config-{cache_key(data)}.pickle"
    found = read_entry(entry)
    if found is not None:
        log.debug("config %s from cache %s", file, entry)
        return found  # type: ignore[no-any-return]  # written below, for this key only
    value = validate()
    write_entry(entry, value)
    return value


def read_entry(entry: Path) -> object | None:
    """The value pickled in a cache entry; None when there is none, or it cannot be read
    (truncated, or written by another version: logged, then ignored)."""
    try:
        with entry.open("rb") as handle, collector_paused():
            return pickle.load(handle)  # written by this user, by ``write_entry``, only
    except FileNotFoundError:
        return None
    except Exception as exc:
        log.warning("ignoring cache entry %s: %s", entry, exc)
        return None


def write_entry(entry: Path, value: object) -> None:
    """Write a cache entry atomically (a concurrent reader never sees half an entry) and drop
    the entries of its kind (the name's part before the first ``-``) unused for
    ``KEEP_DAYS``; failures are logged, never raised."""
    folder = entry.parent
    kind = entry.name.split("-", 1)[0]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - KEEP_DAYS * 86_400
        for old in folder.glob(f"{kind}-*.pickle"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, entry)
    except OSError as exc:
        log.warning("cannot write cache entry %s: %s", entry, exc)
