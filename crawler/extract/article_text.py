"""Article body (正文): the text a policy rule reads for 文号 and cited names, and the links
it gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from crawler.extract.articles import _main_text
from crawler.extract.lists import _CHROME_TAGS, _CHROME_TOKENS, _tokens
from crawler.extract.parsing import _page_base, _parse, _resolve, _visible_text
from crawler.extract.text import _norm_space
from storage.models import ARTICLE_TEXT_LIMIT

# ---------------------------------------------------------------------------
# Article body (正文): the text a policy rule reads for 文号 and cited names
# ---------------------------------------------------------------------------

BODY_LIMIT = ARTICLE_TEXT_LIMIT  # characters of an article's text kept (storage's bound)
MAX_ARTICLE_LINKS = 300
# Containers the CMSs of Chinese government portals put the article text in (TRS, Hanweb,
# gkmlpt, 大汉, 政务公开 templates); the first with text wins.
_BODY_HINTS = (
    "TRS_Editor", "TRS_UEDITOR", "zoom", "UCAP-CONTENT", "article-content", "articleContent",
    "article_content", "pages_content", "wzy_nr", "zw", "content-text", "main-text", "detail",
    "details", "article", "content", "text", "con", "view", "nr", "info-cont", "bt-article",
)
_BODY_HINT_RANK = {hint.lower(): k for k, hint in enumerate(_BODY_HINTS)}
_LABELLED_NUMBER = re.compile(
    r"(?:发文字号|发文文号|文\s*号)\s*[:：]\s*([\u4e00-\u9fa5]{1,12}\s*[〔\[【(（﹝]\s*\d{4}\s*"
    r"[〕\]】)）﹞]\s*第?\s*\d{1,4}\s*号)")
# A link labelled as the article's related document (相关解读, 政策原文, 原文链接, 查看解读):
# a short label, not the title of some other article in a "latest" list
_RELATED_LABEL = re.compile(r"^(?:相关|政策|查看|阅读|点击)?(?:解读|原文|文件|链接|附件|图解)"
                            r"(?:链接|材料|全文)?$")
_SIDE_TOKENS = {"side", "sidebar", "aside", "right", "left", "rank", "hot", "latest", "news",
                "list", "tab", "tabs", "recommend", "related_list"} | _CHROME_TOKENS


@dataclass(frozen=True)
class ArticleText:
    """An article page's text (bounded) and the links of its article part."""

    body: str
    links: list[str]
    found_container: bool


def _body_container(doc: lxml.html.HtmlElement) -> etree._Element | None:
    """The element holding the article's text: a known CMS container with text, else the
    element whose paragraphs hold the most text."""
    best: tuple[int, etree._Element] | None = None
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag.lower() in _CHROME_TAGS:
            continue
        names = {v.lower() for v in (el.get("id") or "", *(el.get("class") or "").split()) if v}
        ranks = [_BODY_HINT_RANK[n] for n in names if n in _BODY_HINT_RANK]
        if (ranks and (best is None or min(ranks) < best[0])
                and len(_norm_space(_visible_text(el))) >= 30):
            best = (min(ranks), el)
    if best is not None:
        return best[1]
    scores: dict[etree._Element, int] = {}
    for p in doc.iter("p"):
        parent = p.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(p.text_content() or "")
    if scores:
        parent, size = max(scores.items(), key=lambda kv: kv[1])
        if size >= 60:
            return parent
    return None


def _related_label(a: etree._Element) -> bool:
    """A 【相关解读】-style link outside the text block, not in a menu or a side list."""
    label = re.sub(r"[\s【】\[\]<>《》:：|｜>»]+", "", a.text_content() or "")
    if not _RELATED_LABEL.match(label):
        return False
    for el in a.iterancestors():
        if not isinstance(el.tag, str):
            continue
        if el.tag.lower() in ("nav", "aside", "header", "footer") or (
                (_tokens(el.get("class")) | _tokens(el.get("id"))) & _SIDE_TOKENS):
            return False
    return True


def article_text(html: str | bytes, base_url: str) -> ArticleText:
    """The text of an article page (its 正文 container, else the page without chrome),
    at most ``BODY_LIMIT`` characters, and the links of its article part.

    Links are those of the container and of its enclosing article block (a 【相关解读】 line
    under the text), plus links labelled as the related document (相关解读, 政策原文) elsewhere
    on the page; links in menus and side lists are left out, so a sidebar of the latest
    interpretations does not pass for a link between a policy and its interpretation.
    """
    doc = _parse(html)
    if doc is None:
        return ArticleText("", [], False)
    base = _page_base(doc, base_url)
    container = _body_container(doc)
    main = _main_text(doc)
    if container is None:
        text = main
        region: etree._Element = doc
    else:
        text = _visible_text(container)
        region = container
        parent = container.getparent()
        if parent is not None and parent.tag not in ("body", "html"):
            # the block around the text (title, info, related links — and the 文号 and
            # 成文日期 table of a policy page) when it is no bigger than the text plus its
            # furniture
            around = _visible_text(parent)
            if len(_norm_space(around)) <= len(_norm_space(text)) + 600:
                region, text = parent, around
    body = re.sub(r"[ \t\u3000\xa0]+", " ", text)
    body = re.sub(r"\s*\n\s*", "\n", body).strip()
    labelled = _LABELLED_NUMBER.search(main)
    if labelled and labelled.group(1) not in body[:600]:
        # the 文号 of a metadata table (发文字号：…) standing apart from the text
        body = f"文号：{labelled.group(1)}\n{body}"
    body = body[:BODY_LIMIT]
    links: list[str] = []
    seen: set[str] = set()
    in_region = set(region.iter("a"))
    for a in doc.iter("a"):
        if a not in in_region and not _related_label(a):
            continue
        url = _resolve(a.get("href"), base)
        if url and url not in seen:
            seen.add(url)
            links.append(url)
            if len(links) >= MAX_ARTICLE_LINKS:
                break
    return ArticleText(body, links, container is not None)
