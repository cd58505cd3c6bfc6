"""When to send a request again, and how long to wait first: one policy for every request.

Both the Admin API calls and the uploads to a staged target go through ``RetryPolicy.run``:
an attempt raises a ``Failure`` (see ``responses``) saying whether trying again is safe and
how long the store asked us to wait. Retries are bounded in attempts and in total time (a
wait that would overrun the budget is not begun), the store's wait gets a little jitter so
parallel workers do not return together, and without one we back off exponentially, with
jitter. Clock, sleep and jitter are injected, so tests neither sleep nor guess.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception

from shopsync.admin.responses import Failure

log = logging.getLogger(__name__)

T = TypeVar("T")

BACKOFF_BASE = 0.5
BACKOFF_MAX = 8.0


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, Failure) and exc.retry


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds and time sources for retries; shared by all threads of one client."""

    max_attempts: int = 5
    max_seconds: float = 120.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    #: ``jitter(low, high)``: a number between the two (``random.uniform`` unless a test
    #: wants waits it can predict).
    jitter: Callable[[float, float], float] = random.uniform

    def wait(self, failure: BaseException | None, attempt: int) -> float:
        """Seconds before attempt ``attempt + 1``."""
        after = failure.after if isinstance(failure, Failure) else None
        if after is not None:
            # The store said how long; a little jitter keeps parallel workers apart.
            return after + self.jitter(0.0, 0.05 + 0.1 * after)
        backoff = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (attempt - 1))
        return self.jitter(backoff / 2, backoff)

    def retrying(self, what: str, on_retry: Callable[[float], None]) -> Retrying:
        """A tenacity ``Retrying`` for one call, its time budget starting now.

        ``on_retry(seconds)`` is told of every wait before it is slept (for the stats).
        """
        started = self.clock()

        def wait(state: RetryCallState) -> float:
            failure = state.outcome.exception() if state.outcome else None
            return self.wait(failure, state.attempt_number)

        def stop(state: RetryCallState) -> bool:
            if state.attempt_number >= self.max_attempts:
                return True
            return self.clock() - started + state.upcoming_sleep > self.max_seconds

        def before_sleep(state: RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            on_retry(state.upcoming_sleep)
            log.info(
                "%s: retrying in %.2fs after attempt %d: %s",
                what,
                state.upcoming_sleep,
                state.attempt_number,
                failure,
            )

        return Retrying(
            stop=stop,
            wait=wait,
            retry=retry_if_exception(_retryable),
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )

    def run(self, what: str, attempt: Callable[[], T], on_retry: Callable[[float], None]) -> T:
        """``attempt()`` until it succeeds or may not be retried; raises the last error."""
        try:
            return self.retrying(what, on_retry)(attempt)
        except Failure as failure:
            raise failure.error from failure.error.__cause__
