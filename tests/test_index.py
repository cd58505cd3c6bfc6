"""The blog's index, pure: shards that round-trip, a ledger of files, and who is vouched for."""

from __future__ import annotations

import json

import pytest

from shopsync.admin.index import (
    INDEX_VERSION,
    SHARD_BYTES,
    IndexEntry,
    Signal,
    decide,
    decode,
    decode_files,
    encode,
    meta_hash,
    shard_keys,
)

META = meta_hash(None, None, [])


def entry(n: int, *, source: str | None = None, digest: str = "d" * 16) -> IndexEntry:
    return IndexEntry(
        f"gid://shopify/Article/{n}",
        "2026-06-01T09:00:00Z",
        digest,
        META,
        source if source is not None else f"articles/post-{n}.md",
        "i" * 16,
    )


def values(shards: list[str]) -> dict[str, str]:
    return dict(zip(shard_keys(len(shards)), shards, strict=True))


def test_entries_and_files_round_trip_through_the_shards() -> None:
    entries = [entry(n) for n in range(3)]
    files = {"kit-1cc9fa520956.png": "gid://shopify/MediaImage/9"}
    shards = encode(entries, files)
    assert len(shards) == 1
    assert decode(values(shards)) == {e.id: e for e in entries}
    assert decode_files(values(shards)) == files


def test_a_big_blog_is_split_into_shards_each_under_the_limit() -> None:
    entries = [entry(n, source=f"articles/{'long-name-' * 8}{n}.md") for n in range(3000)]
    shards = encode(entries, {"a.png": "gid://shopify/MediaImage/1"})
    assert len(shards) > 1
    assert all(len(shard.encode()) <= SHARD_BYTES for shard in shards)
    assert len(decode(values(shards))) == 3000
    assert decode_files(values(shards)) == {"a.png": "gid://shopify/MediaImage/1"}


def test_files_alone_still_make_a_shard_and_nothing_makes_none() -> None:
    assert encode([]) == []
    (shard,) = encode([], {"a.png": "gid://shopify/MediaImage/1"})
    assert decode(values([shard])) == {}
    assert decode_files(values([shard])) == {"a.png": "gid://shopify/MediaImage/1"}


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        json.dumps({"v": INDEX_VERSION - 1, "a": {}}),
        json.dumps([1, 2]),
        json.dumps({"v": INDEX_VERSION, "a": {"1": ["x", "d", "m", None]}}),  # a column short
        json.dumps({"v": INDEX_VERSION, "a": {"1": [1, "d", "m", None, "i"]}}),
    ],
)
def test_one_unreadable_shard_drops_the_whole_index(value: str) -> None:
    good = encode([entry(1)], {"a.png": "gid://shopify/MediaImage/1"})[0]
    assert decode({"index_0": good, "index_1": value}) == {}


def test_an_unreadable_ledger_drops_only_the_files() -> None:
    shard = json.loads(encode([entry(1)])[0])
    shard["f"] = {"a.png": 7}
    assert decode_files({"index_0": json.dumps(shard)}) == {}
    assert len(decode({"index_0": json.dumps(shard)})) == 1


def signal(n: int, *, handle: str | None = None, updated: str = "2026-06-01T09:00:00Z") -> Signal:
    return Signal(f"gid://shopify/Article/{n}", handle or f"post-{n}", updated, META)


def test_an_untouched_article_whose_file_wants_the_same_is_vouched_for() -> None:
    index = {e.id: e for e in [entry(1), entry(2)]}
    reads = decide(
        [signal(1), signal(2, updated="2026-06-02T10:00:00Z"), signal(3)],
        index,
        wanted={"articles/post-1.md": "d" * 16, "articles/post-2.md": "d" * 16},
        wanted_handles=frozenset({"post-1", "post-2"}),
        adopt=False,
    )
    assert [s.id for s, _e in reads.vouched] == ["gid://shopify/Article/1"]
    # Edited since (updatedAt) and unknown to the index: read in full.
    assert reads.to_read == ("gid://shopify/Article/2", "gid://shopify/Article/3")


def test_a_changed_file_an_orphan_and_a_claimed_handle_are_read() -> None:
    unmanaged = IndexEntry("gid://shopify/Article/3", "2026-06-01T09:00:00Z", "", META, None)
    index = {e.id: e for e in [entry(1), entry(2), unmanaged]}
    reads = decide(
        [signal(1), signal(2), signal(3, handle="wanted")],
        index,
        wanted={"articles/post-1.md": "e" * 16},  # post-1 changed; post-2's file is gone
        wanted_handles=frozenset({"post-1", "wanted"}),
        adopt=False,
    )
    assert reads.vouched == ()
    assert len(reads.to_read) == 3


def test_an_orphan_outside_the_plans_paths_is_none_of_its_business() -> None:
    reads = decide(
        [signal(2)],
        {entry(2).id: entry(2)},
        wanted={},
        wanted_handles=frozenset(),
        adopt=False,
        in_scope=lambda source: source.startswith("articles/other/"),
    )
    assert [s.id for s, _e in reads.vouched] == ["gid://shopify/Article/2"]
