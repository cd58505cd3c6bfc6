"""The blog's index end to end: it is used, and it never hides a change.

A no-change plan downloads no article (``SyncArticlesRead``) when the blog's index vouches for
every one; whatever happened in the admin since (an article deleted, another created under
its handle, an SEO metafield set without touching the article, a body edited, the index
itself damaged, an edit in the very second of shopsync's own write) the next plan still sees
it, and a push without ``--force``/``--adopt`` leaves it as it is.

Every test starts from ``indexed``: the files pushed, a second gone by, and a no-change push
that recorded what the plan read, so the index vouches for all three articles. The store's
clock is frozen (``StoreTime(start=...)``) and moves only as the client sleeps: "the same
second" is exactly what a test makes it. Admin edits go through the Admin GraphQL API, as
another app's would.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shopsync.admin.client import ShopifyClient
from shopsync.admin.index import INDEX_NAMESPACE, INDEX_VERSION
from shopsync.apply import SETTLE_SECONDS, ItemOutcome
from shopsync.config import Settings
from shopsync.plan import Plan, PlanItem
from shopsync.sandbox import SandboxServer
from shopsync.sync import push

from .cli_support import Cli
from .sync_helpers import (
    MORE_PRODUCTS,
    Store,
    StoreTime,
    admin_create_article,
    admin_delete_article,
    admin_delete_metafield,
    admin_set_metafield,
    admin_update_article,
    article,
    kinds,
    mutations,
    plan,
    sync,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: The store's clock at the start of each test, a fifth into a second.
START = datetime(2026, 6, 1, 9, 0, 0, 200_000, tzinfo=UTC)
#: Long enough for what was written before to be a second old (``updatedAt`` has whole ones).
A_SECOND_LATER = SETTLE_SECONDS + 0.5
#: What a plan says of every item when nothing changed (the page, then the three articles).
ALL_UNCHANGED = dict.fromkeys(("disclaimer", "alpha", "beta", "gamma"), "unchanged")


@pytest.fixture
def store_time(sandbox: SandboxServer) -> StoreTime:
    return StoreTime(sandbox, start=START)


def read_in_full(sandbox: SandboxServer, since: int) -> set[str]:
    """The ids of the articles downloaded in full (``SyncArticlesRead``) after request ``since``."""
    ids: set[str] = set()
    for request in list(sandbox.requests)[since:]:
        if request.operation_name == "SyncArticlesRead" and request.body is not None:
            ids |= set(request.body["variables"]["ids"])
    return ids


def planned(
    sandbox: SandboxServer, settings: Settings, client: ShopifyClient, repo: Path, **options: Any
) -> tuple[Plan, set[str]]:
    """A plan, and the articles it had to download in full (those the index did not vouch for)."""
    since = len(sandbox.requests)
    result = plan(settings, client, repo, **options)
    return result, read_in_full(sandbox, since)


def item(result: Plan, handle: str) -> PlanItem:
    (found,) = [i for i in result.items if i.handle == handle]
    return found


def outcome(outcomes: list[ItemOutcome], handle: str) -> ItemOutcome:
    (found,) = [o for o in outcomes if o.handle == handle]
    return found


@pytest.fixture
def indexed(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_time: StoreTime,
) -> dict[str, str]:
    """The files pushed and the index vouching for every article: their ids, by handle.

    The first push writes the articles in its last second, so it records none of them; a
    second later a plan reads them in full and finds them as written, and its (no-change)
    push records them. From then on a no-change plan downloads nothing.
    """
    assert sync(settings, client, repo).ok
    first, reads = planned(sandbox, settings, client, repo)
    assert kinds(first) == ALL_UNCHANGED and len(reads) == 3  # nothing recorded yet
    store_time.sleep(A_SECOND_LATER)
    assert push(settings, client, plan(settings, client, repo)).ok
    ids = {handle: node["id"] for handle, node in store.articles().items()}
    assert set(store.index()) == set(ids.values())

    result, reads = planned(sandbox, settings, client, repo)
    assert kinds(result) == ALL_UNCHANGED
    assert reads == set()  # the index is in use: no body downloaded
    return ids


# ------------------------------------------------------------------ changes in the admin


def test_an_article_deleted_in_the_admin_is_planned_as_a_create_and_made_once(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    indexed: dict[str, str],
) -> None:
    admin_delete_article(client, indexed["alpha"])

    result, reads = planned(sandbox, settings, client, repo)
    assert kinds(result) == ALL_UNCHANGED | {"alpha": "create"}
    assert reads == set()  # the scan no longer lists it; the others are vouched for

    before = len(sandbox.requests)
    assert push(settings, client, result).ok
    assert mutations(sandbox.requests[before:]) == ["articleCreate", "metafieldsSet"]
    assert sorted(store.article_handles()) == ["alpha", "beta", "gamma"]
    recreated = store.articles()["alpha"]
    assert recreated["id"] != indexed["alpha"] and recreated["title"] == "Alpha"
    assert indexed["alpha"] not in store.index()  # the deleted article's entry is dropped

    again, reads = planned(sandbox, settings, client, repo)
    assert kinds(again) == ALL_UNCHANGED
    assert reads == {recreated["id"]}  # written in the push's last second: read, not vouched


def test_an_unmanaged_article_under_a_deleted_ones_handle_is_not_taken_for_ours(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_time: StoreTime,
    indexed: dict[str, str],
) -> None:
    admin_delete_article(client, indexed["beta"])
    by_hand = admin_create_article(client, settings, store.blog_id(), "beta", published=True)

    result, reads = planned(sandbox, settings, client, repo)
    beta = item(result, "beta")
    assert beta.kind == "conflict" and beta.id == by_hand
    assert "shopsync does not manage" in beta.messages[0]
    assert "--adopt" in beta.hints[0]
    assert reads == {by_hand}  # new to the index: read, and found not to be ours

    pushed = push(settings, client, result)
    assert not pushed.ok
    assert outcome(pushed.items, "beta").status == "skipped"
    assert store.article_handles().count("beta") == 1
    stored = store.articles()["beta"]
    assert stored["id"] == by_hand and stored["title"] == "Written by hand"
    assert stored["shopsyncSource"] is None

    # However often it is planned, it is read again and stays a conflict: never vouched for.
    store_time.sleep(A_SECOND_LATER)
    assert not push(settings, client, plan(settings, client, repo)).ok
    again, reads = planned(sandbox, settings, client, repo)
    assert kinds(again)["beta"] == "conflict" and reads == {by_hand}
    assert by_hand not in store.index()


#: The metafields an admin (or an SEO app) edits in place: (namespace, key, type, field).
SEO_AND_PRODUCTS = [
    pytest.param(("global", "title_tag", "single_line_text_field", "seo_title"), id="seo-title"),
    pytest.param(
        ("global", "description_tag", "single_line_text_field", "seo_description"),
        id="seo-description",
    ),
    pytest.param(
        ("custom", "featured_products", "list.product_reference", "featured_products"),
        id="featured-products",
    ),
    pytest.param(("global", "title_tag", None, "seo_title"), id="seo-title-deleted"),
]
ALIASES = {"seo_title": "seoTitle", "seo_description": "seoDescription"}


@pytest.mark.parametrize("metafield", SEO_AND_PRODUCTS)
def test_a_metafield_set_in_the_admin_is_a_conflict_though_the_articles_updated_at_stays(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_time: StoreTime,
    indexed: dict[str, str],
    metafield: tuple[str, str, str | None, str],
) -> None:
    namespace, key, type_, field = metafield
    alpha = indexed["alpha"]
    store_time.sleep(5)  # were the article touched, its updatedAt would show it
    updated_at = store.articles()["alpha"]["updatedAt"]
    value: str | None = None
    if type_ is None:
        admin_delete_metafield(client, alpha, namespace, key)
    else:
        value = "Set in the admin"
        if type_ == "list.product_reference":
            value = json.dumps([store.product_id(MORE_PRODUCTS[0])])
        admin_set_metafield(client, alpha, namespace, key, type_, value)
    assert store.articles()["alpha"]["updatedAt"] == updated_at  # the article is not touched

    result, reads = planned(sandbox, settings, client, repo)
    conflict = item(result, "alpha")
    assert conflict.kind == "conflict"
    assert [change.field for change in conflict.diff] == [field]
    assert reads == {alpha}  # the scan's metafield values told, not updatedAt

    pushed = push(settings, client, result)
    assert outcome(pushed.items, "alpha").status == "skipped"
    stored = store.articles()["alpha"][ALIASES.get(field, "featuredProducts")]
    assert (stored["value"] if stored else None) == value  # the admin's edit survives
    again, reads = planned(sandbox, settings, client, repo)
    assert kinds(again) == ALL_UNCHANGED | {"alpha": "conflict"} and reads == {alpha}


def test_a_body_edited_in_the_admin_is_a_conflict_though_the_index_held_the_article(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_cli: Cli,
    store_time: StoreTime,
    indexed: dict[str, str],
) -> None:
    beta = indexed["beta"]
    assert beta in store.index()
    admin_update_article(client, settings, beta, {"body": "<p>Rewritten in the admin.</p>"})
    store_time.sleep(A_SECOND_LATER)  # a plan may record what it reads now: never a conflict

    result, reads = planned(sandbox, settings, client, repo)
    conflict = item(result, "beta")
    assert conflict.kind == "conflict" and [c.field for c in conflict.diff] == ["body_html"]
    assert reads == {beta}

    shown = store_cli("plan", "--detailed-exitcode")
    assert shown.exit_code == 1
    assert "! article research-digest/beta" in shown.stdout
    assert "3 unchanged, 1 conflict" in shown.stdout

    pushed = push(settings, client, result)
    assert outcome(pushed.items, "beta").status == "skipped"
    assert store.articles()["beta"]["body"] == "<p>Rewritten in the admin.</p>"
    again, reads = planned(sandbox, settings, client, repo)
    assert kinds(again) == ALL_UNCHANGED | {"beta": "conflict"} and reads == {beta}


def test_an_unmanaged_article_with_a_new_handle_stays_untouched_and_never_ours(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_time: StoreTime,
    indexed: dict[str, str],
) -> None:
    by_hand = admin_create_article(client, settings, store.blog_id(), "by-hand", published=True)

    result, reads = planned(sandbox, settings, client, repo)
    assert kinds(result) == ALL_UNCHANGED  # not an orphan, not an item at all
    assert reads == {by_hand}  # new to the index: looked at once

    store_time.sleep(A_SECOND_LATER)
    before = len(sandbox.requests)
    assert push(settings, client, plan(settings, client, repo, prune="delete")).ok
    assert mutations(sandbox.requests[before:]) == ["metafieldsSet"]  # the index, nothing else
    entry = store.index()[by_hand]
    assert (entry.source, entry.digest) == (None, "")  # seen, and recorded as not ours
    stored = store.articles()["by-hand"]
    assert stored["title"] == "Written by hand" and stored["isPublished"] is True
    assert stored["shopsyncSource"] is None
    _, reads = planned(sandbox, settings, client, repo)
    assert reads == set()

    # A file that wants its handle: the index no longer vouches; adopting is the user's call.
    (repo / "articles" / "by-hand.md").write_text(article("By-Hand", status="draft"))
    result, reads = planned(sandbox, settings, client, repo)
    assert kinds(result)["by-hand"] == "conflict" and reads == {by_hand}
    assert not push(settings, client, result).ok
    assert store.articles()["by-hand"]["title"] == "Written by hand"


# ---------------------------------------------------------------------- a damaged index


def _shard(rows: dict[str, Any]) -> str:
    """An index_0 value: this version's, rows by the article's numeric id."""
    return json.dumps({"v": INDEX_VERSION, "a": rows})


def _number(ids: dict[str, str], handle: str) -> str:
    return ids[handle].rsplit("/", 1)[-1]


Damage = Callable[[Store, ShopifyClient, dict[str, str]], None]


def _set(key: str, type_: str, value: Callable[[Store, dict[str, str]], str]) -> Damage:
    def damage(store: Store, client: ShopifyClient, ids: dict[str, str]) -> None:
        admin_set_metafield(client, store.blog_id(), INDEX_NAMESPACE, key, type_, value(store, ids))

    return damage


def _deleted(store: Store, client: ShopifyClient, ids: dict[str, str]) -> None:
    admin_delete_metafield(client, store.blog_id(), INDEX_NAMESPACE, "index_0")


def _stale(store: Store, ids: dict[str, str]) -> str:
    """The real index, but alpha recorded at another updatedAt."""
    entries = store.index()
    rows = {_number(ids, handle): entries[ids[handle]].row() for handle in ids}
    rows[_number(ids, "alpha")][0] = "2020-01-01T00:00:00Z"
    return _shard(rows)


DAMAGES = [
    # Shopify refuses a json value that does not parse (INVALID_VALUE): text that is not
    # JSON can only be under another type, here a stray shard beside a good index_0.
    pytest.param(
        _set("index_1", "multi_line_text_field", lambda s, i: '{"v": 1, "a": {"12": ["'),
        False,
        id="a-shard-that-is-not-json",
    ),
    pytest.param(_set("index_0", "json", lambda s, i: '"garbage"'), False, id="a-json-string"),
    pytest.param(_set("index_0", "json", lambda s, i: "[1, 2, 3]"), False, id="a-json-list"),
    pytest.param(
        _set("index_0", "json", lambda s, i: json.dumps({"v": 99, "a": {}})),
        False,
        id="another-version",
    ),
    pytest.param(
        _set("index_0", "json", lambda s, i: json.dumps({"v": 1, "a": None})),
        False,
        id="no-rows",
    ),
    pytest.param(
        _set("index_0", "json", lambda s, i: _shard({_number(i, "alpha"): [1, 2]})),
        False,
        id="a-row-too-short",
    ),
    pytest.param(
        _set("index_0", "json", lambda s, i: _shard({_number(i, "alpha"): [1, None, {}, 2]})),
        False,
        id="a-row-of-wrong-types",
    ),
    pytest.param(
        _set("index_0", "json", lambda s, i: _shard({"alpha": ["a", "b", "c", None]})),
        False,
        id="an-id-not-a-number",
    ),
    pytest.param(_deleted, False, id="deleted"),
    pytest.param(_set("index_0", "json", _stale), True, id="a-stale-entry"),
]


@pytest.mark.parametrize(("damage", "stale_only"), DAMAGES)
def test_a_damaged_index_costs_reads_never_correctness_and_the_next_push_repairs_it(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_time: StoreTime,
    indexed: dict[str, str],
    damage: Damage,
    stale_only: bool,
) -> None:
    damage(store, client, indexed)
    admin_update_article(client, settings, indexed["gamma"], {"title": "Gamma, by the admin"})
    store_time.sleep(A_SECOND_LATER)  # a plan may record what it reads now: never a conflict

    result, reads = planned(sandbox, settings, client, repo)
    assert kinds(result) == ALL_UNCHANGED | {"gamma": "conflict"}
    if stale_only:  # the stale entry and the edited article: the rest is still vouched for
        assert reads == {indexed["alpha"], indexed["gamma"]}
    else:  # nothing to trust: everything is read in full
        assert reads == set(indexed.values())

    pushed = push(settings, client, result)
    assert outcome(pushed.items, "gamma").status == "skipped" and pushed.warnings == []
    assert store.articles()["gamma"]["title"] == "Gamma, by the admin"
    assert set(store.index_shards()) == {"index_0"}
    assert set(store.index()) == {indexed["alpha"], indexed["beta"]}  # never the conflict

    again, reads = planned(sandbox, settings, client, repo)
    assert kinds(again) == ALL_UNCHANGED | {"gamma": "conflict"}
    assert reads == {indexed["gamma"]}  # repaired: only the conflict is read


# ----------------------------------------------------------------- within one second


def test_an_admin_edit_in_the_second_of_shopsyncs_write_is_never_recorded_as_shopsyncs(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_time: StoreTime,
    indexed: dict[str, str],
) -> None:
    beta = indexed["beta"]
    path = repo / "articles" / "beta.md"
    path.write_text(path.read_text().replace("title: Beta", "title: Beta, revised"))
    stamps: list[str] = []

    def meanwhile(done: ItemOutcome) -> None:
        """Right after shopsync's write, in its second: an admin edit; then a second passes,
        so the push reads back what it wrote before recording it."""
        if done.handle != "beta":
            return
        stamps.append(store.articles()["beta"]["updatedAt"])
        admin_update_article(client, settings, beta, {"title": "Beta, by the admin"})
        stamps.append(store.articles()["beta"]["updatedAt"])
        store_time.sleep(A_SECOND_LATER)

    result = plan(settings, client, repo)
    before = len(sandbox.requests)
    assert push(settings, client, result, on_progress=meanwhile).ok
    assert stamps[0] == stamps[1]  # one second: updatedAt cannot tell the writes apart
    assert read_in_full(sandbox, before) == {beta}  # the read back, a second after the write
    assert beta not in store.index()  # it no longer held what was sent: not recorded

    result, reads = planned(sandbox, settings, client, repo)
    conflict = item(result, "beta")
    assert conflict.kind == "conflict" and reads == {beta}
    assert [(c.before, c.after) for c in conflict.diff] == [("Beta, by the admin", "Beta, revised")]


def test_an_admin_edit_in_the_second_a_plan_read_the_article_is_never_hidden(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_time: StoreTime,
    indexed: dict[str, str],
) -> None:
    beta = indexed["beta"]
    path = repo / "articles" / "beta.md"
    path.write_text(path.read_text().replace("title: Beta", "title: Beta, revised"))
    # Written in the push's last second: not recorded (were it read back at once, an edit
    # later in that second would hide behind the same updatedAt).
    assert sync(settings, client, repo).ok
    written = store.articles()["beta"]["updatedAt"]

    # In that same second: a plan reads beta in full and finds it as written...
    result, reads = planned(sandbox, settings, client, repo)
    assert kinds(result) == ALL_UNCHANGED and reads == {beta}
    # ...the admin edits it, and the plan's (no-change) push stores the index.
    admin_update_article(client, settings, beta, {"title": "Beta, by the admin"})
    assert store.articles()["beta"]["updatedAt"] == written
    assert push(settings, client, result).ok
    assert beta not in store.index()  # read in the second it was written: not vouched for

    store_time.sleep(A_SECOND_LATER)
    again, reads = planned(sandbox, settings, client, repo)
    assert item(again, "beta").kind == "conflict" and reads == {beta}


# ------------------------------------------------------------- what is not even rendered


def rendered(result: Plan) -> set[str]:
    return {i.handle for i in result.items if i.desired is not None and i.desired.rendered}


def test_a_no_change_plan_renders_only_the_pages(
    sandbox: SandboxServer, settings: Settings, client: ShopifyClient, repo: Path, indexed: Any
) -> None:
    since = len(sandbox.requests)
    quiet = plan(settings, client, repo)
    # ...and shopsync's marks in the store's "News" blog, which no file wants.
    assert [r.operation_name for r in sandbox.requests[since:]] == [
        "SyncSnapshot",
        "SyncBlogScan",
        "SyncBlogMarks",
    ]
    assert rendered(quiet) == {"disclaimer"}  # pages are few, and read with the snapshot

    path = repo / "articles" / "beta.md"
    path.write_text(path.read_text().replace("title: Beta", "title: Beta, revised"))
    edited = plan(settings, client, repo)
    assert rendered(edited) == {"disclaimer", "beta"}
    assert kinds(edited)["beta"] == "update"


def test_an_unrendered_file_is_rendered_when_another_article_claims_it(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store, indexed: Any
) -> None:
    # A copy of beta under a new handle, claiming its file the way earlier releases marked it.
    copy = admin_create_article(client, settings, store.blog_id(), "beta-copy", published=False)
    admin_set_metafield(
        client, copy, "shopsync", "source", "single_line_text_field", "articles/beta.md"
    )
    again = plan(settings, client, repo)
    beta = item(again, "beta")
    assert beta.desired is not None and beta.desired.rendered
    assert "<h2>Beta</h2>" in str(beta.desired.fields["body_html"])
    assert all(change.after is not None for i in again.items for change in i.diff)
