"""The sandbox's HTTP layer over real HTTP: auth, versions, request shape, validation
errors, scopes, client-credentials tokens, request recording and concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from shopsync.sandbox import SandboxServer

from .gql import (
    ARTICLE_CREATE,
    ARTICLES,
    TIMEOUT,
    FakeClock,
    article_handles,
    article_input,
    create_blog,
    gql,
    post,
)

INVALID_TOKEN = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
SCOPES_QUERY = "{ currentAppInstallation { accessScopes { handle } } }"


def test_missing_and_wrong_token_get_shopifys_401(sandbox: SandboxServer) -> None:
    body = {"query": SCOPES_QUERY}
    missing = requests.post(sandbox.graphql_url(), json=body, timeout=TIMEOUT)
    wrong = post(sandbox, SCOPES_QUERY, token="shpat_not_the_token")
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.json() == INVALID_TOKEN


def test_valid_token_answers_with_data_and_cost(sandbox: SandboxServer) -> None:
    response = post(sandbox, SCOPES_QUERY)
    assert response.status_code == 200
    assert response.headers["X-Shopify-API-Version"] == "2026-07"
    body = response.json()
    handles = {s["handle"] for s in body["data"]["currentAppInstallation"]["accessScopes"]}
    assert handles == set(sandbox.config.scopes)
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] >= cost["actualQueryCost"] >= 1
    assert cost["throttleStatus"]["maximumAvailable"] == 2000
    assert cost["throttleStatus"]["restoreRate"] == 100


def test_the_date_header_is_the_stores_clock_like_updated_at(sandbox: SandboxServer) -> None:
    sandbox.store.clock = lambda: datetime(2026, 6, 1, 9, 0, 0, 900_000, tzinfo=UTC)
    blog = create_blog(sandbox, "news")
    answered = post(sandbox, ARTICLE_CREATE, {"article": article_input(blog, "first")})
    # One header (requests would join two with a comma), in whole seconds, as updatedAt.
    assert answered.headers["Date"] == "Mon, 01 Jun 2026 09:00:00 GMT"
    (stored,) = sandbox.store.all("article")
    assert stored["updatedAt"] == "2026-06-01T09:00:00Z"
    refused = post(sandbox, SCOPES_QUERY, token="shpat_wrong")
    assert refused.status_code == 401 and refused.headers["Date"] == answered.headers["Date"]


@pytest.mark.parametrize("version", ["2026-13", "2027-01", "latest", "2026-07x"])
def test_unknown_version_is_404(sandbox: SandboxServer, version: str) -> None:
    unknown = post(sandbox, SCOPES_QUERY, version=version)
    assert unknown.status_code == 404
    assert unknown.json() == {"errors": "Not Found"}


def test_supported_versions_answer_and_expired_ones_fall_forward(sandbox: SandboxServer) -> None:
    older = post(sandbox, SCOPES_QUERY, version="2025-07")
    assert older.status_code == 200
    assert older.headers["X-Shopify-API-Version"] == "2025-07"
    expired = post(sandbox, SCOPES_QUERY, version="2024-01")
    assert expired.status_code == 200
    assert expired.headers["X-Shopify-API-Version"] == "2025-07"  # the oldest supported


def test_wrong_method_is_405(sandbox: SandboxServer) -> None:
    response = requests.get(sandbox.graphql_url(), timeout=TIMEOUT)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize(
    "data",
    [b"not json", b'{"variables": {}}', b'{"query": ""}', b"[1, 2]", b'{"query": 42}'],
)
def test_bad_request_body_is_400(sandbox: SandboxServer, data: bytes) -> None:
    response = requests.post(
        sandbox.graphql_url(),
        data=data,
        headers={
            "X-Shopify-Access-Token": sandbox.config.access_token,
            "Content-Type": "application/json",
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"query": "Required parameter missing or invalid"}}


def _with_variables(sandbox: SandboxServer, query: str, variables: Any) -> requests.Response:
    """A body whose ``variables`` may be anything, not only an object."""
    return requests.post(
        sandbox.graphql_url(),
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": sandbox.config.access_token},
        timeout=TIMEOUT,
    )


@pytest.mark.parametrize("variables", [[1], "[1]", "{not json", 3])
def test_variables_that_are_not_an_object_are_400(sandbox: SandboxServer, variables: Any) -> None:
    response = _with_variables(sandbox, SCOPES_QUERY, variables)
    assert response.status_code == 400
    assert response.json() == {"errors": {"variables": "must be a JSON object"}}


def test_variables_may_come_as_json_text(sandbox: SandboxServer) -> None:
    query = "query($n: Int!) { articles(first: $n) { nodes { id } } }"
    as_text = _with_variables(sandbox, query, '{"n": 1}')
    assert as_text.json()["data"] == {"articles": {"nodes": []}}
    assert "data" in _with_variables(sandbox, SCOPES_QUERY, "").json()


def test_application_graphql_body_is_accepted(sandbox: SandboxServer) -> None:
    response = requests.post(
        sandbox.graphql_url(),
        data=SCOPES_QUERY.encode(),
        headers={
            "X-Shopify-Access-Token": sandbox.config.access_token,
            "Content-Type": "application/graphql",
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.json()["data"]["currentAppInstallation"]["accessScopes"]


def test_syntax_error_is_200_with_location(sandbox: SandboxServer) -> None:
    body = gql(sandbox, "{ articles(first: 1) { nodes { id } ")
    assert "data" not in body
    (error,) = body["errors"]
    assert error["message"].startswith("Parse error")
    assert error["locations"][0]["line"] == 1


def test_undefined_field_in_shopifys_words(sandbox: SandboxServer) -> None:
    body = gql(sandbox, "{ articles(first: 1) { nodes { id bogus } } }")
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Field 'bogus' doesn't exist on type 'Article'",
            "locations": [{"line": 1, "column": 35}],
            "path": ["query", "articles", "nodes", "bogus"],
            "extensions": {"code": "undefinedField", "typeName": "Article", "fieldName": "bogus"},
        }
    ]


def test_unknown_and_missing_arguments(sandbox: SandboxServer) -> None:
    unknown = gql(sandbox, "{ articles(first: 1, colour: 2) { nodes { id } } }")
    assert unknown["errors"][0]["extensions"] == {
        "code": "argumentNotAccepted",
        "name": "articles",
        "typeName": "Field",
        "argumentName": "colour",
    }
    missing = gql(sandbox, "{ article { id } }")
    assert missing["errors"][0]["message"] == "Field 'article' is missing required arguments: id"
    assert missing["errors"][0]["extensions"]["code"] == "missingRequiredArguments"


def test_missing_input_field_matches_the_live_capture(sandbox: SandboxServer) -> None:
    # Recorded on a live store (captures/...content-required-fields.json).
    query = (
        "#graphql\n  mutation OnlineStoreContentRequiredFieldsPageCreateMissing {\n"
        "    pageCreate(page: {}) {\n      page { id title handle }\n"
        "      userErrors { field message code }\n    }\n  }\n"
    )
    assert gql(sandbox, query) == {
        "errors": [
            {
                "message": "Argument 'title' on InputObject 'PageCreateInput' is required. "
                "Expected type String!",
                "locations": [{"line": 3, "column": 22}],
                "path": [
                    "mutation OnlineStoreContentRequiredFieldsPageCreateMissing",
                    "pageCreate",
                    "page",
                    "title",
                ],
                "extensions": {
                    "code": "missingRequiredInputObjectAttribute",
                    "argumentName": "title",
                    "argumentType": "String!",
                    "inputObjectType": "PageCreateInput",
                },
            }
        ]
    }


def test_invalid_variables_are_invalid_variable(sandbox: SandboxServer) -> None:
    body = gql(sandbox, ARTICLE_CREATE, {"article": {"handle": "x", "colour": "red"}})
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INVALID_VARIABLE"
    assert error["extensions"]["value"] == {"handle": "x", "colour": "red"}
    problems = {tuple(p["path"]): p["explanation"] for p in error["extensions"]["problems"]}
    assert problems[("colour",)] == "Field is not defined on ArticleCreateInput"
    assert problems[("title",)] == "Expected value to not be null"
    assert error["message"].startswith(
        "Variable $article of type ArticleCreateInput! was provided invalid value"
    )


def test_several_operations_need_an_operation_name(sandbox: SandboxServer) -> None:
    document = "query A { currentAppInstallation { id } } query B " + SCOPES_QUERY
    ambiguous = gql(sandbox, document)
    assert ambiguous["errors"] == [{"message": "An operation name is required"}]
    chosen = gql(sandbox, document, operation_name="B")
    assert chosen["data"]["currentAppInstallation"]["accessScopes"]
    unknown = gql(sandbox, document, operation_name="C")
    assert unknown["errors"] == [{"message": 'No operation named "C"'}]


def test_a_document_without_an_operation_is_refused(sandbox: SandboxServer) -> None:
    body = gql(sandbox, "fragment F on Shop { id }")
    assert body == {"errors": [{"message": "Document must contain at least one operation"}]}


def test_root_fields_without_scope_are_denied_the_rest_answered(
    sandbox: SandboxServer,
) -> None:
    token = sandbox.issue_token(scopes=["read_products"])
    body = gql(
        sandbox,
        "{ posts: articles(first: 5) { nodes { id } } products(first: 5) { nodes { handle } } }",
        token=token,
    )
    assert body["data"]["posts"] is None
    assert isinstance(body["data"]["products"]["nodes"], list)
    (error,) = body["errors"]
    assert error["message"] == (
        "Access denied for articles field. Required access: `read_content` access scope."
    )
    assert error["path"] == ["posts"]
    assert error["extensions"]["code"] == "ACCESS_DENIED"
    assert list(body["data"]) == ["posts", "products"]


def test_node_lookups_need_the_scope_of_the_type_they_name(sandbox: SandboxServer) -> None:
    blog_id = create_blog(sandbox)
    products_only = sandbox.issue_token(scopes=["read_products"])
    query = "query($id: ID!) { node(id: $id) { id } }"
    denied = gql(sandbox, query, {"id": blog_id}, token=products_only)
    assert denied["data"] == {"node": None}
    assert denied["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert "read_content" in denied["errors"][0]["message"]
    allowed = gql(sandbox, query, {"id": blog_id})
    assert allowed["data"] == {"node": {"id": blog_id}}


def test_write_without_scope_changes_nothing(sandbox: SandboxServer) -> None:
    blog_id = create_blog(sandbox)
    reader = sandbox.issue_token(scopes=["read_content"])
    body = gql(sandbox, ARTICLE_CREATE, {"article": article_input(blog_id, "nope")}, token=reader)
    assert body["data"]["articleCreate"] is None
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert "write_content" in body["errors"][0]["message"]
    assert article_handles(sandbox) == []


def test_current_app_installation_reports_the_tokens_scopes(sandbox: SandboxServer) -> None:
    token = sandbox.issue_token(scopes=["read_content", "read_products"])
    body = gql(sandbox, SCOPES_QUERY, token=token)
    handles = [s["handle"] for s in body["data"]["currentAppInstallation"]["accessScopes"]]
    assert sorted(handles) == ["read_content", "read_products"]


def test_client_credentials_grant_issues_a_working_token(sandbox_factory: Any) -> None:
    clock = FakeClock()
    sandbox = sandbox_factory(clients={"app-id": "app-secret"}, token_ttl=60.0, clock=clock)
    url = f"{sandbox.url}/admin/oauth/access_token"
    form = {"grant_type": "client_credentials", "client_id": "app-id"}
    granted = requests.post(url, data={**form, "client_secret": "app-secret"}, timeout=TIMEOUT)
    assert granted.status_code == 200
    grant = granted.json()
    assert grant["expires_in"] == 60
    assert set(grant["scope"].split(",")) == set(sandbox.config.scopes)
    assert post(sandbox, SCOPES_QUERY, token=grant["access_token"]).status_code == 200

    as_json = requests.post(url, json={**form, "client_secret": "app-secret"}, timeout=TIMEOUT)
    assert as_json.status_code == 200
    assert as_json.json()["access_token"] != grant["access_token"]

    clock.advance(61)
    expired = post(sandbox, SCOPES_QUERY, token=grant["access_token"])
    assert expired.status_code == 401
    assert expired.json() == INVALID_TOKEN
    # The configured custom-app token does not expire.
    assert post(sandbox, SCOPES_QUERY).status_code == 200


def test_client_credentials_refuses_bad_credentials(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(clients={"app-id": "app-secret"})
    url = f"{sandbox.url}/admin/oauth/access_token"
    wrong = requests.post(
        url,
        data={"grant_type": "client_credentials", "client_id": "app-id", "client_secret": "no"},
        timeout=TIMEOUT,
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    grant = requests.post(
        url,
        data={"grant_type": "password", "client_id": "app-id", "client_secret": "app-secret"},
        timeout=TIMEOUT,
    )
    assert grant.status_code == 400
    assert grant.json()["error"] == "unsupported_grant_type"


def test_recorded_requests_never_hold_the_token_or_secret(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(access_token="shpat_secret_value", clients={"id": "sec_value"})
    post(sandbox, SCOPES_QUERY)
    requests.post(
        f"{sandbox.url}/admin/oauth/access_token",
        data={"grant_type": "client_credentials", "client_id": "id", "client_secret": "sec_value"},
        timeout=TIMEOUT,
    )
    assert [r.status for r in sandbox.requests] == [200, 200]
    graphql, oauth = sandbox.requests
    assert graphql.path == "/admin/api/2026-07/graphql.json"
    assert graphql.body is not None and graphql.body["query"] == SCOPES_QUERY
    assert oauth.body is not None and oauth.body["client_id"] == "id"
    dump = repr(sandbox.requests) + repr(sandbox.config) + repr(sandbox)
    assert "shpat_secret_value" not in dump
    assert "sec_value" not in dump


def test_operation_name_is_recorded(sandbox: SandboxServer) -> None:
    gql(sandbox, ARTICLES, {"first": 1})
    assert sandbox.requests[-1].operation_name == "SandboxArticles"


def test_concurrent_creates_all_land_exactly_once(sandbox: SandboxServer) -> None:
    blog_id = create_blog(sandbox)
    handles = [f"concurrent-{i:02d}" for i in range(16)]

    def create(handle: str) -> Any:
        return gql(sandbox, ARTICLE_CREATE, {"article": article_input(blog_id, handle)})

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(create, handles))
    for result in results:
        assert result["data"]["articleCreate"]["userErrors"] == []
    assert article_handles(sandbox) == handles


def test_server_refuses_non_loopback_hosts() -> None:
    with pytest.raises(ValueError, match="loopback"):
        SandboxServer(host="0.0.0.0")


def test_max_recorded_keeps_the_latest_requests() -> None:
    with SandboxServer(max_recorded=2) as sandbox:
        for version in ("2025-07", "2025-10", "2026-01"):
            post(sandbox, SCOPES_QUERY, version=version)
        assert [r.path.split("/")[3] for r in sandbox.requests] == ["2025-10", "2026-01"]
