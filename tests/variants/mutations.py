"""Template mutations: markup changes a TRS portal plausibly shows over the years.

Every mutation keeps the article's content: the expected record of a variant
is the original's, except where the mutation changes what the truth is (a
time of day now printed or no longer printed changes ``published_at``; a page
written in another charset changes ``encoding``) — :meth:`Mutation.adjust`
says so.

A mutation first picks a *form* (all its random choices, a JSON-able dict) for
the whole article, as a template applies to every page alike; then it edits
each page's tree (:meth:`Mutation.apply`, returning how many edits it made)
and, for a few kinds, the serialised text (:meth:`Mutation.finish`).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from functools import cache
from typing import Any

from lxml import etree

from tests.variants import template as tpl
from tests.variants.fixtures import SourceArticle, source_articles
from tests.variants.markup import (
    HtmlElement,
    append_html,
    inner_html,
    insert_after,
    insert_before,
    parse,
    remove,
    set_inner_html,
    text_of,
    wrap,
)

Form = dict[str, Any]

_FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


class Mutation:
    """One kind of template change."""

    kind = ""

    def choose(self, rng: random.Random, article: SourceArticle) -> Form | None:
        """The form of this mutation for an article, or None when it does not apply."""
        raise NotImplementedError

    def apply(self, doc: HtmlElement, form: Form, article: SourceArticle, page: int) -> int:
        """Edit one page's tree; the number of edits made."""
        return 0

    def finish(self, html: str, form: Form) -> str:
        """Edit one page's serialised HTML (after every tree edit)."""
        return html

    def adjust(self, expected: dict, form: Form, article: SourceArticle) -> None:
        """Change the expected field values where the mutation changes the truth."""


@cache
def survey(article: SourceArticle) -> dict[str, Any]:
    """What the article's first page holds that mutations act on."""
    doc = parse(article.pages[0].html)
    line = tpl.date_line(doc, article.published_raw)
    by = tpl.byline(doc)
    captions = sum(
        len(tpl.caption_pairs(parse(p.html), article.expected["captions"])) for p in article.pages
    )
    credits = sum(len(tpl.credit_elements(parse(p.html))) for p in article.pages)
    return {
        "date_line": line is not None,
        "date_block": bool(line and line.block),
        "byline": by is not None and by.source is not None,
        "side_byline": bool(by and by.side),
        "captions": captions,
        "credits": credits,
        "headline": tpl.headline(doc, article.expected["title"]) is not None,
        "body": tpl.body_element(doc) is not None,
    }


def _published(article: SourceArticle) -> tuple[dt.date, dt.time | None]:
    day = dt.date.fromisoformat(article.expected["published_date"])
    at = article.expected["published_at"]
    return day, (dt.datetime.fromisoformat(at).time() if at else None)


def _pick(rng: random.Random, options: list | tuple) -> Any:
    return options[rng.randrange(len(options))]


# ---------------------------------------------------------------------------------
# date lines
# ---------------------------------------------------------------------------------

_DATE_LABELS = ("", "发布时间：", "时间：", "发布时间:", "日期：", "发布日期：", "时间: ")
_BETWEEN = ("\n        ", " / ", " /", "/", " ", "&nbsp;", "&nbsp;&nbsp;", "<br>", "")
_TIME_JOIN = (" ", "&nbsp;&nbsp;", "\n", "\u3000", "<br>", "  ")


class DateLine(Mutation):
    """The date line in another common form (issue 13 "Dates")."""

    kind = "date_line"

    def choose(self, rng: random.Random, article: SourceArticle) -> Form | None:
        info = survey(article)
        if not info["date_line"]:
            return None
        block = info["date_block"]
        form: Form = {
            "shape": _pick(rng, ("split", "split", "joined")),
            "digits": "fullwidth" if rng.random() < 0.12 else "ascii",
            "pad": rng.random() < 0.8,
            "time": _pick(rng, ("hm", "hm", "hm", "hms", "hms", "cn", None, None)),
            "time_colon": "：" if rng.random() < 0.1 else ":",
            "time_join": _pick(rng, _TIME_JOIN),
            "time_in": _pick(rng, ("same", "same", "span")),
            "label": _pick(rng, _DATE_LABELS) if rng.random() < 0.4 else "",
            "label_in": _pick(rng, ("text", "span", "h5") if block else ("text", "span")),
            "head_meta": _pick(rng, ("kept", "dropped")),
            "new_time": [rng.randrange(6, 23), rng.randrange(60), rng.randrange(60)],
        }
        if form["shape"] == "joined":
            form["sep"] = _pick(rng, ("-", "/", ".", "cn"))
        else:
            form["md"] = _pick(rng, ("/", "/", "-", ".", "cn"))
            form["year_in"] = _pick(
                rng, ("text", "text", "span", "strong", "p")[: 5 if block else 4]
            )
            form["md_in"] = _pick(
                rng, ("text", "label", "label", "span", "em", "p")[: 6 if block else 5]
            )
            form["year_cn"] = form["md"] == "cn" and rng.random() < 0.7
            between = _pick(rng, _BETWEEN)
            if "/" in between:
                # a slash after the year goes with a slash between month and day
                form["md"] = "/"
                form["year_cn"] = False
            # nothing between year and month only where a block or 年 parts them
            parted = "p" in (form["year_in"], form["md_in"]) or form["year_cn"]
            if not between and not parted:
                between = "\n        "
            form["between"] = between
        return form

    def printed_time(self, form: Form, article: SourceArticle) -> dt.time | None:
        """The time of day the variant prints (None when it prints none)."""
        if form["time"] is None:
            return None
        _, tod = _published(article)
        tod = tod or dt.time(*form["new_time"])
        return tod if form["time"] == "hms" else tod.replace(second=0)

    def render(self, form: Form, article: SourceArticle) -> str:
        day, _ = _published(article)
        tod = self.printed_time(form, article)
        digits = (
            (lambda s: s.translate(_FULLWIDTH_DIGITS)) if form["digits"] == "fullwidth" else str
        )
        y = str(day.year)
        m, d = (
            (f"{day.month:02d}", f"{day.day:02d}")
            if form["pad"]
            else (str(day.month), str(day.day))
        )
        time_html = ""
        if tod is not None:
            c = form["time_colon"]
            text = {
                "hm": f"{tod.hour:02d}{c}{tod.minute:02d}",
                "hms": f"{tod.hour:02d}{c}{tod.minute:02d}{c}{tod.second:02d}",
                "cn": f"{tod.hour:02d}时{tod.minute:02d}分",
            }[form["time"]]
            text = digits(text)
            if form["time_in"] == "span":
                text = f'<span class="time">{text}</span>'
            time_html = form["time_join"] + text
        if form["shape"] == "joined":
            sep = form["sep"]
            date = f"{y}年{m}月{d}日" if sep == "cn" else f"{y}{sep}{m}{sep}{d}"
            html = digits(date) + time_html
        else:
            md = f"{m}月{d}日" if form["md"] == "cn" else f"{m}{form['md']}{d}"
            year = digits(y + ("年" if form["year_cn"] else ""))
            year = _in(form["year_in"], year, "year")
            md = _in(form["md_in"], digits(md) + time_html, "md")
            html = year + form["between"] + md
        label = form["label"]
        if label:
            html = {
                "text": label + html,
                "span": f'<span class="label">{label}</span>{html}',
                "h5": f"<h5>{label}</h5>{html}",
            }[form["label_in"]]
        return html

    def apply(self, doc: HtmlElement, form: Form, article: SourceArticle, page: int) -> int:
        edits = 0
        if form["head_meta"] == "dropped":
            for meta in doc.xpath("//meta[@name='publishdate' or @name='pubdate']"):
                remove(meta)
                edits += 1
        line = tpl.date_line(doc, article.published_raw)
        if line is None:
            return edits
        html = self.render(form, article)
        if line.whole:
            set_inner_html(line.element, "\n        " + html + "\n      " if line.block else html)
        else:
            el = line.element
            start = el.text.index(line.raw)
            rest = el.text[start + len(line.raw) :]
            el.text = el.text[:start]
            children = list(el)
            for child in children:
                el.remove(child)
            append_html(el, html + _escape(rest))
            for child in children:
                el.append(child)
        return edits + 1

    def adjust(self, expected: dict, form: Form, article: SourceArticle) -> None:
        tod = self.printed_time(form, article)
        day, _ = _published(article)
        expected["published_at"] = (
            dt.datetime.combine(day, tod).isoformat() + "+08:00" if tod is not None else None
        )


def _in(container: str, html: str, cls: str) -> str:
    if container == "text":
        return html
    if container in ("span", "p"):
        return f'<{container} class="{cls}">{html}</{container}>'
    return f"<{container}>{html}</{container}>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------------------------
# 来源 / 作者
# ---------------------------------------------------------------------------------

_COLONS = ("：", ":", ": ", " ：", "", "")
_SPACES = ("", " ", "\u3000", "&nbsp;")
_JOINERS = (" ", "\u3000", "&nbsp;&nbsp;", " | ", "\u3000\u3000")


class Byline(Mutation):
    """来源 / 作者: order, label forms (colon or not, full-width, spaces), separate elements."""

    kind = "byline"

    def choose(self, rng: random.Random, article: SourceArticle) -> Form | None:
        info = survey(article)
        if not info["byline"]:
            return None
        side = info["side_byline"]
        entry = _pick(
            rng,
            ("h5", "p", "p", "span_label", "em_label")
            if side
            else ("plain", "plain", "span", "span_label", "em_label", "link"),
        )
        layout = _pick(rng, ("separate", "separate", "lines", "one_line")) if side else "inline"
        colon = _pick(rng, _COLONS)
        space = _pick(rng, _SPACES)
        # a label with neither colon nor space is only told apart by its own element
        own_element = layout == "separate" and entry in ("h5", "span_label")
        if not colon.strip() and not space and not own_element:
            space = " "
        return {
            "side": side,
            "layout": layout,
            "order": _pick(rng, ("source_first", "source_first", "author_first")),
            "entry": entry,
            "colon": colon,
            "space": space,
            "joiner": _pick(rng, _JOINERS),
        }

    def _entries(self, form: Form, by: tpl.Byline) -> list[tuple[str, str]]:
        entries = [("来源", by.source), ("作者", by.author)]
        if form["order"] == "author_first":
            entries.reverse()
        return [(label, value) for label, value in entries if value]

    def _plain(self, form: Form, label: str, value: str) -> str:
        return f"{label}{form['colon']}{form['space']}{value}"

    def render_side(self, form: Form, by: tpl.Byline) -> str:
        colon, space = form["colon"], form["space"]
        entries = self._entries(form, by)
        if form["layout"] == "lines":
            inner = "".join(f"<p>{self._plain(form, lb, v)}</p>" for lb, v in entries)
            return f'<div class="text">{inner}</div>'
        if form["layout"] == "one_line":
            line = form["joiner"].join(self._plain(form, lb, v) for lb, v in entries)
            return f'<div class="text"><p>{line}</p></div>'
        blocks = []
        for label, value in entries:
            inner = {
                "h5": f"<h5>{label}{colon}</h5>\n        <p>{value}</p>",
                "p": f"<p>{self._plain(form, label, value)}</p>",
                "span_label": f'<span class="label">{label}{colon}</span>{space}'
                f'<span class="value">{value}</span>',
                "em_label": f"<p><em>{label}{colon}</em>{space}{value}</p>",
            }[form["entry"]]
            blocks.append(f'<div class="text">\n        {inner}\n      </div>')
        return "\n      ".join(blocks)

    def render_inline(self, form: Form, by: tpl.Byline) -> str:
        colon, space = form["colon"], form["space"]
        parts = []
        for label, value in self._entries(form, by):
            entry = form["entry"]
            if entry == "link" and label == "来源":
                value = f'<a href="http://www.dzwww.com/" target="_blank">{value}</a>'
            parts.append(
                {
                    "plain": self._plain(form, label, value),
                    "link": self._plain(form, label, value),
                    "span": f"<span>{self._plain(form, label, value)}</span>",
                    "span_label": f'<span class="label">{label}{colon}</span>{space}'
                    f"<span>{value}</span>",
                    "em_label": f"<em>{label}{colon}</em>{space}{value}",
                }[entry]
            )
        return form["joiner"].join(parts)

    def apply(self, doc: HtmlElement, form: Form, article: SourceArticle, page: int) -> int:
        by = tpl.byline(doc)
        if by is None or by.source is None:
            return 0
        if by.side:
            insert_before(by.blocks[0], self.render_side(form, by))
            for block in by.blocks:
                remove(block)
            return 1
        html = inner_html(by.line)
        labels = [html.find(label) for label in ("来源", "作者") if label in html]
        start = min(labels)
        if html[:start].endswith("<span>"):
            start -= len("<span>")
        last = by.author if by.author and html.find("作者") > html.find("来源") else by.source
        end = html.index(last, max(labels)) + len(last)
        if html[end:].startswith("</span>"):
            end += len("</span>")
        set_inner_html(by.line, html[:start] + self.render_inline(form, by) + html[end:])
        return 1


# ---------------------------------------------------------------------------------
# credit lines
# ---------------------------------------------------------------------------------

_CREDIT_ENTRY = (
    "{l}：{n}",
    "{l}:{n}",
    "{l}: {n}",
    "{l} ：{n}",
    "[{l}：{n}]",
    "【{l}：{n}】",
    "（{l}：{n}）",
)
_CREDIT_JOIN = ("\u3000", " ", "  ", " / ", "，", "；", "<br>", " | ")
_CREDIT_WRAP = ("", "", "（{}）", "【{}】", "[{}]")


class Credits(Mutation):
    """Credit lines in other forms: brackets, colons, joined on one line, doubled, moved."""

    kind = "credits"

    def choose(self, rng: random.Random, article: SourceArticle) -> Form | None:
        if not survey(article)["credits"] or not article.expected["credits"]:
            return None
        entry = _pick(rng, _CREDIT_ENTRY)
        return {
            "entry": entry,
            "join": _pick(rng, _CREDIT_JOIN),
            "wrap": _pick(rng, _CREDIT_WRAP) if entry[0] == "{" else "",
            "lines": _pick(rng, ("one_line", "one_line", "paragraphs")),
            "place": _pick(
                rng, ("body_end", "after_body", "side", "doubled", "doubled", "doubled_in_body")
            ),
            "align_right": rng.random() < 0.3,
        }

    def render(self, form: Form, article: SourceArticle) -> list[str]:
        """The credit block's lines (one, or one per person)."""
        people = []
        for role_label_name in _credit_order(article):
            _, label, name = role_label_name
            people.append(form["entry"].format(l=label, n=name))
        if form["lines"] == "paragraphs":
            return people
        line = form["join"].join(people)
        return [form["wrap"].format(line) if form["wrap"] else line]

    def apply(self, doc: HtmlElement, form: Form, article: SourceArticle, page: int) -> int:
        found = tpl.credit_elements(doc)
        if not found:
            return 0
        for el in found:
            parent = el.getparent()
            remove(el)
            if (
                parent is not None
                and parent.tag == "div"
                and not text_of(parent)
                and not len(parent)
            ):
                remove(parent)
        lines = self.render(form, article)
        style = ' style="text-align: right"' if form["align_right"] else ""
        paragraphs = "".join(f"<p{style}>{line}</p>" for line in lines)
        container = tpl.paragraph_container(doc, article.expected["paragraphs"])
        body = tpl.body_element(doc)
        place = form["place"]
        if place in ("body_end", "doubled", "doubled_in_body"):
            append_html(container, paragraphs)
        if place == "doubled_in_body":
            append_html(container, paragraphs)
        if place in ("after_body", "doubled"):
            insert_after(body, f'\n  <div class="edit-info">{paragraphs}</div>\n')
        if place == "side":
            side = doc.cssselect("#news-side")
            if side:
                append_html(side[0], f'<div class="editor">{paragraphs}</div>')
            else:
                spans = "\u3000".join(f"<span>{line}</span>" for line in lines)
                insert_after(body, f'\n  <div class="EDIT">{spans}</div>\n')
        return len(found)


def _credit_order(article: SourceArticle) -> list[tuple[str, str, str]]:
    """The article's credits in the order the original pages print them."""
    html = "".join(p.html for p in article.pages)
    return sorted(
        article.expected["credits"],
        key=lambda c: (html.find(c[1] + "：" + c[2]) % (len(html) + 1), c[1]),
    )


# ---------------------------------------------------------------------------------
# captions
# ---------------------------------------------------------------------------------

_CAPTION_FORMS = (
    "figure",
    "p_caption",
    "centred_span",
    "span_in_p",
    "font",
    "center",
    "center_br",
    "table",
    "div_pic",
)


class Captions(Mutation):
    """Caption markup: figcaption, p.caption, centred span, font, table cell …"""

    kind = "captions"

    def choose(self, rng: random.Random, article: SourceArticle) -> Form | None:
        if not survey(article)["captions"]:
            return None
        return {
            "form": _pick(rng, _CAPTION_FORMS),
            "cls": _pick(rng, ("caption", "pic-desc", "img-title", "photo-title", "tuzhu")),
        }

    def render(self, form: Form, img: str, caption: str) -> str:
        cls = form["cls"]
        return {
            "figure": f'<figure class="image">{img}<figcaption>{caption}</figcaption></figure>',
            "p_caption": f'<p style="text-align: center">{img}</p><p class="{cls}">{caption}</p>',
            "centred_span": f'<p style="text-align: center">{img}</p>'
            f'<span style="display: block; text-align: center">{caption}</span>',
            "span_in_p": f'<p style="text-align: center">{img}</p>'
            f'<p><span style="text-align: center; font-size: 12px">{caption}</span></p>',
            "font": f'<p align="center">{img}</p>'
            f'<p align="center"><font style="font-size: 9pt" color="#666666">{caption}</font></p>',
            "center": f"<center>{img}</center><center>{caption}</center>",
            "center_br": f'<p style="text-align: center">{img}<br>{caption}</p>',
            "table": f'<table class="pic" align="center" width="600"><tbody><tr><td>{img}</td></tr>'
            f'<tr><td align="center" class="{cls}">{caption}</td></tr></tbody></table>',
            "div_pic": f'<div class="pic">{img}<p>{caption}</p></div>',
        }[form["form"]]

    def apply(self, doc: HtmlElement, form: Form, article: SourceArticle, page: int) -> int:
        pairs = tpl.caption_pairs(doc, article.expected["captions"])
        for pair in pairs:
            pair.img.tail = None
            img = etree.tostring(pair.img, encoding=str, method="html")
            insert_before(pair.image, self.render(form, img, pair.text))
            tail = (pair.caption.tail or "").strip()
            remove(pair.image)
            remove(pair.caption)
            assert not tail, "caption element with text after it"
        return len(pairs)


# ---------------------------------------------------------------------------------
# related-news blocks
# ---------------------------------------------------------------------------------

_RELATED_HEADINGS = (
    "相关推荐",
    "相关新闻",
    "相关阅读",
    "热点推荐",
    "新闻排行",
    "推荐阅读",
    "热门文章",
    "",
)
_ITEM_DATES = (
    "{y}-{m}-{d}",
    "{y}-{m}-{d} {H}:{M}",
    "{y}/{m}/{d}",
    "{m}-{d}",
    "({m}-{d})",
    "[{y}-{m}-{d}]",
    "{y}年{m}月{d}日",
    "{m}/{d} {H}:{M}",
)


class RelatedNews(Mutation):
    """Related / hot lists with dates, before the body, in the side column, above the headline."""

    kind = "related_news"

    def choose(self, rng: random.Random, article: SourceArticle) -> Form | None:
        if not survey(article)["body"]:
            return None
        day, _ = _published(article)
        others = [a for a in source_articles() if a.path != article.path]
        blocks = []
        for _ in range(1 + (rng.random() < 0.3)):
            items = []
            for other in rng.sample(others, rng.randrange(3, 7)):
                back = rng.choice((1, 1, 2, 3, 7, 30, 200))
                when = day - dt.timedelta(days=back)
                items.append(
                    [
                        other.expected["title"],
                        other.path,
                        when.isoformat(),
                        rng.randrange(24),
                        rng.randrange(60),
                    ]
                )
            blocks.append(
                {
                    "heading": _pick(rng, _RELATED_HEADINGS),
                    "markup": _pick(rng, ("ul", "ul", "list", "table", "dl")),
                    "date_format": _pick(rng, _ITEM_DATES),
                    "date_tag": _pick(rng, ("span", "span", "em", "i", "label", "p_label")),
                    "place": _pick(
                        rng, ("before_body", "before_body", "side", "side", "top", "after_body")
                    ),
                    "items": items,
                }
            )
        return {"blocks": blocks, "drop_original": rng.random() < 0.7}

    def render(self, block: Form) -> str:
        """One related block: heading, then linked titles each with its date."""
        rows = []
        for title, path, when, hour, minute in block["items"]:
            day = dt.date.fromisoformat(when)
            date = block["date_format"].format(
                y=day.year,
                m=f"{day.month:02d}",
                d=f"{day.day:02d}",
                H=f"{hour:02d}",
                M=f"{minute:02d}",
            )
            tag = block["date_tag"]
            date_html = (
                f"<p><label>{date}</label></p>" if tag == "p_label" else f"<{tag}>{date}</{tag}>"
            )
            href = "/" + path
            link = f'<a href="{href}" target="_blank">{title}</a>'
            rows.append(
                {
                    "ul": f"<li>{link}{date_html}</li>",
                    "list": f'<div class="item"><h3>{link}</h3>{date_html}</div>',
                    "table": f"<tr><td>{link}</td><td>{date_html}</td></tr>",
                    "dl": f"<dd>{link}{date_html}</dd>",
                }[block["markup"]]
            )
        body = "\n".join(rows)
        inner = {
            "ul": f"<ul>{body}</ul>",
            "list": f'<div class="list">{body}</div>',
            "table": f"<table><tbody>{body}</tbody></table>",
            "dl": f"<dl>{body}</dl>",
        }[block["markup"]]
        heading = f"<h3>{block['heading']}</h3>" if block["heading"] else ""
        return f'\n<div class="xgxw">{heading}{inner}</div>\n'

    def apply(self, doc: HtmlElement, form: Form, article: SourceArticle, page: int) -> int:
        edits = 0
        if form["drop_original"]:
            for el in tpl.related_blocks(doc):
                remove(el)
                edits += 1
        body = tpl.body_element(doc)
        for block in form["blocks"]:
            html = self.render(block)
            place = block["place"]
            head = tpl.headline(doc, article.expected["title"])
            if place == "top" and head is not None:
                insert_before(head, html)
            elif place == "side":
                side = tpl.side_column(doc)
                if side is not None:
                    append_html(side, html)
                else:
                    insert_after(body, html.replace('class="xgxw"', 'class="side xgxw"'))
            elif place == "after_body":
                insert_after(body, html)
            else:
                insert_before(body, html)
            edits += 1
        return edits


# ---------------------------------------------------------------------------------
# wrappers and classes
# ---------------------------------------------------------------------------------

_WRAP_CLASSES = (
    "article-content",
    "content-wrap",
    "con-box clearfix",
    "w1200",
    "main-left fl",
    "inner",
)
_EXTRA_CLASSES = ("fl", "fr", "clearfix", "mt10", "cur", "f14")
_INLINE_TAGS = frozenset(("span", "i", "em", "label", "strong", "b", "font", "a"))
_WRAP_OPS = ("body", "headline", "date", "paragraphs", "side", "main", "classes")


class Wrappers(Mutation):
    """Extra wrapper elements and classes around the headline, date, side column and body."""

    kind = "wrappers"

    def choose(self, rng: random.Random, article: SourceArticle) -> Form | None:
        ops = rng.sample(_WRAP_OPS, rng.randrange(1, 4))
        return {
            "ops": sorted(ops, key=_WRAP_OPS.index),
            "tag": _pick(rng, ("div", "div", "div", "section", "article")),
            "cls": _pick(rng, _WRAP_CLASSES),
            "depth": rng.randrange(1, 3),
            "extra": _pick(rng, _EXTRA_CLASSES),
        }

    def apply(self, doc: HtmlElement, form: Form, article: SourceArticle, page: int) -> int:
        edits = 0
        targets: dict[str, HtmlElement | None] = {
            "body": tpl.body_element(doc),
            "headline": tpl.headline(doc, article.expected["title"]),
            "side": tpl.side_column(doc),
        }
        line = tpl.date_line(doc, article.published_raw)
        targets["date"] = line.element if line else None
        container = tpl.paragraph_container(doc, article.expected["paragraphs"])
        body = targets["body"]
        targets["main"] = body.getparent() if body is not None else None
        for op in form["ops"]:
            if op == "classes":
                for el in doc.find("body").iter():
                    if (
                        isinstance(el.tag, str)
                        and el.get("class")
                        and "xgtj" not in el.get("class")
                    ):
                        el.set("class", f"{el.get('class')} {form['extra']}")
                        edits += 1
                continue
            if op == "paragraphs":
                if container is None or not len(container):
                    continue
                cls = "TRS_Editor" not in (container.get("class") or "")
                inner = container.makeelement(
                    "div", {"class": "TRS_Editor" if cls else "Custom_UnionStyle"}
                )
                inner.text, container.text = container.text, None
                for child in list(container):
                    inner.append(child)
                container.append(inner)
                edits += 1
                continue
            el = targets.get(op)
            if el is None or el.getparent() is None:
                continue
            inline = el.tag in _INLINE_TAGS
            for level in range(form["depth"]):
                tag = form["tag"] if level == 0 and op in ("body", "main") else "div"
                tag = "span" if inline else tag
                el = wrap(el, tag, {"class": form["cls"] if level == 0 else "wrap"})
            edits += 1
        return edits


# ---------------------------------------------------------------------------------
# comments and whitespace
# ---------------------------------------------------------------------------------

_COMMENTS = (
    " 正文 开始 ",
    "contstart",
    "<TRS_AUTOPAGE>",
    " TRS_Editor ",
    " 发布时间 ",
    '[if lt IE 9]><script src="//www.dzwww.com/tpl/js/html5.js"></script><![endif]',
    " ",
)
_WS_OPS = (
    "comments_between",
    "comments_inside",
    "reindent",
    "crlf",
    "indent",
    "blank_paragraphs",
    "trailing",
)


class CommentsWhitespace(Mutation):
    """HTML comments, and whitespace between tags, in paragraph indents and line ends."""

    kind = "comments_whitespace"

    def choose(self, rng: random.Random, article: SourceArticle) -> Form | None:
        ops = rng.sample(_WS_OPS, rng.randrange(2, 5))
        return {
            "ops": sorted(ops, key=_WS_OPS.index),
            "comment": _pick(rng, _COMMENTS),
            "every": rng.randrange(1, 4),
            "reindent": _pick(rng, ("", "", "\n", "\n\t\t", "\r\n    ", " ")),
            "indent": _pick(rng, ("&nbsp;" * 4, "&nbsp;" * 2, "", "\u3000", "\t")),
            "blank": _pick(
                rng, ("<p>&nbsp;</p>", "<p><br></p>", "<p></p>", "<br>", "<p>\u3000</p>")
            ),
        }

    def apply(self, doc: HtmlElement, form: Form, article: SourceArticle, page: int) -> int:
        ops = form["ops"]
        edits = 0
        comment = form["comment"]
        paragraphs = tpl.paragraph_elements(doc, article.expected["paragraphs"])
        body = tpl.body_element(doc)
        if "comments_between" in ops and body is not None:
            insert_before(body, f"<!--{comment}-->")
            insert_after(body, "<!-- 正文 结束 -->")
            for p in paragraphs[:: form["every"]]:
                insert_after(p, f"<!--{comment}-->")
            edits += 1
        if "comments_inside" in ops:
            for p in paragraphs[:: form["every"]]:
                node = etree.Comment(comment)
                node.tail, p.text = p.text, None
                p.insert(0, node)
            line = tpl.date_line(doc, article.published_raw)
            if line is not None and line.whole:
                node = etree.Comment(" 日期 ")
                node.tail, line.element.text = line.element.text, None
                line.element.insert(0, node)
            edits += 1
        if "indent" in ops:
            for p in paragraphs:
                if p.text and p.text.startswith("\u3000\u3000"):
                    p.text = "\ue000" + p.text.lstrip("\u3000")
                    edits += 1
        if "blank_paragraphs" in ops:
            for p in paragraphs[1 :: form["every"] + 1]:
                insert_before(p, form["blank"])
                edits += 1
        if "trailing" in ops:
            for p in paragraphs:
                last = p[-1] if len(p) else None
                if last is None:
                    p.text = (p.text or "") + "  \n      "
                else:
                    last.tail = (last.tail or "") + " \n"
                edits += 1
        return edits or int(bool(set(ops) & {"reindent", "crlf"}))

    def finish(self, html: str, form: Form) -> str:
        ops = form["ops"]
        html = html.replace("\ue000", form["indent"])
        if "reindent" in ops:
            html = re.sub(r">[ \t\r\n]+<", ">" + form["reindent"] + "<", html)
        if "crlf" in ops:
            html = html.replace("\r\n", "\n").replace("\n", "\r\n")
        return html


# ---------------------------------------------------------------------------------
# headline block missing
# ---------------------------------------------------------------------------------


class NoHeadline(Mutation):
    """The headline block is missing: the title is only in ``<title>`` (with its suffix)."""

    kind = "no_headline"

    def choose(self, rng: random.Random, article: SourceArticle) -> Form | None:
        if not survey(article)["headline"]:
            return None
        return {"block": True}

    def apply(self, doc: HtmlElement, form: Form, article: SourceArticle, page: int) -> int:
        el = tpl.headline(doc, article.expected["title"])
        if el is None:
            return 0
        parent = el.getparent()
        remove(el)
        if parent is not None and parent.tag == "div" and not text_of(parent) and not len(parent):
            remove(parent)
        return 1


# ---------------------------------------------------------------------------------
# charsets
# ---------------------------------------------------------------------------------

_GB_LABELS = ("gb2312", "GB2312", "gbk", "GBK", "gb18030", "GB18030")
_UTF8_LABELS = ("utf-8", "UTF-8", "utf8")
_CHARSET_DECLARATIONS = (
    re.compile(r"<meta\s+charset=[\"']?[\w-]+[\"']?\s*/?>\s*", re.I),
    re.compile(r"<meta\s+http-equiv=[\"']?Content-Type[\"']?[^>]*>\s*", re.I),
)


class Encoding(Mutation):
    """GB18030-family vs UTF-8: bytes re-encoded, ``<meta>`` and header adjusted."""

    kind = "encoding"

    def choose(self, rng: random.Random, article: SourceArticle) -> Form | None:
        original = article.pages[0].encoding
        switch = rng.random() < 0.85
        gb = (original == "utf-8") == switch
        return {
            "codec": "gb18030" if gb else "utf-8",
            "label": _pick(rng, _GB_LABELS if gb else _UTF8_LABELS),
            "declaration": _pick(rng, ("meta_charset", "http_equiv")),
            "header": _pick(rng, ("none", "none", "same", "bare")),
            "late_meta": rng.random() < 0.2,
            "bom": (not gb) and rng.random() < 0.15,
        }

    def finish(self, html: str, form: Form) -> str:
        for pattern in _CHARSET_DECLARATIONS:
            html = pattern.sub("", html)
        label = form["label"]
        meta = (
            f'<meta charset="{label}">'
            if form["declaration"] == "meta_charset"
            else f'<meta http-equiv="Content-Type" content="text/html; charset={label}">'
        )
        if form["late_meta"]:
            return html.replace("</head>", meta + "\n</head>", 1)
        return re.sub(r"<head>\s*", lambda m: m.group(0) + meta + "\n", html, count=1)

    def content_type(self, form: Form) -> str | None:
        return {
            "none": None,
            "same": f"text/html; charset={form['label']}",
            "bare": "text/html",
        }[form["header"]]

    def adjust(self, expected: dict, form: Form, article: SourceArticle) -> None:
        expected["encoding"] = form["codec"]


MUTATIONS: dict[str, Mutation] = {
    m.kind: m
    for m in (
        DateLine(),
        Byline(),
        Credits(),
        Captions(),
        RelatedNews(),
        Wrappers(),
        NoHeadline(),
        CommentsWhitespace(),
        Encoding(),
    )
}
"""Every mutation kind, in the order they are applied when combined."""
KINDS = tuple(MUTATIONS)
