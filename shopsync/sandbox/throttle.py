"""Query cost and the leaky bucket, the way Shopify's Admin GraphQL API meters requests.

Requested cost follows Shopify's documented rules, with the constants a live store uses
today (fitted to every request in ``shared/shopify/captures``: all 164 that fall inside the
bundled schema get exactly the ``requestedQueryCost`` the live store charged):

- scalars and enums cost 0; an object (or a plain list of objects) costs 1 plus its fields;
  a ``Count`` (``articlesCount`` ...) costs 10;
- an interface or union costs what its most expensive possible type costs;
- a connection costs 2 plus ``m(first|last)`` times the cost of one node, with
  ``m(1) = 1`` and ``m(n) = floor(2 ln n)`` above (5 -> 3, 10 -> 4, 50 -> 7, 250 -> 11);
  selecting both ``nodes`` and ``edges { node }`` pays for both; ``pageInfo`` is free;
- a mutation root field costs 10 plus what its payload selects below the payload's own
  objects (``article { blog { id } }`` in ``articleCreate`` adds 1).

The requested cost is reserved before execution; the actual cost (connections sized by what
came back, nothing below a null) is charged and the difference refunded.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
    value_from_ast,
)
from graphql.type.definition import GraphQLField, GraphQLNamedType, GraphQLOutputType
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from graphql.utilities import get_operation_ast

MAX_QUERY_COST = 1000
MUTATION_COST = 10
COUNT_COST = 10
CONNECTION_BASE_COST = 2


@dataclass(frozen=True)
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float

    def to_dict(self) -> dict[str, float]:
        return {
            "maximumAvailable": _number(self.maximum_available),
            "currentlyAvailable": _number(self.currently_available),
            "restoreRate": _number(self.restore_rate),
        }


def _number(value: float) -> float:
    # Shopify prints whole numbers ("2000", not "2000.0"); JSON keeps ints as ints.
    return int(value) if float(value).is_integer() else round(value, 3)


class CostBucket:
    """Thread-safe leaky bucket: fills at ``restore_rate`` points/s up to ``capacity``."""

    def __init__(
        self,
        capacity: float = 2000.0,
        restore_rate: float = 100.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity <= 0 or restore_rate < 0:
            raise ValueError("capacity must be positive and restore_rate not negative")
        self.capacity = float(capacity)
        self.restore_rate = float(restore_rate)
        self._clock = clock
        self._lock = threading.Lock()
        self._available = float(capacity)
        self._updated = clock()

    def _restore(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._updated = now
        self._available = min(self.capacity, self._available + elapsed * self.restore_rate)

    def _status(self) -> ThrottleStatus:
        # Shopify reports whole points.
        return ThrottleStatus(self.capacity, float(int(self._available)), self.restore_rate)

    def reserve(self, requested: float) -> ThrottleStatus | None:
        """Take ``requested`` points, or None (THROTTLED) when not that many are available."""
        with self._lock:
            self._restore()
            if requested > self._available:
                return None
            self._available -= requested
            return self._status()

    def refund(self, amount: float) -> ThrottleStatus:
        with self._lock:
            self._restore()
            self._available = min(self.capacity, self._available + max(0.0, amount))
            return self._status()

    def status(self) -> ThrottleStatus:
        with self._lock:
            self._restore()
            return self._status()


def requested_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """Cost reserved before execution: connections sized by ``first``/``last``."""
    return _operation_cost(schema, document, variables, operation_name, None)


def actual_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    data: Mapping[str, Any] | None,
) -> int:
    """Cost charged after execution: connections sized by the nodes that came back."""
    if data is None:
        return 0
    return _operation_cost(schema, document, variables, operation_name, data)


def _operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    data: Mapping[str, Any] | None,
) -> int:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = _CostWalker(schema, fragments, dict(variables or {}), measure=data is not None)
    return walker.operation(operation, data)


class _CostWalker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        *,
        measure: bool,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.measure = measure

    def operation(self, operation: OperationDefinitionNode, data: Mapping[str, Any] | None) -> int:
        if operation.operation == OperationType.MUTATION:
            root = self.schema.mutation_type
            if root is None:
                return 0
            total = 0
            for field in self._fields(operation.selection_set, root):
                definition = root.fields.get(field.name.value)
                if definition is None:
                    continue
                if self.measure and (data is None or _key(field) not in data):
                    continue
                value = data.get(_key(field)) if (self.measure and data is not None) else None
                payload = get_named_type(definition.type)
                total += MUTATION_COST
                if isinstance(payload, GraphQLObjectType) and field.selection_set is not None:
                    if self.measure and not isinstance(value, Mapping):
                        continue
                    # The payload's own objects (the resource, userErrors) come with the 10.
                    total += self._selection(field.selection_set, payload, value, own=False)
            return total
        root = (
            self.schema.query_type
            if operation.operation == OperationType.QUERY
            else self.schema.subscription_type
        )
        if root is None:
            return 0
        return self._selection(operation.selection_set, root, data)

    def _fields(self, selection_set: SelectionSetNode, parent: GraphQLNamedType) -> list[FieldNode]:
        """Fields selected on ``parent``, fragments flattened (type conditions honoured)."""
        out: list[FieldNode] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                out.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                cond = selection.type_condition
                if cond is None or self._applies(cond.name.value, parent):
                    out.extend(self._fields(selection.selection_set, parent))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment and self._applies(fragment.type_condition.name.value, parent):
                    out.extend(self._fields(fragment.selection_set, parent))
        return out

    def _applies(self, type_name: str, parent: GraphQLNamedType) -> bool:
        if type_name == parent.name:
            return True
        cond = self.schema.get_type(type_name)
        if isinstance(parent, GraphQLObjectType) and isinstance(
            cond, GraphQLInterfaceType | GraphQLUnionType
        ):
            return self.schema.is_sub_type(cond, parent)
        return False

    def _selection(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType,
        data: Mapping[str, Any] | None,
        *,
        own: bool = True,
    ) -> int:
        """Cost of the fields selected on ``parent``; ``own=False``: objects not charged."""
        if selection_set is None:
            return 0
        if isinstance(parent, GraphQLInterfaceType | GraphQLUnionType):
            possible = self.schema.get_possible_types(parent)
            if self.measure and data is not None:
                concrete = self.schema.get_type(str(data.get("__typename", "")))
                if isinstance(concrete, GraphQLObjectType):
                    possible = [concrete]
            return max(
                (self._selection(selection_set, t, data, own=own) for t in possible), default=0
            )
        if not isinstance(parent, GraphQLObjectType):
            return 0
        total = 0
        for field in self._fields(selection_set, parent):
            definition = _field_definition(parent, field.name.value, self.schema)
            if definition is None:
                continue
            value = data.get(_key(field)) if (self.measure and data is not None) else None
            total += self._field(field, definition, value, own=own)
        return total

    def _field(
        self, node: FieldNode, definition: GraphQLField, value: Any, *, own: bool = True
    ) -> int:
        field_type: GraphQLOutputType = definition.type
        named = get_named_type(field_type)
        if is_leaf_type(named):
            return 0
        if _is_connection(named, definition):
            return self._connection(node, definition, named, value)
        if named.name == "Count":
            return COUNT_COST
        base = 1 if own else 0
        if is_list_type(get_nullable_type(field_type)):
            if self.measure and isinstance(value, list):
                child = max(
                    (
                        self._selection(node.selection_set, named, i)
                        for i in value
                        if isinstance(i, Mapping)
                    ),
                    default=0,
                )
            else:
                child = self._selection(node.selection_set, named, None)
            return base + child
        if self.measure and not isinstance(value, Mapping):
            return base  # null: nothing below it was loaded
        child_data = value if isinstance(value, Mapping) else None
        return base + self._selection(node.selection_set, named, child_data)

    def _connection(
        self, node: FieldNode, definition: GraphQLField, named: GraphQLNamedType, value: Any
    ) -> int:
        if not isinstance(named, GraphQLObjectType) or node.selection_set is None:
            return CONNECTION_BASE_COST
        node_cost = 0
        measured_count = 0
        for sub in self._fields(node.selection_set, named):
            name = sub.name.value
            sub_value = value.get(_key(sub)) if isinstance(value, Mapping) else None
            if name == "nodes":
                nodes_def = named.fields.get("nodes")
                if nodes_def is None:
                    continue
                node_type = get_named_type(nodes_def.type)
                items = sub_value if isinstance(sub_value, list) else []
                measured_count = max(measured_count, len(items))
                node_cost += self._per_node(sub, node_type, items)
            elif name == "edges":
                edges_def = named.fields.get("edges")
                if edges_def is None:
                    continue
                edge_type = get_named_type(edges_def.type)
                if not isinstance(edge_type, GraphQLObjectType) or sub.selection_set is None:
                    continue
                edges = sub_value if isinstance(sub_value, list) else []
                measured_count = max(measured_count, len(edges))
                for edge_field in self._fields(sub.selection_set, edge_type):
                    if edge_field.name.value != "node":
                        continue
                    node_def = edge_type.fields["node"]
                    node_type = get_named_type(node_def.type)
                    items = [e.get(_key(edge_field)) for e in edges if isinstance(e, Mapping)]
                    node_cost += self._per_node(edge_field, node_type, items)
        count = measured_count if self.measure else self._size(node, definition)
        return CONNECTION_BASE_COST + connection_multiplier(count) * node_cost

    def _per_node(self, node: FieldNode, node_type: GraphQLNamedType, items: Sequence[Any]) -> int:
        if self.measure:
            costs = [
                1 + self._selection(node.selection_set, node_type, i)
                for i in items
                if isinstance(i, Mapping)
            ]
            return max(costs, default=1)
        return 1 + self._selection(node.selection_set, node_type, None)

    def _size(self, node: FieldNode, definition: GraphQLField) -> int:
        for arg in node.arguments or ():
            if arg.name.value in ("first", "last"):
                arg_def = definition.args.get(arg.name.value)
                if arg_def is None:
                    continue
                size = value_from_ast(arg.value, arg_def.type, self.variables)
                if isinstance(size, int):
                    return max(0, size)
        return 0


def connection_multiplier(size: int) -> int:
    """How many nodes' worth a connection of ``size`` is charged (see the module notes)."""
    if size <= 1:
        return max(0, size)
    return max(1, math.floor(2 * math.log(size)))


def _field_definition(
    parent: GraphQLObjectType, name: str, schema: GraphQLSchema
) -> GraphQLField | None:
    if parent is schema.query_type and name in ("__type", "__schema"):
        meta: GraphQLField = TypeMetaFieldDef if name == "__type" else SchemaMetaFieldDef
        return meta
    field: GraphQLField | None = parent.fields.get(name)
    return field


def _is_connection(named: GraphQLNamedType, definition: GraphQLField) -> bool:
    return named.name.endswith("Connection") and (
        "first" in definition.args or "last" in definition.args
    )


def _key(field: FieldNode) -> str:
    return field.alias.value if field.alias else field.name.value
