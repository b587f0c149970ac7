"""The national checks and the 重大扣分 risks as pure functions, the 单项否决 summary and its
XLSX, and probes of a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from openpyxl import load_workbook

from crawler.extract.empty import looks_empty
from crawler.probe import probe
from govwatch.config import CountyConfig
from govwatch.timeutil import CHINA
from monitors import (
    account_silent,
    backdated_item,
    blank_column,
    class_stale,
    crawl_failure,
    dead_link,
    hidden_link,
    homepage_stale,
    site_unreachable,
    unanswered_message,
)
from monitors.late_reply import Message
from monitors.national_class import national_class
from monitors.rule_map import load_rule_map
from reports.national import quarter_of, summarize, write_self_check
from storage.repo import (
    BulletinedFinding,
    FindingRow,
    LinkStatus,
    PageLinksRow,
    ProbeRow,
    SeenItem,
    SourceFacts,
)

RULES = load_rule_map()
AS_OF = date(2026, 12, 6)
CRAWLED = datetime(2026, 12, 6, 6, tzinfo=CHINA)


def source(**changes: object) -> SourceFacts:
    base = SourceFacts(
        source_id=7, source_name="首页", source_url="http://www.x.gov.cn/",
        source_type="column", kind="homepage", expect_update=False, thresholds={},
        unit_id=2, unit_code="B01", unit_name="县政府办", category="B", last_run_id=9,
        last_run_outcome="ok", last_run_started=CRAWLED, last_run_error=None,
        last_run_status=None, newest_item_id=3, newest_published_on=date(2026, 11, 21),
        newest_url="http://www.x.gov.cn/a/1.html", newest_title="要闻", snapshot_id=None,
        first_ok_at=datetime(2026, 10, 1, 6, tzinfo=CHINA), first_ok_on=date(2026, 10, 1))
    return replace(base, **changes)


def test_a_homepage_15_days_old_is_stale_and_13_days_is_not() -> None:
    (found,) = homepage_stale.judge([source()], AS_OF, RULES)
    assert found.evidence["days_without_update"] == 15 and found.points == 0
    fresh = source(newest_published_on=date(2026, 11, 23))
    assert homepage_stale.judge([fresh], AS_OF, RULES) == []
    failed = source(last_run_outcome="http_error")
    assert homepage_stale.judge([failed], AS_OF, RULES) == []  # crawl_failure speaks


def test_column_classes_and_their_limits() -> None:
    assert national_class("政务动态", "general") == "news"
    assert national_class("通知公告", "general") == "notice"
    assert national_class("政策文件", "policy") == "policy"
    assert national_class("机构概况", "general") == "other"
    assert national_class("机构概况", "general", "news") == "news"
    news = source(kind="general", source_id=8, newest_published_on=date(2026, 11, 20))
    notice = source(kind="general", source_id=9, newest_published_on=date(2026, 8, 1))
    found = class_stale.judge([news, notice], {8: "news", 9: "notice"}, AS_OF, RULES)
    assert [(d.source_id, d.evidence["threshold_days"]) for d in found] == [(8, 14)]


def test_a_blank_column_is_found_and_an_unreadable_one_is_left_to_crawl_failure() -> None:
    empty = source(kind="general", last_run_outcome="empty",
                   last_run_error="栏目页面显示暂无信息（空白栏目）")
    assert len(blank_column.judge([empty], AS_OF, RULES)) == 1
    assert blank_column.judge([source(kind="general", last_run_outcome="no_items")],
                              AS_OF, RULES) == []
    failing = replace(empty, failing_since=CRAWLED - timedelta(days=3))
    assert crawl_failure.judge([failing], AS_OF, RULES, 1, judged_elsewhere=("empty",)) == []
    assert len(crawl_failure.judge([failing], AS_OF, RULES, 1)) == 1


def test_looks_empty_reads_the_text_not_the_scripts() -> None:
    assert looks_empty("<div class=list><p>暂无信息</p></div>")
    assert not looks_empty("<script>var t='暂无数据';</script><ul></ul>")


def message(asked: str, status: str | None = "pending") -> Message:
    return Message(11, 7, "http://x/11.html", "小区路灯不亮", "",
                   {"asked_at": asked, "asked_has_time": True, "replied_at": None,
                    "status": status})


def test_a_message_unanswered_for_90_days_is_found() -> None:
    board = {7: source(kind="messages")}
    old = message("2026-08-28T09:00+08:00")  # 99 days before the crawl
    (found,) = unanswered_message.judge([old], board, AS_OF, RULES)
    assert found.evidence["days"] == 99
    assert unanswered_message.judge([message("2026-09-10T09:00+08:00")], board, AS_OF,
                                    RULES) == []
    assert unanswered_message.judge([message("2026-08-28T09:00+08:00", None)], board, AS_OF,
                                    RULES) == []  # the page does not say it is unanswered


def test_an_account_silent_for_two_weeks() -> None:
    account = source(source_type="account", kind="wechat")
    assert len(account_silent.judge([account], AS_OF, RULES)) == 1
    posting = replace(account, newest_published_on=date(2026, 12, 1))
    assert account_silent.judge([posting], AS_OF, RULES) == []


def probes(failed: int, total: int) -> list[ProbeRow]:
    return [ProbeRow(7, CRAWLED - timedelta(hours=3 * k), k >= failed, 200, 0.3,
                     None if k >= failed else "访问超时") for k in range(total)]


def test_a_site_unreachable_in_5_percent_of_a_weeks_probes() -> None:
    sites = {7: source()}
    (found,) = site_unreachable.judge(probes(3, 56), sites, AS_OF, RULES)
    assert found.evidence["failed"] == 3 and found.evidence["probes"] == 56
    assert site_unreachable.judge(probes(2, 56), sites, AS_OF, RULES) == []  # 3.6 %
    assert site_unreachable.judge(probes(1, 5), sites, AS_OF, RULES) == []  # too few probes


def page(links: list[str], hidden: list[dict[str, str]] = ()) -> PageLinksRow:  # type: ignore
    return PageLinksRow(7, "http://www.x.gov.cn/col/a.html", "栏目", AS_OF, links,
                        list(hidden))


def test_dead_links_are_those_checked_dead_since_the_page_was_seen() -> None:
    dead = LinkStatus("http://www.x.gov.cn/gone.pdf", AS_OF, False, 404, "HTTP 404", 1)
    alive = LinkStatus("http://www.x.gov.cn/ok.html", AS_OF, True, 200, None, 0)
    stale_check = replace(dead, url="http://www.x.gov.cn/old.html",
                          checked_on=AS_OF - timedelta(days=1))
    statuses = {s.url: s for s in (dead, alive, stale_check)}
    column = LinkStatus("http://www.x.gov.cn/tzgg/", AS_OF, False, 500, "HTTP 500", 1)
    statuses[column.url] = column
    row = page([dead.url, alive.url, stale_check.url, "http://www.x.gov.cn/unchecked",
                column.url])
    other = replace(row, page_url="http://www.x.gov.cn/col/b.html")
    (found,) = dead_link.judge([row, other], statuses, {7: source()}, AS_OF, RULES,
                               source_urls=[column.url])  # a failing column: crawl_failure's
    assert found.evidence["link_url"] == dead.url and found.evidence["page_count"] == 2


def test_hidden_links_off_government_hosts_and_bad_words() -> None:
    hosts = {"www.x.gov.cn"}
    gambling = {"href": "http://www.88bet-casino.com/", "text": "澳门赌场",
                "reason": "display:none"}
    other_gov = {"href": "http://www.shanxi.gov.cn/", "text": "山西省人民政府",
                 "reason": "display:none"}
    share = {"href": "http://service.weibo.com/share", "text": "分享到微博",
             "reason": "display:none"}
    (found,) = hidden_link.judge([page([], [gambling, other_gov, share])], {7: source()},
                                 AS_OF, RULES, hosts)
    assert [a["href"] for a in found.evidence["anchors"]] == [gambling["href"]]
    assert found.evidence["anchors"][0]["word"] == "赌场"
    assert hidden_link.judge([page([], [other_gov, share])], {7: source()}, AS_OF, RULES,
                             hosts) == []
    visible = page(["http://www.x.gov.cn/a.html", "http://casino-royal.example.com/"])
    assert len(hidden_link.judge([visible], {7: source()}, AS_OF, RULES, hosts)) == 1


def test_items_appearing_days_after_their_date_in_a_watched_column() -> None:
    column = source(kind="general")
    days = {7: {AS_OF - timedelta(days=k) for k in range(1, 20)}}
    late = SeenItem(1, 7, "http://x/1.html", "通知", AS_OF - timedelta(days=5), AS_OF)
    also = replace(late, item_id=2, published_on=AS_OF - timedelta(days=6))
    near = replace(late, item_id=3, published_on=AS_OF - timedelta(days=1))
    bulletin = BulletinedFinding(40, "stale_column", "source:7", 2, "B", 7, None, "2026-W48",
                                 AS_OF - timedelta(days=2))
    found = backdated_item.judge([late, also, near], days, {7: column}, [bulletin], AS_OF,
                                 RULES)
    assert sorted(d.item_id for d in found) == [1, 2]
    assert {d.evidence["appeared_together"] for d in found} == {2}
    assert {d.evidence["bulletin_period"] for d in found} == {"2026-W48"}
    # first crawl of the column: nothing was absent before, nothing is back-dated
    assert backdated_item.judge([late], {7: set()}, {7: column}, [], AS_OF, RULES) == []


def row(rule: str, source_name: str, url: str, **evidence: object) -> FindingRow:
    return FindingRow(1, rule, "B01", "县政府办", "B", source_name, url, "2026-W49", AS_OF,
                      0, None, "pending", dict(evidence), CRAWLED)


def test_the_veto_summary_and_the_quarterly_self_check(tmp_path: Path) -> None:
    config = CountyConfig.model_validate({"county": "演示县", "units": [{
        "code": "B01", "name": "县政府办", "category": "B",
        "columns": [{"name": "首页", "url": "http://www.x.gov.cn/", "kind": "homepage"}],
        "accounts": [{"name": "演示发布", "url": "http://mp.x.cn/1", "platform": "wechat"}]}]})
    rows = [row("homepage_stale", "首页", "http://www.x.gov.cn/", days_without_update=15),
            *(row("class_stale", f"栏目{k}", f"http://www.x.gov.cn/c{k}/") for k in range(4)),
            row("account_silent", "演示发布", "http://mp.x.cn/1"),
            replace(row("site_unreachable", "首页", "http://www.x.gov.cn/"),
                    status="dismissed")]
    start, end = quarter_of(AS_OF)
    assert (start, end) == (date(2026, 10, 1), date(2026, 12, 31))
    summary = summarize(config, rows, start, end)
    (site,) = summary.sites
    results = {r.indicator.name: r for r in site.results}
    assert results["首页不更新"].vetoed and not results["站点无法访问"].vetoed
    assert results["栏目不更新"].sources == 4 and not results["栏目不更新"].vetoed
    (account,) = summary.accounts
    assert account.vetoed
    path = write_self_check(summary, tmp_path / "自查表.xlsx")
    book = load_workbook(path)
    veto = [r for r in book["单项否决"].iter_rows(min_row=3, values_only=True)]
    assert veto[1][:3] == ("县政府办 首页", "政府网站", "首页不更新") and veto[1][5] == "是"
    assert len(list(book["问题明细"].iter_rows(min_row=2))) == 6  # the dismissed one left out
    # the score sheets' look: a title in dates as printed, boxed cells, landscape A4 with the
    # title and header rows on every page
    vetoes, details = book["单项否决"], book["问题明细"]
    assert vetoes["A1"].value.endswith("（2026年10月1日至2026年12月31日）")
    assert "A1:G1" in {str(r) for r in vetoes.merged_cells.ranges}
    assert vetoes["A2"].font.bold and vetoes["A2"].fill.fgColor.rgb.endswith("DDEBF7")
    assert all(c.border.left.style == "thin" for row in details.iter_rows() for c in row)
    assert vetoes.page_setup.orientation == "landscape" and vetoes.print_title_rows == "$1:$2"
    assert details.print_title_rows == "$1:$1"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(1.5)
        status = 500 if self.path == "/error" else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"<html>ok</html>")

    def log_message(self, *args: object) -> None:
        pass


def test_probes_of_a_real_server() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert probe(f"{base}/", timeout=5).ok
        error = probe(f"{base}/error", timeout=5)
        assert not error.ok and error.http_status == 500
        slow = probe(f"{base}/slow", timeout=0.5)
        assert not slow.ok and "超时" in (slow.error or "")
    finally:
        server.shutdown()
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    refused = probe(f"http://127.0.0.1:{closed}/", timeout=2)
    assert not refused.ok and refused.error == "连接被拒绝"


def test_every_new_rule_is_described_in_chinese() -> None:
    from govwatch.vocabulary import RULE_NAMES, describe

    wrong = row("wrong_expression", "政务动态", "http://x/", where="body", wrong="中华人名共和国",
                right="中华人民共和国", hits=1)
    assert describe(wrong) == "正文中「中华人名共和国」应为「中华人民共和国」（共 1 处）"
    pii = row("personal_info", "信息公开", "http://x/", title="拟录用人员公示",
              counts={"id_card": 3})
    assert describe(pii) == "「拟录用人员公示」公开了个人信息：身份证号 3 处（证据已打码）"
    from scoring.rubric import MONITOR_RULES
    assert set(MONITOR_RULES) - {"bulletin_notice"} <= set(RULE_NAMES)
