"""Column shapes of specific CMSs whose lists need more than one static page.

TRS WCM with a script-only pager (``createPageHTML``), the Hanweb 大汉 jpage column (15 records
inline, the rest from the ``dataproxy.jsp`` XML proxy answered by ``Site.hanweb_proxy``) and the
Guangdong gkmlpt app shell (articles from the JSON API answered by ``Site.gkmlpt_api``), with the
JavaScript each serves.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from demo_portal.site.base import _BuilderBase
from demo_portal.site.markup import esc
from demo_portal.site.model import GkmlptCategory
from demo_portal.site.sources import (
    GKMLPT_API,
    GKMLPT_CATEGORY,
    GKMLPT_CLASSIFY,
    GKMLPT_COUNT,
    GKMLPT_ID_BASE,
    GKMLPT_SHELL,
    HANWEB_ART_BASE,
    HANWEB_COLUMN,
    HANWEB_COUNT,
    HANWEB_JPAGE_JS,
    HANWEB_PER_PAGE,
    HANWEB_PROXY,
    HANWEB_UNIT_ID,
    HANWEB_WEBNAME,
    PAGE_SIZE,
    TRS_PAGER_JS,
    TRS_SCRIPT_COUNT,
    SourceSpec,
    Unit,
)

TRS_PAGER_SCRIPT = """// TRS WCM pager: writes 首页 上一页 1 2 3 下一页 尾页 where it is called.
function createPageHTML(nPageCount, nCurrIndex, sPageName, sPageExt) {
  if (nPageCount == null || nPageCount <= 1) { return; }
  function name(k) {
    return k === 0 ? sPageName + "." + sPageExt : sPageName + "_" + k + "." + sPageExt;
  }
  function link(k, label) { return "<a href='" + name(k) + "'>" + label + "</a> "; }
  var out = "<span>共" + nPageCount + "页</span> ";
  out += nCurrIndex > 0 ? link(0, "首页") + link(nCurrIndex - 1, "上一页")
    : "<span>首页</span> <span>上一页</span> ";
  for (var i = 0; i < nPageCount; i++) {
    out += i === nCurrIndex ? "<span>" + (i + 1) + "</span> " : link(i, String(i + 1));
  }
  out += nCurrIndex < nPageCount - 1 ? link(nCurrIndex + 1, "下一页") + link(nPageCount - 1, "尾页")
    : "<span>下一页</span> <span>尾页</span>";
  document.write(out);
}
"""
HANWEB_JPAGE_STUB = """/* jQuery jpage (demo stub). The real plugin reads the <datastore> in the
   column's <script type="text/xml"> and fetches further records from dataproxy.jsp with
   startrecord, endrecord and perpage plus the nextgroup link's parameters. */
"""
GKMLPT_APP = """<script type="text/javascript">
(function () {
  var app = document.getElementById("gkmlpt-app");
  function day(t) { return new Date((t + 8 * 3600) * 1000).toISOString().slice(0, 10); }
  function load(page) {
    var cid = location.hash.replace("#", "") || "@CID@";
    fetch("@API@" + cid + "?page=" + page)
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var ul = document.createElement("ul");
        ul.className = "list";
        data.articles.forEach(function (it) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = it.url;
          a.target = "_blank";
          a.textContent = it.title;
          var span = document.createElement("span");
          span.textContent = day(it.create_time);
          li.appendChild(a);
          li.appendChild(span);
          ul.appendChild(li);
        });
        app.innerHTML = "";
        app.appendChild(ul);
        if (page * 10 < data.total) {
          var more = document.createElement("button");
          more.textContent = "下一页";
          more.onclick = function () { load(page + 1); };
          app.appendChild(more);
        }
      });
  }
  window.addEventListener("hashchange", function () { load(1); });
  load(1);
})();
</script>"""



class _CmsShapes(_BuilderBase):
    """The trs-script, hanweb and gkmlpt columns."""

    def shape_trs_script(self, src: SourceSpec, unit: Unit) -> None:
        """TRS WCM list whose pager is only a createPageHTML(…) call (no static 下一页)."""
        arts = self.spread_articles(src, unit, self.trs(src.path), TRS_SCRIPT_COUNT, 4500)
        pages = [arts[i : i + PAGE_SIZE] for i in range(0, len(arts), PAGE_SIZE)]
        head = f'<script type="text/javascript" src="{TRS_PAGER_JS}"></script>\n'
        for k, chunk in enumerate(pages):
            rows = "\n".join(
                f'<li><a href="./{a.path.removeprefix(src.path)}" target="_blank" '
                f'title="{esc(a.title)}">{esc(a.title)}</a><span>{a.published:%Y-%m-%d}</span></li>'
                for a in chunk
            )
            pager = (
                '<div class="pages" id="pagenav">\n'
                f'<script>createPageHTML({len(pages)}, {k}, "index", "html");</script>\n</div>'
            )
            inner = f'<ul class="list">\n{rows}\n</ul>'
            text = self.layout(
                src.name,
                self.column_crumbs(unit, src),
                self.list_box(src, inner, pager),
                unit,
                head=head,
            )
            self.add_html(src.path + ("index.html" if k == 0 else f"index_{k}.html"), text)
            if k == 0:
                self.add_html(src.path, text)
        self.add_data(TRS_PAGER_JS, TRS_PAGER_SCRIPT, "application/javascript; charset=utf-8")
        self.publish(src, unit, arts)

    def shape_hanweb(self, src: SourceSpec, unit: Unit) -> None:
        """Hanweb jpage column: 15 records inline in a text/xml datastore, all via the proxy."""
        col = HANWEB_COLUMN
        arts = self.spread_articles(
            src,
            unit,
            lambda dt, n: f"/art/{dt.year}/{dt.month}/{dt.day}/art_{col}_{n}.html",
            HANWEB_COUNT,
            HANWEB_ART_BASE,
        )
        records = tuple(
            f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(a.title)}</a>'
            f"<span>{a.published:%Y-%m-%d}</span></li>"
            for a in arts
        )
        self.hanweb[col] = records
        nextgroup = (
            f'<a href="{HANWEB_PROXY}?page=1&appid=1&webid=1&path=/&columnid={col}'
            f'&unitid={HANWEB_UNIT_ID}&webname={HANWEB_WEBNAME}&permissiontype=0"></a>'
        )
        inline = "".join(f"<record><![CDATA[{r}]]></record>\n" for r in records[:HANWEB_PER_PAGE])
        datastore = (
            f'<div id="{col}"><script type="text/xml"><datastore>'
            f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>"
            f"<recordset>\n{inline}</recordset></datastore></script></div>"
        )
        script = f"""<script language="javascript" src="{HANWEB_JPAGE_JS}"></script>
<script language="javascript">
$(document).ready(function () {{
  $("#{col}").jpage({{
    dataBefore: '<ul class="list">',
    dataAfter: "</ul>",
    perPage: {HANWEB_PER_PAGE},
    groupSize: 3,
    proxyUrl: "{HANWEB_PROXY}",
    totalRecord: {len(records)},
    barPosition: "bottom",
    showMode: "full",
    themeName: "default"
  }});
}});
</script>"""
        self.column_page(src, unit, self.list_box(src, f"{datastore}\n{script}"))
        self.pages[f"/col/col{col}/"] = self.pages[src.path]
        self.add_data(HANWEB_JPAGE_JS, HANWEB_JPAGE_STUB, "application/javascript; charset=utf-8")
        self.publish(src, unit, arts)

    def shape_gkmlpt(self, src: SourceSpec, unit: Unit) -> None:
        """gkmlpt: an app shell without items; the articles come from the JSON API."""

        def url(dt: datetime, n: int) -> str:
            ident = GKMLPT_ID_BASE + n
            return f"/gkmlpt/content/{ident // 1_000_000}/{ident // 1000}/post_{ident}.html"

        arts = self.spread_articles(
            src, unit, url, GKMLPT_COUNT, 0, hours=(6, 7, 7, 9, 10, 11, 15, 16, 17)
        )
        rng = self.rng(f"{src.path}|meta")
        articles = []
        for i, art in enumerate(arts):
            serial = GKMLPT_COUNT - i
            doc_no = f"演卫体发〔{art.published.year}〕{serial}号" if serial % 3 == 0 else ""
            if doc_no:
                art.doc_no = doc_no
                art.written_on = art.published.date() - timedelta(days=rng.randint(1, 4))
            articles.append(
                {
                    "id": GKMLPT_ID_BASE + serial,
                    "title": art.title,
                    "url": self.absolute(art.path),
                    "create_time": int(art.published.timestamp()),
                    "identifier": f"11360999MB0004567K/{art.published.year}-{serial:05d}",
                    "document_number": doc_no,
                }
            )
        self.gkmlpt[GKMLPT_CATEGORY] = GkmlptCategory(GKMLPT_CLASSIFY, tuple(articles))
        script = GKMLPT_APP.replace("@API@", GKMLPT_API).replace("@CID@", str(GKMLPT_CATEGORY))
        inner = (
            '<div id="gkmlpt-app" class="gkmlpt"><div class="loading">正在加载…</div></div>\n'
            "<noscript>请开启浏览器的JavaScript功能后浏览政府信息公开目录。</noscript>\n"
            f"{script}"
        )
        text = self.layout(src.name, self.column_crumbs(unit, src), self.list_box(src, inner), unit)
        self.add_html(GKMLPT_SHELL, text)
        self.publish(src, unit, arts)
