"""暗链/非法链接 — an anchor hidden by CSS (``crawler.extract.page_links``: display:none,
visibility:hidden, off-screen, font-size 0, zero size, text coloured as its background) that
points off government hosts, or any link off government hosts with gambling, adult or game
words in its text or URL. Government hosts: ``*.gov.cn``, the county's own portals and
``crawl.allowed_hosts``; a hidden menu linking another government site, or a hidden share menu
linking a well-known platform (weibo.com, qq.com…) without such words, is no 暗链. The seeds
take 10 (Lingchuan) or 2 (Jingchuan) points for 非法链接 as a major deduction the team enters:
the finding is a review item. One finding per page (all its suspect anchors listed)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import date
from urllib.parse import unquote, urlsplit

from monitors import freshness
from monitors.rule_map import RuleMap
from storage.identity import item_key
from storage.repo import FindingDraft, PageLinksRow, SourceFacts

RULE = "hidden_link"

_BAD_WORDS = re.compile(
    r"赌场|赌博|博彩|娱乐城|百家乐|六合彩|时时彩|彩票网|棋牌|老虎机|真人荷官|葡京|威尼斯人|太阳城|"
    r"色情|成人影|黄色网站|裸聊|约炮|私服|外挂|传奇私服|代孕|办证|发票代开|"
    r"(?<![a-z])(?:casino|bet\d*|betting|poker|slots?|baccarat|porn|xxx|sex|dubo|qipai|"
    r"caipiao|bocai|yule)(?![a-z])", re.IGNORECASE)


# Hosts a hidden share menu or footer commonly links to: hidden, but no 暗链 by themselves
_WELL_KNOWN = ("weibo.com", "weibo.cn", "qq.com", "baidu.com", "people.com.cn",
               "xinhuanet.com", "news.cn", "cctv.com", "cntv.cn", "chinadaily.com.cn",
               "edu.cn", "12377.cn", "cyberpolice.cn", "org.cn",
               # CMS vendors' credits and the State Council's 找错 service, hidden by
               # templates of real portals
               "hanweb.com", "trs.com.cn", "trs.cn", "ucap.com.cn", "bshare.cn", "jiathis.com",
               "cnzz.com", "51.la", "121.43.68.40")


def is_government(host: str, county_hosts: Collection[str]) -> bool:
    """Whether ``host`` is a government site: *.gov.cn, or one of the county's hosts."""
    host = host.lower().rstrip(".")
    bare = {h.lower().rsplit(":", 1)[0] if h.count(":") == 1 else h.lower()
            for h in county_hosts}
    return host.endswith(".gov.cn") or host == "gov.cn" or host in bare or any(
        host.endswith("." + h) for h in bare)


def bad_words(*texts: str) -> str | None:
    """The first gambling / adult / game word in the texts (a URL decoded first)."""
    for text in texts:
        found = _BAD_WORDS.search(unquote(text or ""))
        if found:
            return found.group(0)
    return None


def suspects(page: PageLinksRow, county_hosts: Collection[str]) -> list[dict[str, str]]:
    """The page's hidden anchors off government hosts and its links with bad words."""
    found: list[dict[str, str]] = []
    seen: set[str] = set()
    for anchor in page.hidden:
        href = anchor.get("href", "")
        host = (urlsplit(href).hostname or "").lower()
        if host and not is_government(host, county_hosts):
            word = bad_words(anchor.get("text", ""), href)
            if not word and any(host == h or host.endswith("." + h) for h in _WELL_KNOWN):
                continue
            found.append({"href": href, "text": anchor.get("text", ""),
                          "hidden": anchor.get("reason", ""), "word": word or ""})
            seen.add(href)
    for href in page.links:
        host = urlsplit(href).hostname or ""
        if href in seen or not host or is_government(host, county_hosts):
            continue
        word = bad_words(href)
        if word:
            found.append({"href": href, "text": "", "hidden": "", "word": word})
    return found


def judge(pages: Iterable[PageLinksRow], sources: Mapping[int, SourceFacts], as_of: date,
          rule_map: RuleMap, county_hosts: Collection[str],
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS) -> list[FindingDraft]:
    drafts = []
    for page in pages:
        f = sources.get(page.source_id)
        if f is None or freshness.seen_until(f, as_of, max_age_days) is None:
            continue
        found = suspects(page, county_hosts)
        if not found:
            continue
        indicator, points = rule_map.lookup(RULE, f.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=f.unit_id, source_id=f.source_id,
            subject=f"page:{f.source_id}:{item_key(page.page_url)}", period="", as_of=as_of,
            points=points, indicator=indicator, snapshot_id=f.snapshot_id,
            evidence={"page_url": page.page_url, "page_title": page.title,
                      "column_url": f.source_url, "seen_on": page.seen_on.isoformat(),
                      "anchors": found[:30], "count": len(found)}))
    return drafts
