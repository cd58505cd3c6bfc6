"""Replay live-store captures against the sandbox and compare what comes back.

A capture is a JSON file from ``shared/shopify/captures``; every recorded step is an object with
``request {query, variables}`` and ``response``. Steps are replayed in file order, so creates run
before the reads and updates that use their ids. What cannot match by nature is normalised:

- ids: a GID the live store returned is mapped to the one the sandbox returned at the same place,
  and later requests get the sandbox's id; ids in responses compare through that mapping;
- timestamps (ISO date-times), cursors, request ids inside messages: replaced by placeholders;
- Shopify's ``compareDigest`` and the CDN URL and size of a downloaded image: opaque;
- ``extensions``: only ``extensions.cost`` is compared, and only its shape (the live store's bucket
  level depended on traffic we cannot reproduce).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from graphql import GraphQLSchema, OperationDefinitionNode, parse

GID = re.compile(r"gid://shopify/[A-Za-z]+/\d+")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
REQUEST_ID = re.compile(r"Request ID: [\w-]+")
CURSOR_KEYS = {"cursor", "startCursor", "endCursor", "defaultCursor"}
# Opaque by nature: Shopify's digest algorithm, and the CDN copy of an image it downloaded
# (new URL, and a size the sandbox cannot know without the network).
OPAQUE_KEYS = {"compareDigest"}
IMAGE_KEYS = {"url", "width", "height", "src", "originalSrc", "transformedSrc"}


@dataclass
class Step:
    name: str
    query: str
    variables: dict[str, Any]
    response: dict[str, Any]
    status: int


@dataclass
class Outcome:
    step: str
    ok: bool
    detail: str = ""


@dataclass
class Replay:
    """One capture being replayed: the id mapping grows as steps run."""

    url: str
    token: str
    ids: dict[str, str] = field(default_factory=dict)

    def run(self, step: Step) -> Outcome:
        variables = self._substitute(step.variables)
        query = self._substitute(step.query)
        reply = requests.post(
            self.url,
            json={"query": query, "variables": variables},
            headers={"X-Shopify-Access-Token": self.token},
            timeout=30,
        )
        got = reply.json()
        self._learn(step.response, got)
        expected = normalise(self._substitute(step.response), self.ids)
        actual = normalise(got, {})
        if reply.status_code != step.status:
            return Outcome(step.name, False, f"HTTP {reply.status_code}, live store {step.status}")
        diff = differences(expected, actual)
        return Outcome(step.name, not diff, "; ".join(diff[:5]))

    def _substitute(self, value: Any) -> Any:
        """Recorded ids and cursors replaced by the sandbox's, wherever they appear."""
        if isinstance(value, dict):
            return {k: self._substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._substitute(v) for v in value]
        if isinstance(value, str):
            if value in self.ids:
                return self.ids[value]
            return GID.sub(lambda m: self.ids.get(m.group(0), m.group(0)), value)
        return value

    def _learn(self, recorded: Any, got: Any, key: str = "") -> None:
        """Map each GID the live store returned to what the sandbox returned in its place."""
        if isinstance(recorded, dict) and isinstance(got, dict):
            for key, value in recorded.items():
                if key in got:
                    self._learn(value, got[key], key)
        elif isinstance(recorded, list) and isinstance(got, list):
            for a, b in zip(recorded, got, strict=False):
                self._learn(a, b, key)
        elif (
            isinstance(recorded, str)
            and isinstance(got, str)
            and recorded not in self.ids
            and ((GID.fullmatch(recorded) and GID.fullmatch(got)) or key in CURSOR_KEYS)
        ):
            self.ids[recorded] = got


def normalise(value: Any, ids: dict[str, str], key: str = "") -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in OPAQUE_KEYS or (key == "image" and k in IMAGE_KEYS):
                out[k] = "<opaque>"
                continue
            if k == "extensions" and isinstance(v, dict):
                cost = v.get("cost")
                out[k] = {"cost": sorted(cost)} if isinstance(cost, dict) else {}
                continue
            out[k] = normalise(v, ids, k)
        return out
    if isinstance(value, list):
        return [normalise(v, ids, key) for v in value]
    if isinstance(value, str):
        if key in CURSOR_KEYS:
            return "<cursor>"
        if DATETIME.match(value):
            return "<time>"
        return REQUEST_ID.sub("Request ID: <id>", value)
    return value


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[str] = []
        for key in expected.keys() | actual.keys():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            elif key not in expected:
                out.append(f"{path}.{key}: unexpected {json.dumps(actual[key])[:80]}")
            else:
                out += differences(expected[key], actual[key], f"{path}.{key}")
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [
            d
            for i, (a, b) in enumerate(zip(expected, actual, strict=False))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    if expected != actual:
        return [f"{path}: live {json.dumps(expected)[:120]} != sandbox {json.dumps(actual)[:120]}"]
    return []


# Captures that recorded only variables, because every case sent the same document.
IMPLIED_QUERIES = {
    "metafields-set-input-validation": (
        "mutation MetafieldsSetInputValidation($metafields: [MetafieldsSetInput!]!) {"
        " metafieldsSet(metafields: $metafields) {"
        " metafields { id } userErrors { field message code elementIndex } } }"
    ),
}


def steps(capture: Path) -> Iterator[Step]:
    data = json.loads(capture.read_text(encoding="utf-8"))
    implied = next((q for name, q in IMPLIED_QUERIES.items() if name in capture.name), None)

    def walk(node: Any, name: str) -> Iterator[Step]:
        if isinstance(node, dict):
            request = node.get("request")
            if isinstance(request, dict) and "query" not in request and implied is not None:
                request = {**request, "query": implied}
            if isinstance(request, dict) and "query" in request and "response" in node:
                label = node.get("name") or name
                yield Step(
                    str(label),
                    request["query"],
                    request.get("variables") or {},
                    node["response"],
                    int(node.get("status", 200)),
                )
                return
            for key, value in node.items():
                yield from walk(value, f"{name}.{key}" if name else str(key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{name}[{index}]")

    yield from walk(data, "")


def out_of_scope(step: Step, schema: GraphQLSchema) -> str | None:
    """Why the sandbox does not serve this step, or None when it should answer like Shopify."""
    try:
        document = parse(step.query)
    except Exception as exc:  # a capture of a syntax error is in scope only if we parse alike
        return f"unparseable capture: {exc}"
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        root = (
            schema.mutation_type if definition.operation.value == "mutation" else schema.query_type
        )
        assert root is not None
        for selection in definition.selection_set.selections:
            name = getattr(getattr(selection, "name", None), "value", None)
            if name is not None and name not in root.fields and not name.startswith("__"):
                return f"root field {name} is not served by the sandbox"
    return None


def preexisting_products(capture: Path, schema: GraphQLSchema) -> list[str]:
    """Products a capture uses that no step the sandbox serves created: the store had them.

    Ids the live store called non-existent are left out: those cases test a missing product.
    """
    created: set[str] = set()
    missing: set[str] = set()
    used: list[str] = []
    for step in steps(capture):
        if out_of_scope(step, schema):
            continue
        for gid in GID.findall(json.dumps(step.variables) + step.query):
            if gid.startswith("gid://shopify/Product/") and gid not in created and gid not in used:
                used.append(gid)
        created.update(GID.findall(json.dumps(step.response)))
        for message in re.findall(
            r"non-existent resource ([^\s\"]+?)\.?\"", json.dumps(step.response)
        ):
            missing.add(message)
    return [gid for gid in used if gid not in missing]
