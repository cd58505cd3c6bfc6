"""Planning and plan rendering: pure functions of desired and remote state (no HTTP)."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shopsync.admin.remote import RemoteItem, RemoteState
from shopsync.content.images import ImageUpload, inspect_image
from shopsync.desired import DesiredItem, DesiredState
from shopsync.errors import SavedPlanError
from shopsync.plan import Plan, PlanOptions, PruneMode, field_diff, make_plan
from shopsync.report import plan_json, plan_markdown, plan_text, summary_line, text_diff
from shopsync.vocabulary import RemoteFile, content_digest, fingerprint

BLOG = "research-digest"
BLOG_ID = "gid://shopify/Blog/1"


def fields(handle: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "handle": handle,
        "blog": BLOG,
        "title": f"Title of {handle}",
        "author": "Research Team",
        "is_published": True,
        "publish_date": "2025-01-19T22:00:00Z",
        "tags": ["a", "b"],
        "summary_html": "<p>Summary</p>",
        "body_html": "<p>One</p>\n<p>Two</p>\n<p>Three</p>",
        "image_src": None,
        "image_alt": None,
        "template_suffix": None,
        "seo_title": None,
        "seo_description": None,
        "featured_products": [],
    }
    base.update(changes)
    return base


def want(handle: str, source: str | None = None, **changes: Any) -> DesiredItem:
    return DesiredItem(
        resource="article",
        handle=handle,
        source=source or f"articles/{handle}.md",
        blog=BLOG,
        fields=fields(handle, **changes),
    )


def stored(item: DesiredItem, id_: str, *, managed: bool = True, **edits: Any) -> RemoteItem:
    """The store's copy of ``item`` as shopsync wrote it, then optionally edited in the admin."""
    written = dict(item.fields)
    return RemoteItem(
        resource=item.resource,
        id=id_,
        handle=edits.get("handle", item.handle),
        blog=item.blog,
        fields={**written, **edits},
        source=item.source if managed else None,
        recorded_fingerprint=fingerprint(written) if managed else None,
        recorded_digest=content_digest(written) if managed else None,
    )


def state(*articles: DesiredItem, pages: tuple[DesiredItem, ...] = ()) -> DesiredState:
    return DesiredState(blogs=(BLOG,), pages=pages, articles=tuple(articles))


def remote(*articles: RemoteItem, pages: tuple[RemoteItem, ...] = ()) -> RemoteState:
    return RemoteState(blogs={BLOG: BLOG_ID}, articles=tuple(articles), pages=pages)


def kinds(plan: Plan) -> dict[str, str]:
    return {item.handle: item.kind for item in plan.items}


def test_empty_store_creates_blog_then_everything() -> None:
    page = DesiredItem(
        resource="page",
        handle="disclaimer",
        source="articles/pages/disclaimer.md",
        fields={"handle": "disclaimer", "title": "Disclaimer", "is_published": True},
    )
    plan = make_plan(
        state(want("b"), want("a"), pages=(page,)),
        RemoteState(),
        PlanOptions(),
    )
    assert [(i.resource, i.handle, i.kind) for i in plan.items] == [
        ("blog", BLOG, "create"),
        ("page", "disclaimer", "create"),
        ("article", "a", "create"),
        ("article", "b", "create"),
    ]
    assert plan.summary()["create"] == 4 and plan.has_changes and not plan.has_errors


def test_store_matching_files_is_unchanged() -> None:
    a, b = want("a"), want("b")
    plan = make_plan(state(a, b), remote(stored(a, "1"), stored(b, "2")))
    assert kinds(plan) == {"a": "unchanged", "b": "unchanged"}
    assert not plan.has_changes and not plan.has_errors


def test_edited_file_is_an_update_with_a_field_diff() -> None:
    old = want("a")
    new = want("a", title="Better title", tags=["a", "c"])
    plan = make_plan(state(new, want("b")), remote(stored(old, "1"), stored(want("b"), "2")))
    (item,) = plan.of_kind("update")
    assert item.handle == "a" and item.id == "1" and not item.redirect
    assert [(c.field, c.before, c.after) for c in item.diff] == [
        ("title", "Title of a", "Better title"),
        ("tags", ["a", "b"], ["a", "c"]),
    ]
    assert kinds(plan)["b"] == "unchanged"


def test_admin_edit_is_a_conflict_unless_forced() -> None:
    item = want("a")
    edited = stored(item, "1", body_html="<p>Edited in the admin</p>")
    plan = make_plan(state(item), remote(edited))
    (conflict,) = plan.items
    assert conflict.kind == "conflict" and plan.has_errors and not plan.has_changes
    assert [c.field for c in conflict.diff] == ["body_html"]
    assert "admin" in conflict.messages[0] and "--force" in conflict.hints[0]
    forced = make_plan(state(item), remote(edited), PlanOptions(force=True))
    assert forced.items[0].kind == "update"
    assert "--force" in forced.items[0].messages[0]


def test_admin_edit_of_a_changed_file_is_still_a_conflict() -> None:
    plan = make_plan(
        state(want("a", title="New")), remote(stored(want("a"), "1", seo_title="admin SEO"))
    )
    assert plan.items[0].kind == "conflict"
    assert {c.field for c in plan.items[0].diff} == {"title", "seo_title"}


def test_admin_edit_equal_to_the_files_only_refreshes_the_digest() -> None:
    new = want("a", title="Same")
    plan = make_plan(state(new), remote(stored(want("a"), "1", title="Same")))
    (item,) = plan.items
    assert item.kind == "update" and [c.field for c in item.diff] == ["shopsync.digest"]


def test_unmanaged_article_with_same_handle_needs_adopt() -> None:
    item = want("a")
    theirs = stored(item, "9", managed=False, title="Theirs")
    plan = make_plan(state(item), remote(theirs))
    assert plan.items[0].kind == "conflict" and "--adopt" in plan.items[0].hints[0]
    adopted = make_plan(state(item), remote(theirs), PlanOptions(adopt=True))
    assert adopted.items[0].kind == "update" and adopted.items[0].id == "9"
    assert "adopt" in adopted.items[0].messages[0]


def test_unmanaged_articles_are_never_touched() -> None:
    theirs = stored(want("theirs"), "9", managed=False)
    prunes: list[PruneMode | None] = [None, "unpublish", "delete"]
    for prune in prunes:
        plan = make_plan(state(want("a")), remote(theirs), PlanOptions(prune=prune))
        assert [i.handle for i in plan.items] == ["a"]


def test_renamed_handle_keeps_the_article_and_redirects() -> None:
    old = want("old-name", source="articles/post.md")
    new = want("new-name", source="articles/post.md")
    plan = make_plan(state(new), remote(stored(old, "1")))
    (item,) = plan.items
    assert item.kind == "update" and item.id == "1" and item.redirect
    assert item.diff[0].field == "handle"
    assert (item.diff[0].before, item.diff[0].after) == ("old-name", "new-name")
    assert "renamed from old-name" in plan_text(plan)


def test_moved_file_with_same_handle_updates_the_source_mark() -> None:
    old = want("a", source="articles/old/a.md")
    plan = make_plan(state(want("a", source="articles/a.md")), remote(stored(old, "1")))
    (item,) = plan.items
    assert item.kind == "update" and item.id == "1"
    assert [(c.field, c.before, c.after) for c in item.diff] == [
        ("shopsync.source", "articles/old/a.md", "articles/a.md")
    ]


def test_orphans_reported_and_pruned() -> None:
    gone = stored(want("gone"), "5")
    plan = make_plan(state(want("a")), remote(stored(want("a"), "1"), gone))
    assert kinds(plan)["gone"] == "orphan" and not plan.has_changes
    unpublish = make_plan(state(), remote(gone), PlanOptions(prune="unpublish"))
    assert unpublish.items[-1].kind == "unpublish" and unpublish.summary()["unpublish"] == 1
    assert unpublish.summary()["delete"] == 0  # an unpublish is not counted as a delete
    delete = make_plan(state(), remote(gone), PlanOptions(prune="delete"))
    assert delete.items[-1].kind == "delete" and delete.summary()["delete"] == 1


def test_prune_of_hidden_or_edited_orphans() -> None:
    hidden = stored(want("hidden", is_published=False, publish_date=None), "6")
    plan = make_plan(state(), remote(hidden), PlanOptions(prune="unpublish"))
    assert plan.items[-1].kind == "orphan" and "already unpublished" in plan.items[-1].messages
    edited = stored(want("edited"), "7", title="Admin")
    plan = make_plan(state(), remote(edited), PlanOptions(prune="delete"))
    assert plan.items[-1].kind == "conflict"
    plan = make_plan(state(), remote(edited), PlanOptions(prune="delete", force=True))
    assert plan.items[-1].kind == "delete"


def test_orphans_only_within_scope() -> None:
    other = stored(want("other", source="elsewhere/other.md"), "8")
    plan = make_plan(state(want("a")), remote(other), PlanOptions(scope=("articles",)))
    assert "other" not in kinds(plan)
    plan = make_plan(state(want("a")), remote(other), PlanOptions(scope=("elsewhere",)))
    assert kinds(plan)["other"] == "orphan"


def test_error_items_are_not_orphans_and_not_written() -> None:
    bad = replace(want("a"), fields={}, errors=("featured product 'x' does not exist",))
    plan = make_plan(state(bad), remote(stored(want("a"), "1")))
    (item,) = plan.items
    assert item.kind == "error" and item.id == "1" and plan.has_errors and not plan.has_changes


def test_published_without_date_accepts_the_stores_date() -> None:
    item = want("a", publish_date=None)
    live = stored(item, "1", publish_date="2026-05-01T10:00:00Z")
    assert make_plan(state(item), remote(live)).items[0].kind == "unchanged"


def test_store_normalisation_is_not_an_endless_update() -> None:
    item = want("a")
    normalised = {**item.fields, "body_html": "<p>One</p><p>Two</p><p>Three</p>"}
    copy = RemoteItem(
        resource="article",
        id="1",
        handle="a",
        blog=BLOG,
        fields=normalised,
        source=item.source,
        recorded_fingerprint=fingerprint(normalised),  # apply records what the store kept
        recorded_digest=content_digest(item.fields),
    )
    assert make_plan(state(item), remote(copy)).items[0].kind == "unchanged"
    changed = want("a", title="New")
    assert make_plan(state(changed), remote(copy)).items[0].kind == "update"


def test_a_handle_another_file_renames_away_is_free_for_a_new_file() -> None:
    # a.md renames its article a → z while new file b.md asks for handle a: a create, which
    # the push sends once the rename has landed (apply orders them).
    a = want("a", source="articles/a.md")
    plan = make_plan(
        state(want("z", source="articles/a.md"), want("a", source="articles/b.md")),
        remote(stored(a, "1")),
    )
    assert {(i.source, i.kind) for i in plan.items} == {
        ("articles/a.md", "update"),
        ("articles/b.md", "create"),
    }


def test_a_chain_of_renames_is_a_chain_of_updates() -> None:
    # a → z, and b.md (article b) takes a: both updates.
    a, b = want("a", source="articles/a.md"), want("b", source="articles/b.md")
    plan = make_plan(
        state(want("z", source="articles/a.md"), want("a", source="articles/b.md")),
        remote(stored(a, "1"), stored(b, "2")),
    )
    assert {(i.source, i.kind, i.id) for i in plan.items} == {
        ("articles/a.md", "update", "1"),
        ("articles/b.md", "update", "2"),
    }


def test_a_handle_held_by_an_article_that_is_not_renamed_after_all_is_a_conflict() -> None:
    # a.md would rename a → z, but its article was edited in the admin: it stays at a, so
    # b.md cannot have a (and the plan says whose it is).
    a = want("a", source="articles/a.md")
    plan = make_plan(
        state(want("z", source="articles/a.md"), want("a", source="articles/b.md")),
        remote(stored(a, "1", title="Edited in the admin")),
    )
    assert {(i.source, i.kind) for i in plan.items} == {
        ("articles/a.md", "conflict"),
        ("articles/b.md", "conflict"),
    }
    b_item = next(i for i in plan.items if i.source == "articles/b.md")
    assert "articles/a.md" in b_item.messages[0]


def test_two_files_swapping_handles_are_two_updates() -> None:
    # Neither rename can go first: the push parks one on a temporary handle (apply).
    a, b = want("a", source="articles/a.md"), want("b", source="articles/b.md")
    plan = make_plan(
        state(want("b", source="articles/a.md"), want("a", source="articles/b.md")),
        remote(stored(a, "1"), stored(b, "2")),
    )
    assert [(i.kind, i.id) for i in plan.items] == [("update", "2"), ("update", "1")]


def test_a_swap_that_moves_articles_between_blogs_is_a_conflict() -> None:
    # a (research-digest) moves to news as b, b (news) moves to research-digest as a.
    def in_news(item: DesiredItem) -> DesiredItem:
        return replace(item, blog="news", fields={**item.fields, "blog": "news"})

    a, b = want("a", source="articles/a.md"), in_news(want("b", source="articles/b.md"))
    plan = make_plan(
        state(in_news(want("b", source="articles/a.md")), want("a", source="articles/b.md")),
        replace(remote(stored(a, "1"), stored(b, "2")), blogs={BLOG: BLOG_ID, "news": "gid://b/2"}),
    )
    assert [i.kind for i in plan.items] == ["conflict", "conflict"]


def test_a_move_to_a_blog_where_the_handle_is_taken_is_a_conflict() -> None:
    # Found by tests/test_plan_properties.py: a.md moves its article to blog "news" under
    # the same handle, which an unmanaged article there holds; the update would fail (TAKEN).
    moving = want("a", source="articles/a.md")
    there = RemoteItem(
        resource="article",
        id="2",
        handle="a",
        blog="news",
        fields={**fields("a"), "blog": "news"},
    )
    desired = replace(moving, blog="news", fields={**moving.fields, "blog": "news"})
    plan = make_plan(
        DesiredState(blogs=(BLOG, "news"), pages=(), articles=(desired,)),
        RemoteState(
            blogs={BLOG: BLOG_ID, "news": "gid://shopify/Blog/2"},
            articles=(stored(moving, "1"), there),
        ),
    )
    (item,) = plan.of_resource("article")
    assert (item.kind, item.id) == ("conflict", "2")
    assert "does not manage" in item.messages[0]


# ------------------------------------------------------------------------------- renames


def renamed(old: DesiredItem, handle: str, source: str, **changes: Any) -> DesiredItem:
    """``old``'s file under another name: the same content, another derived handle."""
    kept = {k: v for k, v in old.fields.items() if k != "handle"}
    item = want(handle, source=source, **{**kept, **changes})
    return replace(item, blog=item.fields["blog"])


def test_previous_handles_keep_the_article_of_a_renamed_file() -> None:
    old = want("old-handle", source="articles/old.md")
    new = replace(
        want("new-handle", source="articles/new.md", title="A new title"),
        previous_handles=("older", "old-handle"),
    )
    plan = make_plan(state(new), remote(stored(old, "1")))
    (item,) = plan.items  # no create, no orphan
    assert item.kind == "update" and item.id == "1" and item.redirect
    assert [(c.field, c.before, c.after) for c in item.diff] == [
        ("handle", "old-handle", "new-handle"),
        ("title", "Title of old-handle", "A new title"),
        ("shopsync.source", "articles/old.md", "articles/new.md"),
    ]
    assert "previous_handles" in item.messages[0] and "articles/old.md" in item.messages[0]
    assert (
        "~ article research-digest/new-handle  (articles/new.md; renamed from old-handle "
        "(articles/old.md), redirect /blogs/research-digest/old-handle → "
        "/blogs/research-digest/new-handle)"
    ) in plan_text(plan).splitlines()
    (shown,) = plan_json(plan)["items"]
    assert shown["redirect"] is True
    assert shown["renamed_from"] == {
        "handle": "old-handle",
        "source": "articles/old.md",
        "path": "/blogs/research-digest/old-handle",
        "target": "/blogs/research-digest/new-handle",
    }


def test_a_previous_handle_of_a_file_that_still_exists_is_not_taken() -> None:
    # old.md still has its article (now renamed to "kept"): new.md's claim is stale.
    old = want("old-handle", source="articles/old.md")
    new = replace(want("new-handle", source="articles/new.md"), previous_handles=("old-handle",))
    plan = make_plan(state(new, want("kept", source="articles/old.md")), remote(stored(old, "1")))
    assert {(i.source, i.kind, i.id) for i in plan.items} == {
        ("articles/new.md", "create", None),
        ("articles/old.md", "update", "1"),
    }


def test_a_previous_handle_managed_from_outside_the_plan_is_held_back() -> None:
    # A plan of articles/new.md alone cannot know whether elsewhere/old.md still exists.
    old = want("old-handle", source="elsewhere/old.md")
    new = replace(want("new-handle", source="articles/new.md"), previous_handles=("old-handle",))
    plan = make_plan(state(new), remote(stored(old, "1")), PlanOptions(scope=("articles",)))
    (item,) = plan.items
    assert item.kind == "conflict" and item.id == "1" and plan.has_errors
    assert "elsewhere/old.md" in item.messages[0] and "whole articles directory" in item.hints[0]


def test_previous_handles_of_a_page() -> None:
    def page(handle: str, source: str) -> DesiredItem:
        return DesiredItem(
            resource="page",
            handle=handle,
            source=source,
            fields={"handle": handle, "title": "Terms", "is_published": True, "body_html": "x"},
        )

    new = replace(page("terms", "articles/pages/terms.md"), previous_handles=("legal",))
    plan = make_plan(
        state(pages=(new,)), remote(pages=(stored(page("legal", "articles/pages/legal.md"), "p"),))
    )
    (item,) = plan.items
    assert item.kind == "update" and item.id == "p" and item.redirect
    assert "redirect /pages/legal → /pages/terms" in plan_text(plan)


def test_a_renamed_file_is_paired_with_its_orphan_by_content() -> None:
    old = want("old-handle", source="articles/old.md")
    body = str(old.fields["body_html"]) + "\n<p>" + " ".join(["word"] * 60) + "</p>"
    before = stored(replace(old, fields={**old.fields, "body_html": body}), "1")
    new = renamed(old, "new-handle", "articles/new.md", body_html=body + " <p>edited</p>")
    plan = make_plan(state(new), remote(before))
    (item,) = plan.items
    assert item.kind == "update" and item.id == "1" and item.redirect
    assert [c.field for c in item.diff] == ["handle", "body_html", "shopsync.source"]
    assert "articles/old.md" in item.messages[0] and "title" in item.messages[0]
    assert "renamed from old-handle (articles/old.md)" in plan_text(plan)


@pytest.mark.parametrize(
    ("changes", "unsure"),
    [
        ({"title": "Another title"}, False),
        ({"blog": "news"}, False),
        ({"body_html": "<p>Something else entirely, a new article.</p>"}, True),
    ],
)
def test_other_content_stays_a_create_and_an_orphan(changes: dict[str, Any], unsure: bool) -> None:
    old = want("old-handle", source="articles/old.md")
    new = renamed(old, "new-handle", "articles/new.md", **changes)
    plan = make_plan(state(new), remote(stored(old, "1")))
    assert kinds(plan) == {"new-handle": "create", "old-handle": "orphan"}
    # The same title alone is no proof, but worth a hint on both.
    hinted = [any("previous_handles" in hint for hint in item.hints) for item in plan.items]
    assert hinted == [unsure, unsure]


def test_an_ambiguous_rename_stays_a_create_and_an_orphan_with_hints() -> None:
    old = want("old-handle", source="articles/old.md")
    first = renamed(old, "first", "articles/first.md")
    second = renamed(old, "second", "articles/second.md")
    plan = make_plan(state(first, second), remote(stored(old, "1")))
    assert kinds(plan) == {"first": "create", "second": "create", "old-handle": "orphan"}
    create = next(i for i in plan.items if i.handle == "first")
    assert "'old-handle' (articles/old.md) renamed" in create.hints[-1]
    assert "previous_handles" in create.hints[-1]
    orphan = next(i for i in plan.items if i.kind == "orphan")
    assert "articles/first.md or articles/second.md" in orphan.hints[-1]
    assert "previous_handles: [old-handle]" in orphan.hints[-1]
    # Two orphans alike, one new file: just as unsure.
    twin = want(
        "twin", source="articles/twin.md", **{k: v for k, v in old.fields.items() if k != "handle"}
    )
    plan = make_plan(state(first), remote(stored(old, "1"), stored(twin, "2")))
    assert kinds(plan) == {"first": "create", "old-handle": "orphan", "twin": "orphan"}
    # The file says which: no doubt left.
    sure = replace(first, previous_handles=("old-handle",))
    plan = make_plan(state(sure, second), remote(stored(old, "1")))
    assert kinds(plan) == {"first": "update", "second": "create"}


def test_a_rename_onto_a_handle_another_article_holds_is_a_conflict() -> None:
    old = want("old-handle", source="articles/old.md")
    theirs = stored(want("taken"), "9", managed=False)
    new = replace(want("taken", source="articles/new.md"), previous_handles=("old-handle",))
    plan = make_plan(state(new), remote(stored(old, "1"), theirs))
    (item,) = plan.items  # the old article is this file's: no orphan, nothing written
    assert item.kind == "conflict" and item.id == "9" and not plan.has_changes
    assert "does not manage" in item.messages[0]
    # Held by the article of a file that still exists and keeps that handle.
    other = want("taken", source="articles/other.md")
    plan = make_plan(state(new, other), remote(stored(old, "1"), stored(other, "2")))
    conflict = next(i for i in plan.items if i.source == "articles/new.md")
    assert conflict.kind == "conflict" and "articles/other.md" in conflict.messages[0]
    # ...unless that file renames its article away in the same push: then a chain.
    plan = make_plan(
        state(new, want("other", source="articles/other.md")),
        remote(stored(old, "1"), stored(other, "2")),
    )
    assert kinds(plan) == {"taken": "update", "other": "update"}
    # By content alone, the same: the handle decides before content is looked at.
    same = renamed(old, "taken", "articles/new.md")
    plan = make_plan(state(same), remote(stored(old, "1"), theirs))
    assert kinds(plan) == {"taken": "conflict", "old-handle": "orphan"}


def test_a_moved_file_keeping_its_handle_only_moves_the_source_mark() -> None:
    old = want("kept", source="articles/2024/kept.md")
    plan = make_plan(state(want("kept", source="articles/kept.md")), remote(stored(old, "1")))
    (item,) = plan.items
    assert item.kind == "update" and not item.redirect and item.id == "1"
    assert [c.field for c in item.diff] == ["shopsync.source"]
    assert "renamed from" not in plan_text(plan)


def test_plan_is_deterministic() -> None:
    items = [want(name) for name in "edcba"]
    remotes = [stored(item, str(n)) for n, item in enumerate(items[:3])]
    first = make_plan(state(*items), remote(*remotes))
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(items)
        rng.shuffle(remotes)
        again = make_plan(state(*items), remote(*remotes))
        assert again.to_dict() == first.to_dict()
    assert [i.handle for i in first.items] == ["a", "b", "c", "d", "e"]


def test_field_diff_order_and_equal() -> None:
    before = fields("a")
    assert field_diff(before, before) == ()
    changes = field_diff(before, {**before, "body_html": "x", "title": "y"})
    assert [c.field for c in changes] == ["title", "body_html"]


# --------------------------------------------------------------------------- renderings


def mixed_plan() -> Plan:
    unchanged = [want(f"same-{n}") for n in range(7)]
    conflict = want("conflict")
    return make_plan(
        state(want("new-1"), want("new-2"), want("edited", title="New"), conflict, *unchanged),
        remote(
            stored(want("edited"), "e"),
            stored(conflict, "c", body_html="<p>admin</p>"),
            *(stored(item, f"u{n}") for n, item in enumerate(unchanged)),
        ),
    )


def test_summary_line_like_terraform() -> None:
    assert (
        summary_line(mixed_plan())
        == "Plan: 2 to create, 1 to update, 0 to delete, 7 unchanged, 1 conflict"
    )
    plan = make_plan(
        state(replace(want("x"), fields={}, errors=("e",))), remote(stored(want("o"), "o"))
    )
    assert summary_line(plan).endswith("0 conflicts, 1 orphan, 1 error")


def test_text_rendering() -> None:
    text = plan_text(mixed_plan())
    lines = text.splitlines()
    assert "+ article research-digest/new-1  (articles/new-1.md)" in lines
    assert "~ article research-digest/edited  (articles/edited.md)" in lines
    assert "    ~ title: 'Title of edited' → 'New'" in lines
    assert any(line.startswith("! article research-digest/conflict") for line in lines)
    assert "        + <p>admin</p>" not in lines  # the conflict diff is store → files
    assert "        - <p>admin</p>" in lines
    assert "same-0" not in text
    assert lines[-1].startswith("Plan: 2 to create")


def test_text_diff_is_compact() -> None:
    before = "\n".join(f"<p>{n}</p>" for n in range(100))
    after = before.replace("<p>50</p>", "<p>fifty</p>")
    assert text_diff(before, after) == [
        "@@ line 50 @@",
        "  <p>49</p>",
        "~ <p>[-50-]{+fifty+}</p>",
        "  <p>51</p>",
    ]
    added = text_diff(before, before + "\n<p>new</p>")
    assert added == ["@@ line 100 @@", "  <p>99</p>", "+ <p>new</p>"]
    long = text_diff(before, "", max_lines=5)
    assert len(long) == 6 and long[-1].startswith("... ")


def test_json_rendering() -> None:
    data = plan_json(mixed_plan())
    json.dumps(data)  # JSON-able as is
    assert data["summary"] == {
        "create": 2,
        "update": 1,
        "unpublish": 0,
        "delete": 0,
        "unchanged": 7,
        "conflict": 1,
        "orphan": 0,
        "error": 0,
    }
    edited = next(i for i in data["items"] if i["handle"] == "edited")
    assert edited["kind"] == "update" and edited["resource"] == "article"
    assert edited["id"] == "e" and edited["source"] == "articles/edited.md"
    assert edited["diff"] == [{"field": "title", "before": "Title of edited", "after": "New"}]


def test_markdown_rendering() -> None:
    text = plan_markdown(mixed_plan())
    assert "**Plan: 2 to create, 1 to update, 0 to delete, 7 unchanged, 1 conflict**" in text
    assert (
        "| `~` | update | `article research-digest/edited` | articles/edited.md | title |" in text
    )
    assert "```diff" in text and "same-3" not in text


@pytest.mark.parametrize("show", [True, False])
def test_unchanged_only_with_show_unchanged(show: bool) -> None:
    a = want("a")
    text = plan_text(make_plan(state(a), remote(stored(a, "1"))), show_unchanged=show)
    assert ("article research-digest/a" in text) is show
    assert "No changes" in text


# ----------------------------------------------------------------------- the plan as a value


def image_plan(tmp_path: Path) -> Plan:
    """A plan with every part a value can hold: an upload, a remote file, desired uploads."""
    source = tmp_path / "articles" / "images" / "x.png"
    source.parent.mkdir(parents=True)
    source.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    image = inspect_image("articles/images/x.png", tmp_path / "articles/images/x.png")
    failed = ImageUpload(image, RemoteFile(id="gid://shopify/MediaImage/9", status="FAILED"))
    article = replace(want("pictured", image_src=image.placeholder), uploads=(failed,))
    desired = replace(state(article), images=(failed,))
    return make_plan(desired, remote(stored(want("gone"), "7")), PlanOptions(prune="unpublish"))


def test_a_plan_survives_its_own_json(tmp_path: Path) -> None:
    for plan in (mixed_plan(), image_plan(tmp_path)):
        saved = json.loads(json.dumps(plan.to_dict()))
        again = Plan.from_dict(saved, root=tmp_path)
        assert again == plan
        assert hash(again) == hash(plan) and len({plan, again}) == 1
        assert again.to_dict() == plan.to_dict()


def test_the_saved_plan_keeps_what_applying_needs(tmp_path: Path) -> None:
    plan = image_plan(tmp_path)
    again = Plan.from_dict(json.loads(json.dumps(plan.to_dict())), root=tmp_path)
    upload = next(item for item in again.items if item.resource == "image").upload
    assert upload is not None and upload.needs_upload
    assert upload.image.path == tmp_path / "articles/images/x.png"
    assert upload.image.read().startswith(b"\x89PNG")  # the bytes are found under the root
    gone = next(item for item in again.items if item.handle == "gone")
    assert gone.kind == "unpublish" and gone.remote is not None and gone.remote.id == "7"
    assert again.options.prune == "unpublish" and again.blog_ids == {BLOG: BLOG_ID}


def test_changing_any_item_changes_the_plan_and_its_hash() -> None:
    plan = mixed_plan()
    edited = replace(plan, items=(replace(plan.items[0], messages=("another",)), *plan.items[1:]))
    assert edited != plan and hash(edited) != hash(plan)


@pytest.mark.parametrize(
    "header", [{}, {"format": "shopsync-plan", "version": 99}, {"format": "terraform"}]
)
def test_a_saved_plan_of_another_version_is_refused(header: dict[str, Any]) -> None:
    data = {**mixed_plan().to_dict(), "format": None, "version": None, **header}
    with pytest.raises(SavedPlanError, match="not a shopsync plan of version 1"):
        Plan.from_dict(data, root=Path("."))


def test_a_file_in_error_waiting_for_a_handle_stays_an_error() -> None:
    # b.md is invalid and wants the handle a.md's article keeps (admin-edited): an error,
    # planned once (no endless re-planning of the wait).
    a = want("a", source="articles/a.md")
    broken = replace(want("a", source="articles/b.md"), errors=("title: missing",))
    plan = make_plan(
        state(want("z", source="articles/a.md"), broken),
        remote(stored(a, "1", title="Edited in the admin")),
    )
    assert {(i.source, i.kind) for i in plan.items} == {
        ("articles/a.md", "conflict"),
        ("articles/b.md", "error"),
    }
