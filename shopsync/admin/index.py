"""The blog's index of what shopsync last wrote: how a plan avoids downloading every body.

A push records, per article of a blog, the ``updatedAt`` the store gave its write, a digest
of the canonical fields written, a hash of the metafields an admin can edit without
touching the article (SEO, featured products), the file it came from, and a digest of the
inputs the fields were rendered from (so an untouched article whose file and products did
not change is not even rendered: see ``desired.DesiredItem``). It lives in JSON
metafields on the blog (``$app:shopsync.index_0``, ``index_1``... each under Shopify's 128 KB
limit for a JSON value). The next plan lists the blog's articles cheaply (id, handle,
updatedAt, those metafields) and downloads in full only what the index cannot vouch for.

The index is only ever an optimisation, never the truth: an entry is trusted only when the
article is untouched since (same ``updatedAt``, same metafield values) *and* the files still
want exactly what was written (same digest); anything else is read in full and compared as
before, with the ownership marks on the article itself. A missing, stale, foreign or garbled
index costs reads, never correctness. Entries are recorded only for articles whose stored
state was verified to be what shopsync wrote (never for an admin-edited one, so a conflict
stays a conflict), and only from a read made in a later second than the article's last
write, since ``updatedAt`` has whole seconds and an edit in that same second would keep it:
the push re-reads what it wrote a second later (its own clock), and a plan records what it
read in full only if its ``updatedAt`` is before the store's clock (the ``Date`` of an answer
received before the read was sent). What was written in the last second is read again next
time.

Pure: no HTTP (``remote`` reads, ``apply`` writes).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

INDEX_NAMESPACE = "$app:shopsync"  # marks.OWNER_NAMESPACE: only this app reads or writes it
INDEX_KEY_PREFIX = "index_"
INDEX_VERSION = 2
#: Bytes of JSON per metafield: under Shopify's 128 KB (131,072) limit for a json value.
SHARD_BYTES = 120_000
#: Shards one metafieldsSet can write (it takes at most 25 metafields): ~25,000 articles.
MAX_SHARDS = 25


@dataclass(frozen=True)
class IndexEntry:
    """What shopsync knows of one article since its last verified write (or sighting)."""

    id: str  # the article's GID
    updated_at: str
    digest: str  # short digest of the content digest written ("" for unmanaged)
    meta: str  # hash of the admin-editable metafields' values
    source: str | None  # the file it is managed from; None: seen, not managed
    inputs: str = ""  # digest of what the fields were rendered from ("": unknown)

    def row(self) -> list[Any]:
        return [self.updated_at, self.digest, self.meta, self.source, self.inputs]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "row": self.row()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IndexEntry:
        updated_at, digest, meta, source, inputs = data["row"]
        return cls(str(data["id"]), str(updated_at), str(digest), str(meta), source, str(inputs))


@dataclass(frozen=True)
class Signal:
    """One article as the cheap scan sees it."""

    id: str
    handle: str
    updated_at: str
    meta: str


def meta_hash(
    seo_title: str | None, seo_description: str | None, featured_products: Sequence[str]
) -> str:
    """The admin-editable metafields, by value, the same whether read back or about to be sent."""
    text = json.dumps([seo_title, seo_description, list(featured_products)], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _numeric(gid: str) -> str:
    return gid.rsplit("/", 1)[-1]


def encode(entries: Iterable[IndexEntry], files: Mapping[str, str] | None = None) -> list[str]:
    """JSON values for the shards, in order, each under SHARD_BYTES; [] for nothing at all.

    ``files`` (store filename -> file GID, the images the blog's articles show) go in the
    first shard: a plan finds them by id, since the search for them by name lags uploads.
    """
    rows = sorted(entries, key=lambda e: int(_numeric(e.id)) if _numeric(e.id).isdigit() else 0)
    ledger = dict(sorted((files or {}).items()))
    shards: list[str] = []
    current: dict[str, list[Any]] = {}
    size = len(json.dumps(ledger, ensure_ascii=False).encode("utf-8"))
    for entry in rows:
        item = json.dumps({_numeric(entry.id): entry.row()}, ensure_ascii=False)
        if current and size + len(item.encode("utf-8")) + 32 > SHARD_BYTES:
            shards.append(_shard(current))
            current, size = {}, 0
        current[_numeric(entry.id)] = entry.row()
        size += len(item.encode("utf-8"))
    if current or (ledger and not shards):
        shards.append(_shard(current))
    if ledger:
        shards[0] = _shard(json.loads(shards[0])["a"], ledger)
    return shards


def _shard(rows: Mapping[str, list[Any]], files: Mapping[str, str] | None = None) -> str:
    data: dict[str, Any] = {"v": INDEX_VERSION, "a": rows}
    if files:
        data["f"] = files
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode_files(values: Mapping[str, str]) -> dict[str, str]:
    """The files ledger (filename -> GID) of the blog's ``index_*`` values; {} if unreadable."""
    files: dict[str, str] = {}
    for key, value in values.items():
        if not key.startswith(INDEX_KEY_PREFIX):
            continue
        try:
            data = json.loads(value)
        except ValueError:
            return {}
        if not isinstance(data, dict) or data.get("v") != INDEX_VERSION:
            return {}
        ledger = data.get("f", {})
        if not isinstance(ledger, dict):
            return {}
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in ledger.items()):
            return {}
        files |= ledger
    return files


def decode(values: Mapping[str, str], *, kind: str = "Article") -> dict[str, IndexEntry]:
    """Entries by GID from the blog's ``index_*`` metafield values; {} when any is unreadable.

    A partial index is worse than none (an entry missing would only cost a read, but a shard
    of another version may mean anything), so one bad shard drops them all.
    """
    entries: dict[str, IndexEntry] = {}
    for key, value in values.items():
        if not key.startswith(INDEX_KEY_PREFIX):
            continue
        try:
            data = json.loads(value)
            if not isinstance(data, dict) or data.get("v") != INDEX_VERSION:
                return {}
            for number, row in dict(data["a"]).items():
                updated_at, digest, meta, source, inputs = row
                if not all(isinstance(x, str) for x in (updated_at, digest, meta, inputs)):
                    return {}
                if source is not None and not isinstance(source, str):
                    return {}
                gid = f"gid://shopify/{kind}/{int(number)}"
                entries[gid] = IndexEntry(gid, updated_at, digest, meta, source, inputs)
        except (ValueError, TypeError, KeyError):
            return {}
    return entries


def shard_keys(count: int) -> list[str]:
    return [f"{INDEX_KEY_PREFIX}{n}" for n in range(count)]


def untouched(signal: Signal, entry: IndexEntry | None) -> bool:
    """The article is as the index last saw it (no edit since, not even of its SEO)."""
    return entry is not None and entry.updated_at == signal.updated_at and entry.meta == signal.meta


@dataclass(frozen=True)
class Reads:
    """The outcome of comparing a scan with the index: who is vouched for, who must be read."""

    vouched: tuple[tuple[Signal, IndexEntry], ...]  # untouched, and nothing to decide
    to_read: tuple[str, ...]  # GIDs to download in full


def decide(
    signals: Sequence[Signal],
    index: Mapping[str, IndexEntry],
    *,
    wanted: Mapping[str, str],
    wanted_handles: frozenset[str],
    adopt: bool,
    in_scope: Callable[[str], bool] = lambda _source: True,
) -> Reads:
    """Which articles the plan can take from the index, and which it must read in full.

    ``wanted`` maps each file that wants an article of this blog to the short digest of what it
    wants; ``wanted_handles`` are the handles those files want. An untouched article is vouched
    for when the file it is managed from still wants exactly what was written, or when it is
    not managed and no file wants its handle (unless ``adopt``). Everything else is read: an
    edited article, one the index does not know, a file that changed, a handle claimed by
    another file, an orphan (managed from a file no longer there, inside ``in_scope``; one
    outside it is none of this plan's business and is vouched for as it is).
    """
    vouched: list[tuple[Signal, IndexEntry]] = []
    to_read: list[str] = []
    for signal in signals:
        entry = index.get(signal.id)
        if entry is None or not untouched(signal, entry):
            to_read.append(signal.id)
        elif entry.source is None:
            if adopt or signal.handle in wanted_handles:
                to_read.append(signal.id)
            else:
                vouched.append((signal, entry))
        elif wanted.get(entry.source) == entry.digest or (
            entry.source not in wanted and not in_scope(entry.source)
        ):
            vouched.append((signal, entry))
        else:
            to_read.append(signal.id)
    return Reads(vouched=tuple(vouched), to_read=tuple(to_read))
