"""Resolving links: the fast path for plain relative links gives exactly what urljoin gives
(``crawler.extract.parsing._resolve``), for every base and link shape tried here."""

from __future__ import annotations

import itertools
from urllib.parse import urldefrag, urljoin

from crawler.extract.parsing import _resolve

BASES = [
    "http://www.mmx.gov.cn/zwgk/tzgg/index.html", "http://www.mmx.gov.cn/zwgk/tzgg/",
    "http://www.mmx.gov.cn", "http://www.mmx.gov.cn/", "https://MMX.gov.cn:8443/a/b/c.jsp?p=2",
    "http://h.gov.cn/a/list.jsp?page=3#top", "http://h.gov.cn/a//b/index.html",
    "http://h.gov.cn/a/./b/index.html", "http://h.gov.cn/a/../b/index.html",
    "http://h.gov.cn/a;v=1/index.html", "HTTP://h.gov.cn/a/index.html",
    "http://user@h.gov.cn/a/index.html", "http://h.gov.cn/政务公开/通知/index.html",
    "http://h.gov.cn/a%20b/index.html", "ftp://h.gov.cn/a/index.html", "not a url",
]
LINKS = [
    "t20210907_1.html", "./t20210907_1.html", "../t20210907_1.html", "./../x.html",
    "a/b/c.html", "a//b.html", "a/./b.html", "a/../b.html", "a/.", "a/..", ".", "..", "./",
    "./?x=1", "?page=2", "detail.jsp?id=12&x=./../y", "x.html#frag", "a/", ".hidden",
    "/root/x.html", "//other.gov.cn/x.html", "http://a.gov.cn/x", "x;p=1.html", "a\\b.html",
    "政务/通知.html", "%2e%2e/x.html", "x.html?", "a:b.html", "index_2.html",
]


def test_plain_relative_links_resolve_as_urljoin_resolves_them() -> None:
    for base, link in itertools.product(BASES, LINKS):
        try:
            expected: str | None = urldefrag(urljoin(base, link))[0] or None
        except ValueError:
            expected = None
        if link.lower().startswith(("javascript:", "mailto:")):
            continue
        assert _resolve(link, base) == expected, (base, link)
