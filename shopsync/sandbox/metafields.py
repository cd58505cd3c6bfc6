"""Shopify's validation of a metafield write, as recorded on a live store.

The messages, codes and fields follow ``captures/2025-01_metafields_metafields-set-input-
validation.json`` case by case; ``elementIndex`` is the index of the bad element of a list
value (null otherwise), which is how Shopify reports it.

Value sizes are Shopify's for API 2026-04 and later (shopify.dev, "Metafield limits", and the
changelog "JSON metafield values limited to 128KB"): a ``json`` value at most 128 KB (131,072
bytes of UTF-8; the 2 MB of apps grandfathered before April 2026 is not ours), ``id`` and
``url`` 2 KB, every other type 64 KB (65,536 bytes); each element of a list type is held to
its base type's limit. No live recording of the refusal exists: the code is ``TOO_LONG``, the
one the metafield error enums have for it (they have no ``TOO_BIG``), and the message is worded
as the store words its other byte limits ("Content is too big (maximum is 512 KB)" for a page
body in the captures, "Address is too big (maximum is 64 KB)" for a webhook address).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

RESERVED_NAMESPACES = {"shopify_standard", "protected", "shopify-l10n-fields"}
LIST_MAX = 128
DECIMAL_MAX = 9_999_999_999_999
URL_SCHEMES = ("http", "https", "mailto", "sms", "tel")
UNITS = {
    "weight": {"g", "kg", "lb", "oz"},
    "volume": {
        "ml",
        "cl",
        "l",
        "m3",
        "us_fl_oz",
        "us_pt",
        "us_qt",
        "us_gal",
        "imp_fl_oz",
        "imp_pt",
        "imp_qt",
        "imp_gal",
    },
    "dimension": {"in", "ft", "yd", "mm", "cm", "m"},
}
REFERENCE_TYPES = {
    "product_reference": "Product",
    "page_reference": "Page",
    "article_reference": "Article",
}
GID = re.compile(r"^gid://shopify/(\w+)/(\d+)$")
KB = 1024
VALUE_MAX_BYTES = 64 * KB
VALUE_MAX_BYTES_BY_TYPE = {"json": 128 * KB, "id": 2 * KB, "url": 2 * KB}
Exists = Callable[[str], bool]


@dataclass(frozen=True)
class Problem:
    field: str  # "namespace", "key", "value", "type"
    message: str
    code: str | None
    element_index: int | None = None


def check(item: Mapping[str, Any], exists: Exists) -> Problem | None:
    """The first problem of one metafield input, or None; ``exists`` answers for references."""
    namespace = item.get("namespace")
    key = item.get("key") or ""
    if namespace is not None:
        if len(namespace) < 3:
            return Problem(
                "namespace", "Namespace is too short (minimum is 3 characters)", "TOO_SHORT"
            )
        if len(namespace) > 255:
            return Problem(
                "namespace", "Namespace is too long (maximum is 255 characters)", "TOO_LONG"
            )
        if namespace in RESERVED_NAMESPACES:
            return Problem("namespace", f"Namespace {namespace} is a reserved namespace", None)
    if len(key) < 2:
        return Problem("key", "Key is too short (minimum is 2 characters)", "TOO_SHORT")
    if len(key) > 64:
        return Problem("key", "Key is too long (maximum is 64 characters)", "TOO_LONG")
    type_name = item.get("type")
    if not type_name:
        return Problem("type", "Type can't be blank.", "BLANK")
    value = item.get("value")
    if value is None:
        return Problem("value", "Value can't be blank.", "BLANK")
    return value_problem(str(type_name), str(value), exists)


def value_problem(type_name: str, value: str, exists: Exists) -> Problem | None:
    if type_name.startswith("list."):
        return _list_problem(type_name.removeprefix("list."), value, exists)
    too_big = _size_message(type_name, value)
    if too_big:
        return Problem("value", too_big, "TOO_LONG")
    message = _scalar_message(type_name, value, exists)
    return Problem("value", message, "INVALID_VALUE") if message else None


def _size_message(type_name: str, value: str) -> str | None:
    """Shopify refuses a value over its type's size before looking at what it says."""
    limit = VALUE_MAX_BYTES_BY_TYPE.get(type_name, VALUE_MAX_BYTES)
    if len(value.encode("utf-8")) <= limit:
        return None
    return f"Value is too big (maximum is {limit // KB} KB)"


def _list_problem(base: str, value: str, exists: Exists) -> Problem | None:
    try:
        items = json.loads(value)
    except ValueError as exc:
        return Problem("value", _json_message(value, exc), "INVALID_VALUE")
    if not isinstance(items, list):
        return Problem("value", "Value must be an array.", "INVALID_VALUE")
    if len(items) > LIST_MAX:
        return Problem("value", f"Value has more than {LIST_MAX} elements.", "INVALID_VALUE")
    for index, element in enumerate(items):
        text = element if isinstance(element, str) else json.dumps(element)
        if base == "number_integer" and not isinstance(element, int):
            text = json.dumps(element)
        too_big = _size_message(base, text)
        if too_big:
            return Problem("value", too_big, "TOO_LONG", index)
        message = _scalar_message(base, text, exists)
        if message:
            # References name the missing resource; other types point at the element.
            where = None if base in REFERENCE_TYPES else index
            return Problem("value", message, "INVALID_VALUE", where)
    return None


def _scalar_message(type_name: str, value: str, exists: Exists) -> str | None:
    checker = _CHECKS.get(type_name)
    if checker is None:
        return None if type_name in _FREE_TYPES else f"Type '{type_name}' is not a valid type."
    return checker(value, exists)


def _text(value: str, _exists: Exists) -> str | None:
    if not value.strip():
        return "Value can't be blank."
    return "Value must be a single line text string." if "\n" in value else None


def _multi_text(value: str, _exists: Exists) -> str | None:
    return "Value can't be blank." if not value.strip() else None


def _integer(value: str, _exists: Exists) -> str | None:
    return None if re.fullmatch(r"-?\d+", value) else "Value must be an integer."


def _decimal(value: str, _exists: Exists) -> str | None:
    if not re.fullmatch(r"-?\d+(\.\d+)?", value):
        return "Value must be a decimal."
    if abs(float(value)) > DECIMAL_MAX:
        return f"Value can't exceed {DECIMAL_MAX}."
    return None


def _boolean(value: str, _exists: Exists) -> str | None:
    return None if value in ("true", "false") else "Value must be true or false."


def _color(value: str, _exists: Exists) -> str | None:
    return None if re.fullmatch(r"#[0-9a-fA-F]{6}", value) else "Value must be a hex color code."


def _date(value: str, _exists: Exists) -> str | None:
    return (
        None if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else "Value must be in YYYY-MM-DD format."
    )


def _date_time(value: str, _exists: Exists) -> str | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?", value):
        return None
    return (
        "Value must be in \u201cYYYY-MM-DDTHH:MM:SS\u201d format. For example: 2022-06-01T15:30:00"
    )


def _url(value: str, _exists: Exists) -> str | None:
    scheme = value.split(":", 1)[0] if ":" in value else ""
    if scheme in URL_SCHEMES:
        return None
    schemes = ", ".join(f'"{s}"' for s in URL_SCHEMES)
    if not scheme:
        return (
            "Value cannot have an empty scheme (protocol), must include one of the following "
            f"URL schemes: [{schemes}].'"
        )
    return f"Value must include one of the following URL schemes: [{schemes}]."


def _json(value: str, _exists: Exists) -> str | None:
    try:
        json.loads(value)
    except ValueError as exc:
        return _json_message(value, exc)
    return None


def _json_message(value: str, exc: ValueError) -> str:
    """Shopify's (Ruby's) wording for the commonest JSON mistake, else a plain one."""
    if isinstance(exc, json.JSONDecodeError) and exc.msg.startswith("Expecting property name"):
        token = re.match(r"[^\s,:{}\[\]\"]+", value[exc.pos :])
        got = token.group(0) if token else value[exc.pos : exc.pos + 1]
        where = f"line {exc.lineno} column {exc.colno}"
        return f"Value is invalid JSON: expected object key, got '{got}' at {where}."
    return "Value is invalid JSON."


def _object(value: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _measure(kind: str) -> Callable[[str, Exists], str | None]:
    def check_measure(value: str, _exists: Exists) -> str | None:
        data = _object(value)
        if data is None:
            return "Value must be a stringified JSON object with value and unit fields."
        number = data.get("value")
        if not isinstance(number, int | float) or number < 0:
            return "Value must be a non-negative number."
        if kind in UNITS and str(data.get("unit", "")).lower() not in UNITS[kind]:
            return "Value must be a supported unit."
        return None

    return check_measure


def _money(value: str, _exists: Exists) -> str | None:
    data = _object(value)
    if data is None or "amount" not in data or not isinstance(data.get("currency_code"), str):
        return (
            "Value must be a stringified JSON object with amount (numeric) and currency_code "
            "(string matching the shop's currency) fields."
        )
    return None


def _rating(value: str, _exists: Exists) -> str | None:
    data = _object(value)
    try:
        rating = float(data["value"]) if data else None
        low, high = float(data["scale_min"]), float(data["scale_max"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return "Value must be a stringified JSON object with value, scale_min and scale_max."
    assert rating is not None
    if rating > high:
        return f"Value has a maximum of {data['scale_max']}."  # type: ignore[index]
    if rating < low:
        return f"Value has a minimum of {data['scale_min']}."  # type: ignore[index]
    return None


def _link(value: str, _exists: Exists) -> str | None:
    data = _object(value)
    url = str(data.get("url", "")) if data else ""
    if data is None or "label" not in data or url.split(":", 1)[0] not in URL_SCHEMES:
        return "Value must be a valid link."
    return None


def _reference(type_name: str) -> Callable[[str, Exists], str | None]:
    wanted = REFERENCE_TYPES[type_name]

    def check_reference(value: str, exists: Exists) -> str | None:
        match = GID.match(value)
        if match is None or match.group(1) != wanted or not exists(value):
            return f"Value references non-existent resource {value}."
        return None

    return check_reference


_CHECKS: dict[str, Callable[[str, Exists], str | None]] = {
    "single_line_text_field": _text,
    "multi_line_text_field": _multi_text,
    "number_integer": _integer,
    "number_decimal": _decimal,
    "boolean": _boolean,
    "color": _color,
    "date": _date,
    "date_time": _date_time,
    "url": _url,
    "json": _json,
    "money": _money,
    "rating": _rating,
    "link": _link,
    "weight": _measure("weight"),
    "volume": _measure("volume"),
    "dimension": _measure("dimension"),
    **{name: _reference(name) for name in REFERENCE_TYPES},
}
# Accepted as given: shopsync never writes these and the sandbox does not model them.
_FREE_TYPES = {
    "rich_text_field",
    "collection_reference",
    "file_reference",
    "metaobject_reference",
    "variant_reference",
    "customer_reference",
    "company_reference",
    "mixed_reference",
    "id",
    "language",
    "antenna_gain",
    "area",
    "battery_charge_capacity",
    "battery_energy_capacity",
    "capacitance",
    "concentration",
    "data_storage_capacity",
    "data_transfer_rate",
    "display_density",
    "distance",
    "duration",
    "electric_current",
    "electrical_resistance",
    "energy",
    "frequency",
    "illuminance",
    "inductance",
    "luminous_flux",
    "mass_flow_rate",
    "power",
    "pressure",
    "resolution",
    "rotational_speed",
    "sound_level",
    "speed",
    "temperature",
    "thermal_power",
    "voltage",
    "volumetric_flow_rate",
}
