"""Per-blog policies: what a blog's articles must carry before they can reach the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopsync.content.models import Article
from shopsync.content.policy import BlogPolicy, policy_problems
from shopsync.errors import ConfigError
from shopsync.project import load_policies
from shopsync.sandbox import SandboxServer

from .cli_support import Cli
from .sync_helpers import write_content

DIGEST = BlogPolicy("research-digest", frozenset({"citation", "disclaimer", "summary"}), "here")
POLICY = '[blogs.research-digest]\nrequire = ["citation", "disclaimer", "summary"]\n'


def article(status: str = "published", **keys: object) -> Article:
    values: dict[str, object] = {
        "title": "T",
        "handle": "t",
        "blog": "research-digest",
        "author": "A",
        "status": status,
        "source_path": "articles/t.md",
        **keys,
    }
    return Article.model_validate(values)


def test_a_published_article_missing_requirements_is_an_error_for_each() -> None:
    errors, warnings = policy_problems([article()], {"research-digest": DIGEST})
    assert [(p.field, p.line) for p in errors] == [
        ("citation", 1),
        ("disclaimer", 1),
        ("summary", 1),
    ]
    assert errors[0].message == (
        "the research-digest blog requires a citation of the study it reports (here)"
    )
    assert errors[0].hint is not None and errors[0].hint.startswith("add citation:")
    assert warnings == []


def test_a_draft_gets_warnings_and_other_blogs_nothing() -> None:
    errors, warnings = policy_problems(
        [article("draft", summary="S", disclaimer="d")], {"research-digest": DIGEST}
    )
    assert errors == []
    assert [w.message for w in warnings] == [
        "the research-digest blog requires a citation of the study it reports before the draft "
        "is published (here)"
    ]
    assert policy_problems([article(blog="news")], {"research-digest": DIGEST}) == ([], [])


def test_policies_come_from_shopsync_toml_or_pyproject(tmp_path: Path) -> None:
    assert load_policies(tmp_path) == {}
    (tmp_path / "shopsync.toml").write_text(POLICY)
    (tmp_path / "pyproject.toml").write_text('[tool.shopsync.blogs.news]\nrequire = ["summary"]\n')
    policies = load_policies(tmp_path)
    assert policies["research-digest"].require == {"citation", "disclaimer", "summary"}
    assert policies["research-digest"].source == "shopsync.toml [blogs.research-digest]"
    assert policies["news"].source == "pyproject.toml [tool.shopsync.blogs.news]"


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ('[blogs.b]\nrequire = ["citaton"]\n', "'citaton' is not something", "'citation'"),
        ('[blogs.b]\nrequires = ["citation"]\n', "unknown key 'requires'", "require = [...]"),
        ('[blogs.b]\nrequire = "citation"\n', "require must be a list", "require = ["),
        ("[blogs]\nb = 1\n", "[blogs.b] must be a table", "require"),
    ],
)
def test_a_policy_shopsync_cannot_apply_is_refused(
    tmp_path: Path, text: str, message: str, hint: str
) -> None:
    (tmp_path / "shopsync.toml").write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_policies(tmp_path)
    assert message in raised.value.message
    assert raised.value.hint is not None and hint in raised.value.hint


def test_validate_and_plan_refuse_before_the_store_is_asked(
    sandbox: SandboxServer, cli: Cli, tmp_path: Path
) -> None:
    write_content(tmp_path)
    (tmp_path / "shopsync.toml").write_text(POLICY)
    validated = cli("validate")
    assert validated.exit_code == 1
    # alpha is published without a citation; beta (a draft) only warns.
    assert "articles/alpha.md:1: citation: the research-digest blog requires" in validated.stdout
    assert "warning: articles/beta.md:1: citation:" in validated.output
    assert "3 problems in 2 of 4 files" in validated.stdout  # alpha, gamma: not the draft

    planned = cli.for_store(sandbox)("plan")
    assert planned.exit_code == 1
    assert sandbox.requests == []  # nothing was sent


def test_the_repositorys_own_samples_meet_its_policy(cli: Cli) -> None:
    repository = Path(__file__).resolve().parents[1]
    assert "research-digest" in load_policies(repository)
    assert cli.at(repository)("validate").exit_code == 0
