"""A conflict shows what the admin changed: what shopsync last wrote against the store now.

Each write keeps the fields it sent (compressed, in the app's own ``written`` metafield); a
plan that finds an admin edit reads them back for the conflicts only, in one request.
"""

from __future__ import annotations

import json
from pathlib import Path

from shopsync.admin.client import ShopifyClient
from shopsync.admin.marks import WRITTEN_MAX_BYTES, decode_written, encode_written
from shopsync.config import Settings
from shopsync.sandbox import SandboxServer

from .cli_support import Cli
from .sync_helpers import Store, admin_update_article, plan, sync
from .test_sync_e2e import request_query


def edit_beta(repo: Path) -> None:
    path = repo / "articles" / "beta.md"
    path.write_text(path.read_text().replace("title: Beta", "title: Beta, revised"))


def test_the_plan_shows_the_admins_edit_and_what_a_push_would_write(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_cli: Cli,
) -> None:
    assert sync(settings, client, repo).ok
    beta = store.articles()["beta"]["id"]
    admin_update_article(client, settings, beta, {"title": "Beta, by the admin"})
    edit_beta(repo)

    text = store_cli("plan").stdout.splitlines()
    at = text.index("    the admin changed (what shopsync wrote → the store now):")
    assert text[at + 1] == "        ~ title: 'Beta' → 'Beta, by the admin'"
    assert text[at + 2] == "    a push would write (the store now → the files):"
    assert text[at + 3] == "        ~ title: 'Beta, by the admin' → 'Beta, revised'"

    (item,) = [
        i for i in json.loads(store_cli("plan", "--json").stdout)["items"] if i["handle"] == "beta"
    ]
    assert item["kind"] == "conflict"
    assert item["admin_edit"] == [
        {"field": "title", "before": "Beta", "after": "Beta, by the admin"}
    ]


def test_only_a_plan_with_conflicts_reads_what_was_written(
    sandbox: SandboxServer, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    assert sync(settings, client, repo).ok
    before = len(sandbox.requests)
    plan(settings, client, repo)
    assert not any("SyncWritten" in request_query(r) for r in sandbox.requests[before:])

    admin_update_article(client, settings, store.articles()["beta"]["id"], {"title": "X"})
    admin_update_article(client, settings, store.articles()["alpha"]["id"], {"title": "Y"})
    before = len(sandbox.requests)
    result = plan(settings, client, repo)
    reads = [r for r in sandbox.requests[before:] if "SyncWritten" in request_query(r)]
    assert len(reads) == 1  # both conflicts in one read
    assert {i.handle for i in result.of_kind("conflict") if i.written} == {"alpha", "beta"}


def test_a_store_without_the_record_shows_the_conflict_as_before(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store, store_cli: Cli
) -> None:
    assert sync(settings, client, repo).ok
    beta = store.articles()["beta"]["id"]
    client.execute(
        """mutation($m: [MetafieldIdentifierInput!]!) {
          metafieldsDelete(metafields: $m) { userErrors { message } } }""",
        {"m": [{"ownerId": beta, "namespace": "$app:shopsync", "key": "written"}]},
    )
    admin_update_article(client, settings, beta, {"title": "Beta, by the admin"})
    text = store_cli("plan").stdout
    assert "! article research-digest/beta" in text
    assert "the admin changed" not in text
    assert "    ~ title: 'Beta, by the admin' → 'Beta'" in text.splitlines()


def test_the_record_round_trips_and_refuses_what_it_did_not_write() -> None:
    fields = {"title": "T", "body_html": "<p>" + "word " * 2_000 + "</p>", "tags": ["a"]}
    value = encode_written(fields)
    assert value is not None and len(value) < 1_000  # compressed
    assert decode_written(value) == fields
    for damaged in (None, "", "{", '{"v": 2, "z": ""}', '{"v": 1, "z": "not base64!"}', "[]"):
        assert decode_written(damaged) is None
    random_body = {"body_html": "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(60_000))}
    assert encode_written(random_body) is None  # over WRITTEN_MAX_BYTES: not kept
    assert WRITTEN_MAX_BYTES < 128 * 1024
