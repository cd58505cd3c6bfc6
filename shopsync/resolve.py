"""Conflicts resolved, not only reported (``shopsync resolve``).

A conflict is an article or page edited in the Shopify admin since shopsync wrote it, whose
file changed too (or that a push would otherwise overwrite). Staff settle it one of two ways:

- take the store's version into the file (``--take-store``): the file is rewritten the way
  ``pull`` writes it, from what the store holds now; nothing is sent. The next push sees the
  file equal to the store and only refreshes shopsync's marks.
- keep the file's version (``--keep-file``): the push of exactly those items with
  ``--force``, the admin's edit overwritten (the CLI asks first, as ``push`` does).

Pure where it can be: choosing the conflicts and cutting a forced plan down to them are
functions of plans; only ``take_store`` reads the store (its products) and writes files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from shopsync.admin.client import ShopifyClient
from shopsync.admin.remote import RemoteItem
from shopsync.config import Settings
from shopsync.plan import Plan, PlanItem
from shopsync.pull import (
    PulledFile,
    StoreContent,
    load_local,
    plan_files,
    resolve_products,
    write_file,
)


def chosen_conflicts(plan: Plan, targets: Sequence[str]) -> list[PlanItem]:
    """The plan's conflicts that ``targets`` name (a handle, ``blog/handle`` or the file's
    repository path); every conflict when there are no targets."""
    found = plan.of_kind("conflict")
    if not targets:
        return found
    wanted = set(targets)
    return [
        item
        for item in found
        if {item.handle, f"{item.blog}/{item.handle}", item.source or ""} & wanted
    ]


def keep_files(forced: Plan, conflicts: Sequence[PlanItem]) -> Plan:
    """``forced`` (planned with ``--force``) writing only what were these conflicts."""
    keys = {item.key for item in conflicts}
    items = tuple(item for item in forced.items if not item.writes or item.key in keys)
    return replace(forced, items=items)


def take_store(
    settings: Settings,
    client: ShopifyClient,
    conflicts: Sequence[PlanItem],
    *,
    root: Path,
    dry_run: bool = False,
) -> list[PulledFile]:
    """Rewrite each conflict's file from the store's version (as ``pull --force`` would)."""
    remotes: list[RemoteItem] = [item.remote for item in conflicts if item.remote is not None]
    store = StoreContent(
        blogs={},
        articles=tuple(r for r in remotes if r.resource == "article"),
        pages=tuple(r for r in remotes if r.resource == "page"),
    )
    local = load_local(settings, root=root)
    products = resolve_products(client, store, local)
    docs = plan_files(store, settings, root=root, products=products, local=local)
    return [write_file(doc, root=root, force=True, dry_run=dry_run) for doc in docs]
