"""Where shopsync's marks live: the app-reserved namespace, and moving marks made the old way.

shopsync marks what it writes in ``$app:shopsync`` (Shopify's ``app--<id>--shopsync``): only
the app the token belongs to can read or change it. Stores written by earlier releases carry
the marks in the plain ``shopsync`` namespace; a plan shows them as a one-off change and a
push moves them. Everything here runs against the sandbox over HTTP.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from shopsync.admin.client import ShopifyClient
from shopsync.admin.index import INDEX_NAMESPACE
from shopsync.admin.marks import LEGACY_NAMESPACE, MARKS_FIELD, OWNER_NAMESPACE
from shopsync.config import Settings
from shopsync.sandbox import SandboxServer
from shopsync.sandbox.apps import SandboxApp

from .sync_helpers import (
    Store,
    StoreTime,
    admin_delete_metafield,
    admin_set_metafield,
    kinds,
    plan,
    sync,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MARKS_QUERY = """query($id: ID!, $ns: String!) {
  node(id: $id) {
    ... on Article { metafields(first: 10, namespace: $ns) { nodes { key type value } } }
    ... on Page { metafields(first: 10, namespace: $ns) { nodes { key type value } } }
    ... on Blog { metafields(first: 25, namespace: $ns) { nodes { key type value } } }
  }
}"""


def marks(client: ShopifyClient, owner: str, namespace: str) -> dict[str, tuple[str, str]]:
    data = client.execute(MARKS_QUERY, {"id": owner, "ns": namespace})
    return {n["key"]: (n["type"], n["value"]) for n in data["node"]["metafields"]["nodes"]}


def as_an_earlier_release_left_it(client: ShopifyClient, owners: list[str]) -> None:
    """Move every mark (and the blog's index) back to the plain namespace."""
    for owner in owners:
        for key, (type_, value) in marks(client, owner, OWNER_NAMESPACE).items():
            admin_set_metafield(client, owner, LEGACY_NAMESPACE, key, type_, value)
            admin_delete_metafield(client, owner, OWNER_NAMESPACE, key)


def owners(store: Store) -> list[str]:
    return [
        *(a["id"] for a in store.articles().values()),
        *(p["id"] for p in store.pages().values() if p["shopsyncSource"]),
        store.blog_id(),
    ]


def test_marks_and_the_index_live_in_the_apps_own_namespace(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    assert sync(settings, client, repo).ok
    alpha = store.articles()["alpha"]["id"]
    assert set(marks(client, alpha, OWNER_NAMESPACE)) >= {"source", "digest", "rendered"}
    assert marks(client, alpha, LEGACY_NAMESPACE) == {}
    assert INDEX_NAMESPACE == OWNER_NAMESPACE


def test_marks_an_earlier_release_left_are_moved_by_one_push(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_time: StoreTime,
) -> None:
    assert sync(settings, client, repo).ok
    store_time.sleep(2)
    assert sync(settings, client, repo).ok  # an index too
    everything = owners(store)
    as_an_earlier_release_left_it(client, everything)

    before = plan(settings, client, repo)  # still ours: no conflict, no adopt
    assert kinds(before) == dict.fromkeys(["disclaimer", "alpha", "beta", "gamma"], "update")
    assert all(
        [(c.field, c.before, c.after) for c in item.diff]
        == [(MARKS_FIELD, LEGACY_NAMESPACE, OWNER_NAMESPACE)]
        for item in before.items
        if item.kind == "update"
    )

    assert sync(settings, client, repo).ok
    for owner in everything:
        assert marks(client, owner, LEGACY_NAMESPACE) == {}, owner  # nothing left behind
    for owner in everything[:-1]:
        assert set(marks(client, owner, OWNER_NAMESPACE)) >= {"source", "digest", "rendered"}
    assert not plan(settings, client, repo).has_changes


def test_another_apps_token_sees_nothing_managed_and_overwrites_nothing(
    sandbox: SandboxServer, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    assert sync(settings, client, repo).ok
    other = SandboxApp(id=2002, handle="another-app", title="Another app", installation_id=3003)
    token = sandbox.issue_token(app=other)
    theirs = settings.model_copy(update={"access_token": SecretStr(token)})
    with StoreTime(sandbox).client(theirs) as their_client:
        seen = plan(theirs, their_client, repo)
        assert kinds(seen) == dict.fromkeys(["disclaimer", "alpha", "beta", "gamma"], "conflict")
        assert all("does not manage" in i.messages[0] for i in seen.items if i.kind == "conflict")
        assert not sync(theirs, their_client, repo).ok  # conflicts: nothing written
    assert not plan(settings, client, repo).has_changes  # still ours, untouched


def test_a_plain_shopsync_metafield_set_by_someone_else_changes_nothing(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    assert sync(settings, client, repo).ok
    alpha = store.articles()["alpha"]["id"]
    text = "single_line_text_field"
    admin_set_metafield(client, alpha, LEGACY_NAMESPACE, "source", text, "articles/beta.md")
    assert not plan(settings, client, repo).has_changes  # the app's own marks decide


def test_an_orphan_unpublished_from_old_marks_stays_managed(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    assert sync(settings, client, repo).ok
    as_an_earlier_release_left_it(client, owners(store))
    (repo / "articles" / "beta.md").unlink()
    assert sync(settings, client, repo, prune="unpublish").ok
    again = plan(settings, client, repo, prune="unpublish")
    beta = next(i for i in again.items if i.handle == "beta")
    assert beta.kind == "orphan" and "already unpublished" in beta.messages  # not a conflict
