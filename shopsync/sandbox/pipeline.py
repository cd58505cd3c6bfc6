"""The Admin GraphQL endpoint from a request's JSON body to the response body, HTTP aside.

``Pipeline.read`` decodes the variables, parses the document (once per text) and picks the
operation, or answers at once. The server then looks for a fault matching that operation.
``Pipeline.run`` does what a live store does next, in its order: validate, coerce the
variables, reserve the requested cost in the bucket (``MAX_COST_EXCEEDED``, ``THROTTLED``),
leave out the root fields the token's scopes do not reach (``ACCESS_DENIED``), execute,
and refund what the actual cost did not use; from the cost on, every answer carries
``extensions.cost``. The answers a fault gives instead of running (``throttled``,
``user_error``, ``malformed``) are built here too, as they need the document, the schema
and the bucket. Shopify's words come from ``shopify_errors``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
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

from shopsync.sandbox import shopify_errors
from shopsync.sandbox.engine import Engine
from shopsync.sandbox.throttle import (
    MAX_QUERY_COST,
    CostBucket,
    ThrottleStatus,
    actual_cost,
    requested_cost,
)

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class Answer:
    """A response body and its HTTP status; the server only has to send it."""

    body: dict[str, Any]
    status: int = 200


@dataclass(frozen=True)
class Operation:
    """A request whose document parsed, with the operation it runs: what faults match."""

    query: str
    #: The operation name asked for, else the picked operation's own (None if anonymous).
    name: str | None
    #: As sent; ``Pipeline.run`` coerces them.
    variables: dict[str, Any]
    document: DocumentNode
    definition: OperationDefinitionNode

    @functools.cached_property
    def fragments(self) -> dict[str, FragmentDefinitionNode]:
        return {
            d.name.value: d
            for d in self.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }

    def root_fields(self) -> list[FieldNode]:
        return _fields(self.definition.selection_set, self.fragments)


#: What ``Pipeline._execute`` hands on: the data and the errors, as graphql-core gave them.
Executed = tuple[dict[str, Any] | None, list[dict[str, Any]]]
#: Root fields the token may not touch, each with the scope Shopify names for it.
Denied = list[tuple[FieldNode, str]]


def requested_name(payload: Mapping[str, Any]) -> str | None:
    """The ``operationName`` a body asks for; an empty one asks for none."""
    name = payload.get("operationName")
    return name if isinstance(name, str) and name else None


class Pipeline:
    """One per sandbox server: the schema, the engine and the bucket requests share."""

    def __init__(self, schema: GraphQLSchema, engine: Engine, bucket: CostBucket) -> None:
        self.schema = schema
        self.engine = engine
        self.bucket = bucket
        # Clients send the same few documents again and again: parse and validate each once.
        self._parse = functools.lru_cache(maxsize=512)(parse)
        self._validate = functools.lru_cache(maxsize=512)(self._validate_uncached)

    def read(self, payload: Mapping[str, Any]) -> Operation | Answer:
        """``payload`` holds a non-empty ``query`` string (the server checked)."""
        query: str = payload["query"]
        name = requested_name(payload)
        variables = _variables(payload.get("variables"))
        if variables is None:
            return Answer(shopify_errors.variables_not_an_object(), 400)
        try:
            document = self._parse(query)
        except GraphQLError as error:
            return Answer({"errors": [shopify_errors.syntax_error(error)]})
        definition = _pick_operation(document, name)
        if isinstance(definition, str):
            return Answer({"errors": [{"message": definition}]})
        if name is None and definition.name is not None:
            name = definition.name.value
        return Operation(query, name, variables, document, definition)

    def run(
        self, operation: Operation, scopes: Sequence[str], context: Mapping[str, Any]
    ) -> Answer:
        """Shopify's answer to ``operation`` for a token with ``scopes``.

        ``context`` goes to the resolvers (API versions, the server's base URL).
        """
        coerced = self._coerced(operation)
        if isinstance(coerced, Answer):
            return coerced
        requested = requested_cost(self.schema, operation.document, coerced, operation.name)
        refused = self._reserve(requested)
        if refused is not None:
            return refused
        denied, allowed = enforce_scopes(operation, scopes, coerced)
        executed = self._execute(operation, allowed, {**context, "scopes": list(scopes)})
        if isinstance(executed, Answer):
            self.bucket.refund(requested)
            return executed
        data, errors = _with_denials(operation, executed, denied)
        cost = actual_cost(self.schema, operation.document, coerced, operation.name, data)
        actual = min(requested, cost)
        status = self.bucket.refund(requested - actual)
        body: dict[str, Any] = {"errors": errors} if errors else {}
        body["data"] = data
        body["extensions"] = _cost(requested, actual, status)
        return Answer(body)

    # the stages of ``run`` --------------------------------------------------------------

    def _validate_uncached(self, query: str) -> tuple[GraphQLError, ...]:
        # Keyed by the text: the errors point at nodes of the (cached) parse of that text.
        return tuple(validate(self.schema, self._parse(query)))

    def _coerced(self, operation: Operation) -> dict[str, Any] | Answer:
        """The variables coerced to their types, or the static or variable errors."""
        errors = self._validate(operation.query)
        if errors:
            shaped = [
                shopify_errors.validation_error(e, self.schema, operation.document) for e in errors
            ]
            return Answer({"errors": shaped})
        definitions = operation.definition.variable_definitions or ()
        outcome = get_variable_values(self.schema, definitions, operation.variables)
        if isinstance(outcome, list):
            types = {d.variable.name.value: print_ast(d.type) for d in definitions}
            shaped = shopify_errors.variable_errors(outcome, types, operation.variables)
            return Answer({"errors": shaped})
        # graphql-core 3.3 wraps the values (``.coerced``); 3.2 returns the dict itself.
        values: Any = getattr(outcome, "coerced", outcome)
        return dict(values)

    def _reserve(self, requested: int) -> Answer | None:
        """Take the requested cost from the bucket, or the answer refusing the query."""
        # A query larger than a (test-sized) bucket could never run: refuse it the same way.
        max_cost = int(min(MAX_QUERY_COST, self.bucket.capacity))
        if requested > max_cost:
            return self._refused(shopify_errors.max_cost_exceeded(requested, max_cost), requested)
        if self.bucket.reserve(requested) is None:
            return self._refused(shopify_errors.throttled(), requested)
        return None

    def _execute(
        self, operation: Operation, allowed: DocumentNode | None, context: Mapping[str, Any]
    ) -> Executed | Answer:
        """Run what the scopes allow (nothing: ``{}``); a failing engine is Shopify's 'our end'."""
        if allowed is None:
            return {}, []
        try:
            result = self.engine.execute(
                allowed, operation.variables, operation.name, context=context
            )
        except Exception:
            log.exception("sandbox engine failed on operation %s", operation.name)
            error = shopify_errors.internal_error(str(uuid.uuid4()))
            return Answer({"errors": [error], "data": None})
        data = dict(result.data) if result.data is not None else None
        return data, [dict(e.formatted) for e in result.errors or ()]

    def _refused(self, error: dict[str, Any], requested: int) -> Answer:
        """A query not run for its cost: no data, and the bucket as it stands."""
        return Answer(
            {"errors": [error], "extensions": _cost(requested, None, self.bucket.status())}
        )

    # what a fault answers instead of running -------------------------------------------

    def throttled(self, operation: Operation) -> Answer:
        """THROTTLED for what the query would have cost (0 for an invalid one)."""
        try:
            requested = requested_cost(self.schema, operation.document, None, operation.name)
        except Exception:  # an invalid document has no meaningful cost
            requested = 0
        return self._refused(shopify_errors.throttled(), requested)

    def user_error(self, operation: Operation) -> Answer:
        """Each root payload with its resource null and one INTERNAL_ERROR userError."""
        root = (
            self.schema.mutation_type
            if operation.definition.operation == OperationType.MUTATION
            else self.schema.query_type
        )
        data: dict[str, Any] = {}
        for node in operation.root_fields():
            definition = root.fields.get(node.name.value) if root else None
            payload_type = get_named_type(definition.type) if definition else None
            if not isinstance(payload_type, GraphQLObjectType) or node.selection_set is None:
                data[_key(node)] = None
                continue
            payload: dict[str, Any] = {}
            for sub in _fields(node.selection_set, operation.fragments):
                if sub.name.value == "__typename":
                    payload[_key(sub)] = payload_type.name
                elif sub.name.value == "userErrors":
                    error = _internal_user_error(payload_type, sub, operation.fragments)
                    payload[_key(sub)] = [error]
                else:
                    payload[_key(sub)] = None
            data[_key(node)] = payload
        return Answer({"data": data})

    @staticmethod
    def malformed(operation: Operation) -> str:
        """The first half of a plausible body: JSON cut off, as a dropped proxy leaves it."""
        first = next(
            (
                _key(s)
                for s in operation.definition.selection_set.selections
                if isinstance(s, FieldNode)
            ),
            "node",
        )
        whole = json.dumps({"data": {first: {"id": "gid://shopify/"}}})
        return whole[: len(whole) // 2]


def _variables(raw: Any) -> dict[str, Any] | None:
    """The ``variables`` of a body: an object, or JSON text of one (None: neither)."""
    if isinstance(raw, str):
        with contextlib.suppress(ValueError):
            raw = json.loads(raw or "{}")
    if raw is not None and not isinstance(raw, dict):
        return None
    return raw or {}


def _pick_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | str:
    """The operation to run, or graphql-ruby's message when there is no single one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        for operation in operations:
            if operation.name is not None and operation.name.value == name:
                return operation
        return shopify_errors.no_operation_named(name)
    if len(operations) == 1:
        return operations[0]
    if not operations:
        return shopify_errors.NO_OPERATION
    return shopify_errors.OPERATION_NAME_REQUIRED


def _cost(requested: int, actual: int | None, status: ThrottleStatus) -> dict[str, Any]:
    """``extensions`` of every answer past parsing: ``actual`` is None when nothing ran."""
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": status.to_dict(),
        }
    }


# scopes -------------------------------------------------------------------------------


def enforce_scopes(
    operation: Operation, scopes: Sequence[str], variables: Mapping[str, Any]
) -> tuple[Denied, DocumentNode | None]:
    """Root fields the token may not touch, and the document without them (None: all)."""
    granted = set(scopes)
    denied: Denied = []
    kept: list[FieldNode] = []
    for node in operation.root_fields():
        needs = [ROOT_FIELD_SCOPES.get(node.name.value, ())]
        if node.name.value in ("node", "nodes"):
            needs = [GID_TYPE_SCOPES.get(t, ()) for t in _gid_types(node, variables)]
        missing = next((n for n in needs if n and not granted.intersection(n)), None)
        if missing:
            denied.append((node, missing[0]))
        else:
            kept.append(node)
    if not denied:
        return [], operation.document
    if not kept:
        return denied, None
    return denied, _with_only(operation, kept)


def _with_only(operation: Operation, kept: list[FieldNode]) -> DocumentNode:
    """The document with the operation's selection cut down to ``kept``."""
    definition = operation.definition
    trimmed = OperationDefinitionNode(
        operation=definition.operation,
        name=definition.name,
        variable_definitions=definition.variable_definitions,
        directives=definition.directives,
        selection_set=SelectionSetNode(selections=tuple(kept)),
    )
    definitions = operation.document.definitions
    return DocumentNode(definitions=tuple(trimmed if d is definition else d for d in definitions))


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


def _with_denials(operation: Operation, executed: Executed, denied: Denied) -> Executed:
    """Each denied field null in the data, in its place, and ACCESS_DENIED first."""
    data, errors = executed
    for node, scope in denied:
        key = _key(node)
        if data is not None:
            data[key] = None
        errors.insert(
            0, shopify_errors.access_denied(node.name.value, scope, _locations(node), [key])
        )
    if denied and data is not None:
        keys = [_key(f) for f in operation.root_fields()]
        ordered = {k: data[k] for k in keys if k in data}
        ordered.update({k: v for k, v in data.items() if k not in ordered})
        data = ordered
    return data, errors


# selections ---------------------------------------------------------------------------


def _fields(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> list[FieldNode]:
    """Fields of a selection with fragments flattened (type conditions not checked)."""
    out: list[FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            out.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            out.extend(_fields(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                out.extend(_fields(fragment.selection_set, fragments))
    return out


def _key(node: FieldNode) -> str:
    """The field's key in the response: its alias, else its name."""
    return node.alias.value if node.alias else node.name.value


def _locations(node: FieldNode) -> list[dict[str, int]]:
    if node.loc is None:
        return []
    where = get_location(node.loc.source, node.loc.start)
    return [{"line": where.line, "column": where.column}]


def _internal_user_error(
    payload_type: GraphQLObjectType,
    node: FieldNode,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> dict[str, Any]:
    """One userError as ``node`` selects it; code INTERNAL_ERROR where the enum has it."""
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
        for sub in _fields(node.selection_set, fragments):
            out[_key(sub)] = full.get(sub.name.value)
    return out
