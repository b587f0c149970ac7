"""网站无法访问 — a site whose 首页 failed ``national.unreachable_share`` (5 %) or more of its
probes in the 7 days up to the as-of date: unreachable, or slower than
``national.probe_timeout`` (15 s) (``govwatch probe``, several times a day). A 单项否决 item of
the national checks. Judged only on at least ``national.min_probes`` probes; one finding per
site per ISO week."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from govwatch.timeutil import iso_week
from monitors.rule_map import RuleMap
from storage.repo import FindingDraft, ProbeRow, SourceFacts

RULE = "site_unreachable"
WINDOW_DAYS = 7


def judge(probes: Iterable[ProbeRow], sources: Mapping[int, SourceFacts], as_of: date,
          rule_map: RuleMap, share: float = 0.05, min_probes: int = 7) -> list[FindingDraft]:
    """``probes``: the sites' probes of the 7 days up to ``as_of``."""
    by_site: dict[int, list[ProbeRow]] = defaultdict(list)
    for probe in probes:
        by_site[probe.source_id].append(probe)
    drafts = []
    for source_id, rows in by_site.items():
        f = sources.get(source_id)
        failed = [p for p in rows if not p.ok]
        if f is None or len(rows) < min_probes or len(failed) < share * len(rows):
            continue
        indicator, points = rule_map.lookup(RULE, f.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=f.unit_id, source_id=source_id,
            subject=f"source:{source_id}", period=iso_week(as_of), as_of=as_of,
            points=points, indicator=indicator,
            evidence={"site_url": f.source_url, "probes": len(rows), "failed": len(failed),
                      "share": round(len(failed) / len(rows), 4), "threshold_share": share,
                      "from": rows[0].probed_at.isoformat(),
                      "to": rows[-1].probed_at.isoformat(),
                      "failures": [{"at": p.probed_at.strftime("%Y-%m-%d %H:%M"),
                                    "status": p.http_status, "seconds": p.seconds,
                                    "error": p.error} for p in failed[:20]]}))
    return drafts
