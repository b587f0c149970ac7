"""Reads and writes the other stages use; no stage touches tables except through here.

Writes are idempotent: syncing the same config, storing the same items or the same findings
twice changes nothing the second time.

One module per stage the queries serve; every public name is re-exported here, so callers
write ``from storage import repo; repo.X`` or ``from storage.repo import X``:

- ``sync`` — config sync: ``sync_config``, ``sync_config_if_changed``, ``source_ids``.
- ``crawls`` — what the crawl writes: items (``ItemRecord``, ``store_items``,
  ``store_item_batches``), crawl runs (open, close, interrupt, sweep, ``latest_runs``), page
  snapshots (save, read, prune), and which units a period's crawls covered
  (``unit_coverage``, ``NO_SOURCES``, ``NEVER_COLLECTED``).
- ``facts`` — what the monitors read: ``SourceFacts``/``source_facts``, items as ``PostFact``
  (``posts_*``, ``items_of_kind``, ``post_facts_by_id``), ``read_articles``.
- ``measures`` — the measured lines and the 留言 rule: ``interpretations`` (with media and
  stored form/channel verdicts, ``save_interpretation_states``), ``account_posts``,
  ``message_items``, and ``interpretation_rows`` for scoring.
- ``policy`` — the policy rule's stored states and verdicts, exclusions (非政策性文件),
  ``policy_items``.
- ``findings`` — ``FindingDraft`` and saving findings, ``writing_first``, ``FindingRow`` and
  ``list_findings``, ``bulletined_findings``.
- ``notifications`` — the daily digests' reads (``findings_created_between``,
  ``finding_counts``, ``failing_sources``) and their record (``claim_notification``,
  ``finish_notification``, ``list_notifications``, ``unsent_notification_days``).
- ``rectifications`` — 整改说明: ``add_rectification``, ``rectifications_of``,
  ``with_rectification``, and the monitors' re-check (``pending_rechecks``,
  ``record_rechecks``).
- ``reviews`` — ``ReviewError``, ``TRANSITIONS``, ``review_findings``, ``finding_history``,
  ``finding_snapshot``.
- ``_sql`` — shared helpers: the dialect's INSERT … ON CONFLICT (``_insert_for``) and
  reading back values as the drivers return them (``json_value``, ``_as_date``…).
"""

from __future__ import annotations

from storage.repo._sql import json_value
from storage.repo.crawls import (
    COVERAGE_REACH_DAYS,
    NEVER_COLLECTED,
    NO_SOURCES,
    ItemRecord,
    SnapshotRecord,
    as_china_date,
    close_crawl_run,
    interrupt_open_runs,
    latest_runs,
    open_crawl_run,
    prune_snapshots,
    read_snapshot_html,
    save_snapshot,
    save_snapshots,
    store_item_batches,
    store_items,
    sweep_orphaned_runs,
    unit_coverage,
)
from storage.repo.facts import (
    PostFact,
    SourceFacts,
    items_of_kind,
    links_of,
    post_facts_by_id,
    posts_between,
    posts_in_ranges,
    posts_per_day,
    read_articles,
    select_items_of_kind,
    source_facts,
)
from storage.repo.findings import (
    FINDING_ROW_COLUMNS,
    BulletinedFinding,
    BulletinNotice,
    FindingDraft,
    FindingKey,
    FindingRow,
    bulletin_notices,
    bulletined_findings,
    finding_row,
    list_findings,
    save_findings,
    save_findings_detailed,
    writing_first,
)
from storage.repo.measures import (
    Interpretation,
    InterpretationRow,
    InterpretationState,
    MessageItem,
    account_posts,
    interpretation_rows,
    interpretations,
    message_items,
    save_interpretation_states,
)
from storage.repo.notifications import (
    NOTIFICATION_STATUSES,
    FailingSource,
    NotificationKey,
    NotificationRow,
    claim_notification,
    failing_sources,
    finding_counts,
    findings_created_between,
    finish_notification,
    list_notifications,
    unsent_notification_days,
)
from storage.repo.policy import (
    EXCLUDED_TITLE_CHARS,
    NOT_POLICY_REASON,
    PolicyItemRow,
    PolicyState,
    StoredVerdict,
    add_policy_exclusion,
    exclude_finding_title,
    policy_exclusions,
    policy_items,
    policy_states,
    save_policy_states,
    stored_verdicts,
)
from storage.repo.rectifications import (
    RECHECK_OUTCOMES,
    PendingRecheck,
    RecheckResult,
    add_rectification,
    pending_rechecks,
    record_rechecks,
    rectifications_of,
    with_rectification,
)
from storage.repo.reviews import (
    REVIEW_STATUSES,
    TRANSITIONS,
    ReviewError,
    finding_history,
    finding_snapshot,
    review_findings,
)
from storage.repo.sync import source_ids, sync_config, sync_config_if_changed
from storage.repo.warnings import (
    WarningChanges,
    WarningDraft,
    WarningRow,
    list_warnings,
    open_warnings,
    save_warnings,
    warnings_opened_between,
)

__all__ = [
    "COVERAGE_REACH_DAYS",
    "EXCLUDED_TITLE_CHARS",
    "FINDING_ROW_COLUMNS",
    "NEVER_COLLECTED",
    "NOTIFICATION_STATUSES",
    "NOT_POLICY_REASON",
    "NO_SOURCES",
    "RECHECK_OUTCOMES",
    "REVIEW_STATUSES",
    "TRANSITIONS",
    "BulletinNotice",
    "BulletinedFinding",
    "FailingSource",
    "FindingDraft",
    "FindingKey",
    "FindingRow",
    "Interpretation",
    "InterpretationRow",
    "InterpretationState",
    "ItemRecord",
    "MessageItem",
    "NotificationKey",
    "NotificationRow",
    "PendingRecheck",
    "PolicyItemRow",
    "PolicyState",
    "PostFact",
    "RecheckResult",
    "ReviewError",
    "SnapshotRecord",
    "SourceFacts",
    "StoredVerdict",
    "WarningChanges",
    "WarningDraft",
    "WarningRow",
    "account_posts",
    "add_policy_exclusion",
    "add_rectification",
    "as_china_date",
    "bulletin_notices",
    "bulletined_findings",
    "claim_notification",
    "close_crawl_run",
    "exclude_finding_title",
    "failing_sources",
    "finding_counts",
    "finding_history",
    "finding_row",
    "finding_snapshot",
    "findings_created_between",
    "finish_notification",
    "interpretation_rows",
    "interpretations",
    "interrupt_open_runs",
    "items_of_kind",
    "json_value",
    "latest_runs",
    "links_of",
    "list_findings",
    "list_notifications",
    "list_warnings",
    "message_items",
    "open_crawl_run",
    "open_warnings",
    "pending_rechecks",
    "policy_exclusions",
    "policy_items",
    "policy_states",
    "post_facts_by_id",
    "posts_between",
    "posts_in_ranges",
    "posts_per_day",
    "prune_snapshots",
    "read_articles",
    "read_snapshot_html",
    "record_rechecks",
    "rectifications_of",
    "review_findings",
    "save_findings",
    "save_findings_detailed",
    "save_interpretation_states",
    "save_policy_states",
    "save_snapshot",
    "save_snapshots",
    "save_warnings",
    "select_items_of_kind",
    "source_facts",
    "source_ids",
    "store_item_batches",
    "store_items",
    "stored_verdicts",
    "sweep_orphaned_runs",
    "sync_config",
    "sync_config_if_changed",
    "unit_coverage",
    "unsent_notification_days",
    "warnings_opened_between",
    "with_rectification",
    "writing_first",
]
