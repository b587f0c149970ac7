"""The weekly bulletin (周通报): which findings it names, how it reads, producing and publishing.

Which findings a bulletin for ISO week W lists (dismissed findings never appear):
- violations — stale_column, low_post_frequency, uninterpreted_policy, not_rectified — that
  are CONFIRMED and whose *listing week* is W. The listing week is the finding's period for the
  first three (stale_column: the ISO week of the as-of date it was found on;
  low_post_frequency: the week judged; uninterpreted_policy: the week its grace period ended)
  and, for not_rectified (whose period is the week of the bulletin that named the original
  problem), the ISO week of the day after its rectification deadline — the first day it can
  be found — so it goes into the next bulletin, not the one already published;
- crawl_failure findings of week W in a short note 附件1：抓取异常情况: they are not violations
  and are never linked to the bulletin;
- PENDING violations of week W are never in the sections, so nothing is issued unreviewed.
A bulletin is built as one of two editions. The internal DRAFT reviewers approve also shows
what is pending: the pending violations counted in the summary and listed in 附件2 (待审核), the
pending crawl failures in 附件1 with their review status, pending not_rectified findings in
section 四. The PUBLISHED edition carries confirmed findings only: no 附件2, no pending count,
confirmed crawl failures only, section 四 citing confirmed not_rectified findings only. Both
close with the demand to rectify (``CLOSING_DEMAND``) only when they name problems.
The week before is counted the same way for the comparison (较上周增加/减少/持平). Because a
stale_column finding belongs to the week of the day the monitors ran, W's bulletin shows the
columns found stale during W: run the monitors daily (the scheduler does) and confirm before
the report job runs on Monday; a finding confirmed later reaches W's bulletin by publishing W
again.

Publishing (approving W's draft: ``reports.lifecycle``) records the Bulletin row of W as
published (unique; publishing again updates it) and links every confirmed violation the
bulletin lists (sections 一 to 四) — what ``monitors.not_rectified`` reads. ``published_at``
stays when a re-publication names the same findings and moves to now when they changed (see
``reports.queries.publish_bulletin``).

整改情况 (section 四) looks at the latest bulletin published for a week before W and gives each
finding it named (still confirmed) 已整改 or 未整改. An item is 未整改 when a not_rectified
finding about it exists (in the draft pending or confirmed, in the published edition
confirmed), or when its condition still holds at the end of week W (its Sunday):
- stale_column: nothing was published in the column after the newest item the finding named;
- low_post_frequency: the account posted fewer than its weekly minimum in week W;
- uninterpreted_policy: the policy still has no interpretation (the monitor's own matching:
  a link either way or a title match at the finding's threshold) and no 不作解读 statement;
- not_rectified: the condition of the original finding, as above.

``build_weekly`` is pure (inputs in, ``WeeklyBulletin`` out), as the internal draft or the
edition to publish; ``write_files`` renders it; ``reports.lifecycle`` does the rest of the I/O
— query, draft, approve, publish.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from govwatch.beside import beside
from govwatch.config import CountyConfig
from govwatch.timeutil import chinese_date, iso_week, today
from govwatch.vocabulary import RULE_NAMES, STATUS_NAMES, describe
from reports.model import (
    CRAWL_FAILURE,
    FORMATS,
    VIOLATIONS,
    Cell,
    DocumentParts,
    Link,
    Rectification,
    Section,
    Table,
    UnitTally,
    WeeklyBulletin,
    clean,
)
from reports.queries import (
    ReportFinding,
    UnitInfo,
    WeeklyInputs,
)
from storage.db import Database
from storage.repo import FindingRow

DEFAULT_PUBLISHER = "govwatch"
PLATFORM_NAMES = {"wechat": "微信公众号", "weibo": "微博", "rss": "网站/RSS", "html": "网页"}
CATEGORY_NAMES = {"A": "A类", "B": "B类"}
# the closing demand: only when the bulletin names problems
CLOSING_DEMAND = ("请被通报单位高度重视，自本通报印发之日起7日内完成整改，"
                  "整改情况将在下期通报中反馈；逾期未整改的，按考核细则另行扣分。")
KIND_WORDS = {  # rule → how the summary names it
    "stale_column": "栏目长期未更新",
    "low_post_frequency": "政务新媒体更新不足",
    "uninterpreted_policy": "政策文件未解读",
    "not_rectified": "通报后逾期未整改",
}
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


# ----------------------------------------------------------------------------- weeks


def parse_week(text: str) -> str:
    """``2021-W35`` (also ``2021W35``, ``2021-w5``) → ``2021-W35``; ValueError in Chinese."""
    match = _WEEK.match(text.strip())
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        try:
            return iso_week(date.fromisocalendar(year, number, 1))
        except ValueError:
            pass
    raise ValueError(f"周次「{text}」格式不对，应写成 2021-W35（ISO 周，周一至周日）")


def week_range(week: str) -> tuple[date, date]:
    """Monday and Sunday of an ISO week label."""
    year, number = (int(part) for part in week.split("-W"))
    monday = date.fromisocalendar(year, number, 1)
    return monday, monday + timedelta(days=6)


def week_label(week: str) -> str:
    """``2021-W05`` → ``2021年第5周``."""
    year, number = week.split("-W")
    return f"{year}年第{int(number)}周"


def last_complete_week(day: date | None = None) -> str:
    """The ISO week before the one holding ``day`` (default: today, China time)."""
    day = day or today()
    return iso_week(day - timedelta(days=day.weekday() + 1))


def listing_week(finding: ReportFinding | FindingRow) -> str:
    """The ISO week whose bulletin lists a finding (see the module docstring)."""
    f = finding.row if isinstance(finding, ReportFinding) else finding
    if f.rule == "not_rectified":
        deadline = _date(f.evidence.get("deadline"))
        return iso_week(deadline + timedelta(days=1)) if deadline else iso_week(f.as_of)
    return f.period


# ----------------------------------------------------------------------------- 整改


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def judge_rectification(named: ReportFinding, inputs: WeeklyInputs,
                        overdue_by_subject: dict[str, list[ReportFinding]] | None = None,
                        ) -> Rectification:
    """已整改 / 未整改 of one finding the previous bulletin named (rule: module docstring).

    ``overdue_by_subject`` (not_rectified findings by subject) is worked out once by
    ``build_weekly`` for all named findings.
    """
    monday = inputs.reference - timedelta(days=6)
    if overdue_by_subject is None:
        overdue_by_subject = _overdue_by_subject(inputs)
    overdue = overdue_by_subject.get(f"finding:{named.id}", [])
    target = named
    if named.rule == "not_rectified":
        original_id = str(named.row.evidence.get("original_finding_id", ""))
        target = inputs.originals.get(int(original_id), named) if original_id.isdigit() else named
    per_day = inputs.posts_per_day.get(target.source_id or 0, {})
    ev = target.row.evidence
    rectified, note = False, "需人工核实"
    if target.rule == "stale_column":
        reported = _date(ev.get("newest_published_on"))
        later = sorted(d for d, n in per_day.items() if n and (reported is None or d > reported)
                       and d <= inputs.reference)
        if later:
            rectified, note = True, f"栏目已于{chinese_date(later[0])}更新"
        else:
            newest = chinese_date(reported) if reported else "无"
            note = f"栏目仍未更新（最新发布日期：{newest}）"
    elif target.rule == "low_post_frequency":
        needed = int(ev.get("min_weekly_posts") or 3)
        posts = sum(per_day.get(monday + timedelta(days=d), 0) for d in range(7))
        rectified = posts >= needed
        note = f"本周发布{posts}条" + ("" if rectified else f"，仍少于{needed}条")
    elif target.rule == "uninterpreted_policy":
        policy = inputs.policies.get(target.item_id or 0)
        if policy is None:
            note = "未找到该政策文件，需人工核实"
        elif policy.statement:
            rectified, note = True, "已在文件页面说明不作解读"
        else:
            found = inputs.explained.get(policy.item_id)
            rectified = found is not None
            note = f"已发布解读：{clean(found)}" if found else "仍未见解读"
    if overdue:
        rectified = False
        ids = "、".join(f"第{f.id}号（{STATUS_NAMES.get(f.row.status, f.row.status)}）"
                       for f in overdue)
        note = f"逾期未整改，已记录未整改问题{ids}；{note}"
    return Rectification(named.id, clean(named.row.unit_name),
                         clean(named.row.source_name or "—"), _problem(named), rectified, note)


def _overdue_by_subject(inputs: WeeklyInputs, *, confirmed_only: bool = False,
                        ) -> dict[str, list[ReportFinding]]:
    found: dict[str, list[ReportFinding]] = defaultdict(list)
    for f in inputs.findings:
        if f.rule == "not_rectified" and (f.row.status == "confirmed" or not confirmed_only):
            found[f.subject].append(f)
    return found


def _problem(f: ReportFinding) -> str:
    return clean(f"{RULE_NAMES.get(f.rule, f.rule)}：{describe(f.row)}")


# ----------------------------------------------------------------------------- build


def _compare(now_count: int, before: int) -> str:
    if now_count > before:
        return f"较上周增加{now_count - before}条"
    if now_count < before:
        return f"较上周减少{before - now_count}条"
    return "与上周持平"


def _title(county: str, week: str, monday: date, sunday: date) -> str:
    end = (f"{sunday.month}月{sunday.day}日" if sunday.year == monday.year
           else chinese_date(sunday))
    return f"{county}政务公开监测周通报（{week_label(week)}：{chinese_date(monday)}—{end}）"


def _unit(f: ReportFinding) -> str:
    return clean(f.row.unit_name)


def _link(url: str | None) -> Cell:
    url = clean(url)
    return Link(url, url) if url else "—"


def _stale_table(rows: list[ReportFinding]) -> Table:
    body = []
    for i, f in enumerate(rows, 1):
        ev = f.row.evidence
        newest = _date(ev.get("newest_published_on"))
        days = ev.get("days_without_update")
        body.append((i, _unit(f), clean(f.row.source_name), newest or "—",
                     int(days) if str(days).isdigit() else "—",
                     _link(ev.get("column_url") or f.source_url)))
    return Table("stale", "栏目更新情况", ("序号", "单位", "栏目", "最新发布日期", "未更新天数",
                                         "栏目链接"),
                 tuple(body), "本周未发现经审核确认的栏目长期未更新问题。",
                 widths=(5, 14, 14, 13, 10, 40))


def _account_table(rows: list[ReportFinding]) -> Table:
    body = []
    for i, f in enumerate(rows, 1):
        ev = f.row.evidence
        start, end = _date(ev.get("week_start")), _date(ev.get("week_end"))
        span = (f"{start.month}月{start.day}日—{end.month}月{end.day}日"
                if start and end else f.row.period)
        platform = ev.get("platform") or f.source_kind or ""
        body.append((i, _unit(f), clean(f.row.source_name),
                     PLATFORM_NAMES.get(platform, clean(platform)), span,
                     int(ev.get("posts_in_week") or 0), int(ev.get("min_weekly_posts") or 3),
                     _link(ev.get("account_url") or f.source_url)))
    return Table("accounts", "政务新媒体更新情况",
                 ("序号", "单位", "账号", "平台", "统计周", "本周发布（条）", "应发布（条）",
                  "账号链接"),
                 tuple(body), "本周未发现经审核确认的政务新媒体更新不足问题。",
                 widths=(5, 14, 16, 11, 16, 10, 10, 34))


def _policy_table(rows: list[ReportFinding]) -> Table:
    body = []
    for i, f in enumerate(rows, 1):
        ev = f.row.evidence
        body.append((i, _unit(f), clean(ev.get("policy_title")),
                     _date(ev.get("published_on")) or "—", _link(ev.get("item_url"))))
    return Table("policies", "政策解读情况", ("序号", "单位", "政策文件", "发布日期", "文件链接"),
                 tuple(body), "本周未发现经审核确认的政策文件未解读问题。",
                 widths=(5, 14, 40, 13, 40))


def _rectification_table(items: Sequence[Rectification], previous: str | None) -> Table:
    body = tuple((i, r.unit, r.subject, r.problem, "已整改" if r.rectified else "未整改",
                  r.note) for i, r in enumerate(items, 1))
    empty = (f"{week_label(previous)}通报未列出问题，本期无整改事项。" if previous
             else "此前未发布通报，本期无整改事项。")
    return Table("rectification", "整改情况", ("序号", "单位", "栏目/账号", "上期通报问题",
                                             "整改情况", "说明"),
                 body, empty, caption="（一）上期通报问题整改情况",
                 widths=(5, 14, 14, 36, 9, 32))


def _overdue_table(rows: list[ReportFinding]) -> Table:
    body = tuple((i, _unit(f), clean(f.row.source_name or "—"), clean(describe(f.row)),
                  float(f.row.points)) for i, f in enumerate(rows, 1))
    return Table("overdue", "逾期未整改", ("序号", "单位", "栏目/账号", "问题", "扣分"), body,
                 "本周无经审核确认的逾期未整改问题。", caption="（二）逾期未整改问题",
                 widths=(5, 14, 14, 56, 8))


def _unit_table(units: Sequence[UnitTally]) -> Table:
    body = tuple((u.name, CATEGORY_NAMES.get(u.category, u.category),
                  *(u.counts.get(rule, 0) for rule in VIOLATIONS), u.total, float(u.points))
                 for u in units)
    return Table("units", "汇总",
                 ("单位", "类别", "栏目长期未更新", "新媒体更新不足", "政策文件未解读",
                  "通报后未整改", "合计（条）", "扣分"),
                 body, "无被考核单位。", widths=(16, 8, 12, 12, 12, 12, 10, 8))


def _crawl_table(rows: list[ReportFinding], *, draft: bool) -> Table:
    """Crawl failures; the draft shows each one's review status, the published edition
    holds confirmed ones only (so it needs no status column)."""
    body = tuple((i, _unit(f), clean(f.row.source_name or "—"), clean(describe(f.row)),
                  *((STATUS_NAMES.get(f.row.status, f.row.status),) if draft else ()),
                  _link(f.row.evidence.get("source_url") or f.source_url))
                 for i, f in enumerate(rows, 1))
    if draft:
        return Table("crawl", "抓取异常", ("序号", "单位", "栏目/账号", "情况", "审核状态", "地址"),
                     body, "本周各栏目和账号均能正常采集。", widths=(5, 14, 14, 30, 9, 36))
    return Table("crawl", "抓取异常", ("序号", "单位", "栏目/账号", "情况", "地址"),
                 body, "本周没有需要说明的抓取异常。", widths=(5, 14, 14, 30, 36))


def _pending_table(rows: list[ReportFinding]) -> Table:
    body = tuple((f.id, _unit(f), clean(f.row.source_name or "—"),
                  RULE_NAMES.get(f.rule, f.rule), clean(describe(f.row)), float(f.row.points),
                  "待审核") for f in rows)
    return Table("pending", "待审核", ("问题编号", "单位", "栏目/账号", "问题类型", "情况",
                                     "拟扣分", "状态"),
                 body, "本周没有待审核的问题。", widths=(9, 14, 14, 14, 40, 8, 8))


def _summary(inputs: WeeklyInputs, confirmed: Counter[str], before: Counter[str],
             pending: int, crawl: int) -> str:
    checked = len({u.code for u in inputs.units if not u.unmonitored})
    text = (f"本周共监测{checked}个单位的{inputs.columns}个政务公开栏目、"
            f"{inputs.accounts}个政务新媒体账号。")
    unmonitored = [u for u in inputs.units if u.unmonitored]
    if unmonitored:
        names = "、".join(f"{clean(u.name)}（{u.unmonitored}）" for u in unmonitored)
        text += (f"另有{len(unmonitored)}个单位本周未监测：{names}，"
                 "不作评判，也不列入汇总表。")
    total, previous = sum(confirmed.values()), sum(before.values())
    kinds = [f"{KIND_WORDS[rule]}{confirmed[rule]}条（上周{before[rule]}条）"
             for rule in VIOLATIONS if confirmed[rule] or before[rule]]
    if total:
        text += (f"经考核小组审核确认，本周发现问题{total}条，{_compare(total, previous)}，"
                 f"其中{'、'.join(kinds)}。")
    else:
        text += (f"经考核小组审核确认，本周未发现问题，{_compare(total, previous)}"
                 f"（上周{previous}条）。")
    if pending:
        text += f"另有{pending}条问题尚待审核，未列入本通报（见附件2）。"
    if crawl:
        text += (f"{crawl}个栏目或账号因网站无法访问等原因未能正常采集，未作判定，"
                 f"不计为问题（见附件1）。")
    return text


def build_weekly(inputs: WeeklyInputs, *, issued_on: date,
                 document: DocumentParts | None = None,
                 draft: bool = False) -> WeeklyBulletin:
    """The bulletin of ``inputs.week`` from its inputs; pure (no I/O, no clock).

    ``draft``: the internal draft, which also shows what is pending (待审核: the summary's
    count, 附件2, pending crawl failures and not_rectified findings); else the edition to
    publish, which names confirmed findings only.
    """
    week = inputs.week
    monday, sunday = week_range(week)
    previous_week = iso_week(monday - timedelta(days=7))
    document = document or DocumentParts()
    issuer = document.issuer or f"{inputs.county}政务公开领导小组办公室"

    this_week = [f for f in inputs.findings if listing_week(f) == week]
    listed = [f for f in this_week if f.row.status == "confirmed" and f.rule in VIOLATIONS]
    pending = [f for f in this_week if f.row.status == "pending" and f.rule in VIOLATIONS]
    crawl = [f for f in this_week if f.rule == CRAWL_FAILURE
             and (draft or f.row.status == "confirmed")]
    confirmed = Counter(f.rule for f in listed)
    before = Counter(f.rule for f in inputs.findings if f.row.status == "confirmed"
                     and f.rule in VIOLATIONS and listing_week(f) == previous_week)

    def of(rule: str) -> list[ReportFinding]:
        return [f for f in listed if f.rule == rule]

    overdue_by_subject = _overdue_by_subject(inputs, confirmed_only=not draft)
    rectifications = tuple(judge_rectification(f, inputs, overdue_by_subject)
                           for f in inputs.previous_findings if f.rule in VIOLATIONS)
    units = {u.code: u for u in inputs.units if not u.unmonitored}
    by_unit: dict[str, list[ReportFinding]] = defaultdict(list)
    for f in listed:  # a unit no longer configured still shows its findings
        units.setdefault(f.row.unit_code,
                         UnitInfo(f.row.unit_code, f.row.unit_name, f.row.category))
        by_unit[f.row.unit_code].append(f)
    tallies = []
    for code, unit in sorted(units.items()):
        mine = by_unit.get(code, [])
        tallies.append(UnitTally(code, clean(unit.name), unit.category,
                                 dict(Counter(f.rule for f in mine)),
                                 sum(f.row.points for f in mine)))

    previous = inputs.previous.period if inputs.previous else None
    overdue = of("not_rectified")
    done = sum(r.rectified for r in rectifications)
    look_back = (f"{week_label(previous)}通报列出的{len(rectifications)}个问题，截至本周末"
                 f"已整改{done}个，未整改{len(rectifications) - done}个。"
                 if previous and rectifications else "")

    def intro(count: int, what: str) -> str:
        return f"经审核确认，本周{what}问题{count}条，具体如下：" if count else ""

    sections = (
        Section("stale", "一、栏目更新情况",
                intro(confirmed["stale_column"], "栏目长期未更新（一周以上未更新）"),
                (_stale_table(of("stale_column")),)),
        Section("accounts", "二、政务新媒体更新情况",
                intro(confirmed["low_post_frequency"], "政务新媒体每周更新不足3次"),
                (_account_table(of("low_post_frequency")),)),
        Section("policies", "三、政策解读情况",
                intro(confirmed["uninterpreted_policy"],
                      "政策性文件未解读、也未说明不作解读理由"),
                (_policy_table(of("uninterpreted_policy")),)),
        Section("rectification", "四、整改情况", look_back,
                (_rectification_table(rectifications, previous), _overdue_table(overdue))),
        Section("units", "五、各单位问题汇总", "本周各单位经审核确认的问题数量及扣分如下：",
                (_unit_table(tallies),), chart=True),
    )
    appendices = (
        Section("crawl", "附件1：抓取异常情况（技术说明，不计为问题）",
                "以下栏目或账号本周未能正常采集，系统未对其作出判定，不计为问题。"
                "请相关单位核实网站或账号能否正常访问。",
                (_crawl_table(crawl, draft=draft),)),
        *((Section("pending", "附件2：待审核问题清单（内部审核用，不作为本期通报内容）",
                   "以下问题由系统自动发现，尚待考核小组审核，不作为本期通报内容，"
                   "发布的通报不含本清单；审核确认后列入相应周通报。",
                   (_pending_table(pending),)),) if draft else ()),
    )
    closing = (CLOSING_DEMAND if listed else
               "请各单位继续做好政府信息公开栏目和政务新媒体的日常更新维护工作。")
    return WeeklyBulletin(
        county=inputs.county, week=week, week_start=monday, week_end=sunday,
        issued_on=issued_on, issuer=issuer, title=_title(inputs.county, week, monday, sunday),
        salutation="各乡镇人民政府，县直各单位：",
        opening=(f"根据政务公开工作考核有关要求，{issuer}对全县各单位政府信息公开栏目和"
                 f"政务新媒体进行了日常监测。现将{chinese_date(monday)}至"
                 f"{chinese_date(sunday)}监测情况通报如下："),
        summary=_summary(inputs, confirmed, before, len(pending) if draft else 0, len(crawl)),
        closing=closing,
        sections=sections, appendices=appendices, units=tuple(tallies),
        confirmed=dict(confirmed), previous_confirmed=dict(before), pending_count=len(pending),
        crawl_issue_count=len(crawl), rectifications=rectifications,
        previous_period=previous, listed_ids=tuple(sorted(f.id for f in listed)),
        pending_ids=tuple(sorted(f.id for f in pending)), draft=draft,
        number=None if draft else document.number, signer=document.signer, cc=document.cc,
        printer=document.printer or issuer,
    )


# ----------------------------------------------------------------------------- I/O


@dataclass(frozen=True)
class WeeklyOutcome:
    """What ``reports.lifecycle`` did: ``bulletin`` is the published edition when it was
    published, else the draft; ``files`` its files; ``bulletin_id`` the Bulletin row's id
    when published (else None); ``draft_files`` the draft's files when one was written."""

    bulletin: WeeklyBulletin
    files: list[Path]
    bulletin_id: int | None
    draft_files: list[Path] = field(default_factory=list)


def _renderers() -> dict[str, Callable[[WeeklyBulletin, Path], None]]:
    from reports import render_docx, render_html, render_md, render_xlsx

    return {"md": render_md.write, "html": render_html.write, "docx": render_docx.write,
            "xlsx": render_xlsx.write}


# rendered in a forked child beside the other two (``govwatch.beside``): at province size
# DOCX + HTML take about as long as XLSX + Markdown
BESIDE_FORMATS = ("docx", "html")


def file_path(bulletin: WeeklyBulletin, out_dir: Path, fmt: str) -> Path:
    """Where ``write_files`` writes one format of a bulletin."""
    return out_dir / f"{bulletin.file_stem}.{fmt}"


def _write_one(bulletin: WeeklyBulletin, out_dir: Path, fmt: str) -> Path:
    """One format's file, written to a temporary name and moved over the old file."""
    target = file_path(bulletin, out_dir, fmt)
    temp = out_dir / f".{target.name}.{os.getpid()}.tmp"
    try:
        _renderers()[fmt](bulletin, temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def write_files(bulletin: WeeklyBulletin, out_dir: Path,
                formats: Iterable[str] = FORMATS) -> list[Path]:
    """Render the bulletin in each format into ``out_dir`` (each file replaced atomically);
    the ``BESIDE_FORMATS`` beside the others when both kinds are asked for."""
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in _renderers()]
    if unknown:
        raise ValueError(f"不支持的格式：{'、'.join(unknown)}（可选：{'、'.join(FORMATS)}）")
    out_dir.mkdir(parents=True, exist_ok=True)
    there = [f for f in formats if f in BESIDE_FORMATS]
    here = [f for f in formats if f not in BESIDE_FORMATS]
    if not here:
        here, there = there, []
    pending = (beside(lambda: [_write_one(bulletin, out_dir, f) for f in there])
               if there else None)
    written = {f: _write_one(bulletin, out_dir, f) for f in here}
    if pending is not None:
        written.update(zip(there, pending.result(), strict=True))
    return [written[f] for f in formats]


def produce_week(db: Database, config: CountyConfig, week: str | None = None,
                 **options: Any) -> WeeklyOutcome:
    """Draft the bulletin of ``week`` and, unless ``publish=False``, approve and publish it at
    once: ``reports.lifecycle.produce_week``, whose options it takes."""
    from reports import lifecycle

    return lifecycle.produce_week(db, config, week, **options)
