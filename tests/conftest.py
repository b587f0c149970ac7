"""Shared fixtures: the real demo portal on 127.0.0.1 and real SQLite databases."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import yaml

from demo_portal import DemoPortal
from govwatch.config import CountyConfig, load_config
from storage.db import Database

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "config" / "demo.yaml"
# A Wednesday: its ISO week (2021-W36) has begun, the week before is complete.
# Saved pages of real sites live beside the repository (../shared/real-pages, never copied in);
# GOVWATCH_REAL_PAGES points elsewhere.
REAL_PAGES = Path(os.environ.get("GOVWATCH_REAL_PAGES")
                  or Path(__file__).resolve().parents[1].parent / "shared" / "real-pages")


def real_pages() -> list[Path]:
    """The saved real pages in name order; the test is skipped where the folder is absent
    (and fails where it holds none)."""
    if not REAL_PAGES.is_dir():
        pytest.skip(f"real pages not available ({REAL_PAGES})")
    pages = sorted(REAL_PAGES.glob("*.html"))
    assert pages, f"no saved real pages in {REAL_PAGES}"
    return pages


AS_OF = date(2021, 9, 8)


@pytest.fixture(scope="session")
def demo_portal() -> Iterator[object]:
    """The bundled demo portal on a free port, content as of AS_OF."""
    portal = DemoPortal(port=0, as_of=AS_OF).start()
    previous = os.environ.get("GOVWATCH_DEMO_URL")
    os.environ["GOVWATCH_DEMO_URL"] = portal.url
    yield portal
    portal.stop()
    if previous is None:
        os.environ.pop("GOVWATCH_DEMO_URL", None)
    else:
        os.environ["GOVWATCH_DEMO_URL"] = previous


def config_text_in(path: Path, data_dir: Path) -> str:
    """A config file's text with its data folder moved to data_dir (for commands run on a
    copy of it)."""
    text = path.read_text(encoding="utf-8")
    moved, count = re.subn(r"(?m)^(\s*data_dir:).*$", rf"\g<1> {data_dir}", text)
    assert count == 1, f"{path} sets data_dir {count} times"
    return moved


def config_in(path: Path, data_dir: Path) -> CountyConfig:
    """A config file loaded with its data folder (and so its SQLite file) moved to data_dir."""
    config = load_config(path)
    settings = config.settings.model_copy(update={"data_dir": data_dir, "database_url": None})
    return config.model_copy(update={"settings": settings})


@pytest.fixture()
def demo_config(demo_portal: object, tmp_path: Path) -> CountyConfig:
    return config_in(DEMO_CONFIG, tmp_path / "data")


@pytest.fixture()
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty SQLite database file."""
    db = Database(f"sqlite:///{tmp_path / 'test.db'}")
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture(autouse=True)
def _no_database_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose their own database; an operator's env var must not redirect them."""
    monkeypatch.delenv("GOVWATCH_DATABASE_URL", raising=False)


POSTGRES_ADMIN = os.environ.get("GOVWATCH_TEST_POSTGRES",
                                "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("GOVWATCH_TEST_REDIS", "redis://127.0.0.1:6379/14")


def _unavailable(what: str, error: Exception) -> None:
    """In CI the services must be there (.ci/run starts them); elsewhere, skip with a reason."""
    message = f"{what} not reachable ({error}); start it or set the test URL env var"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture()
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"govwatch_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any connection failure means "not here"
        admin.dispose()
        _unavailable("PostgreSQL", exc)
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    db = Database(url)
    db.migrate()
    yield db
    db.dispose()


# The demo county split across three portals (loopback addresses): crawls by portal.
PORTAL_HOSTS = {"127.0.0.1": ("A01", "A02"), "127.0.0.2": ("A03", "B01"),
                "127.0.0.3": ("B02", "B03", "B04")}


@pytest.fixture(scope="session")
def portals() -> Iterator[dict[str, DemoPortal]]:
    """The demo county served by three portals on three loopback addresses."""
    started = {host: DemoPortal(host=host, port=0, as_of=AS_OF).start()
               for host in PORTAL_HOSTS}
    yield started
    for portal in started.values():
        portal.stop()


def county(tmp_path: Path, portals: dict[str, DemoPortal], units: tuple[str, ...] | None = None,
           download_delay: float = 0.0) -> Path:
    """The demo config with each unit's sources on its own portal."""
    from govwatch.cli import demo_monitoring_start

    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    data["settings"]["data_dir"] = str(tmp_path / "data")
    data["settings"]["monitoring_start"] = demo_monitoring_start(AS_OF).isoformat()
    data["settings"]["crawl"]["download_delay"] = download_delay
    host_of = {code: host for host, codes in PORTAL_HOSTS.items() for code in codes}
    data["units"] = [u for u in data["units"] if units is None or u["code"] in units]
    for unit in data["units"]:
        base = portals[host_of[unit["code"]]].url
        for source in [*unit.get("columns", []), *unit.get("accounts", [])]:
            for key in ("url",):
                source[key] = source[key].replace("${GOVWATCH_DEMO_URL:-http://127.0.0.1:8765}",
                                                  base)
            for name, value in list(source.get("headers", {}).items()):
                source["headers"][name] = value.replace(
                    "${GOVWATCH_DEMO_URL:-http://127.0.0.1:8765}", base)
    path = tmp_path / "county.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path




RERUN_ENV = "GOVWATCH_TEST_RERUN"


@pytest.fixture()
def forkable(request: pytest.FixtureRequest) -> bool:
    """Whether a test of forked work (``govwatch.beside``) may run here.

    ``beside`` forks only in a single-threaded process, and once another test has started the
    demo portals' server threads this one is not. Then the test is run alone in a fresh pytest
    process, where it forks, and this fixture is False once that run passed: the test returns.
    It fails if that run fails, and skips only where no process can fork (one core).
    """
    from govwatch.beside import can_fork

    if can_fork():
        return True
    if os.environ.get(RERUN_ENV) or (os.cpu_count() or 1) < 2:
        pytest.skip("this machine cannot fork beside (one core)")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
        cwd=request.config.rootpath, env={**os.environ, RERUN_ENV: "1"},
        capture_output=True, text=True, timeout=600)
    if run.returncode != 0 or " passed" not in run.stdout:
        pytest.fail(f"run alone in a fresh process, {request.node.nodeid} failed:\n"
                    f"{run.stdout[-4000:]}{run.stderr[-2000:]}")
    return False


@pytest.fixture(scope="session")
def real_corpus() -> Path:
    """``../shared/real-corpus/hebei-kjt`` (real portal columns as text); skips when absent."""
    from evals.hebei_kjt import CORPUS

    if not (CORPUS / "pairs.yaml").exists():
        pytest.skip(f"real corpus not available ({CORPUS})")
    return CORPUS


@contextmanager
def serving_demo(as_of: date) -> Iterator[DemoPortal]:
    """The demo portal as of a date, with the environment config/demo.yaml reads
    (GOVWATCH_DEMO_URL, GOVWATCH_DEMO_MONITORING_START) set meanwhile and restored after."""
    from govwatch.cli import demo_monitoring_start

    portal = DemoPortal(port=0, as_of=as_of).start()
    values = {"GOVWATCH_DEMO_URL": portal.url,
              "GOVWATCH_DEMO_MONITORING_START": demo_monitoring_start(as_of).isoformat()}
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield portal
    finally:
        portal.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
