"""``shopsync validate`` as GitHub annotations: one workflow command per problem, escaped
as GitHub's toolkit escapes them, and read back as the runner reads them."""

from __future__ import annotations

import json
from pathlib import Path

from shopsync.annotations import (
    escape_data,
    escape_property,
    in_github_actions,
    problem_annotation,
    repository_path,
    workflow_command,
)
from shopsync.errors import EXIT_USAGE, Problem

from .cli_support import Cli
from .test_cli_validate import BROKEN, EXPECTED


def _unescape(text: str, *, prop: bool) -> str:
    """What the Actions runner does to a command's parts (ActionCommand.cs), % last."""
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
    for escaped, plain in pairs:
        text = text.replace(escaped, plain)
    return text.replace("%25", "%")


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """(level, properties, message) of ``::level k=v,...::message``, unescaped."""
    assert line.startswith("::"), line
    head, message = line[2:].split("::", 1)
    level, _, props = head.partition(" ")
    properties = {}
    for pair in filter(None, props.split(",")):
        key, value = pair.split("=", 1)
        properties[key] = _unescape(value, prop=True)
    return level, properties, _unescape(message, prop=False)


def test_escaping_follows_the_toolkit() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert workflow_command("notice", "x", {}) == "::notice::x"


def test_a_problem_round_trips_through_the_runners_unescaping() -> None:
    problem = Problem(
        path="articles/odd, name: 100%.md",
        line=7,
        field="title",
        message="is 120% too long: cut it\r\nnow",
        hint="a, b: c",
    )
    line = problem_annotation(problem, "warning")
    assert "\n" not in line and "\r" not in line
    level, properties, message = parse_command(line)
    assert level == "warning"
    assert properties == {"file": problem.path, "line": "7", "title": "shopsync"}
    assert message == "title: is 120% too long: cut it\r\nnow\nhint: a, b: c"


def test_a_problem_without_line_or_field_has_neither() -> None:
    line = problem_annotation(Problem(path="articles/x.md", message="file is empty"))
    assert line == "::error file=articles/x.md,title=shopsync::file is empty"


def test_only_github_actions_itself_switches_the_format() -> None:
    assert in_github_actions({"GITHUB_ACTIONS": "true"})
    assert not in_github_actions({"GITHUB_ACTIONS": "false"})
    assert not in_github_actions({"CI": "true"})


def _broken(root: Path) -> None:
    folder = root / "broken"
    folder.mkdir()
    for name, data in BROKEN.items():
        if isinstance(data, bytes):
            (folder / name).write_bytes(data)
        else:
            (folder / name).write_text(data, encoding="utf-8")


def test_validate_prints_one_annotation_per_problem(tmp_path: Path, cli: Cli) -> None:
    _broken(tmp_path)
    result = cli("validate", "--format", "github", "broken")
    assert result.exit_code == 1
    commands = [parse_command(x) for x in result.stdout.splitlines() if x.startswith("::")]
    expected = {name: (line, field) for name, line, field in EXPECTED}
    assert len(commands) == len(expected)
    for level, properties, message in commands:
        assert level == "error" and properties["title"] == "shopsync"
        assert properties["file"].startswith("broken/")  # relative to the repository
        line, field = expected.pop(Path(properties["file"]).name)
        assert properties.get("line") == (str(line) if line else None)
        if field:
            assert message.startswith(f"{field}: ")
        assert "\nhint: " in message
    assert expected == {}
    assert f"{len(EXPECTED)} problems in {len(EXPECTED)} of {len(BROKEN)} files" in result.stdout


def test_github_actions_gets_annotations_without_asking(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "x.md").write_text("no front matter\n", encoding="utf-8")
    result = cli("validate", env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error file=articles/x.md,line=1,title=shopsync::missing front")
    text = cli("validate", "--format", "text", env={"GITHUB_ACTIONS": "true"})
    assert text.stdout.startswith("articles/x.md:1: missing front matter")
    as_json = cli("validate", "--json", env={"GITHUB_ACTIONS": "true"})
    assert json.loads(as_json.stdout)["problems"][0]["path"] == "articles/x.md"


def test_warnings_are_warning_annotations(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.md").write_text(
        "---\ntitle: T\nauthor: A\nseo:\n  title: " + "s" * 80 + "\n---\nText.\n",
        encoding="utf-8",
    )
    result = cli("validate", "--format", "github", "articles/a.md")
    [line] = [x for x in result.stdout.splitlines() if x.startswith("::")]
    level, properties, message = parse_command(line)
    assert (level, properties["file"], properties["line"]) == ("warning", "articles/a.md", "5")
    assert message.startswith("seo.title: SEO title is 80 characters")


def test_json_and_format_together_are_a_usage_error(cli: Cli) -> None:
    result = cli("validate", "--json", "--format", "github")
    assert result.exit_code == EXIT_USAGE
    assert "exclusive" in result.stderr


def test_paths_are_relative_to_the_checkout_whatever_the_root(tmp_path: Path, cli: Cli) -> None:
    site = tmp_path / "site"
    (site / "articles").mkdir(parents=True)
    (site / "articles" / "x.md").write_text("", encoding="utf-8")
    workspace = {"GITHUB_WORKSPACE": str(tmp_path)}
    result = cli.at(site)("validate", "--format", "github", env=workspace)
    assert result.stdout.startswith("::error file=site/articles/x.md,line=1,title=shopsync::")
    elsewhere = cli.at(site)("validate", "--format", "github", env={"GITHUB_WORKSPACE": "/nowhere"})
    assert elsewhere.stdout.startswith("::error file=articles/x.md,")  # as shopsync names it


def test_repository_path() -> None:
    assert repository_path("articles/x.md", Path("/w/site"), Path("/w")) == "site/articles/x.md"
    assert repository_path("articles/x.md", Path("/w"), Path("/w")) == "articles/x.md"
    assert repository_path("a.md", Path("/elsewhere"), Path("/w")) == "a.md"
