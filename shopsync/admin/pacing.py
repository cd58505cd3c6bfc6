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


class Pacer:
    """Thread-safe estimate of the store's bucket; ``acquire`` waits until a request fits."""

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
        # Points reserved by requests in flight that the last report may not include yet.
        self._pending = 0.0

    @property
    def status(self) -> BucketStatus | None:
        with self._lock:
            return self._status

    def _need(self, operation: str, mutation: bool) -> float:
        known = self._known.get(operation)
        if known is not None and known.requested is not None:
            return known.requested
        return DEFAULT_MUTATION_COST if mutation else DEFAULT_QUERY_COST

    def _available(self, now: float) -> float | None:
        status = self._status
        if status is None:
            return None
        refilled = status.available + max(0.0, now - status.at) * status.restore_rate
        return min(status.maximum, refilled) - self._pending

    def acquire(self, operation: str, *, mutation: bool) -> tuple[float, float]:
        """Wait until the request fits; returns (points reserved, seconds waited)."""
        waited = 0.0
        while True:
            with self._lock:
                need = self._need(operation, mutation)
                status = self._status
                available = self._available(self._clock())
                if status is None or available is None:
                    self._pending += need
                    return need, waited
                # A request bigger than the whole bucket can only wait for a full one.
                need = min(need, status.maximum)
                deficit = need - available
                if deficit <= 0 or status.restore_rate <= 0:
                    self._pending += need
                    return need, waited
                delay = deficit / status.restore_rate
            self._sleep(delay)
            waited += delay

    def release(self, operation: str, reserved: float, cost: Cost | None) -> None:
        """A request ended: drop its reservation and learn from the store's report."""
        with self._lock:
            self._pending = max(0.0, self._pending - reserved)
            if cost is None:
                return
            known = self._known.setdefault(operation, _Known())
            if cost.requested is not None:
                known.requested = cost.requested
            if cost.actual is not None:
                known.actual = cost.actual
            if cost.status is not None:
                self._status = cost.status
