"""The content model: what an article or page file may say, checked strictly.

Field names are the front-matter keys (see the README's reference). The loader adds
``handle`` (from the file name when absent), ``blog`` (from settings when absent),
``body`` and ``source_path`` before validating, so one model checks everything.
Limits are Shopify's own (see ../shared/shopify/README.md and the length captures),
checked here so a push never fails half-way on something we could have known.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

TITLE_MAX = 255
ARTICLE_HANDLE_MAX = 265
PAGE_HANDLE_MAX = 255
BLOG_HANDLE_MAX = 255
PRODUCT_HANDLE_MAX = 255
TAG_MAX = 255
AUTHOR_MAX = 255
SEO_TITLE_MAX = 255
SEO_TITLE_RECOMMENDED = 70
SEO_DESCRIPTION_MAX = 320
TEMPLATE_SUFFIX_MAX = 255
ALT_MAX = 512
# A ``list.*`` metafield holds at most 128 values (the featured products are one).
FEATURED_PRODUCTS_MAX = 128
# Error types the loader gives their own hint (``shopsync.content.hints``).
LINE_BREAK_ERROR = "line_break"
CONTROL_CHARACTER_ERROR = "control_character"

# Shopify generates handles as lowercase ASCII words joined by single hyphens; we
# accept exactly that so a handle survives a round trip through the store unchanged.
HANDLE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TEMPLATE_SUFFIX_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
PMID_PATTERN = re.compile(r"^[1-9][0-9]{0,8}$")
# Crossref's recommended pattern for modern DOIs.
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9<>\[\]]+$")
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif")

Status = Literal["draft", "published", "scheduled"]
# How the body (and an article's summary) is written: Markdown, or HTML kept as written
# (still sanitised), which ``shopsync pull`` uses when Markdown would not round-trip.
BodyFormat = Literal["markdown", "html"]

_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)


def slugify(text: str) -> str:
    """The handle Shopify would derive from ``text`` (used for hints and file names)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def check_handle(value: str, *, limit: int, what: str = "handle") -> str:
    """Shared handle rule; raises ValueError with the corrected form when we can guess it."""
    if not value:
        raise ValueError(f"{what} is empty")
    if len(value) > limit:
        raise ValueError(f"{what} is {len(value)} characters long (Shopify allows {limit})")
    if not HANDLE_PATTERN.match(value):
        suggestion = slugify(value)[:limit]
        better = f"; use {suggestion!r}" if suggestion else ""
        raise ValueError(
            f"{what} {value!r} may contain only lowercase letters a-z, digits and single "
            f"hyphens between them{better}"
        )
    return value


def check_one_line(value: str, what: str) -> str:
    """``value`` is one line of printable text: a line break or another control character
    (a tab, an escape pasted from a terminal) is refused, naming where it is."""
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if char in "\n\r\x0b\x0c\x85" or category in ("Zl", "Zp"):
            raise PydanticCustomError(
                LINE_BREAK_ERROR,
                "{what} has a line break after {before}",
                {"what": what, "before": repr(value[:index][-30:])},
            )
        if category == "Cc":
            raise PydanticCustomError(
                CONTROL_CHARACTER_ERROR,
                "{what} contains the control character {code} after {before}",
                {"what": what, "code": f"U+{ord(char):04X}", "before": repr(value[:index][-30:])},
            )
    return value


def check_previous_handles(values: list[str], info: ValidationInfo, *, limit: int) -> list[str]:
    """Handles the item had before (``previous_handles``): each a valid handle, listed once,
    none the current one (``handle`` is validated first, so ``info.data`` has it when valid)."""
    for value in values:
        check_handle(value, limit=limit, what="previous handle")
    if len(set(values)) != len(values):
        raise ValueError("a previous handle is listed twice")
    current = info.data.get("handle")
    if current in values:
        raise ValueError(
            f"previous handle {current!r} is the current handle; list only handles it had before"
        )
    return values


def _check_title(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("title is empty")
    if len(value) > TITLE_MAX:
        raise ValueError(f"title is {len(value)} characters long (Shopify allows {TITLE_MAX})")
    return check_one_line(value, "title")


def coerce_datetime(value: Any) -> Any:
    """YAML gives datetimes, dates or strings; only a moment with a UTC offset is accepted."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        raise ValueError(
            "a date without a time and timezone is ambiguous; "
            f"write e.g. {value.isoformat()}T09:00:00+10:00"
        )
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            reason = impossible_moment(value.strip())
            if reason is not None:
                raise ValueError(f"{value.strip()!r} is not a real date-time: {reason}") from None
            raise ValueError(
                f"{value!r} is not an ISO 8601 date-time such as 2027-03-01T09:00:00+10:00"
            ) from None
    else:
        return value  # let pydantic report the type error
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no timezone; add an offset such as +10:00 or Z")
    return moment


# YAML 1.1's timestamp (what PyYAML reads as a date or date-time), each part captured.
_TIMESTAMP = re.compile(
    r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})"
    r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|(?P<sign>[-+])(?P<tzh>[0-9]{1,2})(?::?(?P<tzm>[0-9]{2}))?))?)?$"
)


def impossible_moment(text: str) -> str | None:
    """Why ``text``, shaped like a date or date-time, names none (month 13, 30 February,
    hour 25, offset +25:00), or None when it is not shaped like one or is real."""
    match = _TIMESTAMP.match(text)
    if match is None:
        return None
    parts = {name: int(v) for name, v in match.groupdict().items() if v and name != "sign"}
    year, month, day = parts["year"], parts["month"], parts["day"]
    if not 1 <= month <= 12:
        return f"month {month} is not 1 to 12"
    try:
        date(year, month, day)
    except ValueError:
        return f"{date(year, month, 1):%B %Y} has no day {day}"
    for name, top in (("hour", 23), ("minute", 59), ("second", 59)):
        if parts.get(name, 0) > top:
            return f"{name} {parts[name]} is not 0 to {top}"
    if parts.get("tzh", 0) > 23 or parts.get("tzm", 0) > 59:
        offset = f"{match.group('sign')}{parts['tzh']:02d}:{parts.get('tzm', 0):02d}"
        return f"the offset {offset} is not between -23:59 and +23:59"
    return None


def is_url(value: str) -> bool:
    return bool(URL_PATTERN.match(value))


class Citation(BaseModel):
    """The study an article summarises; ``url`` is where a reader can check it."""

    model_config = _STRICT

    pmid: str | None = None
    doi: str | None = None
    title: str = Field(min_length=1, max_length=1000)
    journal: str = Field(min_length=1, max_length=500)
    year: int = Field(ge=1800, le=2100)

    @field_validator("pmid", mode="before")
    @classmethod
    def _pmid(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # `pmid: 27064323` is the natural way to write it
        if isinstance(value, str) and not PMID_PATTERN.match(value.strip()):
            raise ValueError(f"{value!r} is not a PubMed id (1 to 9 digits, e.g. 27064323)")
        return value

    @field_validator("doi")
    @classmethod
    def _doi(cls, value: str | None) -> str | None:
        if value is None:
            return None
        for prefix in ("https://doi.org/", "http://doi.org/", "doi:"):
            if value.lower().startswith(prefix):
                value = value[len(prefix) :]
        if not DOI_PATTERN.match(value):
            raise ValueError(f"{value!r} is not a DOI such as 10.1589/jpts.28.23")
        return value

    @model_validator(mode="after")
    def _one_identifier(self) -> Citation:
        if self.pmid is None and self.doi is None:
            raise ValueError("a citation needs a pmid or a doi (or both)")
        return self

    @property
    def url(self) -> str:
        if self.pmid is not None:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return f"https://doi.org/{self.doi}"


class ArticleImage(BaseModel):
    """Featured image: an http(s) URL, or a path relative to the repository root."""

    model_config = _STRICT

    src: str = Field(min_length=1, max_length=2048)
    alt: str = Field(min_length=1, max_length=ALT_MAX)

    @field_validator("src")
    @classmethod
    def _src(cls, value: str) -> str:
        if "://" in value or value.lower().startswith(("http:", "https:", "data:")):
            if not is_url(value):
                raise ValueError(f"{value!r} is not an http(s) URL")
            return value
        if value.startswith("/") or "\\" in value or re.match(r"^[A-Za-z]:", value):
            raise ValueError(f"{value!r} must be a path relative to the repository root")
        normal = posixpath.normpath(value)
        if normal == ".." or normal.startswith("../"):
            raise ValueError(f"{value!r} points outside the repository")
        if not normal.lower().endswith(IMAGE_SUFFIXES):
            raise ValueError(f"{value!r} is not an image file ({', '.join(IMAGE_SUFFIXES)})")
        return normal

    @property
    def is_local(self) -> bool:
        return not is_url(self.src)


class Seo(BaseModel):
    """Search-engine title/description; Shopify stores them as global.* metafields."""

    model_config = _STRICT

    title: str | None = Field(default=None, min_length=1, max_length=SEO_TITLE_MAX)
    description: str | None = Field(default=None, min_length=1, max_length=SEO_DESCRIPTION_MAX)

    @field_validator("title", "description", mode="before")
    @classmethod
    def _trailing(cls, value: Any) -> Any:
        """A block scalar (``>`` or ``|``) ends with a newline YAML keeps: not the user's."""
        return value.rstrip() if isinstance(value, str) else value

    @field_validator("title", "description")
    @classmethod
    def _one_line(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Both are single_line_text_field metafields: Shopify refuses a line break in one.
        return None if value is None else check_one_line(value, f"SEO {info.field_name}")


def _check_template_suffix(value: str | None) -> str | None:
    if value is not None and (
        len(value) > TEMPLATE_SUFFIX_MAX or not TEMPLATE_SUFFIX_PATTERN.match(value)
    ):
        raise ValueError(
            f"{value!r} is not a template suffix (letters, digits, - and _, e.g. 'research')"
        )
    return value


class Article(BaseModel):
    """One blog article file."""

    model_config = _STRICT

    title: str
    handle: str
    previous_handles: list[str] = Field(default_factory=list)
    blog: str
    author: str = Field(min_length=1, max_length=AUTHOR_MAX)
    tags: list[str] = Field(default_factory=list)
    summary: str | None = Field(default=None, min_length=1)
    status: Status = "draft"
    publish_date: datetime | None = None
    image: ArticleImage | None = None
    seo: Seo | None = None
    featured_products: list[str] = Field(default_factory=list)
    disclaimer: str | None = None
    citation: Citation | None = None
    template_suffix: str | None = None
    format: BodyFormat = "markdown"
    source_path: str
    body: str = ""

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _check_title(value)

    @field_validator("template_suffix")
    @classmethod
    def _suffix(cls, value: str | None) -> str | None:
        return _check_template_suffix(value)

    @field_validator("publish_date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return coerce_datetime(value)

    @field_validator("author")
    @classmethod
    def _author(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("author is empty")
        return check_one_line(value.strip(), "author")

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str) -> str:
        return check_handle(value, limit=ARTICLE_HANDLE_MAX)

    @field_validator("previous_handles")
    @classmethod
    def _previous(cls, value: list[str], info: ValidationInfo) -> list[str]:
        return check_previous_handles(value, info, limit=ARTICLE_HANDLE_MAX)

    @field_validator("blog")
    @classmethod
    def _blog(cls, value: str) -> str:
        return check_handle(value, limit=BLOG_HANDLE_MAX, what="blog handle")

    @field_validator("disclaimer")
    @classmethod
    def _disclaimer(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return check_handle(value, limit=PAGE_HANDLE_MAX, what="page handle")

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for tag in value:
            if not tag.strip():
                raise ValueError("a tag is empty")
            if "," in tag:
                raise ValueError(f"tag {tag!r} contains a comma (Shopify splits tags on commas)")
            if len(tag) > TAG_MAX:
                raise ValueError(f"tag {tag[:30]!r}... is longer than {TAG_MAX} characters")
            if tag.strip().lower() in seen:
                raise ValueError(f"tag {tag!r} is listed twice")
            check_one_line(tag.strip(), f"tag {tag.strip()[:30]!r}")
            seen.add(tag.strip().lower())
        return [tag.strip() for tag in value]

    @field_validator("featured_products")
    @classmethod
    def _products(cls, value: list[str]) -> list[str]:
        if len(value) > FEATURED_PRODUCTS_MAX:
            raise ValueError(
                f"{len(value)} featured products; a list metafield holds at most "
                f"{FEATURED_PRODUCTS_MAX}"
            )
        seen: set[str] = set()
        for handle in value:
            check_handle(handle, limit=PRODUCT_HANDLE_MAX, what="product handle")
            if handle in seen:
                raise ValueError(f"product handle {handle!r} is listed twice")
            seen.add(handle)
        return value

    @model_validator(mode="after")
    def _schedule(self, info: ValidationInfo) -> Article:
        check_schedule(self.status, self.publish_date, _now_from(info))
        return self

    @property
    def is_published(self) -> bool:
        return self.status == "published"


def check_schedule(status: Status, when: datetime | None, now: datetime) -> None:
    """Status and publish date must agree the way Shopify's isPublished/publishDate do."""
    if status == "scheduled":
        if when is None:
            raise ValueError("status 'scheduled' needs a publish_date in the future")
        if when <= now:
            raise ValueError(
                f"status is 'scheduled' but publish_date {when.isoformat()} is in the past"
            )
    elif status == "published" and when is not None and when > now:
        # Shopify answers INVALID_PUBLISH_DATE for isPublished with a future date.
        raise ValueError(
            f"status is 'published' but publish_date {when.isoformat()} is in the future"
        )
    elif status == "draft" and when is not None:
        raise ValueError("a draft has no publish_date")


class Page(BaseModel):
    """A standalone page, used for disclaimers that articles link to."""

    model_config = _STRICT

    title: str
    handle: str
    previous_handles: list[str] = Field(default_factory=list)
    body: str = ""
    notice: str = ""
    published: bool = True
    template_suffix: str | None = None
    seo: Seo | None = None
    format: BodyFormat = "markdown"
    source_path: str

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _check_title(value)

    @field_validator("template_suffix")
    @classmethod
    def _suffix(cls, value: str | None) -> str | None:
        return _check_template_suffix(value)

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str) -> str:
        return check_handle(value, limit=PAGE_HANDLE_MAX)

    @field_validator("previous_handles")
    @classmethod
    def _previous(cls, value: list[str], info: ValidationInfo) -> list[str]:
        return check_previous_handles(value, info, limit=PAGE_HANDLE_MAX)

    @model_validator(mode="before")
    @classmethod
    def _default_notice(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("notice") is None:
            body = data.get("body")
            data = {**data, "notice": first_paragraph(body) if isinstance(body, str) else ""}
        return data


def first_paragraph(markdown: str) -> str:
    """The first block of non-blank lines that is not a heading."""
    block: list[str] = []
    for line in markdown.strip().splitlines():
        if not line.strip():
            if block:
                break
            continue
        if not block and line.lstrip().startswith("#"):
            continue
        block.append(line)
    return "\n".join(block)


def _now_from(info: ValidationInfo) -> datetime:
    context = info.context if isinstance(info.context, dict) else {}
    now = context.get("now")
    return now if isinstance(now, datetime) else datetime.now(UTC)


ARTICLE_KEYS: tuple[str, ...] = tuple(
    name for name in Article.model_fields if name not in ("source_path", "body")
)
PAGE_KEYS: tuple[str, ...] = tuple(
    name for name in Page.model_fields if name not in ("source_path", "body")
)
