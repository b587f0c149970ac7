"""错敏词: the shipped list, county lists and the allow-list, matching, and the rule."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from govwatch.timeutil import CHINA
from monitors import wrong_expression
from monitors.rule_map import RuleMap, RuleTarget
from monitors.text_scan import ScannedText, fold, sentence_around
from monitors.wrong_expression import (
    CATEGORIES,
    SHIPPED,
    Dictionary,
    DictionaryError,
    find,
    load_dictionary,
)
from storage.repo import SourceFacts

AS_OF = date(2021, 9, 8)
RULES = RuleMap("测试细则", {"wrong_expression": {
    "A": RuleTarget("A9.1a", "A9.1", "A9.1 测试 / 严重表述错误", 2.0),
    "B": RuleTarget(None, None, None, 0.0)}})

# Correct official wording, with every standard form the shipped list guards (a near miss for
# each of its entries): nothing in it may be reported.
CORRECT = (
    "中华人民共和国国务院令第711号公布《中华人民共和国政府信息公开条例》。各级人民政府坚持以"
    "习近平新时代中国特色社会主义思想为指导，全面贯彻党的十九大和十九届历次全会精神，深刻领悟"
    "“两个确立”的决定性意义，增强“四个意识”、坚定“四个自信”、做到“两个维护”，坚持中国共产党"
    "的领导，在以习近平同志为核心的党中央坚强领导下，落实中共中央、国务院决策部署。中共某某县委"
    "、县人民政府认真贯彻中共中央办公厅、国务院办公厅《关于全面推进政务公开工作的意见》，"
    "扎实推进“十四五”规划和2035年远景目标纲要实施，推进乡村振兴，巩固拓展脱贫攻坚成果，"
    "全面从严治党，加强党风廉政建设，坚持社会主义市场经济改革方向，践行社会主义核心价值观，"
    "不忘初心、牢记使命，推动“一带一路”建设，构建人类命运共同体，为实现中华民族伟大复兴的中国梦"
    "而奋斗。县人大常委会、县政协（中国人民政治协商会议某某县委员会）和驻地中国人民解放军部队"
    "共同参加。国家主席、国务院总理、国务院副总理、全国人大常委会委员长、中央军委主席、"
    "中共中央政治局常务委员会委员出席。对台湾地区领导人、台湾当局、台湾“行政院”的称谓须规范，"
    "香港特区政府、澳门特区政府依法施政。全体残疾人平等参与社会生活。第十四个五年规划期间，"
    "马克思主义、毛泽东思想、邓小平理论和共产主义远大理想，升五星红旗、唱国歌。中共党员、"
    "中国共产党党员、中国共青团团员、东北朝鲜族群众、公共党群服务中心。"
)


def county_list(tmp_path: Path, text: str, name: str = "county.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def facts(source_id: int = 7, category: str = "A") -> SourceFacts:
    return SourceFacts(
        source_id=source_id, source_name="政策文件", source_url="http://x.gov.cn/zcwj/",
        source_type="column", kind="policy", expect_update=True, thresholds={}, unit_id=1,
        unit_code="A01", unit_name="城关镇", category=category, last_run_id=3,
        last_run_outcome="ok", last_run_started=datetime(2021, 9, 8, 9, 0, tzinfo=CHINA),
        last_run_error=None, last_run_status=None, newest_item_id=11,
        newest_published_on=date(2021, 9, 6), newest_url="http://x.gov.cn/zcwj/1.html",
        newest_title="关于防汛的通知", snapshot_id=5)


@pytest.fixture(scope="module")
def shipped() -> Dictionary:
    return load_dictionary()


# ----------------------------------------------------------------------------- the shipped list


def test_shipped_list_loads_and_its_right_forms_scan_clean(shipped: Dictionary) -> None:
    assert SHIPPED.is_file()
    assert 60 <= len(shipped) <= 150
    assert {e.category for e in shipped.entries} <= set(CATEGORIES)
    assert {"country_name", "party_name", "formulation", "leader"} <= {
        e.category for e in shipped.entries}
    for entry in shipped.entries:
        assert len(fold(entry.wrong).text) >= 2
        assert find(entry.wrong, shipped), entry.wrong
        assert find(entry.right, shipped) == [], entry  # corrected text is never reported


def test_correct_wording_gives_nothing(shipped: Dictionary) -> None:
    assert find("中华人民共和国", shipped) == []
    assert find(CORRECT, shipped) == []
    assert find(CORRECT * 20, shipped) == []


def test_wrong_country_name_in_a_body_with_its_sentence(shipped: Dictionary) -> None:
    body = ("各乡镇：\n为做好政务公开工作，现将有关事项通知如下。根据《中华人名共和国政府信息公开条例》"
            "规定，各单位应主动公开本单位信息！请认真落实。")
    (hit,) = find(body, shipped)
    assert (hit.wrong, hit.right, hit.category) == ("中华人名共和国", "中华人民共和国",
                                                   "country_name")
    assert body[hit.start:hit.end] == "中华人名共和国"
    assert sentence_around(body, hit.start, hit.end) == (
        "根据《", "中华人名共和国", "政府信息公开条例》规定，各单位应主动公开本单位信息！")


def test_sentence_is_trimmed_around_the_hit() -> None:
    text = "甲" * 300 + "乙乙" + "丙" * 300 + "。"
    before, hit, after = sentence_around(text, 300, 302, limit=40)
    assert (before, hit, after) == ("甲" * 20, "乙乙", "丙" * 20)
    before, hit, after = sentence_around("短句。" + "乙乙" + "丙" * 300, 3, 5, limit=40)
    assert (before, after) == ("", "丙" * 40)  # the short side leaves its room to the other
    assert sentence_around("　　第一段。\n　　乙乙在此", 9, 11) == ("", "乙乙", "在此")


def test_full_width_and_invisible_characters_map_back_to_the_page(shipped: Dictionary) -> None:
    text = "……（一）“十四．五规划”编制中，中华人名\u200b共和国……"
    hits = find(text, shipped)
    assert [h.wrong for h in hits] == ["十四.五规划", "中华人名共和国"]
    assert [text[h.start:h.end] for h in hits] == ["十四．五规划", "中华人名\u200b共和国"]
    before, shown, after = sentence_around(text, hits[1].start, hits[1].end)
    assert shown == "中华人名\u200b共和国"
    assert before.endswith("编制中，") and after == "……"


def test_folding_only_what_matters_finds_what_a_full_fold_finds(shipped: Dictionary) -> None:
    # Kangxi radicals (⼈ U+2F08) and compatibility ideographs come out of PDF-made pages
    text = ("“十四．五规划”，Ａ１，㎡，①，……中华⼈名共和国；台湾政府​；中国共产觉，"
            "習近平新時代，⼀⼆三，ＡＢＣ，中华人名共和國。")
    folded = fold(text)
    expected = sorted((folded.original(i, i + len(key)), key)
                      for key in {fold(e.wrong).text for e in shipped.entries}
                      for i in range(len(folded.text)) if folded.text.startswith(key, i))
    assert sorted(((h.start, h.end), fold(h.wrong).text) for h in find(text, shipped)) == expected
    assert [text[h.start:h.end] for h in find(text, shipped)] == [
        "十四．五规划", "中华⼈名共和国", "台湾政府", "中国共产觉"]


def test_allow_list_silences_a_hit_only_where_it_stands() -> None:
    dictionary = load_dictionary(allow=["台湾政府采购法"])
    text = "课题组研究了台湾政府采购法的变迁。另据报道，台湾政府宣布新措施。"
    (hit,) = find(text, dictionary)
    assert text[hit.start:hit.end] == "台湾政府" and hit.start == text.index("台湾政府宣布")
    assert find(text, load_dictionary(allow=["台湾政府"])) == []  # the whole form allowed


def test_county_list_adds_and_replaces_entries(tmp_path: Path) -> None:
    path = county_list(tmp_path, """
# 本县的错敏词
entries:
  - {wrong: 某某县人民政府办工室, right: 某某县人民政府办公室, category: other}
  - {wrong: GOV.CN政府网, right: 中国政府网, category: other, note: 本县规定}
  - {wrong: 台湾政府, right: 台湾当局, category: sensitive, note: 本县加重}
""")
    dictionary = load_dictionary([path])
    text = "某某县人民政府办工室转发。请登录ｇｏｖ．ｃｎ政府网。台湾政府"
    hits = find(text, dictionary)
    assert [(h.wrong, h.category) for h in hits] == [
        ("某某县人民政府办工室", "other"), ("GOV.CN政府网", "other"), ("台湾政府", "sensitive")]
    assert text[hits[1].start:hits[1].end] == "ｇｏｖ．ｃｎ政府网"
    assert len(dictionary) == len(load_dictionary()) + 2
    # only the county's list, without the shipped one
    assert len(load_dictionary([path], shipped=None)) == 3


@pytest.mark.parametrize(("entries", "entry", "words"), [
    ("  - {wrong: 中华人民共和国, right: 中华人民共和国, category: country_name}",
     "词条 1「中华人民共和国」", "正确写法「中华人民共和国」中含有错误写法"),
    ("  - {wrong: 人民共和国, right: 中华人民共和国, category: country_name}",
     "词条 1「人民共和国」", "中含有错误写法"),
    ("  - {wrong: 某某错词, right: 正词, category: country_nam}",
     "词条 1「某某错词」 → 类别", "取值「country_nam」无效"),
    ("  - {right: 正词, category: other}", "词条 1", "缺少错误写法 wrong"),
    ("  - {wrong: 党, right: 党组织, category: other}", "词条 1「党」", "少于两个字"),
    ("  - {wrong: 某某错词, right: 正词, category: other, color: red}", "词条 1「某某错词」",
     "未知字段 color"),
    ("  - {wrong: 某某错词, right: 正词, category: other}\n"
     "  - {wrong: 某某错词, right: 正词二, category: other}", "词条 2「某某错词」",
     "与第 2 行的词条重复"),
])
def test_bad_county_list_names_file_entry_and_fix(tmp_path: Path, entries: str, entry: str,
                                                  words: str) -> None:
    path = county_list(tmp_path, f"entries:\n{entries}\n", "本县错敏词.yaml")
    with pytest.raises(DictionaryError) as raised:
        load_dictionary([path])
    report = str(raised.value)
    assert report.startswith("错敏词表有 ")
    assert str(path) in report and entry in report and words in report
    assert "修改方法：" in report


def test_unreadable_county_lists_are_reported_in_chinese(tmp_path: Path) -> None:
    broken = county_list(tmp_path, "entries:\n  - {wrong: 某某错词, right: [正词\n")
    with pytest.raises(DictionaryError) as raised:
        load_dictionary([broken, tmp_path / "缺少.yaml"])
    report = str(raised.value)
    assert "错敏词表有 2 处错误" in report
    assert "YAML 语法" in report and "找不到错敏词表" in report


def test_a_county_wrong_form_inside_a_shipped_right_form_is_refused(tmp_path: Path) -> None:
    path = county_list(tmp_path, "entries:\n  - {wrong: 地区领导, right: 领导人, category: other}\n")
    with pytest.raises(DictionaryError) as raised:
        load_dictionary([path])
    report = str(raised.value)
    assert "词条「地区领导」" in report and "台湾地区领导人" in report and str(path) in report


# ----------------------------------------------------------------------------- the rule


def test_judge_one_finding_per_item_and_term(shipped: Dictionary) -> None:
    texts = [
        ScannedText(101, 7, "http://x.gov.cn/zcwj/101.html", "关于学习中华人名共和国宪法的通知",
                    "要求：学习《中华人名共和国宪法》。\n落实中国共产觉的部署，中国共产觉员带头。",
                    date(2021, 9, 6)),
        ScannedText(102, 7, "http://x.gov.cn/zcwj/102.html", "关于防汛的通知", CORRECT,
                    date(2021, 9, 7)),
        ScannedText(103, 7, "http://x.gov.cn/zcwj/103.html", "台湾政府", "", None),
        ScannedText(104, 99, "http://y.gov.cn/1.html", "中华人名共和国", "", date(2021, 9, 6)),
        ScannedText(105, 7, "http://x.gov.cn/zcwj/105.html", "中华人名共和国", "",
                    date(2021, 9, 9)),  # after the as-of date: judged on its day
    ]
    drafts = wrong_expression.judge(texts, {7: facts()}, AS_OF, RULES, shipped)
    by_subject = {d.subject: d for d in drafts}
    assert sorted(by_subject) == sorted(["item:101:中华人名共和国", "item:101:中国共产觉",
                                         "item:103:台湾政府"])
    country = by_subject["item:101:中华人名共和国"]
    assert (country.rule, country.period, country.points, country.indicator) == (
        "wrong_expression", "2021-W36", 2.0, "A9.1 测试 / 严重表述错误")
    assert (country.unit_id, country.source_id, country.item_id, country.snapshot_id) == (
        1, 7, 101, 5)
    assert country.evidence == {
        "item_url": "http://x.gov.cn/zcwj/101.html", "title": "关于学习中华人名共和国宪法的通知",
        "wrong": "中华人名共和国", "right": "中华人民共和国", "category": "country_name",
        "note": "", "where": "title", "before": "关于学习", "hit": "中华人名共和国",
        "after": "宪法的通知", "hits": 2, "published_on": "2021-09-06", "crawl_run_id": 3,
    }
    party = by_subject["item:101:中国共产觉"].evidence
    assert (party["where"], party["hits"], party["before"], party["after"]) == (
        "body", 2, "落实", "的部署，中国共产觉员带头。")
    undated = by_subject["item:103:台湾政府"]
    assert undated.period == "2021-W36"  # undated: the as-of date's week
    assert undated.evidence["note"] == "新华社规范用语"
    # class B maps the rule to no deduction: still found, 0 points
    (b,) = wrong_expression.judge(texts[2:3], {7: facts(category="B")}, AS_OF, RULES, shipped)
    assert (b.points, b.indicator) == (0.0, None)


def test_judge_needs_the_rule_in_the_rubric(shipped: Dictionary) -> None:
    text = ScannedText(1, 7, "http://x.gov.cn/1.html", "中华人名共和国", "", AS_OF)
    with pytest.raises(KeyError):
        wrong_expression.judge([text], {7: facts()}, AS_OF, RuleMap("空", {}), shipped)


# ----------------------------------------------------------------------------- real text


def corpus_texts(corpus: Path) -> list[ScannedText]:
    """Every page of the real corpus, its whole body (evals.hebei_kjt cuts bodies short)."""
    csv.field_size_limit(2**31 - 1)
    texts = []
    for path in sorted(corpus.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["标题"] != "标题":  # a header row repeated inside the file
                    texts.append(ScannedText(len(texts), 7, row["访问地址"], row["标题"],
                                             row["内容"] or "", date.fromisoformat(row["时间"])))
    return texts


def test_shipped_list_gives_no_hit_on_a_real_portal(real_corpus: Path,
                                                    shipped: Dictionary) -> None:
    texts = corpus_texts(real_corpus)
    assert sum(len(t.body) for t in texts) > 1_000_000  # the whole corpus was read
    assert sum("中华人民共和国" in t.body for t in texts) > 100  # the right forms are there
    found = [(t.url, h.wrong, sentence_around(text, h.start, h.end, 40))
             for t in texts for text in (t.title, t.body) for h in find(text, shipped)]
    assert found == []
    as_of = max(t.published_on for t in texts if t.published_on)
    assert wrong_expression.judge(texts, {7: facts()}, as_of, RULES, shipped) == []
