"""Config validation: every problem reported at once, in Chinese, with file, line, entry, fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from govwatch.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "001_d83a519927f436b1.txt"

BAD = """\
county: 测试县
settings:
  thresholds: {stale_days: 0}
units:
  - code: A01
    name: 城关镇
    category: A
    columns:
      - name: 通知公告
        url: htp://bad
        kind: news
      - url: http://x.gov.cn/a/
        expect_updates: true
  - code: A01
    name: 河西镇
    category: C
    accounts:
      - platform: douyin
        name: 河西发布
        url: http://x.gov.cn/b/
"""


def _problems(tmp_path: Path, text: str) -> ConfigError:
    path = tmp_path / "county.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value


def test_shipped_configs_are_valid() -> None:
    demo = load_config(ROOT / "config" / "demo.yaml")
    assert len(demo.units) >= 6
    assert {u.category for u in demo.units} == {"A", "B"}
    kinds = {c.kind for u in demo.units for c in u.columns}
    assert {"general", "policy", "interpretation"} <= kinds
    assert {a.platform for u in demo.units for a in u.accounts} == {"rss", "weibo", "wechat"}


def test_lingchuan_units_match_the_seed() -> None:
    config = load_config(ROOT / "config" / "lingchuan-2021.yaml")
    a = [u.name for u in config.units if u.category == "A"]
    b = [u.name for u in config.units if u.category == "B"]
    assert (len(a), len(b)) == (11, 27)
    assert a[0] == "崇文镇" and a[-1] == "六泉乡"
    assert b[0] == "陵川生态文化旅游示范区管委会" and b[-1] == "县税务局"
    assert len({u.code for u in config.units}) == 38
    if SEED.exists():  # the seed's 附件1 lists the same names in the same order
        text = SEED.read_text(encoding="utf-8")
        line_a = text.split("A 类(11 个):")[1].split("11 个乡镇人民政府")[0]
        line_b = text.split("B 类(27 个):")[1].split("附件 2")[0]
        assert [n.strip() for n in line_a.replace("\n", "").split("、")] == a
        assert [n.strip() for n in line_b.strip().split("、")] == b


def test_every_problem_is_reported_at_once_in_chinese(tmp_path: Path) -> None:
    error = _problems(tmp_path, BAD)
    by_line = {p.line: p for p in error.problems}
    assert len(error.problems) == 8
    assert all(p.file.endswith("county.yaml") for p in error.problems)
    assert "数值 0 超出范围" in by_line[3].message and "不小于 1" in by_line[3].fix
    url = by_line[10]
    assert url.entry == "单位 A01「城关镇」 → 栏目「通知公告」 → url"
    assert "htp://bad" in url.message and "http://" in url.fix
    assert "「news」" in by_line[11].message
    assert "general、policy、interpretation" in by_line[11].fix
    assert "缺少必填字段 name" in by_line[12].message
    assert by_line[12].entry == "单位 A01「城关镇」 → 栏目（第 2 项）"
    assert "未知字段 expect_updates" in by_line[13].message
    assert "expect_update" in by_line[13].fix
    assert "单位代码「A01」重复（第 5 行已使用）" in by_line[14].message
    assert "可选值：A、B" in by_line[16].fix
    assert "「douyin」" in by_line[18].message and "wechat" in by_line[18].fix
    report = str(error)
    assert report.startswith("配置有 8 处错误")
    assert "修改方法" in report


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    error = _problems(tmp_path, "county: 测试县\nunits:\n  - code: A01\n   name: [broken\n")
    assert len(error.problems) == 1
    assert error.problems[0].line is not None
    assert "缩进" in error.problems[0].fix


def test_missing_file_and_environment_variable(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_config(tmp_path / "nope.yaml")
    monkeypatch.delenv("GW_TEST_PORTAL", raising=False)
    text = ("county: 测试县\nunits:\n  - code: A01\n    name: 城关镇\n    category: A\n"
            "    columns:\n      - {name: 动态, url: '${GW_TEST_PORTAL}/a/'}\n")
    error = _problems(tmp_path, text)
    assert any("GW_TEST_PORTAL" in p.entry for p in error.problems)
    monkeypatch.setenv("GW_TEST_PORTAL", "http://127.0.0.1:9")
    path = tmp_path / "county.yaml"
    assert load_config(path).units[0].columns[0].url == "http://127.0.0.1:9/a/"


def test_duplicate_source_names_and_keys(tmp_path: Path) -> None:
    text = ("county: 测试县\nunits:\n  - code: A01\n    name: 城关镇\n    category: A\n"
            "    category: B\n    columns:\n"
            "      - {name: 动态, url: 'http://a.gov.cn/1/'}\n"
            "      - {name: 动态, url: 'http://a.gov.cn/1/'}\n")
    messages = [p.message for p in _problems(tmp_path, text).problems]
    assert any("字段 category 重复" in m for m in messages)
    assert any("名称「动态」重复" in m for m in messages)
    assert any("网址与本单位第 8 行的来源重复" in m for m in messages)


def test_cli_refuses_bad_config_before_anything_runs(tmp_path: Path) -> None:
    path = tmp_path / "county.yaml"
    path.write_text(BAD, encoding="utf-8")
    for args in (["config", "check"], ["crawl"], ["monitor"]):
        done = subprocess.run(
            [sys.executable, "-m", "govwatch", "--config", str(path), *args],
            capture_output=True, text=True, cwd=tmp_path, timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert "配置有 8 处错误" in done.stderr
        assert "第 10 行" in done.stderr
    assert not (tmp_path / "data").exists()  # nothing ran: no database was created


def _config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def test_a_folder_infinite_numbers_and_looping_aliases_are_explained(tmp_path: Path) -> None:
    """Each is a Chinese message naming the file, never a traceback, hang or silent run."""
    assert "这是一个文件夹，不是配置文件" in _config_error(tmp_path)
    numbers = tmp_path / "numbers.yaml"
    numbers.write_text("county: 测试县\nsettings:\n"
                       "  thresholds: {stale_days: .inf}\n"
                       "  crawl: {timeout: .inf, download_delay: 1e308, max_response_mb: .nan,"
                       " max_pages: 99999999999}\nunits: []\n", encoding="utf-8")
    text = _config_error(numbers)
    for field in ("stale_days", "timeout", "download_delay", "max_response_mb", "max_pages"):
        assert field in text, field
    looping = tmp_path / "loop.yaml"
    looping.write_text("county: 测试县\nunits: &u [*u]\n", encoding="utf-8")
    assert "循环引用" in _config_error(looping)
    laughs = tmp_path / "laughs.yaml"
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    laughs.write_text("\n".join([*levels, "county: 测试县", "units: []"]) + "\n",
                      encoding="utf-8")
    assert "展开别名后超过" in _config_error(laughs)  # a billion items, refused before building
