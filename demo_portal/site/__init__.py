"""演示县 demo portal: a pure function from an as-of date to every page of the site.

Nothing here does I/O or reads the clock. ``build_site(as_of, base_url)`` returns a ``Site``
whose pages (bytes, content type, status) are byte-identical for the same arguments;
randomness is ``random.Random`` seeded with the as-of date and the source's path.

The ground truth — the units, their sources and the shape of each source's pages, the age of
each column's newest item, each account's posts per ISO week, which policy files have an
interpretation, for the measured rubric lines the interpretations' forms and channels, the
留言 reply times and the annual reports, and for the national website checks the plants and
their near misses — is the plain data in ``UNITS``, ``SOURCES``, ``POLICIES``,
``INTERPRETATIONS``, ``MESSAGES``, ``ANNUAL_REPORT_COLUMNS`` and ``national`` (``HOMEPAGES``,
``BLANK_COLUMN``, ``DEAD_LINK``, ``HIDDEN_LINKS``, ``WRONG_EXPRESSION``, ``PERSONAL_INFO``,
``BACKDATED``, …); the pages are generated from it, so tests and docs read it instead of
repeating it. ``expected_outcome`` and ``Site.expected`` turn it into what a crawl must record
(ok, http_error, timeout, blocked, too_large) and find; ``national_findings`` what the national
checks must give.

All randomness is seeded with the as-of date, except the 公示公告 column's (``/a01/gsgg/``):
its items are the same on every as-of date that lists them, so that two crawls days apart see
its back-dated items appear.

A few answers depend on the request, not only on the path (``Site.get``): the Hanweb data proxy
(query and POST form), the gkmlpt JSON API (``page``) and the Weibo API (403 without a Referer).

Modules (each imports only those above it in this list):

- ``policies``: ``PolicyDoc``, ``POLICIES``, ``OTHER_INTERPRETATIONS`` — B01's policy files,
  their interpretations and the traps of the no-interpretation rule.
- ``sources``: URL layout and sizes of every shape (``WEIBO_*``, ``HANWEB_*``, ``GKMLPT_*``, …),
  ``Unit``/``UNITS``, ``SourceSpec``/``SOURCES``, ``SHAPES``, ``OUTCOMES``,
  ``expected_outcome``, ``accepted_outcomes``.
- ``measures``: ``Interpretation``/``INTERPRETATIONS``, ``WECHAT_NEAR_MISS``,
  ``interpretation_age``, ``Message``/``MESSAGES``, ``AnnualReportColumn``/
  ``ANNUAL_REPORT_COLUMNS``, ``annual_reports``, ``latest_due_year`` — the measured rubric lines:
  B02's interpretations in several forms (four carried on WeChat), A02's 留言 board (one late
  reply, one unanswered for 100 days), A03's and B03's 政府信息公开工作年度报告 (B03's last due
  one missing).
- ``national``: ``HOMEPAGES``, ``BLANK_COLUMN``, ``UNANSWERED_MESSAGE``, ``DEAD_LINK``/
  ``LINK_NEAR_MISSES``, ``HIDDEN_LINKS``, ``WRONG_EXPRESSION``, ``PERSONAL_INFO``/
  ``MASKED_NOTICE``, ``BACKDATED``/``ROUTINE`` and the helpers ``gsgg_items``,
  ``first_listed_on``, ``backdated_items``, ``late_reply_messages``, ``unanswered_messages``,
  ``national_findings`` — the national website checks and the seeds' 重大扣分 risks: B02's own
  site stale 15 days (the portal's 首页 the near miss), A03's blank 专项公开, A02's 留言 unanswered
  100 days, a dead link and a hidden gambling link at B03's 双随机一公开, 中华人名共和国 at A01's
  政务动态, valid 身份证号 at A02's 信息公开, A01's 公示公告 with back-dated items every 39 days.
- ``model``: ``Page``, ``Entry``, ``GkmlptCategory``, ``Site`` (static pages plus the
  request-dependent answers).
- ``text``: title pools per source (``POOLS``), archive items, article body sentences.
- ``markup``: page chrome (``DOCTYPE``, ``CSS``, ``NAV``, …) and formatting helpers (``esc``,
  ``cn_date``, ``rfc822``, ``weibo_time``, ``_token``).
- ``base``: ``_BuilderBase`` — builder state, layout, article pages, item generation.
- ``lists``: plain list shapes (ul-span, gbk-cn, table, paged, archive, bracket, no-date,
  div-list, ul-fr, js-json).
- ``cms``: TRS script-paged, Hanweb jpage and gkmlpt columns with their JavaScript.
- ``faults``: http-500, slow, 瑞数 412 and 加速乐 521 anti-bot challenges, oversized.
- ``policy_pages``: the 政策文件 and 政策解读 columns generated from ``POLICIES``.
- ``measure_pages``: the measured columns generated from ``measures`` (B02's 政策解读 with its
  images and videos, the 留言 board, the 年报 columns) and the WeChat posts carrying
  interpretations.
- ``national_pages``: the national checks' pages generated from ``national``: B02's site
  ``/jyj/``, the portal's 最新动态, the blank column, 公示公告 released in batches, and the plants
  in generated columns (through the ``base`` hooks ``plant_articles`` and ``list_extra``).
- ``feeds``: new-media accounts — WeChat, RSS/Atom, Weibo API.
- ``builder``: ``_Builder`` (all shapes together, home and unit pages) and ``build_site``.

This package re-exports the ground truth, the output model and ``build_site``.
"""

from __future__ import annotations

from demo_portal.site.builder import build_site
from demo_portal.site.measures import (
    ANNUAL_REPORT_COLUMNS,
    INTERPRETATIONS,
    MESSAGES,
    MISSING_ANNUAL_REPORT,
    REPLY_HOURS,
    WECHAT_NEAR_MISS,
    AnnualReportColumn,
    AnnualReportItem,
    Interpretation,
    Message,
    annual_reports,
    interpretation_age,
    latest_due_year,
)
from demo_portal.site.model import Entry, GkmlptCategory, Page, Site
from demo_portal.site.national import (
    BACKDATED,
    BACKDATED_DAYS,
    BACKDATED_PATH,
    BLANK_COLUMN,
    CONTACT_LINES,
    DEAD_LINK,
    HIDDEN_LINKS,
    HOMEPAGE_STALE,
    HOMEPAGE_STALE_DAYS,
    HOMEPAGES,
    JYJ_BOXES,
    LINK_NEAR_MISSES,
    MASKED_NOTICE,
    PERSONAL_INFO,
    PORTAL_HOME,
    PORTAL_LATEST_FROM,
    PORTAL_LATEST_HEADING,
    RELEASE_ANCHOR,
    RELEASE_EVERY,
    ROUTINE,
    UNANSWERED_DAYS,
    UNANSWERED_MESSAGE,
    WRONG_EXPRESSION,
    WRONG_EXPRESSION_NEAR_MISSES,
    BlankColumn,
    GsggItem,
    HiddenLink,
    Homepage,
    LinkPlant,
    Notice,
    Person,
    RoundItem,
    TextPlant,
    backdated_items,
    first_listed_on,
    gsgg_items,
    gsgg_newest_age,
    id_check_digit,
    is_release_day,
    late_reply_messages,
    national_findings,
    release_day,
    unanswered_messages,
)
from demo_portal.site.policies import OTHER_INTERPRETATIONS, POLICIES, PolicyDoc
from demo_portal.site.sources import (
    ACCEPTED_OUTCOMES,
    ATOM_PATH,
    COUNTY,
    CST,
    GKMLPT_API,
    GKMLPT_CATEGORY,
    GKMLPT_CLASSIFY,
    GKMLPT_COUNT,
    GKMLPT_ID_BASE,
    GKMLPT_PAGE_SIZE,
    GKMLPT_SHELL,
    HANWEB_ART_BASE,
    HANWEB_COLUMN,
    HANWEB_COUNT,
    HANWEB_JPAGE_JS,
    HANWEB_PATH,
    HANWEB_PER_PAGE,
    HANWEB_PROXY,
    HANWEB_UNIT_ID,
    HANWEB_WEBNAME,
    HOSTILE_INDEX,
    HOSTILE_PATH,
    HOSTILE_TITLE,
    JSON_LIST_PATH,
    JSON_TYPE,
    OUTCOMES,
    OVERSIZED_BYTES,
    PAGE_SIZE,
    RUISHU_JS,
    SHAPES,
    SITE_NAME,
    SLOW_DELAY,
    SOURCE_BY_PATH,
    SOURCES,
    TRS_PAGER_JS,
    TRS_SCRIPT_COUNT,
    UNIT_BY_CODE,
    UNITS,
    WEIBO_API,
    WEIBO_CONTAINER,
    WEIBO_PAGE_SIZE,
    WEIBO_PROFILE,
    WEIBO_UID,
    SourceSpec,
    Unit,
    accepted_outcomes,
    expected_outcome,
)

__all__ = [
    "ACCEPTED_OUTCOMES",
    "ANNUAL_REPORT_COLUMNS",
    "ATOM_PATH",
    "BACKDATED",
    "BACKDATED_DAYS",
    "BACKDATED_PATH",
    "BLANK_COLUMN",
    "CONTACT_LINES",
    "COUNTY",
    "CST",
    "DEAD_LINK",
    "GKMLPT_API",
    "GKMLPT_CATEGORY",
    "GKMLPT_CLASSIFY",
    "GKMLPT_COUNT",
    "GKMLPT_ID_BASE",
    "GKMLPT_PAGE_SIZE",
    "GKMLPT_SHELL",
    "HANWEB_ART_BASE",
    "HANWEB_COLUMN",
    "HANWEB_COUNT",
    "HANWEB_JPAGE_JS",
    "HANWEB_PATH",
    "HANWEB_PER_PAGE",
    "HANWEB_PROXY",
    "HANWEB_UNIT_ID",
    "HANWEB_WEBNAME",
    "HIDDEN_LINKS",
    "HOMEPAGES",
    "HOMEPAGE_STALE",
    "HOMEPAGE_STALE_DAYS",
    "HOSTILE_INDEX",
    "HOSTILE_PATH",
    "HOSTILE_TITLE",
    "INTERPRETATIONS",
    "JSON_LIST_PATH",
    "JSON_TYPE",
    "JYJ_BOXES",
    "LINK_NEAR_MISSES",
    "MASKED_NOTICE",
    "MESSAGES",
    "MISSING_ANNUAL_REPORT",
    "OTHER_INTERPRETATIONS",
    "OUTCOMES",
    "OVERSIZED_BYTES",
    "PAGE_SIZE",
    "PERSONAL_INFO",
    "POLICIES",
    "PORTAL_HOME",
    "PORTAL_LATEST_FROM",
    "PORTAL_LATEST_HEADING",
    "RELEASE_ANCHOR",
    "RELEASE_EVERY",
    "REPLY_HOURS",
    "ROUTINE",
    "RUISHU_JS",
    "SHAPES",
    "SITE_NAME",
    "SLOW_DELAY",
    "SOURCES",
    "SOURCE_BY_PATH",
    "TRS_PAGER_JS",
    "TRS_SCRIPT_COUNT",
    "UNANSWERED_DAYS",
    "UNANSWERED_MESSAGE",
    "UNITS",
    "UNIT_BY_CODE",
    "WECHAT_NEAR_MISS",
    "WEIBO_API",
    "WEIBO_CONTAINER",
    "WEIBO_PAGE_SIZE",
    "WEIBO_PROFILE",
    "WEIBO_UID",
    "WRONG_EXPRESSION",
    "WRONG_EXPRESSION_NEAR_MISSES",
    "AnnualReportColumn",
    "AnnualReportItem",
    "BlankColumn",
    "Entry",
    "GkmlptCategory",
    "GsggItem",
    "HiddenLink",
    "Homepage",
    "Interpretation",
    "LinkPlant",
    "Message",
    "Notice",
    "Page",
    "Person",
    "PolicyDoc",
    "RoundItem",
    "Site",
    "SourceSpec",
    "TextPlant",
    "Unit",
    "accepted_outcomes",
    "annual_reports",
    "backdated_items",
    "build_site",
    "expected_outcome",
    "first_listed_on",
    "gsgg_items",
    "gsgg_newest_age",
    "id_check_digit",
    "interpretation_age",
    "is_release_day",
    "late_reply_messages",
    "latest_due_year",
    "national_findings",
    "release_day",
    "unanswered_messages",
]
