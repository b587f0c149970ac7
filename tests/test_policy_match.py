"""Which interpretation explains which policy (``monitors.policy_match``), evidence by evidence.

Pure cases for each kind of evidence and each veto, then the figures on real title pairs and
pages of a real department (``make eval``'s; skipped when ``../shared/real-corpus`` is
absent).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from monitors.policy_match import (
    CITED,
    LINK,
    NUMBER,
    TITLE,
    InterpretationDoc,
    Matcher,
    PolicyDoc,
    citations,
)

DAY = date(2024, 8, 22)


def policy(key: int, title: str, published: date = DAY, body: str = "",
           links: tuple[str, ...] = ()) -> PolicyDoc:
    return PolicyDoc(key, f"http://gov.example/zcwj/{key}.html", title, published, body, links)


def interp(key: int, title: str, published: date = DAY, body: str = "",
           links: tuple[str, ...] = ()) -> InterpretationDoc:
    return InterpretationDoc(key, f"http://gov.example/zcjd/{key}.html", title, published, body,
                             links)


def explaining(policies: list[PolicyDoc], interps: list[InterpretationDoc],
               key: int) -> dict[int, int]:
    """interpretation key → evidence strength, of those explaining policy ``key``."""
    verdict = Matcher(policies, interps).verdict(key)
    return {w.interp.key: w.evidence.strength for w in verdict.explaining}


def test_a_link_either_way_explains_whatever_the_titles() -> None:
    p = policy(1, "演示县城区停车管理办法")
    back = interp(10, "图解：城区停车新规来了", links=("http://gov.example/zcwj/1.html#top",))
    assert explaining([p], [back], 1) == {10: LINK}
    forward = policy(2, "演示县公共自行车管理办法", links=("https://gov.example/zcjd/11.html",))
    assert explaining([forward], [interp(11, "一图读懂新规")], 2) == {11: LINK}


def test_a_link_to_another_document_counts_against_the_pair() -> None:
    parking = policy(1, "演示县城区停车管理办法")
    bikes = policy(2, "演示县公共自行车管理办法")
    # titled like the parking rules, but the page links to the bike rules: it is theirs
    misleading = interp(10, "《演示县城区停车管理办法》解读",
                        links=("http://gov.example/zcwj/2.html",))
    assert explaining([parking, bikes], [misleading], 1) == {}
    assert explaining([parking, bikes], [misleading], 2) == {10: LINK}
    verdict = Matcher([parking, bikes], [misleading]).verdict(1)
    assert verdict.others[0].evidence.vetoed == "解读页面链接到另一份文件"


def test_the_policy_number_cited_in_the_body_explains_a_differently_titled_interpretation() -> None:
    p = policy(1, "关于印发《河北省国际科技合作基地建设补助资金实施细则（试行）》的通知",
               body="冀科外〔2020〕3号河北省科学技术厅河北省财政厅关于印发……")
    news = interp(10, "河北：最高100万元经费补助支持国际科技合作基地建设",
                  body="日前，河北省科技厅、河北省财政厅印发《补助资金实施细则》"
                       "（冀科外〔2020〕3号），对首次认定为国合基地的机构给予一次性经费补助。")
    assert explaining([p], [news], 1) == {10: NUMBER}


def test_a_name_cited_as_the_subject_of_the_body() -> None:
    p = policy(1, "《人类基因组编辑研究伦理指引》发布")
    news = interp(10, "力促人类基因组编辑研究“向善而行”",
                  body="7月8日，科技部官网公布《人类基因组编辑研究伦理指引》（以下简称《指引》），"
                       "意在规范人类基因组编辑研究行为。")
    assert explaining([p], [news], 1) == {10: CITED}


def test_a_joint_interpretation_explains_every_policy_it_names() -> None:
    first = policy(1, "关于印发《演示县养老服务补贴办法》的通知")
    second = policy(2, "关于印发《演示县居家养老服务管理细则》的通知")
    joint = interp(10, "《演示县养老服务补贴办法》和《演示县居家养老服务管理细则》政策解读")
    assert explaining([first, second], [joint], 1) == {10: TITLE}
    assert explaining([first, second], [joint], 2) == {10: TITLE}


def test_last_years_interpretation_does_not_explain_this_years_policy() -> None:
    policy_2024 = policy(1, "关于印发《2024年全县政务公开工作要点》的通知", date(2024, 4, 1))
    last_year = interp(10, "《2023年全县政务公开工作要点》解读", date(2023, 4, 3))
    assert explaining([policy_2024], [last_year], 1) == {}
    # the same name without a year: published a year before, it cannot explain it either
    same_name = policy(2, "关于印发《演示县城区停车管理办法》的通知", date(2024, 4, 1))
    old = interp(11, "《演示县城区停车管理办法》解读", date(2023, 4, 3))
    verdict = Matcher([same_name], [old]).verdict(2)
    assert not verdict.explained
    assert "早于文件印发" in (verdict.others[0].evidence.vetoed or "")


def test_the_issue_date_printed_in_the_text_counts_before_the_list_date() -> None:
    # a portal that moved its archive lists an old decision under the move's date
    p = policy(1, "中共河北省委 河北省人民政府关于加快科技创新建设创新型河北的决定",
               date(2018, 3, 14), body="关于加快科技创新建设创新型河北的决定 (2016年7月10日) "
                                       "冀发〔2016〕29号 为深入贯彻……")
    assert p.issued_on == date(2016, 7, 10)
    drawn = interp(10, "中共河北省委河北省人民政府关于加快科技创新建设创新型河北的决定-----图解",
                   date(2016, 8, 11))
    assert explaining([p], [drawn], 1) == {10: TITLE}


def test_one_interpretation_explains_the_version_current_when_it_was_published() -> None:
    trial = policy(1, "关于印发《河北省企业重点实验室建设与运行管理办法（试行）》的通知",
                   date(2018, 7, 17), body="冀科平〔2018〕11号河北省科学技术厅关于印发……")
    revised = policy(2, "关于印发《河北省企业重点实验室建设与运行管理办法》的通知",
                     date(2020, 12, 31), body="冀科平规〔2020〕2号河北省科学技术厅关于印发……")
    read = interp(10, "《河北省企业重点实验室建设与运行管理办法》解读", date(2020, 12, 31),
                  body="2018年7月16日省科技厅制定印发了《河北省企业重点实验室建设与运行管理办法"
                       "（试行）》，有效期2年，现已试行期满。省科技厅对原办法进行了重新修定，形成新的"
                       "《河北省企业重点实验室建设与运行管理办法》（冀科平规[2020]2号）"
                       "（以下简称《办法》）重新进行了印发。")
    assert explaining([trial, revised], [read], 2) == {10: NUMBER}
    assert explaining([trial, revised], [read], 1) == {}


def test_basis_and_repealed_documents_in_the_body_are_no_evidence() -> None:
    body = ("为贯彻落实中共中央办公厅、国务院办公厅印发的《关于新时代进一步加强科学技术普及工作的意见》"
            "（中办发〔2022〕53号），省科技厅研究起草了《关于新时代进一步加强科学技术普及工作的若干措施》"
            "（以下简称《若干措施》）。《河北省科普工作管理办法》（冀科普〔2015〕3号）同时废止。")
    roles = {c.name.text if c.name else str(c.number): c.role for c in citations(body)}
    assert "关于新时代进一步加强科学技术普及工作的意见" not in roles  # the basis: left out
    assert roles["关于新时代进一步加强科学技术普及工作的若干措施"] == "subject"
    assert roles["河北省科普工作管理办法"] == "old"
    upper = policy(1, "中共中央办公厅 国务院办公厅印发《关于新时代进一步加强科学技术普及工作的意见》",
                   body="中办发〔2022〕53号")
    repealed = policy(2, "关于印发《河北省科普工作管理办法》的通知", date(2015, 3, 1),
                      body="冀科普〔2015〕3号")
    measures = interp(10, "《关于新时代进一步加强科学技术普及工作的若干措施》解读", body=body)
    assert explaining([upper, repealed], [measures], 1) == {}
    assert explaining([upper, repealed], [measures], 2) == {}


def test_fuzzy_titles_must_agree_on_years_and_editions() -> None:
    p = policy(1, "演示县农村人居环境整治提升实施方案（2024-2026年）")
    assert explaining([p], [interp(10, "一图读懂｜演示县农村人居环境整治提升实施方案")], 1)
    assert not explaining([p], [interp(11, "一图读懂｜演示县农村人居环境整治提升实施方案"
                                           "（2021-2023年）")], 1)


def test_real_pairs_and_hard_negatives_meet_the_targets(real_corpus: Path) -> None:
    """make eval's figures: ≥ 97 % of real pairs recognised, ≤ 2 % of hard negatives matched
    with titles, bodies, links and dates."""
    from evals.hebei_kjt import measure_matcher

    figures = measure_matcher(real_corpus)
    assert figures.pairs >= 90 and figures.negatives >= 100
    assert figures.recognised / figures.pairs >= 0.97, figures.missed
    assert figures.matched / figures.negatives <= 0.02, figures.false
