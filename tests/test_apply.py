"""``Applier``: creates after an ambiguous failure, against the sandbox over real HTTP.

A create that failed without an answer may or may not have landed. The sandbox's faults
make both cases on purpose: ``commit_then_fail`` applies the write, then answers 502;
``http_502`` and ``reset`` answer (or drop the connection) before executing anything
(``sandbox/server.py``: ``_fault_response`` returns early for them). shopsync must look
before it sends again, and never leave a second copy behind. The client runs on a fake
clock, so nothing really sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shopsync.admin.client import ShopifyClient
from shopsync.apply import CREATE_ATTEMPTS, Applier, ApplyResult, ItemOutcome
from shopsync.config import Settings
from shopsync.sandbox import FaultRule, SandboxServer
from shopsync.sync import build_plan, names_of

from .client_support import FakeTime, make_client, sent
from .sync_helpers import BLOG, Store, article, sandbox_settings, write_content

# Faults that fail a request without executing it (the write did not land).
NOT_EXECUTED = ["http_502", "reset"]


@dataclass
class Shop:
    """The sandbox, a client for it on a fake clock, and the store seen from outside."""

    sandbox: SandboxServer
    settings: Settings
    client: ShopifyClient
    fake: FakeTime

    @property
    def store(self) -> Store:
        return Store(self.client, self.settings)

    def fail(self, kind: str, operation: str, times: int | None = 1) -> None:
        self.sandbox.faults.add(FaultRule(kind=kind, match=operation, times=times))

    def apply(self, root: Path) -> ApplyResult:
        """Plan ``root`` against the store and apply it, on the fake clock."""
        plan = build_plan(self.settings, self.client, root=root)
        applier = Applier(
            client=self.client,
            names=names_of(self.settings),
            sleep=self.fake.sleep,
            clock=self.fake.clock,
        )
        return applier.apply(plan)

    def in_sync(self, root: Path) -> bool:
        return not build_plan(self.settings, self.client, root=root).has_changes

    def received(self, operation: str) -> int:
        """How many ``operation`` requests reached the sandbox, answered or dropped."""
        return len(sent(self.sandbox, operation))

    def writes(self, field: str) -> int:
        """How many requests reached the sandbox with a ``field`` mutation (creates are sent
        in batched documents, so they are counted by the root field, not the operation)."""
        return sum(1 for r in sent(self.sandbox) if f"{field}(" in str((r.body or {}).get("query")))


@pytest.fixture
def shop(sandbox: SandboxServer) -> Iterator[Shop]:
    fake = FakeTime()
    with make_client(sandbox, fake) as client:
        yield Shop(sandbox, sandbox_settings(sandbox), client, fake)


def outcomes(result: ApplyResult) -> dict[str, ItemOutcome]:
    return {item.handle: item for item in result.items}


# ----------------------------------------------------------------------- article creates


#: The plan before the push lists the blog once.
PLAN_SCANS = 1


@pytest.fixture
def one_article(tmp_path: Path, shop: Shop) -> Path:
    """A repository with one article, for a blog that already exists."""
    shop.store.ensure_blog()
    (tmp_path / "articles").mkdir()
    text = article("Alpha", status="draft", disclaimer=False)
    (tmp_path / "articles" / "alpha.md").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("kind", NOT_EXECUTED)
def test_a_create_that_did_not_land_is_sent_again_once(
    shop: Shop, one_article: Path, kind: str
) -> None:
    shop.fail(kind, "articleCreate(")

    result = shop.apply(one_article)

    assert result.ok, result.to_dict()
    alpha = outcomes(result)["alpha"]
    assert (alpha.status, alpha.action) == ("ok", "create")
    assert shop.store.article_handles() == ["alpha"]
    assert alpha.id == shop.store.articles()["alpha"]["id"]
    # Failed, looked up by listing the blog (nothing there), sent again, and nothing more.
    assert shop.writes("articleCreate") == 2
    assert shop.received("SyncBlogScan") == PLAN_SCANS + 1
    queries = [str((r.body or {}).get("query")) for r in sent(shop.sandbox)]
    lookup = [n for n, q in enumerate(queries) if "SyncBlogScan" in q][PLAN_SCANS]
    assert any("articleCreate(" in q for q in queries[lookup:])  # sent again after the look
    assert not any("query:" in q for q in queries)  # never search: it lags writes
    assert shop.in_sync(one_article)


def test_a_create_that_landed_is_finished_not_sent_again(shop: Shop, one_article: Path) -> None:
    shop.fail("commit_then_fail", "articleCreate(")

    result = shop.apply(one_article)

    assert result.ok, result.to_dict()
    assert shop.store.article_handles() == ["alpha"]
    assert outcomes(result)["alpha"].id == shop.store.articles()["alpha"]["id"]
    assert shop.writes("articleCreate") == 1  # found carrying our source: done
    assert shop.received("SyncBlogScan") == PLAN_SCANS + 1
    assert shop.in_sync(one_article)


@pytest.mark.parametrize("kind", NOT_EXECUTED)
def test_a_create_that_never_lands_fails_after_its_attempts(
    shop: Shop, one_article: Path, kind: str
) -> None:
    shop.fail(kind, "articleCreate(", times=None)

    result = shop.apply(one_article)

    assert not result.ok
    (failed,) = result.failed
    assert (failed.resource, failed.handle) == ("article", "alpha")
    assert failed.messages == [f"create of article {BLOG}/alpha failed 3 times"]
    assert shop.store.article_handles() == []
    assert shop.writes("articleCreate") == CREATE_ATTEMPTS == 3
    # A fresh listing after each attempt.
    assert shop.received("SyncBlogScan") == PLAN_SCANS + CREATE_ATTEMPTS


def test_a_batch_of_creates_that_landed_is_looked_up_with_one_listing(
    shop: Shop, tmp_path: Path
) -> None:
    shop.store.ensure_blog()
    (tmp_path / "articles").mkdir()
    for n in range(6):
        text = article(f"Post{n}", status="draft", disclaimer=False)
        (tmp_path / "articles" / f"post{n}.md").write_text(text, encoding="utf-8")
    shop.fail("commit_then_fail", "articleCreate(")  # the whole batch lands, the answer is lost

    result = shop.apply(tmp_path)

    assert result.ok, result.to_dict()
    assert sorted(shop.store.article_handles()) == [f"post{n}" for n in range(6)]
    assert shop.writes("articleCreate") == 1  # all six found, none sent again
    assert shop.received("SyncBlogScan") == PLAN_SCANS + 1  # one listing serves the six
    assert shop.in_sync(tmp_path)


def test_a_page_create_that_landed_is_found_by_listing_the_pages(shop: Shop, repo: Path) -> None:
    shop.fail("commit_then_fail", "pageCreate(")

    result = shop.apply(repo)

    assert result.ok, result.to_dict()
    assert [h for h in shop.store.pages() if h == "disclaimer"] == ["disclaimer"]
    assert shop.writes("pageCreate") == 1
    assert shop.received("SyncPages") == 1
    assert shop.in_sync(repo)


# -------------------------------------------------------------------------- blog creates


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Three articles and their disclaimer page, for a blog the store does not have yet."""
    write_content(tmp_path)
    return tmp_path


def test_a_blog_create_that_landed_is_found_and_used(shop: Shop, repo: Path) -> None:
    shop.fail("commit_then_fail", "SyncBlogCreate")

    result = shop.apply(repo)

    assert result.ok, result.to_dict()
    store = shop.store
    # The new store's own News blog, and one research-digest (not a second, -2).
    assert store.blog_handles() == ["news", BLOG]
    blog = next(item for item in result.items if item.resource == "blog")
    assert (blog.status, blog.id) == ("ok", store.blog_id())
    assert sorted(store.articles()) == sorted(store.article_handles()) == ["alpha", "beta", "gamma"]
    assert shop.received("SyncBlogCreate") == 1
    assert shop.in_sync(repo)


@pytest.mark.parametrize("kind", NOT_EXECUTED)
def test_a_blog_create_that_did_not_land_fails_the_blog_and_its_articles(
    shop: Shop, repo: Path, kind: str
) -> None:
    shop.fail(kind, "SyncBlogCreate")

    result = shop.apply(repo)

    assert not result.ok
    by_handle = outcomes(result)
    blog = by_handle[BLOG]
    assert blog.resource == "blog" and blog.status == "failed"
    assert len(blog.messages) == 1 and blog.messages[0].startswith("SyncBlogCreate: ")
    assert "look it up before re-sending" in blog.messages[0]
    for handle in ("alpha", "beta", "gamma"):
        assert by_handle[handle].status == "failed"
        assert by_handle[handle].messages == [
            f"blog {BLOG!r} does not exist and could not be created"
        ]
    assert by_handle["disclaimer"].status == "ok"  # the page needs no blog
    assert shop.store.blog_handles() == ["news"] and shop.store.article_handles() == []
    assert shop.received("SyncBlogCreate") == 1
    assert shop.writes("articleCreate") == 0
    # The plan read the blogs in its snapshot; after the failure, one look for the blog.
    assert shop.received("SyncSnapshot") == 1 and shop.received("SyncBlogs") == 1
