"""What one answer from the store means: data, or a failure and whether to try again.

Pure functions of an HTTP answer (status, headers, the decoded JSON body or None) and of
what was sent (``Call``): no session, no token, no clock of their own. The client acts on
the ``Failure`` they raise (it drops the token after a 401, counts throttles, sleeps
``after``), so every rule here can be checked with a table of answers and no server.

A failure after which a write may have landed (5xx, a garbled answer, an internal error)
marks the error ``maybe_applied`` when the call was a mutation; it is retried only when
re-sending is harmless (a query, or an idempotent write).
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shopsync.admin.pacing import Cost, parse_cost
from shopsync.errors import (
    AuthError,
    ConfigError,
    QueryError,
    ScopeError,
    ServerError,
    ShopifyError,
    ShopsyncError,
    ThrottledError,
    UserError,
    UserErrors,
)
from shopsync.vocabulary import scope_need

_REQUIRED_ACCESS = re.compile(r"`([a-z_]+)`")
#: How long to wait after a 429 that does not say (Shopify's REST limit refills in 1 s).
DEFAULT_429_WAIT = 1.0


@dataclass(frozen=True)
class Call:
    """What was sent, as far as judging its answer needs."""

    operation: str
    mutation: bool
    idempotent: bool
    #: For the 404 message: the version and shop the request was meant for.
    api_version: str = ""
    base_url: str = ""

    @property
    def resendable(self) -> bool:
        """Sending it twice cannot do anything twice."""
        return self.idempotent or not self.mutation


class Failure(Exception):
    """One failed attempt: the error to raise, and what the client should do about it.

    ``retry``: trying again is safe; ``after``: seconds the store asked us to wait (None:
    back off); ``refresh``: the token was refused, get another; ``throttled``: count it;
    ``cost``: the answer's cost report, for the pacer (None if it had none).
    """

    def __init__(
        self,
        error: ShopsyncError,
        *,
        retry: bool,
        after: float | None = None,
        refresh: bool = False,
        throttled: bool = False,
        cost: Cost | None = None,
    ) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry = retry
        self.after = after
        self.refresh = refresh
        self.throttled = throttled
        self.cost = cost

    @property
    def maybe_applied(self) -> bool:
        return self.error.maybe_applied

    def final(self) -> Failure:
        """The same failure, not to be retried (a second 401, say)."""
        return Failure(
            self.error,
            retry=False,
            after=self.after,
            refresh=self.refresh,
            throttled=self.throttled,
            cost=self.cost,
        )


@dataclass(frozen=True)
class Reply:
    """A successful answer: its ``data`` and its cost report."""

    data: dict[str, Any]
    cost: Cost | None


def read_reply(
    status: int,
    headers: Mapping[str, str],
    payload: Any,
    call: Call,
    *,
    now: float,
    received: float = 0.0,
) -> Reply:
    """``data`` of one Admin API answer, or raise the ``Failure`` it means.

    ``now`` is the wall clock (epoch seconds) an HTTP-date ``Retry-After`` is measured
    from; ``received`` stamps the cost report on the pacer's clock.
    """
    body = graphql_body(status, headers, payload, call, now=now)
    cost = parse_cost(body.get("extensions"), received)
    failure = data_failure(body, cost, call)
    if failure is not None:
        failure.cost = cost  # the pacer learns from a refused answer's report too
        raise failure
    return Reply(body["data"], cost)


def graphql_body(
    status: int, headers: Mapping[str, str], payload: Any, call: Call, *, now: float
) -> dict[str, Any]:
    """The GraphQL body of an answer, or the ``Failure`` its HTTP status means."""
    name = call.operation
    error: ShopsyncError
    if status == 401:
        error = AuthError(
            f"{name}: the store refused the access token (HTTP 401)",
            operation=name,
            hint="check SHOPSYNC_ACCESS_TOKEN (or the client credentials)",
        )
        # Nothing happened; whether another token exists is the token source's to say.
        raise Failure(error, retry=True, after=0.0, refresh=True)
    if status == 403:
        error = AuthError(
            f"{name}: access forbidden (HTTP 403)",
            operation=name,
            hint="is the app still installed, with the scopes shopsync needs?",
        )
        raise Failure(error, retry=False)
    if status == 404:
        error = ConfigError(
            f"the store does not serve Admin API version {call.api_version} "
            f"at {call.base_url} (HTTP 404)",
            hint="check SHOPSYNC_SHOP and SHOPSYNC_API_VERSION",
        )
        raise Failure(error, retry=False)
    if status == 429:
        after = retry_after(headers.get("Retry-After"), now)
        error = ServerError(f"{name}: rate limited (HTTP 429)", status=429, operation=name)
        wait = after if after is not None else DEFAULT_429_WAIT
        raise Failure(error, retry=True, after=wait, throttled=True)
    if status in (402, 423):
        state = "frozen (unpaid)" if status == 402 else "locked"
        error = ServerError(f"the shop is {state} (HTTP {status})", status=status, operation=name)
        raise Failure(error, retry=False)
    if status >= 500:
        error = ServerError(f"{name}: store error (HTTP {status})", status=status, operation=name)
        raise ambiguous(error, call)
    if status >= 400:
        errors = payload.get("errors") if isinstance(payload, dict) else None
        error = QueryError(
            f"{name}: refused (HTTP {status}): {error_message(errors)}",
            errors=errors if isinstance(errors, list) else (),
            operation=name,
        )
        raise Failure(error, retry=False)
    if not isinstance(payload, dict) or not ("data" in payload or "errors" in payload):
        error = ServerError(
            f"{name}: the store's answer was not valid GraphQL JSON", status=status, operation=name
        )
        raise ambiguous(error, call)
    return payload


def data_failure(body: Mapping[str, Any], cost: Cost | None, call: Call) -> Failure | None:
    """None when ``body`` has ``data`` and no ``errors``; else the ``Failure`` it means.

    Top-level ``errors`` are told apart by ``extensions.code``.
    """
    name = call.operation
    errors = body.get("errors")
    if not errors:
        if isinstance(body.get("data"), dict):
            return None
        return ambiguous(
            ServerError(f"{name}: the store's answer had no data", operation=name), call
        )
    listed = errors if isinstance(errors, list) else [errors]
    codes = {_error_code(e) for e in listed}
    message = error_message(errors)
    if "THROTTLED" in codes:
        error: ShopifyError = ThrottledError(f"{name}: throttled by the store", operation=name)
        return Failure(error, retry=True, after=throttled_wait(cost), throttled=True)
    if "MAX_COST_EXCEEDED" in codes:
        error = ThrottledError(
            f"{name}: {message.splitlines()[0]}",
            operation=name,
            hint="ask for fewer items per page",
        )
        return Failure(error, retry=False)
    if "ACCESS_DENIED" in codes:
        named = required_scopes([e for e in listed if isinstance(e, Mapping)])
        denied = ScopeError([scope_need(scope) for scope in named])
        denied.operation = name
        return Failure(denied, retry=False)
    if "INTERNAL_SERVER_ERROR" in codes:
        error = ServerError(f"{name}: internal error in the store", operation=name)
        return ambiguous(error, call)
    error = QueryError(
        f"{name}: {message}", errors=[e for e in listed if isinstance(e, dict)], operation=name
    )
    return Failure(error, retry=False)


def ambiguous(error: ShopifyError, call: Call, cause: BaseException | None = None) -> Failure:
    """A failure after which the call may have been applied: retried only if resendable."""
    if cause is not None:
        error.__cause__ = cause
    if call.mutation:
        error.maybe_applied = True
        if not call.idempotent:
            error.hint = error.hint or "the write may have landed: look it up before re-sending"
    return Failure(error, retry=call.resendable)


def throttled_wait(cost: Cost | None) -> float | None:
    """Seconds until the bucket holds the requested cost again (None if unreported)."""
    if cost is None or cost.status is None or cost.status.restore_rate <= 0:
        return None
    missing = max(0.0, (cost.requested or 0.0) - cost.status.available)
    return missing / cost.status.restore_rate


def retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds: delta-seconds, or an HTTP date measured from ``now``."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def date_header(value: str | None) -> datetime | None:
    """The store's clock when it answered: the HTTP ``Date`` header (whole seconds), in UTC."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None  # "-0000": the sender does not know its zone, so neither do we
    return when.astimezone(UTC)


def error_message(errors: Any) -> str:
    """The messages of an ``errors`` value, whatever shape the store gave it."""
    if isinstance(errors, str):
        return errors
    if isinstance(errors, Mapping):
        return "; ".join(f"{k}: {v}" for k, v in errors.items())
    if isinstance(errors, list):
        messages = [str(e.get("message")) for e in errors if isinstance(e, Mapping)]
        return "; ".join(m for m in messages if m) or "unknown error"
    return "unknown error"


def required_scopes(errors: Sequence[Mapping[str, Any]]) -> list[str]:
    """The scopes ``ACCESS_DENIED`` errors name (``requiredAccess``, else the message)."""
    scopes: list[str] = []
    for error in errors:
        extensions = error.get("extensions")
        text = str(extensions.get("requiredAccess", "")) if isinstance(extensions, Mapping) else ""
        scopes.extend(_REQUIRED_ACCESS.findall(text or str(error.get("message", ""))))
    return sorted(set(scopes)) or ["(unknown)"]


def _error_code(error: Any) -> str | None:
    if isinstance(error, Mapping):
        extensions = error.get("extensions")
        if isinstance(extensions, Mapping):
            code = extensions.get("code")
            return code if isinstance(code, str) else None
    return None


# -- mutation payloads -------------------------------------------------------------------


def mutation_payload(operation: str, root_key: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of a one-field mutation, or raise its ``userErrors``.

    No payload at all is a ``ServerError`` that may have landed: the store answered, but
    not with what the write did.
    """
    payload = data.get(root_key)
    if not isinstance(payload, dict):
        error = ServerError(
            f"{operation}: the store answered without a payload", operation=operation
        )
        error.maybe_applied = True
        raise error
    raw = payload.get("userErrors") or []
    if raw:
        raise UserErrors(operation, [user_error(e) for e in raw if isinstance(e, Mapping)])
    return payload


def user_error(raw: Mapping[str, Any]) -> UserError:
    """One ``userErrors`` entry; a field path of strings, a code only if it is one."""
    field = raw.get("field")
    code = raw.get("code")
    return UserError(
        message=str(raw.get("message") or ""),
        field=tuple(str(f) for f in field) if isinstance(field, list) and field else None,
        code=code if isinstance(code, str) else None,
    )


# -- staged uploads ----------------------------------------------------------------------


def upload_answer(what: str, status: int, text: str) -> None:
    """Nothing for a stored file; else the ``Failure`` the bucket's answer means.

    Re-sending writes the same object under the same key, so 5xx and 429 are retried.
    """
    if status < 300:
        return
    refused = ServerError(
        f"{what} refused with HTTP {status}{_bucket_error(text)}",
        status=status,
        operation="upload",
        hint="run the push again: it asks for a fresh upload target",
    )
    raise Failure(refused, retry=status >= 500 or status == 429)


def _bucket_error(text: str) -> str:
    """`` (Code: Message)`` from a storage bucket's XML error body, if it has one."""
    code = re.search(r"<Code>([^<]{1,100})</Code>", text)
    message = re.search(r"<Message>([^<]{1,300})</Message>", text)
    if code is None:
        return ""
    return f" ({code.group(1)}: {message.group(1)})" if message else f" ({code.group(1)})"
