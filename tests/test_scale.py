"""The set-based paths the benchmark asked for behave as the row-by-row ones did.

- ``InterpretationIndex`` gives the same verdicts and candidates as the full comparison
  (``candidates``) when every interpretation is in the fuzzy block, with or without the
  policies announced up front (``Containment``), and blocks fuzzy matches across units that
  publish their own policies (links and title containment still cross);
- bulk ``save_findings``: repeated keys, pending refresh, reviewed findings kept;
- ``posts_in_ranges`` equals ``posts_between`` per range;
- ``source_facts`` facts from grouped queries; migration 0005's indexes exist.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import inspect

from govwatch.timeutil import CHINA
from monitors import uninterpreted_policy as up
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


def test_index_equals_the_full_comparison_when_everything_is_one_block() -> None:
    rng = random.Random(7)
    interps = [_post(100 + i, t, 21) for i, t in enumerate(_random_titles(rng, 60))]
    interps[3] = replace(interps[3], links=["http://x.gov.cn/20/5.html#top"])
    policies = [_post(i, t, 20) for i, t in enumerate(_random_titles(rng, 80))]
    policies[7] = replace(policies[7], links=[interps[10].url])
    index = up.InterpretationIndex(interps)  # no unit info: every interpretation is shared
    for policy in policies:
        full = up.candidates(policy, interps)
        assert index.candidates(policy, None) == full
        for threshold in (0.85, 0.6):
            expected = any(c.by_link or c.score >= threshold for c in full)
            matched, near = index.verdict(policy, None, threshold)
            assert matched == expected
            if not matched:
                assert near == full


def test_index_with_announced_policies_equals_one_without() -> None:
    """Containment found for all announced policies at once (Aho–Corasick) is what each
    policy's own search finds, for titles announced or not."""
    rng = random.Random(11)
    interps = [_post(100 + i, t, 21) for i, t in enumerate(_random_titles(rng, 80))]
    policies = [_post(i, t, 20) for i, t in enumerate(_random_titles(rng, 120))]
    plain = up.InterpretationIndex(interps)
    announced = up.InterpretationIndex(interps, policy_titles=[p.title for p in policies[:60]])
    for policy in policies:
        assert announced.candidates(policy, None) == plain.candidates(policy, None)
        assert announced.verdict(policy, None, 0.85) == plain.verdict(policy, None, 0.85)


def test_containment_both_ways_and_only_from_six_characters_inside() -> None:
    cores = ["粮食生产扶持资金管理办法", "扶持资金", "生产扶持资金管理", "", "停车"]
    for containment in (up.Containment(cores), up.Containment(cores, ["扶持资金", "停车"])):
        assert containment.of("扶持资金") == {0, 1, 2}  # 1 equals it, 0 and 2 hold it
        assert containment.of("粮食生产扶持资金管理办法") == {0, 2}  # 1 is too short inside
        assert containment.of("停车") == {4}
        assert containment.of("城区停车管理") == set()  # "停车" is too short to lie inside
        assert containment.of("") == set()


def test_fuzzy_matches_stay_within_the_unit_links_and_containment_cross() -> None:
    policy = _post(1, "演示县粮食生产扶持资金管理办法", 20)
    reworded = _post(50, "演示县粮食生产扶持管理办法解读", 31)  # fuzzy only (≈ 0.93)
    contained = _post(51, "《演示县粮食生产扶持资金管理办法》政策解读", 31)
    linked = _post(52, "图解：新规来了", 31, links=[policy.url])
    units = {20: 1, 21: 1, 30: 2, 31: 2}  # unit 2 publishes its own policies (source 30)
    policy_units = {1, 2}
    assert up.title_score(policy.title, reworded.title) >= 0.85
    assert not up.InterpretationIndex([reworded], units, policy_units).matched(policy, 1, 0.85)
    assert up.InterpretationIndex([reworded], units, {1}).matched(policy, 1, 0.85)  # shared
    assert up.InterpretationIndex([reworded], {**units, 31: 1}, policy_units).matched(
        policy, 1, 0.85)
    assert up.InterpretationIndex([contained], units, policy_units).matched(policy, 1, 0.85)
    assert up.InterpretationIndex([linked], units, policy_units).matched(policy, 1, 0.85)


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


def test_source_facts_from_grouped_queries(sqlite_db: Database) -> None:
    sid = _source(sqlite_db)
    t0 = datetime(2021, 9, 1, 2, tzinfo=CHINA)
    with sqlite_db.session() as session:
        repo.store_items(session, sid, [
            ItemRecord("http://x.gov.cn/a", "甲", date(2021, 9, 5)),
            ItemRecord("http://x.gov.cn/b", "乙", date(2021, 9, 5)),
            ItemRecord("http://x.gov.cn/c", "丙", date(2021, 9, 9)),  # after as_of
            ItemRecord("http://x.gov.cn/d", "丁", date(2021, 7, 1))])
        for day, outcome in enumerate(("ok", "timeout", "ok", "http_error", "timeout")):
            run = repo.open_crawl_run(session, sid, started_at=t0 + timedelta(days=day))
            repo.close_crawl_run(session, run, outcome=outcome)
        repo.open_crawl_run(session, sid, started_at=t0 + timedelta(days=6))  # running
    with sqlite_db.session() as session:
        (f,) = repo.source_facts(session, date(2021, 9, 8))
    assert (f.newest_title, f.newest_published_on) == ("甲", date(2021, 9, 5))
    assert f.oldest_published_on == date(2021, 7, 1)
    assert f.last_run_outcome == "timeout" and f.last_run_started == t0 + timedelta(days=4)
    assert f.first_ok_at == t0 and f.failing_since == t0 + timedelta(days=3)


def test_migration_0005_adds_the_indexes(any_db: Database) -> None:
    inspector = inspect(any_db.engine)
    runs = {i["name"]: i["column_names"] for i in inspector.get_indexes("crawl_run")}
    snaps = {i["name"]: i["column_names"] for i in inspector.get_indexes("snapshot")}
    assert runs["ix_crawl_run_source_outcome"] == ["source_id", "outcome", "started_at"]
    assert snaps["ix_snapshot_source"] == ["source_id"]
