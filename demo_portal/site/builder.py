"""The builder: ``build_site(as_of, base_url)`` generates the whole county for an as-of date.

``_Builder`` combines the shape mixins, renders every source in ``SOURCES`` order (article
serials depend on it; the measured columns of ``measure_pages`` and the national checks'
columns of ``national_pages`` included), the policy columns, the home page (with its 最新动态
list, the portal homepage source), the unit and stub pages, and returns the ``Site``. Nothing
here does I/O or reads the clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from demo_portal.site.cms import _CmsShapes
from demo_portal.site.faults import _FaultShapes
from demo_portal.site.feeds import _FeedPages
from demo_portal.site.lists import _ListShapes
from demo_portal.site.markup import esc
from demo_portal.site.measure_pages import _MeasurePages
from demo_portal.site.model import Page, Site
from demo_portal.site.national_pages import _NationalPages
from demo_portal.site.policy_pages import _PolicyPages
from demo_portal.site.sources import (
    ATOM_PATH,
    JSON_TYPE,
    SOURCES,
    UNIT_BY_CODE,
    UNITS,
    WEIBO_PROFILE,
    SourceSpec,
    Unit,
)


class _Builder(
    _ListShapes,
    _CmsShapes,
    _FaultShapes,
    _PolicyPages,
    _FeedPages,
    _MeasurePages,
    _NationalPages,
):
    """Every page of the portal for one as-of date (see ``build``)."""

    def home(self) -> None:
        boxes = []
        for unit in UNITS:
            links = []
            for src in SOURCES:
                if src.unit != unit.code:
                    continue
                href = WEIBO_PROFILE if src.shape == "weibo" else src.path
                label = {"wechat": "微信公众号", "rss": "RSS订阅", "weibo": "政务微博"}.get(
                    src.kind if src.type == "account" else "",
                    "网站" if src.kind == "homepage" else "栏目",
                )
                links.append(f'<li><a href="{href}">{label}：{esc(src.name)}</a></li>')
                if src.shape == "rss":
                    links.append(f'<li><a href="{ATOM_PATH}">Atom订阅：{esc(src.name)}</a></li>')
            boxes.append(
                f'<div class="unit-box" id="{unit.slug}"><h3><a href="/{unit.slug}/">'
                f"{unit.code} {unit.name}</a>（{unit.category}类）</h3>\n"
                f'<ul class="list">{"".join(links)}</ul></div>'
            )
            self.add_html(
                f"/{unit.slug}/",
                self.layout(
                    unit.name,
                    [(unit.name, None)],
                    f'<div class="list-hd"><h2>{unit.name}政务公开</h2></div>'
                    f'<ul class="list">{"".join(links)}</ul>',
                    unit,
                ),
            )
        content = (
            self.portal_latest()
            + '<div class="list-hd"><h2>政务公开目录</h2></div>\n'
            "<p>以下为各考核单位的信息公开栏目和政务新媒体账号：</p>\n" + "\n".join(boxes)
        )
        self.add_html("/", self.layout("首页", [], content))
        self.add_data("/robots.txt", "User-agent: *\nDisallow:\n", "text/plain; charset=utf-8")
        stubs = {
            "/zwfw/": ("政务服务", "请登录省政务服务网办理各类政务服务事项。"),
            "/hdjl/": ("互动交流", "县长信箱：请通过省12345政务服务便民热线反映诉求。"),
            "/zjys/": ("走进演示", "演示县位于某省西部，辖3个乡镇，总面积1200平方公里。"),
        }
        for path, (title, text) in stubs.items():
            self.add_html(
                path,
                self.layout(
                    title,
                    [(title, None)],
                    f'<div class="list-hd"><h2>{title}</h2></div><p>{text}</p>',
                ),
            )

    def build(self) -> Site:
        shapes: dict[str, Callable[[SourceSpec, Unit], None]] = {
            "ul-span": self.shape_ul_span,
            "gbk-cn": self.shape_gbk_cn,
            "table": self.shape_table,
            "paged": self.shape_paged,
            "archive": self.shape_archive,
            "bracket": self.shape_bracket,
            "no-date": self.shape_no_date,
            "div-list": self.shape_div_list,
            "ul-fr": self.shape_ul_fr,
            "js-json": self.shape_js_json,
            "http-500": self.shape_http_500,
            "trs-script": self.shape_trs_script,
            "hanweb": self.shape_hanweb,
            "gkmlpt": self.shape_gkmlpt,
            "slow": self.shape_slow,
            "ruishu-412": self.shape_ruishu_412,
            "jsl-521": self.shape_jsl_521,
            "oversized": self.shape_oversized,
            "interp-forms": self.shape_interp_forms,
            "messages": self.shape_messages,
            "annual-report": self.shape_annual_report,
            "homepage": self.shape_homepage,
            "blank": self.shape_blank,
            "backdated": self.shape_backdated,
        }
        for src in SOURCES:
            if src.shape in shapes:
                shapes[src.shape](src, UNIT_BY_CODE[src.unit])
            elif src.shape == "wechat":
                self.wechat(src)
            elif src.shape == "rss":
                self.rss(src)
            elif src.shape == "weibo":
                self.weibo(src)
            # "portal-home" (/): ``home`` builds it once every column it quotes is built
        self.policy_columns()
        self.home()
        not_found = self.layout(
            "页面不存在",
            [("页面不存在", None)],
            '<div class="list-hd"><h2>404</h2></div><p>抱歉，您访问的页面不存在或已被删除。</p>',
        )
        empty = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
        return Site(
            as_of=self.as_of,
            base_url=self.base_url.rstrip("/"),
            pages=dict(sorted(self.pages.items())),
            entries={s.path: self.entries.get(s.path, ()) for s in SOURCES},
            not_found=Page(not_found.encode("utf-8"), status=404),
            weibo_empty=Page(
                json.dumps(empty, ensure_ascii=False).encode("utf-8"),
                JSON_TYPE,
            ),
            hanweb=dict(self.hanweb),
            gkmlpt=dict(self.gkmlpt),
        )


def build_site(as_of: date, base_url: str = "") -> Site:
    """Generate the whole portal for ``as_of``; ``base_url`` prefixes absolute links in feeds."""
    return _Builder(as_of, base_url).build()
