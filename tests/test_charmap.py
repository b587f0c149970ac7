"""``CharMap`` translates exactly as ``str.translate`` does, only skipping texts without a
mapped character."""

from __future__ import annotations

import random

from crawler.extract.text import _HALFWIDTH, to_halfwidth
from govwatch.charmap import CharMap


def test_a_charmap_is_str_translate() -> None:
    tables = [_HALFWIDTH, str.maketrans("", "", "《》〈〉<>‹›"),
              str.maketrans({"]": "}", "\\": "/", "^": None, "-": "_", "[": "{"})]
    rng = random.Random(7)
    alphabet = "关于做好工作的通知2021年abc ]\\^-[《》〈〉<>‹›" + "".join(map(chr, _HALFWIDTH))
    for table in tables:
        charmap = CharMap(table)
        texts = ["", "没有要换的字", *("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
                                    for _ in range(2000))]
        for text in texts:
            assert charmap(text) == text.translate(table), (table, text)


def test_a_text_without_mapped_characters_is_returned_as_is() -> None:
    text = "东岭乡召开扫黑除恶常态化推进会"
    assert to_halfwidth(text) is text
    assert to_halfwidth("２０２１年９月６日　发布") == "2021年9月6日 发布"
