"""Pacing from throttleStatus: the estimate itself, a burst that is never throttled over real
HTTP, and recovery when a client is throttled anyway. Client and sandbox share a fake clock."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shopsync.admin.pacing import (
    DEFAULT_MUTATION_COST,
    DEFAULT_QUERY_COST,
    REPORT_WINDOW,
    Pacer,
    parse_cost,
)

from .client_support import FakeTime, make_client, sent
from .conftest import SandboxFactory


def _cost(
    requested: float, available: float, *, maximum: float = 100, rate: float = 10
) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": requested,
            "throttleStatus": {
                "maximumAvailable": maximum,
                "currentlyAvailable": available,
                "restoreRate": rate,
            },
        }
    }


def test_pacer_waits_for_the_requested_cost_to_be_restored() -> None:
    time = FakeTime()
    pacer = Pacer(clock=time.clock, sleep=time.sleep)
    ticket, waited = pacer.acquire("Op", mutation=True)
    assert (ticket.points, waited) == (DEFAULT_MUTATION_COST, 0.0)  # nothing known yet: no wait
    pacer.release("Op", ticket, parse_cost(_cost(20, 5), time.clock()))
    ticket, waited = pacer.acquire("Op", mutation=True)
    assert ticket.points == 20
    assert waited == pytest.approx(1.5)  # (20 - 5) / 10
    assert time.sleeps == [pytest.approx(1.5)]


def test_pacer_counts_requests_in_flight() -> None:
    time = FakeTime()
    pacer = Pacer(clock=time.clock, sleep=time.sleep)
    first, _ = pacer.acquire("Q", mutation=False)
    pacer.release("Q", first, parse_cost(_cost(10, 30), time.clock()))
    a, _ = pacer.acquire("Q", mutation=False)
    b, _ = pacer.acquire("Q", mutation=False)
    assert time.sleeps == []  # 30 available: two of 10 fit
    c, waited = pacer.acquire("Q", mutation=False)
    assert waited == 0.0  # exactly 10 left
    _, waited = pacer.acquire("Q", mutation=False)
    assert waited == pytest.approx(1.0)  # 40 reserved of 30 + restore: one second's worth
    for ticket in (a, b, c):
        pacer.release("Q", ticket, None)


def test_a_late_answer_describing_an_earlier_bucket_does_not_raise_the_estimate() -> None:
    time = FakeTime()
    pacer = Pacer(clock=time.clock, sleep=time.sleep)
    a, _ = pacer.acquire("W", mutation=True)
    b, _ = pacer.acquire("W", mutation=True)
    # The store charged a, then b; b's answer (30 left) arrives first, a's (40 left) after it.
    pacer.release("W", b, parse_cost(_cost(10, 30), time.clock()))
    pacer.release("W", a, parse_cost(_cost(10, 40), time.clock()))
    assert pacer.status is not None and pacer.status.available == 40  # the latest report...
    # ...but the estimate is the lower one: three writes of 10 fit, a fourth waits a second.
    assert [pacer.acquire("W", mutation=True)[1] for _ in range(3)] == [0.0, 0.0, 0.0]
    _, waited = pacer.acquire("W", mutation=True)
    assert waited == pytest.approx(1.0)


def test_a_low_report_is_forgotten_once_newer_ones_outlive_it() -> None:
    time = FakeTime()
    pacer = Pacer(clock=time.clock, sleep=time.sleep)
    ticket, _ = pacer.acquire("W", mutation=True)
    pacer.release("W", ticket, parse_cost(_cost(10, 0), time.clock()))  # empty (another app?)
    time.advance(REPORT_WINDOW + 0.5)
    ticket, _ = pacer.acquire("W", mutation=True)
    pacer.release("W", ticket, parse_cost(_cost(10, 90), time.clock()))
    # The empty report alone would allow 15 now; the bucket said 90 since, and that stands.
    tickets = [pacer.acquire("W", mutation=True) for _ in range(9)]
    assert [waited for _, waited in tickets] == [0.0] * 9
    _, waited = pacer.acquire("W", mutation=True)
    assert waited == pytest.approx(1.0)


def test_every_request_in_flight_is_taken_off_the_latest_report() -> None:
    time = FakeTime()
    pacer = Pacer(clock=time.clock, sleep=time.sleep)
    seed, _ = pacer.acquire("W", mutation=True)
    pacer.release("W", seed, parse_cost(_cost(10, 40), time.clock()))
    a, _ = pacer.acquire("W", mutation=True)
    b, _ = pacer.acquire("W", mutation=True)
    pacer.release("W", b, parse_cost(_cost(10, 30), time.clock()))
    # 30 left per b's answer; a may or may not be in it, so it is taken off: two fit, not three.
    assert [pacer.acquire("W", mutation=True)[1] for _ in range(2)] == [0.0, 0.0]
    _, waited = pacer.acquire("W", mutation=True)
    assert waited == pytest.approx(1.0)
    pacer.release("W", a, None)


def test_pacer_defaults_and_oversized_requests() -> None:
    time = FakeTime()
    pacer = Pacer(clock=time.clock, sleep=time.sleep)
    ticket, waited = pacer.acquire("Q", mutation=False)
    assert (ticket.points, waited) == (DEFAULT_QUERY_COST, 0.0)
    pacer.release("Q", ticket, parse_cost(_cost(500, 0), time.clock()))
    # More than the whole bucket: waits for a full bucket, not forever.
    _, waited = pacer.acquire("Q", mutation=False)
    assert waited == pytest.approx(10.0)


@pytest.mark.parametrize(
    "extensions",
    [None, {}, {"cost": "x"}, {"cost": {"throttleStatus": {"maximumAvailable": "a"}}}],
)
def test_garbled_cost_reports_are_ignored(extensions: object) -> None:
    cost = parse_cost(extensions, 0.0)
    assert cost is None or cost.status is None


def test_a_burst_is_paced_below_the_bucket_and_never_throttled(
    sandbox_factory: SandboxFactory,
) -> None:
    time = FakeTime()
    sandbox = sandbox_factory(bucket=100, restore_rate=10, clock=time.clock)
    start = time.clock()
    count = 40  # 400 points of mutations through a 100-point bucket
    with make_client(sandbox, time, max_in_flight=4) as client:

        def create(n: int) -> str:
            blog = {"blog": {"title": f"Blog {n}", "handle": f"blog-{n}"}}
            return str(client.mutate("SyncBlogCreate", blog)["blog"]["handle"])

        with ThreadPoolExecutor(max_workers=4) as pool:
            handles = list(pool.map(create, range(count)))

    assert sorted(handles) == sorted(f"blog-{n}" for n in range(count))
    assert client.stats.throttled == 0
    assert client.stats.retries == 0
    assert len(sent(sandbox, "SyncBlogCreate")) == count  # nothing was sent twice
    # 300 points beyond the full bucket had to be restored at 10/s: the client waited for them.
    assert time.clock() - start >= 30 - 1
    assert client.stats.paced_seconds >= 30 - 1


def test_a_throttled_client_waits_for_the_missing_points_and_recovers(
    sandbox_factory: SandboxFactory,
) -> None:
    time = FakeTime()
    sandbox = sandbox_factory(bucket=100, restore_rate=10, clock=time.clock)
    with make_client(sandbox, time) as first:
        for n in range(10):  # drains the bucket exactly
            first.mutate("SyncBlogCreate", {"blog": {"title": "B", "handle": f"a-{n}"}})
    assert first.stats.throttled == 0 and time.sleeps == []
    # Another client knows nothing of the bucket, so it is throttled once, then waits.
    with make_client(sandbox, time) as second:
        payload = second.mutate("SyncBlogCreate", {"blog": {"title": "B", "handle": "late"}})
    assert payload["blog"]["handle"] == "late"
    assert second.stats.throttled == 1
    assert len(time.sleeps) == 1
    assert 1.0 <= time.sleeps[0] <= 1.0 * 1.1 + 0.05  # (10 requested - 0 available) / 10
    assert [r.status for r in sent(sandbox, "SyncBlogCreate")][-2:] == [200, 200]
    assert len(sent(sandbox, "SyncBlogCreate")) == 12
