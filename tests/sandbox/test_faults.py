"""Every fault kind over real HTTP: what the client sees and what the store kept."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from shopsync.sandbox import FaultRule, SandboxServer
from shopsync.sandbox.faults import FAULT_KINDS, FaultSet

from .gql import ARTICLE_CREATE, article_handles, article_input, create_blog, gql, post

SCOPES_QUERY = "query Scopes { currentAppInstallation { accessScopes { handle } } }"
METAFIELDS_SET = """
mutation SandboxMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id }
    userErrors { field message code }
  }
}
"""


def _create(sandbox: SandboxServer, blog_id: str, handle: str, **kw: Any) -> requests.Response:
    return post(sandbox, ARTICLE_CREATE, {"article": article_input(blog_id, handle)}, **kw)


def test_fault_rules_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultRule("explode")
    with pytest.raises(ValueError):
        FaultRule("http_500", times=-1)
    assert "commit_then_fail" in FAULT_KINDS


def test_rules_are_consumed_in_order_and_by_match() -> None:
    faults = FaultSet()
    first = faults.add(FaultRule("http_500", match="articleCreate", times=2))
    forever = faults.add(FaultRule("http_503", times=None))
    assert faults.take("Scopes", "{ shop { id } }") is forever
    assert faults.take(None, "mutation { articleCreate(article: {}) { x } }") is first
    assert (
        faults.take("SandboxArticleCreate", "...") is forever
    )  # "articleCreate" is case-sensitive
    assert faults.take("X", "mutation { articleCreate }") is first
    assert first.times == 0
    assert faults.take("X", "mutation { articleCreate }") is forever
    faults.clear()
    assert faults.take("X", "anything") is None


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        ("http_500", 500, {"errors": "Internal Server Error"}),
        ("http_502", 502, {"errors": "Bad Gateway"}),
        ("http_503", 503, {"errors": "Unavailable Shop"}),
        (
            "http_401",
            401,
            {
                "errors": "[API] Invalid API key or access token "
                "(unrecognized login or wrong password)"
            },
        ),
    ],
)
def test_http_errors_answer_without_executing(
    sandbox: SandboxServer, kind: str, status: int, body: dict[str, str]
) -> None:
    blog_id = create_blog(sandbox)
    sandbox.faults.add(FaultRule(kind, match="SandboxArticleCreate"))
    failed = _create(sandbox, blog_id, "first-try")
    assert failed.status_code == status
    assert failed.json() == body
    assert article_handles(sandbox) == []
    retried = _create(sandbox, blog_id, "first-try")
    assert retried.status_code == 200
    assert article_handles(sandbox) == ["first-try"]


def test_429_carries_retry_after(sandbox: SandboxServer) -> None:
    sandbox.faults.add(FaultRule("http_429", retry_after=1.5))
    response = post(sandbox, SCOPES_QUERY)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1.5"
    assert response.json() == {
        "errors": "Exceeded 2 calls per second for api client. "
        "Reduce request rates to resume uninterrupted service."
    }
    assert post(sandbox, SCOPES_QUERY).status_code == 200
    sandbox.faults.add(FaultRule("http_429"))
    assert post(sandbox, SCOPES_QUERY).headers["Retry-After"] == "2.0"
    assert [r.kind for r in sandbox.faults.fired] == ["http_429", "http_429"]


def test_reset_closes_the_connection_without_a_response(sandbox: SandboxServer) -> None:
    blog_id = create_blog(sandbox)
    sandbox.faults.add(FaultRule("reset", match="articleCreate"))
    with pytest.raises(requests.ConnectionError):
        _create(sandbox, blog_id, "reset-me")
    assert article_handles(sandbox) == []
    assert sandbox.requests[-2].status == 0


def test_a_dropped_request_is_logged_with_its_operation_and_body(sandbox: SandboxServer) -> None:
    blog_id = create_blog(sandbox)
    sandbox.faults.add(FaultRule("reset", match="articleCreate"))
    with pytest.raises(requests.ConnectionError):
        _create(sandbox, blog_id, "reset-me")
    (dropped,) = [r for r in sandbox.requests if r.status == 0]
    assert dropped.operation_name == "SandboxArticleCreate"
    assert dropped.body is not None
    assert dropped.body["variables"]["article"]["handle"] == "reset-me"


def test_timeout_holds_then_closes(sandbox: SandboxServer) -> None:
    sandbox.faults.add(FaultRule("timeout", hold_s=30))
    with pytest.raises(requests.Timeout):
        post(sandbox, SCOPES_QUERY, timeout=0.3)
    # A short hold ends in a closed connection, still without a response.
    sandbox.faults.add(FaultRule("timeout", hold_s=0.05))
    with pytest.raises(requests.ConnectionError):
        post(sandbox, SCOPES_QUERY)
    assert post(sandbox, SCOPES_QUERY).status_code == 200


def test_latency_rule_delays_one_request(sandbox: SandboxServer) -> None:
    sandbox.faults.add(FaultRule("latency", delay_ms=5000))
    with pytest.raises(requests.Timeout):
        post(sandbox, SCOPES_QUERY, timeout=0.3)
    assert post(sandbox, SCOPES_QUERY, timeout=5).status_code == 200


def test_configured_latency_delays_every_graphql_request(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(latency_ms=5000)
    with pytest.raises(requests.Timeout):
        post(sandbox, SCOPES_QUERY, timeout=0.3)
    # The storefront is not part of the Admin API and is not delayed.
    assert requests.get(sandbox.url + "/", timeout=2).status_code == 200


def test_malformed_body_is_truncated_json(sandbox: SandboxServer) -> None:
    sandbox.faults.add(FaultRule("malformed"))
    response = post(sandbox, SCOPES_QUERY)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.text.startswith('{"data"')
    with pytest.raises(ValueError):
        response.json()


def test_commit_then_fail_applies_the_write(sandbox: SandboxServer) -> None:
    blog_id = create_blog(sandbox)
    sandbox.faults.add(FaultRule("commit_then_fail", match="SandboxArticleCreate"))
    response = _create(sandbox, blog_id, "landed-anyway")
    assert response.status_code == 502
    assert article_handles(sandbox) == ["landed-anyway"]
    # A blind retry now meets the handle it already took.
    retry = gql(sandbox, ARTICLE_CREATE, {"article": article_input(blog_id, "landed-anyway")})
    assert retry["data"]["articleCreate"]["userErrors"][0]["code"] == "TAKEN"


def test_user_error_answers_the_payload_without_executing(sandbox: SandboxServer) -> None:
    blog_id = create_blog(sandbox)
    sandbox.faults.add(FaultRule("user_error", match="articleCreate"))
    body = _create(sandbox, blog_id, "not-created").json()
    assert body["data"] == {
        "articleCreate": {
            "article": None,
            "userErrors": [
                {
                    "field": None,
                    "message": "Internal error. Looks like something went wrong on our end.",
                    # ArticleCreateUserErrorCode has no INTERNAL_ERROR.
                    "code": None,
                }
            ],
        }
    }
    assert article_handles(sandbox) == []


def test_user_error_uses_internal_error_where_the_enum_has_it(sandbox: SandboxServer) -> None:
    sandbox.faults.add(FaultRule("user_error"))
    body = gql(sandbox, METAFIELDS_SET, {"metafields": []})
    (error,) = body["data"]["metafieldsSet"]["userErrors"]
    assert error["code"] == "INTERNAL_ERROR"
    assert body["data"]["metafieldsSet"]["metafields"] is None


def test_throttled_fault_answers_throttled(sandbox: SandboxServer) -> None:
    sandbox.faults.add(FaultRule("throttled"))
    body = gql(sandbox, SCOPES_QUERY)
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    status = body["extensions"]["cost"]["throttleStatus"]
    assert status["currentlyAvailable"] == status["maximumAvailable"]
    assert "data" in gql(sandbox, SCOPES_QUERY)


def test_match_limits_a_fault_to_one_operation(sandbox: SandboxServer) -> None:
    sandbox.faults.add(FaultRule("http_500", match="SandboxArticleCreate", times=None))
    assert post(sandbox, SCOPES_QUERY).status_code == 200
    blog_id = create_blog(sandbox)
    for handle in ("a", "b"):
        assert _create(sandbox, blog_id, handle).status_code == 500
    assert article_handles(sandbox) == []
