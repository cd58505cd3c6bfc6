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
from .images import png
from .sync_helpers import BLOG, mutations

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


# ------------------------------------------------------------- read-only unless --adopt

READ_ONLY = ("read_content", "read_products")


def read_only(cli: Cli, sandbox: SandboxServer) -> Cli:
    """The same store, through a token that may read content and products, nothing else."""
    return cli.for_store(sandbox).with_env(
        SHOPSYNC_ACCESS_TOKEN=sandbox.issue_token(scopes=READ_ONLY)
    )


def test_a_read_only_token_pulls_and_the_store_is_not_written(
    tmp_path: Path, store_made_by_hand: SandboxServer, cli: Cli
) -> None:
    before = len(store_made_by_hand.requests)
    pulled = read_only(cli, store_made_by_hand)("pull")

    assert pulled.exit_code == 0, pulled.output
    assert "Pull: 3 created" in pulled.stdout
    assert (tmp_path / "articles" / "simple.md").is_file()
    assert mutations(store_made_by_hand.requests[before:]) == []
    assert "3 items were pulled but not adopted" in pulled.stdout
    assert "shopsync pull --adopt" in pulled.stdout and "shopsync push --adopt" in pulled.stdout
    # Not adopted: to a plan they are still the admin's.
    plan = cli.for_store(store_made_by_hand)("plan", "--json")
    assert {i["kind"] for i in json.loads(plan.stdout)["items"]} == {"conflict"}


def test_adopt_with_a_read_only_token_fails_before_writing_any_file(
    tmp_path: Path, store_made_by_hand: SandboxServer, cli: Cli
) -> None:
    before = len(store_made_by_hand.requests)
    pulled = read_only(cli, store_made_by_hand)("pull", "--adopt")

    assert pulled.exit_code not in (0, 2), pulled.output
    assert "write_content" in pulled.output
    assert not (tmp_path / "articles").exists()
    assert mutations(store_made_by_hand.requests[before:]) == []


def test_adopt_marks_what_it_pulled(
    tmp_path: Path, store_made_by_hand: SandboxServer, cli: Cli
) -> None:
    before = len(store_made_by_hand.requests)
    pulled = cli.for_store(store_made_by_hand)("pull", "--adopt", "--json")

    assert pulled.exit_code == 0, pulled.output
    files = json.loads(pulled.stdout)["files"]
    assert {f["handle"] for f in files if f["adopted"]} == {"simple", "block", "about"}
    assert set(mutations(store_made_by_hand.requests[before:])) == {"metafieldsSet"}


# ------------------------------------------------------------------ a repository in sync

#: An article with a repository image as its featured image and in its body.
PICTURED = """\
---
# Comments, key order and quoting are the file's own business.
title: 'Pictured'
status: draft
author: Research Team
image:
  src: articles/images/figure.png
  alt: A figure
---

Some text.

![The figure](images/figure.png)
"""


@pytest.fixture
def synced(store_cli: Cli, repo: Path) -> Path:
    """The three articles, the disclaimer page and ``PICTURED``, pushed."""
    (repo / "articles" / "images").mkdir()
    (repo / "articles" / "images" / "figure.png").write_bytes(png(4, 3))
    (repo / "articles" / "pictured.md").write_text(PICTURED, encoding="utf-8")
    pushed = store_cli("push", "--yes")
    assert pushed.exit_code == 0, pushed.output
    return repo


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under articles/: its bytes and its modification time."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted((root / "articles").rglob("*"))
        if p.is_file()
    }


def test_a_synced_repository_is_all_unchanged_in_a_dry_run(
    synced: Path, store_cli: Cli, sandbox: SandboxServer
) -> None:
    before = snapshot(synced)
    requests = len(sandbox.requests)

    result = store_cli("pull", "--dry-run", "--detailed-exitcode", "--json")

    assert result.exit_code == 0, result.output
    files = [f for f in json.loads(result.stdout)["files"] if not f["shopify_own"]]
    assert {f["path"]: f["action"] for f in files} == dict.fromkeys(
        [
            "articles/pages/disclaimer.md",
            "articles/alpha.md",
            "articles/beta.md",
            "articles/gamma.md",
            "articles/pictured.md",
        ],
        "unchanged",
    )
    assert all(f["changes"] == [] for f in files)
    assert snapshot(synced) == before
    assert mutations(sandbox.requests[requests:]) == []


@pytest.mark.parametrize("options", [(), ("--force",)], ids=["pull", "force"])
def test_pull_after_push_rewrites_no_file(
    synced: Path, store_cli: Cli, options: tuple[str, ...]
) -> None:
    before = snapshot(synced)

    result = store_cli("pull", *options)

    assert result.exit_code == 0, result.output
    assert "0 created, 0 overwritten, 5 unchanged, 0 different" in result.stdout
    assert "not adopted" not in result.stdout  # all managed by the push already
    assert snapshot(synced) == before


def test_force_rewrites_only_what_differs_and_keeps_local_image_paths(
    synced: Path, store_cli: Cli, sandbox: SandboxServer
) -> None:
    with ShopifyClient(sandbox.url, "2026-07", auth=StaticToken(sandbox.config.access_token)) as c:
        article = sandbox.store.article_by_handle(BLOG, "pictured")
        assert article is not None
        create(
            c,
            "mutation($id: ID!, $a: ArticleUpdateInput!) {"
            " articleUpdate(id: $id, article: $a) { userErrors { message } } }",
            {"id": article["id"], "a": {"title": "Pictured, edited in the admin"}},
        )
    before = snapshot(synced)
    path = "articles/pictured.md"

    dry = store_cli("pull", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"different   {path}" in dry.stdout
    assert "~ title: 'Pictured' → 'Pictured, edited in the admin'" in dry.stdout
    assert "0 created, 0 overwritten, 4 unchanged, 1 different" in dry.stdout
    assert store_cli("pull", "--dry-run", "--detailed-exitcode").exit_code == 2
    kept = store_cli("pull")
    assert kept.exit_code == 1 and "--force overwrites it" in kept.stdout
    assert snapshot(synced) == before

    forced = store_cli("pull", "--force")

    assert forced.exit_code == 0, forced.output
    assert "0 created, 1 overwritten, 4 unchanged, 0 different" in forced.stdout
    after = snapshot(synced)
    assert {p for p in before if after[p] != before[p]} == {path}
    text = (synced / path).read_text(encoding="utf-8")
    assert "title: Pictured, edited in the admin" in text
    assert "src: articles/images/figure.png" in text
    assert "![The figure](images/figure.png)" in text
    assert "cdn" not in text.lower()
    again = store_cli("pull", "--dry-run", "--json")
    assert {f["action"] for f in json.loads(again.stdout)["files"] if not f["shopify_own"]} == {
        "unchanged"
    }


def test_a_file_pull_cannot_make_exact_is_unchanged_when_pulled_again(
    tmp_path: Path, sandbox: SandboxServer, cli: Cli
) -> None:
    # The sanitiser drops the style attribute: no file renders to this body, so the file
    # differs from the store; pulling it again is still no change.
    with ShopifyClient(sandbox.url, "2026-07", auth=StaticToken(sandbox.config.access_token)) as c:
        create(
            c,
            "mutation($p: PageCreateInput!) { pageCreate(page: $p) { userErrors { message } } }",
            {"p": {"title": "Styled", "handle": "styled", "body": '<p style="color:red">Hi</p>'}},
        )
    pulling = cli.for_store(sandbox)
    first = pulling("pull", "--json")
    (styled,) = [f for f in json.loads(first.stdout)["files"] if f["handle"] == "styled"]
    assert (styled["action"], styled["differences"]) == ("created", ["body_html"])
    before = snapshot(tmp_path)

    again = pulling("pull", "--json")

    assert again.exit_code == 0, again.output
    (styled,) = [f for f in json.loads(again.stdout)["files"] if f["handle"] == "styled"]
    assert (styled["action"], styled["differences"]) == ("unchanged", ["body_html"])
    assert snapshot(tmp_path) == before
