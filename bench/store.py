"""The monitors' store: a province's worth of crawl results, written straight into SQLite.

Default size: 5,000 units × (10 columns + 2 new-media accounts) = 60,000 sources and
1,000,000 items, plus a week of daily crawl runs per source and two page snapshots each.
Everything is drawn from a seeded RNG (the same store on every run) with the shapes a real
province shows:
- general columns: most updated within the week, ~12 % stale (7–30 days), a few long dead;
  two of the eight per unit do not expect weekly updates;
- new-media accounts: weekly posts since the monitoring start — most post 3–7 times a week,
  one in five is weak and often under-posts;
- policy columns with 文号 and 《》 titles, personnel notices (excluded), a few 不作解读
  statements; interpretation columns naming ~70 % of them (in 《》, by 一图读懂, by a reworded
  title that only matches fuzzily, or only by a link), plus interpretations of policies
  published elsewhere;
- ~2 % of sources whose latest crawls failed (a failed interpretation column silences the
  policy rule for its own unit only: ``monitors.uninterpreted_policy.Coverage``).
The schema comes from the Alembic migrations; rows go in with ``executemany`` in one
transaction. A county YAML listing the same units and sources (so ``open_database``'s config
sync changes nothing) is written beside it.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from govwatch.timeutil import monday_of
from storage.db import Database, created_mark
from storage.identity import item_key

COUNTY_A = "青白赤黄丹紫金银玉石松柏桃李梅兰竹菊云雨风雪山川江河湖海"
COUNTY_B = "阳安平宁康泰兴隆昌盛丰源城林田岭峰溪泉水口坪坝关台州"
TOWNSHIP_LABELS = ("城关镇", "河西镇", "六泉乡", "东岭镇", "南塘乡", "北山镇", "石桥镇",
                   "青龙乡", "白云镇", "金沙乡", "长乐镇", "永安镇")
DEPARTMENT_LABELS = ("发改局", "教育局", "财政局", "人社局", "自然资源局", "住建局", "交通局",
                     "农业农村局", "水利局", "商务局", "文旅局", "卫健局", "应急局", "市场监管局",
                     "医保局", "民政局", "司法局", "生态环境局", "统计局", "林业局")
GENERAL = ("通知公告", "政务动态", "工作动态", "财政信息", "人事信息", "重点领域", "规划计划",
           "办事指南")
NO_WEEKLY = ("规划计划", "办事指南")  # columns that need not change every week
TOPICS = ("秋季森林防火", "农村人居环境整治提升", "安全生产专项整治", "防汛抗旱应急",
          "乡村振兴衔接资金", "优化营商环境", "城乡居民医保", "义务教育招生入学", "耕地保护",
          "民生实事项目", "城区停车", "中小学校舍安全", "粮食生产扶持资金", "招商引资优惠政策",
          "重点项目建设", "生活垃圾分类", "河湖长制", "老旧小区改造", "就业创业补贴",
          "农村饮水安全")
DOC_KINDS = ("实施方案", "管理办法", "若干措施", "工作要点", "考核细则", "实施意见",
             "暂行规定", "行动计划")
NEWS = ("{u}召开{t}工作推进会", "{u}部署{t}工作", "关于做好{t}工作的通知", "{t}工作简报",
        "{u}开展{t}专项检查", "关于{t}情况的通报", "{u}扎实推进{t}")
EXCLUDED = ("关于张{n}同志任职的通知", "{u}2021年公开招聘工作人员公告", "关于李{n}等同志任免的通知")
POLICY_EXCLUDE = ["任职", "任免", "招聘", "录用"]


@dataclass(frozen=True)
class StoreFixture:
    """Size of the store; ``as_of`` is the day the monitors judge."""

    as_of: date
    units: int = 5000
    items: int = 1_000_000
    seed: int = 20211

    def scaled(self, factor: int) -> StoreFixture:
        return StoreFixture(self.as_of, self.units * factor, self.items * factor, self.seed)

    @property
    def sources(self) -> int:
        return self.units * 12

    @property
    def monitoring_start(self) -> date:
        """Monday eight weeks before the as-of week."""
        return monday_of(self.as_of) - timedelta(weeks=8)


def _dt(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _unit_names(fixture: StoreFixture) -> list[tuple[str, str, str]]:
    """(code, name, category) per unit: counties of 12 townships and 20 departments."""
    counties = [a + b + "县" for a in COUNTY_A for b in COUNTY_B]
    units = []
    for i in range(fixture.units):
        county, k = divmod(i, 32)
        name = counties[county % len(counties)]
        if county >= len(counties):
            name = f"{name}{county // len(counties) + 1}"
        if k < 12:
            units.append((f"P{i:06d}", name + TOWNSHIP_LABELS[k], "A"))
        else:
            units.append((f"P{i:06d}", name + DEPARTMENT_LABELS[k - 12], "B"))
    return units


class _Writer:
    """Buffers rows per table and writes them with executemany."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.rows: dict[str, list[tuple[Any, ...]]] = {}
        self.sql: dict[str, str] = {}
        self.count: dict[str, int] = {}

    def add(self, table: str, columns: tuple[str, ...], row: tuple[Any, ...]) -> None:
        if table not in self.sql:
            marks = ", ".join("?" * len(columns))
            self.sql[table] = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            self.rows[table] = []
        self.rows[table].append(row)
        self.count[table] = self.count.get(table, 0) + 1
        if len(self.rows[table]) >= 50_000:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.rows):
            if self.rows[name]:
                self.conn.executemany(self.sql[name], self.rows[name])
                self.rows[name] = []


ITEM_COLS = ("id", "source_id", "key", "url", "title", "published_on", "published_at",
             "first_seen_at", "last_seen_at", "content_hash", "links", "statement")
SOURCE_COLS = ("id", "unit_id", "name", "type", "kind", "url", "render", "selectors",
               "expect_update", "thresholds", "policy_titles", "monitored_since", "active")
RUN_COLS = ("id", "source_id", "started_at", "finished_at", "outcome", "http_status", "pages",
            "items_found", "items_dated", "items_new", "error", "reference_date")
SNAP_COLS = ("id", "source_id", "crawl_run_id", "url", "taken_at", "http_status", "html_path",
             "png_path", "sha256")


@dataclass
class _Source:
    id: int
    unit: int
    name: str
    type: str
    kind: str
    url: str
    expect_update: bool


def build(fixture: StoreFixture, db_path: Path, config_path: Path) -> dict[str, Any]:
    """Create the database at ``db_path`` (replacing it) and its county YAML."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    created_mark(db_path).unlink(missing_ok=True)  # replaced on purpose: not a lost database
    db = Database(f"sqlite:///{db_path.resolve()}")
    db.migrate()
    db.dispose()
    rng = random.Random(fixture.seed)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=MEMORY")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("BEGIN")
    w = _Writer(conn)
    units = _unit_names(fixture)
    for i, (code, name, category) in enumerate(units, 1):
        w.add("unit", ("id", "code", "name", "category", "county", "active"),
              (i, code, name, category, "基准省", 1))
    sources = list(_sources(fixture, units))
    for s in sources:
        policy_titles = (json.dumps({"include": [], "exclude": POLICY_EXCLUDE})
                         if s.kind == "policy" else None)
        w.add("source", SOURCE_COLS, (
            s.id, s.unit + 1, s.name, s.type, s.kind, s.url, "static", None,
            int(s.expect_update), "{}", policy_titles,
            fixture.monitoring_start.isoformat() if s.type == "account" else None, 1))
    items = _items(fixture, rng, sources, units, w)
    failing = _runs(fixture, rng, sources, w)
    w.flush()
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    _write_config(fixture, units, sources, config_path, db_path.parent)
    return {"units": len(units), "sources": len(sources), "items": items,
            "crawl_runs": w.count.get("crawl_run", 0), "snapshots": w.count.get("snapshot", 0),
            "failing_sources": failing}


def _sources(fixture: StoreFixture, units: list[tuple[str, str, str]]) -> Iterator[_Source]:
    sid = 0
    for u, (code, _name, _cat) in enumerate(units):
        host = f"http://www.p{u // 32:04d}.gov.cn/{code.lower()}"
        for name in GENERAL:
            sid += 1
            yield _Source(sid, u, name, "column", "general", f"{host}/{name}/",
                          name not in NO_WEEKLY)
        sid += 1
        yield _Source(sid, u, "政策文件", "column", "policy", f"{host}/zcwj/", False)
        sid += 1
        yield _Source(sid, u, "政策解读", "column", "interpretation", f"{host}/zcjd/", False)
        for k, platform in enumerate(("rss", "wechat")):
            sid += 1
            yield _Source(sid, u, f"政务新媒体{k + 1}", "account", platform,
                          f"http://rss.p{u // 32:04d}.gov.cn/{code.lower()}/{k}.xml", True)


def _items(fixture: StoreFixture, rng: random.Random, sources: list[_Source],
           units: list[tuple[str, str, str]], w: _Writer) -> int:
    """Items of every source; general columns absorb the rounding to hit ``fixture.items``."""
    as_of = fixture.as_of
    seen = datetime.combine(as_of, time(6, 0))
    per_unit_budget = fixture.items / fixture.units
    item_id = 0

    def add(source: _Source, url: str, title: str, day: date | None,
            at: datetime | None = None, links: list[str] | None = None,
            statement: str | None = None) -> None:
        nonlocal item_id
        item_id += 1
        first = datetime.combine(day, time(20, 0)) if day else seen
        w.add("item", ITEM_COLS, (
            item_id, source.id, item_key(url), url, title, day.isoformat() if day else None,
            _dt(at) if at else None, _dt(min(first, seen)), _dt(seen), None,
            json.dumps(links or []), statement))

    by_unit: dict[int, list[_Source]] = {}
    for s in sources:
        by_unit.setdefault(s.unit, []).append(s)
    for u, mine in by_unit.items():
        unit_name = units[u][1]
        target = round(per_unit_budget * (u + 1)) - round(per_unit_budget * u)
        start = item_id
        policy, interp = mine[8], mine[9]
        accounts = mine[10:]
        # policies and their interpretations
        policies = rng.randint(12, 20)
        combos = rng.sample([(t, k) for t in TOPICS for k in DOC_KINDS], policies)
        interp_rows: list[tuple[str, str, date, list[str]]] = []
        for n, (topic, kind) in enumerate(combos):
            day = as_of - timedelta(days=rng.randint(0, 80))
            core = f"{unit_name}{topic}{kind}"
            url = f"{policy.url}t{day:%Y%m%d}_{n}.html"
            roll = rng.random()
            links: list[str] = []
            statement = None
            if roll < 0.08:
                title = EXCLUDED[n % len(EXCLUDED)].format(n=n, u=unit_name)
            elif roll < 0.13:
                title = f"关于印发《{core}》的通知"
                statement = "本文件不作解读。理由：本文件为内部工作安排，不涉及公众权利义务。"
            else:
                title = rng.choice((f"关于印发《{core}》的通知",
                                    f"{core}（{unit_name[:2]}政发〔2021〕{n + 1}号）",
                                    f"{core}（试行）", core))
                later = day + timedelta(days=rng.randint(0, 6))
                ilink = f"{interp.url}t{later:%Y%m%d}_{n}.html"
                form = rng.random()
                if form < 0.25:
                    interp_rows.append((ilink, f"《{core}》政策解读", later, []))
                elif form < 0.45:
                    interp_rows.append((ilink, f"一图读懂｜{core}", later, [url]))
                elif form < 0.60:
                    interp_rows.append((ilink, f"关于{core}的解读", later, []))
                elif form < 0.68:  # reworded: only a fuzzy title match finds it
                    interp_rows.append((ilink, f"{unit_name}{topic[:-1]}{kind}解读", later, []))
                elif form < 0.72:  # a different title, found through the policy's link only
                    interp_rows.append((ilink, f"图解：{topic}新规来了", later, []))
                    links = [ilink, f"{policy.url}index.html"]
                # else: no interpretation → a finding once its grace period is over
            add(policy, url, title, day, links=links, statement=statement)
        for n in range(rng.randint(0, 2)):  # interpretations of policies published elsewhere
            day = as_of - timedelta(days=rng.randint(0, 60))
            interp_rows.append((f"{interp.url}x{day:%Y%m%d}_{n}.html",
                                f"解读：省{rng.choice(TOPICS)}{rng.choice(DOC_KINDS)}", day, []))
        for url, title, day, links in sorted(interp_rows, key=lambda r: r[2]):
            add(interp, url, title, day, links=links)
        # new-media accounts: weekly posts from the week before the monitoring start
        weak = [rng.random() < 0.2 for _ in accounts]
        first_monday = fixture.monitoring_start - timedelta(weeks=1)
        for account, is_weak in zip(accounts, weak, strict=True):
            monday = first_monday
            k = 0
            while monday <= as_of:
                if is_weak:
                    posts = rng.choice((0, 1, 2, 2, 3, 3, 4))
                else:
                    posts = rng.choice((2, 3, 3, 4, 4, 5, 6, 7)) if rng.random() < 0.06 else \
                        rng.choice((3, 4, 4, 5, 6, 7))
                for _ in range(posts):
                    day = monday + timedelta(days=rng.randint(0, 6))
                    if day > as_of:
                        continue
                    at = datetime.combine(day, time(rng.randint(7, 21), rng.randint(0, 59)))
                    k += 1
                    add(account, f"{account.url}#p{k}", rng.choice(NEWS).format(
                        u=unit_name, t=rng.choice(TOPICS)), day, at=at)
                monday += timedelta(weeks=1)
        # general columns share what is left of the unit's budget
        left = max(target - (item_id - start), 8 * 3)
        general = mine[:8]
        counts = [left // 8 + (1 if i < left % 8 else 0) for i in range(8)]
        for column, count in zip(general, counts, strict=True):
            roll = rng.random()
            newest = (rng.randint(0, 6) if roll < 0.85 else rng.randint(7, 30) if roll < 0.97
                      else rng.randint(31, 120))
            if not column.expect_update:
                newest += rng.randint(0, 60)
            day = as_of - timedelta(days=newest)
            for n in range(count):
                dated = rng.random() > 0.01
                add(column, f"{column.url}t{day:%Y%m%d}_{n}.html", rng.choice(NEWS).format(
                    u=unit_name, t=rng.choice(TOPICS)), day if dated else None)
                day -= timedelta(days=rng.randint(0, 4))
    return item_id


def _runs(fixture: StoreFixture, rng: random.Random, sources: list[_Source],
          w: _Writer) -> int:
    """A week of daily crawl runs per source (some failing lately) and two snapshots each."""
    run_id = snap_id = failing = 0
    days = [fixture.as_of - timedelta(days=d) for d in range(6, -1, -1)]
    for s in sources:
        roll = rng.random()
        bad_from = len(days)
        if roll < 0.02:
            bad_from = len(days) - rng.randint(1, 4)  # failing for the last 1–4 days
            failing += 1
        elif roll < 0.03:
            bad_from = -rng.randint(2, 4)  # one failed day earlier in the week, then ok
        for d, day in enumerate(days):
            run_id += 1
            started = datetime.combine(day, time(2, rng.randint(0, 59)))
            bad = d >= bad_from or (bad_from < 0 and d == len(days) + bad_from)
            if bad:
                outcome, status = rng.choice((("http_error", 500), ("timeout", None),
                                              ("blocked", 412), ("connection_error", None)))
                error = f"HTTP {status}" if status else outcome
                w.add("crawl_run", RUN_COLS, (run_id, s.id, _dt(started),
                                              _dt(started + timedelta(seconds=20)), outcome,
                                              status, 0, 0, 0, 0, error, day.isoformat()))
            else:
                w.add("crawl_run", RUN_COLS, (run_id, s.id, _dt(started),
                                              _dt(started + timedelta(seconds=3)), "ok", 200,
                                              2, 40, 40, rng.randint(0, 2), None,
                                              day.isoformat()))
            if d >= len(days) - 2:
                snap_id += 1
                digest = f"{s.id:016x}{d:048x}"
                w.add("snapshot", SNAP_COLS, (
                    snap_id, s.id, run_id, s.url, _dt(started + timedelta(seconds=2)),
                    500 if bad else 200, f"/nonexistent/snapshots/{s.id}/{digest[:16]}.html.gz",
                    None, digest))
    return failing


def _write_config(fixture: StoreFixture, units: list[tuple[str, str, str]],
                  sources: list[_Source], path: Path, data_dir: Path) -> None:
    lines = [
        "# Benchmark store (generated by bench/store.py); not a real county.",
        "county: 基准省",
        "settings:",
        f"  data_dir: {data_dir.resolve()}",
        "  rubric: lingchuan-2021",
        f"  monitoring_start: {fixture.monitoring_start.isoformat()}",
        "units:",
    ]
    by_unit: dict[int, list[_Source]] = {}
    for s in sources:
        by_unit.setdefault(s.unit, []).append(s)
    for u, (code, name, category) in enumerate(units):
        lines += [f"  - code: {code}", f"    name: {name}", f"    category: {category}",
                  "    columns:"]
        mine = by_unit[u]
        for s in mine:
            if s.type != "column":
                continue
            extra = ""
            if s.kind == "policy":
                patterns = json.dumps(POLICY_EXCLUDE, ensure_ascii=False)
                extra = f", policy_titles: {{exclude: {patterns}}}"
            lines.append(f"      - {{name: {s.name}, url: '{s.url}', kind: {s.kind},"
                         f" expect_update: {str(s.expect_update).lower()}{extra}}}")
        lines.append("    accounts:")
        for s in mine:
            if s.type == "account":
                lines.append(f"      - {{name: {s.name}, platform: {s.kind}, url: '{s.url}'}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
