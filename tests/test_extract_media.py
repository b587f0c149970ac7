"""What an article page carries (解读形式 evidence): content images, text, video, audio, H5.

The pages in tests/pages/media/ each imitate one real layout (a comment at the top of each says
which); the saved real pages in ../shared/real-pages, when present, must read without error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import extract
from crawler.extract import ArticleMedia, article_media

from .conftest import REAL_PAGES, real_pages

PAGES = Path(__file__).resolve().parent / "pages" / "media"
URL = "http://www.mmx.gov.cn/zwgk/zcjd/202611/t20261120_5412345.html"


def media(name: str) -> ArticleMedia:
    return article_media((PAGES / name).read_text(encoding="utf-8"), URL)


def body(inner: str) -> str:
    """An article page with the given body block, the site's logo and footer around it."""
    return ("<html><head><title>解读</title></head><body>"
            "<div class='header'><img src='/images/logo.png'></div>"
            "<div class='article'><h1>关于某某县政策的解读</h1>"
            f"<div class='TRS_Editor'><p>这是一篇政策解读文章的正文部分，介绍政策的背景和主要内容。</p>{inner}"
            "</div></div><div class='footer'>版权所有</div></body></html>")


# ----------------------------------------------------------------------------- fixture pages


def test_one_picture_page_counts_its_long_images_and_little_text() -> None:
    found = media("yitu_dudong.html")
    # two content images (one lazy-loaded); not the logo, 国徽, share icons, side thumbnails,
    # footer badge or QR code
    assert found.images == 2
    assert found.text_chars < 150  # title, byline, caption
    assert (found.videos, found.audios, found.h5) == (0, 0, 0)


def test_text_page_with_logo_qr_code_and_icons_has_no_images() -> None:
    found = media("text_logo_qr.html")
    assert found.images == 0  # logo, QR code, 16px print/close icons, 1×1 spacer
    assert found.text_chars > 200
    assert (found.videos, found.audios, found.h5) == (0, 0, 0)


def test_the_text_size_is_that_of_the_region_article_text_reads() -> None:
    html = (PAGES / "text_logo_qr.html").read_text(encoding="utf-8")
    text = extract.article_text(html, URL).body
    assert media("text_logo_qr.html").text_chars == len("".join(text.split()))


def test_video_tag_with_two_formats_and_a_download_link_is_one_video() -> None:
    found = media("video_tag.html")
    assert found.videos == 1
    assert found.images == 0  # the poster is the video's, the logo the site's
    assert found.as_dict() == {"images": 0, "text_chars": found.text_chars, "videos": 1,
                               "audios": 0, "h5": 0}


def test_iframe_to_tencent_video_is_a_video() -> None:
    found = media("video_iframe_vqq.html")
    assert (found.videos, found.audios, found.h5) == (1, 0, 0)


def test_audio_tag_and_mp3_links() -> None:
    found = media("audio.html")
    # the <audio> and its 点击收听 link name one file; the Q&A part (.MP3?t=1) is another
    assert (found.audios, found.videos, found.h5) == (2, 0, 0)


def test_eqxiu_h5_link() -> None:
    found = media("h5_eqxiu.html")
    assert found.h5 == 1  # the cover's link and the 点击查看 link lead to the same H5
    assert found.images == 1  # the cover; not the H5's QR code (…_erweima.png)
    assert found.videos == 0


# ----------------------------------------------------------------------------- small cases


@pytest.mark.parametrize(("inner", "expected"), [
    # lazy-loaded: the address is in data-src / data-original / _src, src a placeholder
    ("<img src='/images/loading.gif' data-original='/upload/a.jpg'>"
     "<img _src='/upload/b.jpg'><img data-src='/upload/c.jpg' src='data:image/gif;base64,R0lG'>", 3),
    # the same image twice is one image
    ("<img src='/upload/a.jpg'><p><img src='/upload/a.jpg'></p>", 1),
    # small by attribute or inline style, named as furniture, an inlined pixel
    ("<img src='/upload/a.jpg' width='40' height='40'><img src='/upload/b.jpg' style='width:20px'>"
     "<img src='/images/arrow_right.png'><img src='/images/btnSearch.gif'>"
     "<img class='share-icon' src='/upload/c.jpg'><img src='/upload/d.jpg' alt='二维码'>"
     "<img src='data:image/png;base64,iVBORw0KGgo='><img src='/favicon.ico'><img>", 0),
    # a long alt (the article's title) that mentions a QR code is still content
    ("<img src='/upload/jkm.jpg' alt='一图读懂：健康码二维码申领流程和使用场景说明'>", 1),
    # inside a share bar
    ("<div class='bdsharebuttonbox'><img src='/upload/wx.png'></div>", 0),
    # a big inlined image is content
    ("<img src='data:image/png;base64," + "A" * 2000 + "'>", 1),
])
def test_content_images(inner: str, expected: int) -> None:
    assert article_media(body(inner), URL).images == expected


@pytest.mark.parametrize(("inner", "expected"), [
    ("<p><video src='/upload/a.mp4' controls></video></p>", (1, 0, 0)),
    # a play link naming the <video>'s file is the same video
    ("<video src='/upload/a.mp4'></video><a href=\"javascript:play('/upload/a.mp4')\">播放</a>",
     (1, 0, 0)),
    ("<p><a href='/upload/a.flv'>观看视频</a> <a href='/upload/b.m3u8'>直播回看</a></p>", (2, 0, 0)),
    ("<iframe src='https://player.bilibili.com/player.html?bvid=BV1xx'></iframe>", (1, 0, 0)),
    ("<iframe src='/video/play.html?id=12'></iframe>", (1, 0, 0)),
    # TRS MAS media server player
    ("<iframe src='http://mas.mmx.gov.cn/mas/openapi/pages.do?method=exPlay&appKey=gov&id=1'>"
     "</iframe>", (1, 0, 0)),
    # Flash player with its video in flashvars, object and inner embed: one video
    ("<object classid='clsid:D27CDB6E'><param name='movie' value='/player/vcastr3.swf'>"
     "<param name='flashvars' value='vcastr_file=/upload/a.flv&IsAutoPlay=0'>"
     "<embed src='/player/vcastr3.swf' flashvars='vcastr_file=/upload/a.flv'></embed></object>",
     (1, 0, 0)),
    # a Flash animation (动漫) counts with H5
    ("<embed src='/upload/dongman.swf' type='application/x-shockwave-flash'>", (0, 0, 1)),
    # ckplayer filled by a script naming the file; a bare player box with a player script
    ("<div id='a1'></div><script>new ckplayer({container:'#a1',video:'/upload/v.mp4'});</script>",
     (1, 0, 0)),
    ("<div class='video-js'></div><script src='/js/video.js'></script>", (1, 0, 0)),
    ("<div data-video='/upload/x.mp4'></div>", (1, 0, 0)),
    ("<audio controls><source src='/upload/a.mp3' type='audio/mpeg'></audio>", (0, 1, 0)),
    ("<iframe src='https://www.ximalaya.com/sound/123'></iframe>", (0, 1, 0)),
    ("<a href='https://www.maka.im/pcviewer/1/2'>H5</a><a href='https://rabbitpre.com/m/abc'>兔展</a>"
     "<iframe src='https://www.ih5.cn/a/xyz'></iframe>", (0, 0, 3)),
    # links that are not media
    ("<a href='/zcwj/202611/t1.html'>政策原文</a><a href='/video/index.html'>视频专栏</a>",
     (0, 0, 0)),
])
def test_video_audio_h5(inner: str, expected: tuple[int, int, int]) -> None:
    found = article_media(body(inner), URL)
    assert (found.videos, found.audios, found.h5) == expected


def test_media_outside_the_article_is_not_counted() -> None:
    text = "第一条　为规范城区停车管理，制定本办法。第二条　本办法适用于本县城区。"
    page = ("<html><body><div class='header'><img src='/upload/banner.jpg'>"
            "<a href='https://v.qq.com/x/page/abc.html'>宣传片</a></div>"
            "<div class='sidebar'><video src='/upload/side.mp4'></video></div>"
            f"<div id='zoom'><p>{text}</p></div>"
            "<div class='footer'><img src='/upload/foot.jpg'></div></body></html>")
    assert article_media(page, URL) == ArticleMedia(0, len("".join(text.split())), 0, 0, 0)


def test_page_with_no_text_block_is_read_without_its_chrome() -> None:
    page = ("<html><head><title>图解</title></head><body><div class='nav'><img src='/upload/n.jpg'>"
            "</div><div class='main'><h1>图解</h1><img src='/upload/tj1.jpg'>"
            "<img src='/upload/tj2.jpg'></div><div class='footer'><img src='/upload/f.jpg'></div>"
            "</body></html>")
    found = article_media(page, URL)
    assert found.images == 2 and found.text_chars == 2


@pytest.mark.parametrize("junk", [
    "", "   ", "not html at all", b"\xff\xfe\x00garbage", b"", "<html><body></body></html>",
    "<<<>>>", "<img src=>" * 50, "<video><source></video><object><param></object>",
    "<img src='http://[::1/a.jpg'><a href='http://[bad'>x</a>" + "<div>" * 5000,
])
def test_garbage_gives_zeros_or_counts_without_raising(junk: str | bytes) -> None:
    found = article_media(junk, URL)
    assert isinstance(found, ArticleMedia)
    assert found.images >= 0 and found.text_chars >= 0
    if not (junk.strip() if isinstance(junk, str) else junk.strip(b"\x00\xff\xfe")):
        assert found == ArticleMedia(0, 0, 0, 0, 0)


# ----------------------------------------------------------------------------- real pages


def test_every_saved_real_page_reads_without_raising() -> None:
    for path in real_pages():
        found = article_media(path.read_bytes(), "http://www.example.gov.cn/a/b.html")
        assert min(found.as_dict().values()) >= 0, path.name


def test_real_statistics_bulletin_counts_its_charts() -> None:
    path = REAL_PAGES / "job__jiangxi_2022_tjgb_on_yichun_article.html"
    if not path.exists():
        pytest.skip("real page not available")
    found = article_media(path.read_bytes(), "http://www.yichun.gov.cn/a.html")
    # the 统计公报's 19 charts in its body; a long text; no video
    assert found.images == 19 and found.text_chars > 5000 and found.videos == 0
