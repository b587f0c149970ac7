"""Text normalisation: full-width to half-width, spaces."""

from __future__ import annotations

from govwatch.charmap import CharMap

# ---------------------------------------------------------------------------
# Text normalisation
# ---------------------------------------------------------------------------

# Full-width ASCII block (！..～) maps onto ASCII by a fixed offset; U+3000 is the CJK space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20
_TO_HALFWIDTH = CharMap(_HALFWIDTH)  # most texts have no full-width character


def to_halfwidth(text: str) -> str:
    """Map full-width digits and punctuation (０-９，－，／，．，：…) to ASCII."""
    return _TO_HALFWIDTH(text)


def _norm_space(text: str) -> str:
    """Collapse all whitespace (including nbsp and the CJK space) to single spaces."""
    return " ".join(text.split())


def _nonspace(text: str) -> int:
    """How many characters of text are not whitespace."""
    return len(text) - sum(map(str.isspace, text))
