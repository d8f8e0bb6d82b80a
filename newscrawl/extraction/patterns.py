"""Text patterns of page furniture, compiled once from the lexicon for every extractor."""

from __future__ import annotations

import re

from newscrawl.lexicon import LEXICON, any_of, any_pattern

_M = LEXICON.markers
_L = LEXICON.labels
_OPEN = r"[\s【\[（(]*"
_OPEN_WIDE = r"[\s【\[（(<《]*"

#: A line opening a related-news / recommendation block: it and what follows are not text.
RELATED_START = re.compile(rf"^{_OPEN}(?:{any_of(_M.related)})")
#: Body text from such a line on is the portal's legal footer.
LEGAL_FOOTER = re.compile(rf"^(?:{any_of(_M.legal_footer)})")
#: Page furniture ending an article when it opens a short line.
PAGE_END = re.compile(
    rf"^{_OPEN_WIDE}(?:{any_pattern(_M.page_end)})"
    rf"|^.{{0,10}}(?:{any_of(_M.notice)})\s*[:：]?\s*$"
    r"|^.{0,6}(?:推荐|排行榜?)\s*[:：]?\s*$"
)
#: A heading that ends an article whatever follows it.
PAGE_END_HEADING = re.compile(
    rf"^{_OPEN_WIDE}(?:{any_of(_M.page_end_heading)})\s*[】\]）)>》]*\s*[:：]?\s*$"
    r"|^[\s【\[]*(?:上一篇|下一篇)"
)
#: A line made only of widget words (share, print, QR code, font size …).
WIDGET_LINE = re.compile(rf"^(?:{_OPEN}(?:{any_of(_M.widgets)})[\s】\]）)：:|/]*)+$")
MAX_WIDGET_LINE = 20
#: Widget words in brackets inside another line (【纠错】).
BRACKETED_WIDGET = re.compile(rf"[【\[]\s*(?:{any_of(_M.bracketed_widgets)})\s*[】\]]\s*")
#: A short line after the text that is counters or buttons.
TAIL_FURNITURE = re.compile(rf"[:：]$|{any_of(_M.tail_furniture)}|\d+\s*(?:次|人|条)")
CAPTION_START = re.compile(rf"^(?:{any_of(_M.caption)})")
COPYRIGHT = re.compile(any_of(_M.copyright), re.I)
DISCLAIMER = re.compile(any_pattern(_M.disclaimer))
#: A 来源：… line.
SOURCE_LINE = re.compile(rf"^{_OPEN}(?:{any_of(_L.source)})\s*[:：]")
#: A byline-like lead (记者 …, 来源：…) that is not a caption.
BYLINE_LEAD = re.compile(r"^.{0,12}(?:记者|通讯员|作者|编辑|来源)[\s:：]")
#: A header line of labelled fields, a headline label, or a date.
HEADER_FIELD = re.compile(
    rf"^(?:{any_of(_L.title)})\s*[:：]"
    r"|(?:来源|作者|编辑|记者|时间|日期|发布|点击|阅读)[:：]|发表|浏览|字号|出处|稿源|发布时间|更新时间"
    r"|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}"
)
#: A labelled field anywhere in a line (来源： 作者： 点击： …).
LABELLED_FIELD = re.compile(r"(?:来源|作者|编辑|记者|时间|日期|发布|发表|点击|浏览|评论)\s*[:：]")
#: A post header of a forum or blog (发表于 …, 楼主).
POSTED = re.compile(any_pattern(_L.posted))
TITLE_LABEL = re.compile(rf"^(?:{any_of(_L.title)})\s*[:：]\s*")
TIME_OF_DAY = re.compile(r"\d{1,2}[:：]\d{2}")
SENTENCE_END = "。！？!?…"
