"""App-reserved metafield namespaces over HTTP: ``$app:shopsync`` is ``app--<app id>--shopsync``
for the app the token belongs to, and only that app reads or writes it; a plain namespace
(``shopsync``) is anyone's. Grounded in ``shopsync/sandbox/apps.py`` (live captures and the
shopify.dev "Ownership" page)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from shopsync.sandbox import SandboxServer
from shopsync.sandbox.apps import ACCESS_MESSAGE, DEFAULT_APP, SandboxApp

from .gql import article_input, create_blog, gql

OTHER_APP = SandboxApp(id=5_100_000_002, handle="reviews", title="Reviews", installation_id=77)

WHO_AM_I = "{ currentAppInstallation { id app { id handle title } } }"

CREATE = """
mutation Create($article: ArticleCreateInput!) {
  articleCreate(article: $article) {
    article { id metafields(first: 10) { nodes { namespace key value } } }
    userErrors { field message code }
  }
}
"""

UPDATE = """
mutation Update($id: ID!, $article: ArticleUpdateInput!) {
  articleUpdate(id: $id, article: $article) {
    article { id }
    userErrors { field message code }
  }
}
"""

PAGE_CREATE = """
mutation Page($page: PageCreateInput!) {
  pageCreate(page: $page) {
    page { id metafield(namespace: "$app:shopsync", key: "source") { namespace value } }
    userErrors { field message code }
  }
}
"""

READ = """
query Read($id: ID!, $ns: String!, $key: String!) {
  article(id: $id) {
    one: metafield(namespace: $ns, key: $key) { namespace key value }
    inNamespace: metafields(first: 10, namespace: $ns) { nodes { namespace key value } }
    all: metafields(first: 10) { nodes { namespace key } }
  }
}
"""

SET = """
mutation Set($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { namespace key value }
    userErrors { field message code elementIndex }
  }
}
"""

DELETE = """
mutation Delete($metafields: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $metafields) {
    deletedMetafields { ownerId namespace key }
    userErrors { field message }
  }
}
"""

MINE = f"app--{DEFAULT_APP.id}--shopsync"


def _article(sandbox: SandboxServer, **extra: Any) -> str:
    blog = create_blog(sandbox, "news")
    data = gql(sandbox, CREATE, {"article": article_input(blog, "post", **extra)})
    payload = data["data"]["articleCreate"]
    assert payload["userErrors"] == []
    article_id: str = payload["article"]["id"]
    return article_id


def _source(value: str, namespace: str = "$app:shopsync") -> dict[str, str]:
    return {
        "namespace": namespace,
        "key": "source",
        "type": "single_line_text_field",
        "value": value,
    }


def test_current_app_installation_names_the_tokens_app(sandbox: SandboxServer) -> None:
    other = sandbox.issue_token(app=OTHER_APP)
    mine = gql(sandbox, WHO_AM_I)["data"]["currentAppInstallation"]
    theirs = gql(sandbox, WHO_AM_I, token=other)["data"]["currentAppInstallation"]
    assert mine == {
        "id": "gid://shopify/AppInstallation/1",
        "app": {
            "id": f"gid://shopify/App/{DEFAULT_APP.id}",
            "handle": "shopsync",
            "title": "shopsync",
        },
    }
    assert theirs["app"]["id"] == "gid://shopify/App/5100000002"
    assert theirs["id"] == "gid://shopify/AppInstallation/77"


def test_inline_app_namespace_is_stored_under_the_apps_id(sandbox: SandboxServer) -> None:
    article = _article(sandbox, metafields=[_source("articles/post.md")])
    # Read back by the resolved name, by $app:, and in an unfiltered listing.
    for namespace in (MINE, "$app:shopsync"):
        got = gql(sandbox, READ, {"id": article, "ns": namespace, "key": "source"})
        read = got["data"]["article"]
        assert read["one"] == {"namespace": MINE, "key": "source", "value": "articles/post.md"}
        assert read["inNamespace"]["nodes"] == [read["one"]]
    assert read["all"]["nodes"] == [{"namespace": MINE, "key": "source"}]


def test_app_alone_and_no_namespace_are_the_apps_own_namespace(sandbox: SandboxServer) -> None:
    article = _article(sandbox)
    items = [
        {"ownerId": article, "namespace": "$app", "key": "a1", "type": "boolean", "value": "true"},
        {"ownerId": article, "key": "a2", "type": "boolean", "value": "false"},
    ]
    written = gql(sandbox, SET, {"metafields": items})["data"]["metafieldsSet"]
    assert written["userErrors"] == []
    namespaces = {m["namespace"] for m in written["metafields"]}
    assert namespaces == {f"app--{DEFAULT_APP.id}"}


def test_page_create_resolves_app_namespaces_too(sandbox: SandboxServer) -> None:
    page = {"title": "Disclaimer", "metafields": [_source("articles/pages/d.md")]}
    created = gql(sandbox, PAGE_CREATE, {"page": page})["data"]["pageCreate"]
    assert created["userErrors"] == []
    assert created["page"]["metafield"] == {"namespace": MINE, "value": "articles/pages/d.md"}


def test_another_app_neither_sees_nor_writes_nor_deletes_reserved_metafields(
    sandbox: SandboxServer,
) -> None:
    article = _article(sandbox, metafields=[_source("articles/post.md")])
    other = sandbox.issue_token(app=OTHER_APP)

    # Reading: private to the owning app (by its full name; $app: is the reader's own).
    seen = gql(sandbox, READ, {"id": article, "ns": MINE, "key": "source"}, token=other)
    assert seen["data"]["article"] == {
        "one": None,
        "inNamespace": {"nodes": []},
        "all": {"nodes": []},
    }

    # Writing: refused whole, as metafields-set-delete-app-namespace-resolution.json shows.
    refused = gql(
        sandbox, SET, {"metafields": [{"ownerId": article, **_source("forged", MINE)}]}, token=other
    )["data"]["metafieldsSet"]
    assert refused == {
        "metafields": [],
        "userErrors": [
            {
                "field": ["metafields", "0"],
                "message": ACCESS_MESSAGE,
                "code": "APP_NOT_AUTHORIZED",
                "elementIndex": None,
            }
        ],
    }
    inline = gql(
        sandbox,
        UPDATE,
        {"id": article, "article": {"metafields": [_source("forged", MINE)]}},
        token=other,
    )["data"]["articleUpdate"]
    assert inline["article"] is None
    assert inline["userErrors"][0]["message"] == ACCESS_MESSAGE

    # Deleting: nothing deleted, one error for the list.
    gone = gql(
        sandbox,
        DELETE,
        {"metafields": [{"ownerId": article, "namespace": MINE, "key": "source"}]},
        token=other,
    )["data"]["metafieldsDelete"]
    assert gone == {
        "deletedMetafields": [],
        "userErrors": [{"field": ["metafields"], "message": ACCESS_MESSAGE}],
    }

    # The owner's value is untouched.
    still = gql(sandbox, READ, {"id": article, "ns": "$app:shopsync", "key": "source"})
    assert still["data"]["article"]["one"]["value"] == "articles/post.md"


def test_plain_namespaces_are_anyones(sandbox: SandboxServer) -> None:
    article = _article(sandbox, metafields=[_source("articles/post.md", "shopsync")])
    other = sandbox.issue_token(app=OTHER_APP)
    seen = gql(sandbox, READ, {"id": article, "ns": "shopsync", "key": "source"}, token=other)
    assert seen["data"]["article"]["one"]["value"] == "articles/post.md"
    edited = gql(
        sandbox,
        SET,
        {"metafields": [{"ownerId": article, **_source("edited", "shopsync")}]},
        token=other,
    )["data"]["metafieldsSet"]
    assert edited["userErrors"] == []
    mine = gql(sandbox, READ, {"id": article, "ns": "shopsync", "key": "source"})
    assert mine["data"]["article"]["one"]["value"] == "edited"


def test_each_app_has_its_own_app_namespace(sandbox: SandboxServer) -> None:
    """Two apps writing ``$app:shopsync`` write two metafields, each private to its writer."""
    article = _article(sandbox, metafields=[_source("mine")])
    other = sandbox.issue_token(app=OTHER_APP)
    theirs = gql(
        sandbox, SET, {"metafields": [{"ownerId": article, **_source("theirs")}]}, token=other
    )["data"]["metafieldsSet"]
    assert theirs["metafields"] == [
        {"namespace": f"app--{OTHER_APP.id}--shopsync", "key": "source", "value": "theirs"}
    ]
    for token, value in ((None, "mine"), (other, "theirs")):
        read = gql(
            sandbox, READ, {"id": article, "ns": "$app:shopsync", "key": "source"}, token=token
        )
        assert read["data"]["article"]["one"]["value"] == value


def test_metafields_delete_resolves_app_namespaces(sandbox: SandboxServer) -> None:
    article = _article(sandbox, metafields=[_source("articles/post.md")])
    identifier = {"ownerId": article, "namespace": "$app:shopsync", "key": "source"}
    gone = gql(sandbox, DELETE, {"metafields": [identifier]})["data"]["metafieldsDelete"]
    assert gone == {
        "deletedMetafields": [{"ownerId": article, "namespace": MINE, "key": "source"}],
        "userErrors": [],
    }
    read = gql(sandbox, READ, {"id": article, "ns": MINE, "key": "source"})
    assert read["data"]["article"]["one"] is None


@pytest.mark.parametrize("via", ["client_credentials", "issue_token"])
def test_tokens_belong_to_the_configured_app_by_default(sandbox_factory: Any, via: str) -> None:
    app = SandboxApp(id=9_000_000_009, handle="mine", title="Mine", installation_id=3)
    sandbox = sandbox_factory(app=app, clients={"cid": "secret"})
    if via == "issue_token":
        token = sandbox.issue_token()
    else:
        form = {"grant_type": "client_credentials", "client_id": "cid", "client_secret": "secret"}
        answer = requests.post(f"{sandbox.url}/admin/oauth/access_token", data=form, timeout=10)
        token = answer.json()["access_token"]
    who = gql(sandbox, WHO_AM_I, token=token)["data"]["currentAppInstallation"]
    assert who["app"]["id"] == "gid://shopify/App/9000000009"
