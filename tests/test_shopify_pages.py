"""Shopify's own pages (the Contact page, the "Your Privacy Choices" page), which every new
store has: shopsync never adopts or overwrites them, prune never touches them, pull writes
no file for them and never marks them. Over HTTP against a sandbox seeded like a new store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shopsync.config import Settings
from shopsync.pull import pull
from shopsync.sandbox import SandboxServer
from shopsync.vocabulary import SHOPIFY_PAGES

from .cli_support import Cli
from .sync_helpers import Store, StoreTime, plan, sandbox_settings, sync, write_content

PAGE = """\
---
title: {title}
{extra}---

Write to us at hello@example.com.
"""


def page_file(root: Path, name: str, *, title: str = "Contact us", extra: str = "") -> Path:
    path = root / "articles" / "pages" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAGE.format(title=title, extra=extra), encoding="utf-8")
    return path


def shopify_pages(sandbox: SandboxServer) -> dict[str, dict[str, Any]]:
    """The store's own pages as it holds them, with their metafields."""
    pages: dict[str, dict[str, Any]] = {}
    for handle in SHOPIFY_PAGES:
        record = sandbox.store.page_by_handle(handle)
        assert record is not None, handle
        pages[handle] = {**record, "metafields": sandbox.store.metafields_of(record["id"])}
    return pages


@pytest.mark.parametrize("handle", sorted(SHOPIFY_PAGES))
@pytest.mark.parametrize("adopt", [False, True], ids=["plain", "adopt"])
def test_a_page_file_with_the_handle_of_shopifys_page_is_an_error(
    sandbox: SandboxServer,
    settings: Settings,
    client: Any,
    repo: Path,
    handle: str,
    adopt: bool,
) -> None:
    page_file(repo, handle)
    before = shopify_pages(sandbox)

    planned = plan(settings, client, repo, adopt=adopt)

    (item,) = [i for i in planned.items if i.handle == handle]
    assert item.kind == "error" and item.resource == "page"
    assert item.id == before[handle]["id"]
    (message,) = item.messages
    title = before[handle]["title"]
    assert message == (
        f"the store's page {handle!r} ({title!r}) is Shopify's own, the "
        f"{SHOPIFY_PAGES[handle]} it creates in every store: shopsync never adopts or "
        "overwrites it, not even with --adopt"
    )
    assert item.hints == (
        "choose another handle for this page (a handle: key in its front matter, "
        "or another file name); edit Shopify's page in the Shopify admin",
    )
    assert planned.has_errors
    # The push writes everything else and leaves Shopify's page exactly as it was.
    result = sync(settings, client, repo, adopt=adopt)
    assert not result.ok
    done = {i.handle: i.status for i in result.items}
    assert done["disclaimer"] == done["alpha"] == "ok"
    assert shopify_pages(sandbox) == before


def test_a_handle_in_the_front_matter_is_caught_too(
    sandbox: SandboxServer, settings: Settings, client: Any, repo: Path
) -> None:
    page_file(repo, "privacy", title="Privacy", extra="handle: data-sharing-opt-out\n")
    planned = plan(settings, client, repo, adopt=True)
    (item,) = [i for i in planned.items if i.source == "articles/pages/privacy.md"]
    assert (item.kind, item.handle) == ("error", "data-sharing-opt-out")


def test_renaming_a_managed_page_onto_shopifys_page_is_an_error(
    sandbox: SandboxServer, settings: Settings, client: Any, repo: Path
) -> None:
    path = page_file(repo, "contact-us")
    assert sync(settings, client, repo).ok
    before = shopify_pages(sandbox)
    path.write_text(path.read_text().replace("---\n\n", "handle: contact\n---\n\n", 1))

    planned = plan(settings, client, repo, adopt=True, force=True)

    (item,) = [i for i in planned.items if i.source == "articles/pages/contact-us.md"]
    assert (item.kind, item.handle, item.id) == ("error", "contact", before["contact"]["id"])
    assert not sync(settings, client, repo, adopt=True, force=True).ok
    assert shopify_pages(sandbox) == before
    assert sandbox.store.page_by_handle("contact-us") is not None  # the managed page stays


def test_a_store_without_the_page_gets_it_from_the_file(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    """Shopify's handles are not reserved: a store that has no such page may get one."""
    empty = sandbox_factory(seed_content=False)
    settings = sandbox_settings(empty)
    write_content(tmp_path)
    page_file(tmp_path, "contact")
    with StoreTime(empty).client(settings) as client:
        first = plan(settings, client, tmp_path)
        (item,) = [i for i in first.items if i.handle == "contact"]
        assert item.kind == "create"
        assert sync(settings, client, tmp_path).ok
        page = Store(client, settings).pages()["contact"]
        assert page["title"] == "Contact us" and page["shopsyncSource"] is not None
        again = plan(settings, client, tmp_path)
        assert not again.has_changes and not again.has_errors
        # It is shopsync's own page now: an edit of the file updates it.
        page_file(tmp_path, "contact", title="Reach us")
        edited = plan(settings, client, tmp_path)
        assert [i.kind for i in edited.items if i.handle == "contact"] == ["update"]
        # And pull writes its file like any other managed page's.
        fresh = tmp_path / "fresh"
        fresh.mkdir()
        pulled = pull(settings, client, root=fresh)
    (contact,) = [f for f in pulled.files if f.handle == "contact"]
    assert (contact.action, contact.path, contact.shopify_own) == (
        "created",
        "articles/pages/contact.md",
        False,
    )


def test_prune_never_touches_shopifys_pages(
    sandbox: SandboxServer, settings: Settings, client: Any, repo: Path
) -> None:
    assert sync(settings, client, repo).ok
    before = shopify_pages(sandbox)
    (repo / "articles" / "pages" / "disclaimer.md").unlink()
    for name in ("alpha", "beta"):
        (repo / "articles" / f"{name}.md").write_text(
            (repo / "articles" / f"{name}.md").read_text().replace("disclaimer: disclaimer\n", "")
        )

    planned = plan(settings, client, repo, prune="delete")

    assert {i.handle for i in planned.items} & set(SHOPIFY_PAGES) == set()
    assert [(i.handle, i.kind) for i in planned.items if i.resource == "page"] == [
        ("disclaimer", "delete")
    ]
    assert sync(settings, client, repo, prune="delete").ok
    assert shopify_pages(sandbox) == before
    assert sandbox.store.page_by_handle("disclaimer") is None


def test_pull_skips_shopifys_pages_and_never_marks_them(
    sandbox: SandboxServer, settings: Settings, client: Any, repo: Path, tmp_path: Path
) -> None:
    assert sync(settings, client, repo).ok
    before = shopify_pages(sandbox)
    fresh = tmp_path / "fresh"
    fresh.mkdir()

    result = pull(settings, client, root=fresh)

    own = [f for f in result.files if f.shopify_own]
    assert [(f.handle, f.action, f.path) for f in own] == [
        ("contact", "skipped", None),
        ("data-sharing-opt-out", "skipped", None),
    ]
    assert [f.messages for f in own] == [
        ("Shopify's own contact page ('Contact'): shopsync leaves it alone, no file and no marks",),
        (
            "Shopify's own data-sharing opt-out page ('Your Privacy Choices'): shopsync leaves "
            "it alone, no file and no marks",
        ),
    ]
    assert result.complete
    written = sorted(p.name for p in (fresh / "articles" / "pages").iterdir())
    assert written == ["disclaimer.md"]
    assert shopify_pages(sandbox) == before  # no marks: still nobody's pages


def test_pull_on_the_command_line_reports_them_skipped_and_succeeds(
    store_cli: Cli, cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    assert store_cli("push", "--yes").exit_code == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    pulling = cli.at(fresh).for_store(sandbox)

    text = pulling("pull", "--dry-run")
    assert text.exit_code == 0, text.output
    assert "skipped     (page contact)  Shopify's own contact page ('Contact')" in text.stdout
    assert "(page data-sharing-opt-out)" in text.stdout

    as_json = pulling("pull", "--json")
    assert as_json.exit_code == 0, as_json.output
    files = json.loads(as_json.stdout)["files"]
    own = [f for f in files if f["shopify_own"]]
    assert [(f["handle"], f["action"], f["path"]) for f in own] == [
        ("contact", "skipped", None),
        ("data-sharing-opt-out", "skipped", None),
    ]
    assert "shopsync leaves it alone" in own[0]["messages"][0]
    assert not (fresh / "articles" / "pages" / "contact.md").exists()


def test_the_plan_on_the_command_line_says_what_to_do(store_cli: Cli, repo: Path) -> None:
    page_file(repo, "contact")
    result = store_cli("plan", "--adopt")
    assert result.exit_code == 1, result.output
    assert "the store's page 'contact' ('Contact') is Shopify's own" in result.stdout
    assert "choose another handle for this page" in result.stdout
