"""The one retry policy: waits with injected jitter, attempt and time bounds, stats; the same
rules for Admin API calls and staged uploads (over real HTTP to the sandbox)."""

from __future__ import annotations

import pytest

from shopsync.admin.responses import Failure
from shopsync.admin.retry import BACKOFF_MAX, RetryPolicy
from shopsync.errors import ServerError, TransportError
from shopsync.sandbox import FaultRule, SandboxServer
from shopsync.sandbox.faults import UPLOAD_OPERATION

from .client_support import FakeTime, make_client, sent, stage
from .conftest import SandboxFactory
from .images import png


def highest(low: float, high: float) -> float:
    return high


def lowest(low: float, high: float) -> float:
    return low


def _policy(time: FakeTime, *, max_attempts: int = 5, max_seconds: float = 120.0) -> RetryPolicy:
    return RetryPolicy(max_attempts, max_seconds, time.clock, time.sleep, highest)


def test_the_stores_wait_gets_a_little_jitter_on_top() -> None:
    policy = RetryPolicy(jitter=highest)
    failure = Failure(ServerError("busy"), retry=True, after=7.0)
    assert policy.wait(failure, 1) == pytest.approx(7.0 + 0.05 + 0.7)
    assert RetryPolicy(jitter=lowest).wait(failure, 3) == 7.0


def test_without_a_wait_the_backoff_doubles_up_to_a_ceiling() -> None:
    failure = Failure(ServerError("down"), retry=True)
    waits = [RetryPolicy(jitter=highest).wait(failure, n) for n in range(1, 7)]
    assert waits == [0.5, 1.0, 2.0, 4.0, BACKOFF_MAX, BACKOFF_MAX]
    assert RetryPolicy(jitter=lowest).wait(failure, 2) == 0.5  # jitter spans half to full


def test_a_failure_that_may_not_be_retried_is_raised_at_once() -> None:
    time = FakeTime()
    cause = ConnectionResetError("reset")
    error = TransportError("Op: the connection broke")
    error.__cause__ = cause
    calls: list[int] = []

    def attempt() -> None:
        calls.append(1)
        raise Failure(error, retry=False)

    with pytest.raises(TransportError) as caught:
        _policy(time).run("Op", attempt, lambda seconds: None)
    assert caught.value is error and caught.value.__cause__ is cause
    assert calls == [1] and time.sleeps == []


def test_retries_stop_at_the_attempt_bound_and_report_each_wait() -> None:
    time = FakeTime()
    waits: list[float] = []

    def attempt() -> None:
        raise Failure(ServerError("down"), retry=True)

    with pytest.raises(ServerError):
        _policy(time, max_attempts=3).run("Op", attempt, waits.append)
    assert waits == time.sleeps == [0.5, 1.0]


def test_a_wait_that_would_overrun_the_budget_is_not_begun() -> None:
    time = FakeTime()
    results = iter([Failure(ServerError("busy"), retry=True, after=3.0)] * 2)

    def attempt() -> str:
        failure = next(results, None)
        if failure is not None:
            raise failure
        return "done"

    assert _policy(time, max_seconds=10).run("Op", attempt, lambda s: None) == "done"
    assert time.sleeps == [pytest.approx(3.35), pytest.approx(3.35)]
    results = iter([Failure(ServerError("busy"), retry=True, after=3.0)] * 3)
    with pytest.raises(ServerError):
        _policy(time, max_seconds=6).run("Op", attempt, lambda s: None)
    assert len(time.sleeps) == 3  # 3.35 fits in 6 s, a second 3.35 does not


def test_injected_jitter_makes_the_clients_waits_exact(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory()
    sandbox.faults.add(FaultRule("http_429", match="SyncBlogs", retry_after=7))
    sandbox.faults.add(FaultRule("http_503", match="SyncPages", times=2))
    time = FakeTime()
    with make_client(sandbox, time, jitter=lowest) as client:
        client.run("SyncBlogs", {"first": 5})
        client.run("SyncPages", {"first": 5})
    assert time.sleeps == [7.0, 0.25, 0.5]
    assert client.stats.retries == 3
    assert client.stats.retry_seconds == pytest.approx(7.75)
    assert [r.status for r in sent(sandbox, "SyncPages")] == [503, 503, 200]


def test_an_upload_has_the_same_time_budget_and_stats(sandbox: SandboxServer) -> None:
    sandbox.faults.add(FaultRule("http_503", match=UPLOAD_OPERATION, times=None))
    time = FakeTime()
    client = make_client(sandbox, time, jitter=highest, max_retry_seconds=1.2)
    with client:
        target = stage(client)
        with pytest.raises(ServerError, match="HTTP 503"):
            client.upload_staged(target, "chart.png", png(2, 2), "image/png")
    uploads = [r for r in sandbox.requests if r.path.startswith("/sandbox/staged-uploads")]
    assert len(uploads) == 2  # waits 0.5 s, then a 1 s wait would overrun 1.2 s
    assert time.sleeps == [0.5]
    assert (client.stats.retries, client.stats.retry_seconds) == (1, 0.5)


@pytest.fixture
def sandbox(sandbox_factory: SandboxFactory) -> SandboxServer:
    return sandbox_factory(file_processing_s=0)
