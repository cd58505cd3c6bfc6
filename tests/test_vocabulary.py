"""The shared vocabulary: digests that recognise shopsync's own writes, and Shopify's dates."""

from __future__ import annotations

from datetime import datetime

from shopsync.vocabulary import a, content_digest, fingerprint, format_datetime


def test_digest_and_fingerprint() -> None:
    fields = {"title": "T", "is_published": True, "publish_date": None, "tags": ["a"]}
    assert content_digest(fields) == content_digest(dict(reversed(list(fields.items()))))
    assert content_digest(fields) != content_digest({**fields, "title": "U"})
    # Shopify sets the date of an article published without one: not an admin edit.
    assert fingerprint(fields) == fingerprint({**fields, "publish_date": "2026-01-01T00:00:00Z"})
    # A scheduled article that went live is not an edit either; unpublishing is.
    scheduled = {**fields, "is_published": False, "publish_date": "2027-01-01T00:00:00Z"}
    assert fingerprint(scheduled) == fingerprint(fields)
    assert fingerprint({**fields, "is_published": False}) != fingerprint(fields)


def test_format_datetime_is_utc_seconds() -> None:
    moment = datetime.fromisoformat("2025-01-20T09:00:00.123456+11:00")
    assert format_datetime(moment) == "2025-01-19T22:00:00Z"
    assert format_datetime(None) is None


def test_nouns_get_their_indefinite_article() -> None:
    assert [a(n) for n in ("article", "image", "page", "blog")] == [
        "an article",
        "an image",
        "a page",
        "a blog",
    ]
