"""Files → models: every bad input becomes a located Problem, never an exception."""

from __future__ import annotations

import hashlib
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shopsync.content.loader import MAX_FILE_BYTES, Content, load_content, load_file
from shopsync.content.models import Article, Page
from shopsync.errors import Problem

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 1, 1, tzinfo=UTC)

GOOD = """\
---
title: A good article
author: Research Team
status: published
publish_date: 2025-01-20T09:00:00+11:00
tags: [ems]
---

Body text.
"""


PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)


def write(root: Path, name: str, text: str | bytes) -> Path:
    path = root / "articles" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(root: Path) -> Content:
    return load_content([root / "articles"], root=root, default_blog="research-digest", now=NOW)


def only_problem(content: Content) -> Problem:
    assert len(content.problems) == 1, content.problems
    return content.problems[0]


def article_text(*extra: str, body: str = "Body.\n") -> str:
    keys = "\n".join(extra)
    return f"---\ntitle: T\nauthor: A\n{keys}\n---\n{body}"


def test_samples_load_clean() -> None:
    content = load_content([REPO / "articles"], root=REPO, default_blog="research-digest", now=NOW)
    assert content.ok, [str(p) for p in content.problems]
    handles = {a.handle: a for a in content.articles}
    assert {"ems-deep-spine-muscles-study"} <= set(handles)
    assert {a.status for a in content.articles} == {"published", "draft", "scheduled"}
    seed = handles["ems-deep-spine-muscles-study"]
    assert seed.source_path == "articles/ems-deep-spine-muscles-study.md"
    assert seed.citation is not None and seed.citation.pmid == "27064323"
    assert seed.featured_products == ["original-oriems-ultimate-kit"]
    assert seed.disclaimer == "disclaimer"
    assert [p.handle for p in content.pages] == ["disclaimer"]
    # Every optional field is exercised by at least one sample.
    for name in ("image", "seo", "citation", "summary", "template_suffix", "publish_date"):
        assert any(getattr(a, name) is not None for a in content.articles), name
    assert any(a.image and a.image.is_local for a in content.articles)
    assert any(a.citation and a.citation.doi for a in content.articles)


def test_good_file_with_derived_handle_and_default_blog(tmp_path: Path) -> None:
    write(tmp_path, "my-post.md", GOOD)
    content = load(tmp_path)
    assert content.ok
    [a] = content.articles
    assert (a.handle, a.blog, a.source_path) == (
        "my-post",
        "research-digest",
        "articles/my-post.md",
    )
    assert a.body.strip() == "Body text."


def test_missing_front_matter(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "# Just Markdown\n")
    p = only_problem(load(tmp_path))
    assert (p.path, p.line, p.message) == ("articles/a.md", 1, "missing front matter")
    assert p.hint and "---" in p.hint


def test_unclosed_front_matter(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: T\n")
    assert "not closed" in only_problem(load(tmp_path)).message


def test_yaml_syntax_error_reports_its_line(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: T\nauthor: A\ntags: [a, b\nstatus: draft\n---\n")
    p = only_problem(load(tmp_path))
    assert "YAML syntax error" in p.message
    assert p.line in (5, 6)  # the scanner notices at the line after the open bracket
    write(tmp_path, "a.md", "---\ntitle: T\nauthor: A: B\n---\n")
    assert only_problem(load(tmp_path)).line == 3


def test_front_matter_must_be_a_mapping(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\n- a\n- b\n---\n")
    assert "key: value" in only_problem(load(tmp_path)).message


def test_wrong_types_each_located(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.md",
        article_text("tags: ems", "citation:\n  pmid: 1\n  title: T\n  journal: J\n  year: soon"),
    )
    content = load(tmp_path)
    found = {(p.field, p.line) for p in content.problems}
    assert found == {("tags", 4), ("citation.year", 9)}
    assert all(p.hint for p in content.problems)


def test_empty_title(tmp_path: Path) -> None:
    write(tmp_path, "a.md", '---\nauthor: A\ntitle: ""\n---\n')
    p = only_problem(load(tmp_path))
    assert (p.field, p.line, p.message) == ("title", 3, "title is empty")


def test_missing_required_key_points_at_front_matter(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: T\n---\n")
    p = only_problem(load(tmp_path))
    assert (p.field, p.line, p.message) == ("author", 1, "author is required")


def test_over_long_title_and_handle(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.md",
        article_text("handle: " + "h" * 266).replace("title: T", "title: " + "t" * 256),
    )
    content = load(tmp_path)
    messages = {p.field: p.message for p in content.problems}
    assert set(messages) == {"title", "handle"}
    assert "255" in messages["title"] and "265" in messages["handle"]


def test_invalid_handle_characters(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("handle: My_Post"))
    p = only_problem(load(tmp_path))
    assert (p.field, p.line) == ("handle", 4)
    assert "'my-post'" in p.message


def test_file_name_that_is_no_handle(tmp_path: Path) -> None:
    write(tmp_path, "My Post.md", article_text())
    p = only_problem(load(tmp_path))
    assert p.field == "handle" and "file name" in p.message
    assert p.hint and "rename" in p.hint


def test_naive_datetime(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("status: published", "publish_date: 2020-01-01 09:00:00"))
    p = only_problem(load(tmp_path))
    assert (p.field, p.line) == ("publish_date", 5)
    assert "timezone" in p.message


def test_scheduled_in_the_past_is_published_with_a_note(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("status: scheduled", "publish_date: 2020-01-01T09:00:00Z"))
    content = load(tmp_path)
    assert content.ok
    (article,) = content.articles
    assert article.status == "published"
    (note,) = content.warnings
    assert (note.field, note.line) == ("status", 4)
    assert "scheduled for 2020-01-01T09:00:00+00:00, which has passed" in note.message


def test_a_scheduled_sample_only_changes_state_when_its_time_comes(tmp_path: Path) -> None:
    """An injected clock on either side of the date: never an error, before or after."""
    write(
        tmp_path,
        "a.md",
        article_text("status: scheduled", "publish_date: 2027-03-02T09:00:00+11:00"),
    )
    before = load_content(
        [tmp_path], root=tmp_path, default_blog="b", now=datetime(2027, 3, 1, 21, 59, tzinfo=UTC)
    )
    after = load_content(
        [tmp_path], root=tmp_path, default_blog="b", now=datetime(2027, 3, 1, 22, 0, tzinfo=UTC)
    )
    assert before.ok and after.ok
    assert [a.status for a in before.articles] == ["scheduled"] and before.warnings == []
    assert [a.status for a in after.articles] == ["published"] and len(after.warnings) == 1


def test_unknown_key_did_you_mean(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.md",
        article_text(
            "summery: x", "image:\n  src: https://x.example/a.png\n  alt: A\n  alt_text: B"
        ),
    )
    content = load(tmp_path)
    hints = {(p.field, p.line): (p.message, p.hint) for p in content.problems}
    assert hints[("summery", 4)] == ("unknown key 'summery'", "did you mean 'summary'?")
    assert hints[("image.alt_text", 8)][1] == "did you mean 'alt'?"


def test_unknown_key_without_close_match_lists_keys(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("zzz: 1"))
    hint = only_problem(load(tmp_path)).hint
    assert hint and hint.startswith("allowed keys:") and "publish_date" in hint


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("author: B"))
    p = only_problem(load(tmp_path))
    assert (p.field, p.line) == ("author", 4)
    assert "first on line 3" in p.message


def test_duplicate_handle_within_a_blog(tmp_path: Path) -> None:
    write(tmp_path, "one.md", article_text("handle: same"))
    write(tmp_path, "two.md", article_text("handle: same"))
    write(tmp_path, "three.md", article_text("handle: same", "blog: other-blog"))
    content = load(tmp_path)
    p = only_problem(content)
    assert (p.path, p.field, p.line) == ("articles/two.md", "handle", 4)
    assert "articles/one.md" in p.message
    assert sorted(a.source_path for a in content.articles) == [
        "articles/one.md",
        "articles/three.md",
    ]


def test_duplicate_page_handle(tmp_path: Path) -> None:
    write(tmp_path, "pages/a.md", "---\ntitle: A\nhandle: terms\n---\nx\n")
    write(tmp_path, "pages/b.md", "---\ntitle: B\nhandle: terms\n---\ny\n")
    assert only_problem(load(tmp_path)).path == "articles/pages/b.md"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("previous_handles: [Old_Post]", "previous handle 'Old_Post' may contain only"),
        ("previous_handles: [old, old]", "a previous handle is listed twice"),
        ("previous_handles: [post]", "previous handle 'post' is the current handle"),
        ("previous_handles: old", "previous_handles must be a list"),
    ],
)
def test_previous_handles_are_checked_like_handles(tmp_path: Path, line: str, message: str) -> None:
    write(tmp_path, "post.md", article_text(line))
    p = only_problem(load(tmp_path))
    assert (p.path, p.field, p.line) == ("articles/post.md", "previous_handles", 4)
    assert message in p.message


def test_previous_handles_of_an_article_and_a_page(tmp_path: Path) -> None:
    write(tmp_path, "post.md", article_text("previous_handles: [old-post, older-post]"))
    write(tmp_path, "pages/terms.md", "---\ntitle: Terms\nprevious_handles: [legal]\n---\nx\n")
    content = load(tmp_path)
    assert content.ok, content.problems
    assert content.articles[0].previous_handles == ["old-post", "older-post"]
    assert content.pages[0].previous_handles == ["legal"]


def test_two_files_claiming_one_previous_handle(tmp_path: Path) -> None:
    write(tmp_path, "one.md", article_text("previous_handles: [old]"))
    write(tmp_path, "two.md", article_text("previous_handles:", "  - older", "  - old"))
    write(tmp_path, "three.md", article_text("previous_handles: [old]", "blog: other-blog"))
    content = load(tmp_path)
    p = only_problem(content)
    assert (p.path, p.field, p.line) == ("articles/two.md", "previous_handles", 6)
    assert "'old' is also a previous handle of articles/one.md" in p.message
    assert p.hint is not None and "one file only" in p.hint
    assert sorted(a.source_path for a in content.articles) == [
        "articles/one.md",
        "articles/three.md",
    ]


def test_a_previous_handle_that_is_another_files_handle(tmp_path: Path) -> None:
    write(tmp_path, "new.md", article_text("previous_handles: [old]"))
    write(tmp_path, "old.md", article_text())
    p = only_problem(load(tmp_path))
    assert (p.path, p.field) == ("articles/new.md", "previous_handles")
    assert "'old' is also the handle of articles/old.md" in p.message


def test_missing_disclaimer_page(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("disclaimer: medical"))
    p = only_problem(load(tmp_path))
    assert (p.field, p.line) == ("disclaimer", 4)
    assert p.hint and "pages/medical.md" in p.hint


def test_disclaimer_page_loaded_for_single_article(tmp_path: Path) -> None:
    article = write(tmp_path, "a.md", article_text("disclaimer: medical"))
    write(tmp_path, "pages/medical.md", "---\ntitle: Medical disclaimer\n---\nNot advice.\n")
    write(tmp_path, "pages/other.md", "---\ntitle: Other\n---\nx\n")
    content = load_content([article], root=tmp_path, default_blog="b", now=NOW)
    assert content.ok, content.problems
    assert [p.handle for p in content.pages] == ["medical"]
    assert content.page("medical") is not None


@pytest.mark.parametrize(
    ("line", "field"),
    [("  pmid: PMID-27064323", "citation.pmid"), ("  doi: 10.12/short", "citation.doi")],
)
def test_malformed_pmid_doi(tmp_path: Path, line: str, field: str) -> None:
    write(
        tmp_path, "a.md", article_text(f"citation:\n{line}\n  title: T\n  journal: J\n  year: 2016")
    )
    p = only_problem(load(tmp_path))
    assert (p.field, p.line) == (field, 5)


def test_image_outside_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (tmp_path / "secret.png").write_bytes(b"\x89PNG")
    write(root, "a.md", article_text("image:\n  src: ../secret.png\n  alt: x"))
    p = only_problem(load(root))
    assert (p.field, p.line) == ("image.src", 5)
    assert "outside the repository" in p.message


def test_image_symlink_leaving_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (tmp_path / "secret.png").write_bytes(b"\x89PNG")
    (root / "articles").mkdir(parents=True)
    (root / "articles" / "link.png").symlink_to(tmp_path / "secret.png")
    write(root, "a.md", article_text("image:\n  src: articles/link.png\n  alt: x"))
    assert "outside the repository" in only_problem(load(root)).message


def test_missing_local_image(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("image:\n  src: articles/images/none.png\n  alt: x"))
    assert "does not exist" in only_problem(load(tmp_path)).message
    (tmp_path / "articles" / "images").mkdir()
    (tmp_path / "articles" / "images" / "none.png").write_bytes(PNG)
    content = load(tmp_path)
    assert content.ok
    image = content.images["articles/images/none.png"]
    assert image.mime_type == "image/png" and image.size == len(PNG)
    assert image.filename == f"none-{hashlib.sha256(PNG).hexdigest()[:12]}.png"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a PNG, JPEG, GIF or WebP"),
    ],
)
def test_local_image_that_cannot_be_uploaded(tmp_path: Path, data: bytes, message: str) -> None:
    write(tmp_path, "a.md", article_text("image:\n  src: articles/images/x.png\n  alt: x"))
    (tmp_path / "articles" / "images").mkdir()
    (tmp_path / "articles" / "images" / "x.png").write_bytes(data)
    problem = only_problem(load(tmp_path))
    assert message in problem.message
    assert problem.field == "image.src" and problem.line is not None
    assert "PNG, JPEG, GIF or WebP" in (problem.hint or "")


def test_non_utf8_file(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    p = only_problem(load(tmp_path))
    assert p.line == 2 and "UTF-8" in p.message


def test_empty_file(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "  \n\n")
    assert only_problem(load(tmp_path)).message == "file is empty"


def test_binary_file(tmp_path: Path) -> None:
    write(tmp_path, "a.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary" in only_problem(load(tmp_path)).message


def test_file_of_several_megabytes(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text(body="word " * 1_000_000))
    assert (tmp_path / "articles" / "a.md").stat().st_size > MAX_FILE_BYTES
    p = only_problem(load(tmp_path))
    assert "MB" in p.message and p.hint


def test_rendered_article_body_over_limit(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text(body="a" * 1_000_001 + "\n"))
    p = only_problem(load(tmp_path))
    assert (p.field, p.line) == ("body", 6)  # the first line of the body
    assert "1,000,000" in p.message
    write(tmp_path, "a.md", article_text(body="a" * 990_000 + "\n"))
    assert load(tmp_path).ok


def test_rendered_page_body_over_limit(tmp_path: Path) -> None:
    write(tmp_path, "pages/big.md", "---\ntitle: Big\nnotice: Short.\n---\n" + "b" * 512_001)
    p = only_problem(load(tmp_path))
    assert p.field == "body" and "512,000" in p.message


def test_all_problems_reported_at_once_and_sorted(tmp_path: Path) -> None:
    write(tmp_path, "b.md", "")
    write(tmp_path, "a.md", '---\ntitle: ""\nauthor: A\nbogus: 1\n---\n')
    write(tmp_path, "c.md", "no front matter\n")
    write(tmp_path, "ok.md", GOOD)
    content = load(tmp_path)
    assert [(p.path, p.line) for p in content.problems] == [
        ("articles/a.md", 2),
        ("articles/a.md", 4),
        ("articles/b.md", 1),
        ("articles/c.md", 1),
    ]
    assert [a.handle for a in content.articles] == ["ok"]
    assert content.files == 4 and not content.ok


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    content = load_content([tmp_path / "nope"], root=tmp_path, default_blog="b", now=NOW)
    assert "no such file" in only_problem(content).message


def test_hidden_directories_and_other_files_skipped(tmp_path: Path) -> None:
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, ".drafts/x.md", "garbage")
    write(tmp_path, "images/x.png", b"\x89PNG\x00")
    content = load(tmp_path)
    assert content.ok and content.files == 1


def test_seo_title_warning_is_not_a_problem(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("seo:\n  title: " + "s" * 80))
    content = load(tmp_path)
    assert content.ok
    [w] = content.warnings
    assert (w.field, w.line) == ("seo.title", 5)


def test_load_file_kinds(tmp_path: Path) -> None:
    page = write(tmp_path, "pages/terms.md", "---\ntitle: Terms\npublished: false\n---\nText.\n")
    art = write(tmp_path, "post.md", GOOD)
    loaded_page = load_file(page, root=tmp_path, default_blog="b", now=NOW)
    loaded_article = load_file(art, root=tmp_path, default_blog="b", now=NOW)
    assert isinstance(loaded_page.item, Page) and loaded_page.item.published is False
    assert isinstance(loaded_article.item, Article) and loaded_article.item.blog == "b"


def test_crlf_and_bom_accepted(tmp_path: Path) -> None:
    write(tmp_path, "a.md", ("\ufeff" + GOOD).replace("\n", "\r\n").encode("utf-8"))
    content = load(tmp_path)
    assert content.ok, content.problems
    assert content.articles[0].title == "A good article"


def test_schedule_and_disclaimer_checked_despite_other_errors(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.md",
        '---\ntitle: ""\nauthor: A\nstatus: published\npublish_date: 2999-01-01T09:00:00Z\n'
        "disclaimer: nowhere\n---\n",
    )
    content = load(tmp_path)
    assert [(p.field, p.line) for p in content.problems] == [
        ("title", 2),
        ("publish_date", 5),
        ("disclaimer", 6),
    ]


def test_wrong_type_message_names_both_types(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("tags: ems", "featured_products: 5"))
    messages = sorted(p.message for p in load(tmp_path).problems)
    assert messages == [
        "featured_products must be a list, not a number",
        "tags must be a list, not text",
    ]


def test_body_images_in_the_repository_are_loaded_for_upload(tmp_path: Path) -> None:
    body = "Text.\n\n![Chart](images/chart.png)\n\n![Root](/media/logo.png)\n![Web](https://x.test/a.png)\n"
    write(tmp_path, "a.md", article_text(body=body))
    (tmp_path / "articles" / "images").mkdir()
    (tmp_path / "articles" / "images" / "chart.png").write_bytes(PNG)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "logo.png").write_bytes(PNG + b"logo")
    content = load(tmp_path)
    assert content.ok, content.problems
    assert sorted(content.images) == ["articles/images/chart.png", "media/logo.png"]


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("images/none.png", "image file 'images/none.png' does not exist"),
        ("../../outside.png", "points outside the repository"),
        ("notes.txt", "is not a PNG, JPEG, GIF or WebP image"),
    ],
)
def test_a_body_image_that_cannot_be_uploaded_is_a_problem_on_its_line(
    tmp_path: Path, src: str, message: str
) -> None:
    write(tmp_path, "a.md", article_text(body=f"One.\n\nTwo.\n\n![x]({src})\n"))
    (tmp_path / "articles" / "notes.txt").write_text("not an image")
    problem = only_problem(load(tmp_path))
    assert message in problem.message
    assert problem.field == "body"
    assert problem.line == 10  # 5 lines of front matter, then the image's line in the body


def test_an_html_img_of_a_repository_file_is_checked_like_a_markdown_one(tmp_path: Path) -> None:
    body = 'One.\n\n<img src="images/x.png" width="300">\n<img src="https://x.test/a.png">\n'
    write(tmp_path, "a.md", article_text(body=body))
    problem = only_problem(load(tmp_path))
    assert "image file 'images/x.png' does not exist" in problem.message
    assert problem.line == 8
    (tmp_path / "articles" / "images").mkdir()
    (tmp_path / "articles" / "images" / "x.png").write_bytes(PNG)
    content = load(tmp_path)
    assert content.ok and list(content.images) == ["articles/images/x.png"]


def test_the_samples_validate_before_and_after_the_scheduled_one_is_due() -> None:
    """The repository's own articles/, on an injected clock: never an error on any date."""
    samples = Path(__file__).resolve().parents[1] / "articles"
    for year in (2026, 2030):
        now = datetime(year, 12, 3, tzinfo=UTC)
        content = load_content([samples], root=samples.parent, default_blog="b", now=now)
        assert content.ok, content.problems
    due = load_content([samples], root=samples.parent, default_blog="b", now=now)
    statuses = {a.handle: a.status for a in due.articles}
    assert statuses["transversus-abdominis-timing-back-pain"] == "published"
    assert [w.field for w in due.warnings] == ["status"]


def test_a_block_scalar_seo_value_loses_its_last_newline(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.md",
        article_text("seo:\n  title: >\n    Folded\n    title\n  description: |\n    One line"),
    )
    content = load(tmp_path)
    assert content.ok, content.problems
    seo = content.articles[0].seo
    assert seo is not None and (seo.title, seo.description) == ("Folded title", "One line")


def test_a_line_break_in_an_seo_value_is_located(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article_text("seo:\n  title: ok", "  description: |\n    one\n    two"))
    problem = only_problem(load(tmp_path))
    assert (problem.path, problem.line, problem.field) == ("articles/a.md", 6, "seo.description")
    assert problem.message == "SEO description has a line break after 'one'"
    assert problem.hint is not None and problem.hint.startswith("SEO descriptions are one line")


def test_control_characters_in_one_line_fields_are_located(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.md",
        '---\ntitle: "Bold\\x1b[1m"\nauthor: "A\\tB"\ntags: [ems, "two\\nlines"]\n'
        'seo:\n  title: "S\\x00"\n---\nBody.\n',
    )
    problems = load(tmp_path).problems
    assert [(p.line, p.field) for p in problems] == [
        (2, "title"),
        (3, "author"),
        (4, "tags"),
        (6, "seo.title"),
    ]
    assert problems[0].message == "title contains the control character U+001B after 'Bold'"
    assert problems[0].hint is not None and "invisible character" in problems[0].hint
    assert problems[2].message == "tag 'two\\nlines' has a line break after 'two'"
    assert problems[2].hint == "write it on one line"


def test_too_many_featured_products_is_located(tmp_path: Path) -> None:
    handles = ", ".join(f"kit-{n}" for n in range(129))
    write(tmp_path, "a.md", article_text(f"featured_products: [{handles}]"))
    problem = only_problem(load(tmp_path))
    assert (problem.line, problem.field) == (4, "featured_products")
    assert "at most 128" in problem.message


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("2025-13-01T09:00:00+10:00", "month 13 is not 1 to 12"),
        ("2025-02-30T09:00:00+10:00", "February 2025 has no day 30"),
        ("2025-02-30", "February 2025 has no day 30"),
        ("2025-02-01T25:00:00+10:00", "hour 25 is not 0 to 23"),
        ("2025-02-01 09:00:00 +25:00", "the offset +25:00 is not between -23:59 and +23:59"),
        ('"2025-02-01T09:00:00+25:00"', "the offset +25:00 is not between -23:59 and +23:59"),
    ],
)
def test_an_impossible_date_is_a_located_problem(tmp_path: Path, written: str, reason: str) -> None:
    # PyYAML raises a bare ValueError building these; each parser must turn it into text.
    for comment in ("#", "#\t"):  # a tab sends the front matter through the Python parser
        keys = ("status: published", f"publish_date: {written}", comment)
        write(tmp_path, "a.md", article_text(*keys))
        problem = only_problem(load(tmp_path))
        assert (problem.line, problem.field) == (5, "publish_date")
        assert problem.message.endswith(f"is not a real date-time: {reason}")
