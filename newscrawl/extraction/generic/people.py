"""Author and source detection for the generic extractor.

The source is the first ``来源：`` value near the headline or the end of the
text. The author comes from the first of a list of strategies, most reliable
first (:data:`AUTHOR_STRATEGIES`): a labelled 作者/记者 field, a byline bracket
at the end of the text, a name standing alone under the headline, a forum
poster, the ``<meta name="author">``, an English "by", a blog's owner, an
editor credit, and last a 来源 that is a person's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from newscrawl.extraction.dom import Line, text_key
from newscrawl.extraction.generic.head import HeadInfo
from newscrawl.lexicon import LEXICON, any_of
from newscrawl.normalise.dates import find_dates

_PEOPLE = LEXICON.people
_NAME = r"[\u4e00-\u9fff·]{2,4}"
_NAME_END = r"(?=$|[\s、）)】\]/／|｜]|发自|报道|摄|整理|编译|供稿)"
_NOT_NAME_START = rf"(?!{any_of(_PEOPLE.not_name_starts)})"
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
    rf"(?:{any_of((*LEXICON.labels.source, '来自'))})\s*[:：]\s*[\[【《]?\s*"
    r"([^\s\]】》|｜]{2,30}(?:\s[^\s:：\]】》|｜]{2,12})?)"
)
_SOURCE_STOP_RE = re.compile(
    r"\s*(?:作者|编辑|记者|时间|发布|发表|点击|字号|责任|日期|浏览|阅读|来源|网友|评论|分享"
    r"|\d{4}\s*[-/.年]).*$"
)
_BLOG_OWNER_RE = re.compile(
    r"(?:^|[\s\[【「])([^\s\[\]【】「」|｜_-]{2,12}?)\s*的\s*(?:博客|个人博客|blog|空间|个人空间|专栏)",
    re.I,
)
#: A 来源 value made of a family name and a one- or two-character given name
#: is a person (the writer), not a medium.
_PERSON_SOURCE_RE = re.compile(
    f"^[{''.join(sorted(LEXICON.surnames.single))}][\u4e00-\u9fff]{{1,2}}$"
)
_NOT_PERSON_WORD_RE = re.compile(any_of(_PEOPLE.not_person_words))
_JUNK_VALUE_RE = re.compile(r"[=<>\"'{}]|^\d+$|^(?:来源|编辑|时间|日期|发布)")
_NEXT_LABEL_RE = re.compile(r"\s+\S{1,6}\s*[:：].*$")
_NEAR_LINE_CHARS = 60
_TAIL_NAME_CHARS = 20
_TOP_LINE_CHARS = 40


@dataclass
class PeopleContext:
    """The text around the article where people are named."""

    header: list[Line]
    """Lines between the headline and the body."""
    after: list[Line]
    """Lines just after the body."""
    paragraphs: list[str]
    credits: list[str]
    """Credit and 来源 lines taken out of the body."""
    head: HeadInfo
    before: list[Line] = field(default_factory=list)
    """Lines just above the headline."""
    top: list[Line] = field(default_factory=list)
    """The first lines of the page (where a blog names its owner)."""
    source: str | None = None

    def near(self) -> list[str]:
        """Texts where a byline is printed, nearest first."""
        texts = [ln.text for ln in self.header] + [t[:60] for t in self.paragraphs[:3]]
        texts += [t[-60:] for t in self.paragraphs[-4:]] + self.credits
        texts += [ln.text for ln in self.after if ln.chars <= _NEAR_LINE_CHARS]
        texts += [ln.text for ln in self.before if ln.chars <= _NEAR_LINE_CHARS]
        return texts


def _clean_name(value: str) -> str:
    value = _NEXT_LABEL_RE.sub("", value)
    value = _SOURCE_STOP_RE.sub("", value)
    return value.strip(" \u3000\xa0,，、:：)）]】")


def _starts_with_date(text: str) -> bool:
    found = next(find_dates(text), None)
    return found is not None and found.start == 0


def _labelled_or_reporter(ctx: PeopleContext) -> str | None:
    for text in ctx.near():
        m = _AUTHOR_LABEL_RE.search(text)
        if m:
            value = _clean_name(m.group(1))
            if value and not _starts_with_date(value) and not _JUNK_VALUE_RE.search(value):
                return value
        m = _REPORTER_RE.search(text)
        if m:
            return m.group(1).strip()
    return None


def _trailing_bracket(ctx: PeopleContext) -> str | None:
    tail = [ln.text for ln in ctx.after[:3] if ln.chars <= _TAIL_NAME_CHARS]
    for text in tail[::-1] + ctx.paragraphs[-3:][::-1]:
        m = _TRAIL_NAMES_RE.search(text)
        if m and not _NOT_NAME_RE.search(m.group(1)):
            return m.group(1).strip()
    return None


def _name_under_headline(ctx: PeopleContext) -> str | None:
    title_key = text_key(ctx.head.title)
    for ln in ctx.header:
        plain = (
            not ln.link_chars
            and not _NOT_PERSON_WORD_RE.search(ln.text)
            and not ln.heading
            and text_key(ln.text) != title_key
        )
        m = _NAMES_ONLY_RE.match(ln.text) if plain and ln.chars <= _TAIL_NAME_CHARS else None
        if m and not _NOT_NAME_RE.search(m.group(1)):
            return m.group(1).strip()
        m = _BRACKET_NAME_RE.search(ln.text)
        if m and not _NOT_NAME_RE.search(m.group(1)) and next(find_dates(ln.text), None):
            return m.group(1).strip()
    return None


def _poster(ctx: PeopleContext) -> str | None:
    for text in ctx.near():
        m = _POSTER_RE.search(text)
        if m:
            return (m.group(1) or m.group(2)).strip()
    return None


def _meta_author(ctx: PeopleContext) -> str | None:
    value = (ctx.head.meta.get("author") or ctx.head.ld_author or "").strip()
    if (
        value
        and not value.startswith("http")
        and len(value) <= 30
        and not _JUNK_VALUE_RE.search(value)
    ):
        return value
    return None


def _english_by(ctx: PeopleContext) -> str | None:
    for text in ctx.near():
        m = _BY_RE.search(text)
        if m:
            return m.group(1)
    return None


def _blog_owner(ctx: PeopleContext) -> str | None:
    for text in [ctx.head.title] + [ln.text for ln in ctx.top if ln.chars <= _TOP_LINE_CHARS]:
        m = _BLOG_OWNER_RE.search(text)
        if m and not _NOT_PERSON_WORD_RE.search(m.group(1)):
            return m.group(1).strip()
    return None


def _editor_credit(ctx: PeopleContext) -> str | None:
    for text in ctx.credits + ctx.near():
        m = _EDITOR_RE.search(text)
        if m:
            value = _clean_name(m.group(1))
            if value:
                return value
    return None


def _person_as_source(ctx: PeopleContext) -> str | None:
    source = ctx.source
    if source and _PERSON_SOURCE_RE.match(source) and not _NOT_NAME_RE.search(source):
        return source
    return None


#: Author strategies, most reliable first; the first that finds a name wins.
AUTHOR_STRATEGIES: tuple[Callable[[PeopleContext], str | None], ...] = (
    _labelled_or_reporter,
    _trailing_bracket,
    _name_under_headline,
    _poster,
    _meta_author,
    _english_by,
    _blog_owner,
    _editor_credit,
    _person_as_source,
)


def find_source(ctx: PeopleContext) -> str | None:
    """The first 来源 value near the headline, at the end of the text or after it."""
    texts = [ln.text for ln in ctx.header] + ctx.paragraphs[-3:] + ctx.credits
    for text in texts + [ln.text for ln in ctx.after]:
        m = _SOURCE_RE.search(text)
        if m:
            value = _clean_name(m.group(1))
            if value and not _JUNK_VALUE_RE.search(value):
                return value
    return None


#: Strategies that guess: their author is a person the page names in another role,
#: and the record says so with this warning (docs/record.md).
GUESS_WARNINGS = {
    _editor_credit: "author_from_credits",
    _person_as_source: "author_from_source",
}


def find_people(ctx: PeopleContext) -> tuple[str | None, str | None, str | None]:
    """(author, source, warning) of the article; the warning names an author that is a guess."""
    ctx.source = find_source(ctx)
    for strategy in AUTHOR_STRATEGIES:
        author = strategy(ctx)
        if author:
            return author, ctx.source, GUESS_WARNINGS.get(strategy)
    return None, ctx.source, None
