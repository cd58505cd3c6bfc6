"""The GraphQL documents shopsync sends, parsed and checked before any request.

Packaged documents live in ``queries/<Name>.graphql``, one operation each; the field lists
several share live in ``queries/fragments/`` and are appended to every document that
spreads them. Every document, packaged or ad hoc, and every set of variables is validated
against the bundled schema (``admin_schema()``), so a typo is a ``QueryError`` naming the
document rather than a request the store refuses.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    parse,
    validate,
    visit,
)
from graphql.execution.values import get_variable_values

from shopsync.admin.schema import SCHEMA_VERSION, admin_schema
from shopsync.errors import QueryError

_DOCUMENT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Document:
    """One parsed, validated GraphQL operation."""

    name: str
    text: str
    node: DocumentNode
    operation: OperationDefinitionNode

    @property
    def mutation(self) -> bool:
        return self.operation.operation == OperationType.MUTATION

    @property
    def operation_name(self) -> str | None:
        return self.operation.name.value if self.operation.name else None

    @property
    def root_keys(self) -> tuple[str, ...]:
        return tuple(
            (s.alias or s.name).value
            for s in self.operation.selection_set.selections
            if isinstance(s, FieldNode)
        )


def compile_document(
    text: str, name: str | None = None, operation_name: str | None = None
) -> Document:
    """Parse and validate against the bundled schema; QueryError naming the document if refused.

    ``name`` defaults to the operation's own name (``anonymous operation`` if it has none).
    """
    try:
        node = parse(text)
    except GraphQLError as exc:
        label = name or operation_name or "anonymous operation"
        raise QueryError(f"{label}: GraphQL syntax error: {exc.message}", operation=label) from None
    if name is None:
        named = [
            d.name.value
            for d in node.definitions
            if isinstance(d, OperationDefinitionNode) and d.name is not None
        ]
        name = operation_name or (named[0] if len(named) == 1 else "anonymous operation")
    errors = validate(admin_schema(), node)
    if errors:
        raise QueryError(
            f"{name} does not match the Admin API {SCHEMA_VERSION} schema: "
            + "; ".join(e.message for e in errors),
            errors=[dict(e.formatted) for e in errors],
            operation=name,
        )
    operations = [d for d in node.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        raise QueryError(
            f"{name}: expected exactly one operation"
            + (f" named {operation_name}" if operation_name else ""),
            operation=name,
        )
    return Document(name, text, node, operations[0])


@functools.cache
def load_document(name: str) -> Document:
    """``queries/<name>.graphql`` (in this package), parsed and validated once per process.

    Fragments it spreads (``...SyncArticle``) come from ``queries/fragments/<Name>.graphql``
    and are appended, with the fragments they spread in turn: one field list per resource,
    shared by every document that reads it.
    """
    if not _DOCUMENT_NAME.match(name):
        raise QueryError(f"{name!r} is not a document name", operation=name)
    resource = files("shopsync.admin").joinpath("queries", f"{name}.graphql")
    if not resource.is_file():
        raise QueryError(f"no GraphQL document named {name}", operation=name)
    return compile_document(with_fragments(resource.read_text(encoding="utf-8"), name), name)


def with_fragments(text: str, name: str) -> str:
    """``text`` followed by the definitions of every fragment it needs, each once."""
    folder = files("shopsync.admin").joinpath("queries", "fragments")
    parts = [text]
    done: set[str] = set()
    pending = _spreads(text)
    while pending:
        fragment = pending.pop()
        if fragment in done:
            continue
        done.add(fragment)
        resource = folder.joinpath(f"{fragment}.graphql")
        if not _DOCUMENT_NAME.match(fragment) or not resource.is_file():
            raise QueryError(f"{name}: no fragment file for ...{fragment}", operation=name)
        body = resource.read_text(encoding="utf-8")
        parts.append(body)
        pending |= _spreads(body)
    return "\n".join(parts)


def _spreads(text: str) -> set[str]:
    """Names of the fragments ``text`` spreads (a syntax error is left to compile_document)."""
    try:
        node = parse(text)
    except GraphQLError:
        return set()
    names: set[str] = set()

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            names.add(spread.name.value)

    visit(node, Spreads())
    return names


@functools.lru_cache(maxsize=64)
def adhoc_document(text: str, operation_name: str | None = None) -> Document:
    """A caller's own document, compiled once per text: ``execute`` may send it many times."""
    return compile_document(text, None, operation_name)


def check_variables(document: Document, variables: Mapping[str, Any]) -> None:
    """QueryError naming the document when ``variables`` do not fit its declarations.

    Checked before sending, like the document itself, so a wrong type costs no request.
    """
    outcome = get_variable_values(
        admin_schema(), document.operation.variable_definitions or (), dict(variables)
    )
    if isinstance(outcome, list):
        raise QueryError(
            f"{document.name}: variables refused: " + "; ".join(e.message for e in outcome),
            errors=[dict(e.formatted) for e in outcome],
            operation=document.name,
        )
