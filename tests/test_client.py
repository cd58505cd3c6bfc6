"""ShopifyClient against the sandbox over real HTTP: documents, results, user errors,
pagination, version and scope checks, refused hosts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from shopsync.admin.auth import StaticToken
from shopsync.admin.client import ShopifyClient
from shopsync.admin.remote import fetch_products
from shopsync.config import Settings
from shopsync.errors import ConfigError, QueryError, ScopeError, ThrottledError, UserErrors

from .client_support import FakeTime, article_variables, create_blog, make_client, sent
from .conftest import SandboxFactory


def test_run_and_mutate_return_data_and_payload(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory(seed_content=False)  # empty: no "news" blog yet
    time = FakeTime()
    with make_client(sandbox, time) as client:
        blog_id = create_blog(client, "news")
        payload = client.mutate("SyncArticleCreate", article_variables(blog_id, "first-post"))
        data = client.run("SyncBlogs", {"first": 10})

    assert payload["userErrors"] == []
    stored = sandbox.store.get("article", payload["article"]["id"])
    assert stored is not None and stored["handle"] == "first-post"
    assert payload["article"]["updatedAt"] == stored["updatedAt"]
    assert [b["handle"] for b in data["blogs"]["nodes"]] == ["news"]
    assert [r.operation_name for r in sent(sandbox)] == [
        "SyncBlogCreate",
        "SyncArticleCreate",
        "SyncBlogs",
    ]
    first = sent(sandbox)[0]
    assert first.headers["Content-Type"] == "application/json"
    assert first.body is not None and first.body["operationName"] == "SyncBlogCreate"
    assert client.stats.requests == 3
    assert client.stats.cost >= 20  # two mutations at 10 each, plus the query


def test_the_client_knows_the_stores_clock_from_its_answers(
    sandbox_factory: SandboxFactory,
) -> None:
    sandbox = sandbox_factory()
    clock = [datetime(2026, 6, 1, 9, 0, 0, 700_000, tzinfo=UTC)]
    sandbox.store.clock = lambda: clock[0]
    with make_client(sandbox, FakeTime()) as client:
        assert client.server_date is None  # nothing answered yet
        client.run("SyncBlogs", {"first": 10})
        assert client.server_date == datetime(2026, 6, 1, 9, 0, 0, tzinfo=UTC)  # whole seconds
        clock[0] = datetime(2026, 6, 1, 9, 0, 3, tzinfo=UTC)
        client.run("SyncBlogs", {"first": 10})
        assert client.server_date == clock[0]
        clock[0] = datetime(2026, 6, 1, 8, 0, 0, tzinfo=UTC)  # a late answer never goes back
        client.run("SyncBlogs", {"first": 10})
        assert client.server_date == datetime(2026, 6, 1, 9, 0, 3, tzinfo=UTC)


def test_user_errors_carry_field_and_code(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory()
    with make_client(sandbox, FakeTime()) as client:
        blog_id = create_blog(client)
        client.mutate("SyncArticleCreate", article_variables(blog_id, "taken"))
        with pytest.raises(UserErrors) as caught:
            client.mutate("SyncArticleCreate", article_variables(blog_id, "taken"))

    error = caught.value
    assert error.operation == "SyncArticleCreate"
    assert error.codes == ["TAKEN"]
    assert error.errors[0].field == ("article", "handle")
    assert error.to_dict()["userErrors"][0]["code"] == "TAKEN"
    assert not error.maybe_applied


def test_documents_and_variables_are_checked_before_sending(
    sandbox_factory: SandboxFactory,
) -> None:
    sandbox = sandbox_factory()
    with make_client(sandbox, FakeTime()) as client:
        with pytest.raises(QueryError, match="Typo") as typo:
            client.execute("query Typo { blogz(first: 1) { nodes { id } } }")
        with pytest.raises(QueryError, match="NoSuchDocument"):
            client.run("NoSuchDocument")
        with pytest.raises(QueryError, match="SyncBlogs: variables refused"):
            client.run("SyncBlogs", {"first": "ten"})
        with pytest.raises(QueryError, match="not a mutation"):
            client.mutate("SyncBlogs", {"first": 1})

    assert "blogz" in typo.value.message
    assert sent(sandbox) == []


def test_paginate_follows_cursors_over_600_items(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory(seed_content=False)  # exactly the 600 blogs below
    for n in range(600):
        now = sandbox.store.now()
        sandbox.store.insert(
            "blog",
            {
                "title": f"Blog {n}",
                "handle": f"blog-{n:03d}",
                "templateSuffix": None,
                "commentPolicy": "MODERATED",
                "tags": [],
                "createdAt": now,
                "updatedAt": now,
            },
        )
    with make_client(sandbox, FakeTime()) as client:
        handles = [node["handle"] for node in client.paginate("SyncBlogs", {}, path=["blogs"])]

    assert handles == [f"blog-{n:03d}" for n in range(600)]
    pages = sent(sandbox, "SyncBlogs")
    assert len(pages) == 3
    afters = [(r.body or {}).get("variables", {}).get("after") for r in pages]
    assert afters[0] is None and afters[1] and afters[2] and afters[1] != afters[2]
    assert all((r.body or {})["variables"]["first"] == 250 for r in pages)


def test_paginate_yields_nothing_when_the_parent_is_gone(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory()
    variables: dict[str, Any] = {
        "blogId": "gid://shopify/Blog/999",
        "first": 50,
        "productNamespace": "custom",
        "productKey": "featured_products",
    }
    with make_client(sandbox, FakeTime()) as client:
        nodes = list(client.paginate("SyncBlogArticles", variables, path=["blog", "articles"]))
    assert nodes == []
    assert len(sent(sandbox, "SyncBlogArticles")) == 1


def test_query_over_the_cost_limit_is_not_retried(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory(bucket=100, restore_rate=10)
    variables = {
        "blogId": "gid://shopify/Blog/1",
        "first": 250,
        "productNamespace": "custom",
        "productKey": "featured_products",
    }
    with make_client(sandbox, FakeTime()) as client, pytest.raises(ThrottledError) as caught:
        client.run("SyncBlogArticles", variables)
    assert "exceeds" in caught.value.message
    assert caught.value.hint is not None and "fewer" in caught.value.hint
    assert len(sent(sandbox, "SyncBlogArticles")) == 1


def test_check_api_version_names_the_supported_ones(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory(api_versions=("2026-04", "2026-07"))
    time = FakeTime()
    with make_client(sandbox, time) as client:
        client.check_api_version()
    auth = StaticToken(sandbox.config.access_token)
    old = ShopifyClient(sandbox.url, "2025-01", auth=auth, sleep=time.sleep)
    with old, pytest.raises(ConfigError) as caught:
        old.check_api_version()
    assert "2025-01 is not supported" in caught.value.message
    assert "2026-04, 2026-07" in caught.value.message
    # A version the store does not serve at all: listed through the one we were built for.
    unknown = ShopifyClient(sandbox.url, "2026-10", auth=auth, sleep=time.sleep)
    with unknown, pytest.raises(ConfigError) as missing:
        unknown.check_api_version()
    assert "2026-10 is not supported" in missing.value.message
    assert "2026-04, 2026-07" in missing.value.message


def test_check_access_names_each_missing_scope(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory()
    token = sandbox.issue_token(scopes=("read_content",))
    with make_client(sandbox, FakeTime(), access_token=token) as client:
        client.check_access(["read_content"])
        with pytest.raises(ScopeError) as caught:
            client.check_access(["read_content", "write_content", "read_products"])
        client.check_access(["read_content"])

    assert caught.value.missing == ["read_products", "write_content"]
    assert "read_products" in caught.value.message and "write_content" in caught.value.message
    assert len(sent(sandbox, "AccessScopes")) == 1  # asked once, then cached


def test_write_scope_implies_read(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory()
    token = sandbox.issue_token(scopes=("write_content", "read_products"))
    with make_client(sandbox, FakeTime(), access_token=token) as client:
        client.check_access(["read_content", "write_content", "read_products"])


def test_either_scope_of_a_pair_will_do(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory()
    pages = ("write_content", "write_online_store_pages")
    token = sandbox.issue_token(scopes=("write_online_store_pages", "read_products"))
    with make_client(sandbox, FakeTime(), access_token=token) as client:
        client.check_access([("read_content", "read_online_store_pages"), pages, "read_products"])
        with pytest.raises(ScopeError) as caught:
            client.check_access([pages, ("write_files",), ("read_themes", "write_themes")])
    assert caught.value.missing == ["read_themes", "write_files"]
    assert caught.value.alternatives == [("read_themes", "write_themes"), ("write_files",)]
    assert "read_themes (or write_themes), write_files" in caught.value.message


def test_access_denied_by_the_store_is_a_scope_error(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory()
    token = sandbox.issue_token(scopes=("read_content",))
    client = make_client(sandbox, FakeTime(), access_token=token)
    with client, pytest.raises(ScopeError) as caught:
        fetch_products(client, ["original-oriems-ultimate-kit"])
    assert caught.value.missing == ["read_products"]
    assert caught.value.operation == "SyncProducts1"
    assert len(sent(sandbox)) == 1


class _NoNetwork(requests.Session):
    """A session that fails the test if anything is sent."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        raise AssertionError("a request was sent")


@pytest.mark.parametrize(
    "shop",
    [
        "https://evil.example.com",
        "http://10.0.0.1",
        "http://10.0.0.1:8080",
        "evil.example.com",
        "https://shop.myshopify.com.evil.example.com",
        "http://shop.myshopify.com",
    ],
)
def test_refused_hosts_fail_before_any_network(shop: str) -> None:
    token = "shpat_must_not_leak_0123456789"
    with pytest.raises(ConfigError) as direct:
        ShopifyClient(shop, "2026-07", auth=StaticToken(token), session=_NoNetwork())
    settings = Settings(shop=shop, access_token=token)  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as configured:
        ShopifyClient.from_settings(settings, session=_NoNetwork())
    for error in (direct.value, configured.value):
        assert token not in f"{error} {error!r} {error.to_dict()}"


def test_shop_names_become_https_myshopify_urls() -> None:
    client = ShopifyClient("my-store", "2026-07", auth=StaticToken("t"), session=_NoNetwork())
    assert client.url == "https://my-store.myshopify.com/admin/api/2026-07/graphql.json"


def test_missing_credentials_and_bad_version_are_config_errors() -> None:
    nothing = Settings(
        shop="http://127.0.0.1:9", access_token=None, client_id=None, client_secret=None
    )
    with pytest.raises(ConfigError, match="no access token") as missing:
        ShopifyClient.from_settings(nothing, session=_NoNetwork())
    assert missing.value.hint is not None and "SHOPSYNC_ACCESS_TOKEN" in missing.value.hint
    with pytest.raises(ConfigError, match="not an Admin API version"):
        ShopifyClient("http://127.0.0.1:9", "2026-08", auth=StaticToken("t"), session=_NoNetwork())
    with pytest.raises(ConfigError, match="no shop"):
        ShopifyClient.from_settings(Settings(shop=None, access_token="t"))  # type: ignore[arg-type]
