"""The weekly bulletin's lifecycle: draft → approve → publish.

- ``draft_week`` builds the week's bulletin and writes its internal draft to
  ``<out>/drafts/通报-<week>-草稿.<fmt>`` (``<out>`` defaults to ``<data_dir>/reports``): the
  bulletin as it will be published, marked 审核稿（草稿）, without a 文号 yet, plus what is
  still pending (待审核), marked. It records the draft on the week's Bulletin row (status
  ``draft``): who drafted it and when, its files, the findings it names, and a digest of what
  the published edition will say. Publishing nothing: ``not_rectified`` never reads a draft,
  and a week published before keeps its published edition until the new draft is approved.
- ``approve_week`` approves and publishes the week's draft: it builds the week again and
  refuses (``BulletinError``) when the edition it would publish no longer says what the draft
  showed — a finding confirmed, dismissed or reopened since: draft again and re-read. Else it
  assigns the 文号 (``settings.bulletin.number_format``, ``{n}`` the next number of the issue
  date's year; a week published before keeps its number), writes the published files
  ``<out>/通报-<week>.<fmt>`` (confirmed findings only) in the draft's formats, and records
  who approved it and when, and the findings it names (``reports.queries.publish_bulletin``,
  which keeps ``published_at`` when they are the same as before).
- ``produce_week`` drafts and, with ``publish=True``, approves at once (``govwatch report
  weekly --publish``, the scheduler's ``auto_publish``); the draft is then written as XLSX
  only (``INTERNAL_FORMATS``): nobody reviews it, it keeps the list of what was pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govwatch.collector import collector_paused
from govwatch.config import CountyConfig
from govwatch.timeutil import chinese_date, today
from reports.model import FORMATS, DocumentParts, WeeklyBulletin
from reports.queries import (
    BulletinRecord,
    DocNumber,
    WeeklyInputs,
    bulletin_records,
    load_inputs,
    next_doc_seq,
    publish_bulletin,
    record_draft,
)
from reports.weekly import (
    DEFAULT_PUBLISHER,
    WeeklyOutcome,
    build_weekly,
    file_path,
    last_complete_week,
    parse_week,
    write_files,
)
from storage.db import Database

DRAFTS = "drafts"  # the drafts' folder inside the reports folder
# published at once, nobody reads the draft before: it is kept as the internal record of what
# was still pending (its 待审核 sheet), in the cheapest format that lists it
INTERNAL_FORMATS = ("xlsx",)


class BulletinError(Exception):
    """Why a bulletin cannot be approved, in Chinese."""


def reports_dir(config: CountyConfig, out_dir: Path | None = None) -> Path:
    """Where published bulletins go (``<data_dir>/reports`` unless given)."""
    return out_dir or Path(config.settings.data_dir) / "reports"


def drafts_dir(out_dir: Path) -> Path:
    """Where the drafts of the bulletins published to ``out_dir`` go."""
    return out_dir / DRAFTS


def document_parts(config: CountyConfig, *, number: str | None = None,
                   approved_by: str | None = None) -> DocumentParts:
    """The document parts ``settings.bulletin`` gives; 签发人 defaults to the approver."""
    s = config.settings.bulletin
    return DocumentParts(
        issuer=s.issuer.replace("{county}", config.county), number=number,
        signer=s.signer or approved_by, cc=tuple(s.cc),
        printer=s.printer.replace("{county}", config.county) if s.printer else None)


def doc_number(config: CountyConfig, year: int, seq: int) -> DocNumber:
    text = config.settings.bulletin.number_format.format(
        year=year, n=seq, county=config.county, abbr=config.county[:1])
    return DocNumber(year, seq, text)


def _files(bulletin: WeeklyBulletin, out_dir: Path, formats: Sequence[str]) -> list[str]:
    """The files ``write_files`` will write, as recorded (absolute paths)."""
    return [str(file_path(bulletin, out_dir, fmt).resolve()) for fmt in formats]


# ----------------------------------------------------------------------------- draft


def _draft(session: Session, config: CountyConfig, inputs: WeeklyInputs, *, out_dir: Path,
           formats: Sequence[str], drafted_by: str, issued_on: date,
           ) -> tuple[WeeklyBulletin, list[Path], str]:
    """Write and record the draft; (the draft, its files, the published edition's digest)."""
    parts = document_parts(config)
    draft = build_weekly(inputs, issued_on=issued_on, document=parts, draft=True)
    digest = build_weekly(inputs, issued_on=issued_on, document=parts).content_digest()
    folder = drafts_dir(out_dir)
    record_draft(session, period=draft.week, title=draft.title, finding_ids=draft.listed_ids,
                 files=_files(draft, folder, formats), digest=digest, drafted_by=drafted_by)
    return draft, write_files(draft, folder, formats), digest


def draft_week(db: Database, config: CountyConfig, week: str | None = None, *,
               out_dir: Path | None = None, formats: Sequence[str] = FORMATS,
               drafted_by: str = DEFAULT_PUBLISHER,
               issued_on: date | None = None) -> WeeklyOutcome:
    """Write and record the draft of ``week`` (default: the last complete week)."""
    week = parse_week(week) if week else last_complete_week()
    # rows, bulletin and files are kept to the end: the cyclic collector would only rescan them
    with collector_paused(), db.session() as session:
        inputs = load_inputs(session, config.county, week)
        draft, files, _ = _draft(session, config, inputs, out_dir=reports_dir(config, out_dir),
                                 formats=formats, drafted_by=drafted_by,
                                 issued_on=issued_on or today())
    return WeeklyOutcome(draft, files, None, files)


# ----------------------------------------------------------------------------- approve


def _publish(session: Session, config: CountyConfig, inputs: WeeklyInputs,
             record: BulletinRecord, *, out_dir: Path, formats: Sequence[str],
             approved_by: str, issued_on: date, approver_signs: bool = True,
             ) -> tuple[WeeklyBulletin, list[Path], int]:
    """Number, check against the draft, write and record the published edition."""
    number = record.number or doc_number(config, issued_on.year,
                                         next_doc_seq(session, issued_on.year))
    published = build_weekly(inputs, issued_on=issued_on,
                             document=document_parts(
                                 config, number=number.text,
                                 approved_by=approved_by if approver_signs else None))
    if published.content_digest() != record.draft_digest:
        raise BulletinError(
            f"{record.period} 的通报草稿生成后，问题的审核状态或监测数据有变化，"
            f"发布内容已与草稿不同，未发布。请重新生成草稿（govwatch report weekly "
            f"--week {record.period}，或在通报审核页面点击“重新生成草稿”），核对后再审核发布。")
    try:  # recorded first: the 文号 is taken before any file prints it
        bulletin_id = publish_bulletin(
            session, period=published.week, title=published.title,
            finding_ids=published.listed_ids, files=_files(published, out_dir, formats),
            published_by=approved_by, number=number)
    except IntegrityError:  # another approval took this number meanwhile
        raise BulletinError(f"文号「{number.text}」刚被另一期通报占用，请重新审核发布。") from None
    return published, write_files(published, out_dir, formats), bulletin_id


def _draft_formats(record: BulletinRecord) -> list[str]:
    found = [Path(f).suffix.lstrip(".") for f in record.draft_files]
    return [f for f in FORMATS if f in found] or list(FORMATS)


def _draft_out_dir(config: CountyConfig, record: BulletinRecord) -> Path:
    """The reports folder the draft was written for (its drafts folder's parent)."""
    if record.draft_files:
        return Path(record.draft_files[0]).parent.parent
    return reports_dir(config)


def approve_week(db: Database, config: CountyConfig, week: str, *, approved_by: str,
                 issued_on: date | None = None) -> WeeklyOutcome:
    """Approve and publish the draft of ``week``, next to the folder it was drafted into."""
    week = parse_week(week)
    approved_by = approved_by.strip()
    if not approved_by:
        raise BulletinError("审核发布人不能为空")
    with collector_paused(), db.session() as session:
        record = next(iter(bulletin_records(session, period=week, lock=True)), None)
        if record is None:
            raise BulletinError(f"{week} 还没有通报草稿。请先生成草稿：govwatch report weekly "
                                f"--week {week}")
        if not record.awaiting_approval:
            raise BulletinError(describe_record(record) + "，没有待审核的草稿。"
                                "如需重新发布，请先重新生成草稿。")
        inputs = load_inputs(session, config.county, week)
        published, files, bulletin_id = _publish(
            session, config, inputs, record, out_dir=_draft_out_dir(config, record),
            formats=_draft_formats(record), approved_by=approved_by,
            issued_on=issued_on or today())
    return WeeklyOutcome(published, files, bulletin_id)


def produce_week(db: Database, config: CountyConfig, week: str | None = None, *,
                 out_dir: Path | None = None, formats: Sequence[str] = FORMATS,
                 publish: bool = True, published_by: str = DEFAULT_PUBLISHER,
                 issued_on: date | None = None, approver_signs: bool = True) -> WeeklyOutcome:
    """Draft the bulletin of ``week`` (default: the last complete week) and, when
    ``publish``, approve and publish it at once, by ``published_by``, in one transaction.
    ``approver_signs=False``: no 签发人 but the county's own (a program publishing on its
    own signs nothing)."""
    if not publish:
        return draft_week(db, config, week, out_dir=out_dir, formats=formats,
                          drafted_by=published_by, issued_on=issued_on)
    week = parse_week(week) if week else last_complete_week()
    out_dir = reports_dir(config, out_dir)
    issued_on = issued_on or today()
    with collector_paused(), db.session() as session:
        inputs = load_inputs(session, config.county, week)
        _, draft_files, _ = _draft(session, config, inputs, out_dir=out_dir,
                                   formats=INTERNAL_FORMATS, drafted_by=published_by,
                                   issued_on=issued_on)
        (record,) = bulletin_records(session, period=week, lock=True)
        published, files, bulletin_id = _publish(
            session, config, inputs, record, out_dir=out_dir, formats=formats,
            approved_by=published_by, issued_on=issued_on, approver_signs=approver_signs)
    return WeeklyOutcome(published, files, bulletin_id, draft_files)


# ----------------------------------------------------------------------------- listing


def describe_record(record: BulletinRecord) -> str:
    """「2021-W36 的通报已于2021年9月13日发布（陵政公开通〔2021〕3号，审核发布人：王芳）」 or
    「2021-W36 的通报草稿待审核」."""
    if record.published_at is None:
        return f"{record.period} 的通报草稿待审核"
    number = f"{record.number.text}，" if record.number else ""
    when = record.approved_at or record.published_at
    return (f"{record.period} 的通报已于{chinese_date(when.date())}发布"
            f"（{number}审核发布人：{record.published_by or '—'}）")


def list_bulletins(db: Database, limit: int | None = None) -> list[BulletinRecord]:
    """The weeks' bulletins, newest week first."""
    with db.session() as session:
        return bulletin_records(session, limit=limit)

