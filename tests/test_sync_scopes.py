"""The scopes a sync needs, end to end over HTTP: Shopify takes ``write_content`` or
``write_online_store_pages`` (reads: ``read_content`` or ``read_online_store_pages``) for
blogs, articles and pages, so a token with only the pages pair syncs articles and pages; one
with neither is refused by the store and by shopsync, which names both."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from shopsync.config import Settings
from shopsync.errors import ScopeError
from shopsync.sandbox import SandboxServer
from shopsync.sync import build_plan, push

from .cli_support import Cli
from .sync_helpers import DISCLAIMER, KIT, Store, StoreTime, article, kinds

PAGES_PAIR = ("read_online_store_pages", "write_online_store_pages")
ARTICLE_CREATE = """
mutation($article: ArticleCreateInput!) {
  articleCreate(article: $article) { article { id } userErrors { field message code } }
}"""


def write_repo(root: Path, *, products: str = "[]") -> None:
    """Two articles (one links the disclaimer page) and the page; no featured products
    unless ``products`` names some."""
    folder = root / "articles"
    (folder / "pages").mkdir(parents=True)
    (folder / "pages" / "disclaimer.md").write_text(DISCLAIMER, encoding="utf-8")
    (folder / "beta.md").write_text(
        article("Beta", status="draft", products=products), encoding="utf-8"
    )
    gamma = article("Gamma", status="published", disclaimer=False)
    (folder / "gamma.md").write_text(gamma, encoding="utf-8")


def with_token(settings: Settings, token: str) -> Settings:
    return settings.model_copy(update={"access_token": SecretStr(token)})


def test_the_online_store_pages_scopes_alone_plan_and_push_articles_and_pages(
    sandbox: SandboxServer, settings: Settings, store_time: StoreTime, tmp_path: Path
) -> None:
    write_repo(tmp_path)
    pages_only = with_token(settings, sandbox.issue_token(scopes=PAGES_PAIR))
    with store_time.client(pages_only) as client:
        first = build_plan(pages_only, client, root=tmp_path, write=True)
        assert kinds(first) == {
            "research-digest": "create",
            "disclaimer": "create",
            "beta": "create",
            "gamma": "create",
        }
        result = push(pages_only, client, first)
        assert result.ok, result.to_dict()
        again = build_plan(pages_only, client, root=tmp_path)
        assert not again.has_changes and not again.has_errors
        store = Store(client, pages_only)
        assert sorted(store.articles()) == ["beta", "gamma"]
        assert store.pages()["disclaimer"]["shopsyncSource"] is not None
    # Nothing asked the store for an access it had not: no request was denied.
    denied = [r for r in sandbox.requests if "ACCESS_DENIED" in str(r.body)]
    assert denied == []


def test_a_token_without_either_content_scope_is_refused_naming_both(
    sandbox: SandboxServer, settings: Settings, store_time: StoreTime, tmp_path: Path
) -> None:
    write_repo(tmp_path)
    neither = with_token(settings, sandbox.issue_token(scopes=("read_products",)))
    with store_time.client(neither) as client, pytest.raises(ScopeError) as caught:
        build_plan(neither, client, root=tmp_path, write=True)
    assert caught.value.alternatives == [
        ("read_content", "read_online_store_pages"),
        ("write_content", "write_online_store_pages"),
    ]
    assert "read_content (or read_online_store_pages)" in caught.value.message
    assert "write_content (or write_online_store_pages)" in caught.value.message
    assert sandbox.store.all("article") == []
    # The store refused the snapshot first; one more request asked which scopes there are.
    assert [r.operation_name for r in sandbox.requests] == ["SyncSnapshot", "AccessScopes"]


def test_a_refusal_by_the_store_names_both_scopes_of_the_pair(
    sandbox: SandboxServer, settings: Settings, store_time: StoreTime
) -> None:
    """Shopify names one scope of the pair; shopsync's error names both."""
    neither = with_token(settings, sandbox.issue_token(scopes=("read_products",)))
    blog = next(b for b in sandbox.store.blogs() if b["handle"] == "news")
    new = {"blogId": blog["id"], "title": "Nope", "handle": "nope", "author": {"name": "A"}}
    with store_time.client(neither) as client, pytest.raises(ScopeError) as caught:
        client.execute(ARTICLE_CREATE, {"article": new})
    assert caught.value.alternatives == [("write_content", "write_online_store_pages")]
    assert "write_content (or write_online_store_pages)" in caught.value.message
    assert sandbox.store.all("article") == []


def test_a_read_only_pages_token_may_plan_but_not_push(
    sandbox: SandboxServer, settings: Settings, store_time: StoreTime, tmp_path: Path
) -> None:
    write_repo(tmp_path)
    reader = with_token(settings, sandbox.issue_token(scopes=("read_online_store_pages",)))
    with store_time.client(reader) as client:
        assert build_plan(reader, client, root=tmp_path).has_changes
        with pytest.raises(ScopeError) as caught:
            build_plan(reader, client, root=tmp_path, write=True)
    assert caught.value.alternatives == [("write_content", "write_online_store_pages")]


def test_featured_products_still_need_read_products(
    sandbox: SandboxServer, settings: Settings, store_time: StoreTime, tmp_path: Path
) -> None:
    write_repo(tmp_path, products=f"[{KIT}]")
    pages_only = with_token(settings, sandbox.issue_token(scopes=PAGES_PAIR))
    with store_time.client(pages_only) as client, pytest.raises(ScopeError) as caught:
        build_plan(pages_only, client, root=tmp_path)
    assert caught.value.missing == ["read_products"]


def test_the_command_line_names_the_alternatives(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    write_repo(tmp_path)
    token = sandbox.issue_token(scopes=("read_products",))
    result = cli.for_store(sandbox).with_env(SHOPSYNC_ACCESS_TOKEN=token)("push")
    assert result.exit_code == 3, result.output
    assert "read_content (or read_online_store_pages)" in result.stderr
    assert "write_content (or write_online_store_pages)" in result.stderr
    assert token not in result.output
