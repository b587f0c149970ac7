"""The review web app in a real headless Chromium (Playwright, the machine's browser) against a
real demo county: the demo portal crawled as of 2021-09-08, the monitors run, uvicorn serving
the app on a free 127.0.0.1 port.

A reviewer logs in, filters the queue, opens a finding and sees its evidence, confirms it,
bulk-dismisses two with a reason and sees the ranking change; a viewer cannot confirm; a POST
without the CSRF token is refused; a finding whose title is ``<script>…`` renders as text and
its snapshot's script never runs. Screenshots of the queue and a finding page are saved under
``<data_dir>/screenshots/`` and copied to the project's ``data/screenshots/`` as artefacts that
outlive pytest's temporary folders.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select

from crawler.browser import LAUNCH_ARGS, find_chromium
from demo_portal.site import HOSTILE_TITLE
from govwatch.cli import app as gapp
from monitors.runner import run_monitors
from storage import repo
from storage.db import Database
from storage.models import Finding, Item, Review, Snapshot, Source, Unit
from web import auth
from web.app import create_app

from .conftest import DEMO_CONFIG, config_in, serving_demo

AS_OF = date(2021, 9, 8)
ARTEFACTS = Path(__file__).resolve().parent.parent / "data" / "screenshots"
REVIEWER, VIEWER, UNIT_USER = "张三", "李四", "城关镇联络员"
PASSWORD = "kaohe-2021-pass"


@dataclass
class Served:
    url: str
    db: Database
    data_dir: Path
    hostile_id: int

    def finding(self, unit: str, rule: str, source: str | None = None) -> Finding:
        with self.db.session() as session:
            stmt = (select(Finding).join(Unit, Unit.id == Finding.unit_id)
                    .outerjoin(Source, Source.id == Finding.source_id)
                    .where(Unit.code == unit, Finding.rule == rule))
            if source:
                stmt = stmt.where(Source.name == source)
            return session.scalars(stmt).one()

    def policy_finding(self, name: str) -> Finding:
        """The uninterpreted_policy finding about the policy of that name."""
        with self.db.session() as session:
            found = [f for f in session.scalars(select(Finding).where(
                Finding.rule == "uninterpreted_policy")) if name in f.evidence["policy_title"]]
        (finding,) = found
        return finding

    def status(self, finding_id: int) -> str:
        with self.db.session() as session:
            found = session.get(Finding, finding_id)
            assert found is not None
            return found.status

    def screenshot(self, page: Page, name: str) -> Path:
        """The whole page as a PNG artefact: the viewport grown to the page's height (a
        full-page capture leaves out-of-process frames such as the snapshot blank)."""
        folder = self.data_dir / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": 1366, "height": min(int(height), 4000)})
        page.wait_for_timeout(300)
        path = folder / name
        page.screenshot(path=str(path))
        page.set_viewport_size({"width": 1366, "height": 900})
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, ARTEFACTS / name)
        return path


def _hostile_finding(db: Database, data_dir: Path) -> int:
    """An uninterpreted-policy finding about the demo's hostile A01 政务动态 item, pointing at a
    snapshot whose HTML carries a live script and a real screenshot of a rendered page."""
    with db.session() as session:
        item, source = session.execute(
            select(Item, Source).join(Source, Source.id == Item.source_id)
            .where(Item.title == HOSTILE_TITLE)).one()
        page = session.scalars(select(Snapshot).where(Snapshot.source_id == source.id)
                               .order_by(Snapshot.id.desc())).first()
        html = repo.read_snapshot_html(session, page) if page else "<html><body></body></html>"
        assert html is not None
        html = html.replace("</body>", '<script>alert("snapshot")</script></body>')
        shot = session.scalars(select(Snapshot.png_path)
                               .where(Snapshot.png_path.is_not(None))).first()
        png = Path(shot).read_bytes() if shot else None
        snapshot_id = repo.save_snapshot(session, data_dir, source_id=source.id,
                                         crawl_run_id=None, url=source.url, html=html, png=png)
        new, _ = repo.save_findings(session, [repo.FindingDraft(
            rule="uninterpreted_policy", unit_id=source.unit_id, subject=f"item:{item.id}",
            period="2021-W34", as_of=AS_OF, points=1.0, source_id=source.id, item_id=item.id,
            snapshot_id=snapshot_id, indicator="A5.1.1",
            evidence={"item_url": item.url, "policy_title": item.title,
                      "published_on": item.published_on.isoformat(), "grace_days": 3,
                      "match_threshold": 0.85, "matched_on": item.title,
                      "candidates": [{"title": HOSTILE_TITLE, "url": "javascript:alert(1)",
                                      "score": 0.2, "by_link": False}]})])
    return new[0]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The demo county crawled and monitored as of AS_OF, served by uvicorn."""
    with serving_demo(AS_OF):
        yield from _serve(tmp_path_factory)


def _serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Crawl and monitor the demo being served, and serve the review app over it."""
    data_dir = tmp_path_factory.mktemp("web") / "data"
    config = config_in(DEMO_CONFIG, data_dir)
    db = gapp.open_database(config)
    try:
        summary = gapp.crawl(config, db, reference_date=AS_OF)
        assert summary.result is not None and summary.result.error is None
        run_monitors(db, config, AS_OF)
        hostile = _hostile_finding(db, data_dir)
        with db.session() as session:
            auth.create_user(session, REVIEWER, PASSWORD, "reviewer")
            auth.create_user(session, VIEWER, PASSWORD, "viewer")
            auth.create_user(session, UNIT_USER, PASSWORD, "unit", ["A01"])
        server = uvicorn.Server(uvicorn.Config(create_app(config, db), host="127.0.0.1",
                                               port=0, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield Served(f"http://127.0.0.1:{port}", db, data_dir, hostile)
        server.should_exit = True
        thread.join(timeout=10)
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS,
                                     headless=True)
        yield chromium
        chromium.close()


Login = Callable[[str], Page]


@pytest.fixture()
def dialogs() -> list[str]:
    """Messages of every alert/confirm/prompt dialog any page opened (there must be none)."""
    return []


@pytest.fixture()
def page_for(browser: Browser, served: Served, dialogs: list[str]) -> Iterator[Login]:
    """Log a user in on a new page, each in its own browser context."""
    contexts = []

    def open_as(name: str) -> Page:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{served.url}/queue")
        expect(page).to_have_url(re.compile(r"/login\?next=/queue$"))
        page.get_by_label("用户名").fill(name)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/queue$"))
        return page

    yield open_as
    for context in contexts:
        context.close()


def _ranking(page: Page, served: Served, unit: str) -> tuple[str, str]:
    """(rank, final score) of a unit on the ranking page."""
    page.goto(f"{served.url}/ranking")
    row = page.locator(f"tr[data-unit='{unit}']")
    return row.locator("td.rank").inner_text(), row.locator("td.final").inner_text()


def test_a_reviewer_filters_reviews_and_moves_the_ranking(page_for: Login,
                                                          served: Served) -> None:
    page = page_for(REVIEWER)
    expect(page.get_by_role("heading", name="待审核")).to_be_visible()
    expect(page.locator("header")).to_contain_text("演示县政务公开监测")
    # B01's measured 多样化解读占比 (its interpretations are text) already deducts
    rank_before, score_before = _ranking(page, served, "B01")

    # filter the queue: one unit's findings only
    page.goto(f"{served.url}/queue")
    page.get_by_label("单位").select_option("B01")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"unit=B01"))
    rows = page.locator("table.grid tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.filter(has_text="政策文件未解读")).to_have_count(3)  # the demo's 3 policies
    expect(rows.filter(has_text="栏目长期未更新")).to_have_count(1)
    expect(page.locator(".tab.current .count")).to_have_text("4")

    # open the policy finding: its class, evidence, the rubric line, the inert snapshot
    policy = served.policy_finding("演示县粮食生产扶持资金管理办法")
    rows.filter(has_text="政策文件未解读").locator(
        f"a[href^='/findings/{policy.id}?back=']").first.click()
    expect(page).to_have_url(re.compile(rf"/findings/{policy.id}\?back="))
    expect(page.locator("h1")).to_contain_text("政策文件未解读")
    expect(page.get_by_text("《演示县粮食生产扶持资金管理办法》").first).to_be_visible()
    expect(page.locator("dd", has_text="B5.1.1 解读咨询回应")).to_be_visible()
    expect(page.locator("dd", has_text="判定依据")).to_contain_text("政策性文件")
    expect(page.locator("dd", has_text="演发改发〔")).to_be_visible()
    candidates = page.locator("table.grid", has_text="解读标题").locator("tbody tr")
    expect(candidates).to_have_count(5)  # near misses by title (also B02's), none with evidence
    expect(candidates.first).to_contain_text("标题相似度0.50")
    expect(candidates.first).to_contain_text("证据不足")
    expect(page.locator("iframe.snapshot")).to_have_attribute("sandbox", "")
    expect(page.frame_locator("iframe.snapshot").locator("body")).to_contain_text(
        "演示县粮食生产扶持资金管理办法")

    # confirm it
    page.get_by_role("button", name="确认问题").click()
    expect(page.locator(".flash-ok")).to_contain_text(f"已确认 1 条问题（审核人：{REVIEWER}）")
    expect(page.locator("h1 .badge")).to_have_text("已确认")
    expect(page.locator("table.grid", has_text="审核人")).to_contain_text(REVIEWER)
    served.screenshot(page, "finding.png")
    assert served.status(policy.id) == "confirmed"

    # bulk-dismiss two crawl failures with one reason
    page.goto(f"{served.url}/queue?rule=crawl_failure&unit=B03")
    boxes = page.locator("input[name=id]")
    expect(boxes).to_have_count(2)
    expect(page.get_by_role("button", name="驳回所选")).to_be_disabled()
    page.locator("#select-all").check()
    expect(page.locator("#selected-count")).to_have_text("2")
    page.get_by_placeholder("处理理由").fill("网站临时维护，已电话核实，非栏目问题")
    page.get_by_role("button", name="驳回所选").click()
    expect(page.locator(".flash-ok")).to_contain_text("已驳回 2 条问题")
    expect(page).to_have_url(re.compile(r"rule=crawl_failure"))
    expect(page.locator("table.grid tbody tr")).to_have_count(1)  # "no findings" row
    with served.db.session() as session:
        dismissed = session.scalars(select(Review).where(Review.to_status == "dismissed")).all()
    assert len(dismissed) == 2
    assert {(r.actor, r.reason) for r in dismissed} == {(REVIEWER, "网站临时维护，已电话核实，非栏目问题")}

    # the ranking follows: B01 loses the confirmed point and does not move up
    rank_after, score_after = _ranking(page, served, "B01")
    assert float(score_after) == float(score_before) - 1
    assert int(rank_after) >= int(rank_before)

    page.goto(f"{served.url}/queue")
    pending = page.locator("table.grid tbody tr").count()
    expect(page.locator(".tab.current .count")).to_have_text(str(pending))
    page.locator("input[name=id]").nth(1).check()
    served.screenshot(page, "queue.png")
    assert (served.data_dir / "screenshots" / "queue.png").stat().st_size > 10_000
    assert (served.data_dir / "screenshots" / "finding.png").stat().st_size > 10_000


def test_a_viewer_cannot_confirm(page_for: Login, served: Served) -> None:
    page = page_for(VIEWER)
    stale = served.finding("A01", "stale_column")
    expect(page.get_by_text("只读账号：可以查看，不能审核。")).to_be_visible()
    expect(page.locator("input[name=id]")).to_have_count(0)
    expect(page.get_by_role("button", name="确认所选")).to_have_count(0)
    page.goto(f"{served.url}/findings/{stale.id}")
    expect(page.get_by_role("button", name="确认问题")).to_have_count(0)
    # a hand-made POST with the viewer's own session and valid token is still refused
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(f"{served.url}/findings/{stale.id}/review",
                                 form={"action": "confirm", "csrf_token": token or ""})
    assert response.status == 403
    assert "只读账号" in response.text()
    assert served.status(stale.id) == "pending"


def test_a_post_without_the_csrf_token_is_refused(served: Served) -> None:
    stale = served.finding("A03", "stale_column")
    with httpx.Client(base_url=served.url, follow_redirects=False) as client:
        login_page = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login_page)
        assert token
        assert client.post("/login", data={"name": REVIEWER, "password": PASSWORD}
                           ).status_code == 403  # the login form is protected too
        logged = client.post("/login", data={"name": REVIEWER, "password": PASSWORD,
                                             "csrf_token": token.group(1)})
        assert logged.status_code == 303
        for form in ({"action": "confirm"}, {"action": "confirm", "csrf_token": "guess"}):
            refused = client.post(f"/findings/{stale.id}/review", data=form)
            assert refused.status_code == 403
            assert "安全令牌" in refused.text
        bulk = client.post("/findings/review", data={"action": "confirm", "id": str(stale.id)})
        assert bulk.status_code == 403
        assert client.get("/queue").status_code == 200  # the session itself is fine
    assert served.status(stale.id) == "pending"


def test_a_hostile_title_renders_as_text(page_for: Login, served: Served,
                                        dialogs: list[str]) -> None:
    page = page_for(REVIEWER)
    page.goto(f"{served.url}/queue?unit=A01&rule=uninterpreted_policy")
    row = page.locator("table.grid tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"《{HOSTILE_TITLE}》")
    row.locator(f"a[href^='/findings/{served.hostile_id}?back=']").first.click()
    expect(page.locator(".lead")).to_contain_text(HOSTILE_TITLE)
    assert "<script>" in page.locator("main").inner_text()
    expect(page.locator("a.ext", has_text=HOSTILE_TITLE).first).to_have_attribute(
        "href", re.compile(r"^http://127\.0\.0\.1"))
    # the candidate's javascript: URL is shown as text, never as a link
    expect(page.locator("a[href^='javascript']")).to_have_count(0)
    expect(page.frame_locator("iframe.snapshot").locator("body")).to_contain_text("政务动态")
    expect(page.locator("img.screenshot")).to_be_visible()
    assert page.evaluate("document.querySelector('img.screenshot').naturalWidth") > 0
    page.wait_for_timeout(500)
    scripts = page.evaluate("[...document.scripts].map(s => s.src || s.text)")
    assert scripts == [f"{served.url}/static/app.js"]
    assert dialogs == []


def test_a_reviewer_searches_and_confirms_one_after_another(page_for: Login,
                                                             served: Served) -> None:
    page = page_for(REVIEWER)
    page.get_by_label("搜索关键词").fill("物业服务")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"q=%E7%89%A9"))
    rows = page.locator("table.grid tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("物业服务收费管理办法")
    first = served.policy_finding("关于印发《演示县物业服务收费管理办法》的通知")
    rows.first.locator(f"a[href^='/findings/{first.id}?back=']").first.click()
    expect(page.get_by_role("button", name="确认并下一条")).to_be_visible()
    page.get_by_role("button", name="确认并下一条").click()
    # the search found one pending finding: confirmed, the reviewer is back at that queue
    expect(page).to_have_url(re.compile(r"/queue\?status=pending&q="))
    expect(page.locator(".flash-ok").first).to_contain_text("已确认 1 条问题")
    expect(page.locator(".flash-ok").last).to_contain_text("待审核的问题已全部处理")
    assert served.status(first.id) == "confirmed"

    # without a search, the next one of the whole queue opens
    page.goto(f"{served.url}/queue")
    page.locator("table.grid tbody tr a[href^='/findings/']").first.click()
    before = int(re.search(r"/findings/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    page.get_by_role("button", name="确认并下一条").click()
    expect(page).to_have_url(re.compile(r"/findings/\d+\?back="))
    after = int(re.search(r"/findings/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    assert after != before and served.status(before) == "confirmed"
    assert served.status(after) == "pending"


def test_a_reviewer_approves_the_bulletin_and_voids_an_entry(page_for: Login,
                                                             served: Served) -> None:
    page = page_for(REVIEWER)
    # the week's bulletin: drafted, then approved and published with its 文号
    page.goto(f"{served.url}/bulletins")
    page.get_by_role("button", name="生成草稿").click()
    expect(page.get_by_role("button", name="审核通过并发布")).to_be_visible()
    expect(page.locator("iframe.snapshot")).to_have_attribute("sandbox", "")
    page.get_by_role("button", name="审核通过并发布").click()
    expect(page.locator(".flash-ok").first).to_be_visible()
    published = page.locator("table.grid tbody tr").first
    expect(published).to_contain_text("已发布")
    expect(published).to_contain_text(re.compile(r"〔\d{4}〕1号"))
    expect(page.get_by_role("button", name="审核通过并发布")).to_have_count(0)

    # a manual entry typed by mistake: added, then voided with a reason, kept as history
    page.goto(f"{served.url}/entries?year=2021")
    page.locator("select[name=unit]").select_option("B04")
    page.locator("select[name=kind]").select_option("重大扣分")
    page.locator("input[name=ref]").fill("B-ZD1")
    page.locator("input[name=year]").fill("2021")
    page.locator("textarea[name=note]").fill("县政府通报〔2021〕9号")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-ok")).to_contain_text("已录入第")
    row = page.locator("table.grid tbody tr", has_text="县政府通报〔2021〕9号")
    expect(row).to_have_count(1)
    row.get_by_placeholder("作废原因").fill("录错单位，应为 B03")
    row.get_by_role("button", name="作废").click()
    expect(page.locator(".flash-ok")).to_contain_text("已作废第")
    history = page.locator("table.voided tbody tr", has_text="县政府通报〔2021〕9号")
    expect(history).to_contain_text("录错单位，应为 B03")
    expect(history).to_contain_text(REVIEWER)


def test_a_unit_user_sees_its_unit_and_submits_a_rectification(page_for: Login,
                                                               served: Served) -> None:
    stale = served.finding("A01", "stale_column")
    other = served.finding("B01", "stale_column")
    reviewer = page_for(REVIEWER)
    reviewer.goto(f"{served.url}/findings/{stale.id}")
    reviewer.get_by_role("button", name="确认问题").click()
    expect(reviewer.locator("h1 .badge")).to_have_text("已确认")

    page = page_for(UNIT_USER)
    expect(page.locator("header .role")).to_have_text("被考核单位")
    page.goto(f"{served.url}/queue?status=all")
    units = page.locator("table.grid tbody tr td:nth-child(2)")
    assert units.count() > 0
    assert {t.split()[0] for t in units.all_inner_texts()} == {"A01"}
    expect(page.get_by_role("link", name="人工录入")).to_have_count(0)
    assert page.request.get(f"{served.url}/findings/{other.id}").status == 404

    page.goto(f"{served.url}/findings/{stale.id}")
    expect(page.get_by_role("button", name="确认问题")).to_have_count(0)
    page.get_by_label("整改说明").fill("已于当日补发栏目信息。")
    page.get_by_label("佐证链接（选填）").fill("https://portal.example/a01/tzgg/")
    page.get_by_role("button", name="提交整改说明").click()
    expect(page.locator(".flash-ok")).to_contain_text(f"已提交整改说明（提交人：{UNIT_USER}）")
    expect(page.locator("#rectification tbody tr")).to_contain_text("已于当日补发栏目信息。")
    expect(page.locator("#rectification tbody tr")).to_contain_text("待下次监测复核")

    reviewer.goto(f"{served.url}/queue?status=confirmed&unit=A01")
    expect(reviewer.locator("tr", has_text=f"#{stale.id}").locator(".badge.statement")
           ).to_have_text("已提交整改说明")
