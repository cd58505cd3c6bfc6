"""Where a preview's featured products come from: the store, or the sandbox's catalogue.

Both give ``ProductInfo`` (title, URL, image) parsed by ``remote.product_from_node``, the
function a plan parses the store's answer with, so the product block a preview renders is
the one a push stores. The store is read with the plan's own lookup (``productByIdentifier``
per handle, aliased, 50 a request: read-only); without a store, the sandbox's seeded
products (``sandbox/seed_products.json``) stand in, so the demo articles show real titles.
``preview`` only sees the ``ProductLookup`` callables: it never talks to a store itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

from shopsync.admin.remote import fetch_products, product_from_node
from shopsync.config import Settings
from shopsync.preview import ProductLookup
from shopsync.vocabulary import ProductInfo

#: One attempt, no backoff: a preview shows the sandbox's catalogue (and says so) rather
#: than wait for a store that does not answer.
PREVIEW_ATTEMPTS = 1


def store_lookup(settings: Settings, **client_options: Any) -> ProductLookup:
    """Resolve handles in the store ``settings`` name, one client per call.

    Any ``ShopsyncError`` (no credentials, unreachable, refused) reaches the caller:
    ``preview.resolve_catalogue`` turns it into a warning and falls back.
    """
    from shopsync.sync import connect

    options = {"max_attempts": PREVIEW_ATTEMPTS, **client_options}

    def lookup(handles: Sequence[str]) -> Mapping[str, ProductInfo]:
        if not handles:
            return {}
        with connect(settings, **options) as client:
            return {h: p.info for h, p in fetch_products(client, handles).items()}

    return lookup


@cache
def _seeded() -> dict[str, ProductInfo]:
    text = files("shopsync.sandbox").joinpath("seed_products.json").read_text(encoding="utf-8")
    data: Any = json.loads(text)
    nodes = data["products"] if isinstance(data, dict) else data
    infos = (product_from_node(node).info for node in nodes)
    return {info.handle: info for info in infos}


def seeded_lookup(handles: Sequence[str]) -> Mapping[str, ProductInfo]:
    """The sandbox's seeded products among ``handles`` (what ``shopsync sandbox`` serves)."""
    seeded = _seeded()
    return {h: seeded[h] for h in handles if h in seeded}
