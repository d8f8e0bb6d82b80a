"""Cleaning of the article run for the generic extractor.

The run chosen by :mod:`newscrawl.extraction.generic_score` is widened by a
trailing name line and by images just above it, and cleaned: headline copies,
date and source lines, widgets, related-news and comment tails and lines of
boilerplate regions are dropped, credit lines set aside, and images get their
captions.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from newscrawl.extraction.fields import ImageRef
from newscrawl.extraction.generic_dom import Doc, Line
from newscrawl.extraction.generic_score import choose_body, first_record, is_good, is_record_meta
from newscrawl.extraction.generic_text import COPYRIGHT_RE, text_key

_CREDIT_RE = re.compile(
    r"^[\s【\[（(]*(?:责任编辑|责编|编辑|审核|审校|审稿|校对|监制|签发|值班编辑|终审|初审|复审"
    r"|制作|统筹|策划|出品人|主编|编审|美编|视频编辑|实习编辑|网络编辑)\s*[:：/]"
)
_CREDIT_BARE_RE = re.compile(r"^[\s【\[（(]*(?:责任编辑|责编)\s*\S")
_CREDIT_INNER_RE = re.compile(r"[【\[（(]\s*(?:责任编辑|责编|编辑)\s*[:：]")
_WIDGET_TOKEN_RE = re.compile(
    r"[【\[]\s*(?:纠错|打印|关闭|收藏|分享|返回顶部|我要纠错)\s*[】\]]\s*"
)
_END_MARKER_RE = re.compile(
    r"^[\s【\[（(<《]*(?:相关新闻|相关阅读|相关链接|相关文章|相关报道|相关专题|相关推荐|相关稿件"
    r"|延伸阅读|推荐阅读|热点推荐|热门推荐|猜你喜欢|更多精彩|精彩推荐|精彩图片|图片推荐|今日推荐"
    r"|网友评论|发表评论|我要评论|评论|已有\d+条评论|查看评论|热门评论|最新评论|上一篇|下一篇"
    r"|打印本页|打印|关闭窗口|关闭|返回顶部|返回首页|分享到|分享至|收藏本文|推荐给朋友|订阅"
    r"|版权声明|免责声明|声明[:：]|本站声明|注[:：]本文|【?纠错|点击排行|排行榜|阅读排行"
    r"|热门文章|热点新闻|今日热点|最新文章|最新新闻|新闻排行|友情链接)"
    r"|^.{0,10}(?:公告|声明|须知|启事)\s*[:：]?\s*$"
    r"|^.{0,6}(?:推荐|排行榜?)\s*[:：]?\s*$"
)
_SOURCE_LINE_RE = re.compile(r"^[\s【\[（(]*(?:来源|稿源|出处|信息来源|文章来源)\s*[:：]")
_STRONG_END_RE = re.compile(
    r"^[\s【\[（(<《]*(?:相关新闻|相关阅读|相关链接|相关文章|相关报道|相关推荐|相关稿件|网友评论|发表评论"
    r"|我要评论|热门评论|最新评论|评论|猜你喜欢|为你推荐|热点推荐|热门推荐|精彩推荐|推荐阅读|今日推荐"
    r"|热门文章|热点新闻|更多新闻|更多精彩|最新文章|最新新闻|点击排行|阅读排行|新闻排行)"
    r"\s*[】\]）)>》]*\s*[:：]?\s*$"
    r"|^[\s【\[]*(?:上一篇|下一篇)"
)
_WIDGET_RE = re.compile(
    r"^[\s【\[]*(?:字号|字体|大|中|小|打印|关闭|收藏|分享|复制链接|默认|超大|放大|缩小|手机看|扫一扫"
    r"|扫描二维码|返回|顶部|纠错|点击|浏览|阅读)[\s\]】:：]*(?:$|[\s\]】]*[【\[])"
)
_META_LABEL_RE = re.compile(
    r"^(?:主题|标题|题目|帖子主题|文章标题)\s*[:：]|来源[:：]|作者[:：]|编辑[:：]|记者[:：]|时间[:：]|日期[:：]|发布[:：]|发表|点击[:：]|浏览"
    r"|阅读[:：]|字号|出处|稿源|发布时间|更新时间|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}"
)
_CAPTION_START_RE = re.compile(r"^(?:图为|图片|图：|图:|▲|△|↑|（图|\(图|摄影|摄)")
_SENTENCE_END = "。！？!?…；;"
_SKIP_IMG_RE = re.compile(
    r"(?:spacer|blank|space|pixel|clear|dot|line|arrow|icon|logo|button|btn|\bc\.gif|1x1|"
    r"loading|share|qrcode|erweima|weixin|wx\.|print|close|\.svg|ic_|send|mail|favor|rss|"
    r"more\.(?:png|gif)|openmore|btn_?more|comment)",
    re.I,
)
_IMG_ATTRS = ("src", "oldsrc", "data-src", "data-original", "data-lazy-src")


_WORD_RE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_TAIL_JUNK_RE = re.compile(
    r"[:：]$|阅览|浏览|点击|阅读|次数|人次|\d+\s*(?:次|人|条)|回复|字号|打印|关闭|收藏|分享|返回"
)


def _is_tail_junk(ln: Line) -> bool:
    text = ln.text
    if _is_credit(ln):
        return False
    return (
        ln.link_chars * 2 > ln.chars
        or bool(_TAIL_JUNK_RE.search(text))
        or bool(_END_MARKER_RE.match(text))
        or bool(_WIDGET_RE.match(text))
        or bool(COPYRIGHT_RE.search(text))
        or is_record_meta(ln)
        or not _WORD_RE.search(text)
    )


def _extend_tail(doc: Doc, start: int, end: int, neg: list[int]) -> int:
    """Take in up to three short plain lines right after the run in the same block.

    The run ends on its last positive line; a trailing reporter name or
    ``（完）`` line has a small negative weight but belongs to the text.
    """
    lines = doc.lines
    if end < start:
        return end
    last = lines[end]
    if last.img is not None:
        return end
    box = doc.parent[last.owner]
    if box < 0:
        return end
    for i in range(end + 1, min(len(lines), end + 4)):
        ln = lines[i]
        if ln.img is not None:
            if not doc.contains(box, ln.owner) or neg[ln.owner] > box:
                break
            end = i
            continue
        if (
            ln.link_chars
            or ln.chars > 30
            or not doc.contains(box, ln.owner)
            or neg[ln.owner] > box
            or _is_tail_junk(ln)
        ):
            break
        end = i
    return end


def _text_goes_on(doc: Doc, kept: list[Line], k: int, last_good: Line | None) -> bool:
    """Whether prose of the same block resumes after line ``k`` (an inline related box)."""
    if last_good is None:
        return False
    following = next((ln for ln in kept[k + 1 : k + 12] if ln.img is None and is_good(ln)), None)
    if following is None:
        return False
    if following.owner == last_good.owner:
        return True
    parent = doc.parent
    return parent[following.owner] == parent[last_good.owner] and (
        doc.tags[following.owner] == doc.tags[last_good.owner] == "p"
    )


def _drop_stray_images(doc: Doc, kept: list[Line]) -> list[Line]:
    """Drop images after the last prose line that lie outside that line's block."""
    last_text = next((ln for ln in reversed(kept) if ln.img is None and is_good(ln)), None)
    if last_text is None:
        return kept
    box = doc.parent[last_text.owner]
    if box < 0:
        return kept
    stop = len(kept)
    while stop and kept[stop - 1].img is not None:
        stop -= 1
    tail = [ln for ln in kept[stop:] if doc.contains(box, ln.owner)]
    return kept[:stop] + tail


def _extend_head(doc: Doc, start: int, end: int, neg: list[int], title_line: int) -> int:
    """Take in images (and their caption lines) standing right above the first line."""
    lines = doc.lines
    if end < start or lines[start].img is not None:
        return start
    box = doc.parent[lines[start].owner]
    if box < 0:
        return start
    new_start = start
    for i in range(start - 1, max(title_line, start - 5, -1), -1):
        ln = lines[i]
        if not doc.contains(box, ln.owner) or neg[ln.owner] > box:
            break
        if ln.img is not None:
            new_start = i
        elif ln.link_chars or ln.chars > 40 or _META_LABEL_RE.search(ln.text):
            break
    return new_start


def _image_url(img, base: str) -> str | None:
    for attr in _IMG_ATTRS:
        val = img.get(attr)
        if val:
            val = val.strip()
            if val and not val.startswith(("data:", "javascript:")):
                return urljoin(base, val) if base else val
    return None


def _tiny(img) -> bool:
    for attr in ("width", "height"):
        val = (img.get(attr) or "").strip().lower().removesuffix("px")
        if val.isdigit() and int(val) < 60:
            return True
    return False


_BYLINE_RE = re.compile(r"^.{0,12}(?:记者|通讯员|作者|编辑|来源)[\s:：]")


def _is_caption(ln: Line, doc: Doc) -> bool:
    if ln.img is not None or not ln.chars or ln.chars > 80 or ln.link_chars * 2 > ln.chars:
        return False
    if _BYLINE_RE.match(ln.text) and "摄" not in ln.text and "图" not in ln.text:
        return False
    if doc.tags[ln.owner] == "figcaption" or _CAPTION_START_RE.match(ln.text):
        return True
    if ln.text[-1] in _SENTENCE_END and ln.chars > 40:
        return False
    return ln.centered or ln.small


class BodyResult:
    """Paragraphs, images and credit lines of the chosen body."""

    __slots__ = (
        "credit_lines",
        "end_line",
        "images",
        "paragraphs",
        "source_lines",
        "start_line",
        "used_lines",
    )

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.source_lines: list[str] = []
        self.images: list[ImageRef] = []
        self.credit_lines: list[str] = []
        self.used_lines: list[Line] = []
        self.start_line = -1
        self.end_line = -1


def extract_body(doc: Doc, title_line: int, title_key: str, base_url: str) -> BodyResult:
    """Choose the body container and turn its lines into paragraphs and images."""
    choice = choose_body(doc, title_line)
    lines = doc.lines
    neg = choice.neg_owner
    seg_start, seg_end = choice.segment
    seg_end = _extend_tail(doc, seg_start, seg_end, neg)
    seg_start = _extend_head(doc, seg_start, seg_end, neg, title_line)
    inside = first_record(doc, lines[seg_start : seg_end + 1])
    if title_line >= 0 and inside and inside[0].index <= title_line <= inside[-1].index:
        inside = [ln for ln in inside if ln.index > title_line]
    kept: list[Line] = []
    for ln in inside:
        if neg[ln.owner] >= 0:
            continue
        if ln.img is None and ln.link_chars * 2 > ln.chars and not is_good(ln):
            continue
        kept.append(ln)
    result = BodyResult()
    # Header lines before the text: headline copies, dates, sources, widgets.
    start = 0
    for ln in kept:
        if ln.img is None and not (
            (ln.chars <= 80 and _META_LABEL_RE.search(ln.text))
            or _WIDGET_RE.match(ln.text)
            or (title_key and text_key(ln.text) == title_key)
            or not is_good(ln)
        ):
            break
        start += 1
    kept = [
        ln
        for ln in kept[:start]
        if ln.img is not None
        or not (
            (ln.chars <= 80 and _META_LABEL_RE.search(ln.text))
            or _WIDGET_RE.match(ln.text)
            or (title_key and text_key(ln.text) == title_key)
        )
    ] + kept[start:]
    # Cut a related-news / comments / footer tail.
    good_after = [0] * (len(kept) + 1)
    for k in range(len(kept) - 1, -1, -1):
        ln = kept[k]
        good_after[k] = good_after[k + 1] + (ln.chars if ln.img is None and is_good(ln) else 0)
    seen_good = 0
    cut = len(kept)
    last_good: Line | None = None
    inline_boxes: set[int] = set()
    for k, ln in enumerate(kept):
        if ln.img is None:
            if (
                seen_good
                and ln.chars <= 40
                and not _is_credit(ln)
                and _END_MARKER_RE.match(ln.text)
            ):
                if _text_goes_on(doc, kept, k, last_good):
                    inline_boxes.add(k)
                elif good_after[k] < seen_good or (
                    seen_good >= 100 and _STRONG_END_RE.match(ln.text)
                ):
                    cut = k
                    break
            if seen_good >= 100 and title_key and text_key(ln.text) == title_key:
                # The headline again: a share box, print copy or next article.
                cut = k
                break
            if is_good(ln):
                seen_good += ln.chars
                last_good = ln
    kept = [ln for k, ln in enumerate(kept[:cut]) if k not in inline_boxes]
    kept = _drop_stray_images(doc, kept)
    while kept and kept[-1].img is None and not is_good(kept[-1]) and _is_tail_junk(kept[-1]):
        kept.pop()
    seen_texts: set[str] = set()
    skip_next = False
    for k, ln in enumerate(kept):
        if skip_next:
            skip_next = False
            continue
        if ln.img is not None:
            url = _image_url(ln.img, base_url)
            if not url or _tiny(ln.img) or _SKIP_IMG_RE.search(url):
                continue
            caption = None
            if k + 1 < len(kept) and _is_caption(kept[k + 1], doc):
                caption = kept[k + 1].text
                skip_next = True
            result.images.append(
                ImageRef(url=url, caption=caption, position=len(result.paragraphs))
            )
            continue
        text = ln.text
        if _is_credit(ln):
            credit = _credit_text(text)
            if credit:
                result.credit_lines.append(credit)
            continue
        if ln.chars <= 80 and (COPYRIGHT_RE.search(text) or _WIDGET_RE.match(text)):
            continue
        if ln.chars <= 30 and _SOURCE_LINE_RE.match(text):
            result.source_lines.append(text)
            continue
        if ln.chars >= 10:
            if text in seen_texts:
                continue
            seen_texts.add(text)
        result.paragraphs.append(text)
        result.used_lines.append(ln)
    if result.used_lines:
        result.start_line = result.used_lines[0].index
        result.end_line = result.used_lines[-1].index
        # Credit lines just below the text (often outside the chosen run).
        last = max(result.end_line, kept[-1].index if kept else -1)
        for ln in lines[last + 1 : last + 9]:
            if ln.img is None and _is_credit(ln):
                credit = _credit_text(ln.text)
                if credit:
                    result.credit_lines.append(credit)
            elif ln.img is None and is_good(ln) and ln.chars > 60:
                break
    return result


_BRACKETED_RE = re.compile(r"^[【\[（(][^】\]）)]*[】\]）)]")
_CREDIT_EMPTY_RE = re.compile(r"^[\s【\[（(]*[^:：]{1,6}[:：]\s*[】\]）)]?\s*$")


def _credit_text(text: str) -> str:
    """The credit as printed, without widget tokens or text trailing its brackets."""
    text = _WIDGET_TOKEN_RE.sub("", text).strip()
    m = _BRACKETED_RE.match(text)
    if m:
        text = m.group(0)
    return "" if _CREDIT_EMPTY_RE.match(text) else text


def _is_credit(ln: Line) -> bool:
    """An editor credit line such as ``责任编辑：X`` or ``【纠错】【责任编辑：X】``."""
    text = ln.text
    return ln.chars <= 60 and bool(
        _CREDIT_RE.match(text) or _CREDIT_BARE_RE.match(text) or _CREDIT_INNER_RE.search(text)
    )
