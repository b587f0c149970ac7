"""The policy rule's traps on the demo portal, crawled for real (Scrapy, SQLite), and a
reviewer's 非政策性文件 exclusion through the web app.

The traps (``demo_portal.site.POLICIES``): a 公布名单 notice and a contest notice in the policy
column (classified out, no pattern in the config names them); this year's work points beside
last year's interpretation of the same name (a finding); a joint interpretation naming two
policies (both interpreted); an interpretation whose title shares little with its policy but
whose text cites the policy's 文号 (interpreted); an interpretation titled like one policy whose
page links to another (the other is interpreted, the first gets a finding).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from demo_portal import DemoPortal
from demo_portal.site import POLICIES
from govwatch.cli import app
from govwatch.config import CountyConfig
from monitors.runner import run_monitors
from storage import repo
from storage.db import Database
from storage.models import Item, PolicyExclusion, Review, Source, Unit
from web import auth
from web.app import create_app

from .conftest import DEMO_CONFIG, config_in, serving_demo

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

AS_OF = date(2021, 9, 8)
DOCS = {p.key: p for p in POLICIES}


@dataclass
class Demo:
    config: CountyConfig
    db: Database
    portal: DemoPortal

    def title(self, key: str) -> str:
        doc = DOCS[key]
        return doc.title.format(y=(AS_OF - timedelta(days=doc.age)).year)

    def findings(self) -> dict[str, repo.FindingRow]:
        """The policy findings by the key of the planted entry they are about."""
        with self.db.session() as session:
            rows = repo.list_findings(session, rule="uninterpreted_policy")
        return {next(k for k, d in DOCS.items() if d.names(r.evidence["policy_title"])): r
                for r in rows}

    def classes(self) -> dict[str, tuple[str | None, str | None]]:
        with self.db.session() as session:
            rows = session.execute(select(Item.title, Item.doc_class, Item.doc_class_reason)
                                   .join(Source).where(Source.kind == "policy")).all()
        return {k: next((c, r) for t, c, r in rows if t == self.title(k)) for k in DOCS}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with serving_demo(AS_OF) as portal:
        config = config_in(DEMO_CONFIG, tmp_path_factory.mktemp("policy") / "data")
        db = app.open_database(config)
        summary = app.crawl(config, db, unit_code="B01", reference_date=AS_OF)
        assert summary.result is not None and summary.result.error is None
        run_monitors(db, config, AS_OF)
        yield Demo(config, db, portal)
        db.dispose()


def test_the_traps_behave_as_planted(demo: Demo) -> None:
    findings = demo.findings()
    assert set(findings) == {p.key for p in POLICIES if p.expect_finding()} == {"P2", "P9", "P13"}
    classes = demo.classes()
    assert classes["N3"] == ("not_policy", "公布名单/结果：「公布2021年度全县优化营商环境先进单位名单」")
    assert classes["N4"] == ("not_policy", "举办/开展活动：「举办」")
    assert classes["N1"] == ("not_policy", "栏目排除规则：任职")  # the config's pattern wins
    assert classes["P9"][0] == "yearly_work" and classes["P10"][0] == "policy"


def test_each_finding_shows_its_class_and_the_evidence_weighed(demo: Demo) -> None:
    findings = demo.findings()
    work_points = findings["P9"].evidence
    assert work_points["policy_class"] == "yearly_work"
    assert work_points["doc_numbers"] == ["演政办发〔2021〕21号"]
    last_year = next(c for c in work_points["candidates"] if "2020年" in c["title"])
    assert last_year["strength"] == 0
    assert last_year["detail"] == "名称相同但年份、版本或批次不同：演示县2020年政务公开工作要点"

    fees = findings["P13"].evidence  # the interpretation titled like it links to P14
    (misleading,) = [c for c in fees["candidates"] if c["title"] == DOCS["P14"].interpretation]
    assert misleading["vetoed"] == "解读页面链接到另一份文件"
    assert [p["title"] for p in misleading["explains_instead"]] == [demo.title("P14")]


def test_interpretations_are_stored_with_their_text_and_read_once(demo: Demo) -> None:
    settled = AS_OF - timedelta(days=app.SETTLING_DAYS)
    with demo.db.session() as session:
        cited = session.scalar(select(Item.body).where(Item.title == DOCS["P12"].interpretation))
        columns = {s.kind: s.id for s in session.scalars(
            select(Source).join(Unit, Unit.id == Source.unit_id)
            .where(Unit.code == "B01", Source.kind.in_(("policy", "interpretation"))))}
        known = repo.read_articles(session, columns.values(), settled)
        read = {kind: session.scalars(select(Item.url).where(
            Item.source_id == sid, Item.body.is_not(None))).all()
            for kind, sid in columns.items()}
        recent = session.scalar(select(func.count()).select_from(Item).where(
            Item.source_id == columns["interpretation"], Item.published_on >= settled))
        open_policies = {r.item_url for r in demo.findings().values()}
    assert cited is not None and "演农发〔2021〕6号" in cited
    # articles with an open finding are read again (the page may change to answer it)
    assert open_policies and not open_policies & set(known[columns["policy"]])
    assert set(known[columns["policy"]]) < set(read["policy"])
    # a second crawl of the interpretation column opens only the recent articles again
    again = app.crawl(demo.config, demo.db, unit_code="B01", source_name="政策解读",
                      reference_date=AS_OF)
    assert recent >= 1
    assert again.result is not None and again.result.pages <= 2 + recent  # list, robots.txt


def test_a_reviewer_excludes_a_title_as_no_policy_file(demo: Demo) -> None:
    """Dismissed as 非政策性文件 in the web app: audited, and never flagged again."""
    finding = demo.findings()["P2"]
    with demo.db.session() as session:
        auth.create_user(session, "审核员甲", "correct horse 42", "reviewer")
    client = TestClient(create_app(demo.config, demo.db, secret_key="test-secret"),
                        base_url="http://127.0.0.1", follow_redirects=False)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"name": "审核员甲", "password": "correct horse 42",
                                "csrf_token": token})
    page = client.get(f"/findings/{finding.id}")
    assert "判定依据" in page.text and 'name="not_policy"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    done = client.post(f"/findings/{finding.id}/review",
                       data={"action": "dismiss", "not_policy": "1", "reason": "内部管理办法",
                             "csrf_token": token})
    assert done.status_code == 303
    assert "加入该单位非政策性文件排除名单" in client.get(f"/findings/{finding.id}").text
    with demo.db.session() as session:
        (exclusion,) = session.scalars(select(PolicyExclusion)).all()
        review = session.scalars(select(Review).where(Review.finding_id == finding.id)).one()
    assert (exclusion.title, exclusion.created_by, exclusion.finding_id,
            exclusion.unit_id) == (demo.title("P2"), "审核员甲", finding.id, finding_unit(demo))
    assert (review.to_status, review.reason) == ("dismissed", "非政策性文件：内部管理办法")
    # the next monitor run, weeks later, does not flag it again
    run_monitors(demo.db, demo.config, AS_OF + timedelta(days=7))
    later = demo.findings()
    assert later["P2"].status == "dismissed" and later["P2"].id == finding.id
    with demo.db.session() as session:
        rows = repo.list_findings(session, rule="uninterpreted_policy")
    assert sum(1 for r in rows if DOCS["P2"].names(r.evidence["policy_title"])) == 1
    cls, reason = demo.classes()["P2"]
    assert cls == "not_policy" and reason is not None and reason.startswith("审核排除（审核员甲，")
    # reopened, the ruling is taken back: the item is judged again
    with demo.db.session() as session:
        repo.review_findings(session, [finding.id], to_status="pending", actor="审核员甲",
                             reason="误判，确为政策文件")
        assert session.scalars(select(PolicyExclusion)).all() == []
    run_monitors(demo.db, demo.config, AS_OF + timedelta(days=7))
    assert demo.classes()["P2"][0] == "policy"


def finding_unit(demo: Demo) -> int:
    with demo.db.session() as session:
        return session.scalar(select(Unit.id).where(Unit.code == "B01"))


def test_the_bulletin_reads_the_monitors_verdicts_or_matches_alike(demo: Demo) -> None:
    """整改情况 reads the verdict the monitor stored on each judged policy; without a recent
    enough run it matches the same way and finds the same."""
    from reports.interpretations import _matched, explaining_titles

    with demo.db.session() as session:
        ids = [i for (i,) in session.execute(select(Item.id).join(Source)
                                             .where(Source.kind == "policy"))]
        settings = (0.85, 30)
        stored = repo.stored_verdicts(session, "uninterpreted_policy", ids)
        # (the test before ran the monitors a week later)
        assert len(stored) >= 8 and all(v.judged_as_of >= AS_OF for v in stored.values())
        read = explaining_titles(session, [(i, settings) for i in ids], AS_OF)
        matched = _matched(session, [(i, settings) for i in ids], AS_OF)
    assert read == matched
    with demo.db.session() as session:
        by_title = {t: i for i, t in session.execute(select(Item.id, Item.title)
                                                    .where(Item.id.in_(ids)))}
    assert read[by_title[demo.title("P12")]] == DOCS["P12"].interpretation
    assert read[by_title[demo.title("P11")]] == DOCS["P10"].interpretation  # joint
    assert read[by_title[demo.title("P2")]] is None


def test_the_unit_page_lists_every_policy_item_with_its_class_and_verdict(demo: Demo) -> None:
    with demo.db.session() as session:
        auth.create_user(session, "查看员乙", "correct horse 42", "viewer")
    client = TestClient(create_app(demo.config, demo.db, secret_key="test-secret"),
                        base_url="http://127.0.0.1", follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"name": "查看员乙", "password": "correct horse 42",
                                "csrf_token": token})
    page = client.get("/units/B01").text
    section = page.split("政策文件判定")[1].split("</section>")[0]
    assert "公布名单/结果：「公布2021年度全县优化营商环境先进单位名单」" in section
    assert "非政策性文件" in section and "年度工作安排" in section
    assert DOCS["P12"].interpretation in section and "解读正文引用了文号" in section
    assert "未见解读" in section
