"""What the operator reads is Chinese: command help and click's own words, the crawl failure
texts, `schedule --list` and the findings CSV (BOM, Chinese headers) — option names and JSON
keys stay English."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from twisted.python.failure import Failure

from crawler import health
from crawler.portal import portal_refusal
from govwatch.cli import app as gapp
from govwatch.cli import main
from govwatch.cli.findings import CSV_COLUMNS
from govwatch.cli.schedule import cron_trigger, describe_run, describe_trigger
from govwatch.cli.zh import MESSAGES, PLURALS, help_lines, wrap
from govwatch.config import load_config
from storage import repo
from storage.models import Source, Unit

from .conftest import DEMO_CONFIG

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_CLICK = ("Usage:", "Options:", "Commands:", "Show this message", "Error:", "Try '",
                 "Missing ", "Invalid value", "No such ")

# The commands whose help these files own (score, entries and report are documented elsewhere)
OWN_COMMANDS = [
    (), ("config",), ("config", "check"), ("init",), ("crawl",), ("monitor",), ("demo",),
    ("worker",), ("schedule",), ("findings",), ("findings", "list"), ("findings", "show"),
    ("findings", "snapshot"),
    ("findings", "confirm"), ("findings", "dismiss"), ("findings", "reopen"), ("serve",),
    ("users",), ("users", "add"), ("users", "passwd"), ("users", "role"), ("users", "remove"),
    ("users", "list"), ("posts",), ("posts", "template"), ("posts", "import"),
    ("warnings",), ("warnings", "list"),
]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="govwatch")


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


# ----------------------------------------------------------------------------- help


@pytest.mark.parametrize("path", OWN_COMMANDS, ids=lambda p: " ".join(p) or "govwatch")
def test_every_command_helps_in_chinese(path: tuple[str, ...]) -> None:
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"用法：govwatch {' '.join(path)}".replace("  ", " ").rstrip())
    assert "选项：" in out and "显示本帮助并退出。" in out
    assert not [words for words in ENGLISH_CLICK if words in out], out
    assert "[OPTIONS]" not in out and "COMMAND" not in out
    command = _command(path)
    assert command.help and CJK.search(command.help), f"{path}: help not in Chinese"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help and CJK.search(param.help), f"{path} {param.opts}: help"
            assert all(opt.startswith("-") and opt.isascii() for opt in param.opts)


def test_help_lists_commands_with_chinese_summaries_and_fits_the_terminal() -> None:
    out = invoke("--help").output
    assert "命令：" in out
    assert re.search(r"^  crawl\s+抓取配置中的栏目和政务新媒体账号", out, re.M), out
    assert re.search(r"^  findings\s+列出、查看和审核发现的问题", out, re.M), out
    listed = invoke("findings", "list", "--help").output
    # a wrapped Chinese paragraph is joined back without spaces, every line within 80 columns
    assert "UTF-8 带 BOM" in listed and "可直接用" in listed
    for line in listed.splitlines():
        if not line.lstrip().startswith("--rule ["):  # a term longer than a line
            assert sum(2 if CJK.match(ch) else 1 for ch in line) <= 80, line


def test_click_errors_are_chinese() -> None:
    unknown = invoke("nosuch")
    assert unknown.exit_code == 2
    assert "错误：没有这个命令：nosuch。" in unknown.output
    assert "用法：govwatch [选项] 命令 [参数]..." in unknown.output
    assert "运行「govwatch --help」查看帮助。" in unknown.output
    close = invoke("findngs")
    assert "是不是要用 'findings'？" in close.output
    bad = invoke("findings", "list", "--format", "xml")
    assert bad.exit_code == 2
    assert "'--format' 的值无效：'xml' 不是可用的值之一" in bad.output
    number = invoke("worker", "--concurrency", "many")
    assert number.exit_code == 2 and "'many' 不是有效的数字" in number.output
    missing = invoke("findings", "confirm", "1")
    assert missing.exit_code == 2 and "缺少选项 '--by'" in missing.output
    argument = invoke("findings", "show")
    assert argument.exit_code == 2 and "缺少参数 '问题编号'" in argument.output
    option = invoke("crawl", "--bogus")
    assert option.exit_code == 2 and "没有这个选项：--bogus" in option.output
    for result in (unknown, close, bad, number, missing, argument, option):
        assert not [words for words in ENGLISH_CLICK if words in result.output], result.output
    assert invoke("--version").output.startswith("govwatch 版本 ")


# Programmer errors (a wrong decorator, a bad colour name) and internal formats: never shown
# to the operator, left in English.
UNTRANSLATED = {
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Name '{name}' defined twice",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "Invalid start character for option ({option})",
    "Unknown color {colour!r}",
    "Unknown standard stream '{name}'",
    "Windows error: {error}",
    "Choice({choices})",
    "d",
}


def _click_messages() -> Iterator[tuple[str, str]]:
    """(function, first literal argument) of every gettext call in click's source."""
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "ngettext") and node.args
                    and isinstance(node.args[0], ast.Constant)):
                yield node.func.id, str(node.args[0].value)


def test_every_message_of_click_has_its_chinese() -> None:
    """A click upgrade that adds or rewords a message fails here, not in front of a user."""
    found = list(_click_messages())
    assert len(found) > 60
    missing = [text for kind, text in found if text not in UNTRANSLATED
               and text not in (MESSAGES if kind == "_" else PLURALS)]
    assert not missing
    assert all(CJK.search(text) or text.startswith("%") for text in MESSAGES.values())


def test_chinese_is_wrapped_by_columns_between_characters() -> None:
    text = "抓取配置中的栏目和政务新媒体账号（在单独的进程中抓取），失败的来源记为抓取异常。"
    lines = wrap(text, 20)
    assert "".join(lines) == text
    assert all(sum(2 if CJK.match(c) else 1 for c in line) <= 22 for line in lines)
    assert not any(line[0] in "，。）" for line in lines)  # never a line starting with those
    assert help_lines("第一行\n接着写。\n\nEnglish words\nstay apart.", 40) == [
        "第一行接着写。", "", "English words stay apart."]


# ----------------------------------------------------------------------------- crawl texts


def _failure(name: str, message: str) -> Failure:
    """A failed request as Scrapy reports it (the diagnosis reads the exception's name)."""
    return Failure(type(name, (Exception,), {})(message))


def test_crawl_failure_texts_are_chinese() -> None:
    too_large = health.diagnose_failure(_failure(
        "DownloadCancelledError", "Expected to receive 6291456 bytes which is larger than "
        "download max size (5242880) in request <GET http://x.gov.cn/big.html>."))
    assert (too_large.outcome, too_large.message) == (health.TOO_LARGE,
                                                      "页面超过大小上限（6.0 MB ＞ 5.0 MB）")
    slow = health.diagnose_failure(_failure(
        "DownloadTimeoutError", "Getting http://x.gov.cn/ took longer than 20.0 seconds."))
    assert (slow.outcome, slow.message) == (health.TIMEOUT, "访问超时（20 秒内没有应答）")
    dns = health.diagnose_failure(_failure("DNSLookupError", "no results for x.gov.cn"))
    assert dns.message == "无法连接网站：域名无法解析（DNSLookupError）"
    ruishu = health.diagnose_status(412, b"<script>$_ts=window['$_ts'];</script>")
    assert ruishu.message == "被网站的反爬虫验证拦截（瑞数 $_ts 验证，HTTP 412）"
    assert health.diagnose_status(403, b"").message == "网站拒绝访问（HTTP 403）"
    assert health.diagnose_status(500, b"").message == "网站返回错误（HTTP 500）"
    assert health.diagnose_unsent(ValueError("Port out of range 0-65535")).message == (
        "网址无效，无法访问：Port out of range 0-65535")
    assert portal_refusal("http://www.example.gov.cn/a/", "http://evil.example.com/",
                          resolve=lambda _host: ["203.0.113.9"]) == (
        "该栏目/账号所在网站为 www.example.gov.cn:80")


# ----------------------------------------------------------------------------- schedule


@pytest.mark.parametrize(("cron", "said"), [
    ("0 2 * * *", "每天 02:00"),
    ("0 8 * * mon", "每周一 08:00"),
    ("30 6 * * mon-fri", "每周一至周五 06:30"),
    ("0 0 * * sat,sun", "每周六、周日 00:00"),
    ("0 7,19 * * *", "每天 07:00、19:00"),
    ("0 3 1 * *", "每月1日 03:00"),
    ("0 3 1,15 * *", "每月1日、15日 03:00"),
    ("0 2 last * *", "每月最后一天 02:00"),
    ("0 0 1 jan *", "每年1月1日 00:00"),
    ("*/15 * * * *", "每 15 分钟"),
    ("5 * * * *", "每小时第 5 分"),
    ("*/3 * * * * *", "每 3 秒"),
    ("30 0 8 * * *", "每天 08:00:30"),
    ("0 9 1-5/2 * *", "按 cron 表达式「0 9 1-5/2 * *」"),  # no plain words for it
])
def test_triggers_are_said_as_people_say_them(cron: str, said: str) -> None:
    assert describe_trigger(cron_trigger(cron)) == said


def test_schedule_list_prints_runs_in_words(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVWATCH_DATA_DIR", str(tmp_path / "data"))
    plan = tmp_path / "schedule.yaml"
    plan.write_text("jobs:\n  crawl: {cron: '0 2 * * *'}\n  monitor: {cron: '0 6 * * *'}\n"
                    "  report: {cron: '0 8 * * mon'}\n"
                    "sources:\n  - {unit: A01, source: 政务动态, cron: '0 7,19 * * *'}\n",
                    encoding="utf-8")
    result = invoke("--config", str(DEMO_CONFIG), "schedule", "--schedule", str(plan), "--list")
    assert result.exit_code == 0, result.output
    for words in ("运行时间", "每天 02:00", "每天 06:00", "每周一 08:00", "每天 07:00、19:00"):
        assert words in result.output, words
    assert "cron[" not in result.output and "day_of_week" not in result.output
    assert re.search(r"\d{4}-\d\d-\d\d（周一）08:00", result.output), result.output
    assert describe_run(None) == "—"


# ----------------------------------------------------------------------------- findings CSV


@pytest.fixture()
def county(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The demo county's database with two findings, one whose link looks like a formula."""
    monkeypatch.setenv("GOVWATCH_DATA_DIR", str(tmp_path / "data"))
    db = gapp.open_database(load_config(DEMO_CONFIG))
    try:
        with db.session() as session:
            source = session.query(Source).join(Unit).filter(
                Unit.code == "A01", Source.name == "通知公告").one()
            drafts = [repo.FindingDraft(
                rule="stale_column", unit_id=source.unit_id, subject=f"source:{source.id}",
                period=period, as_of=as_of, points=1.0, source_id=source.id,
                indicator="A3.1.1a", evidence={
                    "item_url": link, "newest_published_on": "2021-08-27",
                    "days_without_update": days})
                for period, as_of, link, days in (
                    ("2021-W36", date(2021, 9, 8), "http://portal.example/a01/1.html", 12),
                    ("2021-W35", date(2021, 9, 1), '=HYPERLINK("http://evil.example/")', 5))]
            repo.save_findings(session, drafts)
        yield
    finally:
        db.dispose()


def test_findings_csv_opens_in_chinese_excel(county: None) -> None:
    result = CliRunner().invoke(main, ["--config", str(DEMO_CONFIG), "findings", "list",
                                       "--format", "csv"])
    assert result.exit_code == 0, result.output
    data = result.stdout_bytes
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel does not guess GBK
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0]
    assert header == [name for name, _ in CSV_COLUMNS]
    for name in ("编号", "问题类型", "单位代码", "单位名称", "栏目/账号", "情况", "周期",
                 "监测日期", "扣分", "状态", "链接"):
        assert name in header, name
    assert all(CJK.search(name) for name in header)
    found = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert {r["周期"] for r in found} == {"2021-W35", "2021-W36"}
    first = next(r for r in found if r["周期"] == "2021-W36")
    assert (first["问题类型"], first["单位代码"], first["单位名称"], first["栏目/账号"],
            first["状态"], first["扣分"], first["监测日期"]) == (
        "栏目长期未更新", "A01", "城关镇", "通知公告", "待审核", "1", "2021-09-08")
    assert "已 12 天未更新" in first["情况"]
    hostile = next(r for r in found if r["周期"] == "2021-W35")
    assert hostile["链接"] == "'" + '=HYPERLINK("http://evil.example/")'  # never a formula
    listed = CliRunner().invoke(main, ["--config", str(DEMO_CONFIG), "findings", "list",
                                       "--format", "json"])
    keys = set(json.loads(listed.stdout)[0])
    assert {"id", "rule", "unit_code", "unit_name", "status", "item_url"} <= keys
