"""Executes validated Admin GraphQL documents over the sandbox store.

graphql-core does the execution, so any valid selection (aliases, fragments, variables) is
answered as Shopify would, not only the queries shopsync sends. Resolvers are looked up per
``(type, field)`` in the tables the engine is given (one per resolver module: ``content``,
``definitions``, ``files``, ``shop``); a field without one reads the record's key of that name.
The helpers the resolvers share are in ``resolving``, which is all this module imports of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLAbstractType,
    GraphQLSchema,
    execute,
)

from shopsync.sandbox.resolving import (
    Info,
    Resolver,
    ResolverTable,
    add_resolver,
    cursor,
    store_of,
)
from shopsync.sandbox.store import KINDS, Store, number_of


class Engine:
    """One per sandbox server; stateless apart from the store it answers for."""

    def __init__(
        self, store: Store, schema: GraphQLSchema, *, resolvers: Iterable[ResolverTable]
    ) -> None:
        """``resolvers``: the modules' tables; one field in two of them is refused."""
        self.store = store
        self.schema = schema
        self.resolvers: dict[tuple[str, str], Resolver] = {}
        for table in resolvers:
            for key, func in table.items():
                add_resolver(self.resolvers, key, func)

    def execute(
        self,
        document: DocumentNode,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> ExecutionResult:
        ctx: dict[str, Any] = {"store": self.store, **(context or {})}
        result = execute(
            self.schema,
            document,
            context_value=ctx,
            variable_values=dict(variables or {}),
            operation_name=operation_name,
            field_resolver=self._resolve,
            type_resolver=_resolve_type,
        )
        assert isinstance(result, ExecutionResult)
        return result

    def _resolve(self, source: Any, info: Info, **args: Any) -> Any:
        func = self.resolvers.get((info.parent_type.name, info.field_name))
        if func is not None:
            return func(source, info, **args)
        if info.field_name == "legacyResourceId" and isinstance(source, dict):
            return str(number_of(source["id"]))
        if info.field_name == "defaultCursor" and isinstance(source, dict):
            return cursor(source)
        if isinstance(source, dict):
            return source.get(info.field_name)
        return getattr(source, info.field_name, None)


def _resolve_type(value: Any, info: Info, abstract: GraphQLAbstractType) -> str:
    kind = store_of(info).kind_of(value["id"])
    return KINDS[kind] if kind else ""
