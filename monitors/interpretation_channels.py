"""发布渠道 — whether an interpretation was also published off the portal, on the unit's own
new-media accounts, for the measured line 发布渠道占比 (Lingchuan A5.3 / B5.3: ≥ 50 %).

A post carries an interpretation when its title is the interpretation's (form words such as
一图读懂 / 【解读】, quotes and punctuation aside), contains it, or is as similar as
``channel_match`` (rapidfuzz ratio); or when the post's text quotes the interpretation's
title. Only posts published from a week before the interpretation to a month after count.
An interpretation is judged only while the unit's accounts were watched: published after the
earliest day their first successful crawl could see. Pure: titles and posts in, verdicts out.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from govwatch.vocabulary import book_title
from monitors.policy_match import plain, title_core
from storage.repo import PostFact

CARRIED, ABSENT = "carried", "absent"
DEFAULT_MATCH = 0.85
MIN_CORE = 8  # characters of a title core that may be found inside another text
POSTED_BEFORE_DAYS = 7  # a post may precede the portal's interpretation by this many days
POSTED_AFTER_DAYS = 30


@dataclass(frozen=True)
class AccountPosts:
    """A unit's new-media posts, oldest first, and from which day they are known (None:
    never crawled)."""

    posts: Sequence[PostFact]
    names: dict[int, str]  # source id → account name, for the reason
    known_from: date | None
    _days: list[date] = field(default_factory=list, compare=False, repr=False)
    _cores: list[str | None] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._days.extend(p.published_on for p in self.posts)

    def _span(self, start: date, end: date) -> slice:
        return slice(bisect_left(self._days, start), bisect_right(self._days, end))

    def between(self, start: date, end: date) -> Sequence[PostFact]:
        """The posts published from ``start`` to ``end`` (a slice: posts are date-ordered)."""
        return self.posts[self._span(start, end)]

    def cores_between(self, start: date, end: date) -> list[str]:
        """Their titles' cores (``title_core``), worked out once per post, and only for
        posts some interpretation's window reaches."""
        span = self._span(start, end)
        cores = self._cores
        if not cores:
            cores.extend([None] * len(self.posts))
        for i in range(span.start, span.stop):
            if cores[i] is None:
                cores[i] = title_core(self.posts[i].title)
        return cores[span]  # type: ignore[return-value]  # all worked out above


class Channel(NamedTuple):
    """Verdict on one interpretation: carried | absent | None (not judged), why, and the post."""

    channel: str | None
    reason: str
    post: PostFact | None = None


# a post is compared with every interpretation of its month: its plain text is worked out
# once (its title core is kept by ``AccountPosts``)
_plain = lru_cache(maxsize=100_000)(plain)


def _may_carry(core: str, posts: Sequence[PostFact], cores: list[str],
               threshold: float) -> bool:
    """Whether any of ``posts`` (titled ``cores``) may carry the interpretation (most carry
    none): the title tests at C speed over all of them at once, before one by one for the
    reason."""
    if not core or not posts:
        return False
    if core in cores or (len(core) >= MIN_CORE and any(core in c for c in cores)):
        return True
    if process.extractOne(core, cores, scorer=fuzz.ratio,
                          score_cutoff=threshold * 100) is not None:
        return True
    return len(core) >= MIN_CORE and any(core in _plain(p.body) for p in posts if p.body)


def _how(core: str, post: PostFact, other: str, threshold: float) -> str | None:
    """How ``post`` (whose title core is ``other``) carries the interpretation whose title
    core is ``core``, or None."""
    if not core or not other:
        return None
    if core == other:
        return "标题相同"
    if len(core) >= MIN_CORE and core in other:
        return "标题包含解读标题"
    score = fuzz.ratio(core, other) / 100
    if score >= threshold:
        return f"标题相似度 {score:.0%}"
    if len(core) >= MIN_CORE and post.body and core in _plain(post.body):
        return "正文引用解读标题"
    return None


def judge(title: str, published_on: date, accounts: AccountPosts,
          threshold: float = DEFAULT_MATCH) -> Channel:
    """Whether one of the unit's posts carries the interpretation ``title``."""
    if not accounts.names:
        return Channel(None, "本单位未配置政务新媒体账号，无法判断")
    if accounts.known_from is None or published_on < accounts.known_from:
        return Channel(None, "发布时本单位新媒体账号尚未纳入监测，无法判断")
    core = title_core(title)
    start = published_on - timedelta(days=POSTED_BEFORE_DAYS)
    end = published_on + timedelta(days=POSTED_AFTER_DAYS)
    window = accounts.between(start, end)
    cores = accounts.cores_between(start, end)
    for post, other in zip(window, cores, strict=True) if _may_carry(
            core, window, cores, threshold) else ():
        how = _how(core, post, other, threshold)
        if how:
            account = accounts.names.get(post.source_id, "新媒体账号")
            return Channel(CARRIED, f"「{account}」{post.published_on.isoformat()} 发布"
                                    f"{book_title(post.title)}（{how}）", post)
    return Channel(ABSENT, f"本单位新媒体账号在 {start.isoformat()} 至 {end.isoformat()} "
                           "间没有发布这篇解读")
