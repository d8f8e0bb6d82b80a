"""Hostile response bodies for fault tests: pages no news portal should send, but one may.

Each generator returns a :class:`Body`: its content type, its exact length and its bytes
as a stream of chunks, so a 60 MB text node or a 1 GiB decompression bomb is never held
in memory, neither by the server sending it nor by a test measuring it.

* :func:`nested_elements`: 200,000 nested ``<div>`` elements around one line of text.
* :func:`huge_text_node`: an article whose body is one 60 MB text node.
* :func:`many_links`: a channel list page with 100,000 article links (dated, list markup
  the dzwww profile reads).
* :func:`binary_garbage`: random bytes sent as ``text/html``.
* :func:`billion_laughs`: nested internal DTD entities (``&lol9;`` = 10⁹ × "lol").
* :func:`gzip_bomb`: ``Content-Encoding: gzip``, about 1 KB per MiB decompressed
  (1 GiB → about 1 MB), produced without ever building the decompressed text.

:data:`HOSTILE` names the page generators for the fault server (``hostile:NAME[,N]``).
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = [
    "HOSTILE",
    "Body",
    "billion_laughs",
    "binary_garbage",
    "gzip_bomb",
    "huge_text_node",
    "many_links",
    "nested_elements",
]

MIB = 1 << 20
GIB = 1 << 30
_CHUNK = MIB

_HEAD = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}_大众网</title></head>\n'
    "<body>\n"
)
_TAIL = b"\n</body></html>\n"


@dataclass(frozen=True)
class Body:
    """A generated response body: content type, exact length in bytes, and its chunks."""

    content_type: str
    length: int
    chunks: Callable[[], Iterator[bytes]]
    content_encoding: str | None = None

    def read(self) -> bytes:
        """The whole body (only for small bodies)."""
        return b"".join(self.chunks())


def _fixed(content_type: str, parts: list[bytes | tuple[bytes, int]]) -> Body:
    """A body made of literal parts and (piece, times) repetitions, streamed in ~1 MiB chunks."""
    length = sum(len(p) if isinstance(p, bytes) else len(p[0]) * p[1] for p in parts)

    def chunks() -> Iterator[bytes]:
        for part in parts:
            if isinstance(part, bytes):
                yield part
                continue
            piece, times = part
            per_chunk = max(1, _CHUNK // len(piece))
            block = piece * per_chunk
            full, rest = divmod(times, per_chunk)
            for _ in range(full):
                yield block
            if rest:
                yield piece * rest

    return Body(content_type, length, chunks)


def nested_elements(depth: int = 200_000, tag: str = "div") -> Body:
    """A page whose body is ``depth`` nested elements with one line of text inside."""
    head = _HEAD.format(title="深层嵌套").encode()
    text = "<p>嵌套最深处的一段正文。</p>".encode()
    return _fixed(
        "text/html; charset=utf-8",
        [head, (f"<{tag}>".encode(), depth), text, (f"</{tag}>".encode(), depth), _TAIL],
    )


def huge_text_node(size: int = 60 * MIB) -> Body:
    """An article page (variant-C markup) whose body paragraph is one text node of ~``size``."""
    head = _HEAD.format(title="超长正文").encode() + (
        b'<div id="news-head"><h2>\xe8\xb6\x85\xe9\x95\xbf\xe6\xad\xa3\xe6\x96\x87</h2></div>\n'
        b'<div id="news-side"><div class="date">2025 / <label>05/23</label></div></div>\n'
        b'<div id="news-body"><p>'
    )
    sentence = "这是一段没有任何标签的超长正文，".encode()
    tail = b"</p></div>" + _TAIL
    return _fixed("text/html; charset=utf-8", [head, (sentence, size // len(sentence)), tail])


def many_links(
    count: int = 100_000, newest: dt.date = dt.date(2025, 10, 28), first_docid: int = 17_000_000
) -> Body:
    """A channel list page with ``count`` dated article links, newest first.

    Links are relative (``./YYYYMM/tYYYYMMDD_N.htm``) in the 2019 list markup
    (``div.list-item > h3 > a`` + ``span.time``); the pages they name do not exist
    on the replica.
    """
    head = _HEAD.format(title="十万链接").encode()

    def items() -> Iterator[bytes]:
        batch: list[bytes] = []
        for n in range(count):
            day = newest - dt.timedelta(days=n // 50)
            docid = first_docid + count - n
            batch.append(
                f'<div class="list-item"><h3><a href="./{day:%Y%m}/t{day:%Y%m%d}_{docid}.htm" '
                f'target="_blank">山东新闻第{n}条</a></h3><span class="time">{day:%Y-%m-%d}'
                f"</span></div>\n".encode()
            )
            if len(batch) == 2000:
                yield b"".join(batch)
                batch = []
        if batch:
            yield b"".join(batch)

    length = len(head) + len(_TAIL) + sum(len(chunk) for chunk in items())

    def chunks() -> Iterator[bytes]:
        yield head
        yield from items()
        yield _TAIL

    return Body("text/html", length, chunks)


def binary_garbage(size: int = 2 * MIB, seed: int = 0) -> Body:
    """``size`` random bytes (deterministic from ``seed``) sent as ``text/html``."""

    def chunks() -> Iterator[bytes]:
        rng = random.Random(seed)
        left = size
        while left:
            n = min(left, _CHUNK)
            yield rng.randbytes(n)
            left -= n

    return Body("text/html", size, chunks)


def billion_laughs(levels: int = 9, fanout: int = 10) -> Body:
    """A page declaring nested internal entities; ``&lol{levels};`` expands to fanout^levels."""
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels + 1):
        refs = f"&lol{level - 1};" * fanout
        entities.append(f'<!ENTITY lol{level} "{refs}">')
    doctype = "<!DOCTYPE html [\n" + "\n".join(entities) + "\n]>\n"
    text = (
        doctype + '<html><head><meta charset="utf-8"><title>实体爆炸_大众网</title></head>\n'
        f'<body><div id="news-body"><p>&lol{levels};</p></div></body></html>\n'
    )
    data = text.encode()
    return Body("text/html; charset=utf-8", len(data), lambda: iter((data,)))


_BOMB_PREFIX = (
    _HEAD.format(title="解压炸弹") + '<div id="news-head"><h2>解压炸弹</h2></div>\n'
    '<div id="news-body"><p>'
).encode()


def gzip_bomb(
    size: int = GIB, filler: bytes = b" ", prefix: bytes = _BOMB_PREFIX, unit: int = MIB
) -> Body:
    """A gzip stream that decompresses to ``prefix`` followed by ``size`` bytes of ``filler``.

    Built from one compressed unit of ``unit`` filler bytes ended by a full flush,
    which makes every unit's compressed bytes identical: the stream is that unit
    repeated, so generating it costs a CRC pass and no memory. The body is sent
    with ``Content-Encoding: gzip`` and ``Content-Type: text/html; charset=utf-8``.
    """
    if unit % len(filler):
        raise ValueError("unit must be a multiple of the filler's length")
    block = filler * (unit // len(filler))
    full, rest = divmod(size, unit)
    tail_input = filler * (rest // len(filler)) + filler[: rest % len(filler)]

    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(tail_input) + compressor.flush(zlib.Z_FINISH)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, mtime 0
    total = len(prefix) + size
    length = len(header) + len(head) + len(repeated) * full + len(last) + 8

    def chunks() -> Iterator[bytes]:
        yield header + head
        crc = zlib.crc32(prefix)
        for _ in range(full):
            crc = zlib.crc32(block, crc)
            yield repeated
        crc = zlib.crc32(tail_input, crc)
        yield last + struct.pack("<II", crc & 0xFFFFFFFF, total & 0xFFFFFFFF)

    return Body("text/html; charset=utf-8", length, chunks, content_encoding="gzip")


#: Hostile page generators by name; each takes one optional whole-number size argument.
HOSTILE: dict[str, Callable[..., Body]] = {
    "nested": nested_elements,
    "text-node": huge_text_node,
    "links": many_links,
    "binary": binary_garbage,
    "entities": billion_laughs,
    "gzip-bomb": gzip_bomb,
}
