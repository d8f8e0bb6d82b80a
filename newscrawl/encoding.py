"""Decode HTML bytes to text: BOM, HTTP header, ``<meta>``, then fallbacks."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from newscrawl.normalise.text import has_mojibake

META_SCAN_BYTES = 4096
"""How much of the document start is searched for a ``<meta>`` charset."""

_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([^\"';,\s]+)", re.IGNORECASE)
_META_RE = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_META_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)

_GB_FAMILY = frozenset(
    {
        "gb2312",
        "gb_2312",
        "gb_2312-80",
        "gb2312-80",
        "gb2312-1980",
        "csgb2312",
        "iso-ir-58",
        "chinese",
        "euc-cn",
        "euccn",
        "x-euc-cn",
        "gbk",
        "x-gbk",
        "cp936",
        "ms936",
        "windows-936",
        "gb18030",
        "gb-18030",
        "hz-gb-2312",
    }
)
_ALIASES = {
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-sjis": "shift_jis",
    "unicode": "utf-16",
    "utf8": "utf-8",
}
_WESTERN = frozenset({"cp1252", "latin-1", "iso8859-1", "ascii", "iso8859-15"})

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass
class DecodedPage:
    """A decoded HTML document and how it was decoded."""

    text: str
    encoding: str
    """Codec actually used, normalised name, e.g. ``gb18030``, ``utf-8``."""
    declared: str | None
    """Charset the HTTP header (first) or ``<meta>`` declared, as printed."""
    warnings: list[str] = field(default_factory=list)
    """``charset_mismatch``, ``charset_guessed``, ``mojibake``."""


def normalise_charset(name: str | None) -> str | None:
    """The Python codec to decode a declared charset with (GB family → ``gb18030``), or None."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if label in _GB_FAMILY:
        return "gb18030"
    label = _ALIASES.get(label, label)
    try:
        codec = codecs.lookup(label).name
    except (LookupError, ValueError, TypeError):
        return None
    if codec in ("gb2312", "gbk", "hz"):
        return "gb18030"
    return codec


def _header_charset(content_type: str | bytes | None) -> str | None:
    if not content_type:
        return None
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    m = _HEADER_CHARSET_RE.search(content_type)
    return m.group(1) if m else None


def _meta_charset(body: bytes) -> str | None:
    head = body[:META_SCAN_BYTES].decode("latin-1")
    if "\x00" in head[:200]:
        head = head.replace("\x00", "")
    for tag in _META_RE.finditer(head):
        m = _META_CHARSET_RE.search(tag.group())
        if m:
            return m.group(1)
    return None


def _bom(body: bytes) -> tuple[str, int] | None:
    for mark, codec in _BOMS:
        if body.startswith(mark):
            return codec, len(mark)
    return None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError, ValueError):
        return None


_SAMPLE = 6000


def _clean(text: str, codec: str, body: bytes) -> bool:
    """No replacement character, and no mojibake in samples from the start and the middle.

    A wrong charset garbles the whole page, so samples decide as well as the
    whole text would, at a fraction of the cost on large pages. Text decoded
    as strict UTF-8 cannot be UTF-8 read as GBK, and shows UTF-8 read as
    Latin-1 only with characters U+00C2-U+00EF (UTF-8 lead byte C3) or with
    锟/錕: a byte search rules that out faster than a scan of the text.
    """
    if "\ufffd" in text:
        return False
    middle = len(text) // 2
    sample = text[:_SAMPLE] + "\n" + text[middle : middle + _SAMPLE]
    if codec != "utf-8":
        return not has_mojibake(sample)
    latin1 = b"\xc3" in body or "锟" in sample or "錕" in sample
    return not has_mojibake(sample, utf8_as_gbk=False, utf8_as_latin1=latin1)


def decode_html(body: bytes, content_type: str | None = None) -> DecodedPage:
    """Decode an HTML response body to text and report the codec used."""
    try:
        return _decode(body, content_type)
    except Exception:
        text = bytes(body or b"").decode("utf-8", errors="replace")
        return DecodedPage(text, "utf-8", None, ["mojibake"] if "\ufffd" in text else [])


def _decode(body: bytes, content_type: str | None) -> DecodedPage:
    body = bytes(body or b"")
    header_label = _header_charset(content_type)
    meta_label = _meta_charset(body) if body else None
    declared = header_label or meta_label
    header_codec = normalise_charset(header_label)
    meta_codec = normalise_charset(meta_label)
    warnings: list[str] = []
    if header_codec and meta_codec and header_codec != meta_codec:
        warnings.append("charset_mismatch")

    if not body:
        return DecodedPage("", "utf-8", declared, warnings)

    bom = _bom(body)
    if bom is not None:
        codec, size = bom
        text = body[size:].decode(codec, errors="replace")
        declared_codec = header_codec or meta_codec
        if declared_codec and declared_codec.split("-")[:2] != codec.split("-")[:2]:
            _add(warnings, "charset_mismatch")
        if has_mojibake(text):
            warnings.append("mojibake")
        return DecodedPage(text, codec, declared, warnings)

    declared_order = [c for c in (header_codec, meta_codec) if c]
    candidates = list(dict.fromkeys([*declared_order, "utf-8", "gb18030"]))
    if declared_order and declared_order[0] in _WESTERN and not body.isascii():
        # A Western single-byte label never fails, so valid UTF-8 is preferred over it.
        candidates.remove("utf-8")
        candidates.insert(0, "utf-8")

    first_usable: tuple[str, str] | None = None
    for codec in candidates:
        text = _strict(body, codec)
        if text is None:
            continue
        if first_usable is None:
            first_usable = (codec, text)
        clean = _clean(text, codec, body)
        # Bytes that are valid UTF-8 are UTF-8: no other codec would read them better,
        # so garbled text in them is the page's own (reported, not "fixed").
        if clean or codec == "utf-8":
            return _result(text, codec, declared, declared_order, warnings, mojibake=not clean)
    if first_usable is not None:
        codec, text = first_usable
        return _result(text, codec, declared, declared_order, warnings, mojibake=True)

    guessed = _guess(body)
    if guessed is not None:
        codec, text = guessed
        _add(warnings, "charset_guessed")
        if declared_order and codec != declared_order[0]:
            _add(warnings, "charset_mismatch")
        if has_mojibake(text):
            warnings.append("mojibake")
        return DecodedPage(text, codec, declared, warnings)

    best_codec, best_text = min(
        ((c, body.decode(c, errors="replace")) for c in candidates),
        key=lambda item: item[1].count("\ufffd"),
    )
    if declared_order and best_codec != declared_order[0]:
        _add(warnings, "charset_mismatch")
    _add(warnings, "mojibake")
    return DecodedPage(best_text, best_codec, declared, warnings)


def _add(warnings: list[str], warning: str) -> None:
    if warning not in warnings:
        warnings.append(warning)


def _result(
    text: str,
    codec: str,
    declared: str | None,
    declared_order: list[str],
    warnings: list[str],
    *,
    mojibake: bool,
) -> DecodedPage:
    if declared_order and codec != declared_order[0]:
        _add(warnings, "charset_mismatch")
    if mojibake:
        _add(warnings, "mojibake")
    return DecodedPage(text, codec, declared, warnings)


def _guess(body: bytes) -> tuple[str, str] | None:
    try:
        import charset_normalizer

        best = charset_normalizer.from_bytes(body).best()
        if best is None:
            return None
        codec = normalise_charset(best.encoding) or best.encoding
        if codec == "gb18030":
            text = body.decode("gb18030", errors="replace")
        else:
            text = str(best)
        return codec, text
    except Exception:
        return None
