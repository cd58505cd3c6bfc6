"""Plans and results as people read them: the file's words (handles, offsets), word diffs,
a legend, colours by sign, and counts that say what happened."""

from __future__ import annotations

from dataclasses import replace

from shopsync.apply import ApplyResult, ItemOutcome, Status
from shopsync.plan import make_plan
from shopsync.report import (
    local_time,
    plan_styles,
    plan_text,
    result_summary,
    word_diff,
)

from .test_plan import remote, state, stored, want

KIT = "gid://shopify/Product/1"
BAND = "gid://shopify/Product/2"


def test_a_plan_shows_product_handles_and_the_files_offset() -> None:
    wanted = replace(
        want("dated", publish_date="2025-01-19T23:00:00Z", featured_products=[KIT, BAND]),
        product_handles={KIT: "ultimate-kit", BAND: "back-band"},
        utc_offset="+11:00",
    )
    before = stored(want("dated"), "d")  # 22:00Z, no products
    text = plan_text(make_plan(state(wanted), remote(before)))
    assert "~ publish_date: '2025-01-20T09:00:00+11:00' → '2025-01-20T10:00:00+11:00'" in text
    assert '~ featured_products: [] → ["ultimate-kit", "back-band"]' in text
    assert "gid://" not in text


def test_a_product_no_file_names_is_shown_by_its_id() -> None:
    wanted = replace(want("p"), product_handles={KIT: "ultimate-kit"})
    before = stored(want("p", featured_products=[BAND]), "p")
    assert '~ featured_products: ["gid://shopify/Product/2"] → []' in plan_text(
        make_plan(state(wanted), remote(before))
    )


def test_local_time_keeps_a_bad_stamp_as_it_is() -> None:
    assert local_time("2025-01-19T22:00:00Z", "-05:00") == "2025-01-19T17:00:00-05:00"
    assert local_time("yesterday", "+11:00") == "yesterday"


def test_bodies_show_the_words_that_changed() -> None:
    assert word_diff("<p>It did show a result.</p>", "<p>It did not show a result.</p>") == (
        "<p>It did {+not +}show a result.</p>"
    )
    assert word_diff("<p>pain relief</p>", "<p>comfort</p>") == "<p>[-pain relief-]{+comfort+}</p>"
    wanted = want("w", body_html="<p>One</p>\n<p>Two, again</p>\n<p>Three</p>")
    text = plan_text(make_plan(state(wanted), remote(stored(want("w"), "w"))))
    assert "        ~ <p>Two{+, again+}</p>" in text.splitlines()
    assert word_diff("a b c", "a x b c") == "a {+x +}b c"


def test_the_legend_explains_the_symbols_the_plan_uses() -> None:
    edited = want("edited", title="New")
    conflict = want("conflict")
    plan = make_plan(
        state(want("new"), edited, conflict),
        remote(stored(want("edited"), "e"), stored(conflict, "c", title="Admin")),
    )
    legend = next(line for line in plan_text(plan).splitlines() if line.startswith("Legend:"))
    assert "+ create" in legend and "~ update" in legend
    assert "! conflict: edited in the Shopify admin" in legend
    assert "? orphan" not in legend and "x error" not in legend  # not in this plan
    no_changes = make_plan(state(want("same")), remote(stored(want("same"), "s")))
    assert "Legend" not in plan_text(no_changes)


def test_colours_follow_each_lines_sign() -> None:
    edited = want("edited", title="New", body_html="<p>One</p>\n<p>2</p>\n<p>Three</p>")
    plan = make_plan(state(want("new"), edited), remote(stored(want("edited"), "e")))
    styles = dict(plan_styles(plan))
    assert styles["+ article research-digest/new  (articles/new.md)"] == "green"
    assert styles["~ article research-digest/edited  (articles/edited.md)"] == "yellow"
    assert styles["    ~ title: 'Title of edited' → 'New'"] == "yellow"
    assert styles["        ~ <p>[-Two-]{+2+}</p>"] == "yellow"
    assert styles["        @@ line 1 @@"] == ""


def outcome(action: str, status: Status = "ok", kind: str | None = None) -> ItemOutcome:
    return ItemOutcome(
        kind=kind or action, resource="article", handle=action, status=status, action=action
    )


def test_the_result_says_what_happened() -> None:
    result = ApplyResult(
        items=[
            outcome("update"),
            *(outcome("none", kind="unchanged") for _ in range(5)),
            outcome("unpublish"),
            outcome("create", status="failed"),
            outcome("none", status="skipped", kind="conflict"),
        ]
    )
    assert result_summary(result) == (
        "Push: 1 updated, 1 unpublished, 5 unchanged, 1 failed, 1 held back"
    )
    assert result_summary(ApplyResult(items=[])) == "Push: nothing to do"
