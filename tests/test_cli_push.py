"""``shopsync push`` asks before it writes, names the store, and refuses a plan with errors.

The questions are asked on a real pseudo-terminal (a child process), the refusals in
process: without a terminal there is nobody to ask.
"""

from __future__ import annotations

import json
from typing import Any

from shopsync.sandbox import SandboxServer

from .cli_support import Cli
from .sync_helpers import Store, mutations


def writes(sandbox: SandboxServer) -> list[str]:
    return mutations(sandbox.requests)


def test_without_a_terminal_push_needs_yes_and_writes_nothing(
    sandbox: SandboxServer, store_cli: Cli, store: Store
) -> None:
    refused = store_cli("push")
    assert refused.exit_code == 1
    assert f"Store: {sandbox.url}" in refused.stdout  # the plan it did not apply, and where
    assert f"push writes to {sandbox.url} and nobody approved it" in refused.stderr
    assert "shopsync push --yes" in refused.stderr
    assert writes(sandbox) == [] and store.articles() == {}

    pushed = store_cli("push", "--yes")
    assert pushed.exit_code == 0, pushed.output
    assert sorted(store.articles()) == ["alpha", "beta", "gamma"]


def test_json_never_asks(sandbox: SandboxServer, store_cli: Cli) -> None:
    refused = store_cli("push", "--json")
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["error"] == "NotApproved"
    assert writes(sandbox) == []


def test_nothing_to_write_needs_no_approval(store_cli: Cli) -> None:
    assert store_cli("push", "--yes").exit_code == 0
    again = store_cli("push")
    assert again.exit_code == 0, again.output
    assert "nobody approved" not in again.stderr


def test_on_a_terminal_push_shows_the_plan_names_the_store_and_asks(
    sandbox: SandboxServer, store_cli: Cli, store: Store
) -> None:
    run = store_cli.on_terminal("push", answer="yes")
    assert run.exit_code == 0, run.screen
    assert f"Store: {sandbox.url}" in run.screen
    plan_at = run.screen.index("+ article research-digest/alpha")
    question_at = run.screen.index(f"Push these changes to {sandbox.url}?")
    assert plan_at < question_at  # the plan first, then the question
    assert "Plan: 6 to create, 0 to update" in run.screen
    assert sorted(store.articles()) == ["alpha", "beta", "gamma"]


def test_any_answer_but_yes_cancels(sandbox: SandboxServer, store_cli: Cli, store: Store) -> None:
    for answer in ("y", "no", ""):
        run = store_cli.on_terminal("push", answer=answer)
        assert run.exit_code == 1, run.screen
        assert "push cancelled, nothing was written" in run.screen
    assert writes(sandbox) == [] and store.articles() == {}


def test_yes_skips_the_question_on_a_terminal_too(store_cli: Cli, store: Store) -> None:
    run = store_cli.on_terminal("push", "--yes")  # no answer typed: it must not wait for one
    assert run.exit_code == 0, run.screen
    assert "Only 'yes'" not in run.screen
    assert sorted(store.articles()) == ["alpha", "beta", "gamma"]


def test_a_plan_with_errors_is_pushed_only_with_allow_partial(
    sandbox: SandboxServer, repo: Any, store_cli: Cli, store: Store
) -> None:
    path = repo / "articles" / "beta.md"
    path.write_text(path.read_text().replace("featured_products: []", "featured_products: [nope]"))
    run = store_cli.on_terminal("push", answer="yes")
    assert run.exit_code == 1
    assert "the plan has 1 error, so push wrote nothing" in run.screen
    assert "Only 'yes'" not in run.screen  # refused before anything is asked
    assert writes(sandbox) == []

    partial = store_cli("push", "--yes", "--allow-partial")
    assert partial.exit_code == 1  # beta is still missing: CI sees it
    assert sorted(store.articles()) == ["alpha", "gamma"]


def test_the_plan_names_its_store(sandbox: SandboxServer, store_cli: Cli) -> None:
    planned = store_cli("plan")
    assert planned.stdout.startswith(f"Store: {sandbox.url}\n")
    assert json.loads(store_cli("plan", "--json").stdout)["store"] == sandbox.url


def test_group_options_work_after_the_command(
    sandbox: SandboxServer, store_cli: Cli, tmp_path: Any
) -> None:
    before = store_cli("-q", "plan")
    after = store_cli("plan", "-q")
    assert before.exit_code == after.exit_code == 0
    assert after.stdout == before.stdout and "Store:" not in after.stdout

    missing = store_cli("plan", "--env-file", "nope.env")
    assert missing.exit_code == 3
    assert "env file 'nope.env' does not exist" in missing.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    moved = store_cli("validate", "-C", str(elsewhere))
    assert moved.exit_code == 1  # the -C after the command wins: no articles/ there
    assert "articles" in moved.output
