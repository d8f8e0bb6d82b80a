"""Author and source detection for the generic extractor."""

from __future__ import annotations

import re

from newscrawl.extraction.generic_dom import Line
from newscrawl.extraction.generic_meta import HeadInfo
from newscrawl.extraction.generic_text import DATE_RE, text_key

_NAME = r"[\u4e00-\u9fff·]{2,4}"
_NAME_END = r"(?=$|[\s、）)】\]/／|｜]|发自|报道|摄|整理|编译|供稿)"
_NOT_NAME_START = (
    r"(?!了解|获悉|发现|看到|注意|采访|调查|证实|致电|走访|来到|近日|日前|昨日|昨天|今天|今日|获得|得知"
    r"|询问|联系|观察|随机|暗访|现场|一行|手记|节目|会上|会议|身边|眼中|镜头)"
)
_AUTHOR_LABEL_RE = re.compile(
    r"(?:(?:作\s*者|撰\s*文|撰\s*稿|发表者|发帖人|楼\s*主|博\s*主|原作者)\s*(?:[:：]\s*|\s+)"
    r"|(?:^|[\s(（【\[])文\s*[/／:：]\s*)"
    r"([^\s:：|｜\[【(（]{1,20}(?:[ \u3000、，,]+[^\s:：|｜\[【(（]{2,20}){0,3})"
)
_REPORTER_RE = re.compile(
    r"(?:记者|通讯员|实习生|撰稿人|特约撰稿)\s*[:：]?\s*("
    + _NOT_NAME_START
    + _NAME
    + _NAME_END
    + r"(?:[\s、，,]*"
    + _NAME
    + r"(?!报道)(?=$|[\s、，,）)]|发自))*)"
)
_TRAIL_NAMES_RE = re.compile(
    r"[（(]\s*(?:本报)?(?:记者|通讯员)?\s*(" + _NAME + r"(?:[\s、]+" + _NAME + r")*)"
    r"(?:\s+[\u4e00-\u9fff]{2,6}报道)?\s*[）)]\s*$"
)
_NOT_NAME_RE = re.compile(
    r"[社网报台电讯刊部办局站馆院所会]$|中心$|供图|摄影|完|图片|记者|编辑|来源"
)
_EDITOR_RE = re.compile(
    r"(?:责任编辑|责编|编辑|编审)\s*[:：]?\s*([^\s:：|｜\[【(（)）\]】]{2,20}"
    r"(?:[ 、，,]+[^\s:：|｜\[【(（)）\]】]{2,8}){0,3})"
)
_BY_RE = re.compile(r"(?<!powered )(?<!designed )\bby\s+([A-Za-z0-9_\u4e00-\u9fff.-]{2,30})", re.I)
_POSTER_RE = re.compile(
    r"(?:^|[\s|｜])由\s*([^\s@:：]{2,20}?)\s*(?:张贴|发表|发布|提交|贴出)"
    r"|(?:^|[\s|｜])([A-Za-z0-9_\u4e00-\u9fff.-]{2,20})\s+(?:发表于|发布于|发表在|posted)"
)
_NAMES_ONLY_RE = re.compile(
    r"^[（(【\[]?\s*(" + _NAME + r"(?:\s*[、，,\s]\s*" + _NAME + r"){0,4})\s*[）)】\]]?$"
)
_BRACKET_NAME_RE = re.compile(r"[\[【]\s*(" + _NAME + r")\s*[\]】]")
_SOURCE_RE = re.compile(
    r"(?:来源|稿源|出处|来自)\s*[:：]\s*[\[【《]?\s*([^\s\]】》|｜]{2,30}(?:\s[^\s:：\]】》|｜]{2,12})?)"
)
_SOURCE_STOP_RE = re.compile(
    r"\s*(?:作者|编辑|记者|时间|发布|发表|点击|字号|责任|日期|浏览|阅读|来源|网友|评论|分享"
    r"|\d{4}\s*[-/.年]).*$"
)


_BLOG_OWNER_RE = re.compile(
    r"(?:^|[\s\[【「])([^\s\[\]【】「」|｜_-]{2,12}?)\s*的\s*(?:博客|个人博客|blog|空间|个人空间|专栏)",
    re.I,
)
# Single-character family names; a 来源 value made of one of these and a
# one- or two-character given name is a person (the writer), not a medium.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫"
    "寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_PERSON_SOURCE_RE = re.compile("^[" + _SURNAMES + "][\u4e00-\u9fff]{1,2}$")
_NOT_NAME_WORD_RE = re.compile(
    r"首页|本页|打印|关闭|返回|收藏|分享|评论|推荐|阅读|更多|专题|频道|导航|登录|注册|搜索|字号|正文|简介"
    r"|编者按|导语|摘要|按语"
)
_JUNK_VALUE_RE = re.compile(r"[=<>\"'{}]|^\d+$|^(?:来源|编辑|时间|日期|发布)")
_NEXT_LABEL_RE = re.compile(r"\s+\S{1,6}\s*[:：].*$")


def _clean_name(value: str) -> str:
    value = _NEXT_LABEL_RE.sub("", value)
    value = _SOURCE_STOP_RE.sub("", value)
    return value.strip(" \u3000\xa0,，、:：)）]】")


def find_people(
    lines: list[Line],
    header: list[Line],
    paragraphs: list[str],
    credits: list[str],
    head: HeadInfo,
    before: list[Line] | None = None,
    top: list[Line] | None = None,
) -> tuple[str | None, str | None]:
    """(author, source) from the lines around the headline and body, and the credit lines.

    ``header`` are the lines between headline and body, ``lines`` the lines
    after the body, ``before`` the few lines above the headline and ``top``
    the first lines of the page (where a blog names its owner).
    """
    top = top or []
    source = None
    candidates = [ln.text for ln in header] + paragraphs[-3:] + credits
    for text in candidates + [ln.text for ln in lines]:
        m = _SOURCE_RE.search(text)
        if m:
            val = _clean_name(m.group(1))
            if val and not _JUNK_VALUE_RE.search(val):
                source = val
                break
    near = [ln.text for ln in header] + [t[:60] for t in paragraphs[:3]]
    near += [t[-60:] for t in paragraphs[-4:]] + credits
    near += [ln.text for ln in lines if ln.chars <= 60]
    near += [ln.text for ln in before or () if ln.chars <= 60]
    for text in near:
        m = _AUTHOR_LABEL_RE.search(text)
        if m:
            val = _clean_name(m.group(1))
            if val and not DATE_RE.match(val) and not _JUNK_VALUE_RE.search(val):
                return val, source
        m = _REPORTER_RE.search(text)
        if m:
            return m.group(1).strip(), source
    tail = [ln.text for ln in lines[:3] if ln.chars <= 20]
    for text in tail[::-1] + paragraphs[-3:][::-1]:
        m = _TRAIL_NAMES_RE.search(text)
        if m and not _NOT_NAME_RE.search(m.group(1)):
            return m.group(1).strip(), source
    title_key = text_key(head.title)
    for ln in header:
        plain = (
            not ln.link_chars
            and not _NOT_NAME_WORD_RE.search(ln.text)
            and not ln.heading
            and text_key(ln.text) != title_key
        )
        m = _NAMES_ONLY_RE.match(ln.text) if plain and ln.chars <= 20 else None
        if m and not _NOT_NAME_RE.search(m.group(1)):
            return m.group(1).strip(), source
        m = _BRACKET_NAME_RE.search(ln.text)
        if m and not _NOT_NAME_RE.search(m.group(1)) and DATE_RE.search(ln.text):
            return m.group(1).strip(), source
    for text in near:
        m = _POSTER_RE.search(text)
        if m:
            return (m.group(1) or m.group(2)).strip(), source
    meta_author = (head.meta.get("author") or head.ld_author or "").strip()
    if (
        meta_author
        and not meta_author.startswith("http")
        and len(meta_author) <= 30
        and not _JUNK_VALUE_RE.search(meta_author)
    ):
        return meta_author, source
    for text in near:
        m = _BY_RE.search(text)
        if m:
            return m.group(1), source
    for text in [head.title] + [ln.text for ln in top if ln.chars <= 40]:
        m = _BLOG_OWNER_RE.search(text)
        if m and not _NOT_NAME_WORD_RE.search(m.group(1)):
            return m.group(1).strip(), source
    for text in credits + near:
        m = _EDITOR_RE.search(text)
        if m:
            val = _clean_name(m.group(1))
            if val:
                return val, source
    if source and _PERSON_SOURCE_RE.match(source) and not _NOT_NAME_RE.search(source):
        return source, source
    return None, source
