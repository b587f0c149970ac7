"""The operations the CLI (and later the scheduler and web app) perform, as plain functions.

Each takes a loaded ``CountyConfig`` and returns data; printing is the caller's business.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from crawler.browser import BrowserNotFound, find_chromium
from crawler.job import READ_ARTICLES_OF, CrawlJob, SourceSpec, article_key
from crawler.probe import ProbeResult
from crawler.process import CrawlResult, ProgressCallback, log_file_for, run_crawl
from crawler.settings import scrapy_settings
from govwatch.collector import collector_paused
from govwatch.config import CountyConfig
from govwatch.liveness import owner_gone, this_process
from govwatch.timeutil import today
from storage import repo
from storage.db import MIGRATIONS, Database, DatabaseUnavailable, created_mark, database_url

log = logging.getLogger("govwatch")


def open_database(config: CountyConfig, *, migrate: bool = True,
                  must_exist: bool = False) -> Database:
    """The county's database, synced with the config (units and sources); migrated to the
    current schema first unless the caller already did (the scheduler does, once, at start).

    ``must_exist``: commands that only read (findings, score, report, serve) refuse a
    database nothing was ever stored in — an empty one would report a clean county — with
    ``DatabaseUnavailable`` saying to run init or crawl first."""
    url = database_url(config.settings.data_dir, config.settings.database_url)
    if must_exist:
        require_database(url)
    db = Database(url)
    if migrate:
        db.migrate()
    # the stored and configured sources are compared in full: kept to the end
    with collector_paused(), db.session() as session:
        repo.sync_config_if_changed(session, config, config_fingerprint(config))
    return db


def require_database(url: str) -> None:
    """Raise ``DatabaseUnavailable`` unless ``url`` names a database govwatch created."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///").split("?", 1)[0])
        if str(path) not in ("", ":memory:") and not path.exists():
            if created_mark(path).exists():
                return  # gone after it was made: the engine says so (storage.db)
            raise DatabaseUnavailable(
                f"数据库 {path} 还不存在：还没有抓取过任何数据。请先运行 govwatch init 和 "
                "govwatch crawl（或 govwatch demo），再查看问题、得分和通报；"
                "如果数据在别处，请检查配置文件中的 data_dir（相对路径以配置文件所在目录为准）。")
        return
    probe = Database(url)
    try:
        with probe.engine.connect() as conn:
            migrated = inspect(conn).has_table("alembic_version")
    finally:
        probe.dispose()
    if not migrated:
        raise DatabaseUnavailable(
            f"数据库 {make_url(url).render_as_string(hide_password=True)} 是空的："
            "还没有抓取过任何数据。请先运行 govwatch init 和 govwatch crawl，"
            "再查看问题、得分和通报。")


def config_fingerprint(config: CountyConfig) -> str:
    """What the synced units and sources depend on: the validated config and the schema
    (a migration may add columns the sync fills)."""
    migrations = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    text = config.digest() + "\n" + ",".join(migrations)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CrawlSummary:
    sources: int
    result: CrawlResult | None
    skipped: dict[int, str]  # source id → why it was not crawled
    pruned_snapshots: int = 0
    links_checked: int = 0  # links checked after the crawl (crawl.check_links)


def source_specs(config: CountyConfig, ids: dict[tuple[str, str], int], *,
                 unit_code: str | None = None, source_name: str | None = None,
                 exclude: set[tuple[str, str]] | None = None) -> list[SourceSpec]:
    """What to crawl: the configured columns and accounts, optionally of one unit/source,
    less those in ``exclude`` ((unit code, source name) pairs crawled on their own)."""
    exclude = exclude or set()
    specs = []
    for unit in config.units:
        if unit_code and unit.code != unit_code:
            continue
        for column in unit.columns:
            if (source_name and column.name != source_name) or (unit.code,
                                                                 column.name) in exclude:
                continue
            specs.append(SourceSpec(
                source_id=ids[(unit.code, column.name)], unit_code=unit.code, name=column.name,
                type="column", kind=column.kind, url=column.url, render=column.render,
                selectors=column.selectors.model_dump() if column.selectors else None,
                profile=column.profile, timeout=column.timeout, obey_robots=column.obey_robots,
                headers=dict(column.headers), cookies=dict(column.cookies),
                max_pages=column.max_pages, wait_for=column.wait_for,
                browser_fallback=column.browser_fallback,
                message_selectors=(column.message_selectors.model_dump(exclude_none=True)
                                   if column.message_selectors else None),
                scan_articles=(column.scan_articles if column.scan_articles is not None
                               else config.settings.crawl.scan_articles),
                links_per_page=(config.settings.crawl.links_per_page
                                if config.settings.crawl.check_links else 0),
                window_days=message_window(config) if column.kind == "messages" else None,
            ))
        for account in unit.accounts:
            if (source_name and account.name != source_name) or (unit.code,
                                                                 account.name) in exclude:
                continue
            if account.platform == "manual":  # collected by `govwatch posts import` only
                continue
            specs.append(SourceSpec(
                source_id=ids[(unit.code, account.name)], unit_code=unit.code,
                name=account.name, type="account", kind=account.platform, url=account.url,
                timeout=account.timeout, obey_robots=account.obey_robots,
                headers=dict(account.headers), cookies=dict(account.cookies),
            ))
    return specs


# Articles published this many days before the crawl are read on every crawl: statements and
# related links are added in the first days.
SETTLING_DAYS = 7


def with_known_articles(db: Database, specs: list[SourceSpec],
                        reference_date: date) -> list[SourceSpec]:
    """Policy, interpretation and messages columns with the articles already read: the spider opens
    such an article again only when its list entry (title, date) changed (``read_articles``
    leaves out recent ones and those of open policy findings: they are always read)."""
    wanted = [s.source_id for s in specs if s.type == "column" and s.kind in READ_ARTICLES_OF]
    if not wanted:
        return specs
    with db.session() as session:
        known = repo.read_articles(session, wanted,
                                   reference_date - timedelta(days=SETTLING_DAYS))
    return [replace(s, known_articles={url: article_key(title, day)
                                       for url, (title, day) in known[s.source_id].items()})
            if s.source_id in known else s for s in specs]


def crawl(config: CountyConfig, db: Database, *, unit_code: str | None = None,
          source_name: str | None = None, exclude: set[tuple[str, str]] | None = None,
          source_ids: set[int] | None = None, reference_date: date | None = None,
          on_progress: ProgressCallback | None = None) -> CrawlSummary:
    """Crawl the configured sources (of one unit or source, or the given ids, or all) in a
    child process."""
    reference_date = reference_date or today()
    crawl_cfg = config.settings.crawl
    with db.session() as session:
        # runs a crawl killed outright left open (their process is gone) are closed first
        repo.sweep_orphaned_runs(session, owner_gone)
        ids = repo.source_ids(session)
    specs = source_specs(config, ids, unit_code=unit_code, source_name=source_name,
                         exclude=exclude)
    if source_ids is not None:
        specs = [s for s in specs if s.source_id in source_ids]
    specs = with_known_articles(db, specs, reference_date)
    skipped: dict[int, str] = {}
    executable: str | None = None
    browser_available = False
    if any(s.render == "browser" or s.browser_fallback for s in specs):
        try:
            executable = find_chromium(crawl_cfg.browser_executable)
            browser_available = True
        except BrowserNotFound as exc:
            log.error("%s", exc)
            skipped = {s.source_id: str(exc) for s in specs if s.render == "browser"}
            specs = [s for s in specs if s.render != "browser"]
    _record_skipped(db, skipped, reference_date)
    if not specs:
        return CrawlSummary(0, None, skipped)
    data_dir = Path(config.settings.data_dir).resolve()
    job = CrawlJob(
        database_url=db.url, data_dir=str(data_dir), sources=tuple(specs),
        reference_date=reference_date, window_days=crawl_cfg.window_days,
        max_pages=crawl_cfg.max_pages, browser_available=browser_available,
        scrapy_settings=scrapy_settings(
            {**crawl_cfg.model_dump(), "allowed_hosts": county_hosts(config)},
            database_url=db.url, data_dir=str(data_dir),
            log_file=log_file_for(str(data_dir)), browser_executable=executable,
            use_browser=browser_available,
        ),
    )
    log.info("crawl start: %d sources, reference date %s", len(specs), reference_date)
    result = run_crawl(job, on_progress, processes=crawl_cfg.process_count)
    log.info("crawl finished: pages=%d items=%d exit=%d", result.pages, result.items,
             result.exit_code)
    with db.session() as session:
        pruned = repo.prune_snapshots(session, crawl_cfg.snapshot_retention_days)
    checked = 0
    if crawl_cfg.check_links and result.error is None:
        checked = check_page_links(config, db, reference_date, {s.source_id for s in specs})
    return CrawlSummary(len(specs), result, skipped, pruned, checked)


def message_window(config: CountyConfig) -> int | None:
    """How far back 留言 boards are read: far enough for the national checks' unanswered
    messages (a month past their limit) when that profile is on."""
    if "national" not in config.settings.profiles:
        return None
    return max(config.settings.crawl.window_days, config.settings.national.unanswered_days + 30)


def _origin_of(url: str) -> str:
    from crawler.portal import Origin  # imports Scrapy: only the crawl's commands need it

    try:
        return str(Origin.of(url)).lower()
    except ValueError:
        return ""


LINK_OK_DAYS = 7  # a link found alive is checked again a week later; a dead one every day


def check_page_links(config: CountyConfig, db: Database, day: date,
                     source_ids: set[int]) -> int:
    """Check the links of the pages these sources' crawl kept that were not checked yet
    that day (nor found alive in the week before), in as many child processes as the crawl
    used, shared out by host; only links on the county's own portals are fetched
    (``crawler.linkcheck``). Returns how many were checked."""
    from crawler.linkcheck import check_links_in_children
    from crawler.portal import inside_network

    crawl_cfg = config.settings.crawl
    with db.session() as session:
        pages = repo.page_links(session, day, source_ids)
        done = repo.links_checked_on(session, day, LINK_OK_DAYS)
    # pages this crawl fetched answered it, and configured columns and accounts are the
    # crawl's own business (crawl_failure): neither is checked again
    fetched = {page.page_url for page in pages} | set(config.source_urls())
    hosts = county_hosts(config)
    # only the county's own portals are fetched: others are not sent to the checker at all
    ours = {h.lower() for h in hosts}
    urls = sorted(url for url in {u for page in pages for u in page.links} - done - fetched
                  if _origin_of(url) in ours or (urlsplit(url).hostname or "") in ours)
    if not urls:
        return 0
    results = check_links_in_children(
        urls, processes=crawl_cfg.process_count, allowed_hosts=hosts,
        private_ok_hosts=[h for h in hosts if inside_network(h)],
        timeout=crawl_cfg.link_timeout, user_agent=crawl_cfg.user_agent)
    with db.session() as session:
        return repo.save_link_checks(session, day, (
            repo.LinkCheckRecord(r.url, r.ok, r.status, r.error, r.final_url, r.method)
            for r in results))


def county_hosts(config: CountyConfig) -> list[str]:
    """Where the county's sources may redirect and link to (``crawler.portal``): the origins
    (``host:port``) of every configured column and account — the county's own portals — and
    the hosts of ``crawl.allowed_hosts``. Addresses inside the network stay out of reach of
    public ones."""
    # a URL without an origin ("") was refused by the config check already
    origins = {_origin_of(url) for url in config.source_urls()} - {""}
    return sorted(origins | set(config.settings.crawl.allowed_hosts))


def import_posts(config: CountyConfig, db: Database, path: Path) -> dict[str, int]:
    """Store posts from an operator's sheet; return new posts per account name.

    Raises TableFileError / PostImportError (nothing stored) for a bad file or bad rows.
    """
    from crawler.manual import read_posts, validate_posts

    accounts = {(u.code, a.name) for u in config.units for a in u.accounts}
    with db.session() as session:
        ids = {key: sid for key, sid in repo.source_ids(session).items() if key in accounts}
        posts = validate_posts(read_posts(path), ids)
        by_source: dict[int, list[repo.ItemRecord]] = {}
        for post in posts:
            by_source.setdefault(ids[(post.unit_code, post.account)], []).append(
                repo.ItemRecord(post.url, post.title, post.published_at.date(),
                                published_at=post.published_at))
        names = {sid: name for (_, name), sid in ids.items()}
        added = {}
        for source_id, records in by_source.items():
            run_id = repo.open_crawl_run(session, source_id, owner=this_process())
            new = repo.store_items(session, source_id, records)
            # a manual import is a successful collection of the account
            repo.close_crawl_run(session, run_id, outcome="ok", items_found=len(records),
                                 items_dated=len(records), items_new=new,
                                 error=f"imported from {path.name}")
            added[names[source_id]] = new
    return added


def _record_skipped(db: Database, skipped: dict[int, str], reference_date: date) -> None:
    """A source that could not be crawled gets a failed crawl run, so monitors see it."""
    if not skipped:
        return
    with db.session() as session:
        for source_id, why in skipped.items():
            run_id = repo.open_crawl_run(session, source_id, owner=this_process(),
                                         reference_date=reference_date)
            repo.close_crawl_run(session, run_id, outcome="no_browser", error=why)


def probe_sites(config: CountyConfig, db: Database) -> list[tuple[str, str, ProbeResult]]:
    """Probe every site's 首页 (``kind: homepage`` columns) once and record it; (unit code,
    column name, result) of each."""
    from crawler.probe import probe_all

    with db.session() as session:
        ids = repo.source_ids(session)
    sites = [(u.code, c.name, c.url) for u in config.units for c in u.columns
             if c.kind == "homepage" and (u.code, c.name) in ids]
    results = probe_all([url for _, _, url in sites], config.settings.national.probe_timeout,
                        config.settings.crawl.user_agent)
    with db.session() as session:
        for (code, name, _), result in zip(sites, results, strict=True):
            repo.save_probe(session, ids[(code, name)], ok=result.ok,
                            http_status=result.http_status, seconds=result.seconds,
                            error=result.error)
    return [(code, name, result) for (code, name, _), result in zip(sites, results, strict=True)]
