"""Text pools the generated items are written from.

``POOLS`` gives each source (and each box of B02's own site) its title templates × topic
fills (``_Pool``); ``ARCHIVE_ITEMS`` are the 机构概况 column's fixed items; ``MIDDLES`` and
``CLOSINGS`` are the article body sentences. Plain data.
"""

from __future__ import annotations

from dataclasses import dataclass

from demo_portal.site.sources import (
    GKMLPT_CATEGORY,
    GKMLPT_SHELL,
    HANWEB_PATH,
    WEIBO_API,
    WEIBO_CONTAINER,
)


@dataclass(frozen=True)
class _Pool:
    """Title templates × fills, picked by index (``{u}`` unit, ``{t}`` fill, ``{y}`` year)."""

    templates: tuple[str, ...]
    fills: tuple[str, ...]
    offset: int = 0

    def pick(self, i: int, unit: str, year: int) -> tuple[str, str]:
        j = i + self.offset
        fill = self.fills[j % len(self.fills)]
        return self.templates[j % len(self.templates)].format(u=unit, t=fill, y=year), fill


TOWN_TOPICS = (
    "人居环境整治",
    "安全生产",
    "森林防火",
    "防汛备汛",
    "乡村振兴",
    "禁毒宣传",
    "耕地保护",
    "河湖长制",
    "矛盾纠纷排查化解",
    "文明创建",
    "燃气安全",
)
TOWN_NEWS = (
    "{u}召开{t}工作推进会",
    "{u}开展{t}专项行动",
    "{u}主要负责同志带队督导{t}工作",
    "{u}扎实推进{t}工作",
    "{u}组织召开{t}工作部署会",
    "{u}多措并举抓好{t}工作",
    "{u}举办{t}业务培训班",
)
EDU_TOPICS = (
    "校园安全",
    "“双减”",
    "师德师风建设",
    "义务教育优质均衡",
    "学前教育",
    "教师培训",
    "控辍保学",
    "校园食品安全",
    "学生资助",
    "课后服务",
    "近视防控",
)
HEALTH_TOPICS = (
    "疫苗接种",
    "爱国卫生运动",
    "家庭医生签约",
    "基本公共卫生服务",
    "医疗质量安全",
    "职业病防治",
    "慢性病防控",
    "无偿献血",
    "全民健身",
    "妇幼健康",
    "健康素养提升",
)
MARKET_TOPICS = (
    "食品安全",
    "价格监管",
    "特种设备安全",
    "知识产权保护",
    "药品安全",
    "计量监督",
    "网络交易监管",
    "产品质量",
    "消费维权",
    "商标保护",
    "电梯安全",
)

POOLS: dict[str, _Pool] = {
    "/a01/zwdt/": _Pool(TOWN_NEWS, TOWN_TOPICS),
    "/a01/tzgg/": _Pool(
        (
            "关于做好{t}工作的通知",
            "城关镇关于开展{t}集中整治的通告",
            "关于{t}工作检查情况的通报",
            "关于进一步加强{t}工作的通知",
            "城关镇{t}工作方案",
        ),
        TOWN_TOPICS,
    ),
    "/a02/xxgk/": _Pool(
        (
            "河西镇{y}年{t}发放情况公示",
            "河西镇{t}对象名单公示",
            "河西镇关于{t}申报审核结果的公示",
            "河西镇{t}资金使用情况公开",
            "河西镇{t}政策告知书",
        ),
        (
            "农村低保",
            "特困人员供养",
            "高龄津贴",
            "耕地地力保护补贴",
            "农村危房改造",
            "临时救助",
            "残疾人两项补贴",
            "退役军人优待金",
            "农机购置补贴",
        ),
    ),
    "/a02/xzdt/": _Pool(TOWN_NEWS, TOWN_TOPICS, offset=3),
    "/a03/gzdt/": _Pool(TOWN_NEWS, TOWN_TOPICS, offset=5),
    "/b01/tzgg/": _Pool(
        (
            "关于开展{t}工作的通知",
            "关于报送{t}有关材料的通知",
            "关于组织申报{t}的通知",
            "关于{t}情况的通报",
            "关于召开{t}工作会议的通知",
        ),
        (
            "重点项目建设",
            "价格监测",
            "粮食安全",
            "节能审查",
            "社会信用体系建设",
            "招标投标监管",
            "以工代赈",
            "中央预算内投资项目",
            "成本调查",
        ),
    ),
    "/b02/gzdt/": _Pool(
        (
            "县教育局召开{t}工作推进会",
            "县教育局开展{t}专项督导",
            "我县扎实推进{t}工作",
            "县教育局部署{t}工作",
            "全县{t}工作现场会在县实验小学召开",
            "县教育局举办{t}专题培训",
            "县教育局多措并举做好{t}工作",
        ),
        EDU_TOPICS,
    ),
    "/b02/wechat/": _Pool(
        (
            "{t}｜演示县教育局致家长的一封信",
            "关注！{t}最新通知",
            "{t}，我们在行动",
            "权威发布｜{t}工作有新要求",
            "图说｜{t}进校园",
        ),
        EDU_TOPICS,
    ),
    "/b03/ssj/": _Pool(
        (
            "{y}年{t}双随机抽查结果公示",
            "关于开展{y}年{t}双随机抽查的公告",
            "{t}随机抽查事项清单",
            "{t}双随机抽查工作计划",
            "{t}抽查检查情况通报",
        ),
        (
            "食品生产企业",
            "特种设备使用单位",
            "工业产品生产企业",
            "药品零售企业",
            "计量器具使用单位",
            "广告发布单位",
            "农资经营户",
            "个体工商户年报",
            "医疗器械经营企业",
        ),
    ),
    "/b03/rss.xml": _Pool(
        (
            "演示县市场监管局开展{t}专项检查",
            "{t}消费提示",
            "县市场监管局召开{t}工作会",
            "【以案说法】{t}典型案例",
            "演示县{t}监督抽检信息公告",
        ),
        MARKET_TOPICS,
    ),
    "/b04/wsjk/": _Pool(
        (
            "县卫体局开展{t}宣传活动",
            "演示县{t}工作推进会召开",
            "县卫体局部署{t}工作",
            "我县扎实推进{t}工作",
            "县人民医院开展{t}主题义诊活动",
            "县卫体局督查{t}工作",
            "健康提示：{t}知识问答",
        ),
        HEALTH_TOPICS,
    ),
    f"{WEIBO_API}?containerid={WEIBO_CONTAINER}": _Pool(
        (
            "【{t}】县卫体局提醒广大群众",
            "【{t}】这些知识请收好",
            "【{t}】我县在行动",
            "【{t}】权威解答来了",
            "【{t}】一起来看",
        ),
        HEALTH_TOPICS,
    ),
    "/a03/tzgg/": _Pool(
        (
            "六泉乡关于做好{t}工作的通知",
            "六泉乡关于开展{t}专项整治的通告",
            "关于{t}工作督查情况的通报",
            "六泉乡{y}年{t}工作实施方案",
            "关于进一步加强{t}工作的通知",
            "六泉乡关于{t}的温馨提示",
        ),
        TOWN_TOPICS,
        offset=2,
    ),
    HANWEB_PATH: _Pool(
        (
            "演示县教育局关于做好{t}工作的通知",
            "县教育局召开{t}工作专题会议",
            "我县{t}工作取得阶段性成效",
            "演示县{y}年{t}工作要点",
            "县教育局组织开展{t}专项检查",
            "关于公布{y}年{t}工作考核结果的通报",
        ),
        EDU_TOPICS,
        offset=4,
    ),
    f"{GKMLPT_SHELL}#{GKMLPT_CATEGORY}": _Pool(
        (
            "演示县卫生健康和体育局关于开展{t}工作的通知",
            "关于{y}年{t}工作情况的报告",
            "演示县{t}工作实施方案",
            "关于公布{t}监督检查结果的公告",
            "演示县卫生健康和体育局{y}年{t}工作要点",
        ),
        HEALTH_TOPICS,
        offset=1,
    ),
    "/b03/xzzf/": _Pool(
        (
            "演示县市场监督管理局行政处罚决定书（{t}）",
            "{t}行政处罚信息公示",
            "关于{t}违法案件行政处罚信息的公开",
            "{t}行政检查结果公示",
            "{t}行政许可信息公示",
        ),
        MARKET_TOPICS,
        offset=2,
    ),
    "/a01/tpxw/": _Pool(
        (
            "【图片新闻】{u}{t}现场",
            "{u}开展{t}活动掠影",
            "图说{u}：{t}见成效",
            "{u}{t}工作剪影",
            "镜头里的{u}{t}",
        ),
        TOWN_TOPICS,
        offset=7,
    ),
    # B02 县教育局's own site (/jyj/, national.JYJ_BOXES): its two boxes
    "/jyj/gzdt/": _Pool(
        (
            "我局召开{t}专题会议",
            "全县{t}工作培训会顺利举行",
            "我局深入学校开展{t}调研",
            "{t}工作取得新进展",
            "我局部署开展{t}专项行动",
            "{t}主题活动在全县中小学启动",
            "演示县教育局{t}工作简报",
        ),
        EDU_TOPICS,
        offset=3,
    ),
    "/jyj/tzgg/": _Pool(
        (
            "关于做好{y}年{t}工作的通知",
            "关于开展{t}专项检查的通知",
            "关于报送{t}工作总结的通知",
            "关于组织参加{t}培训的通知",
            "关于{t}工作情况的通报",
            "关于印发{t}工作方案的通知",
        ),
        EDU_TOPICS,
        offset=6,
    ),
}

ARCHIVE_ITEMS: tuple[tuple[str, int], ...] = (
    ("六泉乡人民政府机构职能", 400),
    ("六泉乡领导班子成员及分工", 455),
    ("六泉乡内设机构及职责", 610),
    ("六泉乡联系方式及办公地址", 790),
    ("六泉乡所属事业单位简介", 1000),
)

MIDDLES = (
    "会议强调，要进一步提高思想认识，压紧压实工作责任，加强统筹协调，形成工作合力；"
    "要坚持问题导向，聚焦群众关切，切实解决好群众急难愁盼问题。",
    "活动现场，工作人员通过发放宣传资料、设置咨询台、现场讲解等方式，向群众宣传相关政策和知识，"
    "引导群众积极参与、共同维护。",
    "检查组一行深入村（社区）、企业和重点场所，实地查看工作开展情况，详细了解存在的困难和问题，"
    "并现场提出整改意见。",
    "据悉，此次活动共发放宣传资料1200余份，接受群众咨询300余人次，取得了良好的社会效果。",
    "会上，各相关单位分别汇报了近期工作开展情况，与会人员围绕存在的问题进行了深入交流讨论。",
)
CLOSINGS = (
    "下一步，{org}将持续跟踪问效，推动{t}工作不断取得新成效。",
    "{org}有关负责同志表示，将以此次活动为契机，建立健全长效机制，确保{t}工作落到实处。",
    "下一步，{org}将坚持以人民为中心，持续在{t}上下功夫、见实效，不断增强群众获得感。",
)
