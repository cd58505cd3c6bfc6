"""``ShopifyClient.upload_staged``: bytes to a staged-upload target, over HTTP to the sandbox.

The target is a storage bucket, not the Admin API: the token must never go there, and a
failed upload is safe to send again (same key, same object).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from shopsync.admin.client import ShopifyClient
from shopsync.errors import ServerError, TransportError
from shopsync.sandbox import FaultRule, SandboxServer
from shopsync.sandbox.faults import UPLOAD_OPERATION

from .client_support import FakeTime, make_client, stage
from .conftest import SandboxFactory
from .images import png


class RecordingAdapter(HTTPAdapter):
    """A real HTTP adapter that also keeps every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        self.sent.append(request)
        return super().send(request, stream, timeout, verify, cert, proxies)


def file_status(client: ShopifyClient, target: Any) -> str:
    source = {"originalSource": target["resourceUrl"], "contentType": "IMAGE"}
    created = client.mutate("SyncFileCreate", {"files": [source]})
    file_id = created["files"][0]["id"]
    (node,) = client.run("SyncFilesStatus", {"ids": [file_id]})["nodes"]
    return str(node["fileStatus"])


@pytest.fixture
def sandbox(sandbox_factory: SandboxFactory) -> SandboxServer:
    return sandbox_factory(file_processing_s=0)


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_upload_reaches_the_bucket_without_the_access_token(
    sandbox: SandboxServer, method: str
) -> None:
    adapter = RecordingAdapter()
    session = requests.Session()
    session.mount("http://", adapter)
    with make_client(sandbox, FakeTime(), session=session) as client:
        target = stage(client, method=method)
        client.upload_staged(target, "chart.png", png(2, 2), "image/png")
        assert file_status(client, target) == "READY"
    admin = [r for r in adapter.sent if "/admin/api/" in (r.url or "")]
    uploads = [r for r in adapter.sent if "/sandbox/staged-uploads" in (r.url or "")]
    assert len(uploads) == 1 and uploads[0].method == method
    assert all("X-Shopify-Access-Token" in r.headers for r in admin)
    assert "X-Shopify-Access-Token" not in uploads[0].headers


@pytest.mark.parametrize("kind", ["http_503", "http_500", "reset"])
def test_a_failed_upload_is_sent_again(sandbox: SandboxServer, kind: str) -> None:
    time = FakeTime()
    sandbox.faults.add(FaultRule(kind, match=UPLOAD_OPERATION))
    with make_client(sandbox, time) as client:
        target = stage(client)
        client.upload_staged(target, "chart.png", png(2, 2), "image/png")
        assert file_status(client, target) == "READY"
    uploads = [r for r in sandbox.requests if r.path.startswith("/sandbox/staged-uploads")]
    assert [r.status for r in uploads] == [0 if kind == "reset" else int(kind[5:]), 201]
    assert len(time.sleeps) == 1  # one backoff, on the fake clock


def test_a_refused_upload_is_not_retried_and_names_the_bucket_error(
    sandbox: SandboxServer,
) -> None:
    with make_client(sandbox, FakeTime()) as client:
        target = stage(client)
        forged = {
            **target,
            "parameters": [
                {**p, "value": "0" * 64} if p["name"] == "x-goog-signature" else p
                for p in target["parameters"]
            ],
        }
        with pytest.raises(ServerError) as caught:
            client.upload_staged(forged, "chart.png", png(2, 2), "image/png")
    assert caught.value.status == 403
    assert "AccessDenied" in caught.value.message and "chart.png" in caught.value.message
    uploads = [r for r in sandbox.requests if r.path.startswith("/sandbox/staged-uploads")]
    assert len(uploads) == 1


def test_an_upload_that_keeps_failing_gives_up_after_max_attempts(
    sandbox: SandboxServer,
) -> None:
    sandbox.faults.add(FaultRule("http_503", match=UPLOAD_OPERATION, times=None))
    with make_client(sandbox, FakeTime(), max_attempts=3) as client:
        target = stage(client)
        with pytest.raises(ServerError, match="HTTP 503"):
            client.upload_staged(target, "chart.png", png(2, 2), "image/png")
    uploads = [r for r in sandbox.requests if r.path.startswith("/sandbox/staged-uploads")]
    assert len(uploads) == 3


def test_unmatched_fault_rules_leave_uploads_alone(sandbox: SandboxServer) -> None:
    with make_client(sandbox, FakeTime()) as client:
        target = stage(client)
        sandbox.faults.add(FaultRule("http_500", times=None))  # "every Admin API request"
        client.upload_staged(target, "chart.png", png(2, 2), "image/png")
    assert [r.kind for r in sandbox.faults.fired] == []


def test_an_unreachable_bucket_is_a_transport_error(sandbox: SandboxServer) -> None:
    with make_client(sandbox, FakeTime(), max_attempts=2) as client:
        target = {**stage(client), "url": "http://127.0.0.1:9/"}
        with pytest.raises(TransportError, match=r"upload of chart\.png"):
            client.upload_staged(target, "chart.png", png(2, 2), "image/png")
