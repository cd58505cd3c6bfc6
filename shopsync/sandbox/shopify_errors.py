"""Every error the sandbox answers with, in Shopify's words and shapes.

Shopify runs graphql-ruby; its static errors carry a camelCase ``extensions.code``
(``undefinedField``, ``argumentNotAccepted``, ...) plus the names involved. graphql-core
finds the same problems; these patterns translate its messages. Anything unrecognised
keeps graphql-core's message with a generic code.

The bodies the endpoint itself builds (a bad token, a missing query, a query over the cost
limit, a throttled or denied request...) are here too, word for word as a live store
sends them, so the server and the pipeline hold no Shopify text of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    Node,
    ObjectFieldNode,
    OperationDefinitionNode,
)

Shaper = Callable[[re.Match[str]], tuple[str, dict[str, Any]]]


def _undefined_field(m: re.Match[str]) -> tuple[str, dict[str, Any]]:
    field, type_name = m.group(1), m.group(2)
    return (
        f"Field '{field}' doesn't exist on type '{type_name}'",
        {"code": "undefinedField", "typeName": type_name, "fieldName": field},
    )


def _unknown_argument(m: re.Match[str]) -> tuple[str, dict[str, Any]]:
    arg, field = m.group(1), m.group(3)
    return (
        f"Field '{field}' doesn't accept argument '{arg}'",
        {"code": "argumentNotAccepted", "name": field, "typeName": "Field", "argumentName": arg},
    )


def _missing_argument(m: re.Match[str]) -> tuple[str, dict[str, Any]]:
    field, arg = m.group(1), m.group(2)
    return (
        f"Field '{field}' is missing required arguments: {arg}",
        {"code": "missingRequiredArguments", "className": "Field", "name": field, "arguments": arg},
    )


def _missing_input_field(m: re.Match[str]) -> tuple[str, dict[str, Any]]:
    input_type, arg, arg_type = m.group(1), m.group(2), m.group(3)
    return (
        f"Argument '{arg}' on InputObject '{input_type}' is required. Expected type {arg_type}",
        {
            "code": "missingRequiredInputObjectAttribute",
            "argumentName": arg,
            "argumentType": arg_type,
            "inputObjectType": input_type,
        },
    )


def _unknown_input_field(m: re.Match[str]) -> tuple[str, dict[str, Any]]:
    arg, input_type = m.group(1), m.group(2)
    return (
        f"InputObject '{input_type}' doesn't accept argument '{arg}'",
        {
            "code": "argumentNotAccepted",
            "name": input_type,
            "typeName": "InputObject",
            "argumentName": arg,
        },
    )


def _unknown_input_field_33(m: re.Match[str]) -> tuple[str, dict[str, Any]]:
    input_type, arg = m.group(1), m.group(2)
    return (
        f"InputObject '{input_type}' doesn't accept argument '{arg}'",
        {
            "code": "argumentNotAccepted",
            "name": input_type,
            "typeName": "InputObject",
            "argumentName": arg,
        },
    )


def _undefined_fragment(m: re.Match[str]) -> tuple[str, dict[str, Any]]:
    return (
        f"Fragment {m.group(1)} was used, but not defined",
        {"code": "useAndDefineFragment", "fragmentName": m.group(1)},
    )


def _unknown_type(m: re.Match[str]) -> tuple[str, dict[str, Any]]:
    return (f"No such type {m.group(1)}", {"code": "undefinedType", "typeName": m.group(1)})


def _unused_variable(m: re.Match[str]) -> tuple[str, dict[str, Any]]:
    op = m.group(2) or "anonymous query"
    return (
        f"Variable ${m.group(1)} is declared by {op} but not used",
        {"code": "variableNotUsed", "variableName": m.group(1)},
    )


def _undefined_variable(m: re.Match[str]) -> tuple[str, dict[str, Any]]:
    op = m.group(2) or "anonymous query"
    return (
        f"Variable ${m.group(1)} is used by {op} but not declared",
        {"code": "variableNotDefined", "variableName": m.group(1)},
    )


def _needs_selection(m: re.Match[str]) -> tuple[str, dict[str, Any]]:
    field, type_name = m.group(1), m.group(2)
    return (
        f"Field must have selections (field '{field}' returns {type_name} but has no "
        f"selections. Did you mean '{field} {{ ... }}'?)",
        {"code": "selectionMismatch", "nodeName": f"field '{field}'", "typeName": type_name},
    )


def _no_selection(m: re.Match[str]) -> tuple[str, dict[str, Any]]:
    field, type_name = m.group(1), m.group(2)
    return (
        f"Selections can't be made on scalars (field '{field}' returns {type_name} but has "
        "selections)",
        {"code": "selectionMismatch", "nodeName": f"field '{field}'", "typeName": type_name},
    )


_PATTERNS: list[tuple[re.Pattern[str], Shaper]] = [
    (re.compile(r"Cannot query field '(\w+)' on type '(\w+)'\."), _undefined_field),
    (re.compile(r"Unknown argument '(\w+)' on field '(\w+)\.(\w+)'\."), _unknown_argument),
    (
        re.compile(r"Field '(\w+)' argument '(\w+)' of type '.+' is required"),
        _missing_argument,
    ),
    (
        re.compile(r"Argument '\w+\.(\w+)\((\w+):\)' of type '.+' is required"),
        _missing_argument,
    ),
    (
        re.compile(r"Field '(\w+)\.(\w+)' of required type '(.+)' was not provided\."),
        _missing_input_field,
    ),
    (
        re.compile(r"Expected value of type '(\w+)' to include required field '(\w+)'()"),
        _missing_input_field,
    ),
    (re.compile(r"Field '(\w+)' is not defined by type '(\w+)'\."), _unknown_input_field),
    (
        re.compile(r"Expected value of type '(\w+)' not to include unknown field '(\w+)'"),
        _unknown_input_field_33,
    ),
    (re.compile(r"Unknown fragment '(\w+)'\."), _undefined_fragment),
    (re.compile(r"Unknown type '(\w+)'\."), _unknown_type),
    (
        re.compile(r"Variable '\$(\w+)' is never used(?: in operation '(\w+)')?\."),
        _unused_variable,
    ),
    (
        re.compile(r"Variable '\$(\w+)' is not defined(?: by operation '(\w+)')?\."),
        _undefined_variable,
    ),
    (
        re.compile(r"Field '(\w+)' of type '(.+)' must have a selection of subfields\."),
        _needs_selection,
    ),
    (
        re.compile(r"Field '(\w+)' must not have a selection since type '(.+)' has no subfields"),
        _no_selection,
    ),
]

_LITERAL = re.compile(
    r"cannot represent|Expected value of type|Expected type|found|is not a valid|"
    r"must specify exactly one"
)


def _locations(error: GraphQLError) -> list[dict[str, int]]:
    return [{"line": loc.line, "column": loc.column} for loc in error.locations or ()]


def _step(node: Node) -> str | None:
    if isinstance(node, OperationDefinitionNode):
        kind = node.operation.value
        return f"{kind} {node.name.value}" if node.name else kind
    if isinstance(node, FragmentDefinitionNode):
        return f"fragment {node.name.value}"
    if isinstance(node, FieldNode):
        return node.alias.value if node.alias else node.name.value
    if isinstance(node, ArgumentNode | ObjectFieldNode):
        return node.name.value
    if isinstance(node, InlineFragmentNode):
        return f"... on {node.type_condition.name.value}" if node.type_condition else "..."
    return None


def _find(node: Node, target: Node, trail: list[Node]) -> list[Node] | None:
    trail.append(node)
    if node is target:
        return trail
    for key in node.keys:
        child = getattr(node, key, None)
        children = child if isinstance(child, tuple | list) else (child,)
        for item in children:
            if isinstance(item, Node):
                found = _find(item, target, trail)
                if found is not None:
                    return found
    trail.pop()
    return None


def error_path(document: DocumentNode, error: GraphQLError) -> list[str]:
    """graphql-ruby's path of a static error: operation, fields, arguments, input fields."""
    if not error.nodes:
        return []
    trail = _find(document, error.nodes[0], [])
    if trail is None:
        return []
    return [step for step in map(_step, trail) if step is not None]


def validation_error(
    error: GraphQLError,
    schema: GraphQLSchema | None = None,
    document: DocumentNode | None = None,
) -> dict[str, Any]:
    """A static (validation) error in Shopify's shape."""
    message = error.message
    extensions: dict[str, Any] = {"code": "validationError"}
    for pattern, shape in _PATTERNS:
        match = pattern.search(message)
        if match:
            message, extensions = shape(match)
            break
    if extensions.get("argumentType") == "" and schema is not None:
        # graphql-core 3.3 does not name the missing field's type; the schema does.
        owner = schema.get_type(extensions["inputObjectType"])
        fields = getattr(owner, "fields", {})
        field_def = fields.get(extensions["argumentName"])
        if field_def is not None:
            extensions["argumentType"] = str(field_def.type)
            message = f"{message}{field_def.type}"
    else:
        if "must specify exactly one" in message:
            extensions = {"code": "invalidOneOfInputObject"}
        elif _LITERAL.search(message):
            extensions = {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"}
    out: dict[str, Any] = {"message": message}
    locations = _locations(error)
    if locations:
        out["locations"] = locations
    if document is not None:
        path = error_path(document, error)
        if extensions.get("code") == "missingRequiredInputObjectAttribute":
            path.append(extensions["argumentName"])
        if path:
            out["path"] = path
    out["extensions"] = extensions
    return out


def syntax_error(error: GraphQLError) -> dict[str, Any]:
    """A parse error; graphql-ruby says ``Parse error on ...`` with the location."""
    out: dict[str, Any] = {
        "message": f"Parse error: {error.message.removeprefix('Syntax Error: ')}"
    }
    locations = _locations(error)
    if locations:
        out["locations"] = locations
    out["extensions"] = {"code": "parseError"}
    return out


_VARIABLE = re.compile(r"Variable '\$(\w+)' ")
# graphql-core 3.3: "has invalid value at .a.b: msg"; 3.2: "got invalid value X at 'v.a.b'; msg".
_PATH_33 = re.compile(r"has invalid value((?: at )?[^:]*): (.*)$", re.S)
_PATH_32 = re.compile(r"got invalid value .*?(?: at '([^']+)')?; (.*)$", re.S)
_UNKNOWN_FIELD = re.compile(
    r"not to include unknown field '(\w+)'|Field '(\w+)' is not defined by type"
)
_REQUIRED_FIELD = re.compile(
    r"to include required field '(\w+)'|Field '(\w+)' of required type '.+' was not provided"
)
_NOT_NULL = re.compile(r"not to be null|of required type '.+' was not provided")


def _path_elements(text: str) -> list[str | int]:
    out: list[str | int] = []
    for part in re.findall(r"\.(\w+)|\[(\d+)\]", text):
        out.append(part[0] if part[0] else int(part[1]))
    return out


def _problem(error: GraphQLError, type_names: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """(variable name, {path, explanation}) for one graphql-core coercion error."""
    message = error.message
    match = _VARIABLE.search(message)
    name = match.group(1) if match else "?"
    path: list[str | int] = []
    detail = message
    if m33 := _PATH_33.search(message):
        path = _path_elements(m33.group(1))
        detail = m33.group(2)
    elif m32 := _PATH_32.search(message):
        path = [p for p in (m32.group(1) or "").split(".")[1:] if p]
        detail = m32.group(2)
    input_type = re.search(r"type '(\w+)'", detail)
    if unknown := _UNKNOWN_FIELD.search(detail):
        path = [*path, unknown.group(1) or unknown.group(2)]
        owner = input_type.group(1) if input_type else type_names.get(name, "?")
        explanation = f"Field is not defined on {owner.rstrip('!')}"
    elif required := _REQUIRED_FIELD.search(detail):
        path = [*path, required.group(1) or required.group(2)]
        explanation = "Expected value to not be null"
    elif _NOT_NULL.search(detail):
        explanation = "Expected value to not be null"
    else:
        explanation = detail.split(" Did you mean")[0].rstrip(".")
    return name, {"path": path, "explanation": explanation}


def variable_errors(
    errors: list[GraphQLError], type_names: dict[str, str], values: dict[str, Any]
) -> list[dict[str, Any]]:
    """Variable coercion failures as Shopify's ``INVALID_VARIABLE``, one per variable."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    located: dict[str, list[dict[str, int]]] = {}
    for error in errors:
        name, problem = _problem(error, type_names)
        grouped.setdefault(name, []).append(problem)
        located.setdefault(name, _locations(error))
    out: list[dict[str, Any]] = []
    for name, problems in grouped.items():
        details = ", ".join(
            f"for {'.'.join(str(p) for p in pr['path'])} ({pr['explanation']})"
            if pr["path"]
            else f"({pr['explanation']})"
            for pr in problems
        )
        entry: dict[str, Any] = {
            "message": f"Variable ${name} of type {type_names.get(name, '?')} was provided "
            f"invalid value {details}",
        }
        if located[name]:
            entry["locations"] = located[name]
        entry["extensions"] = {
            "code": "INVALID_VARIABLE",
            "value": values.get(name),
            "problems": problems,
        }
        out.append(entry)
    return out


# ----------------------------------------------------------------------- the endpoint's own

SCOPES_DOCS: Final = "https://shopify.dev/api/usage/access-scopes"
RATE_LIMIT_DOCS: Final = "https://shopify.dev/api/usage/rate-limits"
INTERNAL_ERROR: Final = "Internal error. Looks like something went wrong on our end."
NO_OPERATION: Final = "Document must contain at least one operation"
OPERATION_NAME_REQUIRED: Final = "An operation name is required"

#: The ``errors`` text of each HTTP-level refusal, by status (401 for any bad token).
HTTP_ERRORS: Final = {
    401: "[API] Invalid API key or access token (unrecognized login or wrong password)",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Exceeded 2 calls per second for api client. Reduce request rates to resume "
    "uninterrupted service.",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Unavailable Shop",
}


def http_error(status: int) -> dict[str, Any]:
    """An HTTP-level refusal: Shopify's ``errors`` is then a bare string, not a list."""
    return {"errors": HTTP_ERRORS[status]}


def missing_query() -> dict[str, Any]:
    """400: the body is not JSON, or has no non-empty ``query`` string."""
    return {"errors": {"query": "Required parameter missing or invalid"}}


def variables_not_an_object() -> dict[str, Any]:
    """400: ``variables`` is neither an object nor a JSON text of one."""
    return {"errors": {"variables": "must be a JSON object"}}


def unsupported_grant_type() -> dict[str, Any]:
    """400 from the token endpoint for any grant but ``client_credentials``."""
    return {
        "error": "unsupported_grant_type",
        "error_description": "The authorization grant type is not supported "
        "by the authorization server.",
    }


def invalid_client() -> dict[str, Any]:
    """401 from the token endpoint: unknown client id or wrong secret, not said which."""
    return {
        "error": "invalid_client",
        "error_description": "Client authentication failed due to unknown client, "
        "no client authentication included, or unsupported authentication method.",
    }


def no_operation_named(name: str) -> str:
    return f'No operation named "{name}"'


def max_cost_exceeded(cost: int, max_cost: int) -> dict[str, Any]:
    """A query that could never run, however long the client waited."""
    return {
        "message": f"Query cost is {cost}, which exceeds the single "
        f"query max cost limit ({max_cost}).\n\n"
        "See https://shopify.dev/concepts/about-apis/rate-limits for more "
        "information on how the\ncost of a query is calculated.\n\n"
        "To query larger amounts of data with fewer limits, bulk operations "
        "should be used instead.\nSee https://shopify.dev/tutorials/"
        "perform-bulk-operations-with-admin-api for usage details.\n",
        "extensions": {
            "code": "MAX_COST_EXCEEDED",
            "cost": cost,
            "maxCost": max_cost,
            "documentation": RATE_LIMIT_DOCS,
        },
    }


def throttled() -> dict[str, Any]:
    """The bucket cannot afford the query yet; ``extensions.cost`` says when it will."""
    return {
        "message": "Throttled",
        "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOCS},
    }


def internal_error(request_id: str) -> dict[str, Any]:
    """Execution failed on the store's side; the request id is the only detail given."""
    return {
        "message": f"{INTERNAL_ERROR}\nRequest ID: {request_id} (include this in support "
        "requests).",
        "extensions": {"requestId": request_id, "code": "INTERNAL_SERVER_ERROR"},
    }


def access_denied(
    field: str, scope: str, locations: list[dict[str, int]], path: list[str]
) -> dict[str, Any]:
    """A root field the token has no scope for: ``scope`` is the one Shopify names."""
    requirement = f"`{scope}` access scope."
    return {
        "message": f"Access denied for {field} field. Required access: {requirement}",
        "locations": locations,
        "extensions": {
            "code": "ACCESS_DENIED",
            "documentation": SCOPES_DOCS,
            "requiredAccess": requirement,
        },
        "path": path,
    }
