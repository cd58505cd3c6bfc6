"""The hint tables and the "did you mean" guess for keys other tools write."""

from __future__ import annotations

import pytest

from shopsync.content.hints import ALIASES, HINTS, did_you_mean
from shopsync.content.models import ARTICLE_KEYS, PAGE_KEYS


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("sumary", "summary"),  # a typo
        ("Title", "title"),  # case
        ("publish-date", "publish_date"),  # dash for underscore
        ("slug", "handle"),  # Jekyll / Hugo
        ("date", "publish_date"),
        ("excerpt", "summary"),  # WordPress exports
        ("featured_product", "featured_products"),
        ("image_url", "image"),  # an allowed key inside it
    ],
)
def test_did_you_mean(written: str, meant: str) -> None:
    assert did_you_mean(written, ARTICLE_KEYS, aliases=ALIASES) == meant


def test_no_guess_for_a_key_like_nothing_allowed() -> None:
    assert did_you_mean("zzz", ARTICLE_KEYS, aliases=ALIASES) is None
    # An alias only counts where its target is allowed: pages have no publish_date.
    assert did_you_mean("date", PAGE_KEYS, aliases=ALIASES) != "publish_date"


def test_every_alias_points_at_a_real_key_and_every_key_has_a_hint() -> None:
    assert set(ALIASES.values()) <= set(ARTICLE_KEYS)
    assert set(ARTICLE_KEYS) <= set(HINTS)
