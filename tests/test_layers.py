"""The layers hold: the import contracts of pyproject.toml ([tool.importlinter]) are kept.

`make lint` checks them too; here they are part of `make test`, so a change that makes a lower
layer import a higher one fails where every change is tested.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept() -> None:
    tool = Path(sys.executable).with_name("lint-imports")
    if not tool.exists() and not shutil.which("lint-imports"):
        pytest.fail("import-linter is missing: it is a dev dependency (pip install -e '.[dev]')")
    done = subprocess.run([str(tool) if tool.exists() else "lint-imports", "--no-cache"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout
