"""Every sandbox fault kind, retried or surfaced as the right error, over real HTTP.

Sleeps go to a fake clock (``FakeTime``), so retry waits are recorded, not waited.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from shopsync.errors import (
    AuthError,
    ServerError,
    ShopifyError,
    ThrottledError,
    TransportError,
    UserErrors,
)
from shopsync.sandbox import FaultRule, SandboxServer

from .client_support import FakeTime, article_variables, create_blog, make_client, sent
from .conftest import SandboxFactory

BLOG = {"blog": {"title": "News", "handle": "news"}}


def empty_store(sandbox_factory: SandboxFactory, **config: Any) -> SandboxServer:
    """A store without the blog "news" a new store has: these tests create it, and read
    the blogs expecting none."""
    return sandbox_factory(seed_content=False, **config)


def _blog_handles(sandbox: SandboxServer) -> list[str]:
    return [b["handle"] for b in sandbox.store.blogs()]


def test_429_is_retried_after_retry_after(sandbox_factory: SandboxFactory) -> None:
    sandbox = empty_store(sandbox_factory)
    sandbox.faults.add(FaultRule("http_429", match="SyncBlogs", retry_after=7))
    time = FakeTime()
    with make_client(sandbox, time) as client:
        data = client.run("SyncBlogs", {"first": 5})
    assert data["blogs"]["nodes"] == []
    assert [r.status for r in sent(sandbox, "SyncBlogs")] == [429, 200]
    assert len(time.sleeps) == 1
    assert 7 <= time.sleeps[0] <= 7 * 1.1 + 0.05
    assert client.stats.retries == 1 and client.stats.throttled == 1


def test_429_does_not_resend_when_the_wait_exceeds_the_budget(
    sandbox_factory: SandboxFactory,
) -> None:
    sandbox = sandbox_factory()
    sandbox.faults.add(FaultRule("http_429", retry_after=600, times=None))
    client = make_client(sandbox, FakeTime(), max_retry_seconds=60)
    with client, pytest.raises(ServerError) as caught:
        client.run("SyncBlogs", {"first": 5})
    assert caught.value.status == 429
    assert len(sent(sandbox)) == 1


def test_a_create_is_never_resent_after_429_exhausts_attempts(
    sandbox_factory: SandboxFactory,
) -> None:
    """429 means nothing happened, so even a create is retried, but only max_attempts times."""
    sandbox = sandbox_factory()
    sandbox.faults.add(FaultRule("http_429", retry_after=1, times=None))
    time = FakeTime()
    with make_client(sandbox, time, max_attempts=3) as client, pytest.raises(ServerError):
        client.mutate("SyncBlogCreate", BLOG)
    assert len(sent(sandbox, "SyncBlogCreate")) == 3
    assert len(time.sleeps) == 2


@pytest.mark.parametrize("kind", ["http_500", "http_502", "http_503", "reset", "malformed"])
def test_queries_are_retried_after_server_and_connection_faults(
    sandbox_factory: SandboxFactory, kind: str
) -> None:
    sandbox = empty_store(sandbox_factory)
    sandbox.faults.add(FaultRule(kind, match="SyncBlogs", times=2))
    time = FakeTime()
    with make_client(sandbox, time) as client:
        data = client.run("SyncBlogs", {"first": 5})
    assert data == {"blogs": {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}
    # Both faults fired (a dropped connection may be recorded late, so count the faults).
    assert len(sandbox.faults.fired) == 2
    assert len(time.sleeps) == 2
    assert time.sleeps[1] > 0


def test_a_query_is_retried_after_a_read_timeout(sandbox_factory: SandboxFactory) -> None:
    sandbox = empty_store(sandbox_factory)
    sandbox.faults.add(FaultRule("timeout", match="SyncBlogs", hold_s=5))
    with make_client(sandbox, FakeTime(), timeout=0.3) as client:
        data = client.run("SyncBlogs", {"first": 5})
    assert data["blogs"]["nodes"] == []
    assert len(sandbox.faults.fired) == 1
    assert client.stats.retries == 1


@pytest.mark.parametrize(
    ("kind", "error_type"),
    [
        ("http_500", ServerError),
        ("http_502", ServerError),
        ("http_503", ServerError),
        ("reset", TransportError),
        ("timeout", TransportError),
        ("malformed", ServerError),
        ("commit_then_fail", ServerError),
    ],
)
def test_a_create_is_not_resent_after_an_ambiguous_failure(
    sandbox_factory: SandboxFactory, kind: str, error_type: type[ShopifyError]
) -> None:
    sandbox = empty_store(sandbox_factory)
    sandbox.faults.add(FaultRule(kind, match="SyncBlogCreate", hold_s=5))
    time = FakeTime()
    with make_client(sandbox, time, timeout=0.3) as client, pytest.raises(error_type) as caught:
        client.mutate("SyncBlogCreate", BLOG)
    error = caught.value
    assert error.maybe_applied is True
    assert error.operation == "SyncBlogCreate"
    assert time.sleeps == []  # no retry was even scheduled
    # The fault fired once; a second send would have gone through and created a blog.
    assert len(sandbox.faults.fired) == 1
    assert _blog_handles(sandbox) == (["news"] if kind == "commit_then_fail" else [])


def test_an_idempotent_write_is_retried_after_commit_then_fail(
    sandbox_factory: SandboxFactory,
) -> None:
    sandbox = sandbox_factory()
    with make_client(sandbox, FakeTime()) as client:
        blog_id = create_blog(client)
        article = client.mutate("SyncArticleCreate", article_variables(blog_id, "post"))["article"]
        sandbox.faults.add(FaultRule("commit_then_fail", match="SyncArticleUpdate"))
        variables: dict[str, Any] = {
            **article_variables(blog_id, "post", title="New title"),
            "id": article["id"],
        }
        del variables["article"]["blogId"]
        payload = client.mutate("SyncArticleUpdate", variables, idempotent=True)
    stored = sandbox.store.get("article", payload["article"]["id"])
    assert stored is not None and stored["title"] == "New title"
    assert [r.status for r in sent(sandbox, "SyncArticleUpdate")] == [502, 200]


def test_a_refused_connection_is_retried_even_for_a_create(
    sandbox_factory: SandboxFactory,
) -> None:
    """Nothing was sent, so nothing can have been applied."""
    sandbox = sandbox_factory()
    time = FakeTime()
    client = make_client(sandbox, time, max_attempts=3)
    sandbox.stop()
    with client, pytest.raises(TransportError) as caught:
        client.mutate("SyncBlogCreate", BLOG)
    assert caught.value.maybe_applied is False
    assert len(time.sleeps) == 2


def test_throttled_is_retried_and_persistent_throttling_surfaces(
    sandbox_factory: SandboxFactory,
) -> None:
    sandbox = empty_store(sandbox_factory)
    sandbox.faults.add(FaultRule("throttled", match="SyncBlogCreate"))
    with make_client(sandbox, FakeTime()) as client:
        assert client.mutate("SyncBlogCreate", BLOG)["blog"]["handle"] == "news"
        assert client.stats.throttled == 1
        sandbox.faults.add(FaultRule("throttled", match="SyncBlogs", times=None))
        with pytest.raises(ThrottledError):
            client.run("SyncBlogs", {"first": 5})
    assert len(sent(sandbox, "SyncBlogCreate")) == 2
    assert len(sent(sandbox, "SyncBlogs")) == 5  # max_attempts


def test_user_error_fault_is_a_user_error_not_a_retry(sandbox_factory: SandboxFactory) -> None:
    sandbox = empty_store(sandbox_factory)
    sandbox.faults.add(FaultRule("user_error", match="SyncBlogCreate"))
    with make_client(sandbox, FakeTime()) as client, pytest.raises(UserErrors) as caught:
        client.mutate("SyncBlogCreate", BLOG)
    assert caught.value.errors[0].message.startswith("Internal error")
    assert len(sent(sandbox, "SyncBlogCreate")) == 1
    assert _blog_handles(sandbox) == []


def test_401_with_a_static_token_is_an_auth_error(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory()
    sandbox.faults.add(FaultRule("http_401"))
    with make_client(sandbox, FakeTime()) as client, pytest.raises(AuthError) as caught:
        client.run("SyncBlogs", {"first": 5})
    assert "401" in caught.value.message
    assert len(sent(sandbox)) == 1


def test_latency_below_the_timeout_is_just_slow(sandbox_factory: SandboxFactory) -> None:
    sandbox = empty_store(sandbox_factory)
    sandbox.faults.add(FaultRule("latency", match="SyncBlogs", delay_ms=50))
    with make_client(sandbox, FakeTime()) as client:
        assert client.run("SyncBlogs", {"first": 5})["blogs"]["nodes"] == []
    assert client.stats.retries == 0


def _chain(error: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in out:
        out.append(current)
        current = current.__cause__ or current.__context__
    return out


def test_the_token_appears_nowhere_under_failure(
    sandbox_factory: SandboxFactory, caplog: pytest.LogCaptureFixture
) -> None:
    token = "shpat_SECRET_0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    sandbox = sandbox_factory(access_token=token)
    kinds = [
        "http_429",
        "http_500",
        "http_502",
        "http_503",
        "reset",
        "timeout",
        "malformed",
        "commit_then_fail",
        "user_error",
        "throttled",
        "http_401",
    ]
    produced: list[str] = []
    caplog.set_level(logging.DEBUG)
    # The CLI may have set the package logger's level in this process: set ours explicitly.
    caplog.set_level(logging.DEBUG, logger="shopsync.admin")
    client = make_client(sandbox, FakeTime(), timeout=0.3, max_attempts=2)
    produced.append(repr(client))
    with client:
        for kind in kinds:
            sandbox.faults.clear()
            sandbox.faults.add(FaultRule(kind, times=None, retry_after=1, hold_s=5))
            for name, variables in (("SyncBlogCreate", BLOG), ("SyncBlogs", {"first": 5})):
                try:
                    if name == "SyncBlogCreate":
                        client.mutate(name, variables)
                    else:
                        client.run(name, variables)
                except Exception as exc:
                    for item in _chain(exc):
                        produced.extend([str(item), repr(item)])
                        to_dict = getattr(item, "to_dict", None)
                        if callable(to_dict):
                            produced.append(repr(to_dict()))
        sandbox.faults.clear()
        client.check_access(["read_content"])
        produced.append(repr(client.stats.to_dict()))
    produced.extend(record.getMessage() for record in caplog.records)
    produced.append(caplog.text)
    assert any("SyncBlogCreate attempt" in line for line in produced)  # DEBUG logs were on
    assert len(produced) > 40
    leaks = [line for line in produced if token in line or token[6:] in line]
    assert leaks == []
