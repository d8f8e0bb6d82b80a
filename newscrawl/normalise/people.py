"""People: editor credit lines, author fields and byline paragraphs."""

from __future__ import annotations

import re
from collections.abc import Iterable

from newscrawl.lexicon import LEXICON, any_of
from newscrawl.normalise.text import CJK_CHARS, clean_text, strip_pinyin_glosses

ROLE_BY_LABEL = LEXICON.credits.roles
"""Credit label as printed (Simplified or Traditional) → record role."""

_HAN = f"[{CJK_CHARS}]"
_DOT = "·•・‧"
_DOT_RE = re.compile(f"[{_DOT}]")
_HAN_NAME = f"{_HAN}{{2,4}}"
_DOT_NAME = f"{_HAN}{{1,10}}[{_DOT}]{_HAN}{{1,10}}(?:[{_DOT}]{_HAN}{{1,10}}){{0,3}}"
_LATIN_NAME = r"[A-Za-z][A-Za-z.'\-]{0,30}"

_LABEL = "|".join(sorted(map(re.escape, ROLE_BY_LABEL), key=len, reverse=True))
_CREDIT_HAN = f"(?:(?!(?:{_LABEL})){_HAN})"
_CREDIT_NAME = (
    f"(?:{_CREDIT_HAN}{{1,10}}[{_DOT}]{_CREDIT_HAN}{{1,10}}(?:[{_DOT}]{_CREDIT_HAN}{{1,10}}){{0,3}}"
    f"|{_CREDIT_HAN}{{2,4}}|{_LATIN_NAME})"
)
_CREDIT_NAMES = rf"{_CREDIT_NAME}(?:\s*[、，,/\s]\s*{_CREDIT_NAME})*"
_CREDIT_PAIR = rf"(?P<label>{_LABEL})(?:\s*[:：]\s*|\s+)(?P<names>{_CREDIT_NAMES})"
_CREDIT_PAIR_RE = re.compile(_CREDIT_PAIR)
_ANY_LABEL_RE = re.compile(_LABEL)
_CREDIT_LINE_RE = re.compile(
    rf"(?:(?:{_LABEL})(?:\s*[:：]\s*|\s+){_CREDIT_NAMES}\s*(?:[/|｜;；,，、]\s*)?)+"
)
_TRAILING_CREDIT_RE = re.compile(
    rf"[（(【\[〔]\s*((?:{_LABEL})[^（(【\[〔)）】\]〕]{{1,60}})[)）】\]〕]\s*$"
)
_NAME_SPLIT_RE = re.compile(r"[、，,/\s]+")
_MAX_CREDIT_LINE = 80

_BRACKETS = "()（）【】[]〔〕<>《》「」『』{}〈〉﹝﹞"
_BRACKET_RE = re.compile(f"[{re.escape(_BRACKETS)}]")
_BRACKETED_WIDGET_RE = re.compile(
    rf"[【\[]\s*(?:{any_of(LEXICON.markers.bracketed_widgets)})\s*[】\]]"
)
_EDGE_JUNK = _BRACKETS + " 。.．;；,，、:：!！?？…~～-—_*＊\"'“”‘’|｜"

_PEOPLE = LEXICON.people
_OUTLETS = LEXICON.outlets
#: Role words that can stand before a name, Simplified and Traditional; an outlet
#: name before a reporter word (<outlet>记者) is split off as a token of its own.
_ROLE_WORDS = _PEOPLE.reporter_roles
_ROLE_RE = re.compile(f"({any_of(_ROLE_WORDS)})")
_ROLE_SET = frozenset(_ROLE_WORDS)
_AUTHOR_SPLIT_RE = re.compile(f"({any_of({*_ROLE_WORDS, *ROLE_BY_LABEL})})")
_ROLEISH_RE = re.compile(any_of({*_ROLE_WORDS, *ROLE_BY_LABEL, "报道", "報道"}))
#: Short role words only recognised as whole tokens.
_SHORT_ROLES = frozenset(_PEOPLE.short_roles)
_WORK_SUFFIXES = _PEOPLE.work_suffixes
_END_TOKENS = frozenset(_PEOPLE.byline_end)
_PLACE_REPORT_RE = re.compile(
    f"^(?:{_HAN}{{2,8}}(?:报道|報道|电|電)|发自{_HAN}{{2,8}}|發自{_HAN}{{2,8}})$"
)
_NEWS_AGENCY_LEAD_RE = re.compile(f"^{_HAN}{{1,12}}[讯訊]$")

_OUTLET_SUFFIXES = _OUTLETS.suffixes
_KNOWN_OUTLETS = _OUTLETS.known
_OWN_OUTLET = _OUTLETS.own
_ORG_SUFFIXES = LEXICON.organisation_suffixes
_NOT_NAMES = _PEOPLE.not_names
_NON_PERSON_SUFFIXES = _PEOPLE.non_person_suffixes
_SURNAMES = LEXICON.surnames.single
_COMPOUND_SURNAMES = LEXICON.surnames.compound

_STRONG_SPLIT_RE = re.compile(r"[、，,；;/|｜:：]+")
_LATIN_WORD_RE = re.compile(r"^[A-Za-z][A-Za-z.'\-]*$")
_HAN_NAME_RE = re.compile(f"^{_HAN_NAME}$")
_DOT_NAME_RE = re.compile(f"^{_DOT_NAME}$")
_HAS_HAN_RE = re.compile(_HAN)
_LATIN_STOP = _PEOPLE.latin_stop
_SHORT_ROLE_PAIR_RE = re.compile(r"([文图圖])\s*/\s*([文图圖])")
_MAX_BYLINE = 40
_BYLINE_REJECT_RE = re.compile(r"[。！？!?；;…“”\"‘’《》「」]")


def _strip_edges(text: str) -> str:
    return text.strip(_EDGE_JUNK)


def credit_text(text: str) -> str | None:
    """The editor credits a whole line prints, else None.

    ``责编：张明明 审签：路时川``, ``【责任编辑：王晓】``, ``[责编：X] / [审签：Y]`` and
    ``【纠错】【责任编辑：X】`` are credit lines (returned without the widget
    words); a sentence that merely contains a label is not.
    """
    if len(text) > 4 * _MAX_CREDIT_LINE:
        return None
    text = strip_pinyin_glosses(text)
    if not _ANY_LABEL_RE.search(text):
        return None
    line = clean_text(_BRACKETED_WIDGET_RE.sub(" ", text))
    stripped = _strip_edges(line)
    if not stripped or len(stripped) > _MAX_CREDIT_LINE:
        return None
    if _CREDIT_LINE_RE.fullmatch(stripped):
        return line
    unbracketed = _strip_edges(_BRACKET_RE.sub(" ", stripped))
    return line if _CREDIT_LINE_RE.fullmatch(unbracketed) else None


def is_credit_line(text: str) -> bool:
    """True when the whole line is editor credits (see :func:`credit_text`)."""
    return credit_text(text) is not None


def _credit_pairs(line: str) -> Iterable[tuple[str, str]]:
    for m in _CREDIT_PAIR_RE.finditer(line):
        label = m.group("label")
        for name in _NAME_SPLIT_RE.split(m.group("names")):
            if name:
                yield label, name


def parse_credits(lines: Iterable[str]) -> list[dict[str, str]]:
    """Split credit lines into ``{"role", "label", "name"}`` dicts, one per person and role."""
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for text in lines:
        for raw_line in _lines(text):
            line = _strip_edges(raw_line)
            if not is_credit_line(line):
                m = _TRAILING_CREDIT_RE.search(raw_line)
                if m is None or not is_credit_line(m.group(1)):
                    continue
                line = _strip_edges(m.group(1))
            for label, name in _credit_pairs(line):
                role = ROLE_BY_LABEL.get(label, "other")
                if (role, name) in seen:
                    continue
                seen.add((role, name))
                out.append({"role": role, "label": label, "name": name})
    return out


def _lines(text: str) -> list[str]:
    if not isinstance(text, str):
        return []
    parts = strip_pinyin_glosses(text).splitlines()
    return [line for line in (clean_text(part) for part in parts) if line]


def _is_outlet(token: str) -> bool:
    if token in _OWN_OUTLET or token in _KNOWN_OUTLETS:
        return True
    parts = [p for p in _DOT_RE.split(token) if p]
    return any(p in _KNOWN_OUTLETS or p.endswith(_OUTLET_SUFFIXES) for p in parts)


def _valid_han_name(token: str) -> bool:
    if _DOT_NAME_RE.match(token):
        return not (_is_outlet(token) or token.endswith(_ORG_SUFFIXES) or _ROLEISH_RE.search(token))
    if not _HAN_NAME_RE.match(token):
        return False
    if token in _NOT_NAMES or token in _ROLE_SET or token in _SHORT_ROLES:
        return False
    if token.endswith(_WORK_SUFFIXES) or _ROLEISH_RE.search(token):
        return False
    if _is_outlet(token) or token.endswith(_ORG_SUFFIXES):
        return False
    return not token.endswith(_NON_PERSON_SUFFIXES)


def _has_surname(token: str) -> bool:
    if _DOT_RE.search(token):
        return True
    return token[0] in _SURNAMES or token[:2] in _COMPOUND_SURNAMES


_REPORTING_FROM = re.compile(r"(?<=.{2})发自[\u4e00-\u9fff]{2,6}$")


def _strip_work_suffix(token: str) -> str:
    token = _REPORTING_FROM.sub("", token)
    for suffix in _WORK_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 2:
            return token[: -len(suffix)]
    return token


def _author_tokens(text: str) -> list[str]:
    """Split an author field into candidate tokens, latin names kept whole."""
    text = _BRACKET_RE.sub(" ", clean_text(strip_pinyin_glosses(text)))
    text = _SHORT_ROLE_PAIR_RE.sub(" ", text)
    tokens: list[str] = []
    for chunk in _STRONG_SPLIT_RE.split(text):
        latin: list[str] = []
        for word in chunk.split():
            if _LATIN_WORD_RE.match(word) and word.lower() not in _LATIN_STOP:
                latin.append(word)
                continue
            if latin:
                tokens.append(" ".join(latin))
                latin = []
            if word.lower() not in _LATIN_STOP:
                tokens.append(word)
        if latin:
            tokens.append(" ".join(latin))
    return tokens


_HANDLE = re.compile(r"^[a-z][a-z0-9_.-]{2,29}$")


def _latin_name(token: str) -> str | None:
    """A latin-script name (``John Smith``) or a forum/blog handle (``duscha``)."""
    name = token.strip(".-'")
    words = name.split()
    if len(words) == 1 and _HANDLE.match(name) and name not in _LATIN_STOP:
        return name
    if not words or len(name) > 60 or not words[0][0].isupper():
        return None
    if len(words) == 1 and (len(name) < 2 or name.isupper()):
        return None
    if any(w.lower() in _LATIN_STOP for w in words):
        return None
    return name


def _person_candidates(text: str) -> tuple[list[str], list[str]]:
    """Persons and outlets named in an author field, in order."""
    persons: list[str] = []
    outlets: list[str] = []
    after_role = False
    after_label = False
    for token in _author_tokens(text):
        if not _HAS_HAN_RE.search(token) and _LATIN_WORD_RE.match(token.split(" ")[0]):
            latin = _latin_name(token)
            if latin is not None and not after_label:
                persons.append(latin)
            after_role = False
            continue
        for piece in _AUTHOR_SPLIT_RE.split(token):
            if not piece:
                continue
            if piece in _ROLE_SET:
                after_role, after_label = True, False
                continue
            if piece in ROLE_BY_LABEL:
                after_role, after_label = False, True
                continue
            piece = _strip_edges(piece)
            if not piece:
                continue
            if piece in _SHORT_ROLES:
                after_role = True
                continue
            if _is_outlet(piece):
                if piece not in _OWN_OUTLET:
                    outlets.append(piece)
                after_role = False
                continue
            if not after_role and _PLACE_REPORT_RE.match(piece):
                continue
            after_role = False
            if _NEWS_AGENCY_LEAD_RE.match(piece):
                continue
            name = _strip_work_suffix(piece)
            if _valid_han_name(name) and not after_label:
                persons.append(name)
    return persons, outlets


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def parse_authors(text: str | None) -> list[str]:
    """Person names in an author field, without role words, outlets or decorations."""
    if not text or not isinstance(text, str):
        return []
    persons, _ = _person_candidates(text)
    return _dedupe(persons)


def outlet_in_author_field(text: str | None) -> str | None:
    """The outlet an author field names instead of a person (``作者：新华网`` → ``新华网``)."""
    if not text or not isinstance(text, str):
        return None
    persons, outlets = _person_candidates(text)
    if persons or not outlets:
        return None
    return outlets[0]


def _byline_tokens(paragraph: str) -> list[str] | None:
    text = clean_text(strip_pinyin_glosses(paragraph))
    if len(text) < 3 or len(text) > _MAX_BYLINE or _BYLINE_REJECT_RE.search(text):
        return None
    text = _BRACKET_RE.sub(" ", text)
    text = _SHORT_ROLE_PAIR_RE.sub(" 文/图 ", text)
    text = _ROLE_RE.sub(r" \1 ", text)
    text = re.sub(r"[、，,/|｜:：]", " ", text.replace("文/图", "文图"))
    return text.split()


def byline_authors(paragraph: str) -> list[str]:
    """Person names of a byline paragraph (``新华社记者 张三 报道``); [] for other paragraphs."""
    tokens = _byline_tokens(paragraph)
    if not tokens:
        return []
    start = 0
    if _NEWS_AGENCY_LEAD_RE.match(tokens[0]):
        start += 1
    if start < len(tokens) and tokens[start] not in _ROLE_SET and _is_outlet(tokens[start]):
        start += 1
    names: list[str] = []
    state = "start"
    for pos in range(start, len(tokens)):
        tok = tokens[pos]
        last = pos == len(tokens) - 1
        if tok in _ROLE_SET or tok in _SHORT_ROLES:
            if state == "name" and last and tok in _END_TOKENS:
                break
            state = "role"
            continue
        if state == "name" and (tok in _END_TOKENS or _PLACE_REPORT_RE.match(tok)):
            if last:
                break
            return []
        if state == "start":
            return []
        name = tok
        if state == "role" and not _valid_han_name(name):
            name = _strip_work_suffix(tok)
            if name != tok and not last:
                return []
        if not (_valid_han_name(name) and _has_surname(name)):
            return []
        names.append(name)
        state = "name"
    if state != "name":
        return []
    return _dedupe(names)
