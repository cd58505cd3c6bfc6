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
from collections import Counter
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
    body costs seconds), or 0 when a cheap upper bound of it is already below ``SIMILAR``.
    Measured: two 10 KB bodies 2 ms; two 460 KB ones (near Shopify's limit) 2 s alike, up to
    6 s for the same words shuffled; only bodies under one title are ever compared."""
    if before == after:
        return 1.0
    if before is None or after is None:
        return 0.0
    matcher = difflib.SequenceMatcher(None, _WORD.findall(before), _WORD.findall(after))
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def same_title(want: DesiredItem, held: RemoteItem) -> bool:
    """Of one blog with one title: what may be a rename, and is worth comparing bodies for."""
    title = want.fields.get("title")
    return (
        want.blog == held.blog
        and want.ok
        and isinstance(title, str)
        and title == held.fields.get("title")
    )


def same_content(want: DesiredItem, held: RemoteItem) -> float | None:
    """How alike the bodies are when ``want`` may be ``held`` renamed (same blog, same title,
    bodies at least ``SIMILAR`` alike), else None. A file left unrendered has no body to
    compare: never the same."""
    if not same_title(want, held):
        return None
    before, after = held.fields.get("body_html"), want.fields.get("body_html")
    if not isinstance(before, str) or not isinstance(after, str):
        return None
    ratio = likeness(before, after)
    return ratio if ratio >= SIMILAR else None


@dataclass(frozen=True)
class ContentPairs:
    """What content says: sure pairs (desired index → orphan, likeness), and the candidates
    left unsure on each side (desired index → orphans; orphan id → desired indexes): more
    than one alike, or of the same title only."""

    pairs: Mapping[int, tuple[RemoteItem, float]]
    unsure: Mapping[int, tuple[RemoteItem, ...]]
    unsure_orphans: Mapping[str, tuple[int, ...]]


def pair_by_content(
    creates: Mapping[int, DesiredItem], orphans: Sequence[RemoteItem]
) -> ContentPairs:
    """Each would-be create with the orphan it is, when each is the other's one candidate."""
    alike: dict[tuple[int, str], float] = {}
    titled: set[tuple[int, str]] = set()
    for index, want in creates.items():
        for held in orphans:
            if not same_title(want, held):
                continue
            titled.add((index, held.id))
            ratio = same_content(want, held)
            if ratio is not None:
                alike[(index, held.id)] = ratio
    held_by_id = {held.id: held for held in orphans}
    per_create = Counter(index for index, _held in alike)
    per_orphan = Counter(held_id for _index, held_id in alike)
    pairs = {
        index: (held_by_id[held_id], ratio)
        for (index, held_id), ratio in alike.items()
        if per_create[index] == 1 and per_orphan[held_id] == 1
    }
    paired = {held.id for held, _ratio in pairs.values()}
    unsure: dict[int, list[RemoteItem]] = {}
    unsure_orphans: dict[str, list[int]] = {}
    for index, held_id in sorted(titled):
        if index in pairs or held_id in paired:
            continue
        unsure.setdefault(index, []).append(held_by_id[held_id])
        unsure_orphans.setdefault(held_id, []).append(index)
    return ContentPairs(
        pairs=pairs,
        unsure={k: tuple(v) for k, v in unsure.items()},
        unsure_orphans={k: tuple(v) for k, v in unsure_orphans.items()},
    )
