"""个人信息泄露 — ID card, mobile and bank card numbers in published titles and texts.

Found on the folded text (``text_scan.fold``: full-width digits count), each conservatively:

- 身份证号: 18 characters with a valid GB 11643 check character, a birth date from 1900 to
  the judging day and a region code starting 1–8; a 15-digit (old) number only with a valid
  date and 身份证 written just before it.
- 手机号: 1[3-9] and 9 more digits (or 3-4-4 with "-" or spaces), not inside a longer number —
  unless a contact label (联系电话, 监督电话, 联系人, 传真, … or
  ``settings.text_checks.contact_patterns``) stands just before it: an official contact number
  is meant to be public.
- 银行卡号: 16–19 digits (or groups of 4) passing the Luhn check, with 卡号/银行卡/账号/帐号
  just before it; an unlabelled long number (文号, order numbers) is not reported.

Already masked numbers (138****1234) never count. Evidence never holds a number in the clear:
each is masked (138****5678, 410105********123X, 6222 **** **** 1234) in the hit, its context
and the title, and any other long digit run in the context is masked too.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from govwatch import timeutil
from govwatch.timeutil import iso_week
from monitors.rule_map import RuleMap
from monitors.text_scan import Folded, ScannedText, fold, sentence_span
from storage.repo import FindingDraft, SourceFacts

RULE = "personal_info"
Kind = Literal["id_card", "mobile", "bank_card"]

# Contact labels (folded: "电话：" reads "电话:") that make a mobile number an official one.
CONTACT_LABELS = ("联系电话", "咨询电话", "监督电话", "举报电话", "投诉电话", "服务热线",
                  "联系人", "联系方式", "电话:", "办公电话", "传真", "热线", "值班电话",
                  "受理电话")
CONTACT_REACH = 12  # characters before the number (or the list of numbers) it heads
ID_LABEL, ID_LABEL_REACH = "身份证", 10
CARD_LABELS, CARD_LABEL_REACH = ("卡号", "银行卡", "账号", "帐号"), 12

# "*" is a masked digit: a number touching one is a masked number, never a hit
_ID18 = re.compile(r"(?<![0-9*])[1-8][0-9]{5}(?P<birth>(?:19|20)[0-9]{6})[0-9]{3}[0-9x]"
                   r"(?![0-9*x])")
_ID15 = re.compile(r"(?<![0-9*])[1-8][0-9]{5}(?P<birth>[0-9]{6})[0-9]{3}(?![0-9*x])")
_CARD = re.compile(r"(?<![0-9*])(?:[0-9]{16,19}"
                   r"|[0-9]{4}(?P<sep>[ -])[0-9]{4}(?P=sep)[0-9]{4}(?P=sep)[0-9]{4}"
                   r"(?:(?P=sep)[0-9]{1,3})?)(?![0-9*])")
_MOBILE = re.compile(r"(?<![0-9*])(?:\+?86[ -]?)?1[3-9][0-9](?P<sep>[ -]?)[0-9]{4}(?P=sep)"
                     r"[0-9]{4}(?![0-9*])")
# a list of numbers before this one ("0371-1234567、138…"): the label heads the whole list
_LISTED = re.compile(r"[0-9][0-9() -]{5,}[0-9][\s、,;/或及和]*$")
# 联系人：陈华138…  郝占高139…: a contact label heads a list of names with numbers too (a
# 联系电话 table header does not: the people of a 公示 table stay reported)
_NAMED = re.compile(r"[0-9][0-9() -]{5,}[0-9][\s、,;/]*[\u4e00-\u9fff]{2,4}[:\s]*$")
CONTACT_PERSON = "联系人"
# where a number may be: 11+ digits (ASCII or full-width), single separators between them;
# the same runs are masked in evidence context when they are no hit
_DIGITS, _SEPARATORS = "0-9０-９", "\u0020\\-－\u3000"  # "-" escaped: no range in a class
_CANDIDATE = re.compile(rf"[{_DIGITS}](?:[{_SEPARATORS}]?[{_DIGITS}]){{10,}}")
_LONG_RUN = re.compile(rf"[{_DIGITS}](?:[{_SEPARATORS}]?[{_DIGITS}]){{10,}}[xXｘＸ]?")
_BACK = 300  # characters before a number read for its label (a list of numbers: its head)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class PiiHit:
    """A number in a text: ``text[start:end]`` as printed; ``masked`` is all evidence shows."""

    kind: Kind
    start: int
    end: int
    masked: str


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of an ID number's first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def luhn_ok(digits: str) -> bool:
    """Whether a card number passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _birth(text: str, up_to: date) -> bool:
    """A yyyymmdd from 1900-01-01 to ``up_to``."""
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= up_to


def mask(kind: Kind, number: str) -> str:
    """The evidence form of a number: never its middle (the birth date of an ID)."""
    digits = re.sub(r"[^0-9x]", "", number).upper()
    if kind == "mobile":
        digits = digits[-11:]  # without +86
        return f"{digits[:3]}****{digits[-4:]}"
    if kind == "id_card":
        return f"{digits[:6]}{'*' * (len(digits) - 10)}{digits[-4:]}"
    return f"{digits[:4]} **** **** {digits[-4:]}"  # one shape, whatever the card's length


def _mask_run(run: str) -> str:
    """A long digit run that is no hit: its first 3 and last 2 digits, separators kept."""
    places = [i for i, ch in enumerate(run) if ch.isdigit()]
    hidden = set(places[3:-2])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(run))


def _labelled(folded: str, start: int, labels: Sequence[str], reach: int) -> bool:
    window = folded[max(0, start - reach):start]
    return any(label in window for label in labels)


def _is_contact(text: str, folded: Folded, start: int,
                patterns: Sequence[re.Pattern[str]]) -> bool:
    """A contact label within reach before the number, or before the list it ends."""
    head = _list_head(folded.text, start, _LISTED)
    window = folded.text[max(0, head - CONTACT_REACH):head]
    if any(label in window for label in CONTACT_LABELS):
        return True
    named = _list_head(folded.text, start, _NAMED)
    if CONTACT_PERSON in folded.text[max(0, named - CONTACT_REACH):named]:
        return True
    if not patterns:
        return False
    # the county's patterns are written against the page's own characters
    lo = folded.original(max(0, head - CONTACT_REACH), head)[0] if head else 0
    hi = folded.original(head, head + 1)[0] if head < len(folded.text) else len(text)
    original = text[lo:hi]
    return any(p.search(original) or p.search(window) for p in patterns)


def _list_head(folded: str, start: int, listed: re.Pattern[str]) -> int:
    """Where the list of numbers that ends at ``start`` begins (``start`` if none)."""
    head = start
    for _ in range(20):  # a list of a few numbers, not a table
        m = listed.search(folded, max(0, head - 40), head)
        if m is None:
            break
        head = m.start()
    return head


def _compiled(patterns: Iterable[str | re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    return tuple(p if isinstance(p, re.Pattern) else re.compile(p) for p in patterns)


def _find(text: str, patterns: Sequence[re.Pattern[str]], up_to: date) -> list[PiiHit]:
    """Each run of 11+ digits in ``text`` judged in a folded window around it: folding the
    whole text would cost more than everything else (text_scan.Folder)."""
    hits: list[PiiHit] = []
    for run in _CANDIDATE.finditer(text):
        lo = max(0, run.start() - _BACK)
        window = text[lo:run.end() + 2]  # + "x" of an ID and the character after the number
        folded = fold(window)
        first = bisect_left(range(len(folded.text)), run.start() - lo,
                            key=lambda k: folded.original(k, k + 1)[0])
        for kind, start, end in _numbers(window, folded, first, patterns, up_to):
            o_start, o_end = folded.original(start, end)
            hits.append(PiiHit(kind, lo + o_start, lo + o_end,
                               mask(kind, folded.text[start:end])))
    return hits


def _numbers(text: str, folded: Folded, first: int, patterns: Sequence[re.Pattern[str]],
             up_to: date) -> list[tuple[Kind, int, int]]:
    """(kind, start, end) in ``folded`` of the numbers of the run starting at ``first`` (a
    "+" before it may belong to a mobile); what stands before it is read for labels."""
    ft = folded.text
    taken: list[tuple[int, int]] = []  # spans already a number of an earlier kind
    found: list[tuple[Kind, int, int]] = []

    def new(m: re.Match[str]) -> bool:
        start, end = m.span()
        return end > first and all(end <= s or start >= e for s, e in taken)

    pos = max(0, first - 1)
    for m in _ID18.finditer(ft, pos):
        number = m.group()
        if (new(m) and _birth(m["birth"], up_to)
                and id_check_char(number[:17]) == number[17].upper()):
            found.append(("id_card", *m.span()))
            taken.append(m.span())
    for m in _ID15.finditer(ft, pos):
        if (new(m) and _birth("19" + m["birth"], up_to)
                and _labelled(ft, m.start(), (ID_LABEL,), ID_LABEL_REACH)):
            found.append(("id_card", *m.span()))
            taken.append(m.span())
    for m in _CARD.finditer(ft, pos):
        after = ft[m.end():m.end() + 2]
        if m["sep"] and len(after) == 2 and after[0] == m["sep"] and after[1].isdigit():
            continue  # more groups follow: a longer number than a card's
        digits = re.sub(r"[^0-9]", "", m.group())
        if (new(m) and 16 <= len(digits) <= 19 and luhn_ok(digits)
                and _labelled(ft, m.start(), CARD_LABELS, CARD_LABEL_REACH)):
            found.append(("bank_card", *m.span()))
            taken.append(m.span())
    for m in _MOBILE.finditer(ft, pos):
        if new(m) and not _is_contact(text, folded, m.start(), patterns):
            found.append(("mobile", *m.span()))
    return sorted(found, key=lambda f: f[1])


def find(text: str, contact_patterns: Iterable[str | re.Pattern[str]] = (), *,
         today: date | None = None) -> list[PiiHit]:
    """The personal numbers in ``text`` (positions in ``text`` as given); birth dates count
    up to ``today`` (default: today, China time)."""
    return _find(text, _compiled(contact_patterns), today or timeutil.today())


def masked_text(text: str, hits: Sequence[PiiHit], start: int = 0,
                end: int | None = None) -> str:
    """``text[start:end]`` with every hit in it masked, and every other long digit run; the
    stretch must not cut a hit or a digit run (``_widen``)."""
    end = len(text) if end is None else end
    out: list[str] = []
    at = start
    for h in hits:
        if h.end <= start or h.start >= end:
            continue
        out.append(_LONG_RUN.sub(lambda m: _mask_run(m.group()), text[at:h.start]))
        out.append(h.masked)
        at = h.end
    out.append(_LONG_RUN.sub(lambda m: _mask_run(m.group()), text[at:end]))
    return "".join(out)


def _widen(text: str, lo: int, hi: int) -> tuple[int, int]:
    """A context stretch grown so that it does not cut through a number (which would show
    part of it unmasked)."""
    def digit(i: int) -> bool:
        return 0 <= i < len(text) and (text[i].isdigit() or text[i] in "xXｘＸ")

    def part(i: int) -> bool:  # a digit, or a separator between two digits
        return digit(i) or (0 <= i < len(text) and text[i] in " -－\u3000"
                            and digit(i - 1) and digit(i + 1))

    while lo > 0 and part(lo) and part(lo - 1):
        lo -= 1
    while hi < len(text) and part(hi - 1) and part(hi):
        hi += 1
    return lo, hi


def _evidence_hits(where: str, text: str, hits: Sequence[PiiHit]) -> list[dict[str, Any]]:
    rows = []
    for h in hits:
        lo, hi = _widen(text, *sentence_span(text, h.start, h.end))
        rows.append({"kind": h.kind, "masked": h.masked, "where": where,
                     "before": masked_text(text, hits, lo, h.start), "hit": h.masked,
                     "after": masked_text(text, hits, h.end, hi)})
    return rows


def judge(texts: Iterable[ScannedText], sources: Mapping[int, SourceFacts], as_of: date,
          rule_map: RuleMap, contact_patterns: Iterable[str | re.Pattern[str]] = ()
          ) -> list[FindingDraft]:
    """One finding per item holding personal numbers, all of them listed (masked); items
    published after ``as_of`` wait for their day, items of unknown sources are skipped."""
    patterns = _compiled(contact_patterns)
    drafts = []
    for t in texts:
        f = sources.get(t.source_id)
        if f is None or (t.published_on is not None and t.published_on > as_of):
            continue
        in_title = _find(t.title, patterns, as_of)
        in_body = _find(t.body, patterns, as_of)
        if not in_title and not in_body:
            continue
        rows = _evidence_hits("title", t.title, in_title) + _evidence_hits("body", t.body,
                                                                           in_body)
        indicator, points = rule_map.lookup(RULE, f.category)
        drafts.append(FindingDraft(
            rule=RULE, unit_id=f.unit_id, source_id=f.source_id, item_id=t.item_id,
            subject=f"item:{t.item_id}", period=iso_week(t.published_on or as_of),
            as_of=as_of, points=points, indicator=indicator, snapshot_id=f.snapshot_id,
            evidence={
                "item_url": t.url, "title": masked_text(t.title, in_title),
                "hits": rows, "counts": dict(Counter(r["kind"] for r in rows)),
                "published_on": t.published_on.isoformat() if t.published_on else None,
                "crawl_run_id": f.last_run_id,
            }))
    return drafts
