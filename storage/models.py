"""SQLAlchemy 2.x models: the core data model of DESIGN.md.

unit → source → item / crawl_run / snapshot; finding (a deduction event) → review (audit log);
manual_entry for the rubric lines no machine can check. Items are never deleted by a crawl.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from govwatch.timeutil import CHINA


class ChinaDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as naive China time, read back as aware Asia/Shanghai.

    SQLite has no time zone type; storing one fixed zone keeps values comparable in SQL.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(CHINA)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=CHINA) if value is not None else None


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: ChinaDateTime,
    }


class Unit(Base):
    """被考核单位: a township (class A) or a county department (class B)."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(8))
    county: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    sources: Mapped[list[Source]] = relationship(back_populates="unit")


class Source(Base):
    """One crawlable thing of a unit: a column (栏目) or a new-media account (政务新媒体)."""

    __tablename__ = "source"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))  # column | account
    kind: Mapped[str] = mapped_column(String(32))  # general|policy|interpretation / rss|weibo|…
    url: Mapped[str] = mapped_column(Text)
    render: Mapped[str] = mapped_column(String(16), default="static")
    selectors: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    expect_update: Mapped[bool] = mapped_column(Boolean, default=True)
    thresholds: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Policy columns: regexes deciding which titles are policy files ({include, exclude}).
    policy_titles: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Accounts: first day of the monitored period (None: from the first successful crawl).
    monitored_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit] = relationship(back_populates="sources")


ARTICLE_TEXT_LIMIT = 20_000  # characters of an article's text kept in item.body


class Item(Base):
    """An article or post of a source, unique within the source by its key (its URL's path
    and query: ``storage.identity.item_key``); ``url`` is where it was last seen."""

    __tablename__ = "item"
    __table_args__ = (
        Index("ux_item_source_key", "source_id", "key", unique=True),
        Index("ix_item_source_published", "source_id", "published_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    url: Mapped[str] = mapped_column(Text)
    key: Mapped[str | None] = mapped_column(Text, nullable=True)
    title: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # where published_on was read: row | url (the list), article_table | article_header |
    # article_byline | article_label | meta | fallback (the article page)
    date_source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # When a crawl last found what an item says changed — its title retitled, its text, or a
    # date where it had none (None: as first stored): a verdict given before then is stale.
    changed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # A 不作解读 / 不予解读 statement found on the article page, verbatim.
    statement: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The article's text (policy and interpretation columns; at most ARTICLE_TEXT_LIMIT): where
    # an interpretation cites its policy's 文号 or name.
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The policy rule's class of a policy-column item (policy | yearly_work | not_policy |
    # unclassified) and the word, 文号 or pattern that decided it, as of the last monitor run.
    doc_class: Mapped[str | None] = mapped_column(String(16), nullable=True)
    doc_class_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The policy rule's verdict on a policy its last run judged (``RuleRun``): the
    # interpretation that explains it (None: none does) and the deciding evidence; both None
    # for an item that run did not judge.
    interpreted_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    interpretation_evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What an interpretation article's page carries (images, text_chars, videos, audios, h5:
    # ``crawler.extract.ArticleMedia``), read with the article; None when never read.
    media: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    # A 留言 (messages column) as its page shows it: asked_at, asked_has_time, replied_at,
    # replied_has_time, status, status_text, department (``crawler.extract.MessageFacts``).
    message: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True),
                                                           nullable=True)
    # The measured lines' verdicts on an interpretation, as of the last monitor run
    # (``monitors.interpretation_form``, ``monitors.interpretation_channels``): its form
    # (text | graphic | video | audio | animation | qa; None: cannot tell) and why, and
    # whether a post of the unit's new-media accounts carries it (carried | absent; None:
    # not judged) and which.
    form: Mapped[str | None] = mapped_column(String(16), nullable=True)
    form_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    channel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class SourceUrlChange(Base):
    """A configured source whose URL changed (a move to https, a new platform): recorded by
    the config sync; the source keeps its id, items, findings and reviews."""

    __tablename__ = "source_url_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    old_url: Mapped[str] = mapped_column(Text)
    new_url: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime]


class RuleRun(Base):
    """The as-of date a rule last ran at (what the verdicts it stores on items speak of)."""

    __tablename__ = "rule_run"

    rule: Mapped[str] = mapped_column(String(64), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    ran_at: Mapped[datetime]


class PolicyExclusion(Base):
    """A title the assessment team ruled is no policy file (非政策性文件) for a unit (None: the
    whole county): dismissing a finding with that reason adds it, so the policy rule never
    flags that item again; reopening the finding takes it back. Audited: who, when, from
    which finding and why."""

    __tablename__ = "policy_exclusion"
    __table_args__ = (UniqueConstraint("unit_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    title: Mapped[str] = mapped_column(Text)  # at most TITLE_LIMIT characters
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class CrawlRun(Base):
    """One attempt at crawling one source, with its outcome."""

    __tablename__ = "crawl_run"
    __table_args__ = (Index("ix_crawl_run_source_started", "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # running | ok | http_error | timeout | connection_error | blocked | too_large |
    # redirect_loop | off_portal | invalid_url | no_items | parse_error | interrupted | no_browser
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    items_found: Mapped[int] = mapped_column(Integer, default=0)
    items_dated: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # host:pid:start of the crawl process that opened the run: a run whose owner is gone is
    # closed as interrupted by the next sweep (``repo.sweep_orphaned_runs``)
    owner: Mapped[str | None] = mapped_column(String(160), nullable=True)
    # the day the crawl speaks for (its as-of date): what a period covered is read from it
    reference_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class Snapshot(Base):
    """What a page looked like when crawled: HTML (and a PNG when a browser was used)."""

    __tablename__ = "snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_run.id"), nullable=True)
    url: Mapped[str] = mapped_column(Text)
    taken_at: Mapped[datetime]
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    html_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    png_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (Index("ix_snapshot_sha256", "sha256"),)


class PageBody(Base):
    """A snapshot's HTML, gzipped, keyed by the SHA-256 of its text: snapshots of identical
    pages (a column unchanged since the last crawl) share one row. Snapshots saved before
    revision 0020 keep a file instead (``Snapshot.html_path``)."""

    __tablename__ = "page_body"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    html_gz: Mapped[bytes] = mapped_column(LargeBinary)


class PageLinks(Base):
    """What a crawled page links to and which of its anchors are hidden by CSS (暗链), as its
    latest crawl saw it (``crawler.extract.page_links``): what dead_link and hidden_link read."""

    __tablename__ = "page_links"
    __table_args__ = (UniqueConstraint("source_id", "page_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    page_url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)  # an article's title
    seen_on: Mapped[date] = mapped_column(Date)  # the crawl's reference date
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    hidden: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{href, text, reason}]


class LinkCheck(Base):
    """One day's check of one link (``crawler.linkcheck``): each URL at most once a day."""

    __tablename__ = "link_check"
    __table_args__ = (UniqueConstraint("url", "checked_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    checked_on: Mapped[date] = mapped_column(Date)
    checked_at: Mapped[datetime]
    ok: Mapped[bool] = mapped_column(Boolean)
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    final_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    method: Mapped[str | None] = mapped_column(String(8), nullable=True)


class SiteProbe(Base):
    """One probe of a site's 首页 (a ``kind: homepage`` column): reachable within the national
    checks' time limit or not (site_unreachable)."""

    __tablename__ = "site_probe"
    __table_args__ = (Index("ix_site_probe_source_at", "source_id", "probed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    probed_at: Mapped[datetime]
    ok: Mapped[bool] = mapped_column(Boolean)
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Finding(Base):
    """A deduction event proposed by a monitor, reviewed by the assessment team."""

    __tablename__ = "finding"
    __table_args__ = (
        UniqueConstraint("rule", "subject", "period"),
        Index("ix_finding_unit_status", "unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"), nullable=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), nullable=True)
    subject: Mapped[str] = mapped_column(String(200))  # e.g. "source:12", "item:345"
    period: Mapped[str] = mapped_column(String(32))  # e.g. ISO week "2021-W36"
    as_of: Mapped[date] = mapped_column(Date)
    points: Mapped[float] = mapped_column(Float, default=0)
    indicator: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshot.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    unit: Mapped[Unit] = relationship()
    source: Mapped[Source | None] = relationship()


class Review(Base):
    """Append-only log of a finding's status changes."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Bulletin(Base):
    """A weekly bulletin (通报) of one ISO week: its draft awaiting approval and its published
    edition — which findings each named, who drafted, approved and published it, and when.

    ``status`` is ``draft`` while a draft awaits approval (a week published before keeps its
    published edition, links and 文号 until the new draft is approved) and ``published``
    once approved. The ``published_*`` columns and the ``bulletin_finding`` links describe the
    published edition only (what ``not_rectified`` reads): ``published_at`` is when what it
    names was first published, ``published_by`` who approved (签发) it, ``approved_at`` when.
    The 文号 is numbered per year (``doc_year``, ``doc_seq``) at the first approval.
    """

    __tablename__ = "bulletin"
    __table_args__ = (UniqueConstraint("doc_year", "doc_seq", name="uq_bulletin_doc_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(32), unique=True)  # ISO week, e.g. 2021-W36
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="published",
                                        server_default="published")  # draft | published
    published_at: Mapped[datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None]
    files: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the published files
    doc_year: Mapped[int | None] = mapped_column(Integer)
    doc_seq: Mapped[int | None] = mapped_column(Integer)
    doc_number: Mapped[str | None] = mapped_column(String(100))  # the 文号 as printed
    drafted_at: Mapped[datetime | None]
    drafted_by: Mapped[str | None] = mapped_column(String(100))
    draft_files: Mapped[list[Any] | None] = mapped_column(JSON)
    draft_findings: Mapped[list[Any] | None] = mapped_column(JSON)  # finding ids it names
    draft_digest: Mapped[str | None] = mapped_column(String(64))  # its published content


class BulletinFinding(Base):
    """A confirmed finding as named in a bulletin (what not_rectified reads)."""

    __tablename__ = "bulletin_finding"
    __table_args__ = (UniqueConstraint("bulletin_id", "finding_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletin.id"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)


class ManualEntry(Base):
    """A deduction, bonus or major deduction recorded by hand against a rubric line.

    An entry imported from a file (``govwatch entries import``) records where it came from in
    ``source_*``; one typed in the web app has none. Provenance lives in its own columns, never
    in the note: the note is the user's free text and may contain anything.
    """

    __tablename__ = "manual_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # deduction | bonus | major
    rubric_line: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime]
    year: Mapped[int] = mapped_column(Integer)
    source_file: Mapped[str | None] = mapped_column(Text, nullable=True)  # file name only
    source_row: Mapped[int | None] = mapped_column(Integer, nullable=True)  # sheet row number
    # sha256 hex of the file; 12 characters for entries migrated from the old note tag
    source_checksum: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # voided (withdrawn, or replaced by a corrected entry): kept, out of the score
    voided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    voided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    void_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    replaces_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the corrected one


class SchedulerLock(Base):
    """Who runs the scheduler on this database: one daemon per database, never two.

    APScheduler's job store must not be shared between schedulers; the daemon takes this row
    at start, refreshes ``heartbeat_at`` while it runs and deletes it when it stops. A row
    whose heartbeat is stale (a daemon that was killed) may be taken over.
    """

    __tablename__ = "scheduler_lock"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class User(Base):
    """An account of the review web app: a reviewer (confirms, dismisses, enters) or a viewer
    (reads only). Reviews and manual entries record the user's name as the actor."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # reviewer | viewer
    created_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Raised at every logout: a session cookie copied before it no longer works.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A ``unit`` user's units (被考核单位): it sees and answers for these only.
    unit_links: Mapped[list[UserUnit]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="UserUnit.unit_code")


class UserUnit(Base):
    """A unit a ``unit`` user answers for (by unit code, as the config names it)."""

    __tablename__ = "user_unit"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(64), primary_key=True)


class Rectification(Base):
    """整改说明: a unit user's statement that a confirmed finding of its unit was rectified,
    with an optional evidence link; the next monitor run records whether the finding's
    condition still holds (``checked_at``, ``outcome`` rectified | not_rectified | unknown,
    ``detail``). Rows are never edited by users: each statement is a new row (the audit)."""

    __tablename__ = "rectification"
    __table_args__ = (Index("ix_rectification_finding", "finding_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"))
    user_name: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_at: Mapped[datetime]
    checked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    checked_as_of: Mapped[date | None] = mapped_column(Date, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)


class ConfigSync(Base):
    """The county config the units and sources were last synced from, by fingerprint.

    Every command syncs the config into the database first; a province's 60,000 sources take a
    second or more to compare, so an unchanged config (same fingerprint) is not compared again.
    """

    __tablename__ = "config_sync"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    synced_at: Mapped[datetime]


class Notification(Base):
    """One digest (通知) for one day to one recipient, and how sending it went.

    A digest is the team's (``kind`` team, ``scope`` "") or a unit's (``kind`` unit, ``scope``
    its code). Unique on (day, kind, scope, recipient_key): a digest is sent at most once to a
    recipient. ``status`` is ``sending`` while a run holds it (claimed before sending, so two
    runs never both send it), then ``sent`` or ``failed``; a failed one is tried again by later
    runs (``attempts`` counts the tries, ``error`` says why the last failed).
    ``recipient`` is the channel's URL with its secrets masked (Apprise's privacy form);
    ``recipient_key`` the SHA-256 of the URL as configured, which names the channel without
    keeping its secrets. ``title`` and ``body`` are what the latest attempt sent.
    """

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("day", "kind", "scope", "recipient_key", name="uq_notification_digest"),
        Index("ix_notification_status_day", "status", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # team | unit
    scope: Mapped[str] = mapped_column(String(64))  # the unit's code; "" for the team
    recipient_key: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    first_attempt_at: Mapped[datetime]
    last_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)


class EarlyWarning(Base):
    """A warning (预警, ``monitors.warnings``): something that will become a finding unless the
    unit acts — a column nearly stale, an account behind its weekly pace, a policy file inside
    its grace period without an interpretation, a source whose latest crawl failed. Never
    points, never a finding, never reviewed.

    Its own lifecycle: opened by the monitor run that first sees the condition (``opened_at``,
    ``opened_as_of``), kept and refreshed (``as_of``, ``evidence``) while later runs see it,
    resolved by the first run that no longer does (``resolved_at``, ``resolved_as_of``). One
    open warning per (kind, subject); a condition that returns after it was resolved opens a
    new row, so each episode keeps its own dates.
    """

    __tablename__ = "early_warning"
    __table_args__ = (
        Index("ux_early_warning_open", "kind", "subject", unique=True,
              sqlite_where=text("resolved_at IS NULL"),
              postgresql_where=text("resolved_at IS NULL")),
        Index("ix_early_warning_unit", "unit_id", "resolved_at"),
        Index("ix_early_warning_opened_at", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # stale_soon | behind_pace | policy_due | …
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"), nullable=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), nullable=True)
    subject: Mapped[str] = mapped_column(String(200))  # e.g. "source:12", "item:345"
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opened_at: Mapped[datetime]
    opened_as_of: Mapped[date] = mapped_column(Date)
    as_of: Mapped[date] = mapped_column(Date)  # the latest as-of date it held at
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)
    resolved_as_of: Mapped[date | None] = mapped_column(Date, nullable=True)
