"""The review web app (考核小组审核): a Starlette application rendered with Jinja2.

``create_app(config, db)`` builds it; ``govwatch serve`` runs it under uvicorn. Templates are
autoescaped everywhere and never mark crawled text safe.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from govwatch.config import CountyConfig
from govwatch.timeutil import CHINA
from govwatch.vocabulary import OUTCOME_NAMES, RULE_NAMES, STATUS_NAMES, book_title
from monitors.policy_class import CLASS_LABELS
from scoring.engine import fmt
from scoring.rubric import RubricSet, load_rubric_set
from storage.db import Database
from web import bulletins, views
from web import warnings as early_warnings
from web.auth import ROLES, LoginThrottle, load_secret_key
from web.security import SecurityHeaders, web_url

HERE = Path(__file__).parent
SESSION_COOKIE = "govwatch_session"
SESSION_MAX_AGE = 12 * 3600  # a working day; sliding: refreshed on each request
SOURCE_KINDS = {
    "general": "普通栏目", "policy": "政策文件", "interpretation": "政策解读",
    "interaction": "互动交流", "messages": "留言办理", "annual_report": "年度报告",
    "rss": "RSS", "weibo": "微博", "wechat": "微信公众号",
    "html": "网页", "manual": "人工导入",
}


def _when(value: datetime | date | str | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A datetime in China time, a date as YYYY-MM-DD, an ISO string parsed first."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(CHINA)
        return value.strftime(pattern)
    return value.isoformat()


def _score(value: Decimal | float | int | None) -> str:
    if value is None:
        return "—"
    return fmt(Decimal(str(value)))


def _percent(value: float | None) -> str:
    if not isinstance(value, int | float):
        return "—"
    return f"{value * 100:.0f}%"


def _pretty_json(value: object) -> str:
    """Evidence as readable JSON text (escaped by the template like any other text)."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def templates() -> Jinja2Templates:
    """Jinja2 with autoescape on for every template, and the app's filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=_when, score=_score, percent=_percent, weburl=web_url,
                       pretty_json=_pretty_json, book=book_title)
    env.globals.update(RULE_NAMES=RULE_NAMES, STATUS_NAMES=STATUS_NAMES,
                       OUTCOME_NAMES=OUTCOME_NAMES, ROLES=ROLES,
                       SOURCE_KINDS=SOURCE_KINDS, POLICY_CLASSES=CLASS_LABELS)
    return Jinja2Templates(env=env)


ROUTES = [
    Route("/", views.home, methods=["GET"]),
    Route("/login", views.login_form, methods=["GET"]),
    Route("/login", views.login, methods=["POST"]),
    Route("/logout", views.logout, methods=["POST"]),
    Route("/queue", views.queue_page, methods=["GET"]),
    Route("/queue.xlsx", views.queue_export, methods=["GET"]),
    Route("/findings/review", views.bulk_review, methods=["POST"]),
    Route("/findings/{finding_id:int}", views.finding_page, methods=["GET"]),
    Route("/findings/{finding_id:int}/review", views.finding_review, methods=["POST"]),
    Route("/findings/{finding_id:int}/rectification", views.rectification_add,
          methods=["POST"]),
    Route("/findings/{finding_id:int}/snapshot", views.snapshot, methods=["GET"]),
    Route("/findings/{finding_id:int}/screenshot", views.screenshot, methods=["GET"]),
    Route("/units", views.units_list, methods=["GET"]),
    Route("/units/{code}", views.unit_detail, methods=["GET"]),
    Route("/ranking", views.ranking, methods=["GET"]),
    Route("/entries", views.entries_page, methods=["GET"]),
    Route("/entries", views.entries_add, methods=["POST"]),
    Route("/entries/void", views.entries_void, methods=["POST"]),
    Route("/downloads", views.downloads, methods=["GET"]),
    Route("/downloads/score-sheet.xlsx", views.score_sheet, methods=["GET"]),
    Route("/downloads/reports/{name}", views.report_download, methods=["GET"]),
    Route("/bulletins", bulletins.bulletins_page, methods=["GET"]),
    Route("/bulletins/approve", bulletins.approve, methods=["POST"]),
    Route("/bulletins/draft", bulletins.redraft, methods=["POST"]),
    Route("/bulletins/drafts/{name}", bulletins.draft_file, methods=["GET"]),
    Route("/warnings", early_warnings.warnings_page, methods=["GET"]),
    Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
]


def create_app(config: CountyConfig, db: Database, *, secret_key: str | None = None,
               secure_cookies: bool = False, rubrics: RubricSet | None = None) -> Starlette:
    """The app for one county's config and database.

    ``secure_cookies``: mark the session cookie Secure (and send HSTS) — set it when the app
    is reached over HTTPS through a reverse proxy.
    """
    key = secret_key or load_secret_key(Path(config.settings.data_dir))
    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(SecurityHeaders, hsts=secure_cookies),
            Middleware(SessionMiddleware, secret_key=key, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_MAX_AGE, same_site="lax", https_only=secure_cookies),
        ],
        exception_handlers={HTTPException: views.http_error},
    )
    app.state.web = views.WebState(
        config=config, db=db, rubrics=rubrics or load_rubric_set(config.settings.rubric),
        templates=templates(), throttle=LoginThrottle())
    return app
