"""Meta refresh looked for only where it may be (``crawler.refresh``): a page the quick test
passes over is one Scrapy's own parser finds no refresh in.

The crawl that follows (or refuses) a refresh is in ``tests/test_crawl_hostile.py``.
"""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh

from crawler.refresh import HEAD_BYTES, may_refresh

from .conftest import real_pages

FILLER = "县人民政府办公室关于印发工作方案的通知" * 200  # 4,000 characters, 12,000 bytes in UTF-8


def _scrapy_finds(body: bytes, encoding: str | None = None) -> bool:
    headers = {"Content-Type": f"text/html; charset={encoding}"} if encoding else {}
    response = HtmlResponse("http://www.example.gov.cn/list.html", body=body, headers=headers)
    return get_meta_refresh(response)[1] is not None


CRAFTED = {
    "lower case": '<meta http-equiv="refresh" content="0;url=/a.html">',
    "upper case": '<META HTTP-EQUIV="REFRESH" CONTENT="3; URL=/a.html">',
    "mixed case, single quotes": "<meta http-equiv='Refresh' content='0;url=/a.html'>",
    "after 4,000 Chinese characters": f"<p>{FILLER}</p>"
                                      '<meta http-equiv="refresh" content="0;url=/a.html">',
    "none": "<p>正在加载</p>",
    "the word in text only": "<p>refresh 刷新</p>",
}


@pytest.mark.parametrize("name", CRAFTED)
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
def test_a_page_with_a_refresh_is_never_passed_over(name: str, encoding: str) -> None:
    html = f"<html><head><title>跳转</title>{CRAFTED[name]}</head><body>x</body></html>"
    body = html.encode(encoding)  # Python's utf-16 writes a byte-order mark
    if _scrapy_finds(body, encoding):
        assert may_refresh(body), name
    if name in ("none",) and encoding != "utf-16":
        assert not may_refresh(body)  # what the quick test saves: most pages


def test_the_head_read_covers_the_characters_scrapy_reads() -> None:
    # "refresh" within the first 4,096 characters, each of GB18030's widest (four bytes)
    body = ("\U00020000" * 4060).encode("gb18030") + b'<meta http-equiv="refresh">'
    assert len(body) <= HEAD_BYTES + len(b'">')
    assert may_refresh(body)


def test_real_pages_agree_with_scrapy() -> None:
    for path in real_pages():
        body = path.read_bytes()
        if _scrapy_finds(body):
            assert may_refresh(body), path.name
