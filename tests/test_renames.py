"""Renamed and moved files keep their store items: ``renames`` (pure), then end to end
against the sandbox over HTTP (push, rename the file on disk as ``git mv`` does, plan, push,
plan again)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopsync.admin.client import ShopifyClient
from shopsync.config import Settings
from shopsync.plan import PlanOptions
from shopsync.renames import SIMILAR, likeness, url_path
from shopsync.report import plan_text
from shopsync.sync import build_plan

from .cli_support import Cli
from .sync_helpers import BLOG, Store, plan, sync

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# ------------------------------------------------------------------------------ the pure core


def test_likeness_is_over_words() -> None:
    body = "<p>" + " ".join(f"word{n}" for n in range(100)) + "</p>"
    assert likeness(body, body) == 1.0
    assert likeness(None, body) == 0.0
    edited = body.replace("word50", "changed")
    assert SIMILAR <= likeness(body, edited) < 1.0
    assert likeness(body, "<p>something else</p>") < SIMILAR


def test_url_paths() -> None:
    assert url_path("article", BLOG, "a") == f"/blogs/{BLOG}/a"
    assert url_path("page", None, "terms") == "/pages/terms"


# -------------------------------------------------------------------------------- end to end

TERMS = "---\ntitle: Terms\n{extra}---\n\nThe terms of the research digest.\n"


def derive_alpha_handle(repo: Path) -> Path:
    """alpha.md without its ``handle:`` line: the handle comes from the file name."""
    path = repo / "articles" / "alpha.md"
    path.write_text(path.read_text().replace("handle: alpha\n", ""))
    return path


def rename(path: Path, name: str, *, edit: tuple[str, str] | None = None) -> Path:
    """What ``git mv`` does on disk (and an edit of the text, if asked)."""
    target = path.with_name(name)
    path.rename(target)
    if edit is not None:
        target.write_text(target.read_text().replace(*edit))
    return target


@pytest.mark.parametrize("how", ["by content", "previous_handles"])
def test_a_renamed_file_keeps_its_article_and_redirects_the_old_url(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store, how: str
) -> None:
    alpha = derive_alpha_handle(repo)
    assert sync(settings, client, repo).ok
    before = {handle: a["id"] for handle, a in store.articles().items()}
    if how == "previous_handles":  # the text changes too much to be recognised: the file says
        edit = ("title: Alpha\n", "title: Alpha, revisited\nprevious_handles: [alpha]\n")
    else:
        edit = ("| A | 1 |", "| A | 2 |")
    rename(alpha, "alpha-study.md", edit=edit)

    planned = plan(settings, client, repo)
    assert planned.summary()["create"] == planned.summary()["orphan"] == 0
    (item,) = planned.of_kind("update")
    assert item.id == before["alpha"] and item.redirect and item.handle == "alpha-study"
    assert ("handle", "alpha", "alpha-study") in [(c.field, c.before, c.after) for c in item.diff]
    assert (
        "~ article research-digest/alpha-study  (articles/alpha-study.md; renamed from alpha "
        "(articles/alpha.md), redirect /blogs/research-digest/alpha → "
        "/blogs/research-digest/alpha-study)"
    ) in plan_text(planned).splitlines()

    assert sync(settings, client, repo).ok
    articles = store.articles()
    assert "alpha" not in articles and articles["alpha-study"]["id"] == before["alpha"]
    assert sorted(store.article_handles()) == ["alpha-study", "beta", "gamma"]  # no duplicate
    assert articles["alpha-study"]["shopsyncSource"]["value"] == "articles/alpha-study.md"
    assert store.redirects() == [(f"/blogs/{BLOG}/alpha", f"/blogs/{BLOG}/alpha-study")]
    again = plan(settings, client, repo)
    assert not again.has_changes and not again.has_errors
    assert {i.kind for i in again.items if i.resource == "article"} == {"unchanged"}


def test_a_plan_of_the_renamed_file_alone_holds_it_back(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    alpha = derive_alpha_handle(repo)
    assert sync(settings, client, repo).ok
    rename(
        alpha,
        "alpha-study.md",
        edit=("title: Alpha\n", "title: Alpha\nprevious_handles: [alpha]\n"),
    )
    alone = build_plan(
        settings, client, [Path("articles/alpha-study.md")], PlanOptions(), root=repo
    )
    (item,) = alone.of_resource("article")  # no create of a second article
    assert item.kind == "conflict" and item.id == store.articles()["alpha"]["id"]
    assert "articles/alpha.md, a file this plan does not cover" in item.messages[0]
    (whole,) = plan(settings, client, repo).of_kind("update")  # the whole directory: a rename
    assert whole.id == item.id and whole.redirect


def test_a_moved_file_keeping_its_handle_moves_only_the_source_mark(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    assert sync(settings, client, repo).ok
    beta_id = store.articles()["beta"]["id"]
    (repo / "articles" / "2025").mkdir()
    (repo / "articles" / "beta.md").rename(repo / "articles" / "2025" / "beta.md")

    (item,) = plan(settings, client, repo).of_kind("update", "conflict", "create", "orphan")
    assert (item.kind, item.id, item.redirect) == ("update", beta_id, False)
    assert [(c.before, c.after) for c in item.diff] == [
        ("articles/beta.md", "articles/2025/beta.md")
    ]

    assert sync(settings, client, repo).ok
    beta = store.articles()["beta"]
    assert beta["id"] == beta_id and beta["shopsyncSource"]["value"] == "articles/2025/beta.md"
    assert store.redirects() == []
    assert not plan(settings, client, repo).has_changes


def test_a_renamed_page_keeps_its_page_and_redirects(
    settings: Settings, client: ShopifyClient, repo: Path, store: Store
) -> None:
    pages = repo / "articles" / "pages"
    (pages / "legal.md").write_text(TERMS.format(extra=""))
    assert sync(settings, client, repo).ok
    page_id = store.pages()["legal"]["id"]
    (pages / "legal.md").rename(pages / "terms.md")
    (pages / "terms.md").write_text(TERMS.format(extra="previous_handles: [legal]\n"))

    (item,) = plan(settings, client, repo).of_kind("update", "create", "orphan")
    assert (item.kind, item.id, item.resource) == ("update", page_id, "page")
    assert "redirect /pages/legal → /pages/terms" in plan_text(plan(settings, client, repo))

    assert sync(settings, client, repo).ok
    assert "legal" not in store.pages() and store.pages()["terms"]["id"] == page_id
    assert store.redirects() == [("/pages/legal", "/pages/terms")]
    assert not plan(settings, client, repo).has_changes


def test_the_command_line_shows_and_pushes_a_rename(
    store_cli: Cli, repo: Path, store: Store
) -> None:
    derive_alpha_handle(repo)
    assert store_cli("push", "--yes").exit_code == 0
    alpha_id = store.articles()["alpha"]["id"]
    rename(repo / "articles" / "alpha.md", "alpha-study.md")

    shown = store_cli("plan")
    assert "renamed from alpha (articles/alpha.md)" in shown.stdout, shown.stdout
    (item,) = [
        i for i in json.loads(store_cli("plan", "--json").stdout)["items"] if "renamed_from" in i
    ]
    assert item["id"] == alpha_id and item["renamed_from"] == {
        "handle": "alpha",
        "source": "articles/alpha.md",
        "path": f"/blogs/{BLOG}/alpha",
        "target": f"/blogs/{BLOG}/alpha-study",
    }
    assert store_cli("plan", "--out", "rename.json").exit_code == 0
    pushed = store_cli("push", "rename.json", "--yes")  # the rename as reviewed
    assert pushed.exit_code == 0, pushed.stdout
    assert store.articles()["alpha-study"]["id"] == alpha_id
    assert store.redirects() == [(f"/blogs/{BLOG}/alpha", f"/blogs/{BLOG}/alpha-study")]
    assert "No changes" in store_cli("plan").stdout
