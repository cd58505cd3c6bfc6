"""Query cost and the leaky bucket, the way Shopify's Admin GraphQL API meters requests.

Requested cost follows Shopify's documented rules, with the constants a live store uses
today (fitted to every request in ``shared/shopify/captures``: all 173 steps that fall inside
the bundled schema get exactly the ``requestedQueryCost`` the live store charged):

- scalars and enums cost 0; an object (or a plain list of objects) costs 1 plus its fields;
  a ``Count`` (``articlesCount`` ...) costs 10;
- an interface or union costs what its most expensive possible type costs;
- a connection costs 2 plus ``m(first|last)`` times the cost of one node, with
  ``m(1) = 1`` and ``m(n) = floor(2 ln n)`` above (5 -> 3, 10 -> 4, 50 -> 7, 250 -> 11);
  selecting both ``nodes`` and ``edges { node }`` pays for both; ``pageInfo`` is free;
- a mutation root field costs 10 plus what its payload selects below the payload's own
  objects (``article { blog { id } }`` in ``articleCreate`` adds 1).

The requested cost is reserved before execution; the actual cost, measured on what came
back, is charged and the difference refunded. Its rules were fitted to the same 173 capture
steps (169 get the live ``actualQueryCost``; the 4 that do not are listed, with what is known,
in ``tests/sandbox/test_throttle.py``) and checked on the public conformance fixtures of
airhorns/shopify-draft-proxy: of the steps whose requested cost it reproduces, 2,487 of
2,545 recorded requests and 947 of 1,047 recorded upstream calls get the live actual cost:

- an object costs 1, a null one too (nothing below it was loaded); a plain list costs 1 plus
  its dearest item, not one per item (``nodes(ids:)`` with four ids of ``{ id }``: 1);
- a connection costs 2 plus ``m(first) / first`` times the nodes that came back, each node
  counted at its own cost (1 plus what it selects, nested connections measured alike), plus
  one more node as dear as the dearest when ``pageInfo { hasNextPage }`` is selected and the
  page is not full (the row read to answer it); rounded up, except that a fraction of a
  tenth or less is dropped. A full page costs what was requested (250 nodes of 7: 2 + 11 * 7
  = 79); ``pages(first: 5)`` with one bare node: 2 + 1 (3 * 1 / 5), with ``hasNextPage``
  2 + 2 (3 * 2 / 5); ``blogs(first: 250)`` with one and ``hasNextPage``: 2 + 0 (11 * 2 / 250);
- a connection that returned nothing costs 2 plus ``m(first)`` when it selects ``nodes`` (as
  if each node were bare: ``comments(first: 10) { nodes { id } }`` -> 6), 2 with only ``edges``;
- an interface or union costs the type that came back, plus 1 when ``__typename`` is selected;
- ``__type`` and ``__schema`` themselves are free: only what is selected below them costs;
- mutations as requested, the payload measured; never more than the requested cost.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

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
    actual = _operation_cost(schema, document, variables, operation_name, data)
    # Never above what was reserved: Shopify never charges more than it requested.
    return min(actual, _operation_cost(schema, document, variables, operation_name, None))


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


class _NodeList(NamedTuple):
    """One list of nodes a connection selects, with the nodes that came back (measuring)."""

    selection: SelectionSetNode | None
    node_type: GraphQLNamedType
    items: list[Mapping[str, Any]]
    is_nodes: bool


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
            return self._abstract(selection_set, parent, data, own=own)
        if not isinstance(parent, GraphQLObjectType):
            return 0
        total = 0
        for field in self._fields(selection_set, parent):
            definition = _field_definition(parent, field.name.value, self.schema)
            if definition is None:
                continue
            if self.measure and isinstance(data, Mapping) and _key(field) not in data:
                continue  # selected for another concrete type: not resolved here
            value = data.get(_key(field)) if (self.measure and data is not None) else None
            total += self._field(field, definition, value, own=own)
        return total

    def _abstract(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLInterfaceType | GraphQLUnionType,
        data: Mapping[str, Any] | None,
        *,
        own: bool,
    ) -> int:
        """Requested: the dearest possible type. Actual: the type that came back, plus 1
        when ``__typename`` is selected (Shopify charges resolving it)."""
        possible: Sequence[GraphQLObjectType] = self.schema.get_possible_types(parent)
        if not (self.measure and isinstance(data, Mapping)):
            return max(
                (self._selection(selection_set, t, None, own=own) for t in possible), default=0
            )
        concrete = self.schema.get_type(str(data.get("__typename", "")))
        if isinstance(concrete, GraphQLObjectType):
            possible = [concrete]
        # Without __typename, fields of the other types are absent from ``data`` and cost 0.
        cost = max((self._selection(selection_set, t, data, own=own) for t in possible), default=0)
        typename = bool(possible) and any(
            f.name.value == "__typename" for f in self._fields(selection_set, possible[0])
        )
        return cost + 1 if typename else cost

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
        if self.measure and (definition is TypeMetaFieldDef or definition is SchemaMetaFieldDef):
            base = 0  # introspection: only what is selected below __type/__schema is charged
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
        size = self._size(node, definition)
        multiplier = connection_multiplier(size)
        lists = list(self._node_lists(node.selection_set, named, value))
        if not self.measure:
            per_node = sum(1 + self._selection(n.selection, n.node_type, None) for n in lists)
            return CONNECTION_BASE_COST + multiplier * per_node
        if size <= 0:
            return CONNECTION_BASE_COST
        if not any(n.items for n in lists):
            # Nothing came back: ``nodes`` is charged as ``size`` bare nodes, ``edges`` not.
            bare = any(n.is_nodes for n in lists)
            return CONNECTION_BASE_COST + (multiplier if bare else 0)
        look_ahead = self._selects_has_next_page(node.selection_set, named)
        total = CONNECTION_BASE_COST
        for selection, node_type, items, _ in lists:
            if not items:
                continue
            costs = [1 + self._selection(selection, node_type, i) for i in items]
            units = sum(costs)
            if look_ahead and len(items) < size:
                units += max(costs)  # hasNextPage: one more row, as dear as the dearest
            total += _page_points(multiplier, size, units)
        return total

    def _node_lists(
        self, selection_set: SelectionSetNode, named: GraphQLObjectType, value: Any
    ) -> Iterator[_NodeList]:
        """Each node list a connection selects: ``nodes`` and ``edges { node }``."""
        for sub in self._fields(selection_set, named):
            name = sub.name.value
            sub_value = value.get(_key(sub)) if isinstance(value, Mapping) else None
            if name == "nodes" and "nodes" in named.fields:
                node_type = get_named_type(named.fields["nodes"].type)
                items = sub_value if isinstance(sub_value, list) else []
                returned = [i for i in items if isinstance(i, Mapping)]
                yield _NodeList(sub.selection_set, node_type, returned, is_nodes=True)
            elif name == "edges" and "edges" in named.fields:
                edge_type = get_named_type(named.fields["edges"].type)
                if not isinstance(edge_type, GraphQLObjectType) or sub.selection_set is None:
                    continue
                edges = (
                    [e for e in sub_value if isinstance(e, Mapping)]
                    if isinstance(sub_value, list)
                    else []
                )
                for edge_field in self._fields(sub.selection_set, edge_type):
                    if edge_field.name.value != "node":
                        continue
                    node_type = get_named_type(edge_type.fields["node"].type)
                    nodes = [e.get(_key(edge_field)) for e in edges]
                    returned = [n for n in nodes if isinstance(n, Mapping)]
                    yield _NodeList(edge_field.selection_set, node_type, returned, is_nodes=False)

    def _selects_has_next_page(
        self, selection_set: SelectionSetNode, named: GraphQLObjectType
    ) -> bool:
        page_info = named.fields.get("pageInfo")
        if page_info is None:
            return False
        page_info_type = get_named_type(page_info.type)
        return any(
            sub.name.value == "pageInfo"
            and sub.selection_set is not None
            and any(
                f.name.value == "hasNextPage"
                for f in self._fields(sub.selection_set, page_info_type)
            )
            for sub in self._fields(selection_set, named)
        )

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


def _page_points(multiplier: int, size: int, units: int) -> int:
    """``multiplier * units / size`` rounded up, a fraction of a tenth or less dropped."""
    return max(0, math.ceil(Fraction(multiplier * units, size) - Fraction(1, 10)))


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
