"""A local stand-in for a Shopify store's Admin GraphQL API, over real HTTP.

``SandboxServer`` serves the same endpoint, auth, errors, cost throttling and faults a
live store has, on loopback, with state held by ``Store`` and queries executed by the
engine against the bundled schema. Tests use it as the ``sandbox`` fixture; people run
it with ``shopsync sandbox``.

Search lags writes, as on Shopify: with ``SandboxConfig.search_lag_ms`` every read that takes
a ``query:`` (``articles``, ``pages``, ``blogs``, ``files``, ``products``, ``urlRedirects``,
``comments``, ``metafieldDefinitions`` and their counts) answers from an index that is that far
behind by the store's clock (``Store.indexed``): a new record is missing, a changed one
matches on its old values, a deleted one is still found. Reads by id, ``nodes(ids:)``,
``productByIdentifier`` and listings without a query are never behind.

The names below load on first use, so that importing one submodule (``engine``,
``resolving``) loads only what that submodule imports, not the server and every resolver.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopsync.sandbox.faults import FaultRule, FaultSet
    from shopsync.sandbox.server import RecordedRequest, SandboxConfig, SandboxServer
    from shopsync.sandbox.store import Store

__all__ = [
    "FaultRule",
    "FaultSet",
    "RecordedRequest",
    "SandboxConfig",
    "SandboxServer",
    "Store",
]

_HOMES = {
    "FaultRule": "faults",
    "FaultSet": "faults",
    "RecordedRequest": "server",
    "SandboxConfig": "server",
    "SandboxServer": "server",
    "Store": "store",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
