"""The sync engine end to end, against the sandbox store over real HTTP.

Each test gets its own sandbox (fresh store, free port) and its own content directory
under ``tmp_path``. Admin-side edits and unmanaged articles are made the way a person
or another app would make them: through the Admin GraphQL API, without shopsync's
ownership metafields.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from shopsync.admin.client import ShopifyClient
from shopsync.apply import Applier
from shopsync.config import Settings
from shopsync.content.images import PENDING
from shopsync.errors import EXIT_CONFIG
from shopsync.plan import Plan
from shopsync.sync import push

from .cli_support import Cli
from .images import StoreClock, png
from .sync_helpers import (
    BLOG,
    KIT,
    SCHEDULED_UTC,
    Store,
    StoreTime,
    add_fault,
    admin_create_article,
    admin_update_article,
    kinds,
    mutations,
    plan,
    sandbox_settings,
    sync,
    write_content,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PRODUCT_BLOCK = f'href="/products/{KIT}"'


# --------------------------------------------------------------------------- first push


def test_a_plan_read_back_from_json_pushes_like_the_original(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    use_local_image(repo, png(3, 3), "alpha")
    planned = plan(settings, client, repo)
    restored = Plan.from_dict(json.loads(json.dumps(planned.to_dict())), root=repo)
    assert restored == planned
    result = push(settings, client, restored)
    assert result.ok, result.to_dict()
    assert sorted(store.articles()) == ["alpha", "beta", "gamma"]
    again = plan(settings, client, repo)
    assert not again.has_changes and not again.has_errors


def test_first_push_creates_everything_and_second_plan_is_empty(
    sandbox: Any, settings: Settings, repo: Path, store: Store, store_cli: Cli
) -> None:
    first = store_cli("push", "--yes", "--json")
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["result"]["ok"] is True
    created = {
        (i["resource"], i["handle"]) for i in data["result"]["items"] if i["action"] == "create"
    }
    assert created == {
        ("definition", "custom.featured_products"),  # for alpha's featured product
        ("blog", BLOG),
        ("page", "disclaimer"),
        ("article", "alpha"),
        ("article", "beta"),
        ("article", "gamma"),
    }

    articles = store.articles()
    assert sorted(articles) == ["alpha", "beta", "gamma"]
    alpha = articles["alpha"]
    assert alpha["isPublished"] is True and alpha["publishedAt"] == "2025-01-19T22:00:00Z"
    assert alpha["tags"] == ["alpha-tag", "back-pain"]
    assert PRODUCT_BLOCK in alpha["body"] and 'href="/pages/disclaimer"' in alpha["body"]
    assert alpha["shopsyncSource"]["value"] == "articles/alpha.md"
    assert alpha["seoTitle"]["value"] == "Alpha SEO"
    assert json.loads(alpha["featuredProducts"]["value"]) == [store.product_id(KIT)]
    assert articles["beta"]["isPublished"] is False and articles["beta"]["publishedAt"] is None
    assert articles["gamma"]["isPublished"] is False
    assert articles["gamma"]["publishedAt"] == SCHEDULED_UTC
    assert store.pages()["disclaimer"]["shopsyncSource"]["value"] == "articles/pages/disclaimer.md"

    before = len(sandbox.requests)
    second = store_cli("plan", "--detailed-exitcode")
    assert second.exit_code == 0, second.output
    assert "Plan: 0 to create, 0 to update, 0 to delete, 4 unchanged, 0 conflicts" in second.stdout
    assert mutations(sandbox.requests[before:]) == []

    as_json = store_cli("plan", "--json", "--detailed-exitcode")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)["summary"]["unchanged"] == 4


def test_plan_never_writes_and_exits_2_with_changes(
    sandbox: Any, settings: Settings, repo: Path, store: Store, store_cli: Cli
) -> None:
    result = store_cli("plan", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "Plan: 6 to create" in result.stdout
    assert "+ article research-digest/alpha" in result.stdout
    markdown = store_cli("plan", "--markdown")
    assert markdown.exit_code == 0 and "| `+` | create |" in markdown.stdout
    dry = store_cli("push", "--dry-run")
    assert dry.exit_code == 0 and "Plan: 6 to create" in dry.stdout
    assert mutations(sandbox.requests) == []
    assert store.articles() == {}


def test_products_resolved_in_one_batch(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path
) -> None:
    write_content(repo, extra_products=True)
    plan(settings, client, repo)
    # Each handle read directly (search lags writes), all in the plan's first request.
    product_reads = [r for r in sandbox.requests if "productByIdentifier(" in request_query(r)]
    assert [r.operation_name for r in product_reads] == ["SyncSnapshot"]
    assert request_query(product_reads[0]).count("productByIdentifier(") == 3
    assert not any("products(" in request_query(r) for r in sandbox.requests)


def request_query(request: Any) -> str:
    from .sync_helpers import request_body

    return str(request_body(request).get("query", ""))


# ---------------------------------------------------------------------------- updates


def test_editing_one_file_updates_only_that_article(
    sandbox: Any,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_cli: Cli,
    store_time: StoreTime,
) -> None:
    assert sync(settings, client, repo).ok
    store_time.sleep(1.5)  # the next command, a second later: its plan may vouch for the rest
    ids = {handle: node["id"] for handle, node in store.articles().items()}
    path = repo / "articles" / "beta.md"
    path.write_text(path.read_text().replace("title: Beta", "title: Beta, revised"))

    result = store_cli("plan", "--json", "--detailed-exitcode")
    assert result.exit_code == 2
    items = json.loads(result.stdout)["items"]
    changed = [i for i in items if i["kind"] != "unchanged"]
    assert [(i["handle"], i["kind"]) for i in changed] == [("beta", "update")]
    assert changed[0]["diff"] == [{"field": "title", "before": "Beta", "after": "Beta, revised"}]

    before = len(sandbox.requests)
    pushed = store_cli("push", "--yes")
    assert pushed.exit_code == 0, pushed.output
    # The one update, then the blog's index recording beta's new state (nothing else).
    sent = sandbox.requests[before:]
    assert mutations(sent) == ["articleUpdate", "metafieldsSet"]
    (index_write,) = [r for r in sent if "metafieldsSet(" in str((r.body or {}).get("query"))]
    assert index_write.body is not None
    (shard,) = index_write.body["variables"]["metafields"]
    assert (shard["ownerId"], shard["key"], shard["type"]) == (store.blog_id(), "index_0", "json")
    after = store.articles()
    assert after["beta"]["title"] == "Beta, revised"
    assert {h: n["id"] for h, n in after.items()} == ids
    assert kinds(plan(settings, client, repo)) == dict.fromkeys(
        ["disclaimer", "alpha", "beta", "gamma"], "unchanged"
    )


def test_admin_edit_is_a_conflict_and_survives_a_push(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store, store_cli: Cli
) -> None:
    assert sync(settings, client, repo).ok
    alpha = store.articles()["alpha"]
    admin_update_article(client, settings, alpha["id"], {"title": "Edited in the admin"})

    result = store_cli("plan", "--detailed-exitcode")
    assert result.exit_code == 1
    assert "! article research-digest/alpha" in result.stdout
    assert "~ title: 'Edited in the admin' → 'Alpha'" in result.stdout

    pushed = store_cli("push", "--yes", "--json")
    assert pushed.exit_code == 1
    outcome = next(
        i for i in json.loads(pushed.stdout)["result"]["items"] if i["handle"] == "alpha"
    )
    assert outcome["status"] == "skipped" and outcome["kind"] == "conflict"
    assert store.articles()["alpha"]["title"] == "Edited in the admin"

    forced = store_cli("push", "--yes", "--force")
    assert forced.exit_code == 0, forced.output
    assert store.articles()["alpha"]["title"] == "Alpha"
    assert kinds(plan(settings, client, repo))["alpha"] == "unchanged"


def test_unknown_product_is_an_error_and_nothing_is_written_for_it(
    sandbox: Any, settings: Settings, repo: Path, store: Store, store_cli: Cli
) -> None:
    path = repo / "articles" / "beta.md"
    path.write_text(
        path.read_text().replace("featured_products: []", "featured_products: [no-such-kit]")
    )
    result = store_cli("plan", "--json", "--detailed-exitcode")
    assert result.exit_code == 1
    beta = next(i for i in json.loads(result.stdout)["items"] if i["handle"] == "beta")
    assert beta["kind"] == "error"
    assert "no-such-kit" in beta["messages"][0]
    assert "featured_products" in beta["hints"][0]

    refused = store_cli("push", "--yes")
    assert refused.exit_code == 1
    assert "the plan has 1 error, so push wrote nothing" in refused.stderr
    assert "--allow-partial" in refused.stderr
    assert store.articles() == {} and write_requests(sandbox) == []

    pushed = store_cli("push", "--yes", "--allow-partial")
    assert pushed.exit_code == 1  # beta is still not in the store
    assert sorted(store.articles()) == ["alpha", "gamma"]
    assert all("beta" not in json.dumps(request_body_of(r)) for r in write_requests(sandbox))


def request_body_of(request: Any) -> dict[str, Any]:
    from .sync_helpers import request_body

    return request_body(request)


def write_requests(sandbox: Any) -> list[Any]:
    return [r for r in sandbox.requests if request_query(r).lstrip().startswith("mutation")]


def test_inactive_products(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    archived, draft = store.seed_inactive_products()
    for name, product in (("alpha", archived), ("beta", draft)):
        path = repo / "articles" / f"{name}.md"
        text = path.read_text()
        text = text.replace(f"featured_products: [{KIT}]", f"featured_products: [{product}]")
        text = text.replace("featured_products: []", f"featured_products: [{product}]")
        path.write_text(text)
    result = plan(settings, client, repo)
    items = {item.handle: item for item in result.items}
    assert items["alpha"].kind == "error" and "not ACTIVE" in items["alpha"].messages[0]
    assert items["beta"].kind == "create" and "not ACTIVE" in items["beta"].warnings[0]


def test_disclaimer_change_updates_the_page_and_the_articles_that_embed_it(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    assert sync(settings, client, repo).ok
    page = repo / "articles" / "pages" / "disclaimer.md"
    page.write_text(page.read_text().replace("not medical advice", "never medical advice"))
    result = plan(settings, client, repo)
    assert kinds(result) == {
        "disclaimer": "update",
        "alpha": "update",
        "beta": "update",
        "gamma": "unchanged",  # names no disclaimer
    }
    assert [c.field for c in result.items[1].diff] == ["body_html"]
    assert push(settings, client, result).ok
    assert "never medical advice" in store.pages()["disclaimer"]["body"]
    assert "never medical advice" in store.articles()["alpha"]["body"]
    assert "never medical advice" not in store.articles()["gamma"]["body"]


def test_rename_keeps_the_article_and_creates_a_redirect(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    assert sync(settings, client, repo).ok
    old_id = store.articles()["alpha"]["id"]
    path = repo / "articles" / "alpha.md"
    path.write_text(path.read_text().replace("handle: alpha", "handle: alpha-renamed"))
    result = plan(settings, client, repo)
    (item,) = result.of_kind("update")
    assert item.redirect and item.id == old_id
    assert push(settings, client, result).ok
    articles = store.articles()
    assert "alpha" not in articles and articles["alpha-renamed"]["id"] == old_id
    assert (f"/blogs/{BLOG}/alpha", f"/blogs/{BLOG}/alpha-renamed") in store.redirects()


def test_a_handle_renamed_away_is_taken_by_another_file_in_the_same_push(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    """alpha.md renames alpha → alpha-2; beta.md takes alpha, and a new file (delta.md)
    takes beta: the push writes each after the article holding its handle has left it
    (never TAKEN)."""
    assert sync(settings, client, repo).ok
    ids = {h: a["id"] for h, a in store.articles().items()}
    folder = repo / "articles"
    for name, old, new in (("alpha", "alpha", "alpha-2"), ("beta", "beta", "alpha")):
        path = folder / f"{name}.md"
        path.write_text(path.read_text().replace(f"handle: {old}\n", f"handle: {new}\n"))
    delta = (folder / "gamma.md").read_text().replace("handle: gamma", "handle: beta")
    (folder / "delta.md").write_text(delta)

    planned = plan(settings, client, repo)
    assert not planned.has_errors, [(i.handle, i.kind, i.messages) for i in planned.items]
    result = push(settings, client, planned)
    assert result.ok, result.to_dict()
    articles = store.articles()
    assert articles["alpha-2"]["id"] == ids["alpha"]
    assert articles["alpha"]["id"] == ids["beta"]
    assert articles["beta"]["id"] not in ids.values()
    assert articles["beta"]["shopsyncSource"]["value"] == "articles/delta.md"
    assert articles["alpha"]["shopsyncSource"]["value"] == "articles/beta.md"
    assert not plan(settings, client, repo).has_changes


def test_two_files_swapping_handles_swap_their_articles_in_one_push(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    """One is parked on a temporary handle first; no redirect is made (each old URL shows
    the other article), and nothing is a conflict afterwards."""
    assert sync(settings, client, repo).ok
    ids = {h: a["id"] for h, a in store.articles().items()}
    folder = repo / "articles"
    for name, old, new in (("alpha", "alpha", "beta"), ("beta", "beta", "alpha")):
        path = folder / f"{name}.md"
        path.write_text(path.read_text().replace(f"handle: {old}\n", f"handle: {new}\n"))

    planned = plan(settings, client, repo)
    assert {i.handle: i.kind for i in planned.of_resource("article")}["alpha"] == "update"
    result = push(settings, client, planned)
    assert result.ok, result.to_dict()
    articles = store.articles()
    assert (articles["beta"]["id"], articles["alpha"]["id"]) == (ids["alpha"], ids["beta"])
    assert articles["beta"]["shopsyncSource"]["value"] == "articles/alpha.md"
    assert store.redirects() == []
    assert not plan(settings, client, repo).has_changes


def test_a_url_another_article_takes_over_is_not_redirected_so_it_can_move_later(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    """alpha → alpha-2 while beta.md takes alpha: /alpha shows beta's article, so no redirect
    from it (it would block the redirect of a later move of that article)."""
    assert sync(settings, client, repo).ok
    folder = repo / "articles"
    for name, old, new in (("alpha", "alpha", "alpha-2"), ("beta", "beta", "alpha")):
        path = folder / f"{name}.md"
        path.write_text(path.read_text().replace(f"handle: {old}\n", f"handle: {new}\n"))
    assert sync(settings, client, repo).ok
    assert store.redirects() == [(f"/blogs/{BLOG}/beta", f"/blogs/{BLOG}/alpha")]

    beta = folder / "beta.md"
    beta.write_text(beta.read_text().replace("title: Beta\n", "title: Beta\nblog: news\n"))
    result = sync(settings, client, repo)
    assert result.ok, result.to_dict()
    assert (f"/blogs/{BLOG}/alpha", "/blogs/news/alpha") in store.redirects()


def test_a_write_waiting_for_a_handle_fails_when_the_rename_fails(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    assert sync(settings, client, repo).ok
    folder = repo / "articles"
    alpha = (folder / "alpha.md").read_text()
    (folder / "alpha.md").write_text(alpha.replace("handle: alpha\n", "handle: alpha-2\n"))
    (folder / "new.md").write_text(alpha.replace("title: Alpha", "title: New"))
    add_fault(sandbox, kind="http_502", match="articleUpdate(", times=10)

    result = sync(settings, client, repo)
    outcomes = {item.source: item for item in result.items}
    assert outcomes["articles/alpha.md"].status == "failed"
    assert outcomes["articles/new.md"].status == "failed"
    assert "waits for article research-digest/alpha-2" in outcomes["articles/new.md"].messages[0]
    sandbox.faults.clear()
    assert sync(settings, client, repo).ok
    assert store.articles()["alpha"]["title"] == "New"


def move_alpha_to_news(repo: Path, *, handle: str = "alpha") -> None:
    path = repo / "articles" / "alpha.md"
    text = path.read_text().replace("title: Alpha\n", "title: Alpha\nblog: news\n")
    path.write_text(text.replace("handle: alpha", f"handle: {handle}"))


def blog_of(client: ShopifyClient, article_id: str) -> tuple[str, str]:
    data = client.execute(
        "query($id: ID!) { article(id: $id) { handle blog { handle } } }", {"id": article_id}
    )
    return data["article"]["blog"]["handle"], data["article"]["handle"]


@pytest.mark.parametrize("handle", ["alpha", "alpha-moved"])
def test_a_move_to_another_blog_keeps_the_article_and_redirects_its_old_url(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store, handle: str
) -> None:
    assert sync(settings, client, repo).ok
    old_id = store.articles()["alpha"]["id"]
    move_alpha_to_news(repo, handle=handle)
    (item,) = plan(settings, client, repo).of_kind("update")
    assert item.id == old_id and "moves from blog 'research-digest'" in item.messages[0]

    assert sync(settings, client, repo).ok
    assert blog_of(client, old_id) == ("news", handle)
    assert (f"/blogs/{BLOG}/alpha", f"/blogs/news/{handle}") in store.redirects()
    assert len(store.redirects()) == 1  # ours only: no redirectNewHandle within the new blog
    assert not plan(settings, client, repo).has_changes


def test_a_move_out_of_a_blog_no_file_wants_any_more_keeps_the_article(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    """The blog the article leaves is read too (its index names it), so the article is
    matched by its file and moved: never created a second time in the new blog."""
    move_alpha_to_news(repo)
    assert sync(settings, client, repo).ok
    (old_id,) = [a["id"] for a in store.all_articles() if a["handle"] == "alpha"]
    path = repo / "articles" / "alpha.md"
    path.write_text(path.read_text().replace("blog: news\n", ""))

    (item,) = plan(settings, client, repo).of_kind("update")
    assert item.id == old_id and "moves from blog 'news'" in item.messages[0]
    assert sync(settings, client, repo).ok
    assert [a["id"] for a in store.all_articles() if a["handle"] == "alpha"] == [old_id]
    assert blog_of(client, old_id) == (BLOG, "alpha")
    assert not plan(settings, client, repo).has_changes


def test_a_file_gone_from_a_blog_no_file_wants_any_more_is_an_orphan(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    move_alpha_to_news(repo)
    assert sync(settings, client, repo).ok
    (repo / "articles" / "alpha.md").unlink()

    (orphan,) = plan(settings, client, repo, prune="delete").of_kind("delete")
    assert (orphan.blog, orphan.handle) == ("news", "alpha")
    assert sync(settings, client, repo, prune="delete").ok
    assert [a["handle"] for a in store.all_articles()] == ["beta", "gamma"]


def test_a_move_that_failed_after_its_redirect_is_finished_by_a_rerun(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    assert sync(settings, client, repo).ok
    old_id = store.articles()["alpha"]["id"]
    move_alpha_to_news(repo)
    add_fault(sandbox, kind="http_502", match="articleUpdate(", times=10)
    assert not sync(settings, client, repo).ok
    assert blog_of(client, old_id) == (BLOG, "alpha")  # not moved, yet redirected already
    assert (f"/blogs/{BLOG}/alpha", "/blogs/news/alpha") in store.redirects()

    sandbox.faults.clear()
    assert sync(settings, client, repo).ok  # the redirect is found in place
    assert blog_of(client, old_id) == ("news", "alpha")
    assert store.redirects() == [(f"/blogs/{BLOG}/alpha", "/blogs/news/alpha")]


# ------------------------------------------------------------------ ownership and prune


def test_prune_touches_only_managed_articles(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store, store_cli: Cli
) -> None:
    assert sync(settings, client, repo).ok
    admin_create_article(client, settings, store.blog_id(), "by-hand", published=True)
    (repo / "articles" / "alpha.md").unlink()

    reported = plan(settings, client, repo)
    assert kinds(reported)["alpha"] == "orphan" and "by-hand" not in kinds(reported)
    assert sync(settings, client, repo).ok
    assert store.articles()["alpha"]["isPublished"] is True  # reported only

    result = store_cli("push", "--yes", "--prune")
    assert result.exit_code == 0, result.output
    articles = store.articles()
    assert articles["alpha"]["isPublished"] is False
    assert articles["by-hand"]["isPublished"] is True

    result = store_cli("push", "--yes", "--prune=delete")
    assert result.exit_code == 0, result.output
    articles = store.articles()
    assert "alpha" not in articles and "by-hand" in articles
    assert sorted(articles) == ["beta", "by-hand", "gamma"]


def test_a_file_restored_after_its_article_was_unpublished_publishes_it_again(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    assert sync(settings, client, repo).ok
    text = (repo / "articles" / "alpha.md").read_text(encoding="utf-8")
    (repo / "articles" / "alpha.md").unlink()
    assert sync(settings, client, repo, prune="unpublish").ok
    assert store.articles()["alpha"]["isPublished"] is False
    (repo / "articles" / "alpha.md").write_text(text, encoding="utf-8")  # git revert
    assert kinds(plan(settings, client, repo))["alpha"] == "update"
    assert sync(settings, client, repo).ok
    assert store.articles()["alpha"]["isPublished"] is True
    assert not plan(settings, client, repo).has_changes


def test_unmanaged_article_with_a_files_handle_needs_adopt(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    existing = admin_create_article(client, settings, store.ensure_blog(), "beta", published=True)
    result = plan(settings, client, repo)
    assert kinds(result)["beta"] == "conflict"
    assert not sync(settings, client, repo).ok
    assert store.articles()["beta"]["title"] == "Written by hand"

    assert sync(settings, client, repo, adopt=True).ok
    beta = store.articles()["beta"]
    assert beta["id"] == existing and beta["title"] == "Beta"
    assert beta["shopsyncSource"]["value"] == "articles/beta.md"
    assert kinds(plan(settings, client, repo))["beta"] == "unchanged"


# --------------------------------------------------------------------- failure handling


def test_commit_then_fail_on_create_leaves_exactly_one_article(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    from .sync_helpers import add_fault

    add_fault(sandbox, kind="commit_then_fail", match="articleCreate", times=1)
    first = sync(settings, client, repo)
    second = sync(settings, client, repo)
    assert second.ok, second.to_dict()
    assert sorted(store.article_handles()) == ["alpha", "beta", "gamma"]
    assert first.ok or [i.handle for i in first.failed] != []
    assert not plan(settings, client, repo).has_changes


def test_a_refused_request_fails_its_writes_and_rerun_finishes(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    from .sync_helpers import add_fault

    # The articles go in one request: the userErrors it answers fail each of its writes.
    add_fault(sandbox, kind="user_error", match="articleCreate", times=1)
    first = sync(settings, client, repo)
    assert not first.ok
    assert sorted(i.handle for i in first.failed) == ["alpha", "beta", "gamma"]
    assert all("Internal error" in " ".join(i.messages) for i in first.failed)
    assert [i.status for i in first.items if i.resource == "page"] == ["ok"]
    assert store.article_handles() == []
    assert sync(settings, client, repo).ok
    assert sorted(store.article_handles()) == ["alpha", "beta", "gamma"]


def test_one_refused_write_of_a_batch_fails_alone(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    blog_id = store.ensure_blog()
    planned = plan(settings, client, repo)  # three creates, sent in one request
    # Someone takes beta's handle between plan and push: only beta's write is refused.
    admin_create_article(client, settings, blog_id, "beta", published=False)
    result = push(settings, client, planned)
    failed = {i.handle: i.messages for i in result.failed}
    assert list(failed) == ["beta"]
    assert "was taken meanwhile by an article shopsync does not manage" in failed["beta"][0]
    assert sorted(store.article_handles()) == ["alpha", "beta", "gamma"]
    assert store.articles()["beta"]["title"] == "Written by hand"
    batches = [
        r
        for r in sandbox.requests
        if (r.operation_name or "").startswith("SyncWrite")
        and "articleCreate(" in str((r.body or {}).get("query"))
    ]
    assert len(batches) == 1  # the batch; beta was looked up, not sent again


# ------------------------------------------------------------------------- local images

IMAGE = "articles/images/diagram.png"


def use_local_image(repo: Path, data: bytes, *handles: str) -> None:
    """Give the articles ``handles`` the repository image ``IMAGE`` (written as ``data``)."""
    (repo / IMAGE).parent.mkdir(parents=True, exist_ok=True)
    (repo / IMAGE).write_bytes(data)
    for handle in handles:
        path = repo / "articles" / f"{handle}.md"
        text = path.read_text(encoding="utf-8")
        image = f"image:\n  src: {IMAGE}\n  alt: The {handle} diagram\n"
        path.write_text(text.replace("---\n", "---\n" + image, 1), encoding="utf-8")


def store_files(sandbox: Any) -> list[dict[str, Any]]:
    return list(sandbox.store.all("file"))


def test_a_local_image_is_uploaded_once_and_both_articles_show_it(
    sandbox: Any,
    settings: Settings,
    client: ShopifyClient,
    repo: Path,
    store: Store,
    store_cli: Cli,
) -> None:
    data = png(4, 3)
    use_local_image(repo, data, "alpha", "beta")
    shown = store_cli("plan")
    name = f"diagram-{hashlib.sha256(data).hexdigest()[:12]}.png"
    assert f"+ image {name}  ({IMAGE})" in shown.stdout
    assert "Plan: 7 to create" in shown.stdout

    pushed = store_cli("push", "--yes")
    assert pushed.exit_code == 0, pushed.output
    (file,) = store_files(sandbox)
    assert file["filename"] == name and file["originalSource"]["fileSize"] == len(data)
    assert (file["width"], file["height"]) == (4, 3)
    articles = store.articles()
    for handle in ("alpha", "beta"):
        assert articles[handle]["imageSrc"]["value"] == file["url"]
        assert articles[handle]["image"]["altText"] == f"The {handle} diagram"
        assert articles[handle]["image"]["url"].startswith("https://cdn.shopify.com/")
    assert articles["gamma"]["image"] is None

    again = plan(settings, client, repo)
    assert not again.has_changes
    assert kinds(again)[name] == "unchanged"


def test_a_new_alt_text_alone_is_sent_alone_and_the_image_stays(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    use_local_image(repo, png(4, 3), "alpha")
    assert sync(settings, client, repo).ok
    hosted = store.articles()["alpha"]["image"]["url"]
    path = repo / "articles" / "alpha.md"
    path.write_text(path.read_text().replace("alt: The alpha diagram", "alt: A better alt"))

    before = len(sandbox.requests)
    assert sync(settings, client, repo).ok
    (update,) = [r for r in sandbox.requests[before:] if "articleUpdate(" in request_query(r)]
    assert update.body is not None
    (sent_input,) = [v for k, v in update.body["variables"].items() if k.startswith("w")]
    assert sent_input["image"] == {"altText": "A better alt"}  # no URL: nothing re-downloaded
    image = store.articles()["alpha"]["image"]
    assert image == {"url": hosted, "altText": "A better alt"}
    assert not plan(settings, client, repo).has_changes


def test_removing_the_image_from_the_file_removes_it_from_the_article(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    use_local_image(repo, png(4, 3), "alpha")
    assert sync(settings, client, repo).ok
    path = repo / "articles" / "alpha.md"
    text = path.read_text()
    path.write_text(text.replace(f"image:\n  src: {IMAGE}\n  alt: The alpha diagram\n", ""))
    assert kinds(plan(settings, client, repo))["alpha"] == "update"
    assert sync(settings, client, repo).ok
    assert store.articles()["alpha"]["image"] is None
    assert not plan(settings, client, repo).has_changes


def test_changed_image_bytes_are_a_new_upload_and_an_update_of_its_articles(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    use_local_image(repo, png(4, 3), "alpha")
    assert sync(settings, client, repo).ok
    (repo / IMAGE).write_bytes(png(8, 6))
    changed = plan(settings, client, repo)
    writes = {(i.resource, i.handle, i.kind) for i in changed.items if i.writes}
    new_name = f"diagram-{hashlib.sha256(png(8, 6)).hexdigest()[:12]}.png"
    assert writes == {("image", new_name, "create"), ("article", "alpha", "update")}
    (alpha,) = [i for i in changed.items if i.handle == "alpha"]
    assert [c.field for c in alpha.diff] == ["image_src"]
    assert alpha.diff[0].after == PENDING + new_name

    assert push(settings, client, changed).ok
    newest = store_files(sandbox)[-1]
    assert newest["filename"] == new_name and len(store_files(sandbox)) == 2
    assert store.articles()["alpha"]["imageSrc"]["value"] == newest["url"]
    assert not plan(settings, client, repo).has_changes


def test_the_push_waits_while_shopify_processes_the_image(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    slow = sandbox_factory(file_processing_s=1.0)
    time = StoreTime(slow)
    settings = sandbox_settings(slow)
    write_content(tmp_path)
    use_local_image(tmp_path, png(2, 2), "alpha")
    with time.client(settings) as client:
        result = sync(settings, client, tmp_path)
    assert result.ok, result.to_dict()
    assert time.slept >= 1.0  # it waited, on the store's clock, until the file was READY
    polls = [r for r in slow.requests if r.operation_name == "SyncFilesStatus"]
    assert len(polls) >= 2  # PROCESSING at first, READY later
    (file,) = store_files(slow)
    article = next(a for a in slow.store.all("article") if a["handle"] == "alpha")
    assert article["image"] is not None and file["filename"].startswith("diagram-")


def test_commit_then_fail_on_file_create_never_makes_a_second_file(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    from .sync_helpers import add_fault

    use_local_image(repo, png(3, 3), "alpha")
    add_fault(sandbox, kind="commit_then_fail", match="fileCreate", times=1)
    first = sync(settings, client, repo)
    assert first.ok, first.to_dict()  # the file was found by its name and used
    assert len(store_files(sandbox)) == 1
    assert sync(settings, client, repo).ok
    assert len(store_files(sandbox)) == 1
    assert store.articles()["alpha"]["imageSrc"]["value"] == store_files(sandbox)[0]["url"]


def test_an_image_edited_after_the_plan_holds_back_only_its_article(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    use_local_image(repo, png(4, 4), "alpha")
    planned = plan(settings, client, repo)
    (repo / IMAGE).write_bytes(png(5, 5))  # edited between plan and push
    result = push(settings, client, planned)
    assert not result.ok
    failed = {(i.resource, i.handle): i.messages for i in result.failed}
    (image,) = planned.of_resource("image")
    assert set(failed) == {("image", image.handle), ("article", "alpha")}
    assert "changed since the plan" in failed[("image", image.handle)][0]
    assert "was not uploaded" in failed[("article", "alpha")][0]
    assert sorted(store.article_handles()) == ["beta", "gamma"]
    assert store_files(sandbox) == []
    assert sync(settings, client, repo).ok  # a re-run plans the new bytes and finishes
    assert sorted(store.article_handles()) == ["alpha", "beta", "gamma"]


def test_local_images_need_the_files_scopes(sandbox: Any, repo: Path, store_cli: Cli) -> None:
    use_local_image(repo, png(2, 2), "alpha")
    token = sandbox.issue_token(scopes=["read_content", "write_content", "read_products"])
    result = store_cli.with_env(SHOPSYNC_ACCESS_TOKEN=token)("plan")
    assert result.exit_code == EXIT_CONFIG
    assert "read_files" in result.stderr
    assert mutations(sandbox.requests) == []


def test_images_are_staged_created_and_polled_in_batches(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    for n, handle in enumerate(("alpha", "beta", "gamma"), start=2):
        path = repo / "articles" / "images" / f"{handle}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png(n, n))
        article = repo / "articles" / f"{handle}.md"
        image = f"image:\n  src: articles/images/{handle}.png\n  alt: {handle}\n"
        article.write_text(article.read_text().replace("---\n", "---\n" + image, 1))
    assert sync(settings, client, repo).ok
    sent = [r.operation_name for r in sandbox.requests]
    assert sent.count("SyncStagedUploadsCreate") == 1
    assert sent.count("SyncFileCreate") == 1
    assert sent.count("SyncFilesStatus") >= 1
    uploads = [r for r in sandbox.requests if r.path.startswith("/sandbox/staged-uploads")]
    assert len(uploads) == 3 and len(store_files(sandbox)) == 3
    urls = {a["imageSrc"]["value"] for a in store.articles().values()}
    assert urls == {f["url"] for f in store_files(sandbox)}


def test_an_image_still_processing_is_waited_for_by_the_next_run_not_uploaded_again(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    slow = sandbox_factory(file_processing_s=60)
    clock = slow.store.clock = StoreClock()
    settings = sandbox_settings(slow)
    write_content(tmp_path)
    use_local_image(tmp_path, png(2, 2), "alpha")
    with ShopifyClient.from_settings(settings) as client:
        impatient = Applier(client=client, processing_timeout=0)
        first = impatient.apply(plan(settings, client, tmp_path))
        messages = {i.resource: " ".join(i.messages) for i in first.failed}
        assert "still processing after 0s" in messages["image"]
        assert "was not uploaded" in messages["article"]

        second = plan(settings, client, tmp_path)  # the next run, while Shopify still works
        (image,) = [i for i in second.items if i.resource == "image"]
        assert image.kind == "create" and image.id == store_files(slow)[0]["id"]
        assert "still PROCESSING" in image.messages[0]
        clock.advance(60)
        assert push(settings, client, second).ok
        assert not plan(settings, client, tmp_path).has_changes
    assert len(store_files(slow)) == 1
    uploads = [r for r in slow.requests if r.path.startswith("/sandbox/staged-uploads")]
    assert len(uploads) == 1


def test_the_same_bytes_under_two_paths_are_one_file_used_by_both_articles(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    data = png(3, 2)
    for handle, folder in (("alpha", "images"), ("beta", "images/copy")):
        path = repo / "articles" / folder / "diagram.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        article = repo / "articles" / f"{handle}.md"
        image = f"image:\n  src: articles/{folder}/diagram.png\n  alt: {handle}\n"
        article.write_text(article.read_text().replace("---\n", "---\n" + image, 1))
    seen: list[str] = []
    result = push(
        settings,
        client,
        plan(settings, client, repo),
        on_progress=lambda o: seen.append(o.resource),
    )
    assert result.ok, result.to_dict()
    # Reported first (after the metafield definition's stage), as it finished.
    assert seen[:2] == ["definition", "image"] and seen.count("image") == 1
    (file,) = store_files(sandbox)
    articles = store.articles()
    assert articles["alpha"]["imageSrc"]["value"] == articles["beta"]["imageSrc"]["value"]
    assert articles["alpha"]["imageSrc"]["value"] == file["url"]
    assert not plan(settings, client, repo).has_changes


def test_body_images_in_the_repository_are_uploaded_and_linked(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    chart = repo / "articles" / "images" / "chart.png"
    chart.parent.mkdir(parents=True, exist_ok=True)
    chart.write_bytes(png(6, 4))
    alpha = repo / "articles" / "alpha.md"
    body = "\n![The chart](images/chart.png)\n\n![Remote](https://cdn.example.test/r.png)\n"
    alpha.write_text(alpha.read_text() + body)

    planned = plan(settings, client, repo)
    (image,) = [i for i in planned.items if i.resource == "image"]
    assert image.source == "articles/images/chart.png"
    assert push(settings, client, planned).ok
    (file,) = store_files(sandbox)
    stored = store.articles()["alpha"]["body"]
    assert f'<img src="{file["url"]}" alt="The chart">' in stored
    assert '<img src="https://cdn.example.test/r.png" alt="Remote">' in stored
    assert PENDING not in stored
    assert not plan(settings, client, repo).has_changes

    chart.write_bytes(png(7, 4))  # a new version of the chart: a new file, the body follows
    changed = plan(settings, client, repo)
    (update,) = [i for i in changed.items if i.resource == "article" and i.writes]
    assert update.handle == "alpha" and [c.field for c in update.diff] == ["body_html"]
    assert push(settings, client, changed).ok
    newest = store_files(sandbox)[-1]
    assert f'src="{newest["url"]}"' in store.articles()["alpha"]["body"]
    assert not plan(settings, client, repo).has_changes


# ----------------------------------------------------------- featured products' definition

DEFINITION_QUERY = """query {
  metafieldDefinition(
    identifier: {ownerType: ARTICLE, namespace: "custom", key: "featured_products"}
  ) { id type { name } ownerType }
}"""


def define_products_metafield(client: ShopifyClient, type_: str) -> None:
    data = client.execute(
        """mutation($d: MetafieldDefinitionInput!) {
          metafieldDefinitionCreate(definition: $d) { createdDefinition { id } userErrors { code } }
        }""",
        {
            "d": {
                "name": "Featured",
                "namespace": "custom",
                "key": "featured_products",
                "ownerType": "ARTICLE",
                "type": type_,
            }
        },
    )
    assert data["metafieldDefinitionCreate"]["userErrors"] == []


def test_the_featured_products_metafield_is_defined_before_any_article_uses_it(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    planned = plan(settings, client, repo)
    (definition,) = planned.of_resource("definition")
    assert (definition.kind, definition.handle) == ("create", "custom.featured_products")
    assert push(settings, client, planned).ok

    found = client.execute(DEFINITION_QUERY)["metafieldDefinition"]
    assert found["type"]["name"] == "list.product_reference" and found["ownerType"] == "ARTICLE"
    queries = [request_query(r) for r in sandbox.requests]
    defined = next(n for n, q in enumerate(queries) if "metafieldDefinitionCreate(" in q)
    first_article = next(n for n, q in enumerate(queries) if "articleCreate(" in q)
    assert defined < first_article
    assert plan(settings, client, repo).of_resource("definition") == []  # done: no item


def test_a_definition_of_another_type_is_an_error_and_holds_back_the_articles_using_it(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    define_products_metafield(client, "product_reference")  # a single product, not a list
    planned = plan(settings, client, repo)
    (definition,) = planned.of_resource("definition")
    assert definition.kind == "error" and "defined as product_reference" in definition.messages[0]
    result = push(settings, client, planned)
    assert not result.ok
    failed = {i.handle for i in result.failed}
    assert failed == {"alpha"}  # the one article featuring a product; the rest were written
    assert sorted(store.articles()) == ["beta", "gamma"]


def test_a_definition_that_could_not_be_made_fails_only_the_articles_waiting_for_it(
    sandbox: Any, settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    add_fault(sandbox, kind="http_503", match="metafieldDefinitionCreate(", times=20)
    result = push(settings, client, plan(settings, client, repo))
    assert not result.ok
    outcomes = {i.handle: i for i in result.items}
    assert outcomes["custom.featured_products"].status == "failed"
    assert outcomes["alpha"].status == "failed"
    assert "waits for it" in outcomes["alpha"].messages[0]
    assert sorted(store.articles()) == ["beta", "gamma"]

    sandbox.faults.clear()
    assert sync(settings, client, repo).ok  # a re-run defines it, then writes alpha
    assert sorted(store.articles()) == ["alpha", "beta", "gamma"]


def test_an_admin_edit_survives_unpublish_and_a_restored_file_is_a_conflict(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    assert sync(settings, client, repo).ok
    alpha = store.articles()["alpha"]["id"]
    admin_update_article(client, settings, alpha, {"title": "Alpha, fixed by the admin"})
    text = (repo / "articles" / "alpha.md").read_text(encoding="utf-8")
    (repo / "articles" / "alpha.md").unlink()
    assert sync(settings, client, repo, prune="unpublish").ok
    (repo / "articles" / "alpha.md").write_text(text, encoding="utf-8")  # git revert

    restored = plan(settings, client, repo)
    assert kinds(restored)["alpha"] == "conflict"  # not an update over the admin's fix
    assert not sync(settings, client, repo).ok
    assert store.articles()["alpha"]["title"] == "Alpha, fixed by the admin"
    assert sync(settings, client, repo, force=True).ok  # told to: the file wins
    assert store.articles()["alpha"]["title"] == "Alpha"
    assert not plan(settings, client, repo).has_changes
