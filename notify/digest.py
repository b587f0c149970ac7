"""The daily digests, built from rows: pure functions, no database, no network.

- a unit's digest (``unit_digest``): its open warnings (预警) and the findings created that
  day, confirmed or pending — each marked which —, for the unit's own contacts; a unit with
  nothing to say gets no digest (None);
- the team's digest (``team_digest``): the day's new findings awaiting review, the sources
  whose latest crawl failed and the open warnings, for the assessment team's channels; on a
  quiet day it says so (今日无新问题), so the team can tell a quiet day from a broken notifier.

A digest renders as plain text (text channels: WeCom and DingTalk text messages, webhooks)
and as Markdown (channels set to markdown or HTML: DingTalk ``?format=markdown``, e-mail),
with links into the review web app: ``/units/CODE``, ``/findings/ID``, ``/queue``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from govwatch.timeutil import chinese_date
from govwatch.vocabulary import OUTCOME_NAMES, RULE_NAMES, STATUS_NAMES, describe
from storage.repo import FailingSource, FindingRow, WarningRow

TEAM = "team"
UNIT = "unit"
PENDING_NOTE = "待审核的问题经考核小组审核确认后才计入扣分；如有异议，请及时与考核小组联系。"


@dataclass(frozen=True)
class Links:
    """Addresses in the review web app (``settings.notify.base_url``); none without it."""

    base_url: str | None

    def _to(self, path: str) -> str | None:
        return f"{self.base_url.rstrip('/')}{path}" if self.base_url else None

    def unit(self, code: str) -> str | None:
        return self._to(f"/units/{quote(code, safe='')}")

    def finding(self, finding_id: int) -> str | None:
        return self._to(f"/findings/{finding_id}")

    def queue(self) -> str | None:
        return self._to("/queue")


@dataclass(frozen=True)
class Entry:
    """One line of a digest, with where to read more."""

    text: str
    url: str | None = None


@dataclass(frozen=True)
class Section:
    """A heading and its numbered entries; past the limit only counted (``more``)."""

    heading: str
    entries: tuple[Entry, ...]
    more: int = 0
    more_url: str | None = None


@dataclass(frozen=True)
class Digest:
    """One day's message to the team or to one unit (``scope``: the unit's code)."""

    kind: str
    scope: str
    day: date
    title: str
    summary: str
    sections: tuple[Section, ...] = ()
    closing: tuple[Entry, ...] = ()

    def text(self) -> str:
        """The message as plain text: links on their own lines."""
        parts = [self.summary]
        for section in self.sections:
            lines = [f"【{section.heading}】"]
            for n, entry in enumerate(section.entries, 1):
                lines.append(f"{n}. {entry.text}")
                if entry.url:
                    lines.append(f"   {entry.url}")
            if section.more:
                where = f"，全部见 {section.more_url}" if section.more_url else ""
                lines.append(f"……另有 {section.more} 条未列出{where}")
            parts.append("\n".join(lines))
        parts.extend(_closing_line(entry, entry.url or "") for entry in self.closing)
        return "\n\n".join(parts)

    def markdown(self) -> str:
        """The message as Markdown: the title as its heading (DingTalk shows a Markdown
        message's title only in the chat list), links behind 查看."""
        parts = [f"#### {_md(self.title)}", self.summary]
        for section in self.sections:
            lines = [f"**{section.heading}**", ""]
            for n, entry in enumerate(section.entries, 1):
                link = f"（[查看]({entry.url})）" if entry.url else ""
                lines.append(f"{n}. {_md(entry.text)}{link}")
            if section.more:
                where = f"，[全部查看]({section.more_url})" if section.more_url else ""
                lines.append(f"\n……另有 {section.more} 条未列出{where}")
            parts.append("\n".join(lines))
        parts.extend(_closing_line(entry, f"[{entry.url}]({entry.url})" if entry.url else "",
                                   markdown=True) for entry in self.closing)
        return "\n\n".join(parts)


def _md(text: str) -> str:
    """Text safe inside Markdown: the characters that would start emphasis or links."""
    for char in "\\*_[]`#":
        text = text.replace(char, f"\\{char}")
    return text


def _closing_line(entry: Entry, link: str, *, markdown: bool = False) -> str:
    text = _md(entry.text) if markdown else entry.text
    return f"{text}：{link}" if link else text


def _listed(heading: str, entries: Sequence[Entry], limit: int,
            more_url: str | None = None) -> Section:
    return Section(heading, tuple(entries[:limit]), max(len(entries) - limit, 0), more_url)


def _finding_text(row: FindingRow, *, with_unit: bool) -> str:
    where = f"{row.unit_code} {row.unit_name} · " if with_unit else ""
    source = f" · {row.source_name}" if row.source_name else ""
    detail = describe(row)
    return f"{where}{RULE_NAMES.get(row.rule, row.rule)}{source}{'：' if detail else ''}{detail}"


def _warning_text(warning: WarningRow, new_ids: set[int], *, with_unit: bool) -> str:
    mark = "（今日新增）" if warning.id in new_ids else ""
    where = f"{warning.unit_code} {warning.unit_name} · " if with_unit else ""
    source = f" · {warning.source_name}" if warning.source_name else ""
    return f"{mark}{where}{warning.kind_name}{source}：{warning.description}"


def _status_counts(rows: Sequence[FindingRow]) -> str:
    counts = Counter(row.status for row in rows)
    return "，".join(f"{STATUS_NAMES[s]} {counts[s]} 条" for s in ("confirmed", "pending")
                    if counts[s])


def unit_digest(day: date, code: str, name: str, *, warnings: Sequence[WarningRow],
                new_warning_ids: set[int], findings: Sequence[FindingRow], links: Links,
                limit: int) -> Digest | None:
    """A unit's digest of ``day``: its open warnings and the findings created that day
    (confirmed first, then pending, each marked), or None when there is nothing to say."""
    if not warnings and not findings:
        return None
    said = []
    if warnings:
        fresh = sum(1 for w in warnings if w.id in new_warning_ids)
        said.append(f"未解除的预警 {len(warnings)} 条" + (f"（今日新增 {fresh} 条）" if fresh
                                                       else ""))
    if findings:
        said.append(f"今日新发现问题 {len(findings)} 条（{_status_counts(findings)}）")
    sections = []
    if warnings:
        ordered = sorted(warnings, key=lambda w: (w.id not in new_warning_ids, w.opened_at))
        sections.append(_listed(
            "预警：请在期限前处理，以免被扣分",
            [Entry(_warning_text(w, new_warning_ids, with_unit=False)) for w in ordered],
            limit, links.unit(code)))
    if findings:
        ordered_rows = sorted(findings, key=lambda r: (r.status != "confirmed", r.id))
        sections.append(_listed(
            "今日新发现的问题",
            [Entry(f"【{STATUS_NAMES.get(r.status, r.status)}】"
                   f"{_finding_text(r, with_unit=False)}", links.finding(r.id))
             for r in ordered_rows], limit, links.unit(code)))
    closing = [Entry(PENDING_NOTE)] if any(r.status == "pending" for r in findings) else []
    closing.append(Entry("本单位的全部问题、预警和得分", links.unit(code)))
    return Digest(UNIT, code, day, f"{name}政务公开监测日报（{chinese_date(day)}）",
                  f"{name}（{code}），截至{chinese_date(day)}：{'；'.join(said)}。",
                  tuple(sections), tuple(closing))


def team_digest(day: date, county: str, *, findings: Sequence[FindingRow], pending_total: int,
                failing: Sequence[FailingSource], warnings: Sequence[WarningRow],
                new_warning_ids: set[int], links: Links, limit: int) -> Digest:
    """The team's digest of ``day``: findings created that day still pending review (and the
    whole queue's size), failing sources and open warnings; 今日无新问题 when all are none."""
    title = f"{county}政务公开监测日报（{chinese_date(day)}）"
    pending = [r for r in findings if r.status == "pending"]
    queue = Entry(f"审核队列（待审核共 {pending_total} 条）", links.queue())
    if not findings and not failing and not warnings:
        return Digest(TEAM, "", day, f"{title}：今日无新问题",
                      f"今日无新问题：截至{chinese_date(day)}，没有新发现的问题，"
                      "各栏目和账号最近一次抓取均正常，没有未解除的预警。",
                      closing=(queue,) if pending_total else ())
    fresh = sum(1 for w in warnings if w.id in new_warning_ids)
    summary = (f"截至{chinese_date(day)}：今日新发现问题 {len(findings)} 条，其中待审核 "
               f"{len(pending)} 条（审核队列共 {pending_total} 条）；抓取异常的栏目和账号 "
               f"{len(failing)} 个；未解除的预警 {len(warnings)} 条（今日新增 {fresh} 条）。")
    sections = []
    if pending:
        sections.append(_listed(
            "今日新发现、待审核的问题",
            [Entry(_finding_text(r, with_unit=True), links.finding(r.id)) for r in pending],
            limit, links.queue()))
    if failing:
        sections.append(_listed("抓取异常的栏目和账号", [
            Entry(f"{f.unit_code} {f.unit_name} · {f.source_name}："
                  f"{OUTCOME_NAMES.get(f.outcome, f.outcome)}"
                  + (f"（HTTP {f.http_status}）" if f.http_status else "")
                  + f"，最近一次抓取 {f.since.isoformat()}",
                  links.unit(f.unit_code)) for f in failing], limit))
    if warnings:
        by_unit = Counter((w.unit_code, w.unit_name) for w in warnings)
        sections.append(_listed("未解除的预警（按单位）", [
            Entry(f"{code} {name}：{count} 条", links.unit(code))
            for (code, name), count in sorted(by_unit.items())], limit))
    return Digest(TEAM, "", day, title, summary, tuple(sections), (queue,))
