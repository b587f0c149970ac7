"""解读形式 — the form of a policy interpretation, for the measured line 多样化解读占比.

Lingchuan A5.2 / B5.2 want ≥ 90 % of a unit's interpretations in varied forms (图解, 音频,
视频, 动漫…; Jingchuan article 6(四) the same). An interpretation's form is read from its title
first (一图读懂, 视频解读, 答记者问 …), then from what its page carries
(``crawler.extract.ArticleMedia``: videos, audio, H5 pages, and images against text). Each
form comes with the reason a reviewer can check. Pure: title and media in, form out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from govwatch.vocabulary import FORM_NAMES

TEXT, GRAPHIC, VIDEO, AUDIO, ANIMATION, QA = "text", "graphic", "video", "audio", "animation", "qa"

# A content image weighs like this many characters of text when judging whether a page is
# mostly pictures: one long 一图读懂 image is a page of text, and a photo beside a 1,500-character
# article does not make it 图解.
IMAGE_CHARS = 400
GRAPHIC_SHARE = 0.5  # pages whose images weigh at least this share of the body are 图解

# Title words, first match wins (a 视频图解 is a video). 图解 not inside 试图解决 / 意图解释 …
_TITLE_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (VIDEO, re.compile(r"视频|微视频|短视频|微电影|直播")),
    (AUDIO, re.compile(r"音频|广播|听[^证取]{0,2}解读|播客")),
    (ANIMATION, re.compile(r"动漫|动画|漫画|H5|h5|Ｈ５")),
    (GRAPHIC, re.compile(r"一图(?:读懂|看懂|了解|速览|解读|通|知)|(?<![试企意力构地])图解(?!决)"
                         r"|图说|长图|图文解读|图表解读|海报|一张图")),
    (QA, re.compile(r"答记者问|答问|问答|一问一答|问与答|访谈|新闻发布会|政策吹风")),
)


class Form(NamedTuple):
    """An interpretation's form (None: cannot tell) and why, in Chinese."""

    form: str | None
    reason: str


def classify(title: str, media: Mapping[str, int] | None) -> Form:
    """The form of an interpretation titled ``title`` whose page carries ``media`` (None:
    the page was never read)."""
    for form, pattern in _TITLE_FORMS:
        hit = pattern.search(title or "")
        if hit:
            return Form(form, f"标题含“{hit.group(0)}”")
    if media is None:
        return Form(None, "标题未标明形式，正文页面尚未读取，无法判断")
    images = int(media.get("images", 0))
    chars = int(media.get("text_chars", 0))
    for form, key, noun in ((VIDEO, "videos", "视频"), (AUDIO, "audios", "音频"),
                            (ANIMATION, "h5", "H5/动漫页面")):
        count = int(media.get(key, 0))
        if count:
            return Form(form, f"正文含{noun} {count} 个")
    weight = images * IMAGE_CHARS
    if images and weight >= GRAPHIC_SHARE * (weight + chars):
        return Form(GRAPHIC, f"正文以图片为主（图片 {images} 张，文字 {chars} 字）")
    if images:
        return Form(TEXT, f"正文以文字为主（文字 {chars} 字，图片 {images} 张）")
    return Form(TEXT, f"正文为文字（{chars} 字），无图片、音视频")


def form_name(form: str | None) -> str:
    """The form in Chinese (未能判断 for None)."""
    return FORM_NAMES.get(form or "", "未能判断")
