"""Helpers for the client tests: a fake clock whose sleep fast-forwards it, shared by the
client (pacing, retries, token expiry) and the sandbox (bucket, token lifetimes), so tests
never really sleep and never assert on wall-clock time."""

from __future__ import annotations

import threading
from typing import Any

from shopsync.admin.auth import ClientCredentials, StaticToken, TokenSource
from shopsync.admin.client import ShopifyClient
from shopsync.sandbox import RecordedRequest, SandboxServer

PRODUCT_NAMES = {"productNamespace": "custom", "productKey": "featured_products"}


class FakeTime:
    """``clock`` reads it, ``sleep`` records the delay and moves it forward."""

    def __init__(self, start: float = 1000.0) -> None:
        self._lock = threading.Lock()
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def make_client(
    sandbox: SandboxServer,
    time: FakeTime,
    *,
    access_token: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    **options: Any,
) -> ShopifyClient:
    """A client for ``sandbox`` on the fake clock: the sandbox's token, another
    ``access_token``, or client credentials when ``client_id`` is given."""
    options.setdefault("timeout", 5.0)
    options.setdefault("connect_timeout", 2.0)
    auth: TokenSource
    if client_id is not None:
        timeout = (options["connect_timeout"], options["timeout"])
        auth = ClientCredentials(
            sandbox.url, client_id, client_secret or "", timeout=timeout, clock=time.clock
        )
    else:
        auth = StaticToken(access_token or sandbox.config.access_token)
    return ShopifyClient(
        sandbox.url, "2026-07", auth=auth, sleep=time.sleep, clock=time.clock, **options
    )


def sent(sandbox: SandboxServer, operation: str | None = None) -> list[RecordedRequest]:
    """GraphQL requests the sandbox received (of ``operation`` if given)."""
    return [
        r
        for r in list(sandbox.requests)
        if r.path.endswith("/graphql.json") and (operation is None or r.operation_name == operation)
    ]


def token_requests(sandbox: SandboxServer) -> list[RecordedRequest]:
    return [r for r in list(sandbox.requests) if r.path == "/admin/oauth/access_token"]


def create_blog(client: ShopifyClient, handle: str = "news") -> str:
    payload = client.mutate("SyncBlogCreate", {"blog": {"title": handle.title(), "handle": handle}})
    return str(payload["blog"]["id"])


def article_variables(blog_id: str, handle: str, title: str = "A title") -> dict[str, Any]:
    article = {
        "blogId": blog_id,
        "handle": handle,
        "title": title,
        "body": "<p>Body</p>",
        "author": {"name": "Editor"},
    }
    return {"article": article, **PRODUCT_NAMES}


def stage(client: ShopifyClient, filename: str = "chart.png", method: str = "POST") -> Any:
    """A staged-upload target for one PNG, as ``stagedUploadsCreate`` gives it."""
    payload = client.mutate(
        "SyncStagedUploadsCreate",
        {
            "input": [
                {
                    "resource": "IMAGE",
                    "filename": filename,
                    "mimeType": "image/png",
                    "httpMethod": method,
                }
            ]
        },
        idempotent=True,
    )
    return payload["stagedTargets"][0]
