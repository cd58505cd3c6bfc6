"""Metafield definitions for the owner types shopsync writes (ARTICLE, BLOG, PAGE) and PRODUCT.

What a live store does, and where it was seen (captures in the public repository
airhorns/shopify-draft-proxy, ``fixtures/conformance/harry-test-heelo.myshopify.com/``, unless
the file is in ``shared/shopify/captures``):

- ``metafieldDefinitionCreate`` input checks, each a userError on ``["definition", <field>]``,
  several at once: namespace 3-255 characters, key 2-64 (``TOO_SHORT``/``TOO_LONG``), both only
  letters, digits, ``-`` and ``_`` (``INVALID_CHARACTER``), name at most 255 (``TOO_LONG``), an
  unknown type ``INCLUSION`` with the list of valid types
  (``2025-01/metafields/metafield-definition-create-input-validation.json``); a second definition
  for the same owner type, namespace and key is ``TAKEN`` on ``["definition", "key"]``, "Key is in
  use for Product metafields on the 'custom' namespace.", while the same namespace and key on
  another owner type is a new definition
  (``2025-01/metafields/metafield-definition-owner-scoped-duplicates.json``).
- ``$app:`` namespaces resolve to the token's app (``app--<id>--...``) in create, in
  ``metafieldDefinition(identifier:)`` and in ``metafieldDefinitions(namespace:)``; creating in
  another app's reserved namespace is a top-level ``ACCESS_DENIED`` with the field null
  (``2026-04/metafields/metafield-definition-app-namespace-resolution.json``). The docs say the
  same access is needed to the resource type (https://shopify.dev/docs/api/admin-graphql/2025-01/
  mutations/metafieldDefinitionCreate: "Requires API client to have access to the namespace and
  the resource type associated with the metafield definition"): the write scope of the owner's
  resource, refused the same way.
- ``validations`` ``min``/``max``: an option the type has not is ``INVALID_OPTION`` "...'max'
  isn't supported for boolean.", a repeated name ``DUPLICATE_OPTION``, a non-integer bound
  "Validations value for option min must be an integer.", min above max "Validations contains an
  invalid value: 'min' must be less than 'max'."
  (``2025-01/metafields/metafield-definition-validations-input.json``); a value longer than a text
  definition's ``max`` is refused, "Value has a maximum length of 5." ``INVALID_VALUE``
  (``2026-04/metafields/metafield-definition-validation-affects-values.json``).
- Writes under a definition: a ``metafieldsSet`` input without ``type`` takes the definition's
  (``2026-04/metafields/metafieldsSet-type-from-definition.json``); ``Metafield.definition`` is
  the definition, null for an unstructured metafield, and ``metafieldsCount`` counts its
  metafields (``2026-04/metafields/metafield-definition-lifecycle-mutations.json``). Type
  categories (``type { category }``) are those of ``2025-01_metafields_custom-data-field-type-
  matrix.json``.
- Creating a definition over existing unstructured metafields: "the system validates any existing
  unstructured metafields matching the same owner type, namespace, and key against it. The system
  updates each valid metafield's type to match the definition. Invalid metafields remain unchanged
  but must conform to the definition when updated." (the mutation's page above). So the create
  succeeds; the sandbox migrates at once (Shopify runs a job) and reports ``SOME_INVALID`` while
  an invalid one is left.

Not recorded anywhere we could find (needs a live capture): the words of a write whose ``type``
differs from its definition's (the sandbox refuses it, code ``INVALID_TYPE``, the enum's "The type
is invalid"); reading another app's definitions (the sandbox hides them, as its metafields);
``UNSTRUCTURED_ALREADY_EXISTS``, which the docs above do not explain and the sandbox never gives.
Validation options other than ``min``/``max`` on text and number types are not modelled: the
sandbox refuses them rather than accept what it would not enforce.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError

from shopsync.sandbox import metafields as metafield_rules
from shopsync.sandbox.apps import DEFAULT_APP, SandboxApp
from shopsync.sandbox.resolving import Info, connection, resolver_table, searched, store_of
from shopsync.sandbox.store import Record, Store

#: This module's resolvers by ``(type, field)``, for the engine; ``@resolver`` fills it.
RESOLVERS, resolver = resolver_table()

#: Owner types the sandbox holds definitions for: the store's kind of record for each, the word
#: Shopify's TAKEN message uses, and the write scopes that reach the resource.
OWNER_KINDS = {"ARTICLE": "article", "BLOG": "blog", "PAGE": "page", "PRODUCT": "product"}
OWNER_WORDS = {"ARTICLE": "Article", "BLOG": "Blog", "PAGE": "Page", "PRODUCT": "Product"}
_CONTENT_WRITE = ("write_content", "write_online_store_pages")
OWNER_WRITE_SCOPES = {
    "ARTICLE": _CONTENT_WRITE,
    "BLOG": _CONTENT_WRITE,
    "PAGE": _CONTENT_WRITE,
    "PRODUCT": ("write_products",),
}
NAME_MAX = 255
_VALID_CHARACTERS = re.compile(r"^[A-Za-z0-9_-]+$")
ACCESS_REQUIREMENT = (
    "API client to have access to the namespace and the resource type associated with the "
    "metafield definition.\n"
)
SCOPES_DOCS = "https://shopify.dev/api/usage/access-scopes"

#: The types a definition may have, in the order Shopify lists them when refusing one
#: (``metafield-definition-create-input-validation.json``, case ``unknownType``).
DEFINITION_TYPES = (
    "antenna_gain, area, battery_charge_capacity, battery_energy_capacity, boolean, capacitance, "
    "color, concentration, data_storage_capacity, data_transfer_rate, date_time, date, "
    "dimension, display_density, distance, duration, electric_current, electrical_resistance, "
    "energy, frequency, id, illuminance, inductance, json, jurisdiction, language, link, "
    "list.antenna_gain, list.area, list.battery_charge_capacity, list.battery_energy_capacity, "
    "list.capacitance, list.color, list.concentration, list.data_storage_capacity, "
    "list.data_transfer_rate, list.date_time, list.date, list.dimension, "
    "list.display_density, list.distance, list.duration, list.electric_current, "
    "list.electrical_resistance, list.energy, list.frequency, list.illuminance, "
    "list.inductance, list.jurisdiction, list.link, list.luminous_flux, list.mass_flow_rate, "
    "list.number_decimal, list.number_integer, list.power, list.pressure, list.rating, "
    "list.resolution, list.rotational_speed, list.single_line_text_field, list.sound_level, "
    "list.speed, list.temperature, list.thermal_power, list.url, list.voltage, list.volume, "
    "list.volumetric_flow_rate, list.weight, luminous_flux, mass_flow_rate, money, "
    "multi_line_text_field, number_decimal, number_integer, power, pressure, rating, "
    "resolution, rich_text_field, rotational_speed, single_line_text_field, sound_level, speed, "
    "temperature, thermal_power, url, voltage, volume, volumetric_flow_rate, weight, "
    "company_reference, list.company_reference, customer_reference, list.customer_reference, "
    "product_reference, list.product_reference, collection_reference, "
    "list.collection_reference, variant_reference, list.variant_reference, file_reference, "
    "list.file_reference, product_taxonomy_value_reference, "
    "list.product_taxonomy_value_reference, product_taxonomy_disclosure_reference, "
    "metaobject_reference, list.metaobject_reference, mixed_reference, list.mixed_reference, "
    "disclosure_reference, list.disclosure_reference, page_reference, list.page_reference, "
    "article_reference, list.article_reference, order_reference, list.order_reference"
)
_TYPES = frozenset(DEFINITION_TYPES.split(", "))
_CATEGORIES = {
    "boolean": "TRUE_FALSE",
    "color": "COLOR",
    "date": "DATE_TIME",
    "date_time": "DATE_TIME",
    "id": "ID",
    "json": "JSON",
    "language": "LANGUAGE",
    "link": "LINK",
    "money": "MONEY",
    "multi_line_text_field": "TEXT",
    "number_decimal": "NUMBER",
    "number_integer": "NUMBER",
    "rating": "RATING",
    "rich_text_field": "TEXT",
    "single_line_text_field": "TEXT",
    "url": "URL",
}
#: Options the sandbox enforces, by type: lengths for text, bounds for numbers.
_TEXT_TYPES = ("single_line_text_field", "multi_line_text_field")
MODELLED_OPTIONS = {
    **dict.fromkeys(_TEXT_TYPES, ("min", "max")),
    "number_integer": ("min", "max"),
    "number_decimal": ("min", "max"),
}
#: Options Shopify has for a modelled type that the sandbox does not enforce (so refuses).
_UNMODELLED_OPTIONS = {
    **dict.fromkeys(_TEXT_TYPES, ("regex",)),
    "number_decimal": ("max_precision",),
}
_NO_OPTIONS = ("boolean",)


def category_of(type_name: str) -> str:
    base = type_name.removeprefix("list.")
    if base.endswith("_reference"):
        return "REFERENCE"
    return _CATEGORIES.get(base, "MEASUREMENT")


def owner_type_of(store: Store, owner_id: str) -> str | None:
    kind = store.kind_of(owner_id)
    return kind.upper() if kind else None


def definition_for(store: Store, owner_type: str | None, namespace: str, key: str) -> Record | None:
    """The definition of ``namespace.key`` for ``owner_type``, if there is one."""
    return next(
        (
            d
            for d in store.all("definition")
            if (d["ownerType"], d["namespace"], d["key"]) == (owner_type, namespace, key)
        ),
        None,
    )


def app_of(info: Info) -> SandboxApp:
    app: SandboxApp = info.context.get("app") or DEFAULT_APP
    return app


# writes under a definition ------------------------------------------------------------


def typed_under(
    definition: Record | None, item: Mapping[str, Any]
) -> tuple[dict[str, Any], metafield_rules.Problem | None]:
    """``item`` with the definition's type when it has none, or the refusal of another type."""
    typed = dict(item)
    if definition is None:
        return typed, None
    wanted = definition["type"]["name"]
    if not typed.get("type"):
        typed["type"] = wanted
    elif typed["type"] != wanted:
        # Refused per the docs ("must conform to the definition"); Shopify's words for it are not
        # recorded: the code is the enum's INVALID_TYPE ("The type is invalid").
        message = f"Type must be {wanted}, the type of its metafield definition."
        return typed, metafield_rules.Problem("type", message, "INVALID_TYPE")
    return typed, None


def validation_problem(definition: Record | None, value: str) -> metafield_rules.Problem | None:
    """What the definition's ``min``/``max`` say of a value its type already accepts."""
    if definition is None:
        return None
    type_name = definition["type"]["name"]
    for option in definition["validations"]:
        bound = option["value"]
        if type_name in _TEXT_TYPES:
            length = len(value)
            if option["name"] == "max" and length > int(bound):
                return _invalid(f"Value has a maximum length of {bound}.")
            if option["name"] == "min" and length < int(bound):
                return _invalid(f"Value has a minimum length of {bound}.")
        elif type_name in ("number_integer", "number_decimal"):
            number = Decimal(value)
            if option["name"] == "max" and number > Decimal(bound):
                return _invalid(f"Value has a maximum of {bound}.")
            if option["name"] == "min" and number < Decimal(bound):
                return _invalid(f"Value has a minimum of {bound}.")
    return None


def _invalid(message: str) -> metafield_rules.Problem:
    return metafield_rules.Problem("value", message, "INVALID_VALUE")


def _valid_under(store: Store, definition: Record, metafield: Record) -> bool:
    type_name = definition["type"]["name"]
    problem = metafield_rules.value_problem(type_name, metafield["value"], _exists(store))
    return problem is None and validation_problem(definition, metafield["value"]) is None


def _exists(store: Store) -> metafield_rules.Exists:
    def exists(gid: str) -> bool:
        kind = store.kind_of(gid)
        return kind is not None and store.get(kind, gid) is not None

    return exists


def _metafields_under(store: Store, definition: Record) -> list[Record]:
    kind = OWNER_KINDS[definition["ownerType"]]
    return [
        m
        for m in store.all("metafield")
        if (m["namespace"], m["key"]) == (definition["namespace"], definition["key"])
        and store.kind_of(m["ownerId"]) == kind
    ]


# metafieldDefinitionCreate -------------------------------------------------------------


def _access_denied(info: Info) -> GraphQLError:
    return GraphQLError(
        f"Access denied for {info.field_name} field. Required access: {ACCESS_REQUIREMENT}",
        extensions={
            "code": "ACCESS_DENIED",
            "documentation": SCOPES_DOCS,
            "requiredAccess": ACCESS_REQUIREMENT,
        },
    )


def _error(field: str, message: str, code: str) -> dict[str, Any]:
    return {"field": ["definition", field], "message": message, "code": code}


def _name_errors(namespace: str, key: str, name: str) -> list[dict[str, Any]]:
    errors = []
    for field, value, low, high in (("namespace", namespace, 3, 255), ("key", key, 2, 64)):
        word = field.capitalize()
        if len(value) < low:
            message = f"{word} is too short (minimum is {low} characters)"
            errors.append(_error(field, message, "TOO_SHORT"))
        elif len(value) > high:
            message = f"{word} is too long (maximum is {high} characters)"
            errors.append(_error(field, message, "TOO_LONG"))
        elif not _VALID_CHARACTERS.match(value):
            message = f"{word} contains one or more invalid characters."
            errors.append(_error(field, message, "INVALID_CHARACTER"))
    if not name.strip():
        errors.append(_error("name", "Name can't be blank", "BLANK"))
    elif len(name) > NAME_MAX:
        message = f"Name is too long (maximum is {NAME_MAX} characters)"
        errors.append(_error("name", message, "TOO_LONG"))
    return errors


def _type_errors(type_name: str) -> list[dict[str, Any]]:
    if type_name in _TYPES:
        return []
    message = f"Type name {type_name} is not a valid type. Valid types are: {DEFINITION_TYPES}."
    return [_error("type", message, "INCLUSION")]


def _validation_errors(
    type_name: str, options: Sequence[Mapping[str, str]]
) -> list[dict[str, Any]]:
    names = [o["name"] for o in options]
    if len(set(names)) < len(names):
        message = 'Validations cannot contain duplicate "name" options.'
        return [_error("validations", message, "DUPLICATE_OPTION")]
    modelled = MODELLED_OPTIONS.get(type_name, ())
    bounds: dict[str, Decimal] = {}
    for option in options:
        name, value = option["name"], option["value"]
        if name in modelled:
            number = _bound(value, integer=type_name != "number_decimal")
            if number is None:
                kind = "a decimal" if type_name == "number_decimal" else "an integer"
                message = f"Validations value for option {name} must be {kind}."
                return [_error("validations", message, "INVALID_OPTION")]
            bounds[name] = number
        elif type_name in MODELLED_OPTIONS or type_name in _NO_OPTIONS:
            if name in _UNMODELLED_OPTIONS.get(type_name, ()):
                return [_unmodelled(name)]
            message = (
                f"Validations value for option {name} contains an invalid value: "
                f"'{name}' isn't supported for {type_name}."
            )
            return [_error("validations", message, "INVALID_OPTION")]
        else:
            return [_unmodelled(name)]
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        message = "Validations contains an invalid value: 'min' must be less than 'max'."
        return [_error("validations", message, "INVALID_OPTION")]
    return []


def _unmodelled(name: str) -> dict[str, Any]:
    message = f"The sandbox store does not model the validation option {name} (Shopify may)."
    return _error("validations", message, "INVALID_OPTION")


def _bound(value: str, *, integer: bool) -> Decimal | None:
    if integer and not re.fullmatch(r"-?\d+", value.strip()):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


@resolver("Mutation", "metafieldDefinitionCreate")
def m_definition_create(_: Any, info: Info, definition: Mapping[str, Any]) -> Any:
    store = store_of(info)
    app = app_of(info)
    owner_type = definition["ownerType"]
    namespace = app.resolve(definition.get("namespace"))
    granted = set(info.context.get("scopes") or ())
    if not app.may_use(namespace):
        raise _access_denied(info)
    if not granted.intersection(OWNER_WRITE_SCOPES.get(owner_type, ("write_content",))):
        raise _access_denied(info)
    if owner_type not in OWNER_KINDS:
        message = f"The sandbox store does not model {owner_type} metafield definitions."
        return _refused([_error("ownerType", message, "INCLUSION")])
    key, name, type_name = definition["key"], definition["name"], definition["type"]
    options = list(definition.get("validations") or [])
    errors = _name_errors(namespace, key, name) + _type_errors(type_name)
    if not errors:
        errors = _validation_errors(type_name, options)
    if errors:
        return _refused(errors)
    with store.lock:
        if definition_for(store, owner_type, namespace, key) is not None:
            word = OWNER_WORDS[owner_type]
            message = f"Key is in use for {word} metafields on the '{namespace}' namespace."
            return _refused([_error("key", message, "TAKEN")])
        now = store.now()
        pinned = [d["pinnedPosition"] for d in store.all("definition") if d["pinnedPosition"]]
        record = store.insert(
            "definition",
            {
                "name": name,
                "namespace": namespace,
                "key": key,
                "ownerType": owner_type,
                "type": {"name": type_name, "category": category_of(type_name)},
                "description": definition.get("description"),
                "validations": [
                    {"name": o["name"], "value": o["value"], "type": _option_type(type_name)}
                    for o in options
                ],
                "pinnedPosition": (max(pinned, default=0) + 1) if definition.get("pin") else None,
                "createdAt": now,
                "updatedAt": now,
            },
        )
        _migrate(store, record)
        return {"createdDefinition": record, "userErrors": []}


def _option_type(type_name: str) -> str:
    return "number_decimal" if type_name == "number_decimal" else "number_integer"


def _refused(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"createdDefinition": None, "userErrors": errors}


def _migrate(store: Store, definition: Record) -> None:
    """Existing metafields that are valid under the new definition take its type."""
    for metafield in _metafields_under(store, definition):
        if _valid_under(store, definition, metafield):
            metafield["type"] = definition["type"]["name"]
            store.put("metafield", metafield)


# reads ---------------------------------------------------------------------------------


def _visible(info: Info, definition: Record) -> bool:
    return app_of(info).may_use(definition["namespace"])


@resolver("QueryRoot", "metafieldDefinition")
def q_definition(
    _: Any, info: Info, id: str | None = None, identifier: Mapping[str, Any] | None = None
) -> Any:
    store = store_of(info)
    found: Record | None = None
    if id is not None:
        found = store.get("definition", id)
    elif identifier is not None:
        namespace = app_of(info).resolve(identifier.get("namespace"))
        found = definition_for(store, identifier["ownerType"], namespace, identifier["key"])
    return found if found is not None and _visible(info, found) else None


DEFINITION_SEARCH = {
    "namespace": lambda r: r["namespace"],
    "key": lambda r: r["key"],
    "owner_type": lambda r: r["ownerType"],
    "type": lambda r: r["type"]["name"],
}


@resolver("QueryRoot", "metafieldDefinitions")
def q_definitions(
    _: Any,
    info: Info,
    ownerType: str,
    namespace: str | None = None,
    key: str | None = None,
    query: str | None = None,
    sortKey: str | None = None,
    pinnedStatus: str = "ANY",
    **args: Any,
) -> Any:
    app = app_of(info)
    wanted_namespace = app.resolve(namespace) if namespace is not None else None

    def keep(d: Record) -> bool:
        return (
            d["ownerType"] == ownerType
            and (wanted_namespace is None or d["namespace"] == wanted_namespace)
            and (key is None or d["key"] == key)
            and _visible(info, d)
            and _pinned_as(d, pinnedStatus)
        )

    args.pop("constraintSubtype", None)
    args.pop("constraintStatus", None)
    items = searched(store_of(info), "definition", query, DEFINITION_SEARCH, keep)
    return connection(items, **args)


def _pinned_as(definition: Record, status: str) -> bool:
    pinned = definition["pinnedPosition"] is not None
    return status == "ANY" or pinned == (status == "PINNED")


@resolver("MetafieldDefinition", "metafieldsCount")
def f_definition_count(definition: Record, info: Info, validationStatus: str | None = None) -> Any:
    store = store_of(info)
    found = _metafields_under(store, definition)
    if validationStatus in ("VALID", "INVALID"):
        valid = validationStatus == "VALID"
        found = [m for m in found if _valid_under(store, definition, m) == valid]
    return len(found)


@resolver("MetafieldDefinition", "validationStatus")
def f_definition_status(definition: Record, info: Info) -> Any:
    store = store_of(info)
    metafields = _metafields_under(store, definition)
    ok = all(_valid_under(store, definition, m) for m in metafields)
    return "ALL_VALID" if ok else "SOME_INVALID"


@resolver("Metafield", "definition")
def f_metafield_definition(metafield: Record, info: Info) -> Any:
    store = store_of(info)
    owner_type = owner_type_of(store, metafield["ownerId"])
    return definition_for(store, owner_type, metafield["namespace"], metafield["key"])
