"""错链/死链 — a link on a column's crawled pages that answered 4xx/5xx, or whose host did not
resolve or connect, when the crawler checked it (``crawler.linkcheck``: politely, HEAD then GET,
with a retry, each URL at most once a day, only links to the county's own portals). A link is
judged by a check of the day its page was seen, or later. One finding per column and dead
link, with the pages it appears on; links to a configured column or account are left to
``crawl_failure`` (an unreachable column is reported once, as a crawl failure). Fresh data
only."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date

from monitors import freshness
from monitors.rule_map import RuleMap
from storage.identity import item_key
from storage.repo import FindingDraft, LinkStatus, PageLinksRow, SourceFacts

RULE = "dead_link"
MAX_PAGES = 10  # pages listed in a finding's evidence


def judge(pages: Iterable[PageLinksRow], statuses: Mapping[str, LinkStatus],
          sources: Mapping[int, SourceFacts], as_of: date, rule_map: RuleMap,
          max_age_days: int = freshness.DEFAULT_MAX_AGE_DAYS,
          source_urls: Collection[str] = ()) -> list[FindingDraft]:
    """``source_urls``: the configured sources' URLs (their links are not judged here)."""
    configured = {item_key(url) for url in source_urls}
    found: dict[tuple[int, str], tuple[LinkStatus, list[PageLinksRow]]] = {}
    for page in pages:
        f = sources.get(page.source_id)
        if f is None or freshness.seen_until(f, as_of, max_age_days) is None:
            continue
        for url in page.links:
            status = statuses.get(url)
            if (status is None or status.ok or status.checked_on < page.seen_on
                    or item_key(url) in configured):
                continue
            found.setdefault((page.source_id, url), (status, []))[1].append(page)
    drafts = []
    for (source_id, url), (status, on_pages) in found.items():
        f = sources[source_id]
        indicator, points = rule_map.lookup(RULE, f.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=f.unit_id, source_id=source_id,
            subject=f"link:{source_id}:{item_key(url)}", period="", as_of=as_of,
            points=points, indicator=indicator, snapshot_id=f.snapshot_id,
            evidence={"link_url": url, "error": status.error, "status": status.http_status,
                      "checked_on": status.checked_on.isoformat(), "column_url": f.source_url,
                      "page_url": on_pages[0].page_url, "page_title": on_pages[0].title,
                      "pages": [{"url": p.page_url, "title": p.title}
                                for p in on_pages[:MAX_PAGES]],
                      "page_count": len(on_pages)}))
    return drafts
