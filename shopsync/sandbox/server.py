"""The sandbox's HTTP layer: Shopify's Admin GraphQL endpoint on loopback.

A threaded werkzeug server answers ``POST /admin/api/{version}/graphql.json`` the way a
live store does: token and version checked first, then the document parsed and validated
against the bundled schema, variables coerced, cost reserved in the leaky bucket, access
scopes enforced per root field, and only then executed by the engine over the store's
state. Every response carries ``extensions.cost``. Injected faults (``faults.py``) hook
in after the request is understood, so a test can fail exactly the call it means to.
The same server serves ``/admin/oauth/access_token`` (client-credentials grant) and a
plain storefront view of what was synced.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
import logging
import re
import secrets
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.language import get_location, print_ast
from graphql.utilities import value_from_ast_untyped
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from shopsync.sandbox import content, files, shop, shopify_errors, storefront
from shopsync.sandbox.engine import Engine
from shopsync.sandbox.faults import UPLOAD_OPERATION, FaultRule, FaultSet
from shopsync.sandbox.store import Store
from shopsync.sandbox.throttle import (
    MAX_QUERY_COST,
    CostBucket,
    ThrottleStatus,
    actual_cost,
    requested_cost,
)

log = logging.getLogger(__name__)
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
DEFAULT_RESOLVERS = (content.RESOLVERS, files.RESOLVERS, shop.RESOLVERS)
_REDACTED_HEADERS = frozenset({TOKEN_HEADER.lower(), "authorization", "cookie"})
_REDACTED_FIELDS = frozenset({"client_secret", "access_token"})

_READ_CONTENT = (
    "read_content",
    "write_content",
    "read_online_store_pages",
    "write_online_store_pages",
)
_WRITE_CONTENT = ("write_content", "write_online_store_pages")
_READ_PRODUCTS = ("read_products", "write_products")
_READ_NAVIGATION = ("read_online_store_navigation", "write_online_store_navigation")
_WRITE_NAVIGATION = ("write_online_store_navigation",)
_READ_FILES = ("read_files", "write_files")
_WRITE_FILES = ("write_files",)
_WRITE_METAFIELDS = ("write_content", "write_online_store_pages", "write_products")

#: Root field -> scopes of which the token needs at least one (the first is the one named).
ROOT_FIELD_SCOPES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (
            "blogs",
            "blog",
            "blogsCount",
            "articles",
            "article",
            "articlesCount",
            "articleAuthors",
            "articleTags",
            "pages",
            "page",
            "pagesCount",
            "comments",
            "comment",
        ),
        _READ_CONTENT,
    ),
    **dict.fromkeys(
        (
            "blogCreate",
            "blogUpdate",
            "blogDelete",
            "articleCreate",
            "articleUpdate",
            "articleDelete",
            "pageCreate",
            "pageUpdate",
            "pageDelete",
            "commentApprove",
            "commentDelete",
            "commentNotSpam",
            "commentSpam",
        ),
        _WRITE_CONTENT,
    ),
    **dict.fromkeys(
        ("products", "product", "productByIdentifier", "productByHandle", "productsCount"),
        _READ_PRODUCTS,
    ),
    **dict.fromkeys(("urlRedirects", "urlRedirect", "urlRedirectsCount"), _READ_NAVIGATION),
    **dict.fromkeys(
        ("urlRedirectCreate", "urlRedirectUpdate", "urlRedirectDelete"), _WRITE_NAVIGATION
    ),
    **dict.fromkeys(("metafieldsSet", "metafieldsDelete"), _WRITE_METAFIELDS),
    "files": _READ_FILES,
    **dict.fromkeys(("fileCreate", "fileDelete"), _WRITE_FILES),
    "stagedUploadsCreate": ("write_files", "write_products"),
}


#: ``node``/``nodes`` answer for whatever the ids name: the scopes follow the id's type.
GID_TYPE_SCOPES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("Blog", "Article", "Page", "Comment"), _READ_CONTENT),
    **dict.fromkeys(("Product", "ProductVariant", "ProductImage"), _READ_PRODUCTS),
    "UrlRedirect": _READ_NAVIGATION,
    "MediaImage": _READ_FILES,
}


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

    def __repr__(self) -> str:
        # The token and the client secrets never reach a repr.
        return (
            f"SandboxConfig(scopes={self.scopes!r}, clients={sorted(self.clients)!r}, "
            f"bucket={self.bucket}, restore_rate={self.restore_rate}, "
            f"latency_ms={self.latency_ms}, api_versions={self.api_versions!r})"
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


class _DropConnection(ConnectionAbortedError):
    """Raised inside the app to end a connection without any response."""


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: tests and the CLI print what matters themselves."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    response = Response(
        json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json"
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
        self.store = Store(clock=None, db_path=db_path, products=products)
        self.store.file_processing_s = self.config.file_processing_s
        self.schema = _load_schema()
        self.engine = Engine(self.store, self.schema, resolvers=DEFAULT_RESOLVERS)
        # Clients send the same few documents again and again: parse and validate each once.
        self._parse = functools.lru_cache(maxsize=512)(parse)
        self._validate = functools.lru_cache(maxsize=512)(self._validate_uncached)
        self.bucket = CostBucket(self.config.bucket, self.config.restore_rate, self.config.clock)
        self.faults = FaultSet()
        self.requests: list[RecordedRequest] = []
        self.max_recorded = max_recorded
        self._requests_lock = threading.Lock()
        self._tokens: dict[str, _Token] = {
            self.config.access_token: _Token(tuple(self.config.scopes), None)
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
        server = make_server(
            self.host, self.port, self.wsgi_app, threaded=True, request_handler=_QuietHandler
        )
        self._server = server
        self.port = server.server_port
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

    def issue_token(self, scopes: Iterable[str] | None = None, ttl: float | None = None) -> str:
        """Mint another access token (``ttl`` seconds on the config's clock; None = never)."""
        token = "shpat_" + secrets.token_hex(16)
        expires = None if ttl is None else self.config.clock() + ttl
        granted = tuple(self.config.scopes if scopes is None else scopes)
        with self._tokens_lock:
            self._tokens[token] = _Token(granted, expires)
        return token

    def _scopes_of(self, token: str | None) -> tuple[str, ...] | None:
        if not token:
            return None
        with self._tokens_lock:
            entry = self._tokens.get(token)
            if entry is None:
                return None
            if entry.expires_at is not None and self.config.clock() >= entry.expires_at:
                del self._tokens[token]
                return None
            return entry.scopes

    # WSGI ----------------------------------------------------------------------------

    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        body: dict[str, Any] | None = None
        op_name: str | None = None
        status = 0
        recorded = False
        try:
            path = request.path
            if path == "/admin/oauth/access_token":
                body, response = self._oauth(request)
            elif path.startswith("/admin/api/") and path.endswith("/graphql.json"):
                version = path[len("/admin/api/") : -len("/graphql.json")]
                body, op_name, response = self._graphql(request, version)
            elif path.startswith("/admin"):
                response = _json(shopify_errors.http_error(404), 404)
            elif path.startswith(files.UPLOAD_PATH):
                response = self._upload(request)
            else:
                response = storefront.respond(self.store, request)
            status = response.status_code
            return response(environ, start_response)
        except _DropConnection:
            # Record before the socket closes, so the log's order is the order the client saw.
            self._record(request, body, 0, op_name)
            recorded = True
            self._drop(environ)
            raise
        finally:
            if not recorded:
                self._record(request, body, status, op_name)

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
            return None, _json(shopify_errors.http_error(405), 405, {"Allow": "POST"})
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

    def _graphql(
        self, request: Request, version: str
    ) -> tuple[dict[str, Any] | None, str | None, Response]:
        served = self._served_version(version)
        if served is None:
            return None, None, _json(shopify_errors.http_error(404), 404)
        if request.method != "POST":
            return None, None, _json(shopify_errors.http_error(405), 405, {"Allow": "POST"})
        scopes = self._scopes_of(request.headers.get(TOKEN_HEADER))
        if scopes is None:
            return None, None, _json(shopify_errors.http_error(401), 401)
        if self.config.latency_ms > 0:
            self._pause(self.config.latency_ms / 1000)

        payload = self._payload(request)
        if payload is None:
            return None, None, _json(shopify_errors.missing_query(), 400)
        query: str = payload["query"]
        name_param = payload.get("operationName")
        op_name = name_param if isinstance(name_param, str) and name_param else None
        raw_variables = payload.get("variables")
        if isinstance(raw_variables, str):
            with contextlib.suppress(ValueError):
                raw_variables = json.loads(raw_variables or "{}")
        if raw_variables is not None and not isinstance(raw_variables, dict):
            return payload, op_name, _json(shopify_errors.variables_not_an_object(), 400)
        variables: dict[str, Any] = raw_variables or {}

        try:
            document = self._parse(query)
        except GraphQLError as error:
            return payload, op_name, _json({"errors": [shopify_errors.syntax_error(error)]})
        operation = _pick_operation(document, op_name)
        if isinstance(operation, str):
            return payload, op_name, _json({"errors": [{"message": operation}]})
        if op_name is None and operation.name is not None:
            op_name = operation.name.value

        fault = self.faults.take(op_name, query)
        if fault is not None:
            early = self._fault_response(fault, document, operation)
            if early is not None:
                return payload, op_name, early

        response = self._execute(query, document, operation, op_name, variables, scopes)
        if fault is not None and fault.kind == "commit_then_fail":
            response = _json(shopify_errors.http_error(502), 502)
        # The version that answered: an expired one falls forward, as on Shopify.
        response.headers["X-Shopify-API-Version"] = served
        response.headers["X-Request-Id"] = str(uuid.uuid4())
        return payload, op_name, response

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

    def _validate_uncached(self, query: str) -> tuple[GraphQLError, ...]:
        # Keyed by the text: the errors point at nodes of the (cached) parse of that text.
        return tuple(validate(self.schema, self._parse(query)))

    def _cost_extensions(
        self, requested: int, actual: int | None, status: ThrottleStatus
    ) -> dict[str, Any]:
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": status.to_dict(),
            }
        }

    def _throttled(self, requested: int) -> Response:
        return _json(
            {
                "errors": [shopify_errors.throttled()],
                "extensions": self._cost_extensions(requested, None, self.bucket.status()),
            }
        )

    def _execute(
        self,
        query: str,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        op_name: str | None,
        variables: dict[str, Any],
        scopes: tuple[str, ...],
    ) -> Response:
        errors = self._validate(query)
        if errors:
            return _json(
                {
                    "errors": [
                        shopify_errors.validation_error(e, self.schema, document) for e in errors
                    ]
                }
            )

        outcome = get_variable_values(self.schema, operation.variable_definitions or (), variables)
        if isinstance(outcome, list):
            types = {
                d.variable.name.value: print_ast(d.type)
                for d in operation.variable_definitions or ()
            }
            shaped = shopify_errors.variable_errors(outcome, types, variables)
            return _json({"errors": shaped})
        # graphql-core 3.3 wraps the values (``.coerced``); 3.2 returns the dict itself.
        values: Any = getattr(outcome, "coerced", outcome)
        coerced: dict[str, Any] = dict(values)

        requested = requested_cost(self.schema, document, coerced, op_name)
        # A query larger than a (test-sized) bucket could never run: refuse it the same way.
        max_cost = int(min(MAX_QUERY_COST, self.bucket.capacity))
        if requested > max_cost:
            return _json(
                {
                    "errors": [shopify_errors.max_cost_exceeded(requested, max_cost)],
                    "extensions": self._cost_extensions(requested, None, self.bucket.status()),
                }
            )
        if self.bucket.reserve(requested) is None:
            return self._throttled(requested)

        denied, allowed_doc = self._enforce_scopes(document, operation, scopes, coerced)
        data: dict[str, Any] | None
        result_errors: list[dict[str, Any]] = []
        if allowed_doc is None:
            data = {}
        else:
            try:
                result = self._run(allowed_doc, variables, op_name, scopes)
            except Exception:
                log.exception("sandbox engine failed on operation %s", op_name)
                request_id = str(uuid.uuid4())
                self.bucket.refund(requested)
                return _json({"errors": [shopify_errors.internal_error(request_id)], "data": None})
            data = dict(result.data) if result.data is not None else None
            result_errors = [dict(e.formatted) for e in result.errors or ()]
        for node, required in denied:
            key = node.alias.value if node.alias else node.name.value
            if data is not None:
                data[key] = None
            denial = shopify_errors.access_denied(
                node.name.value, required, _locations(node), [key]
            )
            result_errors.insert(0, denial)
        if denied and data is not None:
            data = _in_selection_order(data, operation, document)
        actual = min(requested, actual_cost(self.schema, document, coerced, op_name, data))
        status = self.bucket.refund(requested - actual)
        body: dict[str, Any] = {}
        if result_errors:
            body["errors"] = result_errors
        body["data"] = data
        body["extensions"] = self._cost_extensions(requested, actual, status)
        return _json(body)

    def _run(
        self,
        document: DocumentNode,
        variables: dict[str, Any],
        op_name: str | None,
        scopes: tuple[str, ...],
    ) -> ExecutionResult:
        result: ExecutionResult = self.engine.execute(
            document,
            variables,
            op_name,
            context={
                "scopes": list(scopes),
                "api_versions": list(self.config.api_versions),
                "base_url": self.url,
            },
        )
        return result

    def _enforce_scopes(
        self,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        scopes: tuple[str, ...],
        variables: Mapping[str, Any],
    ) -> tuple[list[tuple[FieldNode, str]], DocumentNode | None]:
        """Root fields the token may not touch, and the document without them (None: all)."""
        granted = set(scopes)
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        fields = _root_fields(operation.selection_set, fragments)
        denied: list[tuple[FieldNode, str]] = []
        kept: list[FieldNode] = []
        for node in fields:
            needs = [ROOT_FIELD_SCOPES.get(node.name.value, ())]
            if node.name.value in ("node", "nodes"):
                needs = [GID_TYPE_SCOPES.get(t, ()) for t in _gid_types(node, variables)]
            missing = next((n for n in needs if n and not granted.intersection(n)), None)
            if missing:
                denied.append((node, missing[0]))
            else:
                kept.append(node)
        if not denied:
            return [], document
        if not kept:
            return denied, None
        trimmed = OperationDefinitionNode(
            operation=operation.operation,
            name=operation.name,
            variable_definitions=operation.variable_definitions,
            directives=operation.directives,
            selection_set=SelectionSetNode(selections=tuple(kept)),
        )
        definitions = tuple(trimmed if d is operation else d for d in document.definitions)
        return denied, DocumentNode(definitions=definitions)

    # faults --------------------------------------------------------------------------

    def _fault_response(
        self,
        fault: FaultRule,
        document: DocumentNode,
        operation: OperationDefinitionNode,
    ) -> Response | None:
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
            return _json(shopify_errors.http_error(status), status, headers)
        if kind == "throttled":
            return self._throttled(requested_cost_or_zero(self.schema, document, operation))
        if kind == "malformed":
            whole = json.dumps({"data": {_first_key(operation): {"id": "gid://shopify/"}}})
            return Response(whole[: len(whole) // 2], status=200, mimetype="application/json")
        if kind == "user_error":
            return _json({"data": self._user_error_data(document, operation)})
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

    def _user_error_data(
        self, document: DocumentNode, operation: OperationDefinitionNode
    ) -> dict[str, Any]:
        """Each root payload with its resource null and one INTERNAL_ERROR userError."""
        root = (
            self.schema.mutation_type
            if operation.operation == OperationType.MUTATION
            else self.schema.query_type
        )
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        data: dict[str, Any] = {}
        for node in _root_fields(operation.selection_set, fragments):
            key = node.alias.value if node.alias else node.name.value
            definition = root.fields.get(node.name.value) if root else None
            payload_type = get_named_type(definition.type) if definition else None
            if not isinstance(payload_type, GraphQLObjectType) or node.selection_set is None:
                data[key] = None
                continue
            payload: dict[str, Any] = {}
            for sub in _root_fields(node.selection_set, fragments):
                sub_key = sub.alias.value if sub.alias else sub.name.value
                if sub.name.value == "__typename":
                    payload[sub_key] = payload_type.name
                elif sub.name.value == "userErrors":
                    payload[sub_key] = [_internal_user_error(payload_type, sub, fragments)]
                else:
                    payload[sub_key] = None
            data[key] = payload
        return data


def requested_cost_or_zero(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode
) -> int:
    name = operation.name.value if operation.name else None
    try:
        return requested_cost(schema, document, None, name)
    except Exception:  # an invalid document has no meaningful cost
        return 0


def _internal_user_error(
    payload_type: GraphQLObjectType,
    node: FieldNode,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> dict[str, Any]:
    error_field = payload_type.fields.get("userErrors")
    error_type = get_named_type(error_field.type) if error_field else None
    code: str | None = None
    if isinstance(error_type, GraphQLObjectType) and "code" in error_type.fields:
        code_type = get_named_type(error_type.fields["code"].type)
        values = getattr(code_type, "values", {})
        if "INTERNAL_ERROR" in values:
            code = "INTERNAL_ERROR"
    full = {
        "__typename": error_type.name if error_type else "UserError",
        "field": None,
        "message": shopify_errors.INTERNAL_ERROR,
        "code": code,
    }
    out: dict[str, Any] = {}
    if node.selection_set is not None:
        for sub in _root_fields(node.selection_set, fragments):
            key = sub.alias.value if sub.alias else sub.name.value
            out[key] = full.get(sub.name.value)
    return out


def _gid_types(node: FieldNode, variables: Mapping[str, Any]) -> list[str]:
    """The resource types named by a ``node(id:)``/``nodes(ids:)`` field's ids."""
    values: list[Any] = []
    for argument in node.arguments or ():
        if argument.name.value in ("id", "ids"):
            values.append(value_from_ast_untyped(argument.value, dict(variables)))
    types: list[str] = []
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.startswith("gid://shopify/"):
                types.append(item.split("/")[3])
    return types


def _root_fields(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> list[FieldNode]:
    """Fields of a selection with fragments flattened (type conditions not checked)."""
    out: list[FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            out.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            out.extend(_root_fields(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                out.extend(_root_fields(fragment.selection_set, fragments))
    return out


def _in_selection_order(
    data: dict[str, Any], operation: OperationDefinitionNode, document: DocumentNode
) -> dict[str, Any]:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    keys = [
        f.alias.value if f.alias else f.name.value
        for f in _root_fields(operation.selection_set, fragments)
    ]
    ordered = {k: data[k] for k in keys if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return ordered


def _locations(node: FieldNode) -> list[dict[str, int]]:
    if node.loc is None:
        return []
    where = get_location(node.loc.source, node.loc.start)
    return [{"line": where.line, "column": where.column}]


def _first_key(operation: OperationDefinitionNode) -> str:
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            return selection.alias.value if selection.alias else selection.name.value
    return "node"


def _pick_operation(document: DocumentNode, op_name: str | None) -> OperationDefinitionNode | str:
    """The operation to run, or graphql-ruby's message when there is no single one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if op_name is not None:
        for operation in operations:
            if operation.name is not None and operation.name.value == op_name:
                return operation
        return shopify_errors.no_operation_named(op_name)
    if len(operations) == 1:
        return operations[0]
    if not operations:
        return shopify_errors.NO_OPERATION
    return shopify_errors.OPERATION_NAME_REQUIRED
