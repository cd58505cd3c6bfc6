"""Fault injection: make the sandbox fail the ways a real store (or the network) does.

Rules are consumed in the order they were added; the first rule whose ``match`` fits a
GraphQL request (substring of its operation name or of its query text) and still has
``times`` left fires. Except ``latency`` (which delays, then answers normally) and
``commit_then_fail`` (which applies the write, then fails), a fault answers without
executing anything, so the store's state is unchanged.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Final

FAULT_KINDS: Final = frozenset(
    {
        "latency",
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
    }
)


UPLOAD_OPERATION: Final = "staged-upload"  # no GraphQL document contains it


@dataclass
class FaultRule:
    """One injected failure. ``times=None`` fires forever; ``match=None`` fits every request.

    Uploads to the staged-upload bucket are not Admin API requests: only a rule whose
    ``match`` names them (``UPLOAD_OPERATION``) fails them.
    """

    kind: str
    match: str | None = None
    times: int | None = 1
    retry_after: float | None = None
    delay_ms: float = 0
    hold_s: float = 30

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {sorted(FAULT_KINDS)}")
        if self.times is not None and self.times < 0:
            raise ValueError("times must be >= 0 or None")

    def matches(self, operation_name: str | None, query: str) -> bool:
        if self.match is None:
            return True
        return (operation_name is not None and self.match in operation_name) or self.match in query


class FaultSet:
    """The rules of one server; thread-safe, as requests arrive on many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        #: Every rule that fired, in order (a rule appears once per firing).
        self.fired: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def take(
        self, operation_name: str | None, query: str, *, named_only: bool = False
    ) -> FaultRule | None:
        """The rule that fires for this request (its count decremented), if any."""
        with self._lock:
            for rule in self._rules:
                if rule.times == 0 or not rule.matches(operation_name, query):
                    continue
                if named_only and rule.match is None:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                self.fired.append(rule)
                return rule
            return None
