"""Client-side pacing from Shopify's cost-based leaky bucket.

Every Admin GraphQL response reports ``extensions.cost.throttleStatus``. The pacer keeps
the recent reports, lets them refill at ``restoreRate`` on our clock, and holds a request back
until the bucket can afford it, so a bulk sync runs near the store's ceiling instead of
bouncing off ``THROTTLED``. Shopify admits a request only if its *requested* cost is
available (the unused part is refunded afterwards), so a request waits for the requested
cost its operation had last time (before any: 10 a mutation root, 50 for a query), and
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
#: How long a report is kept beside newer ones: concurrent requests reach the store, and
#: their answers reach us, in either order, so a later answer may describe an earlier bucket.
REPORT_WINDOW = 1.0


@dataclass(frozen=True)
class BucketStatus:
    """``throttleStatus`` as last reported, and when (on the pacer's clock)."""

    maximum: float
    available: float
    restore_rate: float
    at: float

    def projected(self, now: float) -> float:
        """What the bucket holds at ``now`` if nothing was spent since the report."""
        return min(self.maximum, self.available + max(0.0, now - self.at) * self.restore_rate)


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
    """A request's reservation in the pacer: its number and the points it holds."""

    seq: int
    points: float


class Pacer:
    """Thread-safe estimate of the store's bucket; ``acquire`` waits until a request fits.

    Each report is an upper bound on what the bucket holds now (its figure plus the restore
    since), so the estimate is the lowest of the recent ones: an answer that arrives late,
    describing the bucket before another request was charged, cannot raise it. Every request
    still in flight is taken off that estimate, including one the store may already have
    counted: overcounting holds a request back by a few milliseconds, undercounting gets it
    throttled.
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
        self._reports: list[BucketStatus] = []  # oldest first, within REPORT_WINDOW of the last
        self._known: dict[str, _Known] = {}
        self._seq = 0
        self._in_flight: dict[int, float] = {}  # ticket -> points

    @property
    def status(self) -> BucketStatus | None:
        """The latest report."""
        with self._lock:
            return self._reports[-1] if self._reports else None

    def _need(self, operation: str, mutation: bool, roots: int) -> float:
        known = self._known.get(operation)
        if known is not None and known.requested is not None:
            return known.requested
        return DEFAULT_MUTATION_COST * max(1, roots) if mutation else DEFAULT_QUERY_COST

    def _available(self, now: float) -> float | None:
        if not self._reports:
            return None
        least = min(report.projected(now) for report in self._reports)
        return least - sum(self._in_flight.values())

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
                available = self._available(self._clock())
                if available is None:
                    return self._take(need), waited
                latest = self._reports[-1]
                # A request bigger than the whole bucket can only wait for a full one.
                need = min(need, latest.maximum)
                deficit = need - available
                if deficit <= 0 or latest.restore_rate <= 0:
                    return self._take(need), waited
                delay = deficit / latest.restore_rate
            self._sleep(delay)
            waited += delay

    def release(self, operation: str, ticket: Ticket, cost: Cost | None) -> None:
        """A request ended: drop its reservation and learn from the store's report."""
        with self._lock:
            self._in_flight.pop(ticket.seq, None)
            if cost is None:
                return
            known = self._known.setdefault(operation, _Known())
            if cost.requested is not None:
                known.requested = cost.requested
            if cost.actual is not None:
                known.actual = cost.actual
            if cost.status is not None:
                since = cost.status.at - REPORT_WINDOW
                self._reports = [r for r in self._reports if r.at >= since]
                self._reports.append(cost.status)
