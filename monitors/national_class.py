"""The national checks' column classes (国办秘函〔2019〕19号): which columns must be updated how
often — 动态、要闻 (news) within 2 weeks, 通知公告 (notice) and 政策文件 (policy) within 6
months. A column's ``national_class`` in the config wins; else its kind and name decide."""

from __future__ import annotations

import re

NEWS, NOTICE, POLICY, OTHER = "news", "notice", "policy", "other"
CLASS_NAMES = {NEWS: "动态要闻类", NOTICE: "通知公告类", POLICY: "政策文件类"}

_NEWS = re.compile(r"动态|要闻|新闻|资讯|工作信息|政务信息|快讯|头条")
_NOTICE = re.compile(r"通知|公告|公示|通告")
_POLICY = re.compile(r"政策文件|规范性文件|政策法规|文件")


def national_class(name: str, kind: str, explicit: str | None = None) -> str:
    """news | notice | policy | other for a column."""
    if explicit:
        return explicit
    if kind == "policy" or (kind == "general" and _POLICY.search(name)):
        return POLICY
    if kind != "general":
        return OTHER
    if _NEWS.search(name):
        return NEWS
    if _NOTICE.search(name):
        return NOTICE
    return OTHER
