"""The 通报审核 page: each week's bulletin, its draft and its published edition.

Reviewers read the draft of the latest weeks (a preview of its HTML, sandboxed like page
snapshots, and its files), approve and publish it (审核通过并发布: ``reports.lifecycle.
approve_week``, the logged-in reviewer recorded as approver and 签发人 unless the county
names one) or draft it again after reviews changed. Viewers see the list and download the
published bulletins only: drafts, which list pending findings, are for reviewers. The POSTs
go through ``web.views.action``: CSRF token, then login, then the reviewer role (403 else).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from govwatch.timeutil import today
from reports.lifecycle import BulletinError, approve_week, draft_week, drafts_dir, reports_dir
from reports.queries import BulletinRecord, bulletin_records
from reports.weekly import last_complete_week, parse_week, week_label, week_range
from web.auth import Account
from web.security import SNAPSHOT_CSP
from web.views import _MEDIA, action, flash, forbidden, page, render, state

RECENT_WEEKS = 12


@dataclass(frozen=True)
class BulletinRow:
    """One week on the page."""

    record: BulletinRecord
    label: str  # 2021年第36周
    draft_names: tuple[str, ...]  # the draft's files still on disk
    published_names: tuple[str, ...]  # the published files still on disk
    preview: str | None  # the draft's HTML file, shown inline to reviewers


def _names(paths: tuple[str, ...], folder: Path) -> tuple[str, ...]:
    return tuple(Path(p).name for p in paths if (folder / Path(p).name).is_file())


def _rows(request: Request, records: list[BulletinRecord]) -> list[BulletinRow]:
    folder = reports_dir(state(request).config)
    rows = []
    for r in records:
        drafts = _names(r.draft_files, drafts_dir(folder)) if r.awaiting_approval else ()
        rows.append(BulletinRow(r, week_label(r.period), drafts,
                                _names(r.files, folder) if r.published_at else (),
                                next((n for n in drafts if n.endswith(".html")), None)))
    return rows


@page
def bulletins_page(request: Request, user: Account) -> Response:
    with state(request).db.session() as session:
        records = bulletin_records(session, limit=RECENT_WEEKS)
    if user.is_unit:  # a unit sees the published bulletins only, never a week in the works
        records = [r for r in records if r.published_at]
    latest = last_complete_week()
    return render(request, "bulletins.html", {
        "rows": _rows(request, records), "latest": latest, "latest_label": week_label(latest),
        "latest_drafted": any(r.period == latest for r in records), "active": "bulletins",
    }, user=user)


def _form_week(form: FormData) -> str | None:
    """The week a form names, if it is one that has begun."""
    value = form.get("week")
    try:
        week = parse_week(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return week if week and week_range(week)[0] <= today() else None


@action()
def approve(request: Request, form: FormData, user: Account) -> Response:
    st = state(request)
    week = _form_week(form)
    if week is None:
        flash(request, "周次无效。", "error")
        return RedirectResponse("/bulletins", status_code=303)
    try:
        outcome = approve_week(st.db, st.config, week, approved_by=user.name)
    except BulletinError as exc:
        flash(request, f"未发布：{exc}", "error")
    else:
        b = outcome.bulletin
        flash(request, f"已审核通过并发布{week_label(week)}通报（{b.number}，"
                       f"审核人：{user.name}），列入通报的问题 {len(b.listed_ids)} 条。")
    return RedirectResponse("/bulletins", status_code=303)


@action()
def redraft(request: Request, form: FormData, user: Account) -> Response:
    st = state(request)
    week = _form_week(form)
    if week is None:
        flash(request, "周次无效。", "error")
        return RedirectResponse("/bulletins", status_code=303)
    outcome = draft_week(st.db, st.config, week, drafted_by=user.name)
    b = outcome.bulletin
    text = (f"已生成{week_label(week)}通报草稿（生成人：{user.name}）：列入通报的问题 "
            f"{len(b.listed_ids)} 条，待审核 {b.pending_count} 条。")
    if week_range(week)[1] + timedelta(days=1) > today():
        text += "注意：该周尚未结束，通报内容可能不完整。"
    flash(request, text)
    return RedirectResponse("/bulletins", status_code=303)


@page
def draft_file(request: Request, user: Account) -> Response:
    """A draft's file, for reviewers: an attachment, or (``?view=1``, HTML only) inline for
    the preview frame — sandboxed, as page snapshots are."""
    if not user.can_review:
        return forbidden(request, "通报草稿含待审核问题，仅审核人可查看。", user)
    name = request.path_params["name"]
    folder = drafts_dir(reports_dir(state(request).config))
    files = folder.iterdir() if folder.is_dir() else iter(())
    path = next((p for p in files if p.name == name and p.is_file()), None)  # a name, no path
    if path is None or path.suffix not in _MEDIA:
        raise HTTPException(404, "没有这个文件")
    inline = request.query_params.get("view") == "1" and path.suffix == ".html"
    return FileResponse(path, media_type=_MEDIA[path.suffix],
                        filename=None if inline else path.name,
                        headers={"Content-Security-Policy": SNAPSHOT_CSP,
                                 "X-Frame-Options": "SAMEORIGIN",
                                 "Cache-Control": "private, no-store"})
