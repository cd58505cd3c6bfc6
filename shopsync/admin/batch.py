"""Several writes in one request: aliased mutations, each answered (and failing) on its own.

Shopify charges every mutation of a document (10 points each), so batching saves no points;
it saves round trips, which on a store with a high restore rate (Plus: 1,000 points a second)
are what bounds a push otherwise: one request of ten writes instead of ten requests. Fields
of a mutation document run in order, so a write's ``metafieldsDelete`` (an SEO text the file
dropped) runs before its update, whose ``updatedAt`` is then the article's last.

Pure: builds the document and reads its answer; ``apply`` sends it through the client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from shopsync.admin.responses import user_error
from shopsync.errors import UserError

#: Writes per request: 100 points requested, a tenth of Shopify's 1,000-point single-query cap
#: and a small bite of any bucket, so pacing stays smooth.
BATCH_SIZE = 10

_DELETED = "userErrors { field message }"
_PAYLOAD = {
    "article": "article { id updatedAt } userErrors { field message code }",
    "page": "page { id } userErrors { field message code }",
}


@dataclass(frozen=True)
class Write:
    """One create or update (``id`` set) of an article or page, and metafields to drop first."""

    resource: Literal["article", "page"]
    data: Mapping[str, Any]
    id: str | None = None
    remove: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Answer:
    """What the store answered for one write of a batch."""

    id: str | None
    updated_at: str | None
    errors: tuple[UserError, ...]


def document(writes: Sequence[Write]) -> tuple[str, str, dict[str, Any]]:
    """(text, operation name, variables) of one mutation doing ``writes`` in order."""
    definitions: list[str] = []
    fields: list[str] = []
    variables: dict[str, Any] = {}
    for n, write in enumerate(writes):
        if write.remove and write.id is not None:
            definitions.append(f"$r{n}: [MetafieldIdentifierInput!]!")
            fields.append(
                f"r{n}: metafieldsDelete(metafields: $r{n}) {{ userErrors {{ field message }} }}"
            )
            variables[f"r{n}"] = [
                {"ownerId": write.id, "namespace": ns, "key": key} for ns, key in write.remove
            ]
        kind = "Article" if write.resource == "article" else "Page"
        argument = write.resource
        if write.id is None:
            definitions.append(f"$w{n}: {kind}CreateInput!")
            call = f"{write.resource}Create({argument}: $w{n})"
        else:
            definitions.append(f"$id{n}: ID!, $w{n}: {kind}UpdateInput!")
            call = f"{write.resource}Update(id: $id{n}, {argument}: $w{n})"
            variables[f"id{n}"] = write.id
        fields.append(f"w{n}: {call} {{ {_PAYLOAD[write.resource]} }}")
        variables[f"w{n}"] = dict(write.data)
    name = f"SyncWrite{len(writes)}"
    text = f"mutation {name}({', '.join(definitions)}) {{\n  " + "\n  ".join(fields) + "\n}\n"
    return text, name, variables


def answers(writes: Sequence[Write], data: Mapping[str, Any]) -> list[Answer | None]:
    """Each write's answer; None where the store gave no payload (it may or may not have landed)."""
    out: list[Answer | None] = []
    for n, write in enumerate(writes):
        payload = data.get(f"w{n}")
        if not isinstance(payload, Mapping):
            out.append(None)
            continue
        errors = [user_error(e) for e in payload.get("userErrors") or () if isinstance(e, Mapping)]
        removal = data.get(f"r{n}")
        if isinstance(removal, Mapping):
            errors += [
                user_error(e) for e in removal.get("userErrors") or () if isinstance(e, Mapping)
            ]
        node = payload.get(write.resource)
        node_id = str(node["id"]) if isinstance(node, Mapping) and node.get("id") else None
        updated = node.get("updatedAt") if isinstance(node, Mapping) else None
        out.append(Answer(node_id, updated if isinstance(updated, str) else None, tuple(errors)))
    return out


def _errors(payload: Any) -> list[UserError]:
    if not isinstance(payload, Mapping):
        return []
    return [user_error(e) for e in payload.get("userErrors") or () if isinstance(e, Mapping)]
