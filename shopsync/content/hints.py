"""What to tell a user about each front-matter key: the tables behind the loader's hints.

Kept apart from the loader so the words can be read and reviewed in one place, and so the
"did you mean" guess for a mistyped or foreign key (Jekyll's ``slug``, Hugo's ``date``) is
a function of its own, tested on its own.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

HINTS: dict[str, str] = {
    "title": "give the article a non-empty title of at most 255 characters",
    "handle": "lowercase a-z, 0-9 and hyphens, e.g. my-post (or drop it to use the file name)",
    "previous_handles": "the handles it had before, e.g. [old-post]: the renamed file keeps "
    "its store item, and the old URL redirects to the new one",
    "blog": "the blog's handle, e.g. research-digest (default: SHOPSYNC_BLOG)",
    "author": "the author name shown on the article, e.g. author: Research Team",
    "tags": "a YAML list, e.g. tags: [ems, back-pain]",
    "summary": "a short Markdown excerpt, or remove the key",
    "status": "one of draft, published, scheduled",
    "publish_date": "an ISO 8601 date-time with offset, e.g. 2027-03-01T09:00:00+10:00",
    "image": "image: {src: https://... or articles/images/x.png, alt: what it shows}",
    "image.src": "an https:// URL, or a path inside the repository such as articles/images/x.png",
    "image.alt": "describe the image for screen readers",
    "seo": "seo: {title: ..., description: ...}",
    "seo.title": "at most 255 characters (search engines show about 70)",
    "seo.description": "at most 320 characters",
    "featured_products": "a list of product handles, e.g. [original-oriems-ultimate-kit]",
    "disclaimer": "the handle of a page in articles/pages/, e.g. disclaimer",
    "citation": "citation: {pmid: 27064323, title: ..., journal: ..., year: 2016}",
    "citation.pmid": "the digits of the PubMed id, e.g. 27064323",
    "citation.doi": "the DOI itself, e.g. 10.1589/jpts.28.23",
    "citation.year": "a four-digit year, e.g. 2016",
    "template_suffix": "the suffix of a theme template, e.g. research for article.research.json",
    "notice": "a short Markdown text shown in articles that link this page",
    "published": "true or false",
    "format": "markdown (the default) or html (the body is HTML, kept as written but sanitised)",
}


# For a line break in a one-line field, by field; LINE_BREAK_HINT for the others.
LINE_BREAK_HINTS: dict[str, str] = {
    "seo.title": "SEO titles are one line in Shopify: join the lines (a folded '>' block "
    "joins them with spaces)",
    "seo.description": "SEO descriptions are one line in Shopify: join the lines (a folded "
    "'>' block joins them with spaces)",
}
LINE_BREAK_HINT = "write it on one line"
CONTROL_CHARACTER_HINT = (
    "remove the invisible character (often pasted from another program; use a space for a tab)"
)
SCHEDULE_HINT = (
    "use status: published for a past date, status: scheduled with a future date, "
    "or remove publish_date from a draft"
)
TYPE_NAMES: dict[str, str] = {
    "string_type": "text",
    "list_type": "a list",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "dict_type": "key: value pairs",
    "model_type": "key: value pairs",
    "model_attributes_type": "key: value pairs",
    "datetime_type": "a date-time",
}


# Names people bring from other blog engines (Jekyll, Hugo, WordPress exports).
ALIASES: dict[str, str] = {
    "slug": "handle",
    "url": "handle",
    "date": "publish_date",
    "published_at": "publish_date",
    "publish_at": "publish_date",
    "published": "status",
    "draft": "status",
    "excerpt": "summary",
    "description": "summary",
    "categories": "tags",
    "keywords": "tags",
    "cover": "image",
    "products": "featured_products",
    "product": "featured_products",
    "pmid": "citation",
    "doi": "citation",
    "template": "template_suffix",
    "aliases": "previous_handles",  # Hugo's old URLs
    "redirect_from": "previous_handles",  # Jekyll's
    "old_handles": "previous_handles",
}


def did_you_mean(name: str, choices: Sequence[str], *, aliases: dict[str, str]) -> str | None:
    """The allowed key a mistyped or foreign key most likely meant."""
    lowered = name.lower().replace("-", "_")
    if lowered in choices and lowered != name:
        return lowered
    if lowered in aliases and aliases[lowered] in choices:
        return aliases[lowered]
    close = difflib.get_close_matches(lowered, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    prefixed = [c for c in choices if len(c) >= 3 and (lowered.startswith(c) or c in lowered)]
    return max(prefixed, key=len) if prefixed else None


FEATURED_IMAGE_HINT = "paths are relative to the repository root, e.g. articles/images/x.png"
BODY_IMAGE_HINT = "body image paths are relative to the article file, e.g. images/x.png"
