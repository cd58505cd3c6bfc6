"""Products, metafields, redirects and the app's own view of the store (scopes, versions)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from shopsync.sandbox import definitions
from shopsync.sandbox import metafields as metafield_rules
from shopsync.sandbox.apps import ACCESS_MESSAGE, SandboxApp
from shopsync.sandbox.definitions import app_of
from shopsync.sandbox.resolving import (
    Info,
    connection,
    cursor,
    getter,
    listing,
    resolver_table,
    store_of,
    user_error,
)
from shopsync.sandbox.store import Record, Store, number_of

#: This module's resolvers by ``(type, field)``, for the engine; ``@resolver`` fills it.
RESOLVERS, resolver = resolver_table()

STALE_MESSAGE = (
    "The resource has been updated since it was loaded. "
    "Try again with an updated `compareDigest` value."
)


DEFAULT_VERSIONS = ("2025-07", "2025-10", "2026-01", "2026-04", "2026-07")


PRODUCT_SEARCH: dict[str, Callable[[Record], Any]] = {
    "handle": lambda r: r["handle"],
    "title": lambda r: r["title"],
    "status": lambda r: r["status"],
    "vendor": lambda r: r.get("vendor"),
    "product_type": lambda r: r.get("productType"),
    "tag": lambda r: r.get("tags") or [],
    "id": lambda r: number_of(r["id"]),
}


REDIRECT_SEARCH: dict[str, Callable[[Record], Any]] = {
    "path": lambda r: r["path"],
    "target": lambda r: r["target"],
    "id": lambda r: number_of(r["id"]),
}


resolver("QueryRoot", "product")(getter("product"))


resolver("QueryRoot", "urlRedirect")(getter("redirect"))
resolver("QueryRoot", "products")(listing("product", PRODUCT_SEARCH))
resolver("QueryRoot", "urlRedirects")(listing("redirect", REDIRECT_SEARCH))


@resolver("QueryRoot", "productByIdentifier")
def q_product_by_identifier(_: Any, info: Info, identifier: Mapping[str, Any]) -> Any:
    store = store_of(info)
    if identifier.get("id"):
        return store.get("product", identifier["id"])
    if identifier.get("handle") is not None:
        return store.product_by_handle(identifier["handle"])
    return None


@resolver("QueryRoot", "node")
def q_node(_: Any, info: Info, id: str) -> Any:
    store = store_of(info)
    kind = store.kind_of(id)
    found = store.get(kind, id) if kind else None
    # Another app's reserved metafields and definitions are private to it (apps.py).
    if kind in ("metafield", "definition") and found is not None:
        return found if app_of(info).may_use(found["namespace"]) else None
    return found


@resolver("QueryRoot", "nodes")
def q_nodes(_: Any, info: Info, ids: list[str]) -> Any:
    return [q_node(None, info, i) for i in ids]


@resolver("QueryRoot", "currentAppInstallation")
def q_installation(_: Any, info: Info) -> Any:
    """The token's app and its installation (apps.py): ``app { id }`` names its namespace."""
    scopes = info.context.get("scopes") or []
    app = app_of(info)
    return {
        "id": app.installation_gid,
        "app": {"id": app.gid, "handle": app.handle, "title": app.title},
        "accessScopes": [{"handle": s, "description": s.replace("_", " ")} for s in scopes],
    }


@resolver("QueryRoot", "publicApiVersions")
def q_versions(_: Any, info: Info) -> Any:
    supported = list(info.context.get("api_versions") or DEFAULT_VERSIONS)
    listed = [{"handle": "2025-01", "displayName": "2025-01", "supported": False}]
    listed += [{"handle": v, "displayName": v, "supported": True} for v in supported]
    listed.append({"handle": "unstable", "displayName": "unstable", "supported": False})
    return listed


def _owner_metafield(owner: Record, info: Info, key: str, namespace: str | None = None) -> Any:
    app = app_of(info)
    namespace, key = _split_key(app, namespace, key)
    if not app.may_use(namespace):
        return None  # another app's reserved namespace: private to that app
    return _metafield_of(store_of(info), owner["id"], namespace, key)


def _metafield_of(store: Store, owner_id: str, namespace: str, key: str) -> Record | None:
    """The owner's metafield ``namespace.key``, if it has one."""
    return next(
        (
            m
            for m in store.metafields_of(owner_id)
            if (m["namespace"], m["key"]) == (namespace, key)
        ),
        None,
    )


def _owner_metafields(
    owner: Record,
    info: Info,
    namespace: str | None = None,
    keys: list[str] | None = None,
    **args: Any,
) -> Any:
    app = app_of(info)
    items = [m for m in store_of(info).metafields_of(owner["id"]) if app.may_use(m["namespace"])]
    if namespace is not None:
        namespace = app.resolve(namespace)
        items = [m for m in items if m["namespace"] == namespace]
    if keys is not None:
        wanted = {_split_key(app, None if "." in k else namespace, k) for k in keys}
        items = [m for m in items if (m["namespace"], m["key"]) in wanted]
    return connection(items, **args)


for _type in ("Article", "Blog", "Page", "Product", "AppInstallation", "Image"):
    resolver(_type, "metafield")(_owner_metafield)
    resolver(_type, "metafields")(_owner_metafields)


def _split_key(app: SandboxApp, namespace: str | None, key: str) -> tuple[str, str]:
    """(namespace, key) as stored: ``key`` may say ``namespace.key``; ``$app:``, ``$app`` and
    no namespace at all resolve to the token's app's reserved namespace (apps.py)."""
    if namespace is None and "." in key:
        ns, _, rest = key.partition(".")
        return app.resolve(ns), rest
    return app.resolve(namespace), key


@resolver("Metafield", "owner")
def f_mf_owner(metafield: Record, info: Info) -> Any:
    store = store_of(info)
    kind = store.kind_of(metafield["ownerId"])
    return store.get(kind, metafield["ownerId"]) if kind else None


@resolver("Metafield", "ownerType")
def f_mf_owner_type(metafield: Record, info: Info) -> Any:
    kind = store_of(info).kind_of(metafield["ownerId"])
    return kind.upper() if kind else None


@resolver("Metafield", "jsonValue")
def f_mf_json(metafield: Record, info: Info) -> Any:
    return _json_value(metafield["type"], metafield["value"])


@resolver("Metafield", "compareDigest")
def f_mf_digest(metafield: Record, info: Info) -> Any:
    return _digest(metafield)


@resolver("Metafield", "sizeInBytes")
def f_mf_size(metafield: Record, info: Info) -> Any:
    return len(metafield["value"].encode())


@resolver("Metafield", "reference")
def f_mf_reference(metafield: Record, info: Info) -> Any:
    if not metafield["type"].endswith("_reference") or metafield["type"].startswith("list."):
        return None
    return q_node(None, info, metafield["value"])


@resolver("Metafield", "references")
def f_mf_references(metafield: Record, info: Info, **args: Any) -> Any:
    if not metafield["type"].startswith("list.") or not metafield["type"].endswith("_reference"):
        return None
    nodes = [q_node(None, info, i) for i in json.loads(metafield["value"])]
    found = [n for n in nodes if n is not None]
    # References keep the list's order, not the id order a connection would sort by.
    result = connection(found, **args)
    if args.get("first") is not None and not args.get("after"):
        window = found[: args["first"]]
        result["nodes"] = window
        result["edges"] = [{"cursor": cursor(n), "node": n} for n in window]
    return result


def _digest(metafield: Record) -> str:
    return hashlib.sha256(
        f"{metafield['id']}:{metafield['updatedAt']}:{metafield['value']}".encode()
    ).hexdigest()


def _json_value(type_name: str, value: str) -> Any:
    if type_name.startswith("list.") or type_name in (
        "json",
        "rating",
        "dimension",
        "volume",
        "weight",
        "money",
        "link",
        "rich_text_field",
    ):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if type_name == "number_integer":
        return int(value)
    if type_name == "number_decimal":
        return value
    if type_name == "boolean":
        return value == "true"
    return value


@resolver("Image", "url")
def f_image_url(image: Record, info: Info, **_: Any) -> Any:
    return image.get("url")


def metafield_errors(
    store: Store,
    items: list[Mapping[str, Any]],
    path: list[str],
    *,
    owner_type: str,
    app: SandboxApp,
) -> list[dict[str, Any]]:
    """Problems of inline ``metafields`` on a create or update of an ``owner_type`` resource.

    As ``metafieldsSet`` (``_set_errors``) judges them: namespaces resolved for ``app``, another
    app's reserved one refused, type and value held to a definition when there is one. The
    refusal of another app's namespace here has no live recording: its words are those of
    ``metafieldsSet`` and its code INVALID (the payload's enums have no APP_NOT_AUTHORIZED).
    """
    errors = []
    for index, item in enumerate(items):
        resolved = {**item, "namespace": app.resolve(item.get("namespace"))}
        if not app.may_use(resolved["namespace"]):
            errors.append(user_error([*path, str(index)], ACCESS_MESSAGE, "INVALID"))
            continue
        problem = _problem(store, owner_type, resolved, existing=None)
        if problem is not None:
            errors.append(
                user_error([*path, str(index), problem.field], problem.message, problem.code)
            )
    return errors


def _problem(
    store: Store, owner_type: str | None, item: Mapping[str, Any], existing: Record | None
) -> metafield_rules.Problem | None:
    """The first problem of one metafield input whose namespace is resolved: the definition's
    type when there is a definition (else the stored type when ``type`` is left out), then the
    value under that type and the definition's validations."""
    namespace, key = item["namespace"], str(item.get("key") or "")
    definition = definitions.definition_for(store, owner_type, namespace, key)
    typed, refusal = definitions.typed_under(definition, item)
    if refusal is not None:
        return refusal
    if not typed.get("type") and existing is not None:
        typed["type"] = existing["type"]
    problem = metafield_rules.check(typed, _exists(store))
    if problem is None and typed.get("value") is not None:
        problem = definitions.validation_problem(definition, str(typed["value"]))
    return problem


def _exists(store: Store) -> Callable[[str], bool]:
    def exists(gid: str) -> bool:
        kind = store.kind_of(gid)
        return kind is not None and store.get(kind, gid) is not None

    return exists


def write_metafields(
    store: Store, owner_id: str, items: Iterable[Mapping[str, Any]], app: SandboxApp
) -> list[Record]:
    """Upsert by (namespace, key), as Shopify does for inline and ``metafieldsSet`` writes.

    Namespaces resolve for ``app``; a type left out is the definition's, else the stored one.
    """
    written = []
    existing = {(m["namespace"], m["key"]): m for m in store.metafields_of(owner_id)}
    owner_type = definitions.owner_type_of(store, owner_id)
    now = store.now()
    for item in items:
        namespace, key = _split_key(app, item.get("namespace"), str(item["key"]))
        definition = definitions.definition_for(store, owner_type, namespace, key)
        found = existing.get((namespace, key))
        type_name = (
            item.get("type")
            or (definition["type"]["name"] if definition else None)
            or (found or {}).get("type")
        )
        if found is None:
            record = store.insert(
                "metafield",
                {
                    "ownerId": owner_id,
                    "namespace": namespace,
                    "key": key,
                    "type": type_name,
                    "value": item["value"],
                    "createdAt": now,
                    "updatedAt": now,
                },
            )
        else:
            if found["value"] != item["value"] or found["type"] != type_name:
                found.update({"value": item["value"], "type": type_name, "updatedAt": now})
            record = store.put("metafield", found)
        existing[(namespace, key)] = record
        written.append(record)
    return written


def redirect(store: Store, old: str, new: str) -> None:
    for r in store.all("redirect"):
        if r["path"] == old:
            store.delete("redirect", r["id"])
    store.insert("redirect", {"path": old, "target": new})


def delete_owned(store: Store, owner_id: str) -> None:
    for metafield in store.metafields_of(owner_id):
        store.delete("metafield", metafield["id"])


@resolver("Mutation", "metafieldsSet")
def m_metafields_set(_: Any, info: Info, metafields: list[Mapping[str, Any]]) -> Any:
    store = store_of(info)
    app = app_of(info)
    with store.lock:
        if len(metafields) > 25:
            return {
                "metafields": None,
                "userErrors": [
                    {
                        "field": ["metafields"],
                        "message": "Exceeded the maximum metafields input limit of 25.",
                        "code": "LESS_THAN_OR_EQUAL_TO",
                        "elementIndex": None,
                    }
                ],
            }
        errors = [e for i, item in enumerate(metafields) for e in _set_errors(store, app, i, item)]
        if errors:
            return {"metafields": [], "userErrors": errors}
        written = []
        for item in metafields:
            written += write_metafields(store, item["ownerId"], [item], app)
        return {"metafields": written, "userErrors": []}


def _set_errors(
    store: Store, app: SandboxApp, index: int, item: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """What is wrong with one ``metafieldsSet`` input: owner, namespace, value, stale digest."""
    if not _exists(store)(item["ownerId"]):
        return [
            {
                "field": ["metafields", str(index), "ownerId"],
                "message": "Owner does not exist.",
                "code": "INVALID",
                "elementIndex": index,
            }
        ]
    namespace, key = _split_key(app, item.get("namespace"), item["key"])
    if not app.may_use(namespace):
        # metafields-set-delete-app-namespace-resolution.json, case crossAppSet.
        return [
            {
                "field": ["metafields", str(index)],
                "message": ACCESS_MESSAGE,
                "code": "APP_NOT_AUTHORIZED",
                "elementIndex": None,
            }
        ]
    errors = []
    existing = _metafield_of(store, item["ownerId"], namespace, key)
    owner_type = definitions.owner_type_of(store, item["ownerId"])
    resolved = {**item, "namespace": namespace, "key": key}
    problem = _problem(store, owner_type, resolved, existing)
    if problem is not None:
        errors.append(
            {
                "field": ["metafields", str(index), problem.field],
                "message": problem.message,
                "code": problem.code,
                "elementIndex": problem.element_index,
            }
        )
    digest = item.get("compareDigest")
    if digest is not None and (existing is None or _digest(existing) != digest):
        errors.append(
            {
                "field": ["metafields", str(index)],
                "message": STALE_MESSAGE,
                "code": "STALE_OBJECT",
                "elementIndex": index,
            }
        )
    return errors


@resolver("Mutation", "metafieldsDelete")
def m_metafields_delete(_: Any, info: Info, metafields: list[Mapping[str, Any]]) -> Any:
    store = store_of(info)
    app = app_of(info)
    with store.lock:
        wanted = [(item, app.resolve(item["namespace"])) for item in metafields]
        if any(not app.may_use(namespace) for _item, namespace in wanted):
            # metafields-set-delete-app-namespace-resolution.json, case crossAppDelete: nothing
            # deleted, one error on the whole list.
            return {
                "deletedMetafields": [],
                "userErrors": [user_error(["metafields"], ACCESS_MESSAGE, None)],
            }
        deleted: list[dict[str, Any] | None] = []
        for item, namespace in wanted:
            found = _metafield_of(store, item["ownerId"], namespace, item["key"])
            if found is None:
                deleted.append(None)
                continue
            store.delete("metafield", found["id"])
            # Read back resolved (app--<id>--...), as the capture shows.
            deleted.append({"ownerId": item["ownerId"], "namespace": namespace, "key": item["key"]})
        return {"deletedMetafields": deleted, "userErrors": []}


@resolver("Mutation", "urlRedirectCreate")
def m_redirect_create(_: Any, info: Info, urlRedirect: Mapping[str, Any]) -> Any:
    store = store_of(info)
    with store.lock:
        path, target = urlRedirect.get("path"), urlRedirect.get("target")
        errors = []
        if not path:
            errors.append(
                {
                    "field": ["urlRedirect", "path"],
                    "message": "Path can't be blank",
                    "code": "CREATE_FAILED",
                }
            )
        elif any(r["path"] == path for r in store.all("redirect")):
            errors.append(
                {
                    "field": ["urlRedirect", "path"],
                    "message": "Path has already been taken",
                    "code": "CREATE_FAILED",
                }
            )
        if not target:
            errors.append(
                {
                    "field": ["urlRedirect", "target"],
                    "message": "Target can't be blank",
                    "code": "CREATE_FAILED",
                }
            )
        elif path == target:
            errors.append(
                {
                    "field": ["urlRedirect", "target"],
                    "message": "Target cannot be the same as path",
                    "code": "CREATE_FAILED",
                }
            )
        if errors:
            return {"urlRedirect": None, "userErrors": errors}
        return {
            "urlRedirect": store.insert("redirect", {"path": path, "target": target}),
            "userErrors": [],
        }


@resolver("Mutation", "urlRedirectDelete")
def m_redirect_delete(_: Any, info: Info, id: str) -> Any:
    store = store_of(info)
    if store.delete("redirect", id) is None:
        return {
            "deletedUrlRedirectId": None,
            "userErrors": [
                {
                    "field": ["id"],
                    "message": "Url redirect does not exist",
                    "code": "DOES_NOT_EXIST",
                }
            ],
        }
    return {"deletedUrlRedirectId": id, "userErrors": []}
