"""A pure, in-memory stand-in for ``apply``: what each plan item does to the store's state.

For the planner's property tests (``test_plan_properties.py``), which need thousands of pushes
a second: no HTTP, no sandbox. Each rule follows ``shopsync/apply.py`` (the method named in
each docstring), and where Shopify decides something itself, the store here does too:

- a write carries the full desired fields and the marks (``inputs.ownership_metafields``):
  the source, the fingerprint and the exact digest of what was sent;
- an item already as wanted is not written (``Applier._prepare``, ``_same``);
- a handle held by another item of the same blog (pages: the shop) is refused, as Shopify
  refuses an explicit taken handle (``TAKEN``): a refusal is recorded, nothing changes;
- an article published without a date gets one from the store (``publishedAt``), an
  update of a published one keeps the date it had;
- marks an earlier release left in the plain namespace are moved by any write of the item
  (``Applier._moved_marks`` then ``_drop_legacy_marks``);
- an unpublish hides the item and records the fingerprint and digest of the hidden fields;
  a delete removes it (``Applier._prune``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from shopsync.admin.remote import RemoteItem, RemoteState
from shopsync.apply import EDITED_BEFORE_UNPUBLISH
from shopsync.plan import Plan, PlanItem, field_diff
from shopsync.vocabulary import content_digest, fingerprint

#: The publishedAt the store gives an article published without a date.
STORE_NOW = "2026-06-01T00:00:00Z"
#: The ids of what the store creates here: ``.../new-1``, ``.../new-2``... never reused.
NEW = "new-"


@dataclass
class Store:
    """Blogs and items by id, in the order the store lists them."""

    blogs: dict[str, str] = field(default_factory=dict)
    items: dict[str, RemoteItem] = field(default_factory=dict)
    refusals: list[str] = field(default_factory=list)
    created: int = 0

    @classmethod
    def of(cls, remote: RemoteState) -> Store:
        items = {item.id: item for item in (*remote.pages, *remote.articles)}
        made = [int(i.rpartition(NEW)[2]) for i in (*items, *remote.blogs.values()) if NEW in i]
        return cls(blogs=dict(remote.blogs), items=items, created=max(made, default=0))

    def state(self) -> RemoteState:
        return RemoteState(
            blogs=dict(self.blogs),
            articles=tuple(i for i in self.items.values() if i.resource == "article"),
            pages=tuple(i for i in self.items.values() if i.resource == "page"),
        )

    def new_id(self, resource: str) -> str:
        self.created += 1
        return f"gid://shopify/{resource.title()}/{NEW}{self.created}"

    def holder(self, resource: str, blog: str | None, handle: str) -> RemoteItem | None:
        return next(
            (
                i
                for i in self.items.values()
                if i.resource == resource and i.blog == blog and i.handle == handle
            ),
            None,
        )


def apply(plan: Plan, store: Store) -> Store:
    """``Applier.apply``: blogs, then pages, then articles, each item in the plan's order."""
    for item in plan.items:
        if item.resource == "blog" and item.kind == "create":
            store.blogs[item.handle] = store.new_id("blog")
    for stage in ("page", "article"):
        pending: list[PlanItem] = []
        for item in plan.items:
            if item.resource != stage or not item.writes:
                continue
            if item.kind in ("unpublish", "delete"):
                _prune(item, store)
            else:
                pending.append(item)
        _write_in_order(pending, store)
    return store


def _write_in_order(pending: list[PlanItem], store: Store) -> None:
    """``Applier``'s order: a write taking a handle another write leaves goes after it; of
    writes that wait for each other (a swap), one is parked on a temporary handle first."""
    leaving = {
        item.remote.id
        for item in pending
        if item.remote is not None
        and item.kind != "create"
        and item.desired is not None
        and (item.remote.blog, item.remote.handle) != (item.desired.blog, item.desired.handle)
    }
    while pending:
        ready = [item for item in pending if not _waits(item, store, leaving)]
        if not ready:
            parked = next(i for i in pending if i.remote is not None and i.remote.id in leaving)
            assert parked.remote is not None
            held = store.items[parked.remote.id]
            store.items[held.id] = replace(held, handle=f"{held.handle}-{held.id}-swap")
            leaving.discard(held.id)
            continue
        for item in ready:
            _write(item, store)
            pending.remove(item)
            if item.remote is not None:
                leaving.discard(item.remote.id)


def _waits(item: PlanItem, store: Store, leaving: set[str]) -> bool:
    """The handle ``item`` wants is held by an item another write of this push moves away."""
    desired = item.desired
    assert desired is not None
    blog = desired.blog if item.resource == "article" else None
    holder = store.holder(item.resource, blog, desired.handle)
    own = item.remote.id if item.remote is not None and item.kind != "create" else None
    return holder is not None and holder.id != own and holder.id in leaving


def _same(remote: RemoteItem, fields: Mapping[str, Any]) -> bool:
    """``apply._same``: the store holds ``fields`` already, marked as shopsync marks it now."""
    return not field_diff(remote.fields, fields) and not remote.drifted and not remote.legacy_marks


def _write(item: PlanItem, store: Store) -> None:
    """``Applier._prepare`` and the batch's create or update."""
    assert item.desired is not None
    desired = item.desired
    previous = item.remote if item.kind != "create" else None
    if (
        previous is not None
        and previous.source == desired.source
        and _same(previous, desired.fields)
    ):
        return
    blog = desired.blog if item.resource == "article" else None
    if blog is not None and blog not in store.blogs:
        store.refusals.append(f"{item.label}: blog {blog!r} does not exist")
        return
    holder = store.holder(item.resource, blog, desired.handle)
    if holder is not None and (previous is None or holder.id != previous.id):
        store.refusals.append(f"{item.label}: handle taken by {holder.id}")
        return
    sent = dict(desired.fields)
    stored = dict(sent)
    if stored.get("is_published") and stored.get("publish_date") is None:
        was = previous.fields if previous is not None else {}
        stored["publish_date"] = was.get("publish_date") if was.get("is_published") else None
        stored["publish_date"] = stored["publish_date"] or STORE_NOW
    written = RemoteItem(
        resource=desired.resource,
        id=previous.id if previous is not None else store.new_id(desired.resource),
        handle=desired.handle,
        fields=stored,
        blog=blog,
        source=desired.source,
        recorded_fingerprint=fingerprint(sent),
        recorded_digest=content_digest(sent),
    )
    store.items[written.id] = written


def _prune(item: PlanItem, store: Store) -> None:
    """``Applier._prune``."""
    remote = item.remote
    assert remote is not None
    if item.kind == "delete":
        store.items.pop(remote.id, None)
        return
    hidden = {**remote.fields, "is_published": False, "publish_date": None}
    edited = EDITED_BEFORE_UNPUBLISH + (remote.recorded_fingerprint or "")
    store.items[remote.id] = replace(
        remote,
        fields=hidden,
        recorded_fingerprint=edited if remote.drifted else fingerprint(hidden),
        recorded_digest=content_digest(hidden),
        legacy_marks=False,
    )
