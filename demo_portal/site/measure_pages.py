"""The measured columns, generated from ``measures``: B02's 政策解读 in several forms (and the
WeChat posts carrying four of them), A02's 互动交流 留言 board, the 政府信息公开年报 columns.

Interpretation pages share B02's article template: a department logo above the article, a QR
code and a 16×16 print icon below its text — page chrome, never content. Their content images
(long 一图读懂 pictures), the chrome images and the videos are served too: the images are SVG
drawings under the usual .jpg/.png/.gif names (every page of the site stays text), the videos
an MP4 header only. The embedded player is on v.qq.com, off the site.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from demo_portal.site.base import _Article, _BuilderBase
from demo_portal.site.markup import _token, esc
from demo_portal.site.measures import (
    INTERPRETATIONS,
    MESSAGES,
    WECHAT_NEAR_MISS,
    YEAR_START_DAYS,
    AnnualReportItem,
    Interpretation,
    Message,
    annual_reports,
    interpretation_age,
)
from demo_portal.site.model import Entry
from demo_portal.site.sources import CST, UNIT_BY_CODE, SourceSpec, Unit

B02_LOGO = ("/b02/images/logo.png", 400, 80)
B02_QRCODE = ("/b02/images/qrcode.png", 150, 150)
B02_PRINT_ICON = ("/b02/images/print.gif", 16, 16)
SVG_TYPE = "image/svg+xml"
MP4_TYPE = "video/mp4"
# An MP4 file's header boxes (ftyp, empty mdat): ASCII bytes, enough to be typed as MP4.
MP4_STUB = "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2\x00\x00\x00\x08mdat"
# Content images per interpretation: (count, height) — 一图读懂 pictures are 750 wide.
CONTENT_IMAGES: dict[str, tuple[int, int]] = {
    "J1": (2, 2400),
    "J2": (1, 2400),
    "J3": (2, 2400),
    "J4": (3, 1334),
    "J5": (2, 1334),
}
VIDEO_TAG = {"J6", "J7"}  # a <video> in the body; J8 only has the v.qq.com player
EARLY_LEAD_DAYS = 7  # before 31 January a carrying post may precede its interpretation so much


def first_sentence(text: str) -> str:
    """The text up to and including its first 。 (all of it when there is none)."""
    end = text.find("。")
    return text if end < 0 else text[: end + 1]


def _svg(width: int, height: int, lines: tuple[str, ...], fill: str = "#fff7e6") -> str:
    rows = "".join(
        f'<text x="{width // 2}" y="{60 + 80 * k}" font-size="32" text-anchor="middle" '
        f'fill="#b40000">{esc(line)}</text>'
        for k, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><rect width="{width}" height="{height}" '
        f'fill="{fill}"/>{rows}</svg>\n'
    )


def _qr_svg(size: int, seed: str) -> str:
    cells = 25
    step = size // cells
    bits = bin(int.from_bytes(_token(seed, length=80).encode(), "big"))[2:]
    rects = "".join(
        f'<rect x="{(k % cells) * step}" y="{(k // cells) * step}" width="{step}" '
        f'height="{step}"/>'
        for k in range(cells * cells)
        if bits[k % len(bits)] == "1"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}"><rect width="{size}" height="{size}" fill="#fff"/>'
        f"{rects}</svg>\n"
    )


def _img(src: str, width: int, height: int, alt: str) -> str:
    return f'<img src="{src}" width="{width}" height="{height}" alt="{esc(alt)}" />'


class _MeasurePages(_BuilderBase):
    """B02's 政策解读 in several forms, A02's 留言 board and the 年报 columns."""

    # -- interpretations -------------------------------------------------------------------

    def b02_interpretations(self) -> list[tuple[Interpretation, _Article]]:
        """``INTERPRETATIONS`` as published on the as-of date, newest first (the same for
        every call: the WeChat posts carrying them are made before the column)."""
        rng = self.rng("/b02/zcjd/")
        out = []
        for rec in INTERPRETATIONS:
            published = self.stamp(self.day(interpretation_age(rec.age, self.as_of)), rng)
            art = _Article(
                rec.title,
                rec.path,
                published,
                UNIT_BY_CODE["B02"].org,
                self.interp_paragraphs(rec),
                rec.topic,
                views=rng.randint(100, 3000),
            )
            out.append((rec, art))
        return sorted(out, key=lambda p: (p[1].published, p[0].key), reverse=True)

    @staticmethod
    def interp_paragraphs(rec: Interpretation) -> tuple[str, ...]:
        """The text of an interpretation's page (beside its images, video or player)."""
        name = rec.name
        if rec.form == "graphic" and rec.recognisable == "title":
            return (f"图：{name}要点",)  # the caption, at most 40 characters
        if rec.form == "graphic":
            return (f"现将《{name}》主要内容解读如下。",)  # under 60 characters
        if rec.form == "video":
            return (
                f"县教育局有关负责同志就《{name}》的出台背景、主要内容和保障措施作出解读。",
                "解读机关：演示县教育局　联系电话：0799-6123456",
            )
        return (
            f"近日，演示县教育局印发《{name}》。为便于社会公众准确理解文件内容，现就有关情况解读如下。",
            f"一、起草背景。为深入贯彻落实国家和省、市关于{rec.topic}工作的决策部署，进一步健全工作机制、"
            "规范工作程序，县教育局在深入调研、广泛征求意见的基础上，结合我县实际，研究起草了"
            f"《{name}》。起草过程中，先后征求了县直有关部门、各乡镇、部分学校和家长代表的意见建议，"
            "并经合法性审查和局党组会议集体审议。",
            f"二、主要内容。文件共五章二十条，主要包括以下几个方面：一是明确{rec.topic}工作的基本原则、"
            "适用范围和工作目标；二是细化工作程序，明确申请、审核、公示和结果运用等各环节的具体要求；"
            "三是压实县教育局、各学校和有关部门的工作职责，建立定期会商和信息共享机制；四是强化监督管理，"
            "对工作中弄虚作假、违规操作的行为依法依规严肃处理；五是加强宣传引导，通过家长会、"
            "致家长的一封信和政务新媒体等渠道做好政策宣传，及时回应社会关切。",
            "三、主要亮点。一是坚持公开透明，工作程序和结果一律按规定公开，接受社会监督；二是坚持便民高效，"
            "推行网上申报和材料一次提交，让群众少跑腿；三是坚持统筹兼顾，充分考虑城乡学校的实际情况，"
            "确保政策落地见效。",
            "四、施行时间。文件自印发之日起施行，有效期五年。此前本县有关规定与本文件不一致的，以本文件为准。"
            "执行中遇到的问题，请及时向县教育局反映。",
            "五、解读机关及联系方式：演示县教育局，联系电话：0799-6123456。",
        )

    def interp_body(self, rec: Interpretation, art: _Article) -> str:
        """The article's text block: content images, video or player, and the text."""
        serial = rec.path.rsplit("_", 1)[-1].split(".")[0]
        parts: list[str] = []
        count, height = CONTENT_IMAGES.get(rec.key, (0, 0))
        for k in range(1, count + 1):
            src = f"/b02/zcjd/images/{serial}_{k}.jpg"
            parts.append(f'<p style="text-align:center">{_img(src, 750, height, rec.name)}</p>')
            lines = (rec.name, f"政策要点（{k}/{count}）", "演示县教育局")
            self.add_data(src, _svg(750, height, lines), SVG_TYPE)
        if rec.key in VIDEO_TAG:
            src = f"/b02/media/jd_{serial}.mp4"
            parts.append(
                f'<p style="text-align:center"><video src="{src}" controls width="750" '
                'height="422"></video></p>'
            )
            self.add_data(src, MP4_STUB, MP4_TYPE)
        elif rec.recognisable == "player":
            vid = "x" + _token("vid", rec.path, length=10).lower()
            parts.append(
                '<p style="text-align:center"><iframe frameborder="0" width="750" height="422" '
                f'src="https://v.qq.com/txp/iframe/player.html?vid={vid}" allowfullscreen="true">'
                "</iframe></p>"
            )
        style = ' style="text-align:center"' if rec.form == "graphic" else ""
        parts += [f"<p{style}>{esc(p)}</p>" for p in art.paragraphs]
        return "\n".join(parts)

    def interp_page(self, src: SourceSpec, unit: Unit, rec: Interpretation, art: _Article) -> str:
        logo, qrcode, icon = B02_LOGO, B02_QRCODE, B02_PRINT_ICON
        info = (
            f"发布日期：{art.published:%Y-%m-%d %H:%M}　　来源：{esc(art.org)}　　"
            f"阅读次数：{art.views}"
        )
        content = f"""<div class="dept-head">{_img(*logo, "演示县教育局")}</div>
<div class="article">
<h1>{esc(art.title)}</h1>
<div class="info">{info}</div>
<div class="text" id="zoom">
{self.interp_body(rec, art)}
</div>
<div class="share">{_img(*qrcode, "扫一扫在手机打开当前页")}<p>扫一扫在手机打开当前页</p></div>
<div class="tools">{_img(*icon, "打印")}<a href="javascript:window.print()">【打印本页】</a>\
<a href="javascript:window.close()">【关闭窗口】</a></div>
</div>"""
        crumbs = [(unit.name, f"/{unit.slug}/"), (src.name, src.path), ("正文", None)]
        return self.layout(art.title, crumbs, content, unit)

    def shape_interp_forms(self, src: SourceSpec, unit: Unit) -> None:
        found = self.b02_interpretations()
        for rec, art in found:
            self.add_html(rec.path, self.interp_page(src, unit, rec, art))
        self.add_data(B02_LOGO[0], _svg(400, 80, ("演示县教育局",), "#b40000"), SVG_TYPE)
        self.add_data(B02_QRCODE[0], _qr_svg(150, "/b02/zcjd/"), SVG_TYPE)
        self.add_data(B02_PRINT_ICON[0], _svg(16, 16, (), "#888"), SVG_TYPE)
        rows = "\n".join(
            f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(a.title)}</a>'
            f"<span>{a.published:%Y-%m-%d}</span></li>"
            for _, a in found
        )
        inner = f'<ul class="list">\n{rows}\n</ul>'
        self.column_page(src, unit, self.list_box(src, inner, self.count_line(len(found))))
        self.entries[src.path] = tuple(a.entry() for _, a in found)

    def carry_interpretations(self, posts: list[_Article]) -> None:
        """Re-title posts of B02's WeChat account (newest first) to carry the interpretations
        ``carried_on_wechat`` and plant ``WECHAT_NEAR_MISS``; the posts per week stay.

        Oldest interpretation first, each takes the earliest post not yet taken that was
        published after it. Before 31 January (interpretations squeezed into the days of the
        year so far, see ``interpretation_age``) the account has too few posts since: each then
        takes the earliest free post from ``EARLY_LEAD_DAYS`` before it on, and when none is
        left (the first days of January) the newest free one."""
        found = {rec.key: (rec, art) for rec, art in self.b02_interpretations()}
        early = (self.as_of - date(self.as_of.year, 1, 1)).days < YEAR_START_DAYS
        taken: set[int] = set()

        def pick(art: _Article) -> int:
            bound = art.published.date() - timedelta(days=EARLY_LEAD_DAYS)
            free = [
                i for i, p in enumerate(posts) if i not in taken
                and (p.published.date() >= bound if early else p.published > art.published)
            ]
            i = free[-1] if free else min(set(range(len(posts))) - taken)
            taken.add(i)
            return i

        carried = sorted((p for p in found.values() if p[0].carried_on_wechat),
                         key=lambda p: p[1].published)
        for rec, art in carried:
            assert rec.wechat_title is not None
            post = posts[pick(art)]
            post.title, post.topic, post.paragraphs = rec.wechat_title, rec.topic, art.paragraphs
            post.digest = first_sentence(art.paragraphs[0])
        key, title = WECHAT_NEAR_MISS
        rec, art = found[key]
        post = posts[pick(art)]
        rng = self.rng("/b02/wechat/near-miss")
        post.title, post.topic = title, rec.topic
        post.paragraphs = self.paragraphs(rng, rec.topic, post.org, post.published.date())

    # -- 留言 board ------------------------------------------------------------------------

    def shape_messages(self, src: SourceSpec, unit: Unit) -> None:
        ordered = sorted(MESSAGES, key=lambda m: m.asked, reverse=True)
        rows = []
        for msg in ordered:
            asked = msg.asked_at(self.as_of)
            status = "已回复" if msg.reply_after is not None else "办理中"
            rows.append(
                f'<tr><td class="bt"><a href="{msg.path}" target="_blank">{esc(msg.title)}</a>'
                f'</td><td class="rq" align="center">{asked:%Y-%m-%d}</td>'
                f'<td class="zt" align="center">{status}</td></tr>'
            )
            self.add_html(msg.path, self.message_page(src, unit, msg))
        inner = (
            '<table class="xxgk-list hdjl-list" width="100%" border="0" cellspacing="0" '
            'cellpadding="0">\n<tr class="list-head"><th>标题</th><th width="120">留言时间</th>'
            f'<th width="80">状态</th></tr>\n{chr(10).join(rows)}\n</table>'
        )
        self.column_page(src, unit, self.list_box(src, inner, self.count_line(len(rows))))
        self.entries[src.path] = tuple(
            Entry(m.title, m.path, m.asked_at(self.as_of)) for m in ordered
        )

    def message_page(self, src: SourceSpec, unit: Unit, msg: Message) -> str:
        """A 政民互动 page: the question table, then the reply block."""
        stamp = "%Y-%m-%d %H:%M:%S"
        replied = msg.replied_at(self.as_of)

        def row(label: str, value: str) -> str:
            return f'<tr><th width="120">{label}</th><td>{esc(value)}</td></tr>'

        question = [
            row("留言标题", msg.title),
            row("留言人", msg.asker),
            row("留言时间", f"{msg.asked_at(self.as_of):{stamp}}"),
            row("留言内容", msg.question),
            row("办理状态", "已回复" if replied else "办理中"),
        ]
        reply = [row("回复单位", unit.org)]
        if replied is not None:
            reply += [row("回复时间", f"{replied:{stamp}}"), row("回复内容", msg.answer)]
        else:
            reply.append(row("回复内容", "暂无回复"))
        content = f"""<div class="hdjl-detail">
<div class="list-hd"><h2>政民互动</h2></div>
<table class="meta hdjl-question">
{chr(10).join(question)}
</table>
<div class="hdjl-reply"><h3>回复信息</h3>
<table class="meta">
{chr(10).join(reply)}
</table></div>
</div>"""
        crumbs = [(unit.name, f"/{unit.slug}/"), (src.name, src.path), ("留言详情", None)]
        return self.layout(msg.title, crumbs, content, unit)

    # -- 政府信息公开工作年度报告 -------------------------------------------------------------

    def shape_annual_report(self, src: SourceSpec, unit: Unit) -> None:
        items = [i for i in annual_reports(self.as_of) if i.column == src.path]
        arts = []
        for item in items:
            rng = self.rng(item.path)
            published = datetime.combine(
                item.published_on, time(rng.randint(9, 17), rng.randrange(60)), CST
            )
            arts.append(
                _Article(
                    item.title,
                    item.path,
                    published,
                    unit.org,
                    self.annual_report_text(item, unit),
                    views=rng.randint(50, 900),
                )
            )
        self.list_column(
            src, unit, arts,
            lambda a: (
                f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">'
                f"{esc(a.title)}</a><span>{a.published:%Y-%m-%d}</span></li>"
            ),
            '<ul class="list">',
        )

    @staticmethod
    def annual_report_text(item: AnnualReportItem, unit: Unit) -> tuple[str, ...]:
        x, org = item.year, unit.org
        if not item.is_report:  # the near miss: a plan, not the report
            return (
                f"为认真贯彻落实《中华人民共和国政府信息公开条例》，现将{org}{x}年政府信息公开"
                "工作要点公布如下。",
                "一、加强主动公开。围绕重点领域信息公开要求，及时准确发布各类政府信息。",
                "二、规范依申请公开。严格按照法定时限和程序办理政府信息公开申请。",
                "三、强化平台建设。加强政府网站栏目内容保障，提升政务新媒体服务水平。",
            )
        return (
            "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅"
            "政府信息公开工作年度报告格式要求编制。",
            "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开"
            "行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。",
            f"本报告所列数据的统计期限自{x}年1月1日起至{x}年12月31日止。如对本报告有疑问，"
            f"请与{org}办公室联系（电话：0799-6123456）。",
            f"一、总体情况。{x}年，{org}认真贯彻落实《条例》和上级关于政务公开工作的部署要求，"
            "坚持以公开为常态、不公开为例外，不断加大主动公开力度，规范依申请公开工作。",
        )
