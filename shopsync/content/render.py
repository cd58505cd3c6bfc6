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
from functools import cache

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


def image_sources(markdown: str) -> list[tuple[str, int | None]]:
    """Each image's ``src`` as written, with its line in ``markdown`` (0-based)."""
    found: list[tuple[str, int | None]] = []
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


def render_markdown(markdown: str) -> str:
    """Markdown (with inline HTML) to sanitised HTML."""
    return sanitize_html(_render_tokens(_markdown().parse(markdown)))


def render_product_block(products: Sequence[ProductInfo]) -> str:
    """An ``<aside>`` listing each product with a link to its page and its image."""
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
    if article.citation is None:
        return ""
    citation = article.citation
    url = html.escape(citation.url, quote=True)
    text = html.escape(f"{citation.title}. {citation.journal}, {citation.year}.")
    label = f"PubMed {citation.pmid}" if citation.pmid else f"doi:{citation.doi}"
    return sanitize_html(
        f'<p class="shopsync-source">Source: {text} <a href="{url}">{html.escape(label)}</a></p>'
    )


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
