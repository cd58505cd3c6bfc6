"""Helpers for the sync engine's end-to-end tests: content on disk, a view of the store.

The store is read and edited through the Admin GraphQL API like any other app would (never
through shopsync's own documents), so these helpers check shopsync from the outside.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse
from pydantic import SecretStr

from shopsync.admin.client import ShopifyClient
from shopsync.admin.index import INDEX_NAMESPACE, IndexEntry, decode
from shopsync.apply import ApplyResult
from shopsync.config import Settings
from shopsync.plan import Plan, PlanOptions
from shopsync.sandbox import FaultRule, SandboxServer
from shopsync.sync import build_plan, push

BLOG = "research-digest"
KIT = "original-oriems-ultimate-kit"
#: Gamma's publish date: far enough ahead that no test changes meaning when a date passes
#: (the scheduled sample in articles/ is tested with an injected clock instead).
SCHEDULED = "2999-03-02T09:00:00+11:00"
SCHEDULED_UTC = "2999-03-01T22:00:00Z"
ARCHIVED_PRODUCT = "oriems-classic-unit"
DRAFT_PRODUCT = "oriems-pro-kit"
MORE_PRODUCTS = ("oriems-replacement-pads", "oriems-back-belt")


def sandbox_settings(sandbox: SandboxServer) -> Settings:
    """Settings for the sandbox only: no .env or SHOPSYNC_* of the developer's leak in."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        shop=sandbox.url,
        access_token=SecretStr(sandbox.config.access_token),
        blog=BLOG,
        articles_dir=Path("articles"),
    )


# ------------------------------------------------------------------------- plan and push


def plan(settings: Settings, client: ShopifyClient, repo: Path, **options: Any) -> Plan:
    """``shopsync plan`` of the whole repository (``options``: ``PlanOptions`` keywords)."""
    return build_plan(settings, client, [], PlanOptions(**options), root=repo)


def sync(settings: Settings, client: ShopifyClient, repo: Path, **options: Any) -> ApplyResult:
    """``shopsync push``: a plan, applied at once."""
    return push(settings, client, plan(settings, client, repo, **options))


def kinds(result: Plan) -> dict[str, str]:
    """What the plan says of each item, by handle (``{"alpha": "unchanged", ...}``)."""
    return {item.handle: item.kind for item in result.items}


# ------------------------------------------------------------------------------ content

DISCLAIMER = """\
---
title: Disclaimer
notice: This article is for education only; it is not medical advice.
---

## Disclaimer

Everything here is for education; it is not medical advice. Ask a professional.
"""


def article(
    title: str,
    *,
    status: str,
    date: str | None = None,
    tags: str = "[back-pain]",
    products: str = "[]",
    disclaimer: bool = True,
    extra: str = "",
) -> str:
    lines = [
        "---",
        f"title: {title}",
        f"handle: {title.lower()}",
        "author: Research Team",
        f"tags: {tags}",
        f"summary: The {title} study in one line.",
        f"status: {status}",
        f"featured_products: {products}",
    ]
    if date:
        lines.append(f"publish_date: {date}")
    if disclaimer:
        lines.append("disclaimer: disclaimer")
    if extra:
        lines.append(extra)
    lines += ["---", "", f"## {title}", "", "| Group | Result |", "|---|---|", "| A | 1 |", ""]
    return "\n".join(lines)


def write_content(root: Path, *, extra_products: bool = False) -> None:
    """Three articles (live, draft, scheduled) and the disclaimer page they link to."""
    folder = root / "articles"
    (folder / "pages").mkdir(parents=True, exist_ok=True)
    (folder / "pages" / "disclaimer.md").write_text(DISCLAIMER, encoding="utf-8")
    alpha_products = [KIT, *MORE_PRODUCTS] if extra_products else [KIT]
    files = {
        "alpha.md": article(
            "Alpha",
            status="published",
            date="2025-01-20T09:00:00+11:00",
            tags="[alpha-tag, back-pain]",
            products="[" + ", ".join(alpha_products) + "]",
            extra="seo:\n  title: Alpha SEO",
        ),
        "beta.md": article("Beta", status="draft"),
        "gamma.md": article("Gamma", status="scheduled", date=SCHEDULED, disclaimer=False),
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


# ------------------------------------------------------------------------ recorded traffic


def request_body(request: Any) -> dict[str, Any]:
    body = request.body
    return body if isinstance(body, dict) else {}


def mutations(requests: list[Any]) -> list[str]:
    """Root mutation fields sent, in order (e.g. ``["articleUpdate"]``)."""
    names: list[str] = []
    for request in requests:
        query = request_body(request).get("query")
        if not isinstance(query, str) or "mutation" not in query:
            continue
        for definition in parse(query).definitions:
            if isinstance(definition, OperationDefinitionNode):
                if definition.operation.value != "mutation":
                    continue
                for selection in definition.selection_set.selections:
                    names.append(selection.name.value)  # type: ignore[attr-defined]
    return names


def add_fault(sandbox: SandboxServer, *, kind: str, match: str, times: int = 1) -> None:
    sandbox.faults.add(FaultRule(kind=kind, match=match, times=times))


# ------------------------------------------------------------------- the store, from outside

ARTICLE_FIELDS = """
  id handle title body summary tags isPublished publishedAt templateSuffix updatedAt
  blog { handle }
  image { url altText }
  shopsyncSource: metafield(namespace: "$app:shopsync", key: "source") { value }
  seoTitle: metafield(namespace: "global", key: "title_tag") { value }
  seoDescription: metafield(namespace: "global", key: "description_tag") { value }
  featuredProducts: metafield(namespace: "custom", key: "featured_products") { value }
  imageSrc: metafield(namespace: "$app:shopsync", key: "image_src") { value }
"""


class Store:
    """What the store holds, read the way a theme developer or another app would."""

    def __init__(self, client: ShopifyClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    def _query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.client.execute(query, variables or {})

    def articles(self) -> dict[str, dict[str, Any]]:
        data = self._query(f"{{ articles(first: 250) {{ nodes {{ {ARTICLE_FIELDS} }} }} }}")
        return {n["handle"]: n for n in data["articles"]["nodes"] if n["blog"]["handle"] == BLOG}

    def all_articles(self) -> list[dict[str, Any]]:
        """Every article of every blog, by listing (never search), sorted by handle."""
        data = self._query(f"{{ articles(first: 250) {{ nodes {{ {ARTICLE_FIELDS} }} }} }}")
        return sorted(data["articles"]["nodes"], key=lambda n: (n["handle"], n["id"]))

    def article(self, article_id: str) -> dict[str, Any] | None:
        """One article by id (None once deleted)."""
        query = f"query($id: ID!) {{ article(id: $id) {{ {ARTICLE_FIELDS} }} }}"
        found = self._query(query, {"id": article_id})["article"]
        return dict(found) if found is not None else None

    def index_shards(self) -> dict[str, tuple[str, str]]:
        """The blog's index metafields as stored: key -> (type, value)."""
        query = """query($id: ID!) { blog(id: $id) {
          metafields(first: 25, namespace: "%s") { nodes { key type value } } } }"""
        data = self._query(query % INDEX_NAMESPACE, {"id": self.blog_id()})
        nodes = data["blog"]["metafields"]["nodes"]
        return {n["key"]: (n["type"], n["value"]) for n in nodes if n["key"].startswith("index_")}

    def index(self) -> dict[str, IndexEntry]:
        """The blog's index, read as the next plan will read it: entries by article id."""
        return decode({key: value for key, (_type, value) in self.index_shards().items()})

    def article_handles(self) -> list[str]:
        """Every article, duplicates included (a duplicate is exactly what we look for)."""
        data = self._query("{ articles(first: 250) { nodes { handle } } }")
        return [n["handle"] for n in data["articles"]["nodes"]]

    def pages(self) -> dict[str, dict[str, Any]]:
        query = """{ pages(first: 250) { nodes { id handle title body isPublished
          shopsyncSource: metafield(namespace: "$app:shopsync", key: "source") { value } } } }"""
        return {n["handle"]: n for n in self._query(query)["pages"]["nodes"]}

    def product_id(self, handle: str) -> str:
        query = "query($h: String!) { productByIdentifier(identifier: {handle: $h}) { id } }"
        return str(self._query(query, {"h": handle})["productByIdentifier"]["id"])

    def seed_inactive_products(self) -> tuple[str, str]:
        """An archived and a draft product: the sandbox's seed data has both."""
        for handle, status in ((ARCHIVED_PRODUCT, "ARCHIVED"), (DRAFT_PRODUCT, "DRAFT")):
            query = (
                "query($h: String!) { productByIdentifier(identifier: {handle: $h}) { status } }"
            )
            found = self._query(query, {"h": handle})["productByIdentifier"]
            assert found is not None and found["status"] == status
        return ARCHIVED_PRODUCT, DRAFT_PRODUCT

    def blog_id(self) -> str:
        """Read from the list of blogs, not by search: search lags writes."""
        data = self._query("{ blogs(first: 250) { nodes { id handle } } }")
        return str(next(n["id"] for n in data["blogs"]["nodes"] if n["handle"] == BLOG))

    def blog_handles(self) -> list[str]:
        """Every blog, duplicates included (Shopify names a second one ``handle-2``)."""
        data = self._query("{ blogs(first: 250) { nodes { handle } } }")
        return [n["handle"] for n in data["blogs"]["nodes"]]

    def ensure_blog(self) -> str:
        data = self._query("{ blogs(first: 250) { nodes { id handle } } }")
        for node in data["blogs"]["nodes"]:
            if node["handle"] == BLOG:
                return str(node["id"])
        created = self._query(
            "mutation($b: BlogCreateInput!) {"
            " blogCreate(blog: $b) { blog { id } userErrors { message } } }",
            {"b": {"title": "Research Digest", "handle": BLOG}},
        )
        return str(created["blogCreate"]["blog"]["id"])

    def redirects(self) -> list[tuple[str, str]]:
        data = self._query("{ urlRedirects(first: 250) { nodes { path target } } }")
        return [(n["path"], n["target"]) for n in data["urlRedirects"]["nodes"]]


def admin_create_article(
    client: ShopifyClient, settings: Settings, blog_id: str, handle: str, *, published: bool
) -> str:
    """An article written by hand in the admin: no shopsync metafields."""
    data = client.execute(
        """mutation($a: ArticleCreateInput!) {
          articleCreate(article: $a) { article { id } userErrors { field message code } }
        }""",
        {
            "a": {
                "blogId": blog_id,
                "handle": handle,
                "title": "Written by hand",
                "body": "<p>By hand.</p>",
                "author": {"name": "Store Staff"},
                "isPublished": published,
            }
        },
    )
    payload = data["articleCreate"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return str(payload["article"]["id"])


def admin_delete_article(client: ShopifyClient, article_id: str) -> None:
    data = client.execute(
        """mutation($id: ID!) {
          articleDelete(id: $id) { deletedArticleId userErrors { field message } }
        }""",
        {"id": article_id},
    )
    assert data["articleDelete"]["userErrors"] == [], json.dumps(data)


def admin_set_metafield(
    client: ShopifyClient, owner_id: str, namespace: str, key: str, type_: str, value: str
) -> None:
    """``metafieldsSet`` of one value, the way an SEO app or the admin's metafield editor does."""
    data = client.execute(
        """mutation($m: [MetafieldsSetInput!]!) {
          metafieldsSet(metafields: $m) { metafields { id } userErrors { field message code } }
        }""",
        {
            "m": [
                {
                    "ownerId": owner_id,
                    "namespace": namespace,
                    "key": key,
                    "type": type_,
                    "value": value,
                }
            ]
        },
    )
    assert data["metafieldsSet"]["userErrors"] == [], json.dumps(data)


def admin_delete_metafield(client: ShopifyClient, owner_id: str, namespace: str, key: str) -> None:
    data = client.execute(
        """mutation($m: [MetafieldIdentifierInput!]!) {
          metafieldsDelete(metafields: $m) { deletedMetafields { key } userErrors { message } }
        }""",
        {"m": [{"ownerId": owner_id, "namespace": namespace, "key": key}]},
    )
    assert data["metafieldsDelete"]["userErrors"] == [], json.dumps(data)


def admin_update_article(
    client: ShopifyClient, settings: Settings, article_id: str, fields: dict[str, Any]
) -> None:
    data = client.execute(
        """mutation($id: ID!, $a: ArticleUpdateInput!) {
          articleUpdate(id: $id, article: $a) { article { id } userErrors { field message } }
        }""",
        {"id": article_id, "a": fields},
    )
    assert data["articleUpdate"]["userErrors"] == [], json.dumps(data)


class StoreTime:
    """One fake time for a sandbox store and the client that talks to it.

    The store's wall clock (how long a file is PROCESSING, publish times) runs ahead of the
    real one by whatever the client slept, and the client's sleeps take no real time: a push
    that waits for Shopify to process an image, or for the rate limit, returns at once. The
    command line in the same test (real sleeps) still sees the store's time go by.
    """

    def __init__(self, sandbox: SandboxServer, *, start: datetime | None = None) -> None:
        """``start``: the store's clock stands at ``start`` and moves only as the client
        sleeps, so what falls in one second (``updatedAt`` has whole seconds) is the test's
        to say; by default it runs with the real clock."""
        self.now = 1000.0
        self.slept = 0.0
        self.start = start
        sandbox.store.clock = self.store_now

    def store_now(self) -> datetime:
        base = self.start if self.start is not None else datetime.now(UTC)
        return base + timedelta(seconds=self.slept)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.now += seconds
        self.slept += seconds

    def client(self, settings: Settings) -> ShopifyClient:
        return ShopifyClient.from_settings(settings, sleep=self.sleep, clock=self.clock)
