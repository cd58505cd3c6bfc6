"""Validated files → exactly what Shopify would store, field by field.

Pure: no HTTP. Featured products must already be resolved (``remote.fetch_products``)
because the body embeds their titles and images and the metafield their ids.

Every item is reduced to *canonical fields*: a flat dict of JSON values in the form a
read-back from the store gives (tags sorted, dates in UTC to the second, HTML as
sent). ``remote`` reduces what it reads to the same dict, so planning is a plain
comparison, and ``digest`` of that dict is how shopsync recognises its own writes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from shopsync.content.images import ImageUpload, LocalImage, body_image_paths, image_paths
from shopsync.content.models import Article, Page
from shopsync.content.render import render_article_body, render_page_body, render_summary
from shopsync.vocabulary import (
    Fields,
    RemoteFile,
    ResolvedProduct,
    Resource,
    content_digest,
    format_datetime,
    short_digest,
    stable_hash,
)

UNKNOWN_PRODUCT_HINT = (
    "check the handle in the Shopify admin (Products) or remove it from featured_products"
)
INACTIVE_PRODUCT_HINT = (
    "set the product to Active in the Shopify admin, or remove it from featured_products"
)


@dataclass(frozen=True)
class DesiredItem:
    """One article or page as the files want it stored.

    ``inputs`` is a digest of everything an article's fields are rendered from (the file,
    its products, disclaimer and images, and the renderer itself). When the blog's index
    says those very inputs rendered to what the store holds untouched, the article is not
    rendered again: ``fields`` lack the HTML (``RENDERED_FIELDS``) and ``known`` holds the
    short digest of the full fields. A no-change plan of a big blog costs no Markdown.
    """

    resource: Resource
    handle: str
    source: str
    fields: Fields
    blog: str | None = None
    errors: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    uploads: tuple[ImageUpload, ...] = ()  # the repository images it shows
    inputs: str = ""
    known: str | None = None  # not rendered: the short digest its inputs render to
    #: For people reading a plan: featured products' handles by id, and the UTC offset the
    #: file wrote its publish_date in ("+11:00"); the fields hold what Shopify stores.
    product_handles: Mapping[str, str] = field(default_factory=dict)
    utc_offset: str | None = None
    #: Handles the file says its item had before (``previous_handles``): a managed store item
    #: with one of them whose file is gone is this file's, renamed (``plan``).
    previous_handles: tuple[str, ...] = ()

    def __hash__(self) -> int:
        return stable_hash(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "handle": self.handle,
            "source": self.source,
            "blog": self.blog,
            "fields": self.fields,
            "errors": list(self.errors),
            "hints": list(self.hints),
            "warnings": list(self.warnings),
            "uploads": [upload.to_dict() for upload in self.uploads],
            "inputs": self.inputs,
            "known": self.known,
            "product_handles": dict(self.product_handles),
            "utc_offset": self.utc_offset,
            "previous_handles": list(self.previous_handles),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, root: Path) -> DesiredItem:
        return cls(
            resource=data["resource"],
            handle=str(data["handle"]),
            source=str(data["source"]),
            fields=dict(data["fields"]),
            blog=data.get("blog"),
            errors=tuple(data.get("errors") or ()),
            hints=tuple(data.get("hints") or ()),
            warnings=tuple(data.get("warnings") or ()),
            uploads=tuple(ImageUpload.from_dict(u, root=root) for u in data.get("uploads") or ()),
            inputs=str(data.get("inputs") or ""),
            known=data.get("known"),
            product_handles=dict(data.get("product_handles") or {}),
            utc_offset=data.get("utc_offset"),
            previous_handles=tuple(data.get("previous_handles") or ()),
        )

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rendered(self) -> bool:
        return self.known is None

    @property
    def digest(self) -> str:
        """Short digest of the fields, rendered or known."""
        return self.known if self.known is not None else short_digest(content_digest(self.fields))

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.resource, self.blog or "", self.handle)


@dataclass(frozen=True)
class DesiredState:
    """Everything the files want: blogs (handles), pages, articles."""

    blogs: tuple[str, ...]
    pages: tuple[DesiredItem, ...]
    articles: tuple[DesiredItem, ...]
    blog_titles: Mapping[str, str] = field(default_factory=dict)
    images: tuple[ImageUpload, ...] = ()  # local images the articles need, by store filename


def article_fields(
    article: Article,
    *,
    products: Sequence[ResolvedProduct] = (),
    disclaimer: Page | None = None,
    images: Mapping[str, ImageUpload] | None = None,
    render: bool = True,
) -> Fields:
    """The canonical fields of an article file, with its products and disclaimer rendered in.

    Repository images (the featured one and those in the body) appear as their uploaded
    file's URL, or as the pending marker while they still have to be uploaded; ``images``
    maps each repository path to its upload. ``render=False`` leaves out the HTML (all the
    cost): the fields of an article that is known not to need it (``DesiredItem``).
    """
    images = images or {}
    if article.status == "draft":
        is_published, publish_date = False, None
    elif article.status == "scheduled":
        is_published, publish_date = False, format_datetime(article.publish_date)
    else:
        is_published, publish_date = True, format_datetime(article.publish_date)
    image = article.image
    image_src = None
    if image is not None:
        image_src = images[image.src].src if image.is_local else image.src
    seo = article.seo
    fields: Fields = {
        "handle": article.handle,
        "blog": article.blog,
        "title": article.title,
        "author": article.author,
        "is_published": is_published,
        "publish_date": publish_date,
        "tags": sorted(article.tags),
        "summary_html": None,
        "body_html": None,
        "image_src": image_src,
        "image_alt": image.alt if image else None,
        "template_suffix": article.template_suffix,
        "seo_title": seo.title if seo else None,
        "seo_description": seo.description if seo else None,
        "featured_products": [p.id for p in products],
    }
    if not render:
        return {k: v for k, v in fields.items() if k not in RENDERED_FIELDS}
    body_images = {src: images[path].src for src, path in body_image_paths(article).items()}
    fields["summary_html"] = render_summary(article)
    fields["body_html"] = render_article_body(
        article, products=[p.info for p in products], disclaimer=disclaimer, images=body_images
    )
    return fields


def page_fields(page: Page) -> Fields:
    seo = page.seo
    return {
        "handle": page.handle,
        "title": page.title,
        "is_published": page.published,
        "publish_date": None,
        "body_html": render_page_body(page),
        "template_suffix": page.template_suffix,
        "seo_title": seo.title if seo else None,
        "seo_description": seo.description if seo else None,
    }


#: What rendering produces: left out of an article known not to need it.
RENDERED_FIELDS = ("summary_html", "body_html")

#: The modules whose code decides how a file renders, and the libraries they render with.
# ``content`` holds the claim linter too (with its packaged rules): an article the index
# vouches for was linted by this very code, so a plan need not lint it again.
_RENDERER_MODULES = ("desired.py", "vocabulary.py", "content", "content/claims_rules.yaml")
_RENDERER_LIBRARIES = ("markdown-it-py", "nh3")


@lru_cache(maxsize=1)
def renderer_digest() -> str:
    """A digest of the rendering code and libraries: any change of either renders anew."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in _RENDERER_MODULES:
        path = package / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(package).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    for library in _RENDERER_LIBRARIES:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{library}={version}\0".encode())
    return digest.hexdigest()


def article_inputs(
    article: Article,
    products: Sequence[ResolvedProduct],
    disclaimer: Page | None,
    images: Mapping[str, str],
    checks: str = "",
) -> str:
    """Short digest of all that ``article_fields`` reads: equal inputs render equal fields
    (and pass the same checks: ``checks`` is the digest of the repository's own rules)."""
    data = {
        "renderer": renderer_digest(),
        "checks": checks,
        "article": article.model_dump(mode="json"),
        "products": [asdict(p) for p in products],
        "disclaimer": disclaimer.model_dump(mode="json") if disclaimer is not None else None,
        "images": dict(sorted(images.items())),
    }
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return short_digest(hashlib.sha256(text.encode("utf-8")).hexdigest())


def desired_article(
    article: Article,
    *,
    products: Mapping[str, ResolvedProduct],
    pages: Mapping[str, Page],
    images: Mapping[str, ImageUpload] | None = None,
    known: Mapping[str, tuple[str, str]] | None = None,
    checks: str = "",
) -> DesiredItem:
    """An article's desired state, or an item carrying errors if it cannot be written.

    ``known`` maps a file to (inputs, digest) the store holds untouched from it: if its
    inputs are still those, it is not rendered (see ``DesiredItem``).
    """
    errors: list[str] = []
    hints: list[str] = []
    warnings: list[str] = []
    resolved: list[ResolvedProduct] = []
    for handle in article.featured_products:
        product = products.get(handle)
        if product is None:
            errors.append(f"featured product {handle!r} does not exist in the store")
            hints.append(UNKNOWN_PRODUCT_HINT)
            continue
        status = product.info.status.upper()
        if status != "ACTIVE":
            message = f"featured product {handle!r} is {status}, not ACTIVE"
            if article.status == "draft":
                warnings.append(message + " (fine for a draft; it must be active to publish)")
            else:
                errors.append(
                    message + f"; a {article.status} article may only feature active products"
                )
                hints.append(INACTIVE_PRODUCT_HINT)
        resolved.append(product)
    disclaimer = None
    if article.disclaimer is not None:
        disclaimer = pages.get(article.disclaimer)
        if disclaimer is None:
            errors.append(f"disclaimer page {article.disclaimer!r} is not among the page files")
            hints.append("add the page file under pages/ or fix the handle")
    images = images or {}
    paths = image_paths(article)
    for path in paths:
        if path not in images:
            errors.append(f"local image {path!r} was not loaded")
            hints.append("check the file with shopsync validate")
    fields: Fields = {}
    inputs, digest = "", None
    if not errors:
        inputs = article_inputs(
            article, resolved, disclaimer, {path: images[path].src for path in paths}, checks
        )
        recorded = (known or {}).get(article.source_path)
        if recorded is not None and recorded[0] == inputs:
            digest = recorded[1]
        fields = article_fields(
            article, products=resolved, disclaimer=disclaimer, images=images, render=not digest
        )
    return DesiredItem(
        resource="article",
        handle=article.handle,
        source=article.source_path,
        blog=article.blog,
        fields=fields,
        errors=tuple(errors),
        hints=tuple(dict.fromkeys(hints)),
        warnings=tuple(warnings),
        uploads=tuple(images[path] for path in paths) if not errors else (),
        inputs=inputs,
        known=digest,
        product_handles={p.id: p.info.handle for p in resolved},
        utc_offset=_offset(article.publish_date),
        previous_handles=tuple(article.previous_handles),
    )


def _offset(moment: datetime | None) -> str | None:
    """``+11:00`` for a date written with that offset; None without a date."""
    if moment is None or moment.utcoffset() is None:
        return None
    text = moment.strftime("%z")
    return f"{text[:3]}:{text[3:5]}"


def desired_page(page: Page) -> DesiredItem:
    return DesiredItem(
        resource="page",
        handle=page.handle,
        source=page.source_path,
        fields=page_fields(page),
        previous_handles=tuple(page.previous_handles),
    )


def build_desired(
    articles: Sequence[Article],
    pages: Sequence[Page],
    *,
    products: Mapping[str, ResolvedProduct],
    default_blog: str,
    blog_title: str | None = None,
    images: Mapping[str, ImageUpload] | None = None,
    known: Mapping[str, tuple[str, str]] | None = None,
    checks: str = "",
) -> DesiredState:
    """Desired state of everything in the files; deterministic order (by handle).

    ``images`` maps each repository image path to its upload state (``resolve_images``);
    ``known``: what need not be rendered (``desired_article``).
    """
    by_handle = {p.handle: p for p in pages}
    images = images or {}
    desired_articles = sorted(
        (
            desired_article(
                a, products=products, pages=by_handle, images=images, known=known, checks=checks
            )
            for a in articles
        ),
        key=lambda item: item.key,
    )
    # Only what a writable article needs is uploaded, each file once.
    needed = {u.image.filename: u for item in desired_articles for u in item.uploads}
    blogs = blog_handles(articles, default_blog)
    titles = {default_blog: blog_title} if blog_title else {}
    return DesiredState(
        blogs=tuple(blogs),
        pages=tuple(sorted((desired_page(p) for p in pages), key=lambda item: item.key)),
        articles=tuple(desired_articles),
        blog_titles=titles,
        images=tuple(needed[name] for name in sorted(needed)),
    )


def blog_handles(articles: Sequence[Article], default_blog: str) -> list[str]:
    """The blogs the files need, sorted: the default one always."""
    return sorted({a.blog for a in articles} | {default_blog})


def resolve_images(
    images: Mapping[str, LocalImage], files: Mapping[str, RemoteFile]
) -> dict[str, ImageUpload]:
    """Each repository image (by path) with the store's file of the same content, if any."""
    return {src: ImageUpload(image, files.get(image.filename)) for src, image in images.items()}


def product_handles(articles: Sequence[Article]) -> list[str]:
    """Every featured product handle, once, sorted: what to resolve in the store."""
    return sorted({h for a in articles for h in a.featured_products})
