"""Markdown to the HTML Shopify stores: deterministic and sanitised.

Shopify stores article and page bodies verbatim (a ``<script>`` survives, see the
body-script capture), so sanitising is our job. Everything goes through one
allow-list; our own wrappers (product block, disclaimer notice) go through it too,
so nothing reaches the store that the sanitiser did not see. Same input, same bytes:
no timestamps, no random ids, attributes in source order.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache, lru_cache
from itertools import repeat

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from shopsync.content.models import Article, Page
from shopsync.vocabulary import ProductInfo

# Shopify refused a 1,048,577-byte article body ("maximum is 1 MB") and a 524,288-byte
# page body ("maximum is 512 KB"); the captures are ASCII, so whether it counts bytes
# or characters is unknown. We count UTF-8 bytes (never fewer than characters) against
# round decimal limits below both observed thresholds, so anything we accept fits.
ARTICLE_BODY_LIMIT = 1_000_000
PAGE_BODY_LIMIT = 512_000

PRODUCTS_MARKER = "<!-- shopsync:featured-products -->"

ALLOWED_TAGS = frozenset(
    {
        *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr"),
        *("ul", "ol", "li", "dl", "dt", "dd"),
        *("table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"),
        *("a", "img", "figure", "figcaption"),
        *("strong", "em", "b", "i", "u", "s", "del", "sub", "sup", "mark", "small"),
        *("code", "pre", "kbd", "blockquote", "q", "cite", "abbr"),
        *("span", "div", "aside"),
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"style", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
    "ol": {"start"},
    "abbr": {"title"},
    "aside": {"class"},
    "div": {"class"},
    "span": {"class"},
    "figure": {"class"},
    "ul": {"class"},
    "li": {"class"},
    "p": {"class"},
    "code": {"class"},
}
# Class names are ours only (and the language-* class of fenced code blocks).
_OWN_CLASSES = {
    "shopsync-products",
    "shopsync-product",
    "shopsync-product-title",
    "shopsync-disclaimer",
    "shopsync-source",
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
CLEAN_CONTENT_TAGS = frozenset({"script", "style", "iframe", "object", "embed", "template"})


@cache
def _markdown() -> MarkdownIt:
    # CommonMark plus GFM tables and strikethrough. Linkify stays off: it needs an
    # extra dependency and would turn any text that looks like a domain into a link.
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    return md


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        if tag == "code":
            keep = [c for c in value.split() if c.startswith("language-")]
        else:
            keep = [c for c in value.split() if c in _OWN_CLASSES]
        return " ".join(keep) or None
    return value


def sanitize_html(fragment: str) -> str:
    """Keep the allow-listed structure; drop scripts, event handlers and unsafe URLs."""
    cleaned: str = nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned.strip()


def _render_tokens(tokens: list[Token]) -> str:
    md = _markdown()
    rendered: str = md.renderer.render(tokens, md.options, {})
    return rendered


# ``<img ... src="x">`` in raw HTML (groups: everything before the value, its quote, the value).
_HTML_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["']?)([^"'\s>]+)\2""", re.IGNORECASE)


def _image_tokens(tokens: list[Token]) -> Iterator[tuple[Token, Token]]:
    """(block token, token) for every image: Markdown ``![alt](src)``, or raw HTML holding
    an ``<img>`` (an ``html_block``, or an ``html_inline`` inside a paragraph)."""
    for token in tokens:
        if token.type == "html_block" and _HTML_IMG_SRC.search(token.content):
            yield token, token
        for child in token.children or ():
            if child.type == "image" or (
                child.type == "html_inline" and _HTML_IMG_SRC.search(child.content)
            ):
                yield token, child


# Text every image token needs somewhere in the source, within one line: ``![`` for
# Markdown (reference style too), ``<img`` (matched like ``_HTML_IMG_SRC``) for raw HTML.
# Container prefixes are only stripped at a line's start, so token text keeps them whole.
_IMG_TAG_START = re.compile(r"<img", re.IGNORECASE)


def may_have_images(markdown: str) -> bool:
    """False when ``markdown`` certainly has no image, so parsing it would find none."""
    return "![" in markdown or _IMG_TAG_START.search(markdown) is not None


def image_sources(markdown: str) -> list[tuple[str, int | None]]:
    """Each image's ``src`` as written, with its line in ``markdown`` (0-based)."""
    found: list[tuple[str, int | None]] = []
    if not may_have_images(markdown):
        return found  # the parse (most of a body's cost) could not find any
    for block, image in _image_tokens(_markdown().parse(markdown)):
        first = block.map[0] if block.map else None
        if image.type == "image":
            found.append((str(image.attrGet("src") or ""), first))
            continue
        for offset, line in enumerate(image.content.splitlines()):
            for match in _HTML_IMG_SRC.finditer(line):
                where = first + offset if first is not None and image is block else first
                found.append((match.group(3), where))
    return found


def _point_images(tokens: list[Token], images: Mapping[str, str]) -> None:
    """Rewrite the ``src`` of every image named in ``images`` (Markdown and raw HTML)."""

    def swap(match: re.Match[str]) -> str:
        src = match.group(3)
        if src not in images:
            return match.group(0)
        return f'{match.group(1)}"{html.escape(images[src], quote=True)}"'

    for _block, image in _image_tokens(tokens):
        if image.type == "image":
            src = str(image.attrGet("src") or "")
            if src in images:
                image.attrSet("src", images[src])
        else:
            image.content = _HTML_IMG_SRC.sub(swap, image.content)


# How much HTML one byte of Markdown can become, at most, for a body without the
# constructs ``markdown_size_bound`` refuses. The worst cases found by hand and by
# tests/test_loader_fast.py stay near 10 (an empty link ``[]()`` gets about 40 bytes of
# tags, with the rel nh3 adds; an empty blockquote ``>`` 27, with its blank line); 64
# leaves six times that.
BYTES_PER_MARKDOWN_BYTE = 64
# A table cell's tags, the largest with an alignment (``<td style="text-align:center">``
# and ``</td>``) being 36 bytes; one row is at most as many cells as the widest line has
# pipes, plus one, and every line is at most one row.
TABLE_CELL_BYTES = 48
# Constructs whose output is not proportional to their text: raw HTML (nh3's parser may
# reopen elements across it), link reference definitions (one definition, many uses),
# and links whose text holds an autolink (a link in a link, which the HTML parser splits
# and then reopens the formatting around). Checked with text every such construct needs.
_RAW_HTML = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*(?=[\s/>]|$)|[/!?])")
_BLANK_LINE = re.compile(r"\n[ \t]*(?:\n|$)")
_NEWLINES = re.compile(r"\r\n?")
_PIPES = re.compile(r"\|[^\n]*")  # from a line's first pipe on: all the pipes it has


def markdown_size_bound(markdown: str) -> int | None:
    """An upper bound of ``render_markdown``'s UTF-8 size, cheap, or None when ``markdown``
    has a construct it cannot bound.

    Validation checks every body against Shopify's limit; rendering one costs a Markdown
    parse, most of the time validation takes. A body whose bound is below the limit
    needs no parse: its exact size cannot matter.
    """
    if "\r" in markdown:
        markdown = _NEWLINES.sub("\n", markdown)  # markdown-it's own line breaks
    text = markdown.replace(PRODUCTS_MARKER, "")
    if "]:" in text or _RAW_HTML.search(text):
        return None
    if "<" in text and "](" in text:
        for chunk in _BLANK_LINE.split(text):
            # Link text never spans a blank line, so a link holding an autolink (``<``
            # starts one: a URL or an e-mail address) is within one chunk.
            if "[" in chunk and "](" in chunk and "<" in chunk:
                return None
    widest = max(map(str.count, _PIPES.findall(markdown), repeat("|")), default=0)
    lines = markdown.count("\n") + 1
    return BYTES_PER_MARKDOWN_BYTE * body_size(markdown) + TABLE_CELL_BYTES * (widest + 1) * lines


def render_markdown(markdown: str) -> str:
    """Markdown (with inline HTML) to sanitised HTML."""
    return sanitize_html(_render_tokens(_markdown().parse(markdown)))


def render_product_block(products: Sequence[ProductInfo]) -> str:
    """An ``<aside>`` listing each product with a link to its page and its image."""
    return _product_block(tuple(products))


@lru_cache(maxsize=256)
def _product_block(products: tuple[ProductInfo, ...]) -> str:
    # Cached: many articles feature the same products, and validation renders the block
    # of every one of them.
    if not products:
        return ""
    items = []
    for product in products:
        title = html.escape(product.title)
        url = html.escape(product.url, quote=True)
        image = ""
        if product.image_url:
            alt = html.escape(product.image_alt or product.title, quote=True)
            src = html.escape(product.image_url, quote=True)
            image = f'<img src="{src}" alt="{alt}">'
        items.append(
            f'<li class="shopsync-product"><a href="{url}">{image}'
            f'<span class="shopsync-product-title">{title}</span></a></li>'
        )
    return sanitize_html(f'<aside class="shopsync-products"><ul>{"".join(items)}</ul></aside>')


def render_disclaimer_notice(page: Page) -> str:
    """The page's short notice plus a link to the full page."""
    notice = render_markdown(page.notice) if page.notice.strip() else ""
    link = (
        f'<p>Full disclaimer: <a href="/pages/{html.escape(page.handle, quote=True)}">'
        f"{html.escape(page.title)}</a></p>"
    )
    return sanitize_html(f'<aside class="shopsync-disclaimer">{notice}{link}</aside>')


def render_source(article: Article) -> str:
    source = _source_line(article)
    return sanitize_html(source) if source else ""


def _source_line(article: Article) -> str:
    """The "Source" line before sanitising (empty without a citation)."""
    if article.citation is None:
        return ""
    citation = article.citation
    url = html.escape(citation.url, quote=True)
    text = html.escape(f"{citation.title}. {citation.journal}, {citation.year}.")
    label = f"PubMed {citation.pmid}" if citation.pmid else f"doi:{citation.doi}"
    return f'<p class="shopsync-source">Source: {text} <a href="{url}">{html.escape(label)}</a></p>'


def _source_size_bound(article: Article) -> int:
    """At least ``render_source``'s size, without sanitising: its text is escaped already,
    so nh3 writes it back no longer, but for U+00A0 (2 bytes, written as 6: ``&nbsp;``),
    and it adds the link's rel (26 bytes)."""
    source = _source_line(article)
    return 3 * body_size(source) + 64 if source else 0


def render_article_body(
    article: Article,
    *,
    products: Sequence[ProductInfo] = (),
    disclaimer: Page | None = None,
    images: Mapping[str, str] | None = None,
) -> str:
    """The body HTML Shopify stores for ``article``.

    ``images`` maps a Markdown image's ``src`` as written (a repository file) to the URL
    the store has it under, or to the pending-upload marker.

    The product block replaces the marker line if the Markdown has one, else it is
    appended; a "Source" line is added unless the body already links the study; the
    disclaimer notice always comes last.
    """
    block = render_product_block(products)
    if article.format == "html":
        placed = PRODUCTS_MARKER in article.body
        parts = [sanitize_html(article.body.replace(PRODUCTS_MARKER, block, 1))]
    else:
        tokens = _markdown().parse(article.body)
        _point_images(tokens, images or {})
        placed = False
        for token in tokens:
            if token.type == "html_block" and token.content.strip() == PRODUCTS_MARKER:
                token.content = (block + "\n") if block and not placed else ""
                placed = True
        parts = [sanitize_html(_render_tokens(tokens))]
    if block and not placed:
        parts.append(block)
    if article.citation is not None:
        href = f'href="{html.escape(article.citation.url, quote=True)}"'
        if href not in parts[0]:
            parts.append(render_source(article))
    if disclaimer is not None:
        parts.append(render_disclaimer_notice(disclaimer))
    return "\n".join(part for part in parts if part)


def article_body_size_bound(
    article: Article, *, products: Sequence[ProductInfo] = ()
) -> int | None:
    """An upper bound of the UTF-8 size of ``render_article_body(article, products=...)``
    without parsing the Markdown, or None when ``markdown_size_bound`` cannot give one."""
    if article.format != "markdown":
        return None
    bound = markdown_size_bound(article.body)
    if bound is None:
        return None
    # The product block is placed in the body (and sanitised again with it) or after it;
    # twice its size covers either. Then the source line, and a newline between parts.
    block = body_size(render_product_block(products))
    return bound + 2 * block + _source_size_bound(article) + 2


def render_summary(article: Article) -> str | None:
    """Summary HTML (Shopify's excerpt), or None when the file has none."""
    if article.summary is None:
        return None
    if article.format == "html":
        return sanitize_html(article.summary)
    return render_markdown(article.summary)


def render_page_body(page: Page) -> str:
    if page.format == "html":
        return sanitize_html(page.body)
    return render_markdown(page.body)


def body_size(html_text: str) -> int:
    """Size as we count it against Shopify's limits: UTF-8 bytes."""
    return len(html_text.encode("utf-8"))
