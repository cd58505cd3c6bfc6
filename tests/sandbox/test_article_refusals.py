"""articleCreate/articleUpdate over HTTP: the author refusals and what ``image`` does.

Grounded in the live captures ``online-store-article-update-validation.json`` (airhorns/shopify-
draft-proxy, fixtures/conformance/harry-test-heelo.myshopify.com/2025-01/online-store/) and, in
``shared/shopify/captures``, ``...article-create-validation.json``,
``...article-media-navigation-follow-through.json`` and ``...authoritative-content-hydration.json``
(see ``shopsync/sandbox/content.py``)."""

from __future__ import annotations

from typing import Any

from shopsync.sandbox import SandboxServer
from shopsync.sandbox.store import CDN_ROOT

from .gql import article_input, create_blog, gql

CREATE = """
mutation Create($article: ArticleCreateInput!) {
  articleCreate(article: $article) {
    article { id author { name } image { id altText url } }
    userErrors { field message code }
  }
}
"""

UPDATE = """
mutation Update($id: ID!, $article: ArticleUpdateInput!) {
  articleUpdate(id: $id, article: $article) {
    article { id author { name } image { id altText url } }
    userErrors { field message code }
  }
}
"""

READ = "query Read($id: ID!) { article(id: $id) { author { name } image { id altText url } } }"

HERO = "https://placehold.co/64x64/hero.png"


def _create(sandbox: SandboxServer, **extra: Any) -> dict[str, Any]:
    blog = create_blog(sandbox, "news")
    data = gql(sandbox, CREATE, {"article": article_input(blog, "post", **extra)})
    payload: dict[str, Any] = data["data"]["articleCreate"]
    return payload


def _created(sandbox: SandboxServer, **extra: Any) -> dict[str, Any]:
    payload = _create(sandbox, **extra)
    assert payload["userErrors"] == []
    article: dict[str, Any] = payload["article"]
    return article


def _update(sandbox: SandboxServer, article_id: str, **fields: Any) -> dict[str, Any]:
    data = gql(sandbox, UPDATE, {"id": article_id, "article": fields})
    payload: dict[str, Any] = data["data"]["articleUpdate"]
    return payload


def _read(sandbox: SandboxServer, article_id: str) -> dict[str, Any]:
    article: dict[str, Any] = gql(sandbox, READ, {"id": article_id})["data"]["article"]
    return article


# authors ------------------------------------------------------------------------------


def test_a_name_and_a_user_id_together_are_ambiguous(sandbox: SandboxServer) -> None:
    both = {"name": "Alice", "userId": "gid://shopify/StaffMember/1"}
    created = _create(sandbox, author=both)
    assert created == {
        "article": None,
        "userErrors": [
            {
                "field": ["article"],
                "message": "Can't create an article author if both author name and user ID "
                "are supplied.",
                "code": "AMBIGUOUS_AUTHOR",
            }
        ],
    }
    article = _created(sandbox)
    updated = _update(sandbox, article["id"], author=both)
    assert updated == {
        "article": None,
        "userErrors": [
            {
                "field": ["article"],
                "message": "Can't update an article author if both author name and user ID "
                "are supplied.",
                "code": "AMBIGUOUS_AUTHOR",
            }
        ],
    }


def test_a_user_id_must_name_a_staff_member(sandbox: SandboxServer) -> None:
    unknown = {"userId": "gid://shopify/StaffMember/999999999"}
    must_exist = [
        {
            "field": ["article"],
            "message": "User must exist if a user ID is supplied.",
            "code": "AUTHOR_MUST_EXIST",
        }
    ]
    assert _create(sandbox, author=unknown) == {"article": None, "userErrors": must_exist}
    article = _created(sandbox)
    assert _update(sandbox, article["id"], author=unknown) == {
        "article": None,
        "userErrors": must_exist,
    }
    # A staff member's id is the author, under their name.
    owner = {"userId": "gid://shopify/StaffMember/1"}
    assert _update(sandbox, article["id"], author=owner)["article"]["author"] == {
        "name": "Sandbox Owner"
    }


# images -------------------------------------------------------------------------------


def test_alt_text_needs_an_image_or_a_url(sandbox: SandboxServer) -> None:
    refusal = [
        {
            "field": ["article", "image"],
            "message": "Cannot update image alt text without an existing image or providing a "
            "new image URL",
            "code": "INVALID",
        }
    ]
    article = _created(sandbox)
    assert article["image"] is None
    assert _update(sandbox, article["id"], image={"altText": "Alt only"}) == {
        "article": None,
        "userErrors": refusal,
    }
    assert _read(sandbox, article["id"])["image"] is None
    assert _create(sandbox, image={"altText": "Alt only"})["userErrors"] == refusal


def test_a_url_is_downloaded_and_served_from_the_cdn(sandbox: SandboxServer) -> None:
    article = _created(sandbox, image={"url": HERO, "altText": "Hero"})
    image = article["image"]
    assert image["altText"] == "Hero"
    assert image["url"].startswith(f"{CDN_ROOT}articles/hero.png?v=")
    assert image["id"].startswith("gid://shopify/ArticleImage/")


def test_alt_text_alone_keeps_the_image(sandbox: SandboxServer) -> None:
    article = _created(sandbox, image={"url": HERO, "altText": "Hero"})
    updated = _update(sandbox, article["id"], image={"altText": "A better alt"})
    assert updated["userErrors"] == []
    assert updated["article"]["image"] == {**article["image"], "altText": "A better alt"}
    assert _read(sandbox, article["id"])["image"] == updated["article"]["image"]


def test_a_url_again_is_a_new_download_under_a_new_url(sandbox: SandboxServer) -> None:
    """Even the same source: Shopify's second copy of ``png.png`` was ``png_<uuid>.png``."""
    article = _created(sandbox, image={"url": HERO, "altText": "Hero"})
    again = _update(sandbox, article["id"], image={"url": HERO, "altText": "Hero"})
    assert again["userErrors"] == []
    first, second = article["image"], again["article"]["image"]
    assert second["id"] != first["id"]
    assert second["url"] != first["url"]
    assert second["url"].startswith(f"{CDN_ROOT}articles/hero_")
    assert second["url"].split("?")[0].endswith(".png")


def test_image_null_removes_the_image(sandbox: SandboxServer) -> None:
    """Not recorded live: the schema's ``image`` input is nullable, and null is the removal."""
    article = _created(sandbox, image={"url": HERO, "altText": "Hero"})
    removed = _update(sandbox, article["id"], image=None)
    assert removed["userErrors"] == []
    assert removed["article"]["image"] is None
    assert _read(sandbox, article["id"])["image"] is None


def test_an_update_without_image_keeps_it(sandbox: SandboxServer) -> None:
    article = _created(sandbox, image={"url": HERO, "altText": "Hero"})
    assert _update(sandbox, article["id"], title="Renamed")["article"]["image"] == article["image"]
