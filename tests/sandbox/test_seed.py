"""A new sandbox store is not empty, like a new Shopify store: the News blog, the Contact
page and Shopify's privacy page are there before any app writes, read over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shopsync.sandbox import SandboxServer
from shopsync.sandbox.seed import seed_content
from shopsync.sandbox.store import Store

from .gql import gql

CONTENT = """{
  blogs(first: 10) { nodes { title handle commentPolicy templateSuffix createdAt updatedAt } }
  pages(first: 10) {
    nodes {
      title handle body bodySummary templateSuffix isPublished publishedAt createdAt updatedAt
    }
  }
}"""

PAGE_CREATE = """
mutation($page: PageCreateInput!) {
  pageCreate(page: $page) { page { handle } userErrors { field message code } }
}"""


def _content(sandbox: SandboxServer) -> dict[str, Any]:
    body = gql(sandbox, CONTENT)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def test_a_new_store_has_the_news_blog_the_contact_page_and_the_privacy_page(
    sandbox_factory: Any,
) -> None:
    before = _whole_second(datetime.now(UTC))
    sandbox = sandbox_factory()
    after = datetime.now(UTC)
    data = _content(sandbox)

    (blog,) = data["blogs"]["nodes"]
    assert {k: blog[k] for k in ("title", "handle", "commentPolicy", "templateSuffix")} == {
        "title": "News",
        "handle": "news",
        "commentPolicy": "CLOSED",
        "templateSuffix": None,
    }
    contact, privacy = data["pages"]["nodes"]
    assert (contact["title"], contact["handle"], contact["templateSuffix"]) == (
        "Contact",
        "contact",
        "contact",
    )
    assert contact["body"] == "" and contact["bodySummary"] == ""
    assert (privacy["title"], privacy["handle"]) == ("Your Privacy Choices", "data-sharing-opt-out")
    # Stamped by the store's clock when it started, and published then.
    for record in (blog, contact, privacy):
        created = datetime.fromisoformat(record["createdAt"].replace("Z", "+00:00"))
        assert before <= created <= after and record["updatedAt"] == record["createdAt"]
    for page in (contact, privacy):
        assert page["isPublished"] is True and page["publishedAt"] == page["createdAt"]


def test_the_seed_uses_the_stores_clock() -> None:
    moment = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    store = Store(clock=lambda: moment)
    created = seed_content(store)
    assert [r["handle"] for r in created] == ["news", "contact", "data-sharing-opt-out"]
    assert {r["createdAt"] for r in created} == {"2026-03-01T08:30:00Z"}
    assert store.blog_by_handle("news") is not None
    assert store.page_by_handle("contact") is not None


def test_an_empty_store_is_asked_for_explicitly(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(seed_content=False)
    assert _content(sandbox) == {"blogs": {"nodes": []}, "pages": {"nodes": []}}


def test_the_seeded_pages_hold_their_handles(sandbox: SandboxServer) -> None:
    """As on Shopify: another page may not take the Contact page's handle."""
    taken = gql(sandbox, PAGE_CREATE, {"page": {"title": "Contact us", "handle": "contact"}})
    assert taken["data"]["pageCreate"]["userErrors"] == [
        {"field": ["page", "handle"], "message": "Handle has already been taken", "code": "TAKEN"}
    ]


def test_a_store_kept_in_a_db_is_seeded_once(sandbox_factory: Any, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    first = sandbox_factory(db_path=db)
    page = gql(first, PAGE_CREATE, {"page": {"title": "About", "handle": "about"}})
    assert page["data"]["pageCreate"]["userErrors"] == []
    first.stop()

    again = sandbox_factory(db_path=db)
    data = _content(again)
    assert [b["handle"] for b in data["blogs"]["nodes"]] == ["news"]
    handles = [p["handle"] for p in data["pages"]["nodes"]]
    assert handles == ["contact", "data-sharing-opt-out", "about"]


def test_the_storefront_shows_the_seeded_blog_and_pages(sandbox: SandboxServer) -> None:
    import requests

    home = requests.get(sandbox.url + "/", timeout=10)
    assert home.status_code == 200
    assert 'href="/blogs/news"' in home.text and 'href="/pages/contact"' in home.text
