"""Desired state + remote state → a Plan. Pure: no I/O, deterministic order.

Matching: an article/page is the same item when its ``shopsync.source`` names the same
file (so a renamed handle is an update with a redirect, not delete + create), else when
the handle matches. The store's copy is trusted only as far as its digest says: a managed
item whose content no longer hashes to the digest shopsync wrote was edited in the admin,
and is a conflict unless ``force``. Unmanaged items are never touched unless ``adopt``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from shopsync.admin.index import IndexEntry
from shopsync.admin.marks import (
    FINGERPRINT_FIELD,
    LEGACY_NAMESPACE,
    MARKS_FIELD,
    OWNER_NAMESPACE,
    SOURCE_FIELD,
)
from shopsync.admin.remote import RemoteDefinition, RemoteItem, RemoteState, StoredIndex
from shopsync.content.images import ImageUpload
from shopsync.desired import DesiredItem, DesiredState
from shopsync.errors import SavedPlanError
from shopsync.vocabulary import ARTICLE_FIELDS, PAGE_FIELDS, a, content_digest, stable_hash

Kind = Literal[
    "create", "update", "unpublish", "delete", "unchanged", "conflict", "orphan", "error"
]
ResourceKind = Literal["definition", "image", "blog", "page", "article"]
PruneMode = Literal["unpublish", "delete"]

KINDS: tuple[Kind, ...] = (
    "create",
    "update",
    "unpublish",
    "delete",
    "unchanged",
    "conflict",
    "orphan",
    "error",
)
WRITING_KINDS: frozenset[str] = frozenset({"create", "update", "unpublish", "delete"})
RESOURCE_ORDER: dict[str, int] = {"definition": 0, "image": 1, "blog": 2, "page": 3, "article": 4}
#: The version of ``Plan.to_dict``; ``Plan.from_dict`` refuses any other.
PLAN_FORMAT = "shopsync-plan"
PLAN_VERSION = 1


@dataclass(frozen=True)
class PlanOptions:
    """What the user allowed: overwrite admin edits, adopt unmanaged items, prune orphans.

    ``scope`` limits orphan detection to items whose source lies under one of these
    repository-relative paths (the paths given on the command line): a plan of one file
    must not call every other managed article an orphan.
    """

    force: bool = False
    adopt: bool = False
    prune: PruneMode | None = None
    scope: tuple[str, ...] | None = None

    def in_scope(self, source: str) -> bool:
        if self.scope is None:
            return True
        for prefix in self.scope:
            clean = prefix.strip("/")
            if clean in ("", ".") or source == clean or source.startswith(clean + "/"):
                return True
        return False

    def to_dict(self) -> dict[str, Any]:
        scope = list(self.scope) if self.scope is not None else None
        return {"force": self.force, "adopt": self.adopt, "prune": self.prune, "scope": scope}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanOptions:
        scope = data.get("scope")
        return cls(
            force=bool(data.get("force")),
            adopt=bool(data.get("adopt")),
            prune=data.get("prune"),
            scope=tuple(scope) if scope is not None else None,
        )


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    def __hash__(self) -> int:
        return stable_hash(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldChange:
        return cls(str(data["field"]), data.get("before"), data.get("after"))


@dataclass(frozen=True)
class PlanItem:
    """One thing the plan will (or will not) do, with why."""

    kind: Kind
    resource: ResourceKind
    handle: str
    source: str | None = None
    id: str | None = None
    blog: str | None = None
    diff: tuple[FieldChange, ...] = ()
    messages: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    desired: DesiredItem | None = None
    remote: RemoteItem | None = None
    redirect: bool = False
    title: str | None = None
    upload: ImageUpload | None = None

    def __hash__(self) -> int:
        return stable_hash(self.to_dict())

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        return (RESOURCE_ORDER[self.resource], self.blog or "", self.handle, self.source or "")

    @property
    def label(self) -> str:
        """``article research-digest/my-post``: what a human recognises."""
        name = f"{self.blog}/{self.handle}" if self.blog else self.handle
        return f"{self.resource} {name}"

    @property
    def writes(self) -> bool:
        return self.kind in WRITING_KINDS

    def to_dict(self) -> dict[str, Any]:
        """Everything applying the item needs: what the files want and what the store had."""
        return {
            "kind": self.kind,
            "resource": self.resource,
            "handle": self.handle,
            "blog": self.blog,
            "source": self.source,
            "id": self.id,
            "title": self.title,
            "redirect": self.redirect,
            "diff": [change.to_dict() for change in self.diff],
            "messages": list(self.messages),
            "hints": list(self.hints),
            "warnings": list(self.warnings),
            "desired": self.desired.to_dict() if self.desired is not None else None,
            "remote": self.remote.to_dict() if self.remote is not None else None,
            "upload": self.upload.to_dict() if self.upload is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, root: Path) -> PlanItem:
        desired, remote, upload = data.get("desired"), data.get("remote"), data.get("upload")
        return cls(
            kind=data["kind"],
            resource=data["resource"],
            handle=str(data["handle"]),
            source=data.get("source"),
            id=data.get("id"),
            blog=data.get("blog"),
            diff=tuple(FieldChange.from_dict(c) for c in data.get("diff") or ()),
            messages=tuple(data.get("messages") or ()),
            hints=tuple(data.get("hints") or ()),
            warnings=tuple(data.get("warnings") or ()),
            desired=DesiredItem.from_dict(desired, root=root) if desired is not None else None,
            remote=RemoteItem.from_dict(remote) if remote is not None else None,
            redirect=bool(data.get("redirect")),
            title=data.get("title"),
            upload=ImageUpload.from_dict(upload, root=root) if upload is not None else None,
        )


@dataclass(frozen=True)
class Plan:
    """What a push would do, item by item: a value that can be saved and applied later.

    ``index`` holds, per blog, the index entries the plan can vouch for (articles it will not
    write whose stored state it verified or took from the index); the push adds what it
    writes and stores the result if it differs from ``stored_indexes`` (see ``admin.index``).
    """

    items: tuple[PlanItem, ...] = ()
    options: PlanOptions = field(default_factory=PlanOptions)
    blog_ids: Mapping[str, str] = field(default_factory=dict)
    index: Mapping[str, tuple[IndexEntry, ...]] = field(default_factory=dict)
    stored_indexes: Mapping[str, StoredIndex] = field(default_factory=dict)

    def __hash__(self) -> int:
        return stable_hash(self.to_dict())

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(KINDS, 0)
        for item in self.items:
            counts[item.kind] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(item.writes for item in self.items)

    @property
    def has_errors(self) -> bool:
        """Errors or conflicts: things a push will not do that the files ask for."""
        return any(item.kind in ("error", "conflict") for item in self.items)

    def of_kind(self, *kinds: Kind) -> list[PlanItem]:
        return [item for item in self.items if item.kind in kinds]

    def of_resource(self, *resources: ResourceKind) -> list[PlanItem]:
        return [item for item in self.items if item.resource in resources]

    def to_dict(self) -> dict[str, Any]:
        """The whole plan as JSON-able data, versioned: ``from_dict`` gives it back."""
        return {
            "format": PLAN_FORMAT,
            "version": PLAN_VERSION,
            "summary": self.summary(),
            "options": self.options.to_dict(),
            "blog_ids": dict(sorted(self.blog_ids.items())),
            "items": [item.to_dict() for item in self.items],
            "index": {
                blog: [entry.to_dict() for entry in entries]
                for blog, entries in sorted(self.index.items())
            },
            "stored_indexes": {
                blog: stored.to_dict() for blog, stored in sorted(self.stored_indexes.items())
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, root: Path) -> Plan:
        """A plan saved by ``to_dict``; local images are found under ``root`` again."""
        if data.get("format") != PLAN_FORMAT or data.get("version") != PLAN_VERSION:
            raise SavedPlanError(
                f"not a shopsync plan of version {PLAN_VERSION} "
                f"(format {data.get('format')!r}, version {data.get('version')!r})",
                hint="make the plan again with this shopsync (shopsync plan)",
            )
        return cls(
            items=tuple(PlanItem.from_dict(item, root=root) for item in data["items"]),
            options=PlanOptions.from_dict(data.get("options") or {}),
            blog_ids=dict(data.get("blog_ids") or {}),
            index={
                blog: tuple(IndexEntry.from_dict(e) for e in entries)
                for blog, entries in (data.get("index") or {}).items()
            },
            stored_indexes={
                blog: StoredIndex.from_dict(stored)
                for blog, stored in (data.get("stored_indexes") or {}).items()
            },
        )


def field_diff(
    before: Mapping[str, Any], after: Mapping[str, Any], order: Sequence[str] | None = None
) -> tuple[FieldChange, ...]:
    """Fields whose values differ, in ``order`` (desired's key order by default).

    A published item without a date leaves the date to Shopify: any remote date matches.
    """
    keys = list(order or after.keys())
    changes = []
    for key in keys:
        if key == "publish_date" and after.get("is_published") and after.get(key) is None:
            continue
        if before.get(key) != after.get(key):
            changes.append(FieldChange(key, before.get(key), after.get(key)))
    return tuple(changes)


@dataclass(frozen=True)
class _Matching:
    """How desired items pair with remote ones (by desired index), and what is left."""

    matches: dict[int, RemoteItem]
    clashes: dict[int, RemoteItem]
    #: The desired handle is held by an article another file renames (or moves) away in
    #: this plan: written after it (``apply``), a clash if that write is not planned.
    waits: dict[int, RemoteItem]
    unmatched: list[RemoteItem]


def _match(
    desired: Sequence[DesiredItem],
    remote: Sequence[RemoteItem],
    options: PlanOptions,
) -> _Matching:
    """Pair desired items with remote ones.

    A clash is a remote item holding the desired handle that cannot be this file's: an
    unmanaged one (without ``adopt``), or one managed from another file that still exists
    and keeps that handle.
    """
    by_source: dict[str, RemoteItem] = {}
    for held in sorted(remote, key=lambda r: r.id):
        if held.source is not None:
            by_source.setdefault(held.source, held)
    by_handle = {(r.blog or "", r.handle): r for r in remote}
    desired_sources = {d.source for d in desired}
    used: set[str] = set()
    matches: dict[int, RemoteItem] = {}
    clashes: dict[int, RemoteItem] = {}
    # First pass: by source, so a renamed file keeps its article.
    for index, want in enumerate(desired):
        found = by_source.get(want.source)
        if found is not None and found.id not in used:
            matches[index] = found
            used.add(found.id)
    # Handles the files matched so far leave (a new handle, another blog): free once written.
    leaving = {
        found.id
        for index, found in matches.items()
        if (found.blog or "", found.handle) != (desired[index].blog or "", desired[index].handle)
    }
    waits: dict[int, RemoteItem] = {}
    # Second pass: by handle, for new files and moved files.
    for index, want in enumerate(desired):
        if index in matches:
            continue
        found = by_handle.get((want.blog or "", want.handle))
        if found is None:
            continue
        if found.id in leaving:
            waits[index] = found  # a create, once the article holding the handle left it
        elif found.id in used:
            clashes[index] = found
        elif found.managed:
            moved = found.source not in desired_sources and options.in_scope(found.source or "")
            if moved:
                matches[index] = found
                used.add(found.id)
            else:
                clashes[index] = found
        elif options.adopt:
            matches[index] = found
            used.add(found.id)
        else:
            clashes[index] = found
    # A target handle held by some other remote item: an update would fail with TAKEN.
    for index, want in enumerate(desired):
        match = matches.get(index)
        if match is None or match.handle == want.handle:
            continue
        holder = by_handle.get((want.blog or "", want.handle))
        if holder is not None and holder.id != match.id:
            if holder.id in leaving:
                waits[index] = holder
            else:
                clashes[index] = holder
    unmatched = [r for r in remote if r.id not in used]
    return _Matching(matches, clashes, waits, unmatched)


def _title(item: DesiredItem | RemoteItem) -> str | None:
    value = item.fields.get("title")
    return value if isinstance(value, str) else None


def _plan_one(
    item: DesiredItem,
    match: RemoteItem | None,
    clash: RemoteItem | None,
    order: Sequence[str],
    options: PlanOptions,
) -> PlanItem:
    base: dict[str, Any] = {
        "resource": item.resource,
        "handle": item.handle,
        "source": item.source,
        "blog": item.blog,
        "desired": item,
        "warnings": item.warnings,
        "title": _title(item) if item.fields else None,
    }
    if not item.ok:
        return PlanItem(
            kind="error",
            id=match.id if match else None,
            messages=item.errors,
            hints=item.hints,
            remote=match,
            **base,
        )
    if clash is not None:
        return _clash(item, clash, order, base)
    if match is None:
        return PlanItem(
            kind="create",
            diff=tuple(FieldChange(k, None, item.fields.get(k)) for k in order),
            **base,
        )
    return _against(item, match, order, options, base)


def _clash(
    item: DesiredItem, clash: RemoteItem, order: Sequence[str], base: dict[str, Any]
) -> PlanItem:
    """The file's handle is held by an item it may not write: a conflict that says whose."""
    if clash.managed:
        why = (
            f"handle {item.handle!r} is used by the {item.resource} shopsync manages "
            f"from {clash.source}"
        )
        hint = "give one of the files another handle"
    else:
        why = f"{a(item.resource)} with handle {item.handle!r} exists that shopsync does not manage"
        hint = "pass --adopt to take it over, or choose another handle"
    return PlanItem(
        kind="conflict",
        id=clash.id,
        diff=field_diff(clash.fields, item.fields, order),
        messages=(why,),
        hints=(hint,),
        remote=clash,
        **base,
    )


def _against(
    item: DesiredItem,
    match: RemoteItem,
    order: Sequence[str],
    options: PlanOptions,
    base: dict[str, Any],
) -> PlanItem:
    """The file against the store's copy of it: unchanged, an update, or an admin edit."""
    diff = field_diff(match.fields, item.fields, order)
    messages: list[str] = []
    if not match.managed:
        messages.append("adopts an item shopsync did not create (--adopt)")
    if match.source is not None and match.source != item.source:
        diff += (FieldChange(SOURCE_FIELD, match.source, item.source),)
    drifted = match.managed and match.drifted
    if drifted and diff:
        if not options.force:
            return PlanItem(
                kind="conflict",
                id=match.id,
                diff=diff,
                messages=(
                    "edited in the Shopify admin since shopsync last wrote it; "
                    "a push would overwrite those edits",
                ),
                hints=("copy the admin edits into the file, or pass --force to overwrite them",),
                remote=match,
                **base,
            )
        messages.append("overwrites edits made in the Shopify admin (--force)")
    diff = _what_to_write(item, match, diff, drifted)
    if not diff:
        return PlanItem(kind="unchanged", id=match.id, remote=match, **base)
    if item.resource == "article" and match.blog != item.blog:
        messages.append(
            f"moves from blog {match.blog!r}: its old URL is redirected to the new one "
            "(the token needs write_online_store_navigation)"
        )
    return PlanItem(
        kind="update",
        id=match.id,
        diff=diff,
        messages=tuple(messages),
        remote=match,
        redirect=match.handle != item.handle,
        **base,
    )


def _what_to_write(
    item: DesiredItem, match: RemoteItem, diff: tuple[FieldChange, ...], drifted: bool
) -> tuple[FieldChange, ...]:
    """The diff, less what is no change at all, plus the marks a write would refresh."""
    if not diff and drifted:
        # The admin edit made the store equal the files: only the fingerprint is stale.
        return (FieldChange(FINGERPRINT_FIELD, match.recorded_fingerprint, "(recomputed)"),)
    if not diff and not match.managed:
        return (FieldChange(SOURCE_FIELD, None, item.source),)
    if not diff and match.legacy_marks:
        # Marks an earlier release kept where anyone can edit them: moved by one write.
        return (FieldChange(MARKS_FIELD, LEGACY_NAMESPACE, OWNER_NAMESPACE),)
    if (
        diff
        and not drifted
        and match.managed
        and match.recorded_digest == content_digest(item.fields)
    ):
        # The store normalised what we sent; the files did not change since.
        return tuple(c for c in diff if c.field == SOURCE_FIELD)
    return diff


def _orphan(remote: RemoteItem, options: PlanOptions) -> PlanItem:
    base: dict[str, Any] = {
        "resource": remote.resource,
        "handle": remote.handle,
        "source": remote.source,
        "id": remote.id,
        "blog": remote.blog,
        "remote": remote,
        "title": _title(remote),
    }
    gone = f"{remote.source} no longer exists (or no longer names this {remote.resource})"
    hidden = not remote.fields.get("is_published") and remote.fields.get("publish_date") is None
    if options.prune is None:
        return PlanItem(
            kind="orphan",
            messages=(gone,),
            hints=("pass --prune to unpublish it (--prune=delete to delete it)",),
            **base,
        )
    if options.prune == "unpublish" and hidden:
        return PlanItem(kind="orphan", messages=(gone, "already unpublished"), **base)
    if options.prune == "delete" and remote.drifted and not options.force:
        return PlanItem(
            kind="conflict",
            messages=(gone, "edited in the Shopify admin since shopsync last wrote it"),
            hints=("pass --force to delete it anyway, or --prune to only unpublish it",),
            **base,
        )
    if options.prune == "unpublish":
        diff = (FieldChange("is_published", remote.fields.get("is_published"), False),)
        return PlanItem(kind="unpublish", messages=(gone,), diff=diff, **base)
    return PlanItem(kind="delete", messages=(gone,), **base)


def _plan_resource(
    desired: Sequence[DesiredItem],
    remote: Sequence[RemoteItem],
    order: Sequence[str],
    options: PlanOptions,
) -> list[PlanItem]:
    matching = _match(desired, remote, options)
    matches = matching.matches
    items = [
        _plan_one(d, matches.get(i), matching.clashes.get(i), order, options)
        for i, d in enumerate(desired)
    ]
    _hold_waits(desired, items, matching, order, options)
    claimed = {item.id for item in items if item.kind == "conflict"}
    for orphan in matching.unmatched:
        if orphan.managed and orphan.id not in claimed and options.in_scope(orphan.source or ""):
            items.append(_orphan(orphan, options))
    return items


def _hold_waits(
    desired: Sequence[DesiredItem],
    items: list[PlanItem],
    matching: _Matching,
    order: Sequence[str],
    options: PlanOptions,
) -> None:
    """A file waiting for a handle another article leaves is a clash after all when that
    article is not written (a conflict, an error). Files that wait for each other (a swap)
    within one blog are updates: the push parks one on a temporary handle first; a swap
    that also moves an article to another blog is a clash. In place, until nothing changes
    (chains)."""
    holder_of = {found.id: index for index, found in matching.matches.items()}
    changed = True
    while changed:
        changed = False
        for index, holder in matching.waits.items():
            if items[index].kind in ("conflict", "error"):
                continue
            other = holder_of.get(holder.id)
            seen = {index}
            while other is not None and other not in seen and other in matching.waits:
                seen.add(other)
                other = holder_of.get(matching.waits[other].id)
            moves = any(
                n in matching.matches and matching.matches[n].blog != desired[n].blog for n in seen
            )
            cycle = other is not None and other in seen and moves
            held = holder_of.get(holder.id)
            if cycle or held is None or items[held].kind != "update":
                want = desired[index]
                items[index] = _plan_one(want, matching.matches.get(index), holder, order, options)
                changed = True


def plan_image(upload: ImageUpload) -> PlanItem:
    """A local image: nothing to do when the store has its bytes, else an upload."""
    image, remote = upload.image, upload.remote
    common: dict[str, Any] = {
        "resource": "image",
        "handle": image.filename,
        "source": image.src,
        "upload": upload,
        "id": remote.id if remote is not None else None,
    }
    if upload.ready:
        return PlanItem(kind="unchanged", **common)
    if not upload.needs_upload:
        assert remote is not None
        note = f"uploaded earlier and still {remote.status}: push waits until it is READY"
        return PlanItem(kind="create", messages=(note,), **common)
    diff = (
        FieldChange("filename", None, image.filename),
        FieldChange("size", None, f"{image.size:,} bytes"),
        FieldChange("type", None, image.mime_type),
    )
    messages = ("an earlier upload of these bytes FAILED; uploading again",) if remote else ()
    return PlanItem(kind="create", diff=diff, messages=messages, **{**common, "id": None})


#: The type of the featured-products metafield (what ``inputs`` writes).
PRODUCT_LIST_TYPE = "list.product_reference"


def plan_definition(handle: str, found: RemoteDefinition | None) -> PlanItem | None:
    """The articles' featured-products metafield (``namespace.key``) needs a definition, so
    themes can use it as a dynamic source (Shopify cannot give values already written
    without one a definition later); one of another type is an error, the right one no item
    at all (it is the store's, not a file's)."""
    common: dict[str, Any] = {"resource": "definition", "handle": handle}
    if found is None:
        diff = (
            FieldChange("owner", None, "ARTICLE"),
            FieldChange("type", None, PRODUCT_LIST_TYPE),
        )
        return PlanItem(kind="create", diff=diff, **common)
    if found.type != PRODUCT_LIST_TYPE:
        return PlanItem(
            kind="error",
            id=found.id,
            messages=(
                f"the articles' {handle} metafield is defined as {found.type}; "
                f"shopsync writes featured products as {PRODUCT_LIST_TYPE}",
            ),
            hints=(
                "point SHOPSYNC_PRODUCT_METAFIELD elsewhere, or change the "
                "definition in the Shopify admin (Settings > Custom data > Blog posts)",
            ),
            **common,
        )
    return None


def make_plan(
    desired: DesiredState,
    remote: RemoteState,
    options: PlanOptions | None = None,
    *,
    article_fields: Iterable[str] | None = None,
    page_fields: Iterable[str] | None = None,
    definitions: Iterable[PlanItem] = (),
) -> Plan:
    """Compare and decide, item by item; the result is sorted definition, image, blog, page,
    article, then handle. ``definitions``: what ``plan_definition`` found to do."""
    options = options or PlanOptions()
    items: list[PlanItem] = [*definitions, *(plan_image(upload) for upload in desired.images)]
    for handle in desired.blogs:
        if handle not in remote.blogs:
            title = desired.blog_titles.get(handle) or handle.replace("-", " ").title()
            items.append(
                PlanItem(
                    kind="create",
                    resource="blog",
                    handle=handle,
                    title=title,
                    diff=(FieldChange("title", None, title), FieldChange("handle", None, handle)),
                )
            )
    items += _plan_resource(desired.pages, remote.pages, tuple(page_fields or PAGE_FIELDS), options)
    items += _plan_resource(
        desired.articles, remote.articles, tuple(article_fields or ARTICLE_FIELDS), options
    )
    items.sort(key=lambda item: item.sort_key)
    return Plan(
        items=tuple(items),
        options=options,
        blog_ids=dict(remote.blogs),
        stored_indexes=dict(remote.indexes),
    )
