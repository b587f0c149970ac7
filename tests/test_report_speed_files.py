"""The bulletin's files rendered beside each other (forked) equal those rendered in one
process (``GOVWATCH_FORK=off``), part by part."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from govwatch.beside import FORK_ENV, can_fork
from reports.model import FORMATS
from reports.weekly import write_files
from tests.test_report_weekly import _edge_bulletin

_STAMPS = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def _contents(path: Path) -> dict[str, bytes]:
    """A file's bytes, or a package's parts (without its save-time stamps)."""
    if path.suffix not in (".docx", ".xlsx"):
        return {"": path.read_bytes()}
    with zipfile.ZipFile(path) as package:
        return {name: _STAMPS.sub(b"", package.read(name)) for name in package.namelist()}


@pytest.mark.parametrize("formats", [FORMATS, ("xlsx", "docx"), ("html",), ("md", "docx")])
def test_forked_and_inline_files_are_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              formats: tuple[str, ...], forkable: bool) -> None:
    if not forkable:
        return  # passed alone in a fresh process
    assert can_fork()
    bulletin = _edge_bulletin()
    forked = write_files(bulletin, tmp_path / "forked", formats)
    monkeypatch.setenv(FORK_ENV, "off")
    inline = write_files(bulletin, tmp_path / "inline", formats)
    assert [p.suffix for p in forked] == [p.suffix for p in inline] == [f".{f}" for f in formats]
    for a, b in zip(forked, inline, strict=True):
        assert _contents(a) == _contents(b), a.name
    # every file was moved into place: no temporary file is left behind
    assert sorted(p.name for p in (tmp_path / "forked").iterdir()) == sorted(
        p.name for p in forked)


def test_a_renderer_failing_beside_is_raised(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from reports import render_docx

    def broken(*_args: object) -> None:
        raise RuntimeError("docx broke")

    monkeypatch.setattr(render_docx, "write", broken)
    with pytest.raises(RuntimeError, match="docx broke"):
        write_files(_edge_bulletin(), tmp_path, FORMATS)
    assert not list(tmp_path.glob("*.docx")) and not list(tmp_path.glob(".*.tmp"))
