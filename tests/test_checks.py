"""The claim linter and the blog policies where staff meet them: validate, lint, plan, preview."""

from __future__ import annotations

import json
from pathlib import Path

from shopsync.sandbox import SandboxServer

from .cli_support import Cli
from .sync_helpers import mutations, write_content

CLAIM = "EMS cures sciatica in two weeks."
REVIEWED = (
    "<!-- shopsync: allow cure-claim -- quotes the regulator's own example of a banned claim -->\n"
    f"{CLAIM}\n"
)


def add_to_body(root: Path, name: str, text: str) -> int:
    """Append ``text`` to an article's body; the line it starts on."""
    path = root / "articles" / name
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "\n" + text, encoding="utf-8")
    return len(before.splitlines()) + 2


def test_validate_stops_a_claim_at_its_line_with_the_rule_and_a_softer_wording(cli: Cli) -> None:
    write_content(cli.root)
    line = add_to_body(cli.root, "beta.md", CLAIM + "\n")
    result = cli("validate")
    assert result.exit_code == 1
    first = next(x for x in result.stdout.splitlines() if x.startswith("articles/beta.md"))
    assert first.startswith(f"articles/beta.md:{line}: claim cure-claim: ")
    assert f"“{CLAIM}”" in first
    assert "say instead:" in result.stdout
    assert "<!-- shopsync: allow cure-claim -- why -->" in result.stdout


def test_a_reviewed_claim_passes_and_is_listed_with_its_reason(cli: Cli) -> None:
    write_content(cli.root)
    add_to_body(cli.root, "beta.md", REVIEWED)  # beta features no product
    result = cli("validate")
    assert result.exit_code == 0, result.output
    assert "reviewed: articles/beta.md:" in result.stdout
    assert "quotes the regulator's own example" in result.stdout
    data = json.loads(cli("validate", "--json").stdout)
    (finding,) = data["reviewed_claims"]
    assert (finding["rule"], finding["suppressed"]) == ("cure-claim", True)


def test_lint_lists_findings_and_fails_only_on_errors(cli: Cli) -> None:
    write_content(cli.root)
    assert cli("lint").exit_code == 0
    add_to_body(cli.root, "beta.md", REVIEWED)
    reviewed = cli("lint")
    assert reviewed.exit_code == 0 and "reviewed cure-claim" in reviewed.stdout
    add_to_body(cli.root, "gamma.md", "It is clinically proven to work.\n")
    failed = cli("lint", "--json")
    assert failed.exit_code == 1
    data = json.loads(failed.stdout)
    rules = sorted((f["path"], f["rule"], f["suppressed"]) for f in data["findings"])
    assert ("articles/beta.md", "cure-claim", True) in rules
    assert any(path == "articles/gamma.md" and not done for path, _rule, done in rules)
    assert data["ok"] is False


def test_the_plan_shows_what_was_let_through_after_review(sandbox: SandboxServer, cli: Cli) -> None:
    write_content(cli.root)
    add_to_body(cli.root, "beta.md", REVIEWED)
    store = cli.for_store(sandbox)
    text = store("plan").stdout
    assert "Reviewed claims (suppressed in the files):" in text
    assert "cure-claim: “EMS cures sciatica in two weeks.” (quotes the regulator's" in text
    assert json.loads(store("plan", "--json").stdout)["reviewed_claims"][0]["rule"] == "cure-claim"
    markdown = store("plan", "--markdown").stdout
    assert "Reviewed claims (suppressed in the files, with the reason given):" in markdown


def test_the_preview_shows_a_finding_beside_the_article(cli: Cli) -> None:
    write_content(cli.root)
    line = add_to_body(cli.root, "alpha.md", CLAIM + "\n")
    result = cli("preview", "alpha", "--offline", "-o", "out.html")
    # alpha features a product: a claim beside it breaks that rule too
    assert result.exit_code == 0, result.output
    page = (cli.root / "out.html").read_text(encoding="utf-8")
    assert "Before you push" in page
    assert f"line {line}: cure-claim: “{CLAIM}”" in page


def test_the_pr_comments_markdown_shows_the_files_problems(
    sandbox: SandboxServer, cli: Cli
) -> None:
    write_content(cli.root)
    line = add_to_body(cli.root, "beta.md", CLAIM + "\n")
    store = cli.for_store(sandbox)
    failed = store("plan", "--markdown")
    assert failed.exit_code == 1
    assert failed.stdout.startswith("### shopsync plan\n")
    assert "**The files have problems: nothing was planned.**" in failed.stdout
    assert f"- `articles/beta.md:{line}` `claim cure-claim`: " in failed.stdout
    # The plan read the store (to know which files its index vouches for), wrote nothing.
    assert mutations(sandbox.requests) == []


def test_warnings_follow_the_plan_in_its_markdown(sandbox: SandboxServer, cli: Cli) -> None:
    write_content(cli.root)
    path = cli.root / "articles" / "beta.md"
    path.write_text(
        path.read_text().replace(
            "status: draft", "status: scheduled\npublish_date: 2020-01-01T09:00:00Z"
        )
    )
    planned = cli.for_store(sandbox)("plan", "--markdown")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.startswith("### shopsync plan\n")  # nothing before the heading
    assert "#### Warnings" in planned.stdout and "which has passed" in planned.stdout


def test_a_plan_lints_only_what_the_blogs_index_cannot_vouch_for(
    sandbox: SandboxServer, cli: Cli
) -> None:
    """Pushed files were linted when pushed, by the same code and rules (both are in their
    inputs): a no-change plan does not read their sentences again; a changed file it does."""
    write_content(cli.root)
    store = cli.for_store(sandbox)
    assert store("push", "--yes").exit_code == 0
    store("plan")  # a second later: the index now vouches for what the push wrote
    quiet = json.loads(store("plan", "--json").stdout)
    assert quiet["summary"]["unchanged"] >= 3

    line = add_to_body(cli.root, "beta.md", CLAIM + "\n")
    caught = store("plan")
    assert caught.exit_code == 1
    assert f"articles/beta.md:{line}: claim cure-claim" in caught.output

    (cli.root / "shopsync-claims.yaml").write_text("ignore: [cures sciatica]\n")
    changed_rules = store("plan")  # new rules: every file is read again, and passes
    assert changed_rules.exit_code in (0, 1)
    assert "claim cure-claim" not in changed_rules.output
