"""B01's 政策文件 and 政策解读 columns, generated from ``POLICIES``.

Policy pages (文号, 成文日期, 相关解读 links, 不作解读 statements, the not-policy notices) and
interpretation pages (links back, joint interpretations, the one citing only a 文号) — the
traps of the no-interpretation rule.
"""

from __future__ import annotations

from datetime import timedelta

from demo_portal.site.base import _Article, _BuilderBase
from demo_portal.site.markup import cn_date, esc
from demo_portal.site.policies import OTHER_INTERPRETATIONS, POLICIES, PolicyDoc
from demo_portal.site.sources import SOURCE_BY_PATH, UNIT_BY_CODE, Unit


class _PolicyPages(_BuilderBase):
    """The policy-file and interpretation columns, cross-linked as ``POLICIES`` says."""

    def policy_columns(self) -> None:
        """B01's 政策文件 and 政策解读 columns, cross-linked as ``POLICIES`` says."""
        unit = UNIT_BY_CODE["B01"]
        psrc, isrc = SOURCE_BY_PATH["/b01/zcwj/"], SOURCE_BY_PATH["/b01/zcjd/"]
        rng = self.rng(psrc.path)
        policies: dict[str, _Article] = {}
        interps: dict[str, _Article] = {}
        order = sorted(POLICIES, key=lambda p: -p.age)
        for n, doc in enumerate(order):
            published = self.stamp(self.day(doc.age), rng)
            y = published.year
            policies[doc.key] = _Article(
                doc.title.format(y=y),
                f"{psrc.path}content_{31000 + n}.html",
                published,
                unit.org,
                (),
                doc.topic,
                rng.randint(100, 3000),
                doc.doc_no.format(y=y) if doc.doc_no else None,
                published.date() - timedelta(days=rng.randint(2, 5)) if doc.doc_no else None,
                policy=doc,
            )
        extra = [(title, age, None) for title, age in OTHER_INTERPRETATIONS]
        wanted = [(d.interpretation, d.interpretation_age, d) for d in POLICIES if d.interpretation]
        jobs = sorted(extra + wanted, key=lambda job: -(job[1] or 0))
        for n, (title, age, doc) in enumerate(jobs):
            assert title is not None and age is not None
            published = self.stamp(self.day(age), rng)
            art = _Article(
                title.format(y=published.year),
                f"{isrc.path}content_{32000 + n}.html",
                published,
                unit.org,
                (),
                views=rng.randint(100, 3000),
                policy=doc,
            )
            interps[doc.key if doc else title] = art
        for doc in POLICIES:
            art = policies[doc.key]
            art.paragraphs = self.policy_text(doc, art)
            if doc.policy_links_interpretation:
                art.links = (("相关解读", interps[doc.key].path),)
        for key, art in interps.items():
            doc = art.policy
            art.paragraphs = self.interpretation_text(
                art.title, doc, unit, policies[key] if doc else None)
            if doc and doc.interpretation_links_policy:
                art.links = ((f"相关文件：{policies[key].title}", policies[key].path),)
        for src, arts in ((psrc, policies), (isrc, interps)):
            ordered = sorted(arts.values(), key=lambda a: a.published, reverse=True)
            rows = "\n".join(
                f'<li><a href="{a.path}" target="_blank" title="{esc(a.title)}">{esc(a.title)}'
                f"</a><span>{a.published:%Y-%m-%d}</span></li>"
                for a in ordered
            )
            inner = f'<ul class="list">\n{rows}\n</ul>'
            self.column_page(src, unit, self.list_box(src, inner, self.count_line(len(ordered))))
            self.publish(src, unit, ordered)

    def policy_text(self, doc: PolicyDoc, art: _Article) -> tuple[str, ...]:
        if not doc.is_policy:
            if doc.topic == "人事任免":
                return (
                    "各股室、局属各单位：",
                    "经局党组研究决定：张三同志任演示县发展和改革局价格监督检查股股长，试用期一年。",
                    "特此通知。",
                )
            return (
                f"根据工作需要，经研究，{art.org}决定面向社会公开招聘工作人员3名。"
                "现将有关事项公告如下：",
                "一、招聘岗位及人数：综合文字岗2名，项目管理岗1名。",
                "二、报名方式：请于公告发布之日起7日内携带相关材料到县发改局办公室现场报名。",
            )
        assert art.written_on is not None
        name = doc.name.format(y=art.published.year)
        kind = "措施" if name.endswith("措施") else ("方案" if "方案" in name else "办法")
        issuer = {"演政发": "演示县人民政府", "演政办发": "演示县人民政府办公室"}.get(
            (art.doc_no or "").split("〔")[0], "演示县发展和改革局"
        )
        written = cn_date(art.written_on)
        lines: list[str] = []
        if "印发" in art.title:
            lines += [
                "各乡镇人民政府，县政府各部门：",
                f"现将《{name}》印发给你们，请结合实际，认真贯彻执行。",
                f"{issuer}　{written}",
            ]
        lines += [
            f"第一条　为进一步做好{doc.topic}工作，根据有关法律法规和政策规定，结合本县实际，"
            f"制定本{kind}。",
            f"第二条　本{kind}适用于本县行政区域内{doc.topic}相关工作。",
            f"第三条　县直有关部门和各乡镇应当按照职责分工，做好{doc.topic}的组织实施和监督管理。",
            f"第四条　本{kind}自印发之日起施行，由{issuer}负责解释。",
        ]
        if doc.declined:
            lines.append(doc.declined)
        return tuple(lines)

    def interpretation_text(self, title: str, doc: PolicyDoc | None, unit: Unit,
                            policy: _Article | None = None) -> tuple[str, ...]:
        name = doc.name if doc else title.split("》")[0].lstrip("《")
        topic = doc.topic if doc else "相关"
        if doc and doc.interpretation_cites_number and policy is not None:
            return (
                f"近日，{policy.org}印发《龙头企业认定和监测办法》（{policy.doc_no}），"
                "明确了县级龙头企业的认定条件、申报程序和运行监测要求。",
                "新规实行“两年一监测”，监测合格的保留资格，不合格的取消资格。",
                f"解读机关：{unit.org}　联系电话：0799-6123456",
            )
        partners = [p.name for p in POLICIES if doc and p.joint_with == doc.key]
        if partners:  # one interpretation for two policies
            name = "》和《".join([name, *partners])
        if title.startswith(("一图读懂", "图解")):
            return (
                f"【图解】{title}",
                f"一图带您了解{topic}工作的主要内容、适用对象和办理流程。",
                "（图片内容：政策要点一、政策要点二、政策要点三、办理渠道）",
                f"解读机关：{unit.org}　联系电话：0799-6123456",
            )
        return (
            f"一、起草背景。为深入贯彻落实上级决策部署，县有关部门牵头起草了《{name}》。",
            f"二、主要内容。文件围绕{topic}明确了目标任务、支持措施和保障机制。",
            "三、适用范围。本县行政区域内符合条件的单位和个人。",
            f"四、解读机关及联系方式：{unit.org}，联系电话：0799-6123456。",
        )
