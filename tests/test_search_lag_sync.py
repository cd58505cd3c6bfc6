"""shopsync against a store whose search lags its writes, with the sandbox's faults.

On Shopify a write is found by search (``query:``) only once its index has caught up, and
the moment after an ambiguous failure is exactly when shopsync must know what landed. So
shopsync finds what it wrote by direct reads (the blog's article list, the pages, the blog's
file ledger by id, ``productByIdentifier``) and uses search only as a hint. Here the store's
clock stands still unless the test says otherwise (``StoreClock``), so search never catches
up during a test: every assertion that search still misses proves shopsync did without it.
The store's state is checked by direct reads (listings without a query, reads by id).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shopsync.apply import REDIRECT_SEARCH_WAIT, Applier
from shopsync.sandbox import SandboxServer
from shopsync.sync import build_plan, names_of, push

from .client_support import FakeTime, make_client, sent
from .conftest import SandboxFactory
from .images import StoreClock, png
from .sync_helpers import BLOG, KIT, article, sandbox_settings, write_content
from .test_apply import Shop, outcomes
from .test_sync_e2e import blog_of, move_alpha_to_news, use_local_image
from .test_uploads import on_fake_time

#: Whatever the suite's default, search here is behind (its misses are what is tested).
pytestmark = pytest.mark.search_lag(300)


@pytest.fixture
def clock() -> StoreClock:
    return StoreClock()


@pytest.fixture
def frozen(sandbox_factory: SandboxFactory, clock: StoreClock) -> Iterator[Shop]:
    """A shop whose search lags (the default) on a store clock that moves only by hand."""
    sandbox = sandbox_factory(file_processing_s=0)
    sandbox.store.clock = clock
    fake = FakeTime()
    with make_client(sandbox, fake) as client:
        yield Shop(sandbox, sandbox_settings(sandbox), client, fake)


def searched(shop: Shop, root: str, query: str) -> list[dict[str, Any]]:
    """What search answers now for ``root(query:)`` (ids and handles)."""
    text = f'{{ {root}(first: 50, query: "{query}") {{ nodes {{ id }} }} }}'
    nodes: list[dict[str, Any]] = shop.client.execute(text, {})[root]["nodes"]
    return nodes


def one_article(root: Path) -> Path:
    (root / "articles").mkdir()
    text = article("Alpha", status="draft", disclaimer=False)
    (root / "articles" / "alpha.md").write_text(text, encoding="utf-8")
    return root


def test_an_article_create_that_landed_is_found_by_listing_the_blog_though_search_misses_it(
    frozen: Shop, tmp_path: Path
) -> None:
    frozen.store.ensure_blog()
    repo = one_article(tmp_path)
    frozen.fail("commit_then_fail", "articleCreate(")

    result = frozen.apply(repo)

    assert result.ok, result.to_dict()
    assert frozen.store.article_handles() == ["alpha"]  # one, listed directly
    assert outcomes(result)["alpha"].id == frozen.store.articles()["alpha"]["id"]
    assert frozen.writes("articleCreate") == 1
    assert searched(frozen, "articles", "handle:alpha") == []  # search never saw it
    assert frozen.in_sync(repo)
    assert frozen.store.article_handles() == ["alpha"]


def test_a_page_create_that_landed_is_found_by_listing_the_pages_though_search_misses_it(
    frozen: Shop, tmp_path: Path
) -> None:
    write_content(tmp_path)
    frozen.fail("commit_then_fail", "pageCreate(")

    result = frozen.apply(tmp_path)

    assert result.ok, result.to_dict()
    assert disclaimers(frozen) == 1
    assert frozen.writes("pageCreate") == 1
    assert searched(frozen, "pages", "handle:disclaimer") == []
    assert frozen.in_sync(tmp_path)
    assert disclaimers(frozen) == 1


def disclaimers(shop: Shop) -> int:
    """How many pages are the disclaimer (or a copy: ``disclaimer-1``), listed directly."""
    query = "{ pages(first: 250) { nodes { handle } } }"
    handles = [n["handle"] for n in shop.client.execute(query, {})["pages"]["nodes"]]
    return sum(1 for h in handles if h == "disclaimer" or h.startswith("disclaimer-"))


def image_name(data: bytes) -> str:
    return f"diagram-{hashlib.sha256(data).hexdigest()[:12]}.png"


def files(sandbox: SandboxServer) -> list[dict[str, Any]]:
    """Every file in Content > Files, listed without a query (never behind)."""
    query = "{ files(first: 50) { nodes { id fileStatus ... on MediaImage { image { url } } } } }"
    with make_client(sandbox, FakeTime()) as client:
        nodes: list[dict[str, Any]] = client.execute(query, {})["files"]["nodes"]
    return nodes


def staged_uploads(sandbox: SandboxServer) -> int:
    return sum(1 for r in sandbox.requests if r.path.startswith("/sandbox/staged-uploads"))


def test_a_file_create_that_landed_is_not_uploaded_twice_and_the_article_shows_it(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    """Search misses the file right after the lost answer, so shopsync creates it again with
    RAISE_ERROR: refused by name, it waits for search to show the file that landed (the
    store's clock moves as the client sleeps), uses it and deletes its refused copy."""
    sandbox = sandbox_factory(file_processing_s=0)
    fake = FakeTime()
    on_fake_time(sandbox, fake)
    write_content(tmp_path)
    data = png(3, 3)
    use_local_image(tmp_path, data, "alpha")
    with make_client(sandbox, fake) as client:
        shop = Shop(sandbox, sandbox_settings(sandbox), client, fake)
        shop.fail("commit_then_fail", "fileCreate")

        first = shop.apply(tmp_path)

        assert first.ok, first.to_dict()
        (kept,) = files(sandbox)
        assert kept["fileStatus"] == "READY" and image_name(data) in kept["image"]["url"]
        assert shop.store.articles()["alpha"]["imageSrc"]["value"] == kept["image"]["url"]
        assert staged_uploads(sandbox) == 1  # the bytes went up once
        assert len(sent(sandbox, "SyncFileCreate")) == 2  # the lost one, and the refused one
        assert len(sent(sandbox, "SyncFileDelete")) == 1  # the refused copy, deleted

        second = shop.apply(tmp_path)  # the next run: nothing to upload

        assert second.ok and not any(i.status != "ok" for i in second.items)
        assert [f["id"] for f in files(sandbox)] == [kept["id"]]
        assert staged_uploads(sandbox) == 1 and len(sent(sandbox, "SyncFileCreate")) == 2
        assert shop.in_sync(tmp_path)


def test_an_image_still_processing_is_read_from_the_ledger_by_the_next_run_not_created_again(
    sandbox_factory: SandboxFactory, tmp_path: Path, clock: StoreClock
) -> None:
    """The first run gives up while Shopify processes the file; search cannot show the file
    to the next run (the index is behind), the blog's file ledger can: read by id."""
    sandbox = sandbox_factory(file_processing_s=60)
    sandbox.store.clock = clock
    settings = sandbox_settings(sandbox)
    write_content(tmp_path)
    data = png(2, 5)
    use_local_image(tmp_path, data, "alpha")
    fake = FakeTime()
    with make_client(sandbox, fake) as client:
        impatient = Applier(
            client=client,
            names=names_of(settings),
            sleep=fake.sleep,
            clock=fake.clock,
            processing_timeout=0,
        )
        first = impatient.apply(build_plan(settings, client, root=tmp_path))
        assert {i.resource for i in first.failed} == {"image", "article"}
        (made,) = files(sandbox)

        again = build_plan(settings, client, root=tmp_path)

        shop = Shop(sandbox, settings, client, fake)
        assert searched(shop, "files", f"filename:{image_name(data)}") == []
        (image,) = again.of_resource("image")
        assert (image.kind, image.id) == ("create", made["id"])  # waits for it, no upload
        clock.advance(60)
        assert push(settings, client, again).ok
        assert [f["id"] for f in files(sandbox)] == [made["id"]]
        assert staged_uploads(sandbox) == 1 and len(sent(sandbox, "SyncFileCreate")) == 1
        stored = shop.store.articles()["alpha"]["imageSrc"]["value"]
        assert stored == files(sandbox)[0]["image"]["url"]


def test_a_product_created_just_before_the_plan_is_resolved_though_search_misses_it(
    frozen: Shop, tmp_path: Path
) -> None:
    frozen.store.ensure_blog()
    frozen.sandbox.store.add_products([{"handle": "brand-new-kit", "title": "Brand New Kit"}])
    repo = one_article(tmp_path)
    path = repo / "articles" / "alpha.md"
    text = path.read_text(encoding="utf-8").replace(
        "featured_products: []", "featured_products: [brand-new-kit]"
    )
    path.write_text(text, encoding="utf-8")
    assert searched(frozen, "products", "handle:brand-new-kit") == []

    plan = build_plan(frozen.settings, frozen.client, root=repo)
    assert [i.messages for i in plan.items if i.kind == "error"] == []
    result = frozen.apply(repo)

    assert result.ok, result.to_dict()
    featured = frozen.store.articles()["alpha"]["featuredProducts"]["value"]
    assert json.loads(featured) == [frozen.store.product_id("brand-new-kit")]
    assert frozen.store.product_id("brand-new-kit") != frozen.store.product_id(KIT)
    assert frozen.in_sync(repo)


def test_a_redirect_create_that_landed_is_confirmed_once_search_shows_it(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    """A move to another blog redirects the old URL first. The redirect's answer is lost;
    only search finds a redirect by path, and it lags: sent again, the create says the path
    is taken, and shopsync waits (the store's clock moves as it sleeps) for search to show
    whose redirect holds it: its own, so the article moves."""
    sandbox = sandbox_factory()
    fake = FakeTime()
    on_fake_time(sandbox, fake)
    write_content(tmp_path)
    with make_client(sandbox, fake) as client:
        shop = Shop(sandbox, sandbox_settings(sandbox), client, fake)
        assert shop.apply(tmp_path).ok
        old_id = shop.store.articles()["alpha"]["id"]
        move_alpha_to_news(tmp_path)
        shop.fail("commit_then_fail", "SyncUrlRedirectCreate")

        result = shop.apply(tmp_path)

        assert result.ok, result.to_dict()
        assert blog_of(client, old_id) == ("news", "alpha")
        assert shop.store.redirects() == [(f"/blogs/{BLOG}/alpha", "/blogs/news/alpha")]
        assert shop.received("SyncUrlRedirectCreate") == 2  # the lost one, then "taken"
        assert shop.in_sync(tmp_path)


def test_a_taken_path_search_never_shows_fails_the_move_for_a_rerun_after_a_bounded_wait(
    frozen: Shop, tmp_path: Path
) -> None:
    """Search stands still here: the move waits REDIRECT_SEARCH_WAIT for it, then leaves the
    article where it is (its redirect is in place) and says to run the push again."""
    write_content(tmp_path)
    assert frozen.apply(tmp_path).ok
    old_id = frozen.store.articles()["alpha"]["id"]
    move_alpha_to_news(tmp_path)
    frozen.fail("commit_then_fail", "SyncUrlRedirectCreate")
    waited_from = frozen.fake.clock()

    result = frozen.apply(tmp_path)

    (failed,) = result.failed
    assert failed.handle == "alpha" and "could not be confirmed" in failed.messages[0]
    assert failed.messages[-1] == "run the push again"
    assert blog_of(frozen.client, old_id) == (BLOG, "alpha")
    assert frozen.store.redirects() == [(f"/blogs/{BLOG}/alpha", "/blogs/news/alpha")]
    searches = frozen.received("SyncUrlRedirects")
    assert 3 <= searches <= 12  # asked again while waiting, not forever
    assert frozen.fake.clock() - waited_from >= REDIRECT_SEARCH_WAIT - 2
