"""What a new Shopify store already holds before any app writes to it.

A store is not created empty: it has a blog "News", a "Contact" page (rendered by the
theme's ``page.contact`` template, so its body is empty) and the "Your Privacy Choices"
page Shopify creates for its customer-privacy settings (the data-sharing opt-out). A
sandbox that started empty would hide what a first sync meets on a real store: an
unmanaged blog to leave alone, and pages with handles a local file may also want.
"""

from __future__ import annotations

from typing import Any

from shopsync.sandbox.store import Record, Store

#: The blog every new store has.
NEWS_BLOG: dict[str, Any] = {
    "title": "News",
    "handle": "news",
    "templateSuffix": None,
    # A new blog's comments are disabled until the merchant turns them on.
    "commentPolicy": "CLOSED",
    "tags": [],
}

#: The pages every new store has: the theme's contact page, and Shopify's privacy page.
SEED_PAGES: tuple[dict[str, Any], ...] = (
    {"title": "Contact", "handle": "contact", "body": "", "templateSuffix": "contact"},
    {
        "title": "Your Privacy Choices",
        "handle": "data-sharing-opt-out",
        "body": "",
        "templateSuffix": None,
    },
)


def seed_content(store: Store) -> list[Record]:
    """Put the blog and pages of a new store in ``store`` (stamped with its clock); the
    records created, blog first."""
    with store.lock:
        now = store.now()
        stamps = {"createdAt": now, "updatedAt": now}
        created = [store.insert("blog", {**NEWS_BLOG, "tags": [], **stamps})]
        for page in SEED_PAGES:
            record = {
                **page,
                "bodySummary": "",
                "isPublished": True,
                "publishedAt": now,
                **stamps,
            }
            created.append(store.insert("page", record))
        return created
