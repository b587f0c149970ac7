"""Route handlers: read the request, ask ``web.queries`` or the scoring service, render.

GET pages need a logged-in user (else a redirect to the login page). Every POST goes through
``action``: the CSRF token is checked first (403 without it), then the login, then the role —
viewers get 403 on anything that changes data. The logged-in user's name is the actor of every
review and manual entry.

A ``unit`` user (被考核单位) is scoped to its units (``Account.sees``/``scope``) in every
route: lists show its units only; a finding, its snapshot or screenshot, or a unit page of
another unit answers 404 — the same as a finding that does not exist, so ids never reveal
what another unit has; the team's pages (manual entries, the score sheet, bulletin drafts)
answer 403. It reviews nothing; it submits 整改说明 on its own confirmed findings.
"""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from govwatch.config import CountyConfig
from govwatch.vocabulary import RULE_NAMES, STATUS_NAMES, book_title
from scoring.entries import EntryChangeError, void_entry
from scoring.rubric import RubricSet
from scoring.service import ScoreReport, score_county
from storage import repo
from storage.db import Database
from storage.models import Finding
from storage.repo import ReviewError
from web import queries
from web.auth import Account, LoginThrottle, authenticate, end_sessions, get_user
from web.security import SNAPSHOT_CSP, csrf_ok, csrf_token, local_path, new_csrf_token

Handler = Callable[[Request, Account], Response]
FormHandler = Callable[[Request, FormData, Account], Response]


@dataclass
class WebState:
    """What every handler needs, kept on ``app.state.web``."""

    config: CountyConfig
    db: Database
    rubrics: RubricSet
    templates: Jinja2Templates
    throttle: LoginThrottle

    @property
    def data_dir(self) -> Path:
        return Path(self.config.settings.data_dir)


def state(request: Request) -> WebState:
    return request.app.state.web  # type: ignore[no-any-return]


# ----------------------------------------------------------------------------- helpers


def current_user(request: Request) -> Account | None:
    """The logged-in, still active user whose password has not changed since login."""
    cached = request.scope.get("govwatch.user")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        return None
    with state(request).db.session() as session:
        user = get_user(session, user_id)
    if user is None or not user.active or user.stamp != request.session.get("stamp"):
        request.session.clear()
        return None
    request.scope["govwatch.user"] = user
    return user


def flash(request: Request, text: str, kind: str = "ok") -> None:
    # assigned, not appended in place: the session notices assignments only
    request.session["flash"] = [*request.session.get("flash", []), [kind, text]]


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status: int = 200, user: Account | None = None) -> Response:
    st = state(request)
    flashes = request.session.pop("flash", [])
    ctx = {"user": user or current_user(request), "csrf_token": csrf_token(request),
           "flashes": flashes, "county": st.config.county, "RULE_NAMES": RULE_NAMES,
           "STATUS_NAMES": STATUS_NAMES, "active": "", **(context or {})}
    return st.templates.TemplateResponse(request, template, ctx, status_code=status)


def forbidden(request: Request, message: str, user: Account | None = None) -> Response:
    return render(request, "error.html", {"title": "无权操作", "message": message},
                  status=403, user=user)


def page(handler: Handler) -> Callable[[Request], Response]:
    """A GET page for logged-in users; others are sent to the login page."""

    @wraps(handler)
    def wrapper(request: Request) -> Response:
        user = current_user(request)
        if user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return handler(request, user)

    return wrapper


def action(*, reviewer: bool = True) -> Callable[[FormHandler],
                                                  Callable[[Request], Awaitable[Response]]]:
    """A POST handler: CSRF token, then login, then (``reviewer``) the reviewer role."""

    def decorate(handler: FormHandler) -> Callable[[Request], Awaitable[Response]]:
        @wraps(handler)
        async def wrapper(request: Request) -> Response:
            form = await request.form(max_files=0, max_fields=2000)
            if not csrf_ok(request, form):
                return await run_in_threadpool(
                    forbidden, request, "表单校验失败（缺少或过期的安全令牌）。请刷新页面后重试。")
            user = await run_in_threadpool(current_user, request)
            if user is None:
                return await run_in_threadpool(forbidden, request, "请先登录。")
            if reviewer and not user.can_review:
                who = "被考核单位账号" if user.is_unit else "只读账号"
                return await run_in_threadpool(
                    forbidden, request, f"{who}不能确认、驳回问题或录入分数。", user)
            return await run_in_threadpool(handler, request, form, user)

        return wrapper

    return decorate


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def whole_number(text: str, default: int | None = None) -> int | None:
    """A whole number typed in a query or form: ASCII digits only (``str.isdigit`` also takes
    "²" and "٣", which ``int`` refuses or reads), at most 10 of them; else ``default``."""
    if text.isascii() and text.isdigit() and len(text) <= 10:
        return int(text)
    return default


def _year(request: Request) -> int:
    year = whole_number(request.query_params.get("year", ""))
    if year is not None and 2000 <= year <= 2100:
        return year
    with state(request).db.session() as session:
        return queries.default_year(session)


def _scores(request: Request, year: int) -> ScoreReport:
    st = state(request)
    return score_county(st.db, st.config, rubric=st.rubrics, year=year)


# ----------------------------------------------------------------------------- login


def login_form(request: Request) -> Response:
    if current_user(request) is not None:
        return RedirectResponse(local_path(request.query_params.get("next"), "/queue"), 303)
    return render(request, "login.html", {"next": request.query_params.get("next", ""),
                                          "name": ""})


async def login(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=20)
    if not csrf_ok(request, form):
        return await run_in_threadpool(forbidden, request,
                                       "登录表单已过期，请刷新页面后重新登录。")
    return await run_in_threadpool(_login, request, form)


def _login(request: Request, form: FormData) -> Response:
    st = state(request)
    name, password = _text(form, "name"), form.get("password")
    target = local_path(_text(form, "next"), "/queue")
    client = request.client.host if request.client else "?"
    keys = (f"name:{name}", f"ip:{client}")
    context = {"next": _text(form, "next"), "name": name}
    if st.throttle.blocked(*keys):
        return render(request, "login.html", {**context, "error":
                      "登录失败次数过多，请 5 分钟后再试。"}, status=429)
    with st.db.session() as session:
        user = authenticate(session, name, password if isinstance(password, str) else "")
    if user is None:
        st.throttle.failed(*keys)
        return render(request, "login.html", {**context, "error": "用户名或密码错误。"},
                      status=401)
    st.throttle.succeeded(*keys)
    request.session.clear()  # a fresh session: no fixation
    request.session.update({"uid": user.id, "stamp": user.stamp})
    new_csrf_token(request)
    return RedirectResponse(target, status_code=303)


@action(reviewer=False)
def logout(request: Request, form: FormData, user: Account) -> Response:
    with state(request).db.session() as session:
        end_sessions(session, user.id)  # a cookie copied before logout must not work after
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def home(request: Request) -> Response:
    return RedirectResponse("/queue", status_code=303)


# ----------------------------------------------------------------------------- queue


def _filters(params: Any) -> queries.QueueFilters:
    status = params.get("status", "pending")
    page_text = params.get("page", "1")
    return queries.QueueFilters(
        status=status if status in (*STATUS_NAMES, "all") else "pending",
        unit=params.get("unit", "")[:64],
        rule=params.get("rule", "") if params.get("rule", "") in RULE_NAMES else "",
        week=params.get("week", "")[:32],
        page=whole_number(page_text, 1) or 1,
        q=" ".join(str(params.get("q", "")).split())[:100],
    )


@page
def queue_page(request: Request, user: Account) -> Response:
    filters = _filters(request.query_params)
    with state(request).db.session() as session:
        data = queries.queue(session, filters, user.scope)
    title = "待审核" if filters.status == "pending" else "全部问题"
    return render(request, "queue.html", {
        "data": data, "filters": filters, "title": title,
        "active": "queue" if filters.status == "pending" else "all",
        "back": filters.query(),
    }, user=user)


@page
def queue_export(request: Request, user: Account) -> Response:
    """The queue under its filters (every page) as an XLSX sheet: 审核清单.xlsx."""
    filters = _filters(request.query_params)
    with state(request).db.session() as session:
        rows, _ = queries.queue_rows(session, filters, user.scope)
    data = queries.queue_workbook(rows)
    name = "审核清单.xlsx" if filters.status == "pending" else "问题清单.xlsx"
    return Response(data, media_type=_MEDIA[".xlsx"], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def _ids(form: FormData) -> list[int]:
    return [n for v in form.getlist("id") if isinstance(v, str)
            and (n := whole_number(v)) is not None]


def _seen(form: FormData, ids: list[int]) -> dict[int, str]:
    """The status each finding had on the page the reviewer acted from (``seen-<id>``)."""
    return {i: _text(form, f"seen-{i}") for i in ids if _text(form, f"seen-{i}")}


def _apply(request: Request, ids: list[int], act: str, reason: str, user: Account,
           then: Callable[[Session, list[int]], str] | None = None,
           seen: dict[int, str] | None = None) -> None:
    """Run a review action and flash what happened; ``then`` runs in the same transaction
    with the ids that changed and says what else it did. ``seen``: the statuses the
    reviewer was shown — a finding another reviewer changed meanwhile is left alone."""
    verb = queries.ACTIONS[act][1]
    if act in ("dismiss", "reopen") and not reason:
        flash(request, f"{verb}必须填写理由。", "error")
        return
    try:
        with state(request).db.session() as session:
            changed, skipped = queries.review(session, ids, act, user.name, reason, seen)
            more = then(session, changed) if then and changed else ""
    except ReviewError as exc:
        flash(request, f"操作未完成：{exc}", "error")
        return
    text = f"已{verb} {len(changed)} 条问题（审核人：{user.name}）。{more}"
    if skipped:
        text += (f"另有 {len(skipped)} 条因当前状态不能{verb}或已被他人处理，未作改动，"
                 "请刷新后查看。")
    flash(request, text, "ok" if changed else "warn")


@action()
def bulk_review(request: Request, form: FormData, user: Account) -> Response:
    back = "&".join(f"{k}={quote(v)}" for k, v in parse_qsl(_text(form, "back"))
                    if k in ("status", "unit", "rule", "week", "q", "page"))
    act = _text(form, "action")
    ids = _ids(form)
    if act not in ("confirm", "dismiss"):
        flash(request, "请选择“确认”或“驳回”。", "error")
    elif not ids:
        flash(request, "请先勾选要处理的问题。", "error")
    else:
        _apply(request, ids, act, _text(form, "reason"), user, seen=_seen(form, ids))
    return RedirectResponse(f"/queue?{back}" if back else "/queue", status_code=303)


# ----------------------------------------------------------------------------- one finding


def _finding_id(request: Request) -> int:
    return int(request.path_params["finding_id"])


def _visible_finding(request: Request, user: Account) -> int:
    """The finding id of the path, if the user may see it; else 404 — for another unit's
    finding too, exactly as for one that does not exist."""
    finding_id = _finding_id(request)
    if user.is_unit:
        with state(request).db.session() as session:
            code = queries.finding_unit(session, finding_id)
        if not user.sees(code):
            raise HTTPException(404, "没有这条问题")
    return finding_id


@page
def finding_page(request: Request, user: Account) -> Response:
    st = state(request)
    finding_id = _visible_finding(request, user)
    with st.db.session() as session:
        detail = queries.finding_detail(session, st.rubrics, finding_id)
    if detail is None:
        raise HTTPException(404, "没有这条问题")
    back = str(request.query_params.get("back", ""))[:500]
    return render(request, "finding.html", {"d": detail, "ev": detail.evidence,
                                            "back": back, "active": "all"}, user=user)


@action()
def finding_review(request: Request, form: FormData, user: Account) -> Response:
    finding_id = _finding_id(request)
    act = _text(form, "action")
    reason = _text(form, "reason")
    not_policy = act == "dismiss" and _text(form, "not_policy") == "1"
    if not_policy and repo.NOT_POLICY_REASON not in reason:
        reason = f"{repo.NOT_POLICY_REASON}：{reason}" if reason else repo.NOT_POLICY_REASON
    go_on = act == "confirm_next"
    if go_on:
        act = "confirm"
    if act not in queries.ACTIONS:
        flash(request, "未知的操作。", "error")
    else:
        _apply(request, [finding_id], act, reason, user,
               _exclude_titles(user, reason) if not_policy else None,
               _seen(form, [finding_id]))
    if go_on:  # 确认并下一条: the next pending finding of the queue the reviewer came from
        back = _text(form, "back")
        filters = _filters(dict(parse_qsl(back)))
        with state(request).db.session() as session:
            following = queries.next_pending(session, filters, finding_id)
        if following is None:
            flash(request, "待审核的问题已全部处理。")
            return RedirectResponse(f"/queue?{back}" if back else "/queue", status_code=303)
        suffix = f"?{urlencode({'back': back})}" if back else ""
        return RedirectResponse(f"/findings/{following}{suffix}", status_code=303)
    return RedirectResponse(f"/findings/{finding_id}", status_code=303)


@action(reviewer=False)
def rectification_add(request: Request, form: FormData, user: Account) -> Response:
    """整改说明: a unit user's statement on a confirmed finding of its own unit (text
    required, an http(s) evidence link optional), stored with its name and time."""
    if not user.is_unit:
        return forbidden(request, "整改说明由被考核单位账号提交。", user)
    finding_id = _visible_finding(request, user)
    text, url = _text(form, "text"), _text(form, "url")
    problem = queries.check_statement(text, url)
    with state(request).db.session() as session:
        finding = session.get(Finding, finding_id)
        if finding is None:
            raise HTTPException(404, "没有这条问题")
        if finding.status != "confirmed":
            problem = "只能对已确认的问题提交整改说明。"
        if problem is None:
            repo.add_rectification(session, finding_id, user_name=user.name, text=text,
                                   url=url or None)
    if problem:
        flash(request, f"未提交：{problem}", "error")
    else:
        flash(request, f"已提交整改说明（提交人：{user.name}）；下次监测时将自动复核。")
    return RedirectResponse(f"/findings/{finding_id}", status_code=303)


def _exclude_titles(user: Account, reason: str) -> Callable[[Session, list[int]], str]:
    """After dismissing policy findings as 非政策性文件: their titles go on the unit's
    exclusion list (recording who, when and from which finding)."""
    def exclude(session: Session, changed: list[int]) -> str:
        titles = [t for t in (repo.exclude_finding_title(session, i, actor=user.name,
                                                         reason=reason) for i in changed) if t]
        return (f"已将{'、'.join(book_title(t) for t in titles)}加入该单位非政策性文件排除名单，"
                "今后不再检查。" if titles else "")
    return exclude


@page
def snapshot(request: Request, user: Account) -> Response:
    """The stored HTML of a finding's page, inert: CSP sandbox, no scripts, no requests."""
    finding_id = _visible_finding(request, user)
    with state(request).db.session() as session:
        html = queries.snapshot_html(session, finding_id)
    if html is None:
        raise HTTPException(404, "没有页面快照")
    return Response(html, media_type="text/html; charset=utf-8", headers={
        "Content-Security-Policy": SNAPSHOT_CSP, "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "SAMEORIGIN", "Cache-Control": "private, no-store"})


@page
def screenshot(request: Request, user: Account) -> Response:
    finding_id = _visible_finding(request, user)
    with state(request).db.session() as session:
        path = queries.screenshot_path(session, finding_id)
    if path is None:
        raise HTTPException(404, "没有页面截图")
    return FileResponse(path, media_type="image/png", headers={
        "Content-Security-Policy": SNAPSHOT_CSP, "Cache-Control": "private, max-age=3600"})


# ----------------------------------------------------------------------------- units, ranking


@page
def units_list(request: Request, user: Account) -> Response:
    year = _year(request)
    report = _scores(request, year)
    with state(request).db.session() as session:
        units = queries.units_overview(session, report, user.scope)
    return render(request, "units.html", {"units": units, "year": year, "active": "units"},
                  user=user)


@page
def unit_detail(request: Request, user: Account) -> Response:
    code = request.path_params["code"]
    if not user.sees(code):  # another unit's page: as if there were no such unit
        raise HTTPException(404, "没有这个单位")
    year = _year(request)
    report = _scores(request, year)
    with state(request).db.session() as session:
        data = queries.unit_page(session, code, report)
    if data is None:
        raise HTTPException(404, "没有这个单位")
    return render(request, "unit.html", {"u": data, "year": year, "active": "units",
                                         "kind_name": queries.kind_name}, user=user)


@page
def ranking(request: Request, user: Account) -> Response:
    year = _year(request)
    report = _scores(request, year)
    classes: dict[str, list[Any]] = {}
    for s in report.scores:  # a unit user: its own units' rows, with their rank
        if user.sees(s.unit.code):
            classes.setdefault(s.unit.category, []).append(s)
    titles = {c: report.rubric.for_category(c).title for c in classes}
    return render(request, "ranking.html", {"report": report, "classes": classes,
                                            "titles": titles, "year": year,
                                            "active": "ranking"}, user=user)


# ----------------------------------------------------------------------------- entries


def _entries_page(request: Request, user: Account, form: queries.EntryForm, year: int,
                  status: int = 200) -> Response:
    st = state(request)
    with st.db.session() as session:
        listed = queries.list_entries(session, year=year, include_voided=True)
    entries = [e for e in listed if e.voided_at is None]
    voided = [e for e in listed if e.voided_at is not None]
    return render(request, "entries.html", {
        "voided": voided,
        "form": form, "year": year, "entries": entries, "units": st.config.units,
        "kinds": queries.ENTRY_KINDS, "refs": queries.ref_options(st.rubrics),
        "kind_name": queries.kind_name, "active": "entries",
    }, status=status, user=user)


def _team_only(request: Request, user: Account, what: str) -> Response | None:
    """403 for a unit user on a page of the assessment team's own work."""
    return forbidden(request, f"{what}仅供考核小组使用。", user) if user.is_unit else None


@page
def entries_page(request: Request, user: Account) -> Response:
    if refused := _team_only(request, user, "人工录入"):
        return refused
    year = _year(request)
    form = queries.EntryForm(unit=request.query_params.get("unit", ""), year=str(year))
    return _entries_page(request, user, form, year)


@action()
def entries_add(request: Request, form: FormData, user: Account) -> Response:
    st = state(request)
    entry_form = queries.EntryForm.from_form(form)
    with st.db.session() as session:
        year = queries.default_year(session)
    year = whole_number(entry_form.year) or year
    parsed = queries.validate_entry(entry_form, st.config, st.rubrics, entered_by=user.name,
                                    default_year=year)
    if parsed is None:
        return _entries_page(request, user, entry_form, year, status=400)
    with st.db.session() as session:
        entry_id = queries.add_entry(session, parsed)
    flash(request, f"已录入第 {entry_id} 号记录：{parsed.unit_code} "
                   f"{queries.kind_name(parsed.kind)} {parsed.ref}（录入人：{user.name}）。")
    return RedirectResponse(f"/entries?{urlencode({'year': parsed.year})}", status_code=303)


@action()
def entries_void(request: Request, form: FormData, user: Account) -> Response:
    """作废 an entry typed or imported by mistake: kept in the history, out of the score."""
    st = state(request)
    entry_id = whole_number(_text(form, "entry_id"))
    year = whole_number(_text(form, "year"))
    target = f"/entries?{urlencode({'year': year})}" if year else "/entries"
    if entry_id is None:
        flash(request, "没有指定要作废的记录。", "error")
        return RedirectResponse(target, status_code=303)
    try:
        with st.db.session() as session:
            void_entry(session, entry_id, actor=user.name, reason=_text(form, "reason"))
    except EntryChangeError as exc:
        flash(request, str(exc), "error")
    else:
        flash(request, f"已作废第 {entry_id} 号记录（{user.name}）；得分已按剩余记录重新计算。")
    return RedirectResponse(target, status_code=303)


# ----------------------------------------------------------------------------- downloads


@page
def downloads(request: Request, user: Account) -> Response:
    st = state(request)
    year = _year(request)
    bulletins = queries.bulletin_files(st.data_dir / "reports")
    return render(request, "downloads.html", {"bulletins": bulletins, "year": year,
                                              "rubric": st.rubrics.name,
                                              "active": "downloads"}, user=user)


_MEDIA = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          ".html": "text/html; charset=utf-8", ".md": "text/markdown; charset=utf-8"}


@page
def report_download(request: Request, user: Account) -> Response:
    path = queries.report_file(state(request).data_dir / "reports", request.path_params["name"])
    if path is None:
        raise HTTPException(404, "没有这个文件")
    # attachment + sandbox CSP: a bulletin's HTML never runs in the app's origin
    return FileResponse(path, media_type=_MEDIA.get(path.suffix, "application/octet-stream"),
                        filename=path.name, headers={"Content-Security-Policy": SNAPSHOT_CSP})


@page
def score_sheet(request: Request, user: Account) -> Response:
    """The XLSX score sheet (ranking + one sheet per unit) of a year, made on demand."""
    from scoring.sheets import write_score_workbook

    if refused := _team_only(request, user, "评分表（含全部单位的得分明细）"):
        return refused
    year = _year(request)
    report = _scores(request, year)
    name = f"评分表-{state(request).rubrics.name}-{year}.xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheet.xlsx"
        write_score_workbook(report, path)
        data = path.read_bytes()
    return Response(data, media_type=_MEDIA[".xlsx"], headers={
        "Content-Disposition": f"attachment; filename=\"score-sheet-{year}.xlsx\"; "
                               f"filename*=UTF-8''{quote(name)}"})


# ----------------------------------------------------------------------------- errors


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    titles = {404: "页面不存在", 405: "不支持的请求", 403: "无权操作"}
    message = exc.detail if exc.status_code == 404 and exc.detail != "Not Found" else (
        "找不到您要的页面。" if exc.status_code == 404 else "请求无法处理。")
    return await run_in_threadpool(
        render, request, "error.html",
        {"title": titles.get(exc.status_code, "出错了"), "message": message},
        status=exc.status_code)
