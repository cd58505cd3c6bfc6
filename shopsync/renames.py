"""Renamed files: which store item a file that looks new really is. Pure.

A file renamed in git gets a new handle from its new name, so neither its source mark nor
its handle pairs it with the store's article: the plan would create a second one and leave
the first an orphan, live, with no redirect. The planner pairs them instead when the file
says so (``previous_handles``, see ``plan``), or when their content does: a would-be create
and an orphan (managed, its file gone) of the same blog with the same title and nearly the
same body (``SIMILAR``), each the other's only candidate. Anything less certain stays a
create and an orphan, with a hint to say which in ``previous_handles``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shopsync.admin.remote import RemoteItem
from shopsync.desired import DesiredItem

#: How alike two bodies must be (difflib's ratio over their words) to be one article's.
SIMILAR = 0.9
_WORD = re.compile(r"\S+")


def url_path(resource: str, blog: str | None, handle: str) -> str:
    """Where the storefront shows the item: what a redirect goes from and to."""
    if resource == "page":
        return f"/pages/{handle}"
    return f"/blogs/{blog}/{handle}"


def likeness(before: str | None, after: str | None) -> float:
    """How alike two bodies are, 0 to 1: difflib's ratio over words (over characters a long
    body costs seconds), its cheap upper bounds first."""
    if before == after:
        return 1.0
    if before is None or after is None:
        return 0.0
    matcher = difflib.SequenceMatcher(None, _WORD.findall(before), _WORD.findall(after))
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def same_content(want: DesiredItem, held: RemoteItem) -> float | None:
    """How alike the bodies are when ``want`` may be ``held`` renamed (same blog, same title,
    bodies at least ``SIMILAR`` alike), else None. A file left unrendered has no body to
    compare: never the same."""
    if want.blog != held.blog or not want.ok or "body_html" not in want.fields:
        return None
    title = want.fields.get("title")
    if not isinstance(title, str) or title != held.fields.get("title"):
        return None
    before, after = held.fields.get("body_html"), want.fields.get("body_html")
    if not isinstance(before, str) or not isinstance(after, str):
        return None
    ratio = likeness(before, after)
    return ratio if ratio >= SIMILAR else None


@dataclass(frozen=True)
class ContentPairs:
    """What content says: sure pairs (desired index → orphan, likeness), and the ambiguous
    candidates of each side (desired index → orphans; orphan id → desired indexes)."""

    pairs: Mapping[int, tuple[RemoteItem, float]]
    unsure: Mapping[int, tuple[RemoteItem, ...]]
    unsure_orphans: Mapping[str, tuple[int, ...]]


def pair_by_content(
    creates: Mapping[int, DesiredItem], orphans: Sequence[RemoteItem]
) -> ContentPairs:
    """Each would-be create with the orphan it is, when each is the other's one candidate."""
    found: dict[tuple[int, str], float] = {}
    for index, want in creates.items():
        for held in orphans:
            ratio = same_content(want, held)
            if ratio is not None:
                found[(index, held.id)] = ratio
    by_index: dict[int, list[RemoteItem]] = {}
    by_orphan: dict[str, list[int]] = {}
    held_by_id = {held.id: held for held in orphans}
    for index, held_id in sorted(found):
        by_index.setdefault(index, []).append(held_by_id[held_id])
        by_orphan.setdefault(held_id, []).append(index)
    pairs: dict[int, tuple[RemoteItem, float]] = {}
    unsure: dict[int, tuple[RemoteItem, ...]] = {}
    unsure_orphans: dict[str, tuple[int, ...]] = {}
    for index, candidates in by_index.items():
        only = candidates[0]
        if len(candidates) == 1 and by_orphan[only.id] == [index]:
            pairs[index] = (only, found[(index, only.id)])
            continue
        unsure[index] = tuple(candidates)
        for held in candidates:
            unsure_orphans[held.id] = tuple(by_orphan[held.id])
    return ContentPairs(pairs=pairs, unsure=unsure, unsure_orphans=unsure_orphans)
