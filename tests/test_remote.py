"""Reading the store: the plan's snapshot and the look-ups beside it, over HTTP."""

from __future__ import annotations

from shopsync.admin.remote import PRODUCT_BATCH, read_snapshot

from .client_support import FakeTime, make_client, sent
from .conftest import SandboxFactory
from .sync_helpers import KIT, MORE_PRODUCTS


def test_product_handles_are_read_directly_in_batches(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory()
    handles = [KIT, *MORE_PRODUCTS] + [f"no-such-product-{n}" for n in range(PRODUCT_BATCH)]
    with make_client(sandbox, FakeTime()) as client:
        snapshot = read_snapshot(client, product_handles=handles, filenames=[])
    assert sorted(snapshot.products) == sorted([KIT, *MORE_PRODUCTS])
    kit = snapshot.products[KIT]
    assert kit.id.startswith("gid://shopify/Product/") and kit.info.status == "ACTIVE"
    # The first PRODUCT_BATCH with the snapshot, the rest in one more request; no search.
    names = [r.operation_name for r in sent(sandbox)]
    assert names == ["SyncSnapshot", f"SyncProducts{len(handles) - PRODUCT_BATCH}"]
    assert not any("products(" in str((r.body or {}).get("query")) for r in sent(sandbox))
