"""The store's rules, as a client sees them over HTTP: what Shopify enforces, the sandbox does.

Parity with recorded live traffic is in ``test_parity.py``; these are the rules shopsync
leans on, each stated once and checked directly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shopsync.sandbox import SandboxServer

from .gql import gql

BLOG = """mutation($b: BlogCreateInput!) { blogCreate(blog: $b) {
  blog { id handle } userErrors { field message code } } }"""
ARTICLE = """mutation($a: ArticleCreateInput!) { articleCreate(article: $a) {
  article { id handle tags body title isPublished publishedAt }
  userErrors { field message code } } }"""
ARTICLE_IN_BLOG = """mutation($a: ArticleCreateInput!, $b: ArticleBlogInput) {
  articleCreate(article: $a, blog: $b) { article { id } userErrors { field message code } } }"""
UPDATE = """mutation($id: ID!, $a: ArticleUpdateInput!) { articleUpdate(id: $id, article: $a) {
  article { id handle tags body title } userErrors { field message code } } }"""
SET = """mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
  metafields { key value compareDigest } userErrors { field message code elementIndex } } }"""
KIT = "gid://shopify/Product/8001"


def data(sandbox: SandboxServer, query: str, variables: dict[str, Any] | None = None) -> Any:
    body = gql(sandbox, query, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]


def make_blog(sandbox: SandboxServer, handle: str = "journal") -> str:
    blog = data(sandbox, BLOG, {"b": {"title": "Journal", "handle": handle}})["blogCreate"]["blog"]
    return str(blog["id"])


def make_article(sandbox: SandboxServer, blog: str, **fields: Any) -> dict[str, Any]:
    article = {"blogId": blog, "title": "Hello", "author": {"name": "Staff"}, **fields}
    payload = data(sandbox, ARTICLE, {"a": article})["articleCreate"]
    return payload  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------ handles


def test_an_explicit_taken_handle_is_refused_and_a_generated_one_gets_a_suffix(
    sandbox: SandboxServer,
) -> None:
    blog = make_blog(sandbox)
    assert make_article(sandbox, blog, handle="hello")["article"]["handle"] == "hello"
    taken = make_article(sandbox, blog, handle="hello")
    assert taken["article"] is None
    assert taken["userErrors"] == [
        {
            "field": ["article", "handle"],
            "message": "Handle has already been taken",
            "code": "TAKEN",
        }
    ]
    # Without a handle Shopify derives one from the title and silently de-duplicates it:
    # the reason shopsync always sends the handle.
    assert make_article(sandbox, blog)["article"]["handle"] == "hello-1"
    assert len(sandbox.store.all("article")) == 2


def test_a_taken_blog_handle_is_changed_silently(sandbox: SandboxServer) -> None:
    make_blog(sandbox, "journal")
    again = data(sandbox, BLOG, {"b": {"title": "Journal", "handle": "journal"}})["blogCreate"]
    assert again["userErrors"] == [] and again["blog"]["handle"] == "journal-1"
    # The News blog a new store has is taken the same way.
    news = data(sandbox, BLOG, {"b": {"title": "News", "handle": "news"}})["blogCreate"]
    assert news["userErrors"] == [] and news["blog"]["handle"] == "news-1"


@pytest.mark.parametrize(
    ("fields", "blog", "code"),
    [
        (
            {"author": {"name": "Staff", "userId": "gid://shopify/StaffMember/1"}},
            None,
            "AMBIGUOUS_AUTHOR",
        ),
        ({"author": {}}, None, "AUTHOR_FIELD_REQUIRED"),
        ({}, {"title": "Another"}, "AMBIGUOUS_BLOG"),
        ({"blogId": None}, None, "BLOG_REFERENCE_REQUIRED"),
        ({"blogId": "gid://shopify/Blog/999"}, None, "NOT_FOUND"),
    ],
)
def test_an_article_needs_exactly_one_blog_and_one_author(
    sandbox: SandboxServer, fields: dict[str, Any], blog: dict[str, Any] | None, code: str
) -> None:
    article = {"blogId": make_blog(sandbox), "title": "Hello", "author": {"name": "Staff"}}
    payload = data(sandbox, ARTICLE_IN_BLOG, {"a": {**article, **fields}, "b": blog})
    (error,) = payload["articleCreate"]["userErrors"]
    assert (error["field"], error["code"]) == (["article"], code)
    assert payload["articleCreate"]["article"] is None
    assert sandbox.store.all("article") == []


# ------------------------------------------------------------------- content and updates


def test_tags_are_trimmed_deduplicated_and_read_back_sorted(sandbox: SandboxServer) -> None:
    blog = make_blog(sandbox)
    created = make_article(sandbox, blog, tags=["zeta", " alpha ", "Beta", "alpha"])
    assert created["article"]["tags"] == ["alpha", "Beta", "zeta"]


def test_updates_are_partial_and_bodies_verbatim(sandbox: SandboxServer) -> None:
    blog = make_blog(sandbox)
    body = '<p onclick="x()">Kept as sent</p><script>alert(1)</script>'
    article = make_article(sandbox, blog, handle="a", body=body)["article"]
    updated = data(sandbox, UPDATE, {"id": article["id"], "a": {"title": "New title"}})
    assert updated["articleUpdate"]["article"]["body"] == body  # untouched, never sanitised
    assert updated["articleUpdate"]["article"]["title"] == "New title"


def test_a_future_publish_date_schedules_unless_published_now(sandbox: SandboxServer) -> None:
    blog = make_blog(sandbox)
    future = "2099-01-01T00:00:00Z"
    scheduled = make_article(sandbox, blog, handle="s", isPublished=False, publishDate=future)
    assert scheduled["article"]["isPublished"] is False
    assert scheduled["article"]["publishedAt"] == future
    refused = make_article(sandbox, blog, handle="r", isPublished=True, publishDate=future)
    assert refused["userErrors"][0]["code"] == "INVALID_PUBLISH_DATE"


def test_a_handle_change_with_redirect_leaves_a_redirect(sandbox: SandboxServer) -> None:
    blog = make_blog(sandbox)
    article = make_article(sandbox, blog, handle="old")["article"]
    data(sandbox, UPDATE, {"id": article["id"], "a": {"handle": "new", "redirectNewHandle": True}})
    redirects = data(sandbox, "{ urlRedirects(first: 5) { nodes { path target } } }")
    assert redirects["urlRedirects"]["nodes"] == [
        {"path": "/blogs/journal/old", "target": "/blogs/journal/new"}
    ]


def test_an_oversized_body_is_refused(sandbox: SandboxServer) -> None:
    blog = make_blog(sandbox)
    result = make_article(sandbox, blog, handle="big", body="x" * (1024 * 1024))
    assert result["userErrors"] == [
        {
            "field": ["article", "body"],
            "message": "Content is too big (maximum is 1 MB)",
            "code": None,
        }
    ]


# ---------------------------------------------------------------------------- metafields


def owner(sandbox: SandboxServer) -> str:
    return str(make_article(sandbox, make_blog(sandbox), handle="owner")["article"]["id"])


@pytest.mark.parametrize(
    ("type_name", "value"),
    [
        ("single_line_text_field", "one\ntwo"),
        ("number_integer", "1.5"),
        ("boolean", "yes"),
        ("json", "{not json"),
        ("product_reference", "gid://shopify/Page/1"),
        ("list.product_reference", '["gid://shopify/Product/1", 7]'),
    ],
)
def test_metafield_values_must_match_their_type(
    sandbox: SandboxServer, type_name: str, value: str
) -> None:
    article = owner(sandbox)
    field = {
        "ownerId": article,
        "namespace": "custom",
        "key": "k1",
        "type": type_name,
        "value": value,
    }
    result = data(sandbox, SET, {"m": [field]})["metafieldsSet"]
    assert result["metafields"] == []
    (error,) = result["userErrors"]
    assert error["code"] == "INVALID_VALUE" and error["elementIndex"] is None
    assert error["field"] == ["metafields", "0", "value"]


def test_a_bad_list_element_is_pointed_at(sandbox: SandboxServer) -> None:
    field = {
        "ownerId": owner(sandbox),
        "namespace": "custom",
        "key": "numbers",
        "type": "list.number_integer",
        "value": '[1, "x"]',
    }
    (error,) = data(sandbox, SET, {"m": [field]})["metafieldsSet"]["userErrors"]
    assert (error["message"], error["elementIndex"]) == ("Value must be an integer.", 1)


def test_a_reference_to_a_missing_product_is_refused(sandbox: SandboxServer) -> None:
    missing = "gid://shopify/Product/999999"
    field = {
        "ownerId": owner(sandbox),
        "namespace": "custom",
        "key": "featured_products",
        "type": "list.product_reference",
        "value": json.dumps([KIT, missing]),
    }
    (error,) = data(sandbox, SET, {"m": [field]})["metafieldsSet"]["userErrors"]
    assert error["message"] == f"Value references non-existent resource {missing}."


def test_a_product_list_metafield_resolves_to_the_products_in_order(sandbox: SandboxServer) -> None:
    article = owner(sandbox)
    products = ["gid://shopify/Product/8002", KIT]
    field = {
        "ownerId": article,
        "namespace": "custom",
        "key": "featured_products",
        "type": "list.product_reference",
        "value": json.dumps(products),
    }
    assert data(sandbox, SET, {"m": [field]})["metafieldsSet"]["userErrors"] == []
    query = """query($id: ID!) { article(id: $id) {
      metafield(namespace: "custom", key: "featured_products") {
        type jsonValue references(first: 5) { nodes { ... on Product { handle status } } } } } }"""
    metafield = data(sandbox, query, {"id": article})["article"]["metafield"]
    assert metafield["jsonValue"] == products
    assert [n["handle"] for n in metafield["references"]["nodes"]] == [
        "oriems-replacement-pads",
        "original-oriems-ultimate-kit",
    ]


def test_compare_digest_refuses_a_stale_write(sandbox: SandboxServer) -> None:
    article = owner(sandbox)
    field = {
        "ownerId": article,
        "namespace": "custom",
        "key": "note",
        "type": "single_line_text_field",
    }
    first = data(sandbox, SET, {"m": [{**field, "value": "v1"}]})["metafieldsSet"]["metafields"][0]
    data(sandbox, SET, {"m": [{**field, "value": "v2"}]})
    stale = data(
        sandbox, SET, {"m": [{**field, "value": "v3", "compareDigest": first["compareDigest"]}]}
    )
    assert stale["metafieldsSet"]["userErrors"][0]["code"] == "STALE_OBJECT"


def test_a_metafield_for_a_missing_owner_is_refused(sandbox: SandboxServer) -> None:
    field = {"namespace": "custom", "key": "note", "type": "single_line_text_field", "value": "v"}
    missing = {**field, "ownerId": "gid://shopify/Article/999"}
    result = data(sandbox, SET, {"m": [{**field, "ownerId": owner(sandbox)}, missing]})
    assert result["metafieldsSet"]["userErrors"] == [
        {
            "field": ["metafields", "1", "ownerId"],
            "message": "Owner does not exist.",
            "code": "INVALID",
            "elementIndex": 1,
        }
    ]
    assert sandbox.store.all("metafield") == []  # nothing is written when one input fails


def test_a_metafield_keeps_its_type_when_the_input_leaves_it_out(sandbox: SandboxServer) -> None:
    field = {"ownerId": owner(sandbox), "namespace": "custom", "key": "count"}
    data(sandbox, SET, {"m": [{**field, "type": "number_integer", "value": "1"}]})
    again = data(sandbox, SET, {"m": [{**field, "value": "nope"}]})["metafieldsSet"]
    assert again["userErrors"][0]["code"] == "INVALID_VALUE"
    updated = data(sandbox, SET, {"m": [{**field, "value": "2"}]})["metafieldsSet"]
    assert updated["userErrors"] == []
    (stored,) = sandbox.store.all("metafield")
    assert (stored["type"], stored["value"]) == ("number_integer", "2")


URL = "https://example.com/"


@pytest.mark.parametrize(
    ("type_name", "at_limit", "over", "maximum"),
    [
        # 131,072 bytes: a JSON string of that many characters with its two quotes.
        ("json", json.dumps("x" * (128 * 1024 - 2)), json.dumps("x" * (128 * 1024 - 1)), "128 KB"),
        ("url", URL + "a" * (2048 - len(URL)), URL + "a" * (2049 - len(URL)), "2 KB"),
        ("id", "x" * 2048, "x" * 2049, "2 KB"),
        ("single_line_text_field", "x" * 65536, "x" * 65537, "64 KB"),
        # Bytes, not characters: 32,769 two-byte characters are 65,538 bytes.
        ("multi_line_text_field", "\u00e9" * 32768, "\u00e9" * 32769, "64 KB"),
    ],
)
def test_a_metafield_value_over_its_types_size_is_refused(
    sandbox: SandboxServer, type_name: str, at_limit: str, over: str, maximum: str
) -> None:
    field = {"ownerId": owner(sandbox), "namespace": "custom", "key": "big", "type": type_name}
    accepted = data(sandbox, SET, {"m": [{**field, "value": at_limit}]})["metafieldsSet"]
    assert accepted["userErrors"] == []
    refused = data(sandbox, SET, {"m": [{**field, "value": over}]})["metafieldsSet"]
    assert refused == {
        "metafields": [],
        "userErrors": [
            {
                "field": ["metafields", "0", "value"],
                "message": f"Value is too big (maximum is {maximum})",
                "code": "TOO_LONG",
                "elementIndex": None,
            }
        ],
    }
    (stored,) = sandbox.store.all("metafield")
    assert stored["value"] == at_limit  # the refused write changed nothing


def test_each_list_element_is_held_to_its_types_size(sandbox: SandboxServer) -> None:
    names = {"ownerId": owner(sandbox), "namespace": "custom", "key": "names"}
    field = {**names, "type": "list.single_line_text_field"}
    # 65,536 bytes each is allowed, whatever the list's total.
    at_limit = {**field, "value": json.dumps(["x" * 65536, "y" * 65536])}
    assert data(sandbox, SET, {"m": [at_limit]})["metafieldsSet"]["userErrors"] == []
    over = {**field, "value": json.dumps(["x", "y" * 65537])}
    (error,) = data(sandbox, SET, {"m": [over]})["metafieldsSet"]["userErrors"]
    assert (error["message"], error["code"], error["elementIndex"]) == (
        "Value is too big (maximum is 64 KB)",
        "TOO_LONG",
        1,
    )


def test_an_oversized_inline_metafield_refuses_the_article_write(sandbox: SandboxServer) -> None:
    blog = make_blog(sandbox)
    big = {"namespace": "custom", "key": "notes", "type": "multi_line_text_field"}
    created = make_article(sandbox, blog, handle="big", metafields=[{**big, "value": "x" * 65537}])
    assert created == {
        "article": None,
        "userErrors": [
            {
                "field": ["article", "metafields", "0", "value"],
                "message": "Value is too big (maximum is 64 KB)",
                "code": "TOO_LONG",
            }
        ],
    }
    article = make_article(sandbox, blog, handle="small")["article"]["id"]
    url = {"namespace": "custom", "key": "source", "type": "url", "value": URL + "a" * 2048}
    updated = data(sandbox, UPDATE, {"id": article, "a": {"metafields": [url]}})["articleUpdate"]
    assert updated["article"] is None
    assert updated["userErrors"] == [
        {
            "field": ["article", "metafields", "0", "value"],
            "message": "Value is too big (maximum is 2 KB)",
            "code": "TOO_LONG",
        }
    ]
    assert sandbox.store.all("metafield") == []


def test_more_than_25_metafields_at_once_are_refused(sandbox: SandboxServer) -> None:
    article = owner(sandbox)
    fields = [
        {
            "ownerId": article,
            "namespace": "custom",
            "key": f"k{i:02}",
            "type": "boolean",
            "value": "true",
        }
        for i in range(26)
    ]
    result = data(sandbox, SET, {"m": fields})["metafieldsSet"]
    assert result["userErrors"][0]["code"] == "LESS_THAN_OR_EQUAL_TO"
    assert sandbox.store.all("metafield") == []


# ---------------------------------------------------------------------------- products


def test_products_are_found_by_handles_in_one_query(sandbox: SandboxServer) -> None:
    query = "query($q: String!) { products(first: 250, query: $q) { nodes { handle status } } }"
    found = data(
        sandbox, query, {"q": "handle:original-oriems-ultimate-kit OR handle:oriems-pro-kit"}
    )
    assert sorted(n["handle"] for n in found["products"]["nodes"]) == [
        "oriems-pro-kit",
        "original-oriems-ultimate-kit",
    ]
    active = data(sandbox, query, {"q": "status:ACTIVE"})["products"]["nodes"]
    assert active and all(n["status"] == "ACTIVE" for n in active)
    assert "oriems-classic-unit" not in {n["handle"] for n in active}  # archived


# ---------------------------------------------------------------------------- pagination


def test_pages_are_capped_at_250(sandbox: SandboxServer) -> None:
    body = gql(sandbox, "{ articles(first: 251) { nodes { id } } }")
    assert body["errors"][0]["message"] == "The first argument must be less than or equal to 250."


def test_cursors_walk_a_connection_without_gaps(sandbox: SandboxServer) -> None:
    blog = make_blog(sandbox)
    for n in range(7):
        make_article(sandbox, blog, handle=f"a{n}")
    seen: list[str] = []
    after = None
    while True:
        page = data(
            sandbox,
            "query($after: String) { articles(first: 3, after: $after) {"
            " nodes { handle } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
        )["articles"]
        seen += [n["handle"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"a{n}" for n in range(7)]


# ---------------------------------------------------------------------------- persistence


def test_a_store_with_a_database_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    with SandboxServer(db_path=db) as first:
        blog = make_blog(first)
        made = make_article(first, blog, handle="kept", tags=["x"])["article"]
    with SandboxServer(db_path=db) as second:
        again = data(
            second, "query($id: ID!) { article(id: $id) { handle tags } }", {"id": made["id"]}
        )
        assert again["article"] == {"handle": "kept", "tags": ["x"]}
        newer = make_article(second, blog, handle="next")["article"]
        assert newer["id"] != made["id"]


@pytest.mark.parametrize("key", ["title_tag", "description_tag"])
def test_a_multi_line_seo_value_is_refused_as_shopify_words_it(
    sandbox: SandboxServer, key: str
) -> None:
    # captures/2025-01_metafields_metafields-set-input-validation.json,
    # invalidValueSingleLineNewline: the SEO fields are single_line_text_field metafields.
    seo = {"namespace": "global", "key": key, "type": "single_line_text_field"}
    created = make_article(
        sandbox, make_blog(sandbox), handle="seo", metafields=[{**seo, "value": "Line\nBreak"}]
    )
    assert created["article"] is None
    (error,) = created["userErrors"]
    assert error["message"] == "Value must be a single line text string."
    assert sandbox.store.all("article") == []
    field = {"ownerId": owner(sandbox), **seo, "value": "Line\nBreak"}
    result = data(sandbox, SET, {"m": [field]})["metafieldsSet"]
    assert result["userErrors"] == [
        {
            "field": ["metafields", "0", "value"],
            "message": "Value must be a single line text string.",
            "code": "INVALID_VALUE",
            "elementIndex": None,
        }
    ]
