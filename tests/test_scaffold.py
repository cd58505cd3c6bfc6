"""``shopsync new`` writes a draft that validates; ``shopsync schema`` describes the files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from shopsync.scaffold import front_matter_schema, new_article, scaffold_handle, usual_author

from .cli_support import Cli

REPOSITORY = Path(__file__).resolve().parents[1]


def front_matter(path: Path) -> dict[str, Any]:
    """The YAML of a file's front matter, dates as the strings an editor sees."""
    head = path.read_text(encoding="utf-8").split("---\n")[1]
    data = yaml.safe_load(head)
    loaded: dict[str, Any] = json.loads(json.dumps(data, default=lambda v: v.isoformat()))
    return loaded


# ------------------------------------------------------------------------------ new


def test_new_writes_a_draft_that_validates(cli: Cli) -> None:
    rooted = cli.at(with_samples(cli.root))
    created = rooted("new", "Does EMS Help the Deep Core? A Study: Part 2")
    assert created.exit_code == 0, created.output
    path = rooted.root / "articles" / "does-ems-help-the-deep-core-a-study-part-2.md"
    assert f"Created {path.relative_to(rooted.root).as_posix()}" in created.stdout
    data = front_matter(path)
    assert data["title"] == "Does EMS Help the Deep Core? A Study: Part 2"  # quoted: ':' and '?'
    assert data["status"] == "draft"
    assert data["author"] == "Oriems Fit Research Team"  # the one the samples name
    assert data["disclaimer"] == "disclaimer"  # the repository has that page
    assert rooted("validate").exit_code == 0


def test_new_never_overwrites_without_force(cli: Cli) -> None:
    rooted = cli.at(with_samples(cli.root))
    taken = rooted("new", "Any title", "--handle", "ems-deep-spine-muscles-study")
    assert taken.exit_code == 1
    assert "articles/ems-deep-spine-muscles-study.md already exists" in taken.stderr
    assert (
        "Can Electrical Muscle"
        in (rooted.root / "articles" / "ems-deep-spine-muscles-study.md").read_text()
    )

    forced = rooted("new", "Any title", "--handle", "ems-deep-spine-muscles-study", "--force")
    assert forced.exit_code == 0
    assert (
        "title: Any title"
        in (rooted.root / "articles" / "ems-deep-spine-muscles-study.md").read_text()
    )


def test_new_refuses_a_handle_another_file_has(cli: Cli) -> None:
    root = with_samples(cli.root)
    (root / "articles" / "ems-deep-spine-muscles-study.md").rename(root / "articles" / "renamed.md")
    clash = cli.at(root)("new", "Title", "--handle", "ems-deep-spine-muscles-study")
    assert clash.exit_code == 1
    assert "articles/renamed.md already has the handle" in clash.stderr
    assert not (root / "articles" / "ems-deep-spine-muscles-study.md").exists()


def test_new_refuses_an_unknown_disclaimer_and_writes_nothing(cli: Cli) -> None:
    result = cli("new", "Title", "--disclaimer", "nope")
    assert result.exit_code == 1
    assert "there is no page 'nope'" in result.stderr
    assert not (cli.root / "articles").exists()


def test_new_in_an_empty_repository(cli: Cli) -> None:
    result = cli("new", "First post", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "path": "articles/first-post.md",
        "handle": "first-post",
        "blog": "research-digest",
    }
    data = front_matter(cli.root / "articles" / "first-post.md")
    assert data["author"] == "Research Team" and "disclaimer" not in data
    assert cli("validate").exit_code == 0


def test_new_with_a_title_shopify_refuses_leaves_no_file(cli: Cli) -> None:
    result = cli("new", "x" * 300, "--handle", "long")
    assert result.exit_code == 1
    assert "title" in result.stderr and "255" in result.stderr
    assert not (cli.root / "articles" / "long.md").exists()


def test_handles_stop_at_a_word_near_eighty_characters() -> None:
    title = "A very long title " * 10
    handle = scaffold_handle(title)
    assert len(handle) <= 80 and not handle.endswith("-")
    assert handle.startswith("a-very-long-title-a-very")
    assert scaffold_handle("Ça marche: EMS & the core") == "ca-marche-ems-the-core"


def test_the_usual_author_is_the_most_named() -> None:
    assert usual_author(["A", "B", "B"]) == "B"
    assert usual_author([]) == "Research Team"


# ---------------------------------------------------------------------------- schema


@pytest.mark.parametrize(
    "path", sorted((REPOSITORY / "articles").glob("*.md")), ids=lambda p: p.name
)
def test_every_sample_article_matches_the_schema(path: Path) -> None:
    jsonschema.validate(front_matter(path), front_matter_schema("article"))


def test_the_sample_page_and_a_new_article_match_their_schemas() -> None:
    page = REPOSITORY / "articles" / "pages" / "disclaimer.md"
    jsonschema.validate(front_matter(page), front_matter_schema("page"))
    scaffold = new_article("T", handle="t", blog="b", author="A", disclaimer="disclaimer")
    data = yaml.safe_load(scaffold.text.split("---\n")[1])
    jsonschema.validate(data, front_matter_schema("article"))


def test_the_schema_refuses_what_validate_refuses() -> None:
    schema = front_matter_schema("article")
    good = {"title": "T", "author": "A"}
    jsonschema.validate(good, schema)
    for bad in (
        {"author": "A"},  # no title
        {**good, "titel": "typo"},
        {**good, "status": "live"},
        {**good, "image": {"src": "x.png"}},  # no alt
        {**good, "citation": {"pmid": 1, "title": "t", "journal": "j", "year": 1700}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_schema_descriptions_are_the_loaders_hints(cli: Cli) -> None:
    printed = cli("schema")
    assert printed.exit_code == 0
    schema = json.loads(printed.stdout)
    assert schema["properties"]["status"]["description"] == "One of draft, published, scheduled."
    citation = schema["$defs"]["Citation"]["properties"]
    assert citation["pmid"]["description"].startswith("The digits of the PubMed id")

    written = cli("schema", "page", "-o", "schemas/page.json")
    assert written.exit_code == 0
    assert json.loads((cli.root / "schemas" / "page.json").read_text())["title"] == (
        "shopsync page front matter"
    )


def with_samples(root: Path) -> Path:
    """The repository's own articles/ copied under ``root``, to write into."""
    shutil.copytree(REPOSITORY / "articles", root / "articles")
    return root
