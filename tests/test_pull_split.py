"""``pull`` takes a stored body apart into what shopsync added to it (``split_body``).

What push appends to an article's body (the product block, the "Source" line, the
disclaimer notice) must come back as front matter (``featured_products``, ``citation``,
``disclaimer``) so that the pulled file renders the same bytes again; anything that does
not parse as one of those parts stays in the body. First the pieces one by one, then end
to end: files pushed to the sandbox, pulled into an empty repository, planned again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from shopsync.admin.client import ShopifyClient
from shopsync.admin.remote import RemoteItem
from shopsync.config import Settings
from shopsync.content.models import Article, Citation, Page
from shopsync.content.render import PRODUCTS_MARKER, render_article_body
from shopsync.pull import (
    BodyParts,
    _main_as_markdown,
    article_front,
    pull,
    split_body,
)
from shopsync.sandbox import SandboxServer
from shopsync.sync import build_plan, push
from shopsync.vocabulary import ProductInfo

from .client_support import FakeTime, make_client
from .sync_helpers import BLOG, DISCLAIMER, KIT, MORE_PRODUCTS, sandbox_settings

PADS = MORE_PRODUCTS[0]
PRODUCTS = [ProductInfo(handle=KIT, title="The kit"), ProductInfo(handle=PADS, title="Pads")]
NOTICE_PAGE = Page(
    title="Disclaimer",
    handle="disclaimer",
    source_path="articles/pages/disclaimer.md",
    body="## Disclaimer",
    notice="Not medical advice.",
)
PUBMED = {
    "pmid": "27064323",
    "title": "A study, in parts",
    "journal": "J Phys Ther Sci",
    "year": 2016,
}
DOI = {
    "doi": "10.1097/00007632-199612010-00011",
    "title": "Recovery",
    "journal": "Spine",
    "year": 1996,
}


def stored_body(body: str, *, citation: dict[str, Any] | None = None, notice: bool = False) -> str:
    """The body push stores for a Markdown article featuring ``PRODUCTS``."""
    article = Article(
        title="T",
        handle="t",
        blog=BLOG,
        author="A",
        source_path="articles/t.md",
        body=body,
        featured_products=[p.handle for p in PRODUCTS],
        citation=Citation.model_validate(citation) if citation else None,
        disclaimer="disclaimer" if notice else None,
    )
    return render_article_body(
        article, products=PRODUCTS, disclaimer=NOTICE_PAGE if notice else None
    )


def source_line(text: str, href: str, label: str) -> str:
    """A "Source" paragraph as push writes it (class, link and rel included)."""
    return (
        f'<p class="shopsync-source">Source: {text} '
        f'<a href="{href}" rel="noopener noreferrer">{label}</a></p>'
    )


# ------------------------------------------------------------------------- split_body


def test_the_end_of_a_body_becomes_products_citation_and_disclaimer() -> None:
    body = stored_body("One.\n\nTwo.", citation=PUBMED, notice=True)
    assert body.startswith('<p>One.</p>\n<p>Two.</p>\n<aside class="shopsync-products">')
    parts = split_body(body)
    assert parts.main == "<p>One.</p>\n<p>Two.</p>"
    assert parts.products == [KIT, PADS]
    assert parts.products_inline is False
    assert parts.citation == PUBMED
    assert parts.disclaimer == "disclaimer"
    assert parts.notice_html == "<p>Not medical advice.</p>"


def test_a_doi_label_is_a_doi_citation() -> None:
    parts = split_body(stored_body("One.", citation=DOI))
    assert parts.citation == DOI
    assert parts.main == "<p>One.</p>"
    assert parts.disclaimer is None and parts.notice_html is None


def test_escaped_source_text_is_unescaped_in_the_citation() -> None:
    citation = {**PUBMED, "title": 'Pain & "gain" <in> 5 < 6'}
    parts = split_body(stored_body("One.", citation=citation))
    assert parts.citation == citation


def test_a_block_between_paragraphs_becomes_the_marker() -> None:
    body = stored_body(f"One.\n\n{PRODUCTS_MARKER}\n\nTwo.", citation=DOI, notice=True)
    parts = split_body(body)
    assert parts.main == f"<p>One.</p>\n{PRODUCTS_MARKER}\n<p>Two.</p>"
    assert parts.products == [KIT, PADS]
    assert parts.products_inline is True
    assert parts.citation == DOI and parts.disclaimer == "disclaimer"


PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/1/"
UNPARSED_SOURCES = {
    "label-neither-pubmed-nor-doi": source_line(
        "A study. J, 2016.", "https://example.org/b", "ISBN 978-0"
    ),
    "text-without-a-year": source_line("A study in J.", PUBMED_URL, "PubMed 1"),
    "text-without-a-journal": source_line("A study, 2016.", PUBMED_URL, "PubMed 1"),
    "text-after-the-year": source_line("A study. J, 2016. Reprint.", PUBMED_URL, "PubMed 1"),
    "not-at-the-end": source_line("A study. J, 2016.", PUBMED_URL, "PubMed 1") + "\n<p>More.</p>",
}


@pytest.mark.parametrize("source", UNPARSED_SOURCES.values(), ids=UNPARSED_SOURCES.keys())
def test_a_source_line_that_does_not_parse_stays_in_the_body(source: str) -> None:
    body = f"<p>One.</p>\n{source}"
    parts = split_body(body)
    assert parts.citation is None
    assert parts.main == body


def test_an_unparsed_source_line_stays_while_the_notice_is_still_taken_out() -> None:
    source = UNPARSED_SOURCES["label-neither-pubmed-nor-doi"]
    with_notice = stored_body("One.", notice=True).replace(
        '\n<aside class="shopsync-disclaimer">', f'\n{source}\n<aside class="shopsync-disclaimer">'
    )
    parts = split_body(with_notice)
    assert parts.citation is None and parts.disclaimer == "disclaimer"
    # The block is no longer last: only a marker puts it back before the Source line.
    assert parts.main == f"<p>One.</p>\n{PRODUCTS_MARKER}\n{source}"
    assert parts.products == [KIT, PADS] and parts.products_inline is True


def test_the_markdown_keeps_the_marker_on_a_line_of_its_own() -> None:
    main = f"<p>One <em>and</em> a half.</p>\n{PRODUCTS_MARKER}\n<h2>Two</h2>"
    assert _main_as_markdown(main) == f"One *and* a half.\n\n{PRODUCTS_MARKER}\n\n## Two"
    assert _main_as_markdown(f"{PRODUCTS_MARKER}\n<p>Two.</p>") == f"{PRODUCTS_MARKER}\n\nTwo."


def test_no_markdown_when_either_side_of_the_marker_has_none() -> None:
    block = "<div><p>Block</p></div>"  # valid HTML that Markdown cannot reproduce
    assert _main_as_markdown(f"{block}\n{PRODUCTS_MARKER}\n<p>Two.</p>") is None
    assert _main_as_markdown(f"<p>One.</p>\n{PRODUCTS_MARKER}\n{block}") is None


def remote_article(body: str) -> RemoteItem:
    fields = {"title": "T", "author": "A", "body_html": body, "is_published": False}
    return RemoteItem(resource="article", id="gid://shopify/Article/1", handle="t", fields=fields)


def test_the_parts_found_are_front_matter_and_none_without_parts() -> None:
    body = stored_body("One.", citation=PUBMED, notice=True)
    remote = remote_article(body)
    front = article_front(
        remote, summary=None, fmt="markdown", parts=split_body(body), handle_in_front=False
    )
    assert front["featured_products"] == [KIT, PADS]
    assert front["citation"] == PUBMED
    assert front["disclaimer"] == "disclaimer"
    whole = article_front(remote, summary=None, fmt="markdown", parts=None, handle_in_front=False)
    assert not {"featured_products", "citation", "disclaimer"} & set(whole)
    empty = article_front(
        remote, summary=None, fmt="html", parts=BodyParts(main=body), handle_in_front=False
    )
    assert not {"featured_products", "citation", "disclaimer"} & set(empty)
    assert empty["format"] == "html"


# --------------------------------------------------------------------------- end to end

ALPHA = f"""\
---
title: Alpha
author: Research Team
status: draft
featured_products: [{KIT}]
disclaimer: disclaimer
citation:
  pmid: 27064323
  title: The effects of stimulation on deep lumbar muscles
  journal: Journal of Physical Therapy Science
  year: 2016
---

The first paragraph.

The second paragraph.
"""
BETA = f"""\
---
title: Beta
author: Research Team
status: draft
featured_products: [{KIT}, {PADS}]
citation:
  doi: 10.1097/00007632-199612010-00011
  title: Multifidus muscle recovery is not automatic
  journal: Spine
  year: 1996
---

Before the products.

{PRODUCTS_MARKER}

After the products.
"""


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[ShopifyClient]:
    with make_client(sandbox, FakeTime()) as client:
        yield client


def write_repo(root: Path) -> None:
    folder = root / "articles"
    (folder / "pages").mkdir(parents=True)
    (folder / "pages" / "disclaimer.md").write_text(DISCLAIMER, encoding="utf-8")
    (folder / "alpha.md").write_text(ALPHA, encoding="utf-8")
    (folder / "beta.md").write_text(BETA, encoding="utf-8")


def front_and_body(path: Path) -> tuple[dict[str, Any], str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body.strip("\n")


def plan_kinds(settings: Settings, client: ShopifyClient, root: Path) -> dict[str, str]:
    plan = build_plan(settings, client, root=root)
    return {item.handle: item.kind for item in plan.items}


def test_pushed_citation_and_products_are_pulled_back_as_front_matter(
    tmp_path: Path, sandbox: SandboxServer, client: ShopifyClient
) -> None:
    settings = sandbox_settings(sandbox)
    pushed_from, pulled_into = tmp_path / "pushed", tmp_path / "pulled"
    write_repo(pushed_from)
    assert push(settings, client, build_plan(settings, client, root=pushed_from)).ok
    pulled_into.mkdir()

    result = pull(settings, client, root=pulled_into)

    assert result.ok, result.to_dict()
    assert result.counts()["created"] == 3
    alpha, alpha_body = front_and_body(pulled_into / "articles" / "alpha.md")
    assert alpha == {
        "title": "Alpha",
        "blog": BLOG,
        "author": "Research Team",
        "status": "draft",
        "featured_products": [KIT],
        "disclaimer": "disclaimer",
        "citation": {
            "pmid": "27064323",
            "title": "The effects of stimulation on deep lumbar muscles",
            "journal": "Journal of Physical Therapy Science",
            "year": 2016,
        },
    }
    assert alpha_body == "The first paragraph.\n\nThe second paragraph."
    beta, beta_body = front_and_body(pulled_into / "articles" / "beta.md")
    assert beta["featured_products"] == [KIT, PADS]
    assert beta["citation"] == {
        "doi": "10.1097/00007632-199612010-00011",
        "title": "Multifidus muscle recovery is not automatic",
        "journal": "Spine",
        "year": 1996,
    }
    assert "disclaimer" not in beta and "format" not in beta
    assert beta_body == f"Before the products.\n\n{PRODUCTS_MARKER}\n\nAfter the products."

    assert plan_kinds(settings, client, pulled_into) == dict.fromkeys(
        ["disclaimer", "alpha", "beta"], "unchanged"
    )
