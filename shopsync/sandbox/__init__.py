"""A local stand-in for a Shopify store's Admin GraphQL API, over real HTTP.

``SandboxServer`` serves the same endpoint, auth, errors, cost throttling and faults a
live store has, on loopback, with state held by ``Store`` and queries executed by the
engine against the bundled schema. Tests use it as the ``sandbox`` fixture; people run
it with ``shopsync sandbox``.
"""

from __future__ import annotations

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
