"""The loader's shortcuts give the results the long way gives: parallel loading, the body
size bound that spares a Markdown parse, the image check that spares one too, and libyaml
for front matter. Each shortcut is compared with the work it skips."""

from __future__ import annotations

import random
import shutil
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from shopsync.content import loader, render
from shopsync.content.loader import Content, load_content
from shopsync.content.models import Article
from shopsync.content.render import (
    ARTICLE_BODY_LIMIT,
    PRODUCTS_MARKER,
    article_body_size_bound,
    body_size,
    image_sources,
    markdown_size_bound,
    may_have_images,
    render_article_body,
    render_markdown,
)
from shopsync.vocabulary import ProductInfo

from .test_render import make_article

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 1, 1, tzinfo=UTC)

# Ways to spoil a copy of a sample article: (old, new), each making it fail another way.
SPOILERS: list[tuple[str, str]] = [
    ("status: published", "status: scheduled"),
    ("T09:00:00+11:00", "T09:00:00"),
    ("author:", "slug: x\nauthor:"),
    ("author:", "author: twice\nauthor:"),
    ("disclaimer: disclaimer", "disclaimer: missing-page"),
    ("pmid: 27064323", "pmid: abc"),
    ("tags: [", "base: &b {x: 1}\nother:\n  <<: *b\ntags: ["),
    ("author:", "author: [unclosed\nx:"),
    ("\n", "\r\n"),
    ("title:", "title: !!binary aGVsbG8=\nx_title:"),
    ("## A", "![missing](images/none.png)\n\n## A"),
    ("## A", '<img src="../../outside.png">\n\n## A'),
    ("seo:\n  title: ", "seo:\n  title: " + "Long " * 15),
]


def _contents(root: Path, workers: int) -> Content:
    return load_content(
        [root / "articles"], root=root, default_blog="research-digest", now=NOW, workers=workers
    )


def _snapshot(content: Content) -> dict[str, Any]:
    return {
        "problems": content.problems,
        "warnings": content.warnings,
        "articles": [a.model_dump() for a in content.articles],
        "pages": [p.model_dump() for p in content.pages],
        "images": content.images,
        "files": content.files,
    }


@pytest.fixture(scope="module")
def mixed_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample articles, many copies of each, spoiled in every way above, plus a
    duplicate handle and an oversized body: enough files for several chunks."""
    root = tmp_path_factory.mktemp("mixed")
    shutil.copytree(REPO / "articles", root / "articles")
    samples = sorted((REPO / "articles").glob("*.md"))
    for n in range(40):
        for sample in samples:
            text = sample.read_text(encoding="utf-8").replace("handle: ", f"handle: c{n}-", 1)
            old, new = SPOILERS[n % len(SPOILERS)] if n % 3 else ("", "")
            (root / "articles" / f"c{n}-{sample.name}").write_text(
                text.replace(old, new) if old else text, encoding="utf-8"
            )
    shutil.copy(samples[0], root / "articles" / "same-handle.md")
    big = samples[0].read_text(encoding="utf-8").replace("handle: ", "handle: big-", 1)
    (root / "articles" / "big.md").write_text(big + "\n" + "a" * 1_000_001 + "\n", encoding="utf-8")
    return root


def test_parallel_load_gives_what_a_serial_one_gives(mixed_repository: Path) -> None:
    serial = _contents(mixed_repository, workers=1)
    parallel = _contents(mixed_repository, workers=2)
    assert serial.files > 100 and serial.articles and serial.problems and serial.warnings
    assert any(p.path == "articles/big.md" and p.field == "body" for p in serial.problems)
    assert _snapshot(parallel) == _snapshot(serial)
    assert [p.to_dict() for p in parallel.problems] == [p.to_dict() for p in serial.problems]


def test_small_runs_stay_in_one_process() -> None:
    assert loader._worker_count(loader.PARALLEL_MIN_FILES - 1) == 1


# --------------------------------------------------------------------------- body size bound

# Constructs with the most HTML per byte of Markdown, one after another and repeated.
HOSTILE = [
    ">\n\n" * 300,
    "> - " * 80 + "x\n",
    "[]()" * 300,
    "![]()" * 300,
    "-\n" * 300,
    "1)\n1.\n" * 150,
    "#\n" * 300,
    "***\n" * 300,
    "**a**" * 200,
    "```a\n```\n" * 150,
    "<ab:c>" * 150,
    "<a@b.c>" * 150,
    "&" * 300,
    "\u00a0a" * 300,
    "a\\\n" * 300,
    "\t\tx\n" * 100,
    "\0" * 300,
    "|a|b|c|d|e|f|g|h|\n|:-:|:-:|:-:|:-:|:-:|:-:|:-:|:-:|\n" + "|\n" * 400,
    "- > - > - > x\n" * 40,
    "[![](a)](b)" * 80,
    "a\r\r" * 200 + "|a|\n|-|\n" + "|\r" * 200,
    f"text\n\n{PRODUCTS_MARKER}\n\nmore",
]
FRAGMENTS = [
    *(">", "> ", "- ", "1. ", "1) ", "* ", "+ ", "#", "# ", "```", "~~~", "---", "==="),
    *("*", "**", "_", "~~", "`", "[", "]", "(", ")", "](", "![", "[]()", "[x](y)", "![](z)"),
    *("<ab:c>", "<a@b.c>", "|", "|:-:", "|---", "\n", "\n", "\n\n", "  ", "    ", "\t", "\r"),
    *("a", "b c", "&", "&amp;", "&nbsp;", "&#0;", "\u00a0", "\\", '"', "é", "😀", "\0", ":"),
]


@pytest.mark.parametrize("markdown", HOSTILE, ids=range(len(HOSTILE)))
def test_size_bound_holds_for_hostile_markdown(markdown: str) -> None:
    bound = markdown_size_bound(markdown)
    assert bound is not None
    assert body_size(render_markdown(markdown)) <= bound


def test_size_bound_holds_for_random_markdown() -> None:
    rng = random.Random(20260101)
    checked = 0
    for _ in range(3000):
        markdown = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 80)))
        bound = markdown_size_bound(markdown)
        if bound is not None:
            checked += 1
            assert body_size(render_markdown(markdown)) <= bound, markdown
    assert checked > 1000


@pytest.mark.parametrize(
    "markdown",
    [
        "[a]: https://example.com/long\n\n[a] [a] [a]",
        "<b><i>bold</i></b>",
        "<div>\nblock\n</div>",
        "</p>",
        "<!-- a comment -->",
        "<?php ?>",
        "[see <https://a.b> here](https://c.d)",
        "[see\n<a@b.c>](https://c.d)",
    ],
)
def test_size_bound_refuses_what_can_grow_without_limit(markdown: str) -> None:
    assert markdown_size_bound(markdown) is None


def test_size_bound_accepts_what_articles_are_made_of() -> None:
    ordinary = "## H\n\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n<https://a.b>\n\n[l](u) 👉\n"
    assert markdown_size_bound(ordinary + PRODUCTS_MARKER + "\n") is not None


# A citation with U+00A0, the one character nh3 writes longer than it reads.
CITATION = {"pmid": "27064323", "title": "A\u00a0study", "journal": "J", "year": 2016}


def _article(body: str, **fields: Any) -> Article:
    return make_article(body, **{"citation": CITATION, **fields})


@pytest.mark.parametrize("markdown", [*HOSTILE, "", "Plain text."], ids=range(len(HOSTILE) + 2))
def test_article_bound_holds_with_products_and_source(markdown: str) -> None:
    products = [ProductInfo(handle="kit", title="Kit & more\u00a0"), ProductInfo("b", "B")]
    for article in (_article(markdown), _article(markdown, citation=None)):
        bound = article_body_size_bound(article, products=products)
        assert bound is not None
        assert body_size(render_article_body(article, products=products)) <= bound


def test_body_size_with_the_notice_is_exact_at_the_limit(tmp_path: Path) -> None:
    # Below the limit on its own, over it with the disclaimer notice: the sum of the two
    # must be the size rendering the whole body gives, to the byte.
    page = "---\ntitle: Disclaimer\nnotice: Not medical advice.\n---\nEducation only.\n"
    (tmp_path / "articles" / "pages").mkdir(parents=True)
    (tmp_path / "articles" / "pages" / "disclaimer.md").write_text(page, encoding="utf-8")
    head = "---\ntitle: T\nauthor: A\ndisclaimer: disclaimer\n---\n"
    article = tmp_path / "articles" / "a.md"
    article.write_text(head + "a" * (ARTICLE_BODY_LIMIT - 7) + "\n", encoding="utf-8")
    content = _contents(tmp_path, workers=1)
    [problem] = content.problems
    disclaimer = content.page("disclaimer")
    assert disclaimer is not None
    values = {"title": "T", "handle": "a", "blog": "b", "author": "A", "source_path": "x"}
    whole = render_article_body(
        _article("a" * (ARTICLE_BODY_LIMIT - 7) + "\n", **values, citation=None),
        disclaimer=disclaimer,
    )
    assert f"rendered body is {body_size(whole):,} bytes" in problem.message


def test_a_bound_just_under_the_limit_is_rendered_when_the_notice_tips_it(tmp_path: Path) -> None:
    # The bound fits, the bound plus the notice does not: the body is rendered to know.
    notice = "Not medical advice."
    page = f"---\ntitle: Disclaimer\nnotice: {notice}\n---\nEducation only.\n"
    (tmp_path / "articles" / "pages").mkdir(parents=True)
    (tmp_path / "articles" / "pages" / "disclaimer.md").write_text(page, encoding="utf-8")
    length = ARTICLE_BODY_LIMIT // 64
    while True:
        bound = article_body_size_bound(_article("a" * length, citation=None))
        assert bound is not None
        if bound <= ARTICLE_BODY_LIMIT:
            break
        length -= 1
    assert bound > ARTICLE_BODY_LIMIT - len(notice)
    head = "---\ntitle: T\nauthor: A\ndisclaimer: disclaimer\n---\n"
    (tmp_path / "articles" / "a.md").write_text(head + "a" * length, encoding="utf-8")
    assert _contents(tmp_path, workers=1).ok


# --------------------------------------------------------------------------- images


def test_no_image_text_means_no_image() -> None:
    rng = random.Random(7)
    pieces = [*FRAGMENTS, "!", "<img", "<IMG", "src=a.png>", '<img src="x.png">', "<span>"]
    for _ in range(2000):
        markdown = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        if not may_have_images(markdown):
            # What image_sources would find without the shortcut: the parse itself.
            assert list(render._image_tokens(render._markdown().parse(markdown))) == []


def test_images_in_containers_are_still_found() -> None:
    body = "> <img src=a.png>\n\n- ![b](b.png)\n"
    assert may_have_images(body)
    assert [src for src, _line in image_sources(body)] == ["a.png", "b.png"]


# --------------------------------------------------------------------------- front matter

FRONT_MATTERS = [
    "title: x\ntags: [a, b]\nyear: 2016\nok: true\nnone: ~\nf: 1.5\n",
    "when: 2025-01-20T09:00:00+11:00\nday: 2025-01-20\n",
    "summary: |\n  two\n  lines\nfolded: >-\n  a\n  b\n",
    "quoted: 'It''s'\ndq: \"a\\tb\\u00e9\"\nplain: a: b\n",
    "a: &x 1\nb: *x\n",
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "t: !!str 123\ni: !!int '7'\n",
    "? [a, b]\n: c\n",
    "=: value\n~: null key\nyes: bool key\n2020-01-01: date key\n",
    "nested:\n  - a: 1\n    b: [x, {y: z}]\n  - - deep\n",
    "oct: 0o17\nhex: 0x1F\nsexa: 1:20\ninf: .inf\n",
    "title: “curly” — dash ⚠️ emoji 👉\n",
    "",
    "# only a comment\n",
    "just a scalar\n",
    "- a\n- b\n",
    "a: [unclosed\n",
    "a: b\n  c: d\n",
    "c: !custom x\n",
    "b: !!binary aGVsbG8=\n",
    "s: !!set {a, b}\n",
    "a: 1\n---\nb: 2\n",
]


def _lines(node: yaml.Node | None) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []

    def walk(node: yaml.Node) -> None:
        found.append((type(node).__name__, node.start_mark.line))
        children = node.value if isinstance(node.value, list) else []
        for child in children:
            for part in child if isinstance(child, tuple) else (child,):
                walk(part)

    if node is not None:
        walk(node)
    return found


@pytest.mark.parametrize("front", FRONT_MATTERS, ids=range(len(FRONT_MATTERS)))
def test_libyaml_gives_what_the_python_parser_gives(front: str) -> None:
    fast = loader._compose_fast(front)
    python = yaml.SafeLoader(front)
    try:
        node = python.get_single_node()
        data = python.construct_document(node) if node is not None else {}
    except yaml.YAMLError:
        assert fast is None  # the Python parser words the error
        return
    finally:
        python.dispose()
    assert fast is not None
    assert fast[1] == data and type(fast[1]) is type(data)
    assert _lines(fast[0]) == _lines(node)


def test_samples_front_matter_through_libyaml() -> None:
    for sample in sorted((REPO / "articles").rglob("*.md")):
        front = sample.read_text(encoding="utf-8").split("---\n")[1]
        fast = loader._compose_fast(front)
        assert fast is not None, sample
        assert fast[1] == yaml.safe_load(front)


@pytest.mark.parametrize(
    "text", ["a: b\tc\n", "a: b\r\n", "a: \x85\n", "a: \u2028\n", "\ufeffa: b\n"]
)
def test_text_the_parsers_may_read_differently_goes_to_python(text: str) -> None:
    assert loader._compose_fast(text) is None


def test_loaded_sample_directory_is_the_same_through_both_parsers(tmp_path: Path) -> None:
    # A front matter with a tab is read by the Python parser only; the same keys
    # without it by libyaml: the models agree.
    body = textwrap.dedent("""\
        ---
        title: T
        author: A
        summary: "A{sep}B"
        tags: [a, b]
        ---
        Body.
        """)
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.md").write_text(body.format(sep=" "), encoding="utf-8")
    (tmp_path / "articles" / "b.md").write_text(body.format(sep="\t"), encoding="utf-8")
    content = _contents(tmp_path, workers=1)
    assert content.ok, content.problems
    a, b = content.articles
    assert (a.summary, a.tags) == ("A B", ["a", "b"])
    assert (b.summary, b.tags) == ("A\tB", ["a", "b"])
