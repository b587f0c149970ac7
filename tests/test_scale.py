"""The set-based paths the benchmark asked for behave as the row-by-row ones did.

- the policy ``Matcher`` gives the same verdicts as a comparison of every pair when every
  interpretation is in the fuzzy block, and blocks fuzzy matches across units that publish
  their own policies (links and names still cross);
- bulk ``save_findings``: repeated keys, pending refresh, reviewed findings kept;
- ``posts_in_ranges`` equals ``posts_between`` per range;
- ``source_facts`` facts from set-based queries; migration 0005's indexes exist.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import inspect

from govwatch.timeutil import CHINA
from monitors.policy_match import InterpretationDoc, Matcher, PolicyDoc, assign
from storage import repo
from storage.db import Database
from storage.models import Source, Unit
from storage.repo import FindingDraft, ItemRecord, PostFact

PLACES = ("演示县", "城关镇", "河西镇", "县发改局")
TOPICS = ("优化营商环境", "农村人居环境整治", "粮食生产扶持资金", "城区停车", "校舍安全",
          "招商引资优惠政策", "重点项目建设")
KINDS = ("若干措施", "实施方案", "管理办法", "工作要点", "管理规定")


def _post(i: int, title: str, source_id: int, links: list[str] | None = None) -> PostFact:
    return PostFact(i, source_id, f"http://x.gov.cn/{source_id}/{i}.html", title,
                    date(2021, 8, 1), None, links or [], None)


def _random_titles(rng: random.Random, n: int) -> list[str]:
    titles = []
    for _ in range(n):
        core = f"{rng.choice(PLACES)}{rng.choice(TOPICS)}{rng.choice(KINDS)}"
        if rng.random() < 0.3:
            core = core[:-2] if rng.random() < 0.5 else core[2:]
        titles.append(rng.choice((f"关于印发《{core}》的通知", f"《{core}》政策解读",
                                  f"一图读懂｜{core}", f"关于{core}的解读", core,
                                  f"{core}（演政发〔2021〕{rng.randint(1, 30)}号）",
                                  f"图解：{rng.choice(TOPICS)}新规来了")))
    return titles


def _doc(post: PostFact, unit: int | None = None, *, policy: bool) -> PolicyDoc | InterpretationDoc:
    kind = PolicyDoc if policy else InterpretationDoc
    return kind(post.item_id, post.url, post.title, post.published_on, "", tuple(post.links), unit)


def test_matcher_equals_the_full_comparison_when_everything_is_one_block() -> None:
    """The indexed candidates (links, 文号, base names, fuzzy pools) lose nothing: every
    policy is explained by exactly the interpretations a comparison of every pair finds."""
    rng = random.Random(7)
    interps = [_post(100 + i, t, 21) for i, t in enumerate(_random_titles(rng, 60))]
    interps[3] = replace(interps[3], links=["http://x.gov.cn/20/5.html#top"])
    policies = [_post(i, t, 20) for i, t in enumerate(_random_titles(rng, 80))]
    policies[7] = replace(policies[7], links=[interps[10].url])
    pdocs = [_doc(p, policy=True) for p in policies]
    idocs = [_doc(i, policy=False) for i in interps]
    for threshold in (0.85, 0.6):
        matcher = Matcher(pdocs, idocs, threshold=threshold)
        full: dict[int, set[int]] = {p.key: set() for p in pdocs}
        for interp in idocs:
            scored = {p.key: (p, matcher.score(p, interp)) for p in pdocs}
            for key in assign(interp, scored):
                full[key].add(interp.key)
        found = {p.key: {w.interp.key for w in matcher.verdict(p.key).explaining}
                 for p in pdocs}
        assert found == full
        assert any(found.values())  # the titles do match now and then


def test_fuzzy_matches_stay_within_the_unit_links_and_names_cross() -> None:
    policy = _post(1, "演示县粮食生产扶持资金管理办法", 20)
    reworded = _post(50, "演示县粮食生产扶持管理办法解读", 31)  # fuzzy only (≈ 0.93)
    named = _post(51, "《演示县粮食生产扶持资金管理办法》政策解读", 31)
    linked = _post(52, "图解：新规来了", 31, links=[policy.url])

    def explained(interp: PostFact, interp_unit: int, policy_units: set[int]) -> bool:
        matcher = Matcher([_doc(policy, 1, policy=True)],
                          [_doc(interp, interp_unit, policy=False)], policy_units=policy_units)
        return matcher.verdict(1).explained

    assert not explained(reworded, 2, {1, 2})  # unit 2 publishes and interprets its own
    assert explained(reworded, 2, {1})  # unit 2 has no policy column: it interprets for all
    assert explained(reworded, 1, {1, 2})  # the policy's own unit
    assert explained(named, 2, {1, 2})
    assert explained(linked, 2, {1, 2})


def _source(db: Database, code: str = "A01", name: str = "通知公告",
            kind: str = "general") -> int:
    with db.session() as session:
        unit = session.query(Unit).filter_by(code=code).one_or_none()
        if unit is None:
            unit = Unit(code=code, name="城关镇", category="A", county="测试县")
            session.add(unit)
            session.flush()
        source = Source(unit_id=unit.id, name=name, type="column", kind=kind,
                        url=f"http://x.gov.cn/{name}/", render="static", expect_update=True,
                        thresholds={})
        session.add(source)
        session.flush()
        return source.id


def _draft(subject: str, period: str = "2021-W36", **evidence: object) -> FindingDraft:
    return FindingDraft(rule="stale_column", unit_id=1, subject=subject, period=period,
                        as_of=date(2021, 9, 8), points=1, evidence=dict(evidence))


def test_bulk_save_findings_keeps_the_row_by_row_meaning(sqlite_db: Database) -> None:
    _source(sqlite_db)
    with sqlite_db.session() as session:
        saved = repo.save_findings_detailed(session, [
            _draft("source:1", n=1), _draft("source:2", n=1), _draft("source:1", n=2)])
    (a, new_a), (b, new_b), (again, new_again) = saved
    assert (new_a, new_b, new_again) == (True, True, False) and again == a and a != b
    with sqlite_db.session() as session:
        repo.review_findings(session, [b], to_status="confirmed", actor="张三")
    with sqlite_db.session() as session:
        new, known = repo.save_findings(session, [_draft("source:1", n=3),
                                                  _draft("source:2", n=3),
                                                  _draft("source:3", n=3)])
    assert known == [a, b] and len(new) == 1
    with sqlite_db.session() as session:
        rows = {r.id: r for r in repo.list_findings(session)}
    assert rows[a].evidence == {"n": 3}  # pending: latest evidence
    assert rows[b].evidence == {"n": 1} and rows[b].status == "confirmed"  # reviewed: kept


def test_posts_in_ranges_equals_posts_between(sqlite_db: Database) -> None:
    ids = [_source(sqlite_db, name=f"账号{i}") for i in range(3)]
    start = date(2021, 8, 30)
    with sqlite_db.session() as session:
        for k, sid in enumerate(ids):
            repo.store_items(session, sid, [
                ItemRecord(f"http://x.gov.cn/{sid}/{d}", f"第{d}条", start + timedelta(days=d),
                           published_at=datetime(2021, 8, 30, 9, tzinfo=CHINA)
                           + timedelta(days=d)) for d in range(0, 14, k + 1)])
    ranges = [(sid, start + timedelta(weeks=w), start + timedelta(weeks=w, days=6))
              for sid in ids for w in (0, 1)]
    with sqlite_db.session() as session:
        found = repo.posts_in_ranges(session, ranges, chunk=2)
        for sid, first, last in ranges:
            assert found[(sid, first, last)] == repo.posts_between(session, sid, first, last)


def test_source_facts_from_set_based_queries(any_db: Database) -> None:
    """The newest and oldest items sought per source, the runs grouped: on both databases,
    a source without items or runs among them, and only the kinds asked for."""
    sid = _source(any_db)
    bare = _source(any_db, name="政策文件", kind="policy")  # no items, no runs
    t0 = datetime(2021, 9, 1, 2, tzinfo=CHINA)
    with any_db.session() as session:
        repo.store_items(session, sid, [
            ItemRecord("http://x.gov.cn/a", "甲", date(2021, 9, 5)),
            ItemRecord("http://x.gov.cn/b", "乙", date(2021, 9, 5)),
            ItemRecord("http://x.gov.cn/c", "丙", date(2021, 9, 9)),  # after as_of
            ItemRecord("http://x.gov.cn/d", "丁", date(2021, 7, 1)),
            ItemRecord("http://x.gov.cn/e", "戊", None)])  # undated: neither newest nor oldest
        for day, outcome in enumerate(("ok", "timeout", "ok", "http_error", "timeout")):
            run = repo.open_crawl_run(session, sid, started_at=t0 + timedelta(days=day))
            repo.close_crawl_run(session, run, outcome=outcome)
        repo.open_crawl_run(session, sid, started_at=t0 + timedelta(days=6))  # running
    with any_db.session() as session:
        f, empty = repo.source_facts(session, date(2021, 9, 8))
        (policy,) = repo.source_facts(session, date(2021, 9, 8), kinds=["policy"])
        (early,) = repo.source_facts(session, date(2021, 7, 1), kinds=["general"])
        (none_yet,) = repo.source_facts(session, date(2021, 6, 30), kinds=["general"])
    assert (f.source_id, empty.source_id, policy.source_id) == (sid, bare, bare)
    assert (f.newest_title, f.newest_published_on) == ("甲", date(2021, 9, 5))
    assert f.oldest_published_on == date(2021, 7, 1)
    assert f.last_run_outcome == "timeout" and f.last_run_started == t0 + timedelta(days=4)
    assert f.first_ok_at == t0 and f.failing_since == t0 + timedelta(days=3)
    assert (early.newest_title, early.newest_published_on) == ("丁", date(2021, 7, 1))
    assert (none_yet.newest_item_id, none_yet.oldest_published_on) == (None, date(2021, 7, 1))
    for bare_facts in (empty, policy):
        assert (bare_facts.newest_item_id, bare_facts.newest_published_on,
                bare_facts.oldest_published_on, bare_facts.last_run_id,
                bare_facts.first_ok_at, bare_facts.failing_since) == (None,) * 6


def test_migration_0005_adds_the_indexes(any_db: Database) -> None:
    inspector = inspect(any_db.engine)
    runs = {i["name"]: i["column_names"] for i in inspector.get_indexes("crawl_run")}
    snaps = {i["name"]: i["column_names"] for i in inspector.get_indexes("snapshot")}
    assert runs["ix_crawl_run_source_outcome"] == ["source_id", "outcome", "started_at"]
    assert snaps["ix_snapshot_source"] == ["source_id"]
