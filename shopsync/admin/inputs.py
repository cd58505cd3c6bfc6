"""Mutation inputs: canonical fields -> ``ArticleCreateInput``/``PageUpdateInput`` and metafields.

Always the full desired state, since Shopify's updates are partial: sending everything makes
the result independent of what the store had. Pure: the applier sends what these build.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shopsync.admin.marks import (
    CONTENT_DIGEST_KEY,
    FINGERPRINT_KEY,
    IMAGE_SRC_KEY,
    OWNER_NAMESPACE,
    SEO_DESCRIPTION_KEY,
    SEO_NAMESPACE,
    SEO_TITLE_KEY,
    SOURCE_KEY,
    TEXT,
    WRITTEN_KEY,
    encode_written,
)
from shopsync.admin.remote import RemoteItem
from shopsync.vocabulary import Fields, content_digest, fingerprint


@dataclass(frozen=True)
class MetafieldNames:
    """Where the featured-product ids live (settings ``product_metafield``)."""

    product_namespace: str = "custom"
    product_key: str = "featured_products"

    @property
    def variables(self) -> dict[str, str]:
        return {"productNamespace": self.product_namespace, "productKey": self.product_key}

    @property
    def read_variables(self) -> dict[str, str]:
        """The keywords of ``remote``'s article reads (``scan_blog``, ``read_articles``)."""
        return {"product_namespace": self.product_namespace, "product_key": self.product_key}


def metafield(namespace: str, key: str, value: str, type_: str) -> dict[str, str]:
    return {"namespace": namespace, "key": key, "value": value, "type": type_}


def ownership_metafields(source: str, fields: Fields) -> list[dict[str, str]]:
    """The marks that make an item ours and let the next plan spot admin edits."""
    marks = [
        metafield(OWNER_NAMESPACE, SOURCE_KEY, source, TEXT),
        metafield(OWNER_NAMESPACE, FINGERPRINT_KEY, fingerprint(fields), TEXT),
        metafield(OWNER_NAMESPACE, CONTENT_DIGEST_KEY, content_digest(fields), TEXT),
    ]
    written = encode_written(fields)
    if written is not None:
        marks.append(metafield(OWNER_NAMESPACE, WRITTEN_KEY, written, "json"))
    return marks


def _content_metafields(
    fields: Fields, names: MetafieldNames | None
) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """(metafields to set, (namespace, key) pairs to remove because the value is empty)."""
    wanted: list[tuple[str, str, str | None, str]] = [
        (SEO_NAMESPACE, SEO_TITLE_KEY, fields.get("seo_title"), TEXT),
        (SEO_NAMESPACE, SEO_DESCRIPTION_KEY, fields.get("seo_description"), TEXT),
    ]
    if names is not None:
        products = fields.get("featured_products") or []
        wanted.append(
            (
                names.product_namespace,
                names.product_key,
                json.dumps(products) if products else None,
                "list.product_reference",
            )
        )
        wanted.append((OWNER_NAMESPACE, IMAGE_SRC_KEY, fields.get("image_src"), "url"))
    to_set = [metafield(ns, key, value, t) for ns, key, value, t in wanted if value]
    to_remove = [(ns, key) for ns, key, value, _t in wanted if not value]
    return to_set, to_remove


def article_input(
    fields: Fields,
    *,
    source: str,
    blog_id: str | None,
    names: MetafieldNames,
    previous: RemoteItem | None = None,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The ArticleCreateInput/ArticleUpdateInput for ``fields``, plus metafields to remove.

    Always the full desired state (updates are partial in Shopify, so sending it all makes
    the result independent of what the store had). Handles are always explicit: without
    one, a retried create would silently get ``-1`` appended.
    """
    before = previous.fields if previous is not None else {}
    data: dict[str, Any] = {
        "title": fields["title"],
        "handle": fields["handle"],
        "body": fields["body_html"],
        "tags": list(fields["tags"]),
        "author": {"name": fields["author"]},
        "isPublished": fields["is_published"],
    }
    if blog_id is not None and (previous is None or before.get("blog") != fields["blog"]):
        data["blogId"] = blog_id
    if fields["summary_html"] is not None or before.get("summary_html"):
        data["summary"] = fields["summary_html"] or ""
    if fields["publish_date"] is not None:
        data["publishDate"] = fields["publish_date"]
    elif not fields["is_published"] and before.get("publish_date") is not None:
        data["publishDate"] = None  # a draft again: cancel any schedule
    if fields["template_suffix"] is not None or before.get("template_suffix"):
        data["templateSuffix"] = fields["template_suffix"] or ""
    if fields["image_src"]:
        if previous is None or before.get("image_src") != fields["image_src"]:
            image = {"url": fields["image_src"]}
            if fields["image_alt"]:
                image["altText"] = fields["image_alt"]
            data["image"] = image
        elif before.get("image_alt") != fields["image_alt"]:
            # The alt text alone: a URL sent again makes Shopify download and re-host the
            # image (and fail the article if that URL has gone meanwhile).
            data["image"] = {"altText": fields["image_alt"] or ""}
    elif before.get("image_src"):
        data["image"] = None
    moved = previous is not None and previous.blog != fields["blog"]
    if previous is not None and previous.handle != fields["handle"] and not moved:
        # Within the blog; a move to another one gets its own redirect (apply).
        data["redirectNewHandle"] = True
    to_set, to_remove = _content_metafields(fields, names)
    data["metafields"] = to_set + ownership_metafields(source, fields)
    remove = [pair for pair in to_remove if previous is not None and _had(previous, pair, names)]
    return data, remove


def page_input(
    fields: Fields, *, source: str, previous: RemoteItem | None = None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """PageCreateInput/PageUpdateInput for ``fields``, plus metafields to remove."""
    before = previous.fields if previous is not None else {}
    data: dict[str, Any] = {
        "title": fields["title"],
        "handle": fields["handle"],
        "body": fields["body_html"],
        "isPublished": fields["is_published"],
    }
    if fields["template_suffix"] is not None or before.get("template_suffix"):
        data["templateSuffix"] = fields["template_suffix"] or ""
    if previous is not None and previous.handle != fields["handle"]:
        data["redirectNewHandle"] = True
    to_set, to_remove = _content_metafields(fields, None)
    data["metafields"] = to_set + ownership_metafields(source, fields)
    remove = [pair for pair in to_remove if previous is not None and _had(previous, pair, None)]
    return data, remove


def _had(previous: RemoteItem, pair: tuple[str, str], names: MetafieldNames | None) -> bool:
    fields = previous.fields
    lookup = {
        (SEO_NAMESPACE, SEO_TITLE_KEY): fields.get("seo_title"),
        (SEO_NAMESPACE, SEO_DESCRIPTION_KEY): fields.get("seo_description"),
        (OWNER_NAMESPACE, IMAGE_SRC_KEY): fields.get("image_src"),
    }
    if names is not None:
        lookup[(names.product_namespace, names.product_key)] = fields.get("featured_products")
    return bool(lookup.get(pair))
