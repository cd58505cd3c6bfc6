"""Saved plans: ``plan --out FILE`` writes one, ``push FILE`` applies exactly it.

A saved plan is what someone reviewed. Between the review and the push the store or the
files may change (an admin edit, another merge), so the push plans again and applies a
saved write only where the new plan would do the very same thing against the very same
store state; every other item is refused, item by item, with the reason, as Terraform
refuses a stale plan. Writes the new plan has and the saved one has not are never made:
nobody reviewed them. Pure: the caller makes the new plan and applies the result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from shopsync.errors import SavedPlanError
from shopsync.plan import Plan, PlanItem
from shopsync.vocabulary import stable_hash

SAVED_FORMAT = "shopsync-saved-plan"
SAVED_VERSION = 1


@dataclass(frozen=True)
class SavedPlan:
    """A plan with what it was made for: the store, its API version and the default blog."""

    plan: Plan
    store: str
    api_version: str
    blog: str
    created: str  # ISO 8601, UTC

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SAVED_FORMAT,
            "version": SAVED_VERSION,
            "created": self.created,
            "store": self.store,
            "api_version": self.api_version,
            "blog": self.blog,
            "plan": self.plan.to_dict(),
        }

    def dumps(self) -> str:
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, root: Path) -> SavedPlan:
        if data.get("format") != SAVED_FORMAT or data.get("version") != SAVED_VERSION:
            raise SavedPlanError(
                f"not a saved shopsync plan of version {SAVED_VERSION} "
                f"(format {data.get('format')!r}, version {data.get('version')!r})",
                hint="save the plan again with this shopsync: shopsync plan --out FILE",
            )
        return cls(
            plan=Plan.from_dict(data["plan"], root=root),
            store=str(data["store"]),
            api_version=str(data["api_version"]),
            blog=str(data["blog"]),
            created=str(data["created"]),
        )


def read_saved(path: Path, *, root: Path) -> SavedPlan:
    """The saved plan in ``path``; anything else is a ``SavedPlanError`` naming the file."""
    shown = path.as_posix()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SavedPlanError(
            f"{shown} does not exist", hint="save one with shopsync plan --out FILE"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SavedPlanError(
            f"{shown} is not a saved plan ({type(exc).__name__}: {exc})".splitlines()[0],
            hint="save one with shopsync plan --out FILE",
        ) from None
    if not isinstance(data, dict):
        raise SavedPlanError(f"{shown} is not a saved plan (not a JSON object)")
    try:
        return SavedPlan.from_dict(data, root=root)
    except (KeyError, TypeError, ValueError) as exc:
        raise SavedPlanError(
            f"{shown} is damaged: {type(exc).__name__}: {exc}".splitlines()[0],
            hint="save the plan again: shopsync plan --out FILE",
        ) from None


@dataclass(frozen=True)
class Refused:
    """A write the push will not make, and why (the saved item, or the new plan's)."""

    item: PlanItem
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.item.kind,
            "resource": self.item.resource,
            "blog": self.item.blog,
            "handle": self.item.handle,
            "label": self.item.label,
            "reason": self.reason,
        }


def reconcile(saved: Plan, current: Plan) -> tuple[Plan, tuple[Refused, ...]]:
    """``current`` keeping only the writes that ``saved`` reviewed, each still the same.

    A saved write is kept when the new plan has the same item (resource, blog, handle) of the
    same kind, made from the same files against the same store state; it is then applied
    as the new plan has it (fresh ids). Everything the new plan does not write stays, so the
    push can report it and keep the blog's index.
    """
    now = {item.key: item for item in current.items}
    kept: list[PlanItem] = []
    refused: list[Refused] = []
    reviewed = set()
    for item in saved.items:
        if not item.writes:
            continue
        key = item.key
        reviewed.add(key)
        again = now.get(key)
        reason = _changed(item, again)
        if reason is None and again is not None:
            kept.append(again)
        else:
            refused.append(Refused(item, reason or "no longer planned"))
    for item in current.items:
        if item.writes and item.key not in reviewed:
            refused.append(
                Refused(item, f"not in the saved plan ({item.kind} now): plan again to review it")
            )
    quiet = [item for item in current.items if not item.writes]
    items = tuple(sorted([*kept, *quiet], key=lambda i: i.sort_key))
    return replace(current, items=items), tuple(refused)


def _changed(saved: PlanItem, now: PlanItem | None) -> str | None:
    """Why ``now`` is not the write that was reviewed, or None when it is."""
    if now is None:
        return "nothing to do now: the store or the files already changed"
    if _state(saved.remote) != _state(now.remote):
        edited = " (now a conflict: edited in the admin)" if now.kind == "conflict" else ""
        return f"the store changed since the plan was made{edited}: plan again"
    if _made_from(saved) != _made_from(now):
        return "the files changed since the plan was made: plan again"
    if now.kind != saved.kind:
        return f"now planned as {now.kind}, not {saved.kind}: plan again"
    return None


def _state(remote: Any) -> int | None:
    return None if remote is None else stable_hash(remote.to_dict())


def _made_from(item: PlanItem) -> Any:
    """What the write was made from: an article's inputs digest (file, products, images,
    renderer; not the uploaded image URLs, which a half-done push may have filled in),
    else the fields themselves."""
    desired = item.desired
    if desired is None:
        return None
    return desired.inputs or stable_hash(dict(desired.fields))
