"""What the resolver modules share: tables, connections, cursors and the search syntax.

Each resolver module (``content``, ``definitions``, ``files``, ``shop``) fills a table of its own,
``RESOLVERS: dict[(type, field), resolver]``, with the decorator ``resolver_table`` gives it;
the server hands those tables to the ``Engine``. This module imports none of them, so the
engine and the resolvers both depend on it and never on each other.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from graphql import GraphQLError, GraphQLResolveInfo

from shopsync.sandbox.store import Record, Store, number_of

Resolver = Callable[..., Any]
Info = GraphQLResolveInfo[dict[str, Any]]
ResolverTable = Mapping[tuple[str, str], Resolver]
MAX_PAGE = 250


class Register(Protocol):
    """``@resolver("Type", "field", ...)``: puts the function it decorates in one table."""

    def __call__(self, type_name: str, *fields: str) -> Callable[[Resolver], Resolver]: ...


def add_resolver(
    table: dict[tuple[str, str], Resolver], key: tuple[str, str], func: Resolver
) -> None:
    """Put ``func`` in ``table``; a field answered twice would silently lose one of them."""
    if key in table:
        raise ValueError(f"two resolvers for {key[0]}.{key[1]}")
    table[key] = func


def resolver_table() -> tuple[dict[tuple[str, str], Resolver], Register]:
    """A module's own table, and the ``@resolver(type, *fields)`` decorator that fills it."""
    table: dict[tuple[str, str], Resolver] = {}

    def resolver(type_name: str, *fields: str) -> Callable[[Resolver], Resolver]:
        def register(func: Resolver) -> Resolver:
            for field in fields:
                add_resolver(table, (type_name, field), func)
            return func

        return register

    return table, resolver


def store_of(info: Info) -> Store:
    store: Store = info.context["store"]
    return store


def cursor(record: Mapping[str, Any]) -> str:
    return base64.b64encode(json.dumps({"id": number_of(record["id"])}).encode()).decode()


def _after(cursor: str) -> int:
    try:
        value = json.loads(base64.b64decode(cursor.encode()))["id"]
        return int(value)
    except (ValueError, KeyError, TypeError):
        raise GraphQLError("Invalid cursor for current pagination sort.") from None


def connection(
    items: list[Record],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    reverse: bool = False,
    sort_key: str | None = None,
    **_: Any,
) -> dict[str, Any]:
    """A Relay connection over ``items`` with Shopify's page-size rules."""
    if first is None and last is None:
        raise GraphQLError(
            "you must provide one of first or last", extensions={"code": "BAD_REQUEST"}
        )
    for name, value in (("first", first), ("last", last)):
        if value is not None and value > MAX_PAGE:
            raise GraphQLError(
                f"The {name} argument must be less than or equal to {MAX_PAGE}.",
                extensions={"code": "BAD_REQUEST"},
            )
    items = _sorted(items, sort_key)
    if reverse:
        items.reverse()
    ids = [number_of(r["id"]) for r in items]
    start, end = 0, len(items)
    if after is not None:
        marker = _after(after)
        start = ids.index(marker) + 1 if marker in ids else len(items)
    if before is not None:
        marker = _after(before)
        end = ids.index(marker) if marker in ids else end
    window = items[start:end]
    has_previous = start > 0
    has_next = end < len(items)
    if first is not None and len(window) > first:
        window, has_next = window[:first], True
    if last is not None and len(window) > last:
        window, has_previous = window[-last:], True
    edges = [{"cursor": cursor(r), "node": r} for r in window]
    return {
        "edges": edges,
        "nodes": window,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


_SORT_FIELDS = {
    "TITLE": "title",
    "UPDATED_AT": "updatedAt",
    "PUBLISHED_AT": "publishedAt",
    "CREATED_AT": "createdAt",
    "VENDOR": "vendor",
    "PRODUCT_TYPE": "productType",
    "PATH": "path",
}


def _sorted(items: list[Record], sort_key: str | None) -> list[Record]:
    items = sorted(items, key=lambda r: number_of(r["id"]) or 0)
    field = _SORT_FIELDS.get(sort_key or "ID")
    if field is not None:
        items.sort(key=lambda r: (r.get(field) is None, str(r.get(field) or "").lower()))
    if sort_key == "AUTHOR":
        items.sort(key=lambda r: str((r.get("author") or {}).get("name", "")).lower())
    return items


def _terms(query: str) -> list[list[str]]:
    """Shopify's search syntax, the part shopsync and its users need: OR of AND-ed terms."""
    tokens = re.findall(r"""(?:[^\s"']+:)?(?:"[^"]*"|'[^']*')|\S+""", query)
    groups: list[list[str]] = [[]]
    for token in tokens:
        if token == "OR":
            groups.append([])
        elif token != "AND":
            groups[-1].append(token)
    return [g for g in groups if g]


def _match_value(actual: Any, wanted: str) -> bool:
    wanted = wanted.strip("\"'").lower()
    values = actual if isinstance(actual, list) else [actual]
    for value in values:
        text = "" if value is None else str(value).lower()
        if wanted.endswith("*") and text.startswith(wanted[:-1]):
            return True
        if text == wanted:
            return True
    return False


def search(
    items: Iterable[Record], query: str | None, fields: Mapping[str, Callable[[Record], Any]]
) -> list[Record]:
    items = list(items)
    if not query or not query.strip():
        return items
    groups = _terms(query)

    def term_ok(record: Record, term: str) -> bool:
        negate = term.startswith(("-", "NOT "))
        term = term.lstrip("-")
        if ":" in term:
            key, value = term.split(":", 1)
            getter = fields.get(key)
            ok = True if getter is None else _match_value(getter(record), value)
        else:
            word = term.strip("\"'").lower().rstrip("*")
            ok = word in str(record.get("title", "")).lower()
        return ok != negate

    return [r for r in items if any(all(term_ok(r, t) for t in g) for g in groups)]


def searched(
    store: Store,
    kind: str,
    query: str | None,
    fields: Mapping[str, Callable[[Record], Any]],
    keep: Callable[[Record], bool] | None = None,
) -> list[Record]:
    """The ``kind`` records a read answers with, ``keep`` among them. With a ``query:`` that
    is a search, answered from the store's search index (``Store.indexed``: behind the writes
    by its search lag, so ``keep`` and the query see the indexed values); without one, the
    records themselves, never behind."""
    if not query or not query.strip():
        return [r for r in store.all(kind) if keep is None or keep(r)]
    index = [(seen, answer) for seen, answer in store.indexed(kind) if keep is None or keep(seen)]
    answers = {id(seen): answer for seen, answer in index}
    return [answers[id(seen)] for seen in search([seen for seen, _ in index], query, fields)]


def published_status(record: Record) -> list[str]:
    return ["any", "published" if record.get("isPublished") else "unpublished"]


def getter(kind: str) -> Resolver:
    def get(_source: Any, info: Info, id: str) -> Record | None:
        return store_of(info).get(kind, id)

    return get


SearchFields = Mapping[str, Callable[[Record], Any]]


def listing(kind: str, fields: SearchFields | Callable[[Store], SearchFields]) -> Resolver:
    """A root connection (``blogs``, ``articles``...): search, sort, paginate one kind."""

    def resolve(
        _: Any,
        info: Info,
        query: str | None = None,
        sortKey: str | None = None,
        savedSearchId: str | None = None,
        **args: Any,
    ) -> Any:
        store = store_of(info)
        table = fields(store) if callable(fields) else fields
        return connection(searched(store, kind, query, table), sort_key=sortKey, **args)

    return resolve


def count(n: int) -> dict[str, Any]:
    return {"count": n, "precision": "EXACT"}


def user_error(field: list[str] | None, message: str, code: str | None) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code}
