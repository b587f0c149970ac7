"""The domain's words, in Chinese, for every stage that shows findings to people.

Rule names, review statuses, crawl outcomes, how a document title is printed and the one-line
description of a finding (情况) live here, below every consumer: the CLI, the web app, the
bulletin and the score sheets all import them from this module, none from another.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Described(Protocol):
    """What ``describe`` reads of a finding (``storage.repo.FindingRow`` has it)."""

    @property
    def rule(self) -> str: ...

    @property
    def evidence(self) -> Mapping[str, Any]: ...


RULE_NAMES = {
    "stale_column": "栏目长期未更新",
    "low_post_frequency": "新媒体更新不足",
    "uninterpreted_policy": "政策文件未解读",
    "crawl_failure": "抓取异常",
    "not_rectified": "通报后未整改",
    "late_reply": "留言回复超时",
    "annual_report_missing": "年度报告未按时发布",
    "homepage_stale": "首页长期未更新",
    "class_stale": "栏目超期未更新（全国指标）",
    "blank_column": "空白栏目",
    "unanswered_message": "留言超期未回复",
    "account_silent": "政务新媒体长期未更新",
    "site_unreachable": "网站无法访问",
    "dead_link": "错链死链",
    "hidden_link": "暗链/非法链接",
    "wrong_expression": "严重表述错误",
    "personal_info": "泄露个人信息",
    "backdated_item": "倒签发布",
}
PII_KINDS = {"id_card": "身份证号", "mobile": "手机号码", "bank_card": "银行卡号"}
# The rules of the national checks (国办秘函〔2019〕19号) whose finding fails a site outright
VETO_RULES = ("homepage_stale", "site_unreachable", "unanswered_message", "account_silent")
# 解读形式 (``monitors.interpretation_form``) and the measured rubric lines (``scoring.measured``)
FORM_NAMES = {"text": "文字", "graphic": "图解", "video": "视频", "audio": "音频",
              "animation": "动漫/H5", "qa": "问答"}
MEASURE_NAMES = {"interpretation_forms": "多样化解读占比",
                 "interpretation_channels": "解读发布渠道占比"}
STATUS_NAMES = {"pending": "待审核", "confirmed": "已确认", "dismissed": "已驳回"}
OUTCOME_NAMES = {
    "http_error": "网站无法访问", "timeout": "访问超时", "blocked": "访问被拦截",
    "connection_error": "无法连接", "too_large": "页面过大（含解压后超过上限）",
    "no_items": "未找到带日期的条目", "parse_error": "页面或接口返回内容无法解析",
    "interrupted": "抓取中断", "no_browser": "缺少浏览器",
    "stale_data": "数据过期（近期未抓取）",
    "off_portal": "跳转到门户网站以外（未跟随）", "redirect_loop": "重定向循环（跳转次数过多）",
    "invalid_url": "网址无效，无法访问", "empty": "栏目为空（暂无信息）",
}


def book_title(title: str | None) -> str:
    """A document title in 书名号 as government text prints it: 《关于印发〈…〉的通知》."""
    inner = (title or "").strip().replace("《", "〈").replace("》", "〉")
    return f"《{inner}》"


def describe(row: Described) -> str:
    """One line of what the finding is about, in Chinese (the 情况 column of lists, bulletins
    and the CLI)."""
    ev = row.evidence
    if row.rule == "stale_column":
        return (f"最新发布 {ev.get('newest_published_on')}，"
                f"已 {ev.get('days_without_update')} 天未更新")
    if row.rule == "crawl_failure" and ev.get("outcome") == "stale_data":
        return (f"数据过期：最近一次抓取在 {ev.get('data_age_days')} 天前"
                f"（超过 {ev.get('max_age_days')} 天），抓取恢复前不作判定")
    if row.rule == "crawl_failure":
        outcome = OUTCOME_NAMES.get(ev.get("outcome", ""), ev.get("outcome", ""))
        status = f"（HTTP {ev['http_status']}）" if ev.get("http_status") else ""
        return f"{outcome}{status}，连续 {ev.get('failing_days', 1)} 天"
    if row.rule == "low_post_frequency":
        return (f"{ev.get('week_start')} 至 {ev.get('week_end')} 更新 "
                f"{ev.get('posts_in_week')} 次（应不少于 {ev.get('min_weekly_posts')} 次）")
    if row.rule == "uninterpreted_policy":
        return f"{book_title(ev.get('policy_title'))}（{ev.get('published_on')} 发布）未见解读"
    if row.rule == "not_rectified":
        original = RULE_NAMES.get(ev.get("original_rule", ""), "")
        return (f"{ev.get('bulletin_period')} 通报的「{original}」问题"
                f"（第 {ev.get('original_finding_id')} 号）逾期 {ev.get('deadline')} 未整改")
    if row.rule == "late_reply":
        if ev.get("replied_at"):
            return (f"留言「{ev.get('title')}」{ev.get('asked_at')} 提出，{ev.get('replied_at')} "
                    f"回复，用时 {ev.get('hours')} 小时（应在 {ev.get('limit_hours')} 小时内）")
        return (f"留言「{ev.get('title')}」{ev.get('asked_at')} 提出，截至 {ev.get('seen_at')} "
                f"仍未回复，已 {ev.get('hours')} 小时（应在 {ev.get('limit_hours')} 小时内）")
    if row.rule in ("homepage_stale", "class_stale"):
        kind = f"{ev.get('class_name')}栏目" if ev.get("class_name") else "首页"
        return (f"{kind}最新发布 {ev.get('newest_published_on')}，已 "
                f"{ev.get('days_without_update')} 天未更新（标准：{ev.get('threshold_days')} 天）")
    if row.rule == "wrong_expression":
        where = "标题" if ev.get("where") == "title" else "正文"
        fix = f"应为「{ev.get('right')}」" if ev.get("right") else "应删除"
        return f"{where}中「{ev.get('wrong')}」{fix}（共 {ev.get('hits')} 处）"
    if row.rule == "personal_info":
        counts = "、".join(f"{PII_KINDS.get(k, k)} {n} 处"
                          for k, n in (ev.get("counts") or {}).items())
        return f"「{ev.get('title')}」公开了个人信息：{counts}（证据已打码）"
    if row.rule == "blank_column":
        return "栏目页面显示暂无信息，没有任何内容"
    if row.rule == "unanswered_message":
        return (f"留言「{ev.get('title')}」{ev.get('asked_at')} 提出，截至 {ev.get('seen_at')} "
                f"已 {ev.get('days')} 天未回复（标准：{ev.get('threshold_days')} 天）")
    if row.rule == "account_silent":
        return (f"最新发布 {ev.get('newest_published_on')}，已 {ev.get('days_silent')} 天未更新"
                f"（标准：{ev.get('threshold_days')} 天）")
    if row.rule == "site_unreachable":
        share = float(ev.get("share") or 0)
        return (f"一周内探测 {ev.get('probes')} 次，{ev.get('failed')} 次无法访问或超时"
                f"（{share:.1%}，标准：不超过 {float(ev.get('threshold_share') or 0):.0%}）")
    if row.rule == "dead_link":
        return (f"链接 {ev.get('link_url')} 无法打开（{ev.get('error') or '—'}），"
                f"出现在 {ev.get('page_count')} 个页面")
    if row.rule == "hidden_link":
        anchors = ev.get("anchors") or [{}]
        first = anchors[0]
        word = f"，含“{first.get('word')}”" if first.get("word") else ""
        return (f"{ev.get('count')} 个可疑链接，如 {first.get('href')}"
                f"{'（' + first['hidden'] + '）' if first.get('hidden') else ''}{word}")
    if row.rule == "backdated_item":
        together = ev.get("appeared_together") or 1
        period = ev.get("bulletin_period")
        bulletin = f"；{period} 通报点名本栏目后出现" if period else ""
        return (f"「{ev.get('title')}」标注 {ev.get('published_on')} 发布，"
                f"{ev.get('first_seen_on')} 才出现（晚 {ev.get('delay_days')} 天，"
                f"同日共 {together} 条）{bulletin}")
    if row.rule == "annual_report_missing":
        year = ev.get("report_year")
        if ev.get("late_item_title"):
            return (f"{year}年政府信息公开工作年度报告 {ev.get('late_published_on')} 才发布，"
                    f"晚于 {ev.get('due_on')}")
        return (f"截至 {ev.get('seen_until')} 未见{year}年政府信息公开工作年度报告"
                f"（应于 {ev.get('due_on')} 前发布）")
    return ""


# Warnings (预警, ``monitors.warnings``): what will become a finding unless someone acts.
WARNING_NAMES = {
    "stale_soon": "栏目即将超期未更新",
    "behind_pace": "新媒体本周更新不足",
    "policy_due": "政策文件解读即将到期",
    "crawl_failed": "最近一次抓取失败",
}
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")  # ISO weekday 1..7


def describe_warning(kind: str, ev: Mapping[str, Any]) -> str:
    """One line of what a warning is about, in Chinese (the 情况 column of warning lists)."""
    if kind == "stale_soon":
        return (f"最新发布 {ev.get('newest_published_on')}，已 {ev.get('days_without_update')} "
                f"天未更新；到 {ev.get('stale_on')} 仍未更新即计为「{RULE_NAMES['stale_column']}」")
    if kind == "behind_pace":
        text = (f"本周（{ev.get('week_start')} 至 {ev.get('week_end')}）截至 "
                f"{ev.get('seen_until')} 更新 {ev.get('posts_so_far')} 次，"
                f"每周应不少于 {ev.get('min_weekly_posts')} 次")
        reasons = ev.get("reasons") or []
        if "pace" in reasons:
            weekday = int(ev.get("pace_weekday") or 1)
            text += (f"；到{WEEKDAY_NAMES[(weekday - 1) % 7]}应至少 "
                     f"{ev.get('pace_min_posts')} 次")
        if "unreachable" in reasons:
            text += f"；余下 {ev.get('days_left')} 天每天更新 1 次也达不到"
        return text
    if kind == "policy_due":
        return (f"{book_title(ev.get('policy_title'))}（{ev.get('published_on')} 发布）尚未见解读；"
                f"{ev.get('due_on')} 后仍无解读即计为「{RULE_NAMES['uninterpreted_policy']}」")
    if kind == "crawl_failed":
        outcome = OUTCOME_NAMES.get(ev.get("outcome", ""), ev.get("outcome", ""))
        status = f"（HTTP {ev['http_status']}）" if ev.get("http_status") else ""
        return (f"{outcome}{status}，连续 {ev.get('failing_days', 1)} 天；连续 "
                f"{ev.get('crawl_failure_days')} 天即报「{RULE_NAMES['crawl_failure']}」")
    return ""
