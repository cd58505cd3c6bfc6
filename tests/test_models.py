"""The content models on their own: Shopify's limits, handle rules, dates, citations."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from shopsync.content.models import (
    ARTICLE_HANDLE_MAX,
    ARTICLE_KEYS,
    FEATURED_PRODUCTS_MAX,
    PAGE_HANDLE_MAX,
    TITLE_MAX,
    Article,
    ArticleImage,
    Citation,
    Page,
    Seo,
    first_paragraph,
    impossible_moment,
    slugify,
)
from shopsync.vocabulary import ProductInfo

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def article(**fields: Any) -> Article:
    data: dict[str, Any] = {
        "title": "A title",
        "handle": "a-title",
        "blog": "research-digest",
        "author": "Research Team",
        "source_path": "articles/a-title.md",
        "body": "Text",
    }
    data.update(fields)
    return Article.model_validate(data, context={"now": NOW})


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[tuple[Any, ...], str]]:
    return [(tuple(e["loc"]), e["msg"]) for e in exc.value.errors()]


def test_minimal_article_defaults_to_draft() -> None:
    a = article()
    assert a.status == "draft"
    assert a.tags == [] and a.featured_products == []
    assert not a.is_published


@pytest.mark.parametrize(
    ("limit", "field", "make"),
    [
        (TITLE_MAX, "title", lambda n: "t" * n),
        (ARTICLE_HANDLE_MAX, "handle", lambda n: "h" * n),
    ],
)
def test_length_limits_are_shopifys(limit: int, field: str, make: Any) -> None:
    assert len(getattr(article(**{field: make(limit)}), field)) == limit
    with pytest.raises(ValidationError) as exc:
        article(**{field: make(limit + 1)})
    [(loc, msg)] = errors_of(exc)
    assert loc == (field,)
    assert str(limit) in msg


def test_page_handle_limit_is_255() -> None:
    page = {"title": "P", "source_path": "articles/pages/p.md"}
    assert Page.model_validate({**page, "handle": "p" * PAGE_HANDLE_MAX}).handle
    with pytest.raises(ValidationError, match="255"):
        Page.model_validate({**page, "handle": "p" * (PAGE_HANDLE_MAX + 1)})


@pytest.mark.parametrize("bad", ["My Post", "my_post", "-post", "post-", "a--b", "café", "a/b"])
def test_handle_characters(bad: str) -> None:
    with pytest.raises(ValidationError) as exc:
        article(handle=bad)
    [(loc, msg)] = errors_of(exc)
    assert loc == ("handle",)
    assert "lowercase" in msg


def test_invalid_handle_message_suggests_the_slug() -> None:
    with pytest.raises(ValidationError, match="'my-post'"):
        article(handle="My Post")


@pytest.mark.parametrize("title", ["", "   "])
def test_empty_title(title: str) -> None:
    with pytest.raises(ValidationError, match="title is empty"):
        article(title=title)


def test_wrong_types_are_not_coerced() -> None:
    with pytest.raises(ValidationError) as exc:
        article(title=123, tags="ems", featured_products=[1])
    locs = {loc for loc, _ in errors_of(exc)}
    assert locs == {("title",), ("tags",), ("featured_products", 0)}


def test_unknown_field_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        article(titel="x")
    assert errors_of(exc)[0][0] == ("titel",)


def test_naive_datetime_rejected() -> None:
    with pytest.raises(ValidationError, match="no timezone"):
        article(status="published", publish_date=datetime(2020, 1, 1, 9, 0))


def test_date_without_time_rejected() -> None:
    with pytest.raises(ValidationError, match="without a time"):
        article(status="published", publish_date=datetime(2020, 1, 1).date())


def test_iso_string_with_offset_accepted() -> None:
    a = article(status="published", publish_date="2020-01-01T09:00:00+10:00")
    assert a.publish_date == datetime(2020, 1, 1, 9, tzinfo=timezone(timedelta(hours=10)))


def test_scheduled_needs_future_date() -> None:
    future = NOW + timedelta(days=1)
    assert article(status="scheduled", publish_date=future).publish_date == future
    with pytest.raises(ValidationError, match="in the past"):
        article(status="scheduled", publish_date=NOW - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="needs a publish_date"):
        article(status="scheduled")


def test_published_with_future_date_refused() -> None:
    # Shopify answers INVALID_PUBLISH_DATE for isPublished with a future publishDate.
    with pytest.raises(ValidationError, match="in the future"):
        article(status="published", publish_date=NOW + timedelta(days=1))
    assert article(status="published").publish_date is None


def test_draft_with_date_refused() -> None:
    with pytest.raises(ValidationError, match="draft has no publish_date"):
        article(status="draft", publish_date=NOW)


def test_tags_rules() -> None:
    assert article(tags=[" ems ", "back-pain"]).tags == ["ems", "back-pain"]
    with pytest.raises(ValidationError, match="comma"):
        article(tags=["a,b"])
    with pytest.raises(ValidationError, match="twice"):
        article(tags=["EMS", "ems"])


def test_citation_pmid_and_doi() -> None:
    c = Citation.model_validate({"pmid": 27064323, "title": "T", "journal": "J", "year": 2016})
    assert c.pmid == "27064323"
    assert c.url == "https://pubmed.ncbi.nlm.nih.gov/27064323/"
    d = Citation.model_validate(
        {
            "doi": "https://doi.org/10.1097/00007632-199612010-00011",
            "title": "T",
            "journal": "J",
            "year": 1996,
        }
    )
    assert d.doi == "10.1097/00007632-199612010-00011"
    assert d.url == "https://doi.org/10.1097/00007632-199612010-00011"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pmid", "PMID27064323"),
        ("pmid", "0123"),
        ("pmid", "1234567890"),
        ("doi", "11.1000/x"),
        ("doi", "10.12/x"),
        ("doi", "doi 10.1000/x"),
    ],
)
def test_malformed_identifiers(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Citation.model_validate({field: value, "title": "T", "journal": "J", "year": 2016})
    assert errors_of(exc)[0][0] == (field,)


def test_citation_needs_an_identifier() -> None:
    with pytest.raises(ValidationError, match="pmid or a doi"):
        Citation.model_validate({"title": "T", "journal": "J", "year": 2016})


@pytest.mark.parametrize(
    "src", ["../secret.png", "articles/../../x.png", "/etc/passwd.png", "C:/x.png", "a\\b.png"]
)
def test_image_path_must_stay_in_repository(src: str) -> None:
    with pytest.raises(ValidationError):
        ArticleImage.model_validate({"src": src, "alt": "x"})


def test_image_forms() -> None:
    local = ArticleImage.model_validate({"src": "articles/./images/a.png", "alt": "A"})
    assert local.src == "articles/images/a.png" and local.is_local
    remote = ArticleImage.model_validate({"src": "https://cdn.example.com/a.jpg", "alt": "A"})
    assert not remote.is_local
    with pytest.raises(ValidationError, match="not an image"):
        ArticleImage.model_validate({"src": "articles/notes.txt", "alt": "A"})
    with pytest.raises(ValidationError):
        ArticleImage.model_validate({"src": "https://cdn.example.com/a.jpg", "alt": ""})


def test_seo_limits() -> None:
    assert Seo.model_validate({"description": "d" * 320}).description
    with pytest.raises(ValidationError):
        Seo.model_validate({"description": "d" * 321})
    with pytest.raises(ValidationError):
        Seo.model_validate({"title": "t" * 256})


def test_seo_loses_the_newline_a_block_scalar_ends_with() -> None:
    seo = Seo.model_validate({"title": "Folded title\n", "description": "One line \n\n"})
    assert (seo.title, seo.description) == ("Folded title", "One line")
    # The limit is the stored value's: a full-length title plus YAML's newline still fits.
    assert Seo.model_validate({"title": "t" * 255 + "\n"}).title == "t" * 255
    with pytest.raises(ValidationError, match="at least 1 character"):
        Seo.model_validate({"title": "\n"})


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("one\ntwo", "line_break"),
        ("one\r\ntwo", "line_break"),
        ("one\u2028two", "line_break"),
        ("tab\there", "control_character"),
        ("bell\x07", "control_character"),
    ],
)
def test_seo_values_are_one_line_of_text(value: str, error: str) -> None:
    for key in ("title", "description"):
        with pytest.raises(ValidationError) as caught:
            Seo.model_validate({key: value})
        (detail,) = caught.value.errors()
        assert (detail["type"], detail["loc"]) == (error, (key,))
        assert detail["msg"].startswith(f"SEO {key} ")


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "A\x1btitle"},
        {"title": "Two\nlines"},
        {"author": "Research\tTeam"},
        {"tags": ["ems", "back\npain"]},
        {"tags": ["\x00"]},
    ],
)
def test_titles_authors_and_tags_have_no_control_characters(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        article(**fields)
    (detail,) = caught.value.errors()
    assert detail["loc"] == (next(iter(fields)),)
    assert detail["type"] in ("line_break", "control_character")


def test_featured_products_fit_a_list_metafield() -> None:
    handles = [f"kit-{n}" for n in range(FEATURED_PRODUCTS_MAX)]
    assert article(featured_products=handles).featured_products == handles
    with pytest.raises(ValidationError, match="129 featured products; a list metafield holds"):
        article(featured_products=[*handles, "one-more"])
    with pytest.raises(ValidationError, match="product handle 'kit-1' is listed twice"):
        article(featured_products=["kit-0", "kit-1", "kit-1"])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-13-01", "month 13 is not 1 to 12"),
        ("2025-00-10T09:00:00Z", "month 0 is not 1 to 12"),
        ("2025-02-30", "February 2025 has no day 30"),
        ("2024-02-30 09:00:00+10:00", "February 2024 has no day 30"),
        ("2025-02-01T25:00:00+10:00", "hour 25 is not 0 to 23"),
        ("2025-02-01T09:60:00Z", "minute 60 is not 0 to 59"),
        ("2025-02-01T09:00:00+25:00", "the offset +25:00 is not between -23:59 and +23:59"),
        ("2025-02-01 09:00:00 -7:75", "the offset -07:75 is not between -23:59 and +23:59"),
        ("2024-02-29T09:00:00+10:00", None),
        ("tomorrow", None),
    ],
)
def test_impossible_moments_say_why(text: str, reason: str | None) -> None:
    assert impossible_moment(text) == reason
    if reason is not None:
        with pytest.raises(ValidationError, match=re.escape(f"not a real date-time: {reason}")):
            article(status="published", publish_date=text)


def test_page_notice_defaults_to_first_paragraph() -> None:
    page = Page.model_validate(
        {
            "title": "Disclaimer",
            "handle": "disclaimer",
            "source_path": "p.md",
            "body": "## Heading\n\nFirst line\nsecond line.\n\nMore.",
        }
    )
    assert page.notice == "First line\nsecond line."
    explicit = Page.model_validate(
        {"title": "D", "handle": "d", "source_path": "p.md", "body": "x", "notice": "Short."}
    )
    assert explicit.notice == "Short."


def test_models_are_frozen() -> None:
    with pytest.raises(ValidationError):
        article().title = "changed"


def test_product_info_default_url() -> None:
    assert ProductInfo(handle="kit", title="Kit").url == "/products/kit"
    assert ProductInfo(handle="kit", title="Kit", url="/x").url == "/x"


def test_slugify_and_first_paragraph() -> None:
    assert slugify("Why Your Back Hurts — Café Study!") == "why-your-back-hurts-cafe-study"
    assert first_paragraph("\n\n# T\n\nOne.\n\nTwo.") == "One."


def test_front_matter_keys_exclude_internal_fields() -> None:
    assert "source_path" not in ARTICLE_KEYS and "body" not in ARTICLE_KEYS
    assert {"title", "publish_date", "citation", "template_suffix"} <= set(ARTICLE_KEYS)
