"""The national checks' 单项否决 summary and the quarterly self-check report (季度自查表).

政府网站与政务新媒体检查指标 (国办秘函〔2019〕19号): a site fails outright (单项否决) when it
cannot be reached, its 首页 is not updated for 2 weeks, 5 or more of its columns are stale or
blank, it shows a 严重表述错误, or a 留言 is unanswered for 3 months; an account fails when it is
silent for 2 weeks, shows a 严重表述错误 or leaves a 留言 unanswered. The findings of a period
(not dismissed) are grouped by site — the homepage whose host and path a finding's column URL
falls under — and by account.
Pure: config and findings in, summary out; ``write_self_check`` renders the XLSX.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from openpyxl import Workbook
from openpyxl.styles import Font

from govwatch.config import CountyConfig
from govwatch.tabular import without_formulas
from govwatch.timeutil import chinese_date
from govwatch.vocabulary import RULE_NAMES, STATUS_NAMES, describe
from reports.model import clean
from scoring.sheets import (
    SUB_FILL,
    boxed_row,
    column_widths,
    header_row,
    print_setup,
    sheet_title,
)
from storage.repo import FindingRow


@dataclass(frozen=True)
class Indicator:
    """One 单项否决 indicator: what it is, its standard, the rules that count toward it and
    how many findings (distinct sources) fail it."""

    name: str
    standard: str
    rules: tuple[str, ...]
    veto_at: int = 1  # distinct sources with a finding


SITE_INDICATORS = (
    Indicator("站点无法访问", "一周内首页无法访问或打开超过15秒的次数占比达到5%",
              ("site_unreachable",)),
    Indicator("首页不更新", "首页栏目超过2周未更新", ("homepage_stale",)),
    Indicator("栏目不更新", "动态要闻类栏目超过2周、通知公告和政策文件类栏目超过6个月未更新，"
              "或空白栏目，累计达到5个", ("class_stale", "blank_column"), 5),
    Indicator("严重表述错误", "出现错别字、错误表述等严重表述错误", ("wrong_expression",)),
    Indicator("互动回应差", "留言超过3个月未回复", ("unanswered_message",)),
    Indicator("安全、泄密等严重问题", "出现暗链、非法链接或泄露个人信息",
              ("hidden_link", "personal_info")),
)
ACCOUNT_INDICATORS = (
    Indicator("内容不更新", "超过2周未更新", ("account_silent",)),
    Indicator("严重表述错误", "发布内容出现严重表述错误", ("wrong_expression",)),
)


@dataclass
class IndicatorResult:
    indicator: Indicator
    findings: list[FindingRow] = field(default_factory=list)

    @property
    def sources(self) -> int:
        return len({(f.unit_code, f.source_name) for f in self.findings})

    @property
    def vetoed(self) -> bool:
        return self.sources >= self.indicator.veto_at


@dataclass
class Subject:
    """A site (by host) or an account, with its indicators."""

    kind: str  # site | account
    name: str
    url: str
    results: list[IndicatorResult]

    @property
    def vetoed(self) -> bool:
        return any(r.vetoed for r in self.results)


@dataclass
class NationalSummary:
    county: str
    start: date
    end: date
    sites: list[Subject]
    accounts: list[Subject]
    findings: list[FindingRow]  # every national-check finding of the period


NATIONAL_RULES = tuple(dict.fromkeys(r for i in (*SITE_INDICATORS, *ACCOUNT_INDICATORS)
                                     for r in i.rules))


def _place(url: str | None) -> tuple[str, str]:
    """(host, path) of a URL: where on which site it is."""
    parts = urlsplit(url or "")
    return (parts.hostname or "").lower(), parts.path or "/"


def site_of(url: str | None, sites: dict[tuple[str, str], Subject]) -> Subject | None:
    """The site a column belongs to: same host, the longest homepage path its URL starts
    with (sites of a 集约化 platform share a host: /jyj/ is not the portal's /)."""
    host, path = _place(url)
    best = None
    for (site_host, site_path), subject in sites.items():
        if site_host == host and path.startswith(site_path) and (
                best is None or len(site_path) > len(best[0])):
            best = (site_path, subject)
    return best[1] if best else None


def summarize(config: CountyConfig, rows: Sequence[FindingRow], start: date,
              end: date) -> NationalSummary:
    """The 单项否决 summary of the findings whose as-of date is in [start, end]."""
    found = [r for r in rows if r.rule in NATIONAL_RULES and r.status != "dismissed"
             and start <= r.as_of <= end]
    veto_columns = config.settings.national.veto_columns
    site_indicators = [Indicator(i.name, i.standard, i.rules,
                                 veto_columns if i.veto_at > 1 else 1)
                       for i in SITE_INDICATORS]
    sites: dict[tuple[str, str], Subject] = {}
    for unit in config.units:
        for column in unit.columns:
            if column.kind == "homepage" and _place(column.url) not in sites:
                sites[_place(column.url)] = Subject(
                    "site", f"{unit.name} {column.name}", column.url,
                    [IndicatorResult(i) for i in site_indicators])
    accounts = {(u.code, a.name): Subject("account", f"{u.name} {a.name}", a.url,
                                          [IndicatorResult(i) for i in ACCOUNT_INDICATORS])
                for u in config.units for a in u.accounts}
    for row in found:
        subject = accounts.get((row.unit_code, row.source_name or "")) or site_of(
            row.item_url, sites)
        if subject is None:
            continue
        for result in subject.results:
            if row.rule in result.indicator.rules:
                result.findings.append(row)
    return NationalSummary(config.county, start, end, list(sites.values()),
                           list(accounts.values()), found)


def quarter_of(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s quarter."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end = (date(day.year + 1, 1, 1) if first_month == 10
           else date(day.year, first_month + 3, 1))
    return start, date.fromordinal(end.toordinal() - 1)


BAD = Font(bold=True, color="C00000")
VETO_HEADERS = ("对象", "类型", "指标", "评判标准", "问题数", "是否单项否决", "问题明细")
DETAIL_HEADERS = ("编号", "单位", "栏目/账号", "问题", "情况", "网址", "发现日期", "状态")


def write_self_check(summary: NationalSummary, path: Path) -> Path:
    """季度自查表: 单项否决 for sites and accounts, then every finding (XLSX), in the look of
    the score sheets (``scoring.sheets``): titled, boxed, printable."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "单项否决"
    sheet_title(sheet, f"{clean(summary.county)}政府网站与政务新媒体自查表（"
                       f"{chinese_date(summary.start)}至{chinese_date(summary.end)}）",
                len(VETO_HEADERS))
    header_row(sheet, 2, VETO_HEADERS)
    row = 2
    for subject in (*summary.sites, *summary.accounts):
        kind = "政府网站" if subject.kind == "site" else "政务新媒体"
        for result in subject.results:
            details = "；".join(f"{RULE_NAMES.get(f.rule, f.rule)}：{f.source_name or ''} "
                               f"{describe(f)}" for f in result.findings[:20])
            row += 1
            boxed_row(sheet, row, (clean(subject.name), kind, result.indicator.name,
                                   result.indicator.standard, len(result.findings),
                                   "是" if result.vetoed else "否", clean(details)),
                      centred=(2, 5, 6))
            if result.vetoed:
                sheet.cell(row, 6).font = BAD
        row += 1
        boxed_row(sheet, row, (clean(subject.name), kind, "结论", "", "",
                               "单项否决" if subject.vetoed else "未触及单项否决", ""),
                  bold=True, fill=SUB_FILL, centred=(2, 5, 6))
        if subject.vetoed:
            sheet.cell(row, 6).font = BAD
    column_widths(sheet, (28, 10, 18, 40, 8, 14, 80))
    print_setup(sheet)
    detail = book.create_sheet("问题明细")
    header_row(detail, 1, DETAIL_HEADERS)
    for row, f in enumerate(summary.findings, 2):
        boxed_row(detail, row, (
            f.id, clean(f"{f.unit_code} {f.unit_name}"), clean(f.source_name or ""),
            RULE_NAMES.get(f.rule, f.rule), clean(describe(f)),
            clean(f.evidence.get("page_url") or f.evidence.get("item_url") or f.item_url or ""),
            f.as_of.isoformat(), STATUS_NAMES.get(f.status, f.status)), centred=(1, 7, 8))
    column_widths(detail, (8, 16, 18, 18, 60, 40, 12, 8))
    print_setup(detail, title_rows="1:1")
    path.parent.mkdir(parents=True, exist_ok=True)
    without_formulas(book)  # crawled titles and URLs: never formulas
    book.save(path)
    return path
