"""``shopsync pull``: bootstrap files from a store whose content shopsync never wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shopsync.admin.auth import StaticToken
from shopsync.admin.client import ShopifyClient
from shopsync.sandbox import SandboxServer

from .cli_support import Cli

SIMPLE_BODY = (
    "<h2>Hello</h2>\n<p>A <strong>plain</strong> post.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
)
# Valid, sanitiser-proof HTML that Markdown cannot reproduce: kept as `format: html`.
BLOCK_BODY = "<div><p>Block</p></div>\n<p>Line<br>break</p>"


def create(client: ShopifyClient, mutation: str, variables: dict[str, Any]) -> dict[str, Any]:
    data = client.execute(mutation, variables)
    payload = next(iter(data.values()))
    assert payload["userErrors"] == []
    return payload  # type: ignore[no-any-return]


@pytest.fixture
def store_made_by_hand(sandbox: SandboxServer) -> SandboxServer:
    """A blog, two articles and a page created in the admin, not by shopsync."""
    with ShopifyClient(sandbox.url, "2026-07", auth=StaticToken(sandbox.config.access_token)) as c:
        blog = create(
            c,
            "mutation($b: BlogCreateInput!) {"
            " blogCreate(blog: $b) { blog { id } userErrors { message } } }",
            {"b": {"title": "Research Digest", "handle": "research-digest"}},
        )["blog"]["id"]
        article = (
            "mutation($a: ArticleCreateInput!) {"
            " articleCreate(article: $a) { userErrors { message } } }"
        )
        create(
            c,
            article,
            {
                "a": {
                    "blogId": blog,
                    "title": "Simple",
                    "handle": "simple",
                    "body": SIMPLE_BODY,
                    "summary": "<p>Short.</p>",
                    "tags": ["b", "a"],
                    "author": {"name": "Staff"},
                    "isPublished": True,
                    "publishDate": "2025-02-01T10:00:00Z",
                }
            },
        )
        create(
            c,
            article,
            {
                "a": {
                    "blogId": blog,
                    "title": "Block",
                    "handle": "block",
                    "body": BLOCK_BODY,
                    "author": {"name": "Staff"},
                    "isPublished": False,
                }
            },
        )
        create(
            c,
            "mutation($p: PageCreateInput!) { pageCreate(page: $p) { userErrors { message } } }",
            {"p": {"title": "About", "handle": "about", "body": "<p>About us.</p>"}},
        )
    return sandbox


def test_pull_then_plan_shows_no_changes(
    tmp_path: Path, store_made_by_hand: SandboxServer, cli: Cli
) -> None:
    pulled = cli.for_store(store_made_by_hand)("pull", "--adopt")
    assert pulled.exit_code == 0, pulled.output
    assert "Pull: 3 created" in pulled.stdout
    assert "not adopted" not in pulled.stdout

    simple = (tmp_path / "articles" / "simple.md").read_text()
    assert "## Hello" in simple and "- one" in simple and "format: html" not in simple
    block = (tmp_path / "articles" / "block.md").read_text()
    assert "format: html" in block and BLOCK_BODY in block
    assert (tmp_path / "articles" / "pages" / "about.md").is_file()

    plan = cli.for_store(store_made_by_hand)("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "Plan: 0 to create, 0 to update, 0 to delete, 3 unchanged, 0 conflicts" in plan.stdout


def test_a_pulled_file_edited_later_is_an_update_not_a_conflict(
    tmp_path: Path, store_made_by_hand: SandboxServer, cli: Cli
) -> None:
    assert cli.for_store(store_made_by_hand)("pull", "--adopt").exit_code == 0
    path = tmp_path / "articles" / "simple.md"
    path.write_text(path.read_text().replace("title: Simple", "title: Simple, revised"))
    plan = cli.for_store(store_made_by_hand)("plan", "--json")
    items = {i["handle"]: i for i in json.loads(plan.stdout)["items"]}
    assert items["simple"]["kind"] == "update"
    assert items["block"]["kind"] == "unchanged"


def test_existing_files_are_kept_unless_forced(
    tmp_path: Path, store_made_by_hand: SandboxServer, cli: Cli
) -> None:
    assert cli.for_store(store_made_by_hand)("pull").exit_code == 0
    path = tmp_path / "articles" / "simple.md"
    path.write_text("my local edit\n")

    again = cli.for_store(store_made_by_hand)("pull", "--json")
    assert again.exit_code == 1
    files = {f["handle"]: f for f in json.loads(again.stdout)["files"]}
    assert files["simple"]["action"] == "different"
    assert files["block"]["action"] == "unchanged"
    assert path.read_text() == "my local edit\n"

    forced = cli.for_store(store_made_by_hand)("pull", "--force")
    assert forced.exit_code == 0, forced.output
    assert "## Hello" in path.read_text()


def test_dry_run_writes_nothing_anywhere(
    tmp_path: Path, store_made_by_hand: SandboxServer, cli: Cli
) -> None:
    before = len(store_made_by_hand.store.all("metafield"))
    result = cli.for_store(store_made_by_hand)("pull", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: 3 created" in result.stdout
    assert not (tmp_path / "articles").exists()
    assert len(store_made_by_hand.store.all("metafield")) == before
