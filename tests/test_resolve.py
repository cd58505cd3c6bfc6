"""``shopsync resolve``: an admin's edit taken into the file, or overwritten by it, per item."""

from __future__ import annotations

import json
from pathlib import Path

from shopsync.admin.client import ShopifyClient
from shopsync.config import Settings

from .cli_support import Cli
from .sync_helpers import Store, admin_update_article, kinds, plan, sync


def admin_edits(client: ShopifyClient, settings: Settings, store: Store, *handles: str) -> None:
    for handle in handles:
        article_id = store.articles()[handle]["id"]
        admin_update_article(client, settings, article_id, {"title": f"{handle}, by the admin"})


def test_taking_the_store_version_rewrites_only_that_file_and_sends_nothing(
    sandbox: object,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_cli: Cli,
) -> None:
    assert sync(settings, client, repo).ok
    admin_edits(client, settings, store, "alpha", "beta")
    alpha_before = (repo / "articles" / "alpha.md").read_text()

    resolved = store_cli("resolve", "beta", "--take-store")
    assert resolved.exit_code == 0, resolved.output
    assert "took the store's version into articles/beta.md (article beta)" in resolved.stdout
    assert "title: beta, by the admin" in (repo / "articles" / "beta.md").read_text()
    assert (repo / "articles" / "alpha.md").read_text() == alpha_before  # not named

    after = plan(settings, client, repo)
    assert kinds(after)["beta"] == "update"  # the marks only: the file is the store now
    assert [c.field for c in next(i for i in after.items if i.handle == "beta").diff] == [
        "shopsync.digest"
    ]
    assert kinds(after)["alpha"] == "conflict"
    assert store_cli("push", "--yes", "articles/beta.md").exit_code == 0
    assert store.articles()["beta"]["title"] == "beta, by the admin"
    assert kinds(plan(settings, client, repo))["beta"] == "unchanged"


def test_keeping_the_file_overwrites_only_the_named_conflict(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store, store_cli: Cli
) -> None:
    assert sync(settings, client, repo).ok
    admin_edits(client, settings, store, "alpha", "beta")

    refused = store_cli("resolve", "beta", "--keep-file")  # no terminal, no --yes
    assert refused.exit_code == 1 and "nobody approved it" in refused.stderr
    assert store.articles()["beta"]["title"] == "beta, by the admin"

    kept = store_cli("resolve", "beta", "--keep-file", "--yes", "--json")
    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.stdout)["result"]["ok"] is True
    articles = store.articles()
    assert articles["beta"]["title"] == "Beta"  # the file's
    assert articles["alpha"]["title"] == "alpha, by the admin"  # not named: left alone
    assert kinds(plan(settings, client, repo)) == {
        "disclaimer": "unchanged",
        "alpha": "conflict",
        "beta": "unchanged",
        "gamma": "unchanged",
    }


def test_resolve_says_when_there_is_nothing_to_resolve(
    settings: Settings, client: ShopifyClient, repo: Path, store_cli: Cli
) -> None:
    assert sync(settings, client, repo).ok
    nothing = store_cli("resolve", "--take-store")
    assert nothing.exit_code == 0 and "No conflicts to resolve." in nothing.stdout
    neither = store_cli("resolve")
    assert neither.exit_code == 64 and "choose one: --take-store or --keep-file" in neither.stderr


def test_a_dry_run_takes_nothing(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store, store_cli: Cli
) -> None:
    assert sync(settings, client, repo).ok
    admin_edits(client, settings, store, "beta")
    before = (repo / "articles" / "beta.md").read_text()
    dry = store_cli("resolve", "--take-store", "--dry-run")
    assert dry.exit_code == 0
    assert "would take the store's version into articles/beta.md" in dry.stdout
    assert (repo / "articles" / "beta.md").read_text() == before
