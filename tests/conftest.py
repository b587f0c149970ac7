"""Shared fixtures: the real demo portal on 127.0.0.1 and real SQLite databases."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from govwatch.config import CountyConfig, load_config
from storage.db import Database

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "config" / "demo.yaml"
# A Wednesday: its ISO week (2021-W36) has begun, the week before is complete.
AS_OF = date(2021, 9, 8)


@pytest.fixture(scope="session")
def demo_portal() -> Iterator[object]:
    """The bundled demo portal on a free port, content as of AS_OF."""
    from demo_portal import DemoPortal

    portal = DemoPortal(port=0, as_of=AS_OF).start()
    previous = os.environ.get("GOVWATCH_DEMO_URL")
    os.environ["GOVWATCH_DEMO_URL"] = portal.url
    yield portal
    portal.stop()
    if previous is None:
        os.environ.pop("GOVWATCH_DEMO_URL", None)
    else:
        os.environ["GOVWATCH_DEMO_URL"] = previous


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
