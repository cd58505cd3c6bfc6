"""Client-side pacing from Shopify's cost-based leaky bucket.

Every Admin GraphQL response reports ``extensions.cost.throttleStatus``. The pacer keeps
the latest one, lets it refill at ``restoreRate`` on our clock, and holds a request back
until the bucket can afford it, so a bulk sync runs near the store's ceiling instead of
bouncing off ``THROTTLED``. Shopify admits a request only if its *requested* cost is
available (the unused part is refunded afterwards), so a request waits for the requested
cost its operation had last time (before any: 10 for a mutation, 50 for a query), and
counts as reserved until its response arrives. Shared by all threads of one client.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

#: What a request is assumed to cost before the store has told us (mutations cost 10).
DEFAULT_MUTATION_COST = 10.0
DEFAULT_QUERY_COST = 50.0
#: Requests that left this close together may reach the store in either order.
SAME_TIME = 0.05


@dataclass(frozen=True)
class BucketStatus:
    """``throttleStatus`` as last reported, and when (on the pacer's clock)."""

    maximum: float
    available: float
    restore_rate: float
    at: float


@dataclass(frozen=True)
class Cost:
    """One response's ``extensions.cost``."""

    requested: float | None
    actual: float | None
    status: BucketStatus | None


def parse_cost(extensions: Any, now: float) -> Cost | None:
    """The cost report of a response, or None when it has none (or a garbled one)."""
    if not isinstance(extensions, Mapping):
        return None
    cost = extensions.get("cost")
    if not isinstance(cost, Mapping):
        return None
    status: BucketStatus | None = None
    throttle = cost.get("throttleStatus")
    if isinstance(throttle, Mapping):
        try:
            status = BucketStatus(
                maximum=float(throttle["maximumAvailable"]),
                available=float(throttle["currentlyAvailable"]),
                restore_rate=float(throttle["restoreRate"]),
                at=now,
            )
        except (KeyError, TypeError, ValueError):
            status = None
    return Cost(
        _number(cost.get("requestedQueryCost")), _number(cost.get("actualQueryCost")), status
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


@dataclass
class _Known:
    requested: float | None = None
    actual: float | None = None


@dataclass(frozen=True)
class Ticket:
    """A request's place in the pacer: its send order and the points it was allowed."""

    seq: int
    points: float


class Pacer:
    """Thread-safe estimate of the store's bucket; ``acquire`` waits until a request fits.

    The last report says how full the bucket was when the store answered that request. A
    request that left well before it (``SAME_TIME`` earlier or more) was counted in it
    already: it reached the store first. One that left after it, about when it did (the
    store serves requests concurrently, so their order there is anyone's guess), or has not
    left yet, was not: only those are taken off what the report says is available. Taking
    every request in flight off would count many twice and leave the bucket idle exactly
    when several writes are in flight; taking none off would overdraw it.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._status: BucketStatus | None = None
        self._known: dict[str, _Known] = {}
        self._seq = 0
        self._in_flight: dict[int, float] = {}  # ticket -> points
        self._departed: dict[int, float] = {}  # ticket -> when it left
        self._status_departed = float("-inf")

    @property
    def status(self) -> BucketStatus | None:
        with self._lock:
            return self._status

    def _need(self, operation: str, mutation: bool, roots: int) -> float:
        known = self._known.get(operation)
        if known is not None and known.requested is not None:
            return known.requested
        return DEFAULT_MUTATION_COST * max(1, roots) if mutation else DEFAULT_QUERY_COST

    def _available(self, now: float) -> float | None:
        status = self._status
        if status is None:
            return None
        refilled = status.available + max(0.0, now - status.at) * status.restore_rate
        counted_before = self._status_departed - SAME_TIME
        unseen = sum(
            points
            for seq, points in self._in_flight.items()
            if self._departed.get(seq, float("inf")) > counted_before
        )
        return min(status.maximum, refilled) - unseen

    def _take(self, need: float) -> Ticket:
        self._seq += 1
        self._in_flight[self._seq] = need
        return Ticket(self._seq, need)

    def acquire(self, operation: str, *, mutation: bool, roots: int = 1) -> tuple[Ticket, float]:
        """Wait until the request fits; returns (its ticket, seconds waited).

        Before the store has priced ``operation``, a mutation is taken to cost 10 for each of
        its ``roots`` (a batch of ten writes: 100), a query 50.
        """
        waited = 0.0
        while True:
            with self._lock:
                need = self._need(operation, mutation, roots)
                status = self._status
                available = self._available(self._clock())
                if status is None or available is None:
                    return self._take(need), waited
                # A request bigger than the whole bucket can only wait for a full one.
                need = min(need, status.maximum)
                deficit = need - available
                if deficit <= 0 or status.restore_rate <= 0:
                    return self._take(need), waited
                delay = deficit / status.restore_rate
            self._sleep(delay)
            waited += delay

    def departed(self, ticket: Ticket) -> None:
        """The request is on its way to the store (sent now, in this order)."""
        with self._lock:
            self._departed[ticket.seq] = self._clock()

    def release(self, operation: str, ticket: Ticket, cost: Cost | None) -> None:
        """A request ended: drop its reservation and learn from the store's report."""
        with self._lock:
            self._in_flight.pop(ticket.seq, None)
            left = self._departed.pop(ticket.seq, None)
            if cost is None:
                return
            known = self._known.setdefault(operation, _Known())
            if cost.requested is not None:
                known.requested = cost.requested
            if cost.actual is not None:
                known.actual = cost.actual
            if cost.status is not None and left is not None:
                self._status = cost.status
                self._status_departed = left
