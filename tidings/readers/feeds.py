"""RSS and Atom feeds, through feedparser: each entry with content or a summary is an article.

The entry's HTML is reduced to plain text (paragraphs separated by blank lines), and that text
is `doc.raw`: offsets map to it, not to the feed's XML. The entry's link is the url, its
published (else updated) date the publication date, and the feed's title the outlet.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import xml.sax
from collections.abc import Iterator
from typing import Any

import feedparser
import lxml.html
from lxml import etree

from tidings.doc import Doc
from tidings.errors import ReadFailure
from tidings.readers.common import Published, outlet_from_url, parse_published
from tidings.records import SourceRef

log = logging.getLogger(__name__)

_BLOCK_TAGS = (
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "figure", "figcaption", "table", "tr", "section", "article", "header", "footer",
)
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")


def read_feed(path: str, data: bytes, fallback: Published | None) -> Iterator[Doc | ReadFailure]:
    """Yield one article (or failure) per entry of the RSS/Atom feed in `data`."""
    if not data.strip():
        yield ReadFailure(SourceRef(path), "empty file; there is no feed to read")
        return
    parsed: Any = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        detail = f" ({problem})" if problem else ""
        yield ReadFailure(SourceRef(path), f"not an RSS or Atom feed{detail}")
        return
    feed_title = _clean(parsed.feed.get("title"))
    feed_link = parsed.feed.get("link")
    for index, entry in enumerate(parsed.entries):
        yield doc_from_entry(entry, SourceRef(path, record=index), feed_title, feed_link, fallback)
    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXParseException):  # not the benign encoding notices
        yield ReadFailure(
            SourceRef(path, line=problem.getLineNumber()),
            f"malformed feed XML ({problem.getMessage()}); entries after this point are missing "
            "and the last one read may be cut short",
        )
    elif not parsed.entries:
        log.info("%s: the feed has no entries", path)


def doc_from_entry(
    entry: Any,
    source: SourceRef,
    feed_title: str | None,
    feed_link: str | None,
    fallback: Published | None,
) -> Doc | ReadFailure:
    """Turn one feedparser entry into a Doc, or a failure when it has no text or a bad date."""
    html = ""
    kind = "text/html"
    for content in entry.get("content") or []:
        if (content.get("value") or "").strip():
            html, kind = content["value"], content.get("type", "text/html")
            break
    if not html.strip():
        html = entry.get("summary") or ""
        kind = (entry.get("summary_detail") or {}).get("type", "text/html")
    raw = html_to_text(html) if "html" in kind else html.strip()
    if not raw:
        return ReadFailure(source, "feed entry has no content or summary text")
    published = fallback
    for name in ("published", "updated"):
        value = entry.get(name)
        if not value:
            continue
        try:
            published = parse_published(value)
        except ValueError as exc:
            as_struct = entry.get(f"{name}_parsed")
            if not as_struct:
                return ReadFailure(source, f"entry {name} date: {exc}")
            # feedparser understands more formats than we do, but only gives the UTC date
            published = Published(dt.date(*as_struct[:3]), "day")
        break
    url = _clean(entry.get("link"))
    return Doc(
        raw=raw,
        url=url,
        outlet=feed_title or outlet_from_url(url or feed_link),
        title=_clean(entry.get("title")),
        author=_clean(entry.get("author")),
        published=published.date if published else None,
        published_precision=published.precision if published else "unknown",
        source=source,
    )


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: one paragraph per block element, separated by blank lines."""
    if "<" not in html:
        return _paragraphs(html.replace("\n\n", "\x00").replace("\n", " ").replace("\x00", "\n\n"))
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return _paragraphs(re.sub(r"<[^>]+>", " ", html))
    for bad in root.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n\n" + (element.tail or "")
        element.text = "\n\n" + (element.text or "")
    for element in root.iter("br"):
        element.tail = "\n" + (element.tail or "")
    return _paragraphs(root.text_content())


def _paragraphs(text: str) -> str:
    out = []
    for block in re.split(r"\n\s*\n", text):
        lines = [_SPACE.sub(" ", line).strip() for line in block.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            out.append(paragraph)
    return "\n\n".join(out)


def _clean(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    return value.strip()
