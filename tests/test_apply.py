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
from pathlib import Path

import pytest

from shopsync.admin.client import ShopifyClient
from shopsync.apply import CREATE_ATTEMPTS, Applier, ApplyResult, ItemOutcome
from shopsync.config import Settings
from shopsync.sandbox import FaultRule, SandboxServer
from shopsync.sync import build_plan, names_of

from .client_support import FakeTime, make_client, sent
from .sync_helpers import BLOG, Store, add_fault, article, sandbox_settings, write_content

# Faults that fail a request without executing it (the write did not land).
NOT_EXECUTED = ["http_502", "reset"]


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(sandbox: SandboxServer, fake: FakeTime) -> Iterator[ShopifyClient]:
    with make_client(sandbox, fake) as client:
        yield client


@pytest.fixture
def settings(sandbox: SandboxServer) -> Settings:
    return sandbox_settings(sandbox)


@pytest.fixture
def store(client: ShopifyClient, settings: Settings) -> Store:
    return Store(client, settings)


def apply(settings: Settings, client: ShopifyClient, root: Path, fake: FakeTime) -> ApplyResult:
    """Plan ``root`` against the store and apply it, on the fake clock."""
    plan = build_plan(settings, client, [], root=root).plan
    applier = Applier(client=client, names=names_of(settings), sleep=fake.sleep, clock=fake.clock)
    return applier.apply(plan)


def outcomes(result: ApplyResult) -> dict[str, ItemOutcome]:
    return {item.handle: item for item in result.items}


def operations(sandbox: SandboxServer) -> list[str | None]:
    return [r.operation_name for r in sent(sandbox)]


def received(sandbox: SandboxServer, operation: str) -> int:
    """How many ``operation`` requests reached the sandbox, answered or not.

    A request whose connection a fault dropped is logged without its name (see the xfail
    in ``sandbox/test_faults.py``), so those are counted by the rules that fired for them.
    """
    dropped = [
        rule
        for rule in sandbox.faults.fired
        if rule.kind in ("reset", "timeout") and rule.match == operation
    ]
    return len(sent(sandbox, operation)) + len(dropped)


@pytest.fixture
def one_article(tmp_path: Path, store: Store) -> Path:
    """A repository with one article, for a blog that already exists."""
    store.ensure_blog()
    (tmp_path / "articles").mkdir()
    text = article("Alpha", status="draft", disclaimer=False)
    (tmp_path / "articles" / "alpha.md").write_text(text, encoding="utf-8")
    return tmp_path


# ----------------------------------------------------------------------- article creates


@pytest.mark.parametrize("kind", NOT_EXECUTED)
def test_a_create_that_did_not_land_is_sent_again_once(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    store: Store,
    fake: FakeTime,
    one_article: Path,
    kind: str,
) -> None:
    add_fault(sandbox, kind=kind, match="SyncArticleCreate", times=1)

    result = apply(settings, client, one_article, fake)

    assert result.ok, result.to_dict()
    alpha = outcomes(result)["alpha"]
    assert (alpha.status, alpha.action) == ("ok", "create")
    assert store.article_handles() == ["alpha"]
    assert alpha.id == store.articles()["alpha"]["id"]
    # Failed, looked up (nothing there), sent again, and nothing more.
    assert received(sandbox, "SyncArticleCreate") == 2
    assert len(sent(sandbox, "SyncArticlesByHandle")) == 1
    ops = operations(sandbox)
    assert "SyncArticleCreate" in ops[ops.index("SyncArticlesByHandle") :]
    assert not build_plan(settings, client, [], root=one_article).plan.has_changes


def test_a_create_that_landed_is_finished_not_sent_again(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    store: Store,
    fake: FakeTime,
    one_article: Path,
) -> None:
    add_fault(sandbox, kind="commit_then_fail", match="SyncArticleCreate", times=1)

    result = apply(settings, client, one_article, fake)

    assert result.ok, result.to_dict()
    assert store.article_handles() == ["alpha"]
    assert outcomes(result)["alpha"].id == store.articles()["alpha"]["id"]
    assert received(sandbox, "SyncArticleCreate") == 1  # found carrying our source: done
    assert len(sent(sandbox, "SyncArticlesByHandle")) == 1


@pytest.mark.parametrize("kind", NOT_EXECUTED)
def test_a_create_that_never_lands_fails_after_its_attempts(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    store: Store,
    fake: FakeTime,
    one_article: Path,
    kind: str,
) -> None:
    sandbox.faults.add(FaultRule(kind=kind, match="SyncArticleCreate", times=None))

    result = apply(settings, client, one_article, fake)

    assert not result.ok
    (failed,) = result.failed
    assert (failed.resource, failed.handle) == ("article", "alpha")
    assert failed.messages == [f"create of article {BLOG}/alpha failed 3 times"]
    assert store.article_handles() == []
    assert received(sandbox, "SyncArticleCreate") == CREATE_ATTEMPTS == 3
    assert len(sent(sandbox, "SyncArticlesByHandle")) == CREATE_ATTEMPTS


# -------------------------------------------------------------------------- blog creates


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Three articles and their disclaimer page, for a blog the store does not have yet."""
    write_content(tmp_path)
    return tmp_path


def test_a_blog_create_that_landed_is_found_and_used(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    store: Store,
    fake: FakeTime,
    repo: Path,
) -> None:
    add_fault(sandbox, kind="commit_then_fail", match="SyncBlogCreate", times=1)

    result = apply(settings, client, repo, fake)

    assert result.ok, result.to_dict()
    assert store.blog_handles() == [BLOG]  # not a second one named research-digest-2
    blog = next(item for item in result.items if item.resource == "blog")
    assert (blog.status, blog.id) == ("ok", store.blog_id())
    assert sorted(store.articles()) == sorted(store.article_handles()) == ["alpha", "beta", "gamma"]
    assert received(sandbox, "SyncBlogCreate") == 1
    assert not build_plan(settings, client, [], root=repo).plan.has_changes


@pytest.mark.parametrize("kind", NOT_EXECUTED)
def test_a_blog_create_that_did_not_land_fails_the_blog_and_its_articles(
    sandbox: SandboxServer,
    settings: Settings,
    client: ShopifyClient,
    store: Store,
    fake: FakeTime,
    repo: Path,
    kind: str,
) -> None:
    add_fault(sandbox, kind=kind, match="SyncBlogCreate", times=1)

    result = apply(settings, client, repo, fake)

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
    assert store.blog_handles() == [] and store.article_handles() == []
    assert received(sandbox, "SyncBlogCreate") == 1
    assert received(sandbox, "SyncArticleCreate") == 0
    assert len(sent(sandbox, "SyncBlogs")) == 2  # the plan's read, then the look after the failure
