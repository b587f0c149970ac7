"""Page furniture and text formatting shared by every page shape.

The fixed chrome of the portal's HTML pages (``DOCTYPE``, ``CSS``, ``NAV``, ``FRIEND_LINKS``,
``WEEKDAYS``), escaping and date formats (``esc``, ``cn_date``, ``rfc822``, ``weibo_time``) and
``_token``, the deterministic base62 identifiers (WeChat article ids, cookies, Weibo bids).
"""

from __future__ import annotations

import hashlib
import html
from datetime import date, datetime
from email.utils import format_datetime

WEEKDAYS = "一二三四五六日"
NAV = (
    ("首页", "/"),
    ("政务公开", "/"),
    ("政务服务", "/zwfw/"),
    ("互动交流", "/hdjl/"),
    ("走进演示", "/zjys/"),
)
FRIEND_LINKS = (
    ("中国政府网", "http://www.gov.cn/"),
    ("国家政务服务平台", "http://gjzwfw.www.gov.cn/"),
    ("省人民政府", "http://www.example.gov.cn/"),
    ("市人民政府", "http://www.example-city.gov.cn/"),
    ("演示县融媒体中心", "http://www.example-news.cn/"),
)
CSS = """body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333;
background:#f0f0f0}a{color:#333;text-decoration:none}a:hover{color:#c00}
.wrap{width:1000px;margin:0 auto;background:#fff}.top-bar{background:#eee;font-size:12px;
padding:0 12px;line-height:30px}.top-bar .fr{float:right}.top-bar a{margin-left:10px}
.header{background:#b40000;height:96px}.header h1{margin:0;padding:24px 20px;color:#fff;
font-size:34px;letter-spacing:4px}.nav{background:#8c0000}.nav ul{margin:0;padding:0;
list-style:none;overflow:hidden}.nav li{float:left}.nav a{display:block;color:#fff;
padding:0 28px;line-height:40px;font-size:16px}.crumb{padding:6px 15px;
border-bottom:1px solid #ddd}.main{overflow:hidden;padding:15px}.side{float:left;width:200px}
.side h3{background:#b40000;color:#fff;margin:0;padding:6px 12px;font-size:15px}
.side ul{list-style:none;margin:0;padding:0;border:1px solid #ddd}
.side li{border-bottom:1px dashed #ddd;padding:4px 12px}.content{float:right;width:760px}
.list-hd h2{font-size:18px;color:#b40000;border-bottom:2px solid #b40000;margin:0 0 10px}
.list li,#list li,.news-item{list-style:none;border-bottom:1px dashed #ddd;line-height:34px;
overflow:hidden}.list li span,#list li span,.news-item em{float:right;color:#888;font-style:normal}
.list li span.fr{float:right}table.xxgk-list{border-collapse:collapse}
table.xxgk-list th,table.xxgk-list td{border:1px solid #ddd;padding:4px 8px}
.pages{text-align:center;margin:15px 0}.pages a,.pages span{margin:0 4px}
.article h1{text-align:center;font-size:22px;color:#b40000}.article .info{text-align:center;
color:#888;font-size:12px;border-bottom:1px solid #ddd;padding-bottom:8px}
.article .text p{text-indent:2em}.meta{width:100%;border-collapse:collapse;margin:10px 0}
.meta td{border:1px solid #ddd;padding:4px 8px}.footer{background:#444;color:#ddd;
text-align:center;font-size:12px;padding:10px}.footer a{color:#ddd;margin:0 6px}
.friend ul{display:inline;margin:0;padding:0}.friend li{display:inline;list-style:none}
"""
DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)


def esc(text: str) -> str:
    """HTML-escape text, quotes included (crawled-looking text is never trusted)."""
    return html.escape(text, quote=True)


def cn_date(d: date) -> str:
    """2021年8月27日 (no zero padding)."""
    return f"{d.year}年{d.month}月{d.day}日"


def rfc822(dt: datetime) -> str:
    """RFC 822 date with English names, e.g. ``Mon, 30 Aug 2021 10:00:00 +0800``."""
    return format_datetime(dt)


def weibo_time(dt: datetime) -> str:
    """m.weibo.cn ``created_at``, e.g. ``Mon Aug 30 10:00:00 +0800 2021``."""
    day, _, rest = rfc822(dt).partition(", ")
    dd, mon, year, clock, zone = rest.split()
    return f"{day} {mon} {dd} {clock} {zone} {year}"


def _token(*parts: object, length: int = 22) -> str:
    """A deterministic base62 identifier (WeChat-style article ids)."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest(), 16)
    out = []
    for _ in range(length):
        number, rem = divmod(number, 62)
        out.append(alphabet[rem])
    return "".join(out)
