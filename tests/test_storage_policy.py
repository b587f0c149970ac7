"""What the policy rule stores, on SQLite and PostgreSQL: article texts (kept when a later
crawl only sees the list), item classes and verdicts with the run's date, reviewers'
exclusions, and the articles the crawler need not open again."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from storage import repo
from storage.db import Database
from storage.models import Item, Source, Unit

DAY = date(2021, 8, 30)


def _columns(db: Database) -> tuple[int, int]:
    """(policy column id, interpretation column id) of one unit."""
    with db.session() as session:
        unit = Unit(code="B01", name="县发改局", category="B", county="测试县")
        session.add(unit)
        session.flush()
        ids = []
        for name, kind in (("政策文件", "policy"), ("政策解读", "interpretation")):
            source = Source(unit_id=unit.id, name=name, type="column", kind=kind,
                            url=f"http://x.gov.cn/{kind}/", render="static",
                            expect_update=False, thresholds={})
            session.add(source)
            session.flush()
            ids.append(source.id)
        return ids[0], ids[1]


def test_article_texts_are_kept_until_the_article_is_read_again(any_db: Database) -> None:
    policy, interp = _columns(any_db)
    body = "冀科平规〔2024〕1号 " + "正文" * 20_000
    with any_db.session() as session:
        repo.store_items(session, interp, [repo.ItemRecord(
            "http://x.gov.cn/i/1.html", "《办法》解读", DAY, content_hash="a" * 64,
            links=["http://x.gov.cn/p/1.html"], body=body[:20_000],
            media={"images": 0, "text_chars": 40_000, "videos": 0, "audios": 0, "h5": 0})])
        # read before its media were kept: read again (its form needs them)
        repo.store_items(session, interp, [repo.ItemRecord(
            "http://x.gov.cn/i/2.html", "《规定》解读", DAY, content_hash="b" * 64, body="正文")])
        # the next crawl sees the list entry only: nothing read from the article is lost
        repo.store_items(session, interp, [repo.ItemRecord("http://x.gov.cn/i/1.html",
                                                           "《办法》解读", DAY)])
        fact = repo.items_of_kind(session, "interpretation", DAY, body_chars=100)[0]
        assert fact.body == body[:100] and fact.links == ["http://x.gov.cn/p/1.html"]
        assert repo.items_of_kind(session, "interpretation", DAY)[0].body == ""  # not read
        known = repo.read_articles(session, [interp, policy])
    assert known == {interp: {"http://x.gov.cn/i/1.html": ("《办法》解读", DAY)}, policy: {}}


def test_classes_and_verdicts_with_the_run_they_speak_of(any_db: Database) -> None:
    policy, interp = _columns(any_db)
    with any_db.session() as session:
        repo.store_items(session, policy, [
            repo.ItemRecord(f"http://x.gov.cn/p/{k}.html", title, DAY)
            for k, title in enumerate(("关于印发《停车管理办法》的通知", "关于公布先进单位名单的通知"))])
        repo.store_items(session, interp, [
            repo.ItemRecord("http://x.gov.cn/i/9.html", "《停车管理办法》解读", date(2021, 9, 1))])
        ids = {t: i for i, t in session.execute(select(Item.id, Item.title))}
        rules = ids["关于印发《停车管理办法》的通知"]
        names = ids["关于公布先进单位名单的通知"]
        reading = ids["《停车管理办法》解读"]
        assert repo.stored_verdicts(session, "uninterpreted_policy", [rules]) == {}  # no run
        repo.save_policy_states(session, "uninterpreted_policy", date(2021, 9, 8), [
            (rules, ("policy", "印发文件：《停车管理办法》", reading, "解读标题与文件名称一致：标题：停车管理办法")),
            (names, ("not_policy", "公布名单/结果：「公布先进单位名单」", None, None))])
        assert repo.policy_states(session, date(2021, 9, 8))[names] == (
            "not_policy", "公布名单/结果：「公布先进单位名单」", None, None)
        verdicts = repo.stored_verdicts(session, "uninterpreted_policy", [rules, names])
        assert verdicts == {rules: repo.StoredVerdict(date(2021, 9, 8), "《停车管理办法》解读",
                                                       date(2021, 9, 1))}
        # a later run moves the date; an item it no longer judges loses its verdict
        repo.save_policy_states(session, "uninterpreted_policy", date(2021, 9, 15), [
            (rules, ("policy", "印发文件：《停车管理办法》", None, None))])
        assert repo.stored_verdicts(session, "uninterpreted_policy", [rules]) == {}


def test_a_reviewers_exclusion_is_recorded_once_with_who_and_when(any_db: Database) -> None:
    _columns(any_db)
    with any_db.session() as session:
        unit = session.scalar(select(Unit.id))
        title = "关于张三同志任职的通知"
        assert repo.add_policy_exclusion(session, f" {title} ", unit_id=unit, actor="王芳",
                                         reason="非政策性文件")
        assert not repo.add_policy_exclusion(session, title, unit_id=unit, actor="李明")
        assert repo.add_policy_exclusion(session, title, actor="李明")  # county-wide: another
        assert not repo.add_policy_exclusion(session, title, actor="李明")
        assert repo.add_policy_exclusion(session, "长" * 5000, unit_id=unit, actor="王芳")
        exclusions = repo.policy_exclusions(session)
    assert set(exclusions) == {(unit, title), (None, title), (unit, "长" * 300)}
    assert exclusions[(unit, title)].startswith("审核排除（王芳，")
