"""The one way shopsync talks to a store's Admin GraphQL API.

Everything that reads or writes goes through ``ShopifyClient`` so that auth, retries,
pacing, versioning and error mapping are right once. We use ``requests`` (a pooled
session, connect and read timeouts on every request) rather than ShopifyAPI, whose HTTP
path is deprecated upstream and has neither timeouts nor retries.

The client sends and keeps state (session, stats, scopes); the rules live beside it:
``documents`` (what may be sent), ``responses`` (what an answer means), ``retry`` (when to
send again), ``auth`` (where the token comes from) and ``pacing`` (the store's bucket).

Safety rules that shape the code:

- a document is validated against the bundled schema before it is sent, so a typo is a
  ``QueryError`` naming the document rather than a request;
- a failure after which a write may have landed (timeout or reset after sending, 5xx,
  a garbled answer) marks the error ``maybe_applied``; a non-idempotent mutation (a
  create) is then never sent again here: the caller looks the handle up first;
- queries, idempotent writes and failures that certainly changed nothing (429,
  ``THROTTLED``, 401 before a token refresh, a refused connection) are retried with
  tenacity, bounded in attempts and total time, with jitter and an injected sleep;
- the token lives in ``shopsync.admin.auth`` as a ``SecretStr`` and only ever in a request
  header: never in a repr, an error message or a log line.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from shopsync.admin.auth import TokenSource, token_source
from shopsync.admin.documents import Document, adhoc_document, check_variables, load_document
from shopsync.admin.pacing import Cost, Pacer
from shopsync.admin.responses import (
    Call,
    Failure,
    ambiguous,
    date_header,
    mutation_payload,
    read_reply,
    upload_answer,
)
from shopsync.admin.retry import RetryPolicy
from shopsync.admin.schema import SCHEMA_VERSION
from shopsync.config import API_VERSION_PATTERN, LOOPBACK_HOSTS, Settings, graphql_url
from shopsync.config import shop_base_url as _shop_base_url
from shopsync.errors import (
    ConfigError,
    QueryError,
    ScopeError,
    ServerError,
    ShopsyncError,
    TransportError,
)

log = logging.getLogger("shopsync.admin.client")

TOKEN_HEADER = "X-Shopify-Access-Token"
PAGE_SIZE = 250


@dataclass
class ClientStats:
    """What one client did: for ``-v`` output and the benchmark."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    cost: float = 0.0
    paced_seconds: float = 0.0
    retry_seconds: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


# -- the client --------------------------------------------------------------------------


class ShopifyClient:
    """Thread-safe client for one store and API version."""

    def __init__(
        self,
        base_url: str,
        api_version: str,
        *,
        auth: TokenSource,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_in_flight: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[float, float], float] = random.uniform,
        max_attempts: int = 5,
        max_retry_seconds: float = 120.0,
    ) -> None:
        """A client for one shop and API version, sending the tokens ``auth`` gives.

        ``clock`` (monotonic) paces and bounds retries, ``wall_clock`` (epoch seconds) reads
        an HTTP-date ``Retry-After``, ``sleep`` and ``jitter`` make the waits: all injected,
        so tests neither sleep nor guess.
        """
        # Re-checked here, not only in Settings: no code path may send a token elsewhere.
        self.base_url = _shop_base_url(base_url)
        if not API_VERSION_PATTERN.match(api_version):
            raise ConfigError(f"{api_version!r} is not an Admin API version such as 2026-07")
        self.api_version = api_version
        self.url = graphql_url(self.base_url, api_version)
        self._auth = auth
        self._own_session = session is None
        self._session = session or self._new_session(max_in_flight)
        self._timeout = (connect_timeout, timeout)
        #: The time source every wait of a sync uses (pacing, retries, and apply's polls).
        self.sleep = sleep
        self.clock = clock
        self._clock = clock
        self._wall_clock = wall_clock
        self._retry = RetryPolicy(max(1, max_attempts), max_retry_seconds, clock, sleep, jitter)
        self._pacer = Pacer(clock=clock, sleep=sleep)
        self._in_flight = threading.BoundedSemaphore(max(1, max_in_flight))
        self._stats_lock = threading.Lock()
        self._scopes_lock = threading.Lock()
        self._scopes: frozenset[str] | None = None
        self._server_date: datetime | None = None
        self.stats = ClientStats()

    def _new_session(self, max_in_flight: int) -> requests.Session:
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(max_in_flight, 4))
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        if (urlsplit(self.base_url).hostname or "") in LOOPBACK_HOSTS:
            # The sandbox is on loopback: no proxy from the environment may relay it.
            session.trust_env = False
        return session

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> ShopifyClient:
        """The client ``settings`` describe; ``overrides`` are constructor keywords."""
        if not settings.shop:
            raise ConfigError(
                "no shop configured",
                hint="set SHOPSYNC_SHOP (e.g. my-store or my-store.myshopify.com) in .env",
            )
        base_url = _shop_base_url(settings.shop)  # a refused shop before missing credentials
        options: dict[str, Any] = {
            "timeout": settings.timeout,
            "connect_timeout": settings.connect_timeout,
            "max_in_flight": settings.max_in_flight,
            **overrides,
        }
        auth = token_source(
            settings,
            base_url,
            timeout=(options["connect_timeout"], options["timeout"]),
            clock=options.get("clock", time.monotonic),
        )
        return cls(base_url, settings.api_version, auth=auth, **options)

    def __repr__(self) -> str:
        return f"ShopifyClient({self.base_url!r}, {self.api_version!r}, auth={self._auth.kind})"

    def close(self) -> None:
        if self._own_session:
            self._session.close()

    def __enter__(self) -> ShopifyClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- public operations -------------------------------------------------------------

    def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """Send any document (validated first); returns ``data``."""
        document = adhoc_document(query, operation_name)
        return self._send(document, variables, idempotent=idempotent)

    def run(self, name: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Send the packaged document ``name``; returns ``data``."""
        document = load_document(name)
        return self._send(document, variables, idempotent=not document.mutation)

    def mutate(
        self, name: str, variables: Mapping[str, Any] | None = None, *, idempotent: bool = False
    ) -> dict[str, Any]:
        """Run a one-field mutation; returns its payload, or raises UserErrors."""
        document = load_document(name)
        if not document.mutation or len(document.root_keys) != 1:
            raise QueryError(f"{name} is not a mutation of one root field", operation=name)
        data = self._send(document, variables, idempotent=idempotent)
        return mutation_payload(name, document.root_keys[0], data)

    def paginate(
        self, name: str, variables: Mapping[str, Any], path: Sequence[str]
    ) -> Iterator[dict[str, Any]]:
        """Every node of the connection at ``data[path...]``, page after page."""
        params = dict(variables)
        declared = {
            d.variable.name.value for d in load_document(name).operation.variable_definitions or ()
        }
        if "first" in declared:
            params.setdefault("first", PAGE_SIZE)
        while True:
            connection: Any = self.run(name, params)
            for key in path:
                connection = connection.get(key) if isinstance(connection, Mapping) else None
            if not isinstance(connection, Mapping):
                return  # the parent (e.g. a blog) is gone: nothing to list
            nodes = connection.get("nodes")
            if nodes is None:
                nodes = [e.get("node") for e in connection.get("edges") or ()]
            yield from (n for n in nodes if isinstance(n, dict))
            info = connection.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return
            cursor = info.get("endCursor")
            if not cursor or cursor == params.get("after"):
                raise ServerError(f"{name}: the store gave no next cursor", operation=name)
            params["after"] = cursor

    def check_api_version(self) -> None:
        """Refuse an API version the store does not (or no longer) support."""
        try:
            data = self.run("ApiVersions")
        except ConfigError:
            if self.api_version == SCHEMA_VERSION:
                raise
            # Our version is not served at all: ask through the one we were built for.
            url = graphql_url(self.base_url, SCHEMA_VERSION)
            data = self._send(load_document("ApiVersions"), None, idempotent=True, url=url)
        versions = data.get("publicApiVersions") or []
        self.check_supported(
            [str(v["handle"]) for v in versions if isinstance(v, Mapping) and v.get("supported")]
        )

    def check_supported(self, supported: Sequence[str]) -> None:
        """ConfigError unless this client's version is among ``supported`` (as the store lists)."""
        if self.api_version not in supported:
            raise ConfigError(
                f"API version {self.api_version} is not supported by this store "
                f"(supported: {', '.join(supported) or 'none listed'})",
                hint="set SHOPSYNC_API_VERSION to one of the supported versions",
            )

    def note_scopes(self, scopes: frozenset[str]) -> None:
        """The token's scopes, learnt from a request that asked for them among other things."""
        with self._scopes_lock:
            self._scopes = frozenset(scopes)

    def check_access(self, required: Sequence[str | Sequence[str]]) -> None:
        """ScopeError naming every need in ``required`` the token does not meet.

        A need is a scope, or scopes any one of which will do (Shopify takes ``write_content``
        or ``write_online_store_pages`` for articles, blogs and pages); a write scope implies
        its read scope.
        """
        granted = self.scopes()
        implied = granted | {
            "read_" + s[len("write_") :] for s in granted if s.startswith("write_")
        }
        groups = [(need,) if isinstance(need, str) else tuple(need) for need in required]
        missing = [group for group in groups if not implied & set(group)]
        if missing:
            raise ScopeError(missing)

    @property
    def server_date(self) -> datetime | None:
        """The latest ``Date`` the store answered with (None before any answer carried one).

        The store's own clock, in whole seconds, and already past: whatever is sent after
        reading it reaches the store at that time or later (``sync`` records what a read found
        in the index only if it was last written in an earlier second).
        """
        with self._stats_lock:
            return self._server_date

    def scopes(self) -> frozenset[str]:
        """The token's access scopes, asked once."""
        with self._scopes_lock:
            if self._scopes is None:
                data = self.run("AccessScopes")
                installation = data.get("currentAppInstallation") or {}
                self._scopes = frozenset(
                    str(s["handle"])
                    for s in installation.get("accessScopes") or ()
                    if isinstance(s, Mapping) and "handle" in s
                )
            return self._scopes

    # -- staged uploads ------------------------------------------------------------------

    def upload_staged(
        self, target: Mapping[str, Any], filename: str, data: bytes, mime_type: str
    ) -> None:
        """Send a file's bytes to a ``stagedUploadsCreate`` target.

        The target is Shopify's storage bucket, not the Admin API: the access token is never
        sent there (the form's signature is the authorisation). Re-sending writes the same
        object under the same key, so every transport failure and 5xx/429 is retried.
        """
        url = str(target["url"])
        params = {str(p["name"]): str(p["value"]) for p in target.get("parameters") or ()}
        what = f"upload of {filename}"

        def attempt() -> None:
            try:
                if params.get("key"):  # a signed POST form: fields first, the file last
                    response = self._session.post(
                        url,
                        data=params,
                        files={"file": (filename, data, mime_type)},
                        timeout=self._timeout,
                    )
                else:  # a signed PUT URL
                    response = self._session.put(
                        url,
                        data=data,
                        headers={"Content-Type": mime_type},
                        timeout=self._timeout,
                    )
            except requests.RequestException as exc:
                error = TransportError(f"{what}: {type(exc).__name__}", operation="upload")
                raise Failure(error, retry=True) from exc
            with self._stats_lock:
                self.stats.requests += 1
            upload_answer(what, response.status_code, response.text)

        self._retry.run(what, attempt, self._count_retry)

    # -- sending -------------------------------------------------------------------------

    def _send(
        self,
        document: Document,
        variables: Mapping[str, Any] | None,
        *,
        idempotent: bool,
        url: str | None = None,
    ) -> dict[str, Any]:
        values = dict(variables or {})
        check_variables(document, values)
        body: dict[str, Any] = {"query": document.text, "variables": values}
        if document.operation_name:
            body["operationName"] = document.operation_name
        call = Call(document.name, document.mutation, idempotent, self.api_version, self.base_url)
        attempts = 0
        refreshed = False

        def attempt() -> dict[str, Any]:
            nonlocal attempts, refreshed
            attempts += 1
            try:
                return self._attempt(
                    document, body, url or self.url, call, attempts, refresh=not refreshed
                )
            except Failure as failure:
                refreshed = refreshed or failure.refresh
                raise

        return self._retry.run(document.name, attempt, self._count_retry)

    def _attempt(
        self,
        document: Document,
        body: Mapping[str, Any],
        url: str,
        call: Call,
        attempt: int,
        *,
        refresh: bool,
    ) -> dict[str, Any]:
        """One request; ``refresh``: a 401 may be answered with a new token."""
        name = document.name
        ticket, waited = self._pacer.acquire(
            name, mutation=document.mutation, roots=len(document.root_keys)
        )
        cost: Cost | None = None
        try:
            if waited:
                log.debug("%s: paced %.2fs for the bucket to refill", name, waited)
            token = self._token()
            with self._in_flight:
                response = self._post(call, body, url, token)
            self._note_date(response.headers.get("Date"))
            status = response.status_code
            try:
                reply = read_reply(
                    status,
                    response.headers,
                    _json(response),
                    call,
                    now=self._wall_clock(),
                    received=self._clock(),
                )
            except Failure as failure:
                cost = failure.cost
                self._record(name, attempt, status, waited, cost, throttled=failure.throttled)
                # A 401: drop the token; try once more only if the source has another.
                if failure.refresh and not (self._auth.invalidate(token) and refresh):
                    raise failure.final() from None
                raise
            cost = reply.cost
            self._record(name, attempt, status, waited, cost, throttled=False)
            return reply.data
        finally:
            self._pacer.release(name, ticket, cost)

    def _token(self) -> str:
        try:
            return self._auth.token(self._session)
        except (TransportError, ServerError) as exc:
            raise Failure(exc, retry=True) from None
        except ShopsyncError as exc:
            raise Failure(exc, retry=False) from None

    def _post(self, call: Call, body: Mapping[str, Any], url: str, token: str) -> requests.Response:
        headers = {
            TOKEN_HEADER: token,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        name = call.operation
        try:
            return self._session.post(url, json=body, headers=headers, timeout=self._timeout)
        except requests.ConnectTimeout as exc:
            raise self._transport(name, "could not connect (timeout)", exc, sent=False) from None
        except requests.Timeout as exc:
            raise ambiguous(
                TransportError(f"{name}: no answer within {self._timeout[1]:g}s", operation=name),
                call,
                exc,
            ) from None
        except requests.ConnectionError as exc:
            if _not_connected(exc):
                raise self._transport(name, "could not connect", exc, sent=False) from None
            raise ambiguous(
                TransportError(f"{name}: the connection broke before an answer", operation=name),
                call,
                exc,
            ) from None
        except requests.RequestException as exc:
            raise ambiguous(
                TransportError(f"{name}: request failed ({type(exc).__name__})", operation=name),
                call,
                exc,
            ) from None

    def _transport(self, name: str, what: str, exc: Exception, *, sent: bool) -> Failure:
        error = TransportError(
            f"{name}: {what} to {self.base_url}",
            operation=name,
            hint="check the network and the shop address",
        )
        error.__cause__ = exc
        return Failure(error, retry=not sent)

    def _note_date(self, value: str | None) -> None:
        when = date_header(value)
        if when is None:
            return
        with self._stats_lock:
            if self._server_date is None or when > self._server_date:
                self._server_date = when

    def _count_retry(self, seconds: float) -> None:
        with self._stats_lock:
            self.stats.retries += 1
            self.stats.retry_seconds += seconds

    def _record(
        self,
        name: str,
        attempt: int,
        status: int,
        waited: float,
        cost: Cost | None,
        *,
        throttled: bool,
    ) -> None:
        """Count one answered request in the stats, and log it."""
        with self._stats_lock:
            self.stats.requests += 1
            self.stats.paced_seconds += waited
            self.stats.throttled += int(throttled)
            if cost is not None and cost.actual is not None:
                self.stats.cost += cost.actual
        self._log_response(name, attempt, status, cost)

    def _log_response(self, name: str, attempt: int, status: int, cost: Cost | None) -> None:
        """One line per request at INFO, so ``-v`` shows operation, cost and bucket."""
        if not log.isEnabledFor(logging.INFO):
            return
        if cost is None:
            log.info("%s attempt %d: HTTP %d, no cost reported", name, attempt, status)
            return
        bucket = cost.status
        log.info(
            "%s attempt %d: HTTP %d, cost %s (requested %s), bucket %s/%s left, restore %s/s",
            name,
            attempt,
            status,
            _fmt(cost.actual),
            _fmt(cost.requested),
            _fmt(bucket.available if bucket else None),
            _fmt(bucket.maximum if bucket else None),
            _fmt(bucket.restore_rate if bucket else None),
        )


def _fmt(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:g}"


def _not_connected(exc: requests.ConnectionError) -> bool:
    """True when the request certainly never reached the server (refused, DNS)."""
    # requests wraps urllib3's MaxRetryError, whose ``reason`` is the underlying error.
    first = exc.args[0] if exc.args else None
    reason = getattr(first, "reason", first)
    return isinstance(reason, NewConnectionError)


def _json(response: requests.Response) -> Any:
    """The decoded body, or None when it is not JSON (responses decides what that means)."""
    try:
        return response.json()
    except ValueError:
        return None
