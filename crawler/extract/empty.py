"""Whether a list page says it lists nothing (暂无信息): a blank column (空白栏目), which the
national checks report, rather than a page the extractor could not read."""

from __future__ import annotations

import re

# What CMSs print in an empty list; looked for in the page's text without tags and scripts
_EMPTY = re.compile(r"暂无(?:相关)?(?:信息|数据|内容|记录|文章|资料)"
                    r"|没有(?:相关|找到)?(?:信息|数据|记录|内容)|本栏目(?:暂无|正在建设|建设中)|栏目建设中|无相关(?:信息|记录)")
_TAGS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)


def looks_empty(html: str) -> bool:
    """Whether the page's text says its list is empty (checked only when no dated entry was
    found: menus and other undated links are no list)."""
    return _EMPTY.search(_TAGS.sub(" ", html[:500_000])) is not None
