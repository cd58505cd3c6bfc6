"""Desired state + remote state → a Plan. Pure: no I/O, deterministic order.

Matching: an article/page is the same item when its ``shopsync.source`` names the same
file (so a renamed handle is an update with a redirect, not delete + create), else when
the handle matches. The store's copy is trusted only as far as its digest says: a managed
item whose content no longer hashes to the digest shopsync wrote was edited in the admin,
and is a conflict unless ``force``. Unmanaged items are never touched unless ``adopt``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
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
from shopsync.renames import pair_by_content
from shopsync.vocabulary import (
    ARTICLE_FIELDS,
    PAGE_FIELDS,
    SHOPIFY_PAGES,
    a,
    content_digest,
    stable_hash,
)

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
    #: A conflict: the fields shopsync last wrote (``marks.WRITTEN_KEY``), when the store kept
    #: them; the admin's edit is the difference between these and ``remote``.
    written: Mapping[str, Any] | None = None

    def __hash__(self) -> int:
        return stable_hash(self.to_dict())

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        return (RESOURCE_ORDER[self.resource], self.blog or "", self.handle, self.source or "")

    @property
    def key(self) -> tuple[str, str, str]:
        """(resource, blog, handle): the same item in another plan of the same files."""
        return (self.resource, self.blog or "", self.handle)

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
            "written": dict(self.written) if self.written is not None else None,
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
            written=dict(data["written"]) if data.get("written") is not None else None,
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
    #: Claim findings reviewed and suppressed in the files, with reasons (``checks``):
    #: shown with the plan so a reviewer sees what was let through, and why.
    reviewed: tuple[Mapping[str, Any], ...] = ()

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
            "reviewed": [dict(finding) for finding in self.reviewed],
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
            reviewed=tuple(dict(f) for f in data.get("reviewed") or ()),
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


def shopify_own(remote: RemoteItem) -> bool:
    """One of the pages Shopify itself keeps (``SHOPIFY_PAGES``), not one shopsync made: it
    is never adopted, overwritten or pulled, whatever the options."""
    return remote.resource == "page" and not remote.managed and remote.handle in SHOPIFY_PAGES


@dataclass
class _Matching:
    """What ``_match`` decided: per desired index its store item, or the item whose handle it
    may not take, or why it is held back; the remote items left over; and the words for
    the plan (why a rename was paired, what to say of one it could not be sure of)."""

    matches: dict[int, RemoteItem] = field(default_factory=dict)
    clashes: dict[int, RemoteItem] = field(default_factory=dict)
    held: dict[int, tuple[RemoteItem, str, str]] = field(default_factory=dict)
    #: The desired handle is held by an article another file renames (or moves) away in
    #: this plan: written after it (``apply``), a clash if that write is not planned.
    waits: dict[int, RemoteItem] = field(default_factory=dict)
    unmatched: list[RemoteItem] = field(default_factory=list)
    notes: dict[int, tuple[str, ...]] = field(default_factory=dict)
    hints: dict[int, tuple[str, ...]] = field(default_factory=dict)
    orphan_hints: dict[str, tuple[str, ...]] = field(default_factory=dict)


class _Matcher:
    """The passes of ``_match``, over what they share: what is taken, and where to look."""

    def __init__(
        self, desired: Sequence[DesiredItem], remote: Sequence[RemoteItem], options: PlanOptions
    ) -> None:
        self.desired, self.remote, self.options = desired, remote, options
        self.by_source: dict[str, RemoteItem] = {}
        for found in sorted(remote, key=lambda r: r.id):
            if found.source is not None:
                self.by_source.setdefault(found.source, found)
        self.by_handle = {(r.blog or "", r.handle): r for r in remote}
        self.sources = {d.source for d in desired}
        self.used: set[str] = set()
        self.done = _Matching()

    def gone(self, found: RemoteItem) -> bool:
        """Managed from a file this plan covers and does not have: free to be paired."""
        return (
            found.managed
            and found.source not in self.sources
            and self.options.in_scope(found.source or "")
        )

    def take(self, index: int, found: RemoteItem) -> None:
        self.done.matches[index] = found
        self.used.add(found.id)

    def open(self) -> Iterator[tuple[int, DesiredItem]]:
        """The desired items not decided yet."""
        done = self.done
        for index, want in enumerate(self.desired):
            decided = (done.matches, done.clashes, done.held, done.waits)
            if not any(index in table for table in decided):
                yield index, want

    def leaving(self) -> set[str]:
        """Items matched so far whose handle (or blog) their file changes: the handle is free
        once that write has landed."""
        return {
            found.id
            for index, found in self.done.matches.items()
            if (found.blog or "", found.handle)
            != (self.desired[index].blog or "", self.desired[index].handle)
        }

    def by_file(self) -> None:
        """By source mark: a file whose handle changed keeps its item."""
        for index, want in self.open():
            found = self.by_source.get(want.source)
            if found is not None and found.id not in self.used:
                self.take(index, found)

    def by_previous_handles(self) -> None:
        """The item named by one of the file's ``previous_handles``, managed and its file
        gone. One managed from a file outside the plan's paths may still have its file: the
        desired item is held back until a plan covers both."""
        for index, want in self.open():
            for old in want.previous_handles:
                found = self.by_handle.get((want.blog or "", old))
                if found is None or found.id in self.used or not found.managed:
                    continue
                if self.gone(found):
                    self.take(index, found)
                    self.done.notes[index] = (
                        f"taken for {old!r} renamed: previous_handles names it, and its file "
                        f"{found.source} is gone",
                    )
                    break
                if found.source not in self.sources:
                    self.done.held[index] = (
                        found,
                        f"previous handle {old!r} is the {want.resource} shopsync manages "
                        f"from {found.source}, a file this plan does not cover",
                        "plan the whole articles directory (or both files) so the rename "
                        "is seen whole",
                    )
                    break

    def by_handle_alone(self) -> None:
        """By handle: new files, and moved ones keeping an explicit handle."""
        leaving = self.leaving()
        for index, want in self.open():
            found = self.by_handle.get((want.blog or "", want.handle))
            if found is None:
                continue
            if found.id in leaving:
                self.done.waits[index] = found  # a create, once the holder has left it
                continue
            adoptable = not found.managed and self.options.adopt and not shopify_own(found)
            if found.id not in self.used and (self.gone(found) or adoptable):
                self.take(index, found)
            else:
                self.done.clashes[index] = found

    def by_content(self) -> None:
        """A file that would be new and an orphan with one item's content (``renames``)."""
        creates = {i: want for i, want in self.open() if want.ok}
        orphans = [r for r in self.remote if r.id not in self.used and self.gone(r)]
        if not creates or not orphans:
            return
        found = pair_by_content(creates, orphans)
        for index, (held, ratio) in found.pairs.items():
            self.take(index, held)
            self.done.notes[index] = (
                f"taken for {held.handle!r} renamed: its file {held.source} is gone, and this "
                f"one has the same title and a body {ratio:.0%} alike",
            )
        for index, candidates in found.unsure.items():
            which = " or ".join(f"{c.handle!r} ({c.source})" for c in candidates)
            resource = candidates[0].resource
            self.done.hints[index] = (
                f"it may be {which} renamed (the same title): to keep that {resource}, "
                "name its handle in this file's previous_handles",
            )
        for held_id, indexes in found.unsure_orphans.items():
            files = " or ".join(self.desired[i].source for i in indexes)
            held = next(r for r in orphans if r.id == held_id)
            self.done.orphan_hints[held_id] = (
                f"if {files} is this {held.resource} renamed, add "
                f"previous_handles: [{held.handle}] to it",
            )

    def taken_handles(self) -> None:
        """A target handle held by another remote item: an update would fail with TAKEN. An
        article moving to another blog under the same handle needs it free in that blog; one
        another file's rename frees is waited for instead."""
        leaving = self.leaving()
        for index, want in enumerate(self.desired):
            match = self.done.matches.get(index)
            if match is None or (match.blog or "", match.handle) == (want.blog or "", want.handle):
                continue
            holder = self.by_handle.get((want.blog or "", want.handle))
            if holder is not None and holder.id != match.id:
                if holder.id in leaving:
                    self.done.waits[index] = holder
                else:
                    self.done.clashes[index] = holder


def _match(
    desired: Sequence[DesiredItem],
    remote: Sequence[RemoteItem],
    options: PlanOptions,
) -> _Matching:
    """Pair desired items with remote ones: by source mark, by ``previous_handles``, by
    handle, by content (see ``_Matcher``), in that order.

    A clash is a remote item holding the desired handle that cannot be this file's: an
    unmanaged one (without ``adopt``), or one managed from another file that still exists
    and keeps that handle.
    """
    matcher = _Matcher(desired, remote, options)
    matcher.by_file()
    matcher.by_previous_handles()
    matcher.by_handle_alone()
    matcher.by_content()
    matcher.taken_handles()
    matcher.done.unmatched = [r for r in remote if r.id not in matcher.used]
    return matcher.done


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
    """The file's handle is held by an item it may not write: a conflict that says whose
    (an error when the holder is one of Shopify's own pages: no option lets it be taken)."""
    if shopify_own(clash):
        return PlanItem(
            kind="error",
            id=clash.id,
            messages=(
                f"the store's page {clash.handle!r} ({_title(clash)!r}) is Shopify's own, "
                f"the {SHOPIFY_PAGES[clash.handle]} it creates in every store: shopsync never "
                "adopts or overwrites it, not even with --adopt",
            ),
            hints=(
                "choose another handle for this page (a handle: key in its front matter, "
                "or another file name); edit Shopify's page in the Shopify admin",
            ),
            remote=clash,
            **base,
        )
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
    found = _match(desired, remote, options)
    items = []
    for index, want in enumerate(desired):
        held = found.held.get(index)
        if held is not None and want.ok:
            items.append(_held(want, *held))
            continue
        item = _plan_one(want, found.matches.get(index), found.clashes.get(index), order, options)
        notes, hints = found.notes.get(index, ()), found.hints.get(index, ())
        if notes or hints:
            item = replace(item, messages=(*item.messages, *notes), hints=(*item.hints, *hints))
        items.append(item)
    _hold_waits(desired, items, found, order, options)
    claimed = {item.id for item in items if item.kind == "conflict"}
    for orphan in found.unmatched:
        if orphan.managed and orphan.id not in claimed and options.in_scope(orphan.source or ""):
            item = _orphan(orphan, options)
            hints = found.orphan_hints.get(orphan.id, ())
            items.append(replace(item, hints=(*item.hints, *hints)) if hints else item)
    return items


def _held(item: DesiredItem, held: RemoteItem, why: str, hint: str) -> PlanItem:
    """A file held back: what it asks for cannot be decided from this plan alone. (The store
    item is named by its id only: outside the plan, its fields were not read.)"""
    return PlanItem(
        kind="conflict",
        resource=item.resource,
        handle=item.handle,
        source=item.source,
        blog=item.blog,
        id=held.id,
        desired=item,
        title=_title(item),
        warnings=item.warnings,
        messages=(why,),
        hints=(hint,),
    )


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
