"""The policy rule's documents kept between runs (``uninterpreted_policy.KeptDocuments``).

A document rebuilt from the worked-out fields an earlier run kept is the document worked out
afresh — names, 文号, issue date, citations — for crafted policies and interpretations and for
the real department's pages (``make eval``'s; skipped when ``../shared/real-corpus`` is
absent); an item whose fields changed is worked out again. Over a generated province store,
``run_monitors`` stores the same findings from kept documents as without them, and keeps
nothing when the cache is off.
"""

from __future__ import annotations

import pickle
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from govwatch.beside import FORK_ENV
from govwatch.cli import app
from govwatch.config import load_config
from monitors import runner, uninterpreted_policy
from monitors.policy_class import Classification, ClassPolicy
from monitors.policy_match import InterpretationDoc, Matcher, PolicyDoc
from monitors.uninterpreted_policy import KeptDocuments
from storage.repo import PostFact, SourceFacts
from tests.test_monitors_beside import AS_OF, generated_store

DAY = date(2024, 8, 22)


def fact(key: int, title: str, body: str = "", links: tuple[str, ...] = (),
         published: date = DAY) -> PostFact:
    return PostFact(key, 1, f"http://gov.example/{key}.html", title, published, None,
                    list(links), None, body)


POLICIES = [
    fact(1, "关于印发《河北省国际科技合作基地建设补助资金实施细则（试行）》的通知",
         "冀科外〔2020〕3号 河北省科学技术厅 河北省财政厅关于印发……2020年3月2日"),
    fact(2, "演示县城区停车管理办法（2024年修订）", links=("http://gov.example/11.html",)),
    fact(3, "《人类基因组编辑研究伦理指引》发布"),
]
INTERPRETATIONS = [
    fact(10, "河北：最高100万元经费补助支持国际科技合作基地建设",
         "日前，河北省科技厅印发《补助资金实施细则》（冀科外〔2020〕3号），为贯彻落实"
         "《国务院关于优化科研管理的若干意见》（国发〔2018〕25号），原《演示县停车办法》同时废止。"),
    fact(11, "一图读懂《演示县城区停车管理办法（2024年修订）》"),
    fact(12, "力促人类基因组编辑研究“向善而行”",
         "7月8日，科技部官网公布《人类基因组编辑研究伦理指引》（以下简称《指引》）。"),
]


def build(kept: KeptDocuments, policies: list[PostFact], interps: list[PostFact],
          ) -> tuple[list[PolicyDoc], list[InterpretationDoc]]:
    return ([kept.document(PolicyDoc, p, 7) for p in policies],
            [kept.document(InterpretationDoc, i, None) for i in interps])


def through_a_file(kept: KeptDocuments) -> dict[int, uninterpreted_policy.KeptEntry]:
    entries = pickle.loads(pickle.dumps(kept.entries(), protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(entries, dict)
    return entries


def verdicts(policies: list[PolicyDoc], interps: list[InterpretationDoc]) -> list[object]:
    matcher = Matcher(policies, interps)
    return [[(w.interp.key, w.evidence) for w in matcher.verdict(p.key).explaining]
            for p in policies]


def assert_rebuilt_equal(policies: list[PostFact], interps: list[PostFact]) -> None:
    first = KeptDocuments()
    fresh = build(first, policies, interps)
    assert first.misses == len(policies) + len(interps) and first.worth_keeping
    again = KeptDocuments(through_a_file(first))
    rebuilt = build(again, policies, interps)
    assert again.misses == 0 and not again.worth_keeping
    assert rebuilt == fresh
    assert [vars(d) for d in rebuilt[0] + rebuilt[1]] == [vars(d) for d in fresh[0] + fresh[1]]
    assert verdicts(*rebuilt) == verdicts(*fresh)


def test_documents_rebuilt_from_kept_fields_are_those_worked_out_afresh() -> None:
    assert_rebuilt_equal(POLICIES, INTERPRETATIONS)
    fresh = build(KeptDocuments(), POLICIES, INTERPRETATIONS)
    assert fresh[0][0].numbers and fresh[1][0].cited  # 文号 and citations were kept too
    assert fresh[0][0].issued_on.year == 2020  # from its 文号, before its list date


def test_the_real_departments_documents_rebuild_the_same(real_corpus: Path) -> None:
    from evals.hebei_kjt import INTERPRETATIONS as INTERPRETATION_FILE
    from evals.hebei_kjt import NOT_POLICIES, rows

    policies, interps = [], []
    for k, row in enumerate(rows(real_corpus)):
        item = PostFact(k, 1, row.url, row.title, row.published_on, None, list(row.links),
                        None, row.body)
        if row.file == INTERPRETATION_FILE:
            interps.append(item)
        elif row.file not in NOT_POLICIES:
            policies.append(item)
    assert len(policies) > 100 and len(interps) > 50
    assert_rebuilt_equal(policies, interps)


@pytest.mark.parametrize("change", [
    {"title": "演示县城区停车管理办法（2025年修订）"},
    {"body": "演政〔2024〕9号"},
    {"links": ["http://gov.example/12.html"]},
    {"published_on": date(2024, 9, 1)},
    {"url": "http://gov.example/2-new.html"},
])
def test_an_item_whose_fields_changed_is_worked_out_again(change: dict[str, object]) -> None:
    first = KeptDocuments()
    build(first, POLICIES, INTERPRETATIONS)
    changed = [replace(p, **change) if p.item_id == 2 else p for p in POLICIES]
    again = KeptDocuments(through_a_file(first))
    rebuilt = build(again, changed, INTERPRETATIONS)
    assert again.misses == 1
    assert rebuilt == build(KeptDocuments(), changed, INTERPRETATIONS)


def test_kept_documents_are_rewritten_once_a_tenth_was_worked_out_again() -> None:
    many = [fact(k, f"演示县第{k}号管理办法") for k in range(100, 200)]
    first = KeptDocuments()
    build(first, many, [])
    entries = through_a_file(first)
    few_new = KeptDocuments(entries)
    build(few_new, [*many, *(fact(k, f"新办法{k}") for k in range(5))], [])
    assert few_new.misses == 5 and not few_new.worth_keeping
    more_new = KeptDocuments(entries)
    build(more_new, [*many, *(fact(k, f"新办法{k}") for k in range(20))], [])
    assert more_new.worth_keeping
    assert set(more_new.entries()) == {*range(100, 200), *range(20)}  # gone items dropped


def policy_column() -> dict[int, SourceFacts]:
    return {1: SourceFacts(
        source_id=1, source_name="政策文件", source_url="http://gov.example/zcwj/",
        source_type="column", kind="policy", expect_update=False, thresholds={}, unit_id=7,
        unit_code="A07", unit_name="演示县", category="A", last_run_id=None,
        last_run_outcome=None, last_run_started=None, last_run_error=None,
        last_run_status=None, newest_item_id=None, newest_published_on=None, newest_url=None,
        newest_title=None, snapshot_id=None)}


def test_the_classifiers_verdicts_are_kept_and_the_countys_patterns_still_win(
        monkeypatch: pytest.MonkeyPatch) -> None:
    sources = policy_column()
    first = KeptDocuments()
    fresh = uninterpreted_policy.classify_items(POLICIES, sources, ClassPolicy(), {}, first)
    build(first, POLICIES, INTERPRETATIONS)
    entries = through_a_file(first)
    assert all(entry[2] is not None for key, entry in entries.items() if key < 10)

    asked: list[str] = []
    classify = uninterpreted_policy.classify

    def counted(title: str, body_head: str = "") -> Classification:
        asked.append(title)
        return classify(title, body_head)

    monkeypatch.setattr(uninterpreted_policy, "classify", counted)
    again = uninterpreted_policy.classify_items(POLICIES, sources, ClassPolicy(), {},
                                                KeptDocuments(entries))
    assert again == fresh and asked == []
    # a changed title is classified again; a county pattern added since wins over the kept
    changed = [replace(p, title=p.title + "（征求意见稿）")
               if p.item_id == 3 else p for p in POLICIES]
    county = ClassPolicy(exclude=("停车",))
    later = uninterpreted_policy.classify_items(changed, sources, county, {},
                                                KeptDocuments(entries))
    assert asked == [changed[2].title]
    assert later == uninterpreted_policy.classify_items(changed, sources, county, {})
    assert later[2].classification.cls == "not_policy" and not later[2].needs_interpretation


def _findings(db_path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT rule, subject, period, item_id, points, evidence "
                            "FROM finding ORDER BY rule, subject, period").fetchall()


def _monitored_twice(folder: Path) -> tuple[list[tuple[object, ...]], Path]:
    """The findings of two monitor runs over a new generated store in ``folder``."""
    db_path, config = generated_store(folder, units=40, items=8_000)
    db = app.open_database(config)
    try:
        runner.run_monitors(db, config, AS_OF)
        runner.run_monitors(db, config, AS_OF)
    finally:
        db.dispose()
    return _findings(db_path), db_path


def test_monitors_find_the_same_with_kept_documents(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVWATCH_CACHE_DIR", "off")
    without, _ = _monitored_twice(tmp_path / "off")
    assert any(rule == uninterpreted_policy.RULE for rule, *_ in without)
    monkeypatch.setenv("GOVWATCH_CACHE_DIR", str(tmp_path / "cache"))
    kept, db_path = _monitored_twice(tmp_path / "kept")
    entries = list((tmp_path / "cache").glob("documents-*.pickle"))
    assert len(entries) == 1 and entries[0].stat().st_size > 0
    assert kept == without

    # in this process (not forked), to count the documents worked out
    monkeypatch.setenv(FORK_ENV, "off")
    worked_out: list[int] = []
    doc = uninterpreted_policy._doc

    def counted(kind: type[PolicyDoc], item: PostFact, unit: int | None) -> PolicyDoc:
        worked_out.append(item.item_id)
        return doc(kind, item, unit)

    monkeypatch.setattr(uninterpreted_policy, "_doc", counted)
    config = load_config(db_path.parent / "store.yaml")
    db = app.open_database(config)
    try:
        runner.run_monitors(db, config, AS_OF)
        assert worked_out == []  # every document was kept
        # a file that cannot be read is ignored: the documents are worked out again
        entries[0].write_bytes(b"not a pickle")
        runner.run_monitors(db, config, AS_OF)
    finally:
        db.dispose()
    assert len(worked_out) > 100
    assert _findings(db_path) == without
    assert pickle.loads(entries[0].read_bytes())  # rewritten


def test_entries_of_another_shape_are_worked_out_again() -> None:
    first = KeptDocuments()
    fresh = build(first, POLICIES, INTERPRETATIONS)
    odd: dict[int, object] = {key: entry[:2] for key, entry in through_a_file(first).items()}
    odd[1] = None
    again = KeptDocuments(odd)  # type: ignore[arg-type]
    assert build(again, POLICIES, INTERPRETATIONS) == fresh
    assert again.misses == len(POLICIES) + len(INTERPRETATIONS)
