"""Client-credentials auth against the sandbox: fetch, cache, refresh on expiry and on 401."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from shopsync.admin.auth import ClientCredentials, StaticToken, token_source
from shopsync.admin.client import ShopifyClient
from shopsync.config import Settings
from shopsync.errors import AuthError, ConfigError
from shopsync.sandbox import FaultRule

from .client_support import FakeTime, make_client, sent, token_requests
from .conftest import SandboxFactory

CLIENT_ID = "shopsync-test-app"
SECRET = "csecret_9a8b7c6d5e4f3a2b1c0d"


def test_token_is_fetched_once_and_cached(sandbox_factory: SandboxFactory) -> None:
    time = FakeTime()
    sandbox = sandbox_factory(clients={CLIENT_ID: SECRET}, token_ttl=3600, clock=time.clock)
    with make_client(sandbox, time, client_id=CLIENT_ID, client_secret=SECRET) as client:
        client.run("SyncBlogs", {"first": 1})
        client.run("SyncBlogs", {"first": 1})
    fetches = token_requests(sandbox)
    assert len(fetches) == 1
    assert fetches[0].body is not None
    assert fetches[0].body["grant_type"] == "client_credentials"
    assert fetches[0].body["client_id"] == CLIENT_ID
    assert fetches[0].headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert [r.status for r in sent(sandbox)] == [200, 200]


def test_token_is_refreshed_shortly_before_it_expires(sandbox_factory: SandboxFactory) -> None:
    time = FakeTime()
    sandbox = sandbox_factory(clients={CLIENT_ID: SECRET}, token_ttl=3600, clock=time.clock)
    with make_client(sandbox, time, client_id=CLIENT_ID, client_secret=SECRET) as client:
        client.run("SyncBlogs", {"first": 1})
        time.advance(3600 - 90)  # still valid for 90 s: kept
        client.run("SyncBlogs", {"first": 1})
        time.advance(45)  # 45 s left: inside the 60 s margin, so a new one is fetched
        client.run("SyncBlogs", {"first": 1})
    assert len(token_requests(sandbox)) == 2
    assert [r.status for r in sent(sandbox)] == [200, 200, 200]


def test_a_401_fetches_a_new_token_once_and_retries(sandbox_factory: SandboxFactory) -> None:
    time = FakeTime()
    sandbox = sandbox_factory(clients={CLIENT_ID: SECRET}, clock=time.clock)
    with make_client(sandbox, time, client_id=CLIENT_ID, client_secret=SECRET) as client:
        client.run("SyncBlogs", {"first": 1})
        sandbox.faults.add(FaultRule("http_401", match="SyncBlogCreate"))
        blog = {"title": "Research", "handle": "research"}
        payload = client.mutate("SyncBlogCreate", {"blog": blog})
    assert payload["blog"]["handle"] == "research"
    assert len(token_requests(sandbox)) == 2
    assert [r.status for r in sent(sandbox, "SyncBlogCreate")] == [401, 200]


def test_a_second_401_is_an_auth_error(sandbox_factory: SandboxFactory) -> None:
    time = FakeTime()
    sandbox = sandbox_factory(clients={CLIENT_ID: SECRET}, clock=time.clock)
    sandbox.faults.add(FaultRule("http_401", times=None))
    client = make_client(sandbox, time, client_id=CLIENT_ID, client_secret=SECRET)
    with client, pytest.raises(AuthError, match="401"):
        client.run("SyncBlogs", {"first": 1})
    assert len(token_requests(sandbox)) == 2
    assert [r.status for r in sent(sandbox)] == [401, 401]


def test_refused_credentials_are_an_auth_error_without_the_secret(
    sandbox_factory: SandboxFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="shopsync.admin")
    time = FakeTime()
    sandbox = sandbox_factory(clients={CLIENT_ID: "another-secret"}, clock=time.clock)
    client = make_client(sandbox, time, client_id=CLIENT_ID, client_secret=SECRET)
    with client, pytest.raises(AuthError) as caught:
        client.run("SyncBlogs", {"first": 1})
    error = caught.value
    assert "HTTP 401" in error.message and "invalid_client" in error.message
    produced = f"{error} {error!r} {error.to_dict()} {client!r} {caplog.text}"
    assert SECRET not in produced
    assert sent(sandbox) == []  # no GraphQL request without a token


def test_from_settings_uses_client_credentials(sandbox_factory: SandboxFactory) -> None:
    time = FakeTime()
    sandbox = sandbox_factory(clients={CLIENT_ID: SECRET}, clock=time.clock)
    settings = Settings(
        shop=sandbox.url,
        access_token=None,
        client_id=CLIENT_ID,
        client_secret=SECRET,  # type: ignore[arg-type]
    )
    client = ShopifyClient.from_settings(settings, sleep=time.sleep, clock=time.clock)
    with client:
        client.check_access(["read_content", "write_content"])
    assert "client_credentials" in repr(client) and SECRET not in repr(client)
    assert len(token_requests(sandbox)) == 1


@pytest.mark.parametrize("shop", ["https://evil.example.com", "http://10.0.0.1:8080"])
def test_client_credentials_refuse_a_foreign_shop_before_any_request(shop: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ClientCredentials(shop, CLIENT_ID, SECRET)
    error = caught.value
    assert SECRET not in f"{error} {error!r} {error.to_dict()}"


def test_token_source_follows_the_settings() -> None:
    shop = "https://my-store.myshopify.com"

    def settings(token: str | None, client_id: str | None, secret: str | None) -> Settings:
        return Settings(
            shop=shop,
            access_token=SecretStr(token) if token else None,
            client_id=client_id,
            client_secret=SecretStr(secret) if secret else None,
        )

    assert isinstance(token_source(settings("t", CLIENT_ID, SECRET), shop), StaticToken)
    source = token_source(settings(None, CLIENT_ID, SECRET), shop)
    assert isinstance(source, ClientCredentials) and SECRET not in repr(source)
    with pytest.raises(AuthError, match="both a client id and a client secret"):
        token_source(settings(None, None, SECRET), shop)
    with pytest.raises(ConfigError, match="no access token configured"):
        token_source(settings(None, None, None), shop)
