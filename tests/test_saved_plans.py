"""Saved plans: ``plan --out FILE`` then ``push FILE`` applies what was reviewed, and only that.

Between the plan and the push, the store or the files may change: those writes are
refused one by one with their reason; the others go through.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shopsync.admin.client import ShopifyClient
from shopsync.config import Settings
from shopsync.plan import Plan, PlanItem
from shopsync.saved import SavedPlan, reconcile

from .cli_support import Cli
from .sync_helpers import Store, admin_update_article, article, mutations


def edit(repo: Path, name: str, old: str, new: str) -> None:
    path = repo / "articles" / name
    path.write_text(path.read_text().replace(old, new))


def saved_plan(store_cli: Cli, name: str = "plan.json") -> dict[str, Any]:
    made = store_cli("plan", "--out", name)
    assert made.exit_code == 0, made.output
    assert f"Saved the plan to {name}: `shopsync push {name}` applies it" in made.stdout
    data: dict[str, Any] = json.loads((store_cli.root / name).read_text())
    return data


def test_the_markdown_of_a_saved_plan_is_only_the_plan(store_cli: Cli) -> None:
    made = store_cli("plan", "--out", "plan.json", "--markdown")
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith("### shopsync plan") and "Saved the plan" not in made.stdout
    assert "Saved the plan to plan.json" in made.stderr
    assert (store_cli.root / "plan.json").is_file()


def test_a_saved_plan_is_pushed_as_reviewed(store_cli: Cli, store: Store) -> None:
    data = saved_plan(store_cli)
    assert data["format"] == "shopsync-saved-plan" and data["version"] == 1
    assert data["plan"]["summary"]["create"] == 6
    assert store.articles() == {}  # planning never writes

    pushed = store_cli("push", "plan.json", "--json")  # reviewed: it asks nothing
    assert pushed.exit_code == 0, pushed.output
    result = json.loads(pushed.stdout)
    assert result["refused"] == []
    assert sorted(store.articles()) == ["alpha", "beta", "gamma"]
    assert store_cli("plan", "--detailed-exitcode").exit_code == 0


def test_a_write_whose_store_item_changed_since_is_refused(
    repo: Path,
    store_cli: Cli,
    store: Store,
    client: ShopifyClient,
    settings: Settings,
) -> None:
    assert store_cli("push", "--yes").exit_code == 0
    edit(repo, "alpha.md", "## Alpha", "## Alpha, revised")
    edit(repo, "beta.md", "## Beta", "## Beta, revised")
    saved_plan(store_cli)
    admin_update_article(client, settings, store.articles()["alpha"]["id"], {"title": "By hand"})

    pushed = store_cli("push", "plan.json")
    assert pushed.exit_code == 1
    assert (
        "refused article research-digest/alpha: the store changed since the plan was made"
        in pushed.stderr
    )
    articles = store.articles()
    assert articles["alpha"]["title"] == "By hand"  # the admin's edit is kept
    assert "Beta, revised" in articles["beta"]["body"]  # the rest went through


def test_a_write_whose_file_changed_since_is_refused(
    repo: Path, store_cli: Cli, store: Store
) -> None:
    assert store_cli("push", "--yes").exit_code == 0
    edit(repo, "beta.md", "## Beta", "## Beta, reviewed")
    saved_plan(store_cli)
    edit(repo, "beta.md", "## Beta, reviewed", "## Beta, not reviewed")

    pushed = store_cli("push", "plan.json", "--json")
    assert pushed.exit_code == 1
    (refused,) = json.loads(pushed.stdout)["refused"]
    assert refused["handle"] == "beta"
    assert refused["reason"] == "the files changed since the plan was made: plan again"
    assert "reviewed" not in store.articles()["beta"]["body"]


def test_a_write_the_saved_plan_does_not_have_is_never_made(
    sandbox: Any, repo: Path, store_cli: Cli, store: Store
) -> None:
    assert store_cli("push", "--yes").exit_code == 0
    saved_plan(store_cli)  # nothing to do
    (repo / "articles" / "delta.md").write_text(article("Delta", status="draft"))
    before = len(sandbox.requests)

    pushed = store_cli("push", "plan.json")
    assert pushed.exit_code == 1
    assert "refused article research-digest/delta: not in the saved plan (create now)" in (
        pushed.stderr
    )
    assert "delta" not in store.articles()
    # Nothing written for it; the blog's index may still be recorded (metafieldsSet).
    assert set(mutations(sandbox.requests[before:])) <= {"metafieldsSet"}


def test_a_plan_for_another_store_is_refused_whole(store_cli: Cli, store: Store) -> None:
    data = saved_plan(store_cli)
    data["store"] = "https://another-shop.myshopify.com"
    (store_cli.root / "plan.json").write_text(json.dumps(data))
    pushed = store_cli("push", "plan.json")
    assert pushed.exit_code == 1
    assert "the saved plan was made for https://another-shop.myshopify.com" in pushed.stderr
    assert store.articles() == {}


def test_what_is_not_a_saved_plan_is_said_so(store_cli: Cli) -> None:
    (store_cli.root / "other.json").write_text('{"format": "terraform"}')
    (store_cli.root / "broken.json").write_text("{")
    other = store_cli("push", "other.json")
    assert other.exit_code == 1 and "not a saved shopsync plan of version 1" in other.stderr
    broken = store_cli("push", "broken.json")
    assert broken.exit_code == 1 and "broken.json is not a saved plan" in broken.stderr
    missing = store_cli("push", "missing.json")
    assert missing.exit_code == 1 and "missing.json does not exist" in missing.stderr


def test_a_saved_plan_carries_its_own_options(store_cli: Cli) -> None:
    saved_plan(store_cli)
    misuse = store_cli("push", "plan.json", "--force")
    assert misuse.exit_code == 64
    assert "a saved plan carries its own" in misuse.stderr


def test_the_saved_form_round_trips(store_cli: Cli) -> None:
    data = saved_plan(store_cli)
    saved = SavedPlan.from_dict(data, root=store_cli.root)
    assert SavedPlan.from_dict(json.loads(saved.dumps()), root=store_cli.root) == saved


def test_reconcile_keeps_the_same_write_and_refuses_a_different_one() -> None:
    create = PlanItem(kind="create", resource="page", handle="a")
    update = PlanItem(kind="update", resource="page", handle="b")
    unchanged = PlanItem(kind="unchanged", resource="page", handle="c")
    kept, refused = reconcile(Plan(items=(create, update)), Plan(items=(create, unchanged)))
    assert kept.items == (create, unchanged)
    assert [(r.item.handle, r.reason) for r in refused] == [
        ("b", "nothing to do now: the store or the files already changed")
    ]
    _, refused = reconcile(Plan(items=(update,)), Plan(items=(PlanItem("create", "page", "b"),)))
    assert [r.reason for r in refused] == ["now planned as create, not update: plan again"]
