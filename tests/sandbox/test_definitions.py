"""Metafield definitions over HTTP: create (and its refusals), read, and what a definition does
to later writes and to metafields that were there before it. Grounded in
``shopsync/sandbox/definitions.py`` (live captures and the metafieldDefinitionCreate docs)."""

from __future__ import annotations

import json
from typing import Any

from shopsync.sandbox import SandboxServer
from shopsync.sandbox.apps import DEFAULT_APP, SandboxApp

from .gql import article_input, create_blog, gql

CREATE_DEFINITION = """
mutation Define($definition: MetafieldDefinitionInput!) {
  metafieldDefinitionCreate(definition: $definition) {
    createdDefinition {
      id name namespace key ownerType description pinnedPosition validationStatus
      type { name category }
      validations { name value }
    }
    userErrors { field message code }
  }
}
"""

DEFINITIONS = """
query Definitions($ownerType: MetafieldOwnerType!, $namespace: String, $key: String) {
  metafieldDefinitions(ownerType: $ownerType, namespace: $namespace, key: $key, first: 10) {
    nodes { id namespace key ownerType name metafieldsCount validationStatus }
  }
}
"""

BY_IDENTIFIER = """
query One($identifier: MetafieldDefinitionIdentifierInput!) {
  metafieldDefinition(identifier: $identifier) { id namespace key ownerType }
}
"""

SET = """
mutation Set($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { namespace key type value definition { id type { name } } }
    userErrors { field message code elementIndex }
  }
}
"""

ARTICLE_CREATE = """
mutation Create($article: ArticleCreateInput!) {
  articleCreate(article: $article) {
    article { id }
    userErrors { field message code }
  }
}
"""

READ = """
query Read($id: ID!) {
  article(id: $id) {
    metafield(namespace: "custom", key: "featured_products") {
      type value definition { id }
    }
  }
}
"""


def _definition(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Featured products",
        "namespace": "custom",
        "key": "featured_products",
        "ownerType": "ARTICLE",
        "type": "list.product_reference",
        **fields,
    }


def _define(sandbox: SandboxServer, token: str | None = None, **fields: Any) -> dict[str, Any]:
    data = gql(sandbox, CREATE_DEFINITION, {"definition": _definition(**fields)}, token=token)
    payload: dict[str, Any] = data["data"]["metafieldDefinitionCreate"]
    return payload


def _article(sandbox: SandboxServer, **extra: Any) -> str:
    blog = create_blog(sandbox, "news")
    data = gql(sandbox, ARTICLE_CREATE, {"article": article_input(blog, "post", **extra)})
    assert data["data"]["articleCreate"]["userErrors"] == []
    article_id: str = data["data"]["articleCreate"]["article"]["id"]
    return article_id


def _products(sandbox: SandboxServer, n: int) -> list[str]:
    return [p["id"] for p in sandbox.store.all("product")[:n]]


def test_create_answers_the_definition_and_reads_find_it(sandbox: SandboxServer) -> None:
    created = _define(sandbox, description="Products the article features")
    assert created["userErrors"] == []
    definition = created["createdDefinition"]
    assert definition["type"] == {"name": "list.product_reference", "category": "REFERENCE"}
    assert (definition["ownerType"], definition["validationStatus"]) == ("ARTICLE", "ALL_VALID")
    assert definition["pinnedPosition"] is None and definition["validations"] == []

    listed = gql(sandbox, DEFINITIONS, {"ownerType": "ARTICLE", "namespace": "custom"})
    assert [d["id"] for d in listed["data"]["metafieldDefinitions"]["nodes"]] == [definition["id"]]
    identifier = {"ownerType": "ARTICLE", "namespace": "custom", "key": "featured_products"}
    one = gql(sandbox, BY_IDENTIFIER, {"identifier": identifier})
    assert one["data"]["metafieldDefinition"]["id"] == definition["id"]
    # Definitions are per owner type: none for pages.
    pages = gql(sandbox, DEFINITIONS, {"ownerType": "PAGE", "namespace": "custom"})
    assert pages["data"]["metafieldDefinitions"]["nodes"] == []


def test_the_same_namespace_and_key_twice_is_taken_on_one_owner_type(
    sandbox: SandboxServer,
) -> None:
    assert _define(sandbox)["userErrors"] == []
    again = _define(sandbox, name="Featured, again")
    assert again == {
        "createdDefinition": None,
        "userErrors": [
            {
                "field": ["definition", "key"],
                "message": "Key is in use for Article metafields on the 'custom' namespace.",
                "code": "TAKEN",
            }
        ],
    }
    # The same namespace and key for another owner type is another definition.
    assert _define(sandbox, ownerType="PAGE")["userErrors"] == []


def test_create_refuses_bad_names_and_unknown_types(sandbox: SandboxServer) -> None:
    short = _define(sandbox, namespace="ab", key="x")
    assert [(e["field"], e["code"]) for e in short["userErrors"]] == [
        (["definition", "namespace"], "TOO_SHORT"),
        (["definition", "key"], "TOO_SHORT"),
    ]
    spaced = _define(sandbox, namespace="my space")
    assert spaced["userErrors"] == [
        {
            "field": ["definition", "namespace"],
            "message": "Namespace contains one or more invalid characters.",
            "code": "INVALID_CHARACTER",
        }
    ]
    made_up = _define(sandbox, type="totally_made_up_type")["userErrors"]
    assert [(e["field"], e["code"]) for e in made_up] == [(["definition", "type"], "INCLUSION")]
    assert made_up[0]["message"].startswith(
        "Type name totally_made_up_type is not a valid type. Valid types are: antenna_gain, area,"
    )
    long_name = _define(sandbox, name="N" * 256)["userErrors"]
    assert long_name[0]["message"] == "Name is too long (maximum is 255 characters)"


def test_validation_options_are_checked(sandbox: SandboxServer) -> None:
    def refusal(type_name: str, *options: tuple[str, str]) -> str:
        validations = [{"name": n, "value": v} for n, v in options]
        answer = _define(sandbox, key="k_" + type_name, type=type_name, validations=validations)
        assert answer["createdDefinition"] is None
        (error,) = answer["userErrors"]
        assert error["field"] == ["definition", "validations"]
        message: str = error["message"]
        return message

    assert refusal("boolean", ("max", "1")) == (
        "Validations value for option max contains an invalid value: 'max' isn't supported "
        "for boolean."
    )
    assert refusal("single_line_text_field", ("min", "5"), ("min", "10")) == (
        'Validations cannot contain duplicate "name" options.'
    )
    assert refusal("number_integer", ("min", "not-a-number")) == (
        "Validations value for option min must be an integer."
    )
    assert refusal("single_line_text_field", ("min", "10"), ("max", "5")) == (
        "Validations contains an invalid value: 'min' must be less than 'max'."
    )


def test_values_are_held_to_the_definitions_type(sandbox: SandboxServer) -> None:
    assert _define(sandbox)["userErrors"] == []
    article = _article(sandbox)
    products = _products(sandbox, 2)

    def write(value: str, type_name: str | None = "list.product_reference") -> dict[str, Any]:
        item = {"ownerId": article, "namespace": "custom", "key": "featured_products"}
        item |= {"value": value} | ({"type": type_name} if type_name else {})
        answer: dict[str, Any] = gql(sandbox, SET, {"metafields": [item]})["data"]["metafieldsSet"]
        return answer

    missing = write(json.dumps(["gid://shopify/Product/999999997"]))
    assert missing["userErrors"] == [
        {
            "field": ["metafields", "0", "value"],
            "message": "Value references non-existent resource gid://shopify/Product/999999997.",
            "code": "INVALID_VALUE",
            "elementIndex": None,
        }
    ]
    other_type = write(json.dumps(products), "json")
    assert [(e["field"], e["code"]) for e in other_type["userErrors"]] == [
        (["metafields", "0", "type"], "INVALID_TYPE")
    ]
    # Without a type the definition's is taken (metafieldsSet-type-from-definition.json).
    ok = write(json.dumps(products), None)
    assert ok["userErrors"] == []
    (metafield,) = ok["metafields"]
    assert metafield["type"] == "list.product_reference"
    assert metafield["definition"]["type"] == {"name": "list.product_reference"}


def test_inline_metafields_are_held_to_the_definition_too(sandbox: SandboxServer) -> None:
    assert _define(sandbox)["userErrors"] == []
    blog = create_blog(sandbox, "news")
    bad = {"namespace": "custom", "key": "featured_products", "type": "list.product_reference"}
    bad["value"] = json.dumps(["gid://shopify/Product/999999997"])
    refused = gql(sandbox, ARTICLE_CREATE, {"article": article_input(blog, "p", metafields=[bad])})
    (error,) = refused["data"]["articleCreate"]["userErrors"]
    assert error["field"] == ["article", "metafields", "0", "value"]
    assert error["code"] == "INVALID_VALUE"


def test_a_text_definitions_max_length_applies(sandbox: SandboxServer) -> None:
    created = _define(
        sandbox,
        namespace="shopsync",
        key="headline",
        type="single_line_text_field",
        validations=[{"name": "max", "value": "5"}],
    )
    assert created["createdDefinition"]["validations"] == [{"name": "max", "value": "5"}]
    article = _article(sandbox)
    item = {"ownerId": article, "namespace": "shopsync", "key": "headline"}
    item |= {"type": "single_line_text_field", "value": "too long"}
    too_long = gql(sandbox, SET, {"metafields": [item]})["data"]["metafieldsSet"]
    assert too_long["userErrors"] == [
        {
            "field": ["metafields", "0", "value"],
            "message": "Value has a maximum length of 5.",
            "code": "INVALID_VALUE",
            "elementIndex": None,
        }
    ]
    short = gql(sandbox, SET, {"metafields": [item | {"value": "short"}]})["data"]["metafieldsSet"]
    assert short["userErrors"] == []


def test_a_definition_over_existing_metafields_migrates_the_valid_ones(
    sandbox: SandboxServer,
) -> None:
    """The docs: valid existing metafields take the definition's type, invalid ones stay as they
    are (and the definition says SOME_INVALID) until a write brings them in line."""
    products = _products(sandbox, 2)
    good = _article(sandbox, metafields=[_json_list(products)])
    blog = create_blog(sandbox, "other")
    bad_value = ["gid://shopify/Product/999999997"]
    data = gql(
        sandbox,
        ARTICLE_CREATE,
        {"article": article_input(blog, "bad", metafields=[_json_list(bad_value)])},
    )
    bad = data["data"]["articleCreate"]["article"]["id"]

    created = _define(sandbox)
    assert created["userErrors"] == []
    assert created["createdDefinition"]["validationStatus"] == "SOME_INVALID"
    migrated = gql(sandbox, READ, {"id": good})["data"]["article"]["metafield"]
    assert migrated["type"] == "list.product_reference"
    assert migrated["definition"]["id"] == created["createdDefinition"]["id"]
    left = gql(sandbox, READ, {"id": bad})["data"]["article"]["metafield"]
    assert left["type"] == "json"  # unchanged, though it now has a definition

    listed = gql(sandbox, DEFINITIONS, {"ownerType": "ARTICLE", "key": "featured_products"})
    (node,) = listed["data"]["metafieldDefinitions"]["nodes"]
    assert (node["metafieldsCount"], node["validationStatus"]) == (2, "SOME_INVALID")

    fixed = {"ownerId": bad, "namespace": "custom", "key": "featured_products"}
    fixed["value"] = json.dumps(products[:1])
    assert gql(sandbox, SET, {"metafields": [fixed]})["data"]["metafieldsSet"]["userErrors"] == []
    listed = gql(sandbox, DEFINITIONS, {"ownerType": "ARTICLE", "key": "featured_products"})
    assert listed["data"]["metafieldDefinitions"]["nodes"][0]["validationStatus"] == "ALL_VALID"


def _json_list(value: list[str]) -> dict[str, str]:
    return {
        "namespace": "custom",
        "key": "featured_products",
        "type": "json",
        "value": json.dumps(value),
    }


def test_app_namespaces_in_definitions(sandbox: SandboxServer) -> None:
    created = _define(sandbox, namespace="$app:shopsync", key="source", type="url")
    assert created["createdDefinition"]["namespace"] == f"app--{DEFAULT_APP.id}--shopsync"
    identifier = {"ownerType": "ARTICLE", "namespace": "$app:shopsync", "key": "source"}
    one = gql(sandbox, BY_IDENTIFIER, {"identifier": identifier})["data"]["metafieldDefinition"]
    assert one["id"] == created["createdDefinition"]["id"]

    other = sandbox.issue_token(app=SandboxApp(id=77, handle="o", title="O", installation_id=8))
    # Another app: its own $app: is another namespace, and the owner's is not visible to it.
    assert gql(sandbox, BY_IDENTIFIER, {"identifier": identifier}, token=other)["data"] == {
        "metafieldDefinition": None
    }
    mine = f"app--{DEFAULT_APP.id}--shopsync"
    listed = gql(sandbox, DEFINITIONS, {"ownerType": "ARTICLE", "namespace": mine}, token=other)
    assert listed["data"]["metafieldDefinitions"]["nodes"] == []
    # ...and creating in it is ACCESS_DENIED, the field null
    # (metafield-definition-app-namespace-resolution.json, case crossAppCreate).
    denied = gql(
        sandbox, CREATE_DEFINITION, {"definition": _definition(namespace=mine)}, token=other
    )
    assert denied["data"] == {"metafieldDefinitionCreate": None}
    (error,) = denied["errors"]
    assert error["extensions"]["code"] == "ACCESS_DENIED"
    assert error["message"] == (
        "Access denied for metafieldDefinitionCreate field. Required access: API client to have "
        "access to the namespace and the resource type associated with the metafield definition.\n"
    )


def test_creating_needs_write_access_to_the_owner_resource(sandbox: SandboxServer) -> None:
    reader = sandbox.issue_token(scopes=["read_content"])
    denied = gql(sandbox, CREATE_DEFINITION, {"definition": _definition()}, token=reader)
    assert denied["data"] == {"metafieldDefinitionCreate": None}
    assert denied["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
