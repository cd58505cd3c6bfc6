"""Rendering: the HTML Shopify will store, from the seed article and from hostile input."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shopsync.content.loader import load_content
from shopsync.content.models import Article, Page
from shopsync.content.render import (
    ARTICLE_BODY_LIMIT,
    PAGE_BODY_LIMIT,
    PRODUCTS_MARKER,
    image_sources,
    render_article_body,
    render_disclaimer_notice,
    render_markdown,
    render_product_block,
    render_summary,
    sanitize_html,
)
from shopsync.vocabulary import ProductInfo

REPO = Path(__file__).resolve().parents[1]
SEED_HANDLE = "ems-deep-spine-muscles-study"
KIT = ProductInfo(
    handle="original-oriems-ultimate-kit",
    title="Original Oriems Ultimate Kit",
    image_url="https://cdn.shopify.com/kit.jpg",
    image_alt="The kit",
)


@pytest.fixture(scope="module")
def seed() -> tuple[Article, Page]:
    content = load_content(
        [REPO / "articles"],
        root=REPO,
        default_blog="research-digest",
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert content.ok, content.problems
    article = next(a for a in content.articles if a.handle == SEED_HANDLE)
    page = content.page("disclaimer")
    assert page is not None
    return article, page


def make_article(body: str, **fields: Any) -> Article:
    data: dict[str, Any] = {
        "title": "T",
        "handle": "t",
        "blog": "b",
        "author": "A",
        "source_path": "articles/t.md",
        "body": body,
        **fields,
    }
    return Article.model_validate(data)


def test_seed_article_html(seed: tuple[Article, Page]) -> None:
    article, page = seed
    html = render_article_body(article, products=[KIT], disclaimer=page)
    # Every uppercase section of the seed is a heading.
    for heading in (
        "A SIMPLE QUESTION MANY PEOPLE WITH PAIN ASK",
        "WHO WAS STUDIED?",
        "IMPORTANT BOUNDARY (PLEASE READ)",
        "📊 SIMPLE STUDY SUMMARY",
        "⭐ FEATURED PRODUCT",
        "A FINAL THOUGHT FOR PEOPLE IN PAIN",
    ):
        assert f"<h2>{heading}</h2>" in html
    # The summary table, header and all five rows.
    assert "<th>What Was Studied</th>" in html and "<th>What Was Found</th>" in html
    assert html.count("<tr>") == 6
    assert "<td>Abdomen + lower back together</td>" in html
    # The nested list under "lumbar degenerative kyphosis".
    nested = re.search(r"kyphosis, a condition linked to:\s*<ul>(.*?)</ul>", html, re.S)
    assert nested is not None
    assert [*re.findall(r"<li>(.*?)</li>", nested.group(1))] == [
        "Stooped posture",
        "Weak spinal muscles",
        "Chronic low back pain",
    ]
    assert html.count("<ul>") >= 10
    # Every emoji of the seed survives.
    for emoji in ("👉", "🧱", "✅", "❌", "📊", "⭐", "⚠️"):
        assert emoji in html, emoji
    # Links: PubMed, the share link, the product and the disclaimer page.
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/27064323/"' in html
    assert '<a href="https://bit.ly/48OTTIE"' in html
    assert '<a href="/products/original-oriems-ultimate-kit"' in html
    assert '<a href="/pages/disclaimer"' in html
    # The body already links the study, so no extra "Source" line.
    assert "shopsync-source" not in html
    # The product block sits where the marker was, the disclaimer comes last.
    assert html.index("⭐ FEATURED PRODUCT") < html.index("shopsync-products")
    assert html.index("shopsync-products") < html.index("A FINAL THOUGHT")
    assert html.rstrip().endswith("</aside>")
    assert html.rindex("shopsync-disclaimer") > html.index("A FINAL THOUGHT")
    assert "informational and educational purposes only" in html
    assert PRODUCTS_MARKER not in html
    assert len(html.encode()) < ARTICLE_BODY_LIMIT


def test_rendering_is_deterministic(seed: tuple[Article, Page]) -> None:
    article, page = seed
    first = render_article_body(article, products=[KIT], disclaimer=page)
    second = render_article_body(article.model_copy(), products=[KIT], disclaimer=page)
    assert first.encode() == second.encode()
    assert render_markdown(article.body) == render_markdown(article.body)


@pytest.mark.parametrize(
    ("dirty", "gone", "kept"),
    [
        ("<script>alert(1)</script>ok", "alert", "ok"),
        ('<p onclick="steal()">hi</p>', "onclick", "<p>hi</p>"),
        ('<img src="x.png" onerror="steal()" alt="a">', "onerror", 'alt="a"'),
        ('<a href="javascript:alert(1)">x</a>', "javascript", ">x</a>"),
        ("<iframe src='https://evil.example'></iframe>t", "iframe", "t"),
        ("<style>body{display:none}</style>t", "display", "t"),
        ('<div class="evil shopsync-products">t</div>', "evil", 'class="shopsync-products"'),
        ('<p style="position:fixed">t</p>', "style", "<p>t</p>"),
        ("<form action='/x'><input name='q'></form>t", "input", "t"),
    ],
)
def test_sanitizer_strips_dangerous_html(dirty: str, gone: str, kept: str) -> None:
    for html in (sanitize_html(dirty), render_markdown(dirty)):
        assert gone not in html
        assert kept in html


def test_markdown_script_stripped_and_links_kept() -> None:
    html = render_markdown(
        'Read [the study](https://doi.org/10.1/x "Study").\n\n<script>x()</script>\n\n'
        "<https://example.com/a?b=1&c=2>"
    )
    assert "<script" not in html and "x()" not in html
    assert '<a href="https://doi.org/10.1/x" title="Study" rel="noopener noreferrer">' in html
    assert 'href="https://example.com/a?b=1&amp;c=2"' in html


def test_gfm_features() -> None:
    html = render_markdown(
        "| a | b |\n|:-|-:|\n| 1 | 2 |\n\n~~old~~\n\n1. one\n2. two\n   - sub\n\n```py\nx\n```"
    )
    assert '<th style="text-align:left">a</th>' in html
    assert '<td style="text-align:right">2</td>' in html
    assert "<s>old</s>" in html
    assert re.search(r"<ol>\s*<li>one</li>\s*<li>two\s*<ul>\s*<li>sub</li>", html)
    assert '<code class="language-py">' in html


def test_product_block_appended_without_marker() -> None:
    html = render_article_body(make_article("Text."), products=[KIT])
    assert html.startswith("<p>Text.</p>")
    assert html.endswith("</aside>")
    assert '<img src="https://cdn.shopify.com/kit.jpg" alt="The kit">' in html


def test_product_block_escapes_titles() -> None:
    block = render_product_block([ProductInfo(handle="k", title='<b onmouseover="x">Kit</b>')])
    # Shown as text, never as markup.
    assert "<b" not in block and "&lt;b onmouseover" in block
    assert render_product_block([]) == ""


def test_marker_without_products_leaves_nothing() -> None:
    html = render_article_body(make_article(f"A\n\n{PRODUCTS_MARKER}\n\nB"))
    assert "shopsync" not in html and "<p>A</p>" in html and "<p>B</p>" in html


def test_source_line_added_when_body_does_not_link_the_study() -> None:
    citation = {
        "doi": "10.1097/00007632-199612010-00011",
        "title": "T",
        "journal": "Spine",
        "year": 1996,
    }
    html = render_article_body(make_article("Text.", citation=citation))
    assert 'class="shopsync-source"' in html
    assert 'href="https://doi.org/10.1097/00007632-199612010-00011"' in html


def test_disclaimer_notice() -> None:
    page = Page.model_validate(
        {
            "title": "Disclaimer",
            "handle": "disclaimer",
            "source_path": "p.md",
            "body": "Not **medical** advice.\n\nMore text.",
        }
    )
    html = render_disclaimer_notice(page)
    assert html.startswith('<aside class="shopsync-disclaimer">')
    assert "<strong>medical</strong>" in html and "More text" not in html
    assert '<a href="/pages/disclaimer"' in html


def test_summary() -> None:
    assert render_summary(make_article("x")) is None
    assert render_summary(make_article("x", summary="*Short*")) == "<p><em>Short</em></p>"


def test_limits_match_shopify_observations() -> None:
    # Captured refusals: article body of 1,048,577 bytes, page body of 524,288 bytes.
    assert ARTICLE_BODY_LIMIT < 1_048_577
    assert PAGE_BODY_LIMIT < 524_288


def test_image_sources_lists_each_markdown_image_with_its_line() -> None:
    body = "Intro.\n\n![A](images/a.png)\n\n| x |\n|---|\n| ![B](/b.png) |\n"
    assert image_sources(body) == [("images/a.png", 2), ("/b.png", 6)]


def test_image_sources_include_html_img_tags() -> None:
    body = 'A.\n\n<div>\n<img src="a.png" width="200">\n</div>\n\nText <img src=\'b.png\'> here.\n'
    assert image_sources(body) == [("a.png", 3), ("b.png", 6)]


def test_html_img_tags_are_pointed_at_their_store_urls_too() -> None:
    article = make_article('<p><img src="chart.png" width="300"></p>\n\nSee <img src="chart.png">.')
    html = render_article_body(article, images={"chart.png": "https://cdn.test/c.png?v=1&x=2"})
    assert html.count('src="https://cdn.test/c.png?v=1&amp;x=2"') == 2
    assert 'width="300"' in html


def test_body_images_are_pointed_at_their_store_urls() -> None:
    article = make_article("![Chart](images/chart.png) and ![Web](https://example.test/w.png)")
    html = render_article_body(article, images={"images/chart.png": "https://cdn.test/c.png?v=1"})
    assert '<img src="https://cdn.test/c.png?v=1" alt="Chart">' in html
    assert '<img src="https://example.test/w.png" alt="Web">' in html
    unmapped = render_article_body(article)
    assert '<img src="images/chart.png" alt="Chart">' in unmapped
