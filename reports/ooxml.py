"""What the DOCX and XLSX renderers share: table rows written as XML text and put into the
package their library saved.

A province's bulletin has ~100,000 table cells. python-docx and openpyxl spend tens of
microseconds on each (objects, style setters, their own serialisation), so each renderer lets
its library build the document around the tables — styles, page setup, header rows — with a
marker where a table's body goes, writes the body rows as text, and ``write_package`` replaces
each marker in the saved file. The markers are plain ASCII the renderer itself puts in, so
crawled text (escaped) can never look like one.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

MARKER = "govwatch-table-rows-"  # + the body's number: what each renderer leaves in its place
# "\r" would be read back as "\n" (XML normalises line ends); as a reference it stays itself
_ENTITIES = {"\r": "&#13;"}


def xml_text(text: str) -> str:
    """Text escaped for an XML element."""
    return escape(text, _ENTITIES)


def write_package(saved: bytes, path: Path, marker: re.Pattern[bytes],
                  bodies: Sequence[bytes]) -> None:
    """Write the package ``saved`` (a zip of XML parts) to ``path``, each match of ``marker``
    in its XML parts replaced by ``bodies[int(group 1)]``; every body must be used once."""
    used = 0

    def body(match: re.Match[bytes]) -> bytes:
        nonlocal used
        used += 1
        return bodies[int(match[1])]

    with (zipfile.ZipFile(io.BytesIO(saved)) as source,
          zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith(".xml"):
                data = marker.sub(body, data)
            target.writestr(info, data)
    if used != len(bodies):  # the library wrote a marker differently: fail, never drop rows
        raise RuntimeError(f"{used} of {len(bodies)} table bodies placed in {path.name}")
