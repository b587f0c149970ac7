"""What makes an item the same item when the world around it changes.

A source is identified by (unit code, source name) from the config, never by its URL: a column
moved to https or to a 集约化 platform keeps its id, and so its items, findings and reviews.
An item is identified within its source by ``item_key``: its URL's path and query — not its
scheme, host or port — with a trailing index page dropped and the query's parameters sorted.
An http→https switch, a new host name, ``/a/``, ``/a`` or ``/a/index.html`` or ``?b=2&a=1`` vs
``?a=1&b=2`` leave the key, and so the item and its findings, as they were; the stored URL
follows the page to its new address. (The title is not part of the key: a corrected typo in a
title must not make a policy new and report it again.)
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from govwatch.urls import plain_path

# Index pages a server shows for a folder: /a/index.html is /a/.
_INDEX_PAGE = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$", re.IGNORECASE)
_SLASHES = re.compile(r"/{2,}")


def item_key(url: str) -> str:
    """An item's identity within its source (see the module docstring)."""
    url = url.strip()
    path = plain_path(url)  # nearly every entry a crawl stores: no urlsplit
    if path is not None:
        return _folder_page(path or "/")
    parts = urlsplit(url)
    path = _folder_page(parts.path or "/")
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True))) if parts.query else ""
    key = path + (f"?{query}" if query else "")
    return key + (f"#{parts.fragment}" if parts.fragment else "")


def _folder_page(path: str) -> str:
    """/a/, /a and /a/index.html are one folder's page: /a."""
    if "//" in path:
        path = _SLASHES.sub("/", path)
    return _INDEX_PAGE.sub("/", path).rstrip("/") or "/"
