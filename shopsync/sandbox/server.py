"""The sandbox's HTTP layer: Shopify's Admin GraphQL endpoint on loopback.

A threaded werkzeug server answers ``POST /admin/api/{version}/graphql.json`` the way a
live store does: version, method and token checked first, then the JSON body handed to
the ``Pipeline`` (parse, validate, cost, scopes, execution; ``pipeline.py``), whose answer
it sends. Injected faults (``faults.py``) hook in once the pipeline has read the request,
so a test can fail exactly the call it means to. The same server serves
``/admin/oauth/access_token`` (client-credentials grant), the staged-upload bucket and a
plain storefront view of what was synced.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema
from werkzeug.http import http_date
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from shopsync.loopback import is_loopback, serve_on
from shopsync.sandbox import (
    content,
    definitions,
    files,
    seed,
    shop,
    shopify_errors,
    storefront,
)
from shopsync.sandbox.apps import DEFAULT_APP, SandboxApp
from shopsync.sandbox.engine import Engine
from shopsync.sandbox.faults import UPLOAD_OPERATION, FaultRule, FaultSet
from shopsync.sandbox.pipeline import Answer, Operation, Pipeline, requested_name
from shopsync.sandbox.store import Store
from shopsync.sandbox.throttle import CostBucket

_QUARTERLY = re.compile(r"20\d\d-(01|04|07|10)")

TOKEN_HEADER = "X-Shopify-Access-Token"
DEFAULT_ACCESS_TOKEN = "shpat_sandbox"
DEFAULT_SCOPES = (
    "read_content",
    "write_content",
    "read_products",
    "read_online_store_pages",
    "write_online_store_pages",
    "read_online_store_navigation",
    "write_online_store_navigation",
    "read_files",
    "write_files",
)
DEFAULT_API_VERSIONS = ("2025-07", "2025-10", "2026-01", "2026-04", "2026-07")
#: Every resolver table a sandbox store answers with: one per resolver module.
DEFAULT_RESOLVERS = (content.RESOLVERS, definitions.RESOLVERS, files.RESOLVERS, shop.RESOLVERS)
#: Staff accounts an article's ``author { userId }`` may name (Shopify refuses any other id).
DEFAULT_STAFF = {"gid://shopify/StaffMember/1": "Sandbox Owner"}
_REDACTED_HEADERS = frozenset({TOKEN_HEADER.lower(), "authorization", "cookie"})
_REDACTED_FIELDS = frozenset({"client_secret", "access_token"})


@dataclass
class SandboxConfig:
    """How a sandbox store behaves; the defaults are a Standard-plan store."""

    access_token: str = DEFAULT_ACCESS_TOKEN
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    clients: Mapping[str, str] = field(default_factory=dict)
    token_ttl: float = 86399.0
    bucket: float = 2000.0
    restore_rate: float = 100.0
    latency_ms: float = 0.0
    api_versions: tuple[str, ...] = DEFAULT_API_VERSIONS
    products: Sequence[Mapping[str, Any]] | None = None
    clock: Callable[[], float] = time.monotonic
    #: Seconds a created file stays PROCESSING before it is READY (Shopify takes a few).
    file_processing_s: float = 0.2
    #: How far search (a read with ``query:``) is behind the writes, in ms of the store's
    #: clock; Shopify's search index catches up a moment after a write. 0: never behind.
    search_lag_ms: float = 0.0
    #: The app the default token and the client-credentials tokens belong to.
    app: SandboxApp = DEFAULT_APP
    #: Staff member GIDs and names, for ``author { userId }``.
    staff: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_STAFF))
    #: A new store has the News blog, a Contact page and Shopify's privacy page (``seed``);
    #: False for an empty one. A store loaded from ``--db`` is never seeded again.
    seed_content: bool = True

    def __repr__(self) -> str:
        # The token and the client secrets never reach a repr.
        return (
            f"SandboxConfig(scopes={self.scopes!r}, clients={sorted(self.clients)!r}, "
            f"bucket={self.bucket}, restore_rate={self.restore_rate}, "
            f"latency_ms={self.latency_ms}, search_lag_ms={self.search_lag_ms}, "
            f"api_versions={self.api_versions!r})"
        )


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it (token header and secrets removed)."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    status: int
    operation_name: str | None


@dataclass
class _Token:
    scopes: tuple[str, ...]
    expires_at: float | None
    app: SandboxApp = DEFAULT_APP


@dataclass
class _Seen:
    """What a request said, for the log: filled in by the handler as it understands it."""

    body: dict[str, Any] | None = None
    operation: str | None = None


class _DropConnection(ConnectionAbortedError):
    """Raised inside the app to end a connection without any response."""


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: tests and the CLI print what matters themselves. The ``Date``
    header is the app's (the store's clock, as a store's ``updatedAt``), not the host's."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return

    def send_response(self, code: int, message: str | None = None) -> None:
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Server", self.version_string())


def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    response = Response(
        json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json"
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _refusal(status: int, headers: Mapping[str, str] | None = None) -> Response:
    """An HTTP-level refusal in Shopify's words (its ``errors`` is a bare string)."""
    return _json(shopify_errors.http_error(status), status, headers)


def _answer(answer: Answer) -> Response:
    return _json(answer.body, answer.status)


def _load_schema() -> GraphQLSchema:
    from shopsync.admin.schema import admin_schema

    return admin_schema()


class SandboxServer:
    """A sandbox store on a free loopback port, served from a background thread."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db_path: Path | None = None,
        max_recorded: int | None = None,
    ) -> None:
        """``max_recorded`` keeps only the last N entries of ``requests`` (long-running CLI)."""
        if not is_loopback(host):
            raise ValueError(f"the sandbox only listens on loopback, not {host!r}")
        self.config = config or SandboxConfig()
        self.host = host
        self.port = port
        products = (
            Store.default_products() if self.config.products is None else self.config.products
        )
        self.store = Store(
            clock=None,
            db_path=db_path,
            products=products,
            search_lag=timedelta(milliseconds=self.config.search_lag_ms),
        )
        self.store.file_processing_s = self.config.file_processing_s
        if self.config.seed_content and self.store.is_new:
            seed.seed_content(self.store)
            self.store.index_all()  # a new store's own content is old: search has it
        self.schema = _load_schema()
        self.engine = Engine(self.store, self.schema, resolvers=DEFAULT_RESOLVERS)
        self.bucket = CostBucket(self.config.bucket, self.config.restore_rate, self.config.clock)
        self.pipeline = Pipeline(self.schema, self.engine, self.bucket)
        self.faults = FaultSet()
        self.requests: list[RecordedRequest] = []
        self.max_recorded = max_recorded
        self._requests_lock = threading.Lock()
        self._tokens: dict[str, _Token] = {
            self.config.access_token: _Token(tuple(self.config.scopes), None, self.config.app)
        }
        self._tokens_lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def __repr__(self) -> str:
        return f"SandboxServer(url={self.url!r})"

    # lifecycle -----------------------------------------------------------------------

    def start(self) -> SandboxServer:
        if self._server is not None:
            return self
        self._stopping.clear()
        # OSError (not werkzeug's sys.exit) when the port is taken: the CLI reports it.
        server = serve_on(self.host, self.port, self.wsgi_app, request_handler=_QuietHandler)
        self._server = server
        self.port = server.port
        self.url = f"http://{self.host}:{self.port}"
        # A short poll interval: stop() (every test's teardown) waits up to one interval.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.store.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def graphql_url(self, version: str = "2026-07") -> str:
        return f"{self.url}/admin/api/{version}/graphql.json"

    # tokens --------------------------------------------------------------------------

    def issue_token(
        self,
        scopes: Iterable[str] | None = None,
        ttl: float | None = None,
        *,
        app: SandboxApp | None = None,
    ) -> str:
        """Mint another access token (``ttl`` seconds on the config's clock; None = never)
        for ``app`` (default: the config's), e.g. a second app to show what a token of another
        app may not touch (its reserved ``app--<id>`` metafield namespaces)."""
        token = "shpat_" + secrets.token_hex(16)
        expires = None if ttl is None else self.config.clock() + ttl
        granted = tuple(self.config.scopes if scopes is None else scopes)
        with self._tokens_lock:
            self._tokens[token] = _Token(granted, expires, app or self.config.app)
        return token

    def _token(self, token: str | None) -> _Token | None:
        if not token:
            return None
        with self._tokens_lock:
            entry = self._tokens.get(token)
            if entry is None:
                return None
            if entry.expires_at is not None and self.config.clock() >= entry.expires_at:
                del self._tokens[token]
                return None
            return entry

    # WSGI ----------------------------------------------------------------------------

    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        seen = _Seen()
        status = 0
        recorded = False
        try:
            path = request.path
            if path == "/admin/oauth/access_token":
                seen.body, response = self._oauth(request)
            elif path.startswith("/admin/api/") and path.endswith("/graphql.json"):
                version = path[len("/admin/api/") : -len("/graphql.json")]
                response = self._graphql(request, version, seen)
            elif path.startswith("/admin"):
                response = _refusal(404)
            elif path.startswith(files.UPLOAD_PATH):
                response = self._upload(request)
            else:
                response = storefront.respond(self.store, request)
            response.headers["Date"] = http_date(self.store.clock())
            status = response.status_code
            return response(environ, start_response)
        except _DropConnection:
            # Record before the socket closes, so the log's order is the order the client saw.
            self._record(request, seen.body, 0, seen.operation)
            recorded = True
            self._drop(environ)
            raise
        finally:
            request.close()  # the uploaded files werkzeug spooled for a form
            if not recorded:
                self._record(request, seen.body, status, seen.operation)

    def _record(
        self, request: Request, body: dict[str, Any] | None, status: int, op: str | None
    ) -> None:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _REDACTED_HEADERS}
        if body is not None:
            body = {k: ("[redacted]" if k in _REDACTED_FIELDS else v) for k, v in body.items()}
        entry = RecordedRequest(request.method, request.path, headers, body, status, op)
        with self._requests_lock:
            self.requests.append(entry)
            if self.max_recorded is not None and len(self.requests) > self.max_recorded:
                del self.requests[: len(self.requests) - self.max_recorded]

    # Staged uploads (the storage bucket's side) ------------------------------------

    def _upload(self, request: Request) -> Response:
        """A POSTed form (fields, then ``file``) or a PUT of raw bytes to a signed URL."""
        fault = self.faults.take(UPLOAD_OPERATION, request.path, named_only=True)
        if fault is not None:
            if fault.kind == "latency":
                self._pause(fault.delay_ms / 1000)
            elif fault.kind.startswith("http_"):
                status = int(fault.kind.removeprefix("http_"))
                body = files.xml_error("ServiceUnavailable", "sandbox fault: try again")
                return Response(body, status=status, mimetype="application/xml")
            elif fault.kind in ("reset", "timeout"):
                if fault.kind == "timeout":
                    self._stopping.wait(fault.hold_s)
                raise _DropConnection("sandbox fault: upload connection dropped")
        if request.method == "POST":
            upload = request.files.get("file")
            fields = dict(request.form.items())
            data = upload.read() if upload is not None else b""
        elif request.method == "PUT":
            key = request.path[len(files.UPLOAD_PATH) :].lstrip("/")
            fields = {
                "key": key,
                "x-goog-signature": request.args.get("X-Goog-Signature", ""),
                "Content-Type": request.headers.get("Content-Type", ""),
            }
            data = request.get_data()
        else:
            return Response(status=405, headers={"Allow": "POST, PUT"})
        status, body = files.receive_upload(self.store, fields, data)
        if request.method == "PUT" and status == 201:
            status = 200
        return Response(body, status=status, mimetype="application/xml")

    # OAuth client-credentials --------------------------------------------------------

    def _oauth(self, request: Request) -> tuple[dict[str, Any] | None, Response]:
        if request.method != "POST":
            return None, _refusal(405, {"Allow": "POST"})
        params: dict[str, Any]
        if request.is_json:
            loaded = request.get_json(silent=True)
            params = loaded if isinstance(loaded, dict) else {}
        else:
            params = dict(request.form.items())
        if params.get("grant_type") != "client_credentials":
            return params, _json(shopify_errors.unsupported_grant_type(), 400)
        client_id = str(params.get("client_id") or "")
        client_secret = str(params.get("client_secret") or "")
        expected = self.config.clients.get(client_id)
        if expected is None or not secrets.compare_digest(expected, client_secret):
            return params, _json(shopify_errors.invalid_client(), 401)
        token = self.issue_token(ttl=self.config.token_ttl)
        return params, _json(
            {
                "access_token": token,
                "scope": ",".join(self.config.scopes),
                "expires_in": int(self.config.token_ttl),
            }
        )

    # GraphQL -------------------------------------------------------------------------

    def _graphql(self, request: Request, version: str, seen: _Seen) -> Response:
        """The endpoint; what it understood of the request goes into ``seen`` as soon as known,
        so a request whose connection a fault drops is still logged with its operation."""
        served = self._served_version(version)
        if served is None:
            return _refusal(404)
        if request.method != "POST":
            return _refusal(405, {"Allow": "POST"})
        token = self._token(request.headers.get(TOKEN_HEADER))
        if token is None:
            return _refusal(401)
        if self.config.latency_ms > 0:
            self._pause(self.config.latency_ms / 1000)

        payload = self._payload(request)
        if payload is None:
            return _json(shopify_errors.missing_query(), 400)
        seen.body = payload
        operation = self.pipeline.read(payload)
        if isinstance(operation, Answer):
            seen.operation = requested_name(payload)
            return _answer(operation)
        seen.operation = operation.name
        return self._operation_response(operation, token, served)

    def _operation_response(self, operation: Operation, token: _Token, served: str) -> Response:
        """The operation's answer, unless a fault matching it answers instead."""
        fault = self.faults.take(operation.name, operation.query)
        if fault is not None:
            early = self._fault_response(fault, operation)
            if early is not None:
                return early
        context = {
            "api_versions": list(self.config.api_versions),
            "base_url": self.url,
            "app": token.app,
            "staff": dict(self.config.staff),
        }
        response = _answer(self.pipeline.run(operation, token.scopes, context))
        if fault is not None and fault.kind == "commit_then_fail":
            response = _refusal(502)
        # The version that answered: an expired one falls forward, as on Shopify.
        response.headers["X-Shopify-API-Version"] = served
        response.headers["X-Request-Id"] = str(uuid.uuid4())
        return response

    def _served_version(self, asked: str) -> str | None:
        """``asked`` if supported; the oldest supported for an expired quarterly release."""
        if asked in self.config.api_versions:
            return asked
        supported = sorted(self.config.api_versions)
        if _QUARTERLY.fullmatch(asked) and supported and asked < supported[0]:
            return supported[0]
        return None

    @staticmethod
    def _payload(request: Request) -> dict[str, Any] | None:
        if request.mimetype == "application/graphql":
            text = request.get_data(as_text=True)
            return {"query": text} if text.strip() else None
        try:
            loaded = json.loads(request.get_data(as_text=True) or "null")
        except ValueError:
            return None
        if not isinstance(loaded, dict) or not isinstance(loaded.get("query"), str):
            return None
        if not loaded["query"].strip():
            return None
        return loaded

    # faults --------------------------------------------------------------------------

    def _fault_response(self, fault: FaultRule, operation: Operation) -> Response | None:
        """The response a fault answers with, or None to go on (latency, commit_then_fail)."""
        kind = fault.kind
        if kind == "latency":
            self._pause(fault.delay_ms / 1000)
            return None
        if kind == "commit_then_fail":
            return None
        if kind.startswith("http_"):
            status = int(kind.removeprefix("http_"))
            headers: dict[str, str] = {}
            if status == 429:
                retry_after = 2.0 if fault.retry_after is None else fault.retry_after
                headers["Retry-After"] = str(float(retry_after))  # Shopify sends "2.0"
            return _refusal(status, headers)
        if kind == "throttled":
            return _answer(self.pipeline.throttled(operation))
        if kind == "malformed":
            half = self.pipeline.malformed(operation)
            return Response(half, status=200, mimetype="application/json")
        if kind == "user_error":
            return _answer(self.pipeline.user_error(operation))
        if kind == "timeout":
            self._stopping.wait(fault.hold_s)
        raise _DropConnection("sandbox fault: connection dropped")

    def _pause(self, seconds: float) -> None:
        """Sleep, but end the request at once (no response) when the server stops."""
        if self._stopping.wait(seconds):
            raise _DropConnection("sandbox stopping")

    @staticmethod
    def _drop(environ: dict[str, Any]) -> None:
        """Make the close an abortive one (RST), as a reset connection is."""
        sock = environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # Without this the handler would wait for a next request on the kept-alive socket.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
